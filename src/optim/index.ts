/** torch.optim for wasmgrad. */
export { Adagrad, type AdagradGroup, type AdagradOptions, type AdagradState } from "./adagrad.js";
export { Adam, type AdamGroup, type AdamOptions, type AdamState, AdamW } from "./adam.js";
export * as lrScheduler from "./lr-scheduler.js";
export {
  type GroupOptions,
  type HyperParameter,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type ParamGroupInput,
  type ParamState,
  type Params,
} from "./optimizer.js";
export { RMSprop, type RMSpropGroup, type RMSpropOptions, type RMSpropState } from "./rmsprop.js";
export { SGD, type SGDGroup, type SGDOptions } from "./sgd.js";
