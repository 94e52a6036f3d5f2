/**
 * Fused attention's forward and backward split over blocks of whole heads give the single-thread
 * bits at 2, 3 and 4 threads: masks broadcast over heads, causal, dropout (the same positions
 * dropped), awkward sizes, and fewer heads than threads.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { bits, onThreads } from "../helpers/threads.js";

interface Case {
  batch: number[];
  L: number;
  S: number;
  E: number;
  Ev: number;
  opts: "none" | "causal" | "mask" | "bool" | "dropout";
}

const cases: Case[] = [
  { batch: [3, 5], L: 37, S: 70, E: 9, Ev: 13, opts: "none" },
  { batch: [2, 4], L: 70, S: 70, E: 16, Ev: 16, opts: "causal" },
  { batch: [4, 3], L: 33, S: 65, E: 8, Ev: 5, opts: "mask" },
  { batch: [2, 3], L: 20, S: 41, E: 7, Ev: 7, opts: "bool" },
  { batch: [5], L: 45, S: 30, E: 12, Ev: 6, opts: "dropout" },
  { batch: [1], L: 40, S: 40, E: 8, Ev: 8, opts: "none" },
  // Head dims 64 and 65 (packed 4-row panels, 8- and 4-wide register tile tails), three key tiles.
  { batch: [2, 3], L: 33, S: 130, E: 64, Ev: 65, opts: "causal" },
];

function runAll(): Uint32Array[][] {
  wg.manualSeed(11);
  return cases.map((c) =>
    wg.tidy(() => {
      const [q, k, v] = [
        [...c.batch, c.L, c.E],
        [...c.batch, c.S, c.E],
        [...c.batch, c.S, c.Ev],
      ].map((s) => {
        const t = wg.randn(s);
        t.requiresGrad = true;
        return t;
      });
      const mshape = [c.batch[0], 1, c.L, c.S].slice(c.batch.length === 1 ? 1 : 0);
      const opts =
        c.opts === "causal"
          ? { isCausal: true }
          : c.opts === "mask"
            ? { attnMask: wg.randn(mshape) }
            : c.opts === "bool"
              ? { attnMask: wg.rand(mshape).gt(0.3) }
              : c.opts === "dropout"
                ? { dropoutP: 0.3 }
                : {};
      const out = wg.F.scaledDotProductAttention(q, k, v, opts);
      out.backward(wg.randn(out.shape));
      return [bits(out), bits(q.grad), bits(k.grad), bits(v.grad)];
    }),
  );
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("scaledDotProductAttention forward and gradients are bit-identical at 1, 2, 3 and 4 threads", async () => {
  wg.setNumThreads(1);
  const expected = runAll();
  for (const threads of [2, 3, 4]) {
    const run = await onThreads(threads);
    const got = runAll();
    // Every case but the single head went to the pool forward and backward (kernels 5 and 6).
    const tasks = run.mock.calls.filter(([kernel]) => kernel === 8 || kernel === 9);
    expect(tasks.length).toBe(2 * (cases.length - 1));
    run.mockRestore();
    cases.forEach((c, i) => {
      for (const [j, what] of ["output", "q grad", "k grad", "v grad"].entries()) {
        const same = got[i][j].every((x, e) => x === expected[i][j][e]);
        expect(same, `${JSON.stringify(c)} ${what} at ${threads} threads`).toBe(true);
      }
    });
  }
});
