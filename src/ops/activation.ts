/**
 * Activations, as torch.nn.functional: silu, leakyRelu, elu, softplus, mish, hardtanh, relu6.
 * Each is one SIMD kernel forward and one fused kernel backward (assembly/kernels/activation.ts),
 * the backward reading the saved input as PyTorch's does.
 *
 * Arguments follow PyTorch's order and may also come in a trailing options object:
 * `F.leakyRelu(x, 0.2)` = `F.leakyRelu(x, { negativeSlope: 0.2 })`. With `inplace: true` the
 * result is written into the input, which is returned, with PyTorch's rules (ops/inplace.ts): its
 * version is bumped, a leaf that requires grad is refused while grad mode is on, and when autograd
 * records, the backward reads a snapshot of the old values, so gradients stay right.
 */
import { needsGrad, record } from "../autograd/engine.js";
import type { Ptr } from "../backend/kernels.js";
import { K } from "../backend/runtime.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, fail, num, tensorArg } from "../validate.js";
import { inplace as writeInPlace } from "./inplace.js";

type Fwd = (dst: Ptr, x: Ptr, n: number) => void;
type Bwd = (dx: Ptr, dy: Ptr, x: Ptr, n: number) => void;

function activate(op: string, input: unknown, fwd: Fwd, bwd: Bwd, inplace = false): Tensor {
  const x = tensorArg(op, "input", input);
  if (inplace) return writeInPlace(op, x, [], (s) => activate(op, s, fwd, bwd));
  const out = Tensor._empty(op, x.shape);
  fwd(out.ptr, x._ptr(op), x.numel());
  if (!needsGrad(x)) return out;
  return record(out, op, [x], (g) => {
    const dx = Tensor._empty(op, g.shape);
    bwd(dx.ptr, g._ptr(`${op} backward`), x._ptr(`${op} backward`), g.numel());
    return [dx];
  });
}

function inplaceOf(op: string, v: unknown): boolean {
  return v === undefined ? false : bool(op, "inplace", v);
}

/** Options of the activations that can overwrite their input (F.relu, F.leakyRelu, F.elu, ...). */
export interface InplaceOptions {
  /** Overwrite the input instead of allocating the result (default false). */
  inplace?: boolean;
}

/**
 * x * sigmoid(x) (also called swish).
 *
 * PyTorch: `torch.nn.functional.silu`.
 *
 * @example
 * ```ts
 * wg.F.silu(wg.tensor([0, 1])); // [0, 0.7311]
 * ```
 */
export function silu(input: Tensor, ...rest: Args<[inplace: boolean], InplaceOptions>): Tensor {
  const op = "silu";
  const inplace = inplaceOf(op, args(op, rest, ["inplace"]).inplace);
  return activate(op, input, K.silu_f32, K.silu_bwd_f32, inplace);
}

/** Options of `F.leakyRelu`. */
export interface LeakyReluOptions extends InplaceOptions {
  /** The slope for negative inputs (default 0.01; PyTorch's `negative_slope`). */
  negativeSlope?: number;
}

/**
 * x for x > 0, negativeSlope * x otherwise (default slope 0.01).
 *
 * PyTorch: `torch.nn.functional.leaky_relu`.
 *
 * @example
 * ```ts
 * wg.F.leakyRelu(wg.tensor([-1, 1]), 0.1); // [-0.1, 1]
 * ```
 */
export function leakyRelu(
  input: Tensor,
  ...rest: Args<[negativeSlope: number, inplace: boolean], LeakyReluOptions>
): Tensor {
  const op = "leakyRelu";
  const a = args(op, rest, ["negativeSlope", "inplace"]);
  const slope = a.negativeSlope === undefined ? 0.01 : num(op, "negativeSlope", a.negativeSlope);
  return activate(
    op,
    input,
    (d, x, n) => K.leaky_relu_f32(d, x, n, slope),
    (dx, dy, x, n) => K.leaky_relu_bwd_f32(dx, dy, x, n, slope),
    inplaceOf(op, a.inplace),
  );
}

/** Options of `F.elu`. */
export interface EluOptions extends InplaceOptions {
  /** The value ELU approaches for large negative inputs, alpha * (e^x - 1) (default 1). */
  alpha?: number;
}

/**
 * x for x > 0, alpha * (e^x - 1) otherwise (default alpha 1).
 *
 * PyTorch: `torch.nn.functional.elu`.
 *
 * @example
 * ```ts
 * wg.F.elu(wg.tensor([-1, 1])); // [-0.6321, 1]
 * ```
 */
export function elu(
  input: Tensor,
  ...rest: Args<[alpha: number, inplace: boolean], EluOptions>
): Tensor {
  const op = "elu";
  const a = args(op, rest, ["alpha", "inplace"]);
  const alpha = a.alpha === undefined ? 1 : num(op, "alpha", a.alpha);
  return activate(
    op,
    input,
    (d, x, n) => K.elu_f32(d, x, n, alpha),
    (dx, dy, x, n) => K.elu_bwd_f32(dx, dy, x, n, alpha),
    inplaceOf(op, a.inplace),
  );
}

/** Options of `F.softplus`. */
export interface SoftplusOptions {
  /** The sharpness: log(1 + e^(beta x)) / beta (default 1). */
  beta?: number;
  /** Above beta * x > threshold the result is x itself, for stability (default 20). */
  threshold?: number;
}

/**
 * log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (defaults 1 and 20).
 *
 * PyTorch: `torch.nn.functional.softplus`.
 *
 * @example
 * ```ts
 * wg.F.softplus(wg.tensor([0])); // [0.6931]
 * ```
 */
export function softplus(
  input: Tensor,
  ...rest: Args<[beta: number, threshold: number], SoftplusOptions>
): Tensor {
  const op = "softplus";
  const a = args(op, rest, ["beta", "threshold"]);
  const beta = a.beta === undefined ? 1 : num(op, "beta", a.beta, { gt: 0, finite: true });
  const threshold = a.threshold === undefined ? 20 : num(op, "threshold", a.threshold);
  return activate(
    op,
    input,
    (d, x, n) => K.softplus_f32(d, x, n, beta, threshold),
    (dx, dy, x, n) => K.softplus_bwd_f32(dx, dy, x, n, beta, threshold),
  );
}

/**
 * x * tanh(softplus(x)).
 *
 * PyTorch: `torch.nn.functional.mish`.
 *
 * @example
 * ```ts
 * wg.F.mish(wg.tensor([0, 1])); // [0, 0.8651]
 * ```
 */
export function mish(input: Tensor, ...rest: Args<[inplace: boolean], InplaceOptions>): Tensor {
  const op = "mish";
  const inplace = inplaceOf(op, args(op, rest, ["inplace"]).inplace);
  return activate(op, input, K.mish_f32, K.mish_bwd_f32, inplace);
}

/** Options of `F.hardtanh`. */
export interface HardtanhOptions extends InplaceOptions {
  /** The lower clamp (default -1; PyTorch's `min_val`). */
  minVal?: number;
  /** The upper clamp (default 1; PyTorch's `max_val`). */
  maxVal?: number;
}

function hardtanhOf(op: string, input: unknown, lo: number, hi: number, inplace: boolean): Tensor {
  if (!(lo <= hi)) {
    fail(op, `minVal (${lo}) must be <= maxVal (${hi})`);
  }
  return activate(
    op,
    input,
    (d, x, n) => K.hardtanh_f32(d, x, n, lo, hi),
    (dx, dy, x, n) => K.hardtanh_bwd_f32(dx, dy, x, n, lo, hi),
    inplace,
  );
}

/**
 * Clamps to [minVal, maxVal] (default [-1, 1]); the gradient is 0 on and outside the bounds.
 *
 * PyTorch: `torch.nn.functional.hardtanh`.
 *
 * @example
 * ```ts
 * wg.F.hardtanh(wg.tensor([-2, 0.5, 2])); // [-1, 0.5, 1]
 * ```
 */
export function hardtanh(
  input: Tensor,
  ...rest: Args<[minVal: number, maxVal: number, inplace: boolean], HardtanhOptions>
): Tensor {
  const op = "hardtanh";
  const a = args(op, rest, ["minVal", "maxVal", "inplace"]);
  const lo = a.minVal === undefined ? -1 : num(op, "minVal", a.minVal);
  const hi = a.maxVal === undefined ? 1 : num(op, "maxVal", a.maxVal);
  return hardtanhOf(op, input, lo, hi, inplaceOf(op, a.inplace));
}

/**
 * min(max(x, 0), 6), as hardtanh(x, 0, 6).
 *
 * PyTorch: `torch.nn.functional.relu6`.
 *
 * @example
 * ```ts
 * wg.F.relu6(wg.tensor([-1, 3, 8])); // [0, 3, 6]
 * ```
 */
export function relu6(input: Tensor, ...rest: Args<[inplace: boolean], InplaceOptions>): Tensor {
  const op = "relu6";
  return hardtanhOf(op, input, 0, 6, inplaceOf(op, args(op, rest, ["inplace"]).inplace));
}
