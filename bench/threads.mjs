// Threads: 1 against 2 threads, side by side in one process, interleaved rounds.
//   node bench/threads.mjs [--quick] [--threads 2] [--only <parts of case names, comma-separated>]
// "1 thread" keeps the pool but sets the work threshold to infinity, so both sides run the same
// binary in the same process without restarting workers. Needs `npm run build` (reads dist/).
// Reports median and minimum per case and the speed-up of N threads over 1, with the load
// average at the start and the end: on a shared machine, figures under load are noisy.
import { loadAverage, randomArray, runtimeInfo } from "./common.mjs";

const wg = await import("../dist/index.js");
const quick = process.argv.includes("--quick");
const ti = process.argv.indexOf("--threads");
const threads = ti > 0 ? Number(process.argv[ti + 1]) : 2;
const rounds = quick ? 5 : 15;
const minMs = quick ? 60 : 250;

wg.setNumThreads(threads);
await wg.ready();
const info = wg.backendInfo();
if (info.threads !== threads) console.log(`only ${info.threads} threads: ${info.threadsReason}`);

function tensor(shape, seed) {
  const n = shape.reduce((a, b) => a * b, 1);
  return wg.tensor(Array.from(randomArray(n, seed)), { dtype: "float32" }).reshape(shape);
}

/** Each case: a setup returning a step function that does one unit of work and frees its output. */
const cases = [];
for (const n of [256, 512, 1024]) {
  cases.push({
    name: `sgemm ${n}`,
    setup() {
      const a = tensor([n, n], 1);
      const b = tensor([n, n], 2);
      return () => wg.matmul(a, b).dispose();
    },
  });
}
cases.push({
  name: "add 4 elements",
  setup() {
    const a = tensor([4], 3);
    const b = tensor([4], 4);
    return () => wg.add(a, b).dispose();
  },
});
cases.push({
  name: "MNIST MLP step (784-128-10, batch 64)",
  setup() {
    const model = new wg.nn.Sequential(
      new wg.nn.Linear(784, 128),
      new wg.nn.ReLU(),
      new wg.nn.Linear(128, 10),
    );
    const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01 });
    const x = tensor([64, 784], 5);
    const y = wg.tensor(
      Array.from({ length: 64 }, (_, i) => i % 10),
      { dtype: "int32" },
    );
    return () =>
      wg.tidy(() => {
        opt.zeroGrad();
        wg.F.crossEntropy(model.forward(x), y).backward();
        opt.step();
      });
  },
});
cases.push({
  name: "LSTM step (batch 32, in 128, hidden 256)",
  setup() {
    const cell = new wg.nn.LSTMCell(128, 256);
    const x = tensor([32, 128], 6);
    const h = tensor([32, 256], 7);
    const c = tensor([32, 256], 8);
    return () => wg.noGrad(() => wg.tidy(() => void cell.forward(x, [h, c])));
  },
});
cases.push({
  name: "LSTM training step (nn.LSTM 128->256, 32 steps, batch 32, SGD)",
  setup() {
    const lstm = new wg.nn.LSTM(128, 256);
    const opt = new wg.optim.SGD(lstm.parameters(), { lr: 0.001 });
    const x = tensor([32, 32, 128], 19);
    const dy = tensor([32, 32, 256], 20);
    return () =>
      wg.tidy(() => {
        opt.zeroGrad();
        const [out] = lstm.forward(x);
        out.backward(dy);
        opt.step();
      });
  },
});
cases.push({
  name: "CNN training step (npm start model, batch 32)",
  async setup() {
    const { makeCnn } = await import("../dist-examples/examples/mnist-cnn.js").catch(() => ({}));
    if (makeCnn === undefined) return undefined;
    const model = makeCnn();
    const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const x = tensor([32, 1, 28, 28], 9);
    const y = wg.tensor(
      Array.from({ length: 32 }, (_, i) => i % 10),
      { dtype: "int32" },
    );
    return () =>
      wg.tidy(() => {
        opt.zeroGrad();
        wg.F.crossEntropy(model.forward(x), y).backward();
        opt.step();
      });
  },
});

// Per-kernel cases: the parts of the CNN step and the optimizer updates, one at a time.
cases.push({
  name: "conv2d weight grad (32x24x14x14 -> 48, 3x3)",
  setup() {
    const x = tensor([32, 24, 14, 14], 10);
    const w = tensor([48, 24, 3, 3], 11);
    w.requiresGrad = true;
    const y = wg.F.conv2d(x, w, null, { padding: 1 });
    const dy = tensor([32, 48, 14, 14], 12);
    return () => {
      y.backward(dy, { retainGraph: true });
      w.grad.dispose();
      w.grad = null;
    };
  },
});
cases.push({
  name: "maxPool2d 2x2 forward + backward (32x24x28x28)",
  setup() {
    const x = tensor([32, 24, 28, 28], 13);
    x.requiresGrad = true;
    const dy = tensor([32, 24, 14, 14], 14);
    return () =>
      wg.tidy(() => {
        wg.F.maxPool2d(x, 2).backward(dy);
        x.grad.dispose();
        x.grad = null;
      });
  },
});
cases.push({
  name: "relu forward + backward (32x24x28x28)",
  setup() {
    const x = tensor([32, 24, 28, 28], 15);
    x.requiresGrad = true;
    const dy = tensor([32, 24, 28, 28], 16);
    return () =>
      wg.tidy(() => {
        wg.F.relu(x).backward(dy);
        x.grad.dispose();
        x.grad = null;
      });
  },
});
for (const [name, make] of [
  ["SGD momentum step (1M parameters)", (p) => new wg.optim.SGD([p], { lr: 0.01, momentum: 0.9 })],
  ["AdamW step (1M parameters)", (p) => new wg.optim.AdamW([p], { lr: 0.001 })],
]) {
  cases.push({
    name,
    setup() {
      const p = tensor([1 << 20], 17);
      p.requiresGrad = true;
      p.grad = tensor([1 << 20], 18);
      const opt = make(p);
      return () => opt.step();
    },
  });
}

function timeOnce(step) {
  let reps = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs / 10 || reps < 1) {
    step();
    reps++;
    t = performance.now();
  }
  return ((t - t0) * 1000) / reps; // µs per step
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
};

const loadStart = loadAverage();
const rows = [];
const only = process.argv.indexOf("--only");
const filters = only > 0 ? process.argv[only + 1].toLowerCase().split(",") : undefined;
for (const c of cases) {
  if (filters !== undefined && !filters.some((f) => c.name.toLowerCase().includes(f))) continue;
  const step = await c.setup();
  if (step === undefined) {
    console.log(`${c.name}: skipped (run \`npx tsc -p tsconfig.examples.json\` first)`);
    continue;
  }
  const times = { 1: [], [threads]: [] };
  for (const t of [1, threads]) {
    wg.setNumThreads(threads, { minWorkMicros: t === 1 ? Number.POSITIVE_INFINITY : 50 });
    timeOnce(step); // warm-up
  }
  for (let r = 0; r < rounds; r++) {
    for (const t of r % 2 ? [threads, 1] : [1, threads]) {
      wg.setNumThreads(threads, { minWorkMicros: t === 1 ? Number.POSITIVE_INFINITY : 50 });
      times[t].push(timeOnce(step));
    }
  }
  const one = stats(times[1]);
  const many = stats(times[threads]);
  const row = {
    case: c.name,
    "1 thread median µs": one.median.toFixed(1),
    "1 thread min µs": one.min.toFixed(1),
    [`${threads} threads median µs`]: many.median.toFixed(1),
    [`${threads} threads min µs`]: many.min.toFixed(1),
    "speed-up (median)": (one.median / many.median).toFixed(2),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
wg.setNumThreads(threads, { minWorkMicros: 50 });
console.table(rows);
console.log({
  ...runtimeInfo(),
  threads: wg.backendInfo().threads,
  loadStart,
  loadEnd: loadAverage(),
});
