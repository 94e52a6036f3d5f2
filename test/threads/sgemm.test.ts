/**
 * Parallel sgemm gives the single-thread bits at 2, 3 and 4 threads: every path (dot tiles,
 * row tiles, the blocked loop nest, prepacked B, batched with and without a shared C), over
 * shapes across the block boundaries (MC = 128 rows, 16-column chunks, KC = 256), with
 * beta 0, 1 and 0.5. The threshold is 0, so every problem with more than one block is split.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { backend, K } from "../../src/backend/runtime.js";

let seed = 12345;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32 - 0.5;
}

interface Problem {
  kind: "plain" | "batched" | "prepacked";
  m: number;
  n: number;
  k: number;
  tA: 0 | 1;
  tB: 0 | 1;
  beta: number;
  batch: number;
  shareC: boolean;
}

const ms = [1, 2, 3, 5, 8, 17, 67, 127, 128, 129, 257];
const ns = [1, 15, 16, 17, 33, 64, 65, 130, 515];
const ks = [1, 7, 33, 256, 257, 600];
const betas = [0, 1, 0.5];

function problems(): Problem[] {
  const out: Problem[] = [];
  let i = 0;
  for (const m of ms) {
    for (const n of ns) {
      const k = ks[i % ks.length];
      const tA = (i % 2) as 0 | 1;
      const tB = ((i >> 1) % 2) as 0 | 1;
      const beta = betas[i % 3];
      out.push({ kind: "plain", m, n, k, tA, tB, beta, batch: 1, shareC: false });
      if (i % 4 === 0)
        out.push({ kind: "prepacked", m, n, k, tA, tB: 0, beta, batch: 1, shareC: false });
      if (i % 5 === 0) {
        out.push({ kind: "batched", m, n, k, tA, tB, beta, batch: 3, shareC: false });
        out.push({ kind: "batched", m, n, k, tA, tB, beta: 1, batch: 3, shareC: true });
      }
      i++;
    }
  }
  return out;
}

interface Case {
  p: Problem;
  a: number;
  b: number;
  c: number;
  packed: number;
  c0: Float32Array;
  expected?: Uint32Array;
}

function fill(count: number): number {
  const ptr = K.alloc(Math.max(16, count * 4));
  const f = backend.f32();
  for (let i = 0; i < count; i++) f[(ptr >>> 2) + i] = rand();
  return ptr;
}

function run(x: Case): Uint32Array {
  const { m, n, k, tA, tB, beta, batch } = x.p;
  const cCount = m * n * (x.p.shareC ? 1 : batch);
  backend.f32().set(x.c0, x.c >>> 2);
  const lda = tA ? m : k;
  const ldb = tB ? k : n;
  if (x.p.kind === "plain") K.sgemm_f32(x.c, n, x.a, lda, x.b, ldb, m, n, k, tA, tB, 1, beta);
  else if (x.p.kind === "prepacked")
    K.sgemm_prepacked_f32(x.c, n, x.a, lda, x.packed, m, n, k, tA, 1, beta);
  else {
    const sc = x.p.shareC ? 0 : m * n;
    K.sgemm_batched_f32(
      x.c,
      n,
      sc,
      x.a,
      lda,
      m * k,
      x.b,
      ldb,
      k * n,
      batch,
      m,
      n,
      k,
      tA,
      tB,
      1,
      beta,
    );
  }
  return new Uint32Array(backend.f32().slice(x.c >>> 2, (x.c >>> 2) + cCount).buffer);
}

const cases: Case[] = [];

beforeAll(() => {
  wg.setNumThreads(1);
  for (const p of problems()) {
    const batch = p.batch;
    const a = fill(p.m * p.k * batch);
    const b = fill(p.k * p.n * batch);
    const cCount = p.m * p.n * (p.shareC ? 1 : batch);
    const c = fill(cCount);
    const c0 = backend.f32().slice(c >>> 2, (c >>> 2) + cCount);
    let packed = 0;
    if (p.kind === "prepacked") {
      packed = K.alloc(p.k * Math.ceil(p.n / 8) * 32 + 16);
      K.sgemm_pack_b_f32(packed, b, p.n, p.k, p.n, 0);
    }
    const x: Case = { p, a, b, c, packed, c0 };
    x.expected = run(x);
    cases.push(x);
  }
});

afterAll(() => {
  for (const x of cases) for (const p of [x.a, x.b, x.c, x.packed]) if (p !== 0) K.free(p);
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

describe("parallel sgemm is bit-identical to one thread", () => {
  it("a split summation would be caught: halving K changes the bits", () => {
    const x = cases.find((c) => c.p.kind === "plain" && c.p.k >= 256 && c.p.m > 8 && c.p.n > 16);
    expect(x).toBeDefined();
    if (x === undefined) return;
    const { m, n, k, tA, tB, beta } = x.p;
    const h = k >> 1;
    backend.f32().set(x.c0, x.c >>> 2);
    const lda = tA ? m : k;
    const ldb = tB ? k : n;
    const a2 = tA ? x.a + h * lda * 4 : x.a + h * 4;
    const b2 = tB ? x.b + h * 4 : x.b + h * ldb * 4;
    K.sgemm_f32(x.c, n, x.a, lda, x.b, ldb, m, n, h, tA, tB, 1, beta);
    K.sgemm_f32(x.c, n, a2, lda, b2, ldb, m, n, k - h, tA, tB, 1, 1);
    const split = new Uint32Array(backend.f32().slice(x.c >>> 2, (x.c >>> 2) + m * n).buffer);
    expect(split).not.toEqual(x.expected);
  });

  for (const threads of [2, 3, 4]) {
    it(`${threads} threads`, async () => {
      expect(wg.setNumThreads(threads, { minWorkMicros: 0 })).toBe(threads);
      await wg.ready();
      expect(wg.backendInfo().threads).toBe(threads);
      let split = 0;
      for (const x of cases) {
        const { m, n, k, tA, tB } = x.p;
        if (
          K.sgemm_blocks(
            m,
            n,
            k,
            tA,
            x.p.kind === "prepacked" ? 0 : tB,
            x.p.kind === "prepacked" ? 1 : 0,
          ) > 1
        )
          split++;
        const got = run(x);
        if (!got.every((v, i) => v === x.expected?.[i])) {
          expect.fail(`${JSON.stringify(x.p)} differs at ${threads} threads`);
        }
      }
      expect(split).toBeGreaterThan(cases.length / 3);
    });
  }
});
