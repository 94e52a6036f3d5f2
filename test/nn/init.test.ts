/**
 * Default initialisation against test/fixtures/init.json. torch's generator cannot be
 * reproduced, so this checks what the fixture advises: shapes, every value within the bound,
 * and for large tensors the extremes and moments of U(-b, b). Also manualSeed reproducibility.
 * (The fixture's conv2d, recurrent, embedding and batchNorm entries are for layers that land in
 * later issues.)
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type InitFixture,
  type LinearInit,
  loadFixture,
  type Moments,
} from "../helpers/fixtures.js";

const fixture = loadFixture<InitFixture>("init.json");
/** The stored bounds are 9-digit doubles; a float32 bound may differ in the last bit. */
const boundSlack = 1 + 1e-6;

function stats(v: Float32Array): Moments {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const x of v) {
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const mean = sum / v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  return { min, max, mean, std: Math.sqrt(sq / Math.max(1, v.length - 1)) };
}

/** Checks one parameter's values against U(-bound, bound) as the fixture's testAdvice says. */
function checkUniform(label: string, v: Float32Array, bound: number, expected: Moments): void {
  const s = stats(v);
  expect(Math.max(Math.abs(s.min), Math.abs(s.max)), `${label}: max |w|`).toBeLessThanOrEqual(
    bound * boundSlack,
  );
  expect(expected.std).toBeCloseTo(bound / Math.sqrt(3), 8);
  const n = v.length;
  if (n >= 1000) {
    // Five standard errors of the mean; the sample std of U(-b, b) within 5%.
    expect(Math.abs(s.mean), `${label}: mean`).toBeLessThan((5 * expected.std) / Math.sqrt(n));
    expect(
      Math.abs(s.std / expected.std - 1),
      `${label}: std ${s.std} vs ${expected.std}`,
    ).toBeLessThan(0.05);
  }
  if (n >= 10_000) {
    expect(s.min, `${label}: min`).toBeLessThan(-0.98 * bound);
    expect(s.max, `${label}: max`).toBeGreaterThan(0.98 * bound);
  }
  if (n >= 2) expect(s.max, `${label}: not constant`).toBeGreaterThan(s.min);
}

describe("init.json: nn.Linear default initialisation", () => {
  it("holds the documented 7 Linear sizes", () => {
    expect(fixture.linear.length).toBe(7);
  });

  it.each(fixture.linear.map((e) => ({ ...e, name: `Linear(${e.inFeatures}, ${e.outFeatures})` })))(
    "$name",
    (e: LinearInit & { name: string }) => {
      expect(e.weightBound).toBeCloseTo(1 / Math.sqrt(e.fanIn), 8);
      for (const seed of [0, 1, 2]) {
        wg.manualSeed(seed);
        const layer = new wg.nn.Linear(e.inFeatures, e.outFeatures);
        try {
          expect([...layer.weight.shape]).toEqual(e.weightShape);
          expect(layer.bias === null ? null : [...layer.bias.shape]).toEqual(e.biasShape);
          checkUniform(`seed ${seed} weight`, layer.weight.data(), e.weightBound, e.weightExpected);
          if (layer.bias !== null) {
            checkUniform(`seed ${seed} bias`, layer.bias.data(), e.biasBound, e.biasExpected);
          }
        } finally {
          layer.dispose();
        }
      }
    },
  );
});

describe("manualSeed", () => {
  function draw(seed: number): {
    weight: Float32Array;
    bias: Float32Array;
    randn: Float32Array;
    rand: Float32Array;
  } {
    wg.manualSeed(seed);
    const layer = new wg.nn.Linear(20, 10);
    const r = wg.randn([50]);
    const u = wg.rand([3, 7]);
    try {
      return {
        weight: layer.weight.data(),
        bias: layer.bias?.data() ?? new Float32Array(0),
        randn: r.data(),
        rand: u.data(),
      };
    } finally {
      layer.dispose();
      r.dispose();
      u.dispose();
    }
  }

  it("the same seed gives identical Linear weights and random draws", () => {
    const a = draw(7);
    const b = draw(7);
    expect(b.weight).toEqual(a.weight);
    expect(b.bias).toEqual(a.bias);
    expect(b.randn).toEqual(a.randn);
    expect(b.rand).toEqual(a.rand);
  });

  it("different seeds give different draws", () => {
    const a = draw(7);
    const b = draw(8);
    expect(b.weight).not.toEqual(a.weight);
    expect(b.bias).not.toEqual(a.bias);
    expect(b.randn).not.toEqual(a.randn);
    expect(b.rand).not.toEqual(a.rand);
  });

  it("randn has the moments of N(0, 1) and rand lies in [0, 1)", () => {
    wg.manualSeed(123);
    const n = 100_000;
    const r = wg.randn([n]);
    const u = wg.rand([n]);
    try {
      const s = stats(r.data());
      expect(Math.abs(s.mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(s.std - 1)).toBeLessThan(0.02);
      const su = stats(u.data());
      expect(su.min).toBeGreaterThanOrEqual(0);
      expect(su.max).toBeLessThan(1);
      expect(Math.abs(su.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    } finally {
      r.dispose();
      u.dispose();
    }
  });
});
