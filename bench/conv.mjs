// Convolution benchmark (issue 4): wasmgrad's conv2d forward, input gradient and filter gradient
// against TensorFlow.js's WASM backend (SIMD, 1 thread) in one process, and the MNIST CNN
// training step against tfjs (WASM if it can run it, and the pure-JS CPU backend).
//
//   node bench/conv.mjs [--quick | --merge | --report]                     baseline SIMD (Node 20)
//   node --experimental-wasm-relaxed-simd bench/conv.mjs [--quick | --merge]   relaxed SIMD
//
// --quick: short smoke run, saves nothing. --merge: adds this run's rounds to those stored for
// the same build (and the same dist/, by digest) in bench/results/conv.json: best of both
// processes, for a busy machine. --report: only rewrites and prints the stored tables.
//
// Each side runs its natural layout on the same numbers: wasmgrad NCHW with weights
// [OC, C, 3, 3], tfjs NHWC with filters [3, 3, C, OC]. Every shape uses a 3x3 kernel, stride 1
// and "same" padding (1 on each side). GFLOP/s = 2·N·OH·OW·OC·C·9 / time for all three
// directions. Timing as bench/gemm.mjs: warm-up, batches of >= MIN_MS, ROUNDS rounds with the
// contenders of one problem taking turns, PASSES passes over the suite, best round counts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import {
  createTimer,
  distDigest,
  loadAverage,
  maxAbsDiff,
  randomArray,
  runtimeInfo,
} from "./common.mjs";
import { cpuCnn, hwioFromOihw, nhwcFromNchw, oihwFromHwio, tfCnn, wgCnn } from "./conv-models.mjs";
import { tables } from "./conv-report.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const folder = join(root, "bench/results");
const resultFile = join(folder, "conv.json");
const quick = process.argv.includes("--quick");
const merge = process.argv.includes("--merge") && !quick;

const MIN_MS = quick ? 20 : 50;
const ROUNDS = quick ? 3 : 6;
const PASSES = quick ? 1 : 3;
const WARM_MS = quick ? 40 : 120;
/**
 * Steps of the pure-JS peer (one to seven seconds each): CHECK_STEPS per model once, the first
 * untimed, then for the small model two steps per pass, the first untimed.
 */
const CHECK_STEPS = quick ? 2 : 3;

// ---------------------------------------------------------------------------------------------
// Setup

// One thread, as tfjs-wasm runs here; the kernel clocks see the calling thread's calls only.
wg.setNumThreads(1);
const raw = wg.kernels.raw;
const wgInfo = wg.backendInfo();
const build = wgInfo.relaxedSimd ? "relaxed" : "simd";
const { tf, info: tfInfo } = await initTfjs();

// The pure-JS peer: tfjs's CPU backend, present as a dependency of tfjs-backend-wasm. Importing
// it only registers the "cpu" backend; "wasm" stays the active one.
const cpuInfo = { available: false, reason: null, version: null };
if (existsSync(join(root, "node_modules/@tensorflow/tfjs-backend-cpu/package.json"))) {
  try {
    const cpu = await import("@tensorflow/tfjs-backend-cpu");
    cpuInfo.version = cpu.version_cpu;
    cpuInfo.available = tf.findBackendFactory("cpu") !== null;
    if (!cpuInfo.available) cpuInfo.reason = "imported, but no 'cpu' backend registered";
  } catch (e) {
    cpuInfo.reason = String(e?.message ?? e);
  }
} else {
  cpuInfo.reason = "@tensorflow/tfjs-backend-cpu is not in node_modules";
}
if (tf.getBackend() !== "wasm") throw new Error(`tfjs backend is ${tf.getBackend()}, not wasm`);

/** What tfjs-wasm has for each direction (the issue: no filter gradient on WASM). */
const tfKernels = {
  Conv2D: tf.getKernel("Conv2D", "wasm") !== undefined,
  Conv2DBackpropInput: tf.getKernel("Conv2DBackpropInput", "wasm") !== undefined,
  Conv2DBackpropFilter: tf.getKernel("Conv2DBackpropFilter", "wasm") !== undefined,
};

const env = {
  ...runtimeInfo(),
  dist: distDigest(),
  wasmgrad: wgInfo,
  tfjs: { ...tfInfo, flags: undefined, kernels: tfKernels },
  tfjsCpu: cpuInfo,
  timing: {
    minMs: MIN_MS,
    rounds: ROUNDS,
    passes: PASSES,
    warmMs: WARM_MS,
    checkSteps: CHECK_STEPS,
  },
};

// ---------------------------------------------------------------------------------------------
// Timing: bench/common.mjs's createTimer (gemm.mjs's discipline); a contender's run(reps) may
// return the seconds to count instead of its wall time (the kernel-only contenders do).

const { race, record, stats, samples } = createTimer({
  minMs: MIN_MS,
  rounds: ROUNDS,
  warmMs: WARM_MS,
});
const now = () => performance.now();

/**
 * Times the WASM kernels `names` inside the public API: while installed, their entries in the
 * kernel table (the object wg.kernels.raw, through which the facade calls every kernel) are
 * wrapped with a clock. `take()` returns the seconds spent inside them and the number of calls
 * since the last take. The weight gradient runs as staged pieces then dW tiles, several calls
 * per op, so a direction may name several kernels.
 */
function kernelClock(names) {
  const originals = names.map((name) => {
    const original = raw[name];
    if (typeof original !== "function") throw new Error(`bench: no kernel ${name}`);
    return original;
  });
  let ms = 0;
  let calls = 0;
  const timed = originals.map((original) => (...args) => {
    const t0 = now();
    original(...args);
    ms += now() - t0;
    calls++;
  });
  return {
    install() {
      for (const [i, name] of names.entries()) raw[name] = timed[i];
    },
    remove() {
      for (const [i, name] of names.entries()) raw[name] = originals[i];
    },
    take() {
      const out = { seconds: ms / 1e3, calls };
      ms = 0;
      calls = 0;
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Problems

/** tfjs names them NxHxWxC -> OC; 3x3 kernel, stride 1, "same" padding. `issue`: the peer's
 * forward GFLOP/s as the issue measured it. */
const SHAPES = [
  { id: "1x28x28x1-32", n: 1, h: 28, w: 28, c: 1, oc: 32, issue: 15 },
  { id: "32x28x28x1-32", n: 32, h: 28, w: 28, c: 1, oc: 32, issue: 15 },
  { id: "1x56x56x64-64", n: 1, h: 56, w: 56, c: 64, oc: 64, issue: 36 },
  { id: "8x32x32x16-32", n: 8, h: 32, w: 32, c: 16, oc: 32, issue: 37 },
];
for (const s of SHAPES) {
  s.label = `${s.n}×${s.h}×${s.w}×${s.c} → ${s.oc}`;
  s.flops = 2 * s.n * s.h * s.w * s.oc * s.c * 9;
}
const DIRECTIONS = ["fwd", "dx", "dw"];
const KERNEL = {
  fwd: ["conv2d_f32"],
  dx: ["conv2d_bwd_input_f32"],
  dw: ["conv2d_wgrad_stage_f32", "conv2d_wgrad_gemm_f32"],
};
const clocks = Object.fromEntries(DIRECTIONS.map((d) => [d, kernelClock(KERNEL[d])]));

/** What tfjs-wasm does when asked for the filter gradient (it has no kernel for it). */
function tfFilterGradError() {
  const x = tf.zeros([1, 4, 4, 1]);
  const f = tf.zeros([3, 3, 1, 2]);
  try {
    const g = tf.grad((filter) => tf.sum(tf.conv2d(x, filter, 1, "same")))(f);
    g.dispose();
    return null;
  } catch (e) {
    return String(e?.message ?? e);
  } finally {
    x.dispose();
    f.dispose();
  }
}

/** The filter gradient on tfjs's CPU backend, as a reference for wasmgrad's (NHWC inputs). */
async function cpuFilterGrad(s, xNhwc, dyNhwc) {
  await tf.setBackend("cpu");
  try {
    return tf.tidy(() => {
      const x = tf.tensor4d(xNhwc, [s.n, s.h, s.w, s.c]);
      const dy = tf.tensor4d(dyNhwc, [s.n, s.h, s.w, s.oc]);
      const f = tf.zeros([3, 3, s.c, s.oc]);
      const loss = (filter) => tf.sum(tf.mul(tf.conv2d(x, filter, 1, "same"), dy));
      return tf.grad(loss)(f).dataSync().slice();
    });
  } finally {
    await tf.setBackend("wasm");
  }
}

/** Compares wasmgrad's results, converted to NHWC, with tfjs's (tfjs-cpu for the filter gradient). */
async function checkShape(s, { x, weight, dy, xg, yx, wgw, yw, xNhwc, dyNhwc, tfRun }) {
  const { n, h, w, c, oc } = s;
  const opts = { padding: 1 };
  const checks = {};
  const tol = { fwd: 1e-5 * c * 9, dx: 1e-5 * oc * 9, dw: 1e-5 * n * h * w };
  const y = wg.F.conv2d(x, weight, null, opts);
  const ref = { fwd: nhwcFromNchw(y.data(), n, oc, h, w) };
  y.dispose();
  yx.backward(dy, { retainGraph: true });
  ref.dx = nhwcFromNchw(xg.grad.data(), n, c, h, w);
  xg.grad = null;
  yw.backward(dy, { retainGraph: true });
  const dwWg = wgw.grad.data();
  wgw.grad = null;
  for (const d of ["fwd", "dx"]) {
    const out = tfRun[d]();
    checks[d] = { tfjs: maxAbsDiff(out.dataSync(), ref[d]), tol: tol[d] };
    out.dispose();
  }
  checks.dw = { tol: tol.dw };
  if (cpuInfo.available) {
    const dwCpu = await cpuFilterGrad(s, xNhwc, dyNhwc);
    checks.dw.tfjsCpu = maxAbsDiff(oihwFromHwio(dwCpu, oc, c), dwWg);
  }
  for (const [d, chk] of Object.entries(checks)) {
    for (const [lib, diff] of Object.entries(chk)) {
      if (lib !== "tol" && !(diff <= chk.tol)) {
        throw new Error(
          `bench: ${s.id} ${d}: ${lib} differs from wasmgrad by ${diff} (tolerance ${chk.tol})`,
        );
      }
    }
  }

  return checks;
}

/**
 * Sets up one shape on both sides, checks (when `check`) that they compute the same convolution
 * and gradients, and returns the checks, the contenders per direction and a disposer.
 */
async function setupShape(s, check) {
  const { n, h, w, c, oc } = s;
  const xData = randomArray(n * c * h * w, 7 + n * c);
  const wData = randomArray(oc * c * 9, 9 + oc);
  const dyData = randomArray(n * oc * h * w, 11 + oc);
  const opts = { padding: 1 };

  // wasmgrad: plain tensors for the forward; for each gradient, a graph in which only the
  // tensor of interest requires grad, so that backward runs exactly that one kernel.
  const x = wg.tensor(xData, { shape: [n, c, h, w] });
  const weight = wg.tensor(wData, { shape: [oc, c, 3, 3] });
  const dy = wg.tensor(dyData, { shape: [n, oc, h, w] });
  const xg = wg.tensor(xData, { shape: [n, c, h, w], requiresGrad: true });
  const wgw = wg.tensor(wData, { shape: [oc, c, 3, 3], requiresGrad: true });
  const yx = wg.F.conv2d(xg, weight, null, opts);
  const yw = wg.F.conv2d(x, wgw, null, opts);
  const wgRun = {
    fwd: () => wg.F.conv2d(x, weight, null, opts).dispose(),
    dx: () => {
      yx.backward(dy, { retainGraph: true });
      xg.grad = null; // disposes it
    },
    dw: () => {
      yw.backward(dy, { retainGraph: true });
      wgw.grad = null;
    },
  };

  // tfjs, NHWC: forward tf.conv2d; input gradient tf.conv2dTranspose (Conv2DBackpropInput).
  const xNhwc = nhwcFromNchw(xData, n, c, h, w);
  const dyNhwc = nhwcFromNchw(dyData, n, oc, h, w);
  const tx = tf.tensor4d(xNhwc, [n, h, w, c]);
  const tfilter = tf.tensor4d(hwioFromOihw(wData, oc, c), [3, 3, c, oc]);
  const tdy = tf.tensor4d(dyNhwc, [n, h, w, oc]);
  const tfRun = {
    fwd: () => tf.conv2d(tx, tfilter, 1, "same"),
    dx: () => tf.conv2dTranspose(tdy, tfilter, [n, h, w, c], 1, "same"),
  };

  const checks = check
    ? await checkShape(s, { x, weight, dy, xg, yx, wgw, yw, xNhwc, dyNhwc, tfRun })
    : null;

  const groups = {};
  for (const d of DIRECTIONS) {
    const run = wgRun[d];
    const clock = clocks[d];
    const contenders = [
      {
        key: `${s.id}:${d}:api`,
        run(reps) {
          for (let r = 0; r < reps; r++) run();
        },
      },
      {
        // The same calls, counting only the time inside the WASM kernel.
        key: `${s.id}:${d}:kernel`,
        run(reps) {
          clock.take();
          clock.install();
          try {
            for (let r = 0; r < reps; r++) run();
          } finally {
            clock.remove();
          }
          const { seconds, calls } = clock.take();
          if (d === "dw" ? calls < reps : calls !== reps) {
            throw new Error(`bench: ${s.id} ${d}: ${calls} ${KERNEL[d]} calls in ${reps} ops`);
          }
          return seconds;
        },
      },
    ];
    if (tfRun[d]) {
      const op = tfRun[d];
      contenders.push({
        key: `${s.id}:${d}:tfjs`,
        run(reps) {
          for (let r = 0; r < reps - 1; r++) op().dispose();
          const last = op();
          last.dataSync();
          last.dispose();
        },
      });
    }
    groups[d] = contenders;
  }
  return {
    checks,
    groups,
    dispose() {
      for (const t of [yx, yw, x, weight, dy, xg, wgw]) t.dispose();
      for (const t of [tx, tfilter, tdy]) t.dispose();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// MNIST CNN training step, batch 32

/**
 * The issue's model (8 and 16 channels), and the wider ones `npm start` has trained: 16 and 32
 * channels, and 24 and 48 since 617c5d0. `cpu`: how much the pure-JS peer runs ("timed": the
 * check, then steps in every pass; "check": only the check's steps; "none": nothing, at about 11 s
 * a step).
 */
const MNIST = [
  { id: "mnist-8-16", label: "MNIST CNN, conv 8 and 16 (issue)", channels: [8, 16], cpu: "timed" },
  {
    id: "mnist-16-32",
    label: "MNIST CNN, conv 16 and 32 (npm start before 617c5d0)",
    channels: [16, 32],
    cpu: "check",
  },
  {
    id: "mnist-24-48",
    label: "MNIST CNN, conv 24 and 48 (npm start since 617c5d0)",
    channels: [24, 48],
    cpu: "none",
  },
];
const BATCH = 32;
const LR = 0.01;
const MOMENTUM = 0.9;
const mnistX = randomArray(BATCH * 784, 21);
const mnistLabels = new Int32Array(BATCH).map((_, i) => (i * 7 + 3) % 10);
const mnistArgs = { batch: BATCH, x: mnistX, labels: mnistLabels, lr: LR, momentum: MOMENTUM };

/**
 * The same model from the same initial weights on each side: wasmgrad's losses over three steps
 * against tfjs-cpu's (the reference that can train it), and whether tfjs-wasm can take a step.
 */
async function checkMnist(m) {
  const a = wgCnn(wg, m.channels, mnistArgs);
  const losses = { wasmgrad: [a.step(), a.step(), a.step()] };
  const out = { losses, tfjsWasmError: null };
  const init = a.init;
  a.dispose();
  const t = tfCnn(tf, init, m.channels, mnistArgs);
  try {
    out.tfjsWasmLoss = t.step();
  } catch (e) {
    out.tfjsWasmError = String(e?.message ?? e);
  }
  t.dispose();
  if (cpuInfo.available && m.cpu !== "none") {
    const b = await cpuCnn(tf, init, m.channels, mnistArgs, CHECK_STEPS);
    losses.tfjsCpu = b.losses;
    record({ [`${m.id}:tfjsCpu`]: { samples: b.stepSeconds.slice(1), reps: 1 } });
    const steps = b.losses.length;
    out.diffCpu = maxAbsDiff(b.losses, losses.wasmgrad.slice(0, steps));
    if (!(out.diffCpu <= 1e-4)) {
      throw new Error(
        `bench: ${m.id}: tfjs-cpu losses ${b.losses} differ from wasmgrad's ${losses.wasmgrad}`,
      );
    }
  }
  return out;
}

/** wasmgrad's steps, and tfjs-wasm's where it can train the model (the check says). */
async function raceMnist() {
  for (const m of MNIST) {
    const model = wgCnn(wg, m.channels, mnistArgs);
    const contenders = [
      {
        key: `${m.id}:wasmgrad`,
        run(reps) {
          for (let r = 0; r < reps; r++) model.step();
        },
      },
    ];
    let peer = null;
    if (run.mnist[m.id].check.tfjsWasmError === null) {
      peer = tfCnn(tf, model.init, m.channels, mnistArgs);
      contenders.push({
        key: `${m.id}:tfjs`,
        run(reps) {
          for (let r = 0; r < reps; r++) peer.step();
        },
      });
    }
    record(await race(contenders));
    model.dispose();
    peer?.dispose();
  }
}

/** The pure-JS peer on the models it is timed on in every pass: one untimed step, one timed. */
async function timeCpuMnist() {
  for (const m of MNIST.filter((x) => x.cpu === "timed")) {
    const start = wgCnn(wg, m.channels, mnistArgs);
    start.dispose();
    const { stepSeconds } = await cpuCnn(tf, start.init, m.channels, mnistArgs, 2);
    record({ [`${m.id}:tfjsCpu`]: { samples: stepSeconds.slice(1), reps: 1 } });
  }
}

// ---------------------------------------------------------------------------------------------
// Run

/** bench/results/conv.json as stored ({ runs: { simd?, relaxed? }, tables }). */
function loadSaved() {
  if (!existsSync(resultFile)) return { runs: {} };
  try {
    const saved = JSON.parse(readFileSync(resultFile, "utf8"));
    saved.runs ??= {};
    return saved;
  } catch {
    return { runs: {} };
  }
}

if (process.argv.includes("--report")) {
  // Only rewrite and print the tables of the stored runs (after a change to conv-report.mjs).
  const stored = loadSaved();
  const runs = Object.values(stored.runs);
  if (runs.length === 0) throw new Error(`--report: no runs stored in ${resultFile}`);
  stored.tables = tables(stored.runs, { shapes: SHAPES, mnist: MNIST, timing: runs[0].timing });
  writeFileSync(resultFile, `${JSON.stringify(stored, null, 2)}\n`);
  console.log(stored.tables);
  process.exit(0);
}

console.log(
  `node ${[env.node, ...env.execArgv].join(" ")} (V8 ${env.v8}) on ${env.cpu}, ${env.cores} cores`,
);
console.log(`load average ${env.loadavgStart.join(" ")} (1, 5, 15 min)`);
console.log(`git ${env.git}; dist/ digest ${env.dist}`);
console.log(
  `wasmgrad: build ${build}, relaxedSimd ${wgInfo.relaxedSimd}, threads ${wgInfo.threads}`,
);
console.log(
  `tfjs ${tfInfo.tfjsCore}: backend ${tfInfo.backend}, SIMD ${tfInfo.simd}, threads ${tfInfo.threads}, loaded ${tfInfo.wasmFile}`,
);
if (!tfInfo.simd || tfInfo.threads !== 1) {
  console.warn("warning: tfjs-wasm is not on SIMD with one thread; not like for like");
}
console.log(
  `tfjs-wasm kernels: ${Object.entries(tfKernels)
    .map(([k, v]) => `${k} ${v ? "yes" : "NO"}`)
    .join(", ")}`,
);
const filterGradError = tfKernels.Conv2DBackpropFilter ? null : tfFilterGradError();
if (filterGradError) console.log(`tfjs-wasm filter gradient: ${filterGradError}`);
console.log(
  cpuInfo.available
    ? `pure-JS peer: tfjs-backend-cpu ${cpuInfo.version}`
    : `pure-JS peer: skipped (${cpuInfo.reason})`,
);
if (quick) console.log("--quick: short runs, numbers are indicative only, nothing saved");

const run = { build, quick, ...env, filterGradError, cells: {}, checks: {}, mnist: {} };
run.processes = [{ date: env.date, git: env.git, loadavgStart: env.loadavgStart }];
const saved = loadSaved();
if (merge) {
  const prev = saved.runs[build];
  if (!prev?.samples)
    throw new Error(`--merge: no stored ${build} run with samples in ${resultFile}`);
  if (prev.dist !== env.dist) {
    throw new Error(
      `--merge: the stored ${build} run measured another build of dist/ (digest ${prev.dist}, git ${prev.git}); this one is ${env.dist} (git ${env.git})`,
    );
  }
  for (const [key, v] of Object.entries(prev.samples)) samples.set(key, v);
  run.processes = [...prev.processes, ...run.processes];
  console.log(`--merge: adding to the ${build} run of ${prev.date}`);
}

for (const m of MNIST) {
  const chk = await checkMnist(m);
  run.mnist[m.id] = { check: chk };
  console.log(
    `check ${m.id}: wasmgrad losses ${chk.losses.wasmgrad.map((l) => l.toFixed(5)).join(", ")}` +
      (chk.diffCpu !== undefined ? `; tfjs-cpu max |diff| ${chk.diffCpu.toExponential(1)}` : "") +
      `; tfjs-wasm: ${chk.tfjsWasmError ? `fails: ${chk.tfjsWasmError}` : `runs (loss ${chk.tfjsWasmLoss})`}`,
  );
}

const gf = (s, t) => (t === undefined ? "–" : (s.flops / Math.min(...t.samples) / 1e9).toFixed(1));
for (let pass = 0; pass < PASSES; pass++) {
  console.log(`\npass ${pass + 1} of ${PASSES}, load average ${loadAverage()[0]}`);
  for (const s of SHAPES) {
    const { checks, groups, dispose } = await setupShape(s, pass === 0);
    if (checks) run.checks[s.id] = checks;
    for (const d of DIRECTIONS) {
      const times = await race(groups[d]);
      record(times);
      const show = ["api", "kernel", "tfjs"]
        .map((lib) => `${lib} ${gf(s, times[`${s.id}:${d}:${lib}`])}`)
        .join(", ");
      console.log(`  ${s.id.padEnd(14)} ${d.padEnd(3)}  ${show}  GFLOP/s`);
    }
    dispose();
  }
  if (pass === 0) {
    const worst = {};
    for (const chk of Object.values(run.checks)) {
      for (const [d, c] of Object.entries(chk)) {
        for (const [lib, v] of Object.entries(c)) {
          if (lib !== "tol") worst[`${d} ${lib}`] = Math.max(worst[`${d} ${lib}`] ?? 0, v);
        }
      }
    }
    console.log(
      `check: tfjs agrees with wasmgrad on every shape (after NCHW -> NHWC); max |diff| ${Object.entries(
        worst,
      )
        .map(([k, v]) => `${k} ${v.toExponential(1)}`)
        .join(", ")}`,
    );
  }
  await raceMnist();
  if (cpuInfo.available) await timeCpuMnist();
  for (const m of MNIST) {
    const show = ["wasmgrad", "tfjs", "tfjsCpu"]
      .map((lib) => [lib, stats(`${m.id}:${lib}`)])
      .filter(([, t]) => t)
      .map(([lib, t]) => `${lib} ${(t.best * 1e3).toFixed(2)}`)
      .join(", ");
    console.log(`  ${m.id.padEnd(14)} ${show}  ms/step (best so far)`);
  }
}

for (const s of SHAPES) {
  run.cells[s.id] = {};
  for (const d of DIRECTIONS) {
    const cell = {};
    for (const lib of ["api", "kernel", "tfjs"]) {
      const t = stats(`${s.id}:${d}:${lib}`);
      if (t === undefined) continue;
      cell[lib] = {
        gflops: s.flops / t.best / 1e9,
        medianGflops: s.flops / t.median / 1e9,
        rounds: t.rounds,
        reps: t.reps,
      };
    }
    run.cells[s.id][d] = cell;
  }
}
for (const m of MNIST) {
  for (const lib of ["wasmgrad", "tfjs", "tfjsCpu"]) {
    const t = stats(`${m.id}:${lib}`);
    if (t) {
      run.mnist[m.id][lib] = {
        ms: t.best * 1e3,
        medianMs: t.median * 1e3,
        rounds: t.rounds,
        reps: t.reps,
      };
    }
  }
}
run.loadavgEnd = loadAverage();
run.processes.at(-1).loadavgEnd = run.loadavgEnd;
run.samples = Object.fromEntries(samples);
run.liveTensorsAtEnd = wg.memory().liveTensors;

// ---------------------------------------------------------------------------------------------
// Report and save

const meta = { shapes: SHAPES, mnist: MNIST, timing: env.timing };
if (quick) {
  console.log(`\n${tables({ [build]: run }, meta)}`);
  console.log("\n--quick: nothing saved");
} else {
  mkdirSync(folder, { recursive: true });
  saved.runs[build] = run;
  const both = saved.runs.simd && saved.runs.relaxed;
  const text = tables(both ? saved.runs : { [build]: run }, meta);
  saved.tables = text;
  writeFileSync(resultFile, `${JSON.stringify(saved, null, 2)}\n`);
  const other = build === "simd" ? "relaxed" : "simd";
  console.log(
    both
      ? `\n## Convolution: both builds (this ${build} run and the ${other} run of ${saved.runs[other].date})\n`
      : `\n## Convolution: ${build} build only (run the ${other === "relaxed" ? "--experimental-wasm-relaxed-simd" : "flagless"} variant too for the combined tables)\n`,
  );
  console.log(text);
  console.log(`\nSaved to: ${resultFile}`);
}
