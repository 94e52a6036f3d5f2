// The benchmark cases. Each builds its inputs once, identical for both libraries, and returns a
// pair of closures that do one unit of work (the thing being timed) on each side, a `check` that
// compares the two results, and the work per call so that a time turns into GB/s or GFLOP/s.
//
// Setup happens here, outside benny, because benny calls a case's setup function several times
// while probing its type, which would allocate the inputs more than once.

import { maxAbsDiff, randomArray } from "./common.mjs";

/** A one-op case: `wgOp(wg, ...inputs)` and `tfOp(tf, ...inputs)` on the same Float32Arrays. */
function opCase(wg, tf, { shapes, wgOp, tfOp }) {
  const arrays = shapes.map((s, i) =>
    randomArray(
      s.reduce((a, b) => a * b, 1),
      7 + i,
    ),
  );
  const wa = arrays.map((d, i) => wg.tensor(d, { shape: shapes[i] }));
  const ta = arrays.map((d, i) => tf.tensor(d, shapes[i], "float32"));
  return {
    wg: () => wgOp(wg, ...wa).dispose(),
    tf: () => tfOp(tf, ...ta).dispose(),
    check() {
      const w = wgOp(wg, ...wa);
      const t = tfOp(tf, ...ta);
      const d = maxAbsDiff(w.data(), t.dataSync());
      w.dispose();
      t.dispose();
      return d;
    },
    dispose() {
      for (const t of wa) t.dispose();
      for (const t of ta) t.dispose();
    },
  };
}

const M = 1 << 20;

/**
 * Every case: `unit` is what the table shows; `work` is bytes or flops per call for throughput
 * units and absent for time units; `tol` bounds the disagreement `check` may find; `options` are
 * benny's (benchmark.js) per-case options.
 */
export const cases = [
  {
    group: "elementwise",
    id: "add-1M",
    label: "add, 2×1M f32 → 1M",
    unit: "GB/s",
    work: 3 * 4 * M, // two inputs read, one output written
    tol: 0,
    options: { minSamples: 10, maxTime: 3.5 },
    make: (wg, tf) =>
      opCase(wg, tf, {
        shapes: [[M], [M]],
        wgOp: (w, a, b) => w.add(a, b),
        tfOp: (t, a, b) => t.add(a, b),
      }),
  },
  {
    group: "elementwise",
    id: "exp-1M",
    label: "exp, 1M f32 → 1M",
    unit: "GB/s",
    work: 2 * 4 * M,
    tol: 1e-5, // exp(x) <= e here; both use polynomial approximations
    options: { minSamples: 10, maxTime: 3.5 },
    make: (wg, tf) =>
      opCase(wg, tf, { shapes: [[M]], wgOp: (w, a) => w.exp(a), tfOp: (t, a) => t.exp(a) }),
  },
  ...[128, 256, 512].map((n) => ({
    group: "matmul",
    id: `matmul-${n}`,
    label: `matmul ${n}×${n}·${n}×${n}`,
    unit: "GFLOP/s",
    work: 2 * n ** 3,
    tol: 1e-5 * n, // different summation orders over n products of values in [-1, 1)
    options: { minSamples: 10, maxTime: n === 512 ? 4 : 3.5 },
    make: (wg, tf) =>
      opCase(wg, tf, {
        shapes: [
          [n, n],
          [n, n],
        ],
        wgOp: (w, a, b) => w.matmul(a, b),
        tfOp: (t, a, b) => t.matMul(a, b),
      }),
  })),
  {
    group: "mlp",
    id: "mlp-step-b64",
    label: "MLP 784-128-10 train step, batch 64",
    unit: "ms/step",
    tol: 1e-4, // max loss difference over three steps from identical weights
    options: { minSamples: 20, maxTime: 5 },
    make: (wg, tf) => mlpCase(wg, tf, 64),
  },
  {
    group: "tiny",
    id: "add-4",
    label: "tiny op: add 4+4 (incl. alloc + dispose)",
    unit: "µs/op",
    tol: 0,
    options: { minSamples: 20, maxTime: 3 },
    make: (wg, tf) =>
      opCase(wg, tf, {
        shapes: [[4], [4]],
        wgOp: (w, a, b) => w.add(a, b),
        tfOp: (t, a, b) => t.add(a, b),
      }),
  },
];

/**
 * One SGD training step of a 784-128-10 ReLU MLP with softmax cross-entropy, on each side.
 * tfjs starts from wasmgrad's initial weights (transposed to tfjs's [in, out] dense layout), sees
 * the same batch, and both read the scalar loss back at the end of every step, so that each
 * side's step has provably finished and the losses can be compared.
 */
function mlpCase(wg, tf, batch) {
  const x = randomArray(batch * 784, 11);
  const labels = new Int32Array(batch).map((_, i) => (i * 7 + 3) % 10);

  wg.manualSeed(0);
  const model = new wg.nn.Sequential(
    new wg.nn.Linear(784, 128),
    new wg.nn.ReLU(),
    new wg.nn.Linear(128, 10),
  );
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.01 });
  const wx = wg.tensor(x, { shape: [batch, 784] });
  const init = model.parameters().map((p) => ({ shape: p.shape.slice(), data: p.data() }));
  const wgStep = () =>
    wg.tidy(() => {
      opt.zeroGrad();
      const loss = wg.F.crossEntropy(model.forward(wx), labels);
      loss.backward();
      opt.step();
      return loss.item();
    });

  const dense = ({ shape, data }) => tf.transpose(tf.tensor2d(data, shape)); // [out,in] -> [in,out]
  const [w1, b1, w2, b2] = init.map((p, i) =>
    tf.tidy(() => tf.variable(i % 2 === 0 ? dense(p) : tf.tensor1d(p.data), true, `mlp_p${i}`)),
  );
  const tx = tf.tensor2d(x, [batch, 784]);
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), 10), "float32"));
  const sgd = tf.train.sgd(0.01);
  const tfStep = () =>
    tf.tidy(() => {
      const cost = sgd.minimize(
        () => {
          const h = tf.relu(tf.add(tf.matMul(tx, w1), b1));
          const logits = tf.add(tf.matMul(h, w2), b2);
          return tf.losses.softmaxCrossEntropy(onehot, logits);
        },
        true,
        [w1, b1, w2, b2],
      );
      return cost.dataSync()[0];
    });

  return {
    wg: wgStep,
    tf: tfStep,
    /** Three steps each from identical weights: the loss trajectories must agree. */
    check() {
      let d = 0;
      for (let i = 0; i < 3; i++) d = Math.max(d, Math.abs(wgStep() - tfStep()));
      return d;
    },
    dispose() {
      model.dispose();
      wx.dispose();
      for (const v of [w1, b1, w2, b2, tx, onehot]) v.dispose();
      sgd.dispose();
    },
  };
}
