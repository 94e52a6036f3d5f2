/**
 * Shape ops (view, contiguous, t, expand, repeat, split, chunk, unbind, select, unflatten,
 * flip, roll, tril, triu) and indexing (indexSelect, gather, scatter, scatterAdd): values as
 * PyTorch gives them, int32 data carried bit for bit, and finite-difference gradients.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type GradInput, gradcheck } from "../helpers/fixtures.js";

const x23 = () =>
  wg.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);

function input(shape: number[]): GradInput {
  const n = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    data: Float32Array.from({ length: n }, (_, i) => 0.1 * (i + 1) * (i % 2 ? -1 : 1)),
  };
}

function check(fn: (x: wg.Tensor) => wg.Tensor, shape: number[]): void {
  const r = gradcheck(fn, [input(shape)]);
  expect(r.mismatches()).toEqual([]);
  expect(r.mismatches(1.1)).not.toEqual([]);
}

describe("shape ops", () => {
  it("give PyTorch's values", () => {
    expect(x23().view(3, 2).shape).toEqual([3, 2]);
    expect(() => x23().T.view(6)).toThrow(/view: view size is not compatible .* use reshape/);
    const c = x23().T.contiguous();
    expect(c.isContiguous()).toBe(true);
    expect(x23().T.isContiguous()).toBe(false);
    expect(c.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x23().t().shape).toEqual([3, 2]);
    expect(() => wg.zeros(2, 2, 2).t()).toThrow(/t: expects a tensor with <= 2 dimensions/);
    expect(wg.tensor([1, 2]).expand(2, -1).toArray()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(() => wg.tensor([1, 2]).expand(3)).toThrow(
      /expand: the expanded size of the tensor \(3\) must match the existing size \(2\)/,
    );
    expect(wg.tensor([1, 2]).repeat(2, 2).toArray()).toEqual([
      [1, 2, 1, 2],
      [1, 2, 1, 2],
    ]);
    expect(
      x23()
        .split(2, 1)
        .map((p) => p.shape),
    ).toEqual([
      [2, 2],
      [2, 1],
    ]);
    expect(x23().split([1, 2], 1)[1].toArray()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(
      wg
        .arange(5)
        .chunk(2)
        .map((p) => p.toArray()),
    ).toEqual([
      [0, 1, 2],
      [3, 4],
    ]);
    expect(
      x23()
        .unbind(1)
        .map((p) => p.toArray()),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(x23().select(0, -1).toArray()).toEqual([4, 5, 6]);
    expect(wg.arange(6).unflatten(0, [2, -1]).shape).toEqual([2, 3]);
    expect(x23().flip(0, 1).toArray()).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
    expect(x23().roll(1, 1).toArray()).toEqual([
      [3, 1, 2],
      [6, 4, 5],
    ]);
    expect(x23().roll(-1).toArray()).toEqual([
      [2, 3, 4],
      [5, 6, 1],
    ]);
    expect(x23().tril().toArray()).toEqual([
      [1, 0, 0],
      [4, 5, 0],
    ]);
    expect(x23().triu(1).toArray()).toEqual([
      [0, 2, 3],
      [0, 0, 6],
    ]);
    const big = wg.tensor([2 ** 30 + 3, -7], { dtype: "int32" });
    expect(big.flip(0).toArray()).toEqual([-7, 2 ** 30 + 3]);
    expect(big.expand(2, 2).dtype).toBe("int32");
  });

  it("have finite-difference gradients", () => {
    check((x) => x.T.contiguous().mul(x.T), [2, 3]);
    check((x) => x.expand(4, 2, 3), [2, 1]);
    check((x) => x.repeat(2, 1, 3), [2, 3]);
    check((x) => wg.stack(x.split(2, 1).map((p) => p.sum(1))), [2, 5]);
    check((x) => x.chunk(3, 0)[1], [5, 2]);
    check((x) => x.unbind(1)[2], [2, 3]);
    check((x) => x.select(1, -2), [2, 3]);
    check((x) => x.flip(1), [2, 3]);
    check((x) => x.roll([1, -2], [0, 1]), [3, 4]);
    check((x) => x.tril(-1), [3, 3]);
    check((x) => x.triu(), [2, 3, 3]);
  });
});

describe("indexing", () => {
  const idx = (v: number[] | number[][]) => wg.tensor(v, { dtype: "int32" });

  it("indexSelect, gather, scatter, scatterAdd give PyTorch's values", () => {
    expect(
      x23()
        .indexSelect(1, idx([2, 0, 2]))
        .toArray(),
    ).toEqual([
      [3, 1, 3],
      [6, 4, 6],
    ]);
    // PyTorch's index_select refuses negative indices (tensor.json has the case).
    expect(() => x23().indexSelect(0, [-1])).toThrow(/index -1 is out of bounds.*add the size/);
    expect(() => x23().indexSelect(1, idx([3]))).toThrow(
      /indexSelect: index 3 is out of bounds for dimension 1 with size 3/,
    );
    expect(() => x23().indexSelect(1, wg.tensor([1]))).toThrow(
      /expected index to be an int32 tensor but got float32/,
    );
    expect(
      x23()
        .gather(
          1,
          idx([
            [0, 0],
            [2, 1],
          ]),
        )
        .toArray(),
    ).toEqual([
      [1, 1],
      [6, 5],
    ]);
    const z = wg.zeros(2, 3);
    expect(z.scatter(1, idx([[2], [0]]), x23()).toArray()).toEqual([
      [0, 0, 1],
      [4, 0, 0],
    ]);
    expect(
      z
        .scatterAdd(
          1,
          idx([
            [1, 1],
            [0, 2],
          ]),
          x23(),
        )
        .toArray(),
    ).toEqual([
      [0, 3, 0],
      [4, 0, 5],
    ]);
    expect(
      wg
        .zeros(3, { dtype: "int32" })
        .scatterAdd(0, idx([0, 0]), idx([5, 7]))
        .toArray(),
    ).toEqual([12, 0, 0]);
  });

  it("have finite-difference gradients (in input and src)", () => {
    check((x) => x.indexSelect(0, idx([1, 0, 1])), [2, 3]);
    check(
      (x) =>
        x.gather(
          1,
          idx([
            [0, 2, 2],
            [1, 1, 0],
          ]),
        ),
      [2, 3],
    );
    const src = wg.tensor([
      [0.5, -0.5],
      [0.25, 2],
    ]);
    check(
      (x) =>
        x.scatter(
          1,
          idx([
            [2, 0],
            [1, 1],
          ]),
          src,
        ),
      [2, 3],
    );
    const r = gradcheck(
      (x, s) => x.scatterAdd(0, idx([[1, 0, 1]]), s),
      [input([2, 3]), input([1, 3])],
    );
    expect(r.mismatches()).toEqual([]);
  });
});
