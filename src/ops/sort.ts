/**
 * sort, argsort and topk along one dim, with PyTorch's named results ([values, indices], int32
 * indices). A stable radix sort per row; NaN counts as larger than every number, as in
 * PyTorch. values are gathered through remap, so their gradient flows back to the picked inputs.
 */
import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { type ValuesIndices, valuesIndices } from "../named.js";
import { normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, describe, int, named } from "../validate.js";
import { remap, stridesFor } from "./remap.js";

/**
 * A stable LSD radix sort of int32 keys (three passes of 11 bits): returns the positions in key
 * order, equal keys in position order. Values map to keys that order as the values do (NaN last,
 * -0 with 0), so a row sorts in O(n) rather than through a comparator.
 */
class RadixSorter {
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly count = new Int32Array(2048);
  constructor(readonly n: number) {
    this.a = new Int32Array(n);
    this.b = new Int32Array(n);
  }
  sort(keys: Int32Array): Int32Array {
    let src = this.a;
    let dst = this.b;
    const n = this.n;
    for (let j = 0; j < n; j++) src[j] = j;
    for (let shift = 0; shift < 32; shift += 11) {
      const count = this.count;
      count.fill(0);
      for (let j = 0; j < n; j++) count[((keys[j] ^ 0x80000000) >>> shift) & 2047]++;
      let sum = 0;
      for (let d = 0; d < 2048; d++) {
        const c = count[d];
        count[d] = sum;
        sum += c;
      }
      for (let j = 0; j < n; j++) {
        const p = src[j];
        dst[count[((keys[p] ^ 0x80000000) >>> shift) & 2047]++] = p;
      }
      const t = src;
      src = dst;
      dst = t;
    }
    return src;
  }
}

/**
 * The positions of the k smallest keys, in (key, position) order, for k much smaller than the row:
 * one pass keeping a max-heap of the k best so far (most keys lose to its top at once).
 */
class HeapSelector {
  private readonly key: Int32Array;
  private readonly pos: Int32Array;
  constructor(readonly k: number) {
    this.key = new Int32Array(k);
    this.pos = new Int32Array(k);
  }
  /** Whether (ka, pa) comes after (kb, pb). */
  private static after(ka: number, pa: number, kb: number, pb: number): boolean {
    return ka > kb || (ka === kb && pa > pb);
  }
  private siftDown(at: number, size: number): void {
    const { key, pos } = this;
    let i = at;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) return;
      let c = l;
      if (l + 1 < size && HeapSelector.after(key[l + 1], pos[l + 1], key[l], pos[l])) c = l + 1;
      if (!HeapSelector.after(key[c], pos[c], key[i], pos[i])) return;
      const tk = key[i];
      const tp = pos[i];
      key[i] = key[c];
      pos[i] = pos[c];
      key[c] = tk;
      pos[c] = tp;
      i = c;
    }
  }
  smallest(keys: Int32Array): Int32Array {
    const { k, key, pos } = this;
    if (k === 0) return pos;
    for (let j = 0; j < k; j++) {
      key[j] = keys[j];
      pos[j] = j;
    }
    for (let j = (k >> 1) - 1; j >= 0; j--) this.siftDown(j, k);
    for (let j = k; j < keys.length; j++) {
      // Later positions lose ties, so only a strictly smaller key enters.
      if (keys[j] < key[0]) {
        key[0] = keys[j];
        pos[0] = j;
        this.siftDown(0, k);
      }
    }
    // Heap sort in place: the largest goes last each time.
    for (let size = k - 1; size > 0; size--) {
      const tk = key[0];
      const tp = pos[0];
      key[0] = key[size];
      pos[0] = pos[size];
      key[size] = tk;
      pos[size] = tp;
      this.siftDown(0, size);
    }
    return pos;
  }
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
  // Keys live in int32 arithmetic (no heap numbers) and compare as signed integers in the order
  // of the values: NaN last, -0 with 0; descending flips them.
  const bits = backend.i32();
  const isFloat = x.dtype === "float32";
  const flip = descending ? -1 : 0;
  const total = outer * k * inner;
  const map = new Int32Array(total);
  const idx = new Int32Array(total);
  const keys = new Int32Array(n);
  const select = k * 32 <= n ? new HeapSelector(k) : null;
  const sorter = select === null ? new RadixSorter(n) : null;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let j = 0; j < n; j++) {
        const b = bits[at + base + j * inner];
        let key: number;
        if (!isFloat) key = b;
        else if ((b & 0x7fffffff) > 0x7f800000)
          key = 0x7fffffff; // NaN
        else if (b === -0x80000000)
          key = 0; // -0
        else key = b < 0 ? b ^ 0x7fffffff : b;
        keys[j] = key ^ flip;
      }
      const perm = select !== null ? select.smallest(keys) : sorter!.sort(keys);
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
export function sort(
  x: Tensor,
  ...given: Args<
    [dim: number | undefined, descending: boolean | undefined],
    { dim?: number; descending?: boolean }
  >
): ValuesIndices {
  const [dim = -1, descending = false] = named("sort", given, ["dim", "descending"]) as [
    number,
    boolean,
  ];
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
export function argsort(
  x: Tensor,
  ...given: Args<
    [dim: number | undefined, descending: boolean | undefined],
    { dim?: number; descending?: boolean }
  >
): Tensor {
  const [dim = -1, descending = false] = named("argsort", given, ["dim", "descending"]) as [
    number,
    boolean,
  ];
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
export function topk(
  x: Tensor,
  ...given: Args<
    [
      k: number | undefined,
      dim: number | undefined,
      largest: boolean | undefined,
      sorted: boolean | undefined,
    ],
    { k?: number; dim?: number; largest?: boolean; sorted?: boolean }
  >
): ValuesIndices {
  const [k, dim = -1, largest = true, sorted = true] = named("topk", given, [
    "k",
    "dim",
    "largest",
    "sorted",
  ]) as [number, number, boolean, boolean];
  tensorArg("topk", x);
  // A 0-d tensor has one element along dim -1 or 0, as PyTorch.
  if (x.ndim === 0) int("topk", "dim", dim, -1, 0);
  const n = x.ndim === 0 ? 1 : x.shape[normDim("topk", dim, x.ndim)];
  if (!Number.isInteger(k) || k < 0 || k > n) {
    throw new WasmgradError(
      `topk: k (${describe(k)}) must be an integer in [0, ${n}] for dimension ${describe(dim)} of size ${n}`,
    );
  }
  void sorted; // always sorted, which PyTorch allows for sorted=false too
  return result("topk", x, order("topk", x, dim, k, largest));
}
