// The Bench tab: wasmgrad against TensorFlow.js's WASM backend (XNNPACK) on the same problems,
// through each library's tensor API, inputs already in each one's WebAssembly memory. Both run
// one thread on this page's main thread: tfjs is pinned to its single-threaded SIMD binary
// (which it would otherwise swap for its threaded one on a cross-origin isolated page), because
// wasmgrad has one thread today.
import * as wg from "/dist/index.js";

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(s);
  });
}

let tfReady = null;
async function loadTfjs() {
  if (tfReady !== null) return tfReady;
  tfReady = (async () => {
    await loadScript("/vendor/tfjs-core/tf-core.min.js");
    await loadScript("/vendor/tfjs-backend-wasm/tf-backend-wasm.min.js");
    const tf = globalThis.tf;
    tf.wasm.setWasmPaths("/vendor/tfjs-backend-wasm/");
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
    return tf;
  })();
  return tfReady;
}

function random(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return a;
}

/** Each case: work in FLOPs, and for each library a setup returning `{ run, dispose }`. */
function cases() {
  const gemm = (n, transA, transB) => ({
    name: `sgemm ${n}³ ${transA ? "T" : "N"}${transB ? "T" : "N"}`,
    flops: 2 * n * n * n,
    wg: () => {
      const a = wg.tensor(random(n * n, 1), { shape: [n, n] });
      const b = wg.tensor(random(n * n, 2), { shape: [n, n] });
      const A = transA ? a.T : a;
      const B = transB ? b.T : b;
      return {
        run: () => wg.matmul(A, B).dispose(),
        dispose: () => {
          a.dispose();
          b.dispose();
        },
      };
    },
    tf: (tf) => {
      const a = tf.tensor2d(random(n * n, 1), [n, n]);
      const b = tf.tensor2d(random(n * n, 2), [n, n]);
      return {
        run: () => tf.matMul(a, b, transA, transB).dispose(),
        dispose: () => tf.dispose([a, b]),
      };
    },
  });
  const conv = (n, c, size, oc) => ({
    name: `conv2d 3×3 [${n},${c},${size},${size}]→${oc}`,
    flops: 2 * n * oc * c * 9 * size * size,
    wg: () => {
      const x = wg.tensor(random(n * c * size * size, 3), { shape: [n, c, size, size] });
      const w = wg.tensor(random(oc * c * 9, 4), { shape: [oc, c, 3, 3] });
      return {
        run: () => wg.F.conv2d(x, w, null, { padding: 1 }).dispose(),
        dispose: () => {
          x.dispose();
          w.dispose();
        },
      };
    },
    tf: (tf) => {
      const x = tf.tensor4d(random(n * c * size * size, 3), [n, size, size, c]);
      const w = tf.tensor4d(random(oc * c * 9, 4), [3, 3, c, oc]);
      return { run: () => tf.conv2d(x, w, 1, "same").dispose(), dispose: () => tf.dispose([x, w]) };
    },
  });
  const lstm = (batch, input, hidden) => ({
    name: `LSTM step b${batch} in${input} h${hidden}`,
    flops: 2 * batch * (input + hidden) * 4 * hidden,
    wg: () => {
      const cell = new wg.nn.LSTMCell(input, hidden);
      const x = wg.tensor(random(batch * input, 5), { shape: [batch, input] });
      const h = wg.tensor(random(batch * hidden, 6), { shape: [batch, hidden] });
      const c = wg.tensor(random(batch * hidden, 7), { shape: [batch, hidden] });
      return {
        run: () =>
          wg.noGrad(() => {
            const [h1, c1] = cell.forward(x, [h, c]);
            h1.dispose();
            c1.dispose();
          }),
        dispose: () => {
          cell.dispose();
          for (const t of [x, h, c]) t.dispose();
        },
      };
    },
    tf: (tf) => {
      const kernel = tf.tensor2d(random((input + hidden) * 4 * hidden, 8), [
        input + hidden,
        4 * hidden,
      ]);
      const bias = tf.tensor1d(random(4 * hidden, 9));
      const x = tf.tensor2d(random(batch * input, 5), [batch, input]);
      const h = tf.tensor2d(random(batch * hidden, 6), [batch, hidden]);
      const c = tf.tensor2d(random(batch * hidden, 7), [batch, hidden]);
      const forget = tf.scalar(1);
      return {
        run: () => tf.dispose(tf.basicLSTMCell(forget, kernel, bias, x, c, h)),
        dispose: () => tf.dispose([kernel, bias, x, h, c, forget]),
      };
    },
  });
  return [
    gemm(256, false, false),
    gemm(256, false, true),
    gemm(256, true, false),
    gemm(512, false, false),
    conv(8, 32, 28, 64),
    conv(32, 24, 14, 48),
    lstm(32, 128, 256),
  ];
}

/** Best milliseconds per call over `rounds` rounds of at least `minMs` each. */
async function time(run, { rounds, minMs }) {
  run();
  run();
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < minMs) {
      run();
      calls++;
      t = performance.now();
    }
    best = Math.min(best, (t - t0) / calls);
    await new Promise((done) => setTimeout(done, 0)); // let the page paint
  }
  return best;
}

export async function runBench({ table, status, quick }) {
  const timing = quick ? { rounds: 2, minMs: 30 } : { rounds: 5, minMs: 150 };
  table.textContent = "";
  status.textContent = "loading TensorFlow.js…";
  const tf = await loadTfjs();
  const info = wg.backendInfo();
  const flags = tf.env().getFlags();
  const engines = [
    { name: "wasmgrad", build: info.relaxedSimd ? "relaxed SIMD" : "SIMD", threads: info.threads },
    {
      name: `TF.js ${tf.version_core} wasm`,
      build: flags.WASM_HAS_SIMD_SUPPORT ? "SIMD" : "no SIMD",
      threads: tf.wasm.getThreadsCount(),
    },
  ];
  const rows = [];
  for (const c of cases()) {
    status.textContent = `running ${c.name}…`;
    const results = [];
    for (const [i, engine] of engines.entries()) {
      const setup = i === 0 ? c.wg() : c.tf(tf);
      let ms;
      try {
        ms = await time(setup.run, timing);
      } finally {
        setup.dispose();
      }
      results.push({ engine, ms, gflops: c.flops / (ms * 1e6) });
    }
    rows.push({ c, results });
    render(table, rows);
  }
  status.textContent = `done: ${rows.length} cases`;
  table.closest("table").dataset.done = "true";
}

function render(table, rows) {
  const top = Math.max(...rows.flatMap((r) => r.results.map((x) => x.gflops)));
  table.textContent = "";
  for (const { c, results } of rows) {
    results.forEach(({ engine, ms, gflops }, i) => {
      const tr = document.createElement("tr");
      const cells = [
        i === 0 ? c.name : "",
        engine.name,
        engine.build,
        engine.threads,
        ms.toFixed(3),
        gflops.toFixed(2),
      ];
      for (const text of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      const td = document.createElement("td");
      td.className = "bar-cell";
      const bar = document.createElement("div");
      bar.className = i === 0 ? "bar" : "bar tf";
      bar.style.width = `${((gflops / top) * 100).toFixed(1)}%`;
      td.append(bar);
      tr.append(td);
      table.append(tr);
    });
  }
}
