/** Converting between JavaScript values and tensor memory. */

import { backend } from "./backend/runtime.js";
import { fmt, WasmgradError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/** What `data()` returns, by dtype: float32, int32, bool (0/1). */
export type TensorData = Float32Array | Int32Array | Uint8Array;

/** A copy of a tensor's elements in a typed array of its dtype (Uint8Array 0/1 for bool). */
export function readArray(t: Tensor, op: string): TensorData {
  const at = t._rawPtr(op) >>> 2;
  const n = t.numel();
  if (t.dtype === "int32") return backend.i32().slice(at, at + n);
  const f = backend.f32().subarray(at, at + n);
  if (t.dtype === "float32") return f.slice();
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = f[i] !== 0 ? 1 : 0;
  return out;
}

/** What `toArray()` returns: a scalar for a 0-d tensor, else arrays nested ndim deep. */
export type NestedArray = number | boolean | NestedArray[];

export function toNested(
  values: ArrayLike<number>,
  shape: readonly number[],
  asBool = false,
): NestedArray {
  const flat: ArrayLike<number | boolean> = asBool
    ? Array.from(values, (v) => v !== 0)
    : (values as ArrayLike<number>);
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

/** Numbers, booleans or one-element tensors, nested in arrays. */
export type NestedNumbers = number | boolean | Tensor | readonly NestedNumbers[];

interface TensorLike {
  numel(): number;
  item(): number | boolean;
  readonly shape: readonly number[];
}

/** A wasmgrad Tensor (told by its methods: this module is below tensor.ts). */
function isTensorLike(v: unknown): v is TensorLike {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as Partial<TensorLike>).item === "function" &&
    typeof (v as Partial<TensorLike>).numel === "function"
  );
}

/** Infers the shape of nested arrays and flattens them, rejecting ragged or non-numeric input. */
export function flattenNested(
  op: string,
  data: NestedNumbers,
): { shape: number[]; values: number[]; bools: boolean } {
  const shape: number[] = [];
  let probe: NestedNumbers = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    if (probe.length === 0) break;
    probe = probe[0];
  }
  const values: number[] = [];
  // All booleans make a bool tensor; numbers and booleans mixed give numbers (true = 1).
  let bools = 0;
  const walk = (v: NestedNumbers, dim: number, path: string): void => {
    if (dim === shape.length) {
      // A one-element tensor stands for its value, as in torch.tensor([loss, 2.0]).
      if (isTensorLike(v)) {
        if (v.numel() !== 1) {
          throw new WasmgradError(
            `${op}: only one-element tensors can stand for a number, but the tensor at ${path || "the top level"} has shape ${fmt(v.shape)}`,
          );
        }
        v = v.item() as number | boolean;
      }
      if (typeof v === "boolean") {
        bools++;
        values.push(v ? 1 : 0);
        return;
      }
      if (typeof v !== "number") {
        throw new WasmgradError(
          `${op}: expected a number or boolean at ${path || "the top level"} but got ${Array.isArray(v) ? "an array" : typeof v}`,
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
  return { shape, values, bools: bools > 0 && bools === values.length };
}
