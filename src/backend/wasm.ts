/**
 * Loads the kernel module. The only code in wasmgrad that touches WebAssembly.
 *
 * Both binaries are inlined (./binaries.ts; the `wasmgrad/url` build swaps in ./binaries-url.ts,
 * which fetches them before the library runs) and compiled synchronously: they are
 * small (tens of KB, far under Chromium's main-thread limit for synchronous compilation), which
 * keeps `import` free of top-level await so that `require("wasmgrad")` works on Node >= 20.19.
 */
import { bytesOf, type Variant } from "./binaries.js";
import { stripData, unshareMemory } from "./binary.js";
import { type Kernels, kernelNames } from "./kernels.js";

export { bytesOf, type Variant };

export interface Backend {
  readonly variant: Variant;
  readonly kernels: Kernels;
  readonly memory: WebAssembly.Memory;
  /** Whether memory is shared (workers can run kernels over it). */
  readonly shared: boolean;
  /** Why memory is not shared, when it is not. */
  readonly unsharedReason?: string;
  readonly wasmBytes: number;
  /**
   * The module without data segments, for worker instances over the same memory. Compiled
   * synchronously, as the main module is, so that a pool starts its workers within the op that
   * asks for them, even in a program that never yields to the event loop.
   */
  workerModule(): WebAssembly.Module;
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

/** Pages of memory the module starts with (asconfig.json's initialMemory). */
const INITIAL_PAGES = 32;
/** Largest shared memory to reserve, then smaller ones if the engine refuses (4, 1 GiB, 256 MiB). */
export const SHARED_MAXIMUM_PAGES = [65536, 16384, 4096];

export interface MemoryChoice {
  memory: WebAssembly.Memory;
  shared: boolean;
  reason?: string;
}

type MemoryConstructor = new (descriptor: WebAssembly.MemoryDescriptor) => WebAssembly.Memory;

/**
 * The module's memory: shared when asked and possible (a shared memory reserves its maximum up
 * front, which can fail where address space is short, so smaller maximums are tried), else
 * plain, with the reason.
 */
export function createMemory(
  wantShared: boolean,
  Memory: MemoryConstructor = WebAssembly.Memory,
): MemoryChoice {
  let reason: string | undefined;
  if (wantShared) {
    for (const maximum of SHARED_MAXIMUM_PAGES) {
      try {
        return {
          memory: new Memory({ initial: INITIAL_PAGES, maximum, shared: true }),
          shared: true,
        };
      } catch (cause) {
        reason = `could not reserve a shared memory (${String(cause)})`;
      }
    }
  }
  const memory = new Memory({ initial: INITIAL_PAGES, maximum: SHARED_MAXIMUM_PAGES[0] });
  return { memory, shared: false, reason };
}

/**
 * Instantiates a fresh, independent copy of the kernel module over its own memory: shared
 * where SharedArrayBuffer exists (unless `shared` is false), else plain.
 */
export function instantiate(
  variant: Variant,
  shared?: boolean,
  memoryChoice?: MemoryChoice,
): Backend {
  const wantShared = shared ?? typeof SharedArrayBuffer === "function";
  const choice = memoryChoice ?? createMemory(wantShared);
  const memory = choice.memory;
  const shared_ = choice.shared;
  const bytes = shared_ ? bytesOf(variant) : unshareMemory(bytesOf(variant));
  const module = new WebAssembly.Module(bytes);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const exports = instance.exports as Record<string, unknown>;
  const kernels = {} as Record<string, unknown>;
  for (const name of kernelNames) kernels[name] = exports[name];
  let workerModule: WebAssembly.Module | undefined;

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
    shared: shared_,
    unsharedReason: choice.reason,
    wasmBytes: bytes.length,
    workerModule: () => {
      workerModule ??= new WebAssembly.Module(stripData(bytes));
      return workerModule;
    },
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
