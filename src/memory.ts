/**
 * Lifetimes of tensor storage in WASM memory: reference-counted storage shared by views,
 * explicit dispose, tidy scopes, a FinalizationRegistry safety net, and the counters that
 * `memory()` reports.
 */

import type { Ptr } from "./backend/kernels.js";
import { allocate, backend, K } from "./backend/runtime.js";
import { WasmgradError } from "./errors.js";
import { isThenable, noExtra, swallow, syncFunc } from "./validate.js";

/** A copy of a storage's data in a kernel's layout, and the version it was made from. */
interface Derived {
  ptr: Ptr;
  version: number;
}

/** A block of WASM memory holding float32 (or int32) elements, shared by views. */
export class Storage {
  refs = 1;
  /** Bumped by every in-place write; autograd compares it with the version an op saw. */
  version = 0;
  /** Copies of the data in kernel layouts (derivedCopy), by key; freed with the storage. */
  derived: Map<string, Derived> | null = null;
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
    if (storage.derived !== null) {
      for (const d of storage.derived.values()) K.free(d.ptr);
      storage.derived = null;
    }
    K.free(storage.ptr);
    liveBytes -= storage.bytes;
  }
}

/**
 * A copy of `storage`'s data that `build` writes at a new pointer in some kernel's layout (a
 * recurrent layer's packed weights), kept with the storage under `key` while it stays at
 * `version` (the in-place version of the data read) and freed with it. `key` must name all the
 * layout depends on (the offset and shape read). Such copies are no tensor's: liveBytes leaves
 * them out, wasmBytes does not.
 */
export function derivedCopy(
  op: string,
  storage: Storage,
  key: string,
  version: number,
  bytes: number,
  build: (dst: Ptr) => void,
): Ptr {
  storage.derived ??= new Map();
  let d = storage.derived.get(key);
  if (d !== undefined && d.version === version) return d.ptr;
  if (d === undefined) {
    d = { ptr: allocate(op, bytes), version: -1 };
    storage.derived.set(key, d);
  }
  // Marked stale until built, so that a build that throws is redone next time.
  d.version = -1;
  build(d.ptr);
  d.version = version;
  return d.ptr;
}

/** Anything that owns storage and can be swept by a tidy scope. */
export interface Disposable {
  readonly isDisposed: boolean;
  /** Set for tensors owned by a module, an optimizer or a leaf's `.grad`: never swept. */
  _kept: boolean;
  /** Set once the tensor is registered with the FinalizationRegistry. */
  _registered: boolean;
  /** Set while the tensor lives outside every tidy scope (counted for the leak warning). */
  _outside: boolean;
  /** The storage the tensor holds now (a lazy view's changes when it is materialised). */
  _heldStorage(): Storage | null;
  dispose(): void;
}

/** The safety net for tensors that become unreachable without being disposed. */
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  liveTensors--;
  outsideLive--;
  releaseStorage(storage);
});

/*
 * Tensors alive outside any tidy scope. The FinalizationRegistry never runs inside a synchronous
 * loop, so a PyTorch-style loop without tidy grows without bound; past LEAK_WARNING such tensors
 * wasmgrad says so once, naming the remedy.
 */
let outsideLive = 0;
let warned = false;
export const LEAK_WARNING = 10_000;

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}

/** The remedy for tensors that are never freed, for warnings and out-of-memory errors. */
export const MEMORY_REMEDY =
  "tensors are freed by t.dispose(), by `using t = ...`, or at the end of wg.tidy(() => ...), which keeps what the callback returns; the garbage collector cannot free them during a synchronous loop, so wrap each training step in wg.tidy";

function noteOutside(t: Disposable): void {
  t._outside = true;
  outsideLive++;
  if (outsideLive >= LEAK_WARNING && !warned) {
    warned = true;
    console.warn(
      `wasmgrad: ${outsideLive} tensors (${mib(liveBytes)} MiB in all) made outside wg.tidy are still alive: ${MEMORY_REMEDY}`,
    );
  }
}

/*
 * Registering with a FinalizationRegistry costs more than a small op itself, and most tensors
 * are disposed moments after they are made. So new tensors wait in a nursery and are registered
 * in batches (when it fills, or at the next microtask), only if they are still alive then.
 */
const NURSERY_SIZE = 512;
const nursery: Disposable[] = [];
let flushQueued = false;

function register(t: Disposable): void {
  const storage = t._heldStorage();
  if (storage === null) return;
  finalizer.register(t, storage, t);
  t._registered = true;
}

function flushNursery(): void {
  flushQueued = false;
  for (const t of nursery) if (!t.isDisposed) register(t);
  nursery.length = 0;
}

function enterNursery(t: Disposable): void {
  if (!t._outside) noteOutside(t);
  nursery.push(t);
  if (nursery.length >= NURSERY_SIZE) flushNursery();
  else if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flushNursery);
  }
}

/**
 * Counts a new tensor. Inside a tidy scope the scope owns it (the scope's end disposes it or
 * passes it on); outside, it goes to the nursery for the FinalizationRegistry.
 */
export function trackTensor(t: Disposable): void {
  liveTensors++;
  const scope = scopes[scopes.length - 1];
  if (scope !== undefined) scope.push(t);
  else enterNursery(t);
}

/** Re-registers a tensor whose storage was replaced (a materialised lazy view). */
export function storageReplaced(t: Disposable): void {
  if (t._registered) {
    finalizer.unregister(t);
    register(t);
  }
}

export function untrackTensor(t: Disposable): void {
  liveTensors--;
  if (t._outside) {
    t._outside = false;
    outsideLive--;
  }
  if (t._registered) finalizer.unregister(t);
}

const scopes: Disposable[][] = [];

/** Adds the tensors in `value` to `into`: a tensor, or arrays, plain objects, Maps and Sets of them, nested. */
function collect(value: unknown, into: Set<unknown>, seen = new Set<unknown>()): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if ("_kept" in value && "dispose" in value) {
    into.add(value);
    return;
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) collect(v, into, seen);
  } else if (value instanceof Map) {
    for (const [k, v] of value) {
      collect(k, into, seen);
      collect(v, into, seen);
    }
  } else if (
    Object.getPrototypeOf(value) === Object.prototype ||
    Object.getPrototypeOf(value) === null
  ) {
    for (const v of Object.values(value)) collect(v, into, seen);
  }
}

/**
 * Runs `fn` and disposes every tensor created inside it, except the tensors it returns (directly,
 * or inside arrays, plain objects, Maps and Sets, at any depth; not inside class instances) and
 * tensors owned by modules, optimizers and gradients. `fn` must be synchronous.
 *
 * PyTorch: no counterpart: PyTorch frees by garbage collection (TensorFlow.js has `tf.tidy`).
 *
 * @example
 * ```ts
 * const loss = wg.tidy(() => wg.F.mseLoss(model.forward(x), y).item()); // intermediates freed
 * ```
 *
 * PyTorch: no counterpart: PyTorch frees by garbage collection (TensorFlow.js has `tf.tidy`).
 */
export function tidy<T>(fn: () => T, ...extra: []): T {
  noExtra("tidy", [fn, ...extra], 1);
  syncFunc("tidy", "fn", fn);
  scopes.push([]);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    closeScope(new Set());
    throw error;
  }
  if (isThenable(result)) {
    swallow(result); // the caller gets this error; the promise must not reject unobserved
    closeScope(new Set());
    throw new WasmgradError(
      "tidy: fn must be synchronous (it returned a Promise); tensors created after an await would escape the scope",
    );
  }
  const keep = new Set<unknown>();
  collect(result, keep);
  closeScope(keep);
  return result;
}

/** Ends the innermost scope: survivors move to the enclosing scope, or to the nursery. */
function closeScope(keep: Set<unknown>): void {
  const tensors = scopes.pop()!;
  const parent = scopes[scopes.length - 1];
  // Free the scope's own tensors first: freeing one can hand back a tensor it kept (a gradient
  // the caller assigned to it), which is then the scope's to free too.
  for (const t of tensors) if (!t.isDisposed && !t._kept && !keep.has(t)) t.dispose();
  for (const t of tensors) {
    if (t.isDisposed) continue;
    if (t._kept || keep.has(t)) {
      if (parent !== undefined) parent.push(t);
      else enterNursery(t);
    } else t.dispose();
  }
}

/** @internal opens a scope for the library's graph scopes (autograd/owned.ts). */
export function _openScope(): void {
  scopes.push([]);
}

/**
 * @internal closes the innermost scope without disposing anything: every live tensor made in it
 * moves to the enclosing scope (or the nursery), as tidy does with what it keeps. Returns them.
 */
export function _closeScopeKeepingAll(): Disposable[] {
  const tensors = scopes.pop()!;
  const parent = scopes[scopes.length - 1];
  const live: Disposable[] = [];
  for (const t of tensors) {
    if (t.isDisposed) continue;
    live.push(t);
    if (parent !== undefined) parent.push(t);
    else enterNursery(t);
  }
  return live;
}

/** What {@link memory} reports: live tensors and bytes. */
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

/** @internal for tests: re-arms the one-time leak warning. */
export function _resetLeakWarning(): void {
  warned = false;
}

/**
 * What the WebAssembly heap holds: live tensors, bytes in use, the peak and the heap size.
 *
 * PyTorch: `torch.cuda.memory_stats` (the closest).
 *
 * @example
 * ```ts
 * wg.memory().liveTensors; // tensors created and not yet disposed
 * ```
 */
export function memory(): MemoryInfo {
  return { liveTensors, liveBytes, wasmBytes: backend.memory.buffer.byteLength, peakBytes };
}
