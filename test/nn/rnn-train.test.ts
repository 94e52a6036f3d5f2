/**
 * Embedding + LSTM + Linear trained with SGD against test/fixtures/rnn_train.json (PyTorch 1.13,
 * made by gen_rnn.py): from a stored state dict, 5 steps of cross-entropy on stored token
 * sequences. `next-token` predicts every next token with a batch-first LSTM; `classify` reads
 * the last layer's hN of a 2-layer sequence-first LSTM over padded sequences (paddingIdx 0).
 * Every step's loss, the state after step 1 and at the end, and the final loss must match; the
 * live tensor count must not grow from step to step.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  mismatches,
  type Tolerance,
  tensorMismatches,
  toIndices,
  toTensor,
} from "../helpers/fixtures.js";
import {
  type EmbeddingModule,
  type LSTMLayer,
  nn,
  type TrainFixture,
  type TrainRun,
} from "../helpers/rnn.js";

const fixture = loadFixture<TrainFixture>("rnn_train.json");
const tol: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Losses are compared relatively only (rtol 1e-4). */
const lossTol: Tolerance = { atol: 0, rtol: 1e-4 };

/** The model of the fixture's `model` strings; attribute order gives PyTorch's keys. */
class TokenModel extends wg.nn.Module<[tokens: wg.Tensor], wg.Tensor> {
  emb: EmbeddingModule;
  lstm: LSTMLayer;
  fc: wg.nn.Linear;

  constructor(readonly run: TrainRun) {
    super();
    this.emb = new nn.Embedding(
      run.vocab,
      run.embeddingDim,
      run.paddingIdx === undefined ? {} : { paddingIdx: run.paddingIdx },
    );
    this.lstm = new nn.LSTM(run.embeddingDim, run.hiddenSize, {
      numLayers: run.numLayers,
      batchFirst: run.batchFirst,
    });
    this.fc = new wg.nn.Linear(run.hiddenSize, run.numClasses);
  }

  /** Logits: [N*L, classes] for next-token, [N, classes] for classify. */
  forward(tokens: wg.Tensor): wg.Tensor {
    const e = this.emb.forward(tokens);
    if (this.run.name === "next-token") {
      const [out] = this.lstm.forward(e);
      return this.fc.forward(out).reshape(-1, this.run.numClasses);
    }
    const [, [hN]] = this.lstm.forward(e.transpose(0, 1));
    const top = hN.narrow(0, this.run.numLayers - 1, 1).squeeze(0);
    return this.fc.forward(top);
  }
}

function stateMismatches(model: wg.nn.Module, want: Record<string, FixtureTensor>): string[] {
  const sd = model.stateDict();
  const keys = Object.keys(sd);
  if (keys.join() !== Object.keys(want).join()) {
    return [`keys: got [${keys.join(", ")}], want [${Object.keys(want).join(", ")}]`];
  }
  return Object.entries(want).flatMap(([k, t]) =>
    tensorMismatches(sd[k], t, tol).map((m) => `${k}: ${m}`),
  );
}

describe("rnn_train.json (PyTorch reference)", () => {
  it("holds the next-token and the classify run, 5 steps each, with falling losses", () => {
    expect(fixture.runs.map((r) => r.name)).toEqual(["next-token", "classify"]);
    expect(fixture.steps).toBe(5);
    for (const r of fixture.runs) {
      expect(r.losses.length).toBe(5);
      expect(r.finalLoss).toBeLessThan(r.losses[0]);
    }
  });

  it.each(fixture.runs)("$name: $model", (run) => {
    const model = new TokenModel(run);
    const optimizer = new wg.optim.SGD(model.parameters(), run.optimizer);
    const tokens = toTensor(run.tokens);
    const targets = toIndices(run.targets);
    try {
      expect(Object.keys(model.stateDict()), "state dict keys (PyTorch's)").toEqual(
        Object.keys(run.initialState),
      );
      wg.tidy(() => {
        const sd: Record<string, wg.Tensor> = {};
        for (const [k, t] of Object.entries(run.initialState)) sd[k] = toTensor(t);
        model.loadStateDict(sd);
      });
      expect(stateMismatches(model, run.initialState), "initial state").toEqual([]);

      const losses: number[] = [];
      const live: number[] = [];
      for (let step = 0; step < fixture.steps; step++) {
        losses.push(
          wg.tidy(() => {
            optimizer.zeroGrad();
            const loss = wg.F.crossEntropy(model.forward(tokens), targets);
            loss.backward();
            optimizer.step();
            return loss.item();
          }),
        );
        live.push(wg.memory().liveTensors);
        if (step === 0) {
          expect(stateMismatches(model, run.stateAfterStep1), "after step 1").toEqual([]);
        }
      }
      expect(mismatches(losses, run.losses, lossTol), "losses").toEqual([]);
      expect(stateMismatches(model, run.finalState), "final state").toEqual([]);
      const finalLoss = wg.tidy(() =>
        wg.noGrad(() => wg.F.crossEntropy(model.forward(tokens), targets).item()),
      );
      expect(mismatches([finalLoss], [run.finalLoss], lossTol), "final loss").toEqual([]);
      // Gradients and momentum buffers exist from step 1 on; nothing else may accumulate.
      expect(new Set(live.slice(1)).size, `live tensors per step: ${live}`).toBe(1);
      expect(live[1]).toBe(live[0]);
    } finally {
      optimizer.dispose();
      tokens.dispose();
      model.dispose();
    }
  });
});
