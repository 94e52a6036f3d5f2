/**
 * `inplace` on the activations and dropouts, with PyTorch's semantics: the result is written into
 * the input, which is returned; the version counter is bumped (so a backward that saved the old
 * values refuses to run); a leaf that requires grad is refused while grad mode is on; and through
 * a non-leaf the gradients equal the out-of-place op's.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const { F, nn } = wg;
/** f() right after manualSeed(seed). */
function seeded(seed: number, f: () => wg.Tensor): wg.Tensor {
  wg.manualSeed(seed);
  return f();
}

const values = [-2.5, -1, -0.25, 0, 0.5, 1.5, 3, 7];

interface Case {
  name: string;
  out: (x: wg.Tensor) => wg.Tensor;
  inp: (x: wg.Tensor) => wg.Tensor;
  shape?: number[];
}

const cases: Case[] = [
  { name: "F.silu", out: (x) => F.silu(x), inp: (x) => F.silu(x, true) },
  { name: "F.mish", out: (x) => F.mish(x), inp: (x) => F.mish(x, { inplace: true }) },
  { name: "F.leakyRelu", out: (x) => F.leakyRelu(x, 0.2), inp: (x) => F.leakyRelu(x, 0.2, true) },
  { name: "F.elu", out: (x) => F.elu(x, 0.7), inp: (x) => F.elu(x, 0.7, true) },
  {
    name: "F.hardtanh",
    out: (x) => F.hardtanh(x, -1, 2),
    inp: (x) => F.hardtanh(x, -1, 2, true),
  },
  { name: "F.relu6", out: (x) => F.relu6(x), inp: (x) => F.relu6(x, true) },
  {
    name: "nn.ReLU",
    out: (x) => new nn.ReLU().forward(x),
    inp: (x) => new nn.ReLU(true).forward(x),
  },
  {
    name: "nn.LeakyReLU",
    out: (x) => new nn.LeakyReLU(0.1).forward(x),
    inp: (x) => new nn.LeakyReLU(0.1, true).forward(x),
  },
  {
    name: "nn.ELU",
    out: (x) => new nn.ELU().forward(x),
    inp: (x) => new nn.ELU({ inplace: true }).forward(x),
  },
  {
    name: "nn.Hardtanh",
    out: (x) => new nn.Hardtanh().forward(x),
    inp: (x) => new nn.Hardtanh(-1, 1, true).forward(x),
  },
  {
    name: "nn.ReLU6",
    out: (x) => new nn.ReLU6().forward(x),
    inp: (x) => new nn.ReLU6(true).forward(x),
  },
  {
    name: "nn.SiLU",
    out: (x) => new nn.SiLU().forward(x),
    inp: (x) => new nn.SiLU(true).forward(x),
  },
  {
    name: "nn.Mish",
    out: (x) => new nn.Mish().forward(x),
    inp: (x) => new nn.Mish(true).forward(x),
  },
  // Dropout: the same seed gives the same mask in and out of place.
  {
    name: "F.dropout",
    out: (x) => seeded(3, () => F.dropout(x, 0.4)),
    inp: (x) => seeded(3, () => F.dropout(x, 0.4, true, true)),
  },
  {
    name: "nn.Dropout",
    out: (x) => seeded(4, () => new nn.Dropout(0.3).forward(x)),
    inp: (x) => seeded(4, () => new nn.Dropout(0.3, true).forward(x)),
  },
  {
    name: "F.dropout1d",
    shape: [2, 2, 2],
    out: (x) => seeded(5, () => F.dropout1d(x, 0.5)),
    inp: (x) => seeded(5, () => F.dropout1d(x, 0.5, true, true)),
  },
  {
    name: "nn.Dropout2d",
    shape: [2, 1, 2, 2],
    out: (x) => seeded(6, () => new nn.Dropout2d(0.5).forward(x)),
    inp: (x) => seeded(6, () => new nn.Dropout2d(0.5, true).forward(x)),
  },
];

describe("inplace activations and dropouts", () => {
  for (const c of cases) {
    it(`${c.name}: writes into the input, returns it, bumps its version`, () =>
      wg.tidy(() => {
        const shape = c.shape ?? [values.length];
        const expected = Array.from(c.out(wg.tensor(values, { shape })).data());
        const x = wg.tensor(values, { shape });
        const before = x._version;
        const y = c.inp(x);
        expect(y).toBe(x);
        expect(x._version).toBeGreaterThan(before);
        expect(Array.from(x.data())).toEqual(expected);
      }));

    it(`${c.name}: through a non-leaf, the same gradients as out of place`, () =>
      wg.tidy(() => {
        const shape = c.shape ?? [values.length];
        const w = wg.tensor([0.3, -1.2, 0.8, 1.1, -0.4, 2, 0.6, -0.9], { shape });
        const grad = (f: (x: wg.Tensor) => wg.Tensor) => {
          const a = wg.tensor(values, { shape, requiresGrad: true });
          const h = a.mul(1.5); // a non-leaf
          f(h).mul(w).sum().backward();
          return Array.from(a.grad!.data());
        };
        const want = grad(c.out);
        const got = grad(c.inp);
        for (const [i, g] of got.entries()) expect(g).toBeCloseTo(want[i], 6);
      }));
  }

  it("a leaf that requires grad is refused while grad mode is on, accepted under noGrad", () => {
    const x = wg.tensor(values, { requiresGrad: true });
    expect(() => F.leakyRelu(x, 0.2, true)).toThrow(
      /leakyRelu: a leaf tensor that requires grad .* is being used in an in-place operation/,
    );
    expect(() => new nn.ReLU(true).forward(x)).toThrow(/relu_: a leaf tensor that requires grad/);
    expect(() => F.dropout(x, 0.5, true, true)).toThrow(/dropout: a leaf tensor/);
    expect(Array.from(x.data())).toEqual(values);
    wg.noGrad(() => F.elu(x, 1, true));
    expect(x.data()[0]).toBeCloseTo(Math.expm1(-2.5), 6);
    x.dispose();
  });

  it("a backward that saved the overwritten values refuses to run (version counter)", () => {
    wg.tidy(() => {
      const a = wg.tensor(values, { requiresGrad: true });
      const w = wg.tensor(values, { requiresGrad: true });
      const h = a.mul(2);
      const y = h.mul(w); // saves h
      F.hardtanh(h, -1, 1, true);
      expect(() => y.sum().backward()).toThrow(/modified by an inplace operation/);
    });
  });

  it("repr shows inplace=True", () => {
    expect(String(new nn.ReLU(true))).toBe("ReLU(inplace=True)");
    expect(String(new nn.ReLU())).toBe("ReLU()");
    expect(String(new nn.Dropout(0.2, true))).toBe("Dropout(p=0.2, inplace=True)");
  });

  it("eval-mode dropout and p = 0 return the input untouched", () => {
    const x = wg.tensor(values);
    const d = new nn.Dropout(0.5, true);
    d.eval();
    expect(d.forward(x)).toBe(x);
    expect(F.dropout(x, 0, true, true)).toBe(x);
    expect(Array.from(x.data())).toEqual(values);
    x.dispose();
  });
});
