/**
 * The process-wide kernel module: instantiated once when wasmgrad is imported, picking the
 * relaxed-SIMD build where the engine validates it. Also owns raw allocation and the small
 * scratch area through which N-d kernels receive shapes and strides.
 */
import { WasmgradError } from "../errors.js";
import type { Kernels, Ptr } from "./kernels.js";
import { type Backend, instantiate, relaxedSimdSupported, type Variant } from "./wasm.js";

function chooseVariant(): Variant {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  if (env?.WASMGRAD_SIMD === "baseline") return "simd";
  return relaxedSimdSupported() ? "relaxed" : "simd";
}

export const backend: Backend = instantiate(chooseVariant());
export const K: Kernels = backend.kernels;

/** Largest single allocation the allocator can serve (TLSF's block limit is 1 GiB). */
const MAX_ALLOCATION = 2 ** 30 - 64;

/** Allocates `bytes` (16-byte aligned) or throws a WasmgradError naming `op`. */
export function allocate(op: string, bytes: number): Ptr {
  const request = Math.max(bytes, 16);
  if (request > MAX_ALLOCATION) {
    throw new WasmgradError(
      `${op}: cannot allocate ${bytes} bytes: a single tensor is limited to ${MAX_ALLOCATION} bytes`,
    );
  }
  try {
    return K.alloc(request);
  } catch (cause) {
    throw new WasmgradError(
      `${op}: out of memory allocating ${bytes} bytes (WebAssembly memory is ${backend.memory.buffer.byteLength} bytes and cannot grow further)`,
      { cause },
    );
  }
}

const META_INTS = 256;
const metaPtr = K.alloc(META_INTS * 4);

/**
 * Writes i32 values into the scratch area and returns its pointer. Call it after every
 * allocation an op makes: growing memory does not move the scratch area, but the kernels must
 * see the values written last.
 */
export function meta(...lists: readonly (readonly number[])[]): Ptr {
  const view = backend.i32();
  let i = metaPtr >>> 2;
  for (const list of lists) {
    for (const v of list) view[i++] = v;
  }
  if (i - (metaPtr >>> 2) > META_INTS)
    throw new WasmgradError("internal: kernel metadata overflow");
  return metaPtr;
}
