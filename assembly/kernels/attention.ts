/**
 * Fused scaled dot-product attention, forward and backward, for [BH, L, E] queries, [BH, S, E]
 * keys and [BH, S, Ev] values (BH = batch x heads, flattened by the caller):
 *
 *   s_ij = scale * q_i . k_j + mask_ij   (-inf above the diagonal when causal: j > i)
 *   p_ij = softmax_j(s_ij),  out_i = sum_j dropout(p_ij) v_j,  lse_i = log sum_j exp(s_ij)
 *
 * FlashAttention's schedule (Dao et al. 2022, "FlashAttention", and FlashAttention-2 for the
 * backward): blocks of BQ query rows sweep the keys in tiles of BC, keeping a running maximum m
 * and normaliser l per row (the online softmax), rescaling the partial output by exp(m_old -
 * m_new) when the maximum grows. Nothing of size L x S is ever stored: the workspace holds K
 * (and V) transposed, E x Sp, the block's rows packed in 4-row panels and one or two score tiles,
 * so memory grows linearly with the sequence. Register tiles are 4 rows x 8 columns
 * (gemm4Body); every A operand is read at constant offsets from one moving pointer. Causal
 * blocks stop at the diagonal. exp is exp4 with its constants in memory (exp_table.ts).
 *
 * Backward (blocks of BR = 32 query rows, so the dK and dV updates are GEMMs with inner
 * dimension 32), with lse saved by the forward and D_i = dout_i . out_i:
 *   p_ij = exp(s_ij - lse_i),  dp_ij = dout_i . v_j,  ds_ij = p_ij (z_ij dp_ij - D_i)
 *   dv_j += z_ij p_ij dout_i,  dq_i += scale ds_ij k_j,  dk_j += scale ds_ij q_i
 * where z_ij is the dropout factor (0 or 1 / (1 - dropoutP)), recomputed from a counter-based
 * hash of (seed, row, column), so the backward drops exactly what the forward dropped.
 *
 * mask (0 = none) is additive float, or bool (4-byte 0/1, true = attend) when the `causal`
 * flags include 2 (1: causal); element (bh, i, j) is at maskOffsets[bh] + i * maskRow +
 * j * maskCol (strides 0 broadcast). A row whose every score is -inf gives NaN, as PyTorch's
 * reference (math) implementation; its gradients are 0.
 */
import { threadIndex } from "./gemm/scratch";
import { expTable4 as exp4 } from "./exp_table";
import { madd4 } from "./math";

/** Keys per tile. */
const BC: i32 = 64;
/** Query rows per forward block: each key tile is reused by this many rows while in cache. */
const BQ: i32 = 16;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** Transposes rows x cols src into cols x ld dst, zero-filling columns rows..ld. */
function transposePad(dst: usize, src: usize, rows: i32, cols: i32, ld: i32): void {
  transposeTile(dst, ld, src, cols, rows, cols);
  if (ld == rows) return;
  for (let c = 0; c < cols; c++) memory.fill(at(dst, c * ld + rows), 0, <usize>(ld - rows) << 2);
}

/**
 * C[r][n] (+)= sum_k A[r][k] B[k][n] for 4 rows r and n < N, with A[r][k] at a + r * aRow +
 * k * aK bytes. Only rows r < rb of C are written; rows rb..3 of A are read (they must be
 * readable) but their sums are dropped. The 8-wide main loop is compiled once per A layout, with
 * constant row offsets from one pointer, so the loop carries two pointer increments (the
 * previous form added a shared offset to four row pointers each step; V8 still spends a lea per
 * nonzero offset of a load32_splat, but the loop has fewer live registers):
 * - rowsLayout (aRow = BC * 4, aK = 4): rows of a score tile (P or dS times V or K);
 * - otherwise (aRow = 4, aK given): a packed 4-row panel (aK = 16, from packPanels) or the
 *   transpose of a score tile's four columns (aK = BC * 4: P^T or dS^T times dO or Q).
 */
// @ts-ignore: decorator
@inline function gemm4Body(rowsLayout: bool, c: usize, ldc: i32, rb: i32, a: usize, aK: usize,
  b: usize, ldb: i32, K: i32, N: i32, acc: bool): void {
  const aRow: usize = rowsLayout ? <usize>BC << 2 : 4;
  const bStep = <usize>ldb << 2;
  const aEnd = a + <usize>K * aK;
  let n = 0;
  for (; n + 8 <= N; n += 8) {
    let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
    let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
    let ak = a;
    let bk = at(b, n);
    while (ak != aEnd) {
      const b0 = v128.load(bk);
      const b1 = v128.load(bk, 16);
      let x0: v128, x1: v128, x2: v128, x3: v128;
      if (rowsLayout) {
        x0 = v128.load32_splat(ak);
        x1 = v128.load32_splat(ak, BC * 4);
        x2 = v128.load32_splat(ak, BC * 8);
        x3 = v128.load32_splat(ak, BC * 12);
      } else {
        x0 = v128.load32_splat(ak);
        x1 = v128.load32_splat(ak, 4);
        x2 = v128.load32_splat(ak, 8);
        x3 = v128.load32_splat(ak, 12);
      }
      c00 = madd4(x0, b0, c00); c01 = madd4(x0, b1, c01);
      c10 = madd4(x1, b0, c10); c11 = madd4(x1, b1, c11);
      c20 = madd4(x2, b0, c20); c21 = madd4(x2, b1, c21);
      c30 = madd4(x3, b0, c30); c31 = madd4(x3, b1, c31);
      ak += aK;
      bk += bStep;
    }
    store8(at(c, n), c00, c01, acc);
    if (rb > 1) store8(at(c, ldc + n), c10, c11, acc);
    if (rb > 2) store8(at(c, 2 * ldc + n), c20, c21, acc);
    if (rb > 3) store8(at(c, 3 * ldc + n), c30, c31, acc);
  }
  // Tails, in the same order of operations per element as the main loop.
  for (; n + 4 <= N; n += 4) {
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
    let ak = a;
    let bk = at(b, n);
    while (ak != aEnd) {
      const b0 = v128.load(bk);
      c0 = madd4(v128.load32_splat(ak), b0, c0);
      c1 = madd4(v128.load32_splat(ak + aRow), b0, c1);
      c2 = madd4(v128.load32_splat(ak + 2 * aRow), b0, c2);
      c3 = madd4(v128.load32_splat(ak + 3 * aRow), b0, c3);
      ak += aK;
      bk += bStep;
    }
    store4(at(c, n), c0, acc);
    if (rb > 1) store4(at(c, ldc + n), c1, acc);
    if (rb > 2) store4(at(c, 2 * ldc + n), c2, acc);
    if (rb > 3) store4(at(c, 3 * ldc + n), c3, acc);
  }
  for (; n < N; n++) {
    for (let r = 0; r < rb; r++) {
      let s = f32x4.splat(0);
      let ak = a + <usize>r * aRow;
      let bk = at(b, n);
      for (let k = 0; k < K; k++) {
        s = madd4(v128.load32_splat(ak), v128.load32_splat(bk), s);
        ak += aK;
        bk += bStep;
      }
      const p = at(c, r * ldc + n);
      const v = f32x4.extract_lane(s, 0);
      store<f32>(p, acc ? load<f32>(p) + v : v);
    }
  }
}

/**
 * C (M x N, ldc) (+)= A B, A the rows of a score tile (row stride BC), B row-major (ldb).
 */
function gemmTileRows(c: usize, ldc: i32, M: i32, a: usize, b: usize, ldb: i32, K: i32, N: i32,
  acc: bool): void {
  for (let r = 0; r < M; r += 4) {
    gemm4Body(true, at(c, r * ldc), ldc, min(4, M - r), at(a, r * BC), 4, b, ldb, K, N, acc);
  }
}

/**
 * C (M x N, ldc) (+)= A B, A in groups of 4 rows: group g at a + g * aGroup bytes, A[4g + r][k]
 * at r * 4 + k * aK bytes into it (a packed panel, or 4 columns of a score tile read as rows).
 */
function gemmPanels(c: usize, ldc: i32, M: i32, a: usize, aGroup: usize, aK: usize, b: usize,
  ldb: i32, K: i32, N: i32, acc: bool): void {
  for (let r = 0; r < M; r += 4) {
    gemm4Body(false, at(c, r * ldc), ldc, min(4, M - r), a + <usize>(r >> 2) * aGroup, aK, b,
      ldb, K, N, acc);
  }
}

/**
 * Packs rows x cols src (row stride ld) into 4-row panels for gemmPanels (aGroup = cols * 16,
 * aK = 16): panel g holds rows 4g..4g+3 as cols x 4; rows past `rows` are zero.
 */
function packPanels(dst: usize, src: usize, ld: i32, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r += 4) {
    const d = at(dst, r * cols);
    const n = min(4, rows - r);
    if (n < 4) memory.fill(d, 0, <usize>cols << 4);
    transposeTile(d, 4, at(src, r * ld), ld, n, cols);
  }
}

// @ts-ignore: decorator
@inline function store4(p: usize, v: v128, acc: bool): void {
  v128.store(p, acc ? f32x4.add(v128.load(p), v) : v);
}

// @ts-ignore: decorator
@inline function store8(p: usize, v0: v128, v1: v128, acc: bool): void {
  store4(p, v0, acc);
  store4(p + 16, v1, acc);
}

/** A uniform in [0, 1) from (seed, row, col): murmur3's finaliser, twice. */
// @ts-ignore: decorator
@inline function fmix(h: u32): u32 {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  return h ^ (h >> 16);
}

// @ts-ignore: decorator
@inline function uniform(seed: u32, row: u32, col: u32): f32 {
  const h = fmix(fmix(seed ^ (row * 0x9e3779b1)) ^ (col * 0x85ebca77 + 0x165667b1));
  return <f32>(h >> 8) * (1.0 / 16777216.0);
}

/**
 * Turns a rb x tw tile of raw dot products into scores: scale, add the mask, -inf where causal
 * or beyond the tile. Rows r < rb only; columns up to tw8 (the padded width). When mx is not 0,
 * also writes each row's maximum score to mx[r] (by pmax, which skips NaN scores: a NaN still
 * reaches the output through its exp).
 */
function scoreTile(sc: usize, rb: i32, i0: i32, j0: i32, tw: i32, tw8: i32, scale: f32,
  mask: usize, mrow: i32, mcol: i32, causal: i32, mx: usize): void {
  const vs = f32x4.splat(scale);
  const lane = v128(0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0);
  for (let r = 0; r < rb; r++) {
    const i = i0 + r;
    const row = at(sc, r * BC);
    // Columns c with j0 + c > limit (causal) or c >= tw (padding) are -inf.
    const limit = causal & 1 ? min(i - j0, tw - 1) : tw - 1;
    const vlimit = i32x4.splat(limit);
    let vmax = f32x4.splat(-Infinity);
    for (let c = 0; c < tw8; c += 4) {
      let s = f32x4.mul(v128.load(at(row, c)), vs);
      if (mask) {
        const mp = at(mask, i * mrow + (j0 + c) * mcol);
        let m: v128;
        if (mcol == 1 && c + 4 <= tw) {
          m = v128.load(mp);
        } else {
          m = f32x4.splat(0);
          const lim = min(4, tw - c);
          if (lim > 0) m = f32x4.replace_lane(m, 0, load<f32>(mp));
          if (lim > 1) m = f32x4.replace_lane(m, 1, load<f32>(at(mp, mcol)));
          if (lim > 2) m = f32x4.replace_lane(m, 2, load<f32>(at(mp, 2 * mcol)));
          if (lim > 3) m = f32x4.replace_lane(m, 3, load<f32>(at(mp, 3 * mcol)));
        }
        // A bool mask (flag 2) holds 4-byte 0/1: keep where nonzero, -inf elsewhere.
        if (causal & 2) s = v128.bitselect(s, f32x4.splat(-Infinity), i32x4.ne(m, i32x4.splat(0)));
        else s = f32x4.add(s, m);
      }
      const cols = i32x4.add(i32x4.splat(c), lane);
      s = v128.bitselect(f32x4.splat(-Infinity), s, i32x4.gt_s(cols, vlimit));
      v128.store(at(row, c), s);
      vmax = f32x4.pmax(vmax, s);
    }
    if (mx) store<f32>(at(mx, r), hmax(vmax));
  }
}

/** The largest lane of v (none is NaN). */
// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  const h = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  const m = f32x4.pmax(h, i32x4.shuffle(h, h, 1, 0, 3, 2));
  return f32x4.extract_lane(m, 0);
}

/** Whether any of the first n floats at p is NaN (the rare path of a row without a maximum). */
function hasNaN(p: usize, n: i32): bool {
  for (let c = 0; c < n; c++) {
    const x = load<f32>(at(p, c));
    if (x != x) return true;
  }
  return false;
}

/** p[c] = exp(p[c] - m) for c < n (a multiple of 4); returns their sum. */
function expShift(p: usize, n: i32, m: f32): f32 {
  const vm = f32x4.splat(m);
  let acc = f32x4.splat(0);
  for (let c = 0; c < n; c += 4) {
    const e = exp4(f32x4.sub(v128.load(at(p, c)), vm));
    v128.store(at(p, c), e);
    acc = f32x4.add(acc, e);
  }
  return f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

function scaleRow(p: usize, n: i32, f: f32): void {
  const vf = f32x4.splat(f);
  let e = 0;
  for (; e + 4 <= n; e += 4) v128.store(at(p, e), f32x4.mul(v128.load(at(p, e)), vf));
  for (; e < n; e++) store<f32>(at(p, e), load<f32>(at(p, e)) * f);
}

/** Multiplies p[row r][c] by the dropout factor (0 or 1 / (1 - pdrop)) for c < tw. */
function dropTile(p: usize, r: i32, tw: i32, seed: u32, row: u32, j0: i32, pdrop: f32): void {
  const keep: f32 = 1 / (1 - pdrop);
  for (let c = 0; c < tw; c++) {
    const q = at(p, r * BC + c);
    const u = uniform(seed, row, <u32>(j0 + c));
    store<f32>(q, u < pdrop ? 0 : load<f32>(q) * keep);
  }
}

// @ts-ignore: decorator
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

/**
 * Forward. ws holds (E + Ev) * Sp + BQ * BC + 3 * BQ + BQ * E floats, Sp = S rounded up to 8
 * (the caller sizes it; see src/ops/attention.ts). Writes out [BH, L, Ev] and lse [BH, L].
 */
export function sdpa_f32(out: usize, lse: usize, q: usize, k: usize, v: usize, mask: usize,
  maskOffsets: usize, mrow: i32, mcol: i32, ws: usize, bh: i32, L: i32, S: i32, E: i32, Ev: i32,
  scale: f32, causal: i32, pdrop: f32, seed: u32): void {
  sdpaHeads(out, lse, q, k, v, mask, maskOffsets, mrow, mcol, ws, 0, bh, L, S, E, Ev, scale, causal,
    pdrop, seed);
}

/** Blocks of the pool's split of sdpa_f32 and sdpa_bwd_f32: whole heads, at most 256 blocks. */
export function sdpa_blocks(bh: i32): i32 {
  return min(bh, 256);
}

/** Heads [b0, b1) of block `block` of `blocks` over bh heads. */
// @ts-ignore: decorator
@inline function headLo(block: i32, blocks: i32, bh: i32): i32 {
  return <i32>((<i64>block * <i64>bh) / <i64>blocks);
}

/**
 * Block `block` of sdpa_f32 (heads split as sdpa_blocks says), with this thread's workspace at
 * ws + threadIndex * wsBytes. Each head is computed exactly as in one call, so the result does
 * not depend on the number of threads.
 */
export function sdpa_block_f32(out: usize, lse: usize, q: usize, k: usize, v: usize, mask: usize,
  maskOffsets: usize, mrow: i32, mcol: i32, ws: usize, wsBytes: usize, bh: i32, L: i32, S: i32,
  E: i32, Ev: i32, scale: f32, causal: i32, pdrop: f32, seed: u32, block: i32): void {
  const blocks = sdpa_blocks(bh);
  sdpaHeads(out, lse, q, k, v, mask, maskOffsets, mrow, mcol, ws + <usize>threadIndex * wsBytes,
    headLo(block, blocks, bh), headLo(block + 1, blocks, bh), L, S, E, Ev, scale, causal, pdrop,
    seed);
}

function sdpaHeads(out: usize, lse: usize, q: usize, k: usize, v: usize, mask: usize,
  maskOffsets: usize, mrow: i32, mcol: i32, ws: usize, b0: i32, b1: i32, L: i32, S: i32, E: i32,
  Ev: i32, scale: f32, causal: i32, pdrop: f32, seed: u32): void {
  const sp = (S + 7) & ~7;
  const kt = ws;
  const sc = at(ws, (E + Ev) * sp);
  const ml = at(sc, BQ * BC);
  const qp = at(ml, 3 * BQ);
  for (let b = b0; b < b1; b++) {
    const qb = at(q, b * L * E);
    const vb = at(v, b * S * Ev);
    const ob = at(out, b * L * Ev);
    const mb = mask ? at(mask, load<i32>(at(maskOffsets, b))) : 0;
    transposePad(kt, at(k, b * S * E), S, E, sp);
    for (let i0 = 0; i0 < L; i0 += BQ) {
      const rb = min(BQ, L - i0);
      packPanels(qp, at(qb, i0 * E), E, rb, E);
      for (let r = 0; r < BQ; r++) {
        store<f32>(at(ml, r), -Infinity);
        store<f32>(at(ml, BQ + r), 0);
      }
      memory.fill(at(ob, i0 * Ev), 0, <usize>(rb * Ev) << 2);
      const jEnd = causal & 1 ? min(S, i0 + rb) : S;
      for (let j0 = 0; j0 < jEnd; j0 += BC) {
        const tw = min(BC, jEnd - j0);
        const tw8 = (tw + 7) & ~7;
        gemmPanels(sc, BC, rb, qp, <usize>E << 4, 16, at(kt, j0), sp, E, tw8, false);
        scoreTile(sc, rb, i0, j0, tw, tw8, scale, mb, mrow, mcol, causal, at(ml, 2 * BQ));
        for (let r = 0; r < rb; r++) {
          const row = at(sc, r * BC);
          const mold = load<f32>(at(ml, r));
          const tmax = load<f32>(at(ml, 2 * BQ + r));
          // A row of NaN scores leaves tmax at -inf: mnew becomes NaN (as mold - NaN) below.
          let mnew = tmax > mold ? tmax : mold;
          if (mnew == -Infinity && hasNaN(row, tw)) mnew = NaN;
          if (mnew == -Infinity) {
            memory.fill(row, 0, <usize>tw8 << 2);
            continue;
          }
          const sum = expShift(row, tw8, mnew);
          const alpha: f32 = mold == -Infinity ? 0 : exp1(mold - mnew);
          store<f32>(at(ml, BQ + r), load<f32>(at(ml, BQ + r)) * alpha + sum);
          store<f32>(at(ml, r), mnew);
          // alpha is 0 only at the row's first unmasked tile, where the output is still 0.
          if (alpha != 1 && alpha != 0) scaleRow(at(ob, (i0 + r) * Ev), Ev, alpha);
          if (pdrop > 0) dropTile(sc, r, tw, seed, <u32>(b * L + i0 + r), j0, pdrop);
        }
        gemmTileRows(at(ob, i0 * Ev), Ev, rb, sc, at(vb, j0 * Ev), Ev, tw, Ev, true);
      }
      for (let r = 0; r < rb; r++) {
        const l = load<f32>(at(ml, BQ + r));
        scaleRow(at(ob, (i0 + r) * Ev), Ev, l == 0 ? NaN : 1 / l);
        store<f32>(at(lse, b * L + i0 + r), l == 0 ? -Infinity : load<f32>(at(ml, r)) + Mathf.log(l));
      }
    }
  }
}

/** Turns raw scores (sc) and dout . v (dp) of row r into p~ = z p (sc) and scale * ds (dp). */
function gradRow(sc: usize, dp: usize, r: i32, tw: i32, tw8: i32, lse: f32, d: f32, scale: f32,
  pdrop: f32, seed: u32, row: u32, j0: i32): void {
  const s = at(sc, r * BC);
  const g = at(dp, r * BC);
  if (lse == -Infinity) {
    memory.fill(s, 0, <usize>tw8 << 2);
    memory.fill(g, 0, <usize>tw8 << 2);
    return;
  }
  const vl = f32x4.splat(lse);
  const vd = f32x4.splat(d);
  const vs = f32x4.splat(scale);
  for (let c = 0; c < tw8; c += 4) {
    const p = exp4(f32x4.sub(v128.load(at(s, c)), vl));
    v128.store(at(s, c), p);
    if (pdrop == 0) {
      v128.store(at(g, c), f32x4.mul(vs, f32x4.mul(p, f32x4.sub(v128.load(at(g, c)), vd))));
    }
  }
  if (pdrop == 0) return;
  const keep: f32 = 1 / (1 - pdrop);
  for (let c = 0; c < tw8; c++) {
    const z: f32 = c < tw && uniform(seed, row, <u32>(j0 + c)) >= pdrop ? keep : 0;
    const p = load<f32>(at(s, c));
    store<f32>(at(g, c), scale * p * (z * load<f32>(at(g, c)) - d));
    store<f32>(at(s, c), p * z);
  }
}

/** Query rows per backward block: the inner dimension of the dK and dV updates. */
const BR: i32 = 32;

/**
 * dst (cols x rows, row stride ldd) = src (rows x cols, row stride ld) transposed, by 4 x 4
 * blocks in registers.
 */
function transposeTile(dst: usize, ldd: i32, src: usize, ld: i32, rows: i32, cols: i32): void {
  const r4 = rows & ~3;
  const c4 = cols & ~3;
  for (let r = 0; r < r4; r += 4) {
    const s0 = at(src, r * ld);
    const s1 = at(s0, ld);
    const s2 = at(s1, ld);
    const s3 = at(s2, ld);
    for (let c = 0; c < c4; c += 4) {
      const x0 = v128.load(at(s0, c));
      const x1 = v128.load(at(s1, c));
      const x2 = v128.load(at(s2, c));
      const x3 = v128.load(at(s3, c));
      // (a0 b0 a1 b1), (c0 d0 c1 d1), (a2 b2 a3 b3), (c2 d2 c3 d3)
      const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5);
      const t1 = i32x4.shuffle(x2, x3, 0, 4, 1, 5);
      const t2 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
      const t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
      const d = at(dst, c * ldd + r);
      v128.store(d, i64x2.shuffle(t0, t1, 0, 2));
      v128.store(at(d, ldd), i64x2.shuffle(t0, t1, 1, 3));
      v128.store(at(d, 2 * ldd), i64x2.shuffle(t2, t3, 0, 2));
      v128.store(at(d, 3 * ldd), i64x2.shuffle(t2, t3, 1, 3));
    }
    for (let c = c4; c < cols; c++) {
      for (let i = 0; i < 4; i++) {
        store<f32>(at(dst, c * ldd + r + i), load<f32>(at(src, (r + i) * ld + c)));
      }
    }
  }
  for (let r = r4; r < rows; r++) {
    for (let c = 0; c < cols; c++) store<f32>(at(dst, c * ldd + r), load<f32>(at(src, r * ld + c)));
  }
}

/**
 * Backward. ws holds (E + Ev) * Sp + 2 * BR * BC + BR + BR * (E + Ev) floats. Blocks of BR
 * query rows sweep the key tiles; the score and dp tiles are BR x BC, so dK and dV are updated by
 * GEMMs whose inner dimension is BR (the tiles' columns, read as rows, times the block's q or
 * dout rows), and dQ by one whose inner dimension is the tile width. Each head is one sequential
 * sweep, so every sum has one order. Overwrites dq [BH, L, E], dk [BH, S, E] and dv [BH, S, Ev].
 */
export function sdpa_bwd_f32(dq: usize, dk: usize, dv: usize, dout: usize, q: usize, k: usize,
  v: usize, out: usize, lse: usize, mask: usize, maskOffsets: usize, mrow: i32, mcol: i32,
  ws: usize, bh: i32, L: i32, S: i32, E: i32, Ev: i32, scale: f32, causal: i32, pdrop: f32,
  seed: u32): void {
  sdpaBwdHeads(dq, dk, dv, dout, q, k, v, out, lse, mask, maskOffsets, mrow, mcol, ws, 0, bh, L,
    S, E, Ev, scale, causal, pdrop, seed);
}

/** Block `block` of sdpa_bwd_f32, heads and workspaces as in sdpa_block_f32. */
export function sdpa_bwd_block_f32(dq: usize, dk: usize, dv: usize, dout: usize, q: usize,
  k: usize, v: usize, out: usize, lse: usize, mask: usize, maskOffsets: usize, mrow: i32,
  mcol: i32, ws: usize, wsBytes: usize, bh: i32, L: i32, S: i32, E: i32, Ev: i32, scale: f32,
  causal: i32, pdrop: f32, seed: u32, block: i32): void {
  const blocks = sdpa_blocks(bh);
  sdpaBwdHeads(dq, dk, dv, dout, q, k, v, out, lse, mask, maskOffsets, mrow, mcol,
    ws + <usize>threadIndex * wsBytes, headLo(block, blocks, bh), headLo(block + 1, blocks, bh),
    L, S, E, Ev, scale, causal, pdrop, seed);
}

function sdpaBwdHeads(dq: usize, dk: usize, dv: usize, dout: usize, q: usize, k: usize,
  v: usize, out: usize, lse: usize, mask: usize, maskOffsets: usize, mrow: i32, mcol: i32,
  ws: usize, b0: i32, b1: i32, L: i32, S: i32, E: i32, Ev: i32, scale: f32, causal: i32,
  pdrop: f32, seed: u32): void {
  const sp = (S + 7) & ~7;
  const kt = ws;
  const vt = at(ws, E * sp);
  const sc = at(vt, Ev * sp);
  const dp = at(sc, BR * BC);
  const dd = at(dp, BR * BC);
  const qp = at(dd, BR);
  const gp = at(qp, BR * E);
  for (let b = b0; b < b1; b++) {
    const qb = at(q, b * L * E);
    const kb = at(k, b * S * E);
    const gob = at(dout, b * L * Ev);
    const ob = at(out, b * L * Ev);
    const dqb = at(dq, b * L * E);
    const dkb = at(dk, b * S * E);
    const dvb = at(dv, b * S * Ev);
    const mb = mask ? at(mask, load<i32>(at(maskOffsets, b))) : 0;
    transposePad(kt, kb, S, E, sp);
    transposePad(vt, at(v, b * S * Ev), S, Ev, sp);
    memory.fill(dkb, 0, <usize>(S * E) << 2);
    memory.fill(dvb, 0, <usize>(S * Ev) << 2);
    for (let i0 = 0; i0 < L; i0 += BR) {
      const rb = min(BR, L - i0);
      for (let r = 0; r < rb; r++) {
        let d: f32 = 0;
        const gr = at(gob, (i0 + r) * Ev);
        const orow = at(ob, (i0 + r) * Ev);
        for (let e = 0; e < Ev; e++) d += load<f32>(at(gr, e)) * load<f32>(at(orow, e));
        store<f32>(at(dd, r), d);
      }
      memory.fill(at(dqb, i0 * E), 0, <usize>(rb * E) << 2);
      packPanels(qp, at(qb, i0 * E), E, rb, E);
      packPanels(gp, at(gob, i0 * Ev), Ev, rb, Ev);
      const jEnd = causal & 1 ? min(S, i0 + rb) : S;
      for (let j0 = 0; j0 < jEnd; j0 += BC) {
        const tw = min(BC, jEnd - j0);
        const tw8 = (tw + 7) & ~7;
        gemmPanels(sc, BC, rb, qp, <usize>E << 4, 16, at(kt, j0), sp, E, tw8, false);
        scoreTile(sc, rb, i0, j0, tw, tw8, scale, mb, mrow, mcol, causal, 0);
        gemmPanels(dp, BC, rb, gp, <usize>Ev << 4, 16, at(vt, j0), sp, Ev, tw8, false);
        for (let r = 0; r < rb; r++) {
          const l = load<f32>(at(lse, b * L + i0 + r));
          gradRow(sc, dp, r, tw, tw8, l, load<f32>(at(dd, r)), scale, pdrop, seed,
            <u32>(b * L + i0 + r), j0);
        }
        // dV += P^T dO and dK += dS^T Q read the tiles' columns as rows: no transposes.
        gemmPanels(at(dvb, j0 * Ev), Ev, tw, sc, 16, BC * 4, at(gob, i0 * Ev), Ev, rb, Ev, true);
        gemmPanels(at(dkb, j0 * E), E, tw, dp, 16, BC * 4, at(qb, i0 * E), E, rb, E, true);
        gemmTileRows(at(dqb, i0 * E), E, rb, dp, at(kb, j0 * E), E, tw, E, true);
      }
    }
  }
}

/** dst = e^x by the attention kernels' exp (expTable4), for tests: bit-identical to exp_f32. */
export function sdpa_exp_f32(dst: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), exp4(v128.load(at(x, i))));
  for (; i < n; i++) store<f32>(at(dst, i), exp1(load<f32>(at(x, i))));
}
