/**
 * embedding(indices, weight, { paddingIdx }), as torch.nn.functional.embedding: row lookups of
 * weight [num, dim] for integer indices of any shape; the output is indices.shape + [dim]. The
 * weight gradient adds each output row's gradient into the row it came from (repeated indices
 * accumulate), except the paddingIdx row, which gets none.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, fail, int, oneOf, tensorArg } from "../validate.js";
import { tensor, zeros } from "./creation.js";
import { stack } from "./shape.js";

/** Options of `F.embedding`. */
export interface EmbeddingOptions {
  /** A row index whose gradient is always zero (default null: none; PyTorch's `padding_idx`). */
  paddingIdx?: number | null;
}

/**
 * Indices for embedding: an int32 tensor, an Int32Array or nested arrays of integers.
 */
export type Indices = Tensor | Int32Array | readonly number[];

/** The indices as an Int32Array and their shape, each checked to lie in [0, num). */
function readIndices(
  op: string,
  indices: Indices,
  num: number,
): { idx: Int32Array; shape: number[] } {
  let values: ArrayLike<number>;
  let shape: number[];
  if (indices instanceof Tensor) {
    indices._live(op);
    values = indices.data();
    shape = [...indices.shape];
  } else if (indices instanceof Int32Array || Array.isArray(indices)) {
    values = indices;
    shape = [indices.length];
  } else {
    throw new WasmgradError(
      `${op}: indices must be a Tensor, Int32Array or number[] but got ${typeof indices}`,
    );
  }
  const idx = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= num) {
      throw new WasmgradError(
        `${op}: index ${v} at position ${i} is out of range for an embedding of ${num} rows (expected an integer in [0, ${num - 1}])`,
      );
    }
    idx[i] = v;
  }
  return { idx, shape };
}

/**
 * Rows of `weight` at `indices` (any shape): the output has shape [...indices.shape, embeddingDim].
 *
 * PyTorch: `torch.nn.functional.embedding`.
 *
 * @example
 * ```ts
 * wg.F.embedding(new Int32Array([2, 0]), wg.eye(3)); // [[0, 0, 1], [1, 0, 0]]
 * ```
 */
export function embedding(
  indices: Indices,
  weight: Tensor,
  ...rest: Args<[paddingIdx: number | null], EmbeddingOptions>
): Tensor {
  const op = "embedding";
  const options = args(op, rest, ["paddingIdx"]) as EmbeddingOptions;
  if (options.paddingIdx != null) int(op, "paddingIdx", options.paddingIdx);
  tensorArg(op, "weight", weight);
  if (weight.ndim !== 2) {
    throw new WasmgradError(`${op}: weight must be 2-D [num, dim] but got ${fmt(weight.shape)}`);
  }
  const [num, dim] = weight.shape;
  const pad = options.paddingIdx ?? null;
  const padRow = pad === null ? -1 : pad < 0 ? pad + num : pad;
  if (pad !== null && (!Number.isInteger(pad) || padRow < 0 || padRow >= num)) {
    throw new WasmgradError(`${op}: paddingIdx ${pad} is out of range for ${num} rows`);
  }
  const { idx, shape } = readIndices(op, indices, num);
  const out = Tensor._empty(op, [...shape, dim]);
  // The indices, as int32 bits in a tensor's storage: they live as long as the graph needs them.
  const held = Tensor._empty(op, [idx.length]);
  backend.i32().set(idx, held.ptr >>> 2);
  if (out.numel() > 0) K.embedding_f32(out.ptr, weight._ptr(op), held.ptr, idx.length, dim);
  if (!needsGrad(weight)) {
    held.dispose();
    return out;
  }
  return record(out, op, [weight], (g) => {
    const dw = Tensor._empty(op, weight.shape);
    K.embedding_bwd_f32(dw.ptr, g._ptr(op), held._ptr(op), idx.length, dim, num, padRow);
    return [dw];
  });
}

/** Options of `F.embeddingBag`. */
export interface EmbeddingBagOptions {
  /** Where each bag starts in a 1-D input (null for a 2-D input, whose rows are the bags). */
  offsets?: Indices | null;
  /** How a bag's rows combine: "sum", "mean" (default) or "max". */
  mode?: "sum" | "mean" | "max";
  /** Per-row weights of the input's shape (mode "sum" only). */
  perSampleWeights?: Tensor | null;
  /** The last offset is the end of the last bag, as in CSR (default false). */
  includeLastOffset?: boolean;
  /** A row index left out of every bag (default null: none). */
  paddingIdx?: number | null;
  /** Not supported: only null. */
  maxNorm?: number | null;
  /** Not supported: only false. */
  scaleGradByFreq?: boolean;
  /** Not supported: only false (dense gradients). */
  sparse?: boolean;
}

/** Bag b's rows are positions starts[b] .. starts[b + 1] of the flat input. */
function bagStarts(
  op: string,
  idx: Int32Array,
  shape: number[],
  offsets: Indices | null | undefined,
  includeLast: boolean,
): Int32Array {
  if (shape.length === 2) {
    if (offsets != null) fail(op, "offsets must be null when the input is 2-D (each row is a bag)");
    const [b, l] = shape;
    return Int32Array.from({ length: b + 1 }, (_, i) => i * l);
  }
  if (shape.length !== 1)
    fail(op, `expected a 1-D input with offsets or a 2-D input but got ${fmt(shape)}`);
  if (offsets == null) fail(op, "offsets are required when the input is 1-D");
  const o = readIndices(op, offsets as Indices, idx.length + 1).idx;
  if (o.length === 0 || o[0] !== 0) fail(op, "offsets must start with 0");
  for (let i = 1; i < o.length; i++) {
    if (o[i] < o[i - 1])
      fail(op, `offsets must not decrease but offsets[${i}] = ${o[i]} < ${o[i - 1]}`);
  }
  if (includeLast) {
    if (o[o.length - 1] !== idx.length) {
      fail(op, `with includeLastOffset the last offset must be the input's length ${idx.length}`);
    }
    return o;
  }
  return Int32Array.from([...o, idx.length]);
}

/**
 * Sums, means or maxima of bags of rows of `weight`, without making the rows: a 1-D `input` of
 * indices cut into bags by `offsets` (or a 2-D input whose rows are bags); the result is
 * [bags, embeddingDim]. An empty bag gives zeros. Differentiable in `weight` (and in
 * `perSampleWeights`).
 *
 * PyTorch: `torch.nn.functional.embedding_bag`.
 *
 * @example
 * ```ts
 * const w = wg.arange(6).reshape(3, 2);
 * wg.F.embeddingBag(wg.tensor([0, 2, 1]).int(), w, { offsets: [0, 2], mode: "sum" }); // [[4, 6], [2, 3]]
 * ```
 */
export function embeddingBag(
  input: Indices,
  weight: Tensor,
  ...rest: Args<[offsets: Indices | null], EmbeddingBagOptions>
): Tensor {
  const op = "embeddingBag";
  const a = args(
    op,
    rest,
    ["offsets"],
    [
      "mode",
      "perSampleWeights",
      "includeLastOffset",
      "paddingIdx",
      "maxNorm",
      "scaleGradByFreq",
      "sparse",
    ],
  );
  tensorArg(op, "weight", weight);
  if (weight.ndim !== 2) fail(op, `weight must be 2-D [num, dim] but got ${fmt(weight.shape)}`);
  const [num, dim] = weight.shape;
  const mode =
    a.mode === undefined ? "mean" : oneOf(op, "mode", a.mode, ["sum", "mean", "max"] as const);
  if (a.maxNorm != null) fail(op, "maxNorm is not supported (only null)");
  if (a.scaleGradByFreq !== undefined && bool(op, "scaleGradByFreq", a.scaleGradByFreq)) {
    fail(op, "scaleGradByFreq is not supported (only false)");
  }
  if (a.sparse !== undefined && bool(op, "sparse", a.sparse))
    fail(op, "sparse gradients are not supported (only false)");
  const includeLast =
    a.includeLastOffset === undefined ? false : bool(op, "includeLastOffset", a.includeLastOffset);
  const pad = a.paddingIdx == null ? -1 : int(op, "paddingIdx", a.paddingIdx);
  const padRow = pad < 0 && a.paddingIdx != null ? pad + num : pad;
  const { idx, shape } = readIndices(op, input, num);
  const starts = bagStarts(op, idx, shape, a.offsets as Indices | null | undefined, includeLast);
  const bags = starts.length - 1;
  let psw: Tensor | null = null;
  if (a.perSampleWeights != null) {
    psw = tensorArg(op, "perSampleWeights", a.perSampleWeights, "float32");
    if (mode !== "sum") fail(op, `perSampleWeights needs mode "sum" but mode is "${mode}"`);
    if (psw.numel() !== idx.length) {
      fail(op, `perSampleWeights has ${psw.numel()} elements but the input has ${idx.length}`);
    }
  }
  // The rows each bag keeps (padding rows left out), and the bag of each kept row.
  const keep: number[] = [];
  const bagOf: number[] = [];
  const counts = new Int32Array(bags);
  for (let b = 0; b < bags; b++) {
    for (let i = starts[b]; i < starts[b + 1]; i++) {
      if (idx[i] === padRow) continue;
      keep.push(i);
      bagOf.push(b);
      counts[b]++;
    }
  }
  const kept = Int32Array.from(keep, (i) => idx[i]);
  if (kept.length === 0) return zeros([bags, dim]);
  let rows = embedding(kept, weight);
  if (psw !== null) rows = rows.mul(psw.reshape(-1).indexSelect(0, keep).unsqueeze(1));
  if (mode === "max") {
    const parts: Tensor[] = [];
    let at = 0;
    for (let b = 0; b < bags; b++) {
      parts.push(counts[b] === 0 ? zeros([dim]) : rows.narrow(0, at, counts[b]).amax(0));
      at += counts[b];
    }
    return stack(parts, 0);
  }
  const target = tensor(Int32Array.from(bagOf), { shape: [bagOf.length, 1] }).expand(-1, dim);
  const sums = zeros([bags, dim]).scatterAdd(0, target, rows);
  if (mode === "sum") return sums;
  const divisor = tensor(
    Float32Array.from(counts, (c) => Math.max(c, 1)),
    { shape: [bags, 1] },
  );
  return sums.div(divisor);
}
