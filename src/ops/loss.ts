/**
 * Losses, as torch.nn.functional: mseLoss (composed from differentiable ops) and crossEntropy
 * over class indices (one fused, max-shifted log-softmax kernel forward and backward).
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { mul, sub } from "./binary.js";
import { scalarRaw } from "./raw.js";
import { mean, sum } from "./reduce.js";

export type Reduction = "mean" | "sum" | "none";

export interface LossOptions {
  reduction?: Reduction;
}

function reductionOf(op: string, opts?: LossOptions): Reduction {
  const r = opts?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") {
    throw new WasmgradError(
      `${op}: reduction must be "mean", "sum" or "none" but got ${JSON.stringify(r)}`,
    );
  }
  return r;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  const r = reduction === "mean" ? mean(loss) : sum(loss);
  loss.dispose();
  return r;
}

/** Mean squared error: reduce((input - target)^2). */
export function mseLoss(input: Tensor, target: Tensor, opts?: LossOptions): Tensor {
  const reduction = reductionOf("mseLoss", opts);
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) {
    throw new WasmgradError("mseLoss: expected input and target to be Tensors");
  }
  const diff = sub(input, target);
  // diff stays alive: the product's backward reads it.
  return reduce(mul(diff, diff), reduction);
}

export type ClassTargets = Int32Array | readonly number[] | Tensor;

/** Reads and checks class indices for `n` rows of `c` classes. */
function classIndices(op: string, target: ClassTargets, n: number, c: number): Int32Array {
  let values: ArrayLike<number>;
  if (target instanceof Tensor) {
    if (target.ndim !== 1) {
      throw new WasmgradError(
        `${op}: target tensor must be 1-D class indices but got shape ${fmt(target.shape)}`,
      );
    }
    values = target.data();
  } else if (target instanceof Int32Array || Array.isArray(target)) {
    values = target as ArrayLike<number>;
  } else {
    throw new WasmgradError(
      `${op}: target must be class indices (Int32Array, number[] or Tensor) but got ${typeof target}`,
    );
  }
  if (values.length !== n) {
    throw new WasmgradError(
      `${op}: expected ${n} targets (one per row of the input) but got ${values.length}`,
    );
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= c) {
      throw new WasmgradError(
        `${op}: target ${v} at index ${i} is out of range: class indices must be integers in [0, ${c - 1}] for ${c} classes`,
      );
    }
    out[i] = v;
  }
  return out;
}

/**
 * Cross-entropy between logits [N, C] (or [C]) and class indices: -log softmax(x)[target],
 * computed with the row maximum subtracted so large logits are exact.
 */
export function crossEntropy(logits: Tensor, target: ClassTargets, opts?: LossOptions): Tensor {
  const reduction = reductionOf("crossEntropy", opts);
  if (!(logits instanceof Tensor)) {
    throw new WasmgradError(
      `crossEntropy: expected logits to be a Tensor but got ${typeof logits}`,
    );
  }
  logits._live("crossEntropy");
  if (logits.ndim !== 1 && logits.ndim !== 2) {
    throw new WasmgradError(
      `crossEntropy: expected logits of shape [N, C] or [C] but got ${fmt(logits.shape)}`,
    );
  }
  const n = logits.ndim === 2 ? logits.shape[0] : 1;
  const c = logits.shape[logits.ndim - 1];
  const idx = classIndices("crossEntropy", target, n, c);
  // The indices live in WASM memory for the kernels, in a tensor-owned buffer.
  const t = Tensor._empty("crossEntropy", [n]);
  backend.i32().set(idx, t.ptr >>> 2);
  const losses = Tensor._empty("crossEntropy", logits.ndim === 2 ? [n] : []);
  if (n > 0) K.cross_entropy_f32(losses.ptr, logits.ptr, t.ptr, n, c);
  let out: Tensor;
  if (reduction === "none") out = losses;
  else {
    const total = sum(losses);
    losses.dispose();
    out = reduction === "mean" ? scalarRaw("crossEntropy", BinaryOp.mul, total, 1 / n) : total;
    if (out !== total) total.dispose();
  }
  if (!needsGrad(logits)) {
    t.dispose();
    return out;
  }
  const scale = reduction === "mean" ? 1 / n : 1;
  const stride = reduction === "none" ? 1 : 0;
  return record(out, "crossEntropy", [logits], (g) => {
    const dx = Tensor._empty("crossEntropy", logits.shape);
    if (n > 0)
      K.cross_entropy_bwd_f32(
        dx.ptr,
        logits.ptr,
        t._ptr("crossEntropy backward"),
        n,
        c,
        g.ptr,
        stride,
        scale,
      );
    return [dx];
  });
}
