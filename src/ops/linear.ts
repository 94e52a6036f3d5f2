/**
 * linear(x, weight, bias?) = x · weightᵀ + bias, as torch.nn.functional.linear. One sgemm with
 * weight read transposed in place and the bias broadcast into C first (beta = 1); backward is
 * dX = dY · W, dW = dYᵀ · X (accumulating nothing extra) and db = column sums of dY.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { K, meta } from "../backend/runtime.js";
import { ReduceOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { floatArg, noExtra, optionalTensorArg } from "../validate.js";

/**
 * x @ weight^T + bias, weight [out, in]: the op behind nn.Linear.
 *
 * PyTorch: `torch.nn.functional.linear`.
 *
 * @example
 * ```ts
 * wg.F.linear(wg.ones(2, 3), wg.ones(4, 3), wg.zeros(4)).shape; // [2, 4]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, ...extra: []): Tensor {
  noExtra("linear", [x, weight, bias, ...extra], 3);
  floatArg("linear", "input", x);
  floatArg("linear", "weight", weight);
  if (weight.ndim !== 2) {
    throw new WasmgradError(
      `linear: weight must be 2-D [outFeatures, inFeatures] but got ${fmt(weight.shape)}`,
    );
  }
  const [outF, inF] = weight.shape;
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new WasmgradError(
      `linear: input has shape ${fmt(x.shape)} but weight ${fmt(weight.shape)} expects the last dimension to be ${inF}`,
    );
  }
  const b = optionalTensorArg("linear", "bias", bias);
  if (b !== null) {
    floatArg("linear", "bias", b);
    if (b.ndim !== 1 || b.shape[0] !== outF) {
      throw new WasmgradError(
        `linear: bias has shape ${fmt(b.shape)} but expected [${outF}] for weight ${fmt(weight.shape)}`,
      );
    }
  }
  const m = sizeRows(x);
  const out = Tensor._empty("linear", [...x.shape.slice(0, -1), outF]);
  if (out.numel() > 0) {
    if (b !== null) K.gather_f32(out.ptr, b.ptr, 2, meta([m, outF], [0, 1]));
    else K.fill_f32(out.ptr, out.numel(), 0);
    if (inF > 0) K.sgemm_f32(out.ptr, outF, x.ptr, inF, weight.ptr, inF, m, outF, inF, 0, 1, 1, 1);
  }
  const inputs = b === null ? [x, weight] : [x, weight, b];
  if (!needsGradAny(inputs)) return out;
  return record(out, "linear", inputs, (g) => {
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (x.requiresGrad) {
      dx = Tensor._empty("linear", x.shape);
      if (dx.numel() > 0)
        K.sgemm_f32(dx.ptr, inF, g.ptr, outF, weight.ptr, inF, m, inF, outF, 0, 0, 1, 0);
    }
    if (weight.requiresGrad) {
      dw = Tensor._empty("linear", weight.shape);
      if (dw.numel() > 0)
        K.sgemm_f32(dw.ptr, inF, g.ptr, outF, x.ptr, inF, outF, inF, m, 1, 0, 1, 0);
    }
    if (b?.requiresGrad) {
      db = Tensor._empty("linear", b.shape);
      if (m === 0) K.fill_f32(db.ptr, outF, 0);
      else K.reduce_f32(db.ptr, outF, g.ptr, 2, meta([m, outF], [0, 1]), ReduceOp.sum);
    }
    return b === null ? [dx, dw] : [dx, dw, db];
  });
}

function sizeRows(x: Tensor): number {
  let n = 1;
  for (let i = 0; i < x.ndim - 1; i++) n *= x.shape[i];
  return n;
}
