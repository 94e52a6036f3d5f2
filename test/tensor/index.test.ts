/**
 * t.index(...items) and t.indexPut_(indices, values, accumulate) against PyTorch (fixtures from
 * test/fixtures/gen_index.py: values and gradients of every item kind, advanced-index placement,
 * masks, broadcasting), finite-difference gradients of each path, views sharing storage, the
 * in-place rules (version counter, leaf refusal) and argument errors.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  type GradInput,
  gradcheck,
  loadFixture,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

type Item =
  | number
  | string
  | null
  | boolean
  | { slice: string }
  | { long: FixtureTensor }
  | { bool: FixtureTensor }
  | { list: unknown[] };

interface IndexCase {
  name: string;
  x: FixtureTensor;
  items: Item[];
  output: FixtureTensor;
  upstream: FixtureTensor;
  grad: FixtureTensor;
}

interface PutCase {
  name: string;
  x: FixtureTensor;
  indices: Item[];
  values: FixtureTensor;
  accumulate: boolean;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: [FixtureTensor, FixtureTensor];
}

const fixture = loadFixture<{ index: IndexCase[]; put: PutCase[] }>("index.json");

function item(i: Item): wg.IndexItem {
  if (i === null || typeof i !== "object") return i;
  if ("slice" in i) return i.slice;
  if ("long" in i)
    return wg.tensor(Int32Array.from(i.long.data), { shape: i.long.shape, dtype: "int32" });
  if ("bool" in i)
    return wg.tensor(Int32Array.from(i.bool.data), { shape: i.bool.shape, dtype: "int32" }).bool();
  return i.list as number[];
}

describe("index: PyTorch fixtures", () => {
  for (const c of fixture.index) {
    it(c.name, () => {
      wg.tidy(() => {
        const x = toTensor(c.x, true);
        const out = x.index(...c.items.map(item));
        expect(tensorMismatches(out, c.output)).toEqual([]);
        out.backward(toTensor(c.upstream));
        expect(tensorMismatches(x.grad, c.grad)).toEqual([]);
        x.dispose();
      });
    });
  }
});

describe("indexPut_: PyTorch fixtures", () => {
  for (const c of fixture.put) {
    it(c.name, () => {
      wg.tidy(() => {
        const x = toTensor(c.x, true);
        const v = toTensor(c.values, true);
        const y = x.clone();
        const r = y.indexPut_(c.indices.map(item) as wg.Tensor[], v, c.accumulate);
        expect(r).toBe(y);
        expect(tensorMismatches(y, c.output)).toEqual([]);
        y.backward(toTensor(c.upstream));
        expect(tensorMismatches(x.grad, c.grads[0])).toEqual([]);
        expect(tensorMismatches(v.grad, c.grads[1])).toEqual([]);
        x.dispose();
        v.dispose();
      });
    });
  }
  it("takes accumulate as an option too, and a number as values", () => {
    const x = wg.zeros(4);
    x.indexPut_([[1, 1, 3]], wg.tensor(2), { accumulate: true });
    expect(Array.from(x.data())).toEqual([0, 4, 0, 2]);
    x.indexPut_([wg.tensor([true, false, false, true])], 7);
    expect(Array.from(x.data())).toEqual([7, 4, 0, 7]);
    const i = wg.tensor([0, 5, 0], { dtype: "int32" });
    i.indexPut_([[1]], 9);
    expect(Array.from(i.data())).toEqual([0, 9, 0]);
    expect(wg.indexPut_(x, [[0]], 1)).toBe(x);
  });
});

function input(shape: number[]): GradInput {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1)) };
}

function check(fn: (...xs: wg.Tensor[]) => wg.Tensor, shapes: number[][]): void {
  const r = gradcheck(fn, shapes.map(input));
  expect(r.mismatches()).toEqual([]);
  expect(r.mismatches(1.1)).not.toEqual([]);
}

describe("index: finite-difference gradients", () => {
  const li = (...v: number[]) => wg.tensor(Int32Array.from(v), { dtype: "int32" });
  it("a view (ints and a step-1 slice)", () => check((x) => x.index(1, "1:3"), [[3, 4, 5]]));
  it("a strided copy (step slices, new axes)", () =>
    check((x) => x.index("::2", null, "1:-1:2"), [[3, 4, 5]]));
  it("advanced, adjacent and broadcast", () =>
    check(
      (x) => x.index(":", wg.tensor(Int32Array.of(0, 3), { shape: [2, 1] }), li(1, 2, 1)),
      [[3, 4, 5]],
    ));
  it("advanced, non-adjacent, repeated", () =>
    check((x) => x.index(li(0, 0, 2), ":", li(1, 1, 4)), [[3, 4, 5]]));
  it("a bool mask", () =>
    check(
      (x) =>
        x.index(
          "...",
          wg.tensor([
            [true, false, true],
            [false, true, true],
          ]),
        ),
      [[4, 2, 3]],
    ));
  it("indexPut_ in self and values (set and accumulate)", () => {
    check(
      (x, v) => x.mul(1).indexPut_([li(0, 2)], v),
      [
        [4, 3],
        [2, 3],
      ],
    );
    check((x, v) => x.mul(1).indexPut_([li(1, 1, 3)], v, true), [[4, 3], [3]]);
  });
});

describe("index: views and copies", () => {
  it("shares storage for a contiguous block, as PyTorch's basic indexing", () => {
    const x = wg.arange(12).reshape(3, 4);
    const row = x.index(1);
    expect(row.toArray()).toEqual([4, 5, 6, 7]);
    row.fill_(0);
    expect(x.toArray()).toEqual([
      [0, 1, 2, 3],
      [0, 0, 0, 0],
      [8, 9, 10, 11],
    ]);
    const rows = x.index("1:");
    rows.index(1, "1:3").fill_(-1); // a view of a view
    expect(x.index(2).toArray()).toEqual([8, -1, -1, 11]);
    expect(x.index(null, "...").shape).toEqual([1, 3, 4]);
    const s = x.index(2, 3);
    expect(s.shape).toEqual([]);
    expect(s.item()).toBe(11);
    x.dispose();
    expect(row.toArray()).toEqual([0, 0, 0, 0]); // the view keeps the storage alive
    for (const t of [row, rows, s]) t.dispose();
  });
  it("copies strided and advanced selections; an in-place write to a strided copy is refused", () => {
    const x = wg.arange(6).reshape(2, 3);
    const col = x.index(":", 1);
    // PyTorch writes through its view; wasmgrad's copy would silently miss x.
    expect(() => col.fill_(100)).toThrow(/fill_: this tensor comes from index/);
    expect(col.clone().fill_(100).toArray()).toEqual([100, 100]);
    // Advanced indexing copies in PyTorch too.
    const adv = x.index([0]);
    adv.fill_(100);
    expect(x.toArray()).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });
  it("indexes a transposed (lazy) tensor by its own layout", () => {
    const x = wg.arange(6).reshape(2, 3);
    expect(x.T.index(1).toArray()).toEqual([1, 4]);
    expect(x.T.index("1:", [1, 0]).toArray()).toEqual([
      [4, 1],
      [5, 2],
    ]);
  });
  it("writes through a view bump the base's version (backward refuses stale data)", () => {
    const w = wg.ones(3, 2, { requiresGrad: true });
    const x = wg.arange(6).reshape(3, 2);
    const y = w.mul(x);
    wg.noGrad(() => x.index(1).fill_(5));
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
  it("works on int32 and bool tensors", () => {
    const i = wg.tensor(
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: "int32" },
    );
    expect(i.index(":", -1).toArray()).toEqual([2, 4]);
    expect(i.index(i.gt(2)).toArray()).toEqual([3, 4]);
    expect(i.gt(2).index(1).toArray()).toEqual([true, true]);
    expect(wg.index(i, 0, 1).item()).toBe(2);
  });
});

describe("indexPut_: in-place rules", () => {
  it("refuses a leaf that requires grad outside noGrad, and bumps the version", () => {
    const w = wg.zeros(3, { requiresGrad: true });
    expect(() => w.indexPut_([[0]], 1)).toThrow(/indexPut_: a leaf tensor that requires grad/);
    wg.noGrad(() => w.indexPut_([[0]], 1));
    expect(Array.from(w.data())).toEqual([1, 0, 0]);
    const a = wg.ones(3, { requiresGrad: true });
    const b = wg.zeros(3);
    const y = a.mul(b);
    b.indexPut_([[1]], 2);
    expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
  });
  it("makes a tensor that did not require grad part of the graph through values", () => {
    const v = wg.tensor([2, 3], { requiresGrad: true });
    const x = wg.zeros(4);
    x.indexPut_([[3, 0]], v);
    expect(x.requiresGrad).toBe(true);
    x.mul(wg.tensor([1, 2, 3, 4]))
      .sum()
      .backward();
    expect(Array.from(v.grad!.data())).toEqual([4, 1]);
  });
});

describe("index: argument errors name the op", () => {
  const x = () => wg.zeros(3, 4);
  it.each([
    [() => x().index(3), /index: index 3 is out of bounds for dimension 0 with size 3/],
    [() => x().index(":", -5), /index -5 is out of bounds for dimension 1 with size 4/],
    [() => x().index(0, 0, 0), /too many indices for tensor of dimension 2/],
    [() => x().index("...", "..."), /single ellipsis/],
    [() => x().index("::-1"), /step must be greater than zero/],
    [() => x().index("1:2:0"), /slice step cannot be zero/],
    [() => x().index("a:b"), /is not a slice/],
    [() => x().index(1.5), /item 0 must be an integer but got 1.5/],
    [() => x().index(wg.tensor([0])), /must be int32 \(long\) or bool tensors.*float32/],
    [
      () => x().index([0, 1], [0, 1, 2]),
      /could not be broadcast together with shapes \[2\], \[3\]/,
    ],
    [
      () => x().index(wg.tensor([true, false])),
      /shape of the mask \[2\] at index 0 does not match/,
    ],
    [() => x().index([[0, 1], [2]]), /ragged/],
    [() => x().index([0, true]), /only integers or only booleans/],
    [() => x().index({} as never), /item 0 must be an integer, a slice string/],
    [
      () => x().indexPut_([[0]], wg.tensor([1], { dtype: "int32" })),
      /indexPut_: index put requires the source and destination dtypes match, got float32 .* int32/,
    ],
    [
      () => x().indexPut_([[0]], wg.ones(3)),
      /indexPut_: shape mismatch: value tensor of shape \[3\] cannot be broadcast to indexing result of shape \[1,4\]/,
    ],
    [() => x().indexPut_([wg.tensor([0])], 1), /indices\[0\] must be an int32 or bool tensor/],
    [() => x().indexPut_(0 as never, 1), /indices must be an array/],
    [() => x().indexPut_([[0]], 1, { accumulat: true } as never), /unknown option "accumulat"/],
    [() => x().indexPut_([[0]], 1, "yes" as never), /accumulate must be/],
    [
      () => (x().indexPut_ as (...a: unknown[]) => unknown)([[0]], 1, true, 1),
      /too many arguments/,
    ],
  ])("%#", (fn, pattern) => {
    expect(fn).toThrow(wg.WasmgradError);
    expect(fn).toThrow(pattern);
  });
});
