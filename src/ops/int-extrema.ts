/**
 * max, min, amax, amin, argmax and argmin of int32 and bool tensors, exactly (no trip through
 * float32, which would round integers beyond 2^24). The reduced dims are moved last and each
 * group scanned in JavaScript: integer tensors hold indices and counts, which are small. The
 * results keep the dtype (indices are int32); ties give the first index, as PyTorch does.
 * Integer tensors carry no gradients, so nothing is recorded.
 */
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { type ValuesIndices, valuesIndices } from "../named.js";
import { normDims } from "../shape.js";
import { Tensor } from "../tensor.js";

interface Scan {
  values: number[];
  indices: number[];
  shape: number[];
}

/** The extreme (sign 1: largest, -1: smallest) of each group over `dims` (all when null). */
function scan(
  op: string,
  x: Tensor,
  dim: number | readonly number[] | null | undefined,
  keepdim: boolean,
  sign: 1 | -1,
): Scan {
  const all = dim === undefined || dim === null;
  const dims = all ? x.shape.map((_, i) => i) : normDims(op, dim, x.ndim);
  const kept = x.shape.map((_, i) => i).filter((i) => !dims.includes(i));
  const r = dims.reduce((n, d) => n * x.shape[d], 1);
  if (r === 0 || x.numel() === 0) {
    throw new WasmgradError(
      `${op}: cannot reduce over a dimension of size 0 (shape ${fmt(x.shape)})`,
    );
  }
  const moved = x.ndim === 0 ? x : x.permute([...kept, ...dims]);
  const data = Array.from(moved.contiguous().data() as ArrayLike<number>, Number);
  const values: number[] = [];
  const indices: number[] = [];
  for (let o = 0; o < data.length; o += r) {
    let best = data[o];
    let at = 0;
    for (let k = 1; k < r; k++) {
      const v = data[o + k];
      if (sign * v > sign * best) {
        best = v;
        at = k;
      }
    }
    values.push(best);
    indices.push(at);
  }
  const shape = keepdim
    ? x.shape.map((s, i) => (dims.includes(i) ? 1 : s))
    : kept.map((i) => x.shape[i]);
  return { values, indices, shape };
}

/** A tensor of `dtype` holding `values` exactly (int32 storage, or 0/1 floats for bool). */
function build(values: number[], shape: number[], dtype: "int32" | "bool"): Tensor {
  const out = Tensor._empty("max", shape, dtype);
  const at = out._rawPtr("max") >>> 2;
  if (dtype === "int32") backend.i32().set(values, at);
  else backend.f32().set(values, at);
  return out;
}

/** amax/amin (and the full max/min) of an int32 or bool tensor, in its dtype. */
export function intExtreme(
  op: string,
  x: Tensor,
  dim: number | readonly number[] | null | undefined,
  keepdim: boolean,
  sign: 1 | -1,
): Tensor {
  const s = scan(op, x, dim, keepdim, sign);
  return build(s.values, s.shape, x.dtype as "int32" | "bool");
}

/** max/min over one dim of an int32 or bool tensor: values and int32 indices. */
export function intExtremeDim(
  op: string,
  x: Tensor,
  dim: number,
  keepdim: boolean,
  sign: 1 | -1,
): ValuesIndices {
  const s = scan(op, x, dim, keepdim, sign);
  return valuesIndices(
    build(s.values, s.shape, x.dtype as "int32" | "bool"),
    build(s.indices, s.shape, "int32"),
  );
}

/** argmax/argmin of an int32 tensor (PyTorch refuses bool), over one dim or flattened. */
export function intArg(
  op: string,
  x: Tensor,
  dim: number | null | undefined,
  keepdim: boolean,
  sign: 1 | -1,
): Tensor {
  if (x.dtype === "bool") {
    throw new WasmgradError(
      `${op}: not supported for a bool tensor (as in PyTorch); convert it with .int()`,
    );
  }
  if (dim === undefined || dim === null) {
    const s = scan(op, x, null, false, sign);
    return build(s.indices, keepdim ? x.shape.map(() => 1) : [], "int32");
  }
  const s = scan(op, x, dim, keepdim, sign);
  return build(s.indices, s.shape, "int32");
}
