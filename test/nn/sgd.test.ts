/**
 * optim.SGD against test/fixtures/sgd.json: Sequential(Linear(5,7), ReLU(), Linear(7,3)) from
 * stored initial parameters, trained 5 steps by PyTorch with each option set. Every step's loss,
 * the parameters after step 1 and at the end, and the final loss must match.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  mismatches,
  type SgdFixture,
  type SgdRun,
  type Tolerance,
  tensorMismatches,
  toIndices,
  toTensor,
} from "../helpers/fixtures.js";

const fixture = loadFixture<SgdFixture>("sgd.json");
/** The README tolerance; five steps compound float32 rounding, which still fits it. */
const tol: Tolerance = { atol: 1e-5, rtol: 1e-4 };

function paramMismatches(model: wg.nn.Sequential, want: Record<string, FixtureTensor>): string[] {
  const sd = model.stateDict();
  return Object.entries(want).flatMap(([name, t]) =>
    tensorMismatches(sd[name] ?? null, t, tol).map((m) => `${name}: ${m}`),
  );
}

function lossFor(run: SgdRun, x: wg.Tensor, model: wg.nn.Sequential): wg.Tensor {
  const out = model.forward(x);
  if (run.loss === "crossEntropy") return wg.F.crossEntropy(out, toIndices(fixture.classTargets));
  return wg.F.mseLoss(out, toTensor(fixture.regressionTarget));
}

describe("sgd.json (PyTorch reference)", () => {
  it("holds the documented 6 runs of 5 steps", () => {
    expect(fixture.runs.length).toBe(6);
    expect(fixture.steps).toBe(5);
  });

  it.each(fixture.runs)("$name", (run) => {
    const model = new wg.nn.Sequential(
      new wg.nn.Linear(5, 7),
      new wg.nn.ReLU(),
      new wg.nn.Linear(7, 3),
    );
    const x = toTensor(fixture.x);
    const optimizer = new wg.optim.SGD(model.parameters(), run.options);
    try {
      expect(Object.keys(model.stateDict())).toEqual(Object.keys(fixture.initialParams));
      wg.tidy(() => {
        const sd: Record<string, wg.Tensor> = {};
        for (const [k, t] of Object.entries(fixture.initialParams)) sd[k] = toTensor(t);
        model.loadStateDict(sd);
      });
      expect(paramMismatches(model, fixture.initialParams), "initial params").toEqual([]);

      const losses: number[] = [];
      for (let step = 0; step < fixture.steps; step++) {
        wg.tidy(() => {
          optimizer.zeroGrad();
          const loss = lossFor(run, x, model);
          losses.push(loss.item());
          loss.backward();
          optimizer.step();
        });
        if (step === 0) {
          expect(paramMismatches(model, run.paramsAfterStep1), "params after step 1").toEqual([]);
        }
      }
      expect(mismatches(losses, run.losses, tol), "loss before each step").toEqual([]);
      expect(paramMismatches(model, run.finalParams), "final params").toEqual([]);
      const finalLoss = wg.tidy(() => wg.noGrad(() => lossFor(run, x, model).item()));
      expect(mismatches([finalLoss], [run.finalLoss], tol), "final loss").toEqual([]);
    } finally {
      optimizer.dispose();
      model.dispose();
      x.dispose();
    }
  });
});
