// Threads on the ops beyond GEMM and convolution: one thread against N (default 2) on the
// elementwise maps, broadcasting, reductions along a dimension, the row norms, cross-entropy,
// resampling, pooling, batch norm and the strided copies, each at a size where the pool is used,
// side by side in one process.
//   npm run build && node bench/threads-ops.mjs [--threads 2] [--rounds 9] [--only part,part]
// "1 thread" keeps the pool and sets the work threshold to infinity, as threads.mjs does.
// Rounds alternate the two configurations; each sample is the mean of >= 40 ms of calls;
// median and minimum of the samples, in ms per call, and the speed-up of the medians.
import { loadAverage, markdown, runtimeInfo } from "./common.mjs";

const wg = await import("../dist/index.js");
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const threads = Number(arg("--threads", 2));
const rounds = Number(arg("--rounds", 9));
const only = arg("--only", undefined)?.toLowerCase().split(",");

wg.setNumThreads(threads);
await wg.ready();
wg.manualSeed(1);
const r = (shape) => wg.randn(shape);

/** A case's setup returns one call, which frees what it makes. */
const cases = {
  "exp [4M]": () => {
    const a = r([4194304]);
    return () => wg.tidy(() => void a.exp());
  },
  "gelu [4M]": () => {
    const x = r([4194304]);
    return () => wg.tidy(() => void wg.F.gelu(x));
  },
  "mul, broadcast [4096,1024] * [1024]": () => {
    const a = r([4096, 1024]);
    const b = r([1024]);
    return () => wg.tidy(() => void a.mul(b));
  },
  "sum(1) [4096,1024]": () => {
    const x = r([4096, 1024]);
    return () => wg.tidy(() => void x.sum(1));
  },
  "sum(0) [1024,8192]": () => {
    const x = r([1024, 8192]);
    return () => wg.tidy(() => void x.sum(0));
  },
  "max(1) [4096,1024]": () => {
    const x = r([4096, 1024]);
    return () => wg.tidy(() => void x.max(1));
  },
  "var(1) [4096,1024]": () => {
    const x = r([4096, 1024]);
    return () => wg.tidy(() => void x.var(1));
  },
  "layerNorm fwd+bwd [4096,256]": () => {
    const x = r([4096, 256]);
    x.requiresGrad = true;
    const w = r([256]);
    w.requiresGrad = true;
    return () =>
      wg.tidy(() => {
        wg.F.layerNorm(x, [256], { weight: w }).sum().backward();
        x.grad = null;
        w.grad = null;
      });
  },
  "groupNorm [16,64,32,32], 8 groups": () => {
    const x = r([16, 64, 32, 32]);
    return () => wg.tidy(() => void wg.F.groupNorm(x, 8));
  },
  "groupNorm fwd+bwd [16,64,32,32], 8 groups": () => {
    const x = r([16, 64, 32, 32]);
    x.requiresGrad = true;
    const w = r([64]);
    w.requiresGrad = true;
    return () =>
      wg.tidy(() => {
        wg.F.groupNorm(x, 8, { weight: w }).sum().backward();
        x.grad = null;
        w.grad = null;
      });
  },
  "embedding [50000,256], 16384 indices": () => {
    const e = new wg.nn.Embedding(50000, 256);
    const idx = wg.randint(0, 50000, [16384]);
    return () => wg.noGrad(() => wg.tidy(() => void e.forward(idx)));
  },
  "embedding fwd+bwd [10000,512], 35x64 indices": () => {
    const e = new wg.nn.Embedding(10000, 512);
    const idx = wg.randint(0, 10000, [35, 64]);
    const dy = r([35, 64, 512]);
    return () =>
      wg.tidy(() => {
        e.forward(idx).backward(dy);
        e.weight.grad = null;
      });
  },
  "cumsum(1) [4096,1024]": () => {
    const x = r([4096, 1024]);
    return () => wg.tidy(() => void x.cumsum(1));
  },
  "crossEntropy fwd+bwd [4096,1000]": () => {
    const x = r([4096, 1000]);
    x.requiresGrad = true;
    const y = wg.randint(0, 1000, [4096]);
    return () =>
      wg.tidy(() => {
        wg.F.crossEntropy(x, y).backward();
        x.grad = null;
      });
  },
  "interpolate bilinear x2 [8,16,64,64]": () => {
    const x = r([8, 16, 64, 64]);
    return () => wg.tidy(() => void wg.F.interpolate(x, { scaleFactor: 2, mode: "bilinear" }));
  },
  "adaptiveAvgPool2d 7 [32,64,28,28]": () => {
    const x = r([32, 64, 28, 28]);
    return () => wg.tidy(() => void wg.F.adaptiveAvgPool2d(x, 7));
  },
  "avgPool2d 2 [32,64,28,28]": () => {
    const x = r([32, 64, 28, 28]);
    return () => wg.tidy(() => void wg.F.avgPool2d(x, 2));
  },
  "batchNorm2d fwd+bwd [32,64,28,28]": () => {
    const bn = new wg.nn.BatchNorm2d(64);
    const x = r([32, 64, 28, 28]);
    x.requiresGrad = true;
    return () =>
      wg.tidy(() => {
        bn.forward(x).sum().backward();
        x.grad = null;
        bn.zeroGrad();
      });
  },
  "t().contiguous() [2048,2048]": () => {
    const x = r([2048, 2048]);
    return () => wg.tidy(() => void x.t().contiguous());
  },
  "permute(0,2,1,3) [8,128,4,64]": () => {
    const x = r([8, 128, 4, 64]);
    return () => wg.tidy(() => void x.permute(0, 2, 1, 3).contiguous());
  },
  "bmm [64,128,128]": () => {
    const a = r([64, 128, 128]);
    const b = r([64, 128, 128]);
    return () => wg.tidy(() => void wg.bmm(a, b));
  },
};

function sample(call) {
  const t0 = performance.now();
  let n = 0;
  let t = t0;
  while (t - t0 < 40) {
    call();
    n++;
    t = performance.now();
  }
  return (t - t0) / n;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0] };
};
const set = (t) =>
  wg.setNumThreads(threads, { minWorkMicros: t === 1 ? Number.POSITIVE_INFINITY : 50 });

const loadStart = loadAverage();
const rows = [];
for (const [name, setup] of Object.entries(cases)) {
  if (only !== undefined && !only.some((part) => name.toLowerCase().includes(part))) continue;
  const call = setup();
  const times = { 1: [], [threads]: [] };
  for (const t of [1, threads]) {
    set(t);
    sample(call); // warm-up
  }
  for (let i = 0; i < rounds; i++) {
    for (const t of i % 2 ? [threads, 1] : [1, threads]) {
      set(t);
      times[t].push(sample(call));
    }
  }
  const one = stats(times[1]);
  const many = stats(times[threads]);
  const f = (v) => v.toFixed(v < 1 ? 3 : 2);
  rows.push([
    name,
    `${f(one.median)} (${f(one.min)})`,
    `${f(many.median)} (${f(many.min)})`,
    `${(one.median / many.median).toFixed(2)}x`,
  ]);
  console.log(rows.at(-1).join("  "));
}
set(threads);
console.log();
console.log(
  markdown(
    ["op", "1 thread, ms median (min)", `${threads} threads, ms median (min)`, "speed-up"],
    rows,
  ),
);
console.log({
  ...runtimeInfo(),
  threads: wg.backendInfo().threads,
  rounds,
  loadStart,
  loadEnd: loadAverage(),
});
