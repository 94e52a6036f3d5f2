/**
 * sort, argsort and topk along one dim, with PyTorch's named results ([values, indices], int32
 * indices). Stable sorting in JavaScript per row; NaN counts as larger than every number, as in
 * PyTorch. values are gathered through remap, so their gradient flows back to the picked inputs.
 */
import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { type ValuesIndices, valuesIndices } from "../named.js";
import { normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe } from "../validate.js";
import { remap, stridesFor } from "./remap.js";

/** a before b ascending; NaN last. */
function ascending(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

/**
 * Per row along `dim`, the first `k` positions in sorted order: the flat source index of each
 * output element, and its index along dim.
 */
function order(
  op: string,
  x: Tensor,
  dim: number,
  k: number,
  descending: boolean,
): { shape: number[]; map: Int32Array; idx: Int32Array } {
  const d = x.ndim === 0 ? 0 : normDim(op, dim, x.ndim);
  const n = x.ndim === 0 ? 1 : x.shape[d];
  const shape = x.ndim === 0 ? [] : [...x.shape];
  if (x.ndim > 0) shape[d] = k;
  const st = x.ndim === 0 ? [1] : stridesFor(x.shape);
  const inner = x.ndim === 0 ? 1 : st[d];
  const outer = x.numel() / Math.max(n * inner, 1);
  const at = x._rawPtr(op) >>> 2;
  const view = x.dtype === "int32" ? backend.i32() : backend.f32();
  const total = outer * k * inner;
  const map = new Int32Array(total);
  const idx = new Int32Array(total);
  const rowIdx = Array.from({ length: n }, (_, i) => i);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      const vals = rowIdx.map((j) => view[at + base + j * inner]);
      const perm = [...rowIdx].sort((p, q) => {
        const c = descending ? ascending(vals[q], vals[p]) : ascending(vals[p], vals[q]);
        return c !== 0 ? c : p - q;
      });
      for (let j = 0; j < k; j++) {
        const out = o * k * inner + j * inner + i;
        map[out] = base + perm[j] * inner;
        idx[out] = perm[j];
      }
    }
  }
  return { shape, map, idx };
}

function tensorArg(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor))
    throw new WasmgradError(`${op}: expected a Tensor but got ${describe(x)}`);
  x._live(op);
  return x;
}

function result(
  op: string,
  x: Tensor,
  o: { shape: number[]; map: Int32Array; idx: Int32Array },
): ValuesIndices {
  const values = remap(op, x, o.shape, o.map);
  const indices = Tensor._empty(op, o.shape, "int32");
  backend.i32().set(o.idx, indices._rawPtr(op) >>> 2);
  return valuesIndices(values, indices);
}

/**
 * The sorted values along dim (default last) and where they came from.
 *
 * PyTorch: `torch.sort`.
 *
 * @example
 * ```ts
 * const { values, indices } = wg.sort(wg.tensor([3, 1, 2])); // [1, 2, 3], [1, 2, 0]
 * ```
 */
export function sort(x: Tensor, dim = -1, descending = false): ValuesIndices {
  tensorArg("sort", x);
  const n = x.ndim === 0 ? 1 : x.shape[normDim("sort", dim, x.ndim)];
  return result("sort", x, order("sort", x, dim, n, descending));
}

/**
 * The indices that sort x along dim, as an int32 tensor.
 *
 * PyTorch: `torch.argsort`.
 *
 * @example
 * ```ts
 * wg.argsort(wg.tensor([3, 1, 2])); // [1, 2, 0]
 * ```
 */
export function argsort(x: Tensor, dim = -1, descending = false): Tensor {
  const [values, indices] = sort(x, dim, descending);
  values.dispose();
  return indices;
}

/**
 * The k largest (or smallest) values along dim, sorted, and their indices.
 *
 * PyTorch: `torch.topk`.
 *
 * @example
 * ```ts
 * wg.topk(wg.tensor([1, 5, 3]), 2).values; // [5, 3]
 * ```
 */
export function topk(x: Tensor, k: number, dim = -1, largest = true, sorted = true): ValuesIndices {
  tensorArg("topk", x);
  const n = x.ndim === 0 ? 1 : x.shape[normDim("topk", dim, x.ndim)];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new WasmgradError(
      `topk: k (${k}) must be an integer in [0, ${n}] for dimension ${dim} of size ${n}`,
    );
  }
  void sorted; // always sorted, which PyTorch allows for sorted=false too
  return result("topk", x, order("topk", x, dim, k, largest));
}
