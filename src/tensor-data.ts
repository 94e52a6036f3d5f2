/** Converting between JavaScript values and tensor memory. */
import { backend } from "./backend/runtime.js";
import { fmt, WasmgradError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** A copy of a tensor's elements. */
export function readArray(t: Tensor, op: string): Float32Array {
  const ptr = t._ptr(op);
  return backend.f32().slice(ptr >>> 2, (ptr >>> 2) + t.size);
}

/** What `toArray()` returns: a number for a 0-d tensor, else arrays nested ndim deep. */
export type NestedArray = number | NestedArray[];

export function toNested(flat: Float32Array, shape: readonly number[]): NestedArray {
  if (shape.length === 0) return flat[0];
  const build = (dim: number, offset: number): NestedArray[] => {
    const n = shape[dim];
    const out = new Array<NestedArray>(n);
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out[i] = flat[offset + i];
      return out;
    }
    let step = 1;
    for (let d = dim + 1; d < shape.length; d++) step *= shape[d];
    for (let i = 0; i < n; i++) out[i] = build(dim + 1, offset + i * step);
    return out;
  };
  return build(0, 0);
}

export type NestedNumbers = number | readonly NestedNumbers[];

/** Infers the shape of nested arrays and flattens them, rejecting ragged or non-numeric input. */
export function flattenNested(
  op: string,
  data: NestedNumbers,
): { shape: number[]; values: number[] } {
  const shape: number[] = [];
  let probe: NestedNumbers = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const values: number[] = [];
  const walk = (v: NestedNumbers, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof v !== "number") {
        throw new WasmgradError(
          `${op}: expected a number at ${path || "the top level"} but got ${Array.isArray(v) ? "an array" : typeof v}`,
        );
      }
      values.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new WasmgradError(
        `${op}: ragged nested array: expected ${shape[dim]} elements at ${path || "the top level"} (shape ${fmt(shape)}) but got ${Array.isArray(v) ? v.length : typeof v}`,
      );
    }
    for (let i = 0; i < v.length; i++) walk(v[i], dim + 1, `${path}[${i}]`);
  };
  walk(data, 0, "");
  return { shape, values };
}
