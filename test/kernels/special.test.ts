/**
 * The kernels of assembly/kernels/elementwise.ts against references: Math.* (and a float64 erf
 * series) rounded to float32, measured in ulps over every 4099th float32 bit pattern (all
 * exponents, both signs, subnormals, Inf, NaN) and dense sweeps of the ranges that matter.
 *
 * Measured over every 4099th bit pattern (simd build, this file's references): sin and cos
 * 1 ulp (0.7% of inputs off by one), erf 1 ulp (4 in a million), log1p, expm1 and rsqrt 0 (the
 * f64 evaluation rounded once was correctly rounded at every sample); atan2 and pow within 1 ulp
 * on the sampled pairs; square, reciprocal, sign, floor, ceil, round, trunc, frac exact. The
 * assertions allow 1 ulp for the f64-evaluated functions and 0 for the exact ones.
 */
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/wasm.js";
import {
  awkwardSizes,
  backendFor,
  get,
  put,
  randomArray,
  scratch,
  variants,
} from "../helpers/backend.js";
import { ulpDistance } from "../helpers/ulp.js";

/** erf in float64: the positive series 2/sqrt(pi) e^(-x^2) sum (2x^2)^n x / (2n+1)!!. */
function erf64(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  return x < 0 ? -r : x === 0 ? x : r;
}

/** Math.pow with C's (and torch's) special cases where JavaScript differs. */
function powC(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (Math.abs(x) === 1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

type Unary =
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

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0
    ? r - 1
    : Object.is(x, -0) || (x < 0 && r === 0)
      ? -0
      : r;
}

const reference: Record<Unary, (x: number) => number> = {
  sin: Math.sin,
  cos: Math.cos,
  erf: erf64,
  log1p: Math.log1p,
  expm1: Math.expm1,
  rsqrt: (x) => 1 / Math.sqrt(x),
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  trunc: Math.trunc,
  frac: (x) => x - Math.trunc(x),
};

/** Asserted ulp bounds (the header gives the measured ones). */
const tolerance: Record<Unary, number> = {
  sin: 1,
  cos: 1,
  erf: 1,
  log1p: 1,
  expm1: 1,
  rsqrt: 1,
  square: 0,
  reciprocal: 0,
  sign: 0,
  floor: 0,
  ceil: 0,
  round: 0,
  trunc: 0,
  frac: 0,
};
const unaries = Object.keys(reference) as Unary[];

function run(b: Backend, fn: Unary, xs: Float32Array): Float32Array {
  const x = put(b, xs);
  const y = scratch(b, xs.length);
  b.kernels[`${fn}_f32`](y, x, xs.length);
  const out = get(b, y, xs.length);
  b.kernels.free(x);
  b.kernels.free(y);
  return out;
}

function run2(
  b: Backend,
  fn: "atan2" | "pow_tensor",
  as: Float32Array,
  bs: Float32Array,
): Float32Array {
  const pa = put(b, as);
  const pb = put(b, bs);
  const y = scratch(b, as.length);
  b.kernels[`${fn}_f32`](y, pa, pb, as.length);
  const out = get(b, y, as.length);
  for (const p of [pa, pb, y]) b.kernels.free(p);
  return out;
}

function bitSweep(stride: number): Float32Array {
  const u = new Uint32Array(Math.ceil(2 ** 32 / stride));
  for (let i = 0; i < u.length; i++) u[i] = i * stride;
  return new Float32Array(u.buffer);
}

function linspace(lo: number, hi: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

const wide = bitSweep(4099);
const dense: Partial<Record<Unary, Float32Array>> = {
  sin: linspace(-200, 200, 200_001),
  cos: linspace(-200, 200, 200_001),
  erf: linspace(-5, 5, 200_001),
  log1p: linspace(-0.9999, 4, 200_001),
  expm1: linspace(-3, 3, 200_001),
  round: linspace(-8, 8, 257),
};

function worst(fn: (i: number) => number, got: Float32Array, xs: ArrayLike<number>) {
  let w = { ulp: 0, at: -1 };
  for (let i = 0; i < got.length; i++) {
    const d = ulpDistance(got[i], Math.fround(fn(i)));
    if (d > w.ulp) w = { ulp: d, at: i };
  }
  return { ulp: w.ulp, x: w.at < 0 ? Number.NaN : xs[w.at] };
}

describe("elementwise kernels: ulp error against correctly rounded float32", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    for (const fn of unaries) {
      it(`${fn} (${variant}) over every 4099th bit pattern and its dense sweep`, () => {
        for (const xs of [wide, dense[fn]]) {
          if (xs === undefined) continue;
          const w = worst((i) => reference[fn](xs[i]), run(b, fn, xs), xs);
          expect(w.ulp, `${fn}(${w.x})`).toBeLessThanOrEqual(tolerance[fn]);
        }
      });
    }
    it(`atan2 and pow (${variant}) over pairs of wide and special values`, () => {
      // Pairs of every 65537th pattern with a shuffled copy, plus every pair of specials.
      const a = bitSweep(65537 * 7);
      const specials = [
        0,
        -0,
        1,
        -1,
        0.5,
        -0.5,
        2,
        -2,
        3,
        -3,
        1 / 3,
        Infinity,
        -Infinity,
        Number.NaN,
        1e-45,
        3e38,
        -8,
        2.5,
      ];
      const ys: number[] = [];
      const xs: number[] = [];
      for (let i = 0; i < a.length; i++) {
        ys.push(a[i]);
        xs.push(a[(i * 7919) % a.length]);
      }
      for (const p of specials)
        for (const q of specials) {
          ys.push(p);
          xs.push(q);
        }
      const Y = Float32Array.from(ys);
      const X = Float32Array.from(xs);
      const at = run2(b, "atan2", Y, X);
      const w1 = worst((i) => Math.atan2(Y[i], X[i]), at, Y);
      expect(w1.ulp, `atan2 at y=${w1.x}`).toBeLessThanOrEqual(1);
      const pw = run2(b, "pow_tensor", Y, X);
      const w2 = worst((i) => powC(Y[i], X[i]), pw, Y);
      expect(w2.ulp, `pow at x=${w2.x}`).toBeLessThanOrEqual(1);
      // Exact: signed zeros of atan2 and the special powers.
      for (let i = 0; i < Y.length; i++) {
        const want = Math.fround(Math.atan2(Y[i], X[i]));
        if (want === 0) expect(Object.is(at[i], want), `atan2(${Y[i]}, ${X[i]})`).toBe(true);
        const wp = Math.fround(powC(Y[i], X[i]));
        if (wp === 0 || !Number.isFinite(wp) || Number.isInteger(wp)) {
          expect(
            Object.is(pw[i], wp) || (Number.isNaN(wp) && Number.isNaN(pw[i])),
            `pow(${Y[i]}, ${X[i]}) = ${pw[i]}, want ${wp}`,
          ).toBe(true);
        }
      }
    });
    it(`pow (${variant}) with positive bases over wide exponents`, () => {
      const x = Float32Array.from({ length: 50_000 }, (_, i) => 1e-3 + (i / 50_000) * 50);
      const y = Float32Array.from(
        { length: 50_000 },
        (_, i) => -20 + ((i * 7919) % 50_000) * 0.0008,
      );
      const w = worst((i) => x[i] ** y[i], run2(b, "pow_tensor", x, y), x);
      expect(w.ulp, `pow at x=${w.x}`).toBeLessThanOrEqual(1);
    });
    it(`pow_tensor_bwd (${variant}) against float64 Math.pow and Math.log`, () => {
      // dx = g y x^(y-1) (0 where y = 0) and dy = g out ln x (0 where x = 0 and y >= 0), in
      // float64 rounded once: every triple of specials, then random operands.
      const specials = [
        0,
        -0,
        1,
        -1,
        0.5,
        -2,
        3,
        2.5,
        -3,
        Infinity,
        -Infinity,
        Number.NaN,
        1e-3,
        40,
      ];
      const xs: number[] = [];
      const ys: number[] = [];
      const gs: number[] = [];
      for (const x of specials)
        for (const y of specials)
          for (const g of [1, -0.75, 0]) {
            xs.push(x);
            ys.push(y);
            gs.push(g);
          }
      xs.push(...randomArray(4099, 11, -4, 4));
      ys.push(...randomArray(4099, 12, -3, 3));
      gs.push(...randomArray(4099, 13, -2, 2));
      const [X, Y, G] = [xs, ys, gs].map((a) => Float32Array.from(a));
      const n = X.length;
      const out = X.map((x, i) => powC(x, Y[i]));
      const [px, py, pg, po] = [X, Y, G, out].map((a) => put(b, a));
      const [dx, dy] = [scratch(b, n), scratch(b, n)];
      b.kernels.pow_tensor_bwd_f32(dx, dy, pg, px, py, po, n);
      const gotX = get(b, dx, n);
      const gotY = get(b, dy, n);
      for (const p of [px, py, pg, po, dx, dy]) b.kernels.free(p);
      for (let i = 0; i < n; i++) {
        const [x, y, g] = [X[i], Y[i], G[i]];
        const wantX = y === 0 ? 0 : Math.fround(g * y * powC(x, y - 1));
        const wantY = x === 0 && y >= 0 ? 0 : Math.fround(g * out[i] * Math.log(x));
        expect(ulpDistance(gotX[i], wantX), `dx at x=${x}, y=${y}, g=${g}`).toBeLessThanOrEqual(1);
        expect(ulpDistance(gotY[i], wantY), `dy at x=${x}, y=${y}, g=${g}`).toBeLessThanOrEqual(1);
      }
    });
  }
});

const exact: [Unary, number, number][] = [
  ["sin", 0, 0],
  ["sin", -0, -0],
  ["sin", Infinity, Number.NaN],
  ["sin", -Infinity, Number.NaN],
  ["sin", Number.NaN, Number.NaN],
  ["sin", 1e-45, 1e-45],
  ["sin", -1e-30, Math.fround(-1e-30)],
  ["cos", 0, 1],
  ["cos", -0, 1],
  ["cos", Infinity, Number.NaN],
  ["cos", Number.NaN, Number.NaN],
  ["erf", 0, 0],
  ["erf", -0, -0],
  ["erf", Infinity, 1],
  ["erf", -Infinity, -1],
  ["erf", 4, 1],
  ["erf", -10, -1],
  ["erf", Number.NaN, Number.NaN],
  ["log1p", 0, 0],
  ["log1p", -0, -0],
  ["log1p", -1, -Infinity],
  ["log1p", -2, Number.NaN],
  ["log1p", -Infinity, Number.NaN],
  ["log1p", Infinity, Infinity],
  ["log1p", Number.NaN, Number.NaN],
  ["log1p", 1e-40, Math.fround(1e-40)],
  ["expm1", 0, 0],
  ["expm1", -0, -0],
  ["expm1", Infinity, Infinity],
  ["expm1", -Infinity, -1],
  ["expm1", 89, Infinity],
  ["expm1", -200, -1],
  ["expm1", Number.NaN, Number.NaN],
  ["expm1", 1e-40, Math.fround(1e-40)],
  ["rsqrt", 0, Infinity],
  ["rsqrt", -0, -Infinity],
  ["rsqrt", -1, Number.NaN],
  ["rsqrt", Infinity, 0],
  ["rsqrt", 4, 0.5],
  ["sign", Number.NaN, 0],
  ["sign", -0, 0],
  ["sign", -Infinity, -1],
  ["sign", 1e-45, 1],
  ["round", 0.5, 0],
  ["round", 1.5, 2],
  ["round", 2.5, 2],
  ["round", -0.5, -0],
  ["round", -2.5, -2],
  ["round", 8388609, 8388609],
  ["trunc", -0.5, -0],
  ["floor", -0.5, -1],
  ["ceil", -0.5, -0],
  ["frac", Infinity, Number.NaN],
  ["frac", -1.75, -0.75],
];

describe("elementwise kernels: special values, every length", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    it(`special values (${variant})`, () => {
      for (const [fn, x, want] of exact) {
        const got = run(b, fn, Float32Array.of(x))[0];
        expect(Object.is(got, Math.fround(want)), `${fn}(${x}) = ${got}, want ${want}`).toBe(true);
      }
    });
    it(`results do not depend on length or position (${variant})`, () => {
      const base = linspace(-3, 3, 300);
      for (const fn of unaries) {
        const full = run(b, fn, base);
        for (const n of awkwardSizes) {
          const x = put(b, base.subarray(0, n));
          const y = scratch(b, n + 4, 12345);
          b.kernels[`${fn}_f32`](y, x, n);
          const got = get(b, y, n + 4);
          for (let i = 0; i < n; i++) expect(got[i], `${fn} n=${n} [${i}]`).toBe(full[i]);
          for (let i = n; i < n + 4; i++)
            expect(got[i], `${fn} n=${n} wrote past the end`).toBe(12345);
          b.kernels.free(x);
          b.kernels.free(y);
        }
      }
    });
  }
});
