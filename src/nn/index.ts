/** torch.nn for wasmgrad. */
export * as functional from "./functional.js";
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
export { buffer, type LoadOptions, Module, parameter } from "./module.js";
