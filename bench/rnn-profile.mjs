// Where the time of bench/rnn.mjs's calls goes: the recurrent layers' matrix products and fused
// cell kernels timed alone at the pointer level, wasmgrad's public calls with every kernel
// clocked, and tfjs's own kernel list (tf.profile).
import { GATES } from "./rnn-models.mjs";

/**
 * The products of the recurrent layers at the pointer level, on buffers allocated once: each
 * step's input and recurrent products, C [32 × G·H] = A [32 × K] · Wᵀ with W [G·H × K] as stored
 * (NT), by sgemm_f32, which packs W on every call as a cell step does, and by
 * sgemm_prepacked_f32 on W packed once, as the sequence layers do for W_hh; then the LSTM
 * sequence's other products (input product of all L·N rows, the backward's per-step dh and its
 * whole-sequence weight and input gradients), and a 256² square for the speed of the machine at
 * the time.
 */
export function gemmProblems(kinds, { batch: N, inputSize: IN, hiddenSize: H, steps: L }) {
  return [
    ...kinds.flatMap((kd) =>
      [
        ["input", IN],
        ["recurrent", H],
      ].map(([what, k]) => ({
        id: `${kd.kind}-${what}`,
        role: `${kd.label} step, ${what} product`,
        m: N,
        n: GATES[kd.kind] * H,
        k,
        ta: 0,
        tb: 1,
        prepacked: true,
      })),
    ),
    {
      id: "lstm-seq-input",
      role: `LSTM, input product of ${L} steps`,
      m: L * N,
      n: 4 * H,
      k: IN,
      tb: 1,
    },
    { id: "lstm-bwd-dh", role: "LSTM backward, per step: dh = dG·W_hh", m: N, n: H, k: 4 * H },
    {
      id: "lstm-bwd-dwhh",
      role: `LSTM backward: dW_hh = dGᵀ·h (${L - 1} steps)`,
      m: 4 * H,
      n: H,
      k: (L - 1) * N,
      ta: 1,
    },
    { id: "lstm-bwd-dwih", role: "LSTM backward: dW_ih = dGᵀ·x", m: 4 * H, n: IN, k: L * N, ta: 1 },
    { id: "lstm-bwd-dx", role: "LSTM backward: dX = dG·W_ih", m: L * N, n: IN, k: 4 * H },
    { id: "square-256", role: "256² square (the machine's speed now)", m: 256, n: 256, k: 256 },
  ].map((p) => ({ ta: 0, tb: 0, prepacked: p.id === "lstm-bwd-dh", ...p }));
}

/**
 * Contenders for `gemms` (keys gemm:<id>:sgemm and gemm:<id>:prepacked) and for the fused cell
 * kernels of one step (cellkernel:<kind>), on buffers allocated here, 64-byte aligned, and freed
 * by the returned disposer.
 */
export function setupKernels(raw, gemms, { batch: N, hiddenSize: H }) {
  const blocks = [];
  const aligned = (bytes) => {
    const block = raw.alloc(bytes + 64);
    blocks.push(block);
    return Math.ceil(block / 64) * 64;
  };
  const contenders = [];
  for (const p of gemms) {
    const { m, n, k, ta, tb } = p;
    const a = aligned(m * k * 4);
    const b = aligned(n * k * 4);
    const c = aligned(m * n * 4);
    const lda = ta ? m : k;
    const ldb = tb ? k : n;
    raw.arange_f32(a, m * k, -1, 2 / (m * k));
    raw.arange_f32(b, n * k, 1, -2 / (n * k));
    contenders.push({
      key: `gemm:${p.id}:sgemm`,
      run(reps) {
        for (let r = 0; r < reps; r++) raw.sgemm_f32(c, n, a, lda, b, ldb, m, n, k, ta, tb, 1, 0);
      },
    });
    if (p.prepacked) {
      const packed = aligned(k * Math.ceil(n / 8) * 32);
      raw.sgemm_pack_b_f32(packed, b, ldb, k, n, tb);
      contenders.push({
        key: `gemm:${p.id}:prepacked`,
        run(reps) {
          for (let r = 0; r < reps; r++)
            raw.sgemm_prepacked_f32(c, n, a, lda, packed, m, n, k, ta, 1, 0);
        },
      });
    }
  }
  // The fused pointwise kernels of one step, on N × H states (values in [-1, 1]).
  const nh = N * H;
  const buf = (floats, from) => {
    const p = aligned(floats * 4);
    raw.arange_f32(p, floats, from, (-2 * from) / floats);
    return p;
  };
  const [h, c, prev] = [buf(nh, 0), buf(nh, 0), buf(nh, 0.9)];
  const pre = buf(nh, -1);
  const gates = buf(4 * nh, -1);
  const gh = buf(3 * nh, 1);
  const act = buf(4 * nh, 0);
  const cells = {
    rnn_tanh: () => raw.rnn_cell_f32(h, pre, nh, 0),
    lstm: () => raw.lstm_cell_f32(h, c, act, gates, prev, N, H),
    gru: () => raw.gru_cell_f32(h, act, gates, gh, prev, N, H),
  };
  for (const [kind, f] of Object.entries(cells)) {
    contenders.push({
      key: `cellkernel:${kind}`,
      run(reps) {
        for (let r = 0; r < reps; r++) f();
      },
    });
  }
  return {
    contenders,
    dispose() {
      for (const block of blocks) raw.free(block);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Where the time goes

/** Groups profiled sgemm calls by shape, so that each shape's GFLOP/s can be read off. */
export function profileLabel(name, args) {
  if (name === "sgemm_f32") return `sgemm_f32 ${args[6]}×${args[7]}×${args[8]}`;
  if (name === "sgemm_prepacked_f32") return `sgemm_prepacked_f32 ${args[5]}×${args[6]}×${args[7]}`;
  return name;
}

/**
 * Runs `once` `reps` times per batch with every kernel clocked by `profiler` (kernelProfiler in
 * common.mjs), and returns the quickest of `batches` batches per call: the wall time, the time
 * inside each kernel (sgemm split by M×N×K, with its GFLOP/s) and the rest (JS: the facade,
 * tensor bookkeeping, autograd, tidy).
 */
export function profileCall(profiler, once, { reps, batches }) {
  let best = null;
  for (let batch = 0; batch < batches; batch++) {
    profiler.take();
    profiler.install();
    const t0 = performance.now();
    try {
      for (let r = 0; r < reps; r++) once();
    } finally {
      profiler.remove();
    }
    const wallUs = ((performance.now() - t0) * 1e3) / reps;
    const spent = profiler.take();
    if (best === null || wallUs < best.wallUs) best = { wallUs, spent };
  }
  const kernels = {};
  let insideUs = 0;
  for (const [name, s] of best.spent) {
    const us = (s.ms * 1e3) / reps;
    insideUs += us;
    const m = name.match(/ (\d+)×(\d+)×(\d+)$/);
    const gflops = m ? (2 * m[1] * m[2] * m[3] * s.calls) / (s.ms / 1e3) / 1e9 : undefined;
    kernels[name] = { us, calls: s.calls / reps, gflops };
  }
  const wallUs = best.wallUs;
  return { reps, batches, wallUs, insideUs, outsideUs: wallUs - insideUs, kernels };
}

/**
 * A tfjs matrix product named by its operands' shapes (last two dims) and the layout they imply
 * (tf.profile records no transpose flags): NN, TN, NT or TT, the first that fits.
 */
function matMulLabel(kn) {
  const [a, b] = kn.inputShapes.map((s) => s.slice(-2));
  const fits = { NN: a[1] === b[0], TN: a[0] === b[0], NT: a[1] === b[1], TT: a[0] === b[1] };
  const layout = Object.keys(fits).find((l) => fits[l]) ?? "?";
  return `${kn.name} ${layout} [${a.join("×")}]·[${b.join("×")}]`;
}

/** tfjs's own kernel list for one call (tf.profile): per kernel, ms and count. */
export async function tfProfile(tf, once) {
  const info = await tf.profile(() => {
    tf.dispose(once());
  });
  const kernels = {};
  let ms = 0;
  for (const kn of info.kernels) {
    const name = /MatMul/.test(kn.name) ? matMulLabel(kn) : kn.name;
    const s = kernels[name] ?? { ms: 0, calls: 0 };
    const t = typeof kn.kernelTimeMs === "number" ? kn.kernelTimeMs : 0;
    s.ms += t;
    ms += t;
    s.calls++;
    kernels[name] = s;
  }
  return { kernelCount: info.kernels.length, ms, kernels };
}
