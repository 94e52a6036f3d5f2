/**
 * TransformerEncoderLayer and TransformerDecoderLayer, as torch.nn's (the stacks and
 * Transformer are in transformer.ts): the same submodule names (self_attn, linear1, dropout, linear2,
 * norm1..3, dropout1..3, multihead_attn, layers.N, norm), so state dicts move both ways, the
 * post-norm (default) and pre-norm (normFirst) residual orders, and PyTorch's positional
 * forward arguments (or a trailing options object). The self-attention blocks run on the fused
 * scaledDotProductAttention kernel (needWeights false, as PyTorch's layers ask).
 */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import { add } from "../ops/binary.js";
import { gelu } from "../ops/gelu.js";
import { relu } from "../ops/unary.js";
import type { Tensor } from "../tensor.js";
import {
  boolOr,
  describe,
  hoist,
  intOr,
  keywordArgs,
  numOr,
  optionalTensorArg,
  tensorArg,
} from "../validate.js";
import { MultiheadAttention } from "./attention.js";
import { Dropout } from "./conv.js";
import { Linear } from "./layers.js";
import { Module } from "./module.js";
import { LayerNorm } from "./normalization.js";

/**
 * An activation given by name or as a function of a tensor, for the Transformer layers.
 */
export type Activation = "relu" | "gelu" | ((x: Tensor) => Tensor) | Module;

export interface LayerConfig {
  dimFeedforward: number;
  dropout: number;
  activation: Activation;
  layerNormEps: number;
  batchFirst: boolean;
  normFirst: boolean;
  bias: boolean;
}

export const layerKeys = [
  "dimFeedforward",
  "dropout",
  "activation",
  "layerNormEps",
  "batchFirst",
  "normFirst",
  "bias",
];

export function layerConfig(op: string, rest: unknown[]): LayerConfig {
  const a = keywordArgs(op, rest, layerKeys);
  const act = a.activation ?? "relu";
  if (!(act === "relu" || act === "gelu" || typeof act === "function" || act instanceof Module)) {
    throw new WasmgradError(
      `${op}: activation must be "relu", "gelu", a function or a Module but got ${describe(act)}`,
    );
  }
  return {
    dimFeedforward: intOr(op, "dimFeedforward", a.dimFeedforward, 1, 2048),
    dropout: numOr(op, "dropout", a.dropout, 0.1),
    activation: act as Activation,
    layerNormEps: numOr(op, "layerNormEps", a.layerNormEps, 1e-5),
    batchFirst: boolOr(op, "batchFirst", a.batchFirst, false),
    normFirst: boolOr(op, "normFirst", a.normFirst, false),
    bias: boolOr(op, "bias", a.bias, true),
  };
}

/** The feed-forward block and its activation, shared by both layer kinds. */
abstract class FeedForwardLayer extends Module<[Tensor, ...unknown[]], Tensor> {
  /** The feedforward block's first Linear, dModel to dimFeedforward. */
  declare linear1: Linear;
  /** The dropout after the feedforward activation. */
  declare dropout: Dropout;
  /** The feedforward block's second Linear, dimFeedforward to dModel. */
  declare linear2: Linear;
  /**
   * Whether LayerNorm comes before each block (pre-norm) rather than after the residual (PyTorch's
   * `norm_first`).
   */
  declare readonly normFirst: boolean;
  /** The activation when it is not a module (a module is the child "activation"). */
  declare private readonly actFn: ((x: Tensor) => Tensor) | null;

  protected constructor(cfg: LayerConfig) {
    super();
    const a = cfg.activation;
    this.actFn =
      a instanceof Module ? null : a === "relu" ? relu : a === "gelu" ? (x) => gelu(x) : a;
  }

  /** Looked up on each call, so a deep copy uses its own copy of an activation module. */
  private act(x: Tensor): Tensor {
    if (this.actFn !== null) return this.actFn(x);
    return (this as unknown as { activation: Module }).activation.forward(x);
  }

  /** Registers the activation as a child when it is a module (PyTorch shows it as "activation"). */
  protected registerActivation(cfg: LayerConfig): void {
    if (cfg.activation instanceof Module)
      this.addModule("activation", cfg.activation as Module<never[], unknown>);
  }

  /** The feedforward block: linear2(dropout(activation(linear1(x)))), then `drop`. */
  protected ff(x: Tensor, drop: Dropout): Tensor {
    return drop.forward(
      this.linear2.forward(this.dropout.forward(this.act(this.linear1.forward(x)))),
    );
  }
}

/**
 * Self-attention and a feedforward block, each with a residual connection and LayerNorm (post-norm,
 * or pre-norm with `normFirst`).
 *
 * PyTorch: `torch.nn.TransformerEncoderLayer`.
 *
 * @example
 * ```ts
 * new wg.nn.TransformerEncoderLayer(16, 4, { batchFirst: true }).forward(wg.randn(2, 5, 16)).shape; // [2, 5, 16]
 * ```
 */
export class TransformerEncoderLayer extends FeedForwardLayer {
  /** The self-attention block. */
  declare self_attn: MultiheadAttention;
  /** The LayerNorm of the self-attention block. */
  declare norm1: LayerNorm;
  /** The LayerNorm of the feedforward block. */
  declare norm2: LayerNorm;
  /** The dropout on the self-attention block's output. */
  declare dropout1: Dropout;
  /** The dropout on the feedforward block's output. */
  declare dropout2: Dropout;

  constructor(
    /** The model's features (PyTorch's `d_model`). */
    readonly dModel: number,
    /** The number of attention heads. */
    readonly nhead: number,
    ...rest: unknown[]
  ) {
    [dModel, nhead, ...rest] = hoist(
      "TransformerEncoderLayer",
      [dModel, nhead, ...rest],
      ["dModel", "nhead"],
    ) as [number, number, ...typeof rest];
    const cfg = layerConfig("TransformerEncoderLayer", rest);
    super(cfg);
    const { dropout: p, bias, batchFirst, layerNormEps: eps } = cfg;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst });
    this.linear1 = new Linear(dModel, cfg.dimFeedforward, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(cfg.dimFeedforward, dModel, { bias });
    (this as { normFirst: boolean }).normFirst = cfg.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps, bias });
    this.norm2 = new LayerNorm(dModel, { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.registerActivation(cfg);
  }

  /** forward(src, srcMask?, srcKeyPaddingMask?, isCausal = false). */
  forward(src: Tensor, ...rest: unknown[]): Tensor {
    tensorArg("TransformerEncoderLayer", "src", src);
    const op = "TransformerEncoderLayer";
    const a = keywordArgs(op, rest, ["srcMask", "srcKeyPaddingMask", "isCausal"]);
    const mask = optionalTensorArg(op, "srcMask", a.srcMask);
    const kpm = optionalTensorArg(op, "srcKeyPaddingMask", a.srcKeyPaddingMask);
    const isCausal = boolOr(op, "isCausal", a.isCausal, false);
    const sa = (x: Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: mask,
          keyPaddingMask: kpm,
          needWeights: false,
          isCausal,
        })[0],
      );
    let x = src;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.forward(x)));
      x = add(x, this.ff(this.norm2.forward(x), this.dropout2));
    } else {
      x = this.norm1.forward(add(x, sa(x)));
      x = this.norm2.forward(add(x, this.ff(x, this.dropout2)));
    }
    return x;
  }
}

/**
 * Self-attention, cross-attention over the encoder's memory, and a feedforward block, each with a
 * residual connection and LayerNorm (post-norm, or pre-norm with `normFirst`).
 *
 * PyTorch: `torch.nn.TransformerDecoderLayer`.
 *
 * @example
 * ```ts
 * new wg.nn.TransformerDecoderLayer(16, 4, { batchFirst: true }).forward(wg.randn(2, 3, 16), wg.randn(2, 5, 16)).shape; // [2, 3, 16]
 * ```
 */
export class TransformerDecoderLayer extends FeedForwardLayer {
  /** The self-attention block (over the target). */
  declare self_attn: MultiheadAttention;
  /** The cross-attention block (target queries over the memory). */
  declare multihead_attn: MultiheadAttention;
  /** The LayerNorm of the self-attention block. */
  declare norm1: LayerNorm;
  /** The LayerNorm of the cross-attention block. */
  declare norm2: LayerNorm;
  /** The LayerNorm of the feedforward block. */
  declare norm3: LayerNorm;
  /** The dropout on the self-attention block's output. */
  declare dropout1: Dropout;
  /** The dropout on the cross-attention block's output. */
  declare dropout2: Dropout;
  /** The dropout on the feedforward block's output. */
  declare dropout3: Dropout;

  constructor(
    /** The model's features (PyTorch's `d_model`). */
    readonly dModel: number,
    /** The number of attention heads. */
    readonly nhead: number,
    ...rest: unknown[]
  ) {
    [dModel, nhead, ...rest] = hoist(
      "TransformerDecoderLayer",
      [dModel, nhead, ...rest],
      ["dModel", "nhead"],
    ) as [number, number, ...typeof rest];
    const cfg = layerConfig("TransformerDecoderLayer", rest);
    super(cfg);
    const { dropout: p, bias, batchFirst, layerNormEps: eps } = cfg;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst });
    this.linear1 = new Linear(dModel, cfg.dimFeedforward, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(cfg.dimFeedforward, dModel, { bias });
    (this as { normFirst: boolean }).normFirst = cfg.normFirst;
    this.norm1 = new LayerNorm(dModel, { eps, bias });
    this.norm2 = new LayerNorm(dModel, { eps, bias });
    this.norm3 = new LayerNorm(dModel, { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.registerActivation(cfg);
  }

  /**
   * forward(tgt, memory, tgtMask?, memoryMask?, tgtKeyPaddingMask?, memoryKeyPaddingMask?,
   * tgtIsCausal = false, memoryIsCausal = false).
   */
  forward(tgt: Tensor, ...args: unknown[]): Tensor {
    const op = "TransformerDecoderLayer";
    const [memory, ...rest] = args as [Tensor, ...unknown[]];
    tensorArg(op, "tgt", tgt);
    tensorArg(op, "memory", memory);
    const a = keywordArgs(op, rest, decoderKeys);
    const m = decoderMasks(op, a);
    const sa = (x: Tensor) =>
      this.dropout1.forward(
        this.self_attn.forward(x, x, x, {
          attnMask: m.tgtMask,
          keyPaddingMask: m.tgtKpm,
          needWeights: false,
          isCausal: m.tgtIsCausal,
        })[0],
      );
    const ca = (x: Tensor) =>
      this.dropout2.forward(
        this.multihead_attn.forward(x, memory, memory, {
          attnMask: m.memoryMask,
          keyPaddingMask: m.memoryKpm,
          needWeights: false,
          isCausal: m.memoryIsCausal,
        })[0],
      );
    let x = tgt;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.forward(x)));
      x = add(x, ca(this.norm2.forward(x)));
      x = add(x, this.ff(this.norm3.forward(x), this.dropout3));
    } else {
      x = this.norm1.forward(add(x, sa(x)));
      x = this.norm2.forward(add(x, ca(x)));
      x = this.norm3.forward(add(x, this.ff(x, this.dropout3)));
    }
    return x;
  }
}

export const decoderKeys = [
  "tgtMask",
  "memoryMask",
  "tgtKeyPaddingMask",
  "memoryKeyPaddingMask",
  "tgtIsCausal",
  "memoryIsCausal",
];

function decoderMasks(op: string, a: Record<string, unknown>) {
  return {
    tgtMask: optionalTensorArg(op, "tgtMask", a.tgtMask),
    memoryMask: optionalTensorArg(op, "memoryMask", a.memoryMask),
    tgtKpm: optionalTensorArg(op, "tgtKeyPaddingMask", a.tgtKeyPaddingMask),
    memoryKpm: optionalTensorArg(op, "memoryKeyPaddingMask", a.memoryKeyPaddingMask),
    tgtIsCausal: boolOr(op, "tgtIsCausal", a.tgtIsCausal, false),
    memoryIsCausal: boolOr(op, "memoryIsCausal", a.memoryIsCausal, false),
  };
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [TransformerDecoderLayer, TransformerEncoderLayer]) graphScopedForward(layer);
