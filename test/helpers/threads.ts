/**
 * The harness of the bit-identity tests in test/threads/: switch to N threads with the work
 * threshold at 0 (so every op with more than one block goes to the pool), spy on the pool's
 * tasks, and compare results bit for bit with the single-thread run.
 */
import { expect, type MockInstance, vi } from "vitest";
import * as wg from "wasmgrad";
import { threadState } from "../../src/backend/parallel.js";
import type { ThreadPool } from "../../src/backend/pool.js";

/** The bits of a tensor's values (a missing gradient fails the test). */
export function bits(t: wg.Tensor | null): Uint32Array {
  if (t === null) throw new Error("no gradient");
  return new Uint32Array(t.data().slice().buffer);
}

/**
 * Runs on `threads` threads (threshold 0) once the workers have joined; returns a spy on the
 * pool's tasks, to restore when done.
 */
export async function onThreads(threads: number): Promise<MockInstance<ThreadPool["run"]>> {
  wg.setNumThreads(threads, { minWorkMicros: 0 });
  await wg.ready();
  expect(wg.backendInfo().threads).toBe(threads);
  const pool = threadState.pool;
  if (pool === undefined) throw new Error("no pool");
  return vi.spyOn(pool, "run");
}

/** The names of the pool tasks a spy saw (ranged kernels as "name@ptrs:count:unit"). */
export function taskNames(spy: MockInstance<ThreadPool["run"]>): Set<string> {
  return new Set(spy.mock.calls.map(([kernel]) => threadState.names[kernel]));
}

/** Whether the ranged kernel `name` ran as a pool task. */
export function ranRanged(names: Set<string>, name: string): boolean {
  return [...names].some((k) => k.startsWith(`${name}@`));
}

/** Every result of every case has the single-thread bits; a failure names the case. */
export function expectSameBits(
  names: readonly string[],
  expected: Uint32Array[][],
  got: Uint32Array[][],
  threads: number,
): void {
  names.forEach((name, i) => {
    expected[i].forEach((want, j) => {
      const same = got[i][j].length === want.length && got[i][j].every((v, e) => v === want[e]);
      expect(same, `${name}, result ${j}, at ${threads} threads`).toBe(true);
    });
  });
}

/** A named case of a bit-identity test: it returns the bits of each of its results. */
export type BitsCase = [name: string, run: () => Uint32Array[]];

/**
 * Runs every case (each in wg.tidy, from seed `seed`) on one thread, then on 2, 3 and 4 threads,
 * and checks the bits; `check` gets each thread count's pool task names (to show that the ops
 * under test went to the pool).
 */
export async function expectSameBitsAtThreads(
  cases: () => BitsCase[],
  seed: number,
  check: (tasks: Set<string>, threads: number) => void,
): Promise<void> {
  const runAll = () => {
    wg.manualSeed(seed);
    return cases().map(([, run]) => wg.tidy(run));
  };
  wg.setNumThreads(1);
  const names = cases().map(([name]) => name);
  const expected = runAll();
  for (const threads of [2, 3, 4]) {
    const spy = await onThreads(threads);
    const got = runAll();
    const tasks = taskNames(spy);
    spy.mockRestore();
    check(tasks, threads);
    expectSameBits(names, expected, got, threads);
  }
}
