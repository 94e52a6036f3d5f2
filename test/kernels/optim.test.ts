/**
 * The Adam(W), RMSprop and Adagrad update kernels and pow_sum_f32 against plain TypeScript
 * references over awkward sizes, on both builds. Each update runs three steps with a fresh
 * gradient per step, from random state.
 *
 * The baseline build must equal the float32 reference bit for bit (Math.fround after every
 * operation, where a·b + c is two roundings). The relaxed build may fuse a·b + c into one
 * rounding, so it is compared with a fused reference to a small tolerance. On both builds an
 * element's result must not depend on where it sits: the SIMD tail of a short array gives the
 * very bits the main loop gives for the same element of a long one.
 */
import { describe, expect, it } from "vitest";
import type { Kernels } from "../../src/backend/kernels.js";
import type { Backend } from "../../src/backend/wasm.js";
import { awkwardSizes, backendFor, get, put, randomArray, variants } from "../helpers/backend.js";

const f = Math.fround;
type Madd = (a: number, b: number, c: number) => number;
const unfused: Madd = (a, b, c) => f(f(a * b) + c);
const fused: Madd = (a, b, c) => f(a * b + c);

type Vals = Record<string, Float32Array>;
type Ptrs = Record<string, number>;

interface UpdateCase {
  name: string;
  /** Operands in kernel order with the range of their random start values; `grad` is redrawn every step. */
  init: Record<string, [number, number]>;
  call(k: Kernels, ptr: Ptrs, n: number, step: number): void;
  /** Updates element i of every operand in place, as the kernel should. */
  ref(v: Vals, i: number, step: number, madd: Madd): void;
}

const STEPS = 3;
const SENTINEL = 12345;

function startValues(c: UpdateCase, n: number): Vals {
  const out: Vals = {};
  Object.entries(c.init).forEach(([name, [lo, hi]], j) => {
    out[name] = randomArray(n, 7 + 13 * j, lo, hi);
  });
  return out;
}

const gradFor = (n: number, step: number) => randomArray(n, 1000 + step, -1, 1);

function runKernel(b: Backend, c: UpdateCase, n: number): Vals {
  const start = startValues(c, n);
  const ptr: Ptrs = {};
  for (const [name, vals] of Object.entries(start)) {
    ptr[name] = put(b, [...vals, SENTINEL]);
  }
  for (let step = 1; step <= STEPS; step++) {
    b.f32().set(gradFor(n, step), ptr.grad >>> 2);
    c.call(b.kernels, ptr, n, step);
  }
  const out: Vals = {};
  for (const name of Object.keys(start)) {
    const all = get(b, ptr[name], n + 1);
    expect(all[n], `${c.name}: ${name} written past element ${n}`).toBe(SENTINEL);
    out[name] = all.subarray(0, n);
    b.kernels.free(ptr[name]);
  }
  return out;
}

function runReference(c: UpdateCase, n: number, madd: Madd): Vals {
  const v = startValues(c, n);
  for (let step = 1; step <= STEPS; step++) {
    v.grad = gradFor(n, step);
    for (let i = 0; i < n; i++) c.ref(v, i, step, madd);
  }
  return v;
}

/** Mismatches of got against want: exact when tol is 0, else |d| <= tol·(1 + |want|). */
function diffs(got: Vals, want: Vals, tol: number): string[] {
  const out: string[] = [];
  for (const [name, w] of Object.entries(want)) {
    if (name === "grad") continue;
    const g = got[name];
    for (let i = 0; i < w.length; i++) {
      const same =
        tol === 0 ? Object.is(g[i], w[i]) : Math.abs(g[i] - w[i]) <= tol * (1 + Math.abs(w[i]));
      if (!same && out.length < 8) out.push(`${name}[${i}]: got ${g[i]}, want ${w[i]}`);
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------- cases

interface AdamCfg {
  beta1: number;
  beta2: number;
  lr: number;
  eps: number;
  weightDecay: number;
  paramScale: number;
  amsgrad: boolean;
}

function adamCase(name: string, a: AdamCfg): UpdateCase {
  const coeffs = (step: number) => ({
    stepSize: f(a.lr / (1 - a.beta1 ** step)),
    bc2: f(Math.sqrt(1 - a.beta2 ** step)),
  });
  const init: Record<string, [number, number]> = {
    p: [-1, 1],
    grad: [-1, 1],
    m: [-0.5, 0.5],
    v: [0, 0.5],
  };
  if (a.amsgrad) init.vmax = [0, 0.5];
  return {
    name,
    init,
    call(k, ptr, n, step) {
      const { stepSize, bc2 } = coeffs(step);
      k.adam_f32(
        ptr.p,
        ptr.grad,
        ptr.m,
        ptr.v,
        a.amsgrad ? ptr.vmax : 0,
        n,
        a.beta1,
        1 - a.beta1,
        a.beta2,
        1 - a.beta2,
        a.weightDecay,
        a.paramScale,
        stepSize,
        bc2,
        a.eps,
      );
    },
    ref(v, i, step, madd) {
      const { stepSize, bc2 } = coeffs(step);
      let p = v.p[i];
      let g = v.grad[i];
      if (a.weightDecay !== 0) g = madd(p, f(a.weightDecay), g);
      p = f(p * f(a.paramScale));
      const m = madd(g, f(1 - a.beta1), f(v.m[i] * f(a.beta1)));
      const s = madd(f(f(1 - a.beta2) * g), g, f(v.v[i] * f(a.beta2)));
      let vh = s;
      if (a.amsgrad) {
        vh = Math.max(v.vmax[i], s);
        v.vmax[i] = vh;
      }
      const denom = f(f(f(Math.sqrt(vh)) / bc2) + f(a.eps));
      v.p[i] = f(p - f(f(stepSize * m) / denom));
      v.m[i] = m;
      v.v[i] = s;
    },
  };
}

interface RmspropCfg {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

function rmspropCase(name: string, r: RmspropCfg): UpdateCase {
  const init: Record<string, [number, number]> = { p: [-1, 1], grad: [-1, 1], sq: [0.5, 1] };
  if (r.centered) init.ga = [-0.5, 0.5];
  if (r.momentum > 0) init.buf = [-1, 1];
  return {
    name,
    init,
    call(k, ptr, n) {
      k.rmsprop_f32(
        ptr.p,
        ptr.grad,
        ptr.sq,
        r.centered ? ptr.ga : 0,
        r.momentum > 0 ? ptr.buf : 0,
        n,
        r.lr,
        r.alpha,
        1 - r.alpha,
        r.eps,
        r.weightDecay,
        r.momentum,
      );
    },
    ref(v, i, _step, madd) {
      const p = v.p[i];
      let g = v.grad[i];
      if (r.weightDecay !== 0) g = madd(p, f(r.weightDecay), g);
      const oma = f(1 - r.alpha);
      const s = madd(f(oma * g), g, f(v.sq[i] * f(r.alpha)));
      v.sq[i] = s;
      let avg: number;
      if (r.centered) {
        const a = madd(g, oma, f(v.ga[i] * f(r.alpha)));
        v.ga[i] = a;
        avg = f(Math.sqrt(madd(-a, a, s)));
      } else {
        avg = f(Math.sqrt(s));
      }
      avg = f(avg + f(r.eps));
      const negLr = -f(r.lr);
      if (r.momentum > 0) {
        const b = f(f(v.buf[i] * f(r.momentum)) + f(g / avg));
        v.buf[i] = b;
        v.p[i] = madd(b, negLr, p);
      } else {
        v.p[i] = f(p + f(f(negLr * g) / avg));
      }
    },
  };
}

function adagradCase(
  name: string,
  lr: number,
  lrDecay: number,
  weightDecay: number,
  eps: number,
): UpdateCase {
  const clr = (step: number) => f(lr / (1 + (step - 1) * lrDecay));
  return {
    name,
    init: { p: [-1, 1], grad: [-1, 1], sum: [0, 1] },
    call(k, ptr, n, step) {
      k.adagrad_f32(ptr.p, ptr.grad, ptr.sum, n, clr(step), weightDecay, eps);
    },
    ref(v, i, step, madd) {
      const p = v.p[i];
      let g = v.grad[i];
      if (weightDecay !== 0) g = madd(p, f(weightDecay), g);
      const s = madd(g, g, v.sum[i]);
      v.sum[i] = s;
      const std = f(f(Math.sqrt(s)) + f(eps));
      v.p[i] = f(p + f(f(-clr(step) * g) / std));
    },
  };
}

const cases: UpdateCase[] = [
  adamCase("adam", {
    beta1: 0.9,
    beta2: 0.999,
    lr: 1e-2,
    eps: 1e-8,
    weightDecay: 0,
    paramScale: 1,
    amsgrad: false,
  }),
  adamCase("adam weightDecay amsgrad", {
    beta1: 0.9,
    beta2: 0.999,
    lr: 3e-2,
    eps: 1e-8,
    weightDecay: 0.1,
    paramScale: 1,
    amsgrad: true,
  }),
  adamCase("adamw decoupled", {
    beta1: 0.8,
    beta2: 0.95,
    lr: 1e-2,
    eps: 1e-6,
    weightDecay: 0,
    paramScale: 1 - 1e-2 * 0.3,
    amsgrad: false,
  }),
  adamCase("adamw amsgrad", {
    beta1: 0.5,
    beta2: 0.9,
    lr: 5e-2,
    eps: 1e-3,
    weightDecay: 0,
    paramScale: 0.99,
    amsgrad: true,
  }),
  rmspropCase("rmsprop", {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
  }),
  rmspropCase("rmsprop centered", {
    lr: 1e-2,
    alpha: 0.9,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: true,
  }),
  rmspropCase("rmsprop momentum weightDecay", {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-6,
    weightDecay: 0.1,
    momentum: 0.9,
    centered: false,
  }),
  rmspropCase("rmsprop centered momentum", {
    lr: 2e-2,
    alpha: 0.95,
    eps: 1e-8,
    weightDecay: 0.05,
    momentum: 0.5,
    centered: true,
  }),
  adagradCase("adagrad", 0.1, 0, 0, 1e-10),
  adagradCase("adagrad lrDecay weightDecay", 0.1, 0.1, 0.2, 1e-6),
];

for (const variant of variants) {
  const b = backendFor(variant);
  const madd = variant === "relaxed" ? fused : unfused;
  // Relaxed SIMD lets the engine fuse or not; the baseline build has one correct answer.
  const tol = variant === "relaxed" ? 1e-6 : 0;

  describe(`optimizer update kernels (${variant})`, () => {
    it.each(cases)("$name matches the float32 reference over awkward sizes", (c) => {
      for (const n of awkwardSizes) {
        const got = runKernel(b, c, n);
        const want = runReference(c, n, madd);
        expect(diffs(got, want, tol), `${c.name}, n = ${n}`).toEqual([]);
      }
    });

    it.each(cases)(
      "$name gives each element the same bits in the tail as in the main loop",
      (c) => {
        const long = runKernel(b, c, 261);
        for (const n of awkwardSizes) {
          const short = runKernel(b, c, n);
          const prefix: Vals = {};
          for (const [k, v] of Object.entries(long)) prefix[k] = v.subarray(0, n);
          expect(diffs(short, prefix, 0), `${c.name}, n = ${n}`).toEqual([]);
        }
      },
    );
  });

  describe(`pow_sum_f32 (${variant})`, () => {
    const slot = b.kernels.alloc(16);
    const powSum = (x: Float32Array, p: number): number => {
      const px = put(b, x);
      b.kernels.pow_sum_f32(slot, px, x.length, p);
      b.kernels.free(px);
      return new Float64Array(b.memory.buffer, slot, 1)[0];
    };

    it("sums |x|^p in double for p = 1, 2, 3, 0.5 and takes max |x| for Infinity", () => {
      for (const n of awkwardSizes) {
        const x = randomArray(n, 99 + n, -3, 3);
        for (const p of [1, 2, 3, 0.5]) {
          let want = 0;
          for (const v of x) want += Math.abs(v) ** p;
          const got = powSum(x, p);
          // Orders other than 1 and 2 go through 2^(p log2|x|) in double, good to about 2^-37
          // relative per term; the one caller (clipGradNorm) rounds the norm to float32.
          const tol = p === 1 || p === 2 ? 1e-12 : 1e-10;
          expect(
            Math.abs(got - want),
            `p ${p}, n ${n}: got ${got}, want ${want}`,
          ).toBeLessThanOrEqual(tol * Math.max(1, want));
        }
        let max = 0;
        for (const v of x) max = Math.max(max, Math.abs(v));
        expect(powSum(x, Number.POSITIVE_INFINITY), `inf, n ${n}`).toBe(max);
      }
    });

    it("propagates NaN and infinity", () => {
      for (const n of [1, 5, 17]) {
        const x = randomArray(n, 5);
        x[n - 1] = Number.NaN;
        for (const p of [1, 2, 3, Number.POSITIVE_INFINITY])
          expect(powSum(x, p), `p ${p}`).toBeNaN();
        x[n - 1] = Number.NEGATIVE_INFINITY;
        for (const p of [1, 2, 3, Number.POSITIVE_INFINITY])
          expect(powSum(x, p)).toBe(Number.POSITIVE_INFINITY);
      }
    });
  });
}
