/**
 * Parameter groups, maximize, frozen parameters, Adadelta, Adamax, NAdam and RAdam against
 * test/fixtures/optim2.json (gen_optim2.py, PyTorch 1.13; NAdam/RAdam maximize and
 * decoupledWeightDecay as PyTorch 2.1 defines them): Sequential(Linear(4,5), Tanh(),
 * Linear(5,3)) trained 6 steps; every loss, the final parameters and the optimizer's final
 * state must match. Then every run resumes from a state saved after 3 steps (loaded into a
 * fresh optimizer, and through wg.save / wg.load) and ends bit for bit where the uninterrupted
 * run ends.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  mismatches,
  type Tolerance,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

type Options = Record<string, unknown>;

interface Run {
  name: string;
  optimizer: string;
  options: Options;
  groups?: ({ params: string[] } & Options)[];
  frozen?: string[];
  loss: "mseLoss" | "negMseLoss";
  losses: number[];
  finalParams: Record<string, FixtureTensor>;
  finalState: Record<string, Record<string, number | FixtureTensor>>;
}

interface Fixture {
  initialParams: Record<string, FixtureTensor>;
  x: FixtureTensor;
  regressionTarget: FixtureTensor;
  steps: number;
  runs: Run[];
}

const fixture = loadFixture<Fixture>("optim2.json");
const tol: Tolerance = { atol: 1e-6, rtol: 1e-5 };
const stateTol: Tolerance = { atol: 2e-6, rtol: 2e-5 };

type Ctor = new (params: wg.optim.Params, options?: Options) => wg.optim.Optimizer;
const optimizers: Record<string, Ctor> = {
  SGD: wg.optim.SGD as Ctor,
  Adam: wg.optim.Adam as Ctor,
  AdamW: wg.optim.AdamW as Ctor,
  RMSprop: wg.optim.RMSprop as Ctor,
  Adagrad: wg.optim.Adagrad as Ctor,
  Adadelta: wg.optim.Adadelta as Ctor,
  Adamax: wg.optim.Adamax as Ctor,
  NAdam: wg.optim.NAdam as Ctor,
  RAdam: wg.optim.RAdam as Ctor,
};

class Trainer {
  readonly model = new wg.nn.Sequential(
    new wg.nn.Linear(4, 5),
    new wg.nn.Tanh(),
    new wg.nn.Linear(5, 3),
  );
  readonly x = toTensor(fixture.x);
  readonly target = toTensor(fixture.regressionTarget);
  optimizer: wg.optim.Optimizer;

  constructor(readonly run: Run) {
    wg.tidy(() => {
      const sd: Record<string, wg.Tensor> = {};
      for (const [k, t] of Object.entries(fixture.initialParams)) sd[k] = toTensor(t);
      this.model.loadStateDict(sd);
    });
    this.optimizer = this.newOptimizer();
  }

  newOptimizer(): wg.optim.Optimizer {
    const named = new Map(this.model.namedParameters());
    for (const n of this.run.frozen ?? []) named.get(n)?.requiresGrad_(false);
    const params = this.run.groups
      ? this.run.groups.map((g) => ({
          ...g,
          params: g.params.map((n) => named.get(n) as wg.Tensor),
        }))
      : this.model.parameters();
    return new optimizers[this.run.optimizer](params, this.run.options);
  }

  step(): number {
    return wg.tidy(() => {
      this.optimizer.zeroGrad();
      let loss = wg.F.mseLoss(this.model.forward(this.x), this.target);
      if (this.run.loss === "negMseLoss") loss = loss.neg();
      const v = loss.item();
      loss.backward();
      this.optimizer.step();
      return v;
    });
  }

  params(): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const [k, t] of Object.entries(this.model.stateDict())) out[k] = t.data();
    return out;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
    this.x.dispose();
    this.target.dispose();
  }
}

describe("optim2.json (PyTorch reference)", () => {
  it("holds every optimizer", () => {
    const kinds = new Set(fixture.runs.map((r) => r.optimizer));
    expect([...kinds].sort()).toEqual(Object.keys(optimizers).sort());
  });

  it.each(fixture.runs)("$name", (run) => {
    const t = new Trainer(run);
    try {
      const losses: number[] = [];
      for (let k = 0; k < fixture.steps; k++) losses.push(t.step());
      expect(mismatches(losses, run.losses, tol), "losses").toEqual([]);
      const sd = t.model.stateDict();
      for (const [name, want] of Object.entries(run.finalParams)) {
        expect(tensorMismatches(sd[name], want, tol), name).toEqual([]);
      }
      const state = t.optimizer.stateDict().state;
      expect(Object.keys(state).sort(), "parameters with state").toEqual(
        Object.keys(run.finalState).sort(),
      );
      for (const [idx, want] of Object.entries(run.finalState)) {
        const got = state[Number(idx)];
        expect(Object.keys(got).sort(), `state keys of ${idx}`).toEqual(Object.keys(want).sort());
        for (const [name, w] of Object.entries(want)) {
          const g = got[name];
          if (typeof w === "number") {
            expect(mismatches([g as number], [w], { atol: 0, rtol: 1e-7 }), name).toEqual([]);
          } else {
            expect(tensorMismatches(g as wg.Tensor, w, stateTol), `${name} of ${idx}`).toEqual([]);
          }
        }
      }
    } finally {
      t.dispose();
    }
  });
});

describe("resuming from a saved state", () => {
  it.each(fixture.runs)("$name continues bit for bit", (run) => {
    const straight = new Trainer(run);
    const split = new Trainer(run);
    try {
      for (let k = 0; k < fixture.steps; k++) straight.step();
      for (let k = 0; k < 3; k++) split.step();
      const saved = split.optimizer.stateDict();
      const fresh = split.newOptimizer();
      fresh.loadStateDict(saved);
      expect(fresh.stateDict().paramGroups).toEqual(saved.paramGroups);
      split.optimizer.dispose();
      split.optimizer = fresh;
      for (let k = 3; k < fixture.steps; k++) split.step();
      const a = straight.params();
      const b = split.params();
      for (const name of Object.keys(a)) expect(b[name], name).toEqual(a[name]);
    } finally {
      straight.dispose();
      split.dispose();
    }
  });
});

describe("resuming in a fresh process through wg.save / wg.load", () => {
  it.each(fixture.runs)("$name", (run) => {
    const straight = new Trainer(run);
    const first = new Trainer(run);
    let bytes: Uint8Array;
    try {
      for (let k = 0; k < fixture.steps; k++) straight.step();
      for (let k = 0; k < 3; k++) first.step();
      const { tensors, metadata } = wg.optim.stateDictToTensors(first.optimizer.stateDict());
      bytes = wg.save({ ...first.model.stateDict(), ...tensors }, metadata);
    } finally {
      first.dispose();
    }
    // Everything below is rebuilt from the bytes alone, as another process would.
    const second = new Trainer(run);
    try {
      const loaded = wg.load(bytes);
      const model: Record<string, wg.Tensor> = {};
      for (const [k, t] of Object.entries(loaded)) if (!k.startsWith("optimizer.")) model[k] = t;
      second.model.loadStateDict(model);
      second.optimizer.loadStateDict(wg.optim.stateDictFromTensors(loaded, wg.loadMetadata(bytes)));
      for (const t of Object.values(loaded)) t.dispose();
      for (let k = 3; k < fixture.steps; k++) second.step();
      const a = straight.params();
      const b = second.params();
      for (const name of Object.keys(a)) expect(b[name], name).toEqual(a[name]);
    } finally {
      straight.dispose();
      second.dispose();
    }
  });

  it("refuses metadata that does not belong to an optimizer", () => {
    expect(() => wg.optim.stateDictFromTensors({}, { format: "pt" })).toThrow(
      /^stateDictFromTensors: the metadata has no "optimizer\.json" entry/,
    );
    expect(() =>
      wg.optim.stateDictFromTensors(
        {},
        {
          "optimizer.json": '{"paramGroups":[],"state":{"0":{"numbers":{},"tensors":["expAvg"]}}}',
        },
      ),
    ).toThrow(/lacks the tensor "optimizer\.state\.0\.expAvg"/);
    expect(() => wg.save({}, { n: 1 as never })).toThrow(/^save: metadata values must be strings/);
  });
});
