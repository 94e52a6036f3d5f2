/**
 * How many threads wasmgrad uses, and the process-wide pool.
 *
 * Default: the number of logical cores, at most 8. GEMM-bound work (the bulk of training)
 * scales with cores, and past 8 dispatch and memory bandwidth eat the gain for the sizes a
 * browser or laptop trains; on a 2-core machine this gives 2 where the peers (ONNX Runtime
 * Web: min(4, ceil(cores / 2)); TensorFlow.js: min(4, cores / 2)) would give 1. Override with
 * wg.setNumThreads(n) or WASMGRAD_THREADS=n; 1 turns threads off.
 *
 * Workers start lazily, on the first op big enough to use them (or wg.ready()), in the
 * background; ops run on the calling thread until they have joined. Anything that prevents
 * threads leaves one thread, a reason (backendInfo) and one console message, never an error.
 */
import { coreCount, isBrowser, nodeBuiltin, readEnv } from "./env.js";
import { type SpawnWorker, ThreadPool, type WorkerHandle, type WorkerReply } from "./pool.js";
import type { Backend } from "./wasm.js";
import { workerSource } from "./worker-source.js";

/** The most threads setNumThreads accepts. */
export const MAX_THREADS = 64;

export interface ThreadState {
  backend: Backend;
  tileRows: number;
  names: readonly string[];
  /** Threads asked for (1 = off). */
  requested: number;
  pool?: ThreadPool;
  /** Why threads are off or fewer than requested. */
  reason?: string;
  /** Whether the one console message has been printed. */
  told: boolean;
  spawn?: SpawnWorker;
  startTimeoutMs?: number;
}

export function defaultThreads(): { count: number; reason?: string } {
  const env = readEnv("WASMGRAD_THREADS");
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (Number.isInteger(n) && n >= 1) {
      return {
        count: Math.min(n, MAX_THREADS),
        reason: n === 1 ? "WASMGRAD_THREADS=1" : undefined,
      };
    }
    console.warn(`wasmgrad: ignoring WASMGRAD_THREADS=${env} (expected a whole number >= 1)`);
  }
  return { count: Math.max(1, Math.min(8, coreCount())) };
}

/** Why this runtime cannot run threads at all, or undefined if it can. */
export function unavailableReason(backend: Backend): string | undefined {
  if (
    isBrowser() &&
    (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== true
  ) {
    return "the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)";
  }
  if (!backend.shared) return backend.unsharedReason ?? "SharedArrayBuffer is not available";
  if (defaultSpawner() === undefined) return "this runtime has no Worker";
  return undefined;
}

/** Starts the pool if threads are wanted and possible; records the reason if not. */
export function ensurePool(state: ThreadState): ThreadPool | undefined {
  if (state.pool !== undefined || state.requested <= 1) return state.pool;
  if (state.reason !== undefined && state.pool === undefined && state.told) return undefined;
  const why = unavailableReason(state.backend);
  const spawn = state.spawn ?? defaultSpawner();
  if (why !== undefined || spawn === undefined) {
    state.reason = why ?? "this runtime has no Worker";
    tell(state, `wasmgrad: running on one thread: ${state.reason}`);
    return undefined;
  }
  const pool = new ThreadPool(state.requested - 1, {
    backend: state.backend,
    tileRows: state.tileRows,
    names: state.names,
    spawn,
    startTimeoutMs: state.startTimeoutMs,
  });
  state.pool = pool;
  state.reason = undefined;
  void pool.settled.then(() => {
    if (state.pool !== pool || pool.failures.length === 0) return;
    state.reason = `${pool.failures.length} of ${pool.size} workers failed to start: ${pool.failures[0]}`;
    tell(
      state,
      `wasmgrad: running on ${pool.joined + 1} threads instead of ${pool.size + 1}: ${state.reason}`,
    );
  });
  return pool;
}

function tell(state: ThreadState, message: string): void {
  if (state.told) return;
  state.told = true;
  console.warn(message);
}

/** Stops the pool (if any) and asks for `n` threads from the next big op on. */
export function setRequested(state: ThreadState, n: number): void {
  state.pool?.stop();
  state.pool = undefined;
  state.requested = n;
  state.reason = n === 1 ? "set to 1 thread" : undefined;
}

let cachedSpawner: SpawnWorker | null | undefined;

/** Node: worker_threads with an eval'd source; browsers: a module worker from a Blob URL. */
export function defaultSpawner(): SpawnWorker | undefined {
  if (cachedSpawner !== undefined) return cachedSpawner ?? undefined;
  cachedSpawner = nodeSpawner() ?? browserSpawner() ?? null;
  return cachedSpawner ?? undefined;
}

interface NodeWorker {
  postMessage(m: unknown): void;
  terminate(): unknown;
  unref(): void;
  on(event: string, cb: (x: unknown) => void): void;
}

function nodeSpawner(): SpawnWorker | undefined {
  const wt = nodeBuiltin<{ Worker: new (src: string, o: { eval: boolean }) => NodeWorker }>(
    "node:worker_threads",
  );
  if (wt === undefined) return undefined;
  const source = workerSource(true);
  return () => {
    const w = new wt.Worker(source, { eval: true });
    let done = false;
    return {
      post: (m) => w.postMessage(m),
      terminate: () => {
        done = true;
        void w.terminate();
      },
      listen: (onMessage, onFailure) => {
        w.on("message", (m) => {
          // Once joined, an idle pool must not keep the process alive; until then it must, or
          // a process awaiting wg.ready() would exit first.
          if ((m as WorkerReply).ready) w.unref();
          onMessage(m as WorkerReply);
        });
        w.on("error", (e) => onFailure(String((e as Error)?.message ?? e)));
        w.on("exit", (code) => {
          if (!done) onFailure(`worker exited with code ${String(code)}`);
        });
      },
    };
  };
}

function browserSpawner(): SpawnWorker | undefined {
  const g = globalThis as { Worker?: typeof Worker; Blob?: typeof Blob; URL?: typeof URL };
  if (typeof g.Worker !== "function" || typeof g.Blob !== "function") return undefined;
  let url: string | undefined;
  return (): WorkerHandle => {
    url ??= URL.createObjectURL(new Blob([workerSource(false)], { type: "text/javascript" }));
    const w = new Worker(url, { type: "module", name: "wasmgrad" });
    return {
      post: (m) => w.postMessage(m),
      terminate: () => w.terminate(),
      listen: (onMessage, onFailure) => {
        w.onmessage = (e) => onMessage(e.data as WorkerReply);
        w.onerror = (e) => {
          e.preventDefault();
          onFailure(e.message || "worker failed to load");
        };
        w.onmessageerror = () => onFailure("message could not be cloned");
      },
    };
  };
}
