/**
 * Finite-difference gradient checks for the CNN ops: conv2d (stride, padding incl. "same" and
 * "valid", dilation, groups, unbatched), maxPool2d and avgPool2d (every option), batchNorm in
 * training (batch statistics) and evaluation mode, and a small conv/batch-norm/pool composite.
 *
 * As in gradcheck.test.ts: `backward(g)` for a fixed random g against central differences of the
 * float32 forward, summed in float64 (see gradcheck in ../helpers/fixtures.ts). Every case also
 * asserts that the analytic gradient scaled by 1.1 (a 10% error) would be rejected, so the
 * tolerance is a real check. Max-pool inputs come from a grid whose points are >= 0.1 apart
 * (against a step of 1e-3), so no window has a tie that the step could flip.
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

/** A pooling case's options: maxPool2d's or avgPool2d's. */
type PoolOptions = wg.F.MaxPool2dOptions & wg.F.AvgPool2dOptions;

type Fn = (...xs: wg.Tensor[]) => wg.Tensor;

interface Case {
  name: string;
  fn: Fn;
  inputs: Gen[];
  opts?: GradcheckOptions;
}

// ---------------------------------------------------------------------------- input data

let random = rng(1);
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

/** Shuffled distinct points 0.1·k + offset centred on 0: any two differ by >= 0.1. */
function grid(shape: number[], offset = 0.05): Gen {
  return () => {
    const n = sizeOf(shape);
    const k = Array.from({ length: n }, (_, i) => i - Math.floor(n / 2));
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [k[i], k[j]] = [k[j], k[i]];
    }
    return make(shape, (i) => 0.1 * k[i] + offset);
  };
}

function k(name: string, fn: Fn, inputs: Gen[], opts?: GradcheckOptions): Case {
  return { name, fn, inputs, opts };
}

// ---------------------------------------------------------------------------- cases

const conv = (o?: wg.F.Conv2dOptions): Fn => {
  return (x, w, b) => wg.F.conv2d(x, w, b ?? null, o);
};

const convCases: Case[] = [
  k("3x3 [2,2,5,6] with bias", conv(), [uni([2, 2, 5, 6]), uni([3, 2, 3, 3]), uni([3])]),
  k("kernel [2,3] without bias", conv(), [uni([1, 2, 4, 5]), uni([2, 2, 2, 3])]),
  k("stride 2 on odd [1,2,7,5]", conv({ stride: 2 }), [
    uni([1, 2, 7, 5]),
    uni([2, 2, 3, 3]),
    uni([2]),
  ]),
  k("stride [2,3] kernel [3,2]", conv({ stride: [2, 3] }), [
    uni([1, 1, 7, 8]),
    uni([2, 1, 3, 2]),
    uni([2]),
  ]),
  k("padding 1", conv({ padding: 1 }), [uni([1, 2, 4, 4]), uni([2, 2, 3, 3]), uni([2])]),
  k("padding [1,2] stride 2", conv({ padding: [1, 2], stride: 2 }), [
    uni([1, 2, 5, 4]),
    uni([2, 2, 3, 3]),
  ]),
  k('padding "same" 3x3', conv({ padding: "same" }), [uni([1, 2, 4, 5]), uni([2, 2, 3, 3])]),
  k('padding "same" even 4x4', conv({ padding: "same" }), [
    uni([1, 1, 5, 5]),
    uni([2, 1, 4, 4]),
    uni([2]),
  ]),
  k('padding "same" [2,3] dilation 2', conv({ padding: "same", dilation: 2 }), [
    uni([1, 2, 5, 6]),
    uni([1, 2, 2, 3]),
  ]),
  k('padding "valid"', conv({ padding: "valid" }), [uni([1, 2, 5, 4]), uni([2, 2, 3, 2])]),
  k("dilation 2", conv({ dilation: 2 }), [uni([1, 2, 6, 7]), uni([2, 2, 3, 3]), uni([2])]),
  k("dilation [1,2] padding 1", conv({ dilation: [1, 2], padding: 1 }), [
    uni([1, 1, 4, 6]),
    uni([2, 1, 3, 3]),
  ]),
  k("groups 2", conv({ groups: 2 }), [uni([1, 4, 4, 5]), uni([4, 2, 3, 3]), uni([4])]),
  k("depthwise groups 3, multiplier 2", conv({ groups: 3, padding: 1 }), [
    uni([1, 3, 4, 4]),
    uni([6, 1, 3, 3]),
    uni([6]),
  ]),
  k("1x1 kernel stride 2", conv({ stride: 2 }), [uni([2, 3, 5, 4]), uni([2, 3, 1, 1]), uni([2])]),
  k("unbatched [2,5,5]", conv({ padding: 1 }), [uni([2, 5, 5]), uni([3, 2, 3, 3]), uni([3])]),
  k(
    "stride 2 padding [2,1] dilation 2 groups 2",
    conv({ stride: 2, padding: [2, 1], dilation: 2, groups: 2 }),
    [uni([2, 4, 7, 6]), uni([4, 2, 3, 3]), uni([4])],
  ),
  k(
    "conv -> tanh -> conv (x, w1, w2)",
    (x, w1, w2) => wg.F.conv2d(wg.F.conv2d(x, w1, null, { padding: 1 }).tanh(), w2),
    [uni([1, 2, 5, 5]), uni([3, 2, 3, 3]), uni([2, 3, 2, 2])],
  ),
];

const pool = (op: "maxPool2d" | "avgPool2d", kernel: wg.F.Pair, o?: PoolOptions): Fn => {
  return (x) => wg.F[op](x, kernel, o);
};

const maxCases: Case[] = [
  k("2 on [2,2,4,6]", pool("maxPool2d", 2), [grid([2, 2, 4, 6])]),
  k("2 on odd [1,2,5,7]", pool("maxPool2d", 2), [grid([1, 2, 5, 7])]),
  k("3 stride 1 (overlapping)", pool("maxPool2d", 3, { stride: 1 }), [grid([1, 2, 5, 5])]),
  k("3 stride 2 padding 1", pool("maxPool2d", 3, { stride: 2, padding: 1 }), [grid([1, 2, 6, 7])]),
  k("kernel [2,3] stride [1,2]", pool("maxPool2d", [2, 3], { stride: [1, 2] }), [
    grid([1, 1, 5, 8]),
  ]),
  k("2 dilation 2", pool("maxPool2d", 2, { dilation: 2 }), [grid([1, 2, 6, 6])]),
  k("3 stride 2 ceilMode", pool("maxPool2d", 3, { stride: 2, ceilMode: true }), [
    grid([1, 2, 6, 8]),
  ]),
  k("unbatched [2,5,4]", pool("maxPool2d", 2, { stride: 1, padding: 1 }), [grid([2, 5, 4])]),
];

const avgCases: Case[] = [
  k("2 on [2,2,4,6]", pool("avgPool2d", 2), [uni([2, 2, 4, 6])]),
  k("3 stride 1 (overlapping)", pool("avgPool2d", 3, { stride: 1 }), [uni([1, 2, 5, 5])]),
  k("3 stride 2 padding 1", pool("avgPool2d", 3, { stride: 2, padding: 1 }), [uni([1, 2, 6, 7])]),
  k(
    "3 stride 2 padding 1 countIncludePad false",
    pool("avgPool2d", 3, { stride: 2, padding: 1, countIncludePad: false }),
    [uni([1, 2, 6, 7])],
  ),
  k("2 stride 2 padding 1 ceilMode", pool("avgPool2d", 2, { padding: 1, ceilMode: true }), [
    uni([1, 1, 5, 6]),
  ]),
  k(
    "3 stride 2 ceilMode countIncludePad false",
    pool("avgPool2d", 3, { stride: 2, ceilMode: true, countIncludePad: false, padding: 1 }),
    [uni([1, 1, 6, 7])],
  ),
  k("2 divisorOverride 3", pool("avgPool2d", 2, { divisorOverride: 3 }), [uni([1, 2, 4, 4])]),
  k("kernel [2,3] stride [1,2]", pool("avgPool2d", [2, 3], { stride: [1, 2] }), [
    uni([1, 1, 5, 8]),
  ]),
  k("unbatched [2,5,4]", pool("avgPool2d", 2), [uni([2, 5, 4])]),
];

// Batch statistics couple every element of a channel; a larger step keeps the float32 rounding
// of the summed output small against the difference (the function is smooth).
const bnOpts: GradcheckOptions = { eps: 1e-2 };
const bnCases: Case[] = [
  k(
    "train [4,3,2,3] (x, weight, bias)",
    (x, w, b) => wg.F.batchNorm(x, null, null, { weight: w, bias: b, training: true }),
    [uni([4, 3, 2, 3]), uni([3], 0.5, 1.5), uni([3])],
    bnOpts,
  ),
  k(
    "train [5,3] with running statistics (x, weight, bias)",
    (x, w, b) =>
      wg.F.batchNorm(x, wg.zeros([3]), wg.ones([3]), { weight: w, bias: b, training: true }),
    [uni([5, 3], -2, 2), uni([3], 0.5, 1.5), uni([3])],
    bnOpts,
  ),
  k(
    "train [3,2,4] (1d with length) eps 1e-3",
    (x, w, b) => wg.F.batchNorm(x, null, null, { weight: w, bias: b, training: true, eps: 1e-3 }),
    [uni([3, 2, 4]), uni([2], 0.5, 1.5), uni([2])],
    bnOpts,
  ),
  k(
    "train [2,2,3,3] without affine",
    (x) => wg.F.batchNorm(x, null, null, { training: true }),
    [uni([2, 2, 3, 3])],
    bnOpts,
  ),
  k(
    "train [2,3] (two values per channel)",
    (x, w) => wg.F.batchNorm(x, null, null, { weight: w, training: true }),
    [uni([2, 3], -2, 2), uni([3], 0.5, 1.5)],
    bnOpts,
  ),
  k(
    "eval [3,2,2,2] with fixed running statistics (x, weight, bias)",
    (x, w, b) =>
      wg.F.batchNorm(x, wg.tensor([0.2, -0.3]), wg.tensor([0.8, 1.5]), { weight: w, bias: b }),
    [uni([3, 2, 2, 2]), uni([2], 0.5, 1.5), uni([2])],
  ),
  k(
    "conv -> batchNorm (train) -> tanh -> avgPool (x, w, gamma, beta)",
    (x, w, g, b) =>
      wg.F.avgPool2d(
        wg.F.batchNorm(wg.F.conv2d(x, w, null, { padding: 1 }), null, null, {
          weight: g,
          bias: b,
          training: true,
        }).tanh(),
        2,
      ),
    [uni([2, 1, 4, 4]), uni([2, 1, 3, 3]), uni([2], 0.5, 1.5), uni([2])],
    bnOpts,
  ),
];

const groups: [string, Case[]][] = [
  ["conv2d", convCases],
  ["maxPool2d", maxCases],
  ["avgPool2d", avgCases],
  ["batchNorm", bnCases],
];

// ---------------------------------------------------------------------------- tests

describe("gradcheck: CNN ops (central differences)", () => {
  describe.each(groups)("%s", (_, cases) => {
    it.each(cases)("$name", (c) => {
      random = rng(c.name);
      const report = gradcheck(
        c.fn,
        c.inputs.map((gen) => gen()),
        { seed: c.name, ...c.opts },
      );
      expect(report.mismatches(), "analytic vs numeric").toEqual([]);
      expect(
        report.mismatches(1.1).length,
        "a 10% wrong gradient must be rejected",
      ).toBeGreaterThan(0);
    });
  });

  it("grid inputs leave every max-pool window a unique maximum, well beyond the step", () => {
    random = rng("grid check");
    const { data } = grid([1, 1, 6, 6])();
    const sorted = [...data].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      expect(sorted[i] - sorted[i - 1]).toBeGreaterThan(0.09);
    }
  });
});
