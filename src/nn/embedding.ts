/** nn.Embedding: a lookup table of numEmbeddings vectors of size embeddingDim, as torch.nn. */

import { graphScopedForward } from "../autograd/owned.js";
import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { randn } from "../ops/creation.js";
import { embedding, type Indices } from "../ops/embedding.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, describe, hoist, int, size } from "../validate.js";
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

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [Embedding]) graphScopedForward(layer);
