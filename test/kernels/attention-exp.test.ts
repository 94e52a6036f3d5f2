/**
 * The attention kernels' exp (assembly/kernels/exp_table.ts: math.ts's exp4 with its constants
 * read from memory) must give exactly exp_f32's bits, so it keeps exp4's measured accuracy
 * (1 ulp, test/kernels/math.test.ts); checked here against both exp_f32 and Math.exp, over a
 * wide bit sweep and the inputs a softmax meets: -Inf (masked scores), large negatives down to
 * subnormal and zero results, NaN.
 */
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/wasm.js";
import { backendFor, get, put, scratch, variants } from "../helpers/backend.js";
import { ulpDistance } from "../helpers/ulp.js";

function run(b: Backend, fn: "exp_f32" | "sdpa_exp_f32", xs: Float32Array): Float32Array {
  const x = put(b, xs);
  const y = scratch(b, xs.length);
  b.kernels[fn](y, x, xs.length);
  const out = get(b, y, xs.length);
  b.kernels.free(x);
  b.kernels.free(y);
  return out;
}

/** Every `stride`-th float32 bit pattern (all exponents, both signs, Inf and NaN), plus specials. */
function inputs(stride: number): Float32Array {
  const u = new Uint32Array(Math.ceil(2 ** 32 / stride));
  for (let i = 0; i < u.length; i++) u[i] = i * stride;
  const specials = [
    Number.NEGATIVE_INFINITY,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    -0,
    0,
    -1e30,
    -200,
    -104,
    -103.9,
    -103,
    -100,
    -87.5,
    -87.33,
    -1e-7,
    1e-7,
    88.72283,
    88.7228,
    89,
  ];
  const dense = Array.from({ length: 20_001 }, (_, i) => -110 + i * 0.01);
  // 7 specials pad the length to a non-multiple of 4, so the scalar tail runs too.
  return Float32Array.from([...new Float32Array(u.buffer), ...specials, ...dense]);
}

describe("sdpa exp (exp_table.ts)", () => {
  const xs = inputs(65_537);
  for (const variant of variants) {
    const b = backendFor(variant);
    it(`(${variant}) equals exp_f32 bit for bit, NaN for NaN`, () => {
      const got = run(b, "sdpa_exp_f32", xs);
      const want = run(b, "exp_f32", xs);
      const gu = new Uint32Array(got.buffer);
      const wu = new Uint32Array(want.buffer);
      const bad = xs.findIndex((_x, i) =>
        Number.isNaN(want[i]) ? !Number.isNaN(got[i]) : gu[i] !== wu[i],
      );
      expect(bad, bad < 0 ? "" : `exp(${xs[bad]}) = ${got[bad]}, exp_f32 ${want[bad]}`).toBe(-1);
    });
    it(`(${variant}) is within 2 ulp of Math.exp, 0 at -Inf and far below, subnormal near -100`, () => {
      const got = run(b, "sdpa_exp_f32", xs);
      let worst = { ulp: 0, x: 0 };
      for (let i = 0; i < xs.length; i++) {
        const want = Math.fround(Math.exp(xs[i]));
        const d = Number.isNaN(want)
          ? Number.isNaN(got[i])
            ? 0
            : Number.POSITIVE_INFINITY
          : ulpDistance(got[i], want);
        if (d > worst.ulp) worst = { ulp: d, x: xs[i] };
      }
      expect(worst.ulp, `exp(${worst.x})`).toBeLessThanOrEqual(2);
      const [ninf, far, sub] = run(b, "sdpa_exp_f32", Float32Array.from([-Infinity, -1e30, -100]));
      expect(Object.is(ninf, 0)).toBe(true);
      expect(Object.is(far, 0)).toBe(true);
      expect(sub).toBeGreaterThan(0);
      expect(sub).toBeLessThan(2 ** -126);
    });
  }
});
