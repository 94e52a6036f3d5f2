/**
 * torch.nn.functional for wasmgrad (also exported as `wg.F`). Each function runs in a graph
 * scope (autograd/owned.ts): the intermediates a composite op makes and does not return are
 * freed with the autograd graph of its result, so that loops without tidy stay bounded.
 */
import { graphScoped } from "../autograd/owned.js";
import * as activationOps from "../ops/activation.js";
import * as attentionOps from "../ops/attention.js";
import * as convOps from "../ops/conv.js";
import * as convTransposeOps from "../ops/conv-transpose.js";
import * as ctcOps from "../ops/ctc.js";
import * as dropoutOps from "../ops/dropout.js";
import * as embeddingOps from "../ops/embedding.js";
import * as geluOps from "../ops/gelu.js";
import * as layernormOps from "../ops/layernorm.js";
import * as linearOps from "../ops/linear.js";
import * as lossOps from "../ops/loss.js";
import * as loss2Ops from "../ops/loss2.js";
import * as normOps from "../ops/norm.js";
import * as poolOps from "../ops/pool.js";
import * as pool1dOps from "../ops/pool1d.js";
import * as resampleOps from "../ops/resample.js";
import * as similarityOps from "../ops/similarity.js";
import * as softmaxOps from "../ops/softmax.js";
import * as unaryOps from "../ops/unary.js";

export type {
  EluOptions,
  HardtanhOptions,
  InplaceOptions,
  LeakyReluOptions,
  SoftplusOptions,
} from "../ops/activation.js";
export type { SDPAOptions } from "../ops/attention.js";
export type { Conv2dOptions, Pair } from "../ops/conv.js";
export type {
  Conv1dOptions,
  ConvTranspose1dOptions,
  ConvTranspose2dOptions,
} from "../ops/conv-transpose.js";
export type { CTCLengths, CTCLossOptions, CTCTargets } from "../ops/ctc.js";
export type { EmbeddingBagOptions, EmbeddingOptions, Indices } from "../ops/embedding.js";
export type { GeluApproximate, GeluOptions } from "../ops/gelu.js";
export type {
  BCELossOptions,
  BCEWithLogitsOptions,
  ClassTargets,
  CrossEntropyOptions,
  LossOptions,
  NLLLossOptions,
  Reduction,
} from "../ops/loss.js";
export type {
  HuberOptions,
  KLDivOptions,
  MarginOptions,
  ReductionOptions,
  SmoothL1Options,
  TripletMarginOptions,
} from "../ops/loss2.js";
export type { BatchNormOptions } from "../ops/norm.js";
export type { AvgPool2dOptions, MaxPool2dOptions } from "../ops/pool.js";
export type { AvgPool1dOptions, ChannelDropoutOptions, MaxPool1dOptions } from "../ops/pool1d.js";
export type { InterpolateMode, InterpolateOptions, PadMode } from "../ops/resample.js";
export type {
  CosineSimilarityOptions,
  NormalizeOptions,
  OneHotIndices,
} from "../ops/similarity.js";

/**
 * x for x > 0, alpha * (e^x - 1) otherwise (default alpha 1).
 *
 * PyTorch: `torch.nn.functional.elu`.
 *
 * @example
 * ```ts
 * wg.F.elu(wg.tensor([-1, 1])); // [-0.6321, 1]
 * ```
 */
export const elu = /* @__PURE__ */ graphScoped(activationOps.elu);
/**
 * Clamps to [minVal, maxVal] (default [-1, 1]); the gradient is 0 on and outside the bounds.
 *
 * PyTorch: `torch.nn.functional.hardtanh`.
 *
 * @example
 * ```ts
 * wg.F.hardtanh(wg.tensor([-2, 0.5, 2])); // [-1, 0.5, 1]
 * ```
 */
export const hardtanh = /* @__PURE__ */ graphScoped(activationOps.hardtanh);
/**
 * x for x > 0, negativeSlope * x otherwise (default slope 0.01).
 *
 * PyTorch: `torch.nn.functional.leaky_relu`.
 *
 * @example
 * ```ts
 * wg.F.leakyRelu(wg.tensor([-1, 1]), 0.1); // [-0.1, 1]
 * ```
 */
export const leakyRelu = /* @__PURE__ */ graphScoped(activationOps.leakyRelu);
/**
 * x * tanh(softplus(x)).
 *
 * PyTorch: `torch.nn.functional.mish`.
 *
 * @example
 * ```ts
 * wg.F.mish(wg.tensor([0, 1])); // [0, 0.8651]
 * ```
 */
export const mish = /* @__PURE__ */ graphScoped(activationOps.mish);
/**
 * min(max(x, 0), 6), as hardtanh(x, 0, 6).
 *
 * PyTorch: `torch.nn.functional.relu6`.
 *
 * @example
 * ```ts
 * wg.F.relu6(wg.tensor([-1, 3, 8])); // [0, 3, 6]
 * ```
 */
export const relu6 = /* @__PURE__ */ graphScoped(activationOps.relu6);
/**
 * x * sigmoid(x) (also called swish).
 *
 * PyTorch: `torch.nn.functional.silu`.
 *
 * @example
 * ```ts
 * wg.F.silu(wg.tensor([0, 1])); // [0, 0.7311]
 * ```
 */
export const silu = /* @__PURE__ */ graphScoped(activationOps.silu);
/**
 * log(1 + e^(beta x)) / beta, and x itself where beta x > threshold (defaults 1 and 20).
 *
 * PyTorch: `torch.nn.functional.softplus`.
 *
 * @example
 * ```ts
 * wg.F.softplus(wg.tensor([0])); // [0.6931]
 * ```
 */
export const softplus = /* @__PURE__ */ graphScoped(activationOps.softplus);
/**
 * softmax(q k^T / sqrt(d) + mask) v over [..., L, d] queries and [..., S, d] keys and values, with
 * optional `attnMask`, `isCausal`, `dropoutP` and `scale`.
 *
 * PyTorch: `torch.nn.functional.scaled_dot_product_attention`.
 *
 * @example
 * ```ts
 * wg.F.scaledDotProductAttention(wg.randn(1, 2, 5, 8), wg.randn(1, 2, 7, 8), wg.randn(1, 2, 7, 8)).shape; // [1, 2, 5, 8]
 * ```
 */
export const scaledDotProductAttention = /* @__PURE__ */ graphScoped(
  attentionOps.scaledDotProductAttention,
);
/**
 * `conv2d(input, weight, bias?, stride?, padding?, dilation?, groups?)`, or the options.
 *
 * PyTorch: `torch.nn.functional.conv2d`.
 *
 * @example
 * ```ts
 * wg.F.conv2d(wg.ones(1, 3, 8, 8), wg.ones(4, 3, 3, 3), null, { padding: 1 }).shape; // [1, 4, 8, 8]
 * ```
 */
export const conv2d = /* @__PURE__ */ graphScoped(convOps.conv2d);
/**
 * PyTorch's conv1d(input, weight, bias, stride, padding, dilation, groups) over [N, C, L].
 *
 * PyTorch: `torch.nn.functional.conv1d`.
 *
 * @example
 * ```ts
 * wg.F.conv1d(wg.ones(1, 2, 10), wg.ones(4, 2, 3)).shape; // [1, 4, 8]
 * ```
 */
export const conv1d = /* @__PURE__ */ graphScoped(convTransposeOps.conv1d);
/**
 * PyTorch's conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation).
 *
 * PyTorch: `torch.nn.functional.conv_transpose1d`.
 *
 * @example
 * ```ts
 * wg.F.convTranspose1d(wg.ones(1, 2, 4), wg.ones(2, 3, 2), null, { stride: 2 }).shape; // [1, 3, 8]
 * ```
 */
export const convTranspose1d = /* @__PURE__ */ graphScoped(convTransposeOps.convTranspose1d);
/**
 * Transposed 2-D convolution of x [N, Cin, H, W] (or [Cin, H, W]) with weight of shape
 * [Cin, Cout / groups, kH, kW], as PyTorch's conv_transpose2d(input, weight, bias, stride,
 * padding, output_padding, groups, dilation), the last six also as options.
 *
 * PyTorch: `torch.nn.functional.conv_transpose2d`.
 *
 * @example
 * ```ts
 * wg.F.convTranspose2d(wg.ones(1, 2, 4, 4), wg.ones(2, 3, 2, 2), null, { stride: 2 }).shape; // [1, 3, 8, 8]
 * ```
 */
export const convTranspose2d = /* @__PURE__ */ graphScoped(convTransposeOps.convTranspose2d);
/**
 * `dropout(input, p = 0.5, training = true, inplace = false)`, or the options.
 *
 * PyTorch: `torch.nn.functional.dropout`.
 *
 * @example
 * ```ts
 * wg.F.dropout(wg.ones(2, 4), { p: 0.5, training: true }); // zeros, and the rest scaled to 2
 * ```
 */
export const dropout = /* @__PURE__ */ graphScoped(dropoutOps.dropout);
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
export const embedding = /* @__PURE__ */ graphScoped(embeddingOps.embedding);
/**
 * Sums, means or maxima of bags of rows of `weight` (a 1-D input cut by `offsets`, or the rows of
 * a 2-D input): [bags, embeddingDim].
 *
 * PyTorch: `torch.nn.functional.embedding_bag`.
 *
 * @example
 * ```ts
 * wg.F.embeddingBag(wg.tensor([0, 2, 1]).int(), wg.eye(3), { offsets: [0, 2] }); // [[0.5, 0, 0.5], [0, 1, 0]]
 * ```
 */
export const embeddingBag = /* @__PURE__ */ graphScoped(embeddingOps.embeddingBag);
/**
 * x * Phi(x), Phi the standard normal CDF; `"tanh"` uses the tanh approximation.
 *
 * PyTorch: `torch.nn.functional.gelu`.
 *
 * @example
 * ```ts
 * wg.F.gelu(wg.tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 * ```
 */
export const gelu = /* @__PURE__ */ graphScoped(geluOps.gelu);
/**
 * Normalizes each of `numGroups` channel groups per sample over its channels and spatial positions,
 * then applies the optional per-channel weight and bias.
 *
 * PyTorch: `torch.nn.functional.group_norm`.
 *
 * @example
 * ```ts
 * wg.F.groupNorm(wg.randn(2, 4, 3, 3), 2).shape; // [2, 4, 3, 3]
 * ```
 */
export const groupNorm = /* @__PURE__ */ graphScoped(layernormOps.groupNorm);
/**
 * Normalises each channel of each sample over its positions (input [N, C, *]), then the optional
 * per-channel weight and bias; running statistics are not supported.
 *
 * PyTorch: `torch.nn.functional.instance_norm`.
 *
 * @example
 * ```ts
 * wg.F.instanceNorm(wg.randn(2, 3, 8, 8)).shape; // [2, 3, 8, 8]
 * ```
 */
export const instanceNorm = /* @__PURE__ */ graphScoped(layernormOps.instanceNorm);
/**
 * Normalizes over the last dims given by `normalizedShape` to mean 0 and variance 1, then applies
 * the optional elementwise weight and bias.
 *
 * PyTorch: `torch.nn.functional.layer_norm`.
 *
 * @example
 * ```ts
 * wg.F.layerNorm(wg.tensor([[1, 2, 3]]), [3]); // [[-1.2247, 0, 1.2247]]
 * ```
 */
export const layerNorm = /* @__PURE__ */ graphScoped(layernormOps.layerNorm);
/**
 * x / sqrt(mean(x^2) + eps) over the last dims given by `normalizedShape`, times the optional
 * weight.
 *
 * PyTorch: `torch.nn.functional.rms_norm`.
 *
 * @example
 * ```ts
 * wg.F.rmsNorm(wg.tensor([[3, 4]]), [2]); // [[0.8485, 1.1314]]
 * ```
 */
export const rmsNorm = /* @__PURE__ */ graphScoped(layernormOps.rmsNorm);
/**
 * x @ weight^T + bias, weight [out, in]: the op behind nn.Linear.
 *
 * PyTorch: `torch.nn.functional.linear`.
 *
 * @example
 * ```ts
 * wg.F.linear(wg.ones(2, 3), wg.ones(4, 3), wg.zeros(4)).shape; // [2, 4]
 * ```
 */
export const linear = /* @__PURE__ */ graphScoped(linearOps.linear);
/**
 * Binary cross-entropy of probabilities, as torch.nn.functional.binary_cross_entropy:
 *   l = -w (t log x + (1 - t) log(1 - x)), each log clamped to >= -100 as PyTorch does.
 * Inputs outside [0, 1] throw. Mean divides by the number of elements.
 *
 * @example
 * ```ts
 * wg.F.binaryCrossEntropy(wg.tensor([0.9, 0.2]), wg.tensor([1, 0])); // 0.1643
 * ```
 */
export const binaryCrossEntropy = /* @__PURE__ */ graphScoped(lossOps.binaryCrossEntropy);
/**
 * Binary cross-entropy of logits, stable for any magnitude (the log-sum-exp form of
 * torch.nn.functional.binary_cross_entropy_with_logits):
 *   l = w ((1 - t) x + (1 + (posWeight - 1) t) log(1 + exp(-x)))
 *
 * @example
 * ```ts
 * wg.F.binaryCrossEntropyWithLogits(wg.tensor([2, -1]), wg.tensor([1, 0])); // 0.2201
 * ```
 */
export const binaryCrossEntropyWithLogits = /* @__PURE__ */ graphScoped(
  lossOps.binaryCrossEntropyWithLogits,
);
/**
 * Cross-entropy between logits [N, C] (or [C], or [N, C, d1, ...]) and either class indices
 * (Int32Array, number[] or Tensor of shape [N] / [] / [N, d1, ...]) or class probabilities (a
 * Tensor of the input's shape), as torch.nn.functional.cross_entropy:
 *   l_i = (1 - s) w_{y_i} (-log softmax(x_i)_{y_i}) + (s / C) sum_c w_c (-log softmax(x_i)_c)
 * computed with the row maximum subtracted, so large logits are exact. Targets equal to
 * ignoreIndex count nothing; "mean" divides by the summed weight of the counted targets
 * (NaN when there are none, as PyTorch). With probabilities, "mean" divides by N * d1 * ...
 *
 * @example
 * ```ts
 * wg.F.crossEntropy(wg.tensor([[2, 0], [0, 2]]), new Int32Array([0, 1])); // 0.1269
 * ```
 */
export const crossEntropy = /* @__PURE__ */ graphScoped(lossOps.crossEntropy);
/**
 * The CTC loss of log-probabilities [T, N, C] (or [T, C]) against target label sequences
 * (padded [N, S] or concatenated), with per-sample input and target lengths: the negative log
 * of the summed probability of every alignment. "mean" divides each loss by its target length
 * and averages; zeroInfinity turns impossible alignments' infinite losses (and gradients) to 0.
 *
 * PyTorch: `torch.nn.functional.ctc_loss`.
 *
 * @example
 * ```ts
 * const logProbs = wg.logSoftmax(wg.randn([6, 2, 4]), 2);
 * wg.F.ctcLoss(logProbs, [[1, 2], [3, 3]], [6, 5], [2, 2], { reduction: "none" }).shape; // [2]
 * ```
 */
export const ctcLoss = /* @__PURE__ */ graphScoped(ctcOps.ctcLoss);
/**
 * Mean squared error: reduce((input - target)^2).
 *
 * PyTorch: `torch.nn.functional.mse_loss`.
 *
 * @example
 * ```ts
 * wg.F.mseLoss(wg.tensor([1, 2]), wg.tensor([2, 4])); // 2.5
 * ```
 */
export const mseLoss = /* @__PURE__ */ graphScoped(lossOps.mseLoss);
/**
 * Negative log-likelihood of class targets given log-probabilities [N, C] (or [N, C, ...]), with
 * optional class weights, ignoreIndex and reduction.
 *
 * PyTorch: `torch.nn.functional.nll_loss`.
 *
 * @example
 * ```ts
 * wg.F.nllLoss(wg.logSoftmax(wg.tensor([[2, 0]]), 1), new Int32Array([0])); // 0.1269
 * ```
 */
export const nllLoss = /* @__PURE__ */ graphScoped(lossOps.nllLoss);
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
export const cosineEmbeddingLoss = /* @__PURE__ */ graphScoped(loss2Ops.cosineEmbeddingLoss);
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
export const huberLoss = /* @__PURE__ */ graphScoped(loss2Ops.huberLoss);
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
export const klDiv = /* @__PURE__ */ graphScoped(loss2Ops.klDiv);
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
export const l1Loss = /* @__PURE__ */ graphScoped(loss2Ops.l1Loss);
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
export const marginRankingLoss = /* @__PURE__ */ graphScoped(loss2Ops.marginRankingLoss);
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
export const smoothL1Loss = /* @__PURE__ */ graphScoped(loss2Ops.smoothL1Loss);
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
export const tripletMarginLoss = /* @__PURE__ */ graphScoped(loss2Ops.tripletMarginLoss);
/**
 * `batchNorm(input, runningMean, runningVar, weight?, bias?, training?, momentum?, eps?)`, or
 * the options.
 *
 * PyTorch: `torch.nn.functional.batch_norm`.
 *
 * @example
 * ```ts
 * wg.F.batchNorm(wg.randn(4, 3), wg.zeros(3), wg.ones(3), { training: true });
 * ```
 */
export const batchNorm = /* @__PURE__ */ graphScoped(normOps.batchNorm);
/**
 * `avgPool2d(input, kernelSize, stride?, padding?, ceilMode?, countIncludePad?,
 * divisorOverride?)`, or the options.
 *
 * PyTorch: `torch.nn.functional.avg_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.avgPool2d(wg.ones(1, 3, 8, 8), 2).shape; // [1, 3, 4, 4]
 * ```
 */
export const avgPool2d = /* @__PURE__ */ graphScoped(poolOps.avgPool2d);
/**
 * `maxPool2d(input, kernelSize, stride?, padding?, dilation?, ceilMode?)`, or the options.
 *
 * PyTorch: `torch.nn.functional.max_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.maxPool2d(wg.ones(1, 3, 8, 8), 2).shape; // [1, 3, 4, 4]
 * ```
 */
export const maxPool2d = /* @__PURE__ */ graphScoped(poolOps.maxPool2d);
/**
 * PyTorch's avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad).
 *
 * PyTorch: `torch.nn.functional.avg_pool1d`.
 *
 * @example
 * ```ts
 * wg.F.avgPool1d(wg.ones(1, 2, 8), 2).shape; // [1, 2, 4]
 * ```
 */
export const avgPool1d = /* @__PURE__ */ graphScoped(pool1dOps.avgPool1d);
/**
 * Zeroes whole channels of [N, C, L] (or [C, L]) with probability p in training.
 *
 * PyTorch: `torch.nn.functional.dropout1d`.
 *
 * @example
 * ```ts
 * wg.F.dropout1d(wg.ones(1, 4, 8), { p: 0.5, training: true }); // whole channels zeroed
 * ```
 */
export const dropout1d = /* @__PURE__ */ graphScoped(pool1dOps.dropout1d);
/**
 * Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p in training.
 *
 * PyTorch: `torch.nn.functional.dropout2d`.
 *
 * @example
 * ```ts
 * wg.F.dropout2d(wg.ones(1, 4, 3, 3), { p: 0.5, training: true }); // whole channels zeroed
 * ```
 */
export const dropout2d = /* @__PURE__ */ graphScoped(pool1dOps.dropout2d);
/**
 * PyTorch's max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices).
 *
 * PyTorch: `torch.nn.functional.max_pool1d`.
 *
 * @example
 * ```ts
 * wg.F.maxPool1d(wg.tensor([[[1, 3, 2, 4]]]), 2); // [[[3, 4]]]
 * ```
 */
export const maxPool1d = /* @__PURE__ */ graphScoped(pool1dOps.maxPool1d);
/**
 * Average pooling to a fixed output length: [N, C, L] or [C, L] in, [..., outputSize] out.
 *
 * PyTorch: `torch.nn.functional.adaptive_avg_pool1d`.
 *
 * @example
 * ```ts
 * wg.F.adaptiveAvgPool1d(wg.ones(1, 2, 10), 3).shape; // [1, 2, 3]
 * ```
 */
export const adaptiveAvgPool1d = /* @__PURE__ */ graphScoped(resampleOps.adaptiveAvgPool1d);
/**
 * Average pooling to a fixed output size: NCHW or CHW in, [..., outH, outW] out.
 *
 * PyTorch: `torch.nn.functional.adaptive_avg_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.adaptiveAvgPool2d(wg.ones(1, 3, 7, 7), 1).shape; // [1, 3, 1, 1]
 * ```
 */
export const adaptiveAvgPool2d = /* @__PURE__ */ graphScoped(resampleOps.adaptiveAvgPool2d);
/**
 * Adaptive max pooling (returnIndices is not supported).
 *
 * PyTorch: `torch.nn.functional.adaptive_max_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.adaptiveMaxPool2d(wg.ones(1, 3, 8, 8), [2, 2]).shape; // [1, 3, 2, 2]
 * ```
 */
export const adaptiveMaxPool2d = /* @__PURE__ */ graphScoped(resampleOps.adaptiveMaxPool2d);
/**
 * Resizes the spatial dims of [N, C, L] or [N, C, H, W] input to `size` or by `scaleFactor`:
 * PyTorch's interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor).
 *
 * PyTorch: `torch.nn.functional.interpolate`.
 *
 * @example
 * ```ts
 * wg.F.interpolate(wg.ones(1, 1, 4, 4), { scaleFactor: 2, mode: "nearest" }).shape; // [1, 1, 8, 8]
 * ```
 */
export const interpolate = /* @__PURE__ */ graphScoped(resampleOps.interpolate);
/**
 * Pads the last dims: `pad` = [left, right, top, bottom, ...] from the last dim backwards, as
 * PyTorch's F.pad(input, pad, mode, value). Constant padding may be negative (cropping).
 *
 * PyTorch: `torch.nn.functional.pad`.
 *
 * @example
 * ```ts
 * wg.F.pad(wg.tensor([[1, 2]]), [1, 1]); // [[0, 1, 2, 0]]
 * ```
 */
export const pad = /* @__PURE__ */ graphScoped(resampleOps.pad);
/**
 * [*, C r^2, H, W] -> [*, C, H r, W r], as PyTorch's pixel_shuffle.
 *
 * PyTorch: `torch.nn.functional.pixel_shuffle`.
 *
 * @example
 * ```ts
 * wg.F.pixelShuffle(wg.ones(1, 8, 3, 3), 2).shape; // [1, 2, 6, 6]
 * ```
 */
export const pixelShuffle = /* @__PURE__ */ graphScoped(resampleOps.pixelShuffle);
/**
 * sum(x1 x2) / sqrt(max(sum(x1^2) sum(x2^2), eps^2)) along `dim` (default 1), with x1 and x2
 * broadcast to one shape.
 *
 * PyTorch: `torch.nn.functional.cosine_similarity`.
 *
 * @example
 * ```ts
 * wg.F.cosineSimilarity(wg.tensor([[1, 0]]), wg.tensor([[1, 1]])); // [0.7071]
 * ```
 */
export const cosineSimilarity = /* @__PURE__ */ graphScoped(similarityOps.cosineSimilarity);
/**
 * input / max(||input||_p, eps) along `dim` (default p 2, dim 1, eps 1e-12).
 *
 * PyTorch: `torch.nn.functional.normalize`.
 *
 * @example
 * ```ts
 * wg.F.normalize(wg.tensor([[3, 4]]), { dim: 1 }); // [[0.6, 0.8]]
 * ```
 */
export const normalize = /* @__PURE__ */ graphScoped(similarityOps.normalize);
/**
 * A [...shape, numClasses] tensor with 1 at each index's class and 0 elsewhere; numClasses -1
 * (the default) means one more than the largest index. An int32 tensor (PyTorch's is int64).
 *
 * PyTorch: `torch.nn.functional.one_hot`.
 *
 * @example
 * ```ts
 * wg.F.oneHot(new Int32Array([0, 2]), 3); // [[1, 0, 0], [0, 0, 1]] (int32)
 * ```
 */
export const oneHot = /* @__PURE__ */ graphScoped(similarityOps.oneHot);
/**
 * log(softmax(x, dim)), computed stably in one pass.
 *
 * PyTorch: `torch.log_softmax`.
 *
 * @example
 * ```ts
 * wg.logSoftmax(wg.tensor([[1, 2, 3]]), 1);
 * ```
 */
export const logSoftmax = /* @__PURE__ */ graphScoped(softmaxOps.logSoftmax);
/**
 * exp(x) / sum(exp(x)) along `dim`, computed stably.
 *
 * PyTorch: `torch.softmax`.
 *
 * @example
 * ```ts
 * wg.softmax(wg.tensor([[1, 1]]), 1); // [[0.5, 0.5]]
 * ```
 */
export const softmax = /* @__PURE__ */ graphScoped(softmaxOps.softmax);
/**
 * Elementwise max(x, 0).
 *
 * PyTorch: `torch.relu`.
 *
 * @example
 * ```ts
 * wg.relu(wg.tensor([-1, 2])); // [0, 2]
 * ```
 */
export const relu = /* @__PURE__ */ graphScoped(unaryOps.relu);
/**
 * Elementwise 1 / (1 + e^-x).
 *
 * PyTorch: `torch.sigmoid`.
 *
 * @example
 * ```ts
 * wg.sigmoid(wg.tensor([0])); // [0.5]
 * ```
 */
export const sigmoid = /* @__PURE__ */ graphScoped(unaryOps.sigmoid);
/**
 * Elementwise hyperbolic tangent.
 *
 * PyTorch: `torch.tanh`.
 *
 * @example
 * ```ts
 * wg.tanh(wg.tensor([0])); // [0]
 * ```
 */
export const tanh = /* @__PURE__ */ graphScoped(unaryOps.tanh);
