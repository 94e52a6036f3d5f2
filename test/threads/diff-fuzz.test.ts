/**
 * A differential fuzzer of the thread paths: random cases (diff-cases.ts: ops, shapes, views,
 * options, forward and backward) run on one thread, then on 2, 3 and 4 threads with the work
 * threshold at 0, so that every op with more than one block goes to the pool. Every result must
 * keep the single-thread bytes, nothing may throw on threads that did not throw on one, and
 * every case must leave no live tensors behind.
 *
 * CI runs a fixed seed range. A longer run:
 *   WASMGRAD_DIFF_CASES=5000 WASMGRAD_DIFF_SEED=1 npx vitest run --project node test/threads/diff-fuzz.test.ts
 * A failure names the case's seed; `WASMGRAD_DIFF_SEED=<seed> WASMGRAD_DIFF_CASES=1` replays it.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { onThreads, taskNames } from "../helpers/threads.js";
import { diffCase } from "./diff-cases.js";

const count = Number(process.env.WASMGRAD_DIFF_CASES ?? 240);
const first = Number(process.env.WASMGRAD_DIFF_SEED ?? 20261203);

afterAll(() => {
  wg.setNumThreads(1);
});

type Outcome = { bytes: Uint8Array[] } | { error: unknown };

function runCase(run: () => Uint8Array[]): Outcome {
  const live = wg.memory().liveTensors;
  let outcome: Outcome;
  try {
    outcome = { bytes: wg.tidy(run) };
  } catch (error) {
    outcome = { error };
  }
  const left = wg.memory().liveTensors - live;
  if (left !== 0) outcome = { error: new Error(`${left} live tensors left behind`) };
  return outcome;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

it(`keeps the single-thread bytes on ${count} random cases at 2, 3 and 4 threads`, async () => {
  const cases = Array.from({ length: count }, (_, i) => diffCase(first + i));
  wg.setNumThreads(1);
  const expected = cases.map((c) => runCase(c.run));
  const failures: string[] = [];
  const ran = expected.filter((o) => "bytes" in o).length;
  expected.forEach((o, i) => {
    // A WasmgradError on one thread is a case the generator drew badly (it is skipped); any
    // other error is a bug.
    if ("error" in o && !(o.error instanceof wg.WasmgradError))
      failures.push(`seed ${cases[i].seed} (${cases[i].name}), 1 thread: ${describe(o.error)}`);
  });
  for (const threads of [2, 3, 4]) {
    const spy = await onThreads(threads);
    cases.forEach((c, i) => {
      const want = expected[i];
      if (!("bytes" in want)) return;
      const got = runCase(c.run);
      const where = `seed ${c.seed} (${c.name}), ${threads} threads`;
      if ("error" in got) {
        failures.push(`${where}: ${describe(got.error)}`);
        return;
      }
      want.bytes.forEach((w, j) => {
        const g = got.bytes[j];
        if (g === undefined || g.length !== w.length || g.some((v, e) => v !== w[e]))
          failures.push(`${where}: result ${j} differs from one thread`);
      });
    });
    if (process.env.WASMGRAD_DIFF_VERBOSE)
      console.log(
        `${threads} threads: ${spy.mock.calls.length} pool tasks of ${[...taskNames(spy)].join(" ")}`,
      );
    spy.mockRestore();
  }
  if (process.env.WASMGRAD_DIFF_VERBOSE)
    expected.forEach((o, i) => {
      if ("error" in o)
        console.log(`skipped seed ${cases[i].seed} (${cases[i].name}): ${describe(o.error)}`);
    });
  wg.setNumThreads(1);
  expect(failures).toEqual([]);
  // Most draws are valid calls; a generator that only made errors would test nothing.
  expect(ran).toBeGreaterThan(count * 0.9);
}, 600_000);
