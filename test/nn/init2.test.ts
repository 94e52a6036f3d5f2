/**
 * nn.init against PyTorch (test/fixtures/nn2_init.json, made by gen_nn2.py): PyTorch's RNG can't
 * be replayed, so each case compares the moments and range of one large seeded draw with those
 * of PyTorch's draw of the same shape (within a few standard errors), checks hard bounds, and
 * that manualSeed makes draws reproducible. Also calculateGain, eye_/constant_, orthogonality,
 * in-place writes through detach(), and argument errors.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture } from "../helpers/fixtures.js";

interface InitCase {
  name: string;
  fn: string;
  args: unknown[];
  options?: Record<string, unknown>;
  shape: number[];
  mean: number;
  std: number;
  min: number;
  max: number;
}
const fixture = loadFixture<{ cases: InitCase[]; gains: Record<string, number> }>("nn2_init.json");
const init = wg.nn.init as unknown as Record<string, (t: wg.Tensor, ...a: unknown[]) => wg.Tensor>;

function moments(d: Float32Array) {
  let s = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of d) {
    s += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = s / d.length;
  let q = 0;
  for (const v of d) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / (d.length - 1)), min, max };
}

describe("nn.init vs PyTorch's distributions", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      wg.manualSeed(11);
      const t = wg.zeros(c.shape);
      const args = c.options === undefined ? c.args : [...c.args, c.options];
      expect(init[c.fn](t, ...args)).toBe(t);
      const m = moments(t.data());
      const n = t.numel();
      const se = c.std / Math.sqrt(n);
      expect(Math.abs(m.mean - c.mean), "mean").toBeLessThan(8 * se + 1e-7);
      expect(Math.abs(m.std / c.std - 1), "std").toBeLessThan(0.03);
      // Uniform and truncated draws: the same range; normal ones: a plausible range.
      const tol = 0.03 * (c.max - c.min);
      if (/uniform|trunc/i.test(c.fn)) {
        expect(Math.abs(m.min - c.min), "min").toBeLessThan(tol);
        expect(Math.abs(m.max - c.max), "max").toBeLessThan(tol);
      }
      wg.manualSeed(11);
      const again = init[c.fn](wg.zeros(c.shape), ...args);
      expect(Array.from(again.data())).toEqual(Array.from(t.data()));
    });
  }

  it("uniform bounds hold exactly", () => {
    const w = wg.nn.init.kaimingUniform_(wg.zeros([300, 50]), Math.sqrt(5));
    const bound = 1 / Math.sqrt(50);
    const m = moments(w.data());
    expect(Math.max(-m.min, m.max)).toBeLessThanOrEqual(bound);
    const t = wg.nn.init.truncNormal_(wg.zeros([10000]), 0, 1, -0.5, 0.25);
    const mt = moments(t.data());
    expect(mt.min).toBeGreaterThanOrEqual(-0.5);
    expect(mt.max).toBeLessThanOrEqual(0.25);
  });

  it("calculateGain matches PyTorch", () => {
    for (const [k, v] of Object.entries(fixture.gains)) {
      const [nl, p] = k.split(" ");
      expect(
        wg.nn.init.calculateGain(
          nl as wg.nn.init.Nonlinearity,
          p === undefined ? undefined : Number(p),
        ),
      ).toBeCloseTo(v, 12);
    }
    expect(wg.nn.init.calculateGain("leakyRelu", 0.2)).toBe(fixture.gains["leaky_relu 0.2"]);
  });

  it("orthogonal_ gives orthonormal rows or columns times gain", () => {
    for (const [shape, gain] of [
      [[5, 12], 1],
      [[12, 5], 2],
      [[4, 2, 3], 1],
    ] as [number[], number][]) {
      const q = wg.nn.init.orthogonal_(wg.zeros(shape), gain).reshape(shape[0], -1);
      const [r, c] = q.shape;
      const g = r <= c ? q.matmul(q.transpose(0, 1)) : q.transpose(0, 1).matmul(q);
      const k = Math.min(r, c);
      const d = g.data();
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) expect(d[i * k + j]).toBeCloseTo(i === j ? gain * gain : 0, 4);
      }
    }
  });

  it("fills constants and identities, in place through detach()", () => {
    const lin = new wg.nn.Linear(3, 2);
    wg.nn.init.constant_(lin.weight.detach(), 0.25);
    expect(Array.from(lin.weight.data())).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 0.25]);
    wg.nn.init.zeros_(lin.bias as wg.Tensor);
    expect(Array.from((lin.bias as wg.Tensor).data())).toEqual([0, 0]);
    expect(wg.nn.init.eye_(wg.zeros([2, 3])).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(Array.from(wg.nn.init.ones_(wg.zeros([3])).data())).toEqual([1, 1, 1]);
    const p = lin.weight;
    wg.noGrad(() => wg.nn.init.normal_(p, 0, 0.02));
    expect(p.requiresGrad).toBe(true);
  });

  it("rejects bad arguments", () => {
    const I = init;
    expect(() => I.xavierUniform_(wg.zeros([3]))).toThrow(
      /fan in and fan out can not be computed for a tensor with fewer than 2 dimensions/,
    );
    expect(() => I.kaimingUniform_(wg.zeros([3, 3]), { mode: "fanin" })).toThrow(
      /kaimingUniform_: mode must be one of "fan_in", "fan_out"/,
    );
    expect(() => I.kaimingNormal_(wg.zeros([3, 3]), { non_linearity: "relu" })).toThrow(
      /kaimingNormal_: unknown option "non_linearity"/,
    );
    expect(() => I.kaimingNormal_(wg.zeros([3, 3]), 0, "fan_in", "gelu")).toThrow(
      /nonlinearity must be one of/,
    );
    expect(() => I.normal_(wg.zeros([3]), 0, -1)).toThrow(
      /normal_: std must be a finite number >= 0 but got -1/,
    );
    expect(() => I.uniform_(wg.zeros([3]), 2, 1)).toThrow(/uniform_: a \(2\) must be <= b \(1\)/);
    expect(() => I.eye_(wg.zeros([3]))).toThrow(/eye_: only 2-D tensors are supported/);
    expect(() => I.truncNormal_(wg.zeros([3]), 0, 1, 1, -1)).toThrow(
      /truncNormal_: a \(1\) must be smaller than b \(-1\)/,
    );
    expect(() => I.constant_(wg.zeros([2], { dtype: "int32" }), 1)).toThrow(
      /constant_: expected tensor to be a float32 tensor/,
    );
    expect(() => I.orthogonal_(wg.zeros([4]))).toThrow(
      /orthogonal_: only tensors with 2 or more dimensions/,
    );
    expect(() => I.zeros_([1, 2] as unknown as wg.Tensor)).toThrow(
      /zeros_: expected tensor to be a Tensor/,
    );
  });
});
