/** nn.Embedding: a lookup table of numEmbeddings vectors of size embeddingDim, as torch.nn. */

import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { randn } from "../ops/creation.js";
import { embedding, type Indices } from "../ops/embedding.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, describe, int, size } from "../validate.js";
import { Module, parameter } from "./module.js";

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
  weight: Tensor;
  readonly paddingIdx: number | null;

  /** `Embedding(numEmbeddings, embeddingDim, paddingIdx?)`, or `{ paddingIdx }`. */
  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    ...rest: Args<[paddingIdx: number | null], EmbeddingLayerOptions>
  ) {
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

  forward(indices: Indices): Tensor {
    return embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    const pad = this.paddingIdx === null ? "" : `, padding_idx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}`;
  }
}
