// Recurrent-network benchmark (issue 5): wasmgrad's RNN (tanh), LSTM and GRU against
// TensorFlow.js's WASM backend (SIMD, 1 thread) in one process, at batch 32, input 128, hidden
// 256: one time step of each cell, and a 32-step sequence forward and forward + backward, in
// microseconds per time step.
//
//   npm run build                                                     the bench imports dist/
//   node --experimental-wasm-relaxed-simd bench/rnn.mjs [--quick]     relaxed-SIMD build
//   WASMGRAD_SIMD=baseline node --experimental-wasm-relaxed-simd bench/rnn.mjs [--quick]
//                                                                     baseline SIMD build
//
// --quick: short smoke run, saves nothing. Otherwise the run replaces its build's entry in
// bench/results/rnn.json, and once both builds are there the combined tables are printed.
// --merge: adds this run's rounds to those stored for the same build (and the same dist/, by
// digest): best of all processes, for a busy machine. --report: reprints (and re-stores) the
// tables of the stored runs, measuring nothing.
//
// wasmgrad: the cells under wg.noGrad (a forward step), nn.RNN/LSTM/GRU over the sequence (under
// noGrad for the forward; for forward + backward, loss = sum(output · dy), backward, zeroGrad),
// and the same cell stepped in a JS loop. tfjs: the cells of rnn-models.mjs (tf.layers' form,
// tf.basicLSTMCell's concat form, and the sequence with the input product hoisted), forward in
// tf.tidy, forward + backward under tf.variableGrads. Each side runs from the same weights and
// inputs, and every output and gradient is compared with wasmgrad's before anything is timed.
// Timing as bench/gemm.mjs (common.mjs createTimer): warm-up, batches of >= MIN_MS, ROUNDS rounds
// with the contenders of a problem taking turns, PASSES passes, best round counts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import {
  createTimer,
  distDigest,
  kernelProfiler,
  loadAverage,
  maxAbsDiff,
  randomArray,
  runtimeInfo,
} from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";
import { GATES, tfCell, tfSequence, tfWeights } from "./rnn-models.mjs";
import {
  gemmProblems,
  profileCall,
  profileLabel,
  setupKernels,
  tfProfile,
} from "./rnn-profile.mjs";
import { tables } from "./rnn-report.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const folder = join(root, "bench/results");
const resultFile = join(folder, "rnn.json");
const quick = process.argv.includes("--quick");
const merge = process.argv.includes("--merge") && !quick;

const MIN_MS = quick ? 20 : 50;
const ROUNDS = quick ? 3 : 6;
/** Rounds per pass for forward + backward over the sequence: tfjs takes 0.3-2 s per call. */
const TRAIN_ROUNDS = quick ? 2 : 3;
const PASSES = quick ? 1 : 3;
const WARM_MS = quick ? 40 : 120;
/**
 * Milliseconds of calls run under the kernel profiler per wasmgrad contender, in batches; the
 * quickest batch is reported.
 */
const PROFILE_MS = quick ? 100 : 600;
const PROFILE_BATCHES = quick ? 2 : 6;

const N = 32;
const IN = 128;
const H = 256;
const L = 32;
const sizes = { batch: N, inputSize: IN, hiddenSize: H, steps: L };

// ---------------------------------------------------------------------------------------------
// Setup

await wg.ready();
const wgInfo = wg.backendInfo();
const build = wgInfo.relaxedSimd ? "relaxed" : "simd";
const { tf, info: tfInfo } = await initTfjs();
const timer = createTimer({ minMs: MIN_MS, rounds: ROUNDS, warmMs: WARM_MS });
const raw = wg.kernels.raw;
const profiler = kernelProfiler(raw, profileLabel);

const env = {
  ...runtimeInfo(),
  dist: distDigest(),
  wasmgrad: wgInfo,
  tfjs: { ...tfInfo, flags: undefined },
  timing: {
    minMs: MIN_MS,
    rounds: ROUNDS,
    trainRounds: TRAIN_ROUNDS,
    passes: PASSES,
    warmMs: WARM_MS,
  },
  sizes,
};

/**
 * The three recurrent kinds. `forms`: the tfjs cells (rnn-models.mjs). `issue`: the peer's step
 * as the issue measured it and the issue's target for wasmgrad's, in µs.
 */
const KINDS = [
  {
    kind: "rnn_tanh",
    label: "RNN (tanh)",
    Cell: wg.nn.RNNCell,
    Layer: wg.nn.RNN,
    forms: ["layers", "concat"],
    issue: { peerUs: 278, targetUs: 150 },
  },
  {
    kind: "lstm",
    label: "LSTM",
    Cell: wg.nn.LSTMCell,
    Layer: wg.nn.LSTM,
    forms: ["layers", "concat"],
    issue: { peerUs: 1195, targetUs: 500 },
  },
  { kind: "gru", label: "GRU", Cell: wg.nn.GRUCell, Layer: wg.nn.GRU, forms: ["layers"] },
];
/** Multiply-adds ×2 of one step's two products (input and recurrent), all gates. */
const stepFlops = (kind) => 2 * N * (IN + H) * GATES[kind] * H;

/** PyTorch-layout weights of a cell, or of layer 0 of a layer, as Float32Arrays. */
function weightsOf(module, suffix = "") {
  const sd = module.stateDict();
  const out = {};
  for (const name of ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]) {
    out[name] = sd[`${name}${suffix}`].data();
  }
  return out;
}

/** The largest |difference| relative to the largest |value| of the reference. */
function relDiff(a, ref) {
  let top = 0;
  for (const v of ref) top = Math.max(top, Math.abs(v));
  return maxAbsDiff(a, ref) / Math.max(top, 1e-30);
}

function ensureClose(what, diff, tol) {
  if (!(diff <= tol)) {
    throw new Error(`bench: ${what} differs from wasmgrad by ${diff} (tolerance ${tol})`);
  }
  return diff;
}

let tagCount = 0;
const tag = (s) => `${s}-${tagCount++}`;

/** A tfjs contender: `once()` makes one call and returns what to dispose; the last is read. */
function tfContender(key, once) {
  return {
    key,
    once,
    tfjs: true,
    run(reps) {
      for (let r = 0; r < reps - 1; r++) tf.dispose(once());
      const last = once();
      for (const t of [last].flat(2)) t?.dataSync?.();
      tf.dispose(last);
    },
  };
}

function wgContender(key, once) {
  return {
    key,
    once,
    run(reps) {
      for (let r = 0; r < reps; r++) once();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One time step of each cell, forward

function setupStep(k) {
  const lstm = k.kind === "lstm";
  wg.manualSeed(1);
  const cell = new k.Cell(IN, H);
  const sd = weightsOf(cell);
  const xData = randomArray(N * IN, 3);
  const hData = randomArray(N * H, 5);
  const cData = randomArray(N * H, 7);
  const x = wg.tensor(xData, { shape: [N, IN] });
  const h = wg.tensor(hData, { shape: [N, H] });
  const c = wg.tensor(cData, { shape: [N, H] });
  const state = lstm ? [h, c] : h;
  const wgStep = () => wg.noGrad(() => cell.forward(x, state));

  const tx = tf.tensor(xData, [N, IN]);
  const th = tf.tensor(hData, [N, H]);
  const tc = tf.tensor(cData, [N, H]);
  const tState = lstm ? [th, tc] : th;
  const peers = k.forms.map((form) => {
    const w = tfWeights(tf, k.kind, form, sd, { inputSize: IN, hiddenSize: H, tag: tag(form) });
    const step = tfCell(tf, k.kind, form, w.vars);
    return { form, w, once: () => tf.tidy(() => step(tx, tState)) };
  });

  // Check: h' (and c') of every tfjs form against wasmgrad's.
  const checks = {};
  const ref = wg.tidy(() => [wgStep()].flat().map((t) => t.data()));
  for (const p of peers) {
    const out = [p.once()].flat();
    const diffs = out.map((t, i) => relDiff(t.dataSync(), ref[i]));
    tf.dispose(out);
    checks[p.form] = ensureClose(`${k.kind} step, tfjs ${p.form}`, Math.max(...diffs), 1e-5);
  }

  const contenders = [
    wgContender(`step:${k.kind}:wasmgrad`, () => wg.tidy(() => void wgStep())),
    ...peers.map((p) => tfContender(`step:${k.kind}:tfjs-${p.form}`, p.once)),
  ];
  return {
    checks,
    contenders,
    dispose() {
      cell.dispose();
      for (const t of [x, h, c]) t.dispose();
      for (const p of peers) p.w.dispose();
      tf.dispose([tx, th, tc]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// A 32-step sequence: forward, and forward + backward

/** The tfjs sequence variants: each cell form in a loop, and the layers form hoisted. */
const seqVariants = (k) => [
  ...k.forms.map((form) => ({ id: `loop-${form}`, form, hoisted: false })),
  { id: "hoisted", form: "layers", hoisted: true },
];

function setupSequence(k) {
  const lstm = k.kind === "lstm";
  wg.manualSeed(2);
  const layer = new k.Layer(IN, H);
  const cell = new k.Cell(IN, H);
  const sd = weightsOf(layer, "_l0");
  const layerSd = layer.stateDict();
  cell.loadStateDict({
    weight_ih: layerSd.weight_ih_l0,
    weight_hh: layerSd.weight_hh_l0,
    bias_ih: layerSd.bias_ih_l0,
    bias_hh: layerSd.bias_hh_l0,
  });
  const xData = randomArray(L * N * IN, 11);
  const dyData = randomArray(L * N * H, 13);
  const x = wg.tensor(xData, { shape: [L, N, IN] });
  const dy = wg.tensor(dyData, { shape: [L, N, H] });

  /** [output, hN] or [output, hN, cN] from nn.RNN/LSTM/GRU. */
  const layerForward = () => {
    const [out, state] = layer.forward(x);
    return lstm ? [out, ...state] : [out, state];
  };
  /** The same with the cell stepped in a JS loop. */
  const cellForward = () => {
    let state = null;
    const hs = [];
    for (let t = 0; t < L; t++) {
      state = cell.forward(x.narrow(0, t, 1).reshape(N, IN), state);
      hs.push(lstm ? state[0] : state);
    }
    return lstm ? [wg.stack(hs, 0), ...state] : [wg.stack(hs, 0), state];
  };
  const wgTrain = (module, forward) => () => {
    wg.tidy(() => {
      forward()[0].mul(dy).sum().backward();
    });
    module.zeroGrad();
  };

  const tx = tf.tensor(xData, [L, N, IN]);
  const tdy = tf.tensor(dyData, [L, N, H]);
  const peers = seqVariants(k).map((v) => {
    const w = tfWeights(tf, k.kind, v.form, sd, { inputSize: IN, hiddenSize: H, tag: tag(v.id) });
    const forward = () => tfSequence(tf, k.kind, v.form, w.vars, tx, H, v.hoisted);
    const varList = Object.values(w.vars);
    const loss = () => tf.sum(tf.mul(forward()[0], tdy));
    return {
      ...v,
      w,
      forward: () => tf.tidy(forward),
      train: () => {
        const { value, grads } = tf.variableGrads(loss, varList);
        return [value, ...Object.values(grads)];
      },
      grads: () => {
        const { value, grads } = tf.variableGrads(loss, varList);
        const out = { loss: value.dataSync()[0], ...w.fromGrads(grads) };
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      },
    };
  });

  // Checks: outputs and final states, then the loss and every weight gradient.
  const names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"];
  const refOut = wg.tidy(() => wg.noGrad(layerForward).map((t) => t.data()));
  const gradsOf = (module, params) => {
    let loss;
    wg.tidy(() => {
      const l = (module === layer ? layerForward : cellForward)()[0].mul(dy).sum();
      loss = l.item();
      l.backward();
    });
    const out = { loss };
    for (const [n, p] of params.map((p, i) => [names[i], p])) out[n] = p.grad.data();
    module.zeroGrad();
    return out;
  };
  const layerParams = names.map((n) => layerSd[`${n}_l0`]);
  const refGrads = gradsOf(layer, layerParams);
  const checks = { forward: {}, grads: {} };
  const cellOut = wg.tidy(() => wg.noGrad(cellForward).map((t) => t.data()));
  checks.forward["wasmgrad-cell"] = ensureClose(
    `${k.kind} sequence, wasmgrad cell loop`,
    Math.max(...cellOut.map((o, i) => relDiff(o, refOut[i]))),
    1e-5,
  );
  const gradDiff = (g, who) => {
    const lossDiff = Math.abs(g.loss - refGrads.loss) / Math.abs(refGrads.loss);
    const diffs = names.map((n) => relDiff(g[n], refGrads[n]));
    return ensureClose(`${k.kind} sequence gradients, ${who}`, Math.max(lossDiff, ...diffs), 1e-4);
  };
  const cellSd = cell.stateDict();
  checks.grads["wasmgrad-cell"] = gradDiff(
    gradsOf(
      cell,
      names.map((n) => cellSd[n]),
    ),
    "wasmgrad cell loop",
  );
  for (const p of peers) {
    const out = [p.forward()].flat();
    const diffs = out.map((t, i) => relDiff(t.dataSync(), refOut[i]));
    tf.dispose(out);
    checks.forward[`tfjs-${p.id}`] = ensureClose(
      `${k.kind} sequence, tfjs ${p.id}`,
      Math.max(...diffs),
      1e-5,
    );
    checks.grads[`tfjs-${p.id}`] = gradDiff(p.grads(), `tfjs ${p.id}`);
  }

  const pre = `seq:${k.kind}`;
  const forward = [
    wgContender(`${pre}:fwd:wasmgrad`, () => wg.tidy(() => void wg.noGrad(layerForward))),
    wgContender(`${pre}:fwd:wasmgrad-cell`, () => wg.tidy(() => void wg.noGrad(cellForward))),
    ...peers.map((p) => tfContender(`${pre}:fwd:tfjs-${p.id}`, p.forward)),
  ];
  const train = [
    wgContender(`${pre}:train:wasmgrad`, wgTrain(layer, layerForward)),
    wgContender(`${pre}:train:wasmgrad-cell`, wgTrain(cell, cellForward)),
    ...peers.map((p) => tfContender(`${pre}:train:tfjs-${p.id}`, p.train)),
  ];
  return {
    checks,
    groups: { fwd: forward, train },
    dispose() {
      layer.dispose();
      cell.dispose();
      x.dispose();
      dy.dispose();
      for (const p of peers) p.w.dispose();
      tf.dispose([tx, tdy]);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The products and cell kernels alone, and where wasmgrad's time goes (rnn-profile.mjs)

const GEMMS = gemmProblems(KINDS, sizes);

/** A wasmgrad contender under the kernel clocks, in batches totalling about PROFILE_MS. */
function profile(c) {
  const reps = Math.max(1, Math.round((c.reps * PROFILE_MS) / MIN_MS / PROFILE_BATCHES));
  return profileCall(profiler, c.once, { reps, batches: PROFILE_BATCHES });
}

// ---------------------------------------------------------------------------------------------
// Run

/** bench/results/rnn.json as stored ({ runs: { simd?, relaxed? }, tables }). */
function loadSaved() {
  if (!existsSync(resultFile)) return { runs: {} };
  try {
    const out = JSON.parse(readFileSync(resultFile, "utf8"));
    out.runs ??= {};
    return out;
  } catch {
    return { runs: {} };
  }
}

const meta = { kinds: KINDS, seqVariants, stepFlops, gemms: GEMMS, steps: L, timing: env.timing };

if (process.argv.includes("--report")) {
  const stored = loadSaved();
  const present = ["simd", "relaxed"].filter((b) => stored.runs[b]);
  if (present.length === 0) throw new Error(`--report: no stored run in ${resultFile}`);
  stored.tables = tables(stored.runs, meta);
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
console.log(`batch ${N}, input ${IN}, hidden ${H}, sequence ${L} steps`);
if (quick) console.log("--quick: short runs, numbers are indicative only, nothing saved");

const run = { build, quick, ...env, checks: {}, cells: {}, profile: {}, tfProfile: {} };
run.processes = [{ date: env.date, loadavgStart: env.loadavgStart }];
const saved = loadSaved();
if (merge) {
  const prev = saved.runs[build];
  if (!prev?.samples) throw new Error(`--merge: no stored ${build} run in ${resultFile}`);
  if (prev.dist !== env.dist) {
    throw new Error(
      `--merge: the stored ${build} run measured another build of dist/ (digest ${prev.dist}, git ${prev.git}); this one is ${env.dist} (git ${env.git})`,
    );
  }
  for (const [key, v] of Object.entries(prev.samples)) timer.samples.set(key, v);
  run.processes = [...prev.processes, ...run.processes];
  run.profile = prev.profile;
  console.log(`--merge: adding to the ${build} run of ${prev.date}`);
}
const us = (t) => (t === undefined ? "–" : (Math.min(...t.samples) * 1e6).toFixed(1));
const perStep = (t) => (t === undefined ? "–" : ((Math.min(...t.samples) * 1e6) / L).toFixed(1));
const wgLive = wg.memory().liveTensors;
const tfLive = tf.memory().numTensors;
/** The last pass's wasmgrad contenders, kept (with their modules) for the profile. */
const toProfile = [];

for (let pass = 0; pass < PASSES; pass++) {
  console.log(`\npass ${pass + 1} of ${PASSES}, load average ${loadAverage()[0]}`);
  const last = pass === PASSES - 1;
  for (const k of KINDS) {
    const s = setupStep(k);
    if (pass === 0) run.checks[`step:${k.kind}`] = s.checks;
    const times = await timer.race(s.contenders);
    timer.record(times);
    console.log(
      `  ${k.label.padEnd(10)} step     ${Object.entries(times)
        .map(([key, t]) => `${key.split(":").at(-1)} ${us(t)}`)
        .join(", ")}  µs`,
    );
    if (last) toProfile.push({ key: s.contenders[0].key, c: s.contenders[0], dispose: s.dispose });
    else s.dispose();
  }
  for (const k of KINDS) {
    const s = setupSequence(k);
    if (pass === 0) run.checks[`seq:${k.kind}`] = s.checks;
    for (const [d, group] of Object.entries(s.groups)) {
      const times = await timer.race(group, { rounds: d === "train" ? TRAIN_ROUNDS : ROUNDS });
      timer.record(times);
      console.log(
        `  ${k.label.padEnd(10)} seq ${d.padEnd(5)} ${Object.entries(times)
          .map(([key, t]) => `${key.split(":").at(-1)} ${perStep(t)}`)
          .join(", ")}  µs/step`,
      );
    }
    if (last) {
      for (const group of Object.values(s.groups)) {
        for (const c of group.filter((g) => !g.tfjs)) toProfile.push({ key: c.key, c });
        // The tfjs kernels of the LSTM's layers-form loop, forward and forward + backward.
        if (k.kind === "lstm") {
          const peer = group.find((g) => g.key.endsWith("tfjs-loop-layers"));
          run.tfProfile[peer.key] = await tfProfile(tf, peer.once);
        }
      }
      toProfile.push({ dispose: s.dispose });
    } else s.dispose();
  }
  {
    const g = setupKernels(raw, GEMMS, sizes);
    const times = await timer.race(g.contenders);
    timer.record(times);
    g.dispose();
    const show = GEMMS.map((p) => {
      const gf = (lib) => {
        const t = times[`gemm:${p.id}:${lib}`];
        return t ? ((2 * p.m * p.n * p.k) / Math.min(...t.samples) / 1e9).toFixed(1) : null;
      };
      return `${p.id} ${[gf("sgemm"), gf("prepacked")].filter(Boolean).join(" / ")}`;
    });
    console.log(`  sgemm GFLOP/s (packing B / prepacked): ${show.join(", ")}`);
    console.log(
      `  fused cell kernels: ${KINDS.map((k) => `${k.kind} ${us(times[`cellkernel:${k.kind}`])}`).join(", ")}  µs`,
    );
  }
  if (pass === 0) {
    const worst = (field) =>
      Math.max(
        ...Object.values(run.checks).flatMap((c) =>
          Object.values(field ? (c[field] ?? {}) : c).filter((v) => typeof v === "number"),
        ),
      );
    console.log(
      `check: tfjs and the wasmgrad cell loop agree with wasmgrad; max relative |diff| steps ${worst(null).toExponential(1)}, sequences ${worst("forward").toExponential(1)}, gradients ${worst("grads").toExponential(1)}`,
    );
  }
}

console.log("\nprofiling wasmgrad (every kernel clocked)...");
for (const p of toProfile) {
  if (p.c) {
    const r = profile(p.c);
    // Merged runs keep the quicker profile of each call.
    if (!(run.profile[p.key]?.wallUs <= r.wallUs)) run.profile[p.key] = r;
    console.log(
      `  ${p.key.padEnd(30)} ${r.wallUs.toFixed(0)} µs: in kernels ${r.insideUs.toFixed(0)}, outside ${r.outsideUs.toFixed(0)}`,
    );
  }
  p.dispose?.();
}

for (const key of timer.samples.keys()) {
  const t = timer.stats(key);
  run.cells[key] = {
    us: t.best * 1e6,
    medianUs: t.median * 1e6,
    rounds: t.rounds,
    reps: t.reps,
  };
}
run.loadavgEnd = loadAverage();
run.processes.at(-1).loadavgEnd = run.loadavgEnd;
run.samples = Object.fromEntries(timer.samples);
run.leaks = {
  wasmgradLiveTensors: wg.memory().liveTensors - wgLive,
  tfjsTensors: tf.memory().numTensors - tfLive,
};
if (run.leaks.wasmgradLiveTensors !== 0 || run.leaks.tfjsTensors !== 0) {
  console.warn(`warning: tensors left behind: ${JSON.stringify(run.leaks)}`);
}

// ---------------------------------------------------------------------------------------------
// Report and save

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
      ? `\n## Recurrent layers: both builds (this ${build} run and the ${other} run of ${saved.runs[other].date})\n`
      : `\n## Recurrent layers: ${build} build only (run the other build too for the combined tables)\n`,
  );
  console.log(text);
  console.log(`\nSaved to: ${resultFile}`);
}
