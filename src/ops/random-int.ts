/**
 * Integer random draws, as torch's: randint, randperm and multinomial, all int32 (PyTorch's
 * int64, which wasmgrad spells `wg.long` = int32) and all from the generator manualSeed seeds.
 * Each integer comes from a full 32-bit draw scaled to the range (floor(u32 / 2^32 * range)), so
 * ranges up to 2^31 are covered; the bias of that scaling is below range / 2^32.
 */
import { backend } from "../backend/runtime.js";
import { checkDType, type DType } from "../dtype.js";
import { fmt } from "../errors.js";
import { nextU32, uniform } from "../random.js";
import { checkShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import {
  args,
  bool,
  fail,
  hoist,
  int,
  isPlainObject,
  options,
  size,
  tensorArg,
} from "../validate.js";
import { device } from "./cast.js";

/** Options of {@link randint} and {@link randperm}. */
export interface IntDrawOptions {
  /** "int32" (default; wg.long), or "float32". */
  dtype?: DType | string;
  /**
   * Make the result a leaf that accumulates gradients; float32 only (default false; PyTorch's
   * `requires_grad`).
   */
  requiresGrad?: boolean;
}

function below(range: number): number {
  return Math.floor((nextU32() / 4294967296) * range);
}

function output(op: string, shape: number[], opts: unknown): Tensor {
  const o = options(op, opts, ["dtype", "requiresGrad", "device"]);
  if (o.device !== undefined) device(op, o.device);
  const dtype = o.dtype === undefined ? "int32" : checkDType(op, o.dtype);
  if (dtype === "bool") fail(op, "expected dtype int32 or float32 but got bool");
  const requiresGrad =
    o.requiresGrad === undefined ? false : bool(op, "requiresGrad", o.requiresGrad);
  if (requiresGrad && dtype !== "float32") {
    fail(op, `only float32 tensors can require gradients, but dtype is ${dtype}`);
  }
  const t = Tensor._empty(op, shape, dtype);
  t.requiresGrad = requiresGrad;
  return t;
}

function write(t: Tensor, values: (i: number) => number): Tensor {
  const at = t._rawPtr("random") >>> 2;
  const view = t.dtype === "int32" ? backend.i32() : backend.f32();
  for (let i = 0; i < sizeOf(t.shape); i++) view[at + i] = values(i);
  return t;
}

function shapeArg(op: string, v: unknown): number[] {
  if (typeof v === "number") return checkShape(op, [v]);
  if (!Array.isArray(v)) fail(op, `expected size to be an array of sizes but got ${typeof v}`);
  return checkShape(op, v as number[]);
}

/**
 * Uniform integers in [low, high): `randint(high, size)` or `randint(low, high, size)`, then
 * optionally `{ dtype, requiresGrad }` (torch.randint).
 *
 * @example
 * ```ts
 * wg.randint(0, 10, [3]); // e.g. [4, 0, 7] (int32)
 * ```
 */
export function randint(...rest: unknown[]): Tensor {
  const list = isPlainObject(rest[rest.length - 1]) ? rest.slice(0, -1) : rest;
  const opts = list.length < rest.length ? rest[rest.length - 1] : undefined;
  if (list.length < 2 || list.length > 3) {
    fail("randint", `expected (high, size) or (low, high, size) but got ${list.length} arguments`);
  }
  const low = list.length === 3 ? int("randint", "low", list[0]) : 0;
  const high = int("randint", "high", list[list.length - 2]);
  if (high <= low) fail("randint", `expected low < high but got low ${low} and high ${high}`);
  const shape = shapeArg("randint", list[list.length - 1]);
  const t = output("randint", shape, opts);
  return write(t, () => low + below(high - low));
}

/**
 * A random permutation of 0 .. n-1 (torch.randperm), by Fisher-Yates.
 *
 * @example
 * ```ts
 * wg.randperm(4); // e.g. [2, 0, 3, 1] (int32)
 * ```
 */
export function randperm(n: number, opts?: IntDrawOptions): Tensor {
  const count = size("randperm", "n", n);
  const perm = Int32Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = below(i + 1);
    const tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  return write(output("randperm", [count], opts), (i) => perm[i]);
}

/**
 * `numSamples` category indices per row of `input` (1-D [C] or 2-D [N, C] non-negative
 * weights, not necessarily normalised), with or without replacement (torch.multinomial).
 *
 * @example
 * ```ts
 * wg.multinomial(wg.tensor([0.1, 0.9]), 4, true); // e.g. [1, 1, 0, 1]
 * ```
 */
export function multinomial(input: Tensor, numSamples: number, ...rest: unknown[]): Tensor {
  const op = "multinomial";
  [numSamples, ...rest] = hoist(op, [numSamples, ...rest], ["numSamples"]) as [
    number,
    ...unknown[],
  ];
  const x = tensorArg(op, "input", input, "float32");
  const a = args(op, rest, ["replacement"]);
  const replacement = a.replacement === undefined ? false : bool(op, "replacement", a.replacement);
  if (x.ndim !== 1 && x.ndim !== 2) {
    fail(op, `expected a 1-D or 2-D tensor of probabilities but got shape ${fmt(x.shape)}`);
  }
  const k = size(op, "numSamples", numSamples, 1);
  const rows = x.ndim === 2 ? x.shape[0] : 1;
  const c = x.shape[x.ndim - 1];
  const w = x.data() as Float32Array;
  for (const v of w) {
    if (!(v >= 0) || !Number.isFinite(v)) {
      fail(op, `probabilities must be finite and non-negative but got ${v}`);
    }
  }
  const out = new Int32Array(rows * k);
  for (let r = 0; r < rows; r++) {
    const p = Float64Array.from(w.subarray(r * c, (r + 1) * c));
    const nonzero = p.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
    if (nonzero === 0) fail(op, `row ${r} of the probabilities sums to 0`);
    if (!replacement && k > nonzero) {
      fail(
        op,
        `cannot draw ${k} samples without replacement from ${nonzero} categories with nonzero probability (row ${r})`,
      );
    }
    for (let s = 0; s < k; s++) {
      const i = draw(p, uniform());
      out[r * k + s] = i;
      if (!replacement) p[i] = 0;
    }
  }
  const t = output(op, x.ndim === 2 ? [rows, k] : [k], undefined);
  return write(t, (i) => out[i]);
}

/** The category whose cumulative weight first exceeds u * total (never a zero-weight one). */
function draw(p: Float64Array, u: number): number {
  let total = 0;
  for (const v of p) total += v;
  const target = u * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    acc += p[i];
    last = i;
    if (target < acc) return i;
  }
  return last;
}
