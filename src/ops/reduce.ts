/**
 * Reductions over a dim, a list of dims, or everything: sum and mean (max, min, argmax and
 * friends are in extrema.ts). sum of an int32 or bool tensor is int32, as PyTorch's is integer.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K, meta } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { broadcastStrides, collapse, normDims, stridesOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, named } from "../validate.js";
import { forEachBroadcast } from "./int-math.js";
import { reduceTo, scalarRaw } from "./raw.js";

export type DimArg = number | readonly number[] | null | undefined;

export interface Plan {
  dims: number[];
  /** x.shape with reduced dims set to 1. */
  keepShape: number[];
  outShape: number[];
  count: number;
}

export function plan(op: string, x: Tensor, dim: DimArg, keepdim: boolean): Plan {
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
  if (out.numel() === 0) return out;
  const c = collapse(shape, [broadcastStrides(keepShape, shape), broadcastStrides(shape, shape)]);
  K.gather_f32(out.ptr, g.ptr, c.shape.length, meta(c.shape, c.strides[0]));
  return out;
}

export function reduced(op: string, code: number, x: Tensor, p: Plan): Tensor {
  const out = reduceTo(op, code, x, p.keepShape);
  if (p.outShape.length === p.keepShape.length) return out;
  const v = Tensor._view(out, p.outShape);
  out.dispose();
  return v;
}

/**
 * Sum over `dim` (a dim or a list of dims; all when omitted), keeping them as size 1 with
 * `keepdim`.
 *
 * PyTorch: `torch.sum`.
 *
 * @example
 * ```ts
 * wg.sum(wg.tensor([[1, 2], [3, 4]]), 1, true); // [[3], [7]]
 * ```
 */
export function sum(
  x: Tensor,
  ...given: Args<
    [dim: DimArg | undefined, keepdim: boolean | undefined],
    { dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("sum", given, ["dim", "keepdim"]) as [DimArg, boolean];
  const p = plan("sum", x, dim, keepdim);
  if (x.dtype !== "float32") return intSum(x, p);
  const out = reduced("sum", ReduceOp.sum, x, p);
  if (!needsGrad(x)) return out;
  return record(out, "sum", [x], (g) => [expandRaw(g, p.keepShape, x.shape)], []);
}

/**
 * Mean over `dim` (a dim or a list of dims; all when omitted), keeping them as size 1 with
 * `keepdim`.
 *
 * PyTorch: `torch.mean`.
 *
 * @example
 * ```ts
 * wg.mean(wg.tensor([[1, 2], [3, 4]]), 0); // [2, 3]
 * ```
 */
export function mean(
  x: Tensor,
  ...given: Args<
    [dim: DimArg | undefined, keepdim: boolean | undefined],
    { dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("mean", given, ["dim", "keepdim"]) as [DimArg, boolean];
  const p = plan("mean", x, dim, keepdim);
  const s = reduced("mean", ReduceOp.sum, x, p);
  const out = scalarRaw("mean", BinaryOp.mul, s, 1 / p.count);
  s.dispose();
  if (!needsGrad(x)) return out;
  return record(
    out,
    "mean",
    [x],
    (g) => {
      const e = expandRaw(g, p.keepShape, x.shape);
      const r = scalarRaw("mean", BinaryOp.mul, e, 1 / p.count);
      e.dispose();
      return [r];
    },
    [],
  );
}

/** The exact integer sum of an int32 or bool tensor, as int32. */
function intSum(x: Tensor, p: Plan): Tensor {
  const out = Tensor._empty("sum", p.outShape, "int32");
  const o = out._rawPtr("sum") >>> 2;
  const at = x._rawPtr("sum") >>> 2;
  const acc = backend.i32();
  acc.fill(0, o, o + out.numel());
  const src = x.dtype === "int32" ? backend.i32() : backend.f32();
  forEachBroadcast(
    x.shape,
    stridesOf(x.shape),
    broadcastStrides(p.keepShape, x.shape),
    (_, i, j) => {
      acc[o + j] = (acc[o + j] + src[at + i]) | 0;
    },
  );
  return out;
}
