/**
 * One direction of one recurrent layer over a whole sequence, as a single autograd op, with the
 * computation PyTorch's RNN, LSTM and GRU define:
 *
 *   forward:  G = X · W_ihᵀ + b_ih (+ b_hh)          one sgemm for every time step at once
 *                                                    (a single step, a cell: fused below)
 *             per step t, per block of hidden units:  G_t[its gates] += h_{t-1} · W_hh[its rows]ᵀ
 *                                                    then the fused pointwise cell for its units
 *   backward: per step, in reverse, per block of units: dh[its units] = dG_{t+1} · W_hh[:, its
 *             units], then the cell's fused backward; then, once for the sequence:
 *             dX = dG · W_ih, dW_ih = dGᵀ · X, dW_hh = dG_{t}ᵀ · h_{t-1} over all steps (two
 *             sgemms), the bias sums.
 *
 * The steps run as one task of blocks (assembly/kernels/rnn_steps.ts): on one thread in order,
 * or on the thread pool with each block waiting for the step before its own (rnnOnPool). Blocks
 * follow from the shape alone, so the bits do not depend on the number of threads.
 *
 * The op's output packs everything a caller reads: the hidden state of every step [L, N, H]
 * and, for LSTM, the last cell state [N, H] after it; the modules in nn/rnn.ts slice it.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import type { Ptr } from "../backend/kernels.js";
import { rnnOnPool, rnnPack, rnnPool } from "../backend/parallel.js";
import { allocate, backend, K, meta } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
import { derivedCopy } from "../memory.js";
import { Tensor } from "../tensor.js";

export type CellKind = "rnn_tanh" | "rnn_relu" | "lstm" | "gru";

export interface LayerWeights {
  weightIh: Tensor;
  weightHh: Tensor;
  biasIh: Tensor | null;
  biasHh: Tensor | null;
}

/** Gate blocks per hidden unit. */
export function gatesOf(kind: CellKind): number {
  return kind === "lstm" ? 4 : kind === "gru" ? 3 : 1;
}

/** Fields of the forward sequence kernel's descriptor (assembly/kernels/rnn_steps.ts F_*). */
const F = {
  kind: 0,
  L: 1,
  N: 2,
  H: 3,
  reverse: 4,
  out: 5,
  gi: 6,
  giRow: 7,
  rec: 8,
  whh: 9,
  packed: 10,
  h0: 11,
  c0: 12,
  act: 13,
  keep: 14,
  cs: 15,
  hhBias: 16,
  width: 17,
  x: 18,
  wih: 19,
  in: 20,
  serial: 21,
  wihPacked: 22,
  gi2: 23,
} as const;

/** Fields of the backward kernel's descriptor (rnn_steps.ts B_*). */
const B = {
  kind: 0,
  L: 1,
  N: 2,
  H: 3,
  reverse: 4,
  out: 5,
  dG: 6,
  dgh: 7,
  whh: 8,
  packed: 9,
  h0: 10,
  c0: 11,
  act: 12,
  cs: 13,
  grad: 14,
  dh: 15,
  dc: 16,
  width: 17,
  final: 18,
  serial: 19,
} as const;
const DESC_INTS = 24;

let serial = 0;

/** A number for each forward dispatch (rnn_steps.ts keys its packed-A cache by it). */
function nextSerial(): number {
  serial = (serial + 1) & 0x7fffffff;
  return serial;
}

function kindCode(kind: CellKind): number {
  return kind === "rnn_tanh" ? 0 : kind === "rnn_relu" ? 1 : kind === "lstm" ? 2 : 3;
}

/**
 * w ([gates*hs, k]) packed for the forward's step blocks (rnn_pack_block_f32), kept with w's
 * storage until w changes in place or is freed: a cell called step after step, or a layer called
 * again with the same weights, packs them once.
 */
function packedWeight(op: string, w: Tensor, k: number, hs: number, gates: number): Ptr {
  const bytes = K.rnn_packed_floats(k, hs, gates) * 4;
  return kept(op, w, `rnn:${k}:${hs}:${gates}`, bytes, (dst, src) =>
    rnnPack(dst, src, k, hs, gates),
  );
}

/**
 * W_hh [G, H] packed as sgemm's B operand (K = G, N = H) for the backward's dh = dG · W_hh, kept
 * with W_hh's storage like packedWeight's.
 */
function packedHiddenGrad(op: string, whh: Tensor, G: number, H: number): Ptr {
  return kept(op, whh, `rnn-dh:${G}:${H}`, G * Math.ceil(H / 8) * 32, (dst, src) =>
    K.sgemm_pack_b_f32(dst, src, H, G, H, 0),
  );
}

/** derivedCopy of w's data (pointer src) made by `build`, under `key` and w's offset. */
function kept(
  op: string,
  w: Tensor,
  key: string,
  bytes: number,
  build: (dst: Ptr, src: Ptr) => void,
): Ptr {
  const src = w._ptr(op);
  const storage = w._heldStorage();
  if (storage === null) throw new Error("internal: a live tensor without storage");
  const at = `${key}@${src - storage.ptr}`;
  return derivedCopy(op, storage, at, w._version, bytes, (dst) => build(dst, src));
}

/**
 * An uninitialised tensor of `shape` whose data starts on a 64-byte boundary (allocations are
 * 16-byte aligned). Step blocks on different threads write neighbouring column ranges of each
 * row of these buffers: misaligned, the cache line where two ranges meet would be written by
 * both cores at once and bounce between them.
 */
function lineAligned(op: string, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const whole = Tensor._empty(op, [n + 15]);
  const t = Tensor._slice(whole, shape, ((64 - (whole.ptr & 63)) & 63) >> 2);
  t._base = null; // a buffer of its own, not a view of one the caller knows
  whole.dispose();
  return t;
}

/** rows x cols = the bias row broadcast (or zeros when there is none). */
function fillRows(dst: number, bias: number, rows: number, cols: number): void {
  if (bias === 0) K.fill_f32(dst, rows * cols, 0);
  else K.gather_f32(dst, bias, 2, meta([rows, cols], [0, 1]));
}

/**
 * Runs one direction of one layer over x [L, N, In] (time-major, contiguous) from h0, c0 [N, H]
 * (null: zeros). Returns the packed output [L*N*H (+ N*H)]; shapes are checked by the caller.
 */
export function recurrentLayer(
  kind: CellKind,
  x: Tensor,
  h0: Tensor | null,
  c0: Tensor | null,
  w: LayerWeights,
  reverse: boolean,
): Tensor {
  const op = kind === "lstm" ? "LSTM" : kind === "gru" ? "GRU" : "RNN";
  const [L, N, In] = x.shape;
  const H = w.weightHh.shape[1];
  const G = gatesOf(kind) * H;
  const lstm = kind === "lstm";
  const gru = kind === "gru";
  const rows = L * N;
  const stepH = N * H * 4;
  const stepG = N * G * 4;

  const inputs: Tensor[] = [x];
  if (h0 !== null) inputs.push(h0);
  if (c0 !== null) inputs.push(c0);
  inputs.push(w.weightIh, w.weightHh);
  if (w.biasIh !== null) inputs.push(w.biasIh);
  if (w.biasHh !== null) inputs.push(w.biasHh);
  // The backward needs every step's activated gates and cell state. Without it (inference,
  // noGrad), two cell states (previous, current) are enough, whatever L, and no gates.
  const keep = needsGradAny(inputs);
  const cSlot = (t: number, s: number): number => (keep ? t : s % 2) * stepH;
  // A single step (a cell) fuses its input product into the step's blocks; a sequence does it
  // once for all steps, as one product. GRU keeps its input and hidden projections apart.
  const fuseInput = L === 1 && !gru && In > 0;
  // Chosen first, so that workers asleep wake while the steps are prepared.
  const perStep = H > 0 ? K.rnn_blocks_per_step(H) : 0;
  const pool =
    rows > 0 && H > 0
      ? rnnPool(L * perStep, perStep, N * G * (H + (fuseInput ? In : 0)))
      : undefined;

  // gi: the input projections, then dG for the backward (a cell without one needs neither).
  const gi = fuseInput && !keep ? null : lineAligned(op, [rows, G]);
  const packed = lineAligned(op, [rows * H + (lstm ? N * H : 0)]);
  const act = keep && (lstm || gru) ? lineAligned(op, [rows, 4 * H]) : null;
  // Without a backward, one step's cell state goes straight to its place in the output.
  const cInOut = lstm && !keep && L === 1;
  const cs = lstm && !cInOut ? lineAligned(op, [keep ? rows : 2 * N, H]) : null;
  const rec = lineAligned(op, [N, G]);
  // LSTM and RNN add both biases to every pre-activation: a sequence sums them once into its
  // input projections; a cell's blocks add the two rows themselves (the same sum).
  let biasSum: Tensor | null = null;
  let secondBias = 0;
  if (!gru && w.biasIh !== null && w.biasHh !== null) {
    if (fuseInput) secondBias = w.biasHh._ptr(op);
    else {
      biasSum = Tensor._empty(op, [G]);
      K.binary_f32(biasSum.ptr, w.biasIh._ptr(op), w.biasHh._ptr(op), G, BinaryOp.add);
    }
  }
  let zeroBias: Tensor | null = null;
  let inBias = gru
    ? (w.biasIh?._ptr(op) ?? 0)
    : (biasSum?.ptr ?? w.biasIh?._ptr(op) ?? w.biasHh?._ptr(op) ?? 0);
  if (fuseInput && inBias === 0) {
    zeroBias = Tensor._empty(op, [G]);
    K.fill_f32(zeroBias.ptr, G, 0);
    inBias = zeroBias.ptr;
  }
  const hhBias = gru ? (w.biasHh?._ptr(op) ?? 0) : 0;
  const wih = w.weightIh._ptr(op);
  const whh = w.weightHh._ptr(op);
  const out = packed.ptr;
  const h0p = h0?._ptr(op) ?? 0;
  const c0p = c0?._ptr(op) ?? 0;

  if (rows > 0 && G > 0 && gi !== null && !fuseInput) {
    fillRows(gi.ptr, inBias, rows, G);
    if (In > 0) K.sgemm_f32(gi.ptr, G, x._ptr(op), In, wih, In, rows, G, In, 0, 1, 1, 1);
  }
  if (rows > 0 && H > 0) {
    // The weights the steps read, packed (or found packed from an earlier call).
    const products = L - (h0p === 0 ? 1 : 0);
    const whhPacked = products >= 1 ? packedWeight(op, w.weightHh, H, H, gatesOf(kind)) : 0;
    const wihPacked = fuseInput ? packedWeight(op, w.weightIh, In, H, gatesOf(kind)) : 0;
    const desc = allocate(op, DESC_INTS * 4);
    try {
      const d = new Int32Array(DESC_INTS);
      d[F.kind] = kindCode(kind);
      d[F.L] = L;
      d[F.N] = N;
      d[F.H] = H;
      d[F.reverse] = reverse ? 1 : 0;
      d[F.out] = out;
      d[F.gi] = fuseInput ? inBias : (gi?.ptr ?? 0);
      d[F.giRow] = fuseInput ? 0 : G;
      d[F.rec] = rec.ptr;
      d[F.whh] = whh;
      d[F.packed] = whhPacked;
      d[F.h0] = h0p;
      d[F.c0] = c0p;
      d[F.act] = act?.ptr ?? 0;
      d[F.keep] = keep ? 1 : 0;
      d[F.cs] = cInOut ? out + rows * H * 4 : (cs?.ptr ?? 0);
      d[F.hhBias] = hhBias;
      d[F.width] = K.rnn_block_width(H);
      d[F.x] = fuseInput ? x._ptr(op) : 0;
      d[F.wih] = wih;
      d[F.in] = In;
      d[F.serial] = nextSerial();
      d[F.wihPacked] = wihPacked;
      d[F.gi2] = secondBias;
      backend.i32().set(d, desc >>> 2);
      if (!rnnOnPool(pool, false, desc, L * perStep, perStep)) K.rnn_fwd_f32(desc, 0, L * perStep);
    } finally {
      K.free(desc);
    }
  }
  if (lstm && cs !== null && N * H > 0) {
    const last = reverse ? 0 : L - 1;
    const cLast = L > 0 ? cs.ptr + cSlot(last, L - 1) : c0p;
    if (cLast === 0) K.fill_f32(out + rows * H * 4, N * H, 0);
    else K.copy_f32(out + rows * H * 4, cLast, N * H);
  }
  rec.dispose();
  zeroBias?.dispose();
  biasSum?.dispose();

  if (!keep) {
    gi?.dispose();
    act?.dispose();
    cs?.dispose();
    return packed;
  }
  // The forward's pre-activations are not needed again: gi becomes the gradient buffer dG.
  const dG = gi;
  if (dG === null) throw new Error("internal: a recurrent layer with a backward but no dG");
  return record(packed, op, inputs, (grad) => {
    // The forward's raw pointers would be stale if an input was disposed since (a disposed
    // module): fetch them again, which reports the disposal instead of reading freed memory.
    x._live(op);
    const wih = w.weightIh._ptr(op);
    const whh = w.weightHh._ptr(op);
    const h0p = h0?._ptr(op) ?? 0;
    const c0p = c0?._ptr(op) ?? 0;
    w.biasIh?._live(op);
    w.biasHh?._live(op);
    const gp = grad._ptr(op);
    const dgh = gru ? lineAligned(op, [rows, G]) : null;
    const dh = lineAligned(op, [N, H]);
    const dc = lstm ? lineAligned(op, [N, H]) : null;
    K.fill_f32(dh.ptr, N * H, 0);
    if (dc !== null) K.copy_f32(dc.ptr, gp + rows * H * 4, N * H);
    const outP = packed._ptr(op);
    const hRec = dgh ?? dG;
    if (N * H > 0 && L > 0) {
      // dh_{t-1} = dG_t · W_hh: after every step but the last one handled, and once more for
      // h0's gradient, on W_hh packed (or found packed) when any product reads it.
      const final = h0?.requiresGrad ? 1 : 0;
      const blocks = (L + final) * perStep;
      const pool = rnnPool(blocks, perStep, N * G * H);
      const products = L - 1 + final;
      const whhPacked = products >= 1 ? packedHiddenGrad(op, w.weightHh, G, H) : 0;
      const desc = allocate(op, DESC_INTS * 4);
      try {
        const d = new Int32Array(DESC_INTS);
        d[B.kind] = kindCode(kind);
        d[B.L] = L;
        d[B.N] = N;
        d[B.H] = H;
        d[B.reverse] = reverse ? 1 : 0;
        d[B.out] = outP;
        d[B.dG] = dG.ptr;
        d[B.dgh] = dgh?.ptr ?? 0;
        d[B.whh] = whh;
        d[B.packed] = whhPacked;
        d[B.h0] = h0p;
        d[B.c0] = c0p;
        d[B.act] = act?.ptr ?? 0;
        d[B.cs] = cs?.ptr ?? 0;
        d[B.grad] = gp;
        d[B.dh] = dh.ptr;
        d[B.dc] = dc?.ptr ?? 0;
        d[B.width] = K.rnn_block_width(H);
        d[B.final] = final;
        d[B.serial] = nextSerial();
        backend.i32().set(d, desc >>> 2);
        if (!rnnOnPool(pool, true, desc, blocks, perStep)) K.rnn_bwd_f32(desc, 0, blocks);
      } finally {
        K.free(desc);
      }
    }
    const grads: (Tensor | null)[] = [];
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      dx = Tensor._empty(op, x.shape);
      if (dx.numel() > 0) K.sgemm_f32(dx.ptr, In, dG.ptr, G, wih, In, rows, In, G, 0, 0, 1, 0);
    }
    grads.push(dx);
    if (h0 !== null) grads.push(h0.requiresGrad ? dh : null);
    if (c0 !== null) grads.push(c0.requiresGrad ? dc : null);
    let dwih: Tensor | null = null;
    if (w.weightIh.requiresGrad) {
      dwih = Tensor._empty(op, w.weightIh.shape);
      if (dwih.numel() > 0)
        K.sgemm_f32(dwih.ptr, In, dG.ptr, G, x._ptr(op), In, G, In, rows, 1, 0, 1, 0);
    }
    let dwhh: Tensor | null = null;
    if (w.weightHh.requiresGrad) {
      dwhh = Tensor._empty(op, w.weightHh.shape);
      if (dwhh.numel() > 0) {
        // Steps after the first read the previous step's output: one product over all of them.
        const k = (L - 1) * N;
        const dFrom = reverse ? hRec.ptr : hRec.ptr + stepG;
        const hFrom = reverse ? outP + stepH : outP;
        K.sgemm_f32(dwhh.ptr, H, dFrom, G, hFrom, H, G, H, Math.max(k, 0), 1, 0, 1, 0);
        if (h0p !== 0 && L > 0) {
          const first = reverse ? L - 1 : 0;
          K.sgemm_f32(dwhh.ptr, H, hRec.ptr + first * stepG, G, h0p, H, G, H, N, 1, 0, 1, 1);
        }
      }
    }
    grads.push(dwih, dwhh);
    const dbIh = w.biasIh?.requiresGrad ? columnSums(op, dG, rows, G) : null;
    if (w.biasIh !== null) grads.push(dbIh);
    if (w.biasHh?.requiresGrad) {
      // Both biases enter every pre-activation alike (but GRU's): the same sums, made once.
      let dbHh: Tensor;
      if (hRec === dG && dbIh !== null) {
        dbHh = Tensor._empty(op, [G]);
        K.copy_f32(dbHh.ptr, dbIh.ptr, G);
      } else dbHh = columnSums(op, hRec, rows, G);
      grads.push(dbHh);
    } else if (w.biasHh !== null) grads.push(null);
    dgh?.dispose();
    if (!h0?.requiresGrad) dh.dispose();
    if (dc !== null && !c0?.requiresGrad) dc.dispose();
    return grads;
  });
}

function columnSums(op: string, m: Tensor, rows: number, cols: number): Tensor {
  const out = Tensor._empty(op, [cols]);
  if (rows === 0) K.fill_f32(out.ptr, cols, 0);
  else K.reduce_f32(out.ptr, cols, m.ptr, 2, meta([rows, cols], [0, 1]), ReduceOp.sum);
  return out;
}
