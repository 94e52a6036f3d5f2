import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as wg from "wasmgrad";
import { cases } from "./cases.mjs";
import { createTimer, loadAverage, maxAbsDiff, randomArray, runtimeInfo } from "./common.mjs";
import { ceilings, measureProbe, relaxedValidates } from "./gemm-probe.mjs";
import { buildName, tables } from "./gemm-report.mjs";
import { initJax } from "./peer-jax.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const folder = join(root, "bench/results");
// --out=<name>.json keeps a run apart from the default file (for example, another Node version).
const outName = process.argv.find((a) => a.startsWith("--out="))?.slice(6) ?? "gemm-summary.json";
const summaryFile = join(folder, outName);
const quick = process.argv.includes("--quick");

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

const { jax, info: jaxInfo } = await initJax();

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

const { race, record, stats } = createTimer({ minMs: MIN_MS, rounds: ROUNDS, warmMs: WARM_MS });

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
run.probe = measureProbe({}, { minMs: MIN_MS, quick });

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
run.probe = measureProbe(run.probe, { minMs: MIN_MS, quick });
run.ceilings = ceilings(run.probe);
run.loadavgEnd = load();

// ---------------------------------------------------------------------------------------------
// Report (bench/gemm-report.mjs)

const suite = {
  squareGroups,
  trainingGroups,
  sizes: SIZES,
  transposedAt: TFJS_TRANSPOSED_AT,
  passes: PASSES,
  rounds: ROUNDS,
  minMs: MIN_MS,
};
if (quick) {
  console.log(`\n${tables({ [build]: run }, suite)}`);
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
  const text = tables(both ? summary.runs : { [build]: run }, suite);
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
