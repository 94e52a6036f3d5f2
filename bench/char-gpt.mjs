// The char-GPT training step (examples/char-gpt.ts: batch 32 x 64 characters, d_model 96, 4
// heads, 3 pre-norm blocks with causal self-attention and a GELU MLP, a linear head over the
// vocabulary): wasmgrad (the example's own model, fused attention kernel) against the same model
// composed in tfjs-wasm (SIMD, one thread: tfjs forces threads off in Node), each step forward,
// cross-entropy, backward and an Adam-family update. Dropout is off on both sides (the example
// uses 0.1) and tfjs gets Adam (it has no AdamW; decoupled decay is one more elementwise pass),
// so the two do the same arithmetic. Interleaved rounds; medians and minimums; load at start/end.
//
//   npm run build && npx tsc -p tsconfig.examples.json && node bench/char-gpt.mjs [--quick]
import * as wg from "wasmgrad";
import { CharGPT, makeOptimizer, trainStep } from "../dist-examples/examples/char-gpt.js";
import { createTimer, fmt, fmtX, loadAverage, markdown, runtimeInfo } from "./common.mjs";
import { initTfjs } from "./peer-tfjs.mjs";

const quick = process.argv.includes("--quick");
const timer = createTimer({ minMs: quick ? 200 : 500, rounds: quick ? 3 : 5, warmMs: 300 });
const { tf, info: tfInfo } = await initTfjs();
const info = runtimeInfo();
const cfg = { vocab: 65, block: 64, dModel: 96, heads: 4, layers: 3, dropout: 0 };
const B = 32;
const T = cfg.block;
const d = cfg.dModel;
const H = cfg.heads;

wg.manualSeed(0);
const x = new Int32Array(B * T);
const y = new Int32Array(B * T);
for (let i = 0; i < x.length; i++) {
  x[i] = (i * 7 + 3) % cfg.vocab;
  y[i] = (i * 13 + 5) % cfg.vocab;
}
const model = new CharGPT(cfg);
const opt = makeOptimizer(model, 1e-3, 0.1);

// tfjs: the same shapes and initialisation scale, as plain variables.
const v = (shape, std = 0.02) => tf.variable(tf.randomNormal(shape, 0, std));
const ones = (n) => tf.variable(tf.ones([n]));
const zeros = (n) => tf.variable(tf.zeros([n]));
const P = {
  tok: v([cfg.vocab, d]),
  pos: v([T, d]),
  blocks: Array.from({ length: cfg.layers }, () => ({
    g1: ones(d),
    b1: zeros(d),
    wqkv: v([d, 3 * d]),
    bqkv: zeros(3 * d),
    wo: v([d, d]),
    bo: zeros(d),
    g2: ones(d),
    b2: zeros(d),
    w1: v([d, 4 * d]),
    c1: zeros(4 * d),
    w2: v([4 * d, d]),
    c2: zeros(d),
  })),
  gf: ones(d),
  bf: zeros(d),
  wh: v([d, cfg.vocab]),
  bh: zeros(cfg.vocab),
};
const layerNorm = (h, g, b) => {
  const { mean, variance } = tf.moments(h, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
};
const gelu = (h) => tf.mul(tf.mul(h, 0.5), tf.add(tf.erf(tf.mul(h, Math.SQRT1_2)), 1));
const causal = tf.tensor2d(
  Array.from({ length: T * T }, (_, i) => (i % T > Math.floor(i / T) ? -1e9 : 0)),
  [T, T],
);
const txHot = tf.cast(tf.oneHot(tf.tensor1d(x, "int32"), cfg.vocab), "float32");
const ty = tf.oneHot(tf.tensor1d(y, "int32"), cfg.vocab);
const lin = (h, w, b) => tf.add(tf.matMul(tf.reshape(h, [-1, w.shape[0]]), w), b);
function tfLoss() {
  // The token embedding as one-hot x table: tfjs-wasm has no UnsortedSegmentSum, gather's gradient.
  let h = tf.add(tf.reshape(tf.matMul(txHot, P.tok), [B, T, d]), P.pos);
  for (const p of P.blocks) {
    const qkv = tf.split(
      tf.reshape(lin(layerNorm(h, p.g1, p.b1), p.wqkv, p.bqkv), [B, T, 3 * d]),
      3,
      2,
    );
    const heads = (i) => tf.transpose(tf.reshape(qkv[i], [B, T, H, d / H]), [0, 2, 1, 3]); // [B, H, T, d/H]
    const s = tf.add(
      tf.mul(tf.matMul(heads(0), heads(1), false, true), 1 / Math.sqrt(d / H)),
      causal,
    );
    const o = tf.reshape(tf.transpose(tf.matMul(tf.softmax(s), heads(2)), [0, 2, 1, 3]), [
      B * T,
      d,
    ]);
    h = tf.add(h, tf.reshape(lin(o, p.wo, p.bo), [B, T, d]));
    const m = lin(gelu(lin(layerNorm(h, p.g2, p.b2), p.w1, p.c1)), p.w2, p.c2);
    h = tf.add(h, tf.reshape(m, [B, T, d]));
  }
  const logits = lin(layerNorm(h, P.gf, P.bf), P.wh, P.bh);
  return tf.losses.softmaxCrossEntropy(ty, logits);
}
const tfOpt = tf.train.adam(1e-3, 0.9, 0.95);

const wgLoss = trainStep(model, opt, x, y, B, 1);
const tfFirst = tf.tidy(() => tfLoss().dataSync()[0]);
console.error(
  `first losses: wasmgrad ${wgLoss.toFixed(4)}, tfjs ${tfFirst.toFixed(4)} (ln 65 = 4.17)`,
);

timer.record(
  await timer.race([
    {
      key: "wasmgrad",
      run: (r) => {
        for (let i = 0; i < r; i++) trainStep(model, opt, x, y, B, 1);
      },
    },
    {
      key: "tfjs",
      run: (r) => {
        for (let i = 0; i < r; i++) {
          const l = tfOpt.minimize(tfLoss, true);
          l.dataSync();
          l.dispose();
        }
      },
    },
  ]),
);
const w = timer.stats("wasmgrad");
const t = timer.stats("tfjs");
console.log(
  `char-GPT training step, batch ${B} x ${T}, d ${d}, ${H} heads, ${cfg.layers} layers (ms per step, median (min) over interleaved rounds; load ${info.loadavgStart.join(" ")} -> ${loadAverage().join(" ")}; ${info.git}, Node ${info.node}, tfjs-wasm ${tfInfo.tfjsCore}, SIMD ${tfInfo.simd}, ${tfInfo.threads} thread)`,
);
console.log(
  markdown(
    ["", "wasmgrad", "tfjs-wasm", "speed-up"],
    [
      [
        "train step",
        `${fmt(w.median * 1e3)} (${fmt(w.best * 1e3)})`,
        `${fmt(t.median * 1e3)} (${fmt(t.best * 1e3)})`,
        fmtX(t.median / w.median),
      ],
    ],
    1,
  ),
);
process.exit(0);
