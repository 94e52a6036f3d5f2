/**
 * Runs before every test file: with threads on (WASMGRAD_THREADS > 1), waits for the workers and
 * drops the work threshold to 0, so that every sgemm with more than one block is split and the
 * whole suite checks the threaded paths.
 */
import { beforeAll } from "vitest";
import * as wg from "wasmgrad";

beforeAll(async () => {
  const n = wg.getNumThreads();
  if (n > 1) {
    wg.setNumThreads(n, { minWorkMicros: 0 });
    await wg.ready();
  }
});
