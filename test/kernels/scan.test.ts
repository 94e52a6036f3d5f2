/**
 * The scan kernels (assembly/kernels/scan.ts) against a plain float64 reference: cumsum and
 * cumprod forwards and reversed, and prod, over [outer, r, inner] layouts of awkward sizes
 * (pairs of columns, an odd last column, r = 0 and 1). The kernels keep the running value in
 * f64 and round each output once, so they must equal the reference rounded to float32 exactly.
 * Also the two-operand elementwise kernels (atan2, pow) at every awkward length.
 */
import { describe, expect, it } from "vitest";
import {
  awkwardSizes,
  backendFor,
  get,
  put,
  randomArray,
  scratch,
  variants,
} from "../helpers/backend.js";

function reference(
  kind: "cumsum" | "cumprod",
  x: Float32Array,
  outer: number,
  r: number,
  inner: number,
  reverse: boolean,
): Float32Array {
  const out = new Float32Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = kind === "cumsum" ? 0 : 1;
      for (let kk = 0; kk < r; kk++) {
        const k = reverse ? r - 1 - kk : kk;
        const i = (o * r + k) * inner + j;
        acc = kind === "cumsum" ? acc + x[i] : acc * x[i];
        out[i] = acc;
      }
    }
  }
  return out;
}

const layouts: [number, number, number][] = [];
for (const outer of [1, 3]) {
  for (const r of [0, 1, 5, 17]) {
    for (const inner of [1, 2, 3, 7]) layouts.push([outer, r, inner]);
  }
}
layouts.push([2, 67, 5], [1, 257, 1]);

describe("scan kernels against a float64 reference", () => {
  for (const variant of variants) {
    const b = backendFor(variant);
    it(`cumsum, cumprod (both directions) and prod (${variant})`, () => {
      for (const [outer, r, inner] of layouts) {
        const n = outer * r * inner;
        // Factors near 1 keep long products finite.
        const x = randomArray(n, n + 1, 0.8, 1.25);
        const px = put(b, x);
        for (const kind of ["cumsum", "cumprod"] as const) {
          for (const reverse of [false, true]) {
            const pd = scratch(b, n + 1, 12345);
            b.kernels[`${kind}_f32`](pd, px, outer, r, inner, reverse ? 1 : 0);
            const got = get(b, pd, n + 1);
            const want = reference(kind, x, outer, r, inner, reverse);
            const at = `${kind} [${outer},${r},${inner}] reverse=${reverse}`;
            expect(Array.from(got.subarray(0, n)), at).toEqual(Array.from(want));
            expect(got[n], `${at} wrote past the end`).toBe(12345);
            b.kernels.free(pd);
          }
        }
        const pp = scratch(b, outer * inner + 1, 12345);
        b.kernels.prod_f32(pp, px, outer, r, inner);
        const got = get(b, pp, outer * inner + 1);
        for (let o = 0; o < outer; o++) {
          for (let j = 0; j < inner; j++) {
            let acc = 1;
            for (let k = 0; k < r; k++) acc *= x[(o * r + k) * inner + j];
            expect(got[o * inner + j], `prod [${outer},${r},${inner}] at ${o},${j}`).toBe(
              Math.fround(acc),
            );
          }
        }
        expect(got[outer * inner]).toBe(12345);
        b.kernels.free(pp);
        b.kernels.free(px);
      }
    });

    it(`atan2 and pow at every awkward length are position-independent (${variant})`, () => {
      const ya = randomArray(300, 5, -3, 3);
      const xa = randomArray(300, 6, 0.1, 3);
      for (const fn of ["atan2_f32", "pow_tensor_f32"] as const) {
        const pa = put(b, ya);
        const pb = put(b, xa);
        const pf = scratch(b, 300);
        b.kernels[fn](pf, fn === "atan2_f32" ? pa : pb, fn === "atan2_f32" ? pb : pa, 300);
        const full = get(b, pf, 300);
        for (const n of awkwardSizes) {
          const pd = scratch(b, n + 4, 12345);
          b.kernels[fn](pd, fn === "atan2_f32" ? pa : pb, fn === "atan2_f32" ? pb : pa, n);
          const got = get(b, pd, n + 4);
          for (let i = 0; i < n; i++) expect(got[i], `${fn} n=${n} [${i}]`).toBe(full[i]);
          for (let i = n; i < n + 4; i++) expect(got[i], `${fn} n=${n} past the end`).toBe(12345);
          b.kernels.free(pd);
        }
        for (const p of [pa, pb, pf]) b.kernels.free(p);
      }
    });
  }
});
