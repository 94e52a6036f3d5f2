/**
 * Batch norm against test/fixtures/norm.json (PyTorch 1.13, made by gen_cnn.py), as
 * nn.BatchNorm1d / nn.BatchNorm2d and as F.batchNorm: train and eval mode, affine on and off,
 * running statistics on and off, outputs, gradients of input, weight and bias, and the state
 * (running_mean, running_var with the unbiased variance, num_batches_tracked) after 1 and 3
 * training steps. Then dropout, whose random stream differs from PyTorch's: it is checked by its
 * invariants and statistically.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  type Tolerance,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

// ---------------------------------------------------------------------------- fixtures

interface NormStep {
  input: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
}

interface NormCase {
  name: string;
  layer: "BatchNorm1d" | "BatchNorm2d";
  numFeatures: number;
  /** The fixtures never use momentum null (a cumulative average), which F.batchNorm lacks. */
  options: wg.nn.BatchNormLayerOptions & { momentum?: number };
  mode: "train" | "eval";
  initialState: Record<string, FixtureTensor>;
  steps: NormStep[];
  grads: { input: FixtureTensor; weight?: FixtureTensor; bias?: FixtureTensor };
  stateAfterStep1: Record<string, FixtureTensor>;
  stateAfterLastStep: Record<string, FixtureTensor>;
  evalInput?: FixtureTensor;
  evalOutput?: FixtureTensor;
}

const cases = loadFixture<NormCase[]>("norm.json");
const tol: Tolerance = { atol: 1e-5, rtol: 1e-4 };

function expectThrows(fn: () => unknown, ...patterns: RegExp[]): void {
  expect(fn).toThrow(wg.WasmgradError);
  for (const p of patterns) expect(fn).toThrow(p);
}

function stateMismatches(
  got: Record<string, wg.Tensor | null>,
  want: Record<string, FixtureTensor>,
): string[] {
  return Object.entries(want).flatMap(([k, t]) =>
    tensorMismatches(got[k] ?? null, t, tol).map((m) => `${k}: ${m}`),
  );
}

// ---------------------------------------------------------------------------- nn.BatchNorm

describe("norm.json (PyTorch reference)", () => {
  it("holds the 21 generated cases", () => {
    expect(cases.length).toBe(21);
    expect(cases.filter((c) => c.mode === "train" && c.steps.length === 3).length).toBe(14);
    expect(
      cases.some((c) => c.layer === "BatchNorm1d" && c.steps[0].input.shape.length === 3),
    ).toBe(true);
  });

  describe("nn.BatchNorm1d / nn.BatchNorm2d", () => {
    it.each(cases)("$name", (c) => {
      const m = new wg.nn[c.layer](c.numFeatures, c.options);
      const x = toTensor(c.steps[0].input, true);
      try {
        // PyTorch's state_dict keys, in its order; buffers are not parameters.
        expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.initialState));
        const affine = c.options.affine ?? true;
        expect(m.namedParameters().map(([n]) => n)).toEqual(affine ? ["weight", "bias"] : []);
        wg.tidy(() => {
          const sd: Record<string, wg.Tensor> = {};
          for (const [k, t] of Object.entries(c.initialState)) sd[k] = toTensor(t);
          m.loadStateDict(sd);
        });
        if (c.mode === "train") m.train();
        else m.eval();

        wg.tidy(() => {
          const out = m.forward(x);
          expect(tensorMismatches(out, c.steps[0].output, tol), "step 1 output").toEqual([]);
          out.backward(toTensor(c.steps[0].upstream));
        });
        expect(tensorMismatches(x.grad, c.grads.input, tol), "grad input").toEqual([]);
        if (c.grads.weight !== undefined && c.grads.bias !== undefined) {
          expect(
            tensorMismatches(m.weight?.grad ?? null, c.grads.weight, tol),
            "grad weight",
          ).toEqual([]);
          expect(tensorMismatches(m.bias?.grad ?? null, c.grads.bias, tol), "grad bias").toEqual(
            [],
          );
        }
        expect(stateMismatches(m.stateDict(), c.stateAfterStep1), "state after step 1").toEqual([]);

        c.steps.slice(1).forEach((s, i) => {
          wg.tidy(() => {
            const out = m.forward(toTensor(s.input));
            expect(tensorMismatches(out, s.output, tol), `step ${i + 2} output`).toEqual([]);
          });
        });
        expect(
          stateMismatches(m.stateDict(), c.stateAfterLastStep),
          "state after the last step",
        ).toEqual([]);

        if (c.evalInput !== undefined && c.evalOutput !== undefined) {
          m.eval();
          const { evalInput, evalOutput } = c;
          wg.tidy(() => {
            const out = m.forward(toTensor(evalInput));
            expect(tensorMismatches(out, evalOutput, tol), "eval output").toEqual([]);
          });
          // eval() leaves the running statistics alone.
          expect(stateMismatches(m.stateDict(), c.stateAfterLastStep), "state after eval").toEqual(
            [],
          );
        }
      } finally {
        x.dispose();
        m.dispose();
      }
    });
  });

  describe("F.batchNorm", () => {
    it.each(cases)("$name", (c) => {
      const s = c.initialState;
      const track = (c.options.trackRunningStats ?? true) && s.running_mean !== undefined;
      const x = toTensor(c.steps[0].input, true);
      const weight = s.weight === undefined ? null : toTensor(s.weight, true);
      const bias = s.bias === undefined ? null : toTensor(s.bias, true);
      const rm = track ? toTensor(s.running_mean) : null;
      const rv = track ? toTensor(s.running_var) : null;
      // A module without running statistics normalises by the batch in eval mode too.
      const training = c.mode === "train" || !track;
      const options: wg.F.BatchNormOptions = {
        weight,
        bias,
        training,
        momentum: c.options.momentum ?? 0.1,
        eps: c.options.eps ?? 1e-5,
      };
      try {
        wg.tidy(() => {
          const out = wg.F.batchNorm(x, rm, rv, options);
          expect(tensorMismatches(out, c.steps[0].output, tol), "step 1 output").toEqual([]);
          out.backward(toTensor(c.steps[0].upstream));
        });
        expect(tensorMismatches(x.grad, c.grads.input, tol), "grad input").toEqual([]);
        if (c.grads.weight !== undefined && c.grads.bias !== undefined) {
          expect(
            tensorMismatches(weight?.grad ?? null, c.grads.weight, tol),
            "grad weight",
          ).toEqual([]);
          expect(tensorMismatches(bias?.grad ?? null, c.grads.bias, tol), "grad bias").toEqual([]);
        }
        // Running statistics are updated in place.
        const after = { running_mean: rm, running_var: rv };
        const want1 = c.stateAfterStep1;
        if (track) {
          expect(
            stateMismatches(after, {
              running_mean: want1.running_mean,
              running_var: want1.running_var,
            }),
            "running stats after step 1",
          ).toEqual([]);
        }
        c.steps.slice(1).forEach((st, i) => {
          wg.tidy(() => {
            const out = wg.F.batchNorm(toTensor(st.input), rm, rv, options);
            expect(tensorMismatches(out, st.output, tol), `step ${i + 2} output`).toEqual([]);
          });
        });
        const wantN = c.stateAfterLastStep;
        if (track) {
          expect(
            stateMismatches(after, {
              running_mean: wantN.running_mean,
              running_var: wantN.running_var,
            }),
            "running stats after the last step",
          ).toEqual([]);
        }
        if (c.evalInput !== undefined && c.evalOutput !== undefined) {
          const { evalInput, evalOutput } = c;
          wg.tidy(() => {
            const out = wg.F.batchNorm(toTensor(evalInput), rm, rv, {
              ...options,
              training: !track,
            });
            expect(tensorMismatches(out, evalOutput, tol), "eval output").toEqual([]);
          });
        }
      } finally {
        for (const t of [x, weight, bias, rm, rv]) t?.dispose();
      }
    });

    it("normalises by the batch without running statistics (null) in training", () => {
      const c = cases.find((k) => k.mode === "train" && k.initialState.weight !== undefined);
      expect(c).toBeDefined();
      if (c === undefined) return;
      wg.tidy(() => {
        const out = wg.F.batchNorm(toTensor(c.steps[0].input), null, null, {
          weight: toTensor(c.initialState.weight),
          bias: toTensor(c.initialState.bias),
          training: true,
          momentum: c.options.momentum,
          eps: c.options.eps,
        });
        expect(tensorMismatches(out, c.steps[0].output, tol)).toEqual([]);
      });
    });

    it("defaults to evaluation mode (training = false) with no affine transform", () => {
      const c = cases.find(
        (k) => k.mode === "eval" && k.options.affine === false && k.options.eps === undefined,
      );
      expect(c).toBeDefined();
      if (c === undefined) return;
      wg.tidy(() => {
        const rm = toTensor(c.initialState.running_mean);
        const rv = toTensor(c.initialState.running_var);
        const out = wg.F.batchNorm(toTensor(c.steps[0].input), rm, rv);
        expect(tensorMismatches(out, c.steps[0].output, tol)).toEqual([]);
        // Evaluation does not touch the running statistics.
        expect(tensorMismatches(rm, c.initialState.running_mean, tol)).toEqual([]);
      });
    });
  });
});

describe("nn.BatchNorm construction", () => {
  it("starts at weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked 0", () => {
    const m = new wg.nn.BatchNorm2d(3);
    try {
      expect(m.training).toBe(true);
      const sd = m.stateDict();
      expect(Object.keys(sd)).toEqual([
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
      ]);
      expect([...sd.weight.data()]).toEqual([1, 1, 1]);
      expect([...sd.bias.data()]).toEqual([0, 0, 0]);
      expect([...sd.running_mean.data()]).toEqual([0, 0, 0]);
      expect([...sd.running_var.data()]).toEqual([1, 1, 1]);
      expect([...sd.num_batches_tracked.shape]).toEqual([]);
      expect(sd.num_batches_tracked.item()).toBe(0);
      expect(m.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
        ["weight", [3]],
        ["bias", [3]],
      ]);
      expect(sd.running_mean.requiresGrad).toBe(false);
    } finally {
      m.dispose();
    }
  });

  it("has no parameters with affine false and no buffers with trackRunningStats false", () => {
    const a = new wg.nn.BatchNorm1d(4, { affine: false });
    const b = new wg.nn.BatchNorm1d(4, { trackRunningStats: false });
    try {
      expect(a.parameters()).toEqual([]);
      expect(Object.keys(a.stateDict())).toEqual([
        "running_mean",
        "running_var",
        "num_batches_tracked",
      ]);
      expect(Object.keys(b.stateDict())).toEqual(["weight", "bias"]);
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it("counts training batches and keeps its buffers alive through tidy", () => {
    const m = new wg.nn.BatchNorm2d(2);
    try {
      const before = wg.memory().liveTensors;
      for (let i = 0; i < 3; i++) {
        wg.tidy(() => {
          wg.noGrad(() => m.forward(wg.rand([4, 2, 3, 3]).add(2)));
        });
      }
      expect(wg.memory().liveTensors, "no tensor leaked or swept").toBe(before);
      const sd = m.stateDict();
      expect(sd.num_batches_tracked.item()).toBe(3);
      expect(sd.running_mean.isDisposed).toBe(false);
      // Three updates with momentum 0.1 toward a batch mean near 2.5.
      for (const v of sd.running_mean.data()) expect(v).toBeGreaterThan(0.5);
      m.eval();
      wg.tidy(() => {
        wg.noGrad(() => m.forward(wg.rand([4, 2, 3, 3])));
      });
      expect(m.stateDict().num_batches_tracked.item()).toBe(3);
    } finally {
      m.dispose();
    }
  });

  it("is switched by train() / eval() inside a Sequential", () => {
    const bn = new wg.nn.BatchNorm2d(2);
    const model = new wg.nn.Sequential(bn, new wg.nn.ReLU());
    try {
      model.eval();
      expect(bn.training).toBe(false);
      wg.tidy(() => {
        // eval with the initial running stats (0, 1): y = x / sqrt(1 + eps), relu'd.
        const x = wg.tensor([[[[1, -2]], [[3, 4]]]]);
        const y = model.forward(x).data();
        const s = 1 / Math.sqrt(1 + 1e-5);
        const want = [1 * s, 0, 3 * s, 4 * s];
        for (let i = 0; i < 4; i++) expect(Math.abs(y[i] - want[i])).toBeLessThan(1e-6);
      });
      model.train();
      expect(bn.training).toBe(true);
    } finally {
      model.dispose();
    }
  });
});

describe("batch norm errors", () => {
  it("rejects input of the wrong rank for the layer", () => {
    const bn2 = new wg.nn.BatchNorm2d(3);
    const bn1 = new wg.nn.BatchNorm1d(3);
    try {
      wg.tidy(() => {
        expectThrows(() => bn2.forward(wg.zeros([2, 3, 4])), /[Bb]atch[Nn]orm/, /\[2,3,4\]/);
        expectThrows(() => bn2.forward(wg.zeros([2, 3, 4, 4, 1])), /\[2,3,4,4,1\]/);
        expectThrows(() => bn1.forward(wg.zeros([2, 3, 4, 4])), /[Bb]atch[Nn]orm/, /\[2,3,4,4\]/);
        expectThrows(() => bn1.forward(wg.zeros([3])), /\[3\]/);
      });
    } finally {
      bn2.dispose();
      bn1.dispose();
    }
  });

  it("rejects a channel count that does not match numFeatures", () => {
    const bn = new wg.nn.BatchNorm2d(3);
    try {
      wg.tidy(() => {
        expectThrows(() => bn.forward(wg.zeros([2, 4, 5, 5])), /[Bb]atch[Nn]orm/, /\[2,4,5,5\]/);
      });
    } finally {
      bn.dispose();
    }
    wg.tidy(() => {
      const x = wg.zeros([2, 4, 3, 3]);
      expectThrows(() => wg.F.batchNorm(x, wg.zeros([3]), wg.ones([3])), /batchNorm/, /\[3\]/);
      expectThrows(
        () => wg.F.batchNorm(x, null, null, { training: true, weight: wg.ones([5]) }),
        /batchNorm/,
        /\[5\]/,
      );
    });
  });

  it("needs more than one value per channel in training", () => {
    const bn1 = new wg.nn.BatchNorm1d(3);
    const bn2 = new wg.nn.BatchNorm2d(3);
    try {
      wg.tidy(() => {
        expectThrows(() => bn1.forward(wg.zeros([1, 3])), /\[1,3\]/);
        expectThrows(() => bn2.forward(wg.zeros([1, 3, 1, 1])), /\[1,3,1,1\]/);
        bn1.eval();
        expect([...bn1.forward(wg.zeros([1, 3])).shape]).toEqual([1, 3]);
      });
    } finally {
      bn1.dispose();
      bn2.dispose();
    }
  });

  it("needs running statistics in evaluation mode", () => {
    wg.tidy(() => {
      expectThrows(() => wg.F.batchNorm(wg.zeros([4, 3]), null, null), /batchNorm/, /running/);
    });
  });

  it("rejects a bad numFeatures", () => {
    for (const n of [-1, 2.5]) expectThrows(() => new wg.nn.BatchNorm2d(n), /BatchNorm/);
  });
});

// ---------------------------------------------------------------------------- dropout

describe("dropout", () => {
  it("zeroes about p of the elements and scales the rest by 1/(1-p)", () => {
    for (const p of [0.3, 0.5, 0.9]) {
      wg.manualSeed(1);
      const n = 200_000;
      const y = wg.tidy(() => wg.F.dropout(wg.ones([400, 500]), p).data());
      let zeros = 0;
      let sum = 0;
      const badKept = new Set<number>();
      for (const v of y) {
        if (v === 0) zeros++;
        else if (!(Math.abs(v * (1 - p) - 1) < 1e-6)) badKept.add(v);
        sum += v;
      }
      expect([...badKept], `p = ${p}: kept values other than 1/(1-p)`).toEqual([]);
      // Five standard deviations of a binomial proportion; the mean stays 1.
      const sd = Math.sqrt((p * (1 - p)) / n);
      expect(Math.abs(zeros / n - p), `p = ${p}: fraction zeroed`).toBeLessThan(5 * sd);
      expect(Math.abs(sum / n - 1), `p = ${p}: mean`).toBeLessThan((5 * sd) / (1 - p));
    }
  });

  it("does not zero the same positions on every row (no broadcast mask)", () => {
    wg.manualSeed(2);
    const y = wg.tidy(() => wg.F.dropout(wg.ones([8, 64]), 0.5).data());
    const rows = Array.from({ length: 8 }, (_, r) => y.slice(r * 64, r * 64 + 64).join(","));
    expect(new Set(rows).size).toBe(8);
  });

  it("gives the gradient the same mask as the forward", () => {
    wg.manualSeed(3);
    const x = wg.tidy(() => wg.rand([3, 4, 50]).add(0.5));
    x.requiresGrad_(true);
    try {
      const p = 0.4;
      const { y, g } = wg.tidy(() => {
        const out = wg.F.dropout(x, p);
        const up = wg.randn([...out.shape]);
        out.backward(up);
        return { y: out.data(), g: up.data() };
      });
      const xd = x.data();
      const gx = x.grad!.data();
      let kept = 0;
      for (let i = 0; i < y.length; i++) {
        if (y[i] === 0) {
          expect(gx[i] === 0, `dropped element ${i} gets no gradient (${gx[i]})`).toBe(true);
        } else {
          kept++;
          expect(Math.abs(y[i] - xd[i] / (1 - p))).toBeLessThan(1e-5);
          expect(Math.abs(gx[i] - g[i] / (1 - p))).toBeLessThan(1e-5);
        }
      }
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(y.length);
    } finally {
      x.dispose();
    }
  });

  it("is reproducible under manualSeed and draws a fresh mask on each call", () => {
    const draw = () => wg.tidy(() => wg.F.dropout(wg.ones([1000]), 0.5).data());
    wg.manualSeed(7);
    const a = draw();
    const a2 = draw();
    wg.manualSeed(7);
    const b = draw();
    wg.manualSeed(8);
    const c = draw();
    expect(b).toEqual(a);
    expect(a2).not.toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("is the identity when not training or with p = 0, for values and gradient", () => {
    for (const [p, training] of [
      [0.7, false],
      [0, true],
      [0, false],
    ] as const) {
      const x = wg.tensor([0.5, -1, 2, 3.5], { requiresGrad: true });
      try {
        const y = wg.tidy(() => {
          const out = wg.F.dropout(x, p, training);
          out.backward(wg.tensor([1, 2, 3, 4]));
          return out.data();
        });
        expect([...y]).toEqual([0.5, -1, 2, 3.5]);
        expect([...x.grad!.data()]).toEqual([1, 2, 3, 4]);
      } finally {
        x.dispose();
      }
    }
  });

  it("gives zeros and a zero gradient (no NaN) with p = 1", () => {
    const x = wg.tensor([0.5, -1, 2, 3.5], { requiresGrad: true });
    try {
      const y = wg.tidy(() => {
        const out = wg.F.dropout(x, 1);
        out.backward(wg.ones([4]));
        return out.data();
      });
      // (-0 from a negative input times 0 is fine: PyTorch gives it too.)
      expect([...y].every((v) => v === 0)).toBe(true);
      expect([...x.grad!.data()].every((v) => v === 0)).toBe(true);
    } finally {
      x.dispose();
    }
  });

  it("defaults to p = 0.5 in training", () => {
    wg.manualSeed(4);
    const y = wg.tidy(() => wg.F.dropout(wg.ones([20_000])).data());
    const zeros = y.filter((v) => v === 0).length;
    expect(Math.abs(zeros / 20_000 - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 20_000));
    expect(y.find((v) => v !== 0)).toBe(2);
  });

  it("rejects p outside [0, 1]", () => {
    wg.tidy(() => {
      const x = wg.ones([3]);
      for (const p of [-0.1, 1.5, Number.NaN]) {
        expectThrows(() => wg.F.dropout(x, p), /dropout/, /p|probability/);
      }
    });
    expectThrows(() => new wg.nn.Dropout(2), /[Dd]ropout/);
    expectThrows(() => new wg.nn.Dropout(-1), /[Dd]ropout/);
  });

  it("nn.Dropout drops in train() and is the identity in eval()", () => {
    const model = new wg.nn.Sequential(new wg.nn.Dropout(0.25));
    try {
      expect(model.parameters()).toEqual([]);
      wg.manualSeed(5);
      const train = wg.tidy(() => model.forward(wg.ones([10_000])).data());
      const zeros = train.filter((v) => v === 0).length;
      expect(Math.abs(zeros / 10_000 - 0.25)).toBeLessThan(5 * Math.sqrt(0.1875 / 10_000));
      model.eval();
      const evald = wg.tidy(() => model.forward(wg.ones([10_000])).data());
      expect(evald.every((v) => v === 1)).toBe(true);
      const dflt = new wg.nn.Dropout();
      wg.manualSeed(6);
      const d = wg.tidy(() => dflt.forward(wg.ones([10_000])).data());
      expect(Math.abs(d.filter((v) => v === 0).length / 10_000 - 0.5)).toBeLessThan(0.025);
    } finally {
      model.dispose();
    }
  });
});
