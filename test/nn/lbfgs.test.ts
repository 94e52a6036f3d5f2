/**
 * LBFGS against PyTorch 1.13 (test/fixtures/optim2.json, "lbfgs"): Rosenbrock in 4 dimensions
 * from (-1.2, 1, -0.5, 0.8) and a 6x4 least-squares problem, with the fixed step and with the
 * strong Wolfe line search, several step(closure) calls each: the loss each step returns, x after
 * each step, and the closure-call and iteration counts. PyTorch sums its dot products in another
 * order, and Rosenbrock amplifies the difference from iteration to iteration, so x is compared
 * to a relative 1e-4; the counts must be equal. Then state dicts, memory and argument checks.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  mismatches,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

interface LbfgsRun {
  name: string;
  problem: "rosenbrock" | "leastSquares";
  options: Record<string, unknown>;
  A?: FixtureTensor;
  b?: FixtureTensor;
  x0: FixtureTensor;
  steps: number;
  losses: number[];
  xs: FixtureTensor[];
  funcEvals: number;
  nIter: number;
}

const runs = loadFixture<{ lbfgs: LbfgsRun[] }>("optim2.json").lbfgs;
const tol = { atol: 1e-5, rtol: 1e-4 };

function rosenbrock(x: wg.Tensor): wg.Tensor {
  const head = x.narrow(0, 0, x.shape[0] - 1);
  const tail = x.narrow(0, 1, x.shape[0] - 1);
  return tail.sub(head.pow(2)).pow(2).mul(100).add(wg.sub(1, head).pow(2)).sum();
}

function problem(run: LbfgsRun): [wg.Tensor, () => wg.Tensor, () => void] {
  const x = toTensor(run.x0, true);
  if (run.problem === "rosenbrock") return [x, () => rosenbrock(x), () => x.dispose()];
  const A = toTensor(run.A as FixtureTensor);
  const b = toTensor(run.b as FixtureTensor);
  return [
    x,
    () => A.matmul(x).sub(b).pow(2).sum(),
    () => {
      for (const t of [x, A, b]) t.dispose();
    },
  ];
}

function solve(
  run: LbfgsRun,
  opt: wg.optim.LBFGS,
  x: wg.Tensor,
  f: () => wg.Tensor,
  steps: number,
) {
  const losses: number[] = [];
  const xs: wg.Tensor[] = [];
  const closure = () => {
    opt.zeroGrad();
    const loss = f();
    loss.backward();
    return loss;
  };
  for (let k = 0; k < steps; k++) {
    const loss = opt.step(closure) as wg.Tensor;
    losses.push(loss.item());
    loss.dispose();
    xs.push(wg.noGrad(() => wg.clone(x)));
  }
  return { losses, xs, run };
}

describe("LBFGS against PyTorch", () => {
  it.each(runs)("$name", (run) => {
    const [x, f, free] = problem(run);
    const opt = new wg.optim.LBFGS([x], run.options);
    try {
      const { losses, xs } = solve(run, opt, x, f, run.steps);
      expect(mismatches(losses, run.losses, tol), "losses").toEqual([]);
      xs.forEach((got, k) => {
        expect(tensorMismatches(got, run.xs[k], tol), `x after step ${k + 1}`).toEqual([]);
        got.dispose();
      });
      const state = opt.stateDict().state[0];
      expect([state.funcEvals, state.nIter]).toEqual([run.funcEvals, run.nIter]);
    } finally {
      opt.dispose();
      free();
    }
  });
});

describe("LBFGS behaviour", () => {
  const run = runs.find((r) => r.name === "rosenbrock strong_wolfe") as LbfgsRun;

  it("resumes from a state dict exactly, and leaks nothing per step", () => {
    const [x1, f1, free1] = problem(run);
    const [x2, f2, free2] = problem(run);
    const a = new wg.optim.LBFGS([x1], run.options);
    const b = new wg.optim.LBFGS([x2], run.options);
    try {
      const straight = solve(run, a, x1, f1, 4);
      for (const t of solve(run, b, x2, f2, 2).xs) t.dispose();
      const saved = b.stateDict();
      const c = new wg.optim.LBFGS([x2], { lineSearchFn: "strong_wolfe" });
      c.loadStateDict(saved);
      expect(c.paramGroups[0].maxIter).toBe(5);
      const before = wg.memory().liveTensors;
      const rest = solve(run, c, x2, f2, 2);
      expect(wg.memory().liveTensors).toBe(before + 2); // the two x snapshots
      expect(rest.xs[1].data()).toEqual(straight.xs[3].data());
      for (const t of [...straight.xs, ...rest.xs]) t.dispose();
      c.dispose();
    } finally {
      a.dispose();
      b.dispose();
      free1();
      free2();
    }
  });

  it("stops at once when the gradient is already below toleranceGrad", () => {
    const x = wg.tensor([1, 1, 1], { requiresGrad: true });
    const opt = new wg.optim.LBFGS([x]);
    let calls = 0;
    opt.step(() => {
      calls++;
      opt.zeroGrad();
      const l = x.sub(1).pow(2).sum();
      l.backward();
      return l;
    });
    expect(calls).toBe(1);
    expect(x.toArray()).toEqual([1, 1, 1]);
    opt.dispose();
    x.dispose();
  });

  const p = wg.tensor([1], { requiresGrad: true });
  const bad: [string, () => unknown, RegExp][] = [
    [
      "lineSearchFn",
      () => new wg.optim.LBFGS([p], { lineSearchFn: "wolfe" as never }),
      /LBFGS: lineSearchFn must be one of/,
    ],
    [
      "camelCase line search",
      () => new wg.optim.LBFGS([p], { line_search_fn: "strong_wolfe" } as never),
      /did you mean lineSearchFn\?/,
    ],
    [
      "maxIter",
      () => new wg.optim.LBFGS([p], 1, 0),
      /^LBFGS: invalid maxIter 0: expected an integer >= 1$/,
    ],
    [
      "groups",
      () =>
        new wg.optim.LBFGS([{ params: [p] }, { params: [wg.tensor([2], { requiresGrad: true })] }]),
      /^LBFGS: does not support parameter groups/,
    ],
    [
      "no closure",
      () => new wg.optim.LBFGS([p]).step(),
      /^LBFGS\.step: closure must be a function/,
    ],
    [
      "closure result",
      () => new wg.optim.LBFGS([p]).step(() => "loss"),
      /^LBFGS\.step: the closure must return the loss \(a Tensor or a number\), got "loss"$/,
    ],
  ];
  it.each(bad)("refuses %s", (_name, fn, message) => {
    expect(fn).toThrow(wg.WasmgradError);
    expect(fn).toThrow(message);
  });
});
