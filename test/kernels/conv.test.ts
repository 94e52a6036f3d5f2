/**
 * conv2d (forward, input and weight gradients), max/avg pooling and batch norm kernels against
 * direct float64 loops over awkward geometries, on both builds. The chunk size of the im2col
 * blocks is varied too (meta's chunk and images; 0 lets the kernel choose), so block edges that
 * split output rows are covered. The workspace is sized by the kernel's own
 * conv2d_workspace_f32, and guard floats after it must survive every pass.
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

interface Geo {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  g: number;
  /** Output size; defaults to PyTorch's for symmetric padding. */
  oh?: number;
  ow?: number;
}

function outDims(g: Geo): [number, number] {
  const oh = g.oh ?? Math.floor((g.h + 2 * g.ph - g.dh * (g.kh - 1) - 1) / g.sh) + 1;
  const ow = g.ow ?? Math.floor((g.w + 2 * g.pw - g.dw * (g.kw - 1) - 1) / g.sw) + 1;
  return [oh, ow];
}

/** Visits every (image, out channel, output position, in channel, kernel tap) that reads input. */
function forEachTap(g: Geo, visit: (outIdx: number, inIdx: number, wIdx: number) => void): void {
  const [oh, ow] = outDims(g);
  const cg = g.c / g.g;
  const ocg = g.oc / g.g;
  for (let n = 0; n < g.n; n++)
    for (let o = 0; o < g.oc; o++) {
      const grp = Math.floor(o / ocg);
      for (let y = 0; y < oh; y++)
        for (let x = 0; x < ow; x++)
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < g.kh; i++)
              for (let j = 0; j < g.kw; j++) {
                const iy = y * g.sh - g.ph + i * g.dh;
                const ix = x * g.sw - g.pw + j * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                const c = grp * cg + ci;
                visit(
                  ((n * g.oc + o) * oh + y) * ow + x,
                  ((n * g.c + c) * g.h + iy) * g.w + ix,
                  ((o * cg + ci) * g.kh + i) * g.kw + j,
                );
              }
    }
}

function convMeta(b: Backend, g: Geo, chunk: number, images: number): number {
  const [oh, ow] = outDims(g);
  const m = [g.n, g.c, g.h, g.w, g.oc, g.kh, g.kw, oh, ow, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, g.g];
  return putI32(b, [...m, chunk, images]);
}

/** Guard floats after a workspace, and the value they hold. */
const GUARD = 64;
const GUARD_VALUE = 1234.5;

/**
 * A workspace of `floats` floats (NaN-filled, so reads of unwritten floats show) followed by
 * GUARD floats of GUARD_VALUE; `check` expects the guard intact.
 */
function guarded(b: Backend, floats: number): { ptr: number; check: () => void } {
  expect(Number.isInteger(floats) && floats >= 0).toBe(true);
  const ptr = scratch(b, floats + GUARD);
  b.f32().fill(GUARD_VALUE, (ptr >>> 2) + floats, (ptr >>> 2) + floats + GUARD);
  const check = () => {
    const guard = get(b, ptr + floats * 4, GUARD);
    expect(guard.every((v) => v === GUARD_VALUE)).toBe(true);
  };
  return { ptr, check };
}

const base: Geo = {
  n: 1,
  c: 1,
  h: 5,
  w: 5,
  oc: 1,
  kh: 3,
  kw: 3,
  sh: 1,
  sw: 1,
  ph: 0,
  pw: 0,
  dh: 1,
  dw: 1,
  g: 1,
};
const geometries: [string, Geo][] = [
  ["3x3 single channel", { ...base }],
  [
    "3x3 pad 1, 2 images, 3 -> 5 channels",
    { ...base, n: 2, c: 3, oc: 5, h: 7, w: 6, ph: 1, pw: 1 },
  ],
  [
    "5x2 kernel, odd sizes, pad [2, 1]",
    { ...base, c: 2, oc: 3, h: 9, w: 11, kh: 5, kw: 2, ph: 2, pw: 1 },
  ],
  ["stride 2", { ...base, c: 2, oc: 4, h: 10, w: 9, sh: 2, sw: 2, ph: 1, pw: 1 }],
  ["stride 3x2, pad 2", { ...base, c: 3, oc: 2, h: 11, w: 13, sh: 3, sw: 2, ph: 2, pw: 2 }],
  ["dilation 2", { ...base, c: 2, oc: 3, h: 9, w: 10, dh: 2, dw: 2, ph: 2, pw: 1 }],
  ["groups 2", { ...base, n: 2, c: 4, oc: 6, h: 6, w: 7, g: 2, ph: 1, pw: 1 }],
  ["depthwise", { ...base, c: 5, oc: 5, h: 8, w: 8, g: 5, ph: 1, pw: 1 }],
  ["1x1", { ...base, n: 3, c: 7, oc: 9, h: 5, w: 3, kh: 1, kw: 1 }],
  ["1x1 stride 2", { ...base, c: 4, oc: 3, h: 7, w: 7, kh: 1, kw: 1, sh: 2, sw: 2 }],
  ["1x1 groups 3", { ...base, n: 2, c: 6, oc: 9, h: 4, w: 5, kh: 1, kw: 1, g: 3 }],
  [
    "'same' with an even kernel (extra pad bottom/right)",
    { ...base, c: 2, oc: 2, h: 6, w: 7, kh: 4, kw: 2, ph: 1, pw: 0, oh: 6, ow: 7 },
  ],
  [
    "kernel as large as the padded input",
    { ...base, c: 2, oc: 3, h: 3, w: 4, kh: 5, kw: 6, ph: 1, pw: 1 },
  ],
  ["wide channels, 37 output columns", { ...base, n: 2, c: 17, oc: 33, h: 9, w: 37, ph: 1, pw: 1 }],
];

/**
 * Geometries large enough that the kernel's own blocking cuts one image into several blocks
 * (Kd + OCg = 448 leaves 584 columns per block), run with that blocking only.
 */
const chunked: [string, Geo][] = [
  [
    "stride 1, 40x40, 48 -> 16 channels",
    { ...base, c: 48, oc: 16, h: 40, w: 40, kh: 3, kw: 3, ph: 1, pw: 1 },
  ],
  [
    "stride 2, 2 images of 60x60, 48 -> 16 channels",
    { ...base, n: 2, c: 48, oc: 16, h: 60, w: 60, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1 },
  ],
];

describe.each(variants)("conv2d kernels (%s build)", (variant) => {
  const b = backendFor(variant);
  const k = b.kernels;
  const cases: [string, Geo, boolean][] = [
    ...geometries.map(([name, g]): [string, Geo, boolean] => [name, g, false]),
    ...chunked.map(([name, g]): [string, Geo, boolean] => [name, g, true]),
  ];
  for (const [name, g, ownBlockingOnly] of cases) {
    const [oh, ow] = outDims(g);
    const p = oh * ow;
    const kd = (g.c / g.g) * g.kh * g.kw;
    // Stride 1 runs the wide layout: blocks of `chunk` output rows of one image, or of whole
    // images. Strided convolutions cut one image's im2col matrix at `chunk` columns, or take
    // whole images. Either way blocks of 2 and of n + 1 images (more than there are) are tried.
    const wide =
      g.sh === 1 && g.sw === 1 && !(g.kh === 1 && g.kw === 1 && g.ph === 0 && g.pw === 0);
    const blockings = wide
      ? [...new Set([oh, 1, 2, 5].filter((r) => r <= oh))].map((rows) => [rows, 1])
      : [...new Set([p, 8, 13])].map((chunk) => [chunk, 1]);
    if (g.n > 1) {
      for (const images of [2, g.n + 1]) blockings.push([wide ? oh : images * p, images]);
    }
    blockings.push([0, 0]);
    if (ownBlockingOnly) blockings.splice(0, blockings.length, [0, 0]);
    // float32 sums of hundreds (forward: Kd) to thousands (weight gradient: N * OH * OW) terms.
    const tol = ownBlockingOnly ? 1e-4 : 1e-5;
    for (const [chunk, images] of blockings) {
      const blocking =
        chunk === 0 ? "the kernel's blocking" : `chunk ${chunk}, ${images} image(s) per block`;
      it(`${name}, ${blocking}`, () => {
        const xs = randomArray(g.n * g.c * g.h * g.w, 11);
        const ws = randomArray(g.oc * kd, 12);
        const bs = randomArray(g.oc, 13);
        const dys = randomArray(g.n * g.oc * p, 14);
        const want = new Float64Array(g.n * g.oc * p);
        for (let i = 0; i < want.length; i++) want[i] = bs[Math.floor(i / p) % g.oc];
        const wantDx = new Float64Array(xs.length);
        const wantDw = new Float64Array(ws.length);
        forEachTap(g, (o, i, wi) => {
          want[o] += xs[i] * ws[wi];
          wantDx[i] += dys[o] * ws[wi];
          wantDw[wi] += dys[o] * xs[i];
        });
        const x = put(b, xs);
        const w = put(b, ws);
        const bias = put(b, bs);
        const dy = put(b, dys);
        const meta = convMeta(b, g, chunk, images);
        const work = guarded(b, k.conv2d_workspace_f32(meta));
        const out = scratch(b, want.length);
        k.conv2d_f32(out, x, w, bias, work.ptr, meta);
        expectClose(get(b, out, want.length), want, tol);
        // Without bias, beta = 0 must ignore the NaN that scratch() filled the output with.
        const out2 = scratch(b, want.length);
        k.conv2d_f32(out2, x, w, 0, work.ptr, meta);
        const noBias = want.map((v, i) => v - bs[Math.floor(i / p) % g.oc]);
        expectClose(get(b, out2, want.length), noBias, tol);
        const dx = scratch(b, xs.length);
        k.conv2d_bwd_input_f32(dx, dy, w, work.ptr, meta);
        expectClose(get(b, dx, xs.length), wantDx, tol);
        const dw = scratch(b, ws.length);
        k.conv2d_bwd_weight_f32(dw, dy, x, work.ptr, meta);
        expectClose(get(b, dw, ws.length), wantDw, tol);
        work.check();
        for (const ptr of [x, w, bias, dy, work.ptr, out, out2, dx, dw, meta]) k.free(ptr);
      });
    }
  }
});

describe.each(variants)("conv2d_workspace_f32 (%s build)", (variant) => {
  const k = backendFor(variant).kernels;
  const workspace = (g: Geo, chunk = 0, images = 0) => {
    const meta = convMeta(backendFor(variant), g, chunk, images);
    try {
      return k.conv2d_workspace_f32(meta);
    } finally {
      k.free(meta);
    }
  };

  it("is 0 for pointwise convolutions and grows with a forced blocking", () => {
    expect(workspace({ ...base, n: 3, c: 7, oc: 9, kh: 1, kw: 1 })).toBe(0);
    const g = { ...base, c: 2, oc: 4, h: 10, w: 9, sh: 2, sw: 2, ph: 1, pw: 1 };
    // Strided: (Kd + OCg) x chunk floats.
    expect(workspace(g, 8, 1)).toBe((2 * 9 + 4) * 8);
    expect(workspace(g, 16, 1)).toBe((2 * 9 + 4) * 16);
  });

  it("is sized in 64 bits: a huge geometry's workspace does not wrap", () => {
    // 1x1 input padded by 40000 a side under a 3x3 kernel: planes of about 6.4e9 floats.
    const huge = workspace({ ...base, h: 1, w: 1, ph: 39000, pw: 39000, kh: 3, kw: 3 });
    expect(huge).toBeGreaterThan(2 ** 32);
    expect(Number.isInteger(huge)).toBe(true);
  });

  it("does not trap on zero channels", () => {
    expect(Number.isFinite(workspace({ ...base, c: 0, oc: 0 }))).toBe(true);
    expect(Number.isFinite(workspace({ ...base, c: 0, oc: 3 }))).toBe(true);
  });
});

interface PoolGeo {
  planes: number;
  h: number;
  w: number;
  k: [number, number];
  s: [number, number];
  p: [number, number];
  d: [number, number];
  ceil: boolean;
}

function poolOut(g: PoolGeo): [number, number] {
  const dim = (size: number, i: 0 | 1) => {
    const span = g.d[i] * (g.k[i] - 1) + 1;
    let o = Math.floor((size + 2 * g.p[i] - span + (g.ceil ? g.s[i] - 1 : 0)) / g.s[i]) + 1;
    if (g.ceil && (o - 1) * g.s[i] >= size + g.p[i]) o--;
    return o;
  };
  return [dim(g.h, 0), dim(g.w, 1)];
}

const pools: [string, PoolGeo][] = [
  [
    "2x2 stride 2",
    { planes: 3, h: 8, w: 6, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
  ],
  [
    "2x2 stride 2, 4-wide blocks and a tail",
    { planes: 2, h: 6, w: 22, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
  ],
  [
    "2x2 stride 2, odd size",
    { planes: 2, h: 7, w: 9, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: false },
  ],
  [
    "2x2 stride 2, ceil mode",
    { planes: 2, h: 7, w: 9, k: [2, 2], s: [2, 2], p: [0, 0], d: [1, 1], ceil: true },
  ],
  [
    "3x3 stride 1, overlapping",
    { planes: 2, h: 6, w: 5, k: [3, 3], s: [1, 1], p: [1, 1], d: [1, 1], ceil: false },
  ],
  [
    "3x2 stride [2, 1], pad [1, 1]",
    { planes: 1, h: 9, w: 8, k: [3, 2], s: [2, 1], p: [1, 1], d: [1, 1], ceil: false },
  ],
  [
    "3x3 stride 2, pad 1, ceil",
    { planes: 2, h: 10, w: 11, k: [3, 3], s: [2, 2], p: [1, 1], d: [1, 1], ceil: true },
  ],
  [
    "dilation 2",
    { planes: 2, h: 9, w: 9, k: [3, 3], s: [2, 2], p: [1, 0], d: [2, 2], ceil: false },
  ],
];

describe.each(variants)("pooling kernels (%s build)", (variant) => {
  const b = backendFor(variant);
  const k = b.kernels;
  for (const [name, g] of pools) {
    const [oh, ow] = poolOut(g);
    const geo = [g.planes, g.h, g.w, oh, ow, ...g.k, ...g.s, ...g.p, ...g.d];
    it(`max: ${name}`, () => {
      // Values on a coarse grid so windows hold ties: the first in scan order must win.
      const xs = randomArray(g.planes * g.h * g.w, 21).map((v) => Math.round(v * 3));
      const dys = randomArray(g.planes * oh * ow, 22);
      const want = new Float64Array(g.planes * oh * ow);
      const wantIdx = new Int32Array(want.length);
      const wantDx = new Float64Array(xs.length);
      let o = 0;
      for (let pl = 0; pl < g.planes; pl++)
        for (let y = 0; y < oh; y++)
          for (let x = 0; x < ow; x++, o++) {
            let best = -Infinity;
            let at = -1;
            for (let i = 0; i < g.k[0]; i++)
              for (let j = 0; j < g.k[1]; j++) {
                const iy = y * g.s[0] - g.p[0] + i * g.d[0];
                const ix = x * g.s[1] - g.p[1] + j * g.d[1];
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                const v = xs[(pl * g.h + iy) * g.w + ix];
                if (v > best || at < 0) {
                  best = v;
                  at = iy * g.w + ix;
                }
              }
            want[o] = best;
            wantIdx[o] = at;
            wantDx[pl * g.h * g.w + at] += dys[o];
          }
      const x = put(b, xs);
      const out = scratch(b, want.length);
      const idx = scratch(b, want.length);
      const meta = putI32(b, geo);
      k.maxpool2d_f32(out, idx, x, meta);
      expectClose(get(b, out, want.length), want, 0);
      expect(Array.from(b.i32().slice(idx >>> 2, (idx >>> 2) + want.length))).toEqual(
        Array.from(wantIdx),
      );
      const dy = put(b, dys);
      const dx = scratch(b, xs.length);
      k.maxpool2d_bwd_f32(dx, dy, idx, g.planes, g.h * g.w, oh * ow);
      expectClose(get(b, dx, xs.length), wantDx);
      for (const ptr of [x, out, idx, meta, dy, dx]) k.free(ptr);
    });
    it(`max with NaN and -Infinity: ${name}`, () => {
      // NaN wins wherever it appears (the last NaN in scan order), and an all -Infinity window
      // keeps its first element's index.
      const xs = randomArray(g.planes * g.h * g.w, 23).map((v, i) =>
        i % 7 === 3 ? Number.NaN : i % 5 === 0 ? -Infinity : v,
      );
      const want: number[] = [];
      const wantIdx: number[] = [];
      for (let pl = 0; pl < g.planes; pl++)
        for (let y = 0; y < oh; y++)
          for (let x = 0; x < ow; x++) {
            let best = -Infinity;
            let at = -1;
            for (let i = 0; i < g.k[0]; i++)
              for (let j = 0; j < g.k[1]; j++) {
                const iy = y * g.s[0] - g.p[0] + i * g.d[0];
                const ix = x * g.s[1] - g.p[1] + j * g.d[1];
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                const v = xs[(pl * g.h + iy) * g.w + ix];
                if (v > best || Number.isNaN(v) || at < 0) {
                  best = v;
                  at = iy * g.w + ix;
                }
              }
            want.push(best);
            wantIdx.push(at);
          }
      const x = put(b, xs);
      const out = scratch(b, want.length);
      const idx = scratch(b, want.length);
      const meta = putI32(b, geo);
      k.maxpool2d_f32(out, idx, x, meta);
      expect(Array.from(get(b, out, want.length))).toEqual(want);
      expect(Array.from(b.i32().slice(idx >>> 2, (idx >>> 2) + want.length))).toEqual(wantIdx);
      for (const ptr of [x, out, idx, meta]) k.free(ptr);
    });
    if (g.d[0] !== 1) continue;
    for (const [includePad, divisor] of [
      [1, 0],
      [0, 0],
      [1, 3],
    ]) {
      it(`avg: ${name}, countIncludePad ${includePad}, divisor ${divisor}`, () => {
        const xs = randomArray(g.planes * g.h * g.w, 31);
        const dys = randomArray(g.planes * oh * ow, 32);
        const want = new Float64Array(g.planes * oh * ow);
        const wantDx = new Float64Array(xs.length);
        let o = 0;
        for (let pl = 0; pl < g.planes; pl++)
          for (let y = 0; y < oh; y++)
            for (let x = 0; x < ow; x++, o++) {
              const y0 = y * g.s[0] - g.p[0];
              const x0 = x * g.s[1] - g.p[1];
              const y1 = Math.min(y0 + g.k[0], g.h + g.p[0]);
              const x1 = Math.min(x0 + g.k[1], g.w + g.p[1]);
              const padded = (y1 - y0) * (x1 - x0);
              const cells: number[] = [];
              for (let iy = Math.max(y0, 0); iy < Math.min(y1, g.h); iy++)
                for (let ix = Math.max(x0, 0); ix < Math.min(x1, g.w); ix++)
                  cells.push((pl * g.h + iy) * g.w + ix);
              const div = divisor || (includePad ? padded : cells.length);
              for (const c of cells) {
                want[o] += xs[c] / div;
                wantDx[c] += dys[o] / div;
              }
            }
        const x = put(b, xs);
        const out = scratch(b, want.length);
        const meta = putI32(b, [...geo, includePad, divisor]);
        k.avgpool2d_f32(out, x, meta);
        expectClose(get(b, out, want.length), want);
        const dy = put(b, dys);
        const dx = scratch(b, xs.length);
        k.avgpool2d_bwd_f32(dx, dy, meta);
        expectClose(get(b, dx, xs.length), wantDx);
        for (const ptr of [x, out, meta, dy, dx]) k.free(ptr);
      });
    }
  }
});

describe.each(variants)("batch norm kernels (%s build)", (variant) => {
  const b = backendFor(variant);
  const k = b.kernels;
  for (const [n, c, s] of [
    [1, 1, 2],
    [2, 3, 1],
    [3, 2, 5],
    [4, 3, 17],
    [2, 2, 1030],
  ]) {
    for (const training of [1, 0]) {
      it(`[${n}, ${c}, ${s}], ${training ? "training" : "eval"}`, () => {
        // An offset of 100 checks that the variance does not cancel catastrophically.
        const xs = randomArray(n * c * s, 41).map((v) => 100 + v);
        const dys = randomArray(n * c * s, 42);
        const ws = randomArray(c, 43, 0.5, 2);
        const bs = randomArray(c, 44);
        const eps = 1e-5;
        const m = n * s;
        const mean = new Float64Array(c);
        const variance = new Float64Array(c);
        const at = (i: number, ch: number, j: number) => (i * c + ch) * s + j;
        for (let ch = 0; ch < c; ch++) {
          for (let i = 0; i < n; i++) for (let j = 0; j < s; j++) mean[ch] += xs[at(i, ch, j)] / m;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < s; j++) variance[ch] += (xs[at(i, ch, j)] - mean[ch]) ** 2 / m;
        }
        const x = put(b, xs);
        const meanP = scratch(b, c);
        const varP = scratch(b, c);
        if (training) {
          k.batchnorm_stats_f32(meanP, varP, x, n, c, s);
          expectClose(get(b, meanP, c), mean, 1e-7);
          expectClose(get(b, varP, c), variance, 1e-5);
        } else {
          // Eval: arbitrary "running" statistics.
          for (let ch = 0; ch < c; ch++) {
            mean[ch] = Math.fround(100 + 0.1 * ch);
            variance[ch] = Math.fround(0.3 + ch);
          }
          b.f32().set(mean, meanP >>> 2);
          b.f32().set(variance, varP >>> 2);
        }
        const stats = [get(b, meanP, c), get(b, varP, c)];
        const want = new Float64Array(xs.length);
        const wantDx = new Float64Array(xs.length);
        const wantDw = new Float64Array(c);
        const wantDb = new Float64Array(c);
        for (let ch = 0; ch < c; ch++) {
          const mu = stats[0][ch];
          const inv = 1 / Math.sqrt(stats[1][ch] + eps);
          let sdy = 0;
          let sdyx = 0;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < s; j++) {
              const xh = (xs[at(i, ch, j)] - mu) * inv;
              want[at(i, ch, j)] = xh * ws[ch] + bs[ch];
              sdy += dys[at(i, ch, j)];
              sdyx += dys[at(i, ch, j)] * xh;
            }
          wantDb[ch] = sdy;
          wantDw[ch] = sdyx;
          for (let i = 0; i < n; i++)
            for (let j = 0; j < s; j++) {
              const xh = (xs[at(i, ch, j)] - mu) * inv;
              const dy = dys[at(i, ch, j)];
              wantDx[at(i, ch, j)] =
                ws[ch] * inv * (training ? dy - sdy / m - (xh * sdyx) / m : dy);
            }
        }
        const w = put(b, ws);
        const bias = put(b, bs);
        const y = scratch(b, xs.length);
        k.batchnorm_f32(y, x, meanP, varP, w, bias, n, c, s, eps);
        expectClose(get(b, y, xs.length), want, 2e-5);
        const dy = put(b, dys);
        const dx = scratch(b, xs.length);
        const dw = scratch(b, c);
        const db = scratch(b, c);
        k.batchnorm_bwd_f32(dx, dw, db, dy, x, meanP, varP, w, n, c, s, eps, training);
        expectClose(get(b, dx, xs.length), wantDx, 1e-4);
        expectClose(get(b, dw, c), wantDw, 1e-4);
        expectClose(get(b, db, c), wantDb, 1e-5);
        for (const ptr of [x, meanP, varP, w, bias, y, dy, dx, dw, db]) k.free(ptr);
      });
    }
  }
});

describe("wg.kernels.conv2d", () => {
  it("convolves Float32Arrays as F.conv2d does, and checks shapes", async () => {
    const wg = await import("wasmgrad");
    const x = randomArray(2 * 3 * 6 * 5, 51);
    const w = randomArray(4 * 3 * 3 * 3, 52);
    const bias = randomArray(4, 53);
    const got = wg.kernels.conv2d(x, [2, 3, 6, 5], w, [4, 3, 3, 3], bias, {
      padding: 1,
      stride: 2,
    });
    const want = wg.tidy(() =>
      wg.F.conv2d(
        wg.tensor(x, { shape: [2, 3, 6, 5] }),
        wg.tensor(w, { shape: [4, 3, 3, 3] }),
        wg.tensor(bias, { shape: [4] }),
        { padding: 1, stride: 2 },
      ).data(),
    );
    expect(got.shape).toEqual([2, 4, 3, 3]);
    expect(Array.from(got.data)).toEqual(Array.from(want));
    expect(() => wg.kernels.conv2d(x, [2, 3, 6, 5], w, [4, 2, 3, 3])).toThrow(wg.WasmgradError);
  });
});
