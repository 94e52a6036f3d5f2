// The recurrent cells of bench/rnn.mjs on the tfjs side, written with tfjs-core ops the way tfjs
// users write them, and the weight layouts between wasmgrad (PyTorch's: W_ih [G·H, In], W_hh
// [G·H, H], b_ih and b_hh [G·H], gate blocks LSTM i,f,g,o and GRU r,z,n) and tfjs.
//
// Two forms of a cell:
//   "layers": as @tensorflow/tfjs-layers' SimpleRNNCell / LSTMCell / GRUCell compute it: kernel
//             [In, G·H] = W_ihᵀ and recurrent kernel [H, G·H] = W_hhᵀ, two matMuls, one bias
//             (b_ih + b_hh), tf.split into the gates (same gate order as PyTorch), with
//             recurrentActivation "sigmoid" (tf.layers' default is "hardSigmoid", which PyTorch
//             does not have). tfjs-layers' GRUCell only has the reset-before form (gates z, r, h;
//             the reset gate applied to h before a third matMul), a different function from
//             PyTorch's GRU, so the GRU here is Keras's resetAfter form (input and recurrent
//             biases apart, r applied after the recurrent product), which is PyTorch's GRU.
//   "concat": one matMul of [x, h] with a stacked kernel [In + H, G·H]: tf.basicLSTMCell for the
//             LSTM (its gate order is i, j = g, f, o, and it adds a forget bias, passed as 0
//             here), and tanh(matMul(concat([x, h]), K) + b) for the RNN. The GRU cannot take
//             this form (its reset gate multiplies only the recurrent part).
//
// Sequences run a cell over tf.unstack(x) and tf.stack the outputs, as tf.layers.rnn does
// ("loop"), or hoist the input product out of the loop: one matMul of all L·N rows of x with the
// kernel, then one recurrent matMul per step ("hoisted", what wasmgrad's nn.LSTM does).

export const GATES = { rnn_tanh: 1, lstm: 4, gru: 3 };
/** Output gate block j of tf.basicLSTMCell (i, j, f, o) is PyTorch's block PERM_BASIC[j]. */
const PERM_BASIC = [0, 2, 1, 3];

/** w [G·H, cols] (gate blocks of H rows) -> [cols, G·H] with column block j = row block perm[j]. */
export function tfFromTorch(w, gates, h, cols, perm = null) {
  const g = gates * h;
  const out = new Float32Array(g * cols);
  for (let j = 0; j < gates; j++) {
    const from = perm ? perm[j] : j;
    for (let u = 0; u < h; u++) {
      const row = (from * h + u) * cols;
      for (let c = 0; c < cols; c++) out[c * g + j * h + u] = w[row + c];
    }
  }
  return out;
}

/** The inverse of tfFromTorch. */
export function torchFromTf(k, gates, h, cols, perm = null) {
  const g = gates * h;
  const out = new Float32Array(g * cols);
  for (let j = 0; j < gates; j++) {
    const to = perm ? perm[j] : j;
    for (let u = 0; u < h; u++) {
      const row = (to * h + u) * cols;
      for (let c = 0; c < cols; c++) out[row + c] = k[c * g + j * h + u];
    }
  }
  return out;
}

function permuteBlocks(v, gates, h, perm) {
  if (!perm) return v.slice();
  const out = new Float32Array(v.length);
  for (let j = 0; j < gates; j++) out.set(v.subarray(perm[j] * h, (perm[j] + 1) * h), j * h);
  return out;
}

const sum = (a, b) => a.map((v, i) => v + b[i]);

/**
 * tfjs weights for `kind` in `form` from a PyTorch-layout state dict of Float32Arrays
 * (weight_ih, weight_hh, bias_ih, bias_hh). Returns `{ vars, fromGrads }`: the named tf.Variables
 * (trainable, so tf.variableGrads differentiates them) and a function mapping their gradients
 * back to PyTorch's layout and names.
 */
export function tfWeights(tf, kind, form, sd, { inputSize, hiddenSize, tag }) {
  const G = GATES[kind];
  const H = hiddenSize;
  const In = inputSize;
  const perm = kind === "lstm" && form === "concat" ? PERM_BASIC : null;
  const v = (name, data, shape) => {
    const init = tf.tensor(data, shape);
    const out = tf.variable(init, true, `${tag}/${name}`);
    init.dispose();
    return out;
  };
  const kx = tfFromTorch(sd.weight_ih, G, H, In, perm);
  const kh = tfFromTorch(sd.weight_hh, G, H, H, perm);
  const vars = {};
  if (form === "concat") {
    const k = new Float32Array((In + H) * G * H);
    k.set(kx);
    k.set(kh, kx.length);
    vars.kernel = v("kernel", k, [In + H, G * H]);
  } else {
    vars.kernel = v("kernel", kx, [In, G * H]);
    vars.recurrent = v("recurrent", kh, [H, G * H]);
  }
  if (kind === "gru") {
    vars.biasIh = v("biasIh", sd.bias_ih, [G * H]);
    vars.biasHh = v("biasHh", sd.bias_hh, [G * H]);
  } else {
    vars.bias = v("bias", permuteBlocks(sum(sd.bias_ih, sd.bias_hh), G, H, perm), [G * H]);
  }
  /** { name: tf.Tensor } from tf.variableGrads -> PyTorch-layout Float32Arrays. */
  function fromGrads(grads) {
    const d = (name) => grads[vars[name].name].dataSync();
    const out = {};
    if (form === "concat") {
      const k = d("kernel");
      out.weight_ih = torchFromTf(k.subarray(0, In * G * H), G, H, In, perm);
      out.weight_hh = torchFromTf(k.subarray(In * G * H), G, H, H, perm);
    } else {
      out.weight_ih = torchFromTf(d("kernel"), G, H, In);
      out.weight_hh = torchFromTf(d("recurrent"), G, H, H);
    }
    if (kind === "gru") {
      out.bias_ih = d("biasIh").slice();
      out.bias_hh = d("biasHh").slice();
    } else {
      // One bias on the tfjs side: its gradient is that of b_ih and of b_hh alike.
      out.bias_ih = permuteBlocks(d("bias"), G, H, perm);
      out.bias_hh = out.bias_ih;
    }
    return out;
  }
  return {
    vars,
    fromGrads,
    dispose() {
      for (const t of Object.values(vars)) t.dispose();
    },
  };
}

/**
 * One step of `kind` in `form`: (x [N, In] or, when `projected`, x·kernel + bias already
 * [N, G·H]; state) -> new state. The state is h, or [h, c] for the LSTM.
 */
export function tfCell(tf, kind, form, vars, projected = false) {
  const { kernel, recurrent, bias, biasIh, biasHh } = vars;
  const inProj = (x) => (projected ? x : tf.matMul(x, kernel));
  if (form === "concat") {
    if (projected) throw new Error("bench: the concat form has no hoisted input product");
    if (kind === "lstm") {
      return (x, [h, c]) => {
        const [c1, h1] = tf.basicLSTMCell(0, kernel, bias, x, c, h);
        return [h1, c1];
      };
    }
    if (kind === "rnn_tanh") {
      return (x, h) => tf.tanh(tf.add(tf.matMul(tf.concat([x, h], 1), kernel), bias));
    }
    throw new Error(`bench: no concat form for ${kind}`);
  }
  if (kind === "rnn_tanh") {
    // SimpleRNNCell: tanh(biasAdd(x·K, b) + h·R).
    return (x, h) => {
      const xk = projected ? x : tf.add(inProj(x), bias);
      return tf.tanh(tf.add(xk, tf.matMul(h, recurrent)));
    };
  }
  if (kind === "lstm") {
    // LSTMCell: z = x·K + h·R + b; i, f, g, o = split(z); c' = f·c + i·tanh(g); h' = o·tanh(c').
    return (x, [h, c]) => {
      const z = projected
        ? tf.add(x, tf.matMul(h, recurrent))
        : tf.add(tf.add(inProj(x), tf.matMul(h, recurrent)), bias);
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      const c1 = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg)));
      const h1 = tf.mul(tf.sigmoid(zo), tf.tanh(c1));
      return [h1, c1];
    };
  }
  // GRUCell with resetAfter: r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n),
  // h' = z·h + (1 − z)·n, where x_* = x·K + b_ih and h_* = h·R + b_hh.
  return (x, h) => {
    const mx = projected ? x : tf.add(inProj(x), biasIh);
    const mh = tf.add(tf.matMul(h, recurrent), biasHh);
    const [xr, xz, xn] = tf.split(mx, 3, 1);
    const [hr, hz, hn] = tf.split(mh, 3, 1);
    const r = tf.sigmoid(tf.add(xr, hr));
    const z = tf.sigmoid(tf.add(xz, hz));
    const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
    return tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), n));
  };
}

/**
 * The cell over a whole sequence x [L, N, In] from zero state: returns [output [L, N, H], hN]
 * (LSTM: [output, hN, cN]). Call inside tf.tidy. "hoisted": one matMul for the input product of
 * every step (the bias folded in), one recurrent matMul per step.
 */
export function tfSequence(tf, kind, form, vars, x, hidden, hoisted = false) {
  const [L, N, In] = x.shape;
  let xs;
  if (hoisted) {
    const b = kind === "gru" ? vars.biasIh : vars.bias;
    const proj = tf.add(tf.matMul(tf.reshape(x, [L * N, In]), vars.kernel), b);
    xs = tf.unstack(tf.reshape(proj, [L, N, proj.shape[1]]));
  } else {
    xs = tf.unstack(x);
  }
  const step = tfCell(tf, kind, form, vars, hoisted);
  const lstm = kind === "lstm";
  let state = lstm ? [tf.zeros([N, hidden]), tf.zeros([N, hidden])] : tf.zeros([N, hidden]);
  const hs = [];
  for (const xt of xs) {
    state = step(xt, state);
    hs.push(lstm ? state[0] : state);
  }
  return lstm ? [tf.stack(hs), state[0], state[1]] : [tf.stack(hs), state];
}
