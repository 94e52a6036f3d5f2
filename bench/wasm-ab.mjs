// Two kernel binaries side by side on the kernels a size-only build change touches (issue 14:
// the standard library's table-free Math.log/pow): interleaved rounds, median and best per call.
//   node bench/wasm-ab.mjs before.wasm after.wasm [--quick]
// Each binary is instantiated on its own shared memory; inputs are the same in both.
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";

const [pathA, pathB] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const quick = process.argv.includes("--quick");
const ROUNDS = quick ? 5 : 15;
const MIN_MS = quick ? 20 : 50;

function instance(path) {
  const memory = new WebAssembly.Memory({ initial: 64, maximum: 65536, shared: true });
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
    env: { memory },
  });
  return { K: exports, memory };
}

let seed = 7;
const rand = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
};
/** A case: setup(K, f32 view writer) -> call(). */
const cases = {
  "log_softmax 1024x10 (dim -1)": (K, put) => {
    const x = put(10240, () => rand() * 8 - 4);
    const d = put(10240, () => 0);
    return () => K.log_softmax_f32(d, x, 1024, 10, 1);
  },
  "log_softmax 64x10x32 (dim 1)": (K, put) => {
    const x = put(20480, () => rand() * 8 - 4);
    const d = put(20480, () => 0);
    return () => K.log_softmax_f32(d, x, 64, 10, 32);
  },
  "cross_entropy 1024x10": (K, put) => {
    const x = put(10240, () => rand() * 8 - 4);
    const t = put(1024, () => 0);
    new Int32Array(K.__mem.buffer, t, 1024).forEach((_, i, a) => {
      a[i] = i % 10;
    });
    const loss = put(1024, () => 0);
    const stats = put(1024 * 2 + 8, () => 0);
    return () => K.softmax_cross_entropy_f32(loss, stats, x, t, 0, 1024, 10, -100, 0);
  },
  "pow_sum p=3, 64K": (K, put) => {
    const x = put(65536, () => rand() * 2 - 1);
    const d = put(4, () => 0);
    return () => K.pow_sum_f32(d, x, 65536, 3);
  },
  "pow_tensor_bwd 64K": (K, put) => {
    const n = 65536;
    const [dx, dy, g] = [put(n, () => 0), put(n, () => 0), put(n, () => 1)];
    const x = put(n, () => 0.1 + rand() * 3);
    const y = put(n, () => rand() * 4 - 2);
    const out = put(n, () => 0);
    const xs = new Float32Array(K.__mem.buffer, x, n);
    const ys = new Float32Array(K.__mem.buffer, y, n);
    new Float32Array(K.__mem.buffer, out, n).forEach((_, i, a) => {
      a[i] = xs[i] ** ys[i];
    });
    return () => K.pow_tensor_bwd_f32(dx, dy, g, x, y, out, n);
  },
};

const builds = [pathA, pathB].map((path) => {
  const { K, memory } = instance(path);
  const k = Object.assign(Object.create(K), { __mem: memory });
  const put = (n, f) => {
    const p = K.alloc(n * 4);
    const a = new Float32Array(memory.buffer, p, n);
    for (let i = 0; i < n; i++) a[i] = f(i);
    return p;
  };
  const calls = {};
  for (const [name, make] of Object.entries(cases)) {
    seed = 7;
    calls[name] = make(k, put);
  }
  return calls;
});

const times = builds.map(() => Object.fromEntries(Object.keys(cases).map((c) => [c, []])));
const load0 = loadavg()[0];
for (let r = 0; r < ROUNDS; r++) {
  for (const name of Object.keys(cases)) {
    for (const b of r % 2 ? [1, 0] : [0, 1]) {
      const call = builds[b][name];
      call();
      let n = 0;
      const t0 = performance.now();
      let t = t0;
      while (t - t0 < MIN_MS) {
        call();
        n++;
        t = performance.now();
      }
      times[b][name].push(((t - t0) * 1000) / n);
    }
  }
}
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[s.length >> 1], s[0]];
};
console.log(`${ROUNDS} rounds, load ${load0.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`);
console.log(
  "| kernel | A median (min) µs | B median (min) µs | B/A median |\n|---|---:|---:|---:|",
);
for (const name of Object.keys(cases)) {
  const [am, an] = stat(times[0][name]);
  const [bm, bn] = stat(times[1][name]);
  console.log(
    `| ${name} | ${am.toFixed(1)} (${an.toFixed(1)}) | ${bm.toFixed(1)} (${bn.toFixed(1)}) | ${(bm / am).toFixed(2)} |`,
  );
}
