/** softmax and logSoftmax along one dimension, each one fused kernel forward and backward. */
import { needsGrad, record } from "../autograd/engine.js";
import type { Ptr } from "../backend/kernels.js";
import { K } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { normDim, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, expectTensor, int, named } from "../validate.js";

type Layout = { outer: number; r: number; inner: number };

function layout(op: string, x: Tensor, dim: number): Layout {
  expectTensor(op, x);
  if (dim === undefined || dim === null) {
    throw new WasmgradError(`${op}: dim is required (softmax over which dimension?)`);
  }
  int(op, "dim", dim);
  x._float(op);
  if (x.ndim === 0) return { outer: 1, r: 1, inner: 1 };
  const d = normDim(op, dim, x.ndim);
  return { outer: sizeOf(x.shape.slice(0, d)), r: x.shape[d], inner: sizeOf(x.shape.slice(d + 1)) };
}

type Fwd = (dst: Ptr, x: Ptr, outer: number, r: number, inner: number) => void;
type Bwd = (dx: Ptr, dy: Ptr, y: Ptr, outer: number, r: number, inner: number) => void;

function softmaxLike(op: string, fwd: Fwd, bwd: Bwd, x: Tensor, dim: number): Tensor {
  const { outer, r, inner } = layout(op, x, dim);
  const out = Tensor._empty(op, x.shape);
  if (out.numel() > 0) fwd(out.ptr, x.ptr, outer, r, inner);
  if (!needsGrad(x)) return out;
  return record(
    out,
    op,
    [x],
    (g) => {
      const py = out._ptr(`${op} backward`);
      const dx = Tensor._empty(op, x.shape);
      if (dx.numel() > 0) bwd(dx.ptr, g.ptr, py, outer, r, inner);
      return [dx];
    },
    [out],
  );
}

/**
 * exp(x) / sum(exp(x)) along `dim`, computed stably.
 *
 * PyTorch: `torch.softmax`.
 *
 * @example
 * ```ts
 * wg.softmax(wg.tensor([[1, 1]]), 1); // [[0.5, 0.5]]
 * ```
 */
export function softmax(
  x: Tensor,
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor {
  const [dim] = named("softmax", given, ["dim"]) as [number];
  return softmaxLike("softmax", K.softmax_f32, K.softmax_bwd_f32, x, dim);
}

/**
 * log(softmax(x, dim)), computed stably in one pass.
 *
 * PyTorch: `torch.log_softmax`.
 *
 * @example
 * ```ts
 * wg.logSoftmax(wg.tensor([[1, 2, 3]]), 1);
 * ```
 */
export function logSoftmax(
  x: Tensor,
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor {
  const [dim] = named("logSoftmax", given, ["dim"]) as [number];
  return softmaxLike("logSoftmax", K.log_softmax_f32, K.log_softmax_bwd_f32, x, dim);
}
