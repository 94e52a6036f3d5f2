/**
 * Integer elementwise arithmetic with broadcasting, in JavaScript over the int32 storage.
 * Integer tensors hold indices and counts, which are small, so a scalar loop is enough; float
 * arithmetic stays in the SIMD kernels. Results wrap modulo 2^32 as int32 does in PyTorch.
 */
import { backend } from "../backend/runtime.js";
import { broadcastShapes, broadcastStrides, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";

export type IntOp =
  | "add"
  | "sub"
  | "mul"
  | "maximum"
  | "minimum"
  | "floorDiv"
  | "truncDiv"
  | "remainder"
  | "fmod";

/**
 * The division family assumes a non-zero divisor (the caller raises PyTorch's ZeroDivisionError
 * first). x / y as a double is never wrong about which integers it lies between (|x| < 2^31),
 * so floor and trunc of it are exact; INT32_MIN / -1 wraps to INT32_MIN (PyTorch's CPU kernel
 * traps there).
 */
const APPLY: Record<IntOp, (x: number, y: number) => number> = {
  add: (x, y) => (x + y) | 0,
  sub: (x, y) => (x - y) | 0,
  mul: (x, y) => Math.imul(x, y),
  maximum: (x, y) => (x > y ? x : y),
  minimum: (x, y) => (x < y ? x : y),
  floorDiv: (x, y) => Math.floor(x / y) | 0,
  truncDiv: (x, y) => (x / y) | 0,
  remainder: (x, y) => {
    const r = (x % y) | 0;
    return r !== 0 && r < 0 !== y < 0 ? r + y : r;
  },
  fmod: (x, y) => (x % y) | 0,
};

/** Reads a tensor of any dtype as numbers (bool as 0/1). */
function reader(t: Tensor, op: string): (i: number) => number {
  const at = t._rawPtr(op) >>> 2;
  if (t.dtype === "int32") {
    const v = backend.i32();
    return (i) => v[at + i];
  }
  const f = backend.f32();
  return (i) => f[at + i];
}

/**
 * Visits every element of a broadcast: calls fn(k, ia, ib) with the output index and the two
 * operands' element indices.
 */
export function forEachBroadcast(
  shape: readonly number[],
  sa: readonly number[],
  sb: readonly number[],
  fn: (k: number, ia: number, ib: number) => void,
): void {
  const nd = shape.length;
  let total = 1;
  for (const d of shape) total *= d;
  if (total === 0) return;
  const idx = new Array<number>(nd).fill(0);
  let ia = 0;
  let ib = 0;
  for (let k = 0; k < total; k++) {
    fn(k, ia, ib);
    for (let d = nd - 1; d >= 0; d--) {
      idx[d]++;
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** a op b for integer (or bool) operands, either of which may be a number: an int32 tensor. */
export function intBinary(name: string, op: IntOp, a: Tensor | number, b: Tensor | number): Tensor {
  const f = APPLY[op];
  const shapeA = typeof a === "number" ? [] : a.shape;
  const shapeB = typeof b === "number" ? [] : b.shape;
  const shape = sameShape(shapeA, shapeB) ? [...shapeA] : broadcastShapes(name, shapeA, shapeB);
  const ra = typeof a === "number" ? () => a : reader(a, name);
  const rb = typeof b === "number" ? () => b : reader(b, name);
  const out = Tensor._empty(name, shape, "int32");
  const o = out._rawPtr(name) >>> 2;
  const view = backend.i32();
  forEachBroadcast(
    shape,
    broadcastStrides(shapeA, shape),
    broadcastStrides(shapeB, shape),
    (k, i, j) => {
      view[o + k] = f(ra(i), rb(j));
    },
  );
  return out;
}

/** Whether an int32 or bool tensor holds a 0 (a divisor PyTorch refuses). */
export function hasZero(op: string, t: Tensor): boolean {
  const read = reader(t, op);
  const n = t.numel();
  for (let i = 0; i < n; i++) if (read(i) === 0) return true;
  return false;
}
