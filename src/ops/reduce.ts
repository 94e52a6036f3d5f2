/**
 * Reductions over a dim, a list of dims, or everything: sum, mean, max (values) and argmax.
 * max over one dim sends the gradient to the first maximal element (torch.max(x, dim)); over
 * several dims or all of them it splits it evenly among ties (torch.amax / torch.max(x)).
 */
import { needsGrad, record } from "../autograd/engine.js";
import { allocate, backend, K, meta } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { broadcastStrides, collapse, normDim, normDims, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { binaryRaw, reduceTo, scalarRaw, sumTo } from "./raw.js";

type DimArg = number | readonly number[] | null | undefined;

interface Plan {
  dims: number[];
  /** x.shape with reduced dims set to 1. */
  keepShape: number[];
  outShape: number[];
  count: number;
}

function plan(op: string, x: Tensor, dim: DimArg, keepdim: boolean): Plan {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
  x._live(op);
  const all = dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0);
  const dims = all ? x.shape.map((_, i) => i) : normDims(op, dim as number | number[], x.ndim);
  const keepShape = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const outShape = keepdim ? keepShape : x.shape.filter((_, i) => !dims.includes(i));
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return { dims, keepShape, outShape, count };
}

/** Materialises `g` (of keepShape) broadcast to `shape`. */
export function expandRaw(
  g: Tensor,
  keepShape: readonly number[],
  shape: readonly number[],
): Tensor {
  const out = Tensor._empty("expand", shape);
  if (out.size === 0) return out;
  const c = collapse(shape, [broadcastStrides(keepShape, shape), broadcastStrides(shape, shape)]);
  K.gather_f32(out.ptr, g.ptr, c.shape.length, meta(c.shape, c.strides[0]));
  return out;
}

function reduced(op: string, code: number, x: Tensor, p: Plan): Tensor {
  const out = reduceTo(op, code, x, p.keepShape);
  if (p.outShape.length === p.keepShape.length) return out;
  const v = Tensor._view(out, p.outShape);
  out.dispose();
  return v;
}

export function sum(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const p = plan("sum", x, dim, keepdim);
  const out = reduced("sum", ReduceOp.sum, x, p);
  if (!needsGrad(x)) return out;
  return record(out, "sum", [x], (g) => [expandRaw(g, p.keepShape, x.shape)]);
}

export function mean(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const p = plan("mean", x, dim, keepdim);
  const s = reduced("mean", ReduceOp.sum, x, p);
  const out = scalarRaw("mean", BinaryOp.mul, s, 1 / p.count);
  s.dispose();
  if (!needsGrad(x)) return out;
  return record(out, "mean", [x], (g) => {
    const e = expandRaw(g, p.keepShape, x.shape);
    const r = scalarRaw("mean", BinaryOp.mul, e, 1 / p.count);
    e.dispose();
    return [r];
  });
}

export function max(x: Tensor, dim?: DimArg, keepdim = false): Tensor {
  const p = plan("max", x, dim, keepdim);
  if (p.count === 0 || (x.size === 0 && p.dims.length === x.ndim)) {
    throw new WasmgradError(
      `max: cannot reduce over a dimension of size 0 (shape ${fmt(x.shape)}); the maximum of nothing is undefined`,
    );
  }
  const out = reduced("max", ReduceOp.max, x, p);
  if (!needsGrad(x)) return out;
  if (typeof dim === "number") {
    const d = p.dims[0];
    return record(out, "max", [x], (g) => {
      const inner = sizeOf(x.shape.slice(d + 1));
      const outer = sizeOf(x.shape.slice(0, d));
      const idx = allocate("max", outer * inner * 4);
      const dx = Tensor._empty("max", x.shape);
      K.argmax_f32(idx, x.ptr, outer, x.shape[d], inner);
      K.max_bwd_f32(dx.ptr, g.ptr, idx, outer, x.shape[d], inner);
      K.free(idx);
      return [dx];
    });
  }
  return record(out, "max", [x], (g) => {
    // Evenly among ties: mask = (x == max), dx = mask * g / count(mask).
    const m = expandRaw(out, p.keepShape, x.shape);
    const mask = binaryRaw("max", BinaryOp.eq, x, m);
    m.dispose();
    const ties = sumTo(mask, p.keepShape);
    const gk = Tensor._view(g, p.keepShape);
    const share = binaryRaw("max", BinaryOp.div, gk, ties);
    gk.dispose();
    if (ties !== mask) ties.dispose();
    const dx = binaryRaw("max", BinaryOp.mul, mask, share);
    mask.dispose();
    share.dispose();
    return [dx];
  });
}

/**
 * Indices of the maxima along `dim` (the first one on ties), or into the flattened tensor when
 * dim is omitted, as an Int32Array.
 */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Int32Array {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`argmax: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
  x._live("argmax");
  let outer = 1;
  let r = x.size;
  let inner = 1;
  if (dim !== undefined && dim !== null) {
    const d = normDim("argmax", dim, x.ndim);
    outer = sizeOf(x.shape.slice(0, d));
    r = x.ndim === 0 ? 1 : x.shape[d];
    inner = sizeOf(x.shape.slice(d + 1));
  }
  if (r === 0) {
    throw new WasmgradError(
      `argmax: cannot take the argmax of an empty dimension (shape ${fmt(x.shape)})`,
    );
  }
  void keepdim;
  const n = outer * inner;
  const idx = allocate("argmax", n * 4);
  K.argmax_f32(idx, x.ptr, outer, r, inner);
  const result = backend.i32().slice(idx >>> 2, (idx >>> 2) + n);
  K.free(idx);
  return result;
}
