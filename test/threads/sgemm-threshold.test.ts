/**
 * Which sgemm calls the pool takes at the default threshold (50 µs of estimated single-thread
 * work): the estimate counts the operands' floats as well as the multiply-adds, so a thin
 * product (a Linear layer's weight gradient, 10 x 2352 over a batch of 32) goes to the pool,
 * while a small square one stays on the calling thread.
 */
import { afterAll, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";
import { threadState } from "../../src/backend/parallel.js";
import { K } from "../../src/backend/runtime.js";

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

/** Whether sgemm_f32 on [m x k] by [k x n] (A transposed if tA) ran as a pool task. */
function pooled(m: number, n: number, k: number, tA: 0 | 1): boolean {
  const pool = threadState.pool;
  if (pool === undefined) throw new Error("no pool");
  const run = vi.spyOn(pool, "run");
  const a = K.alloc(m * k * 4);
  const b = K.alloc(k * n * 4);
  const c = K.alloc(m * n * 4);
  try {
    K.sgemm_f32(c, n, a, tA ? m : k, b, n, m, n, k, tA, 0, 1, 0);
    return run.mock.calls.length > 0;
  } finally {
    run.mockRestore();
    for (const p of [a, b, c]) K.free(p);
  }
}

it("thin products go to the pool at the default threshold, small ones do not", async () => {
  wg.setNumThreads(2, { minWorkMicros: 50 });
  await wg.ready();
  expect(wg.backendInfo().threads).toBe(2);
  // 752K multiply-adds (30 µs alone) over 99K floats of operands and result.
  expect(pooled(10, 2352, 32, 1)).toBe(true);
  expect(pooled(32, 2352, 10, 0)).toBe(true);
  // 262K multiply-adds over 12K floats.
  expect(pooled(64, 64, 64, 0)).toBe(false);
});
