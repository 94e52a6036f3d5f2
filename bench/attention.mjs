// Attention benchmarks (issue 12): F.scaledDotProductAttention's fused kernel against the same
// attention composed from wasmgrad's own matmul + softmax and from tfjs-wasm's (SIMD, one
// thread), forward and forward + backward, batch 8 x 4 heads, sequence 128 and 512, head dim 32
// and 64, causal and not; the peak WASM bytes each wasmgrad form allocates (the fused kernel's
// grows linearly with the sequence, the composed form's with its square); and LayerNorm and GELU
// against their composed forms. Contenders take turns within each round (interleaved); medians
// and minimums over the rounds, with the load average at start and end (the machine is shared).
//
//   npm run build && node bench/attention.mjs [--quick] [--out bench/results/attention.json]
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import * as wg from "wasmgrad";
import {
  createTimer,
  fmt,
  fmtX,
  loadAverage,
  markdown,
  maxAbsDiff,
  randomArray,
  runtimeInfo,
} from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const outFile = args.includes("--out") ? args[args.indexOf("--out") + 1] : null;
const timer = createTimer({
  minMs: quick ? 20 : 60,
  rounds: quick ? 3 : 4,
  warmMs: quick ? 20 : 60,
});
const { tf, info: tfInfo } = await initTfjs();
const info = runtimeInfo();

/** Peak bytes allocated through the kernel table while `fn` runs (alloc/free wrapped). */
function peakBytes(fn) {
  const raw = wg.kernels.raw;
  const { alloc, free } = raw;
  const sizes = new Map();
  let live = 0;
  let peak = 0;
  raw.alloc = (bytes) => {
    const p = alloc(bytes);
    sizes.set(p, bytes);
    live += bytes;
    peak = Math.max(peak, live);
    return p;
  };
  raw.free = (p) => {
    live -= sizes.get(p) ?? 0;
    sizes.delete(p);
    free(p);
  };
  try {
    fn();
  } finally {
    raw.alloc = alloc;
    raw.free = free;
  }
  return peak;
}

function causalAdd(L) {
  const m = new Float32Array(L * L);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) m[i * L + j] = -1e30;
  return m;
}

/** wasmgrad composed: softmax(q k^T * scale + mask) v. */
function wgComposed(q, k, v, mask, scale) {
  let s = wg.matmul(q, k.transpose(2, 3)).mul(scale);
  if (mask) s = s.add(mask);
  return wg.matmul(wg.softmax(s, 3), v);
}

function tfComposed(q, k, v, mask, scale) {
  let s = tf.mul(tf.matMul(q, k, false, true), scale);
  if (mask) s = tf.add(s, mask);
  return tf.matMul(tf.softmax(s), v);
}

const rows = [];
const memRows = [];
const checks = {};
const B = 8;
const H = 4;
for (const L of quick ? [128] : [128, 512]) {
  for (const D of quick ? [32] : [32, 64]) {
    for (const causal of [false, true]) {
      const name = `L${L} d${D}${causal ? " causal" : ""}`;
      const shape = [B, H, L, D];
      const n = B * H * L * D;
      const data = [1, 2, 3].map((s) => randomArray(n, s * 7919 + L + D));
      const dyData = randomArray(n, 99);
      const scale = 1 / Math.sqrt(D);
      const [q, k, v] = data.map((d) => wg.tensor(d, { shape, requiresGrad: true }));
      const dy = wg.tensor(dyData, { shape });
      const mask = causal ? wg.tensor(causalAdd(L), { shape: [L, L] }) : null;
      const [tq, tk, tv] = data.map((d) => tf.tensor(d, shape));
      const tdy = tf.tensor(dyData, shape);
      const tmask = causal ? tf.tensor(causalAdd(L), [L, L]) : null;
      const fused = () => wg.F.scaledDotProductAttention(q, k, v, { isCausal: causal });
      const composed = () => wgComposed(q, k, v, mask, scale);
      // Check: the three forward results agree.
      const a = wg.tidy(() => wg.noGrad(() => fused().data()));
      const b = wg.tidy(() => wg.noGrad(() => composed().data()));
      const c = tf.tidy(() => tfComposed(tq, tk, tv, tmask, scale).dataSync());
      checks[name] = { composed: maxAbsDiff(a, b), tfjs: maxAbsDiff(a, c) };
      const backward = (make) => () =>
        wg.tidy(() => {
          make().backward(dy);
          for (const t of [q, k, v]) t.grad = null;
        });
      const tfGrad = tf.grads((x, y, z) => tf.sum(tf.mul(tfComposed(x, y, z, tmask, scale), tdy)));
      const contenders = [
        {
          key: `${name}:fwd:fused`,
          run: (r) => {
            for (let i = 0; i < r; i++) wg.tidy(() => wg.noGrad(fused));
          },
        },
        {
          key: `${name}:fwd:composed`,
          run: (r) => {
            for (let i = 0; i < r; i++) wg.tidy(() => wg.noGrad(composed));
          },
        },
        {
          key: `${name}:fwd:tfjs`,
          run: (r) => {
            for (let i = 0; i < r; i++)
              tf.tidy(() => tfComposed(tq, tk, tv, tmask, scale).dataSync());
          },
        },
        {
          key: `${name}:train:fused`,
          run: (r) => {
            for (let i = 0; i < r; i++) backward(fused)();
          },
        },
        {
          key: `${name}:train:composed`,
          run: (r) => {
            for (let i = 0; i < r; i++) backward(composed)();
          },
        },
        {
          key: `${name}:train:tfjs`,
          run: (r) => {
            for (let i = 0; i < r; i++)
              tf.tidy(() => {
                for (const gr of tfGrad([tq, tk, tv])) gr.dataSync();
              });
          },
        },
      ];
      for (const phase of ["fwd", "train"]) {
        timer.record(await timer.race(contenders.filter((x) => x.key.includes(`:${phase}:`))));
        const s = (form) => timer.stats(`${name}:${phase}:${form}`);
        const [f, cmp, t] = [s("fused"), s("composed"), s("tfjs")];
        rows.push([
          name,
          phase === "fwd" ? "forward" : "fwd+bwd",
          fmt(f.median * 1e3),
          fmt(f.best * 1e3),
          fmt(cmp.median * 1e3),
          fmt(t.median * 1e3),
          fmtX(cmp.median / f.median),
          fmtX(t.median / f.median),
        ]);
      }
      const mib = (x) => (x / 2 ** 20).toFixed(1);
      memRows.push([
        name,
        mib(peakBytes(() => wg.tidy(() => wg.noGrad(fused)))),
        mib(peakBytes(() => wg.tidy(() => wg.noGrad(composed)))),
        mib(peakBytes(backward(fused))),
        mib(peakBytes(backward(composed))),
      ]);
      for (const t of [q, k, v, dy, mask]) t?.dispose();
      tf.dispose([tq, tk, tv, tdy, tmask].filter(Boolean));
      console.error(`done ${name}`);
    }
  }
}

// LayerNorm and GELU against their composed forms, forward + backward, [4096, 256].
const xs = wg.tensor(randomArray(4096 * 256, 5), { shape: [4096, 256], requiresGrad: true });
const w = wg.ones([256], { requiresGrad: true });
const bias = wg.zeros([256], { requiresGrad: true });
const g = wg.tensor(randomArray(4096 * 256, 6), { shape: [4096, 256] });
const step = (f) => (r) => {
  for (let i = 0; i < r; i++)
    wg.tidy(() => {
      f().backward(g);
      for (const t of [xs, w, bias]) t.grad = null;
    });
};
const lnComposed = () => {
  const mu = xs.mean(1, true);
  const c = xs.sub(mu);
  const rstd = c.mul(c).mean(1, true).add(1e-5).sqrt();
  return c.div(rstd).mul(w).add(bias);
};
const geluComposed = () =>
  xs.mul(0.5).mul(
    xs
      .add(xs.pow(3).mul(0.044715))
      .mul(Math.sqrt(2 / Math.PI))
      .tanh()
      .add(1),
  );
const opRows = [];
for (const [label, fusedFn, compFn] of [
  ["LayerNorm [4096,256]", () => wg.F.layerNorm(xs, [256], w, bias), lnComposed],
  ["GELU tanh [4096,256]", () => wg.F.gelu(xs, "tanh"), geluComposed],
  [
    "GELU exact [4096,256]",
    () => wg.F.gelu(xs),
    () => xs.mul(0.5).mul(xs.mul(Math.SQRT1_2).erf().add(1)),
  ],
]) {
  timer.record(
    await timer.race([
      { key: `${label}:fused`, run: step(fusedFn) },
      { key: `${label}:composed`, run: step(compFn) },
    ]),
  );
  const f = timer.stats(`${label}:fused`);
  const c = timer.stats(`${label}:composed`);
  opRows.push([
    label,
    fmt(f.median * 1e3),
    fmt(f.best * 1e3),
    fmt(c.median * 1e3),
    fmt(c.best * 1e3),
    fmtX(c.median / f.median),
  ]);
}

info.loadavgEnd = loadAverage();
// Threads wasmgrad ran on (the default count; the workers join during the first cases' warm-up).
info.wasmgradThreads = wg.backendInfo().threads;
const report = [
  `Attention, batch ${B} x ${H} heads (ms per call, median and min over interleaved rounds; wasmgrad on ${info.wasmgradThreads} threads, tfjs-wasm on 1; load ${info.loadavgStart.join(" ")} -> ${info.loadavgEnd.join(" ")})`,
  markdown(
    [
      "case",
      "pass",
      "fused med",
      "fused min",
      "composed med",
      "tfjs med",
      "vs composed",
      "vs tfjs",
    ],
    rows,
    2,
  ),
  "",
  "Peak WASM bytes allocated during one call (MiB)",
  markdown(["case", "fused fwd", "composed fwd", "fused fwd+bwd", "composed fwd+bwd"], memRows),
  "",
  "Fused LayerNorm and GELU vs composed, forward + backward (ms)",
  markdown(["op", "fused med", "fused min", "composed med", "composed min", "speed-up"], opRows),
  "",
  `max |fused - composed|, |fused - tfjs| per case: ${JSON.stringify(checks)}`,
].join("\n");
console.log(report);
if (outFile) {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(
    outFile,
    JSON.stringify(
      {
        info,
        tfjs: { ...tfInfo, flags: undefined },
        rows,
        memRows,
        opRows,
        checks,
        samples: Object.fromEntries(timer.samples),
      },
      null,
      1,
    ),
  );
}
