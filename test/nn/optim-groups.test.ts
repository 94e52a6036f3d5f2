/**
 * Parameter groups and the constructors' strictness: per-group options and defaults,
 * addParamGroup, live-editable paramGroups (what schedulers write), frozen and gradient-less
 * parameters skipped, PyTorch's positional arguments, and the errors every optimizer gives for
 * unknown keys (with the camelCase suggestion for PyTorch's snake_case), bad values and bad
 * groups.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const O = wg.optim;

describe("parameter groups", () => {
  it("fill each group from the defaults and read back through paramGroups", () => {
    const a = wg.tensor([1, 2], { requiresGrad: true });
    const b = wg.tensor([3], { requiresGrad: true });
    const opt = new O.AdamW([{ params: [a], weightDecay: 0 }, { params: b }], { lr: 0.1 });
    expect(opt.paramGroups.map((g) => [g.lr, g.weightDecay, g.params.length])).toEqual([
      [0.1, 0, 1],
      [0.1, 0.01, 1],
    ]);
    expect(opt.defaults.lr).toBe(0.1);
    const c = wg.tensor([4], { requiresGrad: true });
    opt.addParamGroup({ params: [c], lr: 0.5, betas: [0.5, 0.6] });
    expect(opt.paramGroups[2]).toMatchObject({ lr: 0.5, betas: [0.5, 0.6], eps: 1e-8 });
    expect(opt.stateDict().paramGroups.map((g) => g.params)).toEqual([[0], [1], [2]]);
    opt.dispose();
    for (const t of [a, b, c]) t.dispose();
  });

  it("apply each group's lr, edited live (as a scheduler does)", () => {
    const a = wg.tensor([1], { requiresGrad: true });
    const b = wg.tensor([1], { requiresGrad: true });
    const opt = new O.SGD([{ params: [a] }, { params: [b], lr: 0.5 }], 0.1);
    a.grad = wg.tensor([1]);
    b.grad = wg.tensor([1]);
    opt.step();
    expect([a.item(), b.item()]).toEqual([Math.fround(0.9), 0.5]);
    opt.paramGroups[0].lr = 0.25;
    opt.step();
    expect(a.item()).toBe(Math.fround(Math.fround(0.9) - 0.25));
    const sched = new O.lrScheduler.StepLR(opt, 1, 0.5);
    sched.step();
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([0.125, 0.25]);
    expect(sched.getLastLr()).toEqual([0.125, 0.25]);
    opt.lr = 1; // sets every group
    expect(opt.paramGroups.map((g) => g.lr)).toEqual([1, 1]);
    opt.dispose();
    a.dispose();
    b.dispose();
  });

  it("accept frozen parameters and skip them, as PyTorch", () => {
    const w = wg.tensor([1, 2], { requiresGrad: true });
    const frozen = wg.tensor([5, 6]);
    const opt = new O.Adam([w, frozen], { lr: 0.1 });
    w.grad = wg.tensor([1, 1]);
    opt.step();
    expect(frozen.toArray()).toEqual([5, 6]);
    expect(Object.keys(opt.stateDict().state)).toEqual(["0"]);
    opt.dispose();
    w.dispose();
    frozen.dispose();
  });

  it("maximize ascends", () => {
    const p = wg.tensor([1], { requiresGrad: true });
    for (const Ctor of [
      O.SGD,
      O.Adam,
      O.AdamW,
      O.RMSprop,
      O.Adagrad,
      O.Adadelta,
      O.Adamax,
      O.NAdam,
      O.RAdam,
    ]) {
      const opt = new (Ctor as typeof O.SGD)([p], { lr: 0.1, maximize: true });
      const before = p.item();
      p.grad = wg.tensor([1]);
      opt.step();
      expect(p.item(), Ctor.name).toBeGreaterThan(before);
      opt.dispose();
    }
    p.dispose();
  });

  it("take PyTorch's positional arguments", () => {
    const p = wg.tensor([1], { requiresGrad: true });
    const opts = [
      new O.SGD([p], 0.1, 0.9, 0, 0.01, true),
      new O.Adam([p], 0.01, [0.8, 0.9], 1e-6, 0.1, true),
      new O.RMSprop([p], 0.01, 0.9, 1e-6, 0, 0.5, true),
      new O.Adagrad([p], 0.1, 0.01, 0, 0.5, 1e-8),
      new O.Adadelta([p], 0.5, 0.8, 1e-5, 0.1),
      new O.Adamax([p], 0.01, [0.8, 0.9], 1e-6, 0.1),
      new O.NAdam([p], 0.01, [0.8, 0.9], 1e-6, 0.1, 0.01, true),
      new O.RAdam([p], 0.01, [0.8, 0.9], 1e-6, 0.1, true, { maximize: true }),
      new O.LBFGS([p], 0.5, 7, null, 1e-5, 1e-7, 10, "strong_wolfe"),
    ];
    expect(opts.map((o) => o.paramGroups[0].lr)).toEqual([
      0.1, 0.01, 0.01, 0.1, 0.5, 0.01, 0.01, 0.01, 0.5,
    ]);
    expect(opts[0].paramGroups[0]).toMatchObject({
      momentum: 0.9,
      weightDecay: 0.01,
      nesterov: true,
    });
    expect(opts[6].paramGroups[0]).toMatchObject({
      momentumDecay: 0.01,
      decoupledWeightDecay: true,
    });
    expect(opts[7].paramGroups[0]).toMatchObject({ decoupledWeightDecay: true, maximize: true });
    expect(opts[8].paramGroups[0]).toMatchObject({
      maxIter: 7,
      maxEval: 8,
      historySize: 10,
      lineSearchFn: "strong_wolfe",
    });
    for (const o of opts) o.dispose();
    p.dispose();
  });
});

describe("strictness (every constructor)", () => {
  const p = wg.tensor([1], { requiresGrad: true });
  const q = wg.tensor([2], { requiresGrad: true });
  const cases: [string, () => unknown, RegExp][] = [
    [
      "Adadelta snake_case",
      () => new O.Adadelta([p], { weight_decay: 1 } as never),
      /^Adadelta: unknown option "weight_decay"; did you mean weightDecay\?/,
    ],
    [
      "Adadelta rho",
      () => new O.Adadelta([p], { rho: 1.5 }),
      /^Adadelta: invalid rho 1\.5: expected a number in \[0, 1\]$/,
    ],
    [
      "Adadelta lr",
      () => new O.Adadelta([p], -1),
      /^Adadelta: invalid lr -1: expected a finite number >= 0$/,
    ],
    [
      "Adamax betas",
      () => new O.Adamax([p], { betas: [0.9, 1] }),
      /^Adamax: invalid betas\[1\] 1: expected a number in \[0, 1\)$/,
    ],
    [
      "Adamax unknown",
      () => new O.Adamax([p], { amsgrad: true } as never),
      /^Adamax: unknown option "amsgrad"/,
    ],
    [
      "NAdam snake_case",
      () => new O.NAdam([p], { momentum_decay: 0.1 } as never),
      /did you mean momentumDecay\?/,
    ],
    [
      "NAdam momentumDecay",
      () => new O.NAdam([p], { momentumDecay: -1 }),
      /^NAdam: invalid momentumDecay -1/,
    ],
    [
      "RAdam snake_case",
      () => new O.RAdam([p], { decoupled_weight_decay: true } as never),
      /did you mean decoupledWeightDecay\?/,
    ],
    [
      "RAdam flag",
      () => new O.RAdam([p], { decoupledWeightDecay: 1 as never }),
      /^RAdam: invalid decoupledWeightDecay 1: expected true or false$/,
    ],
    [
      "SGD maximize flag",
      () => new O.SGD([p], { maximize: "yes" as never }),
      /^SGD: invalid maximize "yes": expected true or false$/,
    ],
    [
      "too many positional",
      () => new O.Adamax([p], 0.1, [0.9, 0.99], 1e-8, 0, 5 as never),
      /^Adamax: too many arguments/,
    ],
    [
      "given twice",
      () => new O.SGD([p], 0.1, { lr: 0.2 }),
      /^SGD: lr was given both as positional argument 1 and as an option$/,
    ],
    [
      "group snake_case",
      () => new O.Adam([{ params: [p], weight_decay: 0 }]),
      /^Adam: unknown option "weight_decay"; did you mean weightDecay\?/,
    ],
    [
      "group value",
      () => new O.Adam([{ params: [p], lr: -1 }]),
      /^Adam: invalid lr -1: expected a finite number >= 0$/,
    ],
    [
      "group without params",
      () => new O.SGD([{ lr: 1 } as never]),
      /^SGD\.addParamGroup: a parameter group must be \{ params, \.\.\.options \}/,
    ],
    [
      "parameter in two groups",
      () => new O.SGD([{ params: [p, q] }, { params: [q] }]),
      /^SGD: parameter 1 of group 0 and parameter 0 of group 1 are the same tensor/,
    ],
    [
      "group params not tensors",
      () => new O.SGD([{ params: [p, 3] as never }]),
      /^SGD: parameter 1 is not a Tensor$/,
    ],
    [
      "bad group params",
      () => new O.SGD([{ params: 3 as never }]),
      /^SGD\.addParamGroup: params must be a Tensor or an iterable of Tensors/,
    ],
    [
      "lr set to a string, checked before any write",
      () => {
        const opt = new O.SGD([p], 0.1);
        opt.paramGroups[0].lr = "x" as never;
        p.grad = wg.tensor([1]);
        try {
          opt.step();
        } finally {
          expect(p.item()).toBe(1);
        }
      },
      /^SGD\.step: invalid lr "x": expected a finite number >= 0$/,
    ],
    [
      "closure not a function",
      () => new O.SGD([p]).step(3 as never),
      /^SGD\.step: closure must be a function/,
    ],
  ];
  it.each(cases)("%s", (_name, make, message) => {
    expect(make).toThrow(wg.WasmgradError);
    expect(make).toThrow(message);
  });

  it("addParamGroup refuses a parameter the optimizer already has", () => {
    const opt = new O.Adam([p]);
    expect(() => opt.addParamGroup({ params: [p] })).toThrow(
      /^Adam: parameter 0 of group 0 and parameter 0 of group 1 are the same tensor/,
    );
    expect(opt.paramGroups.length).toBe(1);
    opt.dispose();
  });

  it("step(closure) returns the closure's loss", () => {
    const opt = new O.SGD([p], 0.1);
    expect(opt.step(() => 42)).toBe(42);
    opt.dispose();
  });
});

describe("in-place updates and autograd", () => {
  it("a step bumps each updated parameter's version, as PyTorch's p.add_ does", () => {
    const p = wg.tensor([1, 2], { requiresGrad: true });
    const frozen = wg.tensor([3], { requiresGrad: true });
    const opt = new O.SGD([p, frozen], 0.1);
    const v = [p._version, frozen._version];
    p.grad = wg.tensor([1, 1]);
    opt.step();
    expect([p._version, frozen._version]).toEqual([v[0] + 1, v[1]]);
    const y = p.mul(p).sum(); // saves p for backward
    p.grad = wg.tensor([1, 1]);
    opt.step();
    expect(() => y.backward()).toThrow(wg.WasmgradError);
    opt.dispose();
    for (const t of [p, frozen, y]) t.dispose();
  });
});
