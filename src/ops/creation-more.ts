/**
 * More creation functions, as torch's: linspace, logspace, fullLike, randLike, randnLike,
 * emptyLike and bernoulli. Random draws come from the one generator that manualSeed seeds.
 * linspace fills from both ends toward the middle in float32 arithmetic, as PyTorch's CPU kernel
 * does, so the last value is exactly `end` and values match torch's bit for bit.
 */
import { backend } from "../backend/runtime.js";
import { checkDType, type DType } from "../dtype.js";
import { normal, uniform } from "../random.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import {
  type Args,
  args,
  bool,
  fail,
  noExtra,
  num,
  options,
  size,
  tensorArg,
} from "../validate.js";
import { castRaw, device } from "./cast.js";
import { fillRaw } from "./creation.js";

/** Options of the `*Like` creation functions ({@link randLike}, {@link randnLike}, ...). */
export interface LikeOptions {
  /**
   * Make the result a leaf that accumulates gradients (default false; PyTorch's `requires_grad`).
   */
  requiresGrad?: boolean;
  /** "cpu", wasmgrad's one device (PyTorch's `device=`, so that it ports as it is). */
  device?: string;
}

/**
 * Options of the `*Like` creation functions that can change the dtype ({@link fullLike},
 * {@link emptyLike}).
 */
export interface DTypeLikeOptions extends LikeOptions {
  /** The result's dtype (default: the input's). */
  dtype?: DType | string;
}

function finish(op: string, t: Tensor, opts: unknown): Tensor {
  const o = options(op, opts, ["requiresGrad", "dtype", "device"]);
  if (o.device !== undefined) device(op, o.device);
  if (o.requiresGrad !== undefined && bool(op, "requiresGrad", o.requiresGrad)) {
    if (t.dtype !== "float32") {
      t.dispose();
      fail(op, `only float32 tensors can require gradients, but dtype is ${t.dtype}`);
    }
    t.requiresGrad = true;
  }
  return t;
}

/** `t` converted to `dtype` when one is given (float to int truncates, as PyTorch). */
function asDType(op: string, t: Tensor, dtype: unknown): Tensor {
  if (dtype === undefined) return t;
  const d = checkDType(op, dtype);
  if (d === t.dtype) return t;
  const out = castRaw(op, t, d);
  t.dispose();
  return out;
}

/** The dtype `opts` asks for, else `fallback`. */
function dtypeOf(op: string, opts: unknown, fallback: DType): DType {
  const o = options(op, opts, ["requiresGrad", "dtype", "device"]);
  return o.dtype === undefined ? fallback : checkDType(op, o.dtype);
}

/** Random draws are float32 only (torch.rand_like of an integer tensor fails too). */
function floatDraws(op: string, x: Tensor, opts: unknown): void {
  const d = dtypeOf(op, opts, x.dtype);
  if (d !== "float32") {
    fail(op, `draws are float32 only but the dtype would be ${d} (pass { dtype: "float32" })`);
  }
}

function fillWith(t: Tensor, value: (i: number) => number): Tensor {
  const view = backend.f32();
  const base = t.ptr >>> 2;
  for (let i = 0; i < sizeOf(t.shape); i++) view[base + i] = value(i);
  return t;
}

/**
 * `steps` values evenly spaced from start to end inclusive (torch.linspace(start, end, steps)).
 *
 * @example
 * ```ts
 * wg.linspace(0, 1, 5); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(
  start: number,
  end: number,
  ...rest: Args<[number], LikeOptions & { steps?: number; dtype?: DType | string }>
): Tensor {
  const r = args("linspace", rest, ["steps"], ["requiresGrad", "dtype", "device"]);
  const a = num("linspace", "start", start, { finite: true });
  const b = num("linspace", "end", end, { finite: true });
  if (r.steps === undefined) fail("linspace", "steps is required (the number of values)");
  const n = size("linspace", "steps", r.steps);
  const t = Tensor._empty("linspace", [n]);
  const f = Math.fround;
  const step = n > 1 ? f(f(b - a) / (n - 1)) : 0;
  const half = Math.floor(n / 2);
  fillWith(t, (i) => (n === 1 ? a : i < half ? f(a + f(step * i)) : f(b - f(step * (n - i - 1)))));
  return finish("linspace", asDType("linspace", t, r.dtype), {
    requiresGrad: r.requiresGrad,
    device: r.device,
  });
}

/**
 * base ** linspace(start, end, steps) (torch.logspace; base defaults to 10).
 *
 * @example
 * ```ts
 * wg.logspace(0, 2, 3); // [1, 10, 100]
 * ```
 */
export function logspace(
  start: number,
  end: number,
  ...rest: Args<
    [number, number],
    LikeOptions & { steps?: number; base?: number; dtype?: DType | string }
  >
): Tensor {
  const a = args("logspace", rest, ["steps", "base"], ["requiresGrad", "dtype", "device"]);
  const base = a.base === undefined ? 10 : num("logspace", "base", a.base);
  if (a.steps === undefined) fail("logspace", "steps is required (the number of values)");
  const exps = linspace(start, end, a.steps as number);
  const t = Tensor._empty("logspace", exps.shape);
  const e = exps.data();
  exps.dispose();
  fillWith(t, (i) => base ** e[i]);
  return finish("logspace", asDType("logspace", t, a.dtype), {
    requiresGrad: a.requiresGrad,
    device: a.device,
  });
}

/**
 * A tensor of `t`'s shape filled with `value`.
 *
 * PyTorch: `torch.full_like`.
 *
 * @example
 * ```ts
 * wg.fullLike(wg.zeros(3), 2); // [2, 2, 2]
 * ```
 */
export function fullLike(
  t: Tensor,
  value: number,
  opts?: DTypeLikeOptions,
  ...extra: never[]
): Tensor {
  noExtra("fullLike", [t, value, opts, ...extra], 3);
  const x = tensorArg("fullLike", "input", t);
  const v = num("fullLike", "fill value", value);
  const out = Tensor._empty("fullLike", x.shape, dtypeOf("fullLike", opts, x.dtype));
  fillRaw(out, v);
  return finish("fullLike", out, opts);
}

/**
 * Uniform draws in [0, 1) of `t`'s shape.
 *
 * PyTorch: `torch.rand_like`.
 *
 * @example
 * ```ts
 * wg.randLike(wg.zeros(2, 2));
 * ```
 */
export function randLike(t: Tensor, opts?: DTypeLikeOptions, ...extra: never[]): Tensor {
  noExtra("randLike", [t, opts, ...extra], 2);
  const x = tensorArg("randLike", "input", t);
  floatDraws("randLike", x, opts);
  return finish("randLike", fillWith(Tensor._empty("randLike", x.shape), uniform), opts);
}

/**
 * Standard normal draws of `t`'s shape.
 *
 * PyTorch: `torch.randn_like`.
 *
 * @example
 * ```ts
 * wg.randnLike(wg.zeros(2, 2));
 * ```
 */
export function randnLike(t: Tensor, opts?: DTypeLikeOptions, ...extra: never[]): Tensor {
  noExtra("randnLike", [t, opts, ...extra], 2);
  const x = tensorArg("randnLike", "input", t);
  floatDraws("randnLike", x, opts);
  return finish("randnLike", fillWith(Tensor._empty("randnLike", x.shape), normal), opts);
}

/**
 * A tensor of `t`'s shape whose values are unspecified (torch.empty_like).
 *
 * @example
 * ```ts
 * wg.emptyLike(wg.ones(2, 3)).shape; // [2, 3]
 * ```
 */
export function emptyLike(t: Tensor, opts?: DTypeLikeOptions, ...extra: never[]): Tensor {
  noExtra("emptyLike", [t, opts, ...extra], 2);
  const x = tensorArg("emptyLike", "input", t);
  const dtype = dtypeOf("emptyLike", opts, x.dtype);
  return finish("emptyLike", Tensor._empty("emptyLike", x.shape, dtype), opts);
}

/**
 * 1 with probability p, else 0, elementwise: p is the tensor of probabilities
 * (torch.bernoulli(input)), or a number p for a tensor of input's shape (torch.bernoulli(input, p)).
 *
 * @example
 * ```ts
 * wg.bernoulli(wg.full([4], 0.5)); // e.g. [1, 0, 0, 1]
 * ```
 */
export function bernoulli(input: Tensor, p?: number, ...extra: never[]): Tensor {
  noExtra("bernoulli", [input, p, ...extra], 2);
  const x = tensorArg("bernoulli", "input", input, "float32");
  const out = Tensor._empty("bernoulli", x.shape);
  if (p !== undefined) {
    const q = num("bernoulli", "p", p, { min: 0, max: 1 });
    return fillWith(out, () => (uniform() < q ? 1 : 0));
  }
  const probs = x.data();
  for (const v of probs) {
    if (!(v >= 0 && v <= 1)) {
      out.dispose();
      fail("bernoulli", `expected every probability in [0, 1] but got ${v}`);
    }
  }
  return fillWith(out, (i) => (uniform() < probs[i] ? 1 : 0));
}
