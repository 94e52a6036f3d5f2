/**
 * conv2d's forward in the wide layout (stride 1) with one image per block splits each image
 * into its chunks of output rows, so that a single large image spreads over the threads: the
 * output is the single-thread bits at 2, 3 and 4 threads, with each block padding only the input
 * rows its chunk reads (first, middle and last chunks, dilation, a kernel wider than tall,
 * padding 0 and a lopsided one, bias or none).
 */
import { afterAll, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";
import { threadState } from "../../src/backend/parallel.js";

interface Geo {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  kh: number;
  kw: number;
  bias: boolean;
  args: { padding?: number | [number, number]; dilation?: number };
}

const geos: Geo[] = [
  { n: 1, c: 40, h: 30, w: 45, oc: 24, kh: 3, kw: 3, bias: true, args: { padding: 1 } },
  {
    n: 2,
    c: 64,
    h: 21,
    w: 33,
    oc: 9,
    kh: 3,
    kw: 3,
    bias: false,
    args: { padding: 2, dilation: 2 },
  },
  { n: 1, c: 48, h: 25, w: 37, oc: 16, kh: 3, kw: 5, bias: true, args: {} },
  { n: 1, c: 33, h: 40, w: 31, oc: 8, kh: 5, kw: 3, bias: true, args: { padding: [2, 0] } },
];

function runAll(): Uint32Array[] {
  wg.manualSeed(3);
  return geos.map((g) =>
    wg.tidy(() => {
      const x = wg.randn([g.n, g.c, g.h, g.w]);
      const w = wg.randn([g.oc, g.c, g.kh, g.kw]);
      const b = g.bias ? wg.randn([g.oc]) : null;
      const out = wg.F.conv2d(x, w, b, g.args);
      return new Uint32Array(out.data().slice().buffer);
    }),
  );
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("conv2d forward split into chunks of output rows gives the same bits at 1-4 threads", async () => {
  wg.setNumThreads(1);
  const expected = runAll();
  for (const threads of [2, 3, 4]) {
    wg.setNumThreads(threads, { minWorkMicros: 0 });
    await wg.ready();
    const pool = threadState.pool;
    if (pool === undefined) throw new Error("no pool");
    const run = vi.spyOn(pool, "run");
    const got = runAll();
    // Each forward ran as one pool task of more blocks than images (row chunks).
    const forward = run.mock.calls.filter(([kernel]) => kernel === 3);
    expect(forward.length).toBe(geos.length);
    forward.forEach(([, , blocks], i) => {
      expect(blocks, JSON.stringify(geos[i])).toBeGreaterThan(geos[i].n);
    });
    run.mockRestore();
    geos.forEach((g, i) => {
      const same = got[i].every((v, e) => v === expected[i][e]);
      expect(same, `${JSON.stringify(g)} at ${threads} threads`).toBe(true);
    });
  }
});
