/**
 * indexSelect, gather, scatter and scatterAdd with int32 (or number[]) indices, checked against
 * the sizes they index. indexSelect and gather pick elements through remap (gradient:
 * scatter-add); scatter/scatterAdd are differentiable in the input and in src.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, describe, named } from "../validate.js";
import { castRaw } from "./cast.js";
import { buildMap, remap, stridesFor } from "./remap.js";

function tensor(op: string, x: unknown, name = "input"): Tensor {
  if (!(x instanceof Tensor))
    throw new WasmgradError(`${op}: expected ${name} to be a Tensor but got ${describe(x)}`);
  x._live(op);
  return x;
}

/** Index values and shape from an int32 tensor or a number[]; float/bool tensors are refused. */
function indexValues(op: string, index: unknown): { values: Int32Array; shape: number[] } {
  if (Array.isArray(index)) {
    if (!index.every((v) => Number.isInteger(v))) {
      throw new WasmgradError(`${op}: index must hold integers but got ${describe(index)}`);
    }
    return { values: Int32Array.from(index as number[]), shape: [index.length] };
  }
  const t = tensor(op, index, "index");
  if (t.dtype !== "int32") {
    throw new WasmgradError(
      `${op}: expected index to be an int32 tensor but got ${t.dtype} (convert with .long())`,
    );
  }
  return { values: t.data<Int32Array>(), shape: [...t.shape] };
}

/** An index in [0, n): as in PyTorch, these ops take no negative indices (t.index does). */
function checkRange(op: string, v: number, n: number, dim: number): number {
  if (v < 0 || v >= n) {
    throw new WasmgradError(
      `${op}: index ${v} is out of bounds for dimension ${dim} with size ${n}${v < 0 && v >= -n ? " (negative indices are not accepted here, as in PyTorch; add the size)" : ""}`,
    );
  }
  return v;
}

/**
 * The slices of x at `index` (1-D) along `dim`.
 *
 * PyTorch: `torch.index_select`.
 *
 * @example
 * ```ts
 * wg.indexSelect(wg.tensor([[1, 2], [3, 4]]), 0, [1]); // [[3, 4]]
 * ```
 */
export function indexSelect(
  x: Tensor,
  ...given: Args<
    [dim: number, index: Tensor | readonly number[]],
    { dim?: number; index?: Tensor | readonly number[] }
  >
): Tensor {
  const [dim, index] = named("indexSelect", given, ["dim", "index"]) as [
    number,
    Tensor | readonly number[],
  ];
  const op = "indexSelect";
  tensor(op, x);
  const d = normDim(op, dim, x.ndim);
  const { values, shape: ishape } = indexValues(op, index);
  if (ishape.length > 1)
    throw new WasmgradError(`${op}: index must be 0-d or 1-D but got shape ${fmt(ishape)}`);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const picks = Array.from(values, (v) => checkRange(op, v, n, d));
  const shape = x.ndim === 0 ? [] : [...x.shape];
  if (x.ndim > 0) shape[d] = picks.length;
  const st = stridesFor(x.shape);
  const map = buildMap(shape, (idx) => {
    let j = 0;
    for (let k = 0; k < x.ndim; k++) j += (k === d ? picks[idx[k]] : idx[k]) * st[k];
    return j;
  });
  return remap(op, x, shape, map);
}

/**
 * out[i][j][k] = x[index[i][j][k]][j][k] for dim 0 (and so on), as torch.gather.
 *
 * @example
 * ```ts
 * wg.gather(wg.tensor([[1, 2], [3, 4]]), 1, wg.tensor([[1], [0]], { dtype: "int32" })); // [[2], [3]]
 * ```
 */
export function gather(
  x: Tensor,
  ...given: Args<
    [dim: number | undefined, index: Tensor | undefined],
    { dim?: number; index?: Tensor }
  >
): Tensor {
  const [dim, index] = named("gather", given, ["dim", "index"]) as [number, Tensor];
  const op = "gather";
  tensor(op, x);
  const d = normDim(op, dim, x.ndim);
  const { values, shape } = indexValues(op, index);
  checkIndexShape(op, x, shape, d, "input");
  const st = stridesFor(x.shape);
  let k = 0;
  const map = buildMap(shape, (idx) => {
    let j = 0;
    for (let e = 0; e < x.ndim; e++)
      j += (e === d ? checkRange(op, values[k], x.shape[d], d) : idx[e]) * st[e];
    k++;
    return j;
  });
  return remap(op, x, shape, map);
}

function checkIndexShape(
  op: string,
  x: Tensor,
  shape: readonly number[],
  d: number,
  what: string,
): void {
  if (shape.length !== x.ndim || shape.some((s, e) => e !== d && s > x.shape[e])) {
    throw new WasmgradError(
      `${op}: index of shape ${fmt(shape)} does not fit ${what} of shape ${fmt(x.shape)}: it needs the same number of dims and sizes no larger outside dim ${d}`,
    );
  }
}

/** Flat positions in x written by scatter along d, one per index element. */
function scatterTargets(
  op: string,
  x: Tensor,
  d: number,
  values: Int32Array,
  shape: readonly number[],
): Int32Array {
  const st = stridesFor(x.shape);
  let k = 0;
  return buildMap(shape, (idx) => {
    let j = 0;
    for (let e = 0; e < x.ndim; e++)
      j += (e === d ? checkRange(op, values[k], x.shape[d], d) : idx[e]) * st[e];
    k++;
    return j;
  });
}

function scatterImpl(
  op: "scatter" | "scatterAdd",
  x: Tensor,
  dim: number,
  index: Tensor,
  src: Tensor | number,
): Tensor {
  tensor(op, x);
  const d = normDim(op, dim, x.ndim);
  const { values, shape } = indexValues(op, index);
  checkIndexShape(op, x, shape, d, "input");
  const srcT = typeof src === "number" ? null : tensor(op, src, "src");
  if (srcT !== null && (srcT.ndim !== shape.length || shape.some((s, e) => s > srcT.shape[e]))) {
    throw new WasmgradError(
      `${op}: index of shape ${fmt(shape)} does not fit src of shape ${fmt(srcT.shape)}`,
    );
  }
  const targets = scatterTargets(op, x, d, values, shape);
  const sst = srcT === null ? [] : stridesFor(srcT.shape);
  const srcPos = buildMap(shape, (idx) => idx.reduce((j, v, e) => j + v * (sst[e] ?? 0), 0));
  const s = srcT === null ? null : srcT.dtype === x.dtype ? srcT : castRaw(op, srcT, x.dtype);
  const out = x.clone();
  out._node = null;
  out.requiresGrad = false;
  const o = out._rawPtr(op) >>> 2;
  const intData = x.dtype === "int32";
  const view = intData ? backend.i32() : backend.f32();
  const sp = s === null ? 0 : s._rawPtr(op) >>> 2;
  for (let k = 0; k < targets.length; k++) {
    const v = s === null ? (src as number) : view[sp + srcPos[k]];
    if (op === "scatter") view[o + targets[k]] = v;
    else view[o + targets[k]] = intData ? (view[o + targets[k]] + v) | 0 : view[o + targets[k]] + v;
  }
  if (s !== null && s !== srcT) s.dispose();
  const inputs = srcT === null ? [x] : [x, srcT];
  if (!needsGradAny(inputs)) return out;
  return record(
    out,
    op,
    inputs,
    (g) => {
      const f = backend.f32();
      let dx: Tensor | null = null;
      if (x.requiresGrad) {
        dx = g.clone();
        if (op === "scatter") {
          const p = dx._ptr(op) >>> 2;
          for (let k = 0; k < targets.length; k++) f[p + targets[k]] = 0;
        }
      }
      let ds: Tensor | null = null;
      if (srcT?.requiresGrad) {
        ds = Tensor._empty(op, srcT.shape);
        const p = ds._ptr(op) >>> 2;
        const gp = g._ptr(op) >>> 2;
        f.fill(0, p, p + ds.numel());
        for (let k = 0; k < targets.length; k++) f[p + srcPos[k]] = f[gp + targets[k]];
      }
      return srcT === null ? [dx] : [dx, ds];
    },
    [],
  );
}

/**
 * A copy of x with src's values written at index along dim (the last write wins).
 *
 * PyTorch: `torch.scatter`.
 *
 * @example
 * ```ts
 * wg.scatter(wg.zeros(3), 0, wg.tensor([2], { dtype: "int32" }), 5); // [0, 0, 5]
 * ```
 */
export function scatter(x: Tensor, dim: number, index: Tensor, src: Tensor | number): Tensor {
  return scatterImpl("scatter", x, dim, index, src);
}

/**
 * A copy of x with src's values added at index along dim (repeats accumulate).
 *
 * PyTorch: `torch.scatter_add`.
 *
 * @example
 * ```ts
 * wg.scatterAdd(wg.zeros(2), 0, wg.tensor([0, 0, 1], { dtype: "int32" }), wg.ones(3)); // [2, 1]
 * ```
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  return scatterImpl("scatterAdd", x, dim, index, src);
}
