/**
 * max, min, amax, amin, argmax, argmin with PyTorch's returns:
 * - `max(x)` is the largest value (a 0-d tensor); its gradient is split evenly among ties (among
 *   the NaNs when the result is NaN);
 * - `max(x, dim, keepdim?)` is `[values, indices]` with names, and sends the gradient to the
 *   index (the first maximum, or the first NaN, as PyTorch does);
 * - `max(x, other)` is `maximum(x, other)`;
 * - `amax(x, dim?, keepdim?)` reduces over one or several dims, splitting the gradient among ties;
 * - `argmax(x, dim?, keepdim?)` gives int32 indices.
 * The min variants are the max of the negation, so they share one kernel and one gradient rule.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { type ValuesIndices, valuesIndices } from "../named.js";
import { normDim, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, named, noExtra } from "../validate.js";
import { maximum, minimum } from "./binary.js";
import { intArg, intExtreme, intExtremeDim } from "./int-extrema.js";
import { binaryRaw, scalarRaw, sumTo } from "./raw.js";
import { type DimArg, expandRaw, plan, reduced } from "./reduce.js";

function checkTensor(op: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
}

function checkDim(op: string, dim: unknown): asserts dim is number {
  if (typeof dim !== "number") {
    throw new WasmgradError(
      `${op}: dim must be an integer but got ${Array.isArray(dim) ? "an array (use amax/amin to reduce over several dims)" : typeof dim}`,
    );
  }
}

/**
 * The largest (sign 1) or smallest (sign -1) values over `dims`, all when omitted; the gradient
 * is split evenly among ties (the elements equal to the result).
 */
function extremeOver(
  op: string,
  x: Tensor,
  dim: DimArg,
  keepdim: boolean,
  sign: 1 | -1,
  nanShare = false,
): Tensor {
  const p = plan(op, x, dim, keepdim);
  if (p.count === 0 || (x.numel() === 0 && p.dims.length === x.ndim)) {
    throw new WasmgradError(
      `${op}: cannot reduce over a dimension of size 0 (shape ${fmt(x.shape)}); the ${sign === 1 ? "maximum" : "minimum"} of nothing is undefined`,
    );
  }
  let out: Tensor;
  if (sign === 1) out = reduced(op, ReduceOp.max, x, p);
  else {
    // min = -max(-x), computed without recording; the gradient rule below is on x itself.
    const n = scalarRaw(op, BinaryOp.mul, x, -1);
    const m = reduced(op, ReduceOp.max, n, p);
    out = scalarRaw(op, BinaryOp.mul, m, -1);
    n.dispose();
    m.dispose();
  }
  if (!needsGrad(x)) return out;
  return record(
    out,
    op,
    [x],
    (g) => {
      // Evenly among ties: mask = (x == result), dx = mask * g / count(mask). A NaN result of
      // max()/min() shares the gradient among the NaNs instead (PyTorch's
      // evenly_distribute_backward); amax/amin keep PyTorch's NaN gradient for such a slice.
      let mask: Tensor;
      if (nanShare && Number.isNaN(out.data()[0])) {
        const same = binaryRaw(op, BinaryOp.eq, x, x);
        mask = scalarRaw(op, BinaryOp.rsub, same, 1);
        same.dispose();
      } else {
        const m = expandRaw(out, p.keepShape, x.shape);
        mask = binaryRaw(op, BinaryOp.eq, x, m);
        m.dispose();
      }
      const ties = sumTo(mask, p.keepShape);
      const gk = Tensor._view(g, p.keepShape);
      const share = binaryRaw(op, BinaryOp.div, gk, ties);
      gk.dispose();
      if (ties !== mask) ties.dispose();
      const dx = binaryRaw(op, BinaryOp.mul, mask, share);
      mask.dispose();
      share.dispose();
      return [dx];
    },
    [x, out],
  );
}

/**
 * The largest values over one or several dims (all when omitted), as torch.amax.
 *
 * @example
 * ```ts
 * wg.amax(wg.tensor([[1, 5], [7, 2]]), 0); // [7, 5]
 * ```
 */
export function amax(
  x: Tensor,
  ...given: Args<
    [dim: DimArg | undefined, keepdim: boolean | undefined],
    { dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("amax", given, ["dim", "keepdim"]) as [DimArg, boolean];
  checkTensor("amax", x);
  if (x.dtype !== "float32") return intExtreme("amax", x, dim, keepdim, 1);
  return extremeOver("amax", x, dim, keepdim, 1);
}

/**
 * The smallest values over one or several dims (all when omitted), as torch.amin.
 *
 * @example
 * ```ts
 * wg.amin(wg.tensor([[1, 5], [7, 2]]), 1); // [1, 2]
 * ```
 */
export function amin(
  x: Tensor,
  ...given: Args<
    [dim: DimArg | undefined, keepdim: boolean | undefined],
    { dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("amin", given, ["dim", "keepdim"]) as [DimArg, boolean];
  checkTensor("amin", x);
  if (x.dtype !== "float32") return intExtreme("amin", x, dim, keepdim, -1);
  return extremeOver("amin", x, dim, keepdim, -1);
}

/** Layout of a reduction over one dim: outer x r x inner. */
function split(
  op: string,
  x: Tensor,
  dim: number,
): { d: number; outer: number; r: number; inner: number } {
  const d = normDim(op, dim, x.ndim);
  const r = x.ndim === 0 ? 1 : x.shape[d];
  if (r === 0) {
    throw new WasmgradError(
      `${op}: cannot reduce over dimension ${dim} of size 0 (shape ${fmt(x.shape)})`,
    );
  }
  return { d, outer: sizeOf(x.shape.slice(0, d)), r, inner: sizeOf(x.shape.slice(d + 1)) };
}

function reducedShape(x: Tensor, d: number, keepdim: boolean): number[] {
  if (x.ndim === 0) return [];
  const shape = [...x.shape];
  if (keepdim) shape[d] = 1;
  else shape.splice(d, 1);
  return shape;
}

/**
 * Indices of the maxima along `dim` (the first one on ties, the first NaN if any), or into the
 * flattened tensor when dim is omitted, as an int32 tensor.
 *
 * PyTorch: `torch.argmax`.
 *
 * @example
 * ```ts
 * wg.argmax(wg.tensor([[1, 9], [8, 2]]), 1); // [1, 0] (int32)
 * ```
 */
export function argmax(
  x: Tensor,
  ...given: Args<
    [dim: number | null | undefined, keepdim: boolean | undefined],
    { dim?: number | null; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("argmax", given, ["dim", "keepdim"]) as [
    number | null,
    boolean,
  ];
  checkTensor("argmax", x);
  if (x.dtype !== "float32") return intArg("argmax", x, dim, keepdim, 1);
  const px = x._ptr("argmax");
  if (dim === undefined || dim === null) {
    if (x.numel() === 0) {
      throw new WasmgradError(
        `argmax: cannot take the argmax of an empty tensor (shape ${fmt(x.shape)})`,
      );
    }
    const out = Tensor._empty("argmax", keepdim ? x.shape.map(() => 1) : [], "int32");
    K.argmax_f32(out._rawPtr("argmax"), px, 1, x.numel(), 1);
    return out;
  }
  checkDim("argmax", dim);
  const s = split("argmax", x, dim);
  const out = Tensor._empty("argmax", reducedShape(x, s.d, keepdim), "int32");
  K.argmax_f32(out._rawPtr("argmax"), px, s.outer, s.r, s.inner);
  return out;
}

/**
 * Indices of the minima along `dim` (the first one on ties), or into the flattened tensor when dim
 * is omitted, as an int32 tensor.
 *
 * PyTorch: `torch.argmin`.
 *
 * @example
 * ```ts
 * wg.argmin(wg.tensor([[1, 9], [8, 2]]), 1); // [0, 1] (int32)
 * ```
 */
export function argmin(
  x: Tensor,
  ...given: Args<
    [dim: number | null | undefined, keepdim: boolean | undefined],
    { dim?: number | null; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("argmin", given, ["dim", "keepdim"]) as [
    number | null,
    boolean,
  ];
  checkTensor("argmin", x);
  if (x.dtype !== "float32") return intArg("argmin", x, dim, keepdim, -1);
  const n = scalarRaw("argmin", BinaryOp.mul, x, -1);
  const out = argmax(n, dim, keepdim);
  n.dispose();
  return out;
}

/**
 * The max (sign 1) or min (sign -1) over one dim with its indices; the gradient goes to the
 * index (max_bwd scatters it there).
 */
function extremeDim(
  op: string,
  x: Tensor,
  dim: number,
  keepdim: boolean,
  sign: 1 | -1,
): ValuesIndices {
  const s = split(op, x, dim);
  const p = plan(op, x, s.d, keepdim);
  const src = sign === 1 ? x : scalarRaw(op, BinaryOp.mul, x, -1);
  const indices = argmax(src, dim, keepdim);
  let values = reduced(op, ReduceOp.max, src, p);
  if (src !== x) {
    const v = scalarRaw(op, BinaryOp.mul, values, -1);
    values.dispose();
    values = v;
    src.dispose();
  }
  if (!needsGrad(x)) return valuesIndices(values, indices);
  record(
    values,
    op,
    [x],
    (g) => {
      const dx = Tensor._empty(op, x.shape);
      K.max_bwd_f32(dx.ptr, g._ptr(op), indices._rawPtr(op), s.outer, s.r, s.inner);
      return [dx];
    },
    [indices],
  );
  return valuesIndices(values, indices);
}

/**
 * `max(x)`, `max(x, dim, keepdim?)` (values and indices) or `max(x, other)` (maximum).
 *
 * PyTorch: `torch.max`.
 *
 * @example
 * ```ts
 * wg.max(wg.tensor([[1, 5], [7, 2]]), 1).values; // [5, 7]
 * ```
 */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, options: { dim: number; keepdim?: boolean }): ValuesIndices;
export function max(x: Tensor, other: Tensor): Tensor;
export function max(x: Tensor, ...given: unknown[]): Tensor | ValuesIndices {
  checkTensor("max", x);
  if (given[0] instanceof Tensor) {
    noExtra("max", [x, ...given], 2);
    return maximum(x, given[0]);
  }
  const [dim, keepdim = false] = named("max", given, ["dim", "keepdim"]) as [number, boolean];
  if (x.dtype !== "float32") {
    if (dim === undefined || dim === null) return intExtreme("max", x, null, false, 1);
    checkDim("max", dim);
    return intExtremeDim("max", x, dim, keepdim, 1);
  }
  if (dim === undefined || dim === null) return extremeOver("max", x, null, false, 1, true);
  checkDim("max", dim);
  return extremeDim("max", x, dim, keepdim, 1);
}

/**
 * `min(x)`, `min(x, dim, keepdim?)` (values and indices) or `min(x, other)` (minimum).
 *
 * PyTorch: `torch.min`.
 *
 * @example
 * ```ts
 * wg.min(wg.tensor([[1, 5], [7, 2]]), 1).indices; // [0, 1]
 * ```
 */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, options: { dim: number; keepdim?: boolean }): ValuesIndices;
export function min(x: Tensor, other: Tensor): Tensor;
export function min(x: Tensor, ...given: unknown[]): Tensor | ValuesIndices {
  checkTensor("min", x);
  if (given[0] instanceof Tensor) {
    noExtra("min", [x, ...given], 2);
    return minimum(x, given[0]);
  }
  const [dim, keepdim = false] = named("min", given, ["dim", "keepdim"]) as [number, boolean];
  if (x.dtype !== "float32") {
    if (dim === undefined || dim === null) return intExtreme("min", x, null, false, -1);
    checkDim("min", dim);
    return intExtremeDim("min", x, dim, keepdim, -1);
  }
  if (dim === undefined || dim === null) return extremeOver("min", x, null, false, -1, true);
  checkDim("min", dim);
  return extremeDim("min", x, dim, keepdim, -1);
}
