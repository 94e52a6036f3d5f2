/** torch.nn.functional for wasmgrad (also exported as `wg.F`). */

export {
  type EluOptions,
  elu,
  type HardtanhOptions,
  hardtanh,
  type InplaceOptions,
  type LeakyReluOptions,
  leakyRelu,
  mish,
  relu6,
  type SoftplusOptions,
  silu,
  softplus,
} from "../ops/activation.js";
export { type SDPAOptions, scaledDotProductAttention } from "../ops/attention.js";
export { type Conv2dOptions, conv2d, type Pair } from "../ops/conv.js";
export {
  type Conv1dOptions,
  type ConvTranspose1dOptions,
  type ConvTranspose2dOptions,
  conv1d,
  convTranspose1d,
  convTranspose2d,
} from "../ops/conv-transpose.js";
export { dropout } from "../ops/dropout.js";
export { type EmbeddingOptions, embedding, type Indices } from "../ops/embedding.js";
export { type GeluApproximate, type GeluOptions, gelu } from "../ops/gelu.js";
export { groupNorm, layerNorm, rmsNorm } from "../ops/layernorm.js";
export { linear } from "../ops/linear.js";
export {
  type BCELossOptions,
  type BCEWithLogitsOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type ClassTargets,
  type CrossEntropyOptions,
  crossEntropy,
  type LossOptions,
  mseLoss,
  type NLLLossOptions,
  nllLoss,
  type Reduction,
} from "../ops/loss.js";
export {
  cosineEmbeddingLoss,
  type HuberOptions,
  huberLoss,
  type KLDivOptions,
  klDiv,
  l1Loss,
  type MarginOptions,
  marginRankingLoss,
  type ReductionOptions,
  type SmoothL1Options,
  smoothL1Loss,
  type TripletMarginOptions,
  tripletMarginLoss,
} from "../ops/loss2.js";
export { type BatchNormOptions, batchNorm } from "../ops/norm.js";
export { type AvgPool2dOptions, avgPool2d, type MaxPool2dOptions, maxPool2d } from "../ops/pool.js";
export {
  type AvgPool1dOptions,
  avgPool1d,
  type ChannelDropoutOptions,
  dropout1d,
  dropout2d,
  type MaxPool1dOptions,
  maxPool1d,
} from "../ops/pool1d.js";
export {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  type InterpolateMode,
  type InterpolateOptions,
  interpolate,
  type PadMode,
  pad,
  pixelShuffle,
} from "../ops/resample.js";
export {
  type CosineSimilarityOptions,
  cosineSimilarity,
  type NormalizeOptions,
  normalize,
  type OneHotIndices,
  oneHot,
} from "../ops/similarity.js";
export { logSoftmax, softmax } from "../ops/softmax.js";
export { relu, sigmoid, tanh } from "../ops/unary.js";
