/**
 * Comparisons, logical ops, isnan/isfinite/isinf, where, maskedFill, any/all: the SIMD kernels
 * against a scalar reference over awkward sizes (SIMD bodies and tails), broadcasting, NaN,
 * exact int32 comparison, and finite-difference gradients of where and maskedFill.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { gradcheck, rng } from "../helpers/fixtures.js";

const SIZES = [0, 1, 3, 5, 7, 17, 67];
const OPS = {
  eq: (x: number, y: number) => x === y,
  ne: (x: number, y: number) => x !== y,
  lt: (x: number, y: number) => x < y,
  le: (x: number, y: number) => x <= y,
  gt: (x: number, y: number) => x > y,
  ge: (x: number, y: number) => x >= y,
} as const;
type OpName = keyof typeof OPS;
const FNS = { eq: wg.eq, ne: wg.ne, lt: wg.lt, le: wg.le, gt: wg.gt, ge: wg.ge } as const;

/** Values from a small set so that ties happen, with a NaN now and then. */
function values(n: number, seed: string): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r();
    return u < 0.1 ? Number.NaN : Math.floor(u * 5) - 2;
  });
}

describe("comparison kernels against a scalar reference", () => {
  for (const op of Object.keys(OPS) as OpName[]) {
    it(`${op}: same shape, number operand on either side, broadcast rows and columns`, () => {
      for (const n of SIZES) {
        const a = values(n, `${op}a${n}`);
        const b = values(n, `${op}b${n}`);
        const ta = wg.tensor(a);
        const tb = wg.tensor(b);
        const got = ta[op](tb);
        expect(got.dtype).toBe("bool");
        expect(Array.from(got.data())).toEqual(Array.from(a, (x, i) => (OPS[op](x, b[i]) ? 1 : 0)));
        expect(Array.from(ta[op](1).data())).toEqual(Array.from(a, (x) => (OPS[op](x, 1) ? 1 : 0)));
        expect(Array.from(FNS[op](1, ta).data())).toEqual(
          Array.from(a, (x) => (OPS[op](1, x) ? 1 : 0)),
        );
        // [n, 1] against [1, 3]: every pair.
        const col = wg.tensor(a, { shape: [n, 1] });
        const row = wg.tensor([0, Number.NaN, -1], { shape: [1, 3] });
        const want: number[] = [];
        for (let i = 0; i < n; i++)
          for (const y of [0, Number.NaN, -1]) want.push(OPS[op](a[i], y) ? 1 : 0);
        const bc = col[op](row);
        expect(bc.shape).toEqual([n, 3]);
        expect(Array.from(bc.data())).toEqual(want);
      }
    });
  }

  it("compares int32 exactly (beyond float32's 2^24) and promotes int with float", () => {
    const a = wg.tensor([2 ** 24 + 1, -5, 7], { dtype: "int32" });
    const b = wg.tensor([2 ** 24, -5, 8], { dtype: "int32" });
    expect(a.eq(b).toArray()).toEqual([false, true, false]);
    expect(a.gt(2 ** 24).toArray()).toEqual([true, false, false]);
    expect(a.lt(wg.tensor([0.5, -4.5, 7.5])).toArray()).toEqual([false, true, true]);
    expect(
      wg
        .tensor([true, false])
        .eq(wg.tensor([1, 1], { dtype: "int32" }))
        .toArray(),
    ).toEqual([true, false]);
  });

  it("logical ops treat nonzero (and NaN) as true, for every dtype", () => {
    const x = wg.tensor([0, 2, Number.NaN, 0]);
    const y = wg.tensor([0, 0, 1, 5], { dtype: "int32" });
    expect(x.logicalAnd(y).toArray()).toEqual([false, false, true, false]);
    expect(x.logicalOr(y).toArray()).toEqual([false, true, true, true]);
    expect(x.logicalXor(y).toArray()).toEqual([false, true, false, true]);
    expect(x.logicalNot().toArray()).toEqual([true, false, false, true]);
    expect(y.logicalNot().toArray()).toEqual([true, true, false, false]);
    expect(wg.tensor([true, false]).logicalNot().toArray()).toEqual([false, true]);
    for (const n of SIZES) {
      const a = values(n, `not${n}`);
      expect(Array.from(wg.tensor(a).logicalNot().data())).toEqual(
        Array.from(a, (v) => (v === 0 ? 1 : 0)),
      );
    }
  });

  it("isnan, isfinite, isinf", () => {
    const x = wg.tensor([0, Number.NaN, Infinity, -Infinity, -3, 3e38]);
    expect(x.isnan().toArray()).toEqual([false, true, false, false, false, false]);
    expect(x.isfinite().toArray()).toEqual([true, false, false, false, true, true]);
    expect(x.isinf().toArray()).toEqual([false, false, true, true, false, false]);
    expect(wg.tensor([1], { dtype: "int32" }).isfinite().toArray()).toEqual([true]);
    for (const n of SIZES) {
      const a = values(n, `nan${n}`);
      expect(Array.from(wg.isnan(wg.tensor(a)).data())).toEqual(
        Array.from(a, (v) => (Number.isNaN(v) ? 1 : 0)),
      );
    }
  });
});

describe("where, maskedFill, any, all", () => {
  it("where selects with broadcasting and promotes dtypes", () => {
    const c = wg.tensor([[true], [false]]);
    const a = wg.tensor([1, 2, 3]);
    expect(wg.where(c, a, 0).toArray()).toEqual([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    expect(wg.where(c, 1, 0).dtype).toBe("float32");
    const i = wg.where(wg.tensor([true, false]), wg.tensor([5, 6], { dtype: "int32" }), -1);
    expect(i.dtype).toBe("int32");
    expect(i.toArray()).toEqual([5, -1]);
    expect(a.where(a.gt(1.5), 9).toArray()).toEqual([9, 2, 3]);
    expect(() => wg.where(wg.tensor([1, 0]), a, a)).toThrow(
      /where: expected condition to be a bool tensor but got float32/,
    );
    for (const n of SIZES) {
      const x = values(n, `w${n}`);
      const m = wg.tensor(x).gt(0);
      const got = wg.where(m, wg.tensor(x), wg.full([n], -7)).data();
      expect(Array.from(got)).toEqual(Array.from(x, (v) => (v > 0 ? v : -7)));
    }
  });

  it("where's gradient goes to the chosen operand, summed over broadcasting (gradcheck)", () => {
    const cond = wg.tensor([
      [true, false, true],
      [false, false, true],
    ]);
    const r = gradcheck(
      (a, b) => wg.where(cond, a, b),
      [
        { shape: [2, 3], data: Float32Array.from([0.1, -0.2, 0.3, 0.4, -0.5, 0.6]) },
        { shape: [3], data: Float32Array.from([0.7, 0.8, -0.9]) },
      ],
    );
    expect(r.mismatches()).toEqual([]);
    expect(r.mismatches(1.1)).not.toEqual([]);
  });

  it("maskedFill keeps x's dtype and shape, and its gradient skips the filled elements", () => {
    const x = wg.tensor([
      [1, 2],
      [3, 4],
    ]);
    const m = wg.tensor([true, false]);
    expect(x.maskedFill(m, -Infinity).toArray()).toEqual([
      [-Infinity, 2],
      [-Infinity, 4],
    ]);
    expect(wg.tensor([1, 2], { dtype: "int32" }).maskedFill(m, 9.7).toArray()).toEqual([9, 2]);
    expect(() => wg.tensor([1, 2]).maskedFill(wg.tensor([[true], [false]]), 0)).toThrow(
      /maskedFill: mask of shape \[2,1\] cannot be broadcast to the input's shape \[2\]/,
    );
    const r = gradcheck(
      (a) => a.maskedFill(m, 5),
      [{ shape: [2, 2], data: Float32Array.from([0.1, 0.2, 0.3, 0.4]) }],
    );
    expect(r.mismatches()).toEqual([]);
    expect(r.analytic[0][0]).toBe(0);
  });

  it("any and all over everything or dims, empty included", () => {
    const b = wg.tensor([
      [true, false],
      [false, false],
    ]);
    expect(b.any().item<boolean>()).toBe(true);
    expect(b.all().item<boolean>()).toBe(false);
    expect(b.any(1).toArray()).toEqual([true, false]);
    expect(b.all(0, true).toArray()).toEqual([[false, false]]);
    expect(wg.tensor([2, Number.NaN]).all().item<boolean>()).toBe(true);
    expect(wg.zeros(0).any().item<boolean>()).toBe(false);
    expect(wg.zeros(0).all().item<boolean>()).toBe(true);
    expect(wg.any(wg.tensor([0, 0], { dtype: "int32" })).item<boolean>()).toBe(false);
  });
});
