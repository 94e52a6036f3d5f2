/**
 * Learning-rate schedulers, as torch.optim.lr_scheduler (exported as `optim.lrScheduler`).
 * Every scheduler acts on the optimizer's parameter groups (`optimizer.paramGroups[i].lr`).
 */
export { LRScheduler, type LRSchedulerStateDict } from "./schedulers/base.js";
export {
  ExponentialLR,
  type ExponentialLROptions,
  LambdaLR,
  type LambdaLROptions,
  LinearLR,
  type LinearLROptions,
  type LrLambda,
  MultiStepLR,
  type MultiStepLROptions,
  StepLR,
  type StepLROptions,
} from "./schedulers/basic.js";
export {
  CosineAnnealingLR,
  type CosineAnnealingLROptions,
  CosineAnnealingWarmRestarts,
  type CosineAnnealingWarmRestartsOptions,
} from "./schedulers/cosine.js";
export { OneCycleLR, type OneCycleLROptions } from "./schedulers/one-cycle.js";
export {
  ReduceLROnPlateau,
  type ReduceLROnPlateauOptions,
  type ReduceLROnPlateauStateDict,
  SequentialLR,
  type SequentialLROptions,
} from "./schedulers/plateau.js";
