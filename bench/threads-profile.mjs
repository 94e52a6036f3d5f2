// Where the `npm start` CNN training step spends its time, per kernel, at 1 and N threads.
//   node bench/threads-profile.mjs [--threads 2] [--steps 40] [--batch 32]
// Wraps every kernel of the module with a timer (self time: time in nested kernels is not
// subtracted, but kernels do not call each other through the table). Everything outside the
// kernels (autograd, allocation, JS glue) is reported as "other". Needs `npm run build` and
// `npx tsc -p tsconfig.examples.json`.
import { loadAverage, randomArray } from "./common.mjs";

const wg = await import("../dist/index.js");
const { K, backend } = await import("../dist/backend/runtime.js");
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const threads = arg("--threads", 2);
const steps = arg("--steps", 40);
const batch = arg("--batch", 32);

wg.setNumThreads(threads);
await wg.ready();
const { makeCnn } = await import("../dist-examples/examples/mnist-cnn.js");

const totals = new Map();
/** Convolutions are told apart by their input channels (meta is the last argument but the block). */
function keyOf(name, args) {
  if (!name.startsWith("conv2d") || name === "conv2d_blocks") return name;
  const metaPtr =
    name === "conv2d_wgrad_plan"
      ? args[0]
      : name.includes("block") || name.includes("wgrad")
        ? args[args.length - 2]
        : args[args.length - 1];
  return `${name} (C=${backend.i32()[(metaPtr >>> 2) + 1]})`;
}
let depth = 0;
for (const name of Object.keys(K)) {
  const fn = K[name];
  if (typeof fn !== "function" || name === "alloc" || name === "free") continue;
  K[name] = (...args) => {
    if (depth > 0) return fn(...args);
    depth++;
    const t0 = performance.now();
    try {
      return fn(...args);
    } finally {
      depth--;
      const key = keyOf(name, args);
      const e = totals.get(key) ?? [0, 0];
      e[0] += performance.now() - t0;
      e[1]++;
      totals.set(key, e);
    }
  };
}

const model = makeCnn();
const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
const x = wg.tensor(Array.from(randomArray(batch * 784, 9))).reshape([batch, 1, 28, 28]);
const y = wg.tensor(
  Array.from({ length: batch }, (_, i) => i % 10),
  { dtype: "int32" },
);
const step = () =>
  wg.tidy(() => {
    opt.zeroGrad();
    wg.F.crossEntropy(model.forward(x), y).backward();
    opt.step();
  });

const result = {};
for (const t of [1, threads, 1, threads]) {
  wg.setNumThreads(threads, { minWorkMicros: t === 1 ? Number.POSITIVE_INFINITY : 50 });
  for (let i = 0; i < 5; i++) step();
  totals.clear();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const wall = (performance.now() - t0) / steps;
  result[t] = { wall, totals: new Map(totals) };
}
const names = [...new Set([...result[1].totals.keys(), ...result[threads].totals.keys()])];
const per = (t, n) => (result[t].totals.get(n)?.[0] ?? 0) / steps;
names.sort((a, b) => per(1, b) - per(1, a));
const rows = [];
for (const n of names) {
  if (per(1, n) < 0.005 && per(threads, n) < 0.005) continue;
  rows.push({
    kernel: n,
    calls: (result[1].totals.get(n)?.[1] ?? 0) / steps,
    "1 thread ms": per(1, n).toFixed(3),
    [`${threads} threads ms`]: per(threads, n).toFixed(3),
  });
}
const sum = (t) => names.reduce((s, n) => s + per(t, n), 0);
rows.push({
  kernel: "other (JS, autograd)",
  "1 thread ms": (result[1].wall - sum(1)).toFixed(3),
  [`${threads} threads ms`]: (result[threads].wall - sum(threads)).toFixed(3),
});
rows.push({
  kernel: "step",
  "1 thread ms": result[1].wall.toFixed(3),
  [`${threads} threads ms`]: result[threads].wall.toFixed(3),
});
console.table(rows);
console.log({ batch, steps, load: loadAverage() });
