/**
 * DataLoader, as torch.utils.data.DataLoader over in-memory tensors: batches of samples taken
 * along the first dimension, in order or in a fresh random order each epoch (RandomSampler),
 * drawn from wasmgrad's generator so `manualSeed` makes them reproducible.
 *
 * A dataset is a Tensor, an array of Tensors (as a TensorDataset), or `{ x, y }` with labels
 * as an Int32Array or a Tensor; every part has the samples along its first dimension. Each batch
 * is made of new tensors holding copies of the selected rows (and a new Int32Array for Int32Array
 * labels): the caller owns them, so dispose them, or pull them inside a `tidy` as `fit` does.
 *
 * A map-style `Dataset` (dataset.ts) is batched through `collateFn` (default: stacking); a
 * TensorDataset, or a Subset of one, without a collateFn is batched by copying rows, as `[x, y]`.
 * Each `getItem` call runs inside `tidy`: tensors it makes and does not return are freed (so a
 * dataset that caches tensors makes them up front, in its constructor).
 */
import { fmt, WasmgradError } from "../errors.js";
import { tidy } from "../memory.js";
import { nextU32 } from "../random.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, describe as brief, size } from "../validate.js";
import { Dataset, defaultCollate, Subset, TensorDataset } from "./dataset.js";
import { gatherRows } from "./rows.js";

/**
 * Labels a TensorDataset or DataLoader may hold besides tensors.
 */
export type Labels = Int32Array | Tensor;

/** Inputs with labels: `x` [N, ...] and `y` [N, ...] (an Int32Array holds N class indices). */
export interface LabeledDataset<Y extends Labels = Labels> {
  /** The inputs; the first dimension indexes the samples. */
  x: Tensor;
  /** The labels: an Int32Array, or a tensor with the same first dimension as `x`. */
  y: Y;
}

/** What a DataLoader batches: tensors held in memory, or a map-style Dataset. */
export type DataLoaderSource = Tensor | readonly Tensor[] | LabeledDataset | Dataset<unknown>;

/** What iterating a DataLoader over dataset type `D` yields (without a collateFn). */
export type BatchOf<D extends DataLoaderSource> = D extends Tensor
  ? Tensor
  : D extends readonly Tensor[]
    ? Tensor[]
    : D extends LabeledDataset<infer Y>
      ? { x: Tensor; y: Y }
      : D extends Dataset<Tensor[]>
        ? Tensor[]
        : unknown;

export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** A new random order every epoch (default false: dataset order). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /**
   * Makes a batch from a list of samples (`dataset.getItem(i)` results); default
   * `defaultCollate`, which stacks. A TensorDataset without one is batched by copying rows.
   */
  collateFn?: (samples: unknown[]) => unknown;
}

const OP = "DataLoader";
/** 2^28 indices: a 1 GiB order array, and more samples than any in-memory dataset holds. */
const MAX_SAMPLES = 2 ** 28;

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? (v.constructor?.name ?? "object") : typeof v;
}

/** The number of samples of one part of a dataset. */
function samplesOf(name: string, t: unknown): number {
  if (t instanceof Tensor) {
    t._live(OP);
    if (t.ndim === 0) {
      throw new WasmgradError(
        `${OP}: ${name} must have the samples along its first dimension but is a 0-d tensor`,
      );
    }
    return t.shape[0];
  }
  if (t instanceof Int32Array) return t.length;
  throw new WasmgradError(
    `${OP}: ${name} must be a Tensor${name === "y" ? " or an Int32Array" : ""} but got ${describe(t)}`,
  );
}

/** The dataset's parts with their names, checked to hold the same number of samples. */
function partsOf(dataset: Exclude<DataLoaderSource, Dataset<unknown>>): {
  parts: [string, Labels][];
  samples: number;
} {
  let parts: [string, unknown][];
  if (dataset instanceof Tensor) parts = [["dataset", dataset]];
  else if (Array.isArray(dataset)) {
    if (dataset.length === 0) throw new WasmgradError(`${OP}: the array of tensors is empty`);
    parts = dataset.map((t, i): [string, unknown] => [`tensor ${i}`, t]);
  } else if (typeof dataset === "object" && dataset !== null && "x" in dataset) {
    parts = [
      ["x", dataset.x],
      ["y", dataset.y],
    ];
  } else {
    throw new WasmgradError(
      `${OP}: dataset must be a Tensor, an array of Tensors or { x: Tensor, y: Int32Array | Tensor } but got ${describe(dataset)}`,
    );
  }
  const counts = parts.map(([name, t]) => samplesOf(name, t));
  counts.forEach((n, i) => {
    if (n !== counts[0]) {
      const shape = (t: unknown): string =>
        t instanceof Tensor ? `shape ${fmt(t.shape)}` : `length ${(t as Int32Array).length}`;
      throw new WasmgradError(
        `${OP}: ${parts[0][0]} has ${counts[0]} samples (${shape(parts[0][1])}) but ${parts[i][0]} has ${n} (${shape(parts[i][1])})`,
      );
    }
  });
  return { parts: parts as [string, Labels][], samples: counts[0] };
}

function gatherLabels(y: Int32Array, order: Int32Array, start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let k = start; k < end; k++) out[k - start] = y[order[k]];
  return out;
}

/**
 * Iterates a dataset in batches of `batchSize` samples (shuffled each epoch with `shuffle`),
 * collated into tensors; `dropLast` drops a short last batch.
 *
 * PyTorch: `torch.utils.data.DataLoader`.
 *
 * @example
 * ```ts
 * for (const [x, y] of new wg.data.DataLoader(dataset, { batchSize: 32, shuffle: true })) { const loss = wg.F.mseLoss(model.forward(x), y); }
 * ```
 */
export class DataLoader<D extends DataLoaderSource = DataLoaderSource>
  implements Iterable<BatchOf<D>>
{
  /** Samples per batch (PyTorch's `batch_size`). */
  readonly batchSize: number;
  /** Whether each epoch draws a new random order. */
  readonly shuffle: boolean;
  /** Whether a last batch smaller than batchSize is dropped (PyTorch's `drop_last`). */
  readonly dropLast: boolean;
  /**
   * The function that makes a batch from a Dataset's samples (null: the default stacking; PyTorch's
   * `collate_fn`).
   */
  readonly collateFn: ((samples: unknown[]) => unknown) | null;

  /**
   * `DataLoader(dataset, batchSize?, shuffle?)`, or `{ batchSize, shuffle, dropLast }`.
   *
   * @param dataset The samples: a tensor, tensors with the same first dimension, `{ x, y }`, or
   * a Dataset.
   */
  constructor(
    readonly dataset: D,
    ...rest: Args<[batchSize: number, shuffle: boolean], DataLoaderOptions>
  ) {
    const o = args(OP, rest, ["batchSize", "shuffle"], ["dropLast", "collateFn"]);
    this.batchSize = size(OP, "batchSize", o.batchSize ?? 1, 1);
    this.shuffle = bool(OP, "shuffle", o.shuffle ?? false);
    this.dropLast = bool(OP, "dropLast", o.dropLast ?? false);
    const collateFn = o.collateFn;
    if (collateFn !== undefined && typeof collateFn !== "function") {
      throw new WasmgradError(
        `${OP}: collateFn must be a function (samples) => batch but got ${brief(collateFn)}`,
      );
    }
    if (collateFn !== undefined && !(dataset instanceof Dataset)) {
      throw new WasmgradError(
        `${OP}: collateFn needs a map-style Dataset (e.g. new data.TensorDataset(x, y))`,
      );
    }
    this.collateFn = (collateFn as ((samples: unknown[]) => unknown) | undefined) ?? null;
    const samples = dataset instanceof Dataset ? dataset.length : partsOf(dataset).samples;
    // The epoch's order is an Int32Array of the sample indices: it must be allocatable.
    if (samples > MAX_SAMPLES) {
      throw new WasmgradError(
        `${OP}: the dataset has ${samples} samples along its first dimension, more than the ${MAX_SAMPLES} a DataLoader can index (dataset ${brief(dataset)})`,
      );
    }
  }

  /**
   * The number of samples (the dataset's first dimension, or a Dataset's length).
   *
   * PyTorch: `len(loader.dataset)`.
   *
   * @example
   * ```ts
   * new wg.data.DataLoader(wg.zeros(10, 3), { batchSize: 4 }).numSamples; // 10
   * ```
   */
  get numSamples(): number {
    const d = this.dataset;
    return d instanceof Dataset ? d.length : partsOf(d).samples;
  }

  /**
   * The number of batches one epoch yields.
   *
   * PyTorch: `len(loader)`.
   *
   * @example
   * ```ts
   * new wg.data.DataLoader(wg.zeros(10, 3), { batchSize: 4 }).length; // 3
   * new wg.data.DataLoader(wg.zeros(10, 3), { batchSize: 4, dropLast: true }).length; // 2
   * ```
   */
  get length(): number {
    const n = this.numSamples;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * One epoch of batches; with shuffle, each call draws a new permutation.
   *
   * PyTorch: `iter(loader)`.
   *
   * @example
   * ```ts
   * const loader = new wg.data.DataLoader([wg.randn(10, 3), wg.randn(10, 1)], { batchSize: 4 });
   * for (const [xb, yb] of loader) xb.shape[0]; // 4, 4, then 2
   * ```
   */
  *[Symbol.iterator](): Iterator<BatchOf<D>> {
    const d = this.dataset;
    if (d instanceof Dataset) {
      yield* this.fromDataset(d) as Iterable<BatchOf<D>>;
      return;
    }
    const { parts, samples } = partsOf(d);
    const order = this.order(samples);
    const batches = this.batches(samples);
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, samples);
      // Re-checked per batch: a dataset tensor disposed mid-epoch is reported, not read.
      const got = parts.map(([, t]) =>
        t instanceof Tensor ? gatherRows(t, order, start, end) : gatherLabels(t, order, start, end),
      );
      yield this.shape(got) as BatchOf<D>;
    }
  }

  /**
   * Batches of a map-style Dataset: rows copied at once from a TensorDataset (or a Subset of
   * one) without a collateFn, else `collateFn(samples)`.
   */
  private *fromDataset(d: Dataset<unknown>): Iterable<unknown> {
    const samples = d.length;
    const order = this.order(samples);
    const batches = this.batches(samples);
    let base: TensorDataset | null = null;
    let map: Int32Array | null = null;
    if (this.collateFn === null && d instanceof TensorDataset) base = d;
    else if (this.collateFn === null && d instanceof Subset && d.dataset instanceof TensorDataset) {
      base = d.dataset;
      map = d.indices;
    }
    if (map !== null) for (let k = 0; k < samples; k++) order[k] = map[order[k]];
    const collate = this.collateFn ?? defaultCollate;
    for (let b = 0; b < batches; b++) {
      const start = b * this.batchSize;
      const end = Math.min(start + this.batchSize, samples);
      if (base !== null) {
        yield base.tensors.map((t) => gatherRows(t, order, start, end));
        continue;
      }
      const items: unknown[] = [];
      // Each getItem runs in tidy: the tensors it makes on the way to its sample (a slice
      // scaled and shifted) are freed; what it returns goes on to collate.
      for (let k = start; k < end; k++) items.push(tidy(() => d.getItem(order[k])));
      yield collate(items);
    }
  }

  private batches(samples: number): number {
    return this.dropLast
      ? Math.floor(samples / this.batchSize)
      : Math.ceil(samples / this.batchSize);
  }

  /** 0..samples-1, shuffled (Fisher-Yates, 32 random bits per draw) with shuffle. */
  private order(samples: number): Int32Array {
    const order = new Int32Array(samples);
    for (let i = 0; i < samples; i++) order[i] = i;
    if (this.shuffle) {
      for (let i = samples - 1; i > 0; i--) {
        const j = Math.floor((nextU32() / 4294967296) * (i + 1));
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
    }
    return order;
  }

  private shape(got: Labels[]): Tensor | Tensor[] | { x: Tensor; y: Labels } {
    const d = this.dataset;
    if (d instanceof Tensor) return got[0] as Tensor;
    if (Array.isArray(d)) return got as Tensor[];
    return { x: got[0] as Tensor, y: got[1] };
  }
}
