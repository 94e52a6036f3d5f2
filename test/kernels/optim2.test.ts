/**
 * The Adadelta, Adamax and NAdam/RAdam update kernels (assembly/kernels/optim2.ts) against plain
 * TypeScript references over awkward sizes, on both builds, with the harness of optim.test.ts:
 * three steps with a fresh gradient per step from random state; the baseline build bit for bit
 * against the float32 reference, the relaxed build (which may fuse a·b + c) to 1e-6; and an
 * element's bits must not depend on whether it sits in the SIMD tail.
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

function adadeltaCase(name: string, lr: number, rho: number, eps: number, wd: number): UpdateCase {
  return {
    name,
    init: { p: [-1, 1], grad: [-1, 1], sq: [0, 1], acc: [0, 1] },
    call(k, ptr, n) {
      k.adadelta_f32(ptr.p, ptr.grad, ptr.sq, ptr.acc, n, lr, rho, 1 - rho, eps, wd);
    },
    ref(v, i, _step, madd) {
      const p = v.p[i];
      let g = v.grad[i];
      if (wd !== 0) g = madd(p, f(wd), g);
      const s = madd(f(f(1 - rho) * g), g, f(v.sq[i] * f(rho)));
      v.sq[i] = s;
      const std = f(Math.sqrt(f(s + f(eps))));
      const a = v.acc[i];
      const delta = f(f(f(Math.sqrt(f(a + f(eps)))) / std) * g);
      v.acc[i] = madd(f(f(1 - rho) * delta), delta, f(a * f(rho)));
      v.p[i] = madd(delta, f(-lr), p);
    },
  };
}

function adamaxCase(
  name: string,
  lr: number,
  b1: number,
  b2: number,
  eps: number,
  wd: number,
): UpdateCase {
  const clr = (step: number) => lr / (1 - b1 ** step);
  return {
    name,
    init: { p: [-1, 1], grad: [-1, 1], m: [-0.1, 0.1], u: [0, 1] },
    call(k, ptr, n, step) {
      k.adamax_f32(ptr.p, ptr.grad, ptr.m, ptr.u, n, b1, 1 - b1, b2, eps, wd, clr(step));
    },
    ref(v, i, step, madd) {
      const p = v.p[i];
      let g = v.grad[i];
      if (wd !== 0) g = madd(p, f(wd), g);
      const m = madd(g, f(1 - b1), f(v.m[i] * f(b1)));
      v.m[i] = m;
      const u = Math.max(f(v.u[i] * f(b2)), f(Math.abs(g) + f(eps)));
      v.u[i] = u;
      v.p[i] = f(p + f(f(f(-clr(step)) * m) / u));
    },
  };
}

interface MomentsCfg {
  mode: number;
  b1: number;
  b2: number;
  wd: number;
  scale: number;
  coefs: (step: number) => [number, number, number, number, number];
  eps: number;
}

function momentsCase(name: string, c: MomentsCfg): UpdateCase {
  return {
    name,
    init: { p: [-1, 1], grad: [-1, 1], m: [-0.1, 0.1], v: [0, 0.1] },
    call(k, ptr, n, step) {
      const [bc2, c1, c2, lr, rect] = c.coefs(step);
      k.nadam_radam_f32(
        ptr.p,
        ptr.grad,
        ptr.m,
        ptr.v,
        n,
        c.mode,
        c.b1,
        1 - c.b1,
        c.b2,
        1 - c.b2,
        c.wd,
        c.scale,
        bc2,
        c1,
        c2,
        lr,
        rect,
        c.eps,
      );
    },
    ref(vals, i, step, madd) {
      const [bc2, c1, c2, lr, rect] = c.coefs(step).map(f);
      let p = vals.p[i];
      let g = vals.grad[i];
      if (c.wd !== 0) g = madd(p, f(c.wd), g);
      p = f(p * f(c.scale));
      const m = madd(g, f(1 - c.b1), f(vals.m[i] * f(c.b1)));
      const v = madd(f(f(1 - c.b2) * g), g, f(vals.v[i] * f(c.b2)));
      vals.m[i] = m;
      vals.v[i] = v;
      const eps = f(c.eps);
      if (c.mode === 0) {
        const d = f(f(Math.sqrt(f(v / bc2))) + eps);
        p = f(p + f(f(c1 * g) / d));
        p = f(p + f(f(c2 * m) / d));
      } else {
        const stepv = f(f(m / c1) * lr);
        if (c.mode === 1) {
          const inv = f(1 / f(f(Math.sqrt(v)) + eps));
          p = f(p - f(f(stepv * f(inv * c2)) * rect));
        } else p = f(p - stepv);
      }
      vals.p[i] = p;
    },
  };
}

const cases: UpdateCase[] = [
  adadeltaCase("adadelta", 1, 0.9, 1e-6, 0),
  adadeltaCase("adadelta weightDecay", 0.5, 0.8, 1e-5, 0.1),
  adamaxCase("adamax", 2e-3, 0.9, 0.999, 1e-8, 0),
  adamaxCase("adamax weightDecay", 0.05, 0.8, 0.95, 1e-6, 0.1),
  momentsCase("nadam", {
    mode: 0,
    b1: 0.9,
    b2: 0.999,
    wd: 0,
    scale: 1,
    eps: 1e-8,
    coefs: (t) => [1 - 0.999 ** t, -0.01 * (0.1 + t / 100), -0.02 / (1 + t), 0, 0],
  }),
  momentsCase("nadam decoupled", {
    mode: 0,
    b1: 0.8,
    b2: 0.95,
    wd: 0,
    scale: 0.99,
    eps: 1e-6,
    coefs: (t) => [1 - 0.95 ** t, -0.03, -0.05 / t, 0, 0],
  }),
  momentsCase("radam rectified weightDecay", {
    mode: 1,
    b1: 0.9,
    b2: 0.9,
    wd: 0.1,
    scale: 1,
    eps: 1e-8,
    coefs: (t) => [1, 1 - 0.9 ** t, Math.sqrt(1 - 0.9 ** t), 0.01, 0.5 + t / 10],
  }),
  momentsCase("radam early", {
    mode: 2,
    b1: 0.5,
    b2: 0.6,
    wd: 0,
    scale: 0.97,
    eps: 1e-8,
    coefs: (t) => [1, 1 - 0.5 ** t, 1, 0.05, 1],
  }),
];

for (const variant of variants) {
  const b = backendFor(variant);
  const madd = variant === "relaxed" ? fused : unfused;
  const tol = variant === "relaxed" ? 1e-6 : 0;

  describe(`optimizer update kernels 2 (${variant})`, () => {
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
}
