/**
 * Packing of op(A) and op(B) into the panels the register tiles read. Transposes are absorbed
 * here, so NN/NT/TN/TT all reach the same microkernel.
 */
import { MC, NR, packA, tileRows } from "./scratch";

// ---------------------------------------------------------------------------------------------
// Packing. A panel holds, for each k, `width` contiguous floats (4 rows of op(A), or 8 columns
// of op(B)); lane l of step k comes from src + (l * laneStride + k * kStride) * 4.

/** Any panel, lanes >= `lanes` zero-filled: edge panels and odd layouts. */
export function packEdge(
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
export function packB_rows2(dst: usize, src: usize, ldb: usize, kc: i32): void {
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
export function packBPanel(dst: usize, src: usize, ld: usize, transB: i32, kc: i32, nr: i32): void {
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
@inline export function bPanelSrc(b: usize, ld: usize, transB: i32, pc: i32, jc: i32): usize {
  return transB == 0
    ? b + ((<usize>pc * ld + <usize>jc) << 2)
    : b + ((<usize>jc * ld + <usize>pc) << 2);
}

/**
 * Packs op(B)[pc:pc+kc, jc:jc+nc] into 8-column panels at `dst`; with `direct`, only the edge
 * one.
 */
export function packBBlock(
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
@inline export function sixRows(mc: i32): i32 {
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
export function packABlock(a: usize, lda: i32, transA: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  packABlockTo(packA, a, lda, transA, ic, pc, mc, kc);
}

/** packABlock into `dst` rather than this instance's packA. */
export function packABlockTo(
  dst: usize,
  a: usize,
  lda: i32,
  transA: i32,
  ic: i32,
  pc: i32,
  mc: i32,
  kc: i32,
): void {
  const ld = <usize>lda;
  const six = sixRows(mc);
  // Address of op(A)[ic + i, pc]: rows are lda apart (transA == 0) or adjacent (transA == 1).
  const src = transA == 0
    ? a + ((<usize>ic * ld + <usize>pc) << 2)
    : a + ((<usize>pc * ld + <usize>ic) << 2);
  const rowStep: usize = transA == 0 ? ld << 2 : 4;
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
