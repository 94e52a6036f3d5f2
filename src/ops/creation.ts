/** Creating tensors: from data, constant fills, ranges, identity and random draws. */
import { backend, K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { normal, uniform } from "../random.js";
import { checkShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { flattenNested, type NestedNumbers } from "../tensor-data.js";
import { size } from "../validate.js";

export interface CreateOptions {
  requiresGrad?: boolean;
}

export interface TensorOptions extends CreateOptions {
  /** The shape of a flat `Float32Array` or number array (default: its length, 1-D). */
  shape?: readonly number[];
}

function finish(t: Tensor, opts?: CreateOptions): Tensor {
  if (opts?.requiresGrad) t.requiresGrad = true;
  return t;
}

type ShapeArg = readonly number[] | number;

function shapeArg(op: string, shape: ShapeArg): number[] {
  if (typeof shape !== "number" && !Array.isArray(shape)) {
    throw new WasmgradError(
      `${op}: expected a shape (a number or an array of sizes) but got ${shape === null ? "null" : typeof shape}`,
    );
  }
  return checkShape(op, typeof shape === "number" ? [shape] : shape);
}

/**
 * A tensor from a number (0-d), nested number arrays, or a flat Float32Array / number array
 * with `opts.shape`. The data is copied.
 */
export function tensor(
  data: NestedNumbers | Float32Array | ArrayLike<number>,
  opts?: TensorOptions,
): Tensor {
  let values: ArrayLike<number>;
  let shape: number[];
  if (
    (ArrayBuffer.isView(data) &&
      !(data instanceof BigInt64Array || data instanceof BigUint64Array) &&
      !(data instanceof DataView)) ||
    (opts?.shape !== undefined && Array.isArray(data) && !isNested(data))
  ) {
    values = data as unknown as ArrayLike<number>;
    shape = opts?.shape !== undefined ? checkShape("tensor", opts.shape) : [values.length];
  } else if (typeof data === "number" || Array.isArray(data)) {
    const flat = flattenNested("tensor", data as NestedNumbers);
    values = flat.values;
    shape = opts?.shape !== undefined ? checkShape("tensor", opts.shape) : flat.shape;
  } else if (typeof data === "object" && data !== null && "length" in data) {
    // A plain array-like ({ length: -1 }, { length: 2.5 }, strings inside) is checked as arrays are.
    const n = size("tensor", "data length", data.length);
    const flat = flattenNested(
      "tensor",
      Array.from({ length: n }, (_, i) => data[i]),
    );
    values = flat.values;
    shape = opts?.shape !== undefined ? checkShape("tensor", opts.shape) : [n];
  } else {
    throw new WasmgradError(
      `tensor: expected a number, nested number arrays or a Float32Array but got ${data === null ? "null" : typeof data}`,
    );
  }
  if (sizeOf(shape) !== values.length) {
    throw new WasmgradError(
      `tensor: shape ${fmt(shape)} needs ${sizeOf(shape)} elements but the data has ${values.length}`,
    );
  }
  const t = Tensor._empty("tensor", shape);
  backend.f32().set(values, t.ptr >>> 2);
  return finish(t, opts);
}

function isNested(data: unknown): boolean {
  return Array.isArray(data) && data.length > 0 && Array.isArray(data[0]);
}

function filled(op: string, shape: ShapeArg, value: number, opts?: CreateOptions): Tensor {
  if (typeof value !== "number")
    throw new WasmgradError(`${op}: fill value must be a number but got ${typeof value}`);
  const t = Tensor._empty(op, shapeArg(op, shape));
  K.fill_f32(t.ptr, t.size, value);
  return finish(t, opts);
}

export function full(shape: ShapeArg, value: number, opts?: CreateOptions): Tensor {
  return filled("full", shape, value, opts);
}

export function zeros(shape: ShapeArg, opts?: CreateOptions): Tensor {
  return filled("zeros", shape, 0, opts);
}

export function ones(shape: ShapeArg, opts?: CreateOptions): Tensor {
  return filled("ones", shape, 1, opts);
}

export function zerosLike(t: Tensor, opts?: CreateOptions): Tensor {
  return filled("zerosLike", t.shape, 0, opts);
}

export function onesLike(t: Tensor, opts?: CreateOptions): Tensor {
  return filled("onesLike", t.shape, 1, opts);
}

/** `arange(end)` or `arange(start, end, step = 1)`: values start, start+step, ... below end. */
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
  const t = Tensor._empty("arange", [n]);
  K.arange_f32(t.ptr, n, start, step);
  return finish(t, options);
}

export function eye(n: number, m: number | CreateOptions = n, opts?: CreateOptions): Tensor {
  let cols = n;
  let options = opts;
  if (typeof m === "number") cols = m;
  else options = m;
  const shape = checkShape("eye", [n, cols]);
  const t = Tensor._empty("eye", shape);
  K.fill_f32(t.ptr, t.size, 0);
  const view = backend.f32();
  const base = t.ptr >>> 2;
  for (let i = 0; i < Math.min(n, cols); i++) view[base + i * cols + i] = 1;
  return finish(t, options);
}

/** Uniform draws in [0, 1). */
export function rand(shape: ShapeArg, opts?: CreateOptions): Tensor {
  return randomFill("rand", shapeArg("rand", shape), uniform, opts);
}

/** Standard normal draws. */
export function randn(shape: ShapeArg, opts?: CreateOptions): Tensor {
  return randomFill("randn", shapeArg("randn", shape), normal, opts);
}

/** @internal uniform draws in [lo, hi), used by initialisers. */
export function uniformRange(shape: readonly number[], lo: number, hi: number): Tensor {
  return randomFill("uniform", [...shape], () => lo + (hi - lo) * uniform());
}

function randomFill(op: string, shape: number[], draw: () => number, opts?: CreateOptions): Tensor {
  const t = Tensor._empty(op, shape);
  const view = backend.f32();
  const base = t.ptr >>> 2;
  for (let i = 0; i < t.size; i++) view[base + i] = draw();
  return finish(t, opts);
}
