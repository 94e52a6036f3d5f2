/**
 * Kernel calls without autograd, shared by the ops' forward and backward passes: broadcast
 * binary arithmetic, scalar arithmetic and the reduction that sums a tensor to a shape.
 */
import { K, meta } from "../backend/runtime.js";
import { BinaryOp, type BinaryOpCode, ReduceOp } from "../backend/table/core.js";
import {
  broadcastShapes,
  broadcastStrides,
  collapse,
  type Shape,
  sameShape,
  stridesOf,
} from "../shape.js";
import { Tensor } from "../tensor.js";

/** a op b with broadcasting; `name` is the op reported in errors. */
export function binaryRaw(name: string, code: BinaryOpCode, a: Tensor, b: Tensor): Tensor {
  const pa = a._ptr(name);
  const pb = b._ptr(name);
  if (sameShape(a.shape, b.shape)) {
    const out = Tensor._empty(name, a.shape);
    K.binary_f32(out.ptr, pa, pb, out.numel(), code);
    return out;
  }
  const shape = broadcastShapes(name, a.shape, b.shape);
  const out = Tensor._empty(name, shape);
  if (out.numel() === 0) return out;
  const c = collapse(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)]);
  const m = meta(c.shape, c.strides[0], c.strides[1]);
  K.binary_bcast_f32(out.ptr, pa, pb, c.shape.length, m, code);
  return out;
}

/** a op s for a number s (the reversed codes compute s op a). */
export function scalarRaw(name: string, code: BinaryOpCode, a: Tensor, s: number): Tensor {
  const pa = a._ptr(name);
  const out = Tensor._empty(name, a.shape);
  K.binary_scalar_f32(out.ptr, pa, out.numel(), s, code);
  return out;
}

export function mulRaw(a: Tensor, b: Tensor): Tensor {
  return binaryRaw("mul", BinaryOp.mul, a, b);
}

export function scaleRaw(a: Tensor, s: number): Tensor {
  return scalarRaw("mul", BinaryOp.mul, a, s);
}

/**
 * Sums `g` down to `shape`, which `g.shape` is a broadcast of: the gradient of broadcasting.
 * Returns `g` itself when the shapes already agree.
 */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  return reduceTo("sum", ReduceOp.sum, g, shape);
}

/** Folds `x` into `shape` (keepdim form, broadcastable to x) with sum or max. */
export function reduceTo(name: string, op: number, x: Tensor, shape: Shape): Tensor {
  const px = x._ptr(name);
  const out = Tensor._empty(name, shape);
  if (x.numel() === 0) {
    K.fill_f32(out.ptr, out.numel(), op === ReduceOp.sum ? 0 : Number.NEGATIVE_INFINITY);
    return out;
  }
  const c = collapse(x.shape, [stridesOf(x.shape), broadcastStrides(shape, x.shape)]);
  const m = meta(c.shape, c.strides[1]);
  K.reduce_f32(out.ptr, out.numel(), px, c.shape.length, m, op);
  return out;
}
