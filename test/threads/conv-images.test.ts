/**
 * conv2d's forward and input gradient on the pool go through their product fewer images at a
 * time than the whole call puts side by side (about 32 blocks for a batch of small images,
 * rather than one block per group of NB images), and still give the single-thread bits at 2, 3
 * and 4 threads: wide layout with images whose columns are not a multiple of 8 (so each image's
 * columns fall in other register tiles than in the whole call), a last block with fewer images,
 * strided, grouped and dilated convolutions, and products off sgemm's blocked path (the input
 * gradient's with Kd = 3, the grouped forward's with 3 output channels a group), which keep the
 * whole call's groups of images (the argument for the bits covers the blocked path only).
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
  args: { stride?: number; padding?: number; dilation?: number; groups?: number };
  /** Blocks of the input gradient's task, and of the forward's (0: one block, not on the pool). */
  blocks: number;
  forward: number;
}

const geos: Geo[] = [
  // Wide, 8 images per product in the whole call (columns 13 x 15 per image): the input gradient
  // in blocks of 2, then 1. The forward (3x3, stride 1, 16 channels) is Winograd's, whose blocks
  // are row ranges of one image: 33 images, all 13 rows each.
  {
    n: 33,
    c: 16,
    h: 13,
    w: 13,
    oc: 24,
    kh: 3,
    kw: 3,
    args: { padding: 1 },
    blocks: 17,
    forward: 33,
  },
  // Strided, all 40 images in one product in the whole call: blocks of 2.
  {
    n: 40,
    c: 8,
    h: 11,
    w: 11,
    oc: 12,
    kh: 3,
    kw: 3,
    args: { stride: 2, padding: 1 },
    blocks: 20,
    forward: 20,
  },
  // Groups and dilation, wide: one image per block.
  {
    n: 12,
    c: 6,
    h: 10,
    w: 9,
    oc: 9,
    kh: 3,
    kw: 3,
    args: { groups: 3, dilation: 2, padding: 2 },
    blocks: 12,
    // 3 output channels a group: sgemm's row path, so all 12 images in one block, as one call.
    forward: 0,
  },
  // Kd = 3: the input gradient takes sgemm's row path and keeps NB = 8 images per block; the
  // forward (4 x q over Kd = 3) is blocked: one image per block.
  { n: 20, c: 1, h: 64, w: 64, oc: 4, kh: 1, kw: 3, args: { padding: 1 }, blocks: 3, forward: 20 },
];

function runAll(): Uint32Array[][] {
  wg.manualSeed(11);
  return geos.map((g) =>
    wg.tidy(() => {
      const x = wg.randn([g.n, g.c, g.h, g.w]);
      x.requiresGrad = true;
      const w = wg.randn([g.oc, g.c / (g.args.groups ?? 1), g.kh, g.kw]);
      const b = wg.randn([g.oc]);
      const out = wg.F.conv2d(x, w, b, g.args);
      out.backward(wg.randn(out.shape));
      if (x.grad === null) throw new Error("no gradient");
      return [
        new Uint32Array(out.data().slice().buffer),
        new Uint32Array(x.grad.data().slice().buffer),
      ];
    }),
  );
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("conv2d's forward and input gradient in blocks of fewer images give the same bits at 1-4 threads", async () => {
  wg.setNumThreads(1);
  const expected = runAll();
  for (const threads of [2, 3, 4]) {
    wg.setNumThreads(threads, { minWorkMicros: 0 });
    await wg.ready();
    const pool = threadState.pool;
    if (pool === undefined) throw new Error("no pool");
    const run = vi.spyOn(pool, "run");
    const got = runAll();
    const blocksOf = (name: string) =>
      run.mock.calls
        .filter(([kernel]) => threadState.names[kernel] === name)
        .map(([, , blocks]) => blocks);
    expect(blocksOf("conv2d_bwd_input_block_f32")).toEqual(geos.map((g) => g.blocks));
    expect(blocksOf("conv2d_block_f32")).toEqual(
      geos.filter((g) => g.forward > 0).map((g) => g.forward),
    );
    run.mockRestore();
    geos.forEach((g, i) => {
      for (const [j, what] of ["output", "input grad"].entries()) {
        const same = got[i][j].every((v, e) => v === expected[i][j][e]);
        expect(same, `${JSON.stringify(g)} ${what} at ${threads} threads`).toBe(true);
      }
    });
  }
});
