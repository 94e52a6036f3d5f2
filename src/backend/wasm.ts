/**
 * Loads the kernel module. The only code in wasmgrad that touches WebAssembly.
 *
 * Both binaries are inlined (src/backend/generated/wasm.ts: the baseline build deflated, the
 * relaxed one as a deflated delta against it, 29 KB for both) and compiled synchronously: they are
 * small (tens of KB, far under Chromium's main-thread limit for synchronous compilation), which
 * keeps `import` free of top-level await so that `require("wasmgrad")` works on Node >= 20.19.
 */
import { relaxedWasm, simdWasm } from "./generated/wasm.js";
import { applyDelta, inflateRaw } from "./inflate.js";
import { type Kernels, kernelNames } from "./kernels.js";

export type Variant = "simd" | "relaxed";

export interface Backend {
  readonly variant: Variant;
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
  readonly wasmBytes: number;
  /** Views over the whole memory, re-made whenever memory has grown (growth detaches them). */
  f32(): Float32Array;
  i32(): Int32Array;
  u8(): Uint8Array;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The binary of a build, rebuilt from its inlined form once and kept. */
export function bytesOf(variant: Variant): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(variant);
  if (bytes === undefined) {
    if (variant === "simd") bytes = inflateRaw(decodeBase64(simdWasm[0]), simdWasm[1]);
    else {
      const [data, size, deltaSize] = relaxedWasm;
      bytes = applyDelta(bytesOf("simd"), inflateRaw(decodeBase64(data), deltaSize), size);
    }
    decoded.set(variant, bytes);
  }
  return bytes;
}

const decoded = new Map<Variant, Uint8Array<ArrayBuffer>>();

/** Whether this engine validates the relaxed-SIMD build (Chromium; Node 22+ or with a flag). */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(bytesOf("relaxed"));
}

/** Instantiates a fresh, independent copy of the kernel module. */
export function instantiate(variant: Variant): Backend {
  const bytes = bytesOf(variant);
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, {});
  const exports = instance.exports as Record<string, unknown>;
  const kernels = {} as Record<string, unknown>;
  for (const name of kernelNames) kernels[name] = exports[name];
  const memory = exports.memory as WebAssembly.Memory;

  let buffer = memory.buffer;
  let f32 = new Float32Array(buffer);
  let i32 = new Int32Array(buffer);
  let u8 = new Uint8Array(buffer);
  const refresh = (): void => {
    buffer = memory.buffer;
    f32 = new Float32Array(buffer);
    i32 = new Int32Array(buffer);
    u8 = new Uint8Array(buffer);
  };
  return {
    variant,
    kernels: kernels as unknown as Kernels,
    memory,
    wasmBytes: bytes.length,
    f32: () => {
      if (memory.buffer !== buffer) refresh();
      return f32;
    },
    i32: () => {
      if (memory.buffer !== buffer) refresh();
      return i32;
    },
    u8: () => {
      if (memory.buffer !== buffer) refresh();
      return u8;
    },
  };
}

/** The exports of a variant's module, for the test that compares them with the kernel table. */
export function exportedFunctionNames(variant: Variant): string[] {
  const module = new WebAssembly.Module(bytesOf(variant));
  return WebAssembly.Module.exports(module)
    .filter((e) => e.kind === "function")
    .map((e) => e.name);
}
