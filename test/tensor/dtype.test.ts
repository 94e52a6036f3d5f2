/**
 * dtypes (float32, int32, bool), size()/numel(), shape varargs, argmax as an int32 tensor and
 * max/min with named results: the tensor-layer foundation of issue 15.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

function throwsWg(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(wg.WasmgradError);
  expect((caught as Error).message).toMatch(pattern);
}

describe("dtypes", () => {
  it("has the dtype constants, long being int32", () => {
    expect([wg.float32, wg.int32, wg.long, wg.bool]).toEqual(["float32", "int32", "int32", "bool"]);
  });

  it("infers float32 from numbers, bool from booleans, int32 from an Int32Array", () => {
    expect(wg.tensor([1, 2]).dtype).toBe("float32");
    const b = wg.tensor([true, false, true]);
    expect(b.dtype).toBe("bool");
    expect(b.data()).toBeInstanceOf(Uint8Array);
    expect(Array.from(b.data())).toEqual([1, 0, 1]);
    expect(b.toArray()).toEqual([true, false, true]);
    expect(wg.tensor(true).item()).toBe(true);
    const i = wg.tensor(new Int32Array([3, -4]));
    expect(i.dtype).toBe("int32");
    expect(i.data()).toBeInstanceOf(Int32Array);
    expect(i.toArray()).toEqual([3, -4]);
  });

  it("takes { dtype } on creation, truncating to int32 and testing nonzero for bool", () => {
    const i = wg.tensor([1.7, -2.7, 2 ** 30 + 1], { dtype: wg.int32 });
    expect(Array.from(i.data())).toEqual([1, -2, 2 ** 30 + 1]);
    expect(wg.tensor([0, 2, -1], { dtype: "bool" }).toArray()).toEqual([false, true, true]);
    expect(wg.zeros(2, 3, { dtype: wg.long }).data()).toEqual(new Int32Array(6));
    expect(wg.ones([2], { dtype: "bool" }).toArray()).toEqual([true, true]);
    expect(wg.full([2], 7, { dtype: "int32" }).toArray()).toEqual([7, 7]);
    expect(wg.full([2], true).dtype).toBe("bool");
    expect(wg.arange(4, { dtype: "int32" }).data()).toEqual(new Int32Array([0, 1, 2, 3]));
    expect(wg.eye(2, { dtype: "int32" }).toArray()).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(wg.zerosLike(wg.tensor([true])).dtype).toBe("bool");
  });

  it("converts with to/float/int/long/bool as PyTorch (trunc toward zero, nonzero is true)", () => {
    const x = wg.tensor([-1.5, 0, 2.9, Number.NaN]);
    expect(x.float()).toBe(x);
    expect(Array.from(x.int().data())).toEqual([-1, 0, 2, 0]);
    expect(x.long().dtype).toBe("int32");
    expect(x.bool().toArray()).toEqual([true, false, true, true]);
    expect(x.to("bool").int().float().toArray()).toEqual([1, 0, 1, 1]);
    expect(wg.tensor([true, false]).float().toArray()).toEqual([1, 0]);
    expect(wg.to(wg.tensor([5], { dtype: "int32" }), "float32").toArray()).toEqual([5]);
    throwsWg(() => x.to("float64"), /to: unknown dtype "float64"/);
  });

  it("lets only float32 tensors require grad", () => {
    throwsWg(() => wg.zeros([2], { dtype: "int32", requiresGrad: true }), /only float32/);
    throwsWg(() => wg.tensor([true]).requiresGrad_(), /only float32 tensors can require gradients/);
    const x = wg.tensor([1, 2], { requiresGrad: true });
    expect(x.int().requiresGrad).toBe(false);
  });

  it("rejects unknown options, suggesting camelCase for snake_case", () => {
    throwsWg(
      () => wg.zeros([2], { requires_grad: true } as unknown as wg.CreateOptions),
      /zeros: unknown option "requires_grad"; did you mean requiresGrad\?/,
    );
    throwsWg(
      () => wg.tensor([1], { dtyp: "int32" } as unknown as wg.TensorOptions),
      /tensor: unknown option "dtyp"/,
    );
  });
});

describe("type promotion", () => {
  const i = () => wg.tensor([1, 2, 7], { dtype: "int32" });
  it("int with int stays int; int with float gives float", () => {
    const s = i().add(i());
    expect(s.dtype).toBe("int32");
    expect(s.toArray()).toEqual([2, 4, 14]);
    expect(i().mul(3).dtype).toBe("int32");
    expect(i().sub(1).toArray()).toEqual([0, 1, 6]);
    const f = i().add(wg.tensor([0.5, 0.5, 0.5]));
    expect(f.dtype).toBe("float32");
    expect(f.toArray()).toEqual([1.5, 2.5, 7.5]);
    expect(i().add(0.5).dtype).toBe("float32");
    expect(wg.mul(2.5, i()).toArray()).toEqual([2.5, 5, 17.5]);
  });

  it("divides ints truly", () => {
    const q = i().div(2);
    expect(q.dtype).toBe("float32");
    expect(q.toArray()).toEqual([0.5, 1, 3.5]);
    expect(i().div(i()).toArray()).toEqual([1, 1, 1]);
  });

  it("broadcasts ints and wraps like int32", () => {
    const a = wg.tensor([[1], [2]], { dtype: "int32" });
    expect(a.add(wg.tensor([10, 20, 30], { dtype: "int32" })).toArray()).toEqual([
      [11, 21, 31],
      [12, 22, 32],
    ]);
    expect(
      wg
        .tensor([2 ** 31 - 1], { dtype: "int32" })
        .add(1)
        .toArray(),
    ).toEqual([-(2 ** 31)]);
    expect(a.maximum(wg.tensor([0, 5], { dtype: "int32" }).reshape(1, 2)).toArray()).toEqual([
      [1, 5],
      [2, 5],
    ]);
  });

  it("treats bool as 0/1: bool with bool is logical, with int gives int, with float gives float", () => {
    const a = wg.tensor([true, true, false]);
    const b = wg.tensor([true, false, false]);
    expect(a.add(b).toArray()).toEqual([true, true, false]);
    expect(a.mul(b).toArray()).toEqual([true, false, false]);
    throwsWg(() => a.sub(b), /sub: subtracting two bool tensors is not supported/);
    expect(a.add(1).toArray()).toEqual([2, 2, 1]);
    expect(a.add(1).dtype).toBe("int32");
    expect(a.mul(wg.tensor([2.5, 2.5, 2.5])).toArray()).toEqual([2.5, 2.5, 0]);
  });

  it("keeps gradients flowing to the float operand of a mixed op", () => {
    const x = wg.tensor([1, 2, 3], { requiresGrad: true });
    const m = wg.tensor([2, 0, 1], { dtype: "int32" });
    x.mul(m).sum().backward();
    expect(x.grad?.toArray()).toEqual([2, 0, 1]);
    const y = wg.tensor([1, 2], { requiresGrad: true });
    y.maximum(wg.tensor([3, 1], { dtype: "int32" }))
      .sum()
      .backward();
    expect(y.grad?.toArray()).toEqual([0, 1]);
  });

  it("promotes int to float in exp/log/sqrt/sigmoid/tanh, and refuses float-only ops", () => {
    const n = wg.tensor([0, 1, 4], { dtype: "int32" });
    expect(n.sqrt().toArray()).toEqual([0, 1, 2]);
    expect(n.exp().dtype).toBe("float32");
    expect(n.neg().toArray()).toEqual([0, -1, -4]);
    expect(n.neg().dtype).toBe("int32");
    throwsWg(() => n.matmul(n), /matmul: expected a float32 tensor but got int32.*\.float\(\)/);
    throwsWg(() => n.softmax(0), /softmax: expected a float32 tensor but got int32/);
    throwsWg(() => n.mean(), /mean: expected a float32 tensor but got int32/);
    throwsWg(
      () => wg.tensor([true]).relu(),
      /relu: not supported for a bool tensor.*\.int\(\) or \.float\(\)/,
    );
  });

  it("sums int and bool tensors exactly, as int32", () => {
    const m = wg.tensor([
      [true, false, true],
      [true, true, true],
    ]);
    const s = m.sum();
    expect(s.dtype).toBe("int32");
    expect(s.item()).toBe(5);
    expect(m.sum(1).toArray()).toEqual([2, 3]);
    expect(m.sum(0, true).toArray()).toEqual([[2, 1, 2]]);
    const big = wg.tensor([2 ** 24, 1], { dtype: "int32" });
    expect(big.sum().item()).toBe(2 ** 24 + 1);
  });

  it("keeps dtype through views, copies and joins; cat promotes", () => {
    const i = wg.arange(6, { dtype: "int32" });
    expect(i.reshape(2, 3).dtype).toBe("int32");
    expect(Array.from(i.reshape(2, 3).T.data())).toEqual([0, 3, 1, 4, 2, 5]);
    expect(i.clone().dtype).toBe("int32");
    expect(i.narrow(0, 2, 2).toArray()).toEqual([2, 3]);
    const c = wg.cat([i.narrow(0, 0, 2), wg.tensor([0.5])]);
    expect(c.dtype).toBe("float32");
    expect(c.toArray()).toEqual([0, 1, 0.5]);
    expect(wg.stack([i, i]).dtype).toBe("int32");
  });
});

describe("size, numel, dim and shapes as varargs", () => {
  it("size() is the shape, size(d) one dim; numel() the count", () => {
    const x = wg.zeros(2, 3, 4);
    expect(x.size()).toEqual([2, 3, 4]);
    expect(x.size(0)).toBe(2);
    expect(x.size(-1)).toBe(4);
    expect(x.numel()).toBe(24);
    expect(x.dim()).toBe(3);
    expect(x.ndim).toBe(3);
    throwsWg(() => x.size(3), /size: dim 3 is out of range/);
    throwsWg(() => wg.tensor(1).size(0), /size: a 0-d tensor has no dimension 0/);
  });

  it("creation takes sizes as varargs or one array", () => {
    expect(wg.zeros(2, 3).shape).toEqual([2, 3]);
    expect(wg.zeros([2, 3]).shape).toEqual([2, 3]);
    expect(wg.ones(4).shape).toEqual([4]);
    expect(wg.ones([]).shape).toEqual([]);
    expect(wg.rand(2, 3).shape).toEqual([2, 3]);
    expect(wg.randn(2, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(wg.full([2, 2], 3).toArray()).toEqual([
      [3, 3],
      [3, 3],
    ]);
    expect(wg.zeros(2, 3).reshape(-1, 2).shape).toEqual([3, 2]);
    expect(wg.zeros(2, 3).permute(1, 0).shape).toEqual([3, 2]);
    throwsWg(() => wg.rand(2, 3, { dtype: "int32" }), /rand: draws are float32 only/);
  });
});

describe("argmax, max and min", () => {
  const x = () =>
    wg.tensor([
      [1, 5, 5],
      [7, -1, 0],
    ]);

  it("argmax/argmin give int32 tensors, keepdim honoured", () => {
    const a = x().argmax(1);
    expect(a.dtype).toBe("int32");
    expect(a.toArray()).toEqual([1, 0]);
    expect(x().argmax(1, true).shape).toEqual([2, 1]);
    expect(x().argmax().item()).toBe(3);
    expect(x().argmax(null, true).shape).toEqual([1, 1]);
    expect(x().argmin(0).toArray()).toEqual([0, 1, 1]);
    expect(wg.argmin(x()).item()).toBe(4);
  });

  it("max(dim) is [values, indices] with names; max() a 0-d tensor; max(t) maximum", () => {
    const [values, indices] = x().max(1);
    expect(values.toArray()).toEqual([5, 7]);
    expect(indices.toArray()).toEqual([1, 0]);
    const r = x().max(0, true);
    expect(r.values.shape).toEqual([1, 3]);
    expect(r.indices.dtype).toBe("int32");
    expect(x().max().item()).toBe(7);
    expect(
      x()
        .max(wg.full([2, 3], 4))
        .toArray(),
    ).toEqual([
      [4, 5, 5],
      [7, 4, 4],
    ]);
    const { values: mv, indices: mi } = x().min(1);
    expect(mv.toArray()).toEqual([1, -1]);
    expect(mi.toArray()).toEqual([0, 1]);
    expect(x().min().item()).toBe(-1);
    expect(x().amax(0).toArray()).toEqual([7, 5, 5]);
    expect(x().amin([0, 1]).item()).toBe(-1);
    throwsWg(() => x().max([0, 1] as unknown as number), /max: dim must be an integer.*amax/);
  });

  it("routes max(dim)'s gradient to the index, min's too", () => {
    const t = wg.tensor([[1, 5, 5, 2]], { requiresGrad: true });
    t.max(1).values.sum().backward();
    expect(t.grad?.toArray()).toEqual([[0, 1, 0, 0]]);
    const u = wg.tensor([[1, 5, 5, 2]], { requiresGrad: true });
    u.min(1)[0].sum().backward();
    expect(u.grad?.toArray()).toEqual([[1, 0, 0, 0]]);
    const v = wg.tensor([[3, 1, 1]], { requiresGrad: true });
    v.amin(1).sum().backward();
    expect(v.grad?.toArray()).toEqual([[0, 0.5, 0.5]]);
  });

  it("accepts int32 tensors as class-index targets and embedding indices", () => {
    const logits = wg.tensor([
      [2, 0, 0],
      [0, 0, 3],
    ]);
    const target = logits.argmax(1);
    const a = wg.F.crossEntropy(logits, target).item();
    const b = wg.F.crossEntropy(logits, [0, 2]).item();
    expect(a).toBeCloseTo(b, 6);
    expect(wg.F.nllLoss(logits.logSoftmax(1), target).item()).toBeCloseTo(b, 6);
    const emb = new wg.nn.Embedding(4, 2);
    const out = emb.forward(wg.tensor([[3, 0]], { dtype: "int32" }));
    expect(out.shape).toEqual([1, 2, 2]);
  });
});
