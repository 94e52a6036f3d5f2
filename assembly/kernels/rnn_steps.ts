/**
 * Whole sequences of RNN, LSTM and GRU steps as blocks of hidden units, for one dispatch per
 * sequence on any number of threads (src/ops/rnn.ts, src/backend/parallel.ts).
 *
 * The hidden units are cut into blocks of `width` units (a multiple of 8, from the shape alone;
 * the last block may be narrower). Block b of step s does everything step s needs for its units:
 *   forward:  rec[:, its gate columns] = h_{s-1} · W_hh[its rows]ᵀ (+ x · W_ih[its rows]ᵀ for a
 *             single step with the input product fused), then the cell for its units;
 *   backward: dh[:, its units] = dG_{s+1} · W_hh[:, its units], then the cell's backward.
 * Block b of step s needs every block of the step before it (the caller runs blocks in order, or
 * makes each block wait for the previous step's), and touches no unit of another block, so the
 * results are the same bits whatever the number of threads and the order of blocks in a step.
 * The products never split K: each entry of C is the same register tile's sum.
 *
 * Every block kernel takes a pointer to an i32 descriptor (F_* / B_* fields below) and a block
 * index: block = step * blocksPerStep + b, blocksPerStep = ceil(H / width).
 *
 * rec layout: [N x gates*H], block b's columns [gates*j0, gates*(j0 + wb)), gate g of it at
 * gates*j0 + g*wb (j0 = b * width, wb its width). Prepacked W_hh or W_ih (rnn_pack_block_f32,
 * k = H or In): block b at float b * k * gates * width, then per K block (first row pc, kc rows)
 * at pc * gates * wb8, gate g of it at g * kc * wb8, each gate's wb columns as ceil(wb / 8)
 * zero-padded 8-column panels of kc x 8 floats (wb8 = wb rounded up to 8).
 */
import { B_FLY, B_PACKED, gemmBlocked, macroKernel } from "./gemm/blocked";
import { packABlockTo, packBBlock } from "./gemm/pack";
import { KC, kBlock } from "./blocking";
import { MC, NC, packA, packB } from "./gemm/scratch";
import { sigmoid4, tanh4 } from "./math";

// Cell kinds.
const RNN_TANH = 0;
const RNN_RELU = 1;
const LSTM = 2;
const GRU = 3;

// Forward descriptor fields (i32 each).
const F_KIND = 0;
const F_L = 1;
const F_N = 2;
const F_H = 3;
const F_REVERSE = 4;
const F_OUT = 5; // h of every step [L, N, H]
const F_GI = 6; // input projections [L, N, G] (biases included; GRU: b_ih only)
const F_GI_ROW = 7; // floats between rows of GI: G, or 0 for one broadcast row (the bias) with X
const F_REC = 8; // [N, G] scratch for the recurrent product, block-permuted (file comment)
const F_WHH = 9; // [G, H]
const F_PACKED = 10; // W_hh prepacked by rnn_pack_block_f32, or 0 (packed on the fly)
const F_H0 = 11; // 0: zeros
const F_C0 = 12; // 0: zeros
const F_ACT = 13; // activated gates [L, N, 4H] for the backward (LSTM, GRU), or 0: not kept
const F_KEEP = 14; // 1: every step's c kept (for the backward); 0: two c slots
const F_CS = 15; // LSTM cell states [keep ? L : 2, N, H]
const F_HH_BIAS = 16; // GRU b_hh [G] or 0
const F_WIDTH = 17;
const F_X = 18; // one step's input [N, In], its product fused (L == 1, not GRU), or 0
const F_WIH = 19; // [G, In]
const F_IN = 20;
const F_SERIAL = 21; // differs between dispatches: keys the packed-A cache below
const F_WIH_PACKED = 22; // W_ih prepacked by rnn_pack_block_f32 (k = In) when F_X is set, or 0
const F_GI2 = 23; // with F_GI_ROW 0: a second bias row added to F_GI's first (b_ih + b_hh), or 0

// Backward descriptor fields.
const B_KIND = 0;
const B_L = 1;
const B_N = 2;
const B_H = 3;
const B_REVERSE = 4;
const B_OUT = 5; // the forward's h [L, N, H]
const B_DG = 6; // dG [L, N, G]: pre-activation gradients (GRU: of the input projection)
const B_DGH = 7; // GRU: dgh [L, N, G], gradients of the hidden projection; else 0
const B_WHH = 8; // [G, H]
const BW_PACKED = 9; // W_hh packed by sgemm_pack_b_f32 (K = G, N = H, transB 0), or 0
const B_H0 = 10;
const B_C0 = 11;
const B_ACT = 12; // the forward's act [L, N, 4H]
const B_CS = 13; // the forward's cell states [L, N, H]
const B_GRAD = 14; // gradient reaching the outputs h [L, N, H]
const B_DH = 15; // [N, H], zeros on entry: ends as the gradient of h0
const B_DC = 16; // [N, H], the gradient of the last c on entry: ends as the gradient of c0
const B_WIDTH = 17;
const B_FINAL = 18; // 1: one more phase, dh = dG_first · W_hh (h0's gradient)
const B_SERIAL = 19; // differs between dispatches: keys the packed-dG cache below

// @ts-ignore: decorator
@inline function field(d: usize, i: i32): i32 {
  return load<i32>(d + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function ptr(d: usize, i: i32): usize {
  return <usize>load<u32>(d + (<usize>i << 2));
}

function gatesOf(kind: i32): i32 {
  return kind == LSTM ? 4 : kind == GRU ? 3 : 1;
}

/** Units per block for hidden size hs: about 8 blocks, a multiple of 8, at least 16. */
export function rnn_block_width(hs: i32): i32 {
  return max(16, (((hs + 7) >> 3) + 7) & ~7);
}

/** Blocks per step for hidden size hs. */
export function rnn_blocks_per_step(hs: i32): i32 {
  const w = rnn_block_width(hs);
  return (hs + w - 1) / w;
}

/** Floats of W_hh ([gates*hs, k]) packed by rnn_pack_block_f32, every block. */
export function rnn_packed_floats(k: i32, hs: i32, gates: i32): i32 {
  const w = rnn_block_width(hs);
  const blocks = (hs + w - 1) / w;
  const last = hs - (blocks - 1) * w;
  return k * gates * ((blocks - 1) * w + ((last + 7) & ~7));
}

/** Packs block b of w ([gates*hs, k], row-major) into dst (layout in the file comment). */
export function rnn_pack_block_f32(dst: usize, w: usize, k: i32, hs: i32, gates: i32, b: i32): void {
  const width = rnn_block_width(hs);
  const j0 = b * width;
  const wb = min(width, hs - j0);
  const wb8 = (wb + 7) & ~7;
  const kcMax = kBlock(k);
  const base = dst + ((<usize>b * <usize>k * <usize>gates * <usize>width) << 2);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    for (let g = 0; g < gates; g++) {
      const at = base + ((<usize>pc * gates * wb8 + <usize>g * kc * wb8) << 2);
      packBBlock(at, w, k, 1, pc, g * hs + j0, kc, wb, false);
    }
  }
}

// A thread that runs several blocks of one step packs that step's A operands (x, h) once: into
// its packB buffer (which the products here do not otherwise use), keyed by the dispatch's
// serial and the step, when both operands fit; otherwise each block packs into packA.

/** Floats between K blocks of a cached A of m rows: room for each M block's panel padding. */
// @ts-ignore: decorator
@inline function mStride(m: i32): i32 {
  return m + 8 * ((m + MC - 1) / MC);
}

const CACHE_FLOATS: i32 = KC * NC;
let cacheSerial0: i32 = -1;
let cacheStep0: i32 = -1;
let cacheSerial1: i32 = -1;
let cacheStep1: i32 = -1;
// The backward's dG of the phase before (one operand of k = G), from packB's start too.
let cacheSerialB: i32 = -1;
let cachePhaseB: i32 = -1;

/**
 * Where operand `slot` (0: the input x, k0 = In; 1: the state h, k = H) of m rows is cached,
 * or 0 when the two do not fit.
 */
function cacheAt(slot: i32, m: i32, k0: i32, k1: i32): usize {
  const ms = mStride(m);
  const size0 = (k0 * ms + 15) & ~15;
  if (<i64>size0 + <i64>k1 * <i64>ms > <i64>CACHE_FLOATS) return 0;
  return packB + (slot == 0 ? 0 : <usize>size0 << 2);
}

/**
 * A's packed panels for rows [ic, ic + mc) and K block [pc, pc + kc): in `cache` (K blocks ms
 * floats per row apart; packed there only if `fresh`), or packed into packA when cache is 0.
 */
function aPanels(
  a: usize, lda: i32, ic: i32, pc: i32, mc: i32, kc: i32, ms: usize, cache: usize, fresh: bool,
): usize {
  if (cache == 0) {
    packABlockTo(packA, a, lda, 0, ic, pc, mc, kc);
    return packA;
  }
  const ap = cache + ((<usize>pc * ms + <usize>(ic + 8 * (ic / MC)) * <usize>kc) << 2);
  if (fresh) packABlockTo(ap, a, lda, 0, ic, pc, mc, kc);
  return ap;
}

/**
 * dst[:, g*wb : (g+1)*wb] (row stride ldd) = A [m x k] · W[g*hs + j0 : g*hs + j0 + wb, :]ᵀ
 * + beta * dst, for each gate g; W [gates*hs, k] row-major, or its block prepacked at `packed`.
 * A is packed once per K block for every gate, into `cache` (then only if `fresh`) or packA.
 */
function gateProduct(
  dst: usize,
  ldd: i32,
  a: usize,
  lda: i32,
  w: usize,
  m: i32,
  k: i32,
  hs: i32,
  gates: i32,
  j0: i32,
  wb: i32,
  packed: usize,
  beta: f32,
  cache: usize,
  fresh: bool,
): void {
  const kcMax = kBlock(k);
  const wb8 = (wb + 7) & ~7;
  const ms = <usize>mStride(m);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    const betaBlk: f32 = pc == 0 ? beta : 1;
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      const ap = aPanels(a, lda, ic, pc, mc, kc, ms, cache, fresh);
      for (let g = 0; g < gates; g++) {
        const c = dst + ((<usize>ic * <usize>ldd + <usize>(g * wb)) << 2);
        if (packed != 0) {
          const panels = packed + ((<usize>pc * gates * wb8 + <usize>g * kc * wb8) << 2);
          macroKernel(ap, c, ldd, panels, 0, 0, 1, B_PACKED, mc, wb, kc, 1, betaBlk);
        } else {
          const src = w + ((<usize>(g * hs + j0) * <usize>k + <usize>pc) << 2);
          macroKernel(ap, c, ldd, 0, src, k, 1, B_FLY, mc, wb, kc, 1, betaBlk);
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function v(p: usize, o: usize): v128 {
  return v128.load(p + o);
}

// @ts-ignore: decorator
@inline function vOr0(p: usize, o: usize): v128 {
  return p != 0 ? v128.load(p + o) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function s(p: usize, o: usize): f32 {
  return load<f32>(p + o);
}

// @ts-ignore: decorator
@inline function sOr0(p: usize, o: usize): f32 {
  return p != 0 ? load<f32>(p + o) : 0;
}

// @ts-ignore: decorator
@inline function sig1(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline function tanh1(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

/** Pre-activation of gate g: gi (+ gi2, a second bias row) (+ rec: the recurrent product). */
// @ts-ignore: decorator
@inline function pre4(gi: usize, gi2: usize, giO: usize, rec: usize, recO: usize): v128 {
  let x = v128.load(gi + giO);
  if (gi2 != 0) x = f32x4.add(x, v128.load(gi2 + giO));
  return rec != 0 ? f32x4.add(x, v128.load(rec + recO)) : x;
}

// @ts-ignore: decorator
@inline function pre1(gi: usize, gi2: usize, giO: usize, rec: usize, recO: usize): f32 {
  let x = load<f32>(gi + giO);
  if (gi2 != 0) x += load<f32>(gi2 + giO);
  return rec != 0 ? x + load<f32>(rec + recO) : x;
}

/**
 * Block b of forward step `block / blocksPerStep` (see the file comment): the recurrent product
 * for the block's gate columns, then the cell for its units.
 */
export function rnn_fwd_block_f32(d: usize, block: i32): void {
  const kind = field(d, F_KIND);
  const L = field(d, F_L);
  const n = field(d, F_N);
  const hs = field(d, F_H);
  const width = field(d, F_WIDTH);
  const perStep = (hs + width - 1) / width;
  const step = block / perStep;
  const b = block % perStep;
  const j0 = b * width;
  const wb = min(width, hs - j0);
  const gates = gatesOf(kind);
  const G = gates * hs;
  const reverse = field(d, F_REVERSE) != 0;
  const t = reverse ? L - 1 - step : step;
  const prev = reverse ? t + 1 : t - 1;
  const stepH = <usize>n * <usize>hs * 4;
  const out = ptr(d, F_OUT);
  const hPrev = step == 0 ? ptr(d, F_H0) : out + <usize>prev * stepH;
  const h = out + <usize>t * stepH;
  const giRow = field(d, F_GI_ROW);
  const gi = ptr(d, F_GI) + <usize>t * <usize>n * <usize>giRow * 4;
  const gi2 = giRow == 0 ? ptr(d, F_GI2) : 0;

  // The recurrent product (and the fused input product) into rec's block columns.
  const recBase = ptr(d, F_REC) + (<usize>(gates * j0) << 2);
  let rec: usize = 0;
  const x = ptr(d, F_X);
  const inSize = x != 0 ? field(d, F_IN) : 0;
  const serial = field(d, F_SERIAL);
  if (x != 0) {
    const cache = cacheAt(0, n, inSize, hs);
    const fresh = cacheSerial0 != serial || cacheStep0 != step;
    let packed = ptr(d, F_WIH_PACKED);
    if (packed != 0) packed += (<usize>b * <usize>inSize * <usize>gates * <usize>width) << 2;
    gateProduct(
      recBase, G, x, inSize, ptr(d, F_WIH), n, inSize, hs, gates, j0, wb, packed, 0, cache, fresh,
    );
    if (cache != 0) {
      cacheSerial0 = serial;
      cacheStep0 = step;
    }
    rec = recBase;
  }
  if (hPrev != 0) {
    let packed = ptr(d, F_PACKED);
    if (packed != 0) packed += (<usize>b * <usize>hs * <usize>gates * <usize>width) << 2;
    const beta: f32 = rec != 0 ? 1 : 0;
    const cache = cacheAt(1, n, inSize, hs);
    const fresh = cacheSerial1 != serial || cacheStep1 != step;
    gateProduct(
      recBase, G, hPrev, hs, ptr(d, F_WHH), n, hs, hs, gates, j0, wb, packed, beta, cache, fresh,
    );
    if (cache != 0) {
      cacheSerial1 = serial;
      cacheStep1 = step;
    }
    rec = recBase;
  }

  const keep = field(d, F_KEEP) != 0;
  const actBase = ptr(d, F_ACT);
  const act = actBase != 0 ? actBase + <usize>t * <usize>n * <usize>(4 * hs) * 4 : 0;
  if (kind == LSTM) {
    const cs = ptr(d, F_CS);
    const c = cs + (keep ? <usize>t : <usize>(step % 2)) * stepH;
    const cPrev = step == 0
      ? ptr(d, F_C0)
      : cs + (keep ? <usize>prev : <usize>((step - 1) % 2)) * stepH;
    lstmBlock(h, c, act, gi, gi2, giRow, rec, G, cPrev, n, hs, j0, wb);
  } else if (kind == GRU) {
    gruBlock(h, act, gi, giRow, rec, G, ptr(d, F_HH_BIAS), hPrev, n, hs, j0, wb);
  } else {
    rnnBlock(h, gi, gi2, giRow, rec, G, n, hs, j0, wb, kind == RNN_RELU);
  }
}

/** Forward blocks [b0, b1) in order, on this thread. */
export function rnn_fwd_f32(d: usize, b0: i32, b1: i32): void {
  for (let b = b0; b < b1; b++) rnn_fwd_block_f32(d, b);
}

/**
 * LSTM cell for units [j0, j0 + wb): gate g's pre-activation is gi[r, g*hs + j] (+ gi2[g*hs + j]
 * when gi2 != 0) (+ rec[r, g*wb + u] when rec != 0, rows recRow floats apart), j = j0 + u.
 */
function lstmBlock(
  h: usize, c: usize, act: usize, gi: usize, gi2: usize, giRow: i32, rec: usize, recRow: i32,
  cPrev: usize, n: i32, hs: i32, j0: i32, wb: i32,
): void {
  const gStep = <usize>hs << 2; // one gate further in gi and act
  const rStep = <usize>wb << 2; // one gate further in rec
  const gi2R = gi2 != 0 ? gi2 + (<usize>j0 << 2) : 0;
  for (let r = 0; r < n; r++) {
    const giR = gi + (<usize>r * <usize>giRow + <usize>j0) * 4;
    const recR = rec != 0 ? rec + <usize>r * <usize>recRow * 4 : 0;
    const actR = act != 0 ? act + (<usize>r * <usize>(4 * hs) + <usize>j0) * 4 : 0;
    const hR = h + (<usize>r * <usize>hs + <usize>j0) * 4;
    const cR = c + (<usize>r * <usize>hs + <usize>j0) * 4;
    const cpR = cPrev != 0 ? cPrev + (<usize>r * <usize>hs + <usize>j0) * 4 : 0;
    let u = 0;
    for (; u + 4 <= wb; u += 4) {
      const o = <usize>u << 2;
      const gI = sigmoid4(pre4(giR, gi2R, o, recR, o));
      const gF = sigmoid4(pre4(giR, gi2R, o + gStep, recR, o + rStep));
      const gG = tanh4(pre4(giR, gi2R, o + 2 * gStep, recR, o + 2 * rStep));
      const gO = sigmoid4(pre4(giR, gi2R, o + 3 * gStep, recR, o + 3 * rStep));
      const cv = f32x4.add(f32x4.mul(gF, vOr0(cpR, o)), f32x4.mul(gI, gG));
      if (actR != 0) {
        v128.store(actR + o, gI);
        v128.store(actR + o + gStep, gF);
        v128.store(actR + o + 2 * gStep, gG);
        v128.store(actR + o + 3 * gStep, gO);
      }
      v128.store(cR + o, cv);
      v128.store(hR + o, f32x4.mul(gO, tanh4(cv)));
    }
    for (; u < wb; u++) {
      const o = <usize>u << 2;
      const gI = sig1(pre1(giR, gi2R, o, recR, o));
      const gF = sig1(pre1(giR, gi2R, o + gStep, recR, o + rStep));
      const gG = tanh1(pre1(giR, gi2R, o + 2 * gStep, recR, o + 2 * rStep));
      const gO = sig1(pre1(giR, gi2R, o + 3 * gStep, recR, o + 3 * rStep));
      const cv = gF * sOr0(cpR, o) + gI * gG;
      if (actR != 0) {
        store<f32>(actR + o, gI);
        store<f32>(actR + o + gStep, gF);
        store<f32>(actR + o + 2 * gStep, gG);
        store<f32>(actR + o + 3 * gStep, gO);
      }
      store<f32>(cR + o, cv);
      store<f32>(hR + o, gO * tanh1(cv));
    }
  }
}

/**
 * GRU cell for units [j0, j0 + wb): gh = rec (0: none) + b_hh (0: none);
 * r, z = sigmoid(gi + gh), m = tanh(gi_n + r * gh_n), h = (1 - z) * m + z * hPrev;
 * act = r | z | m | gh_n.
 */
function gruBlock(
  h: usize, act: usize, gi: usize, giRow: i32, rec: usize, recRow: i32, hhBias: usize,
  hPrev: usize, n: i32, hs: i32, j0: i32, wb: i32,
): void {
  const gStep = <usize>hs << 2;
  const rStep = <usize>wb << 2;
  const one = f32x4.splat(1);
  const bias = hhBias != 0 ? hhBias + (<usize>j0 << 2) : 0;
  for (let r = 0; r < n; r++) {
    const giR = gi + (<usize>r * <usize>giRow + <usize>j0) * 4;
    const recR = rec != 0 ? rec + <usize>r * <usize>recRow * 4 : 0;
    const actR = act != 0 ? act + (<usize>r * <usize>(4 * hs) + <usize>j0) * 4 : 0;
    const hR = h + (<usize>r * <usize>hs + <usize>j0) * 4;
    const hpR = hPrev != 0 ? hPrev + (<usize>r * <usize>hs + <usize>j0) * 4 : 0;
    let u = 0;
    for (; u + 4 <= wb; u += 4) {
      const o = <usize>u << 2;
      const ghR = ghOf4(recR, o, bias, o);
      const ghZ = ghOf4(recR, o + rStep, bias, o + gStep);
      const ghN = ghOf4(recR, o + 2 * rStep, bias, o + 2 * gStep);
      const rg = sigmoid4(f32x4.add(v(giR, o), ghR));
      const z = sigmoid4(f32x4.add(v(giR, o + gStep), ghZ));
      const m = tanh4(f32x4.add(v(giR, o + 2 * gStep), f32x4.mul(rg, ghN)));
      if (actR != 0) {
        v128.store(actR + o, rg);
        v128.store(actR + o + gStep, z);
        v128.store(actR + o + 2 * gStep, m);
        v128.store(actR + o + 3 * gStep, ghN);
      }
      v128.store(hR + o, f32x4.add(f32x4.mul(f32x4.sub(one, z), m), f32x4.mul(z, vOr0(hpR, o))));
    }
    for (; u < wb; u++) {
      const o = <usize>u << 2;
      const ghR = ghOf1(recR, o, bias, o);
      const ghZ = ghOf1(recR, o + rStep, bias, o + gStep);
      const ghN = ghOf1(recR, o + 2 * rStep, bias, o + 2 * gStep);
      const rg = sig1(s(giR, o) + ghR);
      const z = sig1(s(giR, o + gStep) + ghZ);
      const m = tanh1(s(giR, o + 2 * gStep) + rg * ghN);
      if (actR != 0) {
        store<f32>(actR + o, rg);
        store<f32>(actR + o + gStep, z);
        store<f32>(actR + o + 2 * gStep, m);
        store<f32>(actR + o + 3 * gStep, ghN);
      }
      store<f32>(hR + o, (1 - z) * m + z * sOr0(hpR, o));
    }
  }
}

// @ts-ignore: decorator
@inline function ghOf4(rec: usize, ro: usize, bias: usize, bo: usize): v128 {
  if (rec == 0) return vOr0(bias, bo);
  const p = v128.load(rec + ro);
  return bias != 0 ? f32x4.add(p, v128.load(bias + bo)) : p;
}

// @ts-ignore: decorator
@inline function ghOf1(rec: usize, ro: usize, bias: usize, bo: usize): f32 {
  if (rec == 0) return sOr0(bias, bo);
  const p = load<f32>(rec + ro);
  return bias != 0 ? p + load<f32>(bias + bo) : p;
}

/** Elman cell for units [j0, j0 + wb): h = tanh or relu of gi (+ gi2's row) (+ rec). */
function rnnBlock(
  h: usize, gi: usize, gi2: usize, giRow: i32, rec: usize, recRow: i32, n: i32, hs: i32,
  j0: i32, wb: i32, relu: bool,
): void {
  const zero = f32x4.splat(0);
  const gi2R = gi2 != 0 ? gi2 + (<usize>j0 << 2) : 0;
  for (let r = 0; r < n; r++) {
    const giR = gi + (<usize>r * <usize>giRow + <usize>j0) * 4;
    const recR = rec != 0 ? rec + <usize>r * <usize>recRow * 4 : 0;
    const hR = h + (<usize>r * <usize>hs + <usize>j0) * 4;
    let u = 0;
    for (; u + 4 <= wb; u += 4) {
      const o = <usize>u << 2;
      const p = pre4(giR, gi2R, o, recR, o);
      v128.store(hR + o, relu ? f32x4.max(p, zero) : tanh4(p));
    }
    for (; u < wb; u++) {
      const o = <usize>u << 2;
      const p = pre1(giR, gi2R, o, recR, o);
      store<f32>(hR + o, relu ? (p > 0 ? p : 0) : tanh1(p));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Backward through time: phase p handles step s = L - 1 - p; phase L (B_FINAL) only the product.

/**
 * Block b of backward phase `block / blocksPerStep`: dh[:, units] = (GRU: dh +) dG_{s+1} ·
 * W_hh[:, units] (not in phase 0), then the cell's backward for its units with dh + the
 * gradient reaching h_s, writing dG_s (GRU: dgi_s, dgh_s and dh = that * z) and dc.
 */
export function rnn_bwd_block_f32(d: usize, block: i32): void {
  const kind = field(d, B_KIND);
  const L = field(d, B_L);
  const n = field(d, B_N);
  const hs = field(d, B_H);
  const width = field(d, B_WIDTH);
  const perStep = (hs + width - 1) / width;
  const phase = block / perStep;
  const b = block % perStep;
  const j0 = b * width;
  const wb = min(width, hs - j0);
  const gates = gatesOf(kind);
  const G = gates * hs;
  const reverse = field(d, B_REVERSE) != 0;
  const stepH = <usize>n * <usize>hs * 4;
  const stepG = <usize>n * <usize>G * 4;
  const dh = ptr(d, B_DH);
  const recurrentGrad = kind == GRU ? ptr(d, B_DGH) : ptr(d, B_DG);
  if (phase > 0) {
    const sNext = L - phase; // the step the previous phase handled
    const tNext = reverse ? L - 1 - sNext : sNext;
    const beta: f32 = kind == GRU ? 1 : 0;
    const a = recurrentGrad + <usize>tNext * stepG;
    const packed = ptr(d, BW_PACKED);
    const cache = packed != 0 ? cacheAt(0, n, G, 0) : 0;
    if (cache != 0) {
      // W_hh prepacked, so packB is free to hold dG_{s+1} packed once per thread and phase.
      const serial = field(d, B_SERIAL);
      const fresh = cacheSerialB != serial || cachePhaseB != phase;
      hiddenGradProduct(dh, a, packed, n, hs, G, j0, wb, beta, cache, fresh);
      cacheSerialB = serial;
      cachePhaseB = phase;
    } else {
      gemmBlocked(
        dh, hs, a, G, ptr(d, B_WHH), hs, n, hs, G, 0, 0, 1, beta, packed, 0, n, j0, j0 + wb,
      );
    }
  }
  if (phase >= L) return;
  const step = L - 1 - phase;
  const t = reverse ? L - 1 - step : step;
  const prev = reverse ? t + 1 : t - 1;
  const out = ptr(d, B_OUT);
  const grad = ptr(d, B_GRAD) + <usize>t * stepH;
  const dG = ptr(d, B_DG) + <usize>t * stepG;
  if (kind == LSTM) {
    const cs = ptr(d, B_CS);
    const cPrev = step == 0 ? ptr(d, B_C0) : cs + <usize>prev * stepH;
    const act = ptr(d, B_ACT) + <usize>t * stepG;
    lstmBwdBlock(dG, ptr(d, B_DC), act, cs + <usize>t * stepH, cPrev, grad, dh, n, hs, j0, wb);
  } else if (kind == GRU) {
    const hPrev = step == 0 ? ptr(d, B_H0) : out + <usize>prev * stepH;
    const act = ptr(d, B_ACT) + <usize>t * <usize>n * <usize>(4 * hs) * 4;
    gruBwdBlock(dG, ptr(d, B_DGH) + <usize>t * stepG, dh, act, hPrev, grad, n, hs, j0, wb);
  } else {
    rnnBwdBlock(dG, grad, dh, out + <usize>t * stepH, n, hs, j0, wb, kind == RNN_RELU);
  }
}

/**
 * dh[:, j0 : j0 + wb] = dG [m x G] · W_hh[:, j0 : j0 + wb] + beta * dh, with W_hh's panels
 * prepacked by sgemm_pack_b_f32 (K = G, N = hs) and dG's in `cache`: gemmBlocked's loop over the
 * block's columns with its tiles and K blocks, so the same sums.
 */
function hiddenGradProduct(
  dh: usize, a: usize, packed: usize, m: i32, hs: i32, G: i32, j0: i32, wb: i32, beta: f32,
  cache: usize, fresh: bool,
): void {
  const kcMax = kBlock(G);
  const n8 = <usize>((hs + 7) & ~7);
  const ms = <usize>mStride(m);
  for (let pc = 0; pc < G; pc += kcMax) {
    const kc = min(kcMax, G - pc);
    const betaBlk: f32 = pc == 0 ? beta : 1;
    const panels = packed + ((<usize>pc * n8 + <usize>(j0 >> 3) * <usize>kc * 8) << 2);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = min(MC, m - ic);
      const ap = aPanels(a, G, ic, pc, mc, kc, ms, cache, fresh);
      const c = dh + ((<usize>ic * <usize>hs + <usize>j0) << 2);
      macroKernel(ap, c, hs, panels, 0, 0, 0, B_PACKED, mc, wb, kc, 1, betaBlk);
    }
  }
}

/** Backward blocks [b0, b1) in order, on this thread. */
export function rnn_bwd_f32(d: usize, b0: i32, b1: i32): void {
  for (let b = b0; b < b1; b++) rnn_bwd_block_f32(d, b);
}

/** Row r's address of unit j0 in an [n, cols] matrix. */
// @ts-ignore: decorator
@inline function rowAt(p: usize, r: i32, cols: i32, j0: i32): usize {
  return p + ((<usize>r * <usize>cols + <usize>j0) << 2);
}

/** LSTM backward for units [j0, j0 + wb), as lstm_cell_bwd_f32 with dh = grad + dh. */
function lstmBwdBlock(
  dG: usize, dc: usize, act: usize, c: usize, cPrev: usize, grad: usize, dh: usize,
  n: i32, hs: i32, j0: i32, wb: i32,
): void {
  const g4 = 4 * hs;
  const gStep = <usize>hs << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < n; r++) {
    const aR = rowAt(act, r, g4, j0);
    const dgR = rowAt(dG, r, g4, j0);
    const cR = rowAt(c, r, hs, j0);
    const cpR = cPrev != 0 ? rowAt(cPrev, r, hs, j0) : 0;
    const gR = rowAt(grad, r, hs, j0);
    const dhR = rowAt(dh, r, hs, j0);
    const dcR = rowAt(dc, r, hs, j0);
    let u = 0;
    for (; u + 4 <= wb; u += 4) {
      const o = <usize>u << 2;
      const gi = v(aR, o);
      const gf = v(aR, o + gStep);
      const gg = v(aR, o + 2 * gStep);
      const go = v(aR, o + 3 * gStep);
      const tc = tanh4(v(cR, o));
      const cp = vOr0(cpR, o);
      const gh = f32x4.add(v(gR, o), v(dhR, o));
      const gc = f32x4.add(v(dcR, o), f32x4.mul(f32x4.mul(gh, go), f32x4.sub(one, f32x4.mul(tc, tc))));
      const dO = f32x4.mul(gh, tc);
      v128.store(dgR + o, f32x4.mul(f32x4.mul(gc, gg), f32x4.mul(gi, f32x4.sub(one, gi))));
      v128.store(dgR + o + gStep, f32x4.mul(f32x4.mul(gc, cp), f32x4.mul(gf, f32x4.sub(one, gf))));
      v128.store(dgR + o + 2 * gStep, f32x4.mul(f32x4.mul(gc, gi), f32x4.sub(one, f32x4.mul(gg, gg))));
      v128.store(dgR + o + 3 * gStep, f32x4.mul(dO, f32x4.mul(go, f32x4.sub(one, go))));
      v128.store(dcR + o, f32x4.mul(gc, gf));
    }
    for (; u < wb; u++) {
      const o = <usize>u << 2;
      const gi = s(aR, o);
      const gf = s(aR, o + gStep);
      const gg = s(aR, o + 2 * gStep);
      const go = s(aR, o + 3 * gStep);
      const tc = tanh1(s(cR, o));
      const cp = sOr0(cpR, o);
      const gh = s(gR, o) + s(dhR, o);
      const gc = s(dcR, o) + gh * go * (1 - tc * tc);
      store<f32>(dgR + o, gc * gg * (gi * (1 - gi)));
      store<f32>(dgR + o + gStep, gc * cp * (gf * (1 - gf)));
      store<f32>(dgR + o + 2 * gStep, gc * gi * (1 - gg * gg));
      store<f32>(dgR + o + 3 * gStep, gh * tc * (go * (1 - go)));
      store<f32>(dcR + o, gc * gf);
    }
  }
}

/** GRU backward for units [j0, j0 + wb), as gru_cell_bwd_f32 with dh = grad + dh in, dh * z out. */
function gruBwdBlock(
  dgi: usize, dgh: usize, dh: usize, act: usize, hPrev: usize, grad: usize,
  n: i32, hs: i32, j0: i32, wb: i32,
): void {
  const g3 = 3 * hs;
  const g4 = 4 * hs;
  const gStep = <usize>hs << 2;
  const one = f32x4.splat(1);
  for (let row = 0; row < n; row++) {
    const aR = rowAt(act, row, g4, j0);
    const giR = rowAt(dgi, row, g3, j0);
    const ghR = rowAt(dgh, row, g3, j0);
    const hpR = hPrev != 0 ? rowAt(hPrev, row, hs, j0) : 0;
    const gR = rowAt(grad, row, hs, j0);
    const dhR = rowAt(dh, row, hs, j0);
    let u = 0;
    for (; u + 4 <= wb; u += 4) {
      const o = <usize>u << 2;
      const r = v(aR, o);
      const z = v(aR, o + gStep);
      const m = v(aR, o + 2 * gStep);
      const hn = v(aR, o + 3 * gStep);
      const hp = vOr0(hpR, o);
      const g = f32x4.add(v(gR, o), v(dhR, o));
      const dm = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(m, m)));
      const dz = f32x4.mul(f32x4.mul(g, f32x4.sub(hp, m)), f32x4.mul(z, f32x4.sub(one, z)));
      const dr = f32x4.mul(f32x4.mul(dm, hn), f32x4.mul(r, f32x4.sub(one, r)));
      v128.store(giR + o, dr);
      v128.store(giR + o + gStep, dz);
      v128.store(giR + o + 2 * gStep, dm);
      v128.store(ghR + o, dr);
      v128.store(ghR + o + gStep, dz);
      v128.store(ghR + o + 2 * gStep, f32x4.mul(dm, r));
      v128.store(dhR + o, f32x4.mul(g, z));
    }
    for (; u < wb; u++) {
      const o = <usize>u << 2;
      const r = s(aR, o);
      const z = s(aR, o + gStep);
      const m = s(aR, o + 2 * gStep);
      const hn = s(aR, o + 3 * gStep);
      const hp = sOr0(hpR, o);
      const g = s(gR, o) + s(dhR, o);
      const dm = g * (1 - z) * (1 - m * m);
      const dz = g * (hp - m) * (z * (1 - z));
      const dr = dm * hn * (r * (1 - r));
      store<f32>(giR + o, dr);
      store<f32>(giR + o + gStep, dz);
      store<f32>(giR + o + 2 * gStep, dm);
      store<f32>(ghR + o, dr);
      store<f32>(ghR + o + gStep, dz);
      store<f32>(ghR + o + 2 * gStep, dm * r);
      store<f32>(dhR + o, g * z);
    }
  }
}

/** Elman backward for units [j0, j0 + wb): dpre = (grad + dh) * f'(pre) from h. */
function rnnBwdBlock(
  dpre: usize, grad: usize, dh: usize, h: usize, n: i32, hs: i32, j0: i32, wb: i32, relu: bool,
): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (let r = 0; r < n; r++) {
    const dR = rowAt(dpre, r, hs, j0);
    const gR = rowAt(grad, r, hs, j0);
    const dhR = rowAt(dh, r, hs, j0);
    const hR = rowAt(h, r, hs, j0);
    let u = 0;
    for (; u + 4 <= wb; u += 4) {
      const o = <usize>u << 2;
      const g = f32x4.add(v(gR, o), v(dhR, o));
      const y = v(hR, o);
      const dv = relu ? v128.and(g, f32x4.gt(y, zero)) : f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
      v128.store(dR + o, dv);
    }
    for (; u < wb; u++) {
      const o = <usize>u << 2;
      const g = s(gR, o) + s(dhR, o);
      const y = s(hR, o);
      store<f32>(dR + o, relu ? (y > 0 ? g : 0) : g * (1 - y * y));
    }
  }
}
