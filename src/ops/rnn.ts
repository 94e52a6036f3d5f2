/**
 * One direction of one recurrent layer over a whole sequence, as a single autograd op, with the
 * computation PyTorch's RNN, LSTM and GRU define:
 *
 *   forward:  G = X · W_ihᵀ + b_ih (+ b_hh)          one sgemm for every time step at once
 *             per step t: G_t += h_{t-1} · W_hhᵀ      one sgemm (GRU: into its own block)
 *                         fused pointwise cell        one kernel (assembly/kernels/rnn.ts)
 *   backward: per step, in reverse: the cell's fused backward, then dh_{t-1} = dG_t · W_hh
 *             then, once for the sequence: dX = dG · W_ih, dW_ih = dGᵀ · X,
 *             dW_hh = dG_{t}ᵀ · h_{t-1} over all steps (two sgemms), the bias sums.
 *
 * The op's output packs everything a caller reads: the hidden state of every step [L, N, H]
 * and, for LSTM, the last cell state [N, H] after it; the modules in nn/rnn.ts slice it.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { allocate, K, meta } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
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

/**
 * C [m x n] = A [m x k] · op(B) + beta · C for every time step with the same B: over two or
 * more steps B is packed once (sgemm_pack_b_f32) and each step packs only A.
 */
class StepProduct {
  private readonly packed: number;

  constructor(
    op: string,
    private readonly b: number,
    private readonly ldb: number,
    private readonly k: number,
    private readonly n: number,
    private readonly transB: 0 | 1,
    steps: number,
  ) {
    this.packed = steps > 1 && k > 0 && n > 0 ? allocate(op, k * Math.ceil(n / 8) * 32) : 0;
    if (this.packed !== 0) K.sgemm_pack_b_f32(this.packed, b, ldb, k, n, transB);
  }

  run(c: number, ldc: number, a: number, lda: number, m: number, beta: number): void {
    if (this.packed !== 0)
      K.sgemm_prepacked_f32(c, ldc, a, lda, this.packed, m, this.n, this.k, 0, 1, beta);
    else K.sgemm_f32(c, ldc, a, lda, this.b, this.ldb, m, this.n, this.k, 0, this.transB, 1, beta);
  }

  free(): void {
    if (this.packed !== 0) K.free(this.packed);
  }
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
  const relu = kind === "rnn_relu" ? 1 : 0;
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
  // noGrad), one step's gates and two cell states (previous, current) are enough, whatever L.
  const keep = needsGradAny(inputs);
  const actSlot = (t: number): number => (keep ? t : 0) * N * 4 * H * 4;
  const cSlot = (t: number, s: number): number => (keep ? t : s % 2) * stepH;

  const gi = Tensor._empty(op, [rows, G]);
  const packed = Tensor._empty(op, [rows * H + (lstm ? N * H : 0)]);
  const act = lstm || gru ? Tensor._empty(op, [keep ? rows : N, 4 * H]) : null;
  const cs = lstm ? Tensor._empty(op, [keep ? rows : 2 * N, H]) : null;
  const gh = gru ? Tensor._empty(op, [N, G]) : null;
  let biasSum: Tensor | null = null;
  if (!gru && w.biasIh !== null && w.biasHh !== null) {
    biasSum = Tensor._empty(op, [G]);
    K.binary_f32(biasSum.ptr, w.biasIh._ptr(op), w.biasHh._ptr(op), G, BinaryOp.add);
  }
  const inBias = gru
    ? (w.biasIh?._ptr(op) ?? 0)
    : (biasSum?.ptr ?? w.biasIh?._ptr(op) ?? w.biasHh?._ptr(op) ?? 0);
  const hhBias = gru ? (w.biasHh?._ptr(op) ?? 0) : 0;
  const wih = w.weightIh._ptr(op);
  const whh = w.weightHh._ptr(op);
  const out = packed.ptr;
  const h0p = h0?._ptr(op) ?? 0;
  const c0p = c0?._ptr(op) ?? 0;

  if (rows > 0 && G > 0) {
    fillRows(gi.ptr, inBias, rows, G);
    if (In > 0) K.sgemm_f32(gi.ptr, G, x._ptr(op), In, wih, In, rows, G, In, 0, 1, 1, 1);
  }
  // h_{t-1} · W_hhᵀ, with W_hh packed once for the whole sequence.
  const recurrent = new StepProduct(op, whh, H, H, G, 1, L);
  try {
    for (let s = 0; s < L && N * H > 0; s++) {
      const t = reverse ? L - 1 - s : s;
      const prev = reverse ? t + 1 : t - 1;
      const hPrev = s === 0 ? h0p : out + prev * stepH;
      const g = gi.ptr + t * stepG;
      const h = out + t * stepH;
      if (gru && gh !== null && act !== null) {
        fillRows(gh.ptr, hhBias, N, G);
        if (hPrev !== 0) recurrent.run(gh.ptr, G, hPrev, H, N, 1);
        K.gru_cell_f32(h, act.ptr + actSlot(t), g, gh.ptr, hPrev, N, H);
        continue;
      }
      if (hPrev !== 0) recurrent.run(g, G, hPrev, H, N, 1);
      if (lstm && act !== null && cs !== null) {
        const cPrev = s === 0 ? c0p : cs.ptr + cSlot(prev, s - 1);
        K.lstm_cell_f32(h, cs.ptr + cSlot(t, s), act.ptr + actSlot(t), g, cPrev, N, H);
      } else K.rnn_cell_f32(h, g, N * H, relu);
    }
  } finally {
    recurrent.free();
  }
  if (lstm && cs !== null && N * H > 0) {
    const last = reverse ? 0 : L - 1;
    const cLast = L > 0 ? cs.ptr + cSlot(last, L - 1) : c0p;
    if (cLast === 0) K.fill_f32(out + rows * H * 4, N * H, 0);
    else K.copy_f32(out + rows * H * 4, cLast, N * H);
  }
  biasSum?.dispose();

  if (!keep) {
    gi.dispose();
    act?.dispose();
    cs?.dispose();
    gh?.dispose();
    return packed;
  }
  gh?.dispose();
  // The forward's pre-activations are not needed again: gi becomes the gradient buffer dG.
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
    const dG = gi;
    const dgh = gru ? Tensor._empty(op, [rows, G]) : null;
    const dh = Tensor._empty(op, [N, H]);
    const dhTotal = Tensor._empty(op, [N, H]);
    const dc = lstm ? Tensor._empty(op, [N, H]) : null;
    K.fill_f32(dh.ptr, N * H, 0);
    if (dc !== null) K.copy_f32(dc.ptr, gp + rows * H * 4, N * H);
    const outP = packed._ptr(op);
    const hRec = dgh ?? dG;
    // dh_{t-1} = dG_t · W_hh, with W_hh packed once for the whole sequence.
    const back = new StepProduct(op, whh, H, G, H, 0, L);
    try {
      for (let s = L - 1; s >= 0 && N * H > 0; s--) {
        const t = reverse ? L - 1 - s : s;
        const prev = reverse ? t + 1 : t - 1;
        const hPrev = s === 0 ? h0p : outP + prev * stepH;
        const dGt = dG.ptr + t * stepG;
        K.binary_f32(dhTotal.ptr, gp + t * stepH, dh.ptr, N * H, BinaryOp.add);
        if (gru && dgh !== null && act !== null) {
          const dght = dgh.ptr + t * stepG;
          K.gru_cell_bwd_f32(
            dGt,
            dght,
            dh.ptr,
            act.ptr + t * N * 4 * H * 4,
            hPrev,
            dhTotal.ptr,
            N,
            H,
          );
          back.run(dh.ptr, H, dght, G, N, 1);
          continue;
        }
        if (lstm && act !== null && cs !== null && dc !== null) {
          const cPrev = s === 0 ? c0p : cs.ptr + prev * stepH;
          K.lstm_cell_bwd_f32(
            dGt,
            dc.ptr,
            act.ptr + t * stepG,
            cs.ptr + t * stepH,
            cPrev,
            dhTotal.ptr,
            dc.ptr,
            N,
            H,
          );
        } else K.rnn_cell_bwd_f32(dGt, dhTotal.ptr, outP + t * stepH, N * H, relu);
        back.run(dh.ptr, H, dGt, G, N, 0);
      }
    } finally {
      back.free();
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
    if (w.biasIh !== null) grads.push(w.biasIh.requiresGrad ? columnSums(op, dG, rows, G) : null);
    if (w.biasHh !== null) grads.push(w.biasHh.requiresGrad ? columnSums(op, hRec, rows, G) : null);
    dgh?.dispose();
    dhTotal.dispose();
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
