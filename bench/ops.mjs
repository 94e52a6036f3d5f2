// The elementwise math kernels of issue 15 (assembly/kernels/elementwise.ts) in GB/s, next to
// `add` (binary_f32) and the existing exp/tanh, on 1M-float arrays through wg.kernels.raw (no
// allocation or copies in the timed loop).
//
//   node bench/ops.mjs                                   # baseline SIMD build
//   node --experimental-wasm-relaxed-simd bench/ops.mjs  # relaxed-SIMD build (Node 20/22)
//   node bench/ops.mjs --quick                           # short run, nothing saved
//
// GB/s counts the bytes a kernel must move: 8 per element for one input and one output, 12 for
// two inputs (add, atan2, pow). Every contender runs in each of ROUNDS interleaved rounds of at
// least MIN_MS; the table gives the median and the best round, and the load average at the
// start and the end (the cores are shared: a load above ~1 means noisy figures). Results are
// stored per build in bench/results/ops.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import { createTimer, loadAverage, runtimeInfo } from "./common.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const resultsFile = join(root, "bench/results/ops.json");
const quick = process.argv.includes("--quick");
const N = 1 << 20;
const MIN_MS = quick ? 20 : 60;
const ROUNDS = quick ? 3 : 9;

await wg.ready();
const K = wg.kernels.raw;
const info = wg.backendInfo();
const build = info.relaxedSimd ? "relaxed" : "simd";

// Inputs are written through a tensor so that only public API touches memory.
function array(f) {
  const data = new Float32Array(N);
  for (let i = 0; i < N; i++) data[i] = f(i);
  const t = wg.tensor(data);
  return { t, p: t._ptr("bench") };
}
let s = 12345;
const rand = () => {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return (s >>> 0) / 2 ** 32;
};
const wide = array(() => (rand() - 0.5) * 20); // [-10, 10)
const pos = array(() => 0.1 + rand() * 2); // (0.1, 2.1)
const other = array(() => (rand() - 0.5) * 4);
const out = array(() => 0);

const unaryKernels = [
  ["exp", wide],
  ["tanh", wide],
  ["sin", wide],
  ["cos", wide],
  ["erf", wide],
  ["log1p", pos],
  ["expm1", wide],
  ["rsqrt", pos],
  ["square", wide],
  ["reciprocal", wide],
  ["sign", wide],
  ["floor", wide],
  ["ceil", wide],
  ["round", wide],
  ["trunc", wide],
  ["frac", wide],
];
const contenders = [
  {
    key: "add",
    bytes: 12,
    run: (r) => {
      for (let i = 0; i < r; i++) K.binary_f32(out.p, wide.p, other.p, N, 0);
    },
  },
  ...unaryKernels.map(([name, x]) => ({
    key: name,
    bytes: 8,
    run: (r) => {
      const k = K[`${name}_f32`];
      for (let i = 0; i < r; i++) k(out.p, x.p, N);
    },
  })),
  {
    key: "atan2",
    bytes: 12,
    run: (r) => {
      for (let i = 0; i < r; i++) K.atan2_f32(out.p, wide.p, other.p, N);
    },
  },
  {
    key: "pow (tensor exponent)",
    bytes: 12,
    run: (r) => {
      for (let i = 0; i < r; i++) K.pow_tensor_f32(out.p, pos.p, other.p, N);
    },
  },
];

const loadStart = loadAverage();
const timer = createTimer({ minMs: MIN_MS, rounds: ROUNDS, warmMs: quick ? 20 : 100 });
timer.record(await timer.race(contenders));
const loadEnd = loadAverage();

const rows = contenders.map((c) => {
  const st = timer.stats(c.key);
  const gbs = (sec) => Number(((c.bytes * N) / sec / 1e9).toFixed(2));
  return {
    kernel: c.key,
    medianGBs: gbs(st.median),
    bestGBs: gbs(st.best),
    medianMs: Number((st.median * 1e3).toFixed(3)),
  };
});
const addMedian = rows[0].medianGBs;
console.log(
  `elementwise kernels, ${N} floats, ${build} build, load ${loadStart.join("/")} -> ${loadEnd.join("/")}`,
);
console.log("| kernel | median GB/s | best GB/s | median ms | median vs add |");
console.log("|---|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(
    `| ${r.kernel} | ${r.medianGBs} | ${r.bestGBs} | ${r.medianMs} | ${(r.medianGBs / addMedian).toFixed(2)} |`,
  );
}
for (const a of [wide, pos, other, out]) a.t.dispose();

if (!quick) {
  const all = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, "utf8")) : {};
  all[build] = {
    ...runtimeInfo(),
    loadavgStart: loadStart,
    loadavgEnd: loadEnd,
    n: N,
    rounds: ROUNDS,
    minMs: MIN_MS,
    rows,
  };
  mkdirSync(dirname(resultsFile), { recursive: true });
  writeFileSync(resultsFile, `${JSON.stringify(all, null, 2)}\n`);
}
