/** nn.Embedding: a lookup table of numEmbeddings vectors of size embeddingDim, as torch.nn. */

import { graphScopedForward } from "../autograd/owned.js";
import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { randn } from "../ops/creation.js";
import { embedding, embeddingBag, type Indices } from "../ops/embedding.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, describe, fail, hoist, int, oneOf, size } from "../validate.js";
import { Module, parameter } from "./module.js";

/** Options of {@link Embedding}. */
export interface EmbeddingLayerOptions {
  /** A row that stays zero (at init) and receives no gradient. Negative counts from the end. */
  paddingIdx?: number | null;
}

/**
 * weight [numEmbeddings, embeddingDim] starts N(0, 1), with the paddingIdx row zero.
 *
 * PyTorch: `torch.nn.Embedding`.
 *
 * @example
 * ```ts
 * new wg.nn.Embedding(10, 4).forward(new Int32Array([1, 2, 3])).shape; // [3, 4]
 * ```
 */
export class Embedding extends Module<[Indices], Tensor> {
  /** The learnable table, [numEmbeddings, embeddingDim], initialised from N(0, 1). */
  weight: Tensor;
  /**
   * The row that starts at zero and receives no gradient (null: none; PyTorch's `padding_idx`).
   */
  readonly paddingIdx: number | null;

  /** `Embedding(numEmbeddings, embeddingDim, paddingIdx?)`, or `{ paddingIdx }`. */
  constructor(
    /** The number of rows of the table (PyTorch's `num_embeddings`). */
    readonly numEmbeddings: number,
    /** The size of each row (PyTorch's `embedding_dim`). */
    readonly embeddingDim: number,
    ...rest: Args<[paddingIdx: number | null], EmbeddingLayerOptions>
  ) {
    [numEmbeddings, embeddingDim, ...rest] = hoist(
      "Embedding",
      [numEmbeddings, embeddingDim, ...rest],
      ["numEmbeddings", "embeddingDim"],
    ) as [number, number, ...typeof rest];
    super();
    size("Embedding", "numEmbeddings", numEmbeddings, 1);
    size("Embedding", "embeddingDim", embeddingDim, 1);
    const options = args("Embedding", rest, ["paddingIdx"]);
    const pad =
      options.paddingIdx == null ? null : int("Embedding", "paddingIdx", options.paddingIdx);
    if (pad !== null && (pad < -numEmbeddings || pad >= numEmbeddings)) {
      throw new WasmgradError(
        `Embedding: paddingIdx must be within [${-numEmbeddings}, ${numEmbeddings - 1}] but got ${describe(pad)}`,
      );
    }
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + numEmbeddings : pad;
    this.weight = parameter(randn([numEmbeddings, embeddingDim]));
    if (this.paddingIdx !== null) {
      const at = (this.weight.ptr >>> 2) + this.paddingIdx * embeddingDim;
      backend.f32().fill(0, at, at + embeddingDim);
    }
  }

  /**
   * The rows of `weight` at `indices` (an int32 tensor or nested number arrays): shape
   * [...indices.shape, embeddingDim].
   */
  forward(indices: Indices): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const pad = this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}`;
  }
}

/** Options of {@link EmbeddingBag}. */
export interface EmbeddingBagLayerOptions {
  /** How a bag's rows combine: "sum", "mean" (default) or "max". */
  mode?: "sum" | "mean" | "max";
  /** The last offset is the end of the last bag (default false). */
  includeLastOffset?: boolean;
  /** A row that starts at zero, is left out of every bag and gets no gradient (default none). */
  paddingIdx?: number | null;
  /** Not supported: only null. */
  maxNorm?: number | null;
  /** Not supported: only 2. */
  normType?: number;
  /** Not supported: only false. */
  scaleGradByFreq?: boolean;
  /** Not supported: only false. */
  sparse?: boolean;
}

/**
 * Bags of embedding rows combined by sum, mean or max without making the rows, as text
 * classifiers use: `forward(input, offsets?, perSampleWeights?)` gives [bags, embeddingDim].
 *
 * PyTorch: `torch.nn.EmbeddingBag`.
 *
 * @example
 * ```ts
 * const bag = new wg.nn.EmbeddingBag(100, 8, { mode: "mean" });
 * bag.forward(wg.tensor([1, 5, 7, 2]).int(), wg.tensor([0, 3]).int()).shape; // [2, 8]
 * ```
 */
export class EmbeddingBag extends Module<[Indices, (Indices | null)?, (Tensor | null)?], Tensor> {
  /** The learnable table, [numEmbeddings, embeddingDim], initialised from N(0, 1). */
  weight: Tensor;
  /** How a bag's rows combine. */
  readonly mode: "sum" | "mean" | "max";
  /** Whether the last offset ends the last bag. */
  readonly includeLastOffset: boolean;
  /** The row left out of every bag (null: none). */
  readonly paddingIdx: number | null;
  /** The number of rows of the table (PyTorch's `num_embeddings`). */
  readonly numEmbeddings: number;
  /** The size of each row (PyTorch's `embedding_dim`). */
  readonly embeddingDim: number;

  /** `EmbeddingBag(numEmbeddings, embeddingDim, { mode, includeLastOffset, paddingIdx })`. */
  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    ...rest: Args<
      [
        maxNorm: number | null,
        normType: number,
        scaleGradByFreq: boolean,
        mode: "sum" | "mean" | "max",
      ],
      EmbeddingBagLayerOptions
    >
  ) {
    super();
    const op = "EmbeddingBag";
    const [n, d, ...more] = hoist(
      op,
      [numEmbeddings, embeddingDim, ...rest],
      ["numEmbeddings", "embeddingDim"],
    );
    this.numEmbeddings = size(op, "numEmbeddings", n, 1);
    this.embeddingDim = size(op, "embeddingDim", d, 1);
    const a = args(
      op,
      more,
      ["maxNorm", "normType", "scaleGradByFreq", "mode"],
      ["sparse", "includeLastOffset", "paddingIdx"],
    );
    if (a.maxNorm != null) fail(op, "maxNorm is not supported (only null)");
    if (a.normType !== undefined && a.normType !== 2)
      fail(op, "normType is not supported (only 2)");
    if (a.scaleGradByFreq !== undefined && bool(op, "scaleGradByFreq", a.scaleGradByFreq)) {
      fail(op, "scaleGradByFreq is not supported (only false)");
    }
    if (a.sparse !== undefined && bool(op, "sparse", a.sparse)) {
      fail(op, "sparse gradients are not supported (only false)");
    }
    this.mode =
      a.mode === undefined ? "mean" : oneOf(op, "mode", a.mode, ["sum", "mean", "max"] as const);
    this.includeLastOffset =
      a.includeLastOffset === undefined
        ? false
        : bool(op, "includeLastOffset", a.includeLastOffset);
    const pad = a.paddingIdx == null ? null : int(op, "paddingIdx", a.paddingIdx);
    if (pad !== null && (pad < -this.numEmbeddings || pad >= this.numEmbeddings)) {
      fail(
        op,
        `paddingIdx must be within [${-this.numEmbeddings}, ${this.numEmbeddings - 1}] but got ${pad}`,
      );
    }
    this.paddingIdx = pad === null ? null : pad < 0 ? pad + this.numEmbeddings : pad;
    this.weight = parameter(randn([this.numEmbeddings, this.embeddingDim]));
    if (this.paddingIdx !== null) {
      const at = (this.weight.ptr >>> 2) + this.paddingIdx * this.embeddingDim;
      backend.f32().fill(0, at, at + this.embeddingDim);
    }
  }

  /** The bags of `input` (1-D with `offsets`, or 2-D rows), combined: [bags, embeddingDim]. */
  forward(input: Indices, offsets?: Indices | null, perSampleWeights?: Tensor | null): Tensor {
    return embeddingBag(input, this.weight, offsets ?? null, {
      mode: this.mode,
      includeLastOffset: this.includeLastOffset,
      paddingIdx: this.paddingIdx,
      perSampleWeights: perSampleWeights ?? null,
    });
  }

  /** PyTorch's repr: sizes, mode and padding_idx. */
  override extraRepr(): string {
    const pad = this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}, mode=${this.mode}${pad}`;
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [Embedding, EmbeddingBag]) graphScopedForward(layer);
