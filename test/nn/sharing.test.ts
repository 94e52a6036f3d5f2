/**
 * Shared parameters against PyTorch (test/fixtures/sharing.json, from gen_sharing.py): tied
 * weights (model[2].weight = model[0].weight) and one Linear used twice in a Sequential. Each
 * parameter must be listed once, under its first name, so an optimizer updates it once per
 * step; the state dict keeps every name; training with SGD and Adam must follow PyTorch's losses
 * and end at its parameters.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  type Tolerance,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

interface SharingRun {
  optimizer: "SGD" | "Adam";
  options: { lr: number; momentum?: number };
  losses: number[];
  final: Record<string, FixtureTensor>;
}
interface SharingModel {
  name: "tied" | "reused";
  init: Record<string, FixtureTensor>;
  namedParameters: string[];
  stateDictKeys: string[];
  runs: SharingRun[];
}
interface SharingFixture {
  x: FixtureTensor;
  target: FixtureTensor;
  models: SharingModel[];
}

const fixture = loadFixture<SharingFixture>("sharing.json");
const tol: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** The fixture's model, with its initial parameters. */
function build(spec: SharingModel): wg.nn.Sequential {
  const { nn } = wg;
  let model: wg.nn.Sequential;
  if (spec.name === "tied") {
    model = new nn.Sequential(new nn.Linear(4, 4), new nn.Tanh(), new nn.Linear(4, 4));
    (model.at(2) as wg.nn.Linear).weight = (model.at(0) as wg.nn.Linear).weight;
  } else {
    const shared = new nn.Linear(4, 4);
    model = new nn.Sequential(shared, new nn.ReLU(), shared);
  }
  // Every state-dict name of a shared tensor gets the value stored under its first name.
  const first = new Map(model.namedParameters().map(([n, p]) => [p, n]));
  const sd: Record<string, wg.Tensor> = {};
  for (const [key, t] of Object.entries(model.stateDict())) {
    sd[key] = toTensor(spec.init[first.get(t) ?? key]);
  }
  model.loadStateDict(sd);
  return model;
}

describe("shared parameters (PyTorch reference)", () => {
  for (const spec of fixture.models) {
    it(`${spec.name}: parameters once under their first name; the state dict keeps every name`, () => {
      const model = build(spec);
      expect(model.namedParameters().map(([n]) => n)).toEqual(spec.namedParameters);
      expect(model.parameters().length).toBe(spec.namedParameters.length);
      expect(Object.keys(model.stateDict())).toEqual(spec.stateDictKeys);
      expect(model.length).toBe(3);
      model.dispose(); // a shared tensor is freed once, without error
    });

    for (const run of spec.runs) {
      it(`${spec.name}: ${run.optimizer} steps follow PyTorch`, () => {
        const model = build(spec);
        const x = toTensor(fixture.x);
        const target = toTensor(fixture.target);
        const opt =
          run.optimizer === "SGD"
            ? new wg.optim.SGD(model.parameters(), run.options)
            : new wg.optim.Adam(model.parameters(), run.options);
        const losses: number[] = [];
        for (let step = 0; step < run.losses.length; step++) {
          wg.tidy(() => {
            opt.zeroGrad();
            const loss = wg.F.mseLoss(model.forward(x), target);
            losses.push(loss.item());
            loss.backward();
            opt.step();
          });
        }
        losses.forEach((l, i) => {
          expect(Math.abs(l - run.losses[i]), `loss ${i}`).toBeLessThan(
            1e-5 + 1e-4 * run.losses[i],
          );
        });
        const params = new Map(model.namedParameters());
        const bad = Object.entries(run.final).flatMap(([name, want]) =>
          tensorMismatches(params.get(name) ?? null, want, tol).map((m) => `${name}: ${m}`),
        );
        expect(bad).toEqual([]);
      });
    }
  }
});

describe("module containers", () => {
  it("Sequential.at refuses an index out of range", () => {
    const seq = new wg.nn.Sequential(new wg.nn.ReLU());
    expect(seq.at(-1)).toBe(seq.at(0));
    expect(() => seq.at(1)).toThrow(wg.WasmgradError);
    expect(() => seq.at(1)).toThrow(/Sequential.at: index 1 is out of range for 1 modules/);
  });

  it("children() lists a module used twice once", () => {
    const shared = new wg.nn.Linear(2, 2);
    const seq = new wg.nn.Sequential(shared, shared);
    expect(seq.children()).toEqual([shared]);
    expect(seq.namedChildren().map(([n]) => n)).toEqual(["0"]);
  });

  it("loadStateDict refuses what is not a state dict", () => {
    const lin = new wg.nn.Linear(2, 2);
    expect(() => lin.loadStateDict(null as unknown as Record<string, wg.Tensor>)).toThrow(
      /loadStateDict: expected a Record<string, Tensor> \(from stateDict\(\) or wg.load\(\)\), got null/,
    );
  });

  it("SGD's lr defaults to 1e-3, as in PyTorch", () => {
    const w = wg.tensor([1, 2], { requiresGrad: true });
    w.grad = wg.tensor([1, 1]);
    const opt = new wg.optim.SGD([w]);
    expect(opt.lr).toBe(1e-3);
    opt.step();
    expect(Array.from(w.data())).toEqual([Math.fround(1 - 1e-3), Math.fround(2 - 1e-3)]);
  });
});
