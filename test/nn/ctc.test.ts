/**
 * F.ctcLoss and nn.CTCLoss against test/fixtures/ctc.json (PyTorch 1.13, made by gen_ctc.py):
 * losses and PyTorch's gradient with respect to logProbs for padded and concatenated targets,
 * repeated labels, blank not 0, empty targets, differing lengths in one batch, impossible
 * alignments with and without zeroInfinity, unbatched input. Also a finite-difference gradcheck
 * through logSoftmax (where PyTorch's gradient is the exact one), argument checks and memory.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  gradcheck,
  loadFixture,
  rng,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

interface Case {
  name: string;
  logProbs: FixtureTensor;
  targets: FixtureTensor;
  inputLengths: number[];
  targetLengths: number[];
  options: { blank: number; reduction: "mean" | "sum" | "none"; zeroInfinity: boolean };
  output: FixtureTensor;
  upstream: FixtureTensor;
  grad: FixtureTensor;
}

const cases = loadFixture<Case[]>("ctc.json");
const F = wg.F;

/** Fixture values as numbers ("Infinity" and "NaN" are strings in the JSON). */
function numeric(t: FixtureTensor): FixtureTensor {
  return { shape: t.shape, data: t.data.map(Number) };
}

function int32(t: FixtureTensor): wg.Tensor {
  return wg.tensor(Int32Array.from(t.data), { shape: t.shape, dtype: "int32" });
}

describe("ctcLoss against PyTorch (ctc.json)", () => {
  it.each(cases)("$name", (c) => {
    wg.tidy(() => {
      const lp = toTensor(c.logProbs, true);
      const unbatched = c.logProbs.shape.length === 2;
      const lengths = (v: number[]) =>
        unbatched ? v[0] : wg.tensor(Int32Array.from(v), { dtype: "int32" });
      const out = F.ctcLoss(
        lp,
        int32(c.targets),
        lengths(c.inputLengths),
        lengths(c.targetLengths),
        c.options,
      );
      expect(tensorMismatches(out, numeric(c.output))).toEqual([]);
      out.backward(toTensor(c.upstream));
      expect(tensorMismatches(lp.grad, numeric(c.grad), { atol: 2e-5, rtol: 2e-4 })).toEqual([]);
      lp.dispose();
    });
  });

  it("takes number arrays, nested arrays and the module form alike", () => {
    const c = cases.find((x) => x.name === "padded differing lengths none") as Case;
    wg.tidy(() => {
      const lp = toTensor(c.logProbs);
      const rows: number[][] = [];
      const s = c.targets.shape[1];
      for (let b = 0; b < c.targets.shape[0]; b++) {
        rows.push(c.targets.data.slice(b * s, b * s + s) as number[]);
      }
      const a = F.ctcLoss(lp, rows, c.inputLengths, c.targetLengths, { reduction: "none" });
      const m = new wg.nn.CTCLoss(0, "none");
      const b = m.forward(lp, int32(c.targets), c.inputLengths, new Int32Array(c.targetLengths));
      const concatenated = rows.flatMap((r, i) => r.slice(0, c.targetLengths[i]));
      const d = F.ctcLoss(lp, concatenated, c.inputLengths, c.targetLengths, 0, "none");
      for (const x of [a, b, d]) expect(tensorMismatches(x, c.output)).toEqual([]);
    });
  });
});

describe("ctcLoss gradient", () => {
  // Through logSoftmax PyTorch's gradient (which assumes normalized logProbs) is the exact one.
  const shapes = [
    {
      name: "padded, mean",
      t: 6,
      n: 2,
      c: 4,
      targets: [
        [1, 1],
        [3, 2],
      ],
      il: [6, 5],
      tl: [2, 2],
    },
    { name: "blank 2, sum", t: 5, n: 2, c: 3, targets: [0, 1, 1], il: [5, 4], tl: [2, 1] },
  ];
  it.each(shapes)("$name", (s) => {
    const random = rng(s.name);
    const data = Float32Array.from({ length: s.t * s.n * s.c }, () => 2 * random() - 1);
    const blank = s.name.startsWith("blank") ? 2 : 0;
    const reduction = s.name.endsWith("sum") ? "sum" : "mean";
    const report = gradcheck(
      (x) => F.ctcLoss(wg.logSoftmax(x, 2), s.targets, s.il, s.tl, { blank, reduction }),
      [{ shape: [s.t, s.n, s.c], data }],
      { seed: s.name },
    );
    expect(report.mismatches()).toEqual([]);
    expect(report.mismatches(1.1).length).toBeGreaterThan(0);
  });
});

describe("ctcLoss arguments", () => {
  const lp = () => wg.logSoftmax(wg.randn([5, 2, 4]), 2);
  const cases: [string, () => unknown, RegExp][] = [
    [
      "3-D or 2-D logProbs",
      () => F.ctcLoss(wg.zeros([5, 2, 4, 1]), [[1], [1]], [5, 5], [1, 1]),
      /ctcLoss: expected logProbs of shape \[T, N, C\] or \[T, C\] but got \[5,2,4,1\]/,
    ],
    [
      "input length beyond T",
      () => F.ctcLoss(lp(), [[1], [1]], [5, 6], [1, 1]),
      /ctcLoss: inputLengths\[1\] is 6 but must be in \[0, 5\]/,
    ],
    [
      "negative input length",
      () => F.ctcLoss(lp(), [[1], [1]], [-1, 5], [1, 1]),
      /ctcLoss: inputLengths\[0\] is -1/,
    ],
    [
      "one length per sample",
      () => F.ctcLoss(lp(), [[1], [1]], [5], [1, 1]),
      /ctcLoss: inputLengths must hold 2 lengths \(one per sample\), shape \[2\] but got shape \[1\]/,
    ],
    [
      "target length beyond the padding",
      () => F.ctcLoss(lp(), [[1], [1]], [5, 5], [1, 2]),
      /ctcLoss: targetLengths\[1\] is 2 but the padded targets hold 1 per sample/,
    ],
    [
      "concatenated total",
      () => F.ctcLoss(lp(), [1, 2, 3], [5, 5], [1, 1]),
      /ctcLoss: concatenated targets must hold sum\(targetLengths\) = 2 labels but got 3/,
    ],
    [
      "label equal to blank",
      () =>
        F.ctcLoss(
          lp(),
          [
            [1, 0],
            [2, 2],
          ],
          [5, 5],
          [2, 2],
        ),
      /ctcLoss: target label 0 \(sample 0, position 1\) must be a class in \[0, 3\] other than blank 0/,
    ],
    [
      "label out of range",
      () =>
        F.ctcLoss(
          lp(),
          [
            [1, 4],
            [2, 2],
          ],
          [5, 5],
          [2, 2],
        ),
      /ctcLoss: target label 4 \(sample 0, position 1\)/,
    ],
    [
      "blank out of range",
      () => F.ctcLoss(lp(), [[1], [1]], [5, 5], [1, 1], { blank: 4 }),
      /ctcLoss: blank 4 is out of range for 4 classes/,
    ],
    [
      "float targets",
      () => F.ctcLoss(lp(), wg.ones([2, 1]), [5, 5], [1, 1]),
      /ctcLoss: expected targets to be an int32 tensor but got a float32 tensor/,
    ],
    [
      "padded rows per sample",
      () => F.ctcLoss(lp(), [[1], [1], [1]], [5, 5], [1, 1]),
      /ctcLoss: padded targets \[3,1\] must have one row per sample \(2\)/,
    ],
    [
      "unknown option",
      () => F.ctcLoss(lp(), [[1], [1]], [5, 5], [1, 1], { zero_infinity: true } as object),
      /ctcLoss: unknown option "zero_infinity"; did you mean zeroInfinity\?/,
    ],
    [
      "reduction",
      () => F.ctcLoss(lp(), [[1], [1]], [5, 5], [1, 1], { reduction: "avg" as "mean" }),
      /ctcLoss: reduction must be one of "mean", "sum", "none" but got "avg"/,
    ],
    [
      "module blank",
      () => new wg.nn.CTCLoss(-1),
      /CTCLoss: blank must be an integer >= 0 but got -1/,
    ],
  ];
  it.each(cases)("%s", (_, fn, message) => {
    let caught: unknown = null;
    wg.tidy(() => {
      try {
        fn();
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(wg.WasmgradError);
    expect((caught as Error).message).toMatch(message);
  });

  it("leaves no temporaries behind, with or without a gradient", () => {
    const x = wg.randn([6, 2, 5], { requiresGrad: true });
    const before = wg.memory();
    for (let i = 0; i < 3; i++) {
      const lp = wg.logSoftmax(x, 2);
      const loss = wg.nn.functional.ctcLoss(
        lp,
        [
          [1, 2],
          [3, 3],
        ],
        [6, 4],
        [2, 2],
      );
      loss.backward();
      for (const t of [lp, loss]) t.dispose();
      wg.noGrad(() => {
        const lp2 = wg.logSoftmax(x, 2);
        F.ctcLoss(lp2, [1, 2], [6, 4], [1, 1]).dispose();
        lp2.dispose();
      });
    }
    const after = wg.memory();
    expect(after.liveTensors).toBe(before.liveTensors + 1); // x.grad
    x.dispose();
  });
});
