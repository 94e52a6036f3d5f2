/**
 * TransformerEncoder, TransformerDecoder (stacks of deep copies of a layer, then an optional
 * norm) and Transformer, as torch.nn's, with PyTorch's submodule names (layers.N, norm,
 * encoder, decoder) and positional forward arguments (or a trailing options object).
 */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { hoist, intOr, keywordArgs } from "../validate.js";
import { causalMask } from "./attention.js";
import { ModuleList } from "./containers.js";
import { deepCopy, Module } from "./module.js";
import { LayerNorm } from "./normalization.js";
import {
  decoderKeys,
  layerConfig,
  layerKeys,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from "./transformer-layer.js";

export {
  type Activation,
  TransformerDecoderLayer,
  TransformerEncoderLayer,
} from "./transformer-layer.js";

/**
 * numLayers deep copies of encoderLayer (as PyTorch), then an optional norm.
 *
 * PyTorch: `torch.nn.TransformerEncoder`.
 *
 * @example
 * ```ts
 * const enc = new wg.nn.TransformerEncoder(new wg.nn.TransformerEncoderLayer(16, 4, { batchFirst: true }), 2);
 * enc.forward(wg.randn(2, 5, 16)).shape; // [2, 5, 16]
 * ```
 */
export class TransformerEncoder extends Module<[Tensor, ...unknown[]], Tensor> {
  /** The `numLayers` deep copies of the encoder layer. */
  declare layers: ModuleList<TransformerEncoderLayer>;
  /** The final LayerNorm after the last layer (null: none). */
  declare norm: LayerNorm | Module | null;

  constructor(encoderLayer: TransformerEncoderLayer, numLayers: number, ...rest: unknown[]) {
    [encoderLayer, numLayers, ...rest] = hoist(
      "TransformerEncoder",
      [encoderLayer, numLayers, ...rest],
      ["encoderLayer", "numLayers"],
    ) as [TransformerEncoderLayer, number, ...typeof rest];
    super();
    const op = "TransformerEncoder";
    if (!(encoderLayer instanceof Module))
      throw new WasmgradError(`${op}: encoderLayer must be a Module`);
    intOr(op, "numLayers", numLayers, 1);
    const a = keywordArgs(op, rest, ["norm", "enableNestedTensor", "maskCheck"]);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopy(encoderLayer)));
    this.norm = (a.norm as LayerNorm | null | undefined) ?? null;
  }

  /** The number of layers (PyTorch's `num_layers`). */
  get numLayers(): number {
    return this.layers.length;
  }

  /** forward(src, mask?, srcKeyPaddingMask?, isCausal?). */
  forward(src: Tensor, ...rest: unknown[]): Tensor {
    const a = keywordArgs("TransformerEncoder", rest, ["mask", "srcKeyPaddingMask", "isCausal"]);
    let x = src;
    for (const layer of this.layers) {
      x = layer.forward(x, {
        srcMask: a.mask,
        srcKeyPaddingMask: a.srcKeyPaddingMask,
        isCausal: a.isCausal,
      });
    }
    return this.norm === null ? x : (this.norm as LayerNorm).forward(x);
  }
}

/**
 * A stack of `numLayers` copies of a TransformerDecoderLayer; `forward(tgt, memory, options?)`.
 *
 * PyTorch: `torch.nn.TransformerDecoder`.
 *
 * @example
 * ```ts
 * const dec = new wg.nn.TransformerDecoder(new wg.nn.TransformerDecoderLayer(16, 4, { batchFirst: true }), 2);
 * dec.forward(wg.randn(2, 3, 16), wg.randn(2, 5, 16)).shape; // [2, 3, 16]
 * ```
 */
export class TransformerDecoder extends Module<[Tensor, ...unknown[]], Tensor> {
  /** The `numLayers` deep copies of the decoder layer. */
  declare layers: ModuleList<TransformerDecoderLayer>;
  /** The final LayerNorm after the last layer (null: none). */
  declare norm: LayerNorm | Module | null;

  constructor(decoderLayer: TransformerDecoderLayer, numLayers: number, ...rest: unknown[]) {
    [decoderLayer, numLayers, ...rest] = hoist(
      "TransformerDecoder",
      [decoderLayer, numLayers, ...rest],
      ["decoderLayer", "numLayers"],
    ) as [TransformerDecoderLayer, number, ...typeof rest];
    super();
    const op = "TransformerDecoder";
    if (!(decoderLayer instanceof Module))
      throw new WasmgradError(`${op}: decoderLayer must be a Module`);
    intOr(op, "numLayers", numLayers, 1);
    const a = keywordArgs(op, rest, ["norm"]);
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => deepCopy(decoderLayer)));
    this.norm = (a.norm as LayerNorm | null | undefined) ?? null;
  }

  /** forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?, tgtIsCausal?, memoryIsCausal?). */
  forward(tgt: Tensor, ...args: unknown[]): Tensor {
    const [memory, ...rest] = args as [Tensor, ...unknown[]];
    const a = keywordArgs("TransformerDecoder", rest, decoderKeys);
    let x = tgt;
    for (const layer of this.layers) x = layer.forward(x, memory, a);
    return this.norm === null ? x : (this.norm as LayerNorm).forward(x);
  }
}

/**
 * The encoder-decoder model of "Attention Is All You Need", as torch.nn.Transformer.
 *
 * @example
 * ```ts
 * const model = new wg.nn.Transformer({ dModel: 16, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 32, batchFirst: true });
 * model.forward(wg.randn(2, 5, 16), wg.randn(2, 3, 16)).shape; // [2, 3, 16]
 * ```
 */
export class Transformer extends Module<[Tensor, Tensor, ...unknown[]], Tensor> {
  /** The encoder stack (a TransformerEncoder unless a custom encoder was given). */
  encoder: Module<[Tensor, ...unknown[]], Tensor>;
  /** The decoder stack (a TransformerDecoder unless a custom decoder was given). */
  decoder: Module<[Tensor, ...unknown[]], Tensor>;
  /** The model's features (PyTorch's `d_model`). */
  readonly dModel: number;
  /** The number of attention heads. */
  readonly nhead: number;
  /** Whether inputs and output are [N, L, E] (PyTorch's `batch_first`). */
  readonly batchFirst: boolean;

  constructor(...args: unknown[]) {
    super();
    const op = "Transformer";
    const a = keywordArgs(op, args, [
      "dModel",
      "nhead",
      "numEncoderLayers",
      "numDecoderLayers",
      ...layerKeys,
      "customEncoder",
      "customDecoder",
    ]);
    this.dModel = intOr(op, "dModel", a.dModel, 1, 512);
    this.nhead = intOr(op, "nhead", a.nhead, 1, 8);
    const cfg = layerConfig(op, [
      Object.fromEntries(layerKeys.filter((k) => a[k] !== undefined).map((k) => [k, a[k]])),
    ]);
    this.batchFirst = cfg.batchFirst;
    const eps = cfg.layerNormEps;
    const numEncoderLayers = intOr(op, "numEncoderLayers", a.numEncoderLayers, 1, 6);
    const numDecoderLayers = intOr(op, "numDecoderLayers", a.numDecoderLayers, 1, 6);
    // The layer templates are deep-copied numLayers times and then freed; if building fails
    // part-way, what was built is freed too.
    const built: Module[] = [];
    const template = <M extends Module>(m: M): M => {
      built.push(m);
      return m;
    };
    try {
      this.encoder =
        (a.customEncoder as Module<[Tensor, ...unknown[]], Tensor> | undefined) ??
        new TransformerEncoder(
          template(new TransformerEncoderLayer(this.dModel, this.nhead, cfg)),
          numEncoderLayers,
          new LayerNorm(this.dModel, { eps, bias: cfg.bias }),
        );
      this.decoder =
        (a.customDecoder as Module<[Tensor, ...unknown[]], Tensor> | undefined) ??
        new TransformerDecoder(
          template(new TransformerDecoderLayer(this.dModel, this.nhead, cfg)),
          numDecoderLayers,
          new LayerNorm(this.dModel, { eps, bias: cfg.bias }),
        );
    } catch (error) {
      const encoder = (this as { encoder?: Module }).encoder;
      if (encoder !== undefined && encoder !== a.customEncoder) encoder.dispose();
      throw error;
    } finally {
      for (const m of built) m.dispose();
    }
  }

  /**
   * forward(src, tgt, srcMask?, tgtMask?, memoryMask?, srcKeyPaddingMask?, tgtKeyPaddingMask?,
   * memoryKeyPaddingMask?, srcIsCausal?, tgtIsCausal?, memoryIsCausal?).
   */
  forward(src: Tensor, tgt: Tensor, ...rest: unknown[]): Tensor {
    const a = keywordArgs("Transformer", rest, [
      "srcMask",
      "tgtMask",
      "memoryMask",
      "srcKeyPaddingMask",
      "tgtKeyPaddingMask",
      "memoryKeyPaddingMask",
      "srcIsCausal",
      "tgtIsCausal",
      "memoryIsCausal",
    ]);
    const memory = this.encoder.forward(src, {
      mask: a.srcMask,
      srcKeyPaddingMask: a.srcKeyPaddingMask,
      isCausal: a.srcIsCausal,
    });
    return this.decoder.forward(tgt, memory, {
      tgtMask: a.tgtMask,
      memoryMask: a.memoryMask,
      tgtKeyPaddingMask: a.tgtKeyPaddingMask,
      memoryKeyPaddingMask: a.memoryKeyPaddingMask,
      tgtIsCausal: a.tgtIsCausal,
      memoryIsCausal: a.memoryIsCausal,
    });
  }

  /** A [sz, sz] float mask, -inf above the diagonal (PyTorch's generate_square_subsequent_mask). */
  static generateSquareSubsequentMask(sz: number): Tensor {
    return causalMask(sz);
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [Transformer, TransformerDecoder, TransformerEncoder])
  graphScopedForward(layer);
