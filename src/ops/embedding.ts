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
import { type Args, args, int, tensorArg } from "../validate.js";

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
