/**
 * A thread's blocks of one parallel sgemm call that share an M block reuse the A it packed for
 * the first of them (one K block only, k <= 256). The reuse must never outlive its call: here A
 * changes in place between calls of the same shape at the same addresses (one M block twice in
 * a row, then plain, A transposed, batched with A broadcast, prepacked B, and a conv2d whose
 * sgemm packs A outside any parallel call), and every call must give the single-thread bits at
 * 2, 3 and 4 threads. (Numbering every call the same fails this test.)
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { backend, K } from "../../src/backend/runtime.js";

let seed = 777;
function rand(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32 - 0.5;
}

const M = 256;
const M1 = 100;
const N = 200;
const KK = 129;
const VERSIONS = 4;
const BATCH = 3;

/** Fresh A contents for version v (the same for every thread count). */
function aValues(v: number): Float32Array {
  seed = 1000 + v;
  return Float32Array.from({ length: M * KK }, rand);
}

const a = K.alloc(M * KK * 4);
const b = K.alloc(KK * N * BATCH * 4);
const c = K.alloc(M * N * BATCH * 4);
const packed = K.alloc(KK * Math.ceil(N / 8) * 32 + 16);
seed = 5;
backend.f32().set(Float32Array.from({ length: KK * N * BATCH }, rand), b >>> 2);
K.sgemm_pack_b_f32(packed, b, N, KK, N, 0);

/** Every kind of call, once per version of A, each result's bits. */
function runAll(): Uint32Array[] {
  const out: Uint32Array[] = [];
  const grab = (count: number) =>
    new Uint32Array(backend.f32().slice(c >>> 2, (c >>> 2) + count).buffer);
  for (let v = 0; v < VERSIONS; v++) {
    // One M block (every block packs the same rows of A), twice in a row with A changed in
    // between: each thread's packed A from the first call matches the second's in all but the call.
    for (const w of [v, v + VERSIONS]) {
      backend.f32().set(aValues(w), a >>> 2);
      K.sgemm_f32(c, N, a, KK, b, N, M1, N, KK, 0, 0, 1, 0);
      out.push(grab(M1 * N));
    }
    K.sgemm_f32(c, N, a, KK, b, N, M, N, KK, 0, 0, 1, 0);
    out.push(grab(M * N));
    // The same memory read as A transposed (KK x M stored, op(A) = M x KK).
    K.sgemm_f32(c, N, a, M, b, N, M, N, KK, 1, 0, 1, 0);
    out.push(grab(M * N));
    K.sgemm_batched_f32(c, N, M * N, a, KK, 0, b, N, KK * N, BATCH, M, N, KK, 0, 0, 1, 0);
    out.push(grab(M * N * BATCH));
    K.sgemm_prepacked_f32(c, N, a, KK, packed, M, N, KK, 0, 1, 0);
    out.push(grab(M * N));
    wg.tidy(() => {
      const x = wg.ones([2, 3, 20, 20]);
      wg.F.conv2d(x, wg.ones([8, 3, 3, 3]), null, { padding: 1 });
    });
  }
  return out;
}

afterAll(() => {
  for (const p of [a, b, c, packed]) K.free(p);
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("blocks reuse packed A within a call only: same bits at 1-4 threads as A changes", async () => {
  wg.setNumThreads(1);
  const expected = runAll();
  // A changes between versions, so a stale packed A would show.
  expect(expected[0]).not.toEqual(expected[1]);
  expect(expected[2]).not.toEqual(expected[8]);
  // Several column blocks per M block: the case the reuse is for.
  expect(K.sgemm_blocks(M, N, KK, 0, 0, 0)).toBeGreaterThan(2 * Math.ceil(M / 128));
  expect(K.sgemm_blocks(M1, N, KK, 0, 0, 0)).toBeGreaterThan(2);
  for (const threads of [2, 3, 4]) {
    wg.setNumThreads(threads, { minWorkMicros: 0 });
    await wg.ready();
    expect(wg.backendInfo().threads).toBe(threads);
    const got = runAll();
    got.forEach((g, i) => {
      const same = g.every((x, e) => x === expected[i][e]);
      expect(same, `result ${i} at ${threads} threads`).toBe(true);
    });
  }
});
