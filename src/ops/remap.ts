/**
 * Ops whose output elements are input elements picked by index: expand, repeat, flip, roll,
 * tril/triu, indexSelect, gather. Each builds a map from output position to input position
 * (-1 for a zero) and copies the 4-byte elements by bit pattern, so every dtype works; the
 * gradient scatter-adds the output gradient back through the same map, which is also right when
 * an input element is picked several times (expand, repeat, repeated indices).
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend } from "../backend/runtime.js";
import { Tensor } from "../tensor.js";

/** out[k] = x.flat[map[k]] (0 where map[k] < 0), of `shape`; differentiable in x. */
export function remap(op: string, x: Tensor, shape: readonly number[], map: Int32Array): Tensor {
  const src = x._rawPtr(op) >>> 2;
  const out = Tensor._empty(op, [...shape], x.dtype);
  const dst = out._rawPtr(op) >>> 2;
  const bits = backend.i32();
  for (let k = 0; k < map.length; k++) {
    const j = map[k];
    bits[dst + k] = j < 0 ? 0 : bits[src + j];
  }
  if (!needsGrad(x)) return out;
  return record(
    out,
    op,
    [x],
    (g) => {
      const dx = Tensor._empty(op, x.shape);
      const d = dx._ptr(op) >>> 2;
      const gp = g._ptr(op) >>> 2;
      const f = backend.f32();
      f.fill(0, d, d + dx.numel());
      for (let k = 0; k < map.length; k++) {
        const j = map[k];
        if (j >= 0) f[d + j] += f[gp + k];
      }
      return [dx];
    },
    [],
  );
}

/** Row-major strides of a shape, as numbers. */
export function stridesFor(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * The map for an output of `shape` where `source(idx)` gives the input flat index of the output
 * multi-index `idx` (the array is reused between calls; do not keep it).
 */
export function buildMap(shape: readonly number[], source: (idx: number[]) => number): Int32Array {
  let n = 1;
  for (const d of shape) n *= d;
  const map = new Int32Array(n);
  if (n === 0) return map;
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    map[k] = source(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return map;
}
