/** sort, argsort, topk: named results, int32 indices, NaN last, stable ties, gradients. */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { gradcheck, rng } from "../helpers/fixtures.js";

describe("sort, argsort, topk", () => {
  it("sort each row against Array.prototype.sort over awkward sizes, NaN last", () => {
    for (const n of [1, 3, 5, 7, 17, 67]) {
      const r = rng(`sort${n}`);
      const data = Float32Array.from({ length: 2 * n }, () =>
        r() < 0.1 ? Number.NaN : Math.floor(r() * 7),
      );
      const x = wg.tensor(data, { shape: [2, n] });
      const { values, indices } = x.sort(1);
      expect(indices.dtype).toBe("int32");
      for (let row = 0; row < 2; row++) {
        const vals = Array.from(data.subarray(row * n, (row + 1) * n));
        const want = vals
          .map((v, i) => [v, i] as const)
          .sort((a, b) =>
            Number.isNaN(a[0])
              ? Number.isNaN(b[0])
                ? a[1] - b[1]
                : 1
              : Number.isNaN(b[0])
                ? -1
                : a[0] - b[0] || a[1] - b[1],
          );
        expect(Array.from(values.data().subarray(row * n, (row + 1) * n))).toEqual(
          want.map((p) => p[0]),
        );
        expect(Array.from(indices.data<Int32Array>().subarray(row * n, (row + 1) * n))).toEqual(
          want.map((p) => p[1]),
        );
      }
    }
  });

  it("sort along dim 0 descending, argsort, topk largest and smallest", () => {
    const x = wg.tensor([
      [3, 1],
      [1, 5],
      [2, 4],
    ]);
    const [v, i] = x.sort(0, true);
    expect(v.toArray()).toEqual([
      [3, 5],
      [2, 4],
      [1, 1],
    ]);
    expect(i.toArray()).toEqual([
      [0, 1],
      [2, 2],
      [1, 0],
    ]);
    expect(wg.argsort(wg.tensor([2, 0, 1])).toArray()).toEqual([1, 2, 0]);
    const t = wg.tensor([4, 9, 1, 7]).topk(2);
    expect(t.values.toArray()).toEqual([9, 7]);
    expect(t.indices.toArray()).toEqual([1, 3]);
    expect(wg.topk(wg.tensor([4, 9, 1, 7]), 2, -1, false).values.toArray()).toEqual([1, 4]);
    expect(() => wg.tensor([1, 2]).topk(3)).toThrow(/topk: k \(3\) must be an integer in \[0, 2\]/);
    expect(wg.tensor([5, -2], { dtype: "int32" }).sort()[0].toArray()).toEqual([-2, 5]);
  });

  it("route gradients to the picked elements (gradcheck)", () => {
    const data = Float32Array.from([0.3, -0.1, 0.9, 0.5, -0.7, 0.2]);
    const r = gradcheck((x) => x.topk(2, 1).values, [{ shape: [2, 3], data }]);
    expect(r.mismatches()).toEqual([]);
    expect(r.mismatches(1.1)).not.toEqual([]);
    const s = gradcheck((x) => x.sort(0, true)[0], [{ shape: [3, 2], data }]);
    expect(s.mismatches()).toEqual([]);
  });
});
