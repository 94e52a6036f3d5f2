// ONNX Runtime Web as a peer (issue 13): its threaded WASM build with ort.env.wasm.numThreads = 2
// (or --ort-threads N) against wasmgrad at 2 threads (and 1, for reference), side by side in one
// Node process, on
//   - matmul n x n · n x n, n = 256, 512, 1024 (wg.matmul vs an ONNX MatMul graph);
//   - the MNIST MLP forward, 784-128-10 with ReLU at batch 64 (nn.Sequential of Linear layers
//     under noGrad vs an ONNX Gemm(transB) -> Relu -> Gemm graph holding the same weights).
// The ONNX graphs are built in code (bench/onnx-writer.mjs). Before anything is timed, each case
// checks that both sides compute the same result.
//
//   npm run build && node bench/peer-ort.mjs [--quick] [--ort-threads N] [--rounds R]
//
// Timing: warm-up, then ROUNDS rounds in which the contenders take turns (the order rotates
// every round); a round's sample is the mean over a batch of at least BATCH_MS. ORT's
// session.run is asynchronous, so its calls are awaited one after another, as a caller would.
// Reported: median and minimum µs per call, the ratios ORT / wasmgrad by median (>1: wasmgrad
// faster), the OS threads the process runs (ORT's pool shows there), and the load average.
import { readdirSync } from "node:fs";
import * as ort from "onnxruntime-web";
import * as wg from "wasmgrad";
import { loadAverage, maxAbsDiff, randomArray, runtimeInfo } from "./common.mjs";
import { onnxModel } from "./onnx-writer.mjs";

const quick = process.argv.includes("--quick");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ortThreads = arg("--ort-threads", 2);
const ROUNDS = arg("--rounds", quick ? 5 : 15);
const BATCH_MS = quick ? 30 : 100;
const WARM_MS = quick ? 60 : 300;
const WG_THREADS = 2;

const osThreads = () => readdirSync("/proc/self/task").length;
const threadsAtStart = osThreads();
wg.setNumThreads(WG_THREADS);
await wg.ready();
ort.env.wasm.numThreads = ortThreads;
const loadStart = loadAverage();

const setWgThreads = (t) =>
  wg.setNumThreads(WG_THREADS, { minWorkMicros: t === 1 ? Number.POSITIVE_INFINITY : 50 });

async function session(graph) {
  return ort.InferenceSession.create(onnxModel(graph), { executionProviders: ["wasm"] });
}

async function batch(run) {
  const t0 = performance.now();
  let calls = 0;
  let t = t0;
  while (calls < 1 || t - t0 < BATCH_MS) {
    await run();
    calls++;
    t = performance.now();
  }
  return ((t - t0) * 1000) / calls;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
};

/** Each case: setup() returns { wg: () => void, ort: () => Promise, check: () => Promise<diff>, tol }. */
const cases = [];
for (const n of [256, 512, 1024]) {
  cases.push({
    name: `matmul ${n}`,
    async setup() {
      const aData = randomArray(n * n, 1);
      const bData = randomArray(n * n, 2);
      const a = wg.tensor(Array.from(aData)).reshape([n, n]);
      const b = wg.tensor(Array.from(bData)).reshape([n, n]);
      const s = await session({
        nodes: [["MatMul", ["A", "B"], ["C"]]],
        inputs: [
          ["A", [n, n]],
          ["B", [n, n]],
        ],
        outputs: [["C", [n, n]]],
      });
      const feeds = {
        A: new ort.Tensor("float32", aData, [n, n]),
        B: new ort.Tensor("float32", bData, [n, n]),
      };
      return {
        wg: () => wg.matmul(a, b).dispose(),
        ort: () => s.run(feeds),
        async check() {
          const c = wg.matmul(a, b);
          const diff = maxAbsDiff((await s.run(feeds)).C.data, c.data());
          c.dispose();
          return diff;
        },
        tol: 1e-5 * n,
        dispose() {
          a.dispose();
          b.dispose();
        },
      };
    },
  });
}
cases.push({
  name: "MNIST MLP forward (784-128-10, batch 64)",
  async setup() {
    wg.manualSeed(5);
    const model = new wg.nn.Sequential(
      new wg.nn.Linear(784, 128),
      new wg.nn.ReLU(),
      new wg.nn.Linear(128, 10),
    );
    const [w1, b1, w2, b2] = model.parameters().map((p) => p.data().slice());
    const xData = randomArray(64 * 784, 5);
    const x = wg.tensor(Array.from(xData)).reshape([64, 784]);
    const s = await session({
      nodes: [
        ["Gemm", ["X", "W1", "B1"], ["H"], { transB: 1 }],
        ["Relu", ["H"], ["R"]],
        ["Gemm", ["R", "W2", "B2"], ["Y"], { transB: 1 }],
      ],
      initializers: [
        ["W1", [128, 784], w1],
        ["B1", [128], b1],
        ["W2", [10, 128], w2],
        ["B2", [10], b2],
      ],
      inputs: [["X", [64, 784]]],
      outputs: [["Y", [64, 10]]],
    });
    const feeds = { X: new ort.Tensor("float32", xData, [64, 784]) };
    return {
      // tidy frees the hidden activations too: without autograd no graph owns them.
      wg: () => wg.tidy(() => void wg.noGrad(() => model.forward(x))),
      ort: () => s.run(feeds),
      async check() {
        const y = wg.tidy(() => wg.noGrad(() => model.forward(x)));
        const diff = maxAbsDiff((await s.run(feeds)).Y.data, y.data());
        y.dispose();
        return diff;
      },
      tol: 1e-3,
      dispose() {
        x.dispose();
      },
    };
  },
});

const rows = [];
let threadsWithOrt = 0;
for (const c of cases) {
  const k = await c.setup();
  threadsWithOrt = Math.max(threadsWithOrt, osThreads());
  const diff = await k.check();
  if (!(diff <= k.tol)) throw new Error(`${c.name}: ORT and wasmgrad differ by ${diff}`);
  const contenders = [
    { key: "wg1", threads: 1, run: k.wg },
    { key: "wg", threads: WG_THREADS, run: k.wg },
    { key: "ort", threads: WG_THREADS, run: k.ort },
  ];
  for (const x of contenders) {
    setWgThreads(x.threads);
    const t0 = performance.now();
    let calls = 0;
    while (calls < 3 || performance.now() - t0 < WARM_MS) {
      await x.run();
      calls++;
    }
    x.samples = [];
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const x = contenders[(i + r) % contenders.length];
      setWgThreads(x.threads);
      x.samples.push(await batch(x.run));
    }
  }
  const [one, many, peer] = contenders.map((x) => stats(x.samples));
  const row = {
    case: c.name,
    "wasmgrad 1t median µs": one.median.toFixed(0),
    [`wasmgrad ${WG_THREADS}t median µs`]: many.median.toFixed(0),
    [`wasmgrad ${WG_THREADS}t min µs`]: many.min.toFixed(0),
    [`ORT ${ortThreads}t median µs`]: peer.median.toFixed(0),
    [`ORT ${ortThreads}t min µs`]: peer.min.toFixed(0),
    [`ORT / wasmgrad ${WG_THREADS}t (median)`]: (peer.median / many.median).toFixed(2),
    "max |diff|": diff.toExponential(1),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
  k.dispose();
}
setWgThreads(WG_THREADS);
console.table(rows);
console.log({
  ...runtimeInfo(),
  wasmgrad: wg.backendInfo(),
  ort: { versions: ort.env.versions, numThreads: ort.env.wasm.numThreads, simd: ort.env.wasm.simd },
  osThreads: { atStart: threadsAtStart, withSessions: threadsWithOrt },
  rounds: ROUNDS,
  loadStart,
  loadEnd: loadAverage(),
});
// ORT's worker threads keep the process alive.
process.exit(0);
