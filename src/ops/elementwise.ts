/**
 * More elementwise math, as torch: sin, cos, erf, log1p, expm1, rsqrt, square, reciprocal,
 * sign, floor, ceil, round, trunc, frac. Each forward is one SIMD kernel (elementwise.ts, with
 * the ulp bounds stated in test/kernels/special.test.ts); each backward a few kernel passes.
 * The rounding ops and sign have a zero gradient, as in PyTorch; frac's is the identity.
 */
import { needsGrad, record } from "../autograd/engine.js";
import type { Ptr } from "../backend/kernels.js";
import { K } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { int, noExtra, options, tensorArg } from "../validate.js";
import { mul } from "./binary.js";
import { asFloat, castRaw } from "./cast.js";
import { mulRaw, scalarRaw } from "./raw.js";

type Kernel = (dst: Ptr, x: Ptr, n: number) => void;

/** The ops whose gradient is computed from the output rather than the input. */
const READS_OUT = new Set(["expm1", "rsqrt", "reciprocal"]);

/** @internal kernel(x) into a new tensor of x's shape, no autograd. */
export function mapRaw(op: string, kernel: Kernel, x: Tensor): Tensor {
  const px = x._ptr(op);
  const out = Tensor._empty(op, x.shape);
  kernel(out.ptr, px, sizeOf(x.shape));
  return out;
}

/**
 * Runs `kernel` and records `grad(g, out)` as the backward. `grad` returns a fresh tensor; the
 * intermediate tensors it makes are its own to dispose.
 */
function unary(
  op: string,
  kernel: Kernel,
  x: Tensor,
  grad: ((g: Tensor, out: Tensor) => Tensor) | "zero" | "identity",
  extra: readonly unknown[],
): Tensor {
  // What the backward reads, for the engine's in-place (version) check.
  const saves = typeof grad !== "function" ? "none" : READS_OUT.has(op) ? "out" : "x";
  tensorArg(op, "input", x);
  noExtra(op, [x, ...extra], 1);
  if (x.dtype !== "float32") return intInput(op, kernel, x);
  const out = mapRaw(op, kernel, x);
  if (!needsGrad(x)) return out;
  return record(
    out,
    op,
    [x],
    (g) => {
      if (grad === "identity") return [g];
      if (grad === "zero") {
        const z = Tensor._empty(op, x.shape);
        K.fill_f32(z.ptr, sizeOf(z.shape), 0);
        return [z];
      }
      return [grad(g, out)];
    },
    saves === "out" ? [out] : saves === "x" ? [x] : [],
  );
}

/**
 * int32 and bool input, as PyTorch: the rounding functions return a copy of an int32 tensor and
 * refuse a bool one, sign keeps the dtype (sign in float then back), square is an integer
 * multiply (int32 for bool too), frac refuses, and the rest compute in float32. Integer tensors
 * never carry gradients, so nothing is recorded.
 */
function intInput(op: string, kernel: Kernel, x: Tensor): Tensor {
  if (op === "floor" || op === "ceil" || op === "round" || op === "trunc") {
    if (x.dtype === "bool") {
      throw new WasmgradError(
        `${op}: not supported for a bool tensor (PyTorch has no bool ${op}); convert it with .int() or .float()`,
      );
    }
    return castRaw(op, x, x.dtype);
  }
  if (op === "frac") x._ptr(op); // throws: frac is float-only in PyTorch too
  if (op === "square") return x.dtype === "bool" ? castRaw(op, x, "int32") : mul(x, x);
  const fx = asFloat(op, x);
  const out = mapRaw(op, kernel, fx);
  fx.dispose();
  if (op !== "sign") return out;
  const r = castRaw(op, out, x.dtype);
  out.dispose();
  return r;
}

/** g * t, disposing t. */
function times(g: Tensor, t: Tensor): Tensor {
  const r = mulRaw(g, t);
  t.dispose();
  return r;
}

/** t * s, disposing t. */
function scaled(t: Tensor, s: number): Tensor {
  const r = scalarRaw("mul", BinaryOp.mul, t, s);
  t.dispose();
  return r;
}

/**
 * Elementwise sine.
 *
 * PyTorch: `torch.sin`.
 *
 * @example
 * ```ts
 * wg.sin(wg.tensor([0, Math.PI / 2])); // [0, 1]
 * ```
 */
export function sin(x: Tensor, ...extra: never[]): Tensor {
  return unary("sin", K.sin_f32, x, (g) => times(g, mapRaw("sin", K.cos_f32, x)), extra);
}

/**
 * Elementwise cosine.
 *
 * PyTorch: `torch.cos`.
 *
 * @example
 * ```ts
 * wg.cos(wg.tensor([0, Math.PI])); // [1, -1]
 * ```
 */
export function cos(x: Tensor, ...extra: never[]): Tensor {
  return unary(
    "cos",
    K.cos_f32,
    x,
    (g) => scaled(times(g, mapRaw("cos", K.sin_f32, x)), -1),
    extra,
  );
}

/**
 * Elementwise error function.
 *
 * PyTorch: `torch.erf`.
 *
 * @example
 * ```ts
 * wg.erf(wg.tensor([0, 1])); // [0, 0.8427]
 * ```
 */
export function erf(x: Tensor, ...extra: never[]): Tensor {
  // d erf/dx = 2/sqrt(pi) e^(-x^2)
  return unary(
    "erf",
    K.erf_f32,
    x,
    (g) => {
      const negSq = scaled(mapRaw("erf", K.square_f32, x), -1);
      const e = mapRaw("erf", K.exp_f32, negSq);
      negSq.dispose();
      return scaled(times(g, e), 2 / Math.sqrt(Math.PI));
    },
    extra,
  );
}

/**
 * Elementwise log(1 + x), exact near 0.
 *
 * PyTorch: `torch.log1p`.
 *
 * @example
 * ```ts
 * wg.log1p(wg.tensor([1e-6])); // [1e-6]
 * ```
 */
export function log1p(x: Tensor, ...extra: never[]): Tensor {
  return unary(
    "log1p",
    K.log1p_f32,
    x,
    (g) => {
      const u = scalarRaw("log1p", BinaryOp.add, x, 1);
      const r = mapRaw("log1p", K.reciprocal_f32, u);
      u.dispose();
      return times(g, r);
    },
    extra,
  );
}

/**
 * Elementwise e^x - 1, exact near 0.
 *
 * PyTorch: `torch.expm1`.
 *
 * @example
 * ```ts
 * wg.expm1(wg.tensor([1e-6])); // [1e-6]
 * ```
 */
export function expm1(x: Tensor, ...extra: never[]): Tensor {
  return unary(
    "expm1",
    K.expm1_f32,
    x,
    (g, out) => times(g, scalarRaw("expm1", BinaryOp.add, out, 1)),
    extra,
  );
}

/**
 * Elementwise 1 / sqrt(x).
 *
 * PyTorch: `torch.rsqrt`.
 *
 * @example
 * ```ts
 * wg.rsqrt(wg.tensor([4, 16])); // [0.5, 0.25]
 * ```
 */
export function rsqrt(x: Tensor, ...extra: never[]): Tensor {
  // d x^(-1/2)/dx = -1/2 x^(-3/2) = -1/2 out^3
  return unary(
    "rsqrt",
    K.rsqrt_f32,
    x,
    (g, out) => {
      const cube = times(out, mapRaw("rsqrt", K.square_f32, out));
      return scaled(times(g, cube), -0.5);
    },
    extra,
  );
}

/**
 * Elementwise x * x.
 *
 * PyTorch: `torch.square`.
 *
 * @example
 * ```ts
 * wg.square(wg.tensor([-2, 3])); // [4, 9]
 * ```
 */
export function square(x: Tensor, ...extra: never[]): Tensor {
  return unary("square", K.square_f32, x, (g) => scaled(mulRaw(g, x), 2), extra);
}

/**
 * Elementwise 1 / x.
 *
 * PyTorch: `torch.reciprocal`.
 *
 * @example
 * ```ts
 * wg.reciprocal(wg.tensor([2, 4])); // [0.5, 0.25]
 * ```
 */
export function reciprocal(x: Tensor, ...extra: never[]): Tensor {
  return unary(
    "reciprocal",
    K.reciprocal_f32,
    x,
    (g, out) => scaled(times(g, mapRaw("reciprocal", K.square_f32, out)), -1),
    extra,
  );
}

/**
 * Elementwise -1, 0 or 1.
 *
 * PyTorch: `torch.sign`.
 *
 * @example
 * ```ts
 * wg.sign(wg.tensor([-3, 0, 2])); // [-1, 0, 1]
 * ```
 */
export function sign(x: Tensor, ...extra: never[]): Tensor {
  return unary("sign", K.sign_f32, x, "zero", extra);
}

/**
 * Elementwise floor.
 *
 * PyTorch: `torch.floor`.
 *
 * @example
 * ```ts
 * wg.floor(wg.tensor([1.5, -1.5])); // [1, -2]
 * ```
 */
export function floor(x: Tensor, ...extra: never[]): Tensor {
  return unary("floor", K.floor_f32, x, "zero", extra);
}

/**
 * Elementwise ceiling.
 *
 * PyTorch: `torch.ceil`.
 *
 * @example
 * ```ts
 * wg.ceil(wg.tensor([1.2, -1.2])); // [2, -1]
 * ```
 */
export function ceil(x: Tensor, ...extra: never[]): Tensor {
  return unary("ceil", K.ceil_f32, x, "zero", extra);
}

/**
 * Rounds half to even, as torch.round; `{ decimals }` rounds to that many decimal places
 * (negative: to tens, hundreds, ...) by torch's formula, round(x * 10^d) / 10^d in float32.
 *
 * @example
 * ```ts
 * wg.round(wg.tensor([0.5, 1.5, 2.567]), { decimals: 0 }); // [0, 2, 3]
 * ```
 */
export function round(x: Tensor, opts?: { decimals?: number }, ...extra: never[]): Tensor {
  const d = options("round", opts, ["decimals"]).decimals;
  const decimals = d === undefined ? 0 : int("round", "decimals", d, -38, 38);
  if (decimals === 0) return unary("round", K.round_f32, x, "zero", extra);
  tensorArg("round", "input", x);
  noExtra("round", [x, opts, ...extra], 2);
  const scale = 10 ** Math.abs(decimals);
  const [pre, post] = decimals > 0 ? [BinaryOp.mul, BinaryOp.div] : [BinaryOp.div, BinaryOp.mul];
  const scaledIn = scalarRaw("round", pre, x, scale);
  const r = mapRaw("round", K.round_f32, scaledIn);
  scaledIn.dispose();
  const out = scalarRaw("round", post, r, scale);
  r.dispose();
  if (!needsGrad(x)) return out;
  return record(out, "round", [x], () => {
    const z = Tensor._empty("round", x.shape);
    K.fill_f32(z.ptr, sizeOf(z.shape), 0);
    return [z];
  });
}

/**
 * Elementwise rounding toward zero.
 *
 * PyTorch: `torch.trunc`.
 *
 * @example
 * ```ts
 * wg.trunc(wg.tensor([1.7, -1.7])); // [1, -1]
 * ```
 */
export function trunc(x: Tensor, ...extra: never[]): Tensor {
  return unary("trunc", K.trunc_f32, x, "zero", extra);
}

/**
 * Elementwise fractional part, x - trunc(x).
 *
 * PyTorch: `torch.frac`.
 *
 * @example
 * ```ts
 * wg.frac(wg.tensor([1.25, -1.25])); // [0.25, -0.25]
 * ```
 */
export function frac(x: Tensor, ...extra: never[]): Tensor {
  return unary("frac", K.frac_f32, x, "identity", extra);
}
