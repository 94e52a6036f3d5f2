/**
 * gelu(x, { approximate: "none" | "tanh" }), as torch.nn.functional.gelu: x * Phi(x), or its
 * tanh approximation; one fused kernel each way (assembly/kernels/gelu.ts).
 */
import { needsGrad, record } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe, keywordArgs, tensorArg } from "../validate.js";

/**
 * `"none"` (exact, with erf) or `"tanh"` (the tanh approximation), as gelu's `approximate`.
 */
export type GeluApproximate = "none" | "tanh";

/** Options of `F.gelu`. */
export interface GeluOptions {
  /** "none" (default) for the exact erf form, "tanh" for the tanh approximation. */
  approximate?: GeluApproximate;
}

export function approximateArg(op: string, v: unknown): 0 | 1 {
  if (v === undefined || v === "none") return 0;
  if (v === "tanh") return 1;
  throw new WasmgradError(`${op}: approximate must be "none" or "tanh" but got ${describe(v)}`);
}

/**
 * x * Phi(x), Phi the standard normal CDF; `"tanh"` uses the tanh approximation.
 *
 * PyTorch: `torch.nn.functional.gelu`.
 *
 * @example
 * ```ts
 * wg.F.gelu(wg.tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 * ```
 */
export function gelu(
  input: Tensor,
  ...rest: (GeluApproximate | GeluOptions | undefined)[]
): Tensor {
  const op = "gelu";
  const x = tensorArg(op, "input", input);
  const approx = approximateArg(op, keywordArgs(op, rest, ["approximate"]).approximate);
  const n = sizeOf(x.shape);
  const out = Tensor._empty(op, x.shape);
  if (n > 0) K.gelu_f32(out.ptr, x._ptr(op), n, approx);
  if (!needsGrad(x)) return out;
  return record(out, op, [x], (dy) => {
    const dx = Tensor._empty(op, x.shape);
    if (n > 0) K.gelu_bwd_f32(dx.ptr, dy._ptr(op), x._ptr(`${op} backward`), n, approx);
    return [dx];
  });
}
