/**
 * The random number generator behind every random draw (init, rand/randn, dropout, shuffling):
 * xoshiro128** seeded through splitmix32, so `manualSeed(n)` makes runs reproducible.
 * (PyTorch's own generator is not reproduced: equal seeds give equal streams within wasmgrad.)
 */
import { WasmgradError } from "./errors.js";
import { describe, noExtra } from "./validate.js";

let s0 = 0;
let s1 = 0;
let s2 = 0;
let s3 = 0;

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Seeds the generator; the same seed gives the same sequence of draws.
 *
 * PyTorch: `torch.manual_seed`.
 *
 * @example
 * ```ts
 * wg.manualSeed(0); // wg.rand(2) now gives the same values every run
 * ```
 */
export function manualSeed(seed: number, ...extra: []): void {
  noExtra("manualSeed", [seed, ...extra], 1);
  // Any integer PyTorch takes (up to 2**64) is fine here; fractions, NaN and strings are not.
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new WasmgradError(
      `manualSeed: seed must be an integer (a safe integer Number) but got ${describe(seed)}`,
    );
  }
  const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  s0 = next();
  s1 = next();
  s2 = next();
  s3 = next();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  spare = null;
}

/** A uniform 32-bit integer. */
export function nextU32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A uniform float in [0, 1) with 24 random bits (exactly representable in float32). */
export function uniform(): number {
  return (nextU32() >>> 8) / 16777216;
}

let spare: number | null = null;

/** A standard normal draw (Box-Muller, both values used). */
export function normal(): number {
  if (spare !== null) {
    const v = spare;
    spare = null;
    return v;
  }
  let u = 0;
  while (u === 0) u = uniform();
  const v = uniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spare = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** A uniform integer in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(uniform() * n);
}

manualSeed((Math.random() * 2 ** 32) >>> 0);
