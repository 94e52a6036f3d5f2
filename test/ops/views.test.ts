/**
 * transpose/permute are lazy views: they share storage, copy only when an op needs the data,
 * and matmul reads transposed matrices in place (no copy at all).
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

function naiveMatmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

function transposeArray(a: number[][]): number[][] {
  return a[0].map((_, j) => a.map((row) => row[j]));
}

function closeTo(got: unknown, want: number[][], tol = 1e-4): void {
  const g = got as number[][];
  expect(g.length).toBe(want.length);
  g.forEach((row, i) => {
    row.forEach((v, j) => {
      expect(Math.abs(v - want[i][j])).toBeLessThanOrEqual(tol * (1 + Math.abs(want[i][j])));
    });
  });
}

describe("lazy transposed views", () => {
  it("a.T shares storage and a.T.matmul(b) copies nothing but its output", () => {
    wg.manualSeed(5);
    const a = wg.randn([67, 33]);
    const b = wg.randn([67, 17]);
    const before = wg.memory().liveBytes;
    const t = a.T;
    expect(t.shape).toEqual([33, 67]);
    expect(wg.memory().liveBytes).toBe(before);
    const c = t.matmul(b);
    expect(wg.memory().liveBytes).toBe(before + 33 * 17 * 4);
    closeTo(
      c.toArray(),
      naiveMatmul(transposeArray(a.toArray() as number[][]), b.toArray() as number[][]),
    );
    // the view still reads correctly on its own (this access copies it)
    expect(t.toArray()).toEqual(transposeArray(a.toArray() as number[][]));
    for (const x of [a, b, t, c]) x.dispose();
  });

  it("matmul with either or both operands transposed, forward and backward, matches the contiguous computation", () => {
    wg.manualSeed(9);
    for (const [ta, tb] of [
      [false, true],
      [true, false],
      [true, true],
    ]) {
      const m = 5;
      const k = 7;
      const n = 9;
      const aData = wg.randn(ta ? [k, m] : [m, k]);
      const bData = wg.randn(tb ? [n, k] : [k, n]);
      const run = (lazy: boolean) => {
        const a = aData.clone().requiresGrad_();
        const b = bData.clone().requiresGrad_();
        const prep = (x: wg.Tensor, t: boolean) => (t ? (lazy ? x.T : x.T.clone()) : x);
        const out = prep(a, ta).matmul(prep(b, tb));
        const g = wg.tidy(() =>
          wg
            .arange(m * n)
            .reshape(m, n)
            .mul(0.1),
        );
        out.backward(g);
        const r = {
          out: out.toArray() as number[][],
          ga: a.grad!.toArray() as number[][],
          gb: b.grad!.toArray() as number[][],
        };
        for (const x of [a, b, out, g]) x.dispose();
        return r;
      };
      const lazy = run(true);
      const eager = run(false);
      closeTo(lazy.out, eager.out);
      closeTo(lazy.ga, eager.ga);
      closeTo(lazy.gb, eager.gb);
      aData.dispose();
      bData.dispose();
    }
  });

  it("batched transpose(-1, -2) is read in place too", () => {
    wg.manualSeed(2);
    const a = wg.randn([3, 4, 5]);
    const b = wg.randn([3, 4, 6]);
    const before = wg.memory().liveBytes;
    const c = a.transpose(-1, -2).matmul(b);
    expect(wg.memory().liveBytes).toBe(before + 3 * 5 * 6 * 4);
    const a3 = a.toArray() as number[][][];
    const b3 = b.toArray() as number[][][];
    (c.toArray() as number[][][]).forEach((ci, i) => {
      closeTo(ci, naiveMatmul(transposeArray(a3[i]), b3[i]));
    });
    for (const x of [a, b, c]) x.dispose();
  });

  it("views of views compose, and survive their source being disposed", () => {
    const x = wg.arange(24).reshape(2, 3, 4);
    const p = x.permute(2, 0, 1).permute(1, 2, 0); // back to the identity order
    const q = x.permute(1, 2, 0).transpose(0, 2); // shape [2,4,3]
    x.dispose();
    expect(p.shape).toEqual([2, 3, 4]);
    expect(p.data()).toEqual(new Float32Array(Array.from({ length: 24 }, (_, i) => i)));
    expect(q.shape).toEqual([2, 4, 3]);
    // q[i][j][l] = x[i][l][j]
    expect((q.toArray() as number[][][])[1][2][0]).toBe(1 * 12 + 0 * 4 + 2);
    const r = q.reshape(8, 3); // a reshape copies the lazy view into its layout first
    expect((r.toArray() as number[][])[5]).toEqual([13, 17, 21]);
    for (const t of [p, q, r]) t.dispose();
    expect(wg.memory().liveTensors).toBeGreaterThanOrEqual(0);
  });

  it("elementwise ops on a transposed view see the transposed data", () => {
    const a = wg.tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const s = a.T.add(wg.tensor([10, 20]));
    expect(s.toArray()).toEqual([
      [11, 24],
      [12, 25],
      [13, 26],
    ]);
    for (const t of [a, s]) t.dispose();
  });
});
