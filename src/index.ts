/**
 * wasmgrad: PyTorch-shaped tensors, autograd, nn and optim over WebAssembly SIMD kernels.
 * `import * as wg from "wasmgrad"` gives a ready library; see the README and the API reference.
 */
// Binds the comparison, mask and in-place methods onto Tensor.prototype.
import "./tensor-methods.js";

export { type BackwardOptions, noGrad } from "./autograd/engine.js";
/** Custom differentiable operations (`Function`, `FunctionCtx`), as `torch.autograd`. */
export * as autograd from "./autograd/index.js";
/** `torch.cuda`'s queries (`isAvailable()` is false: wasmgrad computes on the CPU). */
export * as cuda from "./cuda.js";
/** Datasets and batching, as `torch.utils.data`. */
export * as data from "./data/index.js";
/** Probability distributions (Categorical, Bernoulli, Normal), as `torch.distributions`. */
export * as distributions from "./distributions/index.js";
export { bool, type DType, float, float32, int, int32, int64, long } from "./dtype.js";
export { WasmgradError } from "./errors.js";
export {
  type EpochInfo,
  type FitBatch,
  type FitModel,
  type FitOptimizer,
  type FitOptions,
  fit,
  type History,
  type StepInfo,
} from "./fit.js";
export {
  type BackendInfo,
  backendInfo,
  getNumThreads,
  ready,
  setNumThreads,
} from "./info.js";
export { load, loadMetadata, save } from "./io/safetensors.js";
/** Kernels on plain Float32Arrays, no tensors or autograd: sgemm, conv2d, RNN/GRU/LSTM steps. */
export * as kernels from "./kernels.js";
export { type MemoryInfo, memory, tidy } from "./memory.js";
export type { ValuesIndices } from "./named.js";
/** Functional layers, losses and activations, as `torch.nn.functional`. */
export * as F from "./nn/functional.js";
/** Layers, containers, losses and Module, as `torch.nn`. */
export * as nn from "./nn/index.js";
export { add, div, maximum, minimum, mul, sub } from "./ops/binary.js";
export { to } from "./ops/cast.js";
export {
  eq,
  ge,
  gt,
  isfinite,
  isinf,
  isnan,
  le,
  logicalAnd,
  logicalNot,
  logicalOr,
  logicalXor,
  lt,
  ne,
} from "./ops/compare.js";
export {
  arange,
  type CreateOptions,
  empty,
  eye,
  full,
  ones,
  onesLike,
  rand,
  randn,
  type ShapeArgs,
  type TensorOptions,
  tensor,
  zeros,
  zerosLike,
} from "./ops/creation.js";
export {
  bernoulli,
  type DTypeLikeOptions,
  emptyLike,
  fullLike,
  type LikeOptions,
  linspace,
  logspace,
  randLike,
  randnLike,
} from "./ops/creation-more.js";
export {
  type DivOptions,
  floorDivide,
  fmod,
  type RoundingMode,
  remainder,
} from "./ops/division.js";
export { einsum } from "./ops/einsum.js";
export {
  ceil,
  cos,
  erf,
  expm1,
  floor,
  frac,
  log1p,
  reciprocal,
  round,
  rsqrt,
  sign,
  sin,
  square,
  trunc,
} from "./ops/elementwise.js";
export { amax, amin, argmax, argmin, max, min } from "./ops/extrema.js";
export { type IndexItem, index, indexPut_ } from "./ops/index.js";
export { gather, indexSelect, scatter, scatterAdd } from "./ops/indexing.js";
export { matmul } from "./ops/matmul.js";
export { atan2, lerp, pow, rpow } from "./ops/pow.js";
export { bmm, dot, mm, mv, outer } from "./ops/products.js";
export { type IntDrawOptions, multinomial, randint, randperm } from "./ops/random-int.js";
export { mean, sum } from "./ops/reduce.js";
export { cumprod, cumsum, prod } from "./ops/scan.js";
export {
  cat,
  clone,
  flatten,
  permute,
  reshape,
  squeeze,
  stack,
  transpose,
  unsqueeze,
} from "./ops/shape.js";
export { logSoftmax, softmax } from "./ops/softmax.js";
export { argsort, sort, topk } from "./ops/sort.js";
export { logsumexp, norm, std, type VarOptions, variance as var } from "./ops/stats.js";
export { abs, clamp, exp, log, neg, relu, sigmoid, sqrt, tanh } from "./ops/unary.js";
export {
  chunk,
  contiguous,
  diag,
  expand,
  flip,
  narrowSlice as narrow,
  repeat,
  roll,
  select,
  split,
  t,
  tril,
  triu,
  unbind,
  unflatten,
  view,
} from "./ops/views.js";
export { all, any, maskedFill, type NonzeroOptions, nonzero, where } from "./ops/where.js";
/** Optimizers and learning-rate schedulers, as `torch.optim`. */
export * as optim from "./optim/index.js";
export { manualSeed } from "./random.js";
export { Tensor, type TensorOrScalar } from "./tensor.js";
export type { NestedArray } from "./tensor-data.js";

// `Symbol.dispose` for `using`, declared here as lib.esnext.disposable and @types/node do, so that
// these types compile without that lib (tensor.ts polyfills the value at run time).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}
