import { describe, expect, it } from "vitest";
import type { Trans } from "../../src/backend/table/gemm.js";
import { type Backend, instantiate } from "../../src/backend/wasm.js";
import { backendFor, get, put, randomArray, variants } from "../helpers/backend.js";

/** A module instance with sgemm's register tile set to `rows` (fresh: the tile is per module). */
function withTile(variant: "simd" | "relaxed", rows: number): Backend {
  const b = instantiate(variant);
  b.kernels.sgemm_set_tile(rows);
  return b;
}

/**
 * Every kernel configuration a user can get: both builds with the 4x8 tile, and the relaxed
 * build with the 6x8 tile that the loader picks on V8 13.6+.
 */
const configs: [string, Backend][] = [
  ...variants.map((v): [string, Backend] => [`${v} build`, backendFor(v)]),
  ...(variants.includes("relaxed")
    ? [["relaxed build, 6x8 tile", withTile("relaxed", 6)] as [string, Backend]]
    : []),
];

/** One sgemm problem; the pads widen the leading dimensions past the stored row. */
interface Problem {
  m: number;
  n: number;
  k: number;
  ta: Trans;
  tb: Trans;
  alpha: number;
  beta: number;
  padA?: number;
  padB?: number;
  padC?: number;
}

const layouts: [Trans, Trans][] = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const layoutName = (ta: Trans, tb: Trans): string => `${ta ? "T" : "N"}${tb ? "T" : "N"}`;
/** Written around and after C: must survive every call bit for bit. */
const SENTINEL = -12345.5;

/** Stored operands: A is m x k (ta 0) or k x m (ta 1), B is k x n (tb 0) or n x k (tb 1). */
function operands(p: Problem, seed: number) {
  // BLAS-style leading dimensions: at least 1, so empty problems still have a layout.
  const lda = Math.max(1, (p.ta ? p.m : p.k) + (p.padA ?? 0));
  const ldb = Math.max(1, (p.tb ? p.k : p.n) + (p.padB ?? 0));
  const ldc = Math.max(1, p.n + (p.padC ?? 0));
  const a = randomArray((p.ta ? p.k : p.m) * lda, seed);
  const b = randomArray((p.tb ? p.n : p.k) * ldb, seed + 1);
  const c = randomArray(p.m * ldc + 8, seed + 2, -2, 2);
  for (let i = 0; i < c.length; i++) {
    const row = Math.floor(i / ldc);
    const inside = row < p.m && i % ldc < p.n;
    // beta == 0 must not read C, so its C starts as NaN.
    if (!inside) c[i] = SENTINEL;
    else if (p.beta === 0) c[i] = Number.NaN;
  }
  return { a, b, c, lda, ldb, ldc };
}

interface Reference {
  out: Float64Array;
  scale: Float64Array;
}

/**
 * References already computed, by problem and operand contents: every kernel configuration
 * (both builds, both tiles) runs the same seeded problems, so each reference is computed once.
 */
const references = new Map<string, Reference>();

/** A cheap content key: the problem, the leading dimensions and a checksum of the operands. */
function referenceKey(p: Problem, a: Float32Array, lda: number, b: Float32Array, ldb: number) {
  let h = 0;
  for (const x of [a, b]) {
    const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
    for (let i = 0; i < bits.length; i++) h = (Math.imul(h, 31) + bits[i]) | 0;
  }
  return `${p.m},${p.n},${p.k},${p.ta},${p.tb},${lda},${ldb},${a.length},${b.length},${h}`;
}

/**
 * Reference in double; also returns the scale each entry's rounding error is bounded by. The
 * operands are first copied to contiguous rows (A as m x k, B transposed as n x k), so the inner
 * loop is one dot product with no layout branches.
 */
function reference(p: Problem, a: Float32Array, lda: number, b: Float32Array, ldb: number) {
  const key = referenceKey(p, a, lda, b, ldb);
  const cached = references.get(key);
  if (cached !== undefined) return cached;
  const { m, n, k } = p;
  const ar = new Float64Array(m * k);
  const bt = new Float64Array(n * k);
  for (let i = 0; i < m; i++)
    for (let q = 0; q < k; q++) ar[i * k + q] = p.ta ? a[q * lda + i] : a[i * lda + q];
  for (let j = 0; j < n; j++)
    for (let q = 0; q < k; q++) bt[j * k + q] = p.tb ? b[j * ldb + q] : b[q * ldb + j];
  const out = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s = 0;
      let abs = 0;
      for (let q = 0; q < k; q++) {
        const xy = ar[ai + q] * bt[bj + q];
        s += xy;
        abs += Math.abs(xy);
      }
      out[i * n + j] = s;
      scale[i * n + j] = abs;
    }
  }
  const ref = { out, scale };
  references.set(key, ref);
  return ref;
}

/** Float32 rounding allows about K * 2^-24 of the absolute sum; this allows 3x that. */
const tolerance = (k: number, scale: number): number => 2e-7 * (k + 4) * scale + 1e-30;

function runSgemm(b: Backend, p: Problem, seed: number) {
  const ops = operands(p, seed);
  const pa = put(b, ops.a);
  const pb = put(b, ops.b);
  const pc = put(b, ops.c);
  const { m, n, k, ta, tb, alpha, beta } = p;
  b.kernels.sgemm_f32(pc, ops.ldc, pa, ops.lda, pb, ops.ldb, m, n, k, ta, tb, alpha, beta);
  const out = get(b, pc, ops.c.length);
  for (const ptr of [pa, pb, pc]) b.kernels.free(ptr);
  return { ops, out };
}

/** Checks out against the reference and that nothing outside C[0:m, 0:n] changed. */
function check(p: Problem, ops: ReturnType<typeof operands>, out: Float32Array): void {
  const shape = `${layoutName(p.ta, p.tb)} m=${p.m} n=${p.n} k=${p.k}`;
  const label = `${shape} alpha=${p.alpha} beta=${p.beta}`;
  const ref = reference(p, ops.a, ops.lda, ops.b, ops.ldb);
  for (let idx = 0; idx < out.length; idx++) {
    const i = Math.floor(idx / ops.ldc);
    const j = idx % ops.ldc;
    if (i >= p.m || j >= p.n) {
      if (out[idx] !== SENTINEL) {
        expect.fail(`${label}: wrote outside C at row ${i} col ${j}: ${out[idx]}`);
      }
      continue;
    }
    const c0 = p.beta === 0 ? 0 : p.beta * ops.c[idx];
    const want = p.alpha * ref.out[i * p.n + j] + c0;
    const scale = Math.abs(p.alpha) * ref.scale[i * p.n + j] + Math.abs(c0);
    const err = Math.abs(out[idx] - want);
    if (!(err <= tolerance(p.k, scale))) {
      expect.fail(`${label}: C[${i},${j}] = ${out[idx]}, want ${want} (err ${err})`);
    }
  }
}

const sizes = [0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 64, 65, 127, 257];
/** alpha, beta pairs rotated through the sweep. */
const scalars: [number, number][] = [
  [1, 0],
  [1, 1],
  [0.5, -2],
  [-1.5, 0],
  [2, 0.25],
];

/**
 * A sweep over (m, n, k) that hits every m % 4, m % 6, n % 8 and k % 4, every small-problem path
 * (scalar, few-row, dot-product) and the packed one, without the full cube. Block boundaries
 * have their own test.
 */
function sweep(): Problem[] {
  const out: Problem[] = [];
  const ms = [1, 2, 3, 4, 5, 6, 7, 9, 12, 13, 16, 17, 20, 33, 65];
  const ns = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, 33, 64];
  const ks = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 64, 65, 127];
  let r = 0;
  for (const m of ms) {
    for (const n of ns) {
      const k = ks[r % ks.length];
      const [alpha, beta] = scalars[r % scalars.length];
      const pads = { padA: r % 3, padB: (r >> 1) % 3, padC: r % 2 };
      out.push({ m, n, k, ta: 0, tb: 0, alpha, beta, ...pads });
      r++;
    }
  }
  return out;
}

describe.each(configs)("sgemm_f32 (%s)", (_name, b: Backend) => {
  for (const [ta, tb] of layouts) {
    it(`${layoutName(ta, tb)}: remainders, alpha/beta, padded leading dimensions`, () => {
      let seed = 1;
      for (const p of sweep()) {
        const q = { ...p, ta, tb };
        const { ops, out } = runSgemm(b, q, seed++);
        check(q, ops, out);
      }
    });

    it(`${layoutName(ta, tb)}: listed sizes, square and mixed`, () => {
      let seed = 100;
      for (let s = 0; s < sizes.length; s++) {
        const n = sizes[s];
        const [alpha, beta] = scalars[s % scalars.length];
        const square = { m: n, n, k: n, ta, tb, alpha, beta };
        const mixed = { m: n, n: sizes[(s + 5) % sizes.length], k: sizes[(s + 11) % sizes.length] };
        for (const q of [square, { ...square, ...mixed }]) {
          const { ops, out } = runSgemm(b, q, seed++);
          check(q, ops, out);
        }
      }
    });

    it(`${layoutName(ta, tb)}: block boundaries, model shapes, few-row shapes`, () => {
      // K > 256 (several K blocks), M > 128 (several A blocks), N > 512 (several B blocks)
      const big: Problem[] = [
        { m: 129, n: 520, k: 300, ta, tb, alpha: 1, beta: 0, padA: 1, padB: 3, padC: 5 },
        { m: 131, n: 23, k: 513, ta, tb, alpha: -0.5, beta: 1 },
        { m: 64, n: 128, k: 784, ta, tb, alpha: 1, beta: 0 },
        { m: 40, n: 77, k: 257, ta, tb, alpha: 1, beta: 1, padC: 3 },
        { m: 257, n: 9, k: 66, ta, tb, alpha: 2, beta: 0.5, padA: 2 },
        // one M block, B panels packed just before use, in pairs and singly, with an edge panel;
        // with NN, rows of B 4 KB apart (packed rather than read in place)
        { m: 32, n: 1000, k: 260, ta, tb, alpha: 1, beta: 0.5, padB: 24 },
        { m: 20, n: 29, k: 70, ta, tb, alpha: 1, beta: 0, padB: 3 },
        // matrix-vector and few-row shapes (batch-1 layers), with every tail
        { m: 1, n: 128, k: 784, ta, tb, alpha: 1, beta: 0 },
        { m: 2, n: 787, k: 130, ta, tb, alpha: 1, beta: 1, padA: 1, padB: 2, padC: 1 },
        { m: 3, n: 45, k: 37, ta, tb, alpha: -1, beta: 0 },
        { m: 8, n: 21, k: 35, ta, tb, alpha: 0.5, beta: 2, padB: 1 },
      ];
      let seed = 500;
      for (const q of big) {
        const { ops, out } = runSgemm(b, q, seed++);
        check(q, ops, out);
      }
    });
  }

  it("k == 0 gives beta * C, and beta == 0 writes zeros over NaN", () => {
    for (const [alpha, beta] of [
      [1, 0],
      [1, 1],
      [1, -3],
    ]) {
      for (const [m, n] of [
        [3, 5],
        [16, 16],
        [9, 1],
      ]) {
        const q: Problem = { m, n, k: 0, ta: 0, tb: 1, alpha, beta, padC: 2 };
        const { ops, out } = runSgemm(b, q, 7);
        check(q, ops, out);
      }
    }
  });

  it("alpha == 0 reads neither A nor B (NaN there stays out of C)", () => {
    for (const size of [3, 40]) {
      const p: Problem = { m: size, n: size, k: size, ta: 0, tb: 0, alpha: 0, beta: 0.5 };
      const ops = operands(p, 3);
      const pa = put(b, new Float32Array(ops.a.length).fill(Number.NaN));
      const pb = put(b, new Float32Array(ops.b.length).fill(Number.NaN));
      const pc = put(b, ops.c);
      b.kernels.sgemm_f32(pc, ops.ldc, pa, ops.lda, pb, ops.ldb, p.m, p.n, p.k, 0, 0, 0, 0.5);
      const out = get(b, pc, ops.c.length);
      for (let i = 0; i < size * size; i++) expect(out[i]).toBe(Math.fround(0.5 * ops.c[i]));
      for (const ptr of [pa, pb, pc]) b.kernels.free(ptr);
    }
  });

  it("m == 0 or n == 0 touches nothing", () => {
    for (const [m, n] of [
      [0, 5],
      [5, 0],
      [0, 0],
    ]) {
      const q: Problem = { m, n, k: 4, ta: 0, tb: 0, alpha: 1, beta: 0 };
      const { ops, out } = runSgemm(b, q, 9);
      check(q, ops, out);
    }
  });

  it("1x1 and 4x3 problems", () => {
    for (const q of [
      { m: 1, n: 1, k: 1, ta: 0, tb: 0, alpha: 1, beta: 0 },
      { m: 4, n: 3, k: 2, ta: 0, tb: 1, alpha: 1, beta: 1 },
      { m: 4, n: 3, k: 5, ta: 1, tb: 0, alpha: 1, beta: 0 },
    ] as Problem[]) {
      const { ops, out } = runSgemm(b, q, 11);
      check(q, ops, out);
    }
  });
});

/** The batch's operands one after another, or only the first when broadcast (stride 0). */
function stack(xs: Float32Array[], broadcast: boolean): Float32Array {
  if (broadcast) return xs[0].slice();
  const all = new Float32Array(xs.reduce((sum, x) => sum + x.length, 0));
  let offset = 0;
  for (const x of xs) {
    all.set(x, offset);
    offset += x.length;
  }
  return all;
}

interface Broadcast {
  a?: boolean;
  b?: boolean;
  c?: boolean;
}

describe.each(configs)("sgemm_batched_f32 (%s)", (_name, b: Backend) => {
  /** Runs `batch` problems with element strides (0 where broadcast); returns inputs and C. */
  function batched(p: Problem, batch: number, broadcast: Broadcast) {
    const items = Array.from({ length: batch }, (_, i) => operands(p, 40 + 3 * i));
    const { lda, ldb, ldc } = items[0];
    const stride = (x: Float32Array, bc?: boolean) => (bc ? 0 : x.length);
    const pa = put(
      b,
      stack(
        items.map((x) => x.a),
        !!broadcast.a,
      ),
    );
    const pb = put(
      b,
      stack(
        items.map((x) => x.b),
        !!broadcast.b,
      ),
    );
    const cIn = stack(
      items.map((x) => x.c),
      !!broadcast.c,
    );
    const pc = put(b, cIn);
    const { m, n, k, ta, tb, alpha, beta } = p;
    const sa = stride(items[0].a, broadcast.a);
    const sb = stride(items[0].b, broadcast.b);
    const sc = stride(items[0].c, broadcast.c);
    b.kernels.sgemm_batched_f32(
      pc,
      ldc,
      sc,
      pa,
      lda,
      sa,
      pb,
      ldb,
      sb,
      batch,
      m,
      n,
      k,
      ta,
      tb,
      alpha,
      beta,
    );
    const out = get(b, pc, cIn.length);
    for (const ptr of [pa, pb, pc]) b.kernels.free(ptr);
    return { items, out };
  }

  for (const [ta, tb] of layouts) {
    it(`${layoutName(ta, tb)}: independent problems, and stride 0 broadcasting A or B`, () => {
      const problems: Problem[] = [
        { m: 5, n: 7, k: 3, ta, tb, alpha: 1, beta: 0 },
        { m: 17, n: 12, k: 33, ta, tb, alpha: 0.5, beta: 1, padC: 1 },
        { m: 2, n: 20, k: 40, ta, tb, alpha: 1, beta: 0 },
      ];
      for (const p of problems) {
        for (const broadcast of [{}, { a: true }, { b: true }] as Broadcast[]) {
          const batch = 3;
          const { items, out } = batched(p, batch, broadcast);
          const len = items[0].c.length;
          for (let i = 0; i < batch; i++) {
            const a = broadcast.a ? items[0].a : items[i].a;
            const bb = broadcast.b ? items[0].b : items[i].b;
            check(p, { ...items[i], a, b: bb }, out.subarray(i * len, (i + 1) * len));
          }
        }
      }
    });
  }

  it("strideC 0 with beta 1 sums the products into one C", () => {
    const p: Problem = { m: 6, n: 10, k: 9, ta: 0, tb: 1, alpha: 1, beta: 1 };
    const batch = 4;
    const { items, out } = batched(p, batch, { c: true });
    const { ldc } = items[0];
    const refs = items.map((ops) => reference(p, ops.a, ops.lda, ops.b, ops.ldb));
    for (let i = 0; i < p.m; i++) {
      for (let j = 0; j < p.n; j++) {
        let want = items[0].c[i * ldc + j];
        let scale = Math.abs(want);
        for (const r of refs) {
          want += r.out[i * p.n + j];
          scale += r.scale[i * p.n + j];
        }
        const err = Math.abs(out[i * ldc + j] - want);
        expect(err).toBeLessThanOrEqual(tolerance(p.k * batch, scale));
      }
    }
  });

  it("batch 0 touches nothing", () => {
    const c = put(b, [SENTINEL]);
    b.kernels.sgemm_batched_f32(c, 4, 16, c, 4, 16, c, 4, 16, 0, 4, 4, 4, 0, 0, 1, 0);
    expect(get(b, c, 1)[0]).toBe(SENTINEL);
    b.kernels.free(c);
  });
});

describe("sgemm_set_tile", () => {
  it("takes 6 rows only in the relaxed build, and 4 in both", () => {
    for (const v of variants) {
      const b = instantiate(v);
      expect(b.kernels.sgemm_set_tile(6)).toBe(v === "relaxed" ? 6 : 4);
      expect(b.kernels.sgemm_set_tile(4)).toBe(4);
      expect(b.kernels.sgemm_set_tile(5)).toBe(4);
    }
  });

  it.skipIf(!variants.includes("relaxed"))("6x8 and 4x8 tiles give the same C bit for bit", () => {
    const four = withTile("relaxed", 4);
    const six = withTile("relaxed", 6);
    for (const [ta, tb] of layouts) {
      for (const q of [
        { m: 131, n: 45, k: 300, ta, tb, alpha: 0.5, beta: 1, padA: 1, padC: 2 },
        { m: 64, n: 1000, k: 70, ta, tb, alpha: 1, beta: 0, padB: 24 },
        { m: 300, n: 17, k: 9, ta, tb, alpha: -1, beta: 0.25 },
        // last M blocks of 127 rows with full K blocks: the split that once overran packA
        { m: 255, n: 16, k: 256, ta, tb, alpha: 1, beta: 0 },
        { m: 383, n: 24, k: 512, ta, tb, alpha: 1, beta: 1 },
      ] as Problem[]) {
        const x = runSgemm(four, q, 5);
        const y = runSgemm(six, q, 5);
        expect(y.out, `${layoutName(ta, tb)} ${q.m}x${q.n}x${q.k}`).toEqual(x.out);
      }
    }
  });
});

describe.skipIf(!variants.includes("relaxed"))("6x8 tile: every block height", () => {
  it("M = 1..260 (every remainder mod 6 and mod 128) with a full K block agree with 4x8 bit for bit", () => {
    const four = withTile("relaxed", 4);
    const six = withTile("relaxed", 6);
    for (let m = 1; m <= 260; m++) {
      for (const [ta, tb] of [
        [0, 0],
        [1, 1],
      ] as [Trans, Trans][]) {
        const q: Problem = { m, n: 9, k: 256, ta, tb, alpha: 1, beta: 0 };
        const x = runSgemm(four, q, m);
        const y = runSgemm(six, q, m);
        if (!x.out.every((v, i) => Object.is(v, y.out[i]))) {
          expect.fail(`m=${m} ${layoutName(ta, tb)}: the tiles disagree`);
        }
      }
    }
  });
});

describe.each(configs)("sgemm_f32 random problems (%s)", (_name, b: Backend) => {
  it("120 seeded random shapes, layouts, paddings and scalars match the reference", () => {
    // Sizes drawn across the block boundaries (M around MC = 128, K around KC = 256, N around
    // NC = 512), with the small-problem paths and every remainder in reach.
    let s = 0x2545f491;
    const next = (n: number): number => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) % n;
    };
    const pick = (xs: number[]): number => xs[next(xs.length)];
    for (let i = 0; i < 120; i++) {
      const q: Problem = {
        m: next(3) === 0 ? 1 + next(8) : 1 + next(400),
        n: next(3) === 0 ? 1 + next(20) : 1 + next(600),
        k: next(3) === 0 ? 1 + next(16) : 1 + next(560),
        ta: next(2) as Trans,
        tb: next(2) as Trans,
        alpha: pick([1, 1, -0.5, 2]),
        beta: pick([0, 0, 1, 0.5]),
        padA: next(4) === 0 ? next(9) : 0,
        padB: next(4) === 0 ? next(9) : 0,
        padC: next(4) === 0 ? next(9) : 0,
      };
      if (q.m * q.n * q.k > 6e6) q.n = Math.max(1, Math.floor(6e6 / (q.m * q.k)));
      const { ops, out } = runSgemm(b, q, 900 + i);
      check(q, ops, out);
    }
  });
});

describe.skipIf(variants.length < 2)("baseline and relaxed builds", () => {
  it("agree within tolerance on every layout", () => {
    const [simd, relaxed] = (["simd", "relaxed"] as const).map(backendFor);
    for (const [ta, tb] of layouts) {
      for (const q of [
        { m: 37, n: 41, k: 300, ta, tb, alpha: 1, beta: 0 },
        { m: 64, n: 128, k: 784, ta, tb, alpha: 1, beta: 1 },
      ] as Problem[]) {
        const x = runSgemm(simd, q, 77);
        const y = runSgemm(relaxed, q, 77);
        const ref = reference(q, x.ops.a, x.ops.lda, x.ops.b, x.ops.ldb);
        for (let i = 0; i < q.m; i++) {
          for (let j = 0; j < q.n; j++) {
            const idx = i * x.ops.ldc + j;
            const c0 = q.beta === 0 ? 0 : Math.abs(q.beta * x.ops.c[idx]);
            const scale = ref.scale[i * q.n + j] + c0;
            const diff = Math.abs(x.out[idx] - y.out[idx]);
            if (!(diff <= tolerance(q.k, scale))) {
              expect.fail(`${layoutName(ta, tb)} ${q.m}x${q.n}x${q.k} [${i},${j}]: ${diff}`);
            }
          }
        }
      }
    }
  });
});

describe.each(configs)("sgemm_pack_b_f32 + sgemm_prepacked_f32 (%s)", (_name, b: Backend) => {
  const k = b.kernels;
  // K past one block (KC = 256), N past one NC block (512) and not a multiple of 8.
  const problems: Problem[] = [];
  for (const [m, n, kk] of [
    [1, 1, 1],
    [3, 9, 5],
    [4, 8, 8],
    [32, 1024, 256],
    [7, 530, 300],
    [33, 17, 513],
    [0, 5, 3],
    [5, 0, 3],
    [5, 6, 0],
  ]) {
    for (const [ta, tb] of layouts) {
      problems.push({ m, n, k: kk, ta, tb, alpha: 1, beta: 0, padA: 1, padB: 3, padC: 2 });
    }
  }
  problems.push({ m: 9, n: 20, k: 40, ta: 0, tb: 1, alpha: -0.5, beta: 1 });
  for (const p of problems) {
    it(`${layoutName(p.ta, p.tb)} m=${p.m} n=${p.n} k=${p.k} alpha=${p.alpha} beta=${p.beta}`, () => {
      const ops = operands(p, 7);
      const pa = put(b, ops.a);
      const pb = put(b, ops.b);
      const pc = put(b, ops.c);
      const packed = k.alloc(Math.max(16, p.k * Math.ceil(p.n / 8) * 8 * 4));
      k.sgemm_pack_b_f32(packed, pb, ops.ldb, p.k, p.n, p.tb);
      k.sgemm_prepacked_f32(pc, ops.ldc, pa, ops.lda, packed, p.m, p.n, p.k, p.ta, p.alpha, p.beta);
      check(p, ops, get(b, pc, ops.c.length));
      for (const ptr of [pa, pb, pc, packed]) k.free(ptr);
    });
  }
});
