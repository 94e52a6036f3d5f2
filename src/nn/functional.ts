/** torch.nn.functional for wasmgrad (also exported as `wg.F`). */
export { linear } from "../ops/linear.js";
export {
  type ClassTargets,
  crossEntropy,
  type LossOptions,
  mseLoss,
  type Reduction,
} from "../ops/loss.js";
export { logSoftmax, softmax } from "../ops/softmax.js";
export { relu, sigmoid, tanh } from "../ops/unary.js";
