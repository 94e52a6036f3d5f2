/**
 * The boundary fuzzer in CI: a bounded, seeded run (see core.mjs for what it checks). A long run
 * over the built package, with a per-call watchdog: `npm run fuzz -- --calls 100000 --seed N`
 * (after `npm run build`; see scripts/fuzz.mjs).
 */
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import * as wg from "wasmgrad";
import { runFuzz } from "./core.mjs";
import { privateMembers } from "./private.mjs";

interface Failure {
  call: number;
  entry: string;
  outcome: string;
  detail: string;
}

const calls = Number(process.env.WASMGRAD_FUZZ_CALLS ?? 4000);
const seed = Number(process.env.WASMGRAD_FUZZ_SEED ?? 11);

it(`survives ${calls} hostile calls (seed ${seed}) with only results and WasmgradErrors`, () => {
  const hidden = privateMembers(fileURLToPath(new URL("../../src", import.meta.url)));
  const { counts, failures } = runFuzz(wg, { calls, seed, hidden }) as {
    counts: Record<string, number>;
    failures: Failure[];
  };
  const kinds = new Map<string, number>();
  for (const f of failures) {
    const k = `#${f.call} ${f.entry}: ${f.outcome} ${f.detail}`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  if (kinds.size > 0)
    console.log(JSON.stringify(counts), [...kinds].map(([k, n]) => `${n}x ${k}`).join("\n"));
  expect(counts.result).toBeGreaterThan(calls / 10);
  expect(counts.WasmgradError).toBeGreaterThan(0);
  expect(failures.slice(0, 20)).toEqual([]);
}, 300_000);
