/** Custom differentiable operations, as `torch.autograd`: `Function` and its `FunctionCtx`. */
export { AutogradFunction as Function, FunctionCtx } from "./function.js";
