/**
 * Loads the kernel module. The only code in wasmgrad that touches WebAssembly.
 *
 * Both binaries are inlined (./binaries.ts; the `wasmgrad/url` build swaps in ./binaries-url.ts,
 * which fetches them before the library runs) and compiled synchronously: they are
 * small (tens of KB, far under Chromium's main-thread limit for synchronous compilation), which
 * keeps `import` free of top-level await so that `require("wasmgrad")` works on Node >= 20.19.
 */
import { bytesOf, type Variant } from "./binaries.js";
import { type Kernels, kernelNames } from "./kernels.js";

export { bytesOf, type Variant };

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

/** Whether this engine validates the relaxed-SIMD build (Chromium; Node 22+ or with a flag). */
export function relaxedSimdSupported(): boolean {
  try {
    return WebAssembly.validate(bytesOf("relaxed"));
  } catch {
    return false; // wasmgrad/url loads only the build the engine runs
  }
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
