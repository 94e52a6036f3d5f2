/**
 * nn.utils.clipGradValue_ (and clipGradValue, and clipGradNorm_ as clipGradNorm): every gradient
 * clamped in place to [-clipValue, clipValue] over awkward sizes (the SIMD tail), NaN kept,
 * parameters without a gradient skipped, bad arguments refused.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

describe("clipGradValue_", () => {
  it.each([0, 1, 3, 5, 7, 17, 67])("clamps %i elements in place", (n) => {
    const p = wg.zeros([n], { requiresGrad: true });
    const values = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1 : -1) * (i * 0.37 - 3));
    p.grad = wg.tensor(values);
    wg.nn.utils.clipGradValue_([p], 2.5);
    const want = values.map((v) => Math.fround(Math.min(2.5, Math.max(-2.5, Math.fround(v)))));
    expect(Array.from(p.grad?.data() ?? [])).toEqual(want);
    p.dispose();
  });

  it("keeps NaN, skips parameters without a gradient, takes one tensor", () => {
    const p = wg.zeros([3], { requiresGrad: true });
    const q = wg.zeros([2], { requiresGrad: true });
    p.grad = wg.tensor([Number.NaN, 5, -5]);
    wg.nn.utils.clipGradValue([p, q], 1);
    expect(Array.from(p.grad?.data() ?? [])).toEqual([Number.NaN, 1, -1]);
    expect(q.grad).toBeNull();
    wg.nn.utils.clipGradValue_(p, 0);
    expect(Array.from(p.grad?.data() ?? [])).toEqual([Number.NaN, 0, -0]);
    p.dispose();
    q.dispose();
  });

  it("has PyTorch's spellings", () => {
    expect(wg.nn.utils.clipGradNorm_).toBe(wg.nn.utils.clipGradNorm);
    expect(wg.nn.utils.clipGradValue_).toBe(wg.nn.utils.clipGradValue);
  });

  it("refuses bad arguments", () => {
    const p = wg.zeros([1], { requiresGrad: true });
    expect(() => wg.nn.utils.clipGradValue_([p], -1)).toThrow(
      /^clipGradValue: invalid clipValue -1: expected a number >= 0$/,
    );
    expect(() => wg.nn.utils.clipGradValue_([p], Number.NaN)).toThrow(/invalid clipValue NaN/);
    expect(() => wg.nn.utils.clipGradValue_(3 as never, 1)).toThrow(
      /^clipGradValue: params must be a Tensor or an iterable of Tensors/,
    );
    expect(() => wg.nn.utils.clipGradValue_([p, 2] as never, 1)).toThrow(
      /^clipGradValue: parameter 1 is not a Tensor$/,
    );
    p.dispose();
  });
});
