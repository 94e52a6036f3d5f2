/**
 * Selection by a bool mask: where(cond, a, b), maskedFill, and the any/all reductions.
 * where is differentiable in a and b (each gets the gradient where it was chosen, summed back
 * over broadcasting); maskedFill in its input. The kernel copies bits, so every dtype works.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { K, meta } from "../backend/runtime.js";
import { CompareOp } from "../backend/table/compare.js";
import { ReduceOp } from "../backend/table/core.js";
import { type DType, promoteScalar, promoteTypes } from "../dtype.js";
import { fmt, WasmgradError } from "../errors.js";
import { broadcastShapes, broadcastStrides, collapse, sameShape } from "../shape.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { type Args, args, bool, describe, fail, named, noExtra } from "../validate.js";
import { castRaw } from "./cast.js";
import { compareRaw, logicalNot, truthy } from "./compare.js";
import { fillRaw, tensor } from "./creation.js";
import { sumTo } from "./raw.js";
import { type DimArg, plan, reduced } from "./reduce.js";
import { stridesFor } from "./remap.js";

function condArg(op: string, cond: unknown, name = "condition"): Tensor {
  if (!(cond instanceof Tensor)) {
    throw new WasmgradError(
      `${op}: expected ${name} to be a bool Tensor but got ${describe(cond)}`,
    );
  }
  cond._live(op);
  if (cond.dtype !== "bool") {
    throw new WasmgradError(
      `${op}: expected ${name} to be a bool tensor but got ${cond.dtype} (make one with a comparison, or .bool())`,
    );
  }
  return cond;
}

/** `v` as a tensor of `dtype`: itself, a converted copy, or a 0-d tensor for a number. */
function asDType(op: string, v: TensorOrScalar, dtype: DType): Tensor {
  if (typeof v === "number") {
    const t = Tensor._empty(op, [], dtype);
    fillRaw(t, v);
    return t;
  }
  return v.dtype === dtype ? v : castRaw(op, v, dtype);
}

/** out = cond ? a : b over the broadcast of the three shapes (same dtype for a and b). */
function select(op: string, cond: Tensor, a: Tensor, b: Tensor, shape?: number[]): Tensor {
  const out = Tensor._empty(
    op,
    shape ?? broadcastShapes(op, broadcastShapes(op, cond.shape, a.shape), b.shape),
    a.dtype,
  );
  if (out.numel() === 0) return out;
  const c = collapse(out.shape, [
    broadcastStrides(cond.shape, out.shape),
    broadcastStrides(a.shape, out.shape),
    broadcastStrides(b.shape, out.shape),
  ]);
  const m = meta(c.shape, c.strides[0], c.strides[1], c.strides[2]);
  K.where_bcast_f32(
    out._rawPtr(op),
    cond._rawPtr(op),
    a._rawPtr(op),
    b._rawPtr(op),
    c.shape.length,
    m,
  );
  return out;
}

function operand(op: string, v: unknown, name: string): TensorOrScalar {
  if (v instanceof Tensor || typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new WasmgradError(
    `${op}: expected ${name} to be a Tensor or a number but got ${describe(v)}`,
  );
}

/** Options of {@link nonzero}. */
export interface NonzeroOptions {
  /** One int32 [n] tensor of indices per dimension instead of one [n, ndim] tensor. */
  asTuple?: boolean;
}

/**
 * The indices of the nonzero (true) elements in row-major order: an int32 tensor [n, ndim], or
 * with `{ asTuple: true }` one int32 [n] tensor per dimension.
 *
 * PyTorch: `torch.nonzero`.
 *
 * @example
 * ```ts
 * wg.nonzero(wg.tensor([[0, 3], [5, 0]])); // [[0, 1], [1, 0]]
 * ```
 */
export function nonzero(x: Tensor): Tensor;
export function nonzero(x: Tensor, options: NonzeroOptions & { asTuple: true }): Tensor[];
export function nonzero(x: Tensor, options?: NonzeroOptions): Tensor | Tensor[];
export function nonzero(x: Tensor, ...rest: unknown[]): Tensor | Tensor[] {
  const op = "nonzero";
  if (!(x instanceof Tensor)) fail(op, `expected a Tensor but got ${describe(x)}`);
  x._live(op);
  const a = args(op, rest, [], ["asTuple"]);
  const asTuple = a.asTuple === undefined ? false : bool(op, "asTuple", a.asTuple);
  const values = x.data();
  const shape = x.ndim === 0 && asTuple ? [1] : x.shape;
  const nd = shape.length;
  const strides = stridesFor(shape);
  const hits: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) hits.push(i);
  const coords = (k: number, d: number) => Math.floor(hits[k] / strides[d]) % shape[d];
  if (asTuple) {
    return shape.map((_, d) => tensor(Int32Array.from(hits, (_, k) => coords(k, d))));
  }
  const flat = new Int32Array(hits.length * nd);
  for (let k = 0; k < hits.length; k++)
    for (let d = 0; d < nd; d++) flat[k * nd + d] = coords(k, d);
  return tensor(flat, { shape: [hits.length, nd] });
}

/**
 * Elements of `a` where `cond` is true, else of `b`; broadcasting; dtypes promoted. With only
 * `cond`, its nonzero indices, one int32 tensor per dimension (`nonzero(cond, { asTuple: true })`).
 *
 * PyTorch: `torch.where`.
 *
 * @example
 * ```ts
 * wg.where(wg.tensor([true, false]), wg.tensor([1, 2]), 0); // [1, 0]
 * wg.where(wg.tensor([false, true, true])); // [[1, 2]]
 * ```
 */
export function where(cond: Tensor): Tensor[];
export function where(cond: Tensor, input: TensorOrScalar, other: TensorOrScalar): Tensor;
export function where(
  cond: Tensor,
  input?: TensorOrScalar,
  other?: TensorOrScalar,
  ...extra: never[]
): Tensor | Tensor[] {
  const op = "where";
  if (input === undefined && other === undefined && extra.length === 0) {
    return nonzero(condArg(op, cond), { asTuple: true });
  }
  noExtra(op, [cond, input, other, ...extra], 3);
  const c = condArg(op, cond);
  const a = operand(op, input, "input");
  const b = operand(op, other, "other");
  let dtype: DType;
  if (typeof a === "number") dtype = typeof b === "number" ? "float32" : promoteScalar(b.dtype, a);
  else dtype = typeof b === "number" ? promoteScalar(a.dtype, b) : promoteTypes(a.dtype, b.dtype);
  const ta = asDType(op, a, dtype);
  const tb = asDType(op, b, dtype);
  const out = select(op, c, ta, tb);
  if (ta !== a) ta.dispose();
  if (tb !== b) tb.dispose();
  const inputs = [a, b].filter((t): t is Tensor => t instanceof Tensor);
  if (!inputs.some((t) => needsGrad(t))) return out;
  return record(
    out,
    op,
    inputs,
    (g) =>
      inputs.map((t) => {
        if (!t.requiresGrad) return null;
        const zero = Tensor._empty(op, [], "float32");
        fillRaw(zero, 0);
        const full =
          t === a ? select(op, c, g, zero, [...g.shape]) : select(op, c, zero, g, [...g.shape]);
        zero.dispose();
        const r = sumTo(full, t.shape);
        if (r !== full) full.dispose();
        return r;
      }),
    [c],
  );
}

function fillValue(op: string, value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Tensor && value.ndim === 0) {
    if (value.requiresGrad) {
      throw new WasmgradError(
        `${op}: a fill value that requires grad is not supported; pass a number`,
      );
    }
    return Number(value.item<number | boolean>());
  }
  throw new WasmgradError(
    `${op}: expected value to be a number or a 0-d tensor but got ${value instanceof Tensor ? `shape ${fmt(value.shape)}` : describe(value)}`,
  );
}

/** The mask, checked to broadcast to x's shape (the result has x's shape, as in PyTorch). */
export function maskArg(op: string, x: Tensor, mask: unknown): Tensor {
  const m = condArg(op, mask, "mask");
  const shape = broadcastShapes(op, x.shape, m.shape);
  if (!sameShape(shape, x.shape)) {
    throw new WasmgradError(
      `${op}: mask of shape ${fmt(m.shape)} cannot be broadcast to the input's shape ${fmt(x.shape)}`,
    );
  }
  return m;
}

/**
 * x with `value` where `mask` is true (x's dtype; differentiable in x).
 *
 * PyTorch: `torch.Tensor.masked_fill`.
 *
 * @example
 * ```ts
 * wg.maskedFill(wg.tensor([1, 2, 3]), wg.tensor([true, false, true]), 0); // [0, 2, 0]
 * ```
 */
export function maskedFill(x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor {
  const op = "maskedFill";
  if (!(x instanceof Tensor))
    throw new WasmgradError(`${op}: expected a Tensor but got ${describe(x)}`);
  x._live(op);
  const m = maskArg(op, x, mask);
  const v = asDType(op, fillValue(op, value), x.dtype);
  const out = select(op, m, v, x, [...x.shape]);
  v.dispose();
  if (!needsGrad(x)) return out;
  return record(
    out,
    op,
    [x],
    (g) => {
      const zero = Tensor._empty(op, [], "float32");
      fillRaw(zero, 0);
      const dx = select(op, m, zero, g, [...g.shape]);
      zero.dispose();
      return [dx];
    },
    [m],
  );
}

/** @internal writes `value` into x where mask is true, in place (no autograd). */
export function maskedFillRaw(op: string, x: Tensor, mask: Tensor, value: unknown): void {
  const m = maskArg(op, x, mask);
  const v = asDType(op, fillValue(op, value), x.dtype);
  if (x.numel() > 0) {
    const c = collapse(x.shape, [
      broadcastStrides(m.shape, x.shape),
      broadcastStrides([], x.shape),
      broadcastStrides(x.shape, x.shape),
    ]);
    const px = x._rawPtr(op);
    const mt = meta(c.shape, c.strides[0], c.strides[1], c.strides[2]);
    K.where_bcast_f32(px, m._rawPtr(op), v._rawPtr(op), px, c.shape.length, mt);
  }
  v.dispose();
}

/** Whether any (all) elements are true, over `dim` or everything: a bool tensor. */
function anyAll(op: "any" | "all", x: Tensor, dim: DimArg, keepdim: boolean): Tensor {
  if (!(x instanceof Tensor))
    throw new WasmgradError(`${op}: expected a Tensor but got ${describe(x)}`);
  x._live(op);
  // any: count(x != 0) > 0; all: count(x == 0) == 0. Counting, unlike max, is right for empty dims.
  const b = op === "any" ? truthy(op, x) : logicalNot(x);
  const f = Tensor._view(b, b.shape, "float32");
  if (b !== x) b.dispose();
  const p = plan(op, f, dim, keepdim);
  const count = reduced(op, ReduceOp.sum, f, p);
  f.dispose();
  const out = compareRaw(op, op === "any" ? CompareOp.gt : CompareOp.eq, count, 0);
  count.dispose();
  return out;
}

/**
 * True where some element (over `dim`, or all) is nonzero; a bool tensor.
 *
 * PyTorch: `torch.any`.
 *
 * @example
 * ```ts
 * wg.any(wg.tensor([[0, 0], [1, 0]]), 1); // [false, true]
 * ```
 */
export function any(
  x: Tensor,
  ...given: Args<
    [dim: DimArg | undefined, keepdim: boolean | undefined],
    { dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("any", given, ["dim", "keepdim"]) as [DimArg, boolean];
  return anyAll("any", x, dim, keepdim);
}

/**
 * True where every element (over `dim`, or all) is nonzero; a bool tensor.
 *
 * PyTorch: `torch.all`.
 *
 * @example
 * ```ts
 * wg.all(wg.tensor([[1, 0], [1, 1]]), 1); // [false, true]
 * ```
 */
export function all(
  x: Tensor,
  ...given: Args<
    [dim: DimArg | undefined, keepdim: boolean | undefined],
    { dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const [dim, keepdim = false] = named("all", given, ["dim", "keepdim"]) as [DimArg, boolean];
  return anyAll("all", x, dim, keepdim);
}
