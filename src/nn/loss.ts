/**
 * Loss modules, as torch.nn: each holds its options and calls the functional loss in forward.
 * Constructor arguments in PyTorch's order (deprecated sizeAverage/reduce included, mapped to
 * `reduction` as PyTorch does) or in a trailing options object. Class weights are buffers named
 * `weight` and `pos_weight`, so they appear in the state dict as in PyTorch.
 */
import { graphScopedForward } from "../autograd/owned.js";
import { type CTCLengths, type CTCLossOptions, type CTCTargets, ctcLoss } from "../ops/ctc.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type ClassTargets,
  crossEntropy,
  mseLoss,
  nllLoss,
  type Reduction,
} from "../ops/loss.js";
import {
  cosineEmbeddingLoss,
  huberLoss,
  klDiv,
  l1Loss,
  marginRankingLoss,
  reductionOf,
  smoothL1Loss,
  tripletMarginLoss,
} from "../ops/loss2.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, int, num, oneOf, optionalTensorArg } from "../validate.js";
import { buffer, Module } from "./module.js";

type R = Reduction;
interface Legacy {
  sizeAverage?: boolean | null;
  reduce?: boolean | null;
  reduction?: R;
}
type LegacyArgs = [sizeAverage: boolean | null, reduce: boolean | null, reduction: R];
const LEGACY = ["sizeAverage", "reduce", "reduction"] as const;

function weightOf(op: string, name: string, v: unknown): Tensor | null {
  const t = optionalTensorArg(op, name, v);
  return t === null ? null : buffer(t);
}

/**
 * The module form of F.l1Loss, mean absolute error.
 *
 * PyTorch: `torch.nn.L1Loss`.
 *
 * @example
 * ```ts
 * new wg.nn.L1Loss().forward(wg.tensor([1, 2]), wg.tensor([2, 4])); // 1.5
 * ```
 */
export class L1Loss extends Module<[Tensor, Tensor]> {
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(...rest: Args<LegacyArgs, Legacy>) {
    super();
    this.reduction = reductionOf("L1Loss", args("L1Loss", rest, LEGACY)) as R;
  }
  /** The mean (or sum) of |input - target|. */
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/**
 * The module form of F.mseLoss, mean squared error.
 *
 * PyTorch: `torch.nn.MSELoss`.
 *
 * @example
 * ```ts
 * new wg.nn.MSELoss().forward(wg.tensor([1, 2]), wg.tensor([2, 4])); // 2.5
 * ```
 */
export class MSELoss extends Module<[Tensor, Tensor]> {
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(...rest: Args<LegacyArgs, Legacy>) {
    super();
    this.reduction = reductionOf("MSELoss", args("MSELoss", rest, LEGACY)) as R;
  }
  /** The mean (or sum) of (input - target)². */
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

interface WeightedLegacy extends Legacy {
  weight?: Tensor | null;
  ignoreIndex?: number;
}

/**
 * The module form of F.nllLoss, on log-probabilities.
 *
 * PyTorch: `torch.nn.NLLLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.NLLLoss().forward(wg.logSoftmax(wg.tensor([[2, 0]]), 1), new Int32Array([0])); // 0.1269
 * ```
 */
export class NLLLoss extends Module<[Tensor, ClassTargets]> {
  /** Per-class weights [C], a buffer (null: all 1). */
  weight: Tensor | null;
  /** Targets equal to it add no loss and no gradient (default -100; PyTorch's `ignore_index`). */
  readonly ignoreIndex: number;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(
    ...rest: Args<
      [
        weight: Tensor | null,
        sizeAverage: boolean | null,
        ignoreIndex: number,
        reduce: boolean | null,
        reduction: R,
      ],
      WeightedLegacy
    >
  ) {
    super();
    const op = "NLLLoss";
    const a = args(op, rest, ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"]);
    this.reduction = reductionOf(op, a) as R;
    this.ignoreIndex = a.ignoreIndex === undefined ? -100 : int(op, "ignoreIndex", a.ignoreIndex);
    this.weight = weightOf(op, "weight", a.weight);
  }
  /**
   * The negative log-likelihood of the class indices `target` ([N] int32) under the
   * log-probabilities `input` ([N, C]).
   */
  forward(input: Tensor, target: ClassTargets): Tensor {
    const { weight, ignoreIndex, reduction } = this;
    return nllLoss(input, target, { weight, ignoreIndex, reduction });
  }
}

/**
 * The module form of F.crossEntropy: logits against class indices (or class probabilities), with
 * optional class weights, ignoreIndex and label smoothing.
 *
 * PyTorch: `torch.nn.CrossEntropyLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.CrossEntropyLoss().forward(wg.tensor([[2, 0], [0, 2]]), new Int32Array([0, 1])); // 0.1269
 * ```
 */
export class CrossEntropyLoss extends Module<[Tensor, ClassTargets]> {
  /** Per-class weights [C], a buffer (null: all 1). */
  weight: Tensor | null;
  /** Targets equal to it add no loss and no gradient (default -100; PyTorch's `ignore_index`). */
  readonly ignoreIndex: number;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  /**
   * Mixes the target with the uniform distribution: (1 - s) onehot + s / C (default 0; PyTorch's
   * `label_smoothing`).
   */
  readonly labelSmoothing: number;
  constructor(
    ...rest: Args<
      [
        weight: Tensor | null,
        sizeAverage: boolean | null,
        ignoreIndex: number,
        reduce: boolean | null,
        reduction: R,
        labelSmoothing: number,
      ],
      WeightedLegacy & { labelSmoothing?: number }
    >
  ) {
    super();
    const op = "CrossEntropyLoss";
    const names = ["weight", "sizeAverage", "ignoreIndex", "reduce", "reduction"] as const;
    const a = args(op, rest, [...names, "labelSmoothing"]);
    this.reduction = reductionOf(op, a) as R;
    this.ignoreIndex = a.ignoreIndex === undefined ? -100 : int(op, "ignoreIndex", a.ignoreIndex);
    this.labelSmoothing =
      a.labelSmoothing === undefined
        ? 0
        : num(op, "labelSmoothing", a.labelSmoothing, { min: 0, max: 1 });
    this.weight = weightOf(op, "weight", a.weight);
  }
  /**
   * The cross entropy of the logits `input` ([N, C]) against class indices ([N] int32) or class
   * probabilities ([N, C]).
   */
  forward(input: Tensor, target: ClassTargets): Tensor {
    const { weight, ignoreIndex, reduction, labelSmoothing } = this;
    // crossEntropy refuses ignoreIndex with probability targets; pass it only when it matters.
    const opts =
      ignoreIndex === -100
        ? { weight, reduction, labelSmoothing }
        : { weight, ignoreIndex, reduction, labelSmoothing };
    return crossEntropy(input, target, opts);
  }
}

/**
 * The module form of F.binaryCrossEntropy, on probabilities.
 *
 * PyTorch: `torch.nn.BCELoss`.
 *
 * @example
 * ```ts
 * new wg.nn.BCELoss().forward(wg.tensor([0.9, 0.2]), wg.tensor([1, 0])); // 0.1643
 * ```
 */
export class BCELoss extends Module<[Tensor, Tensor]> {
  /** Per-element weights broadcast to the input's shape, a buffer (null: all 1). */
  weight: Tensor | null;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(
    ...rest: Args<
      [weight: Tensor | null, ...legacy: LegacyArgs],
      Legacy & { weight?: Tensor | null }
    >
  ) {
    super();
    const a = args("BCELoss", rest, ["weight", ...LEGACY]);
    this.reduction = reductionOf("BCELoss", a) as R;
    this.weight = weightOf("BCELoss", "weight", a.weight);
  }
  /** The binary cross entropy of probabilities `input` against targets in [0, 1]. */
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/**
 * The module form of F.binaryCrossEntropyWithLogits, on logits (sigmoid fused in, stably).
 *
 * PyTorch: `torch.nn.BCEWithLogitsLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.BCEWithLogitsLoss().forward(wg.tensor([2, -1]), wg.tensor([1, 0])); // 0.2201
 * ```
 */
export class BCEWithLogitsLoss extends Module<[Tensor, Tensor]> {
  /** Per-element weights broadcast to the input's shape, a buffer (null: all 1). */
  weight: Tensor | null;
  /**
   * Weight of the positive term, broadcast to the input's shape, a buffer (null: 1; PyTorch's
   * `pos_weight`).
   */
  pos_weight: Tensor | null;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(
    ...rest: Args<
      [weight: Tensor | null, ...legacy: LegacyArgs, posWeight: Tensor | null],
      Legacy & { weight?: Tensor | null; posWeight?: Tensor | null }
    >
  ) {
    super();
    const op = "BCEWithLogitsLoss";
    const a = args(op, rest, ["weight", ...LEGACY, "posWeight"]);
    this.reduction = reductionOf(op, a) as R;
    this.weight = weightOf(op, "weight", a.weight);
    this.pos_weight = weightOf(op, "posWeight", a.posWeight);
  }
  /**
   * The binary cross entropy of sigmoid(input) against targets in [0, 1], computed stably from the
   * logits.
   */
  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, reduction } = this;
    return binaryCrossEntropyWithLogits(input, target, {
      weight,
      posWeight: this.pos_weight,
      reduction,
    });
  }
}

/**
 * The module form of F.smoothL1Loss.
 *
 * PyTorch: `torch.nn.SmoothL1Loss`.
 *
 * @example
 * ```ts
 * new wg.nn.SmoothL1Loss().forward(wg.tensor([0, 3]), wg.tensor([0.5, 0])); // 1.3125
 * ```
 */
export class SmoothL1Loss extends Module<[Tensor, Tensor]> {
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  /** Where the loss changes from quadratic to linear (default 1). */
  readonly beta: number;
  constructor(...rest: Args<[...legacy: LegacyArgs, beta: number], Legacy & { beta?: number }>) {
    super();
    const op = "SmoothL1Loss";
    const a = args(op, rest, [...LEGACY, "beta"]);
    this.reduction = reductionOf(op, a) as R;
    this.beta = a.beta === undefined ? 1 : num(op, "beta", a.beta, { min: 0, finite: true });
  }
  /**
   * The mean (or sum) of 0.5 d² / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input -
   * target).
   */
  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/**
 * The module form of F.huberLoss.
 *
 * PyTorch: `torch.nn.HuberLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.HuberLoss().forward(wg.tensor([0, 3]), wg.tensor([0.5, 0])); // 1.3125
 * ```
 */
export class HuberLoss extends Module<[Tensor, Tensor]> {
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  /** Where the loss changes from quadratic to linear (default 1). */
  readonly delta: number;
  constructor(...rest: Args<[reduction: R, delta: number], { reduction?: R; delta?: number }>) {
    super();
    const a = args("HuberLoss", rest, ["reduction", "delta"]);
    this.reduction = reductionOf("HuberLoss", a) as R;
    this.delta =
      a.delta === undefined ? 1 : num("HuberLoss", "delta", a.delta, { gt: 0, finite: true });
  }
  /**
   * The mean (or sum) of 0.5 d² where |d| < delta, delta (|d| - 0.5 delta) elsewhere (d = input -
   * target).
   */
  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

type KLReduction = R | "batchmean";

/**
 * The module form of F.klDiv: log-probabilities against probabilities (or log-probabilities with
 * `logTarget`).
 *
 * PyTorch: `torch.nn.KLDivLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.KLDivLoss({ reduction: "batchmean" }).forward(wg.logSoftmax(wg.randn(2, 3), 1), wg.softmax(wg.randn(2, 3), 1));
 * ```
 */
export class KLDivLoss extends Module<[Tensor, Tensor]> {
  /** "mean" (default), "batchmean", "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: KLReduction;
  /** Whether the target is given as log-probabilities (PyTorch's `log_target`). */
  readonly logTarget: boolean;
  constructor(
    ...rest: Args<
      [
        sizeAverage: boolean | null,
        reduce: boolean | null,
        reduction: KLReduction,
        logTarget: boolean,
      ],
      {
        sizeAverage?: boolean | null;
        reduce?: boolean | null;
        reduction?: KLReduction;
        logTarget?: boolean;
      }
    >
  ) {
    super();
    const op = "KLDivLoss";
    const a = args(op, rest, [...LEGACY, "logTarget"]);
    this.reduction = reductionOf(op, a, ["mean", "sum", "none", "batchmean"]) as KLReduction;
    this.logTarget = a.logTarget === undefined ? false : bool(op, "logTarget", a.logTarget);
  }
  /** The KL divergence of the distribution `target` from the log-probabilities `input`. */
  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

type MarginArgs = [margin: number, ...legacy: LegacyArgs];

/**
 * The module form of F.cosineEmbeddingLoss.
 *
 * PyTorch: `torch.nn.CosineEmbeddingLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.CosineEmbeddingLoss({ margin: 0.5 }).forward(wg.randn(4, 8), wg.randn(4, 8), wg.tensor([1, -1, 1, -1]));
 * ```
 */
export class CosineEmbeddingLoss extends Module<[Tensor, Tensor, Tensor]> {
  /** The margin for dissimilar pairs (default 0). */
  readonly margin: number;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(...rest: Args<MarginArgs, Legacy & { margin?: number }>) {
    super();
    const op = "CosineEmbeddingLoss";
    const a = args(op, rest, ["margin", ...LEGACY]);
    this.reduction = reductionOf(op, a) as R;
    this.margin = a.margin === undefined ? 0 : num(op, "margin", a.margin);
  }
  /**
   * 1 - cos(input1, input2) where target is 1, max(0, cos(input1, input2) - margin) where it is -1.
   */
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return cosineEmbeddingLoss(input1, input2, target, {
      margin: this.margin,
      reduction: this.reduction,
    });
  }
}

/**
 * The module form of F.marginRankingLoss.
 *
 * PyTorch: `torch.nn.MarginRankingLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.MarginRankingLoss().forward(wg.tensor([1, 2]), wg.tensor([2, 1]), wg.tensor([1, 1])); // 0.5
 * ```
 */
export class MarginRankingLoss extends Module<[Tensor, Tensor, Tensor]> {
  /** The margin (default 0). */
  readonly margin: number;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(...rest: Args<MarginArgs, Legacy & { margin?: number }>) {
    super();
    const op = "MarginRankingLoss";
    const a = args(op, rest, ["margin", ...LEGACY]);
    this.reduction = reductionOf(op, a) as R;
    this.margin = a.margin === undefined ? 0 : num(op, "margin", a.margin);
  }
  /** max(0, -target (input1 - input2) + margin): target 1 asks input1 to rank higher, -1 lower. */
  forward(input1: Tensor, input2: Tensor, target: Tensor): Tensor {
    return marginRankingLoss(input1, input2, target, {
      margin: this.margin,
      reduction: this.reduction,
    });
  }
}

/**
 * The module form of F.tripletMarginLoss.
 *
 * PyTorch: `torch.nn.TripletMarginLoss`.
 *
 * @example
 * ```ts
 * new wg.nn.TripletMarginLoss({ margin: 1 }).forward(wg.randn(4, 8), wg.randn(4, 8), wg.randn(4, 8));
 * ```
 */
export class TripletMarginLoss extends Module<[Tensor, Tensor, Tensor]> {
  /** The margin (default 1). */
  readonly margin: number;
  /** The norm degree of the distance (default 2). */
  readonly p: number;
  /** Added to the differences before the norm, for stability (default 1e-6). */
  readonly eps: number;
  /** Whether the distance swap is used (default false). */
  readonly swap: boolean;
  /** "mean" (default), "sum" or "none": how the per-element losses are reduced. */
  readonly reduction: R;
  constructor(
    ...rest: Args<
      [margin: number, p: number, eps: number, swap: boolean, ...legacy: LegacyArgs],
      Legacy & { margin?: number; p?: number; eps?: number; swap?: boolean }
    >
  ) {
    super();
    const op = "TripletMarginLoss";
    const a = args(op, rest, ["margin", "p", "eps", "swap", ...LEGACY]);
    this.reduction = reductionOf(op, a) as R;
    this.margin = a.margin === undefined ? 1 : num(op, "margin", a.margin);
    this.p = a.p === undefined ? 2 : num(op, "p", a.p, { gt: 0, finite: true });
    this.eps = a.eps === undefined ? 1e-6 : num(op, "eps", a.eps);
    this.swap = a.swap === undefined ? false : bool(op, "swap", a.swap);
  }
  /** max(d(anchor, positive) - d(anchor, negative) + margin, 0), d the p-norm distance. */
  forward(anchor: Tensor, positive: Tensor, negative: Tensor): Tensor {
    const { margin, p, eps, swap, reduction } = this;
    return tripletMarginLoss(anchor, positive, negative, { margin, p, eps, swap, reduction });
  }
}

/**
 * The module form of F.ctcLoss: log-probabilities [T, N, C] against target sequences, with the
 * blank label, reduction and zeroInfinity.
 *
 * PyTorch: `torch.nn.CTCLoss`.
 *
 * @example
 * ```ts
 * const ctc = new wg.nn.CTCLoss({ blank: 0, zeroInfinity: true });
 * ctc.forward(wg.logSoftmax(wg.randn([5, 1, 3]), 2), [[1, 2]], [5], [2]).shape; // []
 * ```
 */
export class CTCLoss extends Module<[Tensor, CTCTargets, CTCLengths, CTCLengths]> {
  /** The blank label's class index (default 0). */
  readonly blank: number;
  /** "mean" (default: each loss over its target length, then the batch mean), "sum" or "none". */
  readonly reduction: R;
  /** Whether infinite losses (inputs too short for their targets) and their gradients become 0. */
  readonly zeroInfinity: boolean;
  constructor(...rest: Args<[blank: number, reduction: R, zeroInfinity: boolean], CTCLossOptions>) {
    super();
    const op = "CTCLoss";
    const a = args(op, rest, ["blank", "reduction", "zeroInfinity"]);
    this.blank = a.blank === undefined ? 0 : int(op, "blank", a.blank, 0);
    this.reduction =
      a.reduction === undefined
        ? "mean"
        : oneOf(op, "reduction", a.reduction, ["mean", "sum", "none"] as const);
    this.zeroInfinity =
      a.zeroInfinity === undefined ? false : bool(op, "zeroInfinity", a.zeroInfinity);
  }
  forward(
    logProbs: Tensor,
    targets: CTCTargets,
    inputLengths: CTCLengths,
    targetLengths: CTCLengths,
  ): Tensor {
    const { blank, reduction, zeroInfinity } = this;
    return ctcLoss(logProbs, targets, inputLengths, targetLengths, {
      blank,
      reduction,
      zeroInfinity,
    });
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [
  BCELoss,
  BCEWithLogitsLoss,
  CTCLoss,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MSELoss,
  MarginRankingLoss,
  NLLLoss,
  SmoothL1Loss,
  TripletMarginLoss,
])
  graphScopedForward(layer);
