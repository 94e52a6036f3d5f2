// The issue-15 tensor kernels: elementwise math and comparisons in GB/s next to add's; indexSelect
// and gather next to TensorFlow.js's WASM backend (tf.gather, the same operation as indexSelect;
// tfjs has no per-element torch.gather, so gather and t.index run alone); topk and sort on 1M
// floats next to tf.topk (k = n is tfjs's full sort).
//
//   npm run bench:tensor            # = node bench/tensor.mjs
//   node bench/tensor.mjs --quick   # short runs, numbers indicative only
//
// Contenders of one case take turns in interleaved rounds (common.mjs's timer); each line reports
// the median and the minimum time per call over all rounds, and the load average is printed
// before and after. Before timing, each pair of contenders is checked to agree.
// GB/s counts the bytes an op cannot avoid: every operand read and the result written, 4 bytes an
// element (bool results are stored as 4-byte elements too). Both libraries run on one thread.
import * as tf from "@tensorflow/tfjs-core";
import * as wg from "wasmgrad";
import { createTimer, fmt, loadAverage, maxAbsDiff, randomArray, runtimeInfo } from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const quick = process.argv.includes("--quick");
const timer = createTimer({
  minMs: quick ? 20 : 60,
  rounds: quick ? 3 : 9,
  warmMs: quick ? 30 : 150,
});

await wg.ready();
wg.setNumThreads(1); // single-threaded, as tfjs runs here
const { info: tfInfo } = await initTfjs();
const env = runtimeInfo();
console.log(
  `node ${env.node} on ${env.cpu}, ${env.cores} cores; load at start ${env.loadavgStart.join(" ")}`,
);
console.log(`wasmgrad ${JSON.stringify(wg.backendInfo())}`);
console.log(
  `tfjs ${tfInfo.tfjsCore} ${tfInfo.backend}, SIMD ${tfInfo.simd}, threads ${tfInfo.threads}, ${tfInfo.wasmFile}`,
);

const N = 1 << 20;
const a = wg.tensor(randomArray(N, 1), { shape: [N] });
const b = wg.tensor(randomArray(N, 2), { shape: [N] });
const pos = a.abs().add(0.1);
const mask = a.gt(0);
const rows = [];

function row(group, name, stat, extra) {
  rows.push({ group, name, median: stat.median, best: stat.best, ...extra });
}

// ---- elementwise and comparisons, interleaved with add so that add's figure is from the same moments
const elementwise = [
  ["add", 12, () => a.add(b)],
  ["sin", 8, () => a.sin()],
  ["cos", 8, () => a.cos()],
  ["erf", 8, () => a.erf()],
  ["log1p", 8, () => pos.log1p()],
  ["expm1", 8, () => a.expm1()],
  ["rsqrt", 8, () => pos.rsqrt()],
  ["square", 8, () => a.square()],
  ["reciprocal", 8, () => pos.reciprocal()],
  ["sign", 8, () => a.sign()],
  ["floor", 8, () => a.floor()],
  ["round", 8, () => a.round()],
  ["atan2", 12, () => a.atan2(b)],
  ["pow (tensor exponent)", 12, () => pos.pow(b)],
  ["eq", 12, () => a.eq(b)],
  ["lt", 12, () => a.lt(b)],
  ["gt scalar", 8, () => a.gt(0)],
  ["isnan", 8, () => a.isnan()],
  ["logicalAnd", 12, () => mask.logicalAnd(mask)],
  ["where", 16, () => wg.where(mask, a, b)],
  ["maskedFill", 12, () => a.maskedFill(mask, 0)],
];
const eTimes = await timer.race(
  elementwise.map(([key, , fn]) => ({
    key,
    run: (reps) => {
      for (let i = 0; i < reps; i++) fn().dispose();
    },
  })),
);
timer.record(eTimes);
for (const [key, bytes] of elementwise) {
  const s = timer.stats(key);
  row("elementwise", key, s, {
    gbMedian: (bytes * N) / s.median / 1e9,
    gbBest: (bytes * N) / s.best / 1e9,
  });
}

// ---- indexSelect / gather vs tf.gather
const R = 16384;
const C = 64;
const K = 4096;
const table = wg.tensor(randomArray(R * C, 3), { shape: [R, C] });
const idxData = Int32Array.from(randomArray(K, 4), (v) => Math.floor((v + 1) * 0.5 * R) % R);
const idx = wg.tensor(idxData, { shape: [K], dtype: "int32" });
const tTable = tf.tensor2d(table.data(), [R, C]);
const tIdx = tf.tensor1d(idxData, "int32");
{
  const w = table.indexSelect(0, idx);
  const t = tf.gather(tTable, tIdx, 0);
  const diff = maxAbsDiff(w.data(), t.dataSync());
  if (diff !== 0) throw new Error(`indexSelect and tf.gather disagree by ${diff}`);
  w.dispose();
  t.dispose();
}
const gIdx = wg.tensor(
  Int32Array.from(randomArray(K * C, 5), (v) => Math.floor((v + 1) * 0.5 * R) % R),
  {
    shape: [K, C],
    dtype: "int32",
  },
);
const sel = [
  ["indexSelect rows", () => table.indexSelect(0, idx)],
  ["tf.gather rows", () => tf.gather(tTable, tIdx, 0)],
  ["index(int32 tensor)", () => table.index(idx)],
  ["gather dim 0", () => table.gather(0, gIdx)],
];
const sTimes = await timer.race(
  sel.map(([key, fn]) => ({
    key,
    run: (reps) => {
      for (let i = 0; i < reps; i++) fn().dispose();
    },
  })),
);
timer.record(sTimes);
for (const [key] of sel) {
  const s = timer.stats(key);
  const bytes = K * C * 4 * 2; // each picked element read once and written once
  row("indexing", key, s, { gbMedian: bytes / s.median / 1e9, gbBest: bytes / s.best / 1e9 });
}

// ---- topk / sort on 1M floats vs tf.topk
const tA = tf.tensor1d(a.data());
{
  const w = a.topk(1000);
  const t = tf.topk(tA, 1000);
  const diff = maxAbsDiff(w.values.data(), t.values.dataSync());
  if (diff !== 0) throw new Error(`topk and tf.topk disagree by ${diff}`);
  w.values.dispose();
  w.indices.dispose();
  t.values.dispose();
  t.indices.dispose();
}
const dispose2 = (r) => {
  if (Array.isArray(r)) for (const t of r) t.dispose();
  else {
    r.values.dispose();
    r.indices.dispose();
  }
};
const sorts = [
  ["topk k=10", () => a.topk(10)],
  ["tf.topk k=10", () => tf.topk(tA, 10)],
  ["topk k=1000", () => a.topk(1000)],
  ["tf.topk k=1000", () => tf.topk(tA, 1000)],
  ["sort (all 1M)", () => a.sort()],
  ["tf.topk k=n (full sort)", () => tf.topk(tA, N)],
];
const oTimes = await timer.race(
  sorts.map(([key, fn]) => ({
    key,
    run: (reps) => {
      for (let i = 0; i < reps; i++) dispose2(fn());
    },
  })),
  { rounds: quick ? 2 : 5 },
);
timer.record(oTimes);
for (const [key] of sorts) row("sort", key, timer.stats(key), {});

const loadEnd = loadAverage();
const ms = (s) => fmt(s * 1e3);
console.log(
  `\nload at start ${env.loadavgStart.join(" ")}, at end ${loadEnd.join(" ")} (1/5/15 min; 2 cores shared)\n`,
);
console.log("| case | median ms | min ms | GB/s (median) | GB/s (min time) |");
console.log("|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.group}: ${r.name} | ${ms(r.median)} | ${ms(r.best)} | ${r.gbMedian === undefined ? "–" : fmt(r.gbMedian)} | ${r.gbBest === undefined ? "–" : fmt(r.gbBest)} |`,
  );
}
