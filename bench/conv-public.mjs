// conv2d forward through each library's public API, as an outside user would time it (issue 13):
// `wg.F.conv2d(x, w, null, { padding: 1 })` against `tf.conv2d(x, f, 1, "same")` on TensorFlow.js's
// WASM backend (SIMD, 1 thread: tfjs forces threads off in Node), each on the same numbers in its
// own layout (wasmgrad NCHW with weights [OC, C, 3, 3]; tfjs NHWC with filters [3, 3, C, OC]),
// converted before anything is timed. wasmgrad runs at 1 thread and at N threads (2 unless
// --threads N) in the same process: "1 thread" keeps the pool but sets the work threshold to
// infinity, as bench/threads.mjs does.
//
//   npm run build && node bench/conv-public.mjs [--quick] [--threads N] [--rounds R]
//
// Timing: every call creates its output and disposes it (nothing is read back). Each contender
// first warms up (at least WARM_MS and 3 calls), then ROUNDS rounds in which the contenders take
// turns, in an order that rotates every round; a round's sample is the mean of the calls in a
// batch of at least BATCH_MS. Reported: the median and the minimum of the samples, the ratios
// tfjs / wasmgrad (>1: wasmgrad faster) by median, and the load average at the start and the end.
// For the single-thread contenders the process's CPU time per call is reported too: on a loaded
// machine it is not inflated by the time the process waits for a core (wall time is).
import * as wg from "wasmgrad";
import { loadAverage, maxAbsDiff, randomArray, runtimeInfo } from "./common.mjs";
import { hwioFromOihw, nhwcFromNchw } from "./conv-models.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const quick = process.argv.includes("--quick");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const threads = arg("--threads", 2);
const ROUNDS = arg("--rounds", quick ? 5 : 21);
const BATCH_MS = quick ? 30 : 100;
const WARM_MS = quick ? 60 : 300;

const SHAPES = [
  { id: "1x56x56x64-64", n: 1, h: 56, w: 56, c: 64, oc: 64 },
  { id: "8x32x32x16-32", n: 8, h: 32, w: 32, c: 16, oc: 32 },
];

wg.setNumThreads(threads);
await wg.ready();
const { tf, info: tfInfo } = await initTfjs();
const loadStart = loadAverage();

const setThreads = (t) =>
  wg.setNumThreads(threads, { minWorkMicros: t === 1 ? Number.POSITIVE_INFINITY : 50 });

/** µs per call: wall clock, and the process's CPU time (which preemption does not inflate). */
function batch(run) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let calls = 0;
  let t = t0;
  while (calls < 1 || t - t0 < BATCH_MS) {
    run();
    calls++;
    t = performance.now();
  }
  const cpu = process.cpuUsage(c0);
  return { wall: ((t - t0) * 1000) / calls, cpu: (cpu.user + cpu.system) / calls };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
};

const rows = [];
for (const s of SHAPES) {
  const { n, h, w, c, oc } = s;
  const xData = randomArray(n * c * h * w, 7 + n * c);
  const wData = randomArray(oc * c * 9, 9 + oc);
  const x = wg.tensor(Array.from(xData)).reshape([n, c, h, w]);
  const weight = wg.tensor(Array.from(wData)).reshape([oc, c, 3, 3]);
  const tx = tf.tensor4d(nhwcFromNchw(xData, n, c, h, w), [n, h, w, c]);
  const tfilter = tf.tensor4d(hwioFromOihw(wData, oc, c), [3, 3, c, oc]);

  // Same convolution on both sides before anything is timed.
  const y = wg.F.conv2d(x, weight, null, { padding: 1 });
  const ty = tf.conv2d(tx, tfilter, 1, "same");
  const diff = maxAbsDiff(ty.dataSync(), nhwcFromNchw(y.data(), n, oc, h, w));
  y.dispose();
  ty.dispose();
  if (!(diff <= 1e-5 * c * 9)) throw new Error(`${s.id}: tfjs and wasmgrad differ by ${diff}`);

  const wgCall = () => wg.F.conv2d(x, weight, null, { padding: 1 }).dispose();
  const contenders = [
    { key: "wasmgrad 1 thread", threads: 1, run: wgCall },
    { key: `wasmgrad ${threads} threads`, threads, run: wgCall },
    { key: "tfjs-wasm", threads: 1, run: () => tf.conv2d(tx, tfilter, 1, "same").dispose() },
  ];
  for (const k of contenders) {
    setThreads(k.threads);
    const t0 = performance.now();
    let calls = 0;
    while (calls < 3 || performance.now() - t0 < WARM_MS) {
      k.run();
      calls++;
    }
    k.samples = [];
    k.cpu = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const k = contenders[(i + r) % contenders.length];
      setThreads(k.threads);
      const b = batch(k.run);
      k.samples.push(b.wall);
      k.cpu.push(b.cpu);
    }
  }
  const [one, many, peer] = contenders.map((k) => stats(k.samples));
  const [oneCpu, , peerCpu] = contenders.map((k) => stats(k.cpu));
  const row = {
    shape: `${n}×${h}×${w}×${c} → ${oc}`,
    "wasmgrad 1t median µs": one.median.toFixed(0),
    "wasmgrad 1t min µs": one.min.toFixed(0),
    [`wasmgrad ${threads}t median µs`]: many.median.toFixed(0),
    [`wasmgrad ${threads}t min µs`]: many.min.toFixed(0),
    "tfjs median µs": peer.median.toFixed(0),
    "tfjs min µs": peer.min.toFixed(0),
    "vs tfjs, 1t (median)": (peer.median / one.median).toFixed(2),
    [`vs tfjs, ${threads}t (median)`]: (peer.median / many.median).toFixed(2),
    "1t CPU µs median wasmgrad / tfjs": `${oneCpu.median.toFixed(0)} / ${peerCpu.median.toFixed(0)}`,
    "vs tfjs, 1t (CPU median)": (peerCpu.median / oneCpu.median).toFixed(2),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  for (const t of [x, weight]) t.dispose();
  for (const t of [tx, tfilter]) t.dispose();
}
setThreads(threads);
console.table(rows);
console.log({
  ...runtimeInfo(),
  wasmgrad: wg.backendInfo(),
  tfjs: {
    backend: tfInfo.backend,
    simd: tfInfo.simd,
    threads: tfInfo.threads,
    file: tfInfo.wasmFile,
  },
  rounds: ROUNDS,
  loadStart,
  loadEnd: loadAverage(),
});
