/**
 * Lifetimes of tensor storage in WASM memory: reference-counted storage shared by views,
 * explicit dispose, tidy scopes, a FinalizationRegistry safety net, and the counters that
 * `memory()` reports.
 */

import type { Ptr } from "./backend/kernels.js";
import { allocate, backend, K } from "./backend/runtime.js";

/** A block of WASM memory holding float32 (or int32) elements, shared by views. */
export class Storage {
  refs = 1;
  constructor(
    readonly ptr: Ptr,
    readonly bytes: number,
  ) {}
}

let liveTensors = 0;
let liveBytes = 0;
let peakBytes = 0;

export function newStorage(op: string, elements: number): Storage {
  const bytes = elements * 4;
  const storage = new Storage(allocate(op, bytes), bytes);
  liveBytes += bytes;
  if (liveBytes > peakBytes) peakBytes = liveBytes;
  return storage;
}

export function releaseStorage(storage: Storage): void {
  if (--storage.refs === 0) {
    K.free(storage.ptr);
    liveBytes -= storage.bytes;
  }
}

/** Anything that owns storage and can be swept by a tidy scope. */
export interface Disposable {
  readonly isDisposed: boolean;
  /** Set for tensors owned by a module, an optimizer or a leaf's `.grad`: never swept. */
  _kept: boolean;
  dispose(): void;
}

/** The safety net for tensors that become unreachable without being disposed. */
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  liveTensors--;
  releaseStorage(storage);
});

export function trackTensor(t: Disposable, storage: Storage): void {
  liveTensors++;
  finalizer.register(t, storage, t);
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.push(t);
}

export function untrackTensor(t: Disposable): void {
  liveTensors--;
  finalizer.unregister(t);
}

const scopes: Disposable[][] = [];

function collect(value: unknown, into: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 8) return;
  if ("_kept" in value && "dispose" in value) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) collect(v, into, depth + 1);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) collect(v, into, depth + 1);
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns (directly,
 * or inside arrays and plain objects) and tensors owned by modules, optimizers and gradients.
 * `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    sweep(scopes.pop()!, new Set());
    throw error;
  }
  const scope = scopes.pop()!;
  if (result instanceof Promise) {
    sweep(scope, new Set());
    throw new TypeError("tidy: fn must be synchronous (it returned a Promise)");
  }
  const keep = new Set<unknown>();
  collect(result, keep);
  sweep(scope, keep);
  const parent = scopes[scopes.length - 1];
  if (parent !== undefined) {
    for (const t of keep) parent.push(t as Disposable);
  }
  return result;
}

function sweep(scope: Disposable[], keep: Set<unknown>): void {
  for (const t of scope) {
    if (!t._kept && !t.isDisposed && !keep.has(t)) t.dispose();
  }
}

export interface MemoryInfo {
  /** Tensors created and not yet disposed (views count separately). */
  liveTensors: number;
  /** Bytes of tensor storage currently allocated. */
  liveBytes: number;
  /** Size of the WebAssembly memory (it grows on demand and never shrinks). */
  wasmBytes: number;
  /** The largest liveBytes seen. */
  peakBytes: number;
}

export function memory(): MemoryInfo {
  return { liveTensors, liveBytes, wasmBytes: backend.memory.buffer.byteLength, peakBytes };
}
