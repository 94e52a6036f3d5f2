// How fast can a register tile run in V8 when nothing but the tile runs? Compiles
// bench/tiles/tiles.ts (sgemm's 4x8 and 6x8 tiles and two alternatives) for baseline and relaxed SIMD,
// runs each over L1-resident packed panels, and prints GFLOP/s beside the machine's SIMD
// ceiling as bench/gemm.mjs last measured it (bench/results/gemm-summary.json, or
// gemm-summary-node<major>.json when a run for this Node version is stored). This is the
// upper bound for sgemm on this engine: the full kernel adds packing, C updates and cache misses.
//
//   node bench/gemm-tiles.mjs [--kc=256] [--rounds=80]     (npm run bench:tiles)
//
// On Node 20 it turns on relaxed SIMD itself (v8.setFlagsFromString), so both builds run.
// Measurement: the tiles take turns in short batches (about 2 ms), the builds take turns pass by
// pass, and each tile keeps its best batch; this machine's speed drifts over seconds, so only
// the best batches are comparable.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import asc from "assemblyscript/asc";

// Node 20 has relaxed SIMD behind this flag; Node 22+ has it on and no longer knows the flag.
if (Number(process.versions.node.split(".")[0]) < 22) {
  v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const kc = arg("kc", 256);
const rounds = arg("rounds", 60);
const passes = arg("passes", 8);
const tiles = [
  ["tile4x8", 4, 8],
  ["tile6x8", 6, 8],
  ["tile3x12", 3, 12],
  ["tile5x8", 5, 8],
];

async function compile(relaxed) {
  const source = readFileSync(join(root, "bench/tiles/tiles.ts"), "utf8");
  const options = {
    optimizeLevel: 3,
    runtime: "stub",
    initialMemory: 2,
    enable: relaxed ? ["simd", "relaxed-simd"] : ["simd"],
  };
  const { binary, stderr, error } = await asc.compileString({ "tiles.ts": source }, options);
  if (error) throw new Error(`asc: ${error.message}\n${stderr}`);
  return binary;
}

/** Best GFLOP/s of each tile over `rounds` batches, merged into `best`. */
function measure(exports, best) {
  const a = 1024; // A panel: at most 6 * kc floats
  const b = a + 6 * kc * 4 + 64; // B panel: at most 12 * kc floats
  const c = b + 12 * kc * 4 + 64;
  if (c + 256 > exports.memory.buffer.byteLength) throw new Error("kc too large for 2 pages");
  const f32 = new Float32Array(exports.memory.buffer);
  for (let i = a >> 2; i < c >> 2; i++) f32[i] = Math.random() - 0.5;
  const reps = Math.max(1, Math.round(4e5 / kc));
  // Warm up: V8 tiers a function up to optimized code only between calls.
  for (const [name] of tiles) for (let i = 0; i < 300; i++) exports[name](kc, a, b, c, 8);
  for (let r = 0; r < rounds; r++) {
    for (const [name, mr, nr] of tiles) {
      const t0 = process.hrtime.bigint();
      exports[name](kc, a, b, c, reps);
      const ns = Number(process.hrtime.bigint() - t0);
      best.set(name, Math.max(best.get(name) ?? 0, (2 * mr * nr * kc * reps) / ns));
    }
  }
}

// The ceiling measured on this Node version if a run was stored for it (gemm.mjs --out=...).
const major = process.versions.node.split(".")[0];
const ownFile = join(root, `bench/results/gemm-summary-node${major}.json`);
const summaryFile = existsSync(ownFile) ? ownFile : join(root, "bench/results/gemm-summary.json");
const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, "utf8")) : null;
const ceiling = (build) => {
  const probe = summary?.runs?.[build]?.probe;
  if (!probe) return null;
  const ids = Object.keys(probe).filter((id) => (build === "relaxed") === id.startsWith("madd"));
  return Math.max(...ids.map((id) => probe[id]));
};

const builds = [];
for (const build of ["simd", "relaxed"]) {
  const bytes = await compile(build === "relaxed");
  if (!WebAssembly.validate(bytes)) continue;
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
  builds.push({ build, exports, best: new Map() });
}
// Builds take turns pass by pass, so a slow stretch of the machine does not land on one only.
for (let p = 0; p < passes; p++) for (const x of builds) measure(x.exports, x.best);

console.log(
  `node ${process.version}, kc = ${kc}, best of ${passes} x ${rounds} batches per tile\n`,
);
console.log("| tile | live v128 | build | GFLOP/s | of ceiling |");
console.log("|---|---:|---|---:|---:|");
const live = { tile4x8: 14, tile6x8: 20, tile3x12: 15, tile5x8: 17 };
for (const { build, best } of builds) {
  const top = ceiling(build);
  for (const [name] of tiles) {
    const g = best.get(name);
    const share = top ? `${Math.round((100 * g) / top)}% of ${top.toFixed(1)}` : "–";
    console.log(`| ${name.slice(4)} | ${live[name]} | ${build} | ${g.toFixed(1)} | ${share} |`);
  }
}
console.log(
  "\nlive v128: accumulators + B vectors + A broadcasts per step, if all of a step's loads are" +
    " hoisted ahead of its arithmetic, as V8 up to 12.4 (Node 20, 22) does; the baseline build" +
    " needs one more for each product. x64 V8 allocates 15 (xmm15 is its scratch); above that" +
    " it spills. V8 13.6 (Node 24) interleaves the broadcasts with the arithmetic, so 6x8 needs" +
    " only 15 there.",
);
