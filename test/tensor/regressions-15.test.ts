/**
 * Regressions from issue 15's follow-up: expand behaves as PyTorch's expanded view (reads
 * through to its source, refuses in-place writes) and repeat copies, both differentiable;
 * max()/min() send the gradient of a NaN result to the NaNs as PyTorch does, and every other
 * reduction form matches PyTorch 1.13 on NaN inputs; fill_/zero_ on a non-leaf keep it in the
 * graph with a zero gradient.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { gradcheck } from "../helpers/fixtures.js";

const input = (shape: number[]) => ({
  shape,
  data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) =>
    Math.cos(i + 0.5),
  ),
});

describe("expand and repeat", () => {
  it("expand reads through to its source and shares its version, as a view", () => {
    const s = wg.tensor([1, 2]);
    const v = s.expand(2, 2);
    wg.noGrad(() => s.fill_(9));
    expect(v.toArray()).toEqual([
      [9, 9],
      [9, 9],
    ]);
    const w = wg.ones(2, { requiresGrad: true });
    const y = w.mul(s.expand(3, 2));
    s.add_(1);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
  it("expand refuses in-place writes, as PyTorch", () => {
    const v = wg.tensor([1, 2]).expand(3, 2);
    expect(() => v.fill_(1)).toThrow(
      /fill_: unsupported operation: more than one element .* clone\(\)/,
    );
    expect(() => v.add_(1)).toThrow(wg.WasmgradError);
    const c = v.clone();
    c.add_(1);
    expect(c.toArray()).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
  });
  it("expand that only adds leading dims of size 1 is a view sharing storage", () => {
    const s = wg.tensor([[1, 2]]);
    const v = s.expand(1, 1, -1, 2);
    expect(v.shape).toEqual([1, 1, 1, 2]);
    v.fill_(4);
    expect(s.toArray()).toEqual([[4, 4]]);
    expect(() => wg.tensor([[1], [2]]).expand(-1, -1, 2)).toThrow(
      /isn't allowed in a leading, non-existing dimension 0/,
    );
  });
  it("repeat copies (later writes to the source do not show) and tiles as PyTorch", () => {
    const s = wg.tensor([
      [1, 2],
      [3, 4],
    ]);
    const r = s.T.repeat(2, 1, 2);
    expect(r.toArray()).toEqual([
      [
        [1, 3, 1, 3],
        [2, 4, 2, 4],
      ],
      [
        [1, 3, 1, 3],
        [2, 4, 2, 4],
      ],
    ]);
    s.fill_(0);
    expect(r.index(0, 0).toArray()).toEqual([1, 3, 1, 3]);
  });
  it("expand and repeat pass finite-difference gradient checks", () => {
    for (const [fn, shape] of [
      [(x: wg.Tensor) => x.expand(2, 3, 4), [3, 1]],
      [(x: wg.Tensor) => x.expand(2, -1, 3), [1, 1]],
      [(x: wg.Tensor) => x.repeat(2, 1, 3), [2, 2]],
      [(x: wg.Tensor) => x.T.repeat(2, 2), [3, 2]],
    ] as const) {
      const r = gradcheck(fn, [input([...shape])]);
      expect(r.mismatches()).toEqual([]);
      expect(r.mismatches(1.1)).not.toEqual([]);
    }
  });
});

describe("max/min/amax/amin with NaN (PyTorch 1.13's gradients)", () => {
  // x = [[1, nan, 3, nan], [2, 5, 5, 0]], gradient of sum(f(x)); from torch 1.13.
  const N = Number.NaN;
  const cases: [string, (x: wg.Tensor) => wg.Tensor, number[]][] = [
    ["max()", (x) => x.max(), [0, 0.5, 0, 0.5, 0, 0, 0, 0]],
    ["min()", (x) => x.min(), [0, 0.5, 0, 0.5, 0, 0, 0, 0]],
    ["max(1)", (x) => x.max(1)[0], [0, 1, 0, 0, 0, 1, 0, 0]],
    ["min(1)", (x) => x.min(1)[0], [0, 1, 0, 0, 0, 0, 0, 1]],
    ["max(0)", (x) => x.max(0)[0], [0, 1, 0, 1, 1, 0, 1, 0]],
    ["amax()", (x) => x.amax(), [N, N, N, N, N, N, N, N]],
    ["amax(1)", (x) => x.amax(1), [N, N, N, N, 0, 0.5, 0.5, 0]],
    ["amin(1)", (x) => x.amin(1), [N, N, N, N, 0, 0, 0, 1]],
    ["amax(0)", (x) => x.amax(0), [0, N, 0, N, 1, N, 1, N]],
  ];
  it.each(cases)("%s", (_, f, want) => {
    const x = wg.tensor(
      [
        [1, N, 3, N],
        [2, 5, 5, 0],
      ],
      { requiresGrad: true },
    );
    f(x).sum().backward();
    expect(Array.from(x.grad!.data())).toEqual(want);
  });
});

describe("fill_ and zero_ on a non-leaf that requires grad", () => {
  it.each(["zero_", "fill_"] as const)("%s keeps it in the graph with a zero gradient", (op) => {
    const w = wg.tensor([1, 2, 3], { requiresGrad: true });
    const a = w.mul(2);
    const b = w.mul(3);
    if (op === "zero_") a.zero_();
    else a.fill_(5);
    expect(a.requiresGrad).toBe(true);
    a.add(b).sum().backward();
    expect(Array.from(w.grad!.data())).toEqual([3, 3, 3]);
    const u = wg.tensor([1, 2], { requiresGrad: true });
    const c = u.mul(1);
    c.zero_();
    c.sum().backward();
    expect(Array.from(u.grad!.data())).toEqual([0, 0]);
  });
});

describe("tensor(flat array, { shape })", () => {
  it("infers bool from booleans, as without a shape", () => {
    const t = wg.tensor([true, false, true, true], { shape: [2, 2] });
    expect(t.dtype).toBe("bool");
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data())).toEqual([1, 0, 1, 1]);
    expect(wg.tensor([1, 2], { shape: [2] }).dtype).toBe("float32");
  });
  it("checks the elements as it does without a shape", () => {
    expect(() => wg.tensor(["a", 1] as never, { shape: [2] })).toThrow(
      /tensor: .*(number|boolean)/,
    );
    expect(() => wg.tensor([[1, 2], 3] as never, { shape: [3] })).toThrow(/tensor:/);
    expect(() => wg.tensor([1, 2, 3], { shape: [2] })).toThrow(/shape \[2\] needs 2 elements/);
  });
});
