/**
 * Everything that can keep threads off gives one thread, a reason and at most one console
 * message, never an error: WASMGRAD_THREADS=1, a memory reservation that fails, no shared
 * memory, a worker that fails to start or never answers. (A page without cross-origin isolation
 * is tested in Chromium: test/browser-noniso/.)
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";
import { threadState } from "../../src/backend/parallel.js";
import type { SpawnWorker } from "../../src/backend/pool.js";
import { K } from "../../src/backend/runtime.js";
import {
  defaultThreads,
  ensurePool,
  type ThreadState,
  unavailableReason,
} from "../../src/backend/threads.js";
import { createMemory, instantiate, SHARED_MAXIMUM_PAGES } from "../../src/backend/wasm.js";

const nodeWorker = (source: string): SpawnWorker => {
  const { Worker } = process.getBuiltinModule("node:worker_threads");
  return () => {
    const w = new Worker(source, { eval: true });
    w.unref();
    return {
      post: (m) => w.postMessage(m),
      terminate: () => void w.terminate(),
      listen: (onMessage, onFailure) => {
        w.on("message", onMessage);
        w.on("error", (e) => onFailure(e.message));
      },
    };
  };
};

/** A 64x64 product through the public API, checked against a plain loop. */
function checkMatmul(): void {
  const a = wg.randn([64, 64]);
  const b = wg.randn([64, 64]);
  const c = wg.matmul(a, b);
  const [x, y, z] = [a.data(), b.data(), c.data()];
  let s = 0;
  for (let k = 0; k < 64; k++) s += x[5 * 64 + k] * y[k * 64 + 7];
  expect(z[5 * 64 + 7]).toBeCloseTo(s, 3);
  for (const t of [a, b, c]) t.dispose();
}

afterEach(() => {
  threadState.spawn = undefined;
  threadState.startTimeoutMs = undefined;
  wg.setNumThreads(1);
  threadState.told = false; // one message per process; each case here checks its own
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("threads fall back to one thread", () => {
  it("WASMGRAD_THREADS=1 turns them off, with the reason; other values are checked", () => {
    vi.stubEnv("WASMGRAD_THREADS", "1");
    expect(defaultThreads()).toEqual({ count: 1, reason: "WASMGRAD_THREADS=1" });
    vi.stubEnv("WASMGRAD_THREADS", "3");
    expect(defaultThreads()).toEqual({ count: 3, reason: undefined });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    vi.stubEnv("WASMGRAD_THREADS", "lots");
    expect(defaultThreads().count).toBeGreaterThanOrEqual(1);
    expect(warn).toHaveBeenCalledOnce();
  });

  it("a shared memory that cannot be reserved is retried smaller, then given up for a plain one", () => {
    const asked: number[] = [];
    class SmallMemory extends WebAssembly.Memory {
      constructor(d: WebAssembly.MemoryDescriptor) {
        if (d.shared) asked.push(d.maximum ?? 0);
        if (d.shared && (d.maximum ?? 0) > 4096) throw new RangeError("could not allocate memory");
        super(d);
      }
    }
    const small = createMemory(true, SmallMemory);
    expect(small.shared).toBe(true);
    expect(asked).toEqual([65536, 16384, 4096]);

    class NoSharedMemory extends WebAssembly.Memory {
      constructor(d: WebAssembly.MemoryDescriptor) {
        if (d.shared) throw new RangeError("could not allocate memory");
        super(d);
      }
    }
    const plain = createMemory(true, NoSharedMemory);
    expect(plain.shared).toBe(false);
    expect(plain.reason).toMatch(/could not reserve a shared memory/);
    // The same binary runs over the plain memory (its import's flags byte flipped).
    const b = instantiate("simd", undefined, plain);
    expect(b.shared).toBe(false);
    expect(b.memory.buffer).toBeInstanceOf(ArrayBuffer);
    expect(unavailableReason(b)).toMatch(/could not reserve a shared memory/);
    const p = b.kernels.alloc(64 * 4);
    b.f32().fill(2, p >>> 2, (p >>> 2) + 64);
    b.kernels.sgemm_f32(p + 128, 4, p, 4, p, 4, 4, 4, 4, 0, 0, 1, 0);
    expect(b.f32()[(p + 128) >>> 2]).toBe(16);
    // Threads over it: one thread, one message, no error.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const state: ThreadState = { backend: b, tileRows: 4, names: [], requested: 2, told: false };
    expect(ensurePool(state)).toBeUndefined();
    expect(ensurePool(state)).toBeUndefined();
    expect(state.reason).toMatch(/shared memory/);
    expect(warn).toHaveBeenCalledOnce();
    expect(SHARED_MAXIMUM_PAGES[0]).toBe(65536);
  });

  it("a worker whose script fails: one thread, the reason, one message, ops still work", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    threadState.spawn = nodeWorker("throw new Error('no workers here')");
    expect(wg.setNumThreads(2, { minWorkMicros: 0 })).toBe(2);
    checkMatmul(); // starts the pool; runs on this thread meanwhile
    await wg.ready();
    expect(wg.backendInfo().threads).toBe(1);
    expect(wg.backendInfo().threadsReason).toMatch(
      /1 of 1 workers failed to start: no workers here/,
    );
    expect(wg.getNumThreads()).toBe(1);
    checkMatmul();
    expect(warn).toHaveBeenCalledOnce();
  });

  it("a worker that never answers is given up after the timeout", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    threadState.spawn = nodeWorker("setInterval(() => {}, 1000)");
    threadState.startTimeoutMs = 200;
    wg.setNumThreads(3, { minWorkMicros: 0 });
    await wg.ready();
    expect(wg.backendInfo().threads).toBe(1);
    expect(wg.backendInfo().threadsReason).toMatch(
      /2 of 2 workers failed to start: no answer within 200 ms/,
    );
    checkMatmul();
    expect(warn).toHaveBeenCalledOnce();
  });

  it("a spawner that throws (no Worker, a strict CSP) counts as a failed worker", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    threadState.spawn = () => {
      throw new Error("Worker is not defined");
    };
    wg.setNumThreads(2);
    await wg.ready();
    expect(wg.backendInfo().threads).toBe(1);
    expect(wg.backendInfo().threadsReason).toMatch(/Worker is not defined/);
  });

  it("setNumThreads checks its arguments", () => {
    expect(() => wg.setNumThreads(0)).toThrow(
      /setNumThreads: expected a whole number from 1 to 64, got 0/,
    );
    expect(() => wg.setNumThreads(2.5)).toThrow(wg.WasmgradError);
    expect(() => wg.setNumThreads(2, { min_work_micros: 1 } as never)).toThrow(/unknown option/);
    expect(wg.setNumThreads(1)).toBe(1);
    expect(wg.backendInfo().threads).toBe(1);
    expect(wg.backendInfo().threadsReason).toBe("set to 1 thread");
    expect(K.sgemm_blocks(300, 300, 300, 0, 0, 0)).toBeGreaterThan(1);
  });
});
