/**
 * Finite-difference gradient checks for every differentiable op in the API (API.md), including
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
  /** Called with the case's own seeded generator, so every case has fixed data. */
  inputs: () => GradInput[];
  opts?: GradcheckOptions;
  /** The true gradient is identically zero, so a scaled gradient cannot be told apart. */
  zeroGrad?: boolean;
}

// ---------------------------------------------------------------------------- input data

let random = rng(1);

function make(shape: number[], value: (i: number) => number): GradInput {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = value(i);
  return { shape, data };
}

/** Uniform in [lo, hi). */
function uni(shape: number[], lo = -1, hi = 1): GradInput {
  return make(shape, () => lo + (hi - lo) * random());
}

/** Positive values in [lo, hi) (log, sqrt, fractional powers, denominators). */
function pos(shape: number[], lo = 0.5, hi = 2): GradInput {
  return uni(shape, lo, hi);
}

/** |x| in [lo, hi) with a random sign: away from 0. */
function nonzero(shape: number[], lo = 0.3, hi = 1.5): GradInput {
  return make(shape, () => (random() < 0.5 ? -1 : 1) * (lo + (hi - lo) * random()));
}

/**
 * Shuffled distinct points of the grid offset + 0.1·k centred on 0: any two differ by >= 0.1, a
 * point is >= min(offset, 0.1 - offset) from every multiple of 0.1, and two grids with offsets
 * 0.03 and 0.07 never come closer than 0.04.
 */
function grid(shape: number[], offset = 0.05): GradInput {
  const n = sizeOf(shape);
  const k = Array.from({ length: n }, (_, i) => i - Math.floor(n / 2));
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [k[i], k[j]] = [k[j], k[i]];
  }
  return make(shape, (i) => 0.1 * k[i] + offset);
}

function targets(n: number, classes: number): Int32Array {
  return Int32Array.from({ length: n }, () => Math.floor(random() * classes));
}

// ---------------------------------------------------------------------------- cases

const binary: Case[] = [
  // add
  { name: "add [2,3]+[2,3]", fn: (a, b) => a.add(b), inputs: () => [uni([2, 3]), uni([2, 3])] },
  {
    name: "add broadcast [2,3,4]+[4]",
    fn: (a, b) => a.add(b),
    inputs: () => [uni([2, 3, 4]), uni([4])],
  },
  {
    name: "add broadcast [4]+[2,3,4]",
    fn: (a, b) => wg.add(a, b),
    inputs: () => [uni([4]), uni([2, 3, 4])],
  },
  {
    name: "add broadcast [3,1]+[1,4]",
    fn: (a, b) => a.add(b),
    inputs: () => [uni([3, 1]), uni([1, 4])],
  },
  { name: "add 0-d [2,3]+[]", fn: (a, b) => a.add(b), inputs: () => [uni([2, 3]), uni([])] },
  { name: "add x + 2.5", fn: (a) => a.add(2.5), inputs: () => [uni([2, 3])] },
  { name: "add 1.5 + x", fn: (a) => wg.add(1.5, a), inputs: () => [uni([2, 3])] },
  // sub
  { name: "sub [2,3]-[2,3]", fn: (a, b) => a.sub(b), inputs: () => [uni([2, 3]), uni([2, 3])] },
  {
    name: "sub broadcast [2,3,4]-[4]",
    fn: (a, b) => a.sub(b),
    inputs: () => [uni([2, 3, 4]), uni([4])],
  },
  {
    name: "sub broadcast [4]-[2,3,4]",
    fn: (a, b) => a.sub(b),
    inputs: () => [uni([4]), uni([2, 3, 4])],
  },
  {
    name: "sub broadcast [3,1]-[1,4]",
    fn: (a, b) => wg.sub(a, b),
    inputs: () => [uni([3, 1]), uni([1, 4])],
  },
  { name: "sub x - 2", fn: (a) => a.sub(2), inputs: () => [uni([2, 3])] },
  { name: "sub 2 - x", fn: (a) => wg.sub(2, a), inputs: () => [uni([2, 3])] },
  // mul
  { name: "mul [2,3]*[2,3]", fn: (a, b) => a.mul(b), inputs: () => [uni([2, 3]), uni([2, 3])] },
  {
    name: "mul broadcast [3,1]*[1,4]",
    fn: (a, b) => a.mul(b),
    inputs: () => [uni([3, 1]), uni([1, 4])],
  },
  {
    name: "mul broadcast [2,3,4]*[4]",
    fn: (a, b) => a.mul(b),
    inputs: () => [uni([2, 3, 4]), uni([4])],
  },
  {
    name: "mul broadcast [1]*[2,3]",
    fn: (a, b) => wg.mul(a, b),
    inputs: () => [uni([1]), uni([2, 3])],
  },
  { name: "mul x * -2", fn: (a) => a.mul(-2), inputs: () => [uni([2, 3])] },
  { name: "mul -2 * x", fn: (a) => wg.mul(-2, a), inputs: () => [uni([2, 3])] },
  { name: "mul x * x (one input used twice)", fn: (a) => a.mul(a), inputs: () => [uni([2, 3])] },
  // div
  {
    name: "div [2,3]/[2,3]",
    fn: (a, b) => a.div(b),
    inputs: () => [uni([2, 3]), nonzero([2, 3], 0.5, 2)],
  },
  {
    name: "div broadcast [5]/[2,1,5]",
    fn: (a, b) => a.div(b),
    inputs: () => [uni([5]), pos([2, 1, 5])],
  },
  {
    name: "div broadcast [2,1,5]/[5]",
    fn: (a, b) => a.div(b),
    inputs: () => [uni([2, 1, 5]), pos([5])],
  },
  {
    name: "div broadcast [3,1]/[1,4]",
    fn: (a, b) => wg.div(a, b),
    inputs: () => [uni([3, 1]), nonzero([1, 4], 0.5, 2)],
  },
  { name: "div x / -0.4", fn: (a) => a.div(-0.4), inputs: () => [uni([2, 3])] },
  { name: "div 3 / x", fn: (a) => wg.div(3, a), inputs: () => [nonzero([2, 3], 0.5, 2)] },
  // maximum / minimum (grids 0.03 and 0.07 apart: no ties)
  {
    name: "maximum [2,3],[2,3]",
    fn: (a, b) => a.maximum(b),
    inputs: () => [grid([2, 3], 0.03), grid([2, 3], 0.07)],
  },
  {
    name: "maximum broadcast [3,1],[1,4]",
    fn: (a, b) => a.maximum(b),
    inputs: () => [grid([3, 1], 0.03), grid([1, 4], 0.07)],
  },
  {
    name: "maximum broadcast [2,3,4],[4]",
    fn: (a, b) => wg.maximum(a, b),
    inputs: () => [grid([2, 3, 4], 0.03), grid([4], 0.07)],
  },
  { name: "maximum x, 0.05", fn: (a) => a.maximum(0.05), inputs: () => [grid([3, 4], 0.03)] },
  { name: "maximum 0.05, x", fn: (a) => wg.maximum(0.05, a), inputs: () => [grid([3, 4], 0.03)] },
  {
    name: "minimum [2,3],[2,3]",
    fn: (a, b) => a.minimum(b),
    inputs: () => [grid([2, 3], 0.03), grid([2, 3], 0.07)],
  },
  {
    name: "minimum broadcast [3,1],[1,4]",
    fn: (a, b) => a.minimum(b),
    inputs: () => [grid([3, 1], 0.03), grid([1, 4], 0.07)],
  },
  {
    name: "minimum broadcast [4],[2,3,4]",
    fn: (a, b) => wg.minimum(a, b),
    inputs: () => [grid([4], 0.07), grid([2, 3, 4], 0.03)],
  },
  { name: "minimum x, 0.05", fn: (a) => a.minimum(0.05), inputs: () => [grid([3, 4], 0.03)] },
  { name: "minimum 0.05, x", fn: (a) => wg.minimum(0.05, a), inputs: () => [grid([3, 4], 0.03)] },
];

const unary: Case[] = [
  { name: "pow 2", fn: (x) => x.pow(2), inputs: () => [uni([2, 3], -2, 2)] },
  { name: "pow 3", fn: (x) => x.pow(3), inputs: () => [uni([2, 3], -1.5, 1.5)] },
  { name: "pow 1", fn: (x) => x.pow(1), inputs: () => [uni([2, 3])] },
  { name: "pow -1", fn: (x) => x.pow(-1), inputs: () => [nonzero([2, 3], 0.5, 2)] },
  {
    name: "pow -2 (negative base)",
    fn: (x) => wg.pow(x, -2),
    inputs: () => [nonzero([2, 3], 0.5, 2)],
  },
  { name: "pow 0.5", fn: (x) => x.pow(0.5), inputs: () => [pos([2, 3])] },
  { name: "pow 1.7", fn: (x) => x.pow(1.7), inputs: () => [pos([2, 3])] },
  { name: "pow -2.5", fn: (x) => x.pow(-2.5), inputs: () => [pos([2, 3], 0.7, 2)] },
  {
    name: "pow 0 (zero gradient)",
    fn: (x) => x.pow(0),
    inputs: () => [pos([2, 3])],
    zeroGrad: true,
  },
  { name: "neg", fn: (x) => x.neg(), inputs: () => [uni([2, 3, 4])] },
  { name: "neg (function)", fn: (x) => wg.neg(x), inputs: () => [uni([])] },
  { name: "exp", fn: (x) => x.exp(), inputs: () => [uni([2, 3, 4], -2, 2)] },
  { name: "exp (function, 0-d)", fn: (x) => wg.exp(x), inputs: () => [uni([])] },
  { name: "log", fn: (x) => x.log(), inputs: () => [pos([2, 3, 4])] },
  { name: "log (function)", fn: (x) => wg.log(x), inputs: () => [pos([5], 0.3, 5)] },
  { name: "sqrt", fn: (x) => x.sqrt(), inputs: () => [pos([2, 3, 4])] },
  { name: "sqrt (function)", fn: (x) => wg.sqrt(x), inputs: () => [pos([5], 0.3, 5)] },
  { name: "abs", fn: (x) => x.abs(), inputs: () => [grid([2, 3, 4])] },
  { name: "abs (function)", fn: (x) => wg.abs(x), inputs: () => [nonzero([5])] },
  { name: "relu", fn: (x) => x.relu(), inputs: () => [grid([2, 3, 4])] },
  { name: "relu (function and F)", fn: (x) => wg.F.relu(wg.relu(x)), inputs: () => [nonzero([6])] },
  { name: "sigmoid", fn: (x) => x.sigmoid(), inputs: () => [uni([2, 3, 4], -4, 4)] },
  {
    name: "sigmoid (function and F)",
    fn: (x) => wg.F.sigmoid(wg.sigmoid(x)),
    inputs: () => [uni([6], -3, 3)],
  },
  { name: "tanh", fn: (x) => x.tanh(), inputs: () => [uni([2, 3, 4], -2, 2)] },
  {
    name: "tanh (function and F)",
    fn: (x) => wg.F.tanh(wg.tanh(x)),
    inputs: () => [uni([6], -2, 2)],
  },
  { name: "clamp -0.3, 0.2", fn: (x) => x.clamp(-0.3, 0.2), inputs: () => [grid([3, 4])] },
  { name: "clamp min only -0.2", fn: (x) => x.clamp(-0.2, null), inputs: () => [grid([3, 4])] },
  { name: "clamp max only 0.1", fn: (x) => x.clamp(null, 0.1), inputs: () => [grid([3, 4])] },
  {
    name: "clamp max only (omitted) 0.1",
    fn: (x) => wg.clamp(x, null, 0.1),
    inputs: () => [grid([3, 4])],
  },
  {
    name: "clamp min only (max omitted) -0.2",
    fn: (x) => x.clamp(-0.2),
    inputs: () => [grid([3, 4])],
  },
];

const mm = (a: wg.Tensor, b: wg.Tensor): wg.Tensor => a.matmul(b);
const matmul: Case[] = [
  { name: "matmul [4].[4]", fn: mm, inputs: () => [uni([4]), uni([4])] },
  { name: "matmul [3].[3,4]", fn: mm, inputs: () => [uni([3]), uni([3, 4])] },
  { name: "matmul [3,4].[4]", fn: mm, inputs: () => [uni([3, 4]), uni([4])] },
  { name: "matmul [3,4].[4,5]", fn: mm, inputs: () => [uni([3, 4]), uni([4, 5])] },
  { name: "matmul [1,1].[1,1]", fn: mm, inputs: () => [uni([1, 1]), uni([1, 1])] },
  {
    name: "matmul [5,7].[7,9]",
    fn: (a, b) => wg.matmul(a, b),
    inputs: () => [uni([5, 7]), uni([7, 9])],
  },
  {
    name: "matmul batched [2,3,4].[2,4,5]",
    fn: mm,
    inputs: () => [uni([2, 3, 4]), uni([2, 4, 5])],
  },
  {
    name: "matmul broadcast [2,1,3,4].[5,4,2]",
    fn: mm,
    inputs: () => [uni([2, 1, 3, 4]), uni([5, 4, 2])],
  },
  {
    name: "matmul broadcast [1,3,4].[2,4,5]",
    fn: mm,
    inputs: () => [uni([1, 3, 4]), uni([2, 4, 5])],
  },
  { name: "matmul [2,3,4].[4,5]", fn: mm, inputs: () => [uni([2, 3, 4]), uni([4, 5])] },
  { name: "matmul [3,4].[2,4,5]", fn: mm, inputs: () => [uni([3, 4]), uni([2, 4, 5])] },
  { name: "matmul [2,3,4].[4]", fn: mm, inputs: () => [uni([2, 3, 4]), uni([4])] },
  { name: "matmul [4].[2,4,5]", fn: mm, inputs: () => [uni([4]), uni([2, 4, 5])] },
  {
    name: "matmul x.T . x (one input used twice)",
    fn: (a) => a.T.matmul(a),
    inputs: () => [uni([3, 4])],
  },
];

// max uses grid data: every reduction group has a unique maximum, 0.1 ahead of the next.
const reductions: Case[] = [
  { name: "sum all", fn: (x) => x.sum(), inputs: () => [uni([2, 3, 4])] },
  { name: "sum all 0-d", fn: (x) => wg.sum(x), inputs: () => [uni([])] },
  { name: "sum dim 1", fn: (x) => x.sum(1), inputs: () => [uni([2, 3, 4])] },
  { name: "sum dim -1 keepdim", fn: (x) => x.sum(-1, true), inputs: () => [uni([2, 3, 4])] },
  { name: "sum dims [0,2]", fn: (x) => x.sum([0, 2]), inputs: () => [uni([2, 3, 4])] },
  {
    name: "sum dims [-1,0] keepdim",
    fn: (x) => wg.sum(x, [-1, 0], true),
    inputs: () => [uni([2, 3, 4])],
  },
  { name: "sum dim 1 of size 1", fn: (x) => x.sum(1), inputs: () => [uni([3, 1])] },
  { name: "mean all", fn: (x) => x.mean(), inputs: () => [uni([2, 3, 4])] },
  { name: "mean all 0-d", fn: (x) => wg.mean(x), inputs: () => [uni([])] },
  { name: "mean dim 0", fn: (x) => x.mean(0), inputs: () => [uni([2, 3, 4])] },
  { name: "mean dim -2 keepdim", fn: (x) => x.mean(-2, true), inputs: () => [uni([2, 3, 4])] },
  {
    name: "mean dims [0,2] keepdim",
    fn: (x) => x.mean([0, 2], true),
    inputs: () => [uni([2, 3, 4])],
  },
  { name: "mean dims [1,-1]", fn: (x) => wg.mean(x, [1, -1]), inputs: () => [uni([2, 3, 4])] },
  { name: "max all", fn: (x) => x.max(), inputs: () => [grid([2, 3, 4])] },
  { name: "max all [1]", fn: (x) => x.max(), inputs: () => [uni([1])] },
  { name: "max all 0-d", fn: (x) => wg.max(x), inputs: () => [uni([])] },
  { name: "max dim 1", fn: (x) => x.max(1), inputs: () => [grid([2, 3, 4])] },
  { name: "max dim 0", fn: (x) => x.max(0), inputs: () => [grid([2, 3, 4])] },
  { name: "max dim -1 keepdim", fn: (x) => x.max(-1, true), inputs: () => [grid([2, 3, 4])] },
  { name: "max dims [0,2]", fn: (x) => x.max([0, 2]), inputs: () => [grid([2, 3, 4])] },
  {
    name: "max dims [-1,0] keepdim",
    fn: (x) => wg.max(x, [-1, 0], true),
    inputs: () => [grid([2, 3, 4])],
  },
  { name: "max dims [1]", fn: (x) => x.max([1]), inputs: () => [grid([2, 3, 4])] },
  {
    name: "max dims [0,1,2] keepdim",
    fn: (x) => x.max([0, 1, 2], true),
    inputs: () => [grid([2, 3, 4])],
  },
  { name: "max dim 1 of size 1", fn: (x) => x.max(1), inputs: () => [uni([3, 1])] },
  { name: "max dims [1] of size 1", fn: (x) => x.max([1]), inputs: () => [uni([3, 1])] },
];

const softmaxes: Case[] = [];
for (const [op, f] of [
  ["softmax", (x: wg.Tensor, d: number) => x.softmax(d)],
  ["logSoftmax", (x: wg.Tensor, d: number) => x.logSoftmax(d)],
] as const) {
  for (const d of [0, 1, 2, -1, -2]) {
    softmaxes.push({
      name: `${op} [2,3,4] dim ${d}`,
      fn: (x) => f(x, d),
      inputs: () => [uni([2, 3, 4], -2, 2)],
    });
  }
  softmaxes.push({
    name: `${op} [3,5] dim 1`,
    fn: (x) => f(x, 1),
    inputs: () => [uni([3, 5], -2, 2)],
  });
  softmaxes.push({ name: `${op} [6] dim 0`, fn: (x) => f(x, 0), inputs: () => [uni([6], -2, 2)] });
}
softmaxes.push(
  {
    name: "softmax (function and F)",
    fn: (x) => wg.F.softmax(wg.softmax(x, 0), 1),
    inputs: () => [uni([3, 4])],
  },
  {
    name: "logSoftmax (function and F)",
    fn: (x) => wg.F.logSoftmax(wg.logSoftmax(x, 1), 0),
    inputs: () => [uni([3, 4])],
  },
);

const shapes: Case[] = [
  {
    name: "reshape [2,3,4] to [4,-1]",
    fn: (x) => x.reshape(4, -1),
    inputs: () => [uni([2, 3, 4])],
  },
  {
    name: "reshape [6] to [2,3] (function)",
    fn: (x) => wg.reshape(x, [2, 3]),
    inputs: () => [uni([6])],
  },
  { name: "reshape [] to [1,1]", fn: (x) => x.reshape(1, 1), inputs: () => [uni([])] },
  { name: "flatten [2,3,4,5] 1,2", fn: (x) => x.flatten(1, 2), inputs: () => [uni([2, 3, 4, 5])] },
  { name: "flatten [2,3,4] all", fn: (x) => wg.flatten(x), inputs: () => [uni([2, 3, 4])] },
  { name: "transpose [2,3,4] 0,2", fn: (x) => x.transpose(0, 2), inputs: () => [uni([2, 3, 4])] },
  {
    name: "transpose [2,3,4] -1,-2",
    fn: (x) => wg.transpose(x, -1, -2),
    inputs: () => [uni([2, 3, 4])],
  },
  { name: "T [3,4]", fn: (x) => x.T, inputs: () => [uni([3, 4])] },
  { name: "permute [2,3,4] 2,0,1", fn: (x) => x.permute(2, 0, 1), inputs: () => [uni([2, 3, 4])] },
  {
    name: "permute [2,3,4,5] 3,1,0,2",
    fn: (x) => wg.permute(x, [3, 1, 0, 2]),
    inputs: () => [uni([2, 3, 4, 5])],
  },
  { name: "squeeze [1,3,1,2]", fn: (x) => x.squeeze(), inputs: () => [uni([1, 3, 1, 2])] },
  { name: "squeeze [1,3,1,2] dim 2", fn: (x) => x.squeeze(2), inputs: () => [uni([1, 3, 1, 2])] },
  {
    name: "squeeze [1,3,1,2] dim -4",
    fn: (x) => wg.squeeze(x, -4),
    inputs: () => [uni([1, 3, 1, 2])],
  },
  { name: "unsqueeze [2,3] dim 1", fn: (x) => x.unsqueeze(1), inputs: () => [uni([2, 3])] },
  { name: "unsqueeze [2,3] dim -1", fn: (x) => wg.unsqueeze(x, -1), inputs: () => [uni([2, 3])] },
  { name: "narrow [4,5] dim 1 1:4", fn: (x) => x.narrow(1, 1, 3), inputs: () => [uni([4, 5])] },
  {
    name: "narrow [2,3,4] dim 0 1:2",
    fn: (x) => wg.narrow(x, 0, 1, 1),
    inputs: () => [uni([2, 3, 4])],
  },
  {
    name: "narrow [2,3,4] dim -1 2:4",
    fn: (x) => x.narrow(-1, 2, 2),
    inputs: () => [uni([2, 3, 4])],
  },
  {
    name: "cat [2,3]+[4,3] dim 0",
    fn: (a, b) => wg.cat([a, b], 0),
    inputs: () => [uni([2, 3]), uni([4, 3])],
  },
  {
    name: "cat [2,3,4]+[2,3,1]+[2,3,2] dim -1",
    fn: (a, b, c) => wg.cat([a, b, c], -1),
    inputs: () => [uni([2, 3, 4]), uni([2, 3, 1]), uni([2, 3, 2])],
  },
  {
    name: "cat [2,3]+[2,1] dim 1",
    fn: (a, b) => wg.cat([a, b], 1),
    inputs: () => [uni([2, 3]), uni([2, 1])],
  },
  { name: "cat x with itself", fn: (a) => wg.cat([a, a], 0), inputs: () => [uni([2, 3])] },
  {
    name: "stack 3x[2,3] dim 0",
    fn: (a, b, c) => wg.stack([a, b, c], 0),
    inputs: () => [uni([2, 3]), uni([2, 3]), uni([2, 3])],
  },
  {
    name: "stack 2x[2,3] dim 1",
    fn: (a, b) => wg.stack([a, b], 1),
    inputs: () => [uni([2, 3]), uni([2, 3])],
  },
  {
    name: "stack 2x[2,3] dim -1",
    fn: (a, b) => wg.stack([a, b], -1),
    inputs: () => [uni([2, 3]), uni([2, 3])],
  },
  { name: "stack 2x[] dim 0", fn: (a, b) => wg.stack([a, b], 0), inputs: () => [uni([]), uni([])] },
  { name: "clone", fn: (x) => x.clone(), inputs: () => [uni([2, 3])] },
];

// The losses are quadratic or smooth and their outputs are sums: a larger step keeps the
// float32 rounding of the summed output small against the difference.
const lossOpts: GradcheckOptions = { eps: 1e-2 };
const nn: Case[] = [
  {
    name: "F.linear with bias",
    fn: (x, w, b) => wg.F.linear(x, w, b),
    inputs: () => [uni([4, 5]), uni([3, 5]), uni([3])],
  },
  {
    name: "F.linear without bias",
    fn: (x, w) => wg.F.linear(x, w),
    inputs: () => [uni([4, 5]), uni([3, 5])],
  },
  {
    name: "F.linear null bias, 3-D input",
    fn: (x, w) => wg.F.linear(x, w, null),
    inputs: () => [uni([2, 3, 4]), uni([6, 4])],
  },
  {
    name: "F.linear 1-D input with bias",
    fn: (x, w, b) => wg.F.linear(x, w, b),
    inputs: () => [uni([3]), uni([2, 3]), uni([2])],
  },
  {
    name: "F.linear 1 -> 1 feature, then tanh",
    fn: (x, w, b) => wg.F.linear(x, w, b).tanh(),
    inputs: () => [uni([5, 1]), uni([1, 1]), uni([1])],
  },
];
for (const reduction of ["mean", "sum", "none"] as const) {
  nn.push({
    name: `F.mseLoss ${reduction} [4,3]`,
    fn: (x, t) => wg.F.mseLoss(x, t, { reduction }),
    inputs: () => [uni([4, 3]), uni([4, 3])],
    opts: lossOpts,
  });
  nn.push({
    name: `F.mseLoss ${reduction} [2,3,4]`,
    fn: (x, t) => wg.F.mseLoss(x, t, { reduction }),
    inputs: () => [uni([2, 3, 4]), uni([2, 3, 4])],
    opts: lossOpts,
  });
  const t5 = Int32Array.from([0, 3, 4, 1]);
  nn.push({
    name: `F.crossEntropy ${reduction} [4,5]`,
    fn: (x) => wg.F.crossEntropy(x, t5, { reduction }),
    inputs: () => [uni([4, 5], -2, 2)],
    opts: lossOpts,
  });
  const t10 = Int32Array.from([9, 0, 2, 2, 7, 5, 1, 3]);
  nn.push({
    name: `F.crossEntropy ${reduction} [8,10]`,
    fn: (x) => wg.F.crossEntropy(x, t10, { reduction }),
    inputs: () => [uni([8, 10], -3, 3)],
    opts: lossOpts,
  });
  nn.push({
    name: `F.crossEntropy ${reduction} 1-D logits [4]`,
    fn: (x) => wg.F.crossEntropy(x, [2], { reduction }),
    inputs: () => [uni([4], -2, 2)],
    opts: lossOpts,
  });
}
nn.push({
  name: "F.crossEntropy default reduction, number[] targets",
  fn: (x) => wg.F.crossEntropy(x, [1, 0, 2]),
  inputs: () => [uni([3, 3], -2, 2)],
  opts: lossOpts,
});

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
  {
    name: "MLP tanh + crossEntropy (x, w1, b1, w2, b2)",
    fn: (x, w1, b1, w2, b2) =>
      wg.F.crossEntropy(wg.F.linear(wg.F.linear(x, w1, b1).tanh(), w2, b2), targets6),
    inputs: () => [uni([6, 5]), uni([8, 5]), uni([8]), uni([4, 8]), uni([4])],
    opts: lossOpts,
  },
  {
    name: "MLP relu + mseLoss (x, w1, b1, w2, b2)",
    fn: (x, w1, b1, w2, b2) =>
      wg.F.mseLoss(wg.F.linear(wg.F.linear(x, w1, b1).relu(), w2, b2), mlpTarget()),
    inputs: () => [uni([6, 5]), uni([8, 5]), uni([8]), uni([3, 8]), uni([3])],
  },
  {
    name: "x*x + exp(x) summed over dim 1, then softmax",
    fn: (x) => x.mul(x).add(x.exp()).sum(1).softmax(0),
    inputs: () => [uni([4, 3])],
  },
  {
    name: "sigmoid(x @ w) / (1 + |x|) mean",
    fn: (x, w) => x.matmul(w).sigmoid().div(x.abs().add(1).sum(1, true)).mean(),
    inputs: () => [nonzero([3, 4]), uni([4, 2])],
  },
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
      const report = gradcheck(c.fn, c.inputs(), { seed: c.name, ...c.opts });
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
    const report = gradcheck((x) => x.mul(x.detach()), [uni([2, 3])]);
    expect(report.mismatches().length).toBeGreaterThan(0);
  });

  it("reports a gradient that never arrives", () => {
    random = rng("no grad");
    const report = gradcheck((x, y) => x.mul(2).add(y.detach()), [uni([3]), uni([3])]);
    expect(report.missing).toEqual([1]);
    expect(report.mismatches()[0]).toMatch(/input 1: .grad is null/);
  });

  it("uses a tolerance tight enough to matter", () => {
    expect(gradcheckDefaults.rtol).toBeLessThanOrEqual(0.02);
    expect(gradcheckDefaults.atol).toBeLessThanOrEqual(2e-3);
  });
});
