/**
 * Statistics over a dim, a list of dims or everything: var and std with PyTorch's `correction`
 * (the divisor is max(N - correction, 0); `unbiased` is the older spelling of correction 1 or
 * 0), logsumexp, and the vector norm. Each has its own backward, recomputed from the input, so
 * no intermediate has to outlive the forward.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { normDims, type Shape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, describe, fail, num } from "../validate.js";
import { asFloat } from "./cast.js";
import { mapRaw } from "./elementwise.js";
import { binaryRaw, mulRaw, reduceTo, scalarRaw } from "./raw.js";

export type DimArg = number | readonly number[] | null | undefined;

interface Plan {
  /** x.shape with reduced dims set to 1. */
  keepShape: number[];
  outShape: number[];
  count: number;
}

function plan(op: string, x: Tensor, dim: DimArg, keepdim: boolean): Plan {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
  x._live(op);
  if (typeof keepdim !== "boolean") {
    throw new WasmgradError(`${op}: expected keepdim to be a boolean but got ${typeof keepdim}`);
  }
  const all = dim === undefined || dim === null || (Array.isArray(dim) && dim.length === 0);
  if (!all && typeof dim !== "number" && !Array.isArray(dim)) {
    throw new WasmgradError(
      `${op}: expected dim to be a number or an array of numbers but got ${typeof dim}`,
    );
  }
  const dims = all ? x.shape.map((_, i) => i) : normDims(op, dim as number | number[], x.ndim);
  const keepShape = x.shape.map((d, i) => (dims.includes(i) ? 1 : d));
  const outShape = keepdim ? keepShape : x.shape.filter((_, i) => !dims.includes(i));
  const count = dims.reduce((n, d) => n * x.shape[d], 1);
  return { keepShape, outShape, count };
}

/** Reshapes a fresh keepShape tensor to `shape` (same count), consuming it. */
function reshaped(t: Tensor, shape: Shape): Tensor {
  if (t.shape.length === shape.length) return t;
  const v = Tensor._view(t, shape);
  t.dispose();
  return v;
}

function consume(t: Tensor, f: (t: Tensor) => Tensor): Tensor {
  const r = f(t);
  if (r !== t) t.dispose();
  return r;
}

/** x - mean(x) over the plan's dims, at x's shape. */
function centered(op: string, x: Tensor, p: Plan): Tensor {
  const s = reduceTo(op, ReduceOp.sum, x, p.keepShape);
  const m = consume(s, (t) => scalarRaw(op, BinaryOp.mul, t, 1 / p.count));
  return consume(m, (t) => binaryRaw(op, BinaryOp.sub, x, t));
}

/** Options of {@link Tensor.var}, {@link Tensor.std} and their functions. */
export interface VarOptions {
  /**
   * The difference between the number of elements and the divisor: 1 (default, Bessel's
   * correction) or 0 (the population variance).
   */
  correction?: number;
  /** The older form of `correction`: true is 1, false is 0. */
  unbiased?: boolean;
  /** Keep the reduced dims as size 1 (default false). */
  keepdim?: boolean;
}

/** var/std's arguments after the tensor (see varArgs). */
export type VarArgs =
  | []
  | [DimArg | boolean]
  | [DimArg, VarOptions]
  | [DimArg, boolean, boolean?]
  | [DimArg, boolean, boolean, VarOptions]
  | [VarOptions];

/**
 * The arguments of var/std as PyTorch takes them: `(dim?, { correction, keepdim })`,
 * `(dim, unbiased, keepdim?)`, `(unbiased)` or `({ ... })`.
 */
function varArgs(
  op: string,
  rest: readonly unknown[],
): { dim: DimArg; correction: number; keepdim: boolean } {
  const list = typeof rest[0] === "boolean" ? [undefined, ...rest] : rest;
  const a = args(op, list, ["dim", "unbiased", "keepdim"], ["correction"]);
  const unbiased = a.unbiased === undefined ? undefined : bool(op, "unbiased", a.unbiased);
  if (a.correction !== undefined && unbiased !== undefined) {
    fail(op, "cannot specify both unbiased and correction");
  }
  const correction =
    a.correction === undefined
      ? unbiased === false
        ? 0
        : 1
      : num(op, "correction", a.correction, { finite: true });
  const keepdim = a.keepdim === undefined ? false : bool(op, "keepdim", a.keepdim);
  return { dim: a.dim as DimArg, correction, keepdim };
}

function varianceOf(op: string, x: Tensor, a: ReturnType<typeof varArgs>, root: boolean): Tensor {
  const p = plan(op, x, a.dim, a.keepdim);
  const divisor = Math.max(p.count - a.correction, 0);
  const c = centered(op, x, p);
  const sq = mapRaw(op, K.square_f32, c);
  c.dispose();
  const s = consume(sq, (t) => reduceTo(op, ReduceOp.sum, t, p.keepShape));
  let v = consume(s, (t) => scalarRaw(op, BinaryOp.div, t, divisor));
  if (root) v = consume(v, (t) => mapRaw(op, K.sqrt_f32, t));
  const out = reshaped(v, p.outShape);
  if (!needsGrad(x)) return out;
  return record(
    out,
    op,
    [x],
    (g) => {
      // d var = 2 (x - mean) / divisor; d std = d var / (2 std).
      const gk = Tensor._view(g, p.keepShape);
      let scale = scalarRaw(op, BinaryOp.mul, gk, (root ? 1 : 2) / divisor);
      gk.dispose();
      if (root) {
        const sk = Tensor._view(out, p.keepShape);
        scale = consume(scale, (t) => binaryRaw(op, BinaryOp.div, t, sk));
        // Where std is 0 (a constant slice) PyTorch's gradient is 0, not 0 * inf = NaN.
        const f = backend.f32();
        const sp = scale._rawPtr(op) >>> 2;
        const op0 = sk._rawPtr(op) >>> 2;
        for (let i = 0; i < scale.numel(); i++) if (f[op0 + i] === 0) f[sp + i] = 0;
        sk.dispose();
      }
      const cx = centered(op, x, p);
      const dx = binaryRaw(op, BinaryOp.mul, cx, scale);
      cx.dispose();
      scale.dispose();
      return [dx];
    },
    root ? [x, out] : [x],
  );
}

/**
 * Variance over `dim` (all elements by default), as torch.var.
 *
 * @example
 * ```ts
 * wg.var(wg.tensor([1, 2, 3, 4])); // 1.6667 (Bessel-corrected)
 * ```
 */
export function variance(x: Tensor, ...rest: VarArgs): Tensor {
  return varianceOf("var", x, varArgs("var", rest), false);
}

/**
 * Standard deviation over `dim` (all elements by default), as torch.std.
 *
 * @example
 * ```ts
 * wg.std(wg.tensor([1, 2, 3, 4])); // 1.291 (Bessel-corrected)
 * ```
 */
export function std(x: Tensor, ...rest: VarArgs): Tensor {
  return varianceOf("std", x, varArgs("std", rest), true);
}

/** Replaces values of a small tensor in place (reduced results: one per output). */
function patch(t: Tensor, f: (v: number) => number): void {
  const view = backend.f32();
  const base = t.ptr >>> 2;
  for (let i = 0; i < sizeOf(t.shape); i++) view[base + i] = f(view[base + i]);
}

/**
 * log(sum(exp(x))) over `dim`, stable for large |x| (torch.logsumexp).
 *
 * @example
 * ```ts
 * wg.logsumexp(wg.tensor([[0, 0]]), 1); // [0.6931]
 * ```
 */
export function logsumexp(
  x: Tensor,
  ...rest: Args<
    [number | readonly number[], boolean],
    { dim?: number | readonly number[]; keepdim?: boolean }
  >
): Tensor {
  const a = args("logsumexp", rest, ["dim", "keepdim"]);
  const dim = a.dim as DimArg;
  const keepdim = a.keepdim === undefined ? false : bool("logsumexp", "keepdim", a.keepdim);
  if (dim === undefined || dim === null) {
    throw new WasmgradError("logsumexp: dim is required (a number or an array of numbers)");
  }
  if (x instanceof Tensor && x.dtype !== "float32") {
    // PyTorch computes integer input in float; integers carry no gradient.
    const fx = asFloat("logsumexp", x);
    const r = logsumexp(fx, dim as number | number[], keepdim);
    fx.dispose();
    return r;
  }
  const p = plan("logsumexp", x, dim, keepdim);
  const m = reduceTo("logsumexp", ReduceOp.max, x, p.keepShape);
  // An infinite maximum is replaced by 0 so that x - m stays finite (torch does the same).
  patch(m, (v) => (Math.abs(v) === Number.POSITIVE_INFINITY ? 0 : v));
  const d = binaryRaw("logsumexp", BinaryOp.sub, x, m);
  const e = consume(d, (t) => mapRaw("logsumexp", K.exp_f32, t));
  const s = consume(e, (t) => reduceTo("logsumexp", ReduceOp.sum, t, p.keepShape));
  const l = consume(s, (t) => mapRaw("logsumexp", K.log_f32, t));
  const r = binaryRaw("logsumexp", BinaryOp.add, l, m);
  l.dispose();
  m.dispose();
  const out = reshaped(r, p.outShape);
  if (!needsGrad(x)) return out;
  return record(
    out,
    "logsumexp",
    [x],
    (g) => {
      // d/dx = softmax(x) = exp(x - out)
      const ok = Tensor._view(out, p.keepShape);
      const gk = Tensor._view(g, p.keepShape);
      const sm = consume(binaryRaw("logsumexp", BinaryOp.sub, x, ok), (t) =>
        mapRaw("logsumexp", K.exp_f32, t),
      );
      ok.dispose();
      const dx = binaryRaw("logsumexp", BinaryOp.mul, sm, gk);
      sm.dispose();
      gk.dispose();
      return [dx];
    },
    [x, out],
  );
}

/**
 * The vector p-norm over `dim` (all elements by default), as torch.norm / linalg.vector_norm:
 * p a number (Infinity and -Infinity included) or "fro" (= 2).
 *
 * @example
 * ```ts
 * wg.norm(wg.tensor([3, 4])); // 5
 * ```
 */
export function norm(
  x: Tensor,
  ...rest: Args<
    [number | "fro" | null, DimArg, boolean],
    { p?: number | "fro" | null; dim?: DimArg; keepdim?: boolean }
  >
): Tensor {
  const a = args("norm", rest, ["p", "dim", "keepdim"]);
  const p = a.p ?? 2;
  const dim = a.dim as DimArg;
  const keepdim = a.keepdim === undefined ? false : bool("norm", "keepdim", a.keepdim);
  const ord = p === "fro" ? 2 : p;
  if (typeof ord !== "number" || Number.isNaN(ord)) {
    throw new WasmgradError(`norm: expected p to be a number or "fro" but got ${describe(p)}`);
  }
  const pl = plan("norm", x, dim, keepdim);
  const ax = mapRaw("norm", K.abs_f32, x);
  let r: Tensor;
  if (ord === Number.POSITIVE_INFINITY) {
    r = reduceTo("norm", ReduceOp.max, ax, pl.keepShape);
  } else if (ord === Number.NEGATIVE_INFINITY) {
    const neg = scalarRaw("norm", BinaryOp.mul, ax, -1);
    r = consume(reduceTo("norm", ReduceOp.max, neg, pl.keepShape), (t) =>
      scalarRaw("norm", BinaryOp.mul, t, -1),
    );
    neg.dispose();
  } else if (ord === 0) {
    const nz = consume(scalarRaw("norm", BinaryOp.eq, ax, 0), (t) =>
      scalarRaw("norm", BinaryOp.rsub, t, 1),
    );
    r = consume(nz, (t) => reduceTo("norm", ReduceOp.sum, t, pl.keepShape));
  } else if (ord === 1) {
    r = reduceTo("norm", ReduceOp.sum, ax, pl.keepShape);
  } else {
    const pw = ord === 2 ? mapRaw("norm", K.square_f32, ax) : powScalar(ax, ord);
    const s = consume(pw, (t) => reduceTo("norm", ReduceOp.sum, t, pl.keepShape));
    r = consume(s, (t) => (ord === 2 ? mapRaw("norm", K.sqrt_f32, t) : powScalar(t, 1 / ord)));
  }
  const out = reshaped(r, pl.outShape);
  if (!needsGrad(x)) {
    ax.dispose();
    return out;
  }
  ax.dispose();
  return record(out, "norm", [x], (g) => [normGrad(x, g, out, ord, pl)], [x, out]);
}

function powScalar(t: Tensor, e: number): Tensor {
  const out = Tensor._empty("norm", t.shape);
  K.pow_f32(out.ptr, t._ptr("norm"), sizeOf(t.shape), e);
  return out;
}

function normGrad(x: Tensor, g: Tensor, out: Tensor, ord: number, pl: Plan): Tensor {
  const gk = Tensor._view(g, pl.keepShape);
  const ok = Tensor._view(out, pl.keepShape);
  const sgn = mapRaw("norm", K.sign_f32, x);
  let dx: Tensor;
  if (ord === 0) {
    dx = scalarRaw("norm", BinaryOp.mul, sgn, 0);
  } else if (ord === 1) {
    dx = binaryRaw("norm", BinaryOp.mul, sgn, gk);
  } else if (!Number.isFinite(ord)) {
    // Evenly among the elements at the extreme, as torch.amax / amin.
    const ax = mapRaw("norm", K.abs_f32, x);
    const mask = consume(ax, (t) => binaryRaw("norm", BinaryOp.eq, t, ok));
    const ties = reduceTo("norm", ReduceOp.sum, mask, pl.keepShape);
    const share = consume(ties, (t) => binaryRaw("norm", BinaryOp.div, gk, t));
    const m = consume(mask, (t) => mulRaw(t, sgn));
    dx = binaryRaw("norm", BinaryOp.mul, m, share);
    m.dispose();
    share.dispose();
  } else {
    // sign(x) |x|^(p-1) * g / out^(p-1), with 0 where the norm is 0.
    const ax = mapRaw("norm", K.abs_f32, x);
    const a = consume(ax, (t) => powScalar(t, ord - 1));
    const s = consume(a, (t) => mulRaw(t, sgn));
    const d = ord === 2 ? scalarRaw("norm", BinaryOp.mul, ok, 1) : powScalar(ok, ord - 1);
    patch(d, (v) => (v === 0 ? Number.POSITIVE_INFINITY : v));
    const scale = consume(d, (t) => binaryRaw("norm", BinaryOp.div, gk, t));
    dx = binaryRaw("norm", BinaryOp.mul, s, scale);
    s.dispose();
    scale.dispose();
  }
  sgn.dispose();
  gk.dispose();
  ok.dispose();
  return dx;
}
