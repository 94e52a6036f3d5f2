/**
 * In-place ops with PyTorch's safety: the leaf rule, the version counter (stale saved tensors
 * throw), gradients through in-place ops, detach sharing storage, and the engine never aliasing
 * the caller's gradient seed.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

function throwsWg(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(wg.WasmgradError);
  expect((caught as Error).message).toMatch(pattern);
}

describe("in-place ops", () => {
  it("run the tutorial's manual SGD update", () => {
    const w = wg.tensor([1, 2, 3], { requiresGrad: true });
    const x = wg.tensor([0.5, -1, 2]);
    const lr = 0.1;
    for (let step = 0; step < 2; step++) {
      w.mul(x).sum().backward();
      wg.noGrad(() => {
        w.sub_((w.grad as wg.Tensor).mul(lr));
        (w.grad as wg.Tensor).zero_();
      });
    }
    // Two steps of w -= 0.1 * x, the gradient zeroed in between.
    const got = Array.from(w.data());
    for (const [i, v] of [0.9, 2.2, 2.6].entries()) expect(got[i]).toBeCloseTo(v, 6);
    expect(w.grad?.toArray()).toEqual([0, 0, 0]);
    expect(w.requiresGrad).toBe(true);
  });

  it("refuse a leaf that requires grad outside noGrad", () => {
    const w = wg.ones([2], { requiresGrad: true });
    throwsWg(
      () => w.add_(1),
      /add_: a leaf tensor that requires grad .* in-place operation; do the update inside wg\.noGrad/,
    );
    throwsWg(() => w.zero_(), /fill_: a leaf tensor that requires grad/);
    wg.noGrad(() => w.fill_(3));
    expect(w.toArray()).toEqual([3, 3]);
  });

  it("compute every variant and return the tensor itself", () => {
    const x = wg.tensor([1, 4, 9]);
    expect(x.sqrt_()).toBe(x);
    expect(x.toArray()).toEqual([1, 2, 3]);
    x.mul_(2)
      .add_(wg.tensor([1, 1, 1]))
      .sub_(1)
      .div_(2);
    expect(x.toArray()).toEqual([1, 2, 3]);
    x.neg_().abs_().pow_(2).clamp_(2, 5);
    expect(x.toArray()).toEqual([2, 4, 5]);
    x.relu_().exp_().log_();
    expect(Array.from(x.data())).toEqual(
      [2, 4, 5].map((v) => Math.fround(Math.log(Math.fround(Math.exp(v))))),
    );
    x.tanh_().sigmoid_();
    expect(x.numel()).toBe(3);
    const i = wg.tensor([1, 2], { dtype: "int32" });
    i.add_(3).mul_(2);
    expect(i.toArray()).toEqual([8, 10]);
    throwsWg(
      () => i.add_(0.5),
      /add_: result type float32 can't be cast to the desired output type int32/,
    );
    throwsWg(() => i.div_(2), /div_: result type float32 can't be cast/);
    i.maskedFill_(wg.tensor([true, false]), -1);
    expect(i.toArray()).toEqual([-1, 10]);
    throwsWg(
      () => wg.zeros(3).add_(wg.zeros(2, 3)),
      /add_: output with shape \[3\] doesn't match the broadcast shape \[2,3\]/,
    );
  });

  it("copy_ broadcasts and converts dtypes; fill_ and zero_ keep the dtype", () => {
    const x = wg.zeros(2, 3);
    x.copy_(wg.tensor([1, 2, 3], { dtype: "int32" }));
    expect(x.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const i = wg.zeros(2, { dtype: "int32" }).copy_(wg.tensor([1.9, -1.9]));
    expect(i.toArray()).toEqual([1, -1]);
    expect(wg.zeros(2, { dtype: "bool" }).fill_(true).toArray()).toEqual([true, true]);
  });

  it("write through views: detach() shares storage, as do reshape and .T", () => {
    const p = wg.ones([2, 2], { requiresGrad: true });
    p.detach().fill_(5);
    expect(p.toArray()).toEqual([
      [5, 5],
      [5, 5],
    ]);
    wg.manualSeed(0);
    p.detach().normal_(0, 0.02);
    const d = Array.from(p.data());
    expect(d.every((v) => Math.abs(v) < 0.2 && v !== 5)).toBe(true);
    expect(p.requiresGrad).toBe(true);
    const w = wg.tensor([
      [1, 2],
      [3, 4],
    ]);
    w.reshape(4).narrow(0, 0, 1);
    w.reshape(4).mul_(10);
    expect(w.toArray()).toEqual([
      [10, 20],
      [30, 40],
    ]);
    w.T.copy_(
      wg.tensor([
        [1, 2],
        [3, 4],
      ]),
    );
    expect(w.toArray()).toEqual([
      [1, 3],
      [2, 4],
    ]);
    const u = wg.zeros(3).uniform_(2, 3);
    expect(Array.from(u.data()).every((v) => v >= 2 && v < 3)).toBe(true);
  });
});

describe("autograd through in-place ops", () => {
  it("gives PyTorch's gradients", () => {
    const a = wg.tensor([1, 2], { requiresGrad: true });
    const c = wg.tensor([3, 4], { requiresGrad: true });
    const b = a.mul(2);
    b.mul_(3).add_(c);
    b.pow(2).sum().backward();
    // b = 6a + c; d(sum b^2)/da = 12 b, /dc = 2 b
    expect(a.grad?.toArray()).toEqual([12 * 9, 12 * 16]);
    expect(c.grad?.toArray()).toEqual([18, 32]);
  });

  it("keeps earlier consumers on the old values' history", () => {
    const a = wg.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(1);
    const y = b.add(1);
    b.mul_(5);
    y.sum().backward();
    expect(a.grad?.toArray()).toEqual([1, 1]);
  });

  it("throws when a saved tensor was changed in place (version counter)", () => {
    const a = wg.tensor([1, 2], { requiresGrad: true });
    const b = a.mul(2);
    const l = b.log();
    b.add_(1);
    throwsWg(
      () => l.sum().backward(),
      /backward: one of the variables needed for gradient computation has been modified by an inplace operation: .* used by log is at version 1; expected version 0/,
    );
    const e = a.exp();
    e.mul_(2);
    throwsWg(() => e.sum().backward(), /modified by an inplace operation: .* used by exp/);
    // A tensor changed through a view (shared storage and counter) is caught too.
    const x = wg.tensor([1, 2, 3]);
    const w = wg.tensor([1, 1, 1], { requiresGrad: true });
    const m = w.mul(x);
    x.detach().zero_();
    throwsWg(() => m.sum().backward(), /used by mul is at version 1/);
    // Ops that save nothing accept it, as PyTorch's add.
    const z = wg.tensor([1, 2]);
    const s = w.narrow(0, 0, 2).add(z);
    z.add_(1);
    s.sum().backward();
  });

  it("refuses in-place on a view while recording, and detach_ cuts the graph", () => {
    const a = wg.tensor([1, 2, 3, 4], { requiresGrad: true });
    const v = a.mul(1).reshape(2, 2);
    throwsWg(
      () => v.add_(1),
      /add_: in-place operation on a tensor that shares its storage with a view/,
    );
    const b = a.mul(2);
    b.detach_();
    expect(b.requiresGrad).toBe(false);
    expect(b.toArray()).toEqual([2, 4, 6, 8]);
  });
});

describe("gradient ownership (issue 15 bug)", () => {
  it("x.reshape(6).backward(ones) three times gives 3 and leaves ones alone", () => {
    const x = wg.ones([2, 3], { requiresGrad: true });
    const seed = wg.ones(6);
    for (let i = 0; i < 3; i++) x.reshape(6).backward(seed);
    expect(Array.from(x.grad?.data() ?? [])).toEqual([3, 3, 3, 3, 3, 3]);
    expect(Array.from(seed.data())).toEqual([1, 1, 1, 1, 1, 1]);
    const y = wg.ones([3], { requiresGrad: true });
    const s2 = wg.ones([1, 3]);
    for (let i = 0; i < 3; i++) y.unsqueeze(0).backward(s2);
    expect(y.grad?.toArray()).toEqual([3, 3, 3]);
    expect(s2.toArray()).toEqual([[1, 1, 1]]);
  });

  it("a tensor used twice through views gets both gradients without touching the seed", () => {
    const x = wg.ones([2, 2], { requiresGrad: true });
    const seed = wg.ones(4);
    x.reshape(4).add(x.reshape(4)).backward(seed);
    expect(x.grad?.toArray()).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(Array.from(seed.data())).toEqual([1, 1, 1, 1]);
  });
});
