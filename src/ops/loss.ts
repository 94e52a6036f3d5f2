/**
 * Losses, as torch.nn.functional, with PyTorch's options and semantics: mseLoss (composed from
 * differentiable ops); crossEntropy and nllLoss over class indices (class weights, ignoreIndex,
 * label smoothing; one fused kernel forward and one backward, assembly/kernels/loss.ts);
 * crossEntropy over class probabilities (composed); binaryCrossEntropy and
 * binaryCrossEntropyWithLogits (weight, posWeight; fused kernels). Class weights and posWeight
 * are constants, as in PyTorch: they get no gradient.
 */
import { isGradEnabled, needsGrad, record } from "../autograd/engine.js";
import type { Ptr } from "../backend/kernels.js";
import { backend, K, meta } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { tidy } from "../memory.js";
import { broadcastShapes, sameShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, args, describe, floatArg, int } from "../validate.js";
import { add, mul, sub } from "./binary.js";
import { expandRaw, mean, sum } from "./reduce.js";
import { permute, reshape } from "./shape.js";
import { logSoftmax } from "./softmax.js";
import { neg } from "./unary.js";

/**
 * How a loss reduces the per-element losses: `"mean"` (the default), `"sum"` or `"none"`.
 */
export type Reduction = "mean" | "sum" | "none";

/** The reduction option of the losses. */
export interface LossOptions {
  /** "mean" (default), "sum", or "none" (the per-element losses). */
  reduction?: Reduction;
}

/** Options of `F.nllLoss`. */
export interface NLLLossOptions extends LossOptions {
  /** Per-class weights [C]; the mean then divides by the weight sum of the counted targets. */
  weight?: Tensor | null;
  /** Targets equal to it add no loss and no gradient (default -100). */
  ignoreIndex?: number;
}

/** Options of `F.crossEntropy`. */
export interface CrossEntropyOptions extends NLLLossOptions {
  /** Mixes the target with the uniform distribution: (1 - s) onehot + s / C (default 0). */
  labelSmoothing?: number;
}

/** Options of `F.binaryCrossEntropy`. */
export interface BCELossOptions extends LossOptions {
  /** Per-element weights, broadcast to the input's shape. */
  weight?: Tensor | null;
}

/** Options of `F.binaryCrossEntropyWithLogits`. */
export interface BCEWithLogitsOptions extends BCELossOptions {
  /** Weight of the positive term, broadcast to the input's shape (typically [C]). */
  posWeight?: Tensor | null;
}

/**
 * Class indices for crossEntropy and nllLoss: an int32 tensor, an Int32Array or a plain array of
 * integers.
 *
 * PyTorch: `torch.Tensor` (int64 class indices).
 */
export type ClassTargets = Int32Array | readonly number[] | Tensor;

// ---------------------------------------------------------------------------- options

function reductionOf(op: string, opts?: LossOptions): Reduction {
  const r = opts?.reduction ?? "mean";
  if (r !== "mean" && r !== "sum" && r !== "none") {
    throw new WasmgradError(
      `${op}: reduction must be "mean", "sum" or "none" but got ${describe(r)}`,
    );
  }
  return r;
}

/** An optional constant operand (weight, posWeight): a live Tensor that needs no gradient. */
function constArg(op: string, name: string, t: Tensor | null | undefined): Tensor | null {
  if (t === undefined || t === null) return null;
  floatArg(op, name, t);
  if (t.requiresGrad && isGradEnabled()) {
    throw new WasmgradError(
      `${op}: ${name} requires grad, but ${name} gets no gradient (as in PyTorch); pass ${name}.detach()`,
    );
  }
  return t;
}

function reduce(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  const r = reduction === "mean" ? mean(loss) : sum(loss);
  loss.dispose();
  return r;
}

/** A 0-d tensor holding `value`. */
function scalarOut(op: string, value: number): Tensor {
  const out = Tensor._empty(op, []);
  backend.f32()[out.ptr >>> 2] = value;
  return out;
}

/** The fused kernels' reduced result: stats = [sum, divisor] (f32) in the scratch area. */
function reducedOut(op: string, stats: Ptr, reduction: Reduction, divisor: number): Tensor {
  const total = backend.f32()[stats >>> 2];
  return scalarOut(op, reduction === "mean" ? total / divisor : total);
}

// ---------------------------------------------------------------------------- mseLoss

/**
 * Mean squared error: reduce((input - target)^2).
 *
 * PyTorch: `torch.nn.functional.mse_loss`.
 *
 * @example
 * ```ts
 * wg.F.mseLoss(wg.tensor([1, 2]), wg.tensor([2, 4])); // 2.5
 * ```
 */
export function mseLoss(input: Tensor, target: Tensor, ...rest: Args<[], LossOptions>): Tensor {
  const opts = args("mseLoss", rest, [], ["reduction"]) as LossOptions;
  const reduction = reductionOf("mseLoss", opts);
  if (!(input instanceof Tensor) || !(target instanceof Tensor)) {
    throw new WasmgradError("mseLoss: expected input and target to be Tensors");
  }
  try {
    broadcastShapes("mseLoss", input.shape, target.shape);
  } catch {
    throw new WasmgradError(
      `mseLoss: input ${fmt(input.shape)} and target ${fmt(target.shape)} cannot be broadcast to a common shape`,
    );
  }
  const diff = sub(input, target);
  // diff stays alive: the product's backward reads it.
  return reduce(mul(diff, diff), reduction);
}

// ---------------------------------------------------------------------------- class losses

/** Input [N, C] (or [C], or [N, C, d1, ...]): rows of C classes, one per target. */
interface ClassShape {
  n: number;
  c: number;
  /** Shape of the targets and of the unreduced loss: [N], [] or [N, d1, ...]. */
  targetShape: number[];
}

function classShape(op: string, x: Tensor): ClassShape {
  if (x.ndim === 0) {
    throw new WasmgradError(
      `${op}: expected input of shape [N, C], [C] or [N, C, d1, ...] but got []`,
    );
  }
  const c = x.shape[x.ndim === 1 ? 0 : 1];
  const targetShape = x.ndim === 1 ? [] : [x.shape[0], ...x.shape.slice(2)];
  return { n: sizeOf(targetShape), c, targetShape };
}

/** x as [rows, C] with the class dimension last: x itself, or differentiable views, copied once. */
function classRows(x: Tensor, c: number): Tensor {
  if (x.ndim <= 2) return x;
  const moved = permute(x, [0, ...x.shape.slice(2).map((_, i) => i + 2), 1]);
  const rows = reshape(moved, [-1, c]);
  moved.dispose(); // rows holds the data; the graph keeps the permute's backward
  return rows;
}

function ignoreIndexOf(op: string, opts?: NLLLossOptions): number {
  const v = opts?.ignoreIndex ?? -100;
  if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 31) {
    throw new WasmgradError(`${op}: ignoreIndex must be a 32-bit integer but got ${describe(v)}`);
  }
  return v;
}

function classWeight(op: string, c: number, opts?: NLLLossOptions): Tensor | null {
  const w = constArg(op, "weight", opts?.weight);
  if (w !== null && (w.ndim !== 1 || w.shape[0] !== c)) {
    throw new WasmgradError(
      `${op}: weight must have shape [${c}] (one per class) but got ${fmt(w.shape)}`,
    );
  }
  return w;
}

/** Reads and checks class indices: one per target position, in [0, c) or ignoreIndex. */
function classIndices(
  op: string,
  target: ClassTargets,
  input: Tensor,
  shape: readonly number[],
  c: number,
  ignoreIndex: number,
): Int32Array {
  const n = sizeOf(shape);
  let values: ArrayLike<number>;
  if (target instanceof Tensor) {
    target._live(op);
    const ok =
      sameShape(target.shape, shape) || (shape.length === 0 && sameShape(target.shape, [1]));
    if (!ok) {
      throw new WasmgradError(
        `${op}: target must be class indices of shape ${fmt(shape)} for input of shape ${fmt(input.shape)} but got shape ${fmt(target.shape)}`,
      );
    }
    values = target.data();
  } else if (target instanceof Int32Array || Array.isArray(target)) {
    values = target as ArrayLike<number>;
  } else {
    throw new WasmgradError(
      `${op}: target must be class indices (Int32Array, number[] or Tensor) but got ${target === null ? "null" : typeof target}`,
    );
  }
  if (values.length !== n) {
    throw new WasmgradError(
      `${op}: expected ${n} targets for input of shape ${fmt(input.shape)} but got ${values.length}`,
    );
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== ignoreIndex && (!Number.isInteger(v) || v < 0 || v >= c)) {
      throw new WasmgradError(
        `${op}: target ${v} at index ${i} is out of range: class indices must be integers in [0, ${c - 1}] for ${c} classes (or ignoreIndex ${ignoreIndex})`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** The indices in WASM memory, in a temporary tensor-owned buffer. */
function uploadIndices(op: string, idx: Int32Array): Tensor {
  const t = Tensor._empty(op, [idx.length]);
  backend.i32().set(idx, t.ptr >>> 2);
  return t;
}

type ClassKind = "crossEntropy" | "nllLoss";

/** crossEntropy (smoothing s) or nllLoss over class indices, through the fused kernels. */
function classLoss(
  op: ClassKind,
  x: Tensor,
  target: ClassTargets,
  opts: CrossEntropyOptions | undefined,
  smoothing: number,
): Tensor {
  const reduction = reductionOf(op, opts);
  const ignoreIndex = ignoreIndexOf(op, opts);
  const { n, c, targetShape } = classShape(op, x);
  const weight = classWeight(op, c, opts);
  const idx = classIndices(op, target, x, targetShape, c, ignoreIndex);
  const rows = classRows(x, c);
  const px = rows._ptr(op);
  const pw = weight === null ? 0 : weight._ptr(op);
  const t = uploadIndices(op, idx);
  const losses = reduction === "none" ? Tensor._empty(op, targetShape) : null;
  const stats = meta([0, 0]);
  if (op === "crossEntropy") {
    K.softmax_cross_entropy_f32(
      losses?.ptr ?? 0,
      stats,
      px,
      t.ptr,
      pw,
      n,
      c,
      ignoreIndex,
      smoothing,
    );
  } else {
    K.nll_loss_f32(losses?.ptr ?? 0, stats, px, t.ptr, pw, n, c, ignoreIndex);
  }
  t.dispose();
  const divisor = backend.f32()[(stats >>> 2) + 1];
  const out = losses ?? reducedOut(op, stats, reduction, divisor);
  if (!needsGrad(rows)) {
    if (rows !== x) rows.dispose();
    return out;
  }
  const stride = reduction === "none" ? 1 : 0;
  const scale = reduction === "mean" ? 1 / divisor : 1;
  return record(out, op, [rows], (g) => {
    const name = `${op} backward`;
    const pw = weight === null ? 0 : weight._ptr(name);
    const px = op === "crossEntropy" ? rows._ptr(name) : 0;
    const dx = Tensor._empty(op, rows.shape);
    const t = uploadIndices(op, idx);
    if (op === "crossEntropy") {
      K.softmax_cross_entropy_bwd_f32(
        dx.ptr,
        px,
        t.ptr,
        pw,
        n,
        c,
        ignoreIndex,
        smoothing,
        g.ptr,
        stride,
        scale,
      );
    } else {
      K.nll_loss_bwd_f32(dx.ptr, t.ptr, pw, n, c, ignoreIndex, g.ptr, stride, scale);
    }
    t.dispose();
    return [dx];
  });
}

/**
 * Cross-entropy between logits [N, C] (or [C], or [N, C, d1, ...]) and either class indices
 * (Int32Array, number[] or Tensor of shape [N] / [] / [N, d1, ...]) or class probabilities (a
 * Tensor of the input's shape), as torch.nn.functional.cross_entropy:
 *   l_i = (1 - s) w_{y_i} (-log softmax(x_i)_{y_i}) + (s / C) sum_c w_c (-log softmax(x_i)_c)
 * computed with the row maximum subtracted, so large logits are exact. Targets equal to
 * ignoreIndex count nothing; "mean" divides by the summed weight of the counted targets
 * (NaN when there are none, as PyTorch). With probabilities, "mean" divides by N * d1 * ...
 *
 * @example
 * ```ts
 * wg.F.crossEntropy(wg.tensor([[2, 0], [0, 2]]), new Int32Array([0, 1])); // 0.1269
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  target: ClassTargets,
  ...rest: Args<[weight: Tensor | null], CrossEntropyOptions>
): Tensor {
  const op = "crossEntropy";
  const opts = args(op, rest, ["weight"], CLASS_KEYS) as CrossEntropyOptions;
  if (opts.ignoreIndex !== undefined) int(op, "ignoreIndex", opts.ignoreIndex);
  floatArg(op, "logits", logits);
  const s = opts?.labelSmoothing ?? 0;
  if (typeof s !== "number" || !(s >= 0 && s <= 1)) {
    throw new WasmgradError(`${op}: labelSmoothing must be between 0 and 1 but got ${describe(s)}`);
  }
  if (target instanceof Tensor && logits.ndim > 0 && sameShape(target.shape, logits.shape)) {
    return softCrossEntropy(logits, target, opts, s);
  }
  return classLoss(op, logits, target, opts, s);
}

/** Cross-entropy against class probabilities: -sum_c w_c t'_c log softmax(x)_c, composed. */
function softCrossEntropy(
  x: Tensor,
  target: Tensor,
  opts: CrossEntropyOptions | undefined,
  s: number,
): Tensor {
  const op = "crossEntropy";
  const reduction = reductionOf(op, opts);
  if (opts?.ignoreIndex !== undefined) {
    throw new WasmgradError(
      `${op}: ignoreIndex applies to class-index targets, not to class probabilities (target shape ${fmt(target.shape)})`,
    );
  }
  const classDim = x.ndim === 1 ? 0 : 1;
  const c = x.shape[classDim];
  const weight = classWeight(op, c, opts);
  const compute = (): Tensor => {
    const t = s > 0 ? add(mul(target, 1 - s), s / c) : target;
    let prod = mul(logSoftmax(x, classDim), t);
    if (weight !== null) {
      const w = x.ndim > 2 ? reshape(weight, [c, ...x.shape.slice(2).map(() => 1)]) : weight;
      prod = mul(prod, w);
    }
    return reduce(neg(sum(prod, classDim)), reduction);
  };
  // Without autograd no intermediate is needed afterwards; with it, the graph holds them.
  return needsGrad(x, target) ? compute() : tidy(compute);
}

/**
 * Negative log-likelihood of log-probabilities [N, C] (or [C], or [N, C, d1, ...]) at class
 * indices, as torch.nn.functional.nll_loss: l_i = -w_{y_i} x_{i, y_i}, with ignoreIndex and
 * the weighted mean of crossEntropy.
 */
const CLASS_KEYS = ["reduction", "ignoreIndex", "labelSmoothing"] as const;

/**
 * Negative log-likelihood of class targets given log-probabilities [N, C] (or [N, C, ...]), with
 * optional class weights, ignoreIndex and reduction.
 *
 * PyTorch: `torch.nn.functional.nll_loss`.
 *
 * @example
 * ```ts
 * wg.F.nllLoss(wg.logSoftmax(wg.tensor([[2, 0]]), 1), new Int32Array([0])); // 0.1269
 * ```
 */
export function nllLoss(
  input: Tensor,
  target: ClassTargets,
  ...rest: Args<[weight: Tensor | null], NLLLossOptions>
): Tensor {
  const opts = args("nllLoss", rest, ["weight"], ["reduction", "ignoreIndex"]) as NLLLossOptions;
  if (opts.ignoreIndex !== undefined) int("nllLoss", "ignoreIndex", opts.ignoreIndex);
  floatArg("nllLoss", "input", input);
  return classLoss("nllLoss", input, target, opts, 0);
}

// ---------------------------------------------------------------------------- binary losses

/** `w` materialised at `shape` when it is a broadcast (a temporary the caller disposes). */
function expandedTo(
  op: string,
  name: string,
  w: Tensor | null,
  shape: readonly number[],
): Tensor | null {
  if (w === null) return null;
  const b = broadcastShapes(op, w.shape, shape);
  if (!sameShape(b, shape)) {
    throw new WasmgradError(
      `${op}: ${name} of shape ${fmt(w.shape)} does not broadcast to the input's shape ${fmt(shape)}`,
    );
  }
  return sameShape(w.shape, shape) ? w : expandRaw(w, w.shape, shape);
}

function release(t: Tensor | null, owner: Tensor | null): void {
  if (t !== null && t !== owner) t.dispose();
}

type BinaryKind = "binaryCrossEntropy" | "binaryCrossEntropyWithLogits";

function binaryLoss(
  op: BinaryKind,
  x: Tensor,
  target: Tensor,
  opts: BCEWithLogitsOptions | undefined,
): Tensor {
  const reduction = reductionOf(op, opts);
  floatArg(op, "input", x);
  floatArg(op, "target", target);
  if (!sameShape(x.shape, target.shape)) {
    throw new WasmgradError(
      `${op}: target shape ${fmt(target.shape)} must be the same as the input shape ${fmt(x.shape)}`,
    );
  }
  const weight = constArg(op, "weight", opts?.weight);
  const posWeight = constArg(op, "posWeight", opts?.posWeight);
  const n = x.numel();
  const w = expandedTo(op, "weight", weight, x.shape);
  const pw = expandedTo(op, "posWeight", posWeight, x.shape);
  const px = x._ptr(op);
  const pt = target._ptr(op);
  const losses = reduction === "none" ? Tensor._empty(op, x.shape) : null;
  const stats = meta([0, 0]);
  const lp = losses?.ptr ?? 0;
  if (op === "binaryCrossEntropy") {
    K.binary_cross_entropy_f32(lp, stats, px, pt, w?.ptr ?? 0, n);
  } else {
    K.bce_with_logits_f32(lp, stats, px, pt, w?.ptr ?? 0, pw?.ptr ?? 0, n);
  }
  release(w, weight);
  release(pw, posWeight);
  if (op === "binaryCrossEntropy") {
    const bad = backend.i32()[(stats >>> 2) + 1];
    if (bad >= 0) {
      losses?.dispose();
      throw new WasmgradError(
        `${op}: all elements of input should be between 0 and 1 but input element ${bad} is ${x.data()[bad]} (pass probabilities, e.g. sigmoid(logits), or use binaryCrossEntropyWithLogits)`,
      );
    }
  }
  const out = losses ?? reducedOut(op, stats, reduction, n);
  if (!needsGrad(x, target)) return out;
  const stride = reduction === "none" ? 1 : 0;
  const scale = reduction === "mean" ? 1 / n : 1;
  return record(out, op, [x, target], (g) => {
    const name = `${op} backward`;
    const px = x._ptr(name);
    const pt = target._ptr(name);
    const dx = x.requiresGrad ? Tensor._empty(op, x.shape) : null;
    const dt = target.requiresGrad ? Tensor._empty(op, x.shape) : null;
    const w = expandedTo(op, "weight", weight, x.shape);
    const pw = expandedTo(op, "posWeight", posWeight, x.shape);
    const [pdx, pdt, pww] = [dx?.ptr ?? 0, dt?.ptr ?? 0, w?.ptr ?? 0];
    if (op === "binaryCrossEntropy") {
      K.binary_cross_entropy_bwd_f32(pdx, pdt, px, pt, pww, n, g.ptr, stride, scale);
    } else {
      K.bce_with_logits_bwd_f32(pdx, pdt, px, pt, pww, pw?.ptr ?? 0, n, g.ptr, stride, scale);
    }
    release(w, weight);
    release(pw, posWeight);
    return [dx, dt];
  });
}

/**
 * Binary cross-entropy of probabilities, as torch.nn.functional.binary_cross_entropy:
 *   l = -w (t log x + (1 - t) log(1 - x)), each log clamped to >= -100 as PyTorch does.
 * Inputs outside [0, 1] throw. Mean divides by the number of elements.
 *
 * @example
 * ```ts
 * wg.F.binaryCrossEntropy(wg.tensor([0.9, 0.2]), wg.tensor([1, 0])); // 0.1643
 * ```
 */
export function binaryCrossEntropy(
  input: Tensor,
  target: Tensor,
  ...rest: Args<[weight: Tensor | null], BCELossOptions>
): Tensor {
  const opts = args("binaryCrossEntropy", rest, ["weight"], ["reduction"]) as BCELossOptions;
  return binaryLoss("binaryCrossEntropy", input, target, opts);
}

/**
 * Binary cross-entropy of logits, stable for any magnitude (the log-sum-exp form of
 * torch.nn.functional.binary_cross_entropy_with_logits):
 *   l = w ((1 - t) x + (1 + (posWeight - 1) t) log(1 + exp(-x)))
 *
 * @example
 * ```ts
 * wg.F.binaryCrossEntropyWithLogits(wg.tensor([2, -1]), wg.tensor([1, 0])); // 0.2201
 * ```
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  ...rest: Args<[weight: Tensor | null], BCEWithLogitsOptions>
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  const opts = args(op, rest, ["weight"], ["reduction", "posWeight"]) as BCEWithLogitsOptions;
  return binaryLoss("binaryCrossEntropyWithLogits", input, target, opts);
}
