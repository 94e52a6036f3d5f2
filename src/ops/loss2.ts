/**
 * The losses added in issue 12, as torch.nn.functional: l1Loss, smoothL1Loss, huberLoss, klDiv,
 * cosineEmbeddingLoss, marginRankingLoss, tripletMarginLoss. Each is composed from
 * differentiable primitives (abs, clamp, log, sum, ...), which gives the gradients for every
 * tensor argument PyTorch differentiates; the piecewise ones use clamp instead of a branch:
 * with a = |x - y| and m = min(a, beta), smooth L1 = m (a - m / 2) / beta, which is a^2 / 2beta
 * below beta and a - beta / 2 above it, and its gradient is the same piecewise function's.
 *
 * Arguments in PyTorch's order, or in a trailing options object. PyTorch's deprecated
 * sizeAverage/reduce pair is accepted and mapped to `reduction` as PyTorch does.
 */
import { needsGradAny } from "../autograd/engine.js";
import { tidy } from "../memory.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, fail, num, oneOf, tensorArg } from "../validate.js";
import { add, div, minimum as minimumOf, mul, sub } from "./binary.js";
import { tensor } from "./creation.js";
import { mean, sum } from "./reduce.js";
import { abs, clamp, exp, log, neg, pow, sqrt } from "./unary.js";

export type Reduction2 = "mean" | "sum" | "none";
const REDUCTIONS = ["mean", "sum", "none"] as const;

/** PyTorch's _Reduction.legacy_get_string, then `reduction` itself. */
export function reductionOf(
  op: string,
  a: { sizeAverage?: unknown; reduce?: unknown; reduction?: unknown },
  choices: readonly string[] = REDUCTIONS,
): string {
  const legacy = (v: unknown, name: string): boolean | null =>
    v === undefined || v === null ? null : bool(op, name, v);
  const sizeAverage = legacy(a.sizeAverage, "sizeAverage");
  const reduce = legacy(a.reduce, "reduce");
  if (sizeAverage !== null || reduce !== null) {
    if (reduce === false) return "none";
    return sizeAverage === false ? "sum" : "mean";
  }
  return a.reduction === undefined ? "mean" : oneOf(op, "reduction", a.reduction, choices);
}

function reduceLoss(loss: Tensor, reduction: string): Tensor {
  if (reduction === "none") return loss;
  return reduction === "sum" ? sum(loss) : mean(loss);
}

/** Runs a composed loss: under tidy when nothing needs a gradient, so no temporary survives. */
function compose(inputs: Tensor[], body: () => Tensor): Tensor {
  return needsGradAny(inputs) ? body() : tidy(body);
}

/**
 * The reduction options of the losses that keep PyTorch's deprecated `size_average` and `reduce`.
 */
export interface ReductionOptions {
  /**
   * Deprecated (PyTorch's `size_average`): false sums instead of averaging; overrides `reduction`
   * when set (default null).
   */
  sizeAverage?: boolean | null;
  /**
   * Deprecated (PyTorch's `reduce`): false returns the per-element losses; overrides `reduction`
   * when set (default null).
   */
  reduce?: boolean | null;
  /** "mean" (default), "sum", or "none" (the per-element losses). */
  reduction?: Reduction2;
}

type Legacy = [sizeAverage: boolean | null, reduce: boolean | null, reduction: Reduction2];
const LEGACY = ["sizeAverage", "reduce", "reduction"] as const;

/**
 * Mean absolute error: reduce(|input - target|).
 *
 * PyTorch: `torch.nn.functional.l1_loss`.
 *
 * @example
 * ```ts
 * wg.F.l1Loss(wg.tensor([1, 2]), wg.tensor([2, 4])); // 1.5
 * ```
 */
export function l1Loss(
  input: Tensor,
  target: Tensor,
  ...rest: Args<Legacy, ReductionOptions>
): Tensor {
  const op = "l1Loss";
  const x = tensorArg(op, "input", input);
  const y = tensorArg(op, "target", target);
  const reduction = reductionOf(op, args(op, rest, LEGACY));
  return compose([x, y], () => reduceLoss(abs(sub(x, y)), reduction));
}

/** Options of `F.smoothL1Loss`. */
export interface SmoothL1Options extends ReductionOptions {
  /** Where the loss changes from quadratic to linear (default 1). */
  beta?: number;
}

/**
 * Quadratic below beta, linear above: 0.5 d^2 / beta or |d| - beta / 2 (beta = 0: L1).
 *
 * PyTorch: `torch.nn.functional.smooth_l1_loss`.
 *
 * @example
 * ```ts
 * wg.F.smoothL1Loss(wg.tensor([0, 3]), wg.tensor([0.5, 0])); // 1.3125
 * ```
 */
export function smoothL1Loss(
  input: Tensor,
  target: Tensor,
  ...rest: Args<[...legacy: Legacy, beta: number], SmoothL1Options>
): Tensor {
  const op = "smoothL1Loss";
  const x = tensorArg(op, "input", input);
  const y = tensorArg(op, "target", target);
  const a = args(op, rest, [...LEGACY, "beta"]);
  const reduction = reductionOf(op, a);
  const beta = a.beta === undefined ? 1 : num(op, "beta", a.beta, { min: 0, finite: true });
  return compose([x, y], () => {
    const d = abs(sub(x, y));
    if (beta === 0) return reduceLoss(d, reduction);
    const m = clamp(d, null, beta);
    return reduceLoss(div(mul(m, sub(d, mul(m, 0.5))), beta), reduction);
  });
}

/** Options of `F.huberLoss`. */
export interface HuberOptions {
  /** "mean" (default), "sum", or "none" (the per-element losses). */
  reduction?: Reduction2;
  /** Where the loss changes from quadratic to linear (default 1). */
  delta?: number;
}

/**
 * 0.5 d^2 below delta, delta (|d| - delta / 2) above (= delta * smoothL1Loss with beta delta).
 *
 * PyTorch: `torch.nn.functional.huber_loss`.
 *
 * @example
 * ```ts
 * wg.F.huberLoss(wg.tensor([0, 3]), wg.tensor([0.5, 0])); // 1.3125
 * ```
 */
export function huberLoss(
  input: Tensor,
  target: Tensor,
  ...rest: Args<[reduction: Reduction2, delta: number], HuberOptions>
): Tensor {
  const op = "huberLoss";
  const x = tensorArg(op, "input", input);
  const y = tensorArg(op, "target", target);
  const a = args(op, rest, ["reduction", "delta"]);
  const reduction = reductionOf(op, a);
  const delta = a.delta === undefined ? 1 : num(op, "delta", a.delta, { gt: 0, finite: true });
  return compose([x, y], () => {
    const d = abs(sub(x, y));
    const m = clamp(d, null, delta);
    return reduceLoss(mul(m, sub(d, mul(m, 0.5))), reduction);
  });
}

/** Options of `F.klDiv`. */
export interface KLDivOptions {
  /** Deprecated (PyTorch's `size_average`): false sums instead of averaging (default null). */
  sizeAverage?: boolean | null;
  /** Deprecated (PyTorch's `reduce`): false returns the per-element losses (default null). */
  reduce?: boolean | null;
  /**
   * "mean" (default; averages over every element), "batchmean" (divides the sum by the batch size,
   * the true KL divergence), "sum" or "none".
   */
  reduction?: Reduction2 | "batchmean";
  /** The target is given as log-probabilities (default false; PyTorch's `log_target`). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence of log-probabilities `input` from `target`: pointwise
 * target (log target - input), or exp(target) (target - input) with logTarget. A zero target
 * contributes 0 (PyTorch's xlogy). "batchmean" divides the sum by the batch size, "mean" by
 * the number of elements (as PyTorch, which warns that only "batchmean" is the true KL).
 *
 * PyTorch: `torch.nn.functional.kl_div`.
 *
 * @example
 * ```ts
 * wg.F.klDiv(wg.logSoftmax(wg.randn(2, 3), 1), wg.softmax(wg.randn(2, 3), 1), { reduction: "batchmean" });
 * ```
 */
export function klDiv(
  input: Tensor,
  target: Tensor,
  ...rest: Args<
    [
      sizeAverage: boolean | null,
      reduce: boolean | null,
      reduction: Reduction2 | "batchmean",
      logTarget: boolean,
    ],
    KLDivOptions
  >
): Tensor {
  const op = "klDiv";
  const x = tensorArg(op, "input", input);
  const t = tensorArg(op, "target", target);
  const a = args(op, rest, [...LEGACY, "logTarget"]);
  const reduction = reductionOf(op, a, [...REDUCTIONS, "batchmean"]);
  const logTarget = a.logTarget === undefined ? false : bool(op, "logTarget", a.logTarget);
  return compose([x, t], () => {
    // log(max(t, tiny)) is finite at t = 0, so 0 * it gives PyTorch's xlogy(0, 0) = 0.
    const point = logTarget ? mul(exp(t), sub(t, x)) : mul(t, sub(log(clamp(t, 1e-38)), x));
    if (reduction !== "batchmean") return reduceLoss(point, reduction);
    const total = sum(point);
    return x.ndim === 0 ? total : div(total, x.shape[0]);
  });
}

/** Options of `F.marginRankingLoss` and `F.cosineEmbeddingLoss`. */
export interface MarginOptions extends ReductionOptions {
  /** The margin (default 0; 1 for tripletMarginLoss). */
  margin?: number;
}

/** Row-wise cosine of [N, D] (or [D]) inputs, with PyTorch's EPSILON in both magnitudes. */
function rowCosine(x1: Tensor, x2: Tensor): Tensor {
  const dim = x1.ndim - 1;
  const prod = sum(mul(x1, x2), dim);
  const m1 = add(sum(mul(x1, x1), dim), 1e-12);
  const m2 = add(sum(mul(x2, x2), dim), 1e-12);
  return div(prod, sqrt(mul(m1, m2)));
}

/** A constant 0/1 tensor of `target`'s shape: 1 where target equals `value`. */
function maskOf(target: Tensor, value: number): Tensor {
  const data = target.data();
  const m = new Float32Array(data.length);
  for (let i = 0; i < m.length; i++) m[i] = Number(data[i]) === value ? 1 : 0;
  return tensor(m, { shape: [...target.shape] });
}

/**
 * 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where it is -1 (and 0 for any
 * other target value, as PyTorch). x1, x2: [N, D] or [D]; target: [N] or [].
 *
 * PyTorch: `torch.nn.functional.cosine_embedding_loss`.
 *
 * @example
 * ```ts
 * wg.F.cosineEmbeddingLoss(wg.randn(4, 8), wg.randn(4, 8), wg.tensor([1, -1, 1, -1]));
 * ```
 */
export function cosineEmbeddingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  ...rest: Args<[margin: number, ...legacy: Legacy], MarginOptions>
): Tensor {
  const op = "cosineEmbeddingLoss";
  const x1 = tensorArg(op, "input1", input1);
  const x2 = tensorArg(op, "input2", input2);
  const t = tensorArg(op, "target", target);
  const a = args(op, rest, ["margin", ...LEGACY]);
  const reduction = reductionOf(op, a);
  const margin = a.margin === undefined ? 0 : num(op, "margin", a.margin);
  const shapeOk =
    (x1.ndim === 1 || x1.ndim === 2) &&
    x1.shape.every((d, i) => d === x2.shape[i]) &&
    x1.ndim === x2.ndim &&
    t.ndim === x1.ndim - 1 &&
    (t.ndim === 0 || t.shape[0] === x1.shape[0]);
  if (!shapeOk) {
    fail(
      op,
      `expected input1 and input2 of one shape [N, D] or [D] and target [N] or [] but got ${shapes(x1, x2, t)}`,
    );
  }
  return compose([x1, x2, t], () => {
    const cos = rowCosine(x1, x2);
    const pos = mul(neg(sub(cos, 1)), maskOf(t, 1));
    const negative = mul(clamp(sub(cos, margin), 0), maskOf(t, -1));
    return reduceLoss(add(pos, negative), reduction);
  });
}

function shapes(...ts: Tensor[]): string {
  return ts.map((t) => `[${t.shape.join(",")}]`).join(", ");
}

/**
 * max(0, -target (input1 - input2) + margin), target +-1.
 *
 * PyTorch: `torch.nn.functional.margin_ranking_loss`.
 *
 * @example
 * ```ts
 * wg.F.marginRankingLoss(wg.tensor([1, 2]), wg.tensor([2, 1]), wg.tensor([1, 1])); // 0.5
 * ```
 */
export function marginRankingLoss(
  input1: Tensor,
  input2: Tensor,
  target: Tensor,
  ...rest: Args<[margin: number, ...legacy: Legacy], MarginOptions>
): Tensor {
  const op = "marginRankingLoss";
  const x1 = tensorArg(op, "input1", input1);
  const x2 = tensorArg(op, "input2", input2);
  const t = tensorArg(op, "target", target);
  const a = args(op, rest, ["margin", ...LEGACY]);
  const reduction = reductionOf(op, a);
  const margin = a.margin === undefined ? 0 : num(op, "margin", a.margin);
  if (x1.ndim !== x2.ndim || x1.ndim !== t.ndim) {
    fail(
      op,
      `input1, input2 and target must have the same number of dims but got ${shapes(x1, x2, t)}`,
    );
  }
  return compose([x1, x2, t], () =>
    reduceLoss(clamp(add(neg(mul(t, sub(x1, x2))), margin), 0), reduction),
  );
}

/** Options of `F.tripletMarginLoss`. */
export interface TripletMarginOptions extends MarginOptions {
  /** The norm degree of the pairwise distance (default 2). */
  p?: number;
  /** Added to the differences before the norm, for stability (default 1e-6). */
  eps?: number;
  /**
   * Use the distance from positive to negative when it is smaller (the distance swap; default false).
   */
  swap?: boolean;
}

/** PyTorch's pairwise_distance: the p-norm of (x1 - x2 + eps) over the last dim. */
function pairwiseDistance(x1: Tensor, x2: Tensor, p: number, eps: number): Tensor {
  const d = add(sub(x1, x2), eps);
  const dim = d.ndim - 1;
  if (p === 2) return sqrt(sum(mul(d, d), dim));
  if (p === 1) return sum(abs(d), dim);
  return pow(sum(pow(abs(d), p), dim), 1 / p);
}

/**
 * max(0, margin + d(anchor, positive) - d(anchor, negative)) with the p-norm distance; with
 * swap, d(anchor, negative) is replaced by d(positive, negative) where that is smaller.
 *
 * PyTorch: `torch.nn.functional.triplet_margin_loss`.
 *
 * @example
 * ```ts
 * wg.F.tripletMarginLoss(wg.randn(4, 8), wg.randn(4, 8), wg.randn(4, 8));
 * ```
 */
export function tripletMarginLoss(
  anchor: Tensor,
  positive: Tensor,
  negative: Tensor,
  ...rest: Args<
    [margin: number, p: number, eps: number, swap: boolean, ...legacy: Legacy],
    TripletMarginOptions
  >
): Tensor {
  const op = "tripletMarginLoss";
  const xa = tensorArg(op, "anchor", anchor);
  const xp = tensorArg(op, "positive", positive);
  const xn = tensorArg(op, "negative", negative);
  const a = args(op, rest, ["margin", "p", "eps", "swap", ...LEGACY]);
  const reduction = reductionOf(op, a);
  const margin = a.margin === undefined ? 1 : num(op, "margin", a.margin);
  const p = a.p === undefined ? 2 : num(op, "p", a.p, { gt: 0, finite: true });
  const eps = a.eps === undefined ? 1e-6 : num(op, "eps", a.eps);
  const swap = a.swap === undefined ? false : bool(op, "swap", a.swap);
  const nd = xa.ndim;
  if ((nd !== 1 && nd !== 2) || xp.ndim !== nd || xn.ndim !== nd) {
    fail(
      op,
      `expected anchor, positive and negative all [N, D] or all [D] but got ${shapes(xa, xp, xn)}`,
    );
  }
  return compose([xa, xp, xn], () => {
    const dPos = pairwiseDistance(xa, xp, p, eps);
    let dNeg = pairwiseDistance(xa, xn, p, eps);
    if (swap) dNeg = minimumOf(dNeg, pairwiseDistance(xp, xn, p, eps));
    return reduceLoss(clamp(add(sub(dPos, dNeg), margin), 0), reduction);
  });
}
