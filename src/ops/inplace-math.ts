/**
 * In-place variants of the issue-15 math (sin_, ..., frac_, atan2_, lerp_, cumsum_, cumprod_),
 * each the out-of-place op run through `inplace` (inplace.ts: PyTorch's rules for leaves,
 * versions and the graph).
 */
import type { Tensor, TensorOrScalar } from "../tensor.js";
import * as e from "./elementwise.js";
import { inplace } from "./inplace.js";
import { atan2, lerp } from "./pow.js";
import { cumprod, cumsum } from "./scan.js";

type Unary = (x: Tensor) => Tensor;
const unary =
  (op: string, f: Unary) =>
  (x: Tensor): Tensor =>
    inplace(op, x, [], f);

export const sin_ = unary("sin_", e.sin);
export const cos_ = unary("cos_", e.cos);
export const erf_ = unary("erf_", e.erf);
export const log1p_ = unary("log1p_", e.log1p);
export const expm1_ = unary("expm1_", e.expm1);
export const rsqrt_ = unary("rsqrt_", e.rsqrt);
export const square_ = unary("square_", e.square);
export const reciprocal_ = unary("reciprocal_", e.reciprocal);
export const sign_ = unary("sign_", e.sign);
export const floor_ = unary("floor_", e.floor);
export const ceil_ = unary("ceil_", e.ceil);
export const round_ = unary("round_", e.round);
export const trunc_ = unary("trunc_", e.trunc);
export const frac_ = unary("frac_", e.frac);

export const atan2_ = (y: Tensor, x: Tensor): Tensor =>
  inplace("atan2_", y, [x], (s) => atan2(s, x));
export const lerp_ = (start: Tensor, end: Tensor, weight: TensorOrScalar): Tensor =>
  inplace("lerp_", start, [end, weight], (s) => lerp(s, end, weight));
export const cumsum_ = (x: Tensor, dim: number): Tensor =>
  inplace("cumsum_", x, [], (s) => cumsum(s, dim));
export const cumprod_ = (x: Tensor, dim: number): Tensor =>
  inplace("cumprod_", x, [], (s) => cumprod(s, dim));
