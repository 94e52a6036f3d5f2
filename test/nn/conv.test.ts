/**
 * F.conv2d and nn.Conv2d against test/fixtures/conv.json (PyTorch 1.13, made by gen_cnn.py):
 * outputs and the gradients of sum(output * upstream) for input, weight and bias over a sweep of
 * strides, paddings (numbers, pairs, "same", "valid"), dilations, groups, 1x1 kernels, unbatched
 * and batched input. Also the layer's parameters and default init (init.json), and the errors
 * bad input must raise.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

// ---------------------------------------------------------------------------- fixtures

interface ConvCase {
  name: string;
  args: wg.F.Conv2dOptions;
  inChannels: number;
  outChannels: number;
  kernelSize: wg.F.Pair;
  hasBias: boolean;
  input: FixtureTensor;
  weight: FixtureTensor;
  bias?: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: { input: FixtureTensor; weight: FixtureTensor; bias?: FixtureTensor };
}

interface ConvInit {
  inChannels: number;
  outChannels: number;
  kernelSize: number;
  groups: number;
  weightShape: number[];
  biasShape: number[];
  fanIn: number;
  weightBound: number;
  biasBound: number;
}

const cases = loadFixture<ConvCase[]>("conv.json");
const inits = loadFixture<{ conv2d: ConvInit[] }>("init.json").conv2d;

function expectThrows(fn: () => unknown, ...patterns: RegExp[]): void {
  expect(fn).toThrow(wg.WasmgradError);
  for (const p of patterns) expect(fn).toThrow(p);
}

// ---------------------------------------------------------------------------- tests

describe("conv.json (PyTorch reference)", () => {
  it("holds the 41 generated cases, covering the sweep", () => {
    expect(cases.length).toBe(41);
    const has = (f: (c: ConvCase) => boolean) => cases.some(f);
    expect(has((c) => c.args.padding === "same" && c.weight.shape[2] % 2 === 0)).toBe(true);
    expect(has((c) => c.args.padding === "valid")).toBe(true);
    expect(has((c) => c.args.stride === 3)).toBe(true);
    expect(has((c) => (c.args.groups ?? 1) === c.inChannels && c.inChannels > 1)).toBe(true);
    expect(has((c) => c.input.shape.length === 3)).toBe(true);
    expect(has((c) => !c.hasBias)).toBe(true);
  });

  describe("F.conv2d", () => {
    it.each(cases)("$name", (c) => {
      const x = toTensor(c.input, true);
      const w = toTensor(c.weight, true);
      const b = c.bias === undefined ? null : toTensor(c.bias, true);
      try {
        wg.tidy(() => {
          const out = b === null ? wg.F.conv2d(x, w, null, c.args) : wg.F.conv2d(x, w, b, c.args);
          expect(tensorMismatches(out, c.output), "output").toEqual([]);
          out.backward(toTensor(c.upstream));
        });
        expect(tensorMismatches(x.grad, c.grads.input), "grad input").toEqual([]);
        expect(tensorMismatches(w.grad, c.grads.weight), "grad weight").toEqual([]);
        if (b !== null && c.grads.bias !== undefined) {
          expect(tensorMismatches(b.grad, c.grads.bias), "grad bias").toEqual([]);
        }
      } finally {
        for (const t of [x, w, b]) t?.dispose();
      }
    });

    it("takes the bias as optional: omitted, undefined and null agree", () => {
      const c = cases.find((k) => !k.hasBias && Object.keys(k.args).length === 0);
      expect(c).toBeDefined();
      if (c === undefined) return;
      wg.tidy(() => {
        const x = toTensor(c.input);
        const w = toTensor(c.weight);
        expect(tensorMismatches(wg.F.conv2d(x, w), c.output)).toEqual([]);
        expect(tensorMismatches(wg.F.conv2d(x, w, undefined, {}), c.output)).toEqual([]);
        expect(tensorMismatches(wg.F.conv2d(x, w, null), c.output)).toEqual([]);
      });
    });

    it("frees every intermediate inside tidy (forward and backward)", () => {
      const c = cases[0];
      const before = wg.memory().liveTensors;
      wg.tidy(() => {
        const out = wg.F.conv2d(
          toTensor(c.input, true),
          toTensor(c.weight, true),
          toTensor(c.bias!),
        );
        out.backward(toTensor(c.upstream));
      });
      expect(wg.memory().liveTensors).toBe(before);
    });
  });

  describe("nn.Conv2d", () => {
    it.each(cases)("$name", (c) => {
      const layer = new wg.nn.Conv2d(c.inChannels, c.outChannels, c.kernelSize, {
        ...c.args,
        bias: c.hasBias,
      });
      const x = toTensor(c.input, true);
      try {
        expect(layer.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual(
          c.hasBias
            ? [
                ["weight", c.weight.shape],
                ["bias", [c.outChannels]],
              ]
            : [["weight", c.weight.shape]],
        );
        wg.tidy(() => {
          const sd: Record<string, wg.Tensor> = { weight: toTensor(c.weight) };
          if (c.bias !== undefined) sd.bias = toTensor(c.bias);
          layer.loadStateDict(sd);
        });
        wg.tidy(() => {
          const out = layer.forward(x);
          expect(tensorMismatches(out, c.output), "output").toEqual([]);
          out.backward(toTensor(c.upstream));
        });
        expect(tensorMismatches(x.grad, c.grads.input), "grad input").toEqual([]);
        expect(tensorMismatches(layer.weight.grad, c.grads.weight), "grad weight").toEqual([]);
        if (c.grads.bias !== undefined) {
          expect(tensorMismatches(layer.bias?.grad ?? null, c.grads.bias), "grad bias").toEqual([]);
        } else {
          expect(layer.bias).toBeNull();
        }
      } finally {
        x.dispose();
        layer.dispose();
      }
    });

    it('accepts paddingMode "zeros" (the default)', () => {
      const c = cases.find((k) => k.args.padding === 1 && k.hasBias);
      expect(c).toBeDefined();
      if (c === undefined) return;
      const layer = new wg.nn.Conv2d(c.inChannels, c.outChannels, c.kernelSize, {
        ...c.args,
        paddingMode: "zeros",
      });
      try {
        wg.tidy(() => {
          layer.loadStateDict({ weight: toTensor(c.weight), bias: toTensor(c.bias!) });
          expect(tensorMismatches(layer.forward(toTensor(c.input)), c.output)).toEqual([]);
        });
      } finally {
        layer.dispose();
      }
    });
  });
});

describe("nn.Conv2d construction and default init", () => {
  /** The stored bounds are 9-digit doubles; a float32 bound may differ in the last bit. */
  const slack = 1 + 1e-6;

  it.each(
    inits.map((e) => ({
      ...e,
      name: `Conv2d(${e.inChannels}, ${e.outChannels}, ${e.kernelSize}, groups ${e.groups})`,
    })),
  )("$name: shapes and U(-1/sqrt(fanIn), 1/sqrt(fanIn))", (e) => {
    expect(e.fanIn).toBe((e.inChannels / e.groups) * e.kernelSize * e.kernelSize);
    expect(e.weightBound).toBeCloseTo(1 / Math.sqrt(e.fanIn), 8);
    wg.manualSeed(3);
    const layer = new wg.nn.Conv2d(e.inChannels, e.outChannels, e.kernelSize, { groups: e.groups });
    try {
      expect(layer.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
        ["weight", e.weightShape],
        ["bias", e.biasShape],
      ]);
      expect(layer.weight.requiresGrad).toBe(true);
      for (const [label, t, bound] of [
        ["weight", layer.weight, e.weightBound],
        ["bias", layer.bias!, e.biasBound],
      ] as const) {
        const v = t.data();
        const maxAbs = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
        expect(maxAbs, `${label}: max |w| within the bound`).toBeLessThanOrEqual(bound * slack);
        if (v.length >= 1000) {
          // U(-b, b): mean 0 within 5 standard errors, std b/sqrt(3) within 5%, extremes near b.
          const mean = v.reduce((s, x) => s + x, 0) / v.length;
          const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
          const want = bound / Math.sqrt(3);
          expect(Math.abs(mean), `${label}: mean`).toBeLessThan((5 * want) / Math.sqrt(v.length));
          expect(Math.abs(std / want - 1), `${label}: std ${std} vs ${want}`).toBeLessThan(0.05);
          expect(maxAbs, `${label}: reaches the bound`).toBeGreaterThan(0.95 * bound);
        }
        if (v.length >= 16) {
          // Not a constant, and not a wrong (e.g. fanIn without groups, or 1/fanIn) bound.
          expect(maxAbs, `${label}: uses the bound's range`).toBeGreaterThan(0.5 * bound);
        }
      }
    } finally {
      layer.dispose();
    }
  });

  it("uses fanIn = inChannels/groups * kH * kW for non-square kernels and groups", () => {
    wg.manualSeed(11);
    // fanIn = 8/4 * 5 * 3 = 30; a bound computed without groups would be 1/sqrt(120).
    const layer = new wg.nn.Conv2d(8, 400, [5, 3], { groups: 4 });
    try {
      expect([...layer.weight.shape]).toEqual([400, 2, 5, 3]);
      const v = layer.weight.data();
      const bound = 1 / Math.sqrt(30);
      const maxAbs = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      expect(maxAbs).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(maxAbs).toBeGreaterThan(0.98 * bound);
    } finally {
      layer.dispose();
    }
  });

  it("has no bias with { bias: false }", () => {
    const layer = new wg.nn.Conv2d(3, 4, 3, { bias: false });
    try {
      expect(layer.bias).toBeNull();
      expect(layer.namedParameters().map(([n]) => n)).toEqual(["weight"]);
      expect(Object.keys(layer.stateDict())).toEqual(["weight"]);
    } finally {
      layer.dispose();
    }
  });

  it("is reproducible under manualSeed", () => {
    wg.manualSeed(42);
    const a = new wg.nn.Conv2d(3, 5, [3, 2]);
    wg.manualSeed(42);
    const b = new wg.nn.Conv2d(3, 5, [3, 2]);
    const c = new wg.nn.Conv2d(3, 5, [3, 2]);
    try {
      expect(b.weight.data()).toEqual(a.weight.data());
      expect(b.bias!.data()).toEqual(a.bias!.data());
      expect(c.weight.data()).not.toEqual(a.weight.data());
    } finally {
      for (const m of [a, b, c]) m.dispose();
    }
  });

  it("keeps its parameters alive through tidy", () => {
    const layer = wg.tidy(() => new wg.nn.Conv2d(2, 3, 3));
    try {
      expect(layer.weight.isDisposed).toBe(false);
      expect(layer.bias!.isDisposed).toBe(false);
      wg.tidy(() =>
        layer
          .forward(wg.ones([1, 2, 4, 4]))
          .sum()
          .backward(),
      );
      expect(layer.weight.grad).not.toBeNull();
      expect(layer.weight.grad!.isDisposed).toBe(false);
    } finally {
      layer.dispose();
    }
  });
});

describe("conv2d errors", () => {
  const x = (shape: number[]) => wg.zeros(shape);

  it("rejects a channel mismatch, naming the op and the shapes", () => {
    wg.tidy(() => {
      expectThrows(
        () => wg.F.conv2d(x([1, 3, 5, 5]), x([4, 2, 3, 3])),
        /conv2d/,
        /\[4,2,3,3\]|\[1,3,5,5\]/,
      );
      const layer = new wg.nn.Conv2d(2, 4, 3);
      try {
        expectThrows(() => layer.forward(x([1, 3, 5, 5])), /conv2d/i, /\[1,3,5,5\]|\[4,2,3,3\]/);
        expectThrows(() => layer.forward(x([3, 5, 5])), /conv2d/i, /\[3,5,5\]|\[4,2,3,3\]/);
      } finally {
        layer.dispose();
      }
    });
  });

  it("rejects a kernel larger than the padded input", () => {
    wg.tidy(() => {
      expectThrows(
        () => wg.F.conv2d(x([1, 1, 3, 3]), x([1, 1, 5, 5])),
        /conv2d/,
        /\[1,1,3,3\]|\[1,1,5,5\]|5/,
      );
      expectThrows(
        () => wg.F.conv2d(x([1, 1, 4, 4]), x([1, 1, 3, 3]), null, { dilation: 2 }),
        /conv2d/,
      );
      expectThrows(() => wg.F.conv2d(x([1, 1, 3, 8]), x([1, 1, 4, 2])), /conv2d/);
      // Exactly fitting once padded is fine: a 1x1 output.
      expect([
        ...wg.F.conv2d(x([1, 1, 3, 3]), x([1, 1, 5, 5]), null, { padding: 1 }).shape,
      ]).toEqual([1, 1, 1, 1]);
    });
  });

  it("rejects groups that do not divide the channels", () => {
    wg.tidy(() => {
      // 4 output channels are not divisible into 3 groups.
      expectThrows(
        () => wg.F.conv2d(x([1, 3, 5, 5]), x([4, 1, 3, 3]), null, { groups: 3 }),
        /groups/,
      );
      // 3 input channels cannot be split into 2 groups.
      expectThrows(
        () => wg.F.conv2d(x([1, 3, 5, 5]), x([4, 2, 3, 3]), null, { groups: 2 }),
        /conv2d/,
      );
      for (const groups of [0, -1, 1.5]) {
        expectThrows(
          () => wg.F.conv2d(x([1, 2, 5, 5]), x([2, 2, 3, 3]), null, { groups }),
          /groups/,
        );
      }
    });
    expectThrows(() => new wg.nn.Conv2d(3, 4, 3, { groups: 2 }), /groups/);
    expectThrows(() => new wg.nn.Conv2d(4, 3, 3, { groups: 2 }), /groups/);
  });

  it("rejects bad stride, padding and dilation values", () => {
    wg.tidy(() => {
      const a = x([1, 2, 6, 6]);
      const w = x([3, 2, 3, 3]);
      // Deliberately invalid options (checked at run time): cast past the types.
      const bad = (o: unknown) => o as wg.F.Conv2dOptions;
      for (const stride of [0, -1, 1.5, [1, 0], [1, 2, 3]]) {
        expectThrows(() => wg.F.conv2d(a, w, null, bad({ stride })), /conv2d/, /stride/);
      }
      for (const padding of [-1, 0.5, [1, -1], "full", [1, 2, 3]]) {
        expectThrows(() => wg.F.conv2d(a, w, null, bad({ padding })), /conv2d/, /padding/);
      }
      for (const dilation of [0, -2, [1, 0], 1.5]) {
        expectThrows(() => wg.F.conv2d(a, w, null, bad({ dilation })), /conv2d/, /dilation/);
      }
    });
    expectThrows(() => new wg.nn.Conv2d(2, 3, 3, { stride: 0 }), /stride/);
  });

  it('rejects padding "same" with a stride > 1', () => {
    wg.tidy(() => {
      expectThrows(
        () => wg.F.conv2d(x([1, 2, 6, 6]), x([3, 2, 3, 3]), null, { padding: "same", stride: 2 }),
        /conv2d/,
        /same/,
      );
      expectThrows(
        () =>
          wg.F.conv2d(x([1, 2, 6, 6]), x([3, 2, 3, 3]), null, { padding: "same", stride: [1, 2] }),
        /same/,
      );
    });
    expectThrows(() => new wg.nn.Conv2d(2, 3, 3, { padding: "same", stride: 2 }), /same/);
  });

  it("rejects 2-D and 5-D input and a weight that is not 4-D", () => {
    wg.tidy(() => {
      const w = x([3, 2, 3, 3]);
      expectThrows(() => wg.F.conv2d(x([1, 1, 2, 6, 6]), w), /conv2d/, /\[1,1,2,6,6\]/);
      expectThrows(() => wg.F.conv2d(x([6, 6]), w), /conv2d/, /\[6,6\]/);
      expectThrows(() => wg.F.conv2d(x([1, 2, 6, 6]), x([3, 2, 3])), /conv2d/, /\[3,2,3\]/);
      expectThrows(() => wg.F.conv2d(x([1, 2, 6, 6]), x([1, 3, 2, 3, 3])), /conv2d/);
      const layer = new wg.nn.Conv2d(2, 3, 3);
      try {
        expectThrows(() => layer.forward(x([1, 1, 2, 6, 6])), /conv2d/i, /\[1,1,2,6,6\]/);
      } finally {
        layer.dispose();
      }
    });
  });

  it("rejects a bias of the wrong shape", () => {
    wg.tidy(() => {
      expectThrows(() => wg.F.conv2d(x([1, 2, 5, 5]), x([4, 2, 3, 3]), x([3])), /conv2d/, /bias/);
      expectThrows(() => wg.F.conv2d(x([1, 2, 5, 5]), x([4, 2, 3, 3]), x([1, 4])), /bias/);
    });
  });

  it("rejects bad layer sizes", () => {
    for (const [cin, cout] of [
      [1.5, 3],
      [-1, 2],
      [2, 2.5],
    ]) {
      expectThrows(() => new wg.nn.Conv2d(cin, cout, 3), /Conv2d/);
    }
  });
});
