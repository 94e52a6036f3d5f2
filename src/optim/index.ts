/** torch.optim for wasmgrad. */

export {
  Adadelta,
  type AdadeltaGroup,
  type AdadeltaOptions,
  type AdadeltaState,
} from "./adadelta.js";
export { Adagrad, type AdagradGroup, type AdagradOptions, type AdagradState } from "./adagrad.js";
export { Adam, type AdamGroup, type AdamOptions, type AdamState, AdamW } from "./adam.js";
export { Adamax, type AdamaxGroup, type AdamaxOptions, type AdamaxState } from "./adamax.js";
export { LBFGS, type LBFGSGroup, type LBFGSOptions } from "./lbfgs.js";
/** Learning-rate schedulers, as `torch.optim.lr_scheduler`. */
export * as lrScheduler from "./lr-scheduler.js";
export {
  NAdam,
  type NAdamGroup,
  type NAdamOptions,
  type NAdamState,
  RAdam,
  type RAdamGroup,
  type RAdamOptions,
} from "./nadam-radam.js";
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
export { stateDictFromTensors, stateDictToTensors } from "./serialize.js";
export { SGD, type SGDGroup, type SGDOptions } from "./sgd.js";
