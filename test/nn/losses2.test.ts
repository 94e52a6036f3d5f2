/**
 * F.crossEntropy, F.nllLoss, F.binaryCrossEntropy and F.binaryCrossEntropyWithLogits with
 * PyTorch's options (weight, ignoreIndex, labelSmoothing, posWeight) and every reduction, against
 * test/fixtures/losses2.json (PyTorch 1.13, made by gen_losses.py): loss values and the
 * gradients for the input and, where PyTorch has one, the target. Also the nllLoss and BCE cases
 * of losses.json, the target forms, error messages and that no temporary tensor is left behind.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  type LossCase,
  loadFixture,
  mismatches,
  tensorMismatches,
  toIndices,
  toTensor,
} from "../helpers/fixtures.js";

/** As FixtureTensor, but non-finite floats are stored as "NaN", "Infinity", "-Infinity". */
interface Stored {
  shape: number[];
  data: (number | string)[];
}

interface Case2 {
  name: string;
  fn: "crossEntropy" | "nllLoss" | "binaryCrossEntropy" | "binaryCrossEntropyWithLogits";
  options: {
    reduction: "mean" | "sum" | "none";
    weight?: FixtureTensor;
    ignoreIndex?: number;
    labelSmoothing?: number;
    posWeight?: FixtureTensor;
  };
  input: FixtureTensor;
  target: FixtureTensor;
  soft?: boolean;
  output: Stored;
  upstream: FixtureTensor;
  grads: { input: Stored; target?: Stored };
}

const cases = loadFixture<Case2[]>("losses2.json");
const F = wg.F;

function decode(t: Stored): FixtureTensor {
  return { shape: t.shape, data: t.data.map(Number) };
}

type Target = wg.Tensor | Int32Array | number[];

function run(c: Case2, input: wg.Tensor, target: Target): wg.Tensor {
  const o = c.options;
  const weight = o.weight === undefined ? undefined : toTensor(o.weight);
  const posWeight = o.posWeight === undefined ? undefined : toTensor(o.posWeight);
  const opts = { ...o, weight, posWeight };
  if (weight === undefined) delete opts.weight;
  if (posWeight === undefined) delete opts.posWeight;
  switch (c.fn) {
    case "crossEntropy":
      return F.crossEntropy(input, target, opts);
    case "nllLoss":
      return F.nllLoss(input, target, opts);
    case "binaryCrossEntropy":
      return F.binaryCrossEntropy(input, target as wg.Tensor, opts);
    case "binaryCrossEntropyWithLogits":
      return F.binaryCrossEntropyWithLogits(input, target as wg.Tensor, opts);
  }
}

const isIndexCase = (c: Case2): boolean =>
  (c.fn === "crossEntropy" || c.fn === "nllLoss") && c.soft !== true;

describe("losses2.json (PyTorch reference)", () => {
  it("covers every loss, reduction and option", () => {
    expect(cases.length).toBe(103);
    for (const fn of ["crossEntropy", "nllLoss", "binaryCrossEntropy"] as const) {
      for (const r of ["mean", "sum", "none"]) {
        expect(cases.some((c) => c.fn === fn && c.options.reduction === r)).toBe(true);
      }
    }
    const has = (p: (c: Case2) => boolean): boolean => cases.some(p);
    expect(has((c) => c.fn === "crossEntropy" && c.options.labelSmoothing !== undefined)).toBe(
      true,
    );
    expect(has((c) => c.fn === "nllLoss" && c.options.ignoreIndex !== undefined)).toBe(true);
    expect(has((c) => c.fn === "binaryCrossEntropyWithLogits" && !!c.options.posWeight)).toBe(true);
    expect(has((c) => c.output.data.includes("NaN"))).toBe(true); // all targets ignored
    expect(has((c) => c.grads.target?.data.includes("Infinity") === true)).toBe(true);
  });

  it.each(cases)("$name", (c) => {
    const input = toTensor(c.input, true);
    const target: Target = isIndexCase(c)
      ? toIndices(c.target)
      : toTensor(c.target, c.grads.target !== undefined);
    try {
      wg.tidy(() => {
        const out = run(c, input, target);
        expect([...out.shape], "output shape").toEqual(c.output.shape);
        expect(tensorMismatches(out, decode(c.output)), "loss").toEqual([]);
        out.backward(toTensor(c.upstream));
      });
      expect(tensorMismatches(input.grad, decode(c.grads.input)), "grad input").toEqual([]);
      if (c.grads.target !== undefined) {
        const tg = (target as wg.Tensor).grad;
        expect(tensorMismatches(tg, decode(c.grads.target)), "grad target").toEqual([]);
      }
    } finally {
      input.dispose();
      if (target instanceof wg.Tensor) target.dispose();
    }
  });

  it.each(cases.filter((c) => isIndexCase(c) && c.options.reduction === "none"))(
    "$name: targets as a Tensor and as number[] give the same losses",
    (c) => {
      wg.tidy(() => {
        const input = toTensor(c.input);
        const want = decode(c.output);
        expect(tensorMismatches(run(c, input, toTensor(c.target)), want), "Tensor").toEqual([]);
        expect(tensorMismatches(run(c, input, [...c.target.data]), want), "number[]").toEqual([]);
      });
    },
  );

  it.each(cases.filter((c) => c.options.reduction === "mean"))(
    "$name: forward under noGrad frees every temporary",
    (c) => {
      const input = toTensor(c.input);
      const target = isIndexCase(c) ? toIndices(c.target) : toTensor(c.target);
      const before = wg.memory().liveTensors;
      // Option tensors are made inside the tidy, so only the loss itself survives it.
      const out = wg.noGrad(() => wg.tidy(() => run(c, input, target)));
      expect(wg.memory().liveTensors).toBe(before + 1);
      out.dispose();
      input.dispose();
      if (target instanceof wg.Tensor) target.dispose();
    },
  );
});

// The nllLoss / BCE cases of losses.json (losses.test.ts covers its mseLoss and crossEntropy).
describe("losses.json extras (PyTorch reference)", () => {
  const extras = loadFixture<LossCase[]>("losses.json").filter(
    (c) => c.fn !== "mseLoss" && c.fn !== "crossEntropy",
  );

  it("has the 9 extra cases", () => {
    expect(extras.length).toBe(9);
  });

  it.each(extras)("$name", (c) => {
    const input = toTensor(c.input, true);
    const target = c.fn === "nllLoss" ? toIndices(c.target) : toTensor(c.target, !!c.grads.target);
    const opts = { reduction: c.reduction };
    try {
      wg.tidy(() => {
        const out =
          c.fn === "nllLoss"
            ? F.nllLoss(input, target, opts)
            : c.fn === "binaryCrossEntropy"
              ? F.binaryCrossEntropy(input, target as wg.Tensor, opts)
              : F.binaryCrossEntropyWithLogits(input, target as wg.Tensor, opts);
        expect(tensorMismatches(out, c.output), "loss").toEqual([]);
        out.backward(toTensor(c.upstream));
      });
      expect(tensorMismatches(input.grad, c.grads.input), "grad input").toEqual([]);
      if (c.grads.target !== undefined) {
        const tg = (target as wg.Tensor).grad;
        expect(tensorMismatches(tg, c.grads.target), "grad target").toEqual([]);
      }
    } finally {
      input.dispose();
      if (target instanceof wg.Tensor) target.dispose();
    }
  });
});

describe("loss semantics", () => {
  it("crossEntropy ignores -100 by default and a weighted mean divides by the counted weights", () => {
    wg.tidy(() => {
      const x = wg.tensor([
        [1, 2, 3],
        [0, 0, 0],
        [3, 1, -1],
      ]);
      const w = wg.tensor([0.5, 2, 4]);
      const rows = F.crossEntropy(x, [2, -100, 0], { reduction: "none", weight: w }).data();
      expect(rows[1]).toBe(0);
      const mean = F.crossEntropy(x, [2, -100, 0], { weight: w }).item();
      expect(mismatches([mean], [(rows[0] + rows[2]) / (4 + 0.5)])).toEqual([]);
      const plain = F.crossEntropy(x, [2, -100, 0]).item();
      const unweighted = F.crossEntropy(x, [2, -100, 0], { reduction: "none" }).data();
      expect(mismatches([plain], [(unweighted[0] + unweighted[2]) / 2])).toEqual([]);
    });
  });

  it("crossEntropy with labelSmoothing is (1 - s) nll + s / C * the uniform-target loss", () => {
    wg.tidy(() => {
      const x = wg.tensor([
        [0.3, -1.2, 2.0, 0.7],
        [1.5, 0.1, -0.4, -2.0],
      ]);
      const target = [2, 0];
      const logp = wg.logSoftmax(x, 1).toArray() as number[][];
      const s = 0.25;
      const want = logp.map(
        (row, i) => -(1 - s) * row[target[i]] - (s / 4) * row.reduce((a, b) => a + b, 0),
      );
      const got = F.crossEntropy(x, target, { labelSmoothing: s, reduction: "none" }).data();
      expect(mismatches(got, want)).toEqual([]);
    });
  });

  it("binaryCrossEntropyWithLogits stays finite and exact at logits of +-1e4", () => {
    wg.tidy(() => {
      const x = wg.tensor([1e4, -1e4, 1e4, -1e4], { requiresGrad: true });
      const t = wg.tensor([1, 0, 0, 1]);
      const l = F.binaryCrossEntropyWithLogits(x, t, { reduction: "none" });
      expect(Array.from(l.data())).toEqual([0, 0, 1e4, 1e4]);
      l.sum().backward();
      expect(Array.from(x.grad!.data())).toEqual([0, 0, 1, -1]);
    });
  });

  it("nllLoss and crossEntropy agree: crossEntropy(x) = nllLoss(logSoftmax(x))", () => {
    wg.tidy(() => {
      const x = wg.randn([5, 7]);
      const w = wg.rand([7]).add(0.1);
      const t = [6, 0, -100, 3, 3];
      const a = F.crossEntropy(x, t, { weight: w }).item();
      const b = F.nllLoss(wg.logSoftmax(x, 1), t, { weight: w }).item();
      expect(mismatches([a], [b])).toEqual([]);
    });
  });

  it("with grad: only the inputs' gradients outlive backward", () => {
    const x = wg.randn([4, 5], { requiresGrad: true });
    const w = wg.rand([5]);
    const p = wg.rand([4, 5], { requiresGrad: true });
    const t = wg.rand([4, 5]);
    const before = wg.memory().liveTensors;
    const l = F.crossEntropy(x, [1, 2, -100, 4], { weight: w, labelSmoothing: 0.1 });
    l.backward();
    l.dispose();
    expect(wg.memory().liveTensors).toBe(before + 1); // x.grad
    const b = F.binaryCrossEntropy(p, t, { weight: w.reshape(1, 5) });
    b.backward();
    b.dispose();
    expect(wg.memory().liveTensors).toBe(before + 3); // x.grad, the reshaped view, p.grad
    for (const u of [x, w, p, t]) u.dispose();
  });
});

describe("loss errors leave nothing behind", () => {
  it("a rejected call (K-dim input, broadcast weight) frees what it made", () => {
    const x = wg.zeros([2, 3, 4], { requiresGrad: true });
    const p = wg.full([3, 4], 0.5);
    const w = wg.ones([4]);
    const before = wg.memory().liveTensors;
    expect(() => F.crossEntropy(x, wg.zeros([2, 4]).add(3))).toThrow(/target 3 at index 0/);
    expect(() => F.binaryCrossEntropy(p.mul(3), p, { weight: w })).toThrow(/between 0 and 1/);
    // Only the three inputs made for the calls (zeros, add, mul: outside tidy) are new.
    expect(wg.memory().liveTensors).toBe(before + 3);
    for (const t of [x, p, w]) t.dispose();
  });
});

describe("loss errors", () => {
  const x = (): wg.Tensor => wg.zeros([3, 4]);

  it.each([
    [
      "crossEntropy class index 4 of 4",
      () => F.crossEntropy(x(), [0, 4, 1]),
      /crossEntropy: target 4 at index 1 is out of range: class indices must be integers in \[0, 3\] for 4 classes \(or ignoreIndex -100\)/,
    ],
    [
      "crossEntropy negative index",
      () => F.crossEntropy(x(), [0, -1, 1]),
      /crossEntropy: target -1 at index 1 is out of range/,
    ],
    [
      "crossEntropy -100 when ignoreIndex is 2",
      () => F.crossEntropy(x(), [0, -100, 2], { ignoreIndex: 2 }),
      /target -100 at index 1 is out of range.*ignoreIndex 2/,
    ],
    [
      "crossEntropy fractional index",
      () => F.crossEntropy(x(), [0, 1.5, 1]),
      /target 1.5 at index 1 is out of range/,
    ],
    [
      "nllLoss class index 7",
      () => F.nllLoss(x(), [7, 0, 0]),
      /nllLoss: target 7 at index 0 is out of range/,
    ],
    [
      "nllLoss target count",
      () => F.nllLoss(x(), [1, 2]),
      /nllLoss: expected 3 targets for input of shape \[3,4\] but got 2/,
    ],
    [
      "crossEntropy target tensor shape",
      () => F.crossEntropy(x(), wg.zeros([3, 1])),
      /crossEntropy: target must be class indices of shape \[3\] for input of shape \[3,4\] but got shape \[3,1\]/,
    ],
    [
      "crossEntropy weight shape",
      () => F.crossEntropy(x(), [0, 1, 2], { weight: wg.ones([3]) }),
      /crossEntropy: weight must have shape \[4\] \(one per class\) but got \[3\]/,
    ],
    [
      "crossEntropy labelSmoothing 1.5",
      () => F.crossEntropy(x(), [0, 1, 2], { labelSmoothing: 1.5 }),
      /crossEntropy: labelSmoothing must be between 0 and 1 but got 1.5/,
    ],
    [
      "crossEntropy ignoreIndex 0.5",
      () => F.crossEntropy(x(), [0, 1, 2], { ignoreIndex: 0.5 }),
      /crossEntropy: ignoreIndex must be an integer \(int32\) but got 0.5/,
    ],
    [
      "crossEntropy 0-d input",
      () => F.crossEntropy(wg.tensor(1), [0]),
      /crossEntropy: expected input of shape \[N, C\], \[C\] or \[N, C, d1, ...\] but got \[\]/,
    ],
    [
      "crossEntropy python spelling",
      () => F.crossEntropy(x(), [0, 1, 2], { ignore_index: 1 } as never),
      /crossEntropy: unknown option "ignore_index"; did you mean ignoreIndex\? \(known: weight, reduction, ignoreIndex, labelSmoothing\)/,
    ],
    [
      "crossEntropy reduction",
      () => F.crossEntropy(x(), [0, 1, 2], { reduction: "avg" as never }),
      /crossEntropy: reduction must be "mean", "sum" or "none" but got "avg"/,
    ],
    [
      "crossEntropy ignoreIndex with probabilities",
      () => F.crossEntropy(x(), wg.zeros([3, 4]), { ignoreIndex: 1 }),
      /crossEntropy: ignoreIndex applies to class-index targets/,
    ],
    [
      "crossEntropy weight requiring grad",
      () => F.crossEntropy(x(), [0, 1, 2], { weight: wg.ones([4], { requiresGrad: true }) }),
      /crossEntropy: weight requires grad, but weight gets no gradient \(as in PyTorch\); pass weight.detach\(\)/,
    ],
    [
      "binaryCrossEntropy input 1.5",
      () => F.binaryCrossEntropy(wg.tensor([0.5, 1.5]), wg.tensor([1, 0])),
      /binaryCrossEntropy: all elements of input should be between 0 and 1 but input element 1 is 1.5/,
    ],
    [
      "binaryCrossEntropy NaN input",
      () => F.binaryCrossEntropy(wg.tensor([0.1, 0.2, 0.3, 0.4, Number.NaN]), wg.zeros([5])),
      /input element 4 is NaN/,
    ],
    [
      "binaryCrossEntropy target shape",
      () => F.binaryCrossEntropy(wg.zeros([3]), wg.zeros([3, 1])),
      /binaryCrossEntropy: target shape \[3,1\] must be the same as the input shape \[3\]/,
    ],
    [
      "binaryCrossEntropy weight broadcast",
      () =>
        F.binaryCrossEntropy(wg.zeros([3, 4]), wg.zeros([3, 4]), { weight: wg.ones([2, 3, 4]) }),
      /binaryCrossEntropy: weight of shape \[2,3,4\] does not broadcast to the input's shape \[3,4\]/,
    ],
    [
      "binaryCrossEntropyWithLogits posWeight shape",
      () => F.binaryCrossEntropyWithLogits(x(), x(), { posWeight: wg.ones([3]) }),
      /binaryCrossEntropyWithLogits: shapes \[3\] and \[3,4\] cannot be broadcast/,
    ],
    [
      "binaryCrossEntropyWithLogits target type",
      () => F.binaryCrossEntropyWithLogits(x(), [1, 0] as never),
      /binaryCrossEntropyWithLogits: expected target to be a Tensor but got \[1, 0\]/,
    ],
    [
      "nllLoss disposed input",
      () => {
        const t = x();
        t.dispose();
        return F.nllLoss(t, [0, 0, 0]);
      },
      /nllLoss: tensor was disposed/,
    ],
  ] as [string, () => unknown, RegExp][])("%s", (_, fn, pattern) => {
    wg.tidy(() => {
      expect(fn).toThrow(wg.WasmgradError);
      expect(fn).toThrow(pattern);
    });
  });
});
