/**
 * Finite-difference gradient checks for every differentiable op of the public API (src/index.ts), including
 * broadcasting, number operands on either side, every matmul rank combination, reductions over
 * dims / dim lists / everything, shape ops, F.linear, the losses and a small MLP.
 *
 * Each case compares `backward(g)` for a fixed random g against central differences of the
 * float32 forward (see gradcheck in ../helpers/fixtures.ts). To show the tolerance is a real
 * check, every case also asserts that the analytic gradient scaled by 1.1 (a 10% error) would be
 * rejected, unless the true gradient is zero everywhere.
 *
 * Inputs stay away from kinks and singularities: values are drawn from grids whose points are
 * far (>= 0.02, against a step of 1e-3) from ties, from 0 for abs/relu and from clamp bounds.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type GradcheckOptions,
  type GradInput,
  gradcheck,
  gradcheckDefaults,
  rng,
  sizeOf,
} from "../helpers/fixtures.js";

type Fn = (...xs: wg.Tensor[]) => wg.Tensor;

interface Case {
  name: string;
  fn: Fn;
  /** Run after seeding the generator from the case name, so every case has fixed data. */
  inputs: Gen[];
  opts?: GradcheckOptions;
  /** The true gradient is identically zero, so a scaled gradient cannot be told apart. */
  zeroGrad?: boolean;
}

// ---------------------------------------------------------------------------- input data

let random = rng(1);

/** An input generator, drawing from `random` when the case runs. */
type Gen = () => GradInput;

function make(shape: number[], value: (i: number) => number): GradInput {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return { shape, data };
}

/** Uniform in [lo, hi). */
function uni(shape: number[], lo = -1, hi = 1): Gen {
  return () => make(shape, () => lo + (hi - lo) * random());
}

/** Positive values in [lo, hi) (log, sqrt, fractional powers, denominators). */
function pos(shape: number[], lo = 0.5, hi = 2): Gen {
  return uni(shape, lo, hi);
}

/** |x| in [lo, hi) with a random sign: away from 0. */
function nonzero(shape: number[], lo = 0.3, hi = 1.5): Gen {
  return () => make(shape, () => (random() < 0.5 ? -1 : 1) * (lo + (hi - lo) * random()));
}

/**
 * Shuffled distinct points of the grid offset + 0.1·k centred on 0: any two differ by >= 0.1, a
 * point is >= min(offset, 0.1 - offset) from every multiple of 0.1, and two grids with offsets
 * 0.03 and 0.07 never come closer than 0.04.
 */
function grid(shape: number[], offset = 0.05): Gen {
  return () => gridData(shape, offset);
}

function gridData(shape: number[], offset: number): GradInput {
  const n = sizeOf(shape);
  const k = Array.from({ length: n }, (_, i) => i - Math.floor(n / 2));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [k[i], k[j]] = [k[j], k[i]];
  }
  return make(shape, (i) => 0.1 * k[i] + offset);
}

// ---------------------------------------------------------------------------- cases

function k(name: string, fn: Fn, inputs: Gen[], opts?: GradcheckOptions): Case {
  return { name, fn, inputs, opts };
}

const binary: Case[] = [
  // add
  k("add [2,3]+[2,3]", (a, b) => a.add(b), [uni([2, 3]), uni([2, 3])]),
  k("add broadcast [2,3,4]+[4]", (a, b) => a.add(b), [uni([2, 3, 4]), uni([4])]),
  k("add broadcast [4]+[2,3,4]", (a, b) => wg.add(a, b), [uni([4]), uni([2, 3, 4])]),
  k("add broadcast [3,1]+[1,4]", (a, b) => a.add(b), [uni([3, 1]), uni([1, 4])]),
  k("add 0-d [2,3]+[]", (a, b) => a.add(b), [uni([2, 3]), uni([])]),
  k("add x + 2.5", (a) => a.add(2.5), [uni([2, 3])]),
  k("add 1.5 + x", (a) => wg.add(1.5, a), [uni([2, 3])]),
  // sub
  k("sub [2,3]-[2,3]", (a, b) => a.sub(b), [uni([2, 3]), uni([2, 3])]),
  k("sub broadcast [2,3,4]-[4]", (a, b) => a.sub(b), [uni([2, 3, 4]), uni([4])]),
  k("sub broadcast [4]-[2,3,4]", (a, b) => a.sub(b), [uni([4]), uni([2, 3, 4])]),
  k("sub broadcast [3,1]-[1,4]", (a, b) => wg.sub(a, b), [uni([3, 1]), uni([1, 4])]),
  k("sub x - 2", (a) => a.sub(2), [uni([2, 3])]),
  k("sub 2 - x", (a) => wg.sub(2, a), [uni([2, 3])]),
  // mul
  k("mul [2,3]*[2,3]", (a, b) => a.mul(b), [uni([2, 3]), uni([2, 3])]),
  k("mul broadcast [3,1]*[1,4]", (a, b) => a.mul(b), [uni([3, 1]), uni([1, 4])]),
  k("mul broadcast [2,3,4]*[4]", (a, b) => a.mul(b), [uni([2, 3, 4]), uni([4])]),
  k("mul broadcast [1]*[2,3]", (a, b) => wg.mul(a, b), [uni([1]), uni([2, 3])]),
  k("mul x * -2", (a) => a.mul(-2), [uni([2, 3])]),
  k("mul -2 * x", (a) => wg.mul(-2, a), [uni([2, 3])]),
  k("mul x * x (one input used twice)", (a) => a.mul(a), [uni([2, 3])]),
  // div
  k("div [2,3]/[2,3]", (a, b) => a.div(b), [uni([2, 3]), nonzero([2, 3], 0.5, 2)]),
  k("div broadcast [5]/[2,1,5]", (a, b) => a.div(b), [uni([5]), pos([2, 1, 5])]),
  k("div broadcast [2,1,5]/[5]", (a, b) => a.div(b), [uni([2, 1, 5]), pos([5])]),
  k("div broadcast [3,1]/[1,4]", (a, b) => wg.div(a, b), [uni([3, 1]), nonzero([1, 4], 0.5, 2)]),
  k("div x / -0.4", (a) => a.div(-0.4), [uni([2, 3])]),
  k("div 3 / x", (a) => wg.div(3, a), [nonzero([2, 3], 0.5, 2)]),
  // maximum / minimum (grids 0.03 and 0.07 apart: no ties)
  k("maximum [2,3],[2,3]", (a, b) => a.maximum(b), [grid([2, 3], 0.03), grid([2, 3], 0.07)]),
  k("maximum broadcast [3,1],[1,4]", (a, b) => a.maximum(b), [
    grid([3, 1], 0.03),
    grid([1, 4], 0.07),
  ]),
  k("maximum broadcast [2,3,4],[4]", (a, b) => wg.maximum(a, b), [
    grid([2, 3, 4], 0.03),
    grid([4], 0.07),
  ]),
  k("maximum x, 0.05", (a) => a.maximum(0.05), [grid([3, 4], 0.03)]),
  k("maximum 0.05, x", (a) => wg.maximum(0.05, a), [grid([3, 4], 0.03)]),
  k("minimum [2,3],[2,3]", (a, b) => a.minimum(b), [grid([2, 3], 0.03), grid([2, 3], 0.07)]),
  k("minimum broadcast [3,1],[1,4]", (a, b) => a.minimum(b), [
    grid([3, 1], 0.03),
    grid([1, 4], 0.07),
  ]),
  k("minimum broadcast [4],[2,3,4]", (a, b) => wg.minimum(a, b), [
    grid([4], 0.07),
    grid([2, 3, 4], 0.03),
  ]),
  k("minimum x, 0.05", (a) => a.minimum(0.05), [grid([3, 4], 0.03)]),
  k("minimum 0.05, x", (a) => wg.minimum(0.05, a), [grid([3, 4], 0.03)]),
];

const unary: Case[] = [
  k("pow 2", (x) => x.pow(2), [uni([2, 3], -2, 2)]),
  k("pow 3", (x) => x.pow(3), [uni([2, 3], -1.5, 1.5)]),
  k("pow 1", (x) => x.pow(1), [uni([2, 3])]),
  k("pow -1", (x) => x.pow(-1), [nonzero([2, 3], 0.5, 2)]),
  k("pow -2 (negative base)", (x) => wg.pow(x, -2), [nonzero([2, 3], 0.5, 2)]),
  k("pow 0.5", (x) => x.pow(0.5), [pos([2, 3])]),
  k("pow 1.7", (x) => x.pow(1.7), [pos([2, 3])]),
  k("pow -2.5", (x) => x.pow(-2.5), [pos([2, 3], 0.7, 2)]),
  { ...k("pow 0 (zero gradient)", (x) => x.pow(0), [pos([2, 3])]), zeroGrad: true },
  k("neg", (x) => x.neg(), [uni([2, 3, 4])]),
  k("neg (function)", (x) => wg.neg(x), [uni([])]),
  k("exp", (x) => x.exp(), [uni([2, 3, 4], -2, 2)]),
  k("exp (function, 0-d)", (x) => wg.exp(x), [uni([])]),
  k("log", (x) => x.log(), [pos([2, 3, 4])]),
  k("log (function)", (x) => wg.log(x), [pos([5], 0.3, 5)]),
  k("sqrt", (x) => x.sqrt(), [pos([2, 3, 4])]),
  k("sqrt (function)", (x) => wg.sqrt(x), [pos([5], 0.3, 5)]),
  k("abs", (x) => x.abs(), [grid([2, 3, 4])]),
  k("abs (function)", (x) => wg.abs(x), [nonzero([5])]),
  k("relu", (x) => x.relu(), [grid([2, 3, 4])]),
  k("relu (function and F)", (x) => wg.F.relu(wg.relu(x)), [nonzero([6])]),
  k("sigmoid", (x) => x.sigmoid(), [uni([2, 3, 4], -4, 4)]),
  k("sigmoid (function and F)", (x) => wg.F.sigmoid(wg.sigmoid(x)), [uni([6], -3, 3)]),
  k("tanh", (x) => x.tanh(), [uni([2, 3, 4], -2, 2)]),
  k("tanh (function and F)", (x) => wg.F.tanh(wg.tanh(x)), [uni([6], -2, 2)]),
  k("clamp -0.3, 0.2", (x) => x.clamp(-0.3, 0.2), [grid([3, 4])]),
  k("clamp min only -0.2", (x) => x.clamp(-0.2, null), [grid([3, 4])]),
  k("clamp max only 0.1", (x) => x.clamp(null, 0.1), [grid([3, 4])]),
  k("clamp max only (omitted) 0.1", (x) => wg.clamp(x, null, 0.1), [grid([3, 4])]),
  k("clamp min only (max omitted) -0.2", (x) => x.clamp(-0.2), [grid([3, 4])]),
];

const mm = (a: wg.Tensor, b: wg.Tensor): wg.Tensor => a.matmul(b);
const matmul: Case[] = [
  k("matmul [4].[4]", mm, [uni([4]), uni([4])]),
  k("matmul [3].[3,4]", mm, [uni([3]), uni([3, 4])]),
  k("matmul [3,4].[4]", mm, [uni([3, 4]), uni([4])]),
  k("matmul [3,4].[4,5]", mm, [uni([3, 4]), uni([4, 5])]),
  k("matmul [1,1].[1,1]", mm, [uni([1, 1]), uni([1, 1])]),
  k("matmul [5,7].[7,9]", (a, b) => wg.matmul(a, b), [uni([5, 7]), uni([7, 9])]),
  k("matmul batched [2,3,4].[2,4,5]", mm, [uni([2, 3, 4]), uni([2, 4, 5])]),
  k("matmul broadcast [2,1,3,4].[5,4,2]", mm, [uni([2, 1, 3, 4]), uni([5, 4, 2])]),
  k("matmul broadcast [1,3,4].[2,4,5]", mm, [uni([1, 3, 4]), uni([2, 4, 5])]),
  k("matmul [2,3,4].[4,5]", mm, [uni([2, 3, 4]), uni([4, 5])]),
  k("matmul [3,4].[2,4,5]", mm, [uni([3, 4]), uni([2, 4, 5])]),
  k("matmul [2,3,4].[4]", mm, [uni([2, 3, 4]), uni([4])]),
  k("matmul [4].[2,4,5]", mm, [uni([4]), uni([2, 4, 5])]),
  k("matmul x.T . x (one input used twice)", (a) => a.T.matmul(a), [uni([3, 4])]),
];

// max uses grid data: every reduction group has a unique maximum, 0.1 ahead of the next.
const reductions: Case[] = [
  k("sum all", (x) => x.sum(), [uni([2, 3, 4])]),
  k("sum all 0-d", (x) => wg.sum(x), [uni([])]),
  k("sum dim 1", (x) => x.sum(1), [uni([2, 3, 4])]),
  k("sum dim -1 keepdim", (x) => x.sum(-1, true), [uni([2, 3, 4])]),
  k("sum dims [0,2]", (x) => x.sum([0, 2]), [uni([2, 3, 4])]),
  k("sum dims [-1,0] keepdim", (x) => wg.sum(x, [-1, 0], true), [uni([2, 3, 4])]),
  k("sum dim 1 of size 1", (x) => x.sum(1), [uni([3, 1])]),
  k("mean all", (x) => x.mean(), [uni([2, 3, 4])]),
  k("mean all 0-d", (x) => wg.mean(x), [uni([])]),
  k("mean dim 0", (x) => x.mean(0), [uni([2, 3, 4])]),
  k("mean dim -2 keepdim", (x) => x.mean(-2, true), [uni([2, 3, 4])]),
  k("mean dims [0,2] keepdim", (x) => x.mean([0, 2], true), [uni([2, 3, 4])]),
  k("mean dims [1,-1]", (x) => wg.mean(x, [1, -1]), [uni([2, 3, 4])]),
  k("max all", (x) => x.max(), [grid([2, 3, 4])]),
  k("max all [1]", (x) => x.max(), [uni([1])]),
  k("max all 0-d", (x) => wg.max(x), [uni([])]),
  k("max dim 1", (x) => x.max(1)[0], [grid([2, 3, 4])]),
  k("max dim 0", (x) => x.max(0)[0], [grid([2, 3, 4])]),
  k("max dim -1 keepdim", (x) => x.max(-1, true)[0], [grid([2, 3, 4])]),
  k("max dims [0,2]", (x) => x.amax([0, 2]), [grid([2, 3, 4])]),
  k("max dims [-1,0] keepdim", (x) => wg.amax(x, [-1, 0], true), [grid([2, 3, 4])]),
  k("max dims [1]", (x) => x.amax([1]), [grid([2, 3, 4])]),
  k("max dims [0,1,2] keepdim", (x) => x.amax([0, 1, 2], true), [grid([2, 3, 4])]),
  k("max dim 1 of size 1", (x) => x.max(1)[0], [uni([3, 1])]),
  k("max dims [1] of size 1", (x) => x.amax([1]), [uni([3, 1])]),
];

const softmaxes: Case[] = [];
for (const [op, f] of [
  ["softmax", (x: wg.Tensor, d: number) => x.softmax(d)],
  ["logSoftmax", (x: wg.Tensor, d: number) => x.logSoftmax(d)],
] as const) {
  for (const d of [0, 1, 2, -1, -2]) {
    softmaxes.push(k(`${op} [2,3,4] dim ${d}`, (x) => f(x, d), [uni([2, 3, 4], -2, 2)]));
  }
  softmaxes.push(k(`${op} [3,5] dim 1`, (x) => f(x, 1), [uni([3, 5], -2, 2)]));
  softmaxes.push(k(`${op} [6] dim 0`, (x) => f(x, 0), [uni([6], -2, 2)]));
}
softmaxes.push(
  k("softmax (function and F)", (x) => wg.F.softmax(wg.softmax(x, 0), 1), [uni([3, 4])]),
  k("logSoftmax (function and F)", (x) => wg.F.logSoftmax(wg.logSoftmax(x, 1), 0), [uni([3, 4])]),
);

const shapes: Case[] = [
  k("reshape [2,3,4] to [4,-1]", (x) => x.reshape(4, -1), [uni([2, 3, 4])]),
  k("reshape [6] to [2,3] (function)", (x) => wg.reshape(x, [2, 3]), [uni([6])]),
  k("reshape [] to [1,1]", (x) => x.reshape(1, 1), [uni([])]),
  k("flatten [2,3,4,5] 1,2", (x) => x.flatten(1, 2), [uni([2, 3, 4, 5])]),
  k("flatten [2,3,4] all", (x) => wg.flatten(x), [uni([2, 3, 4])]),
  k("transpose [2,3,4] 0,2", (x) => x.transpose(0, 2), [uni([2, 3, 4])]),
  k("transpose [2,3,4] -1,-2", (x) => wg.transpose(x, -1, -2), [uni([2, 3, 4])]),
  k("T [3,4]", (x) => x.T, [uni([3, 4])]),
  k("permute [2,3,4] 2,0,1", (x) => x.permute(2, 0, 1), [uni([2, 3, 4])]),
  k("permute [2,3,4,5] 3,1,0,2", (x) => wg.permute(x, [3, 1, 0, 2]), [uni([2, 3, 4, 5])]),
  k("squeeze [1,3,1,2]", (x) => x.squeeze(), [uni([1, 3, 1, 2])]),
  k("squeeze [1,3,1,2] dim 2", (x) => x.squeeze(2), [uni([1, 3, 1, 2])]),
  k("squeeze [1,3,1,2] dim -4", (x) => wg.squeeze(x, -4), [uni([1, 3, 1, 2])]),
  k("unsqueeze [2,3] dim 1", (x) => x.unsqueeze(1), [uni([2, 3])]),
  k("unsqueeze [2,3] dim -1", (x) => wg.unsqueeze(x, -1), [uni([2, 3])]),
  k("narrow [4,5] dim 1 1:4", (x) => x.narrow(1, 1, 3), [uni([4, 5])]),
  k("narrow [2,3,4] dim 0 1:2", (x) => wg.narrow(x, 0, 1, 1), [uni([2, 3, 4])]),
  k("narrow [2,3,4] dim -1 2:4", (x) => x.narrow(-1, 2, 2), [uni([2, 3, 4])]),
  k("cat [2,3]+[4,3] dim 0", (a, b) => wg.cat([a, b], 0), [uni([2, 3]), uni([4, 3])]),
  k("cat [2,3,4]+[2,3,1]+[2,3,2] dim -1", (a, b, c) => wg.cat([a, b, c], -1), [
    uni([2, 3, 4]),
    uni([2, 3, 1]),
    uni([2, 3, 2]),
  ]),
  k("cat [2,3]+[2,1] dim 1", (a, b) => wg.cat([a, b], 1), [uni([2, 3]), uni([2, 1])]),
  k("cat x with itself", (a) => wg.cat([a, a], 0), [uni([2, 3])]),
  k("stack 3x[2,3] dim 0", (a, b, c) => wg.stack([a, b, c], 0), [
    uni([2, 3]),
    uni([2, 3]),
    uni([2, 3]),
  ]),
  k("stack 2x[2,3] dim 1", (a, b) => wg.stack([a, b], 1), [uni([2, 3]), uni([2, 3])]),
  k("stack 2x[2,3] dim -1", (a, b) => wg.stack([a, b], -1), [uni([2, 3]), uni([2, 3])]),
  k("stack 2x[] dim 0", (a, b) => wg.stack([a, b], 0), [uni([]), uni([])]),
  k("clone", (x) => x.clone(), [uni([2, 3])]),
];

// The losses are quadratic or smooth and their outputs are sums: a larger step keeps the
// float32 rounding of the summed output small against the difference.
const lossOpts: GradcheckOptions = { eps: 1e-2 };
const nn: Case[] = [
  k("F.linear with bias", (x, w, b) => wg.F.linear(x, w, b), [uni([4, 5]), uni([3, 5]), uni([3])]),
  k("F.linear without bias", (x, w) => wg.F.linear(x, w), [uni([4, 5]), uni([3, 5])]),
  k("F.linear null bias, 3-D input", (x, w) => wg.F.linear(x, w, null), [
    uni([2, 3, 4]),
    uni([6, 4]),
  ]),
  k("F.linear 1-D input with bias", (x, w, b) => wg.F.linear(x, w, b), [
    uni([3]),
    uni([2, 3]),
    uni([2]),
  ]),
  k("F.linear 1 -> 1 feature, then tanh", (x, w, b) => wg.F.linear(x, w, b).tanh(), [
    uni([5, 1]),
    uni([1, 1]),
    uni([1]),
  ]),
];
function crossEntropyWith(targets: Int32Array | number[], reduction: wg.F.Reduction): Fn {
  return (x) => wg.F.crossEntropy(x, targets, { reduction });
}
for (const reduction of ["mean", "sum", "none"] as const) {
  const mse: Fn = (x, t) => wg.F.mseLoss(x, t, { reduction });
  const ce = (targets: Int32Array | number[]): Fn => crossEntropyWith(targets, reduction);
  nn.push(
    k(`F.mseLoss ${reduction} [4,3]`, mse, [uni([4, 3]), uni([4, 3])], lossOpts),
    k(`F.mseLoss ${reduction} [2,3,4]`, mse, [uni([2, 3, 4]), uni([2, 3, 4])], lossOpts),
    k(`F.crossEntropy ${reduction} [4,5]`, ce([0, 3, 4, 1]), [uni([4, 5], -2, 2)], lossOpts),
    k(
      `F.crossEntropy ${reduction} [8,10]`,
      ce(Int32Array.from([9, 0, 2, 2, 7, 5, 1, 3])),
      [uni([8, 10], -3, 3)],
      lossOpts,
    ),
    k(`F.crossEntropy ${reduction} 1-D logits [4]`, ce([2]), [uni([4], -2, 2)], lossOpts),
  );
}
nn.push(
  k(
    "F.crossEntropy default reduction",
    (x) => wg.F.crossEntropy(x, [1, 0, 2]),
    [uni([3, 3], -2, 2)],
    lossOpts,
  ),
);

const targets6 = Int32Array.from([0, 3, 1, 1, 2, 3]);
/** A constant target (no grad), the same for every evaluation. */
function mlpTarget(): wg.Tensor {
  return wg.tensor([
    [0.1, -0.2, 0.3],
    [0.5, 0.0, -0.4],
    [-0.3, 0.2, 0.2],
    [0.0, 0.7, -0.1],
    [0.4, -0.6, 0.1],
    [-0.2, 0.1, 0.0],
  ]);
}

const composite: Case[] = [
  k(
    "MLP tanh + crossEntropy (x, w1, b1, w2, b2)",
    (x, w1, b1, w2, b2) =>
      wg.F.crossEntropy(wg.F.linear(wg.F.linear(x, w1, b1).tanh(), w2, b2), targets6),
    [uni([6, 5]), uni([8, 5]), uni([8]), uni([4, 8]), uni([4])],
    lossOpts,
  ),
  k(
    "MLP relu + mseLoss (x, w1, b1, w2, b2)",
    (x, w1, b1, w2, b2) =>
      wg.F.mseLoss(wg.F.linear(wg.F.linear(x, w1, b1).relu(), w2, b2), mlpTarget()),
    [uni([6, 5]), uni([8, 5]), uni([8]), uni([3, 8]), uni([3])],
  ),
  k(
    "x*x + exp(x) summed over dim 1, then softmax",
    (x) => x.mul(x).add(x.exp()).sum(1).softmax(0),
    [uni([4, 3])],
  ),
  k(
    "sigmoid(x @ w) / (1 + |x|) mean",
    (x, w) => x.matmul(w).sigmoid().div(x.abs().add(1).sum(1, true)).mean(),
    [nonzero([3, 4]), uni([4, 2])],
  ),
];

const groups: [string, Case[]][] = [
  ["binary ops", binary],
  ["unary ops", unary],
  ["matmul", matmul],
  ["reductions", reductions],
  ["softmax / logSoftmax", softmaxes],
  ["shape ops", shapes],
  ["nn.functional", nn],
  ["composites", composite],
];

// ---------------------------------------------------------------------------- tests

describe("gradcheck (central differences)", () => {
  describe.each(groups)("%s", (_, cases) => {
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

  it("rejects a wrong gradient: x * detach(x) differentiates as x, not 2x", () => {
    random = rng("detach");
    const report = gradcheck((x) => x.mul(x.detach()), [uni([2, 3])()]);
    expect(report.mismatches().length).toBeGreaterThan(0);
  });

  it("reports a gradient that never arrives", () => {
    random = rng("no grad");
    const report = gradcheck((x, y) => x.mul(2).add(y.detach()), [uni([3])(), uni([3])()]);
    expect(report.missing).toEqual([1]);
    expect(report.mismatches()[0]).toMatch(/input 1: .grad is null/);
  });

  it("uses a tolerance tight enough to matter", () => {
    expect(gradcheckDefaults.rtol).toBeLessThanOrEqual(0.02);
    expect(gradcheckDefaults.atol).toBeLessThanOrEqual(2e-3);
  });
});
