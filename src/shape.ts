/** Shape arithmetic shared by the ops: sizes, strides, dims and broadcasting. */
import { fmt, WasmgradError } from "./errors.js";
import { describe } from "./validate.js";

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Row-major strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** Validates a shape given by the user. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new WasmgradError(`${op}: invalid shape ${fmt(shape)}: sizes must be integers >= 0`);
    }
  }
  return [...shape];
}

/** Resolves a possibly negative dim against ndim (PyTorch's wrapping rule). */
export function normDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new WasmgradError(
      `${op}: dim ${describe(dim)} is out of range for a tensor with ${ndim} dimension${ndim === 1 ? "" : "s"} (expected a dim in [${lo}, ${hi}])`,
    );
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalises a dim or list of dims, sorted and without repeats. */
export function normDims(op: string, dim: number | readonly number[], ndim: number): number[] {
  if (typeof dim !== "number" && !Array.isArray(dim)) {
    throw new WasmgradError(
      `${op}: dim must be an integer or an array of integers but got ${describe(dim)}`,
    );
  }
  const list = typeof dim === "number" ? [dim] : [...dim];
  const out = list.map((d) => normDim(op, d, ndim));
  const seen = new Set<number>();
  for (const d of out) {
    if (seen.has(d)) throw new WasmgradError(`${op}: dim ${d} appears more than once in [${list}]`);
    seen.add(d);
  }
  return out.sort((x, y) => x - y);
}

/** NumPy/PyTorch broadcasting of two shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new WasmgradError(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast: dimension ${i} is ${da} and ${db}`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides (elements) that read a contiguous tensor of `shape` as if broadcast to `out`. */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const strides = stridesOf(shape);
  const pad = out.length - shape.length;
  const res = new Array<number>(out.length);
  for (let i = 0; i < out.length; i++) {
    res[i] = i < pad || shape[i - pad] === 1 ? 0 : strides[i - pad];
  }
  return res;
}

/**
 * Merges adjacent dimensions that every operand walks contiguously, and drops size-1 dims, so
 * N-d kernels see as few and as long rows as possible. Returns the merged shape and strides.
 */
export function collapse(
  shape: Shape,
  strideSets: number[][],
): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strideSets.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 && strideSets.every((s, k) => outStrides[k][last] === s[i] * shape[i]);
    if (mergeable) {
      outShape[last] *= shape[i];
      for (let k = 0; k < strideSets.length; k++) outStrides[k][last] = strideSets[k][i];
    } else {
      outShape.push(shape[i]);
      for (let k = 0; k < strideSets.length; k++) outStrides[k].push(strideSets[k][i]);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return { shape: outShape, strides: outStrides };
}
