/**
 * Signatures of assembly/kernels/activation.ts: PyTorch's activations and their fused
 * gradients. Backward kernels take the forward input x (dst may alias x, dx may alias dy).
 */
import type { Ptr } from "../kernels.js";

export interface ActivationKernels {
  /** x * sigmoid(x) */
  silu_f32(dst: Ptr, x: Ptr, n: number): void;
  silu_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number): void;
  /** x > 0 ? x : slope * x */
  leaky_relu_f32(dst: Ptr, x: Ptr, n: number, slope: number): void;
  leaky_relu_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, slope: number): void;
  /** x > 0 ? x : alpha * (e^x - 1) */
  elu_f32(dst: Ptr, x: Ptr, n: number, alpha: number): void;
  elu_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, alpha: number): void;
  /** beta x > threshold ? x : log(1 + e^(beta x)) / beta */
  softplus_f32(dst: Ptr, x: Ptr, n: number, beta: number, threshold: number): void;
  softplus_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, beta: number, threshold: number): void;
  /** x * tanh(softplus(x)) */
  mish_f32(dst: Ptr, x: Ptr, n: number): void;
  mish_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number): void;
  /** min(max(x, lo), hi); the gradient is 0 on and outside the bounds */
  hardtanh_f32(dst: Ptr, x: Ptr, n: number, lo: number, hi: number): void;
  hardtanh_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, lo: number, hi: number): void;
}

export const activationKernelNames = [
  "silu_f32",
  "silu_bwd_f32",
  "leaky_relu_f32",
  "leaky_relu_bwd_f32",
  "elu_f32",
  "elu_bwd_f32",
  "softplus_f32",
  "softplus_bwd_f32",
  "mish_f32",
  "mish_bwd_f32",
  "hardtanh_f32",
  "hardtanh_bwd_f32",
] as const satisfies readonly (keyof ActivationKernels)[];
