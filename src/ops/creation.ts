/** Creating tensors: from data, constant fills, ranges, identity and random draws. */
import { backend, K } from "../backend/runtime.js";
import { checkDType, type DType } from "../dtype.js";
import { fmt, WasmgradError } from "../errors.js";
import { normal, uniform } from "../random.js";
import { checkShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { flattenNested, type NestedNumbers } from "../tensor-data.js";
import { checkOptions, describe, isPlainObject, size } from "../validate.js";
import { device } from "./cast.js";

/** Options of the creation functions ({@link zeros}, {@link ones}, {@link randn}, ...). */
export interface CreateOptions {
  /**
   * Make the result a leaf that accumulates gradients (default false; PyTorch's `requires_grad`).
   */
  requiresGrad?: boolean;
  /** "float32" (default), "int32" (wg.long) or "bool". */
  dtype?: DType | string;
  /** "cpu", wasmgrad's one device (PyTorch's `device=`, so that it ports as it is). */
  device?: string;
}

/** Options of {@link tensor}. */
export interface TensorOptions extends CreateOptions {
  /** The shape of a flat typed array or number array (default: its length, 1-D). */
  shape?: readonly number[];
}

const CREATE_KEYS = ["requiresGrad", "dtype", "device"] as const;

/** Applies `{ requiresGrad }` (refused for int32/bool, as PyTorch). */
function finish(t: Tensor, opts?: CreateOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

function dtypeOf(op: string, opts: CreateOptions | undefined, fallback: DType = "float32"): DType {
  const o = checkOptions(op, opts, CREATE_KEYS);
  if (o.device !== undefined) device(op, o.device);
  const dtype = o.dtype === undefined ? fallback : checkDType(op, o.dtype);
  if (o.requiresGrad !== undefined && typeof o.requiresGrad !== "boolean") {
    throw new WasmgradError(
      `${op}: requiresGrad must be a boolean but got ${typeof o.requiresGrad}`,
    );
  }
  if (o.requiresGrad === true && dtype !== "float32") {
    throw new WasmgradError(
      `${op}: only float32 tensors can require gradients, but dtype is ${dtype}`,
    );
  }
  return dtype;
}

export type ShapeArg = readonly number[] | number;
/** A shape as varargs or one array, optionally followed by options: `(2, 3)`, `([2, 3], { dtype })`. */
export type ShapeArgs =
  | [readonly number[], CreateOptions?]
  | [...number[], CreateOptions]
  | number[];

/** Splits `(…sizes | [sizes], options?)` into a checked shape and the options. */
export function shapeArgs(
  op: string,
  args: readonly unknown[],
): { shape: number[]; opts: CreateOptions | undefined } {
  let list = args;
  let opts: CreateOptions | undefined;
  if (list.length > 0 && isPlainObject(list[list.length - 1])) {
    opts = list[list.length - 1] as CreateOptions;
    list = list.slice(0, -1);
  }
  const given = list.length === 0 ? "undefined" : `(${args.map(describe).join(", ")})`;
  if (list.length === 1 && Array.isArray(list[0])) list = list[0] as unknown[];
  else if (list.length === 0) list = [null];
  if (!list.every((v) => typeof v === "number")) {
    throw new WasmgradError(
      `${op}: expected a shape (sizes or one array of sizes, then options) but got ${given}`,
    );
  }
  return { shape: checkShape(op, list as number[]), opts };
}

/**
 * A tensor from a number or boolean (0-d), nested arrays, or a flat typed array / number array
 * with `opts.shape`. The data is copied. Booleans give bool, an Int32Array gives int32,
 * anything else float32, unless `opts.dtype` says otherwise.
 *
 * PyTorch: `torch.tensor`.
 *
 * @example
 * ```ts
 * wg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * ```
 */
export function tensor(
  data: NestedNumbers | Float32Array | Int32Array | Uint8Array | ArrayLike<number>,
  opts?: TensorOptions,
): Tensor {
  checkOptions("tensor", opts, [...CREATE_KEYS, "shape"]);
  let values: ArrayLike<number>;
  let shape: number[];
  let inferred: DType = "float32";
  const typed =
    ArrayBuffer.isView(data) &&
    !(data instanceof BigInt64Array || data instanceof BigUint64Array || data instanceof DataView);
  if (typed) {
    values = data as unknown as ArrayLike<number>;
    if (data instanceof Int32Array) inferred = "int32";
    shape = opts?.shape !== undefined ? checkShape("tensor", opts.shape) : [values.length];
  } else if (typeof data === "number" || typeof data === "boolean" || Array.isArray(data)) {
    const flat = flattenNested("tensor", data as NestedNumbers);
    values = flat.values;
    if (flat.bools) inferred = "bool";
    shape = opts?.shape !== undefined ? checkShape("tensor", opts.shape) : flat.shape;
  } else if (typeof data === "object" && data !== null && "length" in data) {
    // A plain array-like ({ length: -1 }, { length: 2.5 }, strings inside) is checked as arrays are.
    const n = size("tensor", "data length", data.length);
    const flat = flattenNested(
      "tensor",
      Array.from({ length: n }, (_, i) => data[i]) as NestedNumbers,
    );
    values = flat.values;
    if (flat.bools) inferred = "bool";
    shape = opts?.shape !== undefined ? checkShape("tensor", opts.shape) : [n];
  } else {
    throw new WasmgradError(
      `tensor: expected a number, nested number arrays or a typed array but got ${data === null ? "null" : typeof data}`,
    );
  }
  if (sizeOf(shape) !== values.length) {
    throw new WasmgradError(
      `tensor: shape ${fmt(shape)} needs ${sizeOf(shape)} elements but the data has ${values.length}`,
    );
  }
  const dtype = dtypeOf(
    "tensor",
    opts === undefined ? undefined : { dtype: opts.dtype, requiresGrad: opts.requiresGrad },
    inferred,
  );
  const t = Tensor._empty("tensor", shape, dtype);
  writeValues(t, values);
  return finish(t, opts);
}

/** Stores `values` into `t` as its dtype (truncating for int32, nonzero for bool). */
export function writeValues(t: Tensor, values: ArrayLike<number>): void {
  const at = t._rawPtr("tensor") >>> 2;
  if (t.dtype === "float32") {
    backend.f32().set(values, at);
  } else if (t.dtype === "int32") {
    if (values instanceof Int32Array) backend.i32().set(values, at);
    else {
      const view = backend.i32();
      for (let i = 0; i < values.length; i++) view[at + i] = Math.trunc(values[i]);
    }
  } else {
    const view = backend.f32();
    for (let i = 0; i < values.length; i++) view[at + i] = values[i] ? 1 : 0;
  }
}

/** Sets every element of `t` to `value`, in its dtype. */
export function fillRaw(t: Tensor, value: number | boolean): void {
  const at = t._rawPtr("fill") >>> 2;
  if (t.dtype === "int32") backend.i32().fill(Math.trunc(Number(value)), at, at + t.numel());
  else K.fill_f32(at << 2, t.numel(), t.dtype === "bool" ? (value ? 1 : 0) : Number(value));
}

function filled(
  op: string,
  shape: number[],
  value: number | boolean,
  opts?: CreateOptions,
): Tensor {
  if (typeof value !== "number" && typeof value !== "boolean")
    throw new WasmgradError(
      `${op}: fill value must be a number or boolean but got ${describe(value)}`,
    );
  const fallback: DType = typeof value === "boolean" ? "bool" : "float32";
  const t = Tensor._empty(op, shape, dtypeOf(op, opts, fallback));
  fillRaw(t, value);
  return finish(t, opts);
}

function shapeOf(op: string, shape: unknown): number[] {
  if (typeof shape === "number") return checkShape(op, [shape]);
  if (Array.isArray(shape) && shape.every((v) => typeof v === "number"))
    return checkShape(op, shape);
  throw new WasmgradError(`${op}: expected a shape (an array of sizes) but got ${describe(shape)}`);
}

/**
 * A tensor of `shape` filled with `value` (a boolean gives bool).
 *
 * PyTorch: `torch.full`.
 *
 * @example
 * ```ts
 * wg.full([2, 2], 7); // [[7, 7], [7, 7]]
 * ```
 */
export function full(shape: ShapeArg, value: number | boolean, opts?: CreateOptions): Tensor {
  return filled("full", shapeOf("full", shape), value, opts);
}

/**
 * A tensor of zeros; the shape as arguments or one array.
 *
 * PyTorch: `torch.zeros`.
 *
 * @example
 * ```ts
 * wg.zeros(2, 3); // also wg.zeros([2, 3])
 * ```
 */
export function zeros(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs("zeros", args);
  return filled("zeros", shape, 0, opts);
}

/**
 * A tensor of the given shape; wasmgrad's memory is always initialised, so it holds zeros
 * (PyTorch leaves it uninitialised: write it before reading).
 *
 * PyTorch: `torch.empty`.
 *
 * @example
 * ```ts
 * wg.empty(2, 1, { dtype: wg.long }).fill_(3); // [[3], [3]]
 * ```
 */
export function empty(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs("empty", args);
  return filled("empty", shape, 0, opts);
}

/**
 * A tensor of ones; the shape as arguments or one array.
 *
 * PyTorch: `torch.ones`.
 *
 * @example
 * ```ts
 * wg.ones(2, 3); // also wg.ones([2, 3])
 * ```
 */
export function ones(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs("ones", args);
  return filled("ones", shape, 1, opts);
}

function likeOptions(t: Tensor, opts?: CreateOptions): CreateOptions {
  return { dtype: t.dtype, ...checkOptions("like", opts, CREATE_KEYS) };
}

/**
 * Zeros with `t`'s shape (and dtype unless `opts.dtype`).
 *
 * PyTorch: `torch.zeros_like`.
 *
 * @example
 * ```ts
 * wg.zerosLike(wg.ones(2, 2));
 * ```
 */
export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  if (!(t instanceof Tensor))
    throw new WasmgradError(`zerosLike: expected a Tensor but got ${describe(t)}`);
  return filled("zerosLike", [...t.shape], 0, likeOptions(t, opts));
}

/**
 * Ones with `t`'s shape (and dtype unless `opts.dtype`).
 *
 * PyTorch: `torch.ones_like`.
 *
 * @example
 * ```ts
 * wg.onesLike(wg.zeros(2, 2));
 * ```
 */
export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  if (!(t instanceof Tensor))
    throw new WasmgradError(`onesLike: expected a Tensor but got ${describe(t)}`);
  return filled("onesLike", [...t.shape], 1, likeOptions(t, opts));
}

/**
 * `arange(end)` or `arange(start, end, step = 1)`: values start, start+step, ... below end.
 *
 * PyTorch: `torch.arange`.
 *
 * @example
 * ```ts
 * wg.arange(0, 1, 0.25); // [0, 0.25, 0.5, 0.75]
 * ```
 */
export function arange(
  startOrEnd: number,
  end?: number | CreateOptions,
  step: number | CreateOptions = 1,
  opts?: CreateOptions,
): Tensor {
  let start = 0;
  let stop = startOrEnd;
  let options = opts;
  if (typeof end === "number") {
    start = startOrEnd;
    stop = end;
  } else if (end !== undefined) {
    options = end;
  }
  if (typeof step !== "number") {
    options = step;
    step = 1;
  }
  for (const [name, v] of [
    ["start", start],
    ["end", stop],
    ["step", step],
  ] as const) {
    if (typeof v !== "number") {
      throw new WasmgradError(`arange: expected ${name} to be a number but got ${describe(v)}`);
    }
  }
  if (step === 0 || !Number.isFinite(step) || !Number.isFinite(start) || !Number.isFinite(stop)) {
    throw new WasmgradError(
      `arange: expected finite start, end and a nonzero step but got (${start}, ${stop}, ${step})`,
    );
  }
  if ((stop - start) / step < 0) {
    throw new WasmgradError(
      `arange: upper bound and step are inconsistent: (${start}, ${stop}, ${step})`,
    );
  }
  const n = Math.ceil((stop - start) / step);
  const t = Tensor._empty("arange", [n], dtypeOf("arange", options));
  if (t.dtype === "float32") K.arange_f32(t.ptr, n, start, step);
  else
    writeValues(
      t,
      Array.from({ length: n }, (_, i) => start + i * step),
    );
  return finish(t, options);
}

/**
 * The n x m identity matrix (m defaults to n).
 *
 * PyTorch: `torch.eye`.
 *
 * @example
 * ```ts
 * wg.eye(2); // [[1, 0], [0, 1]]
 * ```
 */
export function eye(n: number, m: number | CreateOptions = n, opts?: CreateOptions): Tensor {
  let cols = n;
  let options = opts;
  if (typeof m === "number") cols = m;
  else options = m;
  const shape = checkShape("eye", [n, cols]);
  const t = Tensor._empty("eye", shape, dtypeOf("eye", options));
  fillRaw(t, 0);
  const view = t.dtype === "int32" ? backend.i32() : backend.f32();
  const base = t._rawPtr("eye") >>> 2;
  for (let i = 0; i < Math.min(n, cols); i++) view[base + i * cols + i] = 1;
  return finish(t, options);
}

/**
 * Uniform draws in [0, 1): `rand(2, 3)` or `rand([2, 3], { requiresGrad })`.
 *
 * PyTorch: `torch.rand`.
 *
 * @example
 * ```ts
 * wg.rand(2, 3); // uniform in [0, 1)
 * ```
 */
export function rand(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs("rand", args);
  return randomFill("rand", shape, uniform, opts);
}

/**
 * Standard normal draws: `randn(2, 3)` or `randn([2, 3], { requiresGrad })`.
 *
 * PyTorch: `torch.randn`.
 *
 * @example
 * ```ts
 * wg.randn(2, 3); // standard normal
 * ```
 */
export function randn(...args: ShapeArgs): Tensor {
  const { shape, opts } = shapeArgs("randn", args);
  return randomFill("randn", shape, normal, opts);
}

/** @internal uniform draws in [lo, hi), used by initialisers. */
export function uniformRange(shape: readonly number[], lo: number, hi: number): Tensor {
  return randomFill("uniform", [...shape], () => lo + (hi - lo) * uniform());
}

function randomFill(op: string, shape: number[], draw: () => number, opts?: CreateOptions): Tensor {
  const dtype = dtypeOf(op, opts);
  if (dtype !== "float32") {
    throw new WasmgradError(
      `${op}: draws are float32 only but dtype ${dtype} was asked for (use randint for integers)`,
    );
  }
  const t = Tensor._empty(op, shape);
  const view = backend.f32();
  const base = t.ptr >>> 2;
  for (let i = 0; i < t.numel(); i++) view[base + i] = draw();
  return finish(t, opts);
}
