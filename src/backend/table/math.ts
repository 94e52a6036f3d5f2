/**
 * Signatures of assembly/kernels/elementwise.ts (more elementwise maps; dst may alias inputs)
 * and assembly/kernels/scan.ts (cumsum, cumprod, prod along the middle dim of [outer, r, inner]).
 */
import type { Ptr } from "../kernels.js";

export interface MathKernels {
  sin_f32(dst: Ptr, x: Ptr, n: number): void;
  cos_f32(dst: Ptr, x: Ptr, n: number): void;
  erf_f32(dst: Ptr, x: Ptr, n: number): void;
  log1p_f32(dst: Ptr, x: Ptr, n: number): void;
  expm1_f32(dst: Ptr, x: Ptr, n: number): void;
  rsqrt_f32(dst: Ptr, x: Ptr, n: number): void;
  square_f32(dst: Ptr, x: Ptr, n: number): void;
  reciprocal_f32(dst: Ptr, x: Ptr, n: number): void;
  /** (x > 0) - (x < 0): sign(NaN) = sign(-0) = 0, as torch.sign. */
  sign_f32(dst: Ptr, x: Ptr, n: number): void;
  floor_f32(dst: Ptr, x: Ptr, n: number): void;
  ceil_f32(dst: Ptr, x: Ptr, n: number): void;
  /** Half to even, as torch.round. */
  round_f32(dst: Ptr, x: Ptr, n: number): void;
  trunc_f32(dst: Ptr, x: Ptr, n: number): void;
  /** x - trunc(x). */
  frac_f32(dst: Ptr, x: Ptr, n: number): void;
  /** dst = atan2(y, x), same-shape operands. */
  atan2_f32(dst: Ptr, y: Ptr, x: Ptr, n: number): void;
  /** dst = x ** y, same-shape operands (torch.pow's special cases). */
  pow_tensor_f32(dst: Ptr, x: Ptr, y: Ptr, n: number): void;
  /** dx = g y x^(y-1) (0 where y = 0), dy = g out ln x (0 where x = 0 and y >= 0). */
  pow_tensor_bwd_f32(dx: Ptr, dy: Ptr, g: Ptr, x: Ptr, y: Ptr, out: Ptr, n: number): void;
  /** dy = g x / (x^2 + y^2), dx = -g y / (x^2 + y^2). */
  atan2_bwd_f32(dy: Ptr, dx: Ptr, g: Ptr, y: Ptr, x: Ptr, n: number): void;
  cumsum_f32(dst: Ptr, x: Ptr, outer: number, r: number, inner: number, reverse: number): void;
  cumprod_f32(dst: Ptr, x: Ptr, outer: number, r: number, inner: number, reverse: number): void;
  /** dst is [outer, inner]. */
  prod_f32(dst: Ptr, x: Ptr, outer: number, r: number, inner: number): void;
}

export const mathKernelNames = [
  "sin_f32",
  "cos_f32",
  "erf_f32",
  "log1p_f32",
  "expm1_f32",
  "rsqrt_f32",
  "square_f32",
  "reciprocal_f32",
  "sign_f32",
  "floor_f32",
  "ceil_f32",
  "round_f32",
  "trunc_f32",
  "frac_f32",
  "atan2_f32",
  "pow_tensor_f32",
  "pow_tensor_bwd_f32",
  "atan2_bwd_f32",
  "cumsum_f32",
  "cumprod_f32",
  "prod_f32",
] as const satisfies readonly (keyof MathKernels)[];
