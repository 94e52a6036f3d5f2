/**
 * Signatures of assembly/kernels/loss.ts: the fused losses with PyTorch's options (class
 * weights, ignoreIndex, label smoothing, posWeight). Optional operands take pointer 0 for
 * "none" (weights of 1). Forward kernels write per-element losses (loss 0: skipped) and
 * stats: f32 [sum of losses, divisor of the mean] for the class losses, [sum, i32 index of the
 * first input outside [0, 1] or -1] for binary_cross_entropy, [sum] for bce_with_logits.
 * Backward kernels read the upstream gradient as dloss[i * dlossStride] * scale.
 */
import type { Ptr } from "../kernels.js";

export interface LossKernels {
  /** Cross-entropy of logits x [n, c] against class indices target [n] (i32). */
  softmax_cross_entropy_f32(
    loss: Ptr,
    stats: Ptr,
    x: Ptr,
    target: Ptr,
    w: Ptr,
    n: number,
    c: number,
    ignoreIndex: number,
    smoothing: number,
  ): void;
  /** stats of softmax_cross_entropy_f32 from its per-row losses, in the whole call's order. */
  softmax_cross_entropy_sum_f32(
    stats: Ptr,
    loss: Ptr,
    target: Ptr,
    w: Ptr,
    n: number,
    ignoreIndex: number,
  ): void;
  softmax_cross_entropy_bwd_f32(
    dx: Ptr,
    x: Ptr,
    target: Ptr,
    w: Ptr,
    n: number,
    c: number,
    ignoreIndex: number,
    smoothing: number,
    dloss: Ptr,
    dlossStride: number,
    scale: number,
  ): void;
  /** Negative log-likelihood of log-probabilities x [n, c] at class indices target [n]. */
  nll_loss_f32(
    loss: Ptr,
    stats: Ptr,
    x: Ptr,
    target: Ptr,
    w: Ptr,
    n: number,
    c: number,
    ignoreIndex: number,
  ): void;
  nll_loss_bwd_f32(
    dx: Ptr,
    target: Ptr,
    w: Ptr,
    n: number,
    c: number,
    ignoreIndex: number,
    dloss: Ptr,
    dlossStride: number,
    scale: number,
  ): void;
  /** Binary cross-entropy of probabilities x [n] against targets t [n], weight w [n]. */
  binary_cross_entropy_f32(loss: Ptr, stats: Ptr, x: Ptr, t: Ptr, w: Ptr, n: number): void;
  /** dx and/or dt (either may be 0). */
  binary_cross_entropy_bwd_f32(
    dx: Ptr,
    dt: Ptr,
    x: Ptr,
    t: Ptr,
    w: Ptr,
    n: number,
    dloss: Ptr,
    dlossStride: number,
    scale: number,
  ): void;
  /** Binary cross-entropy of logits x [n], weight w [n], positive-class weight pw [n]. */
  bce_with_logits_f32(loss: Ptr, stats: Ptr, x: Ptr, t: Ptr, w: Ptr, pw: Ptr, n: number): void;
  bce_with_logits_bwd_f32(
    dx: Ptr,
    dt: Ptr,
    x: Ptr,
    t: Ptr,
    w: Ptr,
    pw: Ptr,
    n: number,
    dloss: Ptr,
    dlossStride: number,
    scale: number,
  ): void;
  /**
   * CTC loss of log-probabilities lp [t, n, c]: per-sample nll [n] and alpha [n, t, r] (saved
   * for the backward). info: i32 [n, 3] = input length, target length, offset into targets
   * (i32 labels, concatenated); ws: 3r floats; r: row length, a multiple of 4 >= 2L + 5.
   */
  ctc_loss_f32(
    nll: Ptr,
    alpha: Ptr,
    lp: Ptr,
    targets: Ptr,
    info: Ptr,
    ws: Ptr,
    t: number,
    n: number,
    c: number,
    blank: number,
    r: number,
  ): void;
  /** PyTorch's CTC gradient dlp [t, n, c] with upstream gradients gr [n]; ws: 5r floats. */
  ctc_loss_bwd_f32(
    dlp: Ptr,
    lp: Ptr,
    targets: Ptr,
    info: Ptr,
    alpha: Ptr,
    nll: Ptr,
    gr: Ptr,
    ws: Ptr,
    t: number,
    n: number,
    c: number,
    blank: number,
    r: number,
    zeroInfinity: number,
  ): void;
}

export const lossKernelNames = [
  "softmax_cross_entropy_f32",
  "softmax_cross_entropy_sum_f32",
  "softmax_cross_entropy_bwd_f32",
  "nll_loss_f32",
  "nll_loss_bwd_f32",
  "binary_cross_entropy_f32",
  "binary_cross_entropy_bwd_f32",
  "bce_with_logits_f32",
  "bce_with_logits_bwd_f32",
  "ctc_loss_f32",
  "ctc_loss_bwd_f32",
] as const satisfies readonly (keyof LossKernels)[];
