/** Loading state, threads, and what the running backend supports. */

import { getMinWorkMicros, setMinWorkMicros, threadState } from "./backend/parallel.js";
import { backend, gemmTileRows } from "./backend/runtime.js";
import { ensurePool, MAX_THREADS, setRequested, unavailableReason } from "./backend/threads.js";
import { WasmgradError } from "./errors.js";

/** What {@link backendInfo} reports about the WebAssembly backend. */
export interface BackendInfo {
  /** Whether the WebAssembly SIMD build runs (always true: SIMD is required). */
  simd: boolean;
  /** Whether the relaxed-SIMD build (fused multiply-add kernels) runs. */
  relaxedSimd: boolean;
  /** Threads running ops now: 1 until the workers have joined (see ready()), then getNumThreads(). */
  threads: number;
  /** Why threads are off, or fewer than asked; undefined when all asked for are running. */
  threadsReason?: string;
  /** Ops estimated to take less than this many microseconds on one thread stay on the caller. */
  threadsMinWorkMicros: number;
  /** The size of the WebAssembly memory in bytes. */
  wasmBytes: number;
  /** sgemm's register tile: "6x8" in the relaxed build on V8 13.6+ (Node 24, Chromium 136), else "4x8". */
  gemmTile: "4x8" | "6x8";
}

/**
 * Resolves once the kernels are instantiated (they are when the import completes) and, when
 * threads are on, once the workers have joined or failed to (it starts them if no op has yet).
 * Never rejects: without threads it resolves with one thread (see backendInfo().threadsReason).
 *
 * PyTorch: no counterpart (PyTorch needs no loading step).
 *
 * @example
 * ```ts
 * await wg.ready(); // optional: the library is usable at import
 * ```
 *
 * PyTorch: no counterpart (PyTorch needs no loading step).
 */
export async function ready(): Promise<void> {
  const pool = ensurePool(threadState);
  if (pool !== undefined) await pool.settled;
}

/**
 * What runs the kernels: SIMD and relaxed-SIMD support, the thread count, the binary size and
 * sgemm's tile.
 *
 * PyTorch: `torch.backends` (no single counterpart).
 *
 * @example
 * ```ts
 * wg.backendInfo().relaxedSimd; // true when the relaxed-SIMD build runs
 * ```
 */
export function backendInfo(): BackendInfo {
  const pool = threadState.pool;
  return {
    simd: true,
    relaxedSimd: backend.variant === "relaxed",
    threads: pool === undefined ? 1 : pool.joined + 1,
    threadsReason: threadState.reason,
    threadsMinWorkMicros: getMinWorkMicros(),
    wasmBytes: backend.wasmBytes,
    gemmTile: gemmTileRows === 6 ? "6x8" : "4x8",
  };
}

/**
 * Sets the number of threads ops may use (torch.set_num_threads), 1 for none; returns the
 * count in effect once the workers have joined: 1 where threads are unavailable (the reason is
 * in backendInfo()). Workers start in the background on the next big op or ready().
 * `minWorkMicros` sets the threshold of estimated single-thread work below which an op stays
 * on the calling thread (default 50).
 *
 * @example
 * ```ts
 * wg.setNumThreads(2); // returns the count in effect
 * ```
 */
export function setNumThreads(n: number, options: { minWorkMicros?: number } = {}): number {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new WasmgradError(
      `setNumThreads: expected a whole number from 1 to ${MAX_THREADS}, got ${String(n)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "minWorkMicros") {
      throw new WasmgradError(`setNumThreads: unknown option "${key}" (expected minWorkMicros)`);
    }
  }
  const micros = options.minWorkMicros;
  if (micros !== undefined) {
    if (typeof micros !== "number" || !(micros >= 0)) {
      throw new WasmgradError(
        `setNumThreads: minWorkMicros must be a number >= 0, got ${String(micros)}`,
      );
    }
    setMinWorkMicros(micros);
  }
  if (n !== threadState.requested) setRequested(threadState, n);
  return getNumThreads();
}

/**
 * The threads ops use once the workers have joined: 1 when off or unavailable.
 *
 * PyTorch: `torch.get_num_threads`.
 *
 * @example
 * ```ts
 * wg.getNumThreads(); // the thread count asked for
 * ```
 */
export function getNumThreads(): number {
  if (threadState.requested <= 1) return 1;
  const pool = threadState.pool;
  if (pool !== undefined) return pool.failures.length > 0 ? pool.joined + 1 : threadState.requested;
  return unavailableReason(threadState.backend) === undefined ? threadState.requested : 1;
}
