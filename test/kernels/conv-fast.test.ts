/**
 * conv2d's stride-1 forward paths (assembly/kernels/conv_winograd.ts for 3x3 kernels with 8+
 * channels per group, conv_direct.ts for the other stride-1 kernels of 2+ taps with 8+ channels
 * and 8+ output columns) against a float64 loop, on both builds and, in the relaxed build, with the
 * 6-row tiles too: output widths 1..17 (4-tile groups and 8-pixel tiles cut anywhere), channels
 * and output channels off multiples of 4, 6 and 8, more channels than one channel block, more
 * output channels than one block of panels, odd output heights, padding 0..2, dilation, groups.
 * Every geometry also runs block by block (conv2d_block_f32, as the threads do): the same bits.
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
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  g: number;
  /** Output size, for PyTorch's "same" with an even kernel; else from the padding. */
  oh?: number;
  ow?: number;
}

function outDims(g: Geo): [number, number] {
  const oh = g.oh ?? g.h + 2 * g.ph - g.dh * (g.kh - 1);
  const ow = g.ow ?? g.w + 2 * g.pw - g.dw * (g.kw - 1);
  return [oh, ow];
}

/** out = conv2d(x, w) + bias in float64, stride 1. */
function reference(g: Geo, x: Float32Array, w: Float32Array, bias: Float32Array): Float64Array {
  const [oh, ow] = outDims(g);
  const cg = g.c / g.g;
  const ocg = g.oc / g.g;
  const out = new Float64Array(g.n * g.oc * oh * ow);
  for (let n = 0; n < g.n; n++)
    for (let o = 0; o < g.oc; o++) {
      const grp = Math.floor(o / ocg);
      for (let y = 0; y < oh; y++)
        for (let xo = 0; xo < ow; xo++) {
          let s = bias[o];
          for (let ci = 0; ci < cg; ci++)
            for (let i = 0; i < g.kh; i++) {
              const iy = y - g.ph + i * g.dh;
              if (iy < 0 || iy >= g.h) continue;
              for (let j = 0; j < g.kw; j++) {
                const ix = xo - g.pw + j * g.dw;
                if (ix < 0 || ix >= g.w) continue;
                const c = grp * cg + ci;
                s +=
                  x[((n * g.c + c) * g.h + iy) * g.w + ix] *
                  w[((o * cg + ci) * g.kh + i) * g.kw + j];
              }
            }
          out[((n * g.oc + o) * oh + y) * ow + xo] = s;
        }
    }
  return out;
}

const base: Geo = { n: 1, c: 8, h: 6, w: 6, oc: 4, kh: 3, kw: 3, ph: 1, pw: 1, dh: 1, dw: 1, g: 1 };

const geometries: [string, Geo][] = [
  // Winograd: every output width 1..17, channels 9 and 5 output channels (tile rows 4 and 6
  // leave a part panel), odd heights.
  ...Array.from({ length: 17 }, (_, i): [string, Geo] => [
    `winograd 3x3, output width ${i + 1}`,
    { ...base, c: 9, oc: 5, h: 5, w: i + 1 },
  ]),
  // Direct: every output width 8..17 (narrower ones keep im2col), 9 channels.
  ...Array.from({ length: 10 }, (_, i): [string, Geo] => [
    `direct 3x2, 9 channels, output width ${i + 8}`,
    { ...base, c: 9, oc: 7, h: 4, w: i + 9, kw: 2, pw: 0 },
  ]),
  [
    "winograd, 3 images, padding 0, odd sizes",
    { ...base, n: 3, c: 12, oc: 10, h: 9, w: 11, ph: 0, pw: 0 },
  ],
  ["winograd, padding 2", { ...base, c: 8, oc: 6, h: 5, w: 9, ph: 2, pw: 2 }],
  ["winograd, padding [0, 2]", { ...base, c: 8, oc: 13, h: 7, w: 10, ph: 0, pw: 2 }],
  ["winograd, groups 2 of 8 -> 5", { ...base, n: 2, c: 16, oc: 10, h: 6, w: 9, g: 2 }],
  ["winograd, 70 channels (2 channel blocks)", { ...base, c: 70, oc: 9, h: 7, w: 12 }],
  ["winograd, several chunks of tile rows", { ...base, n: 2, c: 64, oc: 20, h: 21, w: 20 }],
  [
    "direct 5x5 pad 2, 17 columns",
    { ...base, c: 9, oc: 7, h: 9, w: 17, kh: 5, kw: 5, ph: 2, pw: 2 },
  ],
  ["direct 3x3 dilation 2", { ...base, c: 10, oc: 13, h: 12, w: 11, dh: 2, dw: 2, ph: 2, pw: 2 }],
  ["direct 3x3 dilation [1, 3]", { ...base, c: 9, oc: 6, h: 8, w: 14, dw: 3, ph: 1, pw: 3 }],
  ["1x1 with padding (im2col)", { ...base, n: 2, c: 7, oc: 9, h: 5, w: 9, kh: 1, kw: 1 }],
  [
    "direct 5x1, 70 channels (2 channel blocks)",
    { ...base, c: 70, oc: 9, h: 6, w: 10, kh: 5, kw: 1, ph: 2, pw: 0 },
  ],
  [
    "direct, 96 output channels x 64 channels x 9 taps (2 blocks of panels)",
    { ...base, c: 64, oc: 96, h: 6, w: 9, dh: 2, dw: 2, ph: 2, pw: 2 },
  ],
  [
    "direct, groups 3 of 8 -> 5",
    { ...base, n: 2, c: 24, oc: 15, h: 5, w: 10, kh: 2, kw: 3, g: 3, ph: 0 },
  ],
  [
    "direct, 'same' with an even kernel (extra pad bottom/right)",
    { ...base, c: 8, oc: 5, h: 7, w: 12, kh: 4, kw: 2, ph: 1, pw: 0, oh: 7, ow: 12 },
  ],
];

function meta(b: Backend, g: Geo): number {
  const [oh, ow] = outDims(g);
  const m = [g.n, g.c, g.h, g.w, g.oc, g.kh, g.kw, oh, ow, 1, 1, g.ph, g.pw, g.dh, g.dw, g.g];
  return putI32(b, [...m, 0, 0]);
}

describe.each(variants)("conv2d stride-1 forward paths (%s build)", (variant) => {
  const b = backendFor(variant);
  const k = b.kernels;
  const tiles = variant === "relaxed" ? [4, 6] : [4];
  for (const rows of tiles) {
    for (const [name, g] of geometries) {
      it(`${name}, ${rows}-row tiles`, () => {
        // A raw instance starts on 4-row tiles (the loader picks 6 where the engine keeps them).
        expect(k.sgemm_set_tile(rows)).toBe(rows);
        try {
          const [oh, ow] = outDims(g);
          const kd = (g.c / g.g) * g.kh * g.kw;
          const xs = randomArray(g.n * g.c * g.h * g.w, 21);
          const ws = randomArray(g.oc * kd, 22);
          const bs = randomArray(g.oc, 23);
          const want = reference(g, xs, ws, bs);
          const x = put(b, xs);
          const w = put(b, ws);
          const bias = put(b, bs);
          const m = meta(b, g);
          const floats = k.conv2d_workspace_f32(m);
          const guard = 64;
          const work = scratch(b, floats + guard, Number.NaN);
          b.f32().fill(1234.5, (work >>> 2) + floats, (work >>> 2) + floats + guard);
          const out = scratch(b, want.length);
          k.conv2d_f32(out, x, w, bias, work, m);
          const got = get(b, out, want.length);
          expectClose(got, want, 2e-5);
          const noBias = scratch(b, want.length);
          k.conv2d_f32(noBias, x, w, 0, work, m);
          const p = oh * ow;
          expectClose(
            get(b, noBias, want.length),
            want.map((v, i) => v - bs[Math.floor(i / p) % g.oc]),
            2e-5,
          );
          // Block by block, as the pool runs it (this thread's workspace: work + 0).
          const blocks = k.conv2d_fwd_blocks(m);
          const split = scratch(b, want.length);
          for (let i = 0; i < blocks; i++) k.conv2d_block_f32(split, x, w, bias, work, 0, m, i);
          const bits = new Uint32Array(get(b, split, want.length).buffer);
          const whole = new Uint32Array(got.buffer);
          expect(bits.every((v, i) => v === whole[i])).toBe(true);
          const tail = get(b, work + floats * 4, guard);
          expect(tail.every((v) => v === 1234.5)).toBe(true);
          for (const ptr of [x, w, bias, m, work, out, noBias, split]) k.free(ptr);
        } finally {
          k.sgemm_set_tile(4);
        }
      });
    }
  }
});
