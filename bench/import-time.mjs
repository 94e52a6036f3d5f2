// Node's cold import time of the built package: a fresh `node` per run, performance.now()
// around `await import("wasmgrad")`, and again to the end of a first op (which loads the
// kernels). Prints median and minimum over the runs, and the load average.
// `node bench/import-time.mjs [runs=20]`. Run `npm run build` first.
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 20);
const script = `
const t0 = performance.now();
const wg = await import("wasmgrad");
const t1 = performance.now();
wg.tensor([1, 2, 3]).add(1).toArray();
const t2 = performance.now();
console.log(JSON.stringify([t1 - t0, t2 - t0]));`;
const imports = [];
const firstOps = [];
const load = loadavg()[0];
for (let i = 0; i < runs; i++) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
  });
  const [imp, first] = JSON.parse(out.trim().split("\n").pop());
  imports.push(imp);
  firstOps.push(first);
}
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[s.length >> 1].toFixed(1)} (${s[0].toFixed(1)})`;
};
console.log(`${runs} runs, load ${load.toFixed(1)} -> ${loadavg()[0].toFixed(1)} (1 min)`);
console.log("| measure | median (min) ms |\n|---|---:|");
console.log(`| await import("wasmgrad") | ${stat(imports)} |`);
console.log(`| import + first op (kernels loaded) | ${stat(firstOps)} |`);
