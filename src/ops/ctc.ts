/**
 * The connectionist temporal classification loss, as torch.nn.functional.ctc_loss: the negative
 * log-likelihood of each target sequence summed over every alignment of it to the input steps,
 * by the alpha (forward) and beta (backward) recursions in log space of
 * assembly/kernels/ctc.ts. The gradient with respect to logProbs is PyTorch's, which assumes
 * logProbs are log-softmaxed (see the kernel's note); through logSoftmax it is the exact one.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { fmt } from "../errors.js";
import { Tensor } from "../tensor.js";
import {
  type Args,
  args,
  bool,
  describe,
  fail,
  floatArg,
  int,
  oneOf,
  tensorArg,
} from "../validate.js";

/**
 * Target labels for ctcLoss: an int32 Tensor [N, S] (padded, one row per sample) or [sum of the
 * target lengths] (concatenated), an Int32Array or number[] (concatenated), or number[][]
 * (padded rows).
 *
 * PyTorch: `torch.Tensor` (int64 or int32 targets).
 */
export type CTCTargets = Tensor | Int32Array | readonly number[] | readonly (readonly number[])[];

/**
 * Per-sample lengths for ctcLoss: an int32 Tensor [N], an Int32Array or number[] of N integers
 * (a number or a 0-d tensor for unbatched input).
 *
 * PyTorch: `torch.Tensor` or a tuple of ints.
 */
export type CTCLengths = Tensor | Int32Array | readonly number[] | number;

/** The options of ctcLoss and nn.CTCLoss, as PyTorch's keyword arguments. */
export interface CTCLossOptions {
  /** The blank label (default 0). */
  blank?: number;
  /** "mean" (default: each loss divided by its target length, then the batch mean), "sum", "none". */
  reduction?: "mean" | "sum" | "none";
  /** Infinite losses (impossible alignments) and their gradients become 0 (default false). */
  zeroInfinity?: boolean;
}

/** Integers of a tensor (int32 only) or array, with the shape they came in. */
function integers(op: string, name: string, v: unknown): { values: Int32Array; shape: number[] } {
  if (v instanceof Tensor) {
    const t = tensorArg(op, name, v, "int32");
    return { values: Int32Array.from(t.data() as ArrayLike<number>), shape: [...t.shape] };
  }
  if (typeof v === "number") return { values: Int32Array.of(int(op, name, v)), shape: [] };
  if (v instanceof Int32Array) return { values: v, shape: [v.length] };
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((row) => Array.isArray(row))) {
      const width = (v[0] as unknown[]).length;
      if (!v.every((row) => (row as unknown[]).length === width)) {
        fail(op, `${name} rows must all have the same length but got ${describe(v)}`);
      }
      const flat = (v as unknown[][]).flat().map((e) => int(op, name, e));
      return { values: Int32Array.from(flat), shape: [v.length, width] };
    }
    return { values: Int32Array.from(v.map((e) => int(op, name, e))), shape: [v.length] };
  }
  return fail(
    op,
    `${name} must be an int32 Tensor, an Int32Array or an array of integers but got ${describe(v)}`,
  );
}

function lengths(op: string, name: string, v: unknown, n: number, batched: boolean): Int32Array {
  const { values, shape } = integers(op, name, v);
  const ok = batched
    ? shape.length === 1 && shape[0] === n
    : shape.length <= 1 && values.length === 1;
  if (!ok) {
    fail(
      op,
      `${name} must hold ${batched ? `${n} lengths (one per sample), shape [${n}]` : "one length (unbatched input)"} but got shape ${fmt(shape)}`,
    );
  }
  return values;
}

interface Problem {
  t: number;
  n: number;
  c: number;
  /** [n, 3]: input length, target length, offset into `labels`. */
  info: Int32Array;
  labels: Int32Array;
  targetLengths: Int32Array;
}

function problem(
  op: string,
  lp: Tensor,
  targets: unknown,
  inputLengths: unknown,
  targetLengths: unknown,
  blank: number,
): Problem {
  const batched = lp.ndim === 3;
  if (lp.ndim !== 2 && !batched) {
    fail(op, `expected logProbs of shape [T, N, C] or [T, C] but got ${fmt(lp.shape)}`);
  }
  const t = lp.shape[0];
  const n = batched ? lp.shape[1] : 1;
  const c = lp.shape[lp.ndim - 1];
  if (n === 0 || c === 0) fail(op, `logProbs ${fmt(lp.shape)} has no samples or no classes`);
  if (blank >= c) fail(op, `blank ${blank} is out of range for ${c} classes`);
  const il = lengths(op, "inputLengths", inputLengths, n, batched);
  const tl = lengths(op, "targetLengths", targetLengths, n, batched);
  const tg = integers(op, "targets", targets);
  const padded = tg.shape.length === 2;
  if (tg.shape.length !== 1 && !padded) {
    fail(
      op,
      `targets must be [N, S] (padded) or [sum of targetLengths] (concatenated) but got shape ${fmt(tg.shape)}`,
    );
  }
  if (padded && tg.shape[0] !== n) {
    fail(op, `padded targets ${fmt(tg.shape)} must have one row per sample (${n})`);
  }
  const width = padded ? tg.shape[tg.shape.length - 1] : 0;
  let total = 0;
  for (let b = 0; b < n; b++) {
    if (il[b] < 0 || il[b] > t) {
      fail(op, `inputLengths[${b}] is ${il[b]} but must be in [0, ${t}] (T = ${t})`);
    }
    if (tl[b] < 0) fail(op, `targetLengths[${b}] is ${tl[b]} but must be >= 0`);
    if (padded && tl[b] > width) {
      fail(op, `targetLengths[${b}] is ${tl[b]} but the padded targets hold ${width} per sample`);
    }
    total += tl[b];
  }
  if (!padded && tg.values.length !== total) {
    fail(
      op,
      `concatenated targets must hold sum(targetLengths) = ${total} labels but got ${tg.values.length}`,
    );
  }
  const info = new Int32Array(3 * n);
  const labels = new Int32Array(total);
  let off = 0;
  for (let b = 0; b < n; b++) {
    const from = padded ? b * width : off;
    for (let j = 0; j < tl[b]; j++) {
      const k = tg.values[from + j];
      if (k < 0 || k >= c || k === blank) {
        fail(
          op,
          `target label ${k} (sample ${b}, position ${j}) must be a class in [0, ${c - 1}] other than blank ${blank}`,
        );
      }
      labels[off + j] = k;
    }
    info.set([il[b], tl[b], off], 3 * b);
    off += tl[b];
  }
  return { t, n, c, info, labels, targetLengths: tl };
}

/** A float-typed tensor holding int32 bits, for the kernels' i32 operands. */
function ints(op: string, values: Int32Array): Tensor {
  const out = Tensor._empty(op, [Math.max(values.length, 1)]);
  backend.i32().set(values, out.ptr >>> 2);
  return out;
}

function floats(op: string, values: Float32Array): Tensor {
  const out = Tensor._empty(op, [Math.max(values.length, 1)]);
  backend.f32().set(values, out.ptr >>> 2);
  return out;
}

/**
 * The CTC loss of log-probabilities [T, N, C] (or [T, C] unbatched) against target label
 * sequences: the negative log of the summed probability of every alignment (paths with blanks
 * and repeats that collapse to the target). Targets are padded [N, S] or concatenated; lengths
 * say how many input steps and labels each sample uses. "mean" divides each loss by its target
 * length (at least 1) and averages over the batch, as PyTorch. An impossible alignment (input
 * too short) gives +Infinity, or 0 with zeroInfinity.
 *
 * PyTorch: `torch.nn.functional.ctc_loss`.
 *
 * @example
 * ```ts
 * const logProbs = wg.logSoftmax(wg.randn([6, 2, 4]), 2);
 * wg.F.ctcLoss(logProbs, [[1, 2], [3, 3]], [6, 5], [2, 2], { reduction: "none" }).shape; // [2]
 * ```
 */
export function ctcLoss(
  logProbs: Tensor,
  targets: CTCTargets,
  inputLengths: CTCLengths,
  targetLengths: CTCLengths,
  ...rest: Args<
    [blank: number, reduction: "mean" | "sum" | "none", zeroInfinity: boolean],
    CTCLossOptions
  >
): Tensor {
  const op = "ctcLoss";
  const lp = floatArg(op, "logProbs", logProbs);
  const a = args(op, rest, ["blank", "reduction", "zeroInfinity"]);
  const blank = a.blank === undefined ? 0 : int(op, "blank", a.blank, 0);
  const reduction =
    a.reduction === undefined
      ? "mean"
      : oneOf(op, "reduction", a.reduction, ["mean", "sum", "none"] as const);
  const zeroInfinity =
    a.zeroInfinity === undefined ? false : bool(op, "zeroInfinity", a.zeroInfinity);
  const p = problem(op, lp, targets, inputLengths, targetLengths, blank);
  const { t, n, c } = p;
  let maxL = 0;
  for (let b = 0; b < n; b++) maxL = Math.max(maxL, p.targetLengths[b]);
  const r = Math.ceil((2 * maxL + 1) / 4) * 4 + 4;
  const px = lp._ptr(op);
  const labels = ints(op, p.labels);
  const info = ints(op, p.info);
  const nll = Tensor._empty(op, [n]);
  const alpha = Tensor._empty(op, [Math.max(n * t * r, 1)]);
  const ws = Tensor._empty(op, [5 * r]);
  K.ctc_loss_f32(nll.ptr, alpha.ptr, px, labels.ptr, info.ptr, ws.ptr, t, n, c, blank, r);
  const losses = Float32Array.from(nll.data() as ArrayLike<number>);
  if (zeroInfinity) for (let b = 0; b < n; b++) if (losses[b] === Infinity) losses[b] = 0;
  let out: Tensor;
  if (reduction === "none") {
    out = Tensor._empty(op, lp.ndim === 2 ? [] : [n]);
    backend.f32().set(losses, out.ptr >>> 2);
  } else {
    let s = 0;
    for (let b = 0; b < n; b++) {
      s += reduction === "mean" ? losses[b] / Math.max(p.targetLengths[b], 1) : losses[b];
    }
    out = Tensor._empty(op, []);
    backend.f32()[out.ptr >>> 2] = reduction === "mean" ? s / n : s;
  }
  if (!needsGrad(lp)) {
    for (const x of [labels, info, nll, alpha, ws]) x.dispose();
    return out;
  }
  return record(out, op, [lp], (g) => {
    const up = g.data() as ArrayLike<number>;
    const gr = new Float32Array(Math.max(n, 1));
    for (let b = 0; b < n; b++) {
      gr[b] =
        reduction === "none"
          ? up[b]
          : reduction === "sum"
            ? up[0]
            : up[0] / Math.max(p.targetLengths[b], 1) / n;
    }
    const grads = floats(op, gr);
    const dx = Tensor._empty(op, lp.shape);
    K.ctc_loss_bwd_f32(
      dx.ptr,
      lp._ptr(op),
      labels._ptr(op),
      info._ptr(op),
      alpha._ptr(op),
      nll._ptr(op),
      grads.ptr,
      ws._ptr(op),
      t,
      n,
      c,
      blank,
      r,
      zeroInfinity ? 1 : 0,
    );
    grads.dispose();
    return [dx];
  });
}
