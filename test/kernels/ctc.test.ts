/**
 * The CTC kernels of assembly/kernels/ctc.ts against float64 references: the alpha/beta
 * recursions in log space (checked themselves against a brute-force sum over every alignment on
 * small cases), over awkward sizes (state counts around the 4-wide steps, classes around the
 * SIMD tail, input lengths shorter than T, repeated labels, blank not 0, empty targets,
 * impossible alignments).
 */
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/wasm.js";
import {
  backendFor,
  expectClose,
  get,
  put,
  putI32,
  randomArray,
  scratch,
  variants,
} from "../helpers/backend.js";

interface Sample {
  inputLength: number;
  labels: number[];
}

/** Log-softmaxed random rows [t, n, c]. */
function logProbs(t: number, n: number, c: number, seed: number): Float32Array {
  const x = randomArray(t * n * c, seed, -2, 2);
  for (let row = 0; row < t * n; row++) {
    let m = -Infinity;
    for (let k = 0; k < c; k++) m = Math.max(m, x[row * c + k]);
    let s = 0;
    for (let k = 0; k < c; k++) s += Math.exp(x[row * c + k] - m);
    const lse = m + Math.log(s);
    for (let k = 0; k < c; k++) x[row * c + k] -= lse;
  }
  return x;
}

function lse(...v: number[]): number {
  const m = Math.max(...v);
  if (m === -Infinity) return -Infinity;
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** nll and PyTorch's gradient (for upstream gradient g) of one sample, in float64. */
function reference(
  lp: Float32Array,
  t: number,
  n: number,
  c: number,
  b: number,
  blank: number,
  { inputLength: tb, labels }: Sample,
  g: number,
  zeroInfinity: boolean,
): { nll: number; grad: Float64Array } {
  const S = 2 * labels.length + 1;
  const l = (s: number) => (s % 2 ? labels[(s - 1) / 2] : blank);
  const at = (tt: number, k: number) => lp[(tt * n + b) * c + k];
  const grad = new Float64Array(t * c);
  if (tb === 0) return { nll: S === 1 ? 0 : Infinity, grad };
  const alpha = Array.from({ length: tb }, () => new Float64Array(S).fill(-Infinity));
  const beta = Array.from({ length: tb }, () => new Float64Array(S).fill(-Infinity));
  alpha[0][0] = at(0, blank);
  if (S > 1) alpha[0][1] = at(0, l(1));
  for (let tt = 1; tt < tb; tt++) {
    for (let s = 0; s < S; s++) {
      const skip = s >= 2 && l(s - 2) !== l(s) ? alpha[tt - 1][s - 2] : -Infinity;
      const prev = s >= 1 ? alpha[tt - 1][s - 1] : -Infinity;
      alpha[tt][s] = lse(alpha[tt - 1][s], prev, skip) + at(tt, l(s));
    }
  }
  const nll = -lse(alpha[tb - 1][S - 1], S > 1 ? alpha[tb - 1][S - 2] : -Infinity);
  if (zeroInfinity && nll === Infinity) return { nll, grad };
  beta[tb - 1][S - 1] = at(tb - 1, blank);
  if (S > 1) beta[tb - 1][S - 2] = at(tb - 1, l(S - 2));
  for (let tt = tb - 2; tt >= 0; tt--) {
    for (let s = 0; s < S; s++) {
      const skip = s + 2 < S && l(s + 2) !== l(s) ? beta[tt + 1][s + 2] : -Infinity;
      const next = s + 1 < S ? beta[tt + 1][s + 1] : -Infinity;
      beta[tt][s] = lse(beta[tt + 1][s], next, skip) + at(tt, l(s));
    }
  }
  for (let tt = 0; tt < tb; tt++) {
    for (let k = 0; k < c; k++) {
      const terms: number[] = [];
      for (let s = 0; s < S; s++) if (l(s) === k) terms.push(alpha[tt][s] + beta[tt][s]);
      const occ = lse(...terms);
      grad[tt * c + k] = (Math.exp(at(tt, k)) - Math.exp(occ + nll - at(tt, k))) * g;
    }
  }
  return { nll, grad };
}

/** -log of the summed probability of every path of length tb that collapses to the labels. */
function bruteForce(lp: Float32Array, n: number, c: number, b: number, blank: number, s: Sample) {
  let total = 0;
  const path = new Array(s.inputLength).fill(0);
  const visit = (tt: number, logp: number): void => {
    if (tt === s.inputLength) {
      const out: number[] = [];
      let last = -1;
      for (const k of path) {
        if (k !== last && k !== blank) out.push(k);
        last = k;
      }
      if (out.length === s.labels.length && out.every((k, i) => k === s.labels[i])) {
        total += Math.exp(logp);
      }
      return;
    }
    for (let k = 0; k < c; k++) {
      path[tt] = k;
      visit(tt + 1, logp + lp[(tt * n + b) * c + k]);
    }
  };
  visit(0, 0);
  return -Math.log(total);
}

function run(
  bk: Backend,
  t: number,
  c: number,
  blank: number,
  samples: Sample[],
  seed: number,
  zeroInfinity: boolean,
) {
  const n = samples.length;
  const lp = logProbs(t, n, c, seed);
  const flat = samples.flatMap((s) => s.labels);
  const info: number[] = [];
  let off = 0;
  for (const s of samples) {
    info.push(s.inputLength, s.labels.length, off);
    off += s.labels.length;
  }
  const maxL = Math.max(...samples.map((s) => s.labels.length));
  const r = Math.ceil((2 * maxL + 1) / 4) * 4 + 4;
  const gr = Array.from({ length: n }, (_, b) => 0.5 + b);
  const K = bk.kernels;
  const plp = put(bk, lp);
  const ptg = putI32(bk, flat);
  const pinfo = putI32(bk, info);
  const pnll = scratch(bk, n);
  const palpha = scratch(bk, n * t * r);
  const pws = scratch(bk, 5 * r);
  const pgr = put(bk, gr);
  const pd = scratch(bk, t * n * c);
  K.ctc_loss_f32(pnll, palpha, plp, ptg, pinfo, pws, t, n, c, blank, r);
  const nll = get(bk, pnll, n);
  K.ctc_loss_bwd_f32(pd, plp, ptg, pinfo, palpha, pnll, pgr, pws, t, n, c, blank, r, +zeroInfinity);
  const d = get(bk, pd, t * n * c);
  for (const p of [plp, ptg, pinfo, pnll, palpha, pws, pgr, pd]) K.free(p);
  return { lp, nll, d, gr };
}

const cases: { t: number; c: number; blank: number; samples: Sample[] }[] = [
  { t: 1, c: 2, blank: 0, samples: [{ inputLength: 1, labels: [1] }] },
  { t: 1, c: 3, blank: 2, samples: [{ inputLength: 1, labels: [] }] },
  {
    t: 5,
    c: 3,
    blank: 0,
    samples: [
      { inputLength: 5, labels: [1, 1] },
      { inputLength: 3, labels: [2] },
      { inputLength: 4, labels: [1, 2, 1] },
    ],
  },
  {
    t: 9,
    c: 7,
    blank: 4,
    samples: [
      { inputLength: 9, labels: [0, 1, 1, 6, 5] },
      { inputLength: 2, labels: [3, 3] }, // impossible: needs 3 steps
      { inputLength: 0, labels: [] },
      { inputLength: 7, labels: [] },
      { inputLength: 6, labels: [6, 6, 6] },
    ],
  },
  {
    t: 30,
    c: 5,
    blank: 1,
    samples: [
      { inputLength: 30, labels: [0, 2, 3, 4, 0, 2, 2, 3, 4, 0, 3, 3, 4] },
      { inputLength: 17, labels: [4, 4, 4, 4, 4, 4, 4, 4] },
    ],
  },
];

describe.each(variants)("ctc kernels (%s)", (variant) => {
  const bk = backendFor(variant);

  it.each([false, true])("match the float64 recursions (zeroInfinity %s)", (zeroInfinity) => {
    cases.forEach(({ t, c, blank, samples }, i) => {
      const { lp, nll, d, gr } = run(bk, t, c, blank, samples, 11 + i, zeroInfinity);
      const n = samples.length;
      samples.forEach((s, b) => {
        const ref = reference(lp, t, n, c, b, blank, s, gr[b], zeroInfinity);
        if (ref.nll === Infinity) expect(nll[b]).toBe(Infinity);
        else expect(Math.abs(nll[b] - ref.nll)).toBeLessThanOrEqual(1e-5 * (1 + ref.nll));
        const got = new Float32Array(t * c);
        for (let tt = 0; tt < t; tt++) {
          for (let k = 0; k < c; k++) got[tt * c + k] = d[(tt * n + b) * c + k];
        }
        if (ref.nll === Infinity && !zeroInfinity) {
          // PyTorch's formula: exp(-inf + inf) is NaN over the valid steps, 0 after them.
          for (let tt = 0; tt < t; tt++) {
            const row = Array.from(got.subarray(tt * c, tt * c + c));
            expect(row.every((v) => (tt < s.inputLength ? Number.isNaN(v) : v === 0))).toBe(true);
          }
        } else {
          expectClose(got, ref.grad, 2e-5);
        }
      });
    });
  });

  it("the float64 recursion is the sum over all alignments", () => {
    const t = 5;
    const c = 3;
    const samples = [
      { inputLength: 5, labels: [1, 1] },
      { inputLength: 4, labels: [2, 1] },
      { inputLength: 3, labels: [] },
    ];
    const { lp } = run(bk, t, c, 0, samples, 5, false);
    samples.forEach((s, b) => {
      const ref = reference(lp, t, samples.length, c, b, 0, s, 1, false).nll;
      expect(ref).toBeCloseTo(bruteForce(lp, samples.length, c, b, 0, s), 10);
    });
  });
});
