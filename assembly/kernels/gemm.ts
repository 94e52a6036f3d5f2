/**
 * Single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
 *
 *   op(A) is M x K: transA == 0 reads A[i*lda + k], transA == 1 reads A[k*lda + i].
 *   op(B) is K x N: transB == 0 reads B[k*ldb + j], transB == 1 reads B[j*ldb + k].
 *   beta == 0 never reads C (it may hold NaN); alpha == 0 or K == 0 never reads A or B.
 *
 * The general path is the BLIS loop nest (Van Zee & van de Geijn, "BLIS: A Framework for
 * Rapidly Instantiating BLAS Functionality", 2015) around one register-tile microkernel in the
 * style of XNNPACK's f32-gemm 4x8 wasmsimd "loadsplat" kernels:
 *
 *   for jc in N step NC            B block KC x NC, packed, stays in L2
 *     for pc in K step KC          (beta applies on the first K block only, then C accumulates)
 *       pack op(B)[pc:, jc:] into 8-column panels: for each k, 8 contiguous floats
 *       for ic in M step MC
 *         pack op(A)[ic:, pc:] into 4-row panels: for each k, 4 contiguous floats
 *         for jr in panels of B    B micro-panel (KC x 8, 8 KB) stays in L1
 *           for ir in panels of A  A block streams from L2
 *             gemm_f32_4x8: 8 f32x4 accumulators, A broadcast, B two loads per k
 *
 * In the relaxed build, on engines that keep 15 v128 in registers, A panels have 6 rows and the
 * tile is gemm_f32_6x8 (12 accumulators), chosen at load time (sgemm_set_tile).
 *
 * Transposes are absorbed by the packing routines, so NN/NT/TN/TT all reach the same
 * microkernel. With one M block (M <= MC) each B panel is swept once, so it is packed just
 * before that sweep, two panels at a time, into a 16 KB buffer that stays in L1 (see
 * macroKernel). For small M, op(B) with transB == 0 is read in place (its rows already hold 8
 * contiguous columns) instead of packed. Edge panels (M % 4, N % 8) are packed with zero
 * padding, and edge tiles go through a scratch tile so only valid entries of C are written.
 *
 * Small problems take shorter paths, chosen by measurement (bench/gemm-probe.mjs):
 *   - at most TINY multiply-adds: a scalar triple loop (packing would cost more than the work);
 *   - NT with few rows: dot-product tiles over the rows of A and B, both contiguous along k,
 *     so B is never transposed (for M <= 8 that transpose costs as much as the product);
 *   - transB == 0 with M <= 3: rows of C accumulated 16 columns at a time over B in place,
 *     where 4-row tiles would be mostly padding (matrix-vector products, batch-1 layers).
 *
 * Packing buffers are static (memory.data): the kernel allocates nothing. They are shared by
 * every call, so one module instance must not run two sgemm calls at once (no re-entrancy;
 * threads will need one buffer set per worker).
 */
import { KC, kBlock } from "./blocking";
import { madd4 } from "./math";

const NR = 8;
/** M block: the packed A block (MC x KC, 128 KB) stays in L2 while B panels sweep it. */
const MC = 128;
/** Tallest register tile (6x8, relaxed build); sizes the scratch tile. */
const MR_MAX = 6;

/**
 * The tallest register tile in use: 4 (gemm_f32_4x8 only), or 6 once sgemm_set_tile has chosen
 * gemm_f32_6x8 (relaxed build only). With 6, A blocks are cut into 6-row panels and a few 4-row
 * ones (sixRows), padding at most one row per block.
 */
let tileRows = 4;

/**
 * Chooses the register tile: rows = 6 for gemm_f32_6x8 (relaxed build only), anything else for
 * gemm_f32_4x8. Returns the rows now in use (4 in the baseline build, whatever was asked).
 *
 * The choice depends on the engine, not on the problem: a 6x8 tile needs 15 live v128, and
 * older V8 (11.3 in Node 20, 12.4 in Node 22) spills two of them in the k loop (23 GFLOP/s
 * against 55 for 4x8), while V8 13.6 (Node 24) and Chromium 156 keep them all in registers
 * (58.4 against 55, bench/gemm-tiles.mjs). The loader decides from the engine's version. Both
 * tiles add the products of each C entry in the same order, so results do not change with it.
 */
export function sgemm_set_tile(rows: i32): i32 {
  tileRows = ASC_FEATURE_RELAXED_SIMD && rows == 6 ? 6 : 4;
  return tileRows;
}
/** N block: the packed B block (KC x NC, 512 KB) stays in L2 (1 MB per core here). */
const NC = 512;
/** Up to this many multiply-adds, a scalar loop beats packing. */
const TINY = 64;
/** NT problems up to this many rows (and K >= 32, or any K for M <= 2) use dot tiles. */
const DOT_M = 8;
/** transB == 0 problems up to this many rows read B in place rather than packing it. */
const DIRECT_B_M = 32;

// A margin of MR_MAX rows past MC: no blocking packs more than MC rows (see sixRows), but an
// overrun here would land in packB.
const packA: usize = memory.data((MC + MR_MAX) * KC * 4, 16);
const packB: usize = memory.data(KC * NC * 4, 16);
/** Two B panels packed just before use (B_FLY): 16 KB, stays in L1 while A panels sweep it. */
const panelB: usize = memory.data(KC * NR * 2 * 4, 64);
/** Edge tiles land here whole before their valid entries move to C; rowTail accumulates here. */
const tile: usize = memory.data(MR_MAX * NR * 4, 16);

/**
 * One 4x8 register tile: C[0:4, 0:8] = alpha * sum_k a_k b_k^T + beta * C over kc steps.
 * a: packed A panel, 4 floats per k. b: 8 floats per k, either a packed B panel (bStep == 0)
 * or B read in place (bStep = its k-stride in bytes). ldc in bytes. beta == 0 stores without
 * reading C.
 *
 * The packed case gets its own copy of the loop with a constant stride: V8 then keeps every
 * address in a register and the loop carries no spare integer work (+10-15% on the baseline
 * build; the two loops must live in one function, or V8 recomputes A's addresses per step).
 * The k loop is not unrolled: TurboFan hoists all loads of an iteration ahead of the
 * arithmetic, and two iterations' loads plus 8 accumulators overflow the 15 usable xmm
 * registers (measured -30%).
 */
function gemm_f32_4x8(
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  if (bStep == 0) tileBody(false, true, kc, a, b, NR * 4, c, ldc, alpha, beta);
  else tileBody(false, false, kc, a, b, bStep, c, ldc, alpha, beta);
}

/**
 * One 6x8 register tile, as gemm_f32_4x8 with a 6-row A panel: 12 accumulators, 2 B loads and
 * 6 broadcasts per k, so 15 live v128, all the xmm registers V8 allocates on x64. Used only in
 * the relaxed build (one instruction per product) and only where sgemm_set_tile chose it.
 */
function gemm_f32_6x8(
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  if (bStep == 0) tileBody(true, true, kc, a, b, NR * 4, c, ldc, alpha, beta);
  else tileBody(true, false, kc, a, b, bStep, c, ldc, alpha, beta);
}

/**
 * The body of both tiles. `six` and `packed` are constants at every call, so each call compiles
 * to its own loop with only its own accumulators (rows 4 and 5 vanish when `six` is false).
 */
// @ts-ignore: decorator
@inline function tileBody(
  six: bool,
  packed: bool,
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
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
  const aStep: usize = six ? 24 : 16;
  // Loop on one pointer: one fewer register and add than a separate counter. The packed copy
  // tests B and the strided one A, so that Binaryen cannot fold the two loops into one.
  const aEnd = a + <usize>kc * aStep;
  const bEnd = b + (<usize>kc << 5);
  while (packed ? b != bEnd : a != aEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
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
    if (six) {
      const a4 = v128.load32_splat(a, 16);
      c40 = madd4(a4, b0, c40);
      c41 = madd4(a4, b1, c41);
      const a5 = v128.load32_splat(a, 20);
      c50 = madd4(a5, b0, c50);
      c51 = madd4(a5, b1, c51);
    }
    a += aStep;
    b += bStep;
  }
  const va = f32x4.splat(alpha);
  if (beta == 0) {
    store2(c, c00, c01, va);
    c += ldc;
    store2(c, c10, c11, va);
    c += ldc;
    store2(c, c20, c21, va);
    c += ldc;
    store2(c, c30, c31, va);
    if (six) {
      c += ldc;
      store2(c, c40, c41, va);
      c += ldc;
      store2(c, c50, c51, va);
    }
  } else {
    const vb = f32x4.splat(beta);
    update2(c, c00, c01, va, vb);
    c += ldc;
    update2(c, c10, c11, va, vb);
    c += ldc;
    update2(c, c20, c21, va, vb);
    c += ldc;
    update2(c, c30, c31, va, vb);
    if (six) {
      c += ldc;
      update2(c, c40, c41, va, vb);
      c += ldc;
      update2(c, c50, c51, va, vb);
    }
  }
}

/** One tile of `rows` (4 or 6) rows. */
// @ts-ignore: decorator
@inline function gemmTile(
  rows: i32,
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  if (ASC_FEATURE_RELAXED_SIMD && rows == 6) gemm_f32_6x8(kc, a, b, bStep, c, ldc, alpha, beta);
  else gemm_f32_4x8(kc, a, b, bStep, c, ldc, alpha, beta);
}

// @ts-ignore: decorator
@inline function store2(c: usize, x0: v128, x1: v128, va: v128): void {
  v128.store(c, f32x4.mul(x0, va));
  v128.store(c, f32x4.mul(x1, va), 16);
}

// @ts-ignore: decorator
@inline function update2(c: usize, x0: v128, x1: v128, va: v128, vb: v128): void {
  v128.store(c, madd4(vb, v128.load(c), f32x4.mul(x0, va)));
  v128.store(c, madd4(vb, v128.load(c, 16), f32x4.mul(x1, va)), 16);
}

// ---------------------------------------------------------------------------------------------
// Packing. A panel holds, for each k, `width` contiguous floats (4 rows of op(A), or 8 columns
// of op(B)); lane l of step k comes from src + (l * laneStride + k * kStride) * 4.

/** Any panel, lanes >= `lanes` zero-filled: edge panels and odd layouts. */
function packEdge(
  dst: usize,
  width: i32,
  src: usize,
  laneStride: usize,
  kStride: usize,
  lanes: i32,
  kc: i32,
): void {
  const ls = laneStride << 2;
  const ks = kStride << 2;
  for (let k = 0; k < kc; k++) {
    let s = src;
    for (let l = 0; l < width; l++) {
      store<f32>(dst, l < lanes ? load<f32>(s) : 0);
      s += ls;
      dst += 4;
    }
    src += ks;
  }
}

/** Four rows, each contiguous along k (A with transA == 0, B with transB == 1): 4x4 transposes. */
// @ts-ignore: decorator
@inline function transpose4(dst: usize, dstStep: usize, r0: usize, rs: usize, kc: i32): void {
  const r1 = r0 + rs;
  const r2 = r1 + rs;
  const r3 = r2 + rs;
  let o: usize = 0;
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    const x0 = v128.load(r0 + o);
    const x1 = v128.load(r1 + o);
    const x2 = v128.load(r2 + o);
    const x3 = v128.load(r3 + o);
    const t0 = f32x4.shuffle(x0, x1, 0, 4, 1, 5);
    const t1 = f32x4.shuffle(x0, x1, 2, 6, 3, 7);
    const t2 = f32x4.shuffle(x2, x3, 0, 4, 1, 5);
    const t3 = f32x4.shuffle(x2, x3, 2, 6, 3, 7);
    v128.store(dst, f32x4.shuffle(t0, t2, 0, 1, 4, 5));
    v128.store(dst + dstStep, f32x4.shuffle(t0, t2, 2, 3, 6, 7));
    v128.store(dst + 2 * dstStep, f32x4.shuffle(t1, t3, 0, 1, 4, 5));
    v128.store(dst + 3 * dstStep, f32x4.shuffle(t1, t3, 2, 3, 6, 7));
    dst += 4 * dstStep;
    o += 16;
  }
  for (; k < kc; k++) {
    store<f32>(dst, load<f32>(r0 + o));
    store<f32>(dst, load<f32>(r1 + o), 4);
    store<f32>(dst, load<f32>(r2 + o), 8);
    store<f32>(dst, load<f32>(r3 + o), 12);
    dst += dstStep;
    o += 4;
  }
}

/** 4- or 6-row panel of op(A) from rows contiguous along k (transA == 0). */
function packA_rows(dst: usize, rows: i32, src: usize, lda: usize, kc: i32): void {
  const rs = lda << 2;
  if (rows == 4) {
    transpose4(dst, 16, src, rs, kc);
    return;
  }
  // Six rows: the first four by 4x4 transposes, then rows 4 and 5 pairwise.
  transpose4(dst, 24, src, rs, kc);
  const r4 = src + (rs << 2);
  const r5 = r4 + rs;
  dst += 16;
  for (let o: usize = 0; o < <usize>kc << 2; o += 4) {
    store<f32>(dst, load<f32>(r4 + o));
    store<f32>(dst, load<f32>(r5 + o), 4);
    dst += 24;
  }
}

/** 8-column panel of op(B) from columns contiguous along k (transB == 1). */
function packB_cols(dst: usize, src: usize, ldb: usize, kc: i32): void {
  transpose4(dst, 32, src, ldb << 2, kc);
  transpose4(dst + 16, 32, src + (ldb << 4), ldb << 2, kc);
}

/** 8-column panel of op(B) from rows contiguous along j (transB == 0). */
function packB_rows(dst: usize, src: usize, ldb: usize, kc: i32): void {
  const step = ldb << 2;
  for (let k = 0; k < kc; k++) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    src += step;
    dst += 32;
  }
}

/**
 * Two adjacent 8-column panels of op(B) from rows contiguous along j (transB == 0), the second
 * at dst + kc * 32: each 64-byte row segment is read once, whole, even where B's row stride
 * maps all of a panel's rows to the same cache sets (and one panel's rows would be evicted
 * before the next panel, in the same lines, is packed).
 */
function packB_rows2(dst: usize, src: usize, ldb: usize, kc: i32): void {
  const step = ldb << 2;
  const second = <usize>kc << 5;
  for (let k = 0; k < kc; k++) {
    v128.store(dst, v128.load(src));
    v128.store(dst, v128.load(src, 16), 16);
    v128.store(dst + second, v128.load(src, 32));
    v128.store(dst + second, v128.load(src, 48), 16);
    src += step;
    dst += 32;
  }
}

/** 4- or 6-row panel of op(A) from columns contiguous along i (transA == 1). */
function packA_cols(dst: usize, rows: i32, src: usize, lda: usize, kc: i32): void {
  const step = lda << 2;
  if (rows == 4) {
    for (let k = 0; k < kc; k++) {
      v128.store(dst, v128.load(src));
      src += step;
      dst += 16;
    }
    return;
  }
  for (let k = 0; k < kc; k++) {
    v128.store(dst, v128.load(src));
    store<u64>(dst, load<u64>(src, 16), 16);
    src += step;
    dst += 24;
  }
}

/**
 * One 8-column panel of op(B), `nr` <= 8 columns wide (zero-padded past nr), from src =
 * &op(B)[k0, j0] (transB == 0: B + (k0 * ldb + j0) floats; transB == 1: B + (j0 * ldb + k0)).
 */
function packBPanel(dst: usize, src: usize, ld: usize, transB: i32, kc: i32, nr: i32): void {
  if (nr < NR) {
    if (transB == 0) packEdge(dst, NR, src, 1, ld, nr, kc);
    else packEdge(dst, NR, src, ld, 1, nr, kc);
  } else if (transB == 0) {
    packB_rows(dst, src, ld, kc);
  } else {
    packB_cols(dst, src, ld, kc);
  }
}

/** Address of op(B)[pc, jc] in bytes, for packBPanel. */
// @ts-ignore: decorator
@inline function bPanelSrc(b: usize, ld: usize, transB: i32, pc: i32, jc: i32): usize {
  return transB == 0
    ? b + ((<usize>pc * ld + <usize>jc) << 2)
    : b + ((<usize>jc * ld + <usize>pc) << 2);
}

/**
 * Packs op(B)[pc:pc+kc, jc:jc+nc] into 8-column panels at `dst`; with `direct`, only the edge
 * one.
 */
function packBBlock(
  dst: usize,
  b: usize,
  ldb: i32,
  transB: i32,
  pc: i32,
  jc: i32,
  kc: i32,
  nc: i32,
  direct: bool,
): void {
  const ld = <usize>ldb;
  const panelBytes = <usize>kc << 5;
  let j = direct ? nc & ~(NR - 1) : 0;
  dst += <usize>(j >> 3) * panelBytes;
  if (transB == 0) {
    for (; j + 2 * NR <= nc; j += 2 * NR) {
      packB_rows2(dst, bPanelSrc(b, ld, 0, pc, jc + j), ld, kc);
      dst += panelBytes << 1;
    }
  }
  for (; j < nc; j += NR) {
    packBPanel(dst, bPanelSrc(b, ld, transB, pc, jc + j), ld, transB, kc, min(NR, nc - j));
    dst += panelBytes;
  }
}

/**
 * Rows of an mc-row A block covered by 6-row panels (the last of which may be partial); the
 * rest go to 4-row panels, the last one possibly partial. 0 unless the 6x8 tile is in use. By
 * the remainder r = mc % 6:
 *   r = 0: all rows;                           r = 4: then one 4-row panel;
 *   r = 2: then two 4-row panels (mc >= 8);    r = 1: then 4 + 3 rows (mc >= 7);
 *   r = 3: then one 3-row panel;               r = 5: the last 6-row panel holds 5 rows.
 * At most one padded row from mc = 7 up, so a block of at most MC rows never packs more than
 * MC rows: packA holds them. (Taking r = 1 as a 1-row panel would pack 130 rows for mc = 127.)
 */
// @ts-ignore: decorator
@inline function sixRows(mc: i32): i32 {
  if (tileRows != 6) return 0;
  const r = mc % 6;
  if (r == 2 && mc >= 8) return mc - 8;
  if (r == 1 && mc >= 7) return mc - 7;
  if (r == 5) return mc + 1;
  return mc - r;
}

/**
 * Packs op(A)[ic:ic+mc, pc:pc+kc] into panels of 6 rows (the first sixRows(mc)) and 4 rows, the
 * last one zero-padded. (Reading transA == 1 panels in place, as B is, measured no faster at any
 * M: packing A is a plain copy there and the packed kernel loop is tighter.)
 */
function packABlock(a: usize, lda: i32, transA: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  const ld = <usize>lda;
  const six = sixRows(mc);
  // Address of op(A)[ic + i, pc]: rows are lda apart (transA == 0) or adjacent (transA == 1).
  const src = transA == 0
    ? a + ((<usize>ic * ld + <usize>pc) << 2)
    : a + ((<usize>pc * ld + <usize>ic) << 2);
  const rowStep: usize = transA == 0 ? ld << 2 : 4;
  let dst = packA;
  for (let i = 0; i < mc; ) {
    const rows = i < six ? 6 : 4;
    const s = src + <usize>i * rowStep;
    if (i + rows > mc) {
      if (transA == 0) packEdge(dst, rows, s, ld, 1, mc - i, kc);
      else packEdge(dst, rows, s, 1, ld, mc - i, kc);
    } else if (transA == 0) {
      packA_rows(dst, rows, s, ld, kc);
    } else {
      packA_cols(dst, rows, s, ld, kc);
    }
    dst += <usize>(kc * rows) << 2;
    i += rows;
  }
}

/** Where macroKernel's B panels come from. */
const B_PACKED = 0; // all panels of the block packed beforehand (packB, or a prepacked operand)
const B_DIRECT = 1; // read in place (transB == 0), except the edge panel, packed beforehand
const B_FLY = 2; // panels packed (two at a time) into panelB just before the A panels sweep them

/**
 * All tiles (4x8, and 6x8 where chosen) of one (MC x NC) block of C over one K block. bSrc = &op(B)[pc, jc] (see
 * packBPanel), ldb and transB describe B for the B_DIRECT and B_FLY modes.
 */
function macroKernel(
  c: usize,
  ldc: i32,
  bPanels: usize,
  bSrc: usize,
  ldb: i32,
  transB: i32,
  bMode: i32,
  mc: i32,
  nc: i32,
  kc: i32,
  alpha: f32,
  beta: f32,
): void {
  const ld = <usize>ldb;
  const ldcBytes = <usize>ldc << 2;
  const bPanelBytes = <usize>kc << 5;
  const six = sixRows(mc);
  const nFull = nc & ~(NR - 1);
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const direct = bMode == B_DIRECT && j < nFull;
    let bp = bPanels + <usize>(j >> 3) * bPanelBytes;
    if (direct) {
      bp = bSrc + (<usize>j << 2);
    } else if (bMode == B_FLY) {
      // Panels are packed in pairs where possible (see packB_rows2); the second of a pair
      // waits at panelB + bPanelBytes.
      bp = panelB + ((<usize>j & NR) != 0 ? bPanelBytes : 0);
      if ((j & NR) == 0) {
        const src = bSrc + ((transB == 0 ? <usize>j : <usize>j * ld) << 2);
        if (transB == 0 && j + 2 * NR <= nc) {
          packB_rows2(bp, src, ld, kc);
        } else {
          packBPanel(bp, src, ld, transB, kc, nr);
          if (j + NR < nc) {
            const src2 = src + ((transB == 0 ? <usize>NR : <usize>NR * ld) << 2);
            packBPanel(bp + bPanelBytes, src2, ld, transB, kc, min(NR, nc - j - NR));
          }
        }
      }
    }
    const bStep = direct ? ld << 2 : 0;
    let ap = packA;
    let cp = c + (<usize>j << 2);
    for (let i = 0; i < mc; ) {
      const rows = i < six ? 6 : 4;
      if (i + rows <= mc && j < nFull) {
        gemmTile(rows, kc, ap, bp, bStep, cp, ldcBytes, alpha, beta);
      } else {
        // Edge tile: compute all of it into the scratch tile, then keep the valid part.
        gemmTile(rows, kc, ap, bp, bStep, tile, NR * 4, alpha, 0);
        mergeTile(cp, ldcBytes, min(rows, mc - i), nr, beta);
      }
      ap += <usize>(kc * rows) << 2;
      cp += ldcBytes * <usize>rows;
      i += rows;
    }
  }
}

/** C[0:mr, 0:nr] = tile + beta * C, touching nothing outside. */
function mergeTile(c: usize, ldc: usize, mr: i32, nr: i32, beta: f32): void {
  let t = tile;
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(t + o);
      if (beta != 0) v += beta * load<f32>(c + o);
      store<f32>(c + o, v);
    }
    c += ldc;
    t += NR * 4;
  }
}

// ---------------------------------------------------------------------------------------------
// NT for small M, unpacked: C[i, j] = dot(A row i, B row j), both rows contiguous along k.

/** [sum(x0), sum(x1), sum(x2), sum(x3)]. */
// @ts-ignore: decorator
@inline function hsum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const t0 = f32x4.add(f32x4.shuffle(x0, x1, 0, 4, 1, 5), f32x4.shuffle(x0, x1, 2, 6, 3, 7));
  const t1 = f32x4.add(f32x4.shuffle(x2, x3, 0, 4, 1, 5), f32x4.shuffle(x2, x3, 2, 6, 3, 7));
  return f32x4.add(f32x4.shuffle(t0, t1, 0, 1, 4, 5), f32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

/** alpha * x + beta * C for 4 contiguous entries of C; beta == 0 does not read C. */
// @ts-ignore: decorator
@inline function store4(c: usize, x: v128, alpha: f32, beta: f32): void {
  let v = f32x4.mul(x, f32x4.splat(alpha));
  if (beta != 0) v = madd4(f32x4.splat(beta), v128.load(c), v);
  v128.store(c, v);
}

/**
 * Two rows of A (a, a + ra) against four rows of B (b + 0..3 * rb): 8 f32x4 accumulators over
 * k in steps of 4, the same 6 loads per 8 multiply-adds as gemm_f32_4x8, then a horizontal
 * sum. Writes C[0:2, 0:4].
 */
function dot_f32_2x4(
  k: i32,
  a: usize,
  ra: usize,
  b: usize,
  rb: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  dotTile(true, k, a, ra, b, rb, c, ldc, alpha, beta);
}

/** One row of A against four rows of B: for M == 1 (matrix-vector) and an odd last row. */
function dot_f32_1x4(k: i32, a: usize, b: usize, rb: usize, c: usize, alpha: f32, beta: f32): void {
  dotTile(false, k, a, 0, b, rb, c, 0, alpha, beta);
}

// @ts-ignore: decorator
@inline function dotTile(
  two: bool,
  k: i32,
  a: usize,
  ra: usize,
  b: usize,
  rb: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  const a1 = a + ra;
  const b1 = b + rb;
  const b2 = b1 + rb;
  const b3 = b2 + rb;
  let s00 = f32x4.splat(0);
  let s01 = f32x4.splat(0);
  let s02 = f32x4.splat(0);
  let s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0);
  let s11 = f32x4.splat(0);
  let s12 = f32x4.splat(0);
  let s13 = f32x4.splat(0);
  const end = <usize>(k & ~3) << 2;
  for (let o: usize = 0; o != end; o += 16) {
    const x0 = v128.load(a + o);
    const y0 = v128.load(b + o);
    const y1 = v128.load(b1 + o);
    const y2 = v128.load(b2 + o);
    const y3 = v128.load(b3 + o);
    s00 = madd4(x0, y0, s00);
    s01 = madd4(x0, y1, s01);
    s02 = madd4(x0, y2, s02);
    s03 = madd4(x0, y3, s03);
    if (two) {
      const x1 = v128.load(a1 + o);
      s10 = madd4(x1, y0, s10);
      s11 = madd4(x1, y1, s11);
      s12 = madd4(x1, y2, s12);
      s13 = madd4(x1, y3, s13);
    }
  }
  let r0 = hsum4(s00, s01, s02, s03);
  let r1 = two ? hsum4(s10, s11, s12, s13) : r0;
  for (let o = end; o != <usize>k << 2; o += 4) {
    let y = f32x4.splat(load<f32>(b + o));
    y = f32x4.replace_lane(y, 1, load<f32>(b1 + o));
    y = f32x4.replace_lane(y, 2, load<f32>(b2 + o));
    y = f32x4.replace_lane(y, 3, load<f32>(b3 + o));
    r0 = madd4(v128.load32_splat(a + o), y, r0);
    if (two) r1 = madd4(v128.load32_splat(a1 + o), y, r1);
  }
  store4(c, r0, alpha, beta);
  if (two) store4(c + ldc, r1, alpha, beta);
}

/** One dot product of k floats, for the columns left over from the 4-column tiles. */
function dot1(k: i32, a: usize, b: usize): f32 {
  let s = f32x4.splat(0);
  const end = <usize>(k & ~3) << 2;
  let o: usize = 0;
  for (; o != end; o += 16) s = madd4(v128.load(a + o), v128.load(b + o), s);
  const h = f32x4.add(s, f32x4.shuffle(s, s, 2, 3, 0, 1));
  let r = f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
  for (; o != <usize>k << 2; o += 4) r += load<f32>(a + o) * load<f32>(b + o);
  return r;
}

/** NT (A[i*lda + k], B[j*ldb + k]) with small M: 2x4 dot tiles, no packing. ra/rb in bytes. */
function gemmDotNT(
  c: usize,
  ldc: i32,
  a: usize,
  ra: usize,
  b: usize,
  rb: usize,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i += 2) {
    const ai = a + <usize>i * ra;
    const ci = c + <usize>i * ldcBytes;
    const rows = min(2, m - i);
    for (let j = 0; j < n4; j += 4) {
      const bj = b + <usize>j * rb;
      const cj = ci + (<usize>j << 2);
      if (rows == 2) dot_f32_2x4(k, ai, ra, bj, rb, cj, ldcBytes, alpha, beta);
      else dot_f32_1x4(k, ai, bj, rb, cj, alpha, beta);
    }
    for (let r = 0; r < rows; r++) {
      const ar = ai + <usize>r * ra;
      const cr = ci + <usize>r * ldcBytes;
      for (let jj = n4; jj < n; jj++) {
        const p = cr + (<usize>jj << 2);
        let v = alpha * dot1(k, ar, b + <usize>jj * rb);
        if (beta != 0) v += beta * load<f32>(p);
        store<f32>(p, v);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// M <= 3 with transB == 0, unpacked: rows of C accumulate A(i,k) * B row k (16 columns at a
// time), where 4-row tiles would be mostly padding (matrix-vector products, batch-1 layers).

/**
 * C[0:1|2, 0:16] = alpha * sum_k A(r,k) B[k, 0:16] + beta * C. A(r,k) at a + r*ra + k*aStep,
 * B row k at b + k*bStep (bytes). 8 accumulators and 6 loads per k, as in gemm_f32_4x8.
 */
// @ts-ignore: decorator
@inline function rowTile(
  two: bool,
  k: i32,
  a: usize,
  ra: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  let s00 = f32x4.splat(0);
  let s01 = f32x4.splat(0);
  let s02 = f32x4.splat(0);
  let s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0);
  let s11 = f32x4.splat(0);
  let s12 = f32x4.splat(0);
  let s13 = f32x4.splat(0);
  const aEnd = a + <usize>k * aStep;
  while (a != aEnd) {
    const y0 = v128.load(b);
    const y1 = v128.load(b, 16);
    const y2 = v128.load(b, 32);
    const y3 = v128.load(b, 48);
    const x0 = v128.load32_splat(a);
    s00 = madd4(x0, y0, s00);
    s01 = madd4(x0, y1, s01);
    s02 = madd4(x0, y2, s02);
    s03 = madd4(x0, y3, s03);
    if (two) {
      const x1 = v128.load32_splat(a + ra);
      s10 = madd4(x1, y0, s10);
      s11 = madd4(x1, y1, s11);
      s12 = madd4(x1, y2, s12);
      s13 = madd4(x1, y3, s13);
    }
    a += aStep;
    b += bStep;
  }
  store4(c, s00, alpha, beta);
  store4(c + 16, s01, alpha, beta);
  store4(c + 32, s02, alpha, beta);
  store4(c + 48, s03, alpha, beta);
  if (two) {
    store4(c + ldc, s10, alpha, beta);
    store4(c + ldc + 16, s11, alpha, beta);
    store4(c + ldc + 32, s12, alpha, beta);
    store4(c + ldc + 48, s13, alpha, beta);
  }
}

function gemm_f32_2x16(
  k: i32,
  a: usize,
  ra: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  rowTile(true, k, a, ra, aStep, b, bStep, c, ldc, alpha, beta);
}

function gemm_f32_1x16(
  k: i32,
  a: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  c: usize,
  alpha: f32,
  beta: f32,
): void {
  rowTile(false, k, a, 0, aStep, b, bStep, c, 0, alpha, beta);
}

/** transB == 0, M <= 3: 2x16 and 1x16 tiles over B in place; the last n % 16 columns scalar. */
function gemmRowsN(
  c: usize,
  ldc: i32,
  a: usize,
  ra: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  const n16 = n & ~15;
  for (let i = 0; i < m; i += 2) {
    const ai = a + <usize>i * ra;
    const ci = c + <usize>i * ldcBytes;
    const rows = min(2, m - i);
    const two = rows == 2;
    for (let j = 0; j < n16; j += 16) {
      const bj = b + (<usize>j << 2);
      const cj = ci + (<usize>j << 2);
      if (two) gemm_f32_2x16(k, ai, ra, aStep, bj, bStep, cj, ldcBytes, alpha, beta);
      else gemm_f32_1x16(k, ai, aStep, bj, bStep, cj, alpha, beta);
    }
    for (let r = 0; r < rows; r++) {
      const cr = ci + <usize>r * ldcBytes;
      rowTail(cr, ai + <usize>r * ra, aStep, b, bStep, n16, n, k, alpha, beta);
    }
  }
}

/** C[j0:n] of one row, accumulated k-outer in the scratch tile so B is read along its rows. */
function rowTail(
  c: usize,
  a: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  j0: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  if (j0 >= n) return;
  const w = <usize>(n - j0) << 2;
  memory.fill(tile, 0, w);
  b += <usize>j0 << 2;
  for (let p = 0; p < k; p++) {
    const x = load<f32>(a);
    for (let o: usize = 0; o < w; o += 4) {
      store<f32>(tile + o, load<f32>(tile + o) + x * load<f32>(b + o));
    }
    a += aStep;
    b += bStep;
  }
  c += <usize>j0 << 2;
  for (let o: usize = 0; o < w; o += 4) {
    let v = alpha * load<f32>(tile + o);
    if (beta != 0) v += beta * load<f32>(c + o);
    store<f32>(c + o, v);
  }
}

/** C = beta * C; beta == 0 writes zeros without reading C. */
function scaleC(c: usize, ldc: i32, m: i32, n: i32, beta: f32): void {
  if (beta == 1) return;
  const ldcBytes = <usize>ldc << 2;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const p = c + (<usize>j << 2);
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
    c += ldcBytes;
  }
}

/** Straight triple loop for tiny problems, any layout: A(i,k) at a + (i*ars + k*acs)*4. */
function gemmScalar(
  c: usize,
  ldc: i32,
  a: usize,
  ars: usize,
  acs: usize,
  b: usize,
  brs: usize,
  bcs: usize,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  const aks = acs << 2;
  const bks = brs << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + ((<usize>i * ars) << 2);
    for (let j = 0; j < n; j++) {
      let pa = ai;
      let pb = b + ((<usize>j * bcs) << 2);
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) {
        acc += load<f32>(pa) * load<f32>(pb);
        pa += aks;
        pb += bks;
      }
      const pc = c + (<usize>j << 2);
      let v = alpha * acc;
      if (beta != 0) v += beta * load<f32>(pc);
      store<f32>(pc, v);
    }
    c += ldcBytes;
  }
}

/**
 * C[M x N] = alpha * op(A)[M x K] * op(B)[K x N] + beta * C (row-major, leading dimensions in
 * elements). transA/transB: 0 = as stored, 1 = transposed (see the file comment).
 */
export function sgemm_f32(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    scaleC(c, ldc, m, n, beta);
    return;
  }
  const la = <usize>lda;
  const lb = <usize>ldb;
  if (<i64>m * <i64>n * <i64>k <= TINY) {
    const ars: usize = transA == 0 ? la : 1;
    const acs: usize = transA == 0 ? 1 : la;
    const brs: usize = transB == 0 ? lb : 1;
    const bcs: usize = transB == 0 ? 1 : lb;
    gemmScalar(c, ldc, a, ars, acs, b, brs, bcs, m, n, k, alpha, beta);
    return;
  }
  if (transA == 0 && transB != 0 && (m <= 2 || (m <= DOT_M && k >= 32))) {
    gemmDotNT(c, ldc, a, la << 2, b, lb << 2, m, n, k, alpha, beta);
    return;
  }
  if (transB == 0 && m <= 3 && n >= 16) {
    const ra: usize = transA == 0 ? la << 2 : 4;
    const aStep: usize = transA == 0 ? 4 : la << 2;
    gemmRowsN(c, ldc, a, ra, aStep, b, lb << 2, m, n, k, alpha, beta);
    return;
  }
  gemmBlocked(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta, 0);
}

/**
 * The BLIS loop nest of the file comment. With `prepacked` (from sgemm_pack_b_f32), B's panels
 * are read from there and b, ldb and transB are unused.
 */
function gemmBlocked(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
  prepacked: usize,
): void {
  const lb = <usize>ldb;
  const kcMax = kBlock(k);
  // Reading B in place saves the packing pass while B is re-read only a few times (small M);
  // for larger M, packing wins (strided panels miss in cache and TLB). Crossover measured on
  // Zen 4 between M = 32 and 64.
  // Rows of B a multiple of 2 KB apart map to a few L1 sets, and the 8-wide reads of a panel
  // then evict each other (32x1024x144 runs at a third of the speed of 32x1032x144): pack those.
  const bDirect = prepacked == 0 && transB == 0 && m <= DIRECT_B_M && (ldb & 511) != 0;
  // With one M block, each B panel is swept by the A panels once and never again: pack it just
  // before that sweep, so it goes to L1 and is read back from there, instead of packing the
  // whole KC x NC block out to L2 first.
  const bMode = prepacked != 0 ? B_PACKED : bDirect ? B_DIRECT : m <= MC ? B_FLY : B_PACKED;
  const n8 = <usize>((n + 7) & ~7);
  const ldcBytes = <usize>ldc << 2;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      const betaBlk: f32 = pc == 0 ? beta : 1;
      let panels = packB;
      if (prepacked != 0) panels = prepacked + ((<usize>pc * n8 + <usize>(jc >> 3) * <usize>kc * 8) << 2);
      else if (bMode != B_FLY) packBBlock(packB, b, ldb, transB, pc, jc, kc, nc, bDirect);
      const bSrc = bPanelSrc(b, lb, transB, pc, jc);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        packABlock(a, lda, transA, ic, pc, mc, kc);
        const cBlk = c + <usize>ic * ldcBytes + (<usize>jc << 2);
        macroKernel(cBlk, ldc, panels, bSrc, ldb, transB, bMode, mc, nc, kc, alpha, betaBlk);
      }
    }
  }
}

/**
 * `batch` independent sgemm_f32 problems; operand p starts at base + p * stride * 4 bytes
 * (strides in elements). A stride of 0 broadcasts that operand; a C stride of 0 with beta == 1
 * sums every product into one C.
 */
export function sgemm_batched_f32(
  c: usize,
  ldc: i32,
  strideC: i32,
  a: usize,
  lda: i32,
  strideA: i32,
  b: usize,
  ldb: i32,
  strideB: i32,
  batch: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
): void {
  const sc = <usize>strideC << 2;
  const sa = <usize>strideA << 2;
  const sb = <usize>strideB << 2;
  for (let p = 0; p < batch; p++) {
    sgemm_f32(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta);
    c += sc;
    a += sa;
    b += sb;
  }
}

// ---------------------------------------------------------------------------------------------
// Prepacked B: an operand used by many products (a recurrent weight, read once per time step) is
// packed once, and each product then packs only A. Layout: K blocks as gemmBlocked cuts them
// (equal blocks of at most KC rows); block p (first row pc, kc rows) starts at float
// pc * N8 (N8 = N rounded up to 8) and holds ceil(N / 8) panels of kc x 8 floats, zero-padded.

/** dst (K * N8 floats) = op(B) [K x N] prepacked for sgemm_prepacked_f32. */
export function sgemm_pack_b_f32(dst: usize, b: usize, ldb: i32, k: i32, n: i32, transB: i32): void {
  if (k <= 0 || n <= 0) return;
  const n8 = <usize>((n + 7) & ~7);
  const kcMax = kBlock(k);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    packBBlock(dst + ((<usize>pc * n8) << 2), b, ldb, transB, pc, 0, kc, n, false);
  }
}

/**
 * C[M x N] = alpha * op(A) * B + beta * C with B prepacked by sgemm_pack_b_f32 (same K and N).
 * Same conventions as sgemm_f32 (beta == 0 never reads C).
 */
export function sgemm_prepacked_f32(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  packed: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  alpha: f32,
  beta: f32,
): void {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0) {
    scaleC(c, ldc, m, n, beta);
    return;
  }
  gemmBlocked(c, ldc, a, lda, 0, 0, m, n, k, transA, 0, alpha, beta, packed);
}
