import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import b from "benny";
import * as wg from "wasmgrad";
import { cases } from "./cases.mjs";
import { loadAverage, runtimeInfo } from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";
import { combinedTable, figure, runTable, saveSummary, speedup } from "./report.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const folder = join(root, "bench/results");
const quick = process.argv.includes("--quick");

await wg.ready();
const { tf, info: tfInfo } = await initTfjs();
const wgInfo = wg.backendInfo();
const variant = wgInfo.relaxedSimd ? "relaxed" : "simd";

const env = {
  ...runtimeInfo(),
  wasmgrad: wgInfo,
  tfjs: tfInfo,
};

console.log(
  `node ${[env.node, ...env.execArgv].join(" ")} (V8 ${env.v8}) on ${env.cpu}, ${env.cores} cores`,
);
console.log(
  `wasmgrad: build ${variant}, simd ${wgInfo.simd}, relaxedSimd ${wgInfo.relaxedSimd}, threads ${wgInfo.threads}`,
);
console.log(
  `tfjs ${tfInfo.tfjsCore}: backend ${tfInfo.backend}, SIMD ${tfInfo.simd}, threads ${tfInfo.threads}, loaded ${tfInfo.wasmFile}`,
);
if (!tfInfo.simd || tfInfo.threads !== 1) {
  console.warn(
    "warning: tfjs-wasm is not on SIMD with one thread; the comparison is not like for like",
  );
}
if (quick) console.log("--quick: short runs, numbers are indicative only");

const groups = [...new Set(cases.map((c) => c.group))];
const rows = [];

for (const group of groups) {
  const groupCases = cases.filter((c) => c.group === group);
  const fixtures = new Map();
  for (const c of groupCases) {
    const fx = c.make(wg, tf);
    const diff = fx.check();
    console.log(`check ${c.id}: max |wasmgrad - tfjs| = ${diff.toExponential(2)}`);
    if (!(diff <= c.tol)) {
      throw new Error(`bench: ${c.id}: wasmgrad and tfjs disagree by ${diff} (tolerance ${c.tol})`);
    }
    fixtures.set(c.id, fx);
  }

  const entries = groupCases.flatMap((c) => {
    const fx = fixtures.get(c.id);
    const options = quick ? { minSamples: 5, maxTime: 0.5 } : c.options;
    return [b.add(`${c.id} wasmgrad`, fx.wg, options), b.add(`${c.id} tfjs-wasm`, fx.tf, options)];
  });
  const summary = await b.suite(
    group,
    ...entries,
    b.configure({ minDisplayPrecision: 4 }),
    b.cycle((result) => {
      const c = groupCases.find((x) => result.name.startsWith(`${x.id} `));
      console.log(
        `  ${result.name.padEnd(26)} ${figure(c, result).toPrecision(4).padStart(9)} ${c.unit.padEnd(8)}` +
          ` ±${result.margin.toFixed(1)}%  (${result.samples} samples)`,
      );
    }),
    b.complete(() => {}),
    // A --quick run must not overwrite the full run's files.
    ...(quick ? [] : [b.save({ file: `${group}-${variant}`, folder, format: "json" })]),
  );

  for (const c of groupCases) {
    const w = summary.results.find((r) => r.name === `${c.id} wasmgrad`);
    const p = summary.results.find((r) => r.name === `${c.id} tfjs-wasm`);
    const wv = figure(c, w);
    const pv = figure(c, p);
    rows.push({
      id: c.id,
      label: c.label,
      unit: c.unit,
      wasmgrad: wv,
      peer: pv,
      speedup: speedup(c.unit, wv, pv),
      median: { wasmgrad: figure(c, w, "median"), peer: figure(c, p, "median") },
      wasmgradRme: w.details.relativeMarginOfError,
      peerRme: p.details.relativeMarginOfError,
      samples: { wasmgrad: w.samples, peer: p.samples },
    });
  }
  for (const fx of fixtures.values()) fx.dispose();
}

env.loadavgEnd = loadAverage();
const run = { variant, quick, ...env, rows };
console.log(`\n## wasmgrad (${variant}) vs tfjs-wasm, this run\n`);
console.log(runTable(run));
console.log(
  "\nspeedup = wasmgrad over tfjs-wasm (>1: wasmgrad is faster); figures from each side's fastest sample.",
);
console.log(
  `load average (1 min) ${env.loadavgStart[0]} at start, ${env.loadavgEnd[0]} at end, on ${env.cores} cores`,
);

if (quick) {
  console.log("\n--quick: nothing saved");
} else {
  const { file, other } = saveSummary(folder, run);
  console.log(`\nSaved to: ${file}`);
  if (other !== null && !other.quick) {
    const [simd, relaxed] = variant === "simd" ? [run, other] : [other, run];
    console.log(`\n## both builds (SIMD run ${simd.date}, relaxed run ${relaxed.date})\n`);
    console.log(combinedTable(simd, relaxed));
  }
}
