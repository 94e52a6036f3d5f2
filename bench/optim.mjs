// Optimizer steps over 1M float32 parameters: wasmgrad's fused update kernels (one pass over
// param, grad and state per step) side by side with TensorFlow.js's WASM backend in the same
// process, whose optimizers run one kernel per elementwise op.
//
//   node bench/optim.mjs                                   # baseline SIMD build (Node 20)
//   node --experimental-wasm-relaxed-simd bench/optim.mjs  # relaxed-SIMD build
//   (WASMGRAD_SIMD=baseline forces the baseline build even with the flag.)
//
// Each invocation stores its run under its build in bench/results/optim.json and prints the
// table of every build measured so far. GB/s counts the traffic a fused step cannot avoid:
// Adam/AdamW read p, g, m, v and write p, m, v (28 bytes per parameter); SGD with momentum reads
// p, g, buf and writes p, buf (20 bytes). The same count divides tfjs's time, so the ratio is the
// ratio of step times. A plain copy (8 bytes per element) gives the memory ceiling for scale.
// Before timing, both libraries run three steps from the same start and their parameters are
// compared. `--quick` makes short runs and saves nothing.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import { loadAverage, maxAbsDiff, randomArray, runtimeInfo } from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsFile = join(root, "bench/results/optim.json");
const quick = process.argv.includes("--quick");

const N = 1 << 20;
/**
 * Each round runs >= MIN_MS with the contenders alternating; the suite runs PASSES times,
 * PAUSE_MS apart, and the best round of all counts: the cores are shared, and passes spread
 * over a minute find a quiet moment far more often than the same rounds in one go.
 */
const MIN_MS = quick ? 30 : 100;
const ROUNDS = quick ? 3 : 8;
const PASSES = quick ? 1 : 3;
const PAUSE_MS = 15_000;
const LR = 1e-3;
const WD = 1e-2;

await wg.ready();
const wgInfo = wg.backendInfo();
const build = wgInfo.relaxedSimd ? "relaxed" : "simd";
const { tf, info: tfInfo } = await initTfjs();
const env = {
  ...runtimeInfo(),
  wasmgrad: wgInfo,
  tfjs: { ...tfInfo, flags: undefined },
  parameters: N,
  timing: { minMs: MIN_MS, rounds: ROUNDS, passes: PASSES, pauseMs: PAUSE_MS },
};
console.log(
  `node ${[env.node, ...env.execArgv].join(" ")} on ${env.cpu}, ${env.cores} cores, load ${env.loadavgStart.join(" ")}`,
);
console.log(
  `wasmgrad build ${build}; tfjs ${tfInfo.tfjsCore} ${tfInfo.backend}, SIMD ${tfInfo.simd}, threads ${tfInfo.threads}`,
);

const init = randomArray(N, 11);
const grad = randomArray(N, 12);

/** The contenders of one case: a wasmgrad optimizer and the tfjs equivalent on the same data. */
function wasmgradSide(make) {
  const p = wg.tensor(init, { shape: [N], requiresGrad: true });
  p.grad = wg.tensor(grad, { shape: [N] });
  const opt = make([p]);
  return {
    step: () => opt.step(),
    values: () => p.data(),
    dispose: () => {
      opt.dispose();
      p.dispose();
    },
  };
}

let varCount = 0;
function tfjsSide(make, decoupledDecay = 0) {
  const name = `optim-bench-${varCount++}`;
  const v = tf.variable(tf.tensor1d(init), true, name);
  const g = tf.tensor1d(grad);
  const opt = make();
  return {
    step: () => {
      if (decoupledDecay !== 0) tf.tidy(() => v.assign(tf.mul(v, 1 - decoupledDecay)));
      opt.applyGradients({ [name]: g });
    },
    values: () => v.dataSync(),
    dispose: () => {
      opt.dispose();
      v.dispose();
      g.dispose();
    },
  };
}

const cases = [
  {
    id: "Adam",
    bytes: 28,
    wg: () => wasmgradSide((ps) => new wg.optim.Adam(ps, { lr: LR })),
    tf: () => tfjsSide(() => tf.train.adam(LR, 0.9, 0.999, 1e-8)),
    peer: "tf.train.adam",
  },
  {
    id: "AdamW",
    bytes: 28,
    wg: () => wasmgradSide((ps) => new wg.optim.AdamW(ps, { lr: LR, weightDecay: WD })),
    // tfjs has no AdamW: Adam after the decoupled decay p ← p·(1 − lr·wd), as one more op.
    tf: () => tfjsSide(() => tf.train.adam(LR, 0.9, 0.999, 1e-8), LR * WD),
    peer: "v.assign(v·(1 − lr·wd)) + tf.train.adam",
  },
  {
    id: "SGD momentum",
    bytes: 20,
    wg: () => wasmgradSide((ps) => new wg.optim.SGD(ps, { lr: LR, momentum: 0.9 })),
    tf: () => tfjsSide(() => tf.train.momentum(LR, 0.9)),
    peer: "tf.train.momentum",
  },
];

const now = () => performance.now();

/** Seconds per call of each contender over ROUNDS interleaved rounds of >= MIN_MS. */
function race(contenders) {
  for (const c of contenders) {
    const t0 = now();
    let calls = 0;
    while (calls < 3 || now() - t0 < MIN_MS) {
      c.run();
      calls++;
    }
    c.reps = Math.max(1, Math.ceil((MIN_MS * calls) / (now() - t0)));
    c.samples = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length];
      const t0 = now();
      for (let k = 0; k < c.reps; k++) c.run();
      c.samples.push((now() - t0) / 1e3 / c.reps);
    }
  }
  const out = {};
  for (const c of contenders) out[c.key] = c.samples;
  return out;
}

/** Best and median of all samples of all passes. */
function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  return { best: s[0], median: s[Math.floor(s.length / 2)], rounds: s.length };
}

// Agreement first: three steps of each library from the same start.
const live = cases.map((c) => {
  const a = c.wg();
  const b = c.tf();
  for (let i = 0; i < 3; i++) {
    a.step();
    b.step();
  }
  const diff = maxAbsDiff(a.values(), b.values());
  if (!(diff <= 1e-5)) throw new Error(`bench: ${c.id}: wasmgrad and tfjs differ by ${diff}`);
  console.log(`check ${c.id}: max |wasmgrad - tfjs| after 3 steps = ${diff.toExponential(1)}`);
  return { c, a, b, diff, samples: { wasmgrad: [], tfjs: [] } };
});
const copySamples = [];
const raw = wg.kernels.raw;
const src = raw.alloc(N * 4);
const dst = raw.alloc(N * 4);
raw.fill_f32(src, N, 1);

for (let pass = 0; pass < PASSES; pass++) {
  if (pass > 0) await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
  console.log(`pass ${pass + 1} of ${PASSES}, load average ${loadAverage()[0]}`);
  for (const l of live) {
    const t = race([
      { key: "wasmgrad", run: l.a.step },
      { key: "tfjs", run: l.b.step },
    ]);
    l.samples.wasmgrad.push(...t.wasmgrad);
    l.samples.tfjs.push(...t.tfjs);
  }
  // The memory ceiling for scale: copy_f32 over the same number of floats.
  copySamples.push(...race([{ key: "copy", run: () => raw.copy_f32(dst, src, N) }]).copy);
}
raw.free(src);
raw.free(dst);

const results = {};
for (const { c, a, b, diff, samples } of live) {
  a.dispose();
  b.dispose();
  const w = stats(samples.wasmgrad);
  const t = stats(samples.tfjs);
  const gbs = (s) => (c.bytes * N) / s / 1e9;
  const r = {
    bytesPerParam: c.bytes,
    peer: c.peer,
    checkMaxAbsDiff: diff,
    wasmgrad: { ...w, gbPerS: gbs(w.best) },
    tfjs: { ...t, gbPerS: gbs(t.best) },
    ratio: t.best / w.best,
  };
  results[c.id] = r;
  console.log(
    `${c.id.padEnd(13)} wasmgrad ${(w.best * 1e3).toFixed(3)} ms (${r.wasmgrad.gbPerS.toFixed(1)} GB/s)` +
      `  tfjs-wasm ${(t.best * 1e3).toFixed(3)} ms (${r.tfjs.gbPerS.toFixed(1)} GB/s)  ${r.ratio.toFixed(2)}x`,
  );
}
{
  const t = stats(copySamples);
  results.copy = { bytesPerParam: 8, wasmgrad: { ...t, gbPerS: (8 * N) / t.best / 1e9 } };
  console.log(
    `copy          ${(t.best * 1e3).toFixed(3)} ms (${results.copy.wasmgrad.gbPerS.toFixed(1)} GB/s)`,
  );
}

const run = { build, quick, ...env, loadavgEnd: loadAverage(), results };

const buildName = { simd: "SIMD", relaxed: "relaxed" };
function table(runs) {
  const builds = ["simd", "relaxed"].filter((b) => runs[b]);
  const head = [
    "step over 1M params",
    "bytes/param",
    ...builds.map((b) => `wasmgrad ${buildName[b]}`),
    ...builds.map((b) => `tfjs-wasm (${buildName[b]} run)`),
    ...builds.map((b) => `wasmgrad / tfjs (${buildName[b]})`),
  ];
  const cell = (x) => (x ? `${x.gbPerS.toFixed(1)} GB/s (${(x.best * 1e3).toFixed(2)} ms)` : "–");
  const rows = [...cases.map((c) => c.id), "copy"].map((id) => [
    id === "copy" ? "copy (memory ceiling)" : id,
    String(runs[builds[0]].results[id].bytesPerParam),
    ...builds.map((b) => cell(runs[b].results[id].wasmgrad)),
    ...builds.map((b) => cell(runs[b].results[id].tfjs)),
    ...builds.map((b) => {
      const r = runs[b].results[id].ratio;
      return r ? `${r.toFixed(2)}x` : "–";
    }),
  ]);
  const line = (cells) => `| ${cells.join(" | ")} |`;
  const notes = builds.map(
    (b) =>
      `${buildName[b]} run: ${runs[b].date}, git ${runs[b].git}, node ${[runs[b].node, ...runs[b].execArgv].join(" ")}, load ${runs[b].loadavgStart[0]} → ${runs[b].loadavgEnd[0]} on ${runs[b].cores} cores`,
  );
  return [
    line(head),
    line(head.map(() => "---")),
    ...rows.map(line),
    "",
    `Best of ${PASSES * ROUNDS} interleaved rounds of >= ${MIN_MS} ms (${PASSES} passes); GB/s = bytes/param × 1M / step time. ` +
      "tfjs-wasm: SIMD, one thread; AdamW there is Adam after a decay op (tfjs has no AdamW).",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}

if (quick) {
  console.log(`\n${table({ [build]: run })}\n\n--quick: nothing saved`);
} else {
  mkdirSync(dirname(resultsFile), { recursive: true });
  let saved = { runs: {} };
  if (existsSync(resultsFile)) {
    try {
      saved = JSON.parse(readFileSync(resultsFile, "utf8"));
      saved.runs ??= {};
    } catch {
      saved = { runs: {} };
    }
  }
  saved.runs[build] = run;
  saved.table = table(saved.runs);
  writeFileSync(resultsFile, `${JSON.stringify(saved, null, 2)}\n`);
  console.log(`\n${saved.table}\n\nSaved to: ${resultsFile}`);
}
