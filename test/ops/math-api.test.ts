/**
 * The issue-15 math API beyond values: strict arguments (unknown and snake_case option keys,
 * extra positional arguments, wrong types, shape errors as WasmgradErrors naming the op), the
 * seeded creation functions, and that forward + backward of each op frees every intermediate.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const x23 = () =>
  wg.tensor([
    [1, -2, 3],
    [0.5, 4, -1],
  ]);

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

describe("strict arguments", () => {
  it("names unknown and snake_case option keys", () => {
    const x = x23();
    throwsWg(
      () => x.var(0, { keep_dim: true } as never),
      /var: unknown option "keep_dim"; did you mean keepdim\?/,
    );
    throwsWg(() => x.std({ corection: 1 } as never), /std: unknown option "corection"/);
    throwsWg(
      () => x.prod(0, { keepDim: true } as never),
      /prod: unknown option "keepDim"; did you mean keepdim\?/,
    );
    throwsWg(() => x.norm(2, 1, { keep_dim: true } as never), /norm: unknown option "keep_dim"/);
    throwsWg(
      () => wg.linspace(0, 1, 5, { requires_grad: true } as never),
      /linspace: unknown option "requires_grad"; did you mean requiresGrad\?/,
    );
    throwsWg(
      () => wg.randLike(x, { layout: "strided" } as never),
      /randLike: unknown option "layout"/,
    );
    throwsWg(() => wg.randLike(x, { device: "cuda" }), /randLike: device "cuda" is not available/);
    x.dispose();
  });

  it("refuses extra positional arguments and wrong types", () => {
    const x = x23();
    throwsWg(() => (x.sin as (...a: unknown[]) => wg.Tensor)(1), /sin: takes 1 argument but got 2/);
    throwsWg(() => (wg.erf as (...a: unknown[]) => wg.Tensor)(x, 2), /erf: takes 1 argument/);
    throwsWg(() => (x.mm as (...a: unknown[]) => wg.Tensor)(x.T, 1), /mm: takes 2 arguments/);
    throwsWg(
      () => (x.cumsum as (...a: unknown[]) => wg.Tensor)(0, 1),
      /cumsum: too many arguments/,
    );
    throwsWg(() => x.cumsum(5), /cumsum: dim 5 is out of range/);
    throwsWg(() => (x.cumsum as () => wg.Tensor)(), /cumsum: dim is required/);
    throwsWg(() => x.var(0, true, "yes" as never), /var: .*keepdim/);
    throwsWg(
      () => x.var(0, { correction: 1, unbiased: true }),
      /var: cannot specify both unbiased and correction/,
    );
    throwsWg(() => x.norm("nuc" as never), /norm: expected p/);
    throwsWg(() => wg.sin([1, 2] as never), /sin: expected input to be a Tensor/);
    throwsWg(() => wg.pow(2, 3 as never), /pow: expected at least one Tensor/);
    throwsWg(() => x.atan2(2 as never), /atan2: expected a Tensor as the second operand/);
    throwsWg(() => x.rpow(x as never), /rpow: expected a number base/);
    throwsWg(
      () => wg.bernoulli(wg.tensor([0.5, 1.5])),
      /bernoulli: expected every probability in \[0, 1\] but got 1.5/,
    );
    throwsWg(
      () => (wg.linspace as (...a: number[]) => wg.Tensor)(0, 1),
      /linspace: steps is required/,
    );
    throwsWg(() => wg.linspace(0, 1, -1), /linspace: .*steps/);
    x.dispose();
  });

  it("reports shape errors naming the op and the shapes", () => {
    const a = wg.zeros([2, 3]);
    const b = wg.zeros([4, 5]);
    throwsWg(
      () => a.mm(b),
      /mm: cannot multiply \[2,3\] by \[4,5\]: inner dimensions 3 and 4 differ/,
    );
    throwsWg(
      () => a.mm(wg.zeros([3])),
      /mm: expected the second argument to be 2-D but got shape \[3\]/,
    );
    throwsWg(
      () => wg.bmm(wg.zeros([2, 2, 3]), wg.zeros([3, 3, 2])),
      /bmm: batch sizes differ: \[2,2,3\] and \[3,3,2\]/,
    );
    throwsWg(() => a.mv(wg.zeros([2])), /mv: cannot multiply \[2,3\] by \[2\]/);
    throwsWg(
      () => wg.dot(wg.zeros([3]), wg.zeros([4])),
      /dot: expected 1-D tensors of the same length/,
    );
    throwsWg(() => wg.outer(a, a), /outer: expected the first argument to be 1-D/);
    throwsWg(
      () => wg.einsum("ij,jk->ik", a),
      /einsum: the equation "ij,jk->ik" has 2 operands but 1 tensor was given/,
    );
    throwsWg(
      () => wg.einsum("ij,jk->ik", a, b),
      /einsum: subscript "j" has size 4 in operand 1 \(shape \[4,5\]\) but 3 elsewhere/,
    );
    throwsWg(
      () => wg.einsum("ijk->i", a),
      /einsum: operand 0 has 2 dimensions \(shape \[2,3\]\) but its subscripts "ijk" name 3/,
    );
    throwsWg(() => wg.einsum("...j->j", a), /einsum: "\.\.\." is not supported/);
    throwsWg(() => wg.einsum("ij->k", a), /einsum: output subscript "k" does not appear/);
    throwsWg(() => wg.pow(a, b), /pow: shapes \[2,3\] and \[4,5\] cannot be broadcast/);
    throwsWg(() => wg.atan2(a, b), /atan2: shapes \[2,3\] and \[4,5\] cannot be broadcast/);
    throwsWg(() => a.logsumexp(2), /logsumexp: dim 2 is out of range/);
    a.dispose();
    b.dispose();
  });

  it("accepts PyTorch's argument forms", () => {
    const x = x23();
    const same = (p: wg.Tensor, q: wg.Tensor) => expect(p.data()).toEqual(q.data());
    same(x.var(1, false), x.var(1, { correction: 0 }));
    same(x.var(false), x.var({ unbiased: false }));
    same(x.std(1, true, true), x.std(1, { keepdim: true }));
    same(x.prod(1, true), x.prod({ dim: 1, keepdim: true }));
    same(x.norm(), x.norm("fro"));
    same(x.norm(1, 1), x.norm({ p: 1, dim: 1 }));
    same(x.logsumexp(1, true), x.logsumexp({ dim: 1, keepdim: true }));
    same(x.cumsum(1), x.cumsum({ dim: 1 }));
    same(wg.logspace(0, 2, 3), wg.logspace(0, 2, { steps: 3, base: 10 }));
    expect(wg.linspace(0, 1, 3, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(wg.einsum("ij,jk->ik", [x, x.T]).shape).toEqual([2, 2]);
  });
});

describe("creation", () => {
  it("randLike, randnLike and bernoulli are reproducible under manualSeed", () => {
    const x = wg.zeros([300]);
    for (const f of [
      () => wg.randLike(x),
      () => wg.randnLike(x),
      () => wg.bernoulli(wg.fullLike(x, 0.3)),
    ]) {
      wg.manualSeed(7);
      const a = f().data();
      wg.manualSeed(7);
      expect(f().data()).toEqual(a);
    }
    wg.manualSeed(1);
    const u = wg.randLike(wg.zeros([10000])).data();
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    const n = wg.randnLike(wg.zeros([10000]));
    expect(Math.abs(n.mean().item())).toBeLessThan(0.05);
    expect(Math.abs(n.std().item() - 1)).toBeLessThan(0.05);
  });

  it("bernoulli draws 0 and 1 with the given probabilities", () => {
    wg.manualSeed(3);
    const p = wg.tensor([0, 1, 0, 1, 0.5]);
    const d = wg.bernoulli(p).data();
    expect([d[0], d[1], d[2], d[3]]).toEqual([0, 1, 0, 1]);
    expect(d[4] === 0 || d[4] === 1).toBe(true);
    const m = wg
      .bernoulli(wg.zeros([20000]), 0.25)
      .mean()
      .item();
    expect(Math.abs(m - 0.25)).toBeLessThan(0.02);
  });

  it("fullLike, emptyLike and linspace shapes and edge cases", () => {
    const x = wg.zeros([2, 3]);
    expect(wg.fullLike(x, 2.5).toArray()).toEqual([
      [2.5, 2.5, 2.5],
      [2.5, 2.5, 2.5],
    ]);
    expect(wg.emptyLike(x).shape).toEqual([2, 3]);
    expect(wg.randLike(x, { requiresGrad: true }).requiresGrad).toBe(true);
    expect(wg.linspace(3, 3, 1).toArray()).toEqual([3]);
    expect(wg.linspace(0, 1, 0).shape).toEqual([0]);
    expect(wg.linspace(-1, 1, 101).data()[100]).toBe(1);
  });
});

describe("memory", () => {
  // Single op calls on inputs that suit them (p is positive), so every tensor made is the op's.
  const ops: [string, (x: wg.Tensor, y: wg.Tensor, p: wg.Tensor) => wg.Tensor][] = [
    ["sin", (x) => x.sin()],
    ["erf", (x) => x.erf()],
    ["log1p", (_, __, p) => p.log1p()],
    ["rsqrt", (_, __, p) => p.rsqrt()],
    ["reciprocal", (x) => x.reciprocal()],
    ["round", (x) => x.round()],
    ["frac", (x) => x.frac()],
    ["pow", (_, y, p) => p.pow(y)],
    ["rpow", (x) => x.rpow(2)],
    ["atan2", (x, y) => x.atan2(y)],
    ["lerp", (x, y, p) => x.lerp(y, p)],
    ["logsumexp", (x) => x.logsumexp(1)],
    ["cumsum", (x) => x.cumsum(0)],
    ["cumprod", (x) => x.cumprod(1)],
    ["prod", (x) => x.prod(1)],
    ["var", (x) => x.var(0)],
    ["std", (x) => x.std()],
    ["norm 2", (x) => x.norm(2, 1)],
    ["norm inf", (x) => x.norm(Number.POSITIVE_INFINITY)],
    ["norm 3", (x) => x.norm(3)],
    ["mm", (x, _, p) => x.mm(p)],
    ["dot", (x, y) => x.dot(y)],
    ["outer", (x, y) => x.outer(y)],
  ];
  const inputs = (requiresGrad: boolean, name: string) => {
    const flat = name === "dot" || name === "outer";
    const make = (v: number[], shape?: number[]) =>
      wg.tensor(new Float32Array(v), { shape: shape ?? (flat ? [6] : [2, 3]), requiresGrad });
    return [
      make([0.3, -0.7, 1.2, 0.9, 0.4, -0.2]),
      make([1.1, 0.6, -0.8, 0.2, -1.3, 0.5]),
      make([0.4, 0.7, 0.1, 0.9, 0.35, 0.6], name === "mm" ? [3, 2] : undefined),
    ];
  };
  it.each(ops)("%s frees every intermediate of forward and backward", (name, f) => {
    const xs = inputs(true, name);
    const [x, y, p] = xs;
    const before = wg.memory().liveTensors;
    const out = f(x, y, p);
    const g = wg.onesLike(out);
    out.backward(g);
    out.dispose();
    g.dispose();
    expect(xs.some((t) => t.grad !== null)).toBe(true);
    for (const t of xs) t.grad = null;
    expect(wg.memory().liveTensors).toBe(before);
    for (const t of xs) t.dispose();
  });
  it("ops without autograd leave nothing behind", () => {
    for (const [name, f] of ops) {
      const xs = inputs(false, name);
      const before = wg.memory().liveTensors;
      f(xs[0], xs[1], xs[2]).dispose();
      expect(wg.memory().liveTensors, name).toBe(before);
      for (const t of xs) t.dispose();
    }
  });
});
