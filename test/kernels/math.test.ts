/**
 * Accuracy of the f32x4 transcendentals in assembly/kernels/math.ts, measured through the
 * exp/log/tanh/sigmoid kernels against the correctly rounded float32 of the f64 Math result.
 *
 * Measured maximum error over every float32 input (all 2^32 bit patterns, both builds, the
 * relaxed one run with fused multiply-add; every NaN where the reference is NaN):
 * exp 1 ulp, log 1 ulp, tanh 1 ulp, sigmoid 2 ulp. The sweeps below assert one ulp above that,
 * so that an engine whose relaxed madd does not fuse still passes.
 */
import { describe, expect, it } from "vitest";
import type { Backend, Variant } from "../../src/backend/wasm.js";
import { backendFor, get, put, scratch, variants } from "../helpers/backend.js";
import { ulpDistance } from "../helpers/ulp.js";

type Fn = "exp" | "log" | "tanh" | "sigmoid";
const reference: Record<Fn, (x: number) => number> = {
  exp: Math.exp,
  log: Math.log,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};
/** Asserted bounds: measured max + 1 (see the header). */
const tolerance: Record<Fn, number> = { exp: 2, log: 2, tanh: 2, sigmoid: 3 };

function run(b: Backend, fn: Fn, xs: Float32Array): Float32Array {
  const x = put(b, xs);
  const y = scratch(b, xs.length);
  b.kernels[`${fn}_f32`](y, x, xs.length);
  const out = get(b, y, xs.length);
  b.kernels.free(x);
  b.kernels.free(y);
  return out;
}

/** The worst input, so a failure names it. */
function worstError(fn: Fn, xs: Float32Array, ys: Float32Array): { ulp: number; x: number } {
  let worst = { ulp: 0, x: Number.NaN };
  for (let i = 0; i < xs.length; i++) {
    const d = ulpDistance(ys[i], Math.fround(reference[fn](xs[i])));
    if (d > worst.ulp) worst = { ulp: d, x: xs[i] };
  }
  return worst;
}

function linspace(lo: number, hi: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

function logspace(lo: number, hi: number, n: number): Float32Array {
  const a = Math.log(lo);
  const b = Math.log(hi);
  return Float32Array.from({ length: n }, (_, i) => Math.exp(a + ((b - a) * i) / (n - 1)));
}

/** Every `stride`-th float32 bit pattern: all exponents, both signs, Inf and NaN included. */
function bitSweep(stride: number): Float32Array {
  const u = new Uint32Array(Math.ceil(2 ** 32 / stride));
  for (let i = 0; i < u.length; i++) u[i] = i * stride;
  return new Float32Array(u.buffer);
}

const sweeps: Record<Fn, Float32Array> = {
  exp: linspace(-100, 100, 100_000),
  tanh: linspace(-100, 100, 100_000),
  sigmoid: linspace(-100, 100, 100_000),
  log: logspace(1e-45, 1e38, 100_000),
};
const wide = bitSweep(4099);
const fns: Fn[] = ["exp", "log", "tanh", "sigmoid"];

describe("f32x4 transcendentals: ulp error against correctly rounded float32", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    for (const fn of fns) {
      it(`${fn} (${variant}) over its dense sweep`, () => {
        const worst = worstError(fn, sweeps[fn], run(b, fn, sweeps[fn]));
        expect(worst.ulp, `${fn}(${worst.x})`).toBeLessThanOrEqual(tolerance[fn]);
      });
      it(`${fn} (${variant}) over every 4099th float32 bit pattern`, () => {
        const worst = worstError(fn, wide, run(b, fn, wide));
        expect(worst.ulp, `${fn}(${worst.x})`).toBeLessThanOrEqual(tolerance[fn]);
      });
    }
  }

  it("the simd and relaxed builds agree within 2 ulp", () => {
    if (variants.length < 2) return;
    for (const fn of fns) {
      const [a, c] = variants.map((v: Variant) => run(backendFor(v), fn, wide));
      let worst = 0;
      for (let i = 0; i < wide.length; i++) worst = Math.max(worst, ulpDistance(a[i], c[i]));
      expect(worst, fn).toBeLessThanOrEqual(2);
    }
  });
});

/** [input, expected]: expected exactly (NaN, signed zeros, infinities and exact values). */
const exact: Record<Fn, [number, number][]> = {
  exp: [
    [0, 1],
    [-0, 1],
    [Infinity, Infinity],
    [-Infinity, 0],
    [Number.NaN, Number.NaN],
    [88.73, Infinity],
    [89, Infinity],
    [1000, Infinity],
    [3.4e38, Infinity],
    [-104, 0],
    [-1000, 0],
    [-3.4e38, 0],
    [1e-30, 1],
    [-103.28, 2 ** -149],
  ],
  log: [
    [1, 0],
    [0, -Infinity],
    [-0, -Infinity],
    [-1, Number.NaN],
    [-1e-45, Number.NaN],
    [-Infinity, Number.NaN],
    [Infinity, Infinity],
    [Number.NaN, Number.NaN],
  ],
  tanh: [
    [0, 0],
    [-0, -0],
    [1e-30, Math.fround(1e-30)],
    [-1e-30, Math.fround(-1e-30)],
    [1e-45, 2 ** -149],
    [-1e-45, -(2 ** -149)],
    [Infinity, 1],
    [-Infinity, -1],
    [10, 1],
    [-20, -1],
    [3.4e38, 1],
    [Number.NaN, Number.NaN],
  ],
  sigmoid: [
    [0, 0.5],
    [-0, 0.5],
    [Infinity, 1],
    [-Infinity, 0],
    [20, 1],
    [-104, 0],
    [-1e30, 0],
    [Number.NaN, Number.NaN],
  ],
};

/** Inputs at the edges of each range, checked against the reference within tolerance. */
const edges: Record<Fn, number[]> = {
  exp: [88.72283, 88.7228, -87.33, -88, -100, -103, 1e-7, -1e-7, 0.5, -0.34657, 0.34657],
  log: [1e-45, 1e-40, 1.1754942e-38, 1.1754944e-38, 3.4028235e38, 1 + 2 ** -23, 1 - 2 ** -24],
  tanh: [0.6249999, 0.625, 0.6250001, 1e-7, 1e-20, 9, 9.01, 0.1, -0.3],
  sigmoid: [-80, -87.3, -88, -100, -103, 1e-7, -1e-7, 15, 16.7, 17],
};

describe("f32x4 transcendentals: special values and range edges", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    for (const fn of fns) {
      it(`${fn} (${variant})`, () => {
        const cases = exact[fn];
        const inputs = Float32Array.from(cases, ([x]) => x);
        const got = run(b, fn, inputs);
        cases.forEach(([x, want], i) => {
          expect(got[i], `${fn}(${x})`).toBe(want);
        });
        const xs = Float32Array.from(edges[fn]);
        const ys = run(b, fn, xs);
        xs.forEach((x, i) => {
          const want = Math.fround(reference[fn](x));
          expect(
            ulpDistance(ys[i], want),
            `${fn}(${x}) = ${ys[i]}, want ${want}`,
          ).toBeLessThanOrEqual(tolerance[fn]);
        });
      });
    }

    it(`exp and sigmoid (${variant}) keep subnormal results nonzero and accurate`, () => {
      for (const fn of ["exp", "sigmoid"] as const) {
        const ys = run(b, fn, Float32Array.from([-88, -100, -103]));
        expect(ys[1], `${fn}(-100)`).toBeGreaterThan(0);
        expect(ys[1], `${fn}(-100)`).toBeLessThan(2 ** -126);
        expect(ys[2], `${fn}(-103)`).toBeGreaterThan(0);
      }
      const s = run(b, "sigmoid", Float32Array.from([-80]))[0];
      expect(Math.abs(s / 1.8048513878454153e-35 - 1)).toBeLessThan(3e-7);
    });

    it(`log (${variant}) is accurate just above 1 and on subnormals`, () => {
      const xs = Float32Array.from([1 + 1e-7, 1 - 6e-8, 1e-45, 3e-42]);
      const ys = run(b, "log", xs);
      xs.forEach((x, i) => {
        expect(Math.abs(ys[i] / Math.log(x) - 1), `log(${x})`).toBeLessThan(2.4e-7);
      });
    });

    it(`tanh (${variant}) is odd`, () => {
      const pos = sweeps.tanh.map(Math.abs);
      const a = run(b, "tanh", pos);
      const neg = pos.map((x) => -x);
      const c = run(b, "tanh", neg);
      for (let i = 0; i < pos.length; i++) {
        if (!Object.is(c[i], -a[i])) expect(c[i], `tanh(-${pos[i]})`).toBe(-a[i]);
      }
    });
  }
});
