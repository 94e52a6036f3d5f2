/** Signatures of assembly/kernels/rnn.ts: fused pointwise steps of RNN, LSTM and GRU cells. */
import type { Ptr } from "../kernels.js";

export interface RnnKernels {
  /** h = tanh(pre) (relu 0) or relu(pre) (relu 1), `count` values; h may alias pre. */
  rnn_cell_f32(h: Ptr, pre: Ptr, count: number, relu: number): void;
  /** dpre = dh * f'(pre) computed from h = f(pre); dpre may alias dh. */
  rnn_cell_bwd_f32(dpre: Ptr, dh: Ptr, h: Ptr, count: number, relu: number): void;
  /** One LSTM step from pre-activation gates [n, 4hs] (i|f|g|o); cPrev 0: zeros; act: activated gates. */
  lstm_cell_f32(h: Ptr, c: Ptr, act: Ptr, gates: Ptr, cPrev: Ptr, n: number, hs: number): void;
  /** Backward of one LSTM step: dgates [n, 4hs] and dcPrev (may alias dc; dc 0: none). */
  lstm_cell_bwd_f32(
    dgates: Ptr,
    dcPrev: Ptr,
    act: Ptr,
    c: Ptr,
    cPrev: Ptr,
    dh: Ptr,
    dc: Ptr,
    n: number,
    hs: number,
  ): void;
  /** One GRU step from gi, gh [n, 3hs] (r|z|n); hPrev 0: zeros; act [n, 4hs] = r|z|n|gh_n. */
  gru_cell_f32(h: Ptr, act: Ptr, gi: Ptr, gh: Ptr, hPrev: Ptr, n: number, hs: number): void;
  /** Backward of one GRU step: dgi, dgh [n, 3hs], dhPrev = dh * z (the caller adds dgh · W_hh). */
  gru_cell_bwd_f32(
    dgi: Ptr,
    dgh: Ptr,
    dhPrev: Ptr,
    act: Ptr,
    hPrev: Ptr,
    dh: Ptr,
    n: number,
    hs: number,
  ): void;
  /** Hidden units per block of the sequence kernels for hidden size hs (from the shape alone). */
  rnn_block_width(hs: number): number;
  /** Blocks per step of the sequence kernels for hidden size hs. */
  rnn_blocks_per_step(hs: number): number;
  /** Floats rnn_pack_block_f32 writes for W [gates*hs, k], every block. */
  rnn_packed_floats(k: number, hs: number, gates: number): number;
  /** Packs block b of W [gates*hs, k] for the forward sequence kernel. */
  rnn_pack_block_f32(dst: Ptr, w: Ptr, k: number, hs: number, gates: number, b: number): void;
  /** Block `block` (step * blocksPerStep + b) of a forward sequence described at `desc`. */
  rnn_fwd_block_f32(d: Ptr, block: number): void;
  /** Forward blocks [b0, b1) in order. */
  rnn_fwd_f32(d: Ptr, b0: number, b1: number): void;
  /** Block `block` (phase * blocksPerStep + b) of a backward through time described at `desc`. */
  rnn_bwd_block_f32(d: Ptr, block: number): void;
  /** Backward blocks [b0, b1) in order. */
  rnn_bwd_f32(d: Ptr, b0: number, b1: number): void;
  /** out[i, :] = weight[idx[i], :] (idx: i32). */
  embedding_f32(out: Ptr, weight: Ptr, idx: Ptr, count: number, dim: number): void;
  /** dw [rows, dim] = rows of dout summed at their indices, skipping paddingIdx (-1: none). */
  embedding_bwd_f32(
    dw: Ptr,
    dout: Ptr,
    idx: Ptr,
    count: number,
    dim: number,
    rows: number,
    paddingIdx: number,
  ): void;
  /** Block `block` of embedding_bwd_f32: rows block * per .. of dw, every index read in order. */
  embedding_bwd_block_f32(
    dw: Ptr,
    dout: Ptr,
    idx: Ptr,
    count: number,
    dim: number,
    rows: number,
    paddingIdx: number,
    per: number,
    block: number,
  ): void;
}

export const rnnKernelNames = [
  "rnn_cell_f32",
  "rnn_cell_bwd_f32",
  "lstm_cell_f32",
  "lstm_cell_bwd_f32",
  "gru_cell_f32",
  "gru_cell_bwd_f32",
  "rnn_block_width",
  "rnn_blocks_per_step",
  "rnn_packed_floats",
  "rnn_pack_block_f32",
  "rnn_fwd_block_f32",
  "rnn_fwd_f32",
  "rnn_bwd_block_f32",
  "rnn_bwd_f32",
  "embedding_f32",
  "embedding_bwd_f32",
  "embedding_bwd_block_f32",
] as const satisfies readonly (keyof RnnKernels)[];
