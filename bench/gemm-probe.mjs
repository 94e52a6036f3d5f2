// Quick single-thread GFLOP/s probe for sgemm_f32, straight on the built .wasm files, for tuning
// the kernel. Not a benchmark suite: no peers, no JSON. Each cell is the best of many short
// rounds (see measure), so other load on the machine shows up as noise, not as a bias.
//
//   node --experimental-wasm-relaxed-simd bench/gemm-probe.mjs [--quick] [--repeat=N]
//     [file.wasm ...] [shape ...]
//
// Defaults to build/wasmgrad-simd.wasm and build/wasmgrad-relaxed.wasm (the relaxed one is
// skipped when the engine does not validate it). Shapes are "MxNxK:layout" with layout one of
// nn, nt, tn, tt (first letter op(A), second op(B)); extra shapes may be given as arguments,
// and "b<count>:MxNxK:layout" measures sgemm_batched_f32 over that many problems.
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const files = args.filter((a) => a.endsWith(".wasm"));
const extraShapes = args.filter((a) => /^(b\d+:)?\d+x\d+x\d+:(nn|nt|tn|tt)$/.test(a));
if (files.length === 0) {
  files.push(join(root, "build/wasmgrad-simd.wasm"), join(root, "build/wasmgrad-relaxed.wasm"));
}

const shapes =
  extraShapes.length > 0
    ? extraShapes
    : [
        "64x128x784:nt", // Linear forward x W^T
        "128x784x64:tn", // weight gradient dY^T X
        "64x784x128:nn", // input gradient dY W
        ...[64, 128, 256, 512].flatMap((s) =>
          ["nn", "nt", "tn", "tt"].map((l) => `${s}x${s}x${s}:${l}`),
        ),
        ...(quick
          ? []
          : [
              "1024x1024x1024:nn",
              "1x128x784:nt", // batch-1 Linear forward (matrix-vector)
              "1x784x128:nn", // batch-1 input gradient
              "1x1x1:nn",
              "4x3x5:nn",
              "8x8x8:nt",
              "16x16x16:nn",
              "b64:8x8x8:nn", // batched small matmuls (heads)
              "b16:64x64x64:nt",
            ]),
      ];

function parse(shape) {
  const parts = shape.split(":");
  const batch = parts.length === 3 ? Number(parts[0].slice(1)) : 0;
  const [dims, layout] = parts.slice(-2);
  const [m, n, k] = dims.split("x").map(Number);
  return { batch, m, n, k, ta: layout[0] === "t" ? 1 : 0, tb: layout[1] === "t" ? 1 : 0 };
}

function measure(ex, shape) {
  const { batch, m, n, k, ta, tb } = parse(shape);
  const lda = ta ? m : k;
  const ldb = tb ? k : n;
  const count = Math.max(1, batch);
  const a = ex.alloc(Math.max(4, count * m * k * 4));
  const b = ex.alloc(Math.max(4, count * k * n * 4));
  const c = ex.alloc(Math.max(4, count * m * n * 4));
  const f32 = new Float32Array(ex.memory.buffer);
  for (let i = 0; i < count * m * k; i++) f32[(a >>> 2) + i] = Math.random() - 0.5;
  for (let i = 0; i < count * k * n; i++) f32[(b >>> 2) + i] = Math.random() - 0.5;
  const flops = 2 * m * n * k * count;
  const call =
    batch === 0
      ? () => ex.sgemm_f32(c, n, a, lda, b, ldb, m, n, k, ta, tb, 1, 0)
      : () =>
          ex.sgemm_batched_f32(
            c,
            n,
            m * n,
            a,
            lda,
            m * k,
            b,
            ldb,
            k * n,
            batch,
            m,
            n,
            k,
            ta,
            tb,
            1,
            0,
          );
  // Warm up long enough for V8 to tier the module up to optimized code, and size the rounds
  // from the warm-up's speed: about 4 ms each.
  const warmMs = quick ? 100 : 250;
  const warmStart = performance.now();
  let calls = 0;
  while (performance.now() - warmStart < warmMs) {
    for (let r = 0; r < 16; r++) call();
    calls += 16;
  }
  const reps = Math.max(1, Math.round((calls * 4) / warmMs));
  // Best of many short rounds: on a shared machine some rounds run undisturbed.
  let best = 0;
  const rounds = quick ? 15 : 40;
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) call();
    const dt = (performance.now() - t0) / 1e3;
    best = Math.max(best, (flops * reps) / dt / 1e9);
  }
  ex.free(a);
  ex.free(b);
  ex.free(c);
  return best;
}

// Files are interleaved per shape and the whole pass repeated, keeping each cell's best, so a
// burst of load from other processes does not land on one build only.
const repeat = Number(args.find((a) => a.startsWith("--repeat="))?.slice(9) ?? (quick ? 1 : 2));
const modules = [];
for (const file of files) {
  const bytes = readFileSync(file);
  if (!WebAssembly.validate(bytes)) {
    console.log(`${basename(file)}: not supported by this engine (relaxed SIMD needs a flag)`);
    continue;
  }
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  modules.push({ name: basename(file, ".wasm"), exports, g: shapes.map(() => 0) });
}
for (let s = 0; s < shapes.length; s++) {
  for (let r = 0; r < repeat; r++) {
    for (const mod of modules) mod.g[s] = Math.max(mod.g[s], measure(mod.exports, shapes[s]));
  }
}
const w = Math.max(...shapes.map((s) => s.length));
console.log(["shape".padEnd(w), ...modules.map((r) => r.name.padStart(18))].join(" "));
shapes.forEach((s, i) => {
  console.log([s.padEnd(w), ...modules.map((r) => r.g[i].toFixed(1).padStart(18))].join(" "));
});
