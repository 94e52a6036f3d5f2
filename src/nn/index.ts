/** torch.nn for wasmgrad. */

export {
  ELU,
  Hardtanh,
  Identity,
  LeakyReLU,
  LogSoftmax,
  Mish,
  ReLU6,
  SiLU,
  Softplus,
} from "./activation.js";
export {
  causalMask,
  MultiheadAttention,
  type MultiheadAttentionForwardOptions,
  type MultiheadAttentionOptions,
  NonDynamicallyQuantizableLinear,
} from "./attention.js";
export { ModuleDict, ModuleList, ParameterList } from "./containers.js";
export {
  AvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  type BatchNormLayerOptions,
  Conv2d,
  type Conv2dLayerOptions,
  Dropout,
  MaxPool2d,
} from "./conv.js";
export {
  Conv1d,
  type Conv1dLayerOptions,
  ConvTranspose1d,
  ConvTranspose2d,
  type ConvTransposeLayerOptions,
} from "./conv2.js";
export {
  Embedding,
  EmbeddingBag,
  type EmbeddingBagLayerOptions,
  type EmbeddingLayerOptions,
} from "./embedding.js";
/** The same functions as the top-level `F`, as `torch.nn.functional`. */
export * as functional from "./functional.js";
/** In-place weight initializers, as `torch.nn.init`. */
export * as init from "./init.js";
export {
  Flatten,
  Linear,
  type LinearOptions,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Tanh,
} from "./layers.js";
export {
  BCELoss,
  BCEWithLogitsLoss,
  CosineEmbeddingLoss,
  CrossEntropyLoss,
  CTCLoss,
  HuberLoss,
  KLDivLoss,
  L1Loss,
  MarginRankingLoss,
  MSELoss,
  NLLLoss,
  SmoothL1Loss,
  TripletMarginLoss,
} from "./loss.js";
export {
  type BufferOptions,
  buffer,
  deepCopy,
  type LoadOptions,
  Module,
  Parameter,
  type ParameterConstructor,
  parameter,
} from "./module.js";
export {
  GELU,
  GroupNorm,
  type GroupNormOptions,
  InstanceNorm1d,
  InstanceNorm2d,
  type InstanceNormOptions,
  LayerNorm,
  type LayerNormOptions,
  RMSNorm,
  type RMSNormOptions,
} from "./normalization.js";
export {
  ConstantPad1d,
  ConstantPad2d,
  type Padding1d,
  type Padding2d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReplicationPad1d,
  ReplicationPad2d,
  ZeroPad2d,
} from "./padding.js";
export {
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  AvgPool1d,
  Dropout1d,
  Dropout2d,
  MaxPool1d,
  PixelShuffle,
  Upsample,
  type UpsampleOptions,
} from "./resample.js";
export {
  type CellOptions,
  GRU,
  GRUCell,
  LSTM,
  LSTMCell,
  RNN,
  RNNCell,
  type RNNOptions,
} from "./rnn.js";
export {
  type Activation,
  Transformer,
  TransformerDecoder,
  TransformerDecoderLayer,
  TransformerEncoder,
  TransformerEncoderLayer,
} from "./transformer.js";
/** Gradient clipping, as `torch.nn.utils`. */
export * as utils from "./utils.js";
