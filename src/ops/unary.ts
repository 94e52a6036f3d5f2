/**
 * Elementwise unary math. Each forward is one SIMD kernel; each backward one fused kernel (or a
 * product with the saved output), so a gradient costs one pass.
 */
import { needsGrad, record } from "../autograd/engine.js";
import type { Ptr } from "../backend/kernels.js";
import { K } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Args, describe, named } from "../validate.js";
import { asFloat } from "./cast.js";
import { intBinary } from "./int-math.js";
import { binaryRaw, mulRaw, scalarRaw } from "./raw.js";

type UnaryKernel = (dst: Ptr, x: Ptr, n: number) => void;

/**
 * Runs `kernel` over x. With `promote`, an int32 or bool x is computed in float32 (PyTorch's
 * exp, log, sqrt, sigmoid and tanh of integers give floats); otherwise it must be float32.
 */
function apply(op: string, kernel: UnaryKernel, x: Tensor, promote = false): Tensor {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
  const fx = promote ? asFloat(op, x) : x;
  const px = fx._ptr(op);
  const out = Tensor._empty(op, x.shape);
  kernel(out.ptr, px, x.numel());
  if (fx !== x) fx.dispose();
  return out;
}

/** dx = kernel(dy, saved) for the fused gradient kernels. */
function grad2(
  op: string,
  kernel: (dx: Ptr, dy: Ptr, s: Ptr, n: number) => void,
  g: Tensor,
  saved: Tensor,
): Tensor {
  const ps = saved._ptr(`${op} backward`);
  const dx = Tensor._empty(op, g.shape);
  kernel(dx.ptr, g.ptr, ps, g.numel());
  return dx;
}

/**
 * Elementwise -x.
 *
 * PyTorch: `torch.neg`.
 *
 * @example
 * ```ts
 * wg.neg(wg.tensor([1, -2])); // [-1, 2]
 * ```
 */
export function neg(x: Tensor): Tensor {
  if (x instanceof Tensor && x.dtype === "int32") return intBinary("neg", "sub", 0, x);
  if (x instanceof Tensor && x.dtype === "bool") {
    throw new WasmgradError("neg: negation of a bool tensor is not supported; use logicalNot");
  }
  const out = apply("neg", K.neg_f32, x);
  if (!needsGrad(x)) return out;
  return record(out, "neg", [x], (g) => [scalarRaw("neg", BinaryOp.mul, g, -1)], []);
}

/**
 * Elementwise e^x (integers give float32).
 *
 * PyTorch: `torch.exp`.
 *
 * @example
 * ```ts
 * wg.exp(wg.tensor([0, 1])); // [1, 2.7183]
 * ```
 */
export function exp(x: Tensor): Tensor {
  const out = apply("exp", K.exp_f32, x, true);
  if (!needsGrad(x)) return out;
  return record(out, "exp", [x], (g) => [mulRaw(g, out)], [out]);
}

/**
 * Elementwise natural logarithm (integers give float32).
 *
 * PyTorch: `torch.log`.
 *
 * @example
 * ```ts
 * wg.log(wg.tensor([1, Math.E])); // [0, 1]
 * ```
 */
export function log(x: Tensor): Tensor {
  const out = apply("log", K.log_f32, x, true);
  if (!needsGrad(x)) return out;
  return record(out, "log", [x], (g) => [binaryRaw("log", BinaryOp.div, g, x)]);
}

/**
 * Elementwise square root (integers give float32).
 *
 * PyTorch: `torch.sqrt`.
 *
 * @example
 * ```ts
 * wg.sqrt(wg.tensor([4, 9])); // [2, 3]
 * ```
 */
export function sqrt(x: Tensor): Tensor {
  const out = apply("sqrt", K.sqrt_f32, x, true);
  if (!needsGrad(x)) return out;
  return record(
    out,
    "sqrt",
    [x],
    (g) => {
      const q = binaryRaw("sqrt", BinaryOp.div, g, out);
      const r = scalarRaw("sqrt", BinaryOp.mul, q, 0.5);
      q.dispose();
      return [r];
    },
    [out],
  );
}

/** An int32 input of abs, relu or clamp stays int32, as in PyTorch; a bool one is refused. */
function integral(op: string, x: Tensor): boolean {
  if (!(x instanceof Tensor) || x.dtype === "float32") return false;
  if (x.dtype === "bool") {
    throw new WasmgradError(
      `${op}: not supported for a bool tensor (as in PyTorch); convert it with .int() or .float()`,
    );
  }
  return true;
}

/**
 * Elementwise absolute value.
 *
 * PyTorch: `torch.abs`.
 *
 * @example
 * ```ts
 * wg.abs(wg.tensor([-2, 3])); // [2, 3]
 * ```
 */
export function abs(x: Tensor): Tensor {
  if (integral("abs", x)) {
    const n = intBinary("abs", "sub", 0, x);
    const out = intBinary("abs", "maximum", x, n);
    n.dispose();
    return out;
  }
  const out = apply("abs", K.abs_f32, x);
  if (!needsGrad(x)) return out;
  return record(out, "abs", [x], (g) => [grad2("abs", K.abs_bwd_f32, g, x)]);
}

/**
 * Elementwise max(x, 0).
 *
 * PyTorch: `torch.relu`.
 *
 * @example
 * ```ts
 * wg.relu(wg.tensor([-1, 2])); // [0, 2]
 * ```
 */
export function relu(x: Tensor): Tensor {
  if (integral("relu", x)) return intBinary("relu", "maximum", x, 0);
  const out = apply("relu", K.relu_f32, x);
  if (!needsGrad(x)) return out;
  return record(out, "relu", [x], (g) => [grad2("relu", K.relu_bwd_f32, g, x)]);
}

/**
 * Elementwise 1 / (1 + e^-x).
 *
 * PyTorch: `torch.sigmoid`.
 *
 * @example
 * ```ts
 * wg.sigmoid(wg.tensor([0])); // [0.5]
 * ```
 */
export function sigmoid(x: Tensor): Tensor {
  const out = apply("sigmoid", K.sigmoid_f32, x, true);
  if (!needsGrad(x)) return out;
  return record(out, "sigmoid", [x], (g) => [grad2("sigmoid", K.sigmoid_bwd_f32, g, out)], [out]);
}

/**
 * Elementwise hyperbolic tangent.
 *
 * PyTorch: `torch.tanh`.
 *
 * @example
 * ```ts
 * wg.tanh(wg.tensor([0])); // [0]
 * ```
 */
export function tanh(x: Tensor): Tensor {
  const out = apply("tanh", K.tanh_f32, x, true);
  if (!needsGrad(x)) return out;
  return record(out, "tanh", [x], (g) => [grad2("tanh", K.tanh_bwd_f32, g, out)], [out]);
}

/** x ** exponent for a number exponent, as torch.pow(tensor, number). */
export function pow(x: Tensor, exponent: number): Tensor {
  if (typeof exponent !== "number") {
    throw new WasmgradError(
      `pow: expected a number exponent but got ${exponent === null ? "null" : typeof exponent}`,
    );
  }
  const out = apply("pow", (d, s, n) => K.pow_f32(d, s, n, exponent), x);
  if (!needsGrad(x)) return out;
  return record(out, "pow", [x], (g) => [
    grad2("pow", (dx, dy, s, n) => K.pow_bwd_f32(dx, dy, s, n, exponent), g, x),
  ]);
}

/**
 * Limits values to [min, max]; either bound may be null (PyTorch's clamp).
 *
 * PyTorch: `torch.clamp`.
 *
 * @example
 * ```ts
 * wg.clamp(wg.tensor([-2, 0.5, 3]), 0, 1); // [0, 0.5, 1]
 * ```
 */
export function clamp(
  x: Tensor,
  ...given: Args<
    [min: number | null | undefined, max: number | null | undefined],
    { min?: number | null; max?: number | null }
  >
): Tensor {
  const [min, max] = named("clamp", given, ["min", "max"]) as [number | null, number | null];
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  if ((min === null || min === undefined) && (max === null || max === undefined)) {
    throw new WasmgradError("clamp: at least one of min and max must be given");
  }
  if (typeof lo !== "number" || typeof hi !== "number" || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new WasmgradError(
      `clamp: expected number bounds but got min=${describe(min)}, max=${describe(max)}`,
    );
  }
  if (x instanceof Tensor && x.dtype === "int32") {
    // Integer bounds keep int32 (PyTorch's result type); fractional ones give float32.
    if ((min == null || Number.isInteger(lo)) && (max == null || Number.isInteger(hi))) {
      const low = min == null ? x : intBinary("clamp", "maximum", x, lo);
      const out = max == null ? low : intBinary("clamp", "minimum", low, hi);
      if (low !== x && low !== out) low.dispose();
      return out;
    }
    const fx = asFloat("clamp", x);
    const out = clamp(fx, min, max);
    fx.dispose();
    return out;
  }
  const out = apply("clamp", (d, s, n) => K.clamp_f32(d, s, n, lo, hi), x);
  if (!needsGrad(x)) return out;
  return record(out, "clamp", [x], (g) => [
    grad2("clamp", (dx, dy, s, n) => K.clamp_bwd_f32(dx, dy, s, n, lo, hi), g, x),
  ]);
}
