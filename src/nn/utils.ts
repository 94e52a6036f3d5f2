/**
 * torch.nn.utils for wasmgrad: gradient clipping by norm and by value.
 */
import { backend, K, meta } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, describe, named } from "../validate.js";

const f = Math.fround;

/** ‖g‖_p of one gradient, rounded to float32 like the per-tensor norm PyTorch computes. */
function tensorNorm(op: string, g: Tensor, normType: number): number {
  const slot = meta();
  K.pow_sum_f32(slot, g._ptr(op), g.numel(), normType);
  const s = new Float64Array(backend.memory.buffer, slot, 1)[0];
  if (normType === Number.POSITIVE_INFINITY || normType === 1) return f(s);
  return f(normType === 2 ? Math.sqrt(s) : s ** (1 / normType));
}

/**
 * As torch.nn.utils.clip_grad_norm_: computes the norm of all gradients of `params` together
 * (as if concatenated into one vector; parameters without a gradient are skipped) and, when it
 * exceeds `maxNorm`, scales every gradient in place by maxNorm / (norm + 1e-6). Returns the
 * total norm before clipping (0 when no parameter has a gradient).
 *
 * `normType` is the order p of the norm: any number > 0, or Infinity for the largest absolute
 * value. With `errorIfNonfinite`, a NaN or infinite total norm throws instead of scaling the
 * gradients by it. The scale is computed in float32 exactly as PyTorch does
 * (clip = min(maxNorm · 1/(norm + 1e-6), 1)), so clipped gradients equal PyTorch's.
 *
 * @example
 * ```ts
 * wg.nn.utils.clipGradNorm(model.parameters(), 1.0); // the total norm before clipping
 * ```
 */
export function clipGradNorm(
  params: Tensor | Iterable<Tensor>,
  ...given: Args<
    [maxNorm: number, normType: number | undefined, errorIfNonfinite: boolean | undefined],
    { maxNorm?: number; normType?: number; errorIfNonfinite?: boolean }
  >
): number {
  const op = "clipGradNorm";
  const [maxNorm, normType = 2, errorIfNonfinite = false] = named(op, given, [
    "maxNorm",
    "normType",
    "errorIfNonfinite",
  ]) as [number, number?, boolean?];
  let list: Tensor[];
  if (params instanceof Tensor) list = [params];
  else if (
    params !== null &&
    params !== undefined &&
    typeof (params as Iterable<Tensor>)[Symbol.iterator] === "function"
  ) {
    list = [...params];
  } else {
    throw new WasmgradError(
      `${op}: params must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${describe(params)}`,
    );
  }
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new WasmgradError(`${op}: parameter ${i} is not a Tensor`);
  });
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) {
    throw new WasmgradError(`${op}: invalid maxNorm ${String(maxNorm)}: expected a number >= 0`);
  }
  if (typeof normType !== "number" || !(normType > 0)) {
    throw new WasmgradError(
      `${op}: invalid normType ${String(normType)}: expected a number > 0 or Infinity`,
    );
  }
  const grads: Tensor[] = [];
  for (const p of list) if (p.grad !== null) grads.push(p.grad);
  if (grads.length === 0) return 0;

  const norms = grads.map((g) => tensorNorm(op, g, normType));
  let total: number;
  if (normType === Number.POSITIVE_INFINITY) {
    total = norms.reduce((m, v) => (Number.isNaN(m) || v > m || Number.isNaN(v) ? v : m));
  } else if (norms.length === 1) {
    total = norms[0];
  } else {
    let s = 0;
    for (const v of norms) s += normType === 2 ? v * v : Math.abs(v) ** normType;
    total = f(normType === 2 ? Math.sqrt(s) : normType === 1 ? s : s ** (1 / normType));
  }
  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new WasmgradError(
      `${op}: the total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped (pass errorIfNonfinite = false to scale them by it anyway)`,
    );
  }
  // torch: clip_coef = max_norm / (total + 1e-6), where `number / tensor` is
  // reciprocal(tensor) * number, each rounded to float32; then clamp(max = 1).
  let coef = f(f(1 / f(total + f(1e-6))) * f(maxNorm));
  if (coef > 1) coef = 1;
  if (coef !== 1) {
    for (const g of grads) {
      const ptr = g._ptr(op);
      K.binary_scalar_f32(ptr, ptr, g.numel(), coef, BinaryOp.mul);
    }
  }
  return total;
}

/** PyTorch's in-place spelling of clipGradNorm. */
export const clipGradNorm_ = clipGradNorm;

/**
 * As torch.nn.utils.clip_grad_value_: clamps every gradient of `params` in place to
 * [-clipValue, clipValue] (NaN stays NaN); parameters without a gradient are skipped.
 *
 * @example
 * ```ts
 * wg.nn.utils.clipGradValue(model.parameters(), 0.5);
 * ```
 */
export function clipGradValue(
  params: Tensor | Iterable<Tensor>,
  ...given: Args<[clipValue: number], { clipValue?: number }>
): void {
  const op = "clipGradValue";
  const [clipValue] = named(op, given, ["clipValue"]) as [number];
  let list: Tensor[];
  if (params instanceof Tensor) list = [params];
  else if (
    params !== null &&
    params !== undefined &&
    typeof (params as Iterable<Tensor>)[Symbol.iterator] === "function"
  ) {
    list = [...params];
  } else {
    throw new WasmgradError(
      `${op}: params must be a Tensor or an iterable of Tensors (e.g. model.parameters()), got ${describe(params)}`,
    );
  }
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new WasmgradError(`${op}: parameter ${i} is not a Tensor`);
  });
  if (typeof clipValue !== "number" || !(clipValue >= 0)) {
    throw new WasmgradError(
      `${op}: invalid clipValue ${describe(clipValue)}: expected a number >= 0`,
    );
  }
  for (const p of list) {
    const g = p.grad;
    if (g === null) continue;
    const ptr = g._ptr(op);
    K.clamp_f32(ptr, ptr, sizeOf(g.shape), -clipValue, clipValue);
    g._bumpVersion();
  }
}

/** PyTorch's in-place spelling of clipGradValue. */
export const clipGradValue_ = clipGradValue;
