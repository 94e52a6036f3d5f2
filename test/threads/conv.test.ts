/**
 * conv2d's forward and input gradient split over blocks of images give the single-thread bits at
 * 2, 3 and 4 threads, in every layout: the wide stride-1 layout with several images per block
 * and with row chunks of one image, strided convolutions, pointwise ones, groups and dilation.
 * The weight gradient (staged pieces of the batch, then fixed tiles of dW that each add every
 * piece in order, so no sum is split) too; its geometries have several pieces, so a sum split
 * over threads would change bits. One thread stages smaller groups of pieces at a time than
 * several do, so this also checks that the grouping leaves the bits alone.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { threadState } from "../../src/backend/parallel.js";
import { bits, onThreads } from "../helpers/threads.js";

interface Geo {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  k: number;
  args: { stride?: number; padding?: number; dilation?: number; groups?: number };
}

const geos: Geo[] = [
  { n: 9, c: 24, h: 14, w: 14, oc: 48, k: 3, args: { padding: 1 } }, // wide, 4 images per block
  { n: 5, c: 16, h: 64, w: 67, oc: 5, k: 3, args: { padding: 1 } }, // wide, row chunks
  { n: 25, c: 32, h: 17, w: 15, oc: 64, k: 3, args: { stride: 2, padding: 1 } }, // strided, 10 images per block
  { n: 3, c: 8, h: 70, w: 61, oc: 7, k: 5, args: { stride: 2 } }, // strided, chunks of one image
  { n: 6, c: 12, h: 9, w: 9, oc: 17, k: 1, args: {} }, // pointwise
  { n: 10, c: 6, h: 40, w: 40, oc: 9, k: 3, args: { groups: 3, dilation: 2, padding: 2 } }, // 7 per block
];

function runAll(): Uint32Array[][] {
  wg.manualSeed(5);
  return geos.map((g) =>
    wg.tidy(() => {
      const x = wg.randn([g.n, g.c, g.h, g.w]);
      x.requiresGrad = true;
      const w = wg.randn([g.oc, g.c / (g.args.groups ?? 1), g.k, g.k]);
      w.requiresGrad = true;
      const b = wg.randn([g.oc]);
      const out = wg.F.conv2d(x, w, b, g.args);
      out.backward(wg.randn(out.shape));
      return [bits(out), bits(x.grad), bits(w.grad)];
    }),
  );
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("conv2d forward and gradients are bit-identical at 1, 2, 3 and 4 threads", async () => {
  wg.setNumThreads(1);
  const expected = runAll();
  for (const threads of [2, 3, 4]) {
    const run = await onThreads(threads);
    const got = runAll();
    // Every geometry's forward and input gradient went to the pool, and
    // every weight gradient's tiles (the grouped one has a tile per group).
    const tasks = (name: string) =>
      run.mock.calls.filter(([kernel]) => threadState.names[kernel] === name).length;
    expect(tasks("conv2d_block_f32") + tasks("conv2d_bwd_input_block_f32")).toBe(2 * geos.length);
    expect(tasks("conv2d_wgrad_gemm_f32")).toBeGreaterThanOrEqual(geos.length);
    // Staging for all but the pointwise geometry, which reads dy and x in place.
    expect(tasks("conv2d_wgrad_stage_f32")).toBeGreaterThanOrEqual(geos.length - 1);
    run.mockRestore();
    geos.forEach((g, i) => {
      for (const [j, what] of ["output", "input grad", "weight grad"].entries()) {
        const same = got[i][j].every((v, e) => v === expected[i][j][e]);
        expect(same, `${JSON.stringify(g)} ${what} at ${threads} threads`).toBe(true);
      }
    });
  }
});
