/**
 * The elementwise unary kernels and their gradients against plain TypeScript references, over
 * the awkward sizes (SIMD body, scalar tail, both), in place, and with the element past the
 * end checked untouched. Accuracy sweeps of the transcendentals are in math.test.ts.
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

/** Exact equality that tells -0 from +0 unless `zeros` is "either". */
function same(a: number, b: number, zeros: "signed" | "either" = "signed"): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return zeros === "signed" ? Object.is(a, b) : a === b;
}

const f = Math.fround;
const SENTINEL = 12345.5;

/** Special values first (so they land in the SIMD body and, for short n, in the tail). */
const specials = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 1e-45, -3e-39, 0.5, -2, 100];

function inputs(n: number, seed: number, lo: number, hi: number): Float32Array {
  const xs = randomArray(n, seed, lo, hi);
  for (let i = 0; i < Math.min(n, specials.length); i++) xs[(i * 5) % n] = specials[i];
  return xs;
}

interface Case {
  name: string;
  /** Calls the kernel: out, in-pointers, n. */
  call(b: Backend, out: number, ins: number[], n: number): void;
  /** Reference for element i given its inputs. */
  ref(...v: number[]): number;
  /** Input generators, one per input array. */
  inputs: [number, number][];
  /** Allowed ulp distance (0: exact). */
  ulp: number;
  zeros?: "signed" | "either";
}

function unary(
  name: "exp" | "log" | "sqrt" | "abs" | "neg" | "relu" | "sigmoid" | "tanh",
  ref: (x: number) => number,
  ulp: number,
  range: [number, number] = [-10, 10],
): Case {
  return {
    name: `${name}_f32`,
    call: (b, out, [x], n) => b.kernels[`${name}_f32`](out, x, n),
    ref,
    inputs: [range],
    ulp,
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

const cases: Case[] = [
  unary("exp", Math.exp, 2, [-100, 100]),
  unary("log", Math.log, 2, [-1, 100]),
  unary("sqrt", Math.sqrt, 0, [-1, 100]),
  unary("abs", Math.abs, 0),
  unary("neg", (x) => -x, 0),
  unary("relu", (x) => Math.max(x, 0), 0),
  unary("sigmoid", sigmoid, 3, [-100, 100]),
  unary("tanh", Math.tanh, 2),
  {
    name: "clamp_f32",
    call: (b, out, [x], n) => b.kernels.clamp_f32(out, x, n, -0.5, 0.75),
    ref: (x) => Math.min(Math.max(x, -0.5), 0.75),
    inputs: [[-2, 2]],
    ulp: 0,
    zeros: "either",
  },
  {
    name: "relu_bwd_f32",
    call: (b, out, [dy, x], n) => b.kernels.relu_bwd_f32(out, dy, x, n),
    ref: (dy, x) => (x > 0 ? dy : 0),
    inputs: [
      [-3, 3],
      [-1, 1],
    ],
    ulp: 0,
  },
  {
    name: "sigmoid_bwd_f32",
    call: (b, out, [dy, y], n) => b.kernels.sigmoid_bwd_f32(out, dy, y, n),
    ref: (dy, y) => f(f(dy * f(1 - y)) * y),
    inputs: [
      [-3, 3],
      [0, 1],
    ],
    ulp: 0,
  },
  {
    name: "tanh_bwd_f32",
    call: (b, out, [dy, y], n) => b.kernels.tanh_bwd_f32(out, dy, y, n),
    ref: (dy, y) => f(dy * f(1 - f(y * y))),
    inputs: [
      [-3, 3],
      [-1, 1],
    ],
    ulp: 0,
  },
  {
    name: "abs_bwd_f32",
    call: (b, out, [dy, x], n) => b.kernels.abs_bwd_f32(out, dy, x, n),
    ref: (dy, x) => dy * (x > 0 ? 1 : x < 0 ? -1 : 0),
    inputs: [
      [-3, 3],
      [-1, 1],
    ],
    ulp: 0,
  },
  {
    name: "clamp_bwd_f32",
    call: (b, out, [dy, x], n) => b.kernels.clamp_bwd_f32(out, dy, x, n, -0.5, 0.75),
    ref: (dy, x) => (x >= -0.5 && x <= 0.75 ? dy : 0),
    inputs: [
      [-3, 3],
      [-1, 1],
    ],
    ulp: 0,
  },
];

/** Runs a case on n elements; returns [inputs, output, element past the end]. */
function runCase(b: Backend, c: Case, n: number, inPlace: boolean) {
  const xs = c.inputs.map(([lo, hi], k) => inputs(n, 7 + 31 * k + n, lo, hi));
  const ptrs = xs.map((x) => put(b, [...x, SENTINEL]));
  const out = inPlace ? ptrs[0] : scratch(b, n + 1, SENTINEL);
  c.call(b, out, ptrs, n);
  const ys = get(b, out, n + 1);
  for (const p of new Set([...ptrs, out])) b.kernels.free(p);
  return { xs, ys: ys.subarray(0, n), past: ys[n] };
}

function check(c: Case, xs: Float32Array[], ys: Float32Array) {
  for (let i = 0; i < ys.length; i++) {
    const args = xs.map((x) => x[i]);
    const want = f(c.ref(...args));
    const ok = c.ulp === 0 ? same(ys[i], want, c.zeros) : ulpDistance(ys[i], want) <= c.ulp;
    if (!ok) expect(ys[i], `${c.name}(${args.join(", ")}) at ${i}`).toBe(want);
  }
}

describe("unary kernels vs TypeScript references", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    for (const c of cases) {
      it(`${c.name} (${variant}) over sizes ${awkwardSizes.join(", ")}`, () => {
        for (const n of awkwardSizes) {
          const { xs, ys, past } = runCase(b, c, n, false);
          check(c, xs, ys);
          expect(past, `${c.name}: n = ${n} wrote past the end`).toBe(SENTINEL);
        }
      });
      it(`${c.name} (${variant}) in place`, () => {
        for (const n of [5, 67]) {
          const { xs, ys, past } = runCase(b, c, n, true);
          check(c, xs, ys);
          expect(past).toBe(SENTINEL);
        }
      });
    }

    it(`transcendentals (${variant}) give the same bits in the SIMD body and the tail`, () => {
      const xs = randomArray(257, 3, -30, 30);
      for (const name of ["exp", "log", "sigmoid", "tanh"] as const) {
        const x = put(b, xs);
        const all = scratch(b, 257);
        b.kernels[`${name}_f32`](all, x, 257);
        const one = scratch(b, 1);
        for (let i = 0; i < 257; i++) {
          b.kernels[`${name}_f32`](one, x + 4 * i, 1);
          const [a, s] = [get(b, all, 257)[i], get(b, one, 1)[0]];
          if (!same(a, s)) expect(s, `${name}(${xs[i]}) alone vs at ${i}`).toBe(a);
        }
        for (const p of [x, all, one]) b.kernels.free(p);
      }
    });

    it(`clamp_f32 (${variant}) keeps NaN, returns hi when lo > hi, and a NaN bound gives NaN`, () => {
      const x = put(b, [Number.NaN, -5, 0.25, 5, Number.NaN]);
      const y = scratch(b, 5);
      b.kernels.clamp_f32(y, x, 5, -1, 1);
      expect([...get(b, y, 5)]).toEqual([Number.NaN, -1, 0.25, 1, Number.NaN]);
      b.kernels.clamp_f32(y, x, 5, 1, -1);
      expect([...get(b, y, 5)].slice(1, 4)).toEqual([-1, -1, -1]);
      b.kernels.clamp_f32(y, x, 5, Number.NaN, 1);
      expect([...get(b, y, 5)].every(Number.isNaN)).toBe(true);
      b.kernels.clamp_bwd_f32(y, put(b, [1, 2, 3, 4, 5]), put(b, [-1, 1, 0, -1.5, 1.5]), 5, -1, 1);
      expect([...get(b, y, 5)]).toEqual([1, 2, 3, 0, 0]);
    });
  }
});

// ---- pow ----

/**
 * torch.pow semantics: sqrt's for 1/2 and -1/2; C's pow(+1, y) = 1 and pow(-1, +-Inf) = 1.
 * The kernel receives p as f32, so callers pass f(p) (and f(p) - 1, exact in f64, for pow_bwd).
 */
function powRef(x: number, p: number): number {
  if (p === 0.5) return Math.sqrt(x);
  if (p === -0.5) return 1 / Math.sqrt(x);
  if (x === 1 || (x === -1 && !Number.isFinite(p) && !Number.isNaN(p))) return 1;
  return x ** p;
}

const exponents = [
  ...[0, 1, 2, 3, 0.5, -1, -0.5, -2, 4, 5, 7, 16, -3, 64, -64, 65, 100, 2.5, -1.5, 1e-3, 0.75],
  ...[-2.25, 1 / 3, Infinity, -Infinity, Number.NaN],
];
/**
 * x*x, 1/x and sqrt are correctly rounded; x*x*x and 1/sqrt x round twice (as torch's), and
 * the f64 paths round to f64 and then to f32: both within 1 ulp.
 */
const powUlp = (p: number) => (p === 2 || p === -1 || p === 0.5 ? 0 : 1);

function powInputs(n: number): Float32Array {
  const xs = randomArray(n, 11 + n, -4, 4);
  const extra = [0, -0, 1, -1, Infinity, -Infinity, Number.NaN, 1e-45, -1e-40, 2, -2, 0.999, 1.001];
  for (let i = 0; i < Math.min(n, extra.length); i++) xs[(i * 3) % n] = extra[i];
  return xs;
}

describe("pow_f32 and pow_bwd_f32", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    for (const p of exponents) {
      it(`pow_f32 (${variant}) p = ${p} over the awkward sizes`, () => {
        for (const n of awkwardSizes) {
          const xs = powInputs(n);
          const x = put(b, [...xs, SENTINEL]);
          const y = scratch(b, n + 1, SENTINEL);
          b.kernels.pow_f32(y, x, n, p);
          const ys = get(b, y, n + 1);
          expect(ys[n], `n = ${n} wrote past the end`).toBe(SENTINEL);
          for (let i = 0; i < n; i++) {
            const want = f(powRef(xs[i], f(p)));
            const ok = powUlp(p) === 0 ? same(ys[i], want) : ulpDistance(ys[i], want) <= powUlp(p);
            if (!ok) expect(ys[i], `pow(${xs[i]}, ${p}) at ${i}`).toBe(want);
          }
          b.kernels.pow_f32(x, x, n, p); // in place
          const inPlace = get(b, x, n);
          for (let i = 0; i < n; i++) {
            if (!same(inPlace[i], ys[i])) expect(inPlace[i], `in place at ${i}`).toBe(ys[i]);
          }
          b.kernels.free(x);
          b.kernels.free(y);
        }
      });
    }

    it(`pow_f32 (${variant}) over wide ranges`, () => {
      const xs = Float32Array.from(
        randomArray(4096, 5, -30, 30),
        (v) => Math.sign(v) * Math.exp(v),
      );
      for (const p of [2.5, -1.5, 0.1, 7, -9, 31, 1.7e-4, 12.3]) {
        const x = put(b, xs);
        const y = scratch(b, xs.length);
        b.kernels.pow_f32(y, x, xs.length, p);
        const ys = get(b, y, xs.length);
        let worst = 0;
        for (let i = 0; i < xs.length; i++)
          worst = Math.max(worst, ulpDistance(ys[i], f(powRef(xs[i], f(p)))));
        expect(worst, `p = ${p}`).toBeLessThanOrEqual(1);
        b.kernels.free(x);
        b.kernels.free(y);
      }
    });

    it(`pow_bwd_f32 (${variant}) = dy * (p * x^(p-1)), 0 for p = 0`, () => {
      for (const p of [0, 1, 2, 3, 1.5, 0.5, 4, -1, -2.5, 2.5, 70]) {
        for (const n of [0, 1, 5, 67]) {
          const xs = randomArray(n, 9 + n, 0.1, 2);
          const dys = randomArray(n, 13 + n, -2, 2);
          const x = put(b, xs);
          const dy = put(b, [...dys, SENTINEL]);
          b.kernels.pow_bwd_f32(dy, dy, x, n, p); // dx aliases dy
          const dx = get(b, dy, n + 1);
          expect(dx[n]).toBe(SENTINEL);
          for (let i = 0; i < n; i++) {
            const want = p === 0 ? 0 : f(dys[i] * f(f(p) * f(powRef(xs[i], f(p) - 1))));
            const d = ulpDistance(dx[i], want);
            if (d > 2) expect(dx[i], `p = ${p}, x = ${xs[i]}, dy = ${dys[i]}`).toBe(want);
          }
          b.kernels.free(x);
          b.kernels.free(dy);
        }
      }
    });
  }
});
