/**
 * The in-place math variants (sin_ ... frac_, atan2_, lerp_, cumsum_, cumprod_): they change the
 * tensor and return it, agree with the out-of-place ops, follow PyTorch's rules (a leaf that
 * requires grad refuses them outside noGrad), keep gradients right through a non-leaf, and a
 * backward that needs a value changed in place afterwards throws instead of using it.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const values = [0.3, -1.7, 2.5, 0.05, -0.5, 1.2];
type Name =
  | "sin"
  | "cos"
  | "erf"
  | "log1p"
  | "expm1"
  | "rsqrt"
  | "square"
  | "reciprocal"
  | "sign"
  | "floor"
  | "ceil"
  | "round"
  | "trunc"
  | "frac";
const names: Name[] = [
  "sin",
  "cos",
  "erf",
  "log1p",
  "expm1",
  "rsqrt",
  "square",
  "reciprocal",
  "sign",
  "floor",
  "ceil",
  "round",
  "trunc",
  "frac",
];

describe("in-place math", () => {
  it.each(names)("%s_ matches %s and returns the tensor", (name) => {
    const x = wg.tensor(name === "log1p" || name === "rsqrt" ? values.map(Math.abs) : values);
    const want = x[name]().data();
    const r = x[`${name}_`]();
    expect(r).toBe(x);
    expect(x.data()).toEqual(want);
  });

  it("atan2_, lerp_, cumsum_, cumprod_ match their out-of-place ops", () => {
    const y = wg.tensor([
      [1, -2],
      [0.5, 3],
    ]);
    const x = wg.tensor([0.5, -1]);
    expect(y.clone().atan2_(x).data()).toEqual(y.atan2(x).data());
    expect(y.clone().lerp_(wg.onesLike(y), 0.3).data()).toEqual(y.lerp(wg.onesLike(y), 0.3).data());
    expect(y.clone().cumsum_(1).data()).toEqual(y.cumsum(1).data());
    expect(y.clone().cumprod_(0).data()).toEqual(y.cumprod(0).data());
  });

  it("refuses a leaf that requires grad, but not inside noGrad", () => {
    const w = wg.tensor([0.1, 0.2], { requiresGrad: true });
    expect(() => w.sin_()).toThrow(/sin_: a leaf tensor that requires grad/);
    wg.noGrad(() => w.sin_());
    expect(w.data()[1]).toBe(Math.fround(Math.sin(Math.fround(0.2))));
  });

  it("differentiates through an in-place op on a non-leaf", () => {
    const a = wg.tensor([0.3, -0.8, 1.1], { requiresGrad: true });
    const b = wg.tensor([0.3, -0.8, 1.1], { requiresGrad: true });
    a.mul(2).sin_().sum().backward();
    b.mul(2).sin().sum().backward();
    expect(a.grad?.data()).toEqual(b.grad?.data());
  });

  it("a value its backward needs, changed in place later, makes backward throw", () => {
    const x = wg.tensor([0.3, 0.8], { requiresGrad: true });
    const h = x.mul(1);
    const y = h.reciprocal(); // its backward reads its output y, as PyTorch's does
    y.square_();
    expect(() => y.sum().backward()).toThrow(/used by reciprocal is at version 1/);
    const h2 = x.mul(1);
    const z = h2.sin(); // its backward reads h2
    h2.cos_();
    expect(() => z.sum().backward()).toThrow(/modified by an inplace operation/);
  });
});
