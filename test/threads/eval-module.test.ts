/**
 * Workers start wherever the program runs as an ES module, including code given to
 * `node --input-type=module -e` (the workers are eval'd and inherit that flag, which made their
 * source a module where `require` is undefined: every worker failed and the program ran on one
 * thread with a warning). Runs the built package in a fresh Node process, as a user would.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `code` in a fresh node with `flags`; returns what it printed and its warnings. */
function run(flags: string[], code: string): { out: string; err: string } {
  const r = spawnSync(process.execPath, [...flags, "-e", code], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, WASMGRAD_THREADS: "2" },
  });
  return { out: r.stdout.trim(), err: r.stderr };
}

const matmulUntilThreads = (load: string) => `${load}
const a = wg.randn([256, 256]);
const t0 = performance.now();
while (wg.backendInfo().threads < 2 && performance.now() - t0 < 20000) wg.tidy(() => a.matmul(a));
console.log(wg.backendInfo().threads);`;

it.each([
  ["--input-type=module", 'const wg = await import("wasmgrad");'],
  ["--input-type=commonjs", 'const wg = require("wasmgrad");'],
])("node %s -e gets its threads, with no warning", (flag, load) => {
  const { out, err } = run([flag], matmulUntilThreads(load));
  expect(err).toBe("");
  expect(out).toBe("2");
});
