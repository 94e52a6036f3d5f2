/**
 * Finite-difference gradient checks of the losses with their options (class weights, ignored
 * targets, label smoothing, class-probability targets, posWeight), every reduction, through
 * the fused loss kernels: d/d input and, for the BCE losses and probability targets, d/d target.
 * As in gradcheck.test.ts, each case also asserts that a 10% wrong gradient is rejected.
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
type Gen = (random: () => number) => GradInput;

interface Case {
  name: string;
  fn: Fn;
  inputs: Gen[];
  opts?: GradcheckOptions;
}

/** Uniform in [lo, hi). */
function uni(shape: number[], lo = -1, hi = 1): Gen {
  return (random) => {
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
    return { shape, data };
  };
}

// The losses are smooth sums: a larger step keeps float32 rounding small against the difference.
const smooth: GradcheckOptions = { eps: 1e-2 };
// BCE of probabilities curves like 1/x near 0 and 1: inputs stay in [0.15, 0.85], smaller step.
const curved: GradcheckOptions = { eps: 2e-3 };

const classWeights5 = (): wg.Tensor => wg.tensor([0.5, 1.5, 0.2, 2.0, 1.0]);
const classWeights3 = (): wg.Tensor => wg.tensor([1.3, 0.4, 0.9]);

const cases: Case[] = [];
for (const reduction of ["mean", "sum", "none"] as const) {
  cases.push(
    {
      name: `crossEntropy ${reduction} weight, ignored target`,
      fn: (x) => wg.F.crossEntropy(x, [4, -100, 0, 2], { reduction, weight: classWeights5() }),
      inputs: [uni([4, 5], -2, 2)],
      opts: smooth,
    },
    {
      name: `crossEntropy ${reduction} labelSmoothing 0.2`,
      fn: (x) => wg.F.crossEntropy(x, [1, 3, 0], { reduction, labelSmoothing: 0.2 }),
      inputs: [uni([3, 5], -2, 2)],
      opts: smooth,
    },
    {
      name: `crossEntropy ${reduction} weight, labelSmoothing 0.1, ignoreIndex 2`,
      fn: (x) =>
        wg.F.crossEntropy(x, [2, 0, 4, 2, 1, 3], {
          reduction,
          weight: classWeights5(),
          labelSmoothing: 0.1,
          ignoreIndex: 2,
        }),
      inputs: [uni([6, 5], -3, 3)],
      opts: smooth,
    },
    {
      name: `crossEntropy ${reduction} K-dim [2,3,2,2] weight, labelSmoothing`,
      fn: (x) =>
        wg.F.crossEntropy(
          x,
          wg.tensor([
            [
              [0, 2],
              [-100, 1],
            ],
            [
              [1, 1],
              [0, 2],
            ],
          ]),
          { reduction, weight: classWeights3(), labelSmoothing: 0.15 },
        ),
      inputs: [uni([2, 3, 2, 2], -2, 2)],
      opts: smooth,
    },
    {
      name: `crossEntropy ${reduction} 1-D logits, 0-d Tensor target, labelSmoothing`,
      fn: (x) => wg.F.crossEntropy(x, wg.tensor([3]), { reduction, labelSmoothing: 0.3 }),
      inputs: [uni([5], -2, 2)],
      opts: smooth,
    },
    {
      name: `crossEntropy ${reduction} probabilities (x, target) weight, labelSmoothing`,
      fn: (x, t) =>
        wg.F.crossEntropy(x, t, { reduction, weight: classWeights5(), labelSmoothing: 0.1 }),
      inputs: [uni([3, 5], -2, 2), uni([3, 5], 0, 1)],
      opts: smooth,
    },
    {
      name: `crossEntropy ${reduction} probabilities K-dim [2,3,4] (x, target)`,
      fn: (x, t) => wg.F.crossEntropy(x, t, { reduction, weight: classWeights3() }),
      inputs: [uni([2, 3, 4], -2, 2), uni([2, 3, 4], 0, 1)],
      opts: smooth,
    },
    {
      name: `nllLoss ${reduction} weight, ignored target`,
      fn: (x) => wg.F.nllLoss(x, [1, -100, 4, 0], { reduction, weight: classWeights5() }),
      inputs: [uni([4, 5], -3, 0)],
      opts: smooth,
    },
    {
      name: `nllLoss ${reduction} K-dim [2,3,4] ignoreIndex 0`,
      fn: (x) =>
        wg.F.nllLoss(x, Int32Array.from([0, 2, 1, 1, 2, 0, 0, 1]), { reduction, ignoreIndex: 0 }),
      inputs: [uni([2, 3, 4], -3, 0)],
      opts: smooth,
    },
    {
      name: `binaryCrossEntropy ${reduction} (x, target)`,
      fn: (x, t) => wg.F.binaryCrossEntropy(x, t, { reduction }),
      inputs: [uni([3, 5], 0.15, 0.85), uni([3, 5], 0, 1)],
      opts: curved,
    },
    {
      name: `binaryCrossEntropy ${reduction} weight [5] broadcast (x, target)`,
      fn: (x, t) => wg.F.binaryCrossEntropy(x, t, { reduction, weight: classWeights5() }),
      inputs: [uni([3, 5], 0.15, 0.85), uni([3, 5], 0, 1)],
      opts: curved,
    },
    {
      name: `binaryCrossEntropyWithLogits ${reduction} (x, target)`,
      fn: (x, t) => wg.F.binaryCrossEntropyWithLogits(x, t, { reduction }),
      inputs: [uni([3, 5], -4, 4), uni([3, 5], 0, 1)],
      opts: smooth,
    },
    {
      name: `binaryCrossEntropyWithLogits ${reduction} weight [3,1], posWeight [5] (x, target)`,
      fn: (x, t) =>
        wg.F.binaryCrossEntropyWithLogits(x, t, {
          reduction,
          weight: wg.tensor([[0.5], [2.0], [1.2]]),
          posWeight: classWeights5(),
        }),
      inputs: [uni([3, 5], -4, 4), uni([3, 5], 0, 1)],
      opts: smooth,
    },
  );
}
cases.push({
  name: "binaryCrossEntropyWithLogits mean, 3-D input, posWeight [4]",
  fn: (x, t) => wg.F.binaryCrossEntropyWithLogits(x, t, { posWeight: wg.tensor([3, 0.5, 1, 2]) }),
  inputs: [uni([2, 3, 4], -6, 6), uni([2, 3, 4], 0, 1)],
  opts: smooth,
});
cases.push({
  name: "MLP + crossEntropy with weight and labelSmoothing (x, w1, b1, w2, b2)",
  fn: (x, w1, b1, w2, b2) =>
    wg.F.crossEntropy(wg.F.linear(wg.F.linear(x, w1, b1).tanh(), w2, b2), [0, 2, 1, 1, -100], {
      weight: classWeights3(),
      labelSmoothing: 0.1,
    }),
  inputs: [uni([5, 4]), uni([6, 4]), uni([6]), uni([3, 6]), uni([3])],
  opts: smooth,
});

describe("gradcheck: losses with options", () => {
  it.each(cases)("$name", (c) => {
    const random = rng(c.name);
    const report = gradcheck(
      c.fn,
      c.inputs.map((gen) => gen(random)),
      { seed: c.name, ...c.opts },
    );
    expect(report.missing, "inputs without a gradient").toEqual([]);
    expect(report.mismatches(), "analytic vs numeric").toEqual([]);
    expect(report.mismatches(1.1).length, "a 10% wrong gradient must be rejected").toBeGreaterThan(
      0,
    );
  });
});
