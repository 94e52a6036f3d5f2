/**
 * Raw-kernel test helpers: fresh module instances of both builds, and copying arrays in and out
 * of their memory.
 */
import { expect } from "vitest";
import {
  type Backend,
  instantiate,
  relaxedSimdSupported,
  type Variant,
} from "../../src/backend/wasm.js";

/** The builds this engine can run (the node project enables relaxed SIMD by flag). */
export const variants: Variant[] = relaxedSimdSupported() ? ["simd", "relaxed"] : ["simd"];

const cache = new Map<Variant, Backend>();
export function backendFor(variant: Variant): Backend {
  let b = cache.get(variant);
  if (b === undefined) {
    b = instantiate(variant);
    cache.set(variant, b);
  }
  return b;
}

/** Copies `data` into freshly allocated WASM memory and returns its byte pointer. */
export function put(b: Backend, data: Float32Array | number[]): number {
  const ptr = b.kernels.alloc(Math.max(4, data.length * 4));
  b.f32().set(data, ptr >>> 2);
  return ptr;
}

export function putI32(b: Backend, data: Int32Array | number[]): number {
  const ptr = b.kernels.alloc(Math.max(4, data.length * 4));
  b.i32().set(data, ptr >>> 2);
  return ptr;
}

/** Allocates `n` floats filled with `fill` (NaN by default, so unwritten outputs show). */
export function scratch(b: Backend, n: number, fill = Number.NaN): number {
  const ptr = b.kernels.alloc(Math.max(4, n * 4));
  b.f32().fill(fill, ptr >>> 2, (ptr >>> 2) + n);
  return ptr;
}

export function get(b: Backend, ptr: number, n: number): Float32Array {
  return b.f32().slice(ptr >>> 2, (ptr >>> 2) + n);
}

/** Deterministic pseudo-random floats in [lo, hi) for test inputs. */
export function randomArray(n: number, seed = 1, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  return out;
}

/** Sizes that exercise empty input, SIMD tails and multi-block paths. */
export const awkwardSizes = [0, 1, 3, 4, 5, 7, 17, 67, 257];

/**
 * Asserts got ≈ want elementwise: the worst |got - want| / (1 + |want|) must be <= tol. The
 * message names the worst index and both values.
 */
export function expectClose(got: Float32Array, want: ArrayLike<number>, tol = 1e-5): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
    if (!(err <= worst)) {
      worst = err;
      at = i;
    }
  }
  expect(worst, `worst at ${at}: got ${got[at]}, want ${want[at]}`).toBeLessThanOrEqual(tol);
}
