/** torch.optim for wasmgrad. */
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.js";
export { Adam, type AdamOptions, type AdamState, AdamW } from "./adam.js";
export * as lrScheduler from "./lr-scheduler.js";
export {
  type HyperParameter,
  Optimizer,
  type OptimizerStateDict,
  type ParamState,
} from "./optimizer.js";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.js";
export { SGD, type SGDOptions } from "./sgd.js";
