/**
 * Integer draws (randint, randperm, multinomial: int32, seeded by manualSeed) and how the
 * issue-15 math treats int32 and bool input, as PyTorch does: transcendental functions compute
 * in float32; rounding functions return a copy; sign, square, cumsum, cumprod, prod and pow of
 * integers stay integral and exact; frac, var, std, norm and the products refuse them.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

function throwsWg(fn: () => unknown, pattern: RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a WasmgradError matching ${pattern}`).toBeInstanceOf(wg.WasmgradError);
  expect((error as Error).message).toMatch(pattern);
}

const ints = (v: number[]) => wg.tensor(new Int32Array(v));

describe("randint, randperm, multinomial", () => {
  it("randint draws int32 values in [low, high), reproducibly", () => {
    wg.manualSeed(11);
    const a = wg.randint(-3, 4, [50, 40]);
    expect(a.dtype).toBe("int32");
    expect(a.shape).toEqual([50, 40]);
    const v = a.data() as Int32Array;
    expect(Math.min(...v)).toBe(-3);
    expect(Math.max(...v)).toBe(3);
    wg.manualSeed(11);
    expect(wg.randint(-3, 4, [50, 40]).data()).toEqual(v);
    const b = wg.randint(5, [3], { dtype: wg.float32 });
    expect(b.dtype).toBe("float32");
    for (const x of b.data()) expect(Number.isInteger(x) && x >= 0 && x < 5).toBe(true);
    const counts = new Array(7).fill(0);
    for (const x of v) counts[x + 3]++;
    for (const c of counts) expect(Math.abs(c - 2000 / 7)).toBeLessThan(80);
  });

  it("randperm is a seeded permutation", () => {
    wg.manualSeed(5);
    const p = wg.randperm(100).data() as Int32Array;
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    wg.manualSeed(5);
    expect(wg.randperm(100).data()).toEqual(p);
    expect(wg.randperm(0).shape).toEqual([0]);
  });

  it("multinomial draws category indices by weight", () => {
    wg.manualSeed(2);
    const p = wg.tensor([0.1, 0, 0.6, 0.3]);
    const s = wg.multinomial(p, 20000, true).data() as Int32Array;
    const counts = [0, 0, 0, 0];
    for (const i of s) counts[i]++;
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0] / 20000 - 0.1)).toBeLessThan(0.015);
    expect(Math.abs(counts[2] / 20000 - 0.6)).toBeLessThan(0.015);
    for (let r = 0; r < 20; r++) {
      const d = [...(p.multinomial(3).data() as Int32Array)];
      expect(new Set(d).size).toBe(3);
      expect(d).not.toContain(1);
    }
    const rows = wg
      .tensor([
        [1, 0, 0],
        [0, 0, 2],
      ])
      .multinomial(2, { replacement: true });
    expect(rows.dtype).toBe("int32");
    expect(rows.toArray()).toEqual([
      [0, 0],
      [2, 2],
    ]);
  });

  it("refuses bad arguments", () => {
    throwsWg(() => wg.randint(3, 3, [2]), /randint: expected low < high but got low 3 and high 3/);
    throwsWg(() => wg.randint(3), /randint: expected \(high, size\) or \(low, high, size\)/);
    throwsWg(
      () => wg.randint(3, [2], { dtype: "bool" }),
      /randint: expected dtype int32 or float32/,
    );
    throwsWg(
      () => wg.randint(3, [2], { dytpe: "int32" } as never),
      /randint: unknown option "dytpe"/,
    );
    throwsWg(
      () => wg.randint(3, [2], { requiresGrad: true }),
      /randint: only float32 tensors can require gradients/,
    );
    throwsWg(() => wg.randperm(-1), /randperm: .*n/);
    throwsWg(
      () => wg.multinomial(wg.tensor([0.5, 0, 0]), 2),
      /multinomial: cannot draw 2 samples without replacement from 1 categor/,
    );
    throwsWg(
      () => wg.multinomial(wg.tensor([0.5, -1]), 1),
      /multinomial: probabilities must be finite and non-negative but got -1/,
    );
    throwsWg(
      () => wg.multinomial(wg.zeros([2, 2, 2]), 1),
      /multinomial: expected a 1-D or 2-D tensor/,
    );
    throwsWg(
      () => wg.multinomial(ints([1, 2]), 1),
      /multinomial: expected input to be a float32 tensor but got an int32 tensor/,
    );
    throwsWg(
      () => wg.multinomial(wg.tensor([1, 2]), 1, true, { replacment: true } as never),
      /multinomial: unknown option "replacment"/,
    );
  });
});

describe("math on int32 and bool tensors", () => {
  it("computes transcendental functions in float32", () => {
    const i = ints([0, 1, 4]);
    const s = i.sin();
    expect(s.dtype).toBe("float32");
    expect(s.data()).toEqual(wg.tensor([0, 1, 4]).sin().data());
    expect(i.rsqrt().data()[2]).toBe(0.5);
    expect(i.logsumexp(0).dtype).toBe("float32");
    expect(wg.atan2(i, wg.tensor([1, 1, 1])).dtype).toBe("float32");
    expect(i.pow(wg.tensor([0.5, 0.5, 0.5])).toArray()).toEqual([0, 1, 2]);
  });

  it("keeps integral results integral and exact", () => {
    const i = ints([3, -2, 0, 100000]);
    for (const op of ["floor", "ceil", "round", "trunc"] as const) {
      const r = i[op]();
      expect(r.dtype).toBe("int32");
      expect(r.toArray()).toEqual([3, -2, 0, 100000]);
    }
    expect(i.sign().toArray()).toEqual([1, -1, 0, 1]);
    expect(i.sign().dtype).toBe("int32");
    const sq = i.square();
    expect(sq.dtype).toBe("int32");
    expect(sq.toArray()).toEqual([9, 4, 0, 1410065408]); // 10^10 wraps as int32 does
    const big = ints([16777217, 1, 1]);
    expect(big.cumsum(0).toArray()).toEqual([16777217, 16777218, 16777219]);
    expect(ints([2, 3, 4]).cumprod(0).toArray()).toEqual([2, 6, 24]);
    expect(ints([2, 3, 4]).prod().item()).toBe(24);
    expect(
      wg
        .tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { dtype: "int32" },
        )
        .prod(1, true)
        .toArray(),
    ).toEqual([[2], [12]]);
    const b = wg.tensor([true, false, true]);
    expect(b.cumsum(0).dtype).toBe("int32");
    expect(b.cumsum(0).toArray()).toEqual([1, 1, 2]);
    const p = ints([2, 3, -2]).pow(ints([3, 2, 3]));
    expect(p.dtype).toBe("int32");
    expect(p.toArray()).toEqual([8, 9, -8]);
    expect(ints([2, 3]).rpow(2).toArray()).toEqual([4, 8]);
    expect(ints([2, 3]).rpow(2).dtype).toBe("int32");
    expect(ints([1, 2]).rpow(0.5).dtype).toBe("float32");
    expect(wg.fullLike(ints([1, 2]), 7).dtype).toBe("int32");
    expect(wg.emptyLike(b).dtype).toBe("bool");
  });

  it("refuses what PyTorch refuses", () => {
    const i = ints([1, 2, 3]);
    throwsWg(() => i.frac(), /frac: expected a float32 tensor but got int32/);
    throwsWg(() => i.var(), /var: expected a float32 tensor but got int32/);
    throwsWg(() => i.norm(), /norm: expected a float32 tensor but got int32/);
    throwsWg(() => i.dot(i), /matmul: expected a float32 tensor but got int32|dot/);
    throwsWg(
      () => i.pow(ints([-1, 1, 1])),
      /pow: integers to negative integer powers are not allowed/,
    );
    throwsWg(() => wg.randLike(i), /randLike: draws are float32 only/);
    expect(wg.randLike(i, { dtype: "float32" }).dtype).toBe("float32");
    throwsWg(() => wg.bernoulli(i), /bernoulli: expected input to be a float32 tensor/);
  });

  it("keeps gradients flowing to a float operand of a mixed pow", () => {
    const x = wg.tensor([1.5, 2], { requiresGrad: true });
    const y = x.pow(ints([2, 3]));
    y.sum().backward();
    expect(y.dtype).toBe("float32");
    expect(x.grad?.toArray()).toEqual([3, 12]);
  });
});
