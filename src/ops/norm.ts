/**
 * batchNorm(x, runningMean, runningVar, { weight, bias, training, momentum, eps }), as
 * torch.nn.functional.batch_norm over [N, C, *] input: in training, batch statistics normalise
 * and the running statistics (if given) move toward them in place, with the unbiased variance;
 * in evaluation the running statistics normalise. One kernel pass for the statistics, one for
 * the output, and one fused pass for all three gradients.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, num, optionalTensorArg, tensorArg } from "../validate.js";

/** Options of `F.batchNorm`. */
export interface BatchNormOptions {
  /** Per-channel scale gamma [C] (default none: 1). */
  weight?: Tensor | null;
  /** Per-channel shift beta [C] (default none: 0). */
  bias?: Tensor | null;
  /**
   * Normalise with the batch statistics and update the running ones (default false: use the
   * running statistics).
   */
  training?: boolean;
  /** The weight of the batch statistic in the running-average update (default 0.1). */
  momentum?: number;
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
}

function perChannel(op: string, name: string, t: Tensor | null | undefined, c: number, x: Tensor) {
  if (t == null) return null;
  tensorArg(op, name, t);
  if (t.ndim !== 1 || t.shape[0] !== c) {
    throw new WasmgradError(
      `${op}: ${name} has shape ${fmt(t.shape)} but expected [${c}] for input ${fmt(x.shape)}`,
    );
  }
  return t;
}

/** Copies `t` into a new tensor that later in-place updates of `t` cannot change. */
function snapshot(op: string, t: Tensor): Tensor {
  const out = Tensor._empty(op, t.shape);
  K.copy_f32(out.ptr, t._ptr(op), t.numel());
  return out;
}

/**
 * `batchNorm(input, runningMean, runningVar, weight?, bias?, training?, momentum?, eps?)`, or
 * the options.
 *
 * PyTorch: `torch.nn.functional.batch_norm`.
 *
 * @example
 * ```ts
 * wg.F.batchNorm(wg.randn(4, 3), wg.zeros(3), wg.ones(3), { training: true });
 * ```
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  ...rest: Args<
    [weight: Tensor | null, bias: Tensor | null, training: boolean, momentum: number, eps: number],
    BatchNormOptions
  >
): Tensor {
  const op = "batchNorm";
  const options = args(op, rest, [
    "weight",
    "bias",
    "training",
    "momentum",
    "eps",
  ]) as BatchNormOptions;
  const x = tensorArg(op, "input", input);
  optionalTensorArg(op, "runningMean", runningMean);
  optionalTensorArg(op, "runningVar", runningVar);
  bool(op, "training", options.training ?? false);
  num(op, "momentum", options.momentum ?? 0.1, { min: 0, max: 1 });
  num(op, "eps", options.eps ?? 1e-5, { min: 0, finite: true });
  if (x.ndim < 2) {
    throw new WasmgradError(
      `${op}: expected input [N, C, *] with at least 2 dims but got ${fmt(x.shape)}`,
    );
  }
  const { training = false, momentum = 0.1, eps = 1e-5 } = options;
  if (!(eps >= 0) || !(momentum >= 0 && momentum <= 1)) {
    throw new WasmgradError(
      `${op}: expected eps >= 0 and momentum in [0, 1] but got eps ${eps}, momentum ${momentum}`,
    );
  }
  const n = x.shape[0];
  const c = x.shape[1];
  const s = x.numel() / (n * c || 1);
  const rm = perChannel(op, "runningMean", runningMean, c, x);
  const rv = perChannel(op, "runningVar", runningVar, c, x);
  const weight = perChannel(op, "weight", options.weight, c, x);
  const bias = perChannel(op, "bias", options.bias, c, x);
  const m = n * s;
  let mean: Tensor;
  let variance: Tensor;
  if (training) {
    if (m <= 1) {
      throw new WasmgradError(
        `${op}: expected more than 1 value per channel when training but got input ${fmt(x.shape)}`,
      );
    }
    mean = Tensor._empty(op, [c]);
    variance = Tensor._empty(op, [c]);
    K.batchnorm_stats_f32(mean.ptr, variance.ptr, x._ptr(op), n, c, s);
    if (rm !== null || rv !== null) {
      const f32 = backend.f32();
      const mp = mean.ptr >>> 2;
      const vp = variance.ptr >>> 2;
      const rmp = rm === null ? 0 : rm._ptr(op) >>> 2;
      const rvp = rv === null ? 0 : rv._ptr(op) >>> 2;
      const unbias = m / (m - 1);
      for (let i = 0; i < c; i++) {
        if (rm !== null) f32[rmp + i] = (1 - momentum) * f32[rmp + i] + momentum * f32[mp + i];
        if (rv !== null)
          f32[rvp + i] = (1 - momentum) * f32[rvp + i] + momentum * f32[vp + i] * unbias;
      }
    }
  } else {
    if (rm === null || rv === null) {
      throw new WasmgradError(
        `${op}: runningMean and runningVar are required when not training (got ${rm === null ? "no runningMean" : "no runningVar"})`,
      );
    }
    mean = snapshot(op, rm);
    variance = snapshot(op, rv);
  }
  const out = Tensor._empty(op, x.shape);
  const wp = weight === null ? 0 : weight._ptr(op);
  const bp = bias === null ? 0 : bias._ptr(op);
  if (out.numel() > 0)
    K.batchnorm_f32(out.ptr, x._ptr(op), mean.ptr, variance.ptr, wp, bp, n, c, s, eps);
  const inputs = [x];
  if (weight !== null) inputs.push(weight);
  if (bias !== null) inputs.push(bias);
  if (!needsGradAny(inputs)) {
    mean.dispose();
    variance.dispose();
    return out;
  }
  return record(out, op, inputs, (dy) => {
    const dx = x.requiresGrad ? Tensor._empty(op, x.shape) : null;
    const dw = weight?.requiresGrad ? Tensor._empty(op, [c]) : null;
    const db = bias?.requiresGrad ? Tensor._empty(op, [c]) : null;
    K.batchnorm_bwd_f32(
      dx?.ptr ?? 0,
      dw?.ptr ?? 0,
      db?.ptr ?? 0,
      dy._ptr(op),
      x._ptr(op),
      mean.ptr,
      variance.ptr,
      weight === null ? 0 : weight._ptr(op),
      n,
      c,
      s,
      eps,
      training ? 1 : 0,
    );
    const grads: (Tensor | null)[] = [dx];
    if (weight !== null) grads.push(dw);
    if (bias !== null) grads.push(db);
    return grads;
  });
}
