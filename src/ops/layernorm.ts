/**
 * layerNorm, rmsNorm and groupNorm, as torch.nn.functional's layer_norm, rms_norm and
 * group_norm: one fused kernel forward (which keeps each row's mean and 1/std) and one fused
 * kernel backward for the input, weight and bias gradients (assembly/kernels/layernorm.ts).
 *
 *   layerNorm(x, normalizedShape, weight?, bias?, eps = 1e-5)
 *   rmsNorm(x, normalizedShape, weight?, eps = float32 epsilon)
 *   groupNorm(x, numGroups, weight?, bias?, eps = 1e-5)
 * The optional arguments may also come as a trailing options object ({ weight, bias, eps }).
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { sameShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe, keywordArgs, numOr, optionalTensorArg, tensorArg } from "../validate.js";

/** float32's machine epsilon: RMSNorm's eps when none is given, as torch.finfo(float32).eps. */
export const FLOAT32_EPS = 1.1920928955078125e-7;

interface Plan {
  rows: number;
  n: number;
  groups: number;
  s: number;
  center: boolean;
  eps: number;
}

function run(op: string, x: Tensor, weight: Tensor | null, bias: Tensor | null, p: Plan): Tensor {
  if (!(p.eps >= 0)) throw new WasmgradError(`${op}: eps must be >= 0 but got ${describe(p.eps)}`);
  const out = Tensor._empty(op, x.shape);
  const mean = Tensor._empty(op, [p.rows]);
  const rstd = Tensor._empty(op, [p.rows]);
  const center = p.center ? 1 : 0;
  if (sizeOf(x.shape) > 0) {
    K.layernorm_f32(
      out.ptr,
      mean.ptr,
      rstd.ptr,
      x._ptr(op),
      weight?._ptr(op) ?? 0,
      bias?._ptr(op) ?? 0,
      p.rows,
      p.n,
      p.groups,
      p.s,
      p.eps,
      center,
    );
  }
  const inputs = [x];
  if (weight !== null) inputs.push(weight);
  if (bias !== null) inputs.push(bias);
  if (!needsGradAny(inputs)) {
    mean.dispose();
    rstd.dispose();
    return out;
  }
  return record(out, op, inputs, (dy) => {
    const dx = x.requiresGrad ? Tensor._empty(op, x.shape) : null;
    const dw = weight?.requiresGrad ? Tensor._empty(op, weight.shape) : null;
    const db = bias?.requiresGrad ? Tensor._empty(op, bias.shape) : null;
    if (sizeOf(x.shape) > 0) {
      K.layernorm_bwd_f32(
        dx?.ptr ?? 0,
        dw?.ptr ?? 0,
        db?.ptr ?? 0,
        dy._ptr(op),
        x._ptr(`${op} backward`),
        mean._ptr(`${op} backward`),
        rstd._ptr(`${op} backward`),
        weight?._ptr(`${op} backward`) ?? 0,
        p.rows,
        p.n,
        p.groups,
        p.s,
        center,
      );
    } else {
      for (const g of [dw, db]) if (g !== null) K.fill_f32(g.ptr, sizeOf(g.shape), 0);
    }
    const grads: (Tensor | null)[] = [dx];
    if (weight !== null) grads.push(dw);
    if (bias !== null) grads.push(db);
    return grads;
  });
}

/** normalizedShape as an array, checked against the trailing dims of x. */
function trailing(op: string, x: Tensor, normalizedShape: unknown): number[] {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new WasmgradError(
      `${op}: normalizedShape must be an integer or an array of integers but got ${describe(normalizedShape)}`,
    );
  }
  const k = shape.length;
  if (k > x.ndim || !sameShape(x.shape.slice(x.ndim - k), shape)) {
    throw new WasmgradError(
      `${op}: input ${fmt(x.shape)} does not end with normalizedShape ${fmt(shape)}`,
    );
  }
  return shape as number[];
}

function affineArg(op: string, name: string, v: unknown, shape: readonly number[]): Tensor | null {
  const t = optionalTensorArg(op, name, v);
  if (t !== null && !sameShape(t.shape, shape)) {
    throw new WasmgradError(`${op}: ${name} has shape ${fmt(t.shape)} but expected ${fmt(shape)}`);
  }
  return t;
}

/**
 * Normalizes over the last dims given by `normalizedShape` to mean 0 and variance 1, then applies
 * the optional elementwise weight and bias.
 *
 * PyTorch: `torch.nn.functional.layer_norm`.
 *
 * @example
 * ```ts
 * wg.F.layerNorm(wg.tensor([[1, 2, 3]]), [3]); // [[-1.2247, 0, 1.2247]]
 * ```
 */
export function layerNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  ...rest: unknown[]
): Tensor {
  const op = "layerNorm";
  const x = tensorArg(op, "input", input);
  const shape = trailing(op, x, normalizedShape);
  const a = keywordArgs(op, rest, ["weight", "bias", "eps"]);
  const n = sizeOf(shape);
  return run(
    op,
    x,
    affineArg(op, "weight", a.weight, shape),
    affineArg(op, "bias", a.bias, shape),
    {
      rows: n === 0 ? 0 : sizeOf(x.shape) / n,
      n,
      groups: 1,
      s: 1,
      center: true,
      eps: numOr(op, "eps", a.eps, 1e-5),
    },
  );
}

/**
 * x / sqrt(mean(x^2) + eps) over the last dims given by `normalizedShape`, times the optional
 * weight.
 *
 * PyTorch: `torch.nn.functional.rms_norm`.
 *
 * @example
 * ```ts
 * wg.F.rmsNorm(wg.tensor([[3, 4]]), [2]); // [[0.8485, 1.1314]]
 * ```
 */
export function rmsNorm(
  input: Tensor,
  normalizedShape: number | readonly number[],
  ...rest: unknown[]
): Tensor {
  const op = "rmsNorm";
  const x = tensorArg(op, "input", input);
  const shape = trailing(op, x, normalizedShape);
  const a = keywordArgs(op, rest, ["weight", "eps"]);
  const n = sizeOf(shape);
  const eps = a.eps === null ? FLOAT32_EPS : numOr(op, "eps", a.eps, FLOAT32_EPS);
  return run(op, x, affineArg(op, "weight", a.weight, shape), null, {
    rows: n === 0 ? 0 : sizeOf(x.shape) / n,
    n,
    groups: 1,
    s: 1,
    center: false,
    eps,
  });
}

/**
 * Normalizes each of `numGroups` channel groups per sample over its channels and spatial positions,
 * then applies the optional per-channel weight and bias.
 *
 * PyTorch: `torch.nn.functional.group_norm`.
 *
 * @example
 * ```ts
 * wg.F.groupNorm(wg.randn(2, 4, 3, 3), 2).shape; // [2, 4, 3, 3]
 * ```
 */
export function groupNorm(input: Tensor, numGroups: number, ...rest: unknown[]): Tensor {
  const op = "groupNorm";
  const x = tensorArg(op, "input", input);
  if (x.ndim < 2) {
    throw new WasmgradError(`${op}: expected input [N, C, *] but got ${fmt(x.shape)}`);
  }
  const c = x.shape[1];
  if (!Number.isInteger(numGroups) || numGroups < 1 || c % numGroups !== 0) {
    throw new WasmgradError(
      `${op}: numGroups must be an integer >= 1 dividing the ${c} channels but got ${describe(numGroups)}`,
    );
  }
  const a = keywordArgs(op, rest, ["weight", "bias", "eps"]);
  const n = x.shape[0];
  const s = sizeOf(x.shape.slice(2));
  const cpg = c / numGroups;
  return run(op, x, affineArg(op, "weight", a.weight, [c]), affineArg(op, "bias", a.bias, [c]), {
    rows: n * numGroups,
    n: cpg * s,
    groups: numGroups,
    s: s === 0 ? 1 : s,
    center: true,
    eps: numOr(op, "eps", a.eps, 1e-5),
  });
}

/**
 * Normalises each channel of each sample over its positions, then the optional per-channel
 * weight and bias: PyTorch's instance_norm with the input's statistics (input [N, C, *], at least
 * two positions). Running statistics are not supported: passing them is an error.
 *
 * PyTorch: `torch.nn.functional.instance_norm`.
 *
 * @example
 * ```ts
 * wg.F.instanceNorm(wg.randn(2, 3, 8, 8)).shape; // [2, 3, 8, 8]
 * ```
 */
export function instanceNorm(input: Tensor, ...rest: unknown[]): Tensor {
  const op = "instanceNorm";
  const x = tensorArg(op, "input", input);
  const a = keywordArgs(op, rest, [
    "runningMean",
    "runningVar",
    "weight",
    "bias",
    "useInputStats",
    "momentum",
    "eps",
  ]);
  if (a.runningMean != null || a.runningVar != null || a.useInputStats === false) {
    throw new WasmgradError(
      `${op}: running statistics are not supported (runningMean, runningVar, useInputStats false); each sample is normalised by its own statistics`,
    );
  }
  if (a.momentum !== undefined) numOr(op, "momentum", a.momentum, 0.1);
  if (a.useInputStats !== undefined && a.useInputStats !== true) {
    throw new WasmgradError(
      `${op}: useInputStats must be a boolean but got ${describe(a.useInputStats)}`,
    );
  }
  if (x.ndim < 3 || sizeOf(x.shape.slice(2)) < 2) {
    throw new WasmgradError(
      `${op}: expected input [N, C, *] with more than one position per channel but got ${fmt(x.shape)}`,
    );
  }
  return groupNorm(x, x.shape[1], a.weight ?? null, a.bias ?? null, numOr(op, "eps", a.eps, 1e-5));
}
