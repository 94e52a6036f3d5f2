// The MNIST CNN of bench/conv.mjs on each side, and the layout conversions between wasmgrad
// (NCHW activations, [OC, C, KH, KW] weights, Linear [out, in]) and tfjs (NHWC, [KH, KW, C, OC]
// filters, dense [in, out]).

/** [N, C, H, W] -> [N, H, W, C]. */
export function nhwcFromNchw(data, n, c, h, w) {
  const out = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++)
        out[(b * h * w + p) * c + ch] = data[(b * c + ch) * h * w + p];
    }
  }
  return out;
}

/** 3x3 weights [O, I, 3, 3] -> [3, 3, I, O]. */
export function hwioFromOihw(data, o, i) {
  const out = new Float32Array(o * i * 9);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let k = 0; k < 9; k++) out[(k * i + b) * o + a] = data[(a * i + b) * 9 + k];
    }
  }
  return out;
}

/** 3x3 filters [3, 3, I, O] -> [O, I, 3, 3]. */
export function oihwFromHwio(data, o, i) {
  const out = new Float32Array(o * i * 9);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let k = 0; k < 9; k++) out[(a * i + b) * 9 + k] = data[(k * i + b) * o + a];
    }
  }
  return out;
}

/**
 * The head's weight: wasmgrad's Linear [10, C·7·7] reads the flattened NCHW map (c, y, x); tfjs's
 * dense [7·7·C, 10] reads the flattened NHWC map (y, x, c).
 */
function denseFromLinear(data, c) {
  const out = new Float32Array(10 * c * 49);
  for (let o = 0; o < 10; o++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < 49; p++) out[(p * c + ch) * 10 + o] = data[o * c * 49 + ch * 49 + p];
    }
  }
  return out;
}

/**
 * wasmgrad: Conv2d(1, c1, 3, pad 1), ReLU, MaxPool2d(2), Conv2d(c1, c2, 3, pad 1), ReLU,
 * MaxPool2d(2), Flatten, Linear(c2·7·7, 10); SGD with momentum; one step = zeroGrad, forward,
 * crossEntropy, backward, step, loss read back, inside wg.tidy. Seeded, so every call starts
 * from the same weights (`init`, in parameter order).
 */
export function wgCnn(wg, [c1, c2], { batch, x, labels, lr, momentum }) {
  wg.manualSeed(0);
  const { nn } = wg;
  const model = new nn.Sequential(
    new nn.Conv2d(1, c1, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(c1, c2, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(c2 * 7 * 7, 10),
  );
  const init = model.parameters().map((p) => ({ shape: [...p.shape], data: p.data() }));
  const opt = new wg.optim.SGD(model.parameters(), { lr, momentum });
  const wx = wg.tensor(x, { shape: [batch, 1, 28, 28] });
  return {
    init,
    step: () =>
      wg.tidy(() => {
        opt.zeroGrad();
        const loss = wg.F.crossEntropy(model.forward(wx), labels);
        loss.backward();
        opt.step();
        return loss.item();
      }),
    dispose() {
      model.dispose();
      opt.dispose();
      wx.dispose();
    },
  };
}

/**
 * The same model on tfjs's active backend from wasmgrad's initial weights: tf.conv2d "same",
 * tf.maxPool, softmax cross-entropy on one-hot labels, tf.variableGrads and
 * tf.train.momentum (the same update as torch's SGD with momentum), loss read back.
 */
export function tfCnn(tf, init, [c1, c2], { batch, x, labels, lr, momentum }) {
  const [w1, b1, w2, b2, w3, b3] = init.map((p) => p.data);
  const vars = tf.tidy(() => [
    tf.variable(tf.tensor4d(hwioFromOihw(w1, c1, 1), [3, 3, 1, c1])),
    tf.variable(tf.tensor1d(b1)),
    tf.variable(tf.tensor4d(hwioFromOihw(w2, c2, c1), [3, 3, c1, c2])),
    tf.variable(tf.tensor1d(b2)),
    tf.variable(tf.tensor2d(denseFromLinear(w3, c2), [c2 * 49, 10])),
    tf.variable(tf.tensor1d(b3)),
  ]);
  const tx = tf.tensor4d(x, [batch, 28, 28, 1]); // one channel: NCHW and NHWC coincide
  const onehot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), 10), "float32"));
  const opt = tf.train.momentum(lr, momentum);
  const block = (h, f, b) =>
    tf.maxPool(tf.relu(tf.add(tf.conv2d(h, f, 1, "same"), b)), 2, 2, "valid");
  const loss = () => {
    const h = block(block(tx, vars[0], vars[1]), vars[2], vars[3]);
    const logits = tf.add(tf.matMul(tf.reshape(h, [batch, c2 * 49]), vars[4]), vars[5]);
    return tf.losses.softmaxCrossEntropy(onehot, logits);
  };
  return {
    step: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, vars);
        opt.applyGradients(grads);
        return value.dataSync()[0];
      }),
    dispose() {
      for (const t of [...vars, tx, onehot]) t.dispose();
      opt.dispose();
    },
  };
}

/**
 * `steps` steps of tfCnn on tfjs's pure-JS CPU backend, switching back to "wasm" afterwards.
 * Returns the losses and each step's seconds.
 */
export async function cpuCnn(tf, init, channels, args, steps) {
  await tf.setBackend("cpu");
  const losses = [];
  const stepSeconds = [];
  try {
    const model = tfCnn(tf, init, channels, args);
    try {
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        losses.push(model.step());
        stepSeconds.push((performance.now() - t0) / 1e3);
      }
    } finally {
      model.dispose();
    }
  } finally {
    await tf.setBackend("wasm");
  }
  return { losses, stepSeconds };
}
