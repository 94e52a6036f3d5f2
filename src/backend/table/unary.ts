/** Signatures of assembly/kernels/unary.ts: elementwise maps and their gradients (dst may alias x, dx may alias dy). */
import type { Ptr } from "../kernels.js";

export interface UnaryKernels {
  exp_f32(dst: Ptr, x: Ptr, n: number): void;
  log_f32(dst: Ptr, x: Ptr, n: number): void;
  sqrt_f32(dst: Ptr, x: Ptr, n: number): void;
  abs_f32(dst: Ptr, x: Ptr, n: number): void;
  neg_f32(dst: Ptr, x: Ptr, n: number): void;
  relu_f32(dst: Ptr, x: Ptr, n: number): void;
  sigmoid_f32(dst: Ptr, x: Ptr, n: number): void;
  tanh_f32(dst: Ptr, x: Ptr, n: number): void;
  /** torch.pow(x, p) for a scalar exponent. */
  pow_f32(dst: Ptr, x: Ptr, n: number, p: number): void;
  /** min(max(x, lo), hi); NaN in x stays NaN, a NaN bound makes every output NaN. */
  clamp_f32(dst: Ptr, x: Ptr, n: number, lo: number, hi: number): void;
  /** dx = x > 0 ? dy : 0 */
  relu_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number): void;
  /** dx = dy * (1 - y) * y where y = sigmoid(x) */
  sigmoid_bwd_f32(dx: Ptr, dy: Ptr, y: Ptr, n: number): void;
  /** dx = dy * (1 - y * y) where y = tanh(x) */
  tanh_bwd_f32(dx: Ptr, dy: Ptr, y: Ptr, n: number): void;
  /** dx = dy * sign(x), sign(0) = sign(NaN) = 0 */
  abs_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number): void;
  /** dx = lo <= x <= hi ? dy : 0 */
  clamp_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, lo: number, hi: number): void;
  /** dx = dy * (p * x^(p-1)), 0 when p = 0 */
  pow_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, p: number): void;
}

export const unaryKernelNames = [
  "exp_f32",
  "log_f32",
  "sqrt_f32",
  "abs_f32",
  "neg_f32",
  "relu_f32",
  "sigmoid_f32",
  "tanh_f32",
  "pow_f32",
  "clamp_f32",
  "relu_bwd_f32",
  "sigmoid_bwd_f32",
  "tanh_bwd_f32",
  "abs_bwd_f32",
  "clamp_bwd_f32",
  "pow_bwd_f32",
] as const satisfies readonly (keyof UnaryKernels)[];
