// Inference against training for the recurrent layers (issue 13: "inference must be at least as
// fast as training"): RNNCell(128, 256) and LSTMCell(128, 256) at batch 32, and nn.LSTM(128, 256)
// over 32 steps at batch 32, each forward once under wg.noGrad and once with autograd on (the
// graph freed unused), in one process, interleaved, on one thread (or --threads N).
//
//   npm run build && node bench/rnn-nograd.mjs [--quick] [--threads N]
//
// Reported per case and mode: µs per forward, median and minimum over rounds, by the wall clock
// and by the process's CPU time (on a loaded machine the CPU time is not inflated by the time the
// process waits for a core; with threads it adds the workers' time, so it is given at 1 thread
// only), and noGrad / autograd by median (<= 1: inference at least as fast).
import * as wg from "wasmgrad";
import { loadAverage, randomArray, runtimeInfo } from "./common.mjs";

const quick = process.argv.includes("--quick");
const ti = process.argv.indexOf("--threads");
const threads = ti > 0 ? Number(process.argv[ti + 1]) : 1;
const ROUNDS = quick ? 7 : 25;
const BATCH_MS = quick ? 20 : 60;

wg.setNumThreads(threads);
await wg.ready();
const loadStart = loadAverage();

function tensor(shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  return wg.tensor(Array.from(randomArray(n, seed))).reshape(shape);
}

const x = tensor([32, 128], 1);
const h = tensor([32, 256], 2);
const c = tensor([32, 256], 3);
const xs = tensor([32, 32, 128], 4);
const rnnCell = new wg.nn.RNNCell(128, 256);
const lstmCell = new wg.nn.LSTMCell(128, 256);
const lstm = new wg.nn.LSTM(128, 256);

/** Each case: a forward that disposes everything it made. */
const cases = [
  { name: "RNNCell(128, 256), batch 32", run: () => rnnCell.forward(x, h).dispose() },
  {
    name: "LSTMCell(128, 256), batch 32",
    run: () => {
      const [h1, c1] = lstmCell.forward(x, [h, c]);
      h1.dispose();
      c1.dispose();
    },
  },
  {
    name: "nn.LSTM(128, 256), 32 steps, batch 32",
    run: () => {
      const [out, [hN, cN]] = lstm.forward(xs);
      out.dispose();
      hN.dispose();
      cN.dispose();
    },
  },
];

function batch(run) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let calls = 0;
  let t = t0;
  while (calls < 2 || t - t0 < BATCH_MS) {
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
for (const k of cases) {
  const modes = [
    { mode: "noGrad", run: () => wg.noGrad(k.run) },
    { mode: "autograd", run: k.run },
  ];
  for (const m of modes) {
    batch(m.run); // warm-up
    m.wall = [];
    m.cpu = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const m of r % 2 ? [modes[1], modes[0]] : modes) {
      const b = batch(m.run);
      m.wall.push(b.wall);
      m.cpu.push(b.cpu);
    }
  }
  const [ng, ag] = modes.map((m) => ({ wall: stats(m.wall), cpu: stats(m.cpu) }));
  const row = {
    case: k.name,
    "noGrad median µs": ng.wall.median.toFixed(0),
    "noGrad min µs": ng.wall.min.toFixed(0),
    "autograd median µs": ag.wall.median.toFixed(0),
    "autograd min µs": ag.wall.min.toFixed(0),
    "noGrad / autograd (median)": (ng.wall.median / ag.wall.median).toFixed(2),
  };
  if (threads === 1) {
    row["CPU µs median noGrad / autograd"] =
      `${ng.cpu.median.toFixed(0)} / ${ag.cpu.median.toFixed(0)}`;
    row["noGrad / autograd (CPU median)"] = (ng.cpu.median / ag.cpu.median).toFixed(2);
  }
  rows.push(row);
  console.log(JSON.stringify(row));
}
console.table(rows);
console.log({
  ...runtimeInfo(),
  threads: wg.backendInfo().threads,
  live: wg.memory().liveTensors,
  loadStart,
  loadEnd: loadAverage(),
});
