/**
 * Signatures of the Adam(W), RMSprop, Adagrad and norm kernels of assembly/kernels/optim.ts
 * (sgd_f32 is listed with the core kernels). Updates happen in place; an optional state
 * operand whose pointer is 0 is absent. Scalars are f32; the caller computes the coefficients
 * (1 - beta, bias corrections) in double precision, as PyTorch does in Python.
 */
import type { Ptr } from "../kernels.js";

export interface OptimKernels {
  /**
   * Adam / AdamW: g = grad + weightDecay·p; p *= paramScale; m = beta1·m + (1-beta1)·g;
   * v = beta2·v + (1-beta2)·g²; vmax = max(vmax, v) (amsgrad, when maxExpAvgSq != 0);
   * p -= stepSize·m / (sqrt(v or vmax) / bc2Sqrt + eps).
   */
  adam_f32(
    p: Ptr,
    grad: Ptr,
    expAvg: Ptr,
    expAvgSq: Ptr,
    maxExpAvgSq: Ptr,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    weightDecay: number,
    paramScale: number,
    stepSize: number,
    bc2Sqrt: number,
    eps: number,
  ): void;
  /**
   * RMSprop: g = grad + weightDecay·p; s = alpha·s + (1-alpha)·g²; centered (gradAvg != 0):
   * a = alpha·a + (1-alpha)·g, avg = sqrt(s - a²) + eps, else avg = sqrt(s) + eps;
   * momentum (momentumBuffer != 0): buf = momentum·buf + g/avg, p -= lr·buf; else p -= lr·g/avg.
   */
  rmsprop_f32(
    p: Ptr,
    grad: Ptr,
    squareAvg: Ptr,
    gradAvg: Ptr,
    momentumBuffer: Ptr,
    n: number,
    lr: number,
    alpha: number,
    oneMinusAlpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
  ): void;
  /** Adagrad: g = grad + weightDecay·p; sum += g²; p -= clr·g / (sqrt(sum) + eps). */
  adagrad_f32(
    p: Ptr,
    grad: Ptr,
    sum: Ptr,
    n: number,
    clr: number,
    weightDecay: number,
    eps: number,
  ): void;
  /** dst (one f64, 8-byte aligned): max |x| for p = Infinity, else sum |x|^p, in double. */
  pow_sum_f32(dst: Ptr, x: Ptr, n: number, p: number): void;
  /** Adadelta (assembly/kernels/optim2.ts): s, acc updated; p -= lr·sqrt(acc+eps)/sqrt(s+eps)·g. */
  adadelta_f32(
    p: Ptr,
    grad: Ptr,
    squareAvg: Ptr,
    accDelta: Ptr,
    n: number,
    lr: number,
    rho: number,
    oneMinusRho: number,
    eps: number,
    weightDecay: number,
  ): void;
  /** Adamax: m = b1·m + (1-b1)·g; u = max(b2·u, |g| + eps); p += (-clr·m) / u. */
  adamax_f32(
    p: Ptr,
    grad: Ptr,
    expAvg: Ptr,
    expInf: Ptr,
    n: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
    clr: number,
  ): void;
  /** NAdam (mode 0) and RAdam (mode 1 rectified, 2 not): see assembly/kernels/optim2.ts. */
  nadam_radam_f32(
    p: Ptr,
    grad: Ptr,
    expAvg: Ptr,
    expAvgSq: Ptr,
    n: number,
    mode: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    weightDecay: number,
    paramScale: number,
    bc2: number,
    c1: number,
    c2: number,
    lr: number,
    rect: number,
    eps: number,
  ): void;
}

export const optimKernelNames = [
  "adam_f32",
  "rmsprop_f32",
  "adagrad_f32",
  "pow_sum_f32",
  "adadelta_f32",
  "adamax_f32",
  "nadam_radam_f32",
] as const satisfies readonly (keyof OptimKernels)[];
