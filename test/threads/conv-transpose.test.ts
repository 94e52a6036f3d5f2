/**
 * ConvTranspose2d runs conv2d's kernels the other way round (its forward is conv2d's input
 * gradient, its input gradient conv2d's forward), so it goes to the pool in the same blocks of
 * images and gives the single-thread bits at 2, 3 and 4 threads: DCGAN's shapes (a 1x1 input
 * grown to 4x4, then stride-2 doublings), output padding, groups and dilation. A block keeps at
 * least 64 columns of its product: the 1x1 input's images (4 columns each) are not split one per
 * block, where each block would read the whole weight again.
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
  k: number;
  args: {
    stride?: number;
    padding?: number;
    outputPadding?: number;
    groups?: number;
    dilation?: number;
  };
}

const geos: Geo[] = [
  { n: 6, c: 20, h: 1, w: 1, oc: 32, k: 4, args: {} }, // DCGAN's first layer: 1x1 -> 4x4
  { n: 7, c: 16, h: 6, w: 5, oc: 8, k: 4, args: { stride: 2, padding: 1 } }, // a doubling
  {
    n: 5,
    c: 6,
    h: 7,
    w: 7,
    oc: 9,
    k: 3,
    args: { stride: 2, outputPadding: 1, groups: 3, dilation: 2 },
  },
];

function bits(t: wg.Tensor | null): Uint32Array {
  if (t === null) throw new Error("no gradient");
  return new Uint32Array(t.data().slice().buffer);
}

function run(g: Geo): Uint32Array[] {
  wg.manualSeed(7);
  return wg.tidy(() => {
    const x = wg.randn([g.n, g.c, g.h, g.w]);
    x.requiresGrad = true;
    const w = wg.randn([g.c, g.oc / (g.args.groups ?? 1), g.k, g.k]);
    w.requiresGrad = true;
    const b = wg.randn([g.oc]);
    b.requiresGrad = true;
    const out = wg.F.convTranspose2d(x, w, b, g.args);
    out.backward(wg.randn(out.shape));
    return [bits(out), bits(x.grad), bits(w.grad), bits(b.grad)];
  });
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("convTranspose2d forward and gradients are bit-identical at 1, 2, 3 and 4 threads", async () => {
  wg.setNumThreads(1);
  const expected = geos.map(run);
  for (const threads of [2, 3, 4]) {
    wg.setNumThreads(threads, { minWorkMicros: 0 });
    await wg.ready();
    expect(wg.backendInfo().threads).toBe(threads);
    const pool = threadState.pool;
    if (pool === undefined) throw new Error("no pool");
    geos.forEach((g, i) => {
      const spy = vi.spyOn(pool, "run");
      const got = run(g);
      const blocks = (name: string) =>
        spy.mock.calls
          .filter(([kernel]) => threadState.names[kernel] === name)
          .map(([, , count]) => count);
      const forward = blocks("conv2d_bwd_input_block_f32");
      const inputGrad = blocks("conv2d_block_f32");
      spy.mockRestore();
      if (i === 0) {
        // 6 images of 4 columns: never one image a block.
        expect(forward.every((count) => count < g.n)).toBe(true);
      } else if (i === 1) {
        // The forward and the input gradient went to the pool. (The grouped one's products, 2
        // or 3 channels a group, are off sgemm's blocked path, so its images stay together.)
        expect(forward.length).toBe(1);
        expect(inputGrad.length).toBe(1);
      }
      for (const [j, what] of ["output", "input grad", "weight grad", "bias grad"].entries()) {
        const same = got[j].every((v, e) => v === expected[i][j][e]);
        expect(same, `${JSON.stringify(g)} ${what} at ${threads} threads`).toBe(true);
      }
    });
  }
});
