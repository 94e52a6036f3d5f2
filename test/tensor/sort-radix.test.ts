/**
 * sort/argsort/topk (a radix sort per row) against a plain comparator reference: awkward sizes,
 * NaN, infinities, -0 and 0, ties (stable: the lower index first), negative int32, both
 * directions and every dim.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { rng } from "../helpers/fixtures.js";

function reference(vals: number[], descending: boolean): number[] {
  const cmp = (a: number, b: number) => {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  };
  return vals
    .map((_, i) => i)
    .sort((p, q) => (descending ? cmp(vals[q], vals[p]) : cmp(vals[p], vals[q])) || p - q);
}

describe("sort and topk: radix sort against a comparator reference", () => {
  const random = rng("sort-radix");
  const special = [
    Number.NaN,
    0,
    -0,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1,
    -1,
    3.5e38,
    -1e-45,
  ];
  for (const n of [1, 2, 7, 64, 2049, 5000]) {
    for (const dtype of ["float32", "int32"] as const) {
      it(`${n} ${dtype}`, () => {
        const data = Array.from({ length: 3 * n }, () => {
          const r = random();
          if (dtype === "int32") return Math.floor((r - 0.5) * (r < 0.5 ? 20 : 4e9));
          return r < 0.3
            ? special[Math.floor(random() * special.length)]
            : Math.fround((random() - 0.5) * 10);
        });
        const x =
          dtype === "int32"
            ? wg.tensor(Int32Array.from(data), { shape: [3, n], dtype })
            : wg.tensor(Float32Array.from(data), { shape: [3, n] });
        const xs = Array.from(x.data());
        for (const descending of [false, true]) {
          const [values, indices] = x.sort(1, descending);
          const [tv, ti] = x.T.sort(0, descending); // the same rows, along dim 0
          const k = Math.min(n, 5);
          const [kv, ki] = x.topk(k, 1, descending);
          const gotV = values.data();
          const gotI = indices.data<Int32Array>();
          const tI = ti.T.contiguous().data<Int32Array>();
          const kI = ki.data<Int32Array>();
          for (let r = 0; r < 3; r++) {
            const row = xs.slice(r * n, (r + 1) * n);
            const want = reference(row, descending);
            expect(Array.from(gotI.subarray(r * n, (r + 1) * n))).toEqual(want);
            expect(Array.from(tI.subarray(r * n, (r + 1) * n))).toEqual(want);
            expect(Array.from(gotV.subarray(r * n, (r + 1) * n))).toEqual(want.map((j) => row[j]));
            // topk's largest=false is the ascending head; largest=true the descending one.
            expect(Array.from(kI.subarray(r * k, (r + 1) * k))).toEqual(
              reference(row, descending).slice(0, k),
            );
          }
          for (const t of [values, indices, tv, ti, kv, ki]) t.dispose();
        }
        x.dispose();
      });
    }
  }
});
