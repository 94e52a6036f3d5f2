/**
 * The process-wide kernel module: instantiated once when wasmgrad is imported, picking the
 * relaxed-SIMD build where the engine validates it. Also owns raw allocation and the small
 * scratch area through which N-d kernels receive shapes and strides.
 */
import { WasmgradError } from "../errors.js";
import { readEnv } from "./env.js";
import type { Kernels, Ptr } from "./kernels.js";
import { installThreads } from "./parallel.js";
import { type Backend, instantiate, relaxedSimdSupported, type Variant } from "./wasm.js";

function chooseVariant(): Variant {
  if (readEnv("WASMGRAD_SIMD") === "baseline") return "simd";
  return relaxedSimdSupported() ? "relaxed" : "simd";
}

/** What v8Version reads from the global object. */
export interface EngineGlobals {
  process?: { versions?: { v8?: string; bun?: string } };
  Deno?: { version?: { v8?: string } };
  navigator?: { userAgent?: string };
}

/**
 * The V8 version of this engine as major * 100 + minor (13.6 -> 1306), or 0 if not V8: from
 * Node's or Deno's version table, else from a Chromium user agent.
 */
export function v8Version(g: EngineGlobals = globalThis as EngineGlobals): number {
  if (g.process?.versions?.bun !== undefined) return 0; // JavaScriptCore behind a V8 version
  const v8 = g.process?.versions?.v8 ?? g.Deno?.version?.v8;
  if (typeof v8 === "string") {
    const [major, minor] = v8.split(".").map(Number);
    return major * 100 + minor;
  }
  // Chromium M ships V8 (M / 10).(M % 10): Chrome 136 runs V8 13.6.
  const chrome = /(?:Chrome|Chromium)\/(\d+)\./.exec(g.navigator?.userAgent ?? "");
  if (!chrome) return 0;
  const m = Number(chrome[1]);
  return Math.floor(m / 10) * 100 + (m % 10);
}

/**
 * sgemm's register tile. The relaxed build has a 6x8 tile that needs 15 live v128 registers:
 * V8 from 13.6 (Node 24, Chromium 136) keeps them all and runs it at 99% of the FMA ceiling,
 * against 94% for 4x8, but older V8 (Node 20 and 22) spills and halves its speed, as would other
 * engines we have not measured. WASMGRAD_GEMM_TILE=4x8|6x8 overrides the choice.
 */
function chooseGemmTile(variant: Variant): number {
  const forced = readEnv("WASMGRAD_GEMM_TILE");
  if (forced === "4x8") return 4;
  if (forced === "6x8") {
    if (variant !== "relaxed")
      console.warn("wasmgrad: WASMGRAD_GEMM_TILE=6x8 needs the relaxed-SIMD build; using 4x8");
    return 6;
  }
  if (forced !== undefined && forced !== "") {
    console.warn(`wasmgrad: ignoring WASMGRAD_GEMM_TILE=${forced} (expected 4x8 or 6x8)`);
  }
  return variant === "relaxed" && v8Version() >= 1306 ? 6 : 4;
}

export const backend: Backend = instantiate(chooseVariant());
export const K: Kernels = backend.kernels;
/** Rows of sgemm's register tile in use: 4 or 6. */
export const gemmTileRows: number = K.sgemm_set_tile(chooseGemmTile(backend.variant));
installThreads(backend, gemmTileRows);

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
