/**
 * Finite-difference gradient checks of the issue-15 math: the elementwise functions, pow with a
 * tensor exponent and rpow, atan2, lerp, logsumexp, cumsum, cumprod and prod (with zeros),
 * var/std with corrections, norm for several p, the fixed-rank products and einsum. As in
 * gradcheck.test.ts, each case also asserts that a 10% wrong gradient would be rejected, unless
 * the true gradient is zero everywhere (the rounding functions).
 *
 * Inputs stay away from kinks: rounding functions get values >= 0.05 from integers and halves,
 * norms and products get values away from 0 except where a zero is the point of the case.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type GradcheckOptions,
  type GradInput,
  gradcheck,
  rng,
  sizeOf,
} from "../helpers/fixtures.js";

type Fn = (...xs: wg.Tensor[]) => wg.Tensor;
type Gen = () => GradInput;

let random = rng(1);

function make(shape: number[], value: (i: number) => number): GradInput {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return { shape, data };
}
const uni =
  (shape: number[], lo = -1, hi = 1): Gen =>
  () =>
    make(shape, () => lo + (hi - lo) * random());
const pos = (shape: number[], lo = 0.5, hi = 2): Gen => uni(shape, lo, hi);
const nonzero =
  (shape: number[], lo = 0.3, hi = 1.5): Gen =>
  () =>
    make(shape, () => (random() < 0.5 ? -1 : 1) * (lo + (hi - lo) * random()));
/** Values at k/4 + 0.12: >= 0.12 from every integer and half. */
const offGrid =
  (shape: number[]): Gen =>
  () =>
    make(shape, (i) => (i % 17) / 4 - 2 + 0.12);
const fixed =
  (shape: number[], values: number[]): Gen =>
  () =>
    make(shape, (i) => values[i]);

interface Case {
  name: string;
  fn: Fn;
  inputs: Gen[];
  opts?: GradcheckOptions;
  zeroGrad?: boolean;
}
const k = (name: string, fn: Fn, inputs: Gen[], opts?: GradcheckOptions): Case => ({
  name,
  fn,
  inputs,
  opts,
});

const cases: Case[] = [
  k("sin", (x) => x.sin(), [uni([2, 3], -4, 4)]),
  k("cos", (x) => wg.cos(x), [uni([2, 3], -4, 4)]),
  k("erf", (x) => x.erf(), [uni([2, 3], -2, 2)]),
  k("log1p", (x) => x.log1p(), [uni([2, 3], -0.5, 2)]),
  k("expm1", (x) => x.expm1(), [uni([2, 3], -2, 2)]),
  k("rsqrt", (x) => x.rsqrt(), [pos([2, 3])]),
  k("square", (x) => x.square(), [uni([2, 3])]),
  k("reciprocal", (x) => x.reciprocal(), [nonzero([2, 3], 0.5, 2)]),
  k("frac", (x) => x.frac(), [offGrid([7])]),
  ...(["sign", "floor", "ceil", "round", "trunc"] as const).map((op) => ({
    ...k(`${op} (zero gradient)`, (x: wg.Tensor) => x[op](), [offGrid([7])]),
    zeroGrad: true,
  })),
  k("pow tensor^tensor", (x, y) => x.pow(y), [pos([2, 3]), uni([2, 3], -2, 2)]),
  k("pow broadcast [2,3]^[3]", (x, y) => wg.pow(x, y), [pos([2, 3]), uni([3], -2, 2)]),
  k("pow broadcast [3,1]^[1,4]", (x, y) => x.pow(y), [pos([3, 1]), uni([1, 4], -2, 2)]),
  k("pow negative base, integer exponent", (x) => x.pow(wg.tensor([2, 3, -1])), [
    nonzero([3], 0.5, 2),
  ]),
  k("rpow 2 ** x", (x) => x.rpow(2), [uni([2, 3], -2, 2)]),
  k("rpow wg.pow(0.5, x)", (x) => wg.pow(0.5, x), [uni([2, 3], -2, 2)]),
  k("atan2", (y, x) => y.atan2(x), [nonzero([2, 3]), nonzero([2, 3])]),
  k("atan2 broadcast [2,3],[3]", (y, x) => wg.atan2(y, x), [nonzero([2, 3]), nonzero([3])]),
  k("lerp number weight 0.3", (a, b) => a.lerp(b, 0.3), [uni([2, 3]), uni([2, 3])]),
  k("lerp number weight 0.8, broadcast", (a, b) => wg.lerp(a, b, 0.8), [uni([2, 3]), uni([3])]),
  k("lerp tensor weight broadcast", (a, b, w) => a.lerp(b, w), [
    uni([2, 3]),
    uni([3]),
    uni([2, 1], 0, 1),
  ]),
  k("logsumexp dim 1", (x) => x.logsumexp(1), [uni([3, 4], -3, 3)]),
  k("logsumexp dims [0,2] keepdim", (x) => x.logsumexp([0, 2], true), [uni([2, 3, 4], -3, 3)]),
  k("cumsum dim 0", (x) => x.cumsum(0), [uni([3, 4])]),
  k("cumsum dim -1", (x) => wg.cumsum(x, -1), [uni([2, 3, 5])]),
  k("cumprod dim 1", (x) => x.cumprod(1), [nonzero([3, 4], 0.5, 1.5)]),
  k("cumprod dim 0 with zeros", (x) => x.cumprod(0), [
    fixed([4, 3], [1.2, 0, 0.7, 0, 0.9, 1.1, -0.8, 0, 1.3, 0.6, 0.5, 0]),
  ]),
  k("prod all", (x) => x.prod(), [nonzero([2, 3], 0.6, 1.4)]),
  k("prod dim 1 keepdim", (x) => x.prod(1, true), [nonzero([3, 4], 0.6, 1.4)]),
  k("prod dim 0 with one and two zeros", (x) => wg.prod(x, 0), [
    fixed([3, 3], [0, 0, 1.2, 0.8, 0, 0.7, 1.1, 0.9, 1.3]),
  ]),
  k("var all", (x) => x.var(), [uni([3, 4])]),
  k("var dim 1 correction 0", (x) => x.var(1, { correction: 0 }), [uni([3, 4])]),
  k("var dims [0,2] unbiased keepdim", (x) => x.var([0, 2], true, true), [uni([2, 3, 4])]),
  k("std all", (x) => x.std(), [uni([3, 4])]),
  k("std dim 0 correction 2 keepdim", (x) => wg.std(x, 0, { correction: 2, keepdim: true }), [
    uni([5, 3]),
  ]),
  k("norm 2 all", (x) => x.norm(), [uni([3, 4])]),
  k("norm 2 dim 1", (x) => x.norm(2, 1), [uni([3, 4])]),
  k("norm 1 dim 0", (x) => x.norm(1, 0), [nonzero([3, 4])]),
  k("norm 3 dims [0,1] keepdim", (x) => wg.norm(x, 3, [0, 1], true), [nonzero([2, 3, 2])]),
  k("norm 1.5", (x) => x.norm(1.5), [nonzero([5])]),
  k("norm inf dim 1", (x) => x.norm(Number.POSITIVE_INFINITY, 1), [
    fixed([2, 3], [0.3, -0.9, 0.5, 0.2, 0.4, -0.1]),
  ]),
  k("norm -inf", (x) => x.norm(Number.NEGATIVE_INFINITY), [
    fixed([2, 3], [0.3, -0.9, 0.5, 0.2, 0.4, -0.7]),
  ]),
  k("mm", (a, b) => a.mm(b), [uni([3, 4]), uni([4, 2])]),
  k("bmm", (a, b) => wg.bmm(a, b), [uni([2, 3, 4]), uni([2, 4, 5])]),
  k("mv", (a, v) => a.mv(v), [uni([3, 4]), uni([4])]),
  k("dot", (a, b) => a.dot(b), [uni([5]), uni([5])]),
  k("outer", (a, b) => a.outer(b), [uni([3]), uni([4])]),
  k("einsum ij,jk->ik", (a, b) => wg.einsum("ij,jk->ik", a, b), [uni([3, 4]), uni([4, 2])]),
  k("einsum bij,bjk->bik", (a, b) => wg.einsum("bij,bjk->bik", a, b), [
    uni([2, 3, 4]),
    uni([2, 4, 2]),
  ]),
  k("einsum bhqd,bhkd->bhqk", (q, kk) => wg.einsum("bhqd,bhkd->bhqk", q, kk), [
    uni([2, 2, 3, 4]),
    uni([2, 2, 5, 4]),
  ]),
  k("einsum bhqk,bhkd->bhqd", (p, v) => wg.einsum("bhqk,bhkd->bhqd", p, v), [
    uni([1, 2, 3, 5]),
    uni([1, 2, 5, 4]),
  ]),
  k("einsum i,j->ij", (a, b) => wg.einsum("i,j->ij", a, b), [uni([3]), uni([4])]),
  k("einsum ii->i", (a) => wg.einsum("ii->i", a), [uni([3, 3])]),
  k("einsum ii (trace)", (a) => wg.einsum("ii", a), [uni([3, 3])]),
  k("einsum ij->ji", (a) => wg.einsum("ij->ji", a), [uni([2, 3])]),
  k("einsum bij->j (batch sum)", (a) => wg.einsum("bij->j", a), [uni([2, 3, 4])]),
  k("einsum bilinear bi,oij,bj->bo", (x, w, y) => wg.einsum("bi,oij,bj->bo", x, w, y), [
    uni([2, 3]),
    uni([4, 3, 5]),
    uni([2, 5]),
  ]),
];

describe("gradcheck of the issue-15 math (central differences)", () => {
  it.each(cases)("$name", (c) => {
    random = rng(c.name);
    const report = gradcheck(
      c.fn,
      c.inputs.map((gen) => gen()),
      { seed: c.name, ...c.opts },
    );
    expect(report.mismatches(), "analytic vs numeric").toEqual([]);
    if (c.zeroGrad) {
      for (const n of report.numeric) expect(Math.max(...n.map(Math.abs))).toBe(0);
    } else {
      expect(
        report.mismatches(1.1).length,
        "a 10% wrong gradient must be rejected",
      ).toBeGreaterThan(0);
    }
  });
});
