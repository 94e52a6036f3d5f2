/**
 * Finite-difference gradient checks for the issue-12 differentiable ops: the activations
 * (fused kernels), the new losses, cosineSimilarity/normalize, and the convolution, pooling
 * and resampling layers added with them. As in gradcheck.test.ts, each case also asserts that a
 * 10% wrong gradient would be rejected. Inputs stay away from kinks (0 for leakyRelu/elu, the
 * hardtanh bounds, ties in max pools).
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

function uni(shape: number[], lo = -1, hi = 1): Gen {
  return (random) => {
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
    return { shape, data };
  };
}

/** |x| in [lo, hi) with a random sign: away from 0. */
function away(shape: number[], lo = 0.1, hi = 3): Gen {
  return (random) => {
    const data = new Float32Array(sizeOf(shape));
    for (let i = 0; i < data.length; i++) {
      data[i] = (random() < 0.5 ? -1 : 1) * (lo + (hi - lo) * random());
    }
    return { shape, data };
  };
}

const F = wg.F;
const cases: Case[] = [
  { name: "silu", fn: (x) => F.silu(x), inputs: [uni([3, 5], -4, 4)] },
  { name: "leakyRelu 0.2", fn: (x) => F.leakyRelu(x, 0.2), inputs: [away([3, 5])] },
  { name: "elu alpha 1.5", fn: (x) => F.elu(x, { alpha: 1.5 }), inputs: [away([3, 5])] },
  { name: "softplus", fn: (x) => F.softplus(x), inputs: [uni([3, 5], -5, 5)] },
  { name: "softplus beta 2", fn: (x) => F.softplus(x, 2, 50), inputs: [uni([3, 5], -3, 3)] },
  { name: "mish", fn: (x) => F.mish(x), inputs: [uni([3, 5], -4, 4)] },
  // Values in (-0.9, 0.9) and |x| in (1.1, 3): never within a step of the bounds.
  {
    name: "hardtanh",
    fn: (x) => F.hardtanh(x),
    inputs: [
      (r) => ({
        shape: [12],
        data: away([12], 1.1, 3)(r).data.map((v, i) => (i % 2 ? v : v / 3.5)),
      }),
    ],
  },
  {
    name: "relu6",
    fn: (x) => F.relu6(x),
    inputs: [
      (r) => ({
        shape: [10],
        data: uni(
          [10],
          0.1,
          5.9,
        )(r).data.map((v, i) => (i % 3 === 0 ? v + 7 : i % 3 === 1 ? -v : v)),
      }),
    ],
  },
];

const smooth: GradcheckOptions = { eps: 1e-2 };
const pm1 = (): wg.Tensor => wg.tensor([1, -1, -1, 1, 1]);
for (const reduction of ["mean", "sum", "none"] as const) {
  cases.push(
    {
      name: `l1Loss ${reduction}`,
      fn: (x, y) => F.l1Loss(x, y, { reduction }),
      inputs: [away([3, 4]), uni([3, 4], -0.05, 0.05)],
    },
    {
      name: `smoothL1Loss beta 0.5 ${reduction}`,
      fn: (x, y) => F.smoothL1Loss(x, y, { reduction, beta: 0.5 }),
      inputs: [uni([3, 4], -2, 2), uni([3, 4], -0.2, 0.2)],
      opts: { eps: 2e-3 },
    },
    {
      name: `huberLoss delta 0.7 ${reduction}`,
      fn: (x, y) => F.huberLoss(x, y, reduction, 0.7),
      inputs: [uni([3, 4], -2, 2), uni([3, 4], -0.2, 0.2)],
      opts: { eps: 2e-3 },
    },
    {
      name: `klDiv ${reduction}`,
      fn: (x, t) => F.klDiv(x, t, { reduction }),
      inputs: [uni([3, 4], -3, -0.1), uni([3, 4], 0.1, 1)],
      opts: smooth,
    },
    {
      name: `cosineEmbeddingLoss ${reduction}`,
      fn: (a, b) => F.cosineEmbeddingLoss(a, b, pm1(), { reduction, margin: -0.5 }),
      inputs: [uni([5, 3]), uni([5, 3])],
    },
    {
      name: `marginRankingLoss ${reduction}`,
      fn: (a, b, t) => F.marginRankingLoss(a, b, t, 2, { reduction }),
      inputs: [uni([5]), uni([5]), uni([5], 0.2, 0.5)],
    },
    {
      name: `tripletMarginLoss ${reduction}`,
      fn: (a, p, n) => F.tripletMarginLoss(a, p, n, { reduction, margin: 3 }),
      inputs: [uni([4, 3]), uni([4, 3]), uni([4, 3])],
    },
  );
}
cases.push(
  {
    name: "klDiv logTarget batchmean",
    fn: (x, t) => F.klDiv(x, t, { reduction: "batchmean", logTarget: true }),
    inputs: [uni([3, 4], -3, -0.1), uni([3, 4], -3, -0.1)],
    opts: smooth,
  },
  {
    name: "tripletMarginLoss p 3 swap",
    fn: (a, p, n) => F.tripletMarginLoss(a, p, n, 3, 3, 1e-6, true),
    inputs: [uni([4, 3]), uni([4, 3]), uni([4, 3])],
  },
  {
    name: "tripletMarginLoss p 1",
    fn: (a, p, n) => F.tripletMarginLoss(a, p, n, { p: 1, margin: 4 }),
    inputs: [away([4, 3]), uni([4, 3], -0.05, 0.05), uni([4, 3], -0.05, 0.05)],
  },
  {
    name: "cosineSimilarity",
    fn: (a, b) => F.cosineSimilarity(a, b),
    inputs: [uni([3, 4]), uni([3, 4])],
  },
  {
    name: "cosineSimilarity dim 0 broadcast",
    fn: (a, b) => F.cosineSimilarity(a, b, 0),
    inputs: [uni([4, 3]), uni([4, 1])],
  },
  { name: "normalize", fn: (x) => F.normalize(x), inputs: [uni([2, 3, 4])] },
  {
    name: "normalize p 3 dim -1",
    fn: (x) => F.normalize(x, 3, -1),
    inputs: [away([3, 4], 0.3, 1)],
  },
);
cases.push(
  {
    name: "convTranspose2d stride 2 padding 1 outputPadding 1 bias",
    fn: (x, w, b) => F.convTranspose2d(x, w, b, 2, 1, 1),
    inputs: [uni([2, 3, 3, 2]), uni([3, 2, 3, 3]), uni([2])],
    opts: smooth,
  },
  {
    name: "convTranspose2d groups 2 dilation 2",
    fn: (x, w) => F.convTranspose2d(x, w, null, { groups: 2, dilation: 2, stride: [1, 2] }),
    inputs: [uni([1, 4, 3, 3]), uni([4, 1, 2, 2])],
    opts: smooth,
  },
  {
    name: "convTranspose1d stride 3",
    fn: (x, w, b) => F.convTranspose1d(x, w, b, { stride: 3, padding: 1 }),
    inputs: [uni([2, 2, 4]), uni([2, 3, 3]), uni([3])],
    opts: smooth,
  },
  {
    name: "conv1d stride 2 dilation 2",
    fn: (x, w, b) => F.conv1d(x, w, b, 2, 1, 2),
    inputs: [uni([2, 2, 9]), uni([3, 2, 3]), uni([3])],
    opts: smooth,
  },
);
cases.push(
  {
    name: "adaptiveAvgPool2d 3x2",
    fn: (x) => F.adaptiveAvgPool2d(x, [3, 2]),
    inputs: [uni([2, 2, 5, 7])],
  },
  { name: "adaptiveAvgPool1d 4", fn: (x) => F.adaptiveAvgPool1d(x, 4), inputs: [uni([2, 3, 7])] },
  // Distinct values a grid step apart: no ties within a window.
  {
    name: "adaptiveMaxPool2d 2x3",
    fn: (x) => F.adaptiveMaxPool2d(x, [2, 3]),
    inputs: [
      (r) => ({
        shape: [1, 2, 5, 4],
        data: Float32Array.from({ length: 40 }, (_, i) => ((i * 17) % 40) * 0.05 + 0.01 * r()),
      }),
    ],
  },
  {
    name: "maxPool1d 3 2 1",
    fn: (x) => F.maxPool1d(x, 3, 2, 1),
    inputs: [
      (r) => ({
        shape: [2, 9],
        data: Float32Array.from({ length: 18 }, (_, i) => ((i * 7) % 18) * 0.1 + 0.01 * r()),
      }),
    ],
  },
  {
    name: "avgPool1d 3 2 1",
    fn: (x) => F.avgPool1d(x, 3, 2, 1, false, false),
    inputs: [uni([2, 2, 9])],
  },
  {
    name: "interpolate bilinear",
    fn: (x) => F.interpolate(x, { scaleFactor: 1.7, mode: "bilinear" }),
    inputs: [uni([1, 2, 3, 4])],
  },
  {
    name: "interpolate bilinear alignCorners",
    fn: (x) => F.interpolate(x, [5, 2], null, "bilinear", true),
    inputs: [uni([1, 2, 3, 4])],
  },
  {
    name: "interpolate bicubic",
    fn: (x) => F.interpolate(x, { scaleFactor: [1.7, 0.6], mode: "bicubic" }),
    inputs: [uni([1, 2, 3, 5])],
  },
  {
    name: "interpolate bicubic alignCorners",
    fn: (x) => F.interpolate(x, [5, 2], null, "bicubic", true),
    inputs: [uni([2, 1, 3, 4])],
  },
  {
    name: "interpolate nearest",
    fn: (x) => F.interpolate(x, { size: [5, 3] }),
    inputs: [uni([2, 1, 3, 4])],
  },
  {
    name: "interpolate linear",
    fn: (x) => F.interpolate(x, 7, null, "linear"),
    inputs: [uni([2, 2, 4])],
  },
  {
    name: "pad reflect",
    fn: (x) => F.pad(x, [2, 1, 1, 2], "reflect"),
    inputs: [uni([1, 2, 4, 3])],
  },
  {
    name: "pad replicate",
    fn: (x) => F.pad(x, [1, 2], { mode: "replicate" }),
    inputs: [uni([2, 3, 4])],
  },
  {
    name: "pad constant negative",
    fn: (x) => F.pad(x, [1, -1, 2, 0], "constant", 3),
    inputs: [uni([2, 3, 4])],
  },
  { name: "pixelShuffle", fn: (x) => F.pixelShuffle(x, 2), inputs: [uni([1, 8, 2, 3])] },
);

describe("gradcheck: issue-12 ops", () => {
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
