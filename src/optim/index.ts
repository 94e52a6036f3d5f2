/** torch.optim for wasmgrad. */
export { Optimizer, type OptimizerStateDict } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
