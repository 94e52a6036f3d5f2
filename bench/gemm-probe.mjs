// @ts-check
// The SIMD ceiling probe of bench/gemm.mjs: a hand-encoded WebAssembly module whose loop is
// nothing but independent f32x4 multiply-add chains (no memory traffic), so its GFLOP/s is what
// this engine and machine can reach at best; GEMM figures are reported as a share of it.

const now = () => performance.now();

/** @param {number} n */
const uleb = (n) => {
  /** @type {number[]} */
  const out = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
};
/** @param {number[][]} items */
const vec = (items) => [...uleb(items.length), ...items.flat()];
/** @param {number} id @param {number[]} bytes */
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
/** @param {string} s */
const name = (s) => [...uleb(s.length), ...Buffer.from(s, "utf8")];
/** @param {number} op */
const simd = (op) => [0xfd, ...uleb(op)];
const OP = { mul: 230, add: 228, sub: 229, extractLane: 31, v128const: 12, madd: 261 };
/** @param {number} i */
const localGet = (i) => [0x20, ...uleb(i)];
/** @param {number} i */
const localSet = (i) => [0x21, ...uleb(i)];
/** @param {number} v */
const f32x4 = (v) => [
  ...simd(OP.v128const),
  ...new Uint8Array(new Float32Array([v, v, v, v]).buffer),
];

/**
 * A module exporting `run(iterations: i32) -> f32`. Local 0 is the counter; v128 locals follow.
 *   "chain": acc_i = acc_i * m + c (f32x4.mul then f32x4.add; the GEMM update's two ops).
 *   "split": chains of f32x4.mul only (x * -1) and chains of f32x4.add only (+c, then -c),
 *            which can keep the multiply and add units busy at once.
 *   "madd":  acc_i = relaxed_madd(acc_i, m, c).
 * Every iteration runs each chain twice; all values stay bounded and normal.
 * @param {"chain" | "split" | "madd"} kind
 * @param {number} chains
 * @returns {Uint8Array<ArrayBuffer>}
 */
export function probeModule(kind, chains, mulChains = 0) {
  const K1 = chains + 1; // constant m (or -1)
  const K2 = chains + 2; // constant c
  const acc = (/** @type {number} */ i) => i + 1;
  /** @type {number[]} */
  const body = [];
  if (kind === "split") body.push(...f32x4(-1), ...localSet(K1), ...f32x4(0.125), ...localSet(K2));
  else body.push(...f32x4(0.999), ...localSet(K1), ...f32x4(0.001), ...localSet(K2));
  for (let i = 0; i < chains; i++) body.push(...f32x4(1 + i / 64), ...localSet(acc(i)));
  body.push(0x03, 0x40); // loop
  for (let u = 0; u < 2; u++) {
    for (let i = 0; i < chains; i++) {
      body.push(...localGet(acc(i)));
      if (kind === "madd") {
        body.push(...localGet(K1), ...localGet(K2), ...simd(OP.madd));
      } else if (kind === "chain") {
        body.push(...localGet(K1), ...simd(OP.mul), ...localGet(K2), ...simd(OP.add));
      } else if (i < mulChains) {
        body.push(...localGet(K1), ...simd(OP.mul));
      } else {
        body.push(...localGet(K2), ...simd(u === 0 ? OP.add : OP.sub));
      }
      body.push(...localSet(acc(i)));
    }
  }
  // counter = counter - 1; br_if (counter != 0) to the loop
  body.push(...localGet(0), 0x41, 1, 0x6b, 0x22, 0, 0x0d, 0, 0x0b);
  body.push(...localGet(acc(0)));
  for (let i = 1; i < chains; i++) body.push(...localGet(acc(i)), ...simd(OP.add));
  body.push(...simd(OP.extractLane), 0, 0x0b);
  const fn = [...vec([[...uleb(chains + 2), 0x7b]]), ...body];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, 1, 0x7f, 1, 0x7d]])), // type: (i32) -> f32
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(7, vec([[...name("run"), 0x00, 0]])), // export "run"
    ...section(10, vec([[...uleb(fn.length), ...fn]])), // code
  ]);
}

export function relaxedValidates() {
  return WebAssembly.validate(probeModule("madd", 1));
}

/**
 * @type {{ id: string, kind: "chain" | "split" | "madd", chains: number, mulChains?: number,
 *   family: "baseline" | "relaxed" }[]}
 */
export const probeVariants = [
  { id: "chain-10", kind: "chain", chains: 10, family: "baseline" },
  { id: "chain-12", kind: "chain", chains: 12, family: "baseline" },
  { id: "split-5+5", kind: "split", chains: 10, mulChains: 5, family: "baseline" },
  { id: "split-6+6", kind: "split", chains: 12, mulChains: 6, family: "baseline" },
  { id: "madd-8", kind: "madd", chains: 8, family: "relaxed" },
  { id: "madd-10", kind: "madd", chains: 10, family: "relaxed" },
  { id: "madd-12", kind: "madd", chains: 12, family: "relaxed" },
];

/**
 * GFLOP/s of each probe variant this engine validates: best of several >= minMs runs (3 with
 * `quick`, else 8), or of those and `previous`.
 */
export function measureProbe(
  /** @type {Record<string, number>} */ previous,
  /** @type {{ minMs: number, quick: boolean }} */ { minMs, quick },
) {
  /** @type {Record<string, number>} */
  const result = { ...previous };
  for (const v of probeVariants) {
    const bytes = probeModule(v.kind, v.chains, v.mulChains);
    if (!WebAssembly.validate(bytes)) continue;
    const run = /** @type {(iterations: number) => number} */ (
      new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports.run
    );
    // f32x4 ops per iteration: two passes over the chains; chain: mul + add; madd: 2 flops/lane.
    const flopsPerIter = 2 * v.chains * 4 * (v.kind === "split" ? 1 : 2);
    for (let i = 0; i < 3; i++) run(200_000); // tier up to optimized code
    let iters = 200_000;
    const t0 = now();
    run(iters);
    iters = Math.max(1000, Math.ceil((iters * minMs) / (now() - t0)));
    let best = 0;
    for (let r = 0; r < (quick ? 3 : 8); r++) {
      const t = now();
      if (!Number.isFinite(run(iters))) throw new Error(`probe ${v.id}: non-finite result`);
      best = Math.max(best, (iters * flopsPerIter) / ((now() - t) / 1e3) / 1e9);
    }
    result[v.id] = Math.max(result[v.id] ?? 0, best);
  }
  return result;
}

/** The best probe of each family (baseline mul+add, relaxed madd). */
export function ceilings(/** @type {Record<string, number>} */ probe) {
  const best = (/** @type {string} */ family) => {
    /** @type {{ variant: string, gflops: number } | null} */
    let top = null;
    for (const v of probeVariants) {
      const g = probe[v.id];
      if (v.family === family && g !== undefined && (top === null || g > top.gflops)) {
        top = { variant: v.id, gflops: g };
      }
    }
    return top;
  };
  return { baseline: best("baseline"), relaxed: best("relaxed") };
}
