import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import { cases } from "./cases.mjs";
import { createTimer, loadAverage, maxAbsDiff, randomArray, runtimeInfo } from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const folder = join(root, "bench/results");
// --out=<name>.json keeps a run apart from the default file (for example, another Node version).
const outName = process.argv.find((a) => a.startsWith("--out="))?.slice(6) ?? "gemm-summary.json";
const summaryFile = join(folder, outName);
const quick = process.argv.includes("--quick");
const require = createRequire(import.meta.url);

/**
 * Timing: each round runs at least MIN_MS; the whole suite runs PASSES times, ROUNDS rounds per
 * contender each time, and the best round counts. The machine's speed drifts over stretches of
 * seconds (shared cores), so passes half a minute apart find a quiet moment far more often than
 * the same rounds in one go.
 */
const MIN_MS = quick ? 20 : 50;
const ROUNDS = quick ? 3 : 6;
const PASSES = quick ? 1 : 3;
const WARM_MS = quick ? 40 : 120;

// ---------------------------------------------------------------------------------------------
// Setup: wasmgrad, tfjs-wasm, jax-js

await wg.ready();
const raw = wg.kernels.raw;
const wgInfo = wg.backendInfo();
const build = wgInfo.relaxedSimd ? "relaxed" : "simd";
const { tf, info: tfInfo } = await initTfjs();

let jax = null;
const jaxInfo = { available: false, reason: null, version: null };
try {
  jaxInfo.version = JSON.parse(
    readFileSync(join(dirname(require.resolve("@jax-js/jax")), "../package.json"), "utf8"),
  ).version;
  const mod = await import("@jax-js/jax");
  // init() with no argument probes WebGPU through `navigator`, which Node 20 lacks.
  const devices = await mod.init("wasm");
  if (!devices.includes("wasm")) throw new Error(`jax-js init("wasm") gave ${devices.join(", ")}`);
  mod.defaultDevice("wasm");
  jax = mod;
  jaxInfo.available = true;
  // jax-js spreads work over Web Workers only when both SharedArrayBuffer and a global Worker
  // exist; Node has no global Worker, so it runs on this thread.
  jaxInfo.threads =
    typeof SharedArrayBuffer !== "undefined" && typeof Worker !== "undefined" ? "workers" : 1;
} catch (e) {
  jaxInfo.reason = String(e?.message ?? e);
}

const load = loadAverage;
const env = {
  ...runtimeInfo(),
  wasmgrad: wgInfo,
  tfjs: { ...tfInfo, flags: undefined },
  jax: jaxInfo,
  timing: { minMs: MIN_MS, rounds: ROUNDS, passes: PASSES, warmMs: WARM_MS },
};

// ---------------------------------------------------------------------------------------------
// Timing: bench/common.mjs's createTimer. Per key, `stats` gives the best and median seconds per
// call over the rounds of every pass.

const now = () => performance.now();
const { race, record, stats } = createTimer({ minMs: MIN_MS, rounds: ROUNDS, warmMs: WARM_MS });

// ---------------------------------------------------------------------------------------------
// The SIMD ceiling probe: a hand-encoded WebAssembly module

const uleb = (n) => {
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
const vec = (items) => [...uleb(items.length), ...items.flat()];
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const name = (s) => [...uleb(s.length), ...Buffer.from(s, "utf8")];
const simd = (op) => [0xfd, ...uleb(op)];
const OP = { mul: 230, add: 228, sub: 229, extractLane: 31, v128const: 12, madd: 261 };
const localGet = (i) => [0x20, ...uleb(i)];
const localSet = (i) => [0x21, ...uleb(i)];
const f32x4 = (v) => [
  ...simd(OP.v128const),
  ...new Uint8Array(new Float32Array([v, v, v, v]).buffer),
];

/**
 * A module exporting `run(iterations: i32) -> f32`. Local 0 is the counter; v128 locals follow.
 *   "chain": acc_i = acc_i * m + c (f32x4.mul then f32x4.add; the GEMM update's two ops).
 *   "split": chains of f32x4.mul only (x * -1) and chains of f32x4.add only (+c, then -c),
 *            which can keep the multiply and add units busy at once.
 *   "madd":  acc_i = relaxed_madd(acc_i, m, c).
 * Every iteration runs each chain twice; all values stay bounded and normal.
 */
function probeModule(kind, chains, mulChains = 0) {
  const K1 = chains + 1; // constant m (or -1)
  const K2 = chains + 2; // constant c
  const acc = (i) => i + 1;
  const body = [];
  if (kind === "split") body.push(...f32x4(-1), ...localSet(K1), ...f32x4(0.125), ...localSet(K2));
  else body.push(...f32x4(0.999), ...localSet(K1), ...f32x4(0.001), ...localSet(K2));
  for (let i = 0; i < chains; i++) body.push(...f32x4(1 + i / 64), ...localSet(acc(i)));
  body.push(0x03, 0x40); // loop
  for (let u = 0; u < 2; u++) {
    for (let i = 0; i < chains; i++) {
      body.push(...localGet(acc(i)));
      if (kind === "madd") {
        body.push(...localGet(K1), ...localGet(K2), ...simd(OP.madd));
      } else if (kind === "chain") {
        body.push(...localGet(K1), ...simd(OP.mul), ...localGet(K2), ...simd(OP.add));
      } else if (i < mulChains) {
        body.push(...localGet(K1), ...simd(OP.mul));
      } else {
        body.push(...localGet(K2), ...simd(u === 0 ? OP.add : OP.sub));
      }
      body.push(...localSet(acc(i)));
    }
  }
  // counter = counter - 1; br_if (counter != 0) to the loop
  body.push(...localGet(0), 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b);
  body.push(...localGet(acc(0)));
  for (let i = 1; i < chains; i++) body.push(...localGet(acc(i)), ...simd(OP.add));
  body.push(...simd(OP.extractLane), 0, 0x0b);
  const fn = [...vec([[...uleb(chains + 2), 0x7b]]), ...body];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, 1, 0x7f, 1, 0x7d]])), // type: (i32) -> f32
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(7, vec([[...name("run"), 0x00, 0]])), // export "run"
    ...section(10, vec([[...uleb(fn.length), ...fn]])), // code
  ]);
}

function relaxedValidates() {
  return WebAssembly.validate(probeModule("madd", 1));
}

const probeVariants = [
  { id: "chain-10", kind: "chain", chains: 10, family: "baseline" },
  { id: "chain-12", kind: "chain", chains: 12, family: "baseline" },
  { id: "split-5+5", kind: "split", chains: 10, mulChains: 5, family: "baseline" },
  { id: "split-6+6", kind: "split", chains: 12, mulChains: 6, family: "baseline" },
  { id: "madd-8", kind: "madd", chains: 8, family: "relaxed" },
  { id: "madd-10", kind: "madd", chains: 10, family: "relaxed" },
  { id: "madd-12", kind: "madd", chains: 12, family: "relaxed" },
];

/** GFLOP/s of each probe variant this engine validates: best of several >= MIN_MS runs. */
function measureProbe(previous = {}) {
  const result = { ...previous };
  for (const v of probeVariants) {
    const bytes = probeModule(v.kind, v.chains, v.mulChains);
    if (!WebAssembly.validate(bytes)) continue;
    const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run;
    // f32x4 ops per iteration: two passes over the chains; chain: mul + add; madd: 2 flops/lane.
    const flopsPerIter = 2 * v.chains * 4 * (v.kind === "split" ? 1 : 2);
    for (let i = 0; i < 3; i++) run(200_000); // tier up to optimized code
    let iters = 200_000;
    const t0 = now();
    run(iters);
    iters = Math.max(1000, Math.ceil((iters * MIN_MS) / (now() - t0)));
    let best = 0;
    for (let r = 0; r < (quick ? 3 : 8); r++) {
      const t = now();
      if (!Number.isFinite(run(iters))) throw new Error(`probe ${v.id}: non-finite result`);
      best = Math.max(best, (iters * flopsPerIter) / ((now() - t) / 1e3) / 1e9);
    }
    result[v.id] = Math.max(result[v.id] ?? 0, best);
  }
  return result;
}

function ceilings(probe) {
  const best = (family) => {
    let top = null;
    for (const v of probeVariants) {
      const g = probe[v.id];
      if (v.family === family && g !== undefined && (top === null || g > top.gflops)) {
        top = { variant: v.id, gflops: g };
      }
    }
    return top;
  };
  return { baseline: best("baseline"), relaxed: best("relaxed") };
}

// ---------------------------------------------------------------------------------------------
// Problems

const LAYOUTS = ["nn", "nt", "tn", "tt"];
const SIZES = [64, 128, 256, 512, 1024];
const TFJS_TRANSPOSED_AT = 256; // tfjs and jax-js also run NT, TN, TT at this size

function problem(id, label, m, n, k, layout, peers) {
  return { id, label, m, n, k, layout, ta: layout[0] === "t", tb: layout[1] === "t", ...peers };
}

const squareGroups = SIZES.map((s) =>
  LAYOUTS.map((l) =>
    problem(`sq-${s}-${l}`, `${s}×${s}·${s}×${s}`, s, s, s, l, {
      api: l === "nn",
      peers: l === "nn" || s === TFJS_TRANSPOSED_AT,
    }),
  ),
);
const trainingGroups = [
  [problem("train-784", "[32×784]·[784×128]", 32, 128, 784, "nn", { api: true, peers: true })],
  [
    problem("train-tn", "[128×32]·[32×784], A stored [32×128]", 128, 784, 32, "tn", {
      api: true,
      peers: true,
    }),
    problem("train-nt", "[128×32]·[32×784], B stored [784×32]", 128, 784, 32, "nt", {
      api: true,
      peers: true,
    }),
  ],
  [
    problem("train-1024", "[32×256]·[256×1024]", 32, 1024, 256, "nn", { api: true, peers: true }),
    // The same product with B 16 bytes past a 64-byte boundary, as a wasmgrad tensor may be.
    problem("train-1024-b16", "[32×256]·[256×1024], B at 16 mod 64", 32, 1024, 256, "nn", {
      bOffset: 16,
    }),
  ],
];

/**
 * Sets up every library's operands for the problems of one group, checks that they compute the
 * same product, and returns the contenders to time plus a disposer.
 */
function setupGroup(problems) {
  const contenders = [];
  const disposers = [];
  for (const p of problems) {
    const { m, n, k, ta, tb } = p;
    const aShape = ta ? [k, m] : [m, k];
    const bShape = tb ? [n, k] : [k, n];
    const a = randomArray(m * k, 7 + m);
    const b = randomArray(k * n, 9 + n);
    const flops = 2 * m * n * k;
    const tol = 1e-5 * k; // summation order differs; values in [-1, 1)
    const checks = {};

    // wasmgrad, pointer level. The copying wrapper kernels.sgemm runs the same kernel with the
    // same arguments on the random inputs for the check; the timed buffers hold ramps in [-1, 1)
    // written by the arange kernel (the public API gives no view of WASM memory). They start on
    // a 64-byte boundary (plus p.bOffset bytes for B): the allocator only promises 16, and some
    // shapes run at different speeds depending on B's alignment (see the README).
    const ref = wg.kernels.sgemm(m, n, k, a, b, new Float32Array(m * n), {
      transA: ta,
      transB: tb,
    });
    const blocks = [];
    const aligned = (bytes, offset = 0) => {
      const block = raw.alloc(bytes + 64 + offset);
      blocks.push(block);
      return Math.ceil(block / 64) * 64 + offset;
    };
    const pa = aligned(m * k * 4);
    const pb = aligned(k * n * 4, p.bOffset ?? 0);
    const pc = aligned(m * n * 4);
    raw.arange_f32(pa, m * k, -1, 2 / (m * k));
    raw.arange_f32(pb, k * n, 1, -2 / (k * n));
    const lda = ta ? m : k;
    const ldb = tb ? k : n;
    const ita = ta ? 1 : 0;
    const itb = tb ? 1 : 0;
    contenders.push({
      key: `${p.id}:wasmgrad`,
      flops,
      run(reps) {
        for (let r = 0; r < reps; r++)
          raw.sgemm_f32(pc, n, pa, lda, pb, ldb, m, n, k, ita, itb, 1, 0);
      },
    });
    disposers.push(() => {
      for (const block of blocks) raw.free(block);
    });

    // wasmgrad, public API: a transposed operand is a lazy .T view, read in place by matmul.
    if (p.api) {
      const wa = wg.tensor(a, { shape: aShape });
      const wb = wg.tensor(b, { shape: bShape });
      const opA = ta ? wa.T : wa;
      const opB = tb ? wb.T : wb;
      const out = wg.matmul(opA, opB);
      checks.api = maxAbsDiff(out.data(), ref);
      out.dispose();
      contenders.push({
        key: `${p.id}:api`,
        flops,
        run(reps) {
          for (let r = 0; r < reps; r++) wg.matmul(opA, opB).dispose();
        },
      });
      disposers.push(() => {
        for (const t of [opA, opB, wa, wb]) if (!t.isDisposed) t.dispose();
      });
    }

    if (p.peers) {
      const ta_ = tf.tensor(a, aShape, "float32");
      const tb_ = tf.tensor(b, bShape, "float32");
      const out = tf.matMul(ta_, tb_, ta, tb);
      checks.tfjs = maxAbsDiff(out.dataSync(), ref);
      out.dispose();
      contenders.push({
        key: `${p.id}:tfjs`,
        flops,
        run(reps) {
          for (let r = 0; r < reps - 1; r++) tf.matMul(ta_, tb_, ta, tb).dispose();
          const last = tf.matMul(ta_, tb_, ta, tb);
          last.dataSync();
          last.dispose();
        },
      });
      disposers.push(() => {
        ta_.dispose();
        tb_.dispose();
      });

      if (jax) {
        const np = jax.numpy;
        const ja = np.array(a).reshape(aShape);
        const jb = np.array(b).reshape(bShape);
        const f = jax.jit((x, y) => np.matmul(ta ? x.transpose() : x, tb ? y.transpose() : y));
        checks.jax = maxAbsDiff(f(ja.ref, jb.ref).dataSync(), ref);
        contenders.push({
          key: `${p.id}:jax`,
          flops,
          // jax-js is lazy: a result that is disposed unread is never computed, so every call
          // is awaited (blockUntilReady dispatches it and waits; no copy out).
          async run(reps) {
            for (let r = 0; r < reps; r++) {
              const c = f(ja.ref, jb.ref);
              await c.blockUntilReady();
              c.dispose();
            }
          },
        });
        disposers.push(() => {
          ja.dispose();
          jb.dispose();
          f.dispose?.();
        });
      }
    }

    for (const [lib, d] of Object.entries(checks)) {
      if (!(d <= tol)) {
        throw new Error(
          `bench: ${p.id}: ${lib} differs from wasmgrad's sgemm by ${d} (tolerance ${tol})`,
        );
      }
    }
    p.checks = checks;
  }
  return {
    contenders,
    dispose() {
      for (const d of disposers) d();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// MLP 784-128-10 training step, batch 64

/** The jax-js step: same weights, batch and labels as bench/cases.mjs's wasmgrad model. */
function jaxMlp(batch) {
  const { numpy: np, nn, jit, valueAndGrad, tree } = jax;
  wg.manualSeed(0); // cases.mjs seeds the same way before building its model
  const model = new wg.nn.Sequential(
    new wg.nn.Linear(784, 128),
    new wg.nn.ReLU(),
    new wg.nn.Linear(128, 10),
  );
  const [w1, b1, w2, b2] = model.parameters().map((t) => ({ shape: [...t.shape], data: t.data() }));
  model.dispose();
  // wasmgrad's Linear keeps weight [out, in]; jax-js takes the usual [in, out].
  const dense = ({ shape: [o, i], data }) => {
    const t = new Float32Array(o * i);
    for (let r = 0; r < o; r++) for (let c = 0; c < i; c++) t[c * o + r] = data[r * i + c];
    return np.array(t).reshape([i, o]);
  };
  let params = { w1: dense(w1), b1: np.array(b1.data), w2: dense(w2), b2: np.array(b2.data) };
  const x = np.array(randomArray(batch * 784, 11)).reshape([batch, 784]);
  const onehotData = new Float32Array(batch * 10);
  for (let i = 0; i < batch; i++) onehotData[i * 10 + ((i * 7 + 3) % 10)] = 1;
  const onehot = np.array(onehotData).reshape([batch, 10]);

  const loss = (p, xb, yb) => {
    const h = nn.relu(np.dot(xb, p.w1).add(p.b1));
    const logits = np.dot(h, p.w2).add(p.b2);
    return nn
      .logSoftmax(logits, -1)
      .mul(yb)
      .sum()
      .mul(-1 / batch);
  };
  const step = jit((p, xb, yb) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(p), xb, yb);
    return [value, tree.map((w, g) => w.sub(g.mul(0.01)), p, grads)];
  });
  const once = () => {
    const [value, next] = step(params, x.ref, onehot.ref);
    params = next;
    return value.dataSync()[0]; // read the loss back, as the other two do
  };
  return {
    step: once,
    async run(reps) {
      for (let r = 0; r < reps; r++) once();
      await jax.blockUntilReady(params); // the last update, too
    },
    dispose() {
      tree.dispose(params);
      x.dispose();
      onehot.dispose();
      step.dispose?.();
    },
  };
}

async function measureMlp() {
  const mlpCase = cases.find((c) => c.id === "mlp-step-b64");
  const fx = mlpCase.make(wg, tf);
  const losses = { wasmgrad: [], tfjs: [] };
  for (let i = 0; i < 3; i++) losses.wasmgrad.push(fx.wg());
  for (let i = 0; i < 3; i++) losses.tfjs.push(fx.tf());
  const contenders = [
    {
      key: "wasmgrad",
      run(reps) {
        for (let r = 0; r < reps; r++) fx.wg();
      },
    },
    {
      key: "tfjs",
      run(reps) {
        for (let r = 0; r < reps; r++) fx.tf();
      },
    },
  ];
  let jx = null;
  if (jax) {
    jx = jaxMlp(64);
    losses.jax = [jx.step(), jx.step(), jx.step()];
    contenders.push({ key: "jax", run: (reps) => jx.run(reps) });
  }
  const diff = {};
  for (const lib of ["tfjs", "jax"]) {
    if (!losses[lib]) continue;
    diff[lib] = Math.max(...losses[lib].map((l, i) => Math.abs(l - losses.wasmgrad[i])));
    if (!(diff[lib] <= mlpCase.tol)) {
      throw new Error(
        `bench: MLP step: ${lib} losses ${losses[lib]} differ from wasmgrad's ${losses.wasmgrad}`,
      );
    }
  }
  console.log(
    `check mlp-step-b64: losses ${losses.wasmgrad.map((l) => l.toFixed(5)).join(", ")}; max |diff| tfjs ${diff.tfjs.toExponential(1)}` +
      (jx ? `, jax-js ${diff.jax.toExponential(1)}` : ""),
  );
  const t = await race(contenders);
  fx.dispose();
  jx?.dispose();
  const named = {};
  for (const [lib, v] of Object.entries(t)) named[`mlp:${lib}`] = v;
  record(named);
  return diff;
}

// ---------------------------------------------------------------------------------------------
// Run

function printHeader() {
  console.log(
    `node ${[env.node, ...env.execArgv].join(" ")} (V8 ${env.v8}) on ${env.cpu}, ${env.cores} cores`,
  );
  console.log(`load average ${env.loadavgStart.join(" ")} (1, 5, 15 min) on ${env.cores} cores`);
  console.log(
    `wasmgrad: build ${build}, relaxedSimd ${wgInfo.relaxedSimd}, gemm tile ${wgInfo.gemmTile}, threads ${wgInfo.threads}`,
  );
  console.log(
    `tfjs ${tfInfo.tfjsCore}: backend ${tfInfo.backend}, SIMD ${tfInfo.simd}, threads ${tfInfo.threads}, loaded ${tfInfo.wasmFile}`,
  );
  if (!tfInfo.simd || tfInfo.threads !== 1) {
    console.warn("warning: tfjs-wasm is not on SIMD with one thread; not like for like");
  }
  console.log(
    jax
      ? `jax-js ${jaxInfo.version}: device wasm, threads ${jaxInfo.threads}, relaxed madd ${relaxedValidates()}`
      : `jax-js: skipped (${jaxInfo.reason})`,
  );
  if (quick) console.log("--quick: short runs, numbers are indicative only, nothing saved");
}
printHeader();

const run = {
  build,
  quick,
  ...env,
  probe: {},
  cells: {},
  checks: {},
  mlp: null,
  mlpLossDiff: null,
};

console.log("\nprobing the SIMD ceiling...");
run.probe = measureProbe();

const libs = ["wasmgrad", "api", "tfjs", "jax"];
const groups = [...squareGroups, ...trainingGroups];
for (let pass = 0; pass < PASSES; pass++) {
  console.log(`\npass ${pass + 1} of ${PASSES}, load average ${load()[0]}`);
  for (const group of groups) {
    const { contenders, dispose } = setupGroup(group);
    const times = await race(contenders);
    dispose();
    record(times);
    for (const p of group) {
      const show = libs
        .map((l) => [l, times[`${p.id}:${l}`]])
        .filter(([, t]) => t)
        .map(
          ([l, t]) => `${l} ${((2 * p.m * p.n * p.k) / Math.min(...t.samples) / 1e9).toFixed(1)}`,
        )
        .join(", ");
      console.log(`  ${p.id.padEnd(12)} ${p.layout.toUpperCase()}  ${show}  GFLOP/s`);
    }
  }
  if (pass === 0) {
    const worst = {};
    for (const p of groups.flat()) {
      for (const [lib, d] of Object.entries(p.checks)) worst[lib] = Math.max(worst[lib] ?? 0, d);
    }
    console.log(
      `check: every product agrees with wasmgrad's sgemm; max |diff| ${Object.entries(worst)
        .map(([lib, d]) => `${lib} ${d.toExponential(1)}`)
        .join(", ")} (tolerance 1e-5·K)`,
    );
  }
  run.mlpLossDiff = await measureMlp();
  const mlpShow = ["wasmgrad", "tfjs", "jax"]
    .filter((l) => stats(`mlp:${l}`))
    .map((l) => `${l} ${(stats(`mlp:${l}`).best * 1e3).toFixed(3)}`)
    .join(", ");
  console.log(`  mlp-step-b64  ${mlpShow}  ms/step (best so far)`);
}

for (const group of groups) {
  for (const p of group) {
    const cell = {};
    const flops = 2 * p.m * p.n * p.k;
    for (const lib of libs) {
      const t = stats(`${p.id}:${lib}`);
      if (t === undefined) continue;
      cell[lib] = {
        gflops: flops / t.best / 1e9,
        medianGflops: flops / t.median / 1e9,
        rounds: t.rounds,
        reps: t.reps,
      };
    }
    run.cells[p.id] = cell;
    run.checks[p.id] = p.checks;
  }
}
run.mlp = {};
for (const lib of ["wasmgrad", "tfjs", "jax"]) {
  const t = stats(`mlp:${lib}`);
  if (t)
    run.mlp[lib] = { ms: t.best * 1e3, medianMs: t.median * 1e3, rounds: t.rounds, reps: t.reps };
}

// The probe again at the end (best of both), so a load burst at the start does not lower it.
run.probe = measureProbe(run.probe);
run.ceilings = ceilings(run.probe);
run.loadavgEnd = load();

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (v) =>
  v === undefined || v === null || Number.isNaN(v)
    ? "–"
    : v >= 100
      ? v.toFixed(0)
      : v >= 10
        ? v.toFixed(1)
        : v >= 1
          ? v.toFixed(2)
          : v.toPrecision(2);
const fmtX = (r) => (r === undefined || Number.isNaN(r) ? "–" : `${r.toFixed(2)}×`);
const fmtPct = (r) => (r === undefined || Number.isNaN(r) ? "–" : `${(100 * r).toFixed(0)}%`);
const buildName = { simd: "SIMD", relaxed: "relaxed" };

function markdown(header, rows) {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** The ceiling a build's GEMM is compared with: baseline probe for SIMD, madd probe for relaxed. */
function ceilingOf(r) {
  return r.build === "relaxed" ? r.ceilings.relaxed?.gflops : r.ceilings.baseline?.gflops;
}

const allProblems = [...squareGroups.flat(), ...trainingGroups.flat()];
const byId = new Map(allProblems.map((p) => [p.id, p]));
const g = (r, id, lib) => r?.cells?.[id]?.[lib]?.gflops;

function tables(runs) {
  const present = ["simd", "relaxed"].filter((b) => runs[b]);
  const out = [];

  // 1. wasmgrad kernel, squares, every layout, against the ceiling.
  {
    const header = ["shape", "layout"];
    for (const b of present) header.push(`wasmgrad ${buildName[b]}`, `of ${buildName[b]} peak`);
    if (present.length === 2) header.push("relaxed / SIMD");
    const rows = squareGroups.flat().map((p) => {
      const row = [p.label, p.layout.toUpperCase()];
      for (const b of present) {
        const v = g(runs[b], p.id, "wasmgrad");
        row.push(fmt(v), fmtPct(v / ceilingOf(runs[b])));
      }
      if (present.length === 2) {
        row.push(fmtX(g(runs.relaxed, p.id, "wasmgrad") / g(runs.simd, p.id, "wasmgrad")));
      }
      return row;
    });
    out.push(
      "### wasmgrad sgemm_f32 (pointer level, no copies), GFLOP/s, one thread\n\n" +
        markdown(header, rows),
    );
  }

  // 2 and 3. Against the peers.
  const peerTable = (title, ids) => {
    const header = ["shape", "layout"];
    for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
    for (const b of present) header.push(`wg.matmul ${buildName[b]}`);
    header.push(present.length === 2 ? "tfjs-wasm (SIMD run / relaxed run)" : "tfjs-wasm");
    const withJax = present.some((b) => runs[b].jax?.available);
    if (withJax) for (const b of present) header.push(`jax-js (${buildName[b]} run)`);
    for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
    if (withJax) for (const b of present) header.push(`vs jax-js ${buildName[b]}`);
    const rows = ids.map((id) => {
      const p = byId.get(id);
      const row = [p.label, p.layout.toUpperCase()];
      for (const b of present) row.push(fmt(g(runs[b], id, "wasmgrad")));
      for (const b of present) row.push(fmt(g(runs[b], id, "api")));
      row.push(present.map((b) => fmt(g(runs[b], id, "tfjs"))).join(" / "));
      if (withJax) for (const b of present) row.push(fmt(g(runs[b], id, "jax")));
      for (const b of present) {
        row.push(fmtX(g(runs[b], id, "wasmgrad") / g(runs[b], id, "tfjs")));
      }
      if (withJax) {
        for (const b of present) row.push(fmtX(g(runs[b], id, "wasmgrad") / g(runs[b], id, "jax")));
      }
      return row;
    });
    return `### ${title}\n\n${markdown(header, rows)}`;
  };
  out.push(
    peerTable("Squares against the peers, GFLOP/s", [
      ...SIZES.map((s) => `sq-${s}-nn`),
      ...["nt", "tn", "tt"].map((l) => `sq-${TFJS_TRANSPOSED_AT}-${l}`),
    ]),
  );
  out.push(
    peerTable(
      "Training shapes, GFLOP/s",
      trainingGroups.flat().map((p) => p.id),
    ),
  );

  // 4. MLP step.
  {
    const header = ["case", "unit"];
    for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
    header.push(present.length === 2 ? "tfjs-wasm (SIMD run / relaxed run)" : "tfjs-wasm");
    const withJax = present.some((b) => runs[b].mlp?.jax);
    if (withJax) for (const b of present) header.push(`jax-js (${buildName[b]} run)`);
    for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
    if (withJax) for (const b of present) header.push(`vs jax-js ${buildName[b]}`);
    const ms = (b, lib) => runs[b].mlp?.[lib]?.ms;
    const row = ["MLP 784-128-10 SGD step, batch 64", "ms/step"];
    for (const b of present) row.push(fmt(ms(b, "wasmgrad")));
    row.push(present.map((b) => fmt(ms(b, "tfjs"))).join(" / "));
    if (withJax) for (const b of present) row.push(fmt(ms(b, "jax")));
    for (const b of present) row.push(fmtX(ms(b, "tfjs") / ms(b, "wasmgrad")));
    if (withJax) for (const b of present) row.push(fmtX(ms(b, "jax") / ms(b, "wasmgrad")));
    out.push(`### Training step\n\n${markdown(header, [row])}`);
  }

  // 5. The ceiling.
  {
    const header = ["probe (no memory traffic)", "kind"];
    for (const b of present) header.push(`${buildName[b]} run`);
    const kindOf = {
      chain: "acc = acc·m + c (f32x4.mul, f32x4.add)",
      split: "separate f32x4.mul and f32x4.add chains",
      madd: "acc = relaxed_madd(acc, m, c)",
    };
    const rows = probeVariants.map((v) => [
      `${v.id} (${v.chains} chains)`,
      kindOf[v.kind],
      ...present.map((b) => fmt(runs[b].probe[v.id])),
    ]);
    const lines = [];
    for (const b of present) {
      const r = runs[b];
      const c = ceilingOf(r);
      let top = null;
      for (const p of squareGroups.flat()) {
        const v = g(r, p.id, "wasmgrad");
        if (v !== undefined && (top === null || v > top.v)) top = { p, v };
      }
      const which = r.build === "relaxed" ? r.ceilings.relaxed : r.ceilings.baseline;
      lines.push(
        `- wasmgrad ${buildName[b]}: best square ${fmt(top.v)} GFLOP/s (${top.p.label} ${top.p.layout.toUpperCase()}) = ` +
          `${fmtPct(top.v / c)} of the ${b === "relaxed" ? "relaxed_madd" : "mul+add"} ceiling ${fmt(c)} GFLOP/s (${which?.variant})` +
          (b === "relaxed" && r.ceilings.baseline
            ? `; ${fmtPct(top.v / r.ceilings.baseline.gflops)} of the mul+add ceiling measured in the same run`
            : ""),
      );
    }
    out.push(
      `### SIMD ceiling of this machine, GFLOP/s\n\n${markdown(header, rows)}\n\n${lines.join("\n")}`,
    );
  }

  const notes = present.map((b) => {
    const r = runs[b];
    return `${buildName[b]} run: ${r.date}, git ${r.git}, node ${[r.node, ...r.execArgv].join(" ")}, load average ${r.loadavgStart[0]} → ${r.loadavgEnd[0]} (1 min) on ${r.cores} cores`;
  });
  out.push(
    `Figures: best of ${PASSES * ROUNDS} rounds of >= ${MIN_MS} ms (${PASSES} passes over the suite), contenders of a shape interleaved. ` +
      '"vs" = wasmgrad\'s pointer-level kernel over the peer measured in the same process (>1: wasmgrad faster); ' +
      "for the training step, the peer's ms over wasmgrad's.\n\n" +
      notes.map((n) => `- ${n}`).join("\n"),
  );
  return out.join("\n\n");
}

if (quick) {
  console.log(`\n${tables({ [build]: run })}`);
  console.log("\n--quick: nothing saved");
} else {
  mkdirSync(folder, { recursive: true });
  let summary = { runs: {} };
  if (existsSync(summaryFile)) {
    try {
      summary = JSON.parse(readFileSync(summaryFile, "utf8"));
      summary.runs ??= {};
    } catch {
      summary = { runs: {} };
    }
  }
  summary.runs[build] = run;
  const both = summary.runs.simd && summary.runs.relaxed;
  const text = tables(both ? summary.runs : { [build]: run });
  summary.tables = text;
  writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`);
  const other = build === "simd" ? "relaxed" : "simd";
  console.log(
    both
      ? `\n## GEMM: both builds (this ${buildName[build]} run and the ${buildName[other]} run of ${summary.runs[other].date})\n`
      : `\n## GEMM: ${buildName[build]} build only (run the ${other === "relaxed" ? "--experimental-wasm-relaxed-simd" : "flagless"} variant too for the combined table)\n`,
  );
  console.log(text);
  console.log(`\nSaved to: ${summaryFile}`);
}
