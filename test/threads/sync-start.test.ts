/**
 * Workers join a program that never yields to its event loop: a synchronous training loop, or a
 * benchmark, gets its threads a few ops after the first big one. (The workers count themselves
 * in the pool's control block; their "ready" messages would wait for the event loop.)
 */
import { afterAll, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";
import { threadState } from "../../src/backend/parallel.js";

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("a loop that never awaits runs on the workers once they have joined", () => {
  wg.setNumThreads(2, { minWorkMicros: 0 });
  const a = wg.randn([128, 128]);
  const b = wg.randn([128, 128]);
  const expected = wg.tidy(() => {
    wg.setNumThreads(1);
    return Array.from(wg.matmul(a, b).data());
  });
  wg.setNumThreads(2, { minWorkMicros: 0 });
  const t0 = performance.now();
  let ops = 0;
  while (wg.backendInfo().threads < 2 && performance.now() - t0 < 20_000) {
    wg.matmul(a, b).dispose();
    ops++;
  }
  expect(wg.backendInfo().threads).toBe(2);
  expect(ops).toBeGreaterThan(0);
  const pool = threadState.pool;
  if (pool === undefined) throw new Error("no pool");
  const run = vi.spyOn(pool, "run");
  const got = wg.tidy(() => Array.from(wg.matmul(a, b).data()));
  expect(run).toHaveBeenCalled();
  run.mockRestore();
  expect(got).toEqual(expected);
});

it("a pool stopped before its workers started leaves none joined to it", () => {
  wg.setNumThreads(1);
  wg.setNumThreads(2, { minWorkMicros: 0 });
  const a = wg.randn([128, 128]);
  wg.matmul(a, a).dispose(); // starts the pool; its workers are still starting
  const first = threadState.pool;
  if (first === undefined) throw new Error("no pool");
  wg.setNumThreads(1);
  const t0 = performance.now();
  while (performance.now() - t0 < 300) wg.matmul(a, a).dispose();
  expect(first.joined).toBe(0);
  expect(wg.backendInfo().threads).toBe(1);
});
