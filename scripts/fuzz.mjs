#!/usr/bin/env node
/**
 * A long fuzz run over the built package: `npm run fuzz -- --calls 100000 --seed 7`.
 * Prints the counts by outcome and every failure (anything but a result or a WasmgradError,
 * a leak after an error, or a corrupted canary/matmul); exits 1 if there was any.
 */
import { parseArgs } from "node:util";
import * as wg from "../dist/index.js";
import { runFuzz } from "../test/fuzz/core.mjs";

const { values } = parseArgs({
  options: { calls: { type: "string", default: "100000" }, seed: { type: "string" } },
});
const calls = Number(values.calls);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const t0 = performance.now();
const { counts, failures, surface } = runFuzz(wg, { calls, seed, log: console.log });
console.log(
  `seed ${seed}, ${calls} calls over ${surface} entry points in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
console.log(JSON.stringify(counts, null, 2));
for (const f of failures) console.log(`#${f.call} ${f.entry}: ${f.outcome} ${f.detail}`);
process.exit(failures.length > 0 ? 1 : 0);
