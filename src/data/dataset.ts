/**
 * Map-style datasets, as torch.utils.data: `Dataset` (a `length` and `getItem(i)` returning one
 * sample), `TensorDataset(...tensors)` (sample i is the i-th row of each tensor), `Subset`, and
 * `randomSplit`, plus `defaultCollate`, which stacks samples into a batch as PyTorch's
 * default_collate does. A DataLoader batches any Dataset through its `collateFn`; a
 * TensorDataset (or a Subset of one) is batched by copying rows directly.
 */

import { noGrad } from "../autograd/engine.js";
import { fmt, WasmgradError } from "../errors.js";
import { tensor } from "../ops/creation.js";
import { stack } from "../ops/shape.js";
import { nextU32 } from "../random.js";
import { Tensor } from "../tensor.js";
import { describe, int } from "../validate.js";
import { gatherRows } from "./rows.js";

/**
 * torch.utils.data.Dataset: subclasses give `length` and `getItem(index)`.
 *
 * @example
 * ```ts
 * class Squares extends wg.data.Dataset<wg.Tensor[]> {
 *   get length() {
 *     return 10;
 *   }
 *   getItem(i: number) {
 *     return [wg.tensor([i]), wg.tensor([i * i])];
 *   }
 * }
 * new Squares().getItem(3)[1].item(); // 9
 * ```
 */
export abstract class Dataset<T = unknown> {
  /**
   * The number of samples.
   *
   * PyTorch: `torch.utils.data.Dataset.__len__`.
   *
   * @example
   * ```ts
   * new wg.data.TensorDataset(wg.zeros(5, 2), wg.zeros(5)).length; // 5
   * ```
   */
  abstract get length(): number;

  /**
   * Sample `index`, 0 <= index < length.
   *
   * PyTorch: `torch.utils.data.Dataset.__getitem__`.
   *
   * @example
   * ```ts
   * const ds = new wg.data.TensorDataset(wg.tensor([[1, 2], [3, 4]]), wg.tensor([0, 1]));
   * ds.getItem(1).map((t) => t.toArray()); // [[3, 4], 1]
   * ```
   */
  abstract getItem(index: number): T;
}

function checkIndex(op: string, index: number, length: number): number {
  return int(op, "index", index, -length, length - 1) < 0 ? index + length : index;
}

/**
 * torch.utils.data.TensorDataset: `new TensorDataset(x, y)`; sample i is `[x[i], y[i]]` (new
 * tensors, owned by the caller). All tensors need the same first dimension.
 *
 * @example
 * ```ts
 * const dataset = new wg.data.TensorDataset(wg.randn(100, 4), wg.randn(100, 1)); // dataset.get(0): [x0, y0]
 * ```
 */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, all with the same first dimension (PyTorch's `tensors`). */
  readonly tensors: readonly Tensor[];

  constructor(...tensors: Tensor[]) {
    super();
    const op = "TensorDataset";
    if (tensors.length === 0) throw new WasmgradError(`${op}: expected at least one tensor`);
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) {
        throw new WasmgradError(`${op}: argument ${i} must be a Tensor but got ${describe(t)}`);
      }
      t._live(op);
      if (t.ndim === 0)
        throw new WasmgradError(`${op}: tensor ${i} is 0-d; samples run along the first dimension`);
      if (t.shape[0] !== tensors[0].shape[0]) {
        throw new WasmgradError(
          `${op}: size mismatch between tensors: tensor 0 has shape ${fmt(tensors[0].shape)} but tensor ${i} has ${fmt(t.shape)}`,
        );
      }
    });
    this.tensors = [...tensors];
  }

  get length(): number {
    return this.tensors[0].shape[0];
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex("TensorDataset.getItem", index, this.length);
    const at = Int32Array.of(i);
    return this.tensors.map((t) => gatherRows(t, at, 0, 1, t.shape.slice(1)));
  }
}

/**
 * torch.utils.data.Subset: the samples of `dataset` at `indices`, in that order.
 *
 * @example
 * ```ts
 * const firstTen = new wg.data.Subset(dataset, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * ```
 */
export class Subset<T = unknown> extends Dataset<T> {
  /** The positions in `dataset` this subset holds, in order. */
  readonly indices: Int32Array;

  constructor(
    /** The dataset the samples come from. */
    readonly dataset: Dataset<T>,
    indices: ArrayLike<number>,
  ) {
    super();
    const op = "Subset";
    if (!(dataset instanceof Dataset))
      throw new WasmgradError(`${op}: expected a Dataset but got ${describe(dataset)}`);
    const n = dataset.length;
    this.indices = Int32Array.from(indices, (v, k) => int(op, `indices[${k}]`, v, 0, n - 1));
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    return this.dataset.getItem(this.indices[checkIndex("Subset.getItem", index, this.length)]);
  }
}

/** A private stream of uniform 32-bit integers from `seed` (splitmix32). */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * torch.utils.data.random_split: splits `dataset` into non-overlapping Subsets of the given
 * `lengths` (summing to its length), or of fractions summing to 1 (floor of each share, the
 * remainder handed out one by one from the first, as PyTorch). The permutation comes from the
 * generator `manualSeed` sets, or, with `generator` (a seed, in place of PyTorch's
 * torch.Generator().manual_seed(seed)), from a private stream that leaves it untouched.
 *
 * @example
 * ```ts
 * const [train, val] = wg.data.randomSplit(new wg.data.TensorDataset(wg.randn(10, 2)), [8, 2]);
 * ```
 */
export function randomSplit<T>(
  dataset: Dataset<T>,
  lengths: readonly number[],
  generator?: number,
): Subset<T>[] {
  const op = "randomSplit";
  if (!(dataset instanceof Dataset))
    throw new WasmgradError(`${op}: expected a Dataset but got ${describe(dataset)}`);
  if (!Array.isArray(lengths) || lengths.length === 0) {
    throw new WasmgradError(
      `${op}: lengths must be a non-empty array of lengths or fractions, got ${describe(lengths)}`,
    );
  }
  const n = dataset.length;
  let sizes: number[];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (
    lengths.every((v) => typeof v === "number" && v >= 0 && v <= 1) &&
    Math.abs(total - 1) <= 1e-9 &&
    !lengths.every(Number.isInteger)
  ) {
    sizes = lengths.map((f) => Math.floor(n * f));
    const rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rest; i++) sizes[i % sizes.length] += 1;
  } else {
    sizes = lengths.map((v, i) => int(op, `lengths[${i}]`, v, 0));
    if (total !== n) {
      throw new WasmgradError(
        `${op}: the lengths sum to ${total} but the dataset has ${n} samples`,
      );
    }
  }
  if (generator !== undefined) int(op, "generator (a seed)", generator, 0, 2 ** 32 - 1);
  const draw = generator === undefined ? nextU32 : seeded(generator);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((draw() / 4294967296) * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  let at = 0;
  return sizes.map((len) => {
    const s = new Subset(dataset, order.subarray(at, at + len));
    at += len;
    return s;
  });
}

/**
 * PyTorch's default_collate: tensors are stacked along a new first dimension; numbers become a
 * float32 tensor and booleans a bool tensor; arrays and plain objects are collated position by
 * position (key by key); anything else is returned as the list of samples. The sample tensors
 * are disposed once stacked (a Dataset hands out new tensors per getItem).
 *
 * PyTorch: `torch.utils.data.default_collate`.
 *
 * @example
 * ```ts
 * wg.data.defaultCollate([[wg.ones(2), 0], [wg.zeros(2), 1]]); // [Tensor [2, 2], Tensor [2]]
 * ```
 */
export function defaultCollate(samples: readonly unknown[]): unknown {
  const op = "defaultCollate";
  if (!Array.isArray(samples) || samples.length === 0) {
    throw new WasmgradError(
      `${op}: expected a non-empty array of samples but got ${describe(samples)}`,
    );
  }
  const first = samples[0];
  if (first instanceof Tensor) {
    const ts = samples as Tensor[];
    const out = noGrad(() => stack(ts, 0));
    for (const t of ts) if (t !== out && !t._kept) t.dispose();
    return out;
  }
  if (typeof first === "number") return tensor(samples as number[]);
  if (typeof first === "boolean") return tensor(samples as boolean[] as never);
  if (Array.isArray(first)) {
    const k = first.length;
    samples.forEach((s, i) => {
      if (!Array.isArray(s) || s.length !== k) {
        throw new WasmgradError(
          `${op}: sample ${i} is ${describe(s)} but sample 0 has ${k} elements`,
        );
      }
    });
    return Array.from({ length: k }, (_, j) =>
      defaultCollate(samples.map((s) => (s as unknown[])[j])),
    );
  }
  if (
    first !== null &&
    typeof first === "object" &&
    Object.getPrototypeOf(first) === Object.prototype
  ) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first))
      out[key] = defaultCollate(samples.map((s) => (s as Record<string, unknown>)[key]));
    return out;
  }
  return [...samples];
}
