/**
 * conv2d's forward for stride-1 convolutions as an implicit GEMM over padded planes, with no
 * im2col matrix: out[OCg x P] = W[OCg x Kd] · col[Kd x P] where column p of col is never
 * written out. In the zero-padded planes of assembly/kernels/conv.ts (row width WP = OW +
 * (KW - 1) * DW), the 8 inputs that tap (i, j) of channel c meets at 8 consecutive output
 * pixels (oy, ox .. ox + 8) are 8 consecutive floats of the plane, at (oy + i * DH) * WP + ox +
 * j * DW: the register tile's B operand is read straight from there, as XNNPACK's igemm reads
 * it through an indirection buffer (Dukhan, "The Indirect Convolution Algorithm", 2019).
 *
 * A register tile is R output channels (R = 4, or 6 where sgemm chose its 6x8 tile) by 8
 * pixels of one output row, summed over taps (outer) and channels (inner, B a plane apart per
 * step): the same loads and multiply-adds per step as sgemm's tiles. The weights are packed once
 * per call into R-row panels in that order. Loop nest, per image and group:
 *
 *   for each block of output channels      its panels (<= A_BLOCK_BYTES) stay in L2
 *     for each block of input channels     (<= CB channels: a tile's B rows stay in L1)
 *       for each output row and 8 pixels   B: CB channels x KH rows x (8 + (KW-1)*DW) floats
 *         for each R-row panel             A streams from L2
 *           tile: accumulators += A · B, then out = sum + bias (first channel block) or
 *                 out += sum (later blocks)
 *
 * Each output element gets the same products in the same order whichever rows or images a
 * call covers, so splitting the work over threads cannot change the bits. Tiles past the last
 * output channel or pixel run whole into a scratch tile and keep only their valid part; the
 * pixels they compute past the row end read the row's padding and the next row (or the slack
 * after the planes) and are dropped.
 */
import { NR, tile as scratchTile, tileRows } from "./gemm/scratch";
import { madd4 } from "./math";

/** Input channels per block: a tile's B rows (CB x KH x about 2 cache lines) stay in L1. */
const CB = 64;
/** Packed weights per block of output channels, streamed from L2 by every tile. */
const A_BLOCK_BYTES: i32 = 196608;
/** Floats a tile may read past the last padded plane (pixels past the row end). */
export const DIRECT_SLACK = 16;
/** Tallest panel: the packing's workspace bound. */
const R_MAX = 6;

/** Floats of packed weights for OCg output channels and Kd = Cg * taps columns. */
export function directPackedFloats(ocg: i32, kd: i32): i64 {
  return (<i64>ocg + R_MAX - 1) * <i64>kd;
}

/**
 * Rows per panel: 6 where sgemm chose its 6x8 tile (relaxed build: 12 accumulators, 2 B vectors
 * and a broadcast in 15 registers), else 4. (A 5x8 tile without fused multiply-add needs 14
 * registers as written, but TurboFan hoists all five broadcasts of a step above the arithmetic
 * and then spills: measured slower than 4x8 on V8 11.3.)
 */
export function panelRowsOf(): i32 {
  return tileRows == 6 ? 6 : 4;
}

/** Channels per input-channel block: equal blocks of at most CB. */
export function channelBlock(cg: i32): i32 {
  const blocks = (cg + CB - 1) / CB;
  return (cg + blocks - 1) / blocks;
}

/**
 * dst = the weights of one group (w: OCg x Cg x KH x KW) in panels of R rows: panel p, then
 * channel block, then tap, then channel, then the R rows' weights (zeros past OCg).
 */
export function directPackWeights(dst: usize, w: usize, ocg: i32, cg: i32, taps: i32): void {
  const cb = channelBlock(cg);
  const kd = cg * taps;
  const r = panelRowsOf();
  let d = dst;
  for (let o0 = 0; o0 < ocg; o0 += r) {
    for (let c0 = 0; c0 < cg; c0 += cb) {
      const cn = min(cb, cg - c0);
      for (let t = 0; t < taps; t++) {
        for (let c = c0; c < c0 + cn; c++) {
          for (let i = 0; i < r; i++) {
            const o = o0 + i;
            const v: f32 = o < ocg ? load<f32>(w + ((<usize>o * <usize>kd + <usize>(c * taps + t)) << 2)) : 0;
            store<f32>(d, v);
            d += 4;
          }
        }
      }
    }
  }
}

/** Geometry of one directConv call (set by directConv, read by the tiles). */
let KH_ = 0;
let KW_ = 0;
let ROW_BYTES: usize = 0;
let COL_BYTES: usize = 0;
let PLANE_BYTES: usize = 0;

/**
 * Output rows r0 .. r1 of one image and group: out (its OCg planes of OH x OW, planeOut floats
 * apart), pad (its Cg padded planes, pp floats apart, rows WP wide), packed (directPackWeights),
 * bias (OCg floats, or 0).
 */
export function directConv(
  out: usize, planeOut: i32, ow: i32, pad: usize, pp: i32, wp: i32, packed: usize, bias: usize,
  ocg: i32, cg: i32, kh: i32, kw: i32, dh: i32, dw: i32, r0: i32, r1: i32,
): void {
  const taps = kh * kw;
  const cb = channelBlock(cg);
  const r = panelRowsOf();
  setTileWalk(kh, kw, <usize>(dh * wp) << 2, <usize>dw << 2, <usize>pp << 2);
  const outPlaneBytes = <usize>planeOut << 2;
  // Blocks of panels whose weights for one channel block fit in A_BLOCK_BYTES (at least one).
  const rowBytes = (cb * taps) << 2;
  for (let b0 = 0; b0 < ocg; ) {
    let b1 = b0 + r;
    while (b1 < ocg && (b1 + r - b0) * rowBytes <= A_BLOCK_BYTES) b1 += r;
    for (let c0 = 0; c0 < cg; c0 += cb) {
      const cn = min(cb, cg - c0);
      const first = c0 == 0;
      for (let oy = r0; oy < r1; oy++) {
        const bRow = pad + ((<usize>c0 * <usize>pp + <usize>oy * <usize>wp) << 2);
        for (let ox = 0; ox < ow; ox += NR) {
          const cols = min(NR, ow - ox);
          const b = bRow + (<usize>ox << 2);
          const cPix = out + ((<usize>oy * <usize>ow + <usize>ox) << 2);
          for (let o0 = b0; o0 < b1; o0 += r) {
            const rows = min(r, ocg - o0);
            // Panel o0 starts o0 * Kd floats in; its channel block c0 starts c0 * taps * r in.
            const a = packed + ((<usize>o0 * <usize>(cg * taps) + <usize>(c0 * taps * r)) << 2);
            const c = cPix + <usize>o0 * outPlaneBytes;
            const bp = first && bias != 0 ? bias + (<usize>o0 << 2) : 0;
            if (rows == r && cols == NR) {
              directTile(r, cn, a, b, c, outPlaneBytes, first, bp);
            } else {
              edgeTile(r, rows, cols, cn, a, b, c, outPlaneBytes, first, bp);
            }
          }
        }
      }
    }
    b0 = b1;
  }
}

/**
 * Sets the B walk of the tiles: KH x KW taps, rowBytes and colBytes apart, each a run of
 * channels planeBytes apart. (A plain GEMM over B rows ld floats apart is 1, 1, 0, 0, ld * 4.)
 */
export function setTileWalk(kh: i32, kw: i32, rowBytes: usize, colBytes: usize, planeBytes: usize): void {
  KH_ = kh;
  KW_ = kw;
  ROW_BYTES = rowBytes;
  COL_BYTES = colBytes;
  PLANE_BYTES = planeBytes;
}

/** A tile with fewer than R valid rows or 8 valid pixels: whole into the scratch tile, then merged. */
export function edgeTile(
  r: i32, rows: i32, cols: i32, cn: i32, a: usize, b: usize, c: usize, ldc: usize, first: bool, bias: usize,
): void {
  directTile(r, cn, a, b, scratchTile, NR * 4, true, 0);
  let t = scratchTile;
  for (let i = 0; i < rows; i++) {
    // As finish() would: the sum alone, + bias, or + C, so edge and whole tiles agree bit for bit.
    const add: f32 = first && bias != 0 ? load<f32>(bias + (<usize>i << 2)) : 0;
    for (let j = 0; j < cols; j++) {
      const o = <usize>j << 2;
      const s = load<f32>(t + o);
      store<f32>(c + o, !first ? s + load<f32>(c + o) : bias != 0 ? s + add : s);
    }
    c += ldc;
    t += NR * 4;
  }
}

/** One tile of directConv, r (4 or 6) rows: each r compiles to its own loop. */
export function directTile(
  r: i32, cn: i32, a: usize, b: usize, c: usize, ldc: usize, first: bool, bias: usize,
): void {
  if (ASC_FEATURE_RELAXED_SIMD && r == 6) tileBody(6, cn, a, b, c, ldc, first, bias);
  else tileBody(4, cn, a, b, c, ldc, first, bias);
}

// @ts-ignore: decorator
@inline function tileBody(
  r: i32, cn: i32, a: usize, b: usize, c: usize, ldc: usize, first: bool, bias: usize,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0);
  let c51 = f32x4.splat(0);
  const aStep = <usize>r << 2;
  const run = <usize>cn * aStep;
  const planeBytes = PLANE_BYTES;
  let bi = b;
  for (let i = 0; i < KH_; i++) {
    let bj = bi;
    for (let j = 0; j < KW_; j++) {
      let bp = bj;
      const aEnd = a + run;
      while (a != aEnd) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const a0 = v128.load32_splat(a);
        c00 = madd4(a0, b0, c00);
        c01 = madd4(a0, b1, c01);
        const a1 = v128.load32_splat(a, 4);
        c10 = madd4(a1, b0, c10);
        c11 = madd4(a1, b1, c11);
        const a2 = v128.load32_splat(a, 8);
        c20 = madd4(a2, b0, c20);
        c21 = madd4(a2, b1, c21);
        const a3 = v128.load32_splat(a, 12);
        c30 = madd4(a3, b0, c30);
        c31 = madd4(a3, b1, c31);
        if (r == 6) {
          const a4 = v128.load32_splat(a, 16);
          c40 = madd4(a4, b0, c40);
          c41 = madd4(a4, b1, c41);
          const a5 = v128.load32_splat(a, 20);
          c50 = madd4(a5, b0, c50);
          c51 = madd4(a5, b1, c51);
        }
        a += aStep;
        bp += planeBytes;
      }
      bj += COL_BYTES;
    }
    bi += ROW_BYTES;
  }
  finish(c, c00, c01, first, bias, 0);
  c += ldc;
  finish(c, c10, c11, first, bias, 4);
  c += ldc;
  finish(c, c20, c21, first, bias, 8);
  c += ldc;
  finish(c, c30, c31, first, bias, 12);
  if (r == 6) {
    c += ldc;
    finish(c, c40, c41, first, bias, 16);
    c += ldc;
    finish(c, c50, c51, first, bias, 20);
  }
}

/** One tile row out: sum + bias (first channel block; bias 0: none), else C += sum. */
// @ts-ignore: decorator
@inline function finish(c: usize, x0: v128, x1: v128, first: bool, bias: usize, at: usize): void {
  if (!first) {
    x0 = f32x4.add(x0, v128.load(c));
    x1 = f32x4.add(x1, v128.load(c, 16));
  } else if (bias != 0) {
    const v = v128.load32_splat(bias + at);
    x0 = f32x4.add(x0, v);
    x1 = f32x4.add(x1, v);
  }
  v128.store(c, x0);
  v128.store(c, x1, 16);
}
