/**
 * The activation kernels against a float64 scalar reference over awkward sizes (SIMD tails),
 * with large, tiny and non-finite values; and the strictness of the activation constructors and
 * F functions (positional arguments in PyTorch's order, options, snake_case suggestions).
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { awkwardSizes, expectClose, randomArray } from "../helpers/backend.js";

const sig = (x: number): number => 1 / (1 + Math.exp(-x));
const sp = (z: number): number => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));

interface Ref {
  name: string;
  f: (x: wg.Tensor) => wg.Tensor;
  y: (x: number) => number;
  dy: (x: number) => number;
}

const refs: Ref[] = [
  {
    name: "silu",
    f: (x) => wg.F.silu(x),
    y: (x) => x * sig(x),
    dy: (x) => sig(x) * (1 + x * (1 - sig(x))),
  },
  {
    name: "leakyRelu",
    f: (x) => wg.F.leakyRelu(x, 0.3),
    y: (x) => (x > 0 ? x : 0.3 * x),
    dy: (x) => (x > 0 ? 1 : 0.3),
  },
  {
    name: "elu",
    f: (x) => wg.F.elu(x, 0.7),
    y: (x) => (x > 0 ? x : 0.7 * Math.expm1(x)),
    dy: (x) => (x > 0 ? 1 : 0.7 * Math.exp(x)),
  },
  {
    name: "softplus",
    f: (x) => wg.F.softplus(x, 1.5, 10),
    y: (x) => (1.5 * x > 10 ? x : sp(1.5 * x) / 1.5),
    dy: (x) => (1.5 * x > 10 ? 1 : sig(1.5 * x)),
  },
  {
    name: "mish",
    f: (x) => wg.F.mish(x),
    y: (x) => x * Math.tanh(sp(x)),
    dy: (x) => Math.tanh(sp(x)) + x * sig(x) * (1 - Math.tanh(sp(x)) ** 2),
  },
  {
    name: "hardtanh",
    f: (x) => wg.F.hardtanh(x, -2, 3),
    y: (x) => Math.min(Math.max(x, -2), 3),
    dy: (x) => (x > -2 && x < 3 ? 1 : 0),
  },
  {
    name: "relu6",
    f: (x) => wg.F.relu6(x),
    y: (x) => Math.min(Math.max(x, 0), 6),
    dy: (x) => (x > 0 && x < 6 ? 1 : 0),
  },
];

describe("activation kernels vs a scalar reference", () => {
  for (const r of refs) {
    it(`${r.name} over sizes ${awkwardSizes.join(",")}`, () => {
      for (const n of awkwardSizes) {
        const data = randomArray(n, n + 7, -12, 12);
        // Exact kink points, big and tiny values where the SIMD lanes and tail both see them.
        const specials = [0, -0, 3, -2, 6, 40, -40, 1e-6, -1e-6, 100, -100];
        for (let i = 0; i < Math.min(n, specials.length); i++) data[(i * 5) % n] = specials[i];
        wg.tidy(() => {
          const x = wg.tensor(data, { shape: [n], requiresGrad: true });
          const g = randomArray(n, n + 11, 0.5, 1.5);
          const y = r.f(x);
          y.backward(wg.tensor(g, { shape: [n] }));
          expectClose(y.data(), Array.from(data, r.y), 2e-6);
          expectClose(
            (x.grad as wg.Tensor).data(),
            Array.from(data, (v, i) => g[i] * r.dy(v)),
            2e-6,
          );
        });
      }
    });
  }

  it("softplus keeps tiny values and does not overflow", () => {
    const y = wg.F.softplus(wg.tensor([-30, -90, 88, 200], { shape: [4] }), 1, 1000).data();
    expect(y[0] / Math.exp(-30)).toBeCloseTo(1, 5);
    expect(y[1]).toBeGreaterThanOrEqual(0);
    expect(y[2]).toBeCloseTo(88, 4);
    expect(y[3]).toBe(200);
  });

  it("NaN flows through every activation", () => {
    for (const r of refs) {
      expect(Number.isNaN(r.f(wg.tensor([Number.NaN])).item()), r.name).toBe(true);
    }
  });
});

describe("activation constructors and F arguments", () => {
  const nn = wg.nn;
  it("take PyTorch's positional order or options", () => {
    expect(new nn.LeakyReLU(0.2, true).negativeSlope).toBe(0.2);
    expect(new nn.LeakyReLU(0.2, true).inplace).toBe(true);
    expect(new nn.LeakyReLU({ negativeSlope: 0.3 }).negativeSlope).toBe(0.3);
    expect(new nn.LeakyReLU().negativeSlope).toBe(0.01);
    expect(new nn.ELU(0.5).alpha).toBe(0.5);
    expect(new nn.Softplus(2, 5).threshold).toBe(5);
    const h = new nn.Hardtanh(-2, 2, { inplace: true });
    expect([h.minVal, h.maxVal, h.inplace]).toEqual([-2, 2, true]);
    expect(new nn.ReLU6(true).inplace).toBe(true);
    expect(new nn.SiLU({ inplace: true }).inplace).toBe(true);
    expect(new nn.LogSoftmax(1).dim).toBe(1);
    expect(new nn.Identity(3, { anything: 1 }).forward(wg.ones(2)).data()).toEqual(
      new Float32Array([1, 1]),
    );
    expect(new nn.LeakyReLU(0.2).constructor.name).toBe("LeakyReLU");
  });

  it("LogSoftmax without a dim uses PyTorch's implicit dim", () => {
    const x = wg.tensor([
      [1, 2, 3],
      [0, 0, 5],
    ]);
    expect(new nn.LogSoftmax().forward(x).data()).toEqual(wg.F.logSoftmax(x, 1).data());
    const v = wg.tensor([1, 2, 3]);
    expect(new nn.LogSoftmax().forward(v).data()).toEqual(wg.F.logSoftmax(v, 0).data());
  });

  it("reject unknown, snake_case, doubled and mistyped arguments", () => {
    const ctor = nn.LeakyReLU as unknown as new (...a: unknown[]) => unknown;
    expect(() => new ctor({ negative_slope: 0.2 })).toThrow(
      /LeakyReLU: unknown option "negative_slope"; did you mean negativeSlope\?/,
    );
    expect(() => new ctor(0.2, true, 3)).toThrow(/LeakyReLU: too many arguments/);
    expect(() => new ctor(0.2, { negativeSlope: 0.1 })).toThrow(
      /LeakyReLU: negativeSlope was given both/,
    );
    expect(() => new ctor("0.2")).toThrow(
      /LeakyReLU: negativeSlope must be a number but got "0.2"/,
    );
    expect(() => new ctor(0.2, "yes")).toThrow(/LeakyReLU: inplace must be true or false/);
    const ht = nn.Hardtanh as unknown as new (...a: unknown[]) => unknown;
    expect(() => new ht(2, -2)).toThrow(/Hardtanh: minVal \(2\) must be <= maxVal \(-2\)/);
    expect(() => new ht({ min_val: 0 })).toThrow(/did you mean minVal\?/);
    const spc = nn.Softplus as unknown as new (...a: unknown[]) => unknown;
    expect(() => new spc(0)).toThrow(/Softplus: beta must be a finite number > 0 but got 0/);
    const elu = nn.ELU as unknown as new (...a: unknown[]) => unknown;
    expect(() => new elu({ alhpa: 1 })).toThrow(
      /ELU: unknown option "alhpa" \(known: alpha, inplace\)/,
    );
    expect(() => new (nn.SiLU as unknown as new (...a: unknown[]) => unknown)(1)).toThrow(
      /SiLU: inplace must be true or false but got 1/,
    );
    const ls = nn.LogSoftmax as unknown as new (...a: unknown[]) => unknown;
    expect(() => new ls(1.5)).toThrow(/LogSoftmax: dim must be an integer/);
  });

  it("F functions check their arguments", () => {
    const x = wg.ones(3);
    const F = wg.F as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => F.leakyRelu([1, 2])).toThrow(
      /leakyRelu: expected input to be a Tensor but got \[1, 2\]/,
    );
    expect(() => F.leakyRelu(x, { negative_slope: 1 })).toThrow(/did you mean negativeSlope\?/);
    expect(() => F.softplus(x, 1, 20, 3)).toThrow(/softplus: too many arguments/);
    expect(() => F.hardtanh(x, 1, 0)).toThrow(/hardtanh: minVal \(1\) must be <= maxVal \(0\)/);
    expect(() => F.silu(x, "no")).toThrow(/silu: inplace must be true or false/);
    expect(() => F.mish(x, true, true)).toThrow(/mish: too many arguments/);
  });

  it("inplace writes into the input and returns it (see inplace-activations.test.ts)", () => {
    const x = wg.tensor([-1, 2]);
    const y = wg.F.leakyRelu(x, 0.5, true);
    expect(y).toBe(x);
    expect(Array.from(x.data())).toEqual([-0.5, 2]);
  });
});
