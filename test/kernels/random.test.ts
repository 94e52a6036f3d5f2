/** dropout_mask_f32 on both builds: values, keep rate, tails, and determinism in the seed. */
import { describe, expect, it } from "vitest";
import { awkwardSizes, backendFor, get, putI32, scratch, variants } from "../helpers/backend.js";

const seed = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16].map((v) => v * 0x9e3779b9);

describe.each(variants)("dropout_mask_f32 (%s build)", (variant) => {
  const b = backendFor(variant);
  const k = b.kernels;
  const mask = (n: number, p: number, s = seed) => {
    const out = scratch(b, n + 1, 7);
    const sp = putI32(b, s);
    k.dropout_mask_f32(out, n, Math.min(Math.ceil(p * 2 ** 32), 2 ** 32 - 1) | 0, 1 / (1 - p), sp);
    const got = get(b, out, n + 1);
    k.free(out);
    k.free(sp);
    return got;
  };

  it("writes exactly n values, each 0 or 1/(1-p), over awkward sizes", () => {
    for (const n of awkwardSizes) {
      const got = mask(n, 0.25);
      expect(got[n]).toBe(7); // untouched past the end
      for (let i = 0; i < n; i++) expect([0, Math.fround(1 / 0.75)]).toContain(got[i]);
    }
  });

  it("keeps about 1 - p of the values, in every lane", () => {
    for (const p of [0.1, 0.5, 0.9]) {
      const n = 1 << 16;
      const got = mask(n, p);
      for (let lane = 0; lane < 4; lane++) {
        let kept = 0;
        for (let i = lane; i < n; i += 4) if (got[i] !== 0) kept++;
        // 16384 draws per lane: a binomial standard deviation is at most 64.
        expect(Math.abs(kept - (1 - p) * (n / 4))).toBeLessThan(5 * 64);
      }
    }
  });

  it("is a function of the seed, and a different seed gives a different mask", () => {
    const a = mask(1000, 0.5);
    expect(Array.from(mask(1000, 0.5))).toEqual(Array.from(a));
    const other = mask(
      1000,
      0.5,
      seed.map((v, i) => (i === 0 ? v + 1 : v)),
    );
    expect(Array.from(other)).not.toEqual(Array.from(a));
  });
});
