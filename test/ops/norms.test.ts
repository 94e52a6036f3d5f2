/**
 * layerNorm, rmsNorm, groupNorm and gelu through their fused kernels, against plain float64
 * references (forward and all gradients) over awkward sizes, plus finite-difference checks
 * (each also rejects a 10% wrong gradient) and argument errors.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type GradInput, gradcheck, rng } from "../helpers/fixtures.js";

function rand(n: number, seed: string, lo = -2, hi = 2): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol * (1 + Math.abs(want[i])))) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

/** Reference row norm: rows of n, weight index k(row, j); returns y and dx, dw, db for dy. */
function refNorm(
  x: Float32Array,
  dy: Float32Array,
  w: Float32Array | null,
  b: Float32Array | null,
  rows: number,
  n: number,
  k: (r: number, j: number) => number,
  eps: number,
  center: boolean,
  nw: number,
) {
  const y = new Float64Array(x.length);
  const dx = new Float64Array(x.length);
  const dw = new Float64Array(nw);
  const db = new Float64Array(nw);
  for (let r = 0; r < rows; r++) {
    let mean = 0;
    if (center) {
      for (let j = 0; j < n; j++) mean += x[r * n + j];
      mean /= n;
    }
    let v = 0;
    for (let j = 0; j < n; j++) v += (x[r * n + j] - mean) ** 2;
    const rstd = 1 / Math.sqrt(v / n + eps);
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      const xh = (x[i] - mean) * rstd;
      const wk = w ? w[k(r, j)] : 1;
      y[i] = xh * wk + (b ? b[k(r, j)] : 0);
      const g = dy[i] * wk;
      sg += g;
      sgx += g * xh;
      dw[k(r, j)] += dy[i] * xh;
      db[k(r, j)] += dy[i];
    }
    for (let j = 0; j < n; j++) {
      const i = r * n + j;
      const xh = (x[i] - mean) * rstd;
      const g = dy[i] * (w ? w[k(r, j)] : 1);
      dx[i] = rstd * (g - (center ? sg / n : 0) - (xh * sgx) / n);
    }
  }
  return { y, dx, dw, db };
}

function runOp(
  fn: (x: wg.Tensor, w: wg.Tensor | null, b: wg.Tensor | null) => wg.Tensor,
  shape: number[],
  x: Float32Array,
  dy: Float32Array,
  w: Float32Array | null,
  b: Float32Array | null,
  wShape: number[],
) {
  return wg.tidy(() => {
    const xt = wg.tensor(x, { shape, requiresGrad: true });
    const wt = w ? wg.tensor(w, { shape: wShape, requiresGrad: true }) : null;
    const bt = b ? wg.tensor(b, { shape: wShape, requiresGrad: true }) : null;
    const y = fn(xt, wt, bt);
    y.backward(wg.tensor(dy, { shape }));
    const out = {
      y: y.data(),
      dx: xt.grad!.data(),
      dw: wt?.grad?.data() ?? null,
      db: bt?.grad?.data() ?? null,
    };
    for (const t of [xt, wt, bt]) t?.dispose();
    return out;
  });
}

describe("layerNorm and rmsNorm against a float64 reference", () => {
  for (const rows of [1, 3, 5]) {
    for (const n of [1, 3, 4, 5, 7, 17, 67]) {
      for (const affine of [true, false]) {
        it(`rows ${rows}, n ${n}, affine ${affine}`, () => {
          const x = rand(rows * n, `x${rows}.${n}`, -3, 5);
          const dy = rand(rows * n, `dy${rows}.${n}`);
          const w = affine ? rand(n, `w${n}`, 0.5, 1.5) : null;
          const b = affine ? rand(n, `b${n}`) : null;
          const shape = [rows, n];
          const ref = refNorm(x, dy, w, b, rows, n, (_r, j) => j, 1e-5, true, n);
          const got = runOp((t, wt, bt) => wg.F.layerNorm(t, [n], wt, bt), shape, x, dy, w, b, [n]);
          close(got.y, ref.y, 2e-5);
          close(got.dx, ref.dx, 5e-4);
          if (affine) {
            close(got.dw!, ref.dw, 1e-4);
            close(got.db!, ref.db, 1e-4);
          }
          const rr = refNorm(x, dy, w, null, rows, n, (_r, j) => j, 1e-6, false, n);
          const gr = runOp((t, wt) => wg.F.rmsNorm(t, n, wt, 1e-6), shape, x, dy, w, null, [n]);
          close(gr.y, rr.y, 2e-5);
          close(gr.dx, rr.dx, 5e-4);
          if (affine) close(gr.dw!, rr.dw, 1e-4);
        });
      }
    }
  }

  it("normalizedShape over two dims; empty inputs", () => {
    const x = rand(2 * 3 * 5, "2d");
    const dy = rand(30, "2dy");
    const ref = refNorm(x, dy, null, null, 2, 15, (_r, j) => j, 1e-5, true, 15);
    const got = runOp((t) => wg.F.layerNorm(t, [3, 5]), [2, 3, 5], x, dy, null, null, []);
    close(got.y, ref.y, 2e-5);
    close(got.dx, ref.dx, 5e-4);
    const e = wg.F.layerNorm(wg.zeros([0, 4]), [4], { weight: wg.ones([4]) });
    expect(e.shape).toEqual([0, 4]);
    e.dispose();
  });
});

describe("groupNorm against a float64 reference", () => {
  for (const [n, c, g, s] of [
    [1, 4, 2, 1],
    [2, 6, 3, 5],
    [3, 4, 1, 7],
    [2, 8, 4, 17],
    [1, 3, 3, 3],
  ]) {
    it(`N ${n} C ${c} G ${g} S ${s}`, () => {
      const size = n * c * s;
      const x = rand(size, `gx${c}${s}`, -1, 4);
      const dy = rand(size, `gdy${c}${s}`);
      const w = rand(c, `gw${c}`, 0.5, 1.5);
      const b = rand(c, `gb${c}`);
      const cpg = c / g;
      const ref = refNorm(
        x,
        dy,
        w,
        b,
        n * g,
        cpg * s,
        (r, j) => (r % g) * cpg + Math.floor(j / s),
        1e-5,
        true,
        c,
      );
      const shape = s === 1 ? [n, c] : [n, c, s];
      const got = runOp((t, wt, bt) => wg.F.groupNorm(t, g, wt, bt), shape, x, dy, w, b, [c]);
      close(got.y, ref.y, 2e-5);
      close(got.dx, ref.dx, 5e-4);
      close(got.dw!, ref.dw, 1e-4);
      close(got.db!, ref.db, 1e-4);
    });
  }
});

/** 1 + erf(z) in float64: a Taylor series for |z| < 2, else erfc's continued fraction. */
function onePlusErf(z: number): number {
  if (Math.abs(z) < 2) {
    let sum = z;
    let term = z;
    for (let k = 1; k < 60; k++) {
      term *= (-z * z) / k;
      sum += term / (2 * k + 1);
    }
    return 1 + (2 / Math.sqrt(Math.PI)) * sum;
  }
  const a = Math.abs(z);
  // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + ...)))), evaluated backwards.
  let f = a;
  for (let k = 60; k >= 1; k--) f = a + k / 2 / f;
  const erfc = Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
  return z < 0 ? erfc : 2 - erfc;
}

describe("gelu against a float64 reference", () => {
  const xs = Float32Array.from({ length: 257 }, (_, i) => -9 + (18 * i) / 256);
  const ref = (x: number, tanh: boolean) => {
    if (tanh) {
      const u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
      const t = Math.tanh(u);
      const du = Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * x * x);
      return [0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du];
    }
    const cdf = 0.5 * onePlusErf(x / Math.SQRT2);
    return [x * cdf, cdf + (x * Math.exp((-x * x) / 2)) / Math.sqrt(2 * Math.PI)];
  };
  for (const approximate of ["none", "tanh"] as const) {
    for (const n of [0, 1, 3, 5, 7, 17, 67, 257]) {
      it(`${approximate}, n ${n}`, () => {
        const x = xs.slice(0, n).map((v, i) => (i % 2 ? v : -v / 3));
        const dy = rand(n, `gelu${n}`);
        const got = runOp((t) => wg.F.gelu(t, { approximate }), [n], x, dy, null, null, []);
        for (let i = 0; i < n; i++) {
          const [y, d] = ref(x[i], approximate === "tanh");
          expect(Math.abs(got.y[i] - y)).toBeLessThanOrEqual(
            3e-7 * Math.max(1, Math.abs(y)) + 1e-7 * Math.abs(y) * 4,
          );
          expect(Math.abs(got.dx[i] - dy[i] * d)).toBeLessThanOrEqual(
            2e-6 * Math.max(1, Math.abs(dy[i] * d)),
          );
        }
      });
    }
  }

  it("keeps relative accuracy in the far negative tail (exact)", () => {
    const y = wg.F.gelu(wg.tensor([-5, -7]));
    const got = y.data();
    for (const [i, x] of [-5, -7].entries()) {
      const want = x * 0.5 * onePlusErf(x / Math.SQRT2);
      expect(Math.abs(got[i] - want) / Math.abs(want)).toBeLessThan(1e-5);
    }
    y.dispose();
  });
});

describe("finite-difference gradients", () => {
  const u = (shape: number[], seed: string, lo = -1, hi = 1): GradInput => ({
    shape,
    data: rand(
      shape.reduce((a, b) => a * b, 1),
      seed,
      lo,
      hi,
    ),
  });
  const cases: [string, (...t: wg.Tensor[]) => wg.Tensor, GradInput[]][] = [
    [
      "layerNorm x, w, b",
      (x, w, b) => wg.F.layerNorm(x, [5], w, b),
      [u([3, 5], "a"), u([5], "b", 0.5, 1.5), u([5], "c")],
    ],
    [
      "rmsNorm x, w",
      (x, w) => wg.F.rmsNorm(x, [2, 3], { weight: w, eps: 1e-5 }),
      [u([2, 2, 3], "d"), u([2, 3], "e", 0.5, 1.5)],
    ],
    [
      "groupNorm x, w, b",
      (x, w, b) => wg.F.groupNorm(x, 2, w, b),
      [u([2, 4, 3], "f"), u([4], "g", 0.5, 1.5), u([4], "h")],
    ],
    ["gelu exact", (x) => wg.F.gelu(x), [u([7], "i", -3, 3)]],
    ["gelu tanh", (x) => wg.F.gelu(x, "tanh"), [u([7], "j", -3, 3)]],
  ];
  for (const [name, fn, inputs] of cases) {
    it(name, () => {
      const r = gradcheck(fn, inputs, { eps: 1e-2 });
      expect(r.missing).toEqual([]);
      expect(r.mismatches()).toEqual([]);
      expect(r.mismatches(1.1).length).toBeGreaterThan(0);
    });
  }
});

describe("layers and errors", () => {
  it("LayerNorm/GroupNorm/RMSNorm/GELU: parameters, options, repr", () => {
    const { nn } = wg;
    const ln = new nn.LayerNorm(4);
    expect(ln.namedParameters().map(([n]) => n)).toEqual(["weight", "bias"]);
    expect(String(ln)).toBe("LayerNorm((4,), eps=1e-05, elementwise_affine=True)");
    expect(new nn.LayerNorm([2, 3], 1e-6, true, false).bias).toBeNull();
    expect(String(new nn.LayerNorm([2, 3], { eps: 1e-6, elementwiseAffine: false }))).toBe(
      "LayerNorm((2, 3), eps=1e-06, elementwise_affine=False)",
    );
    expect(String(new nn.GroupNorm(2, 4))).toBe("GroupNorm(2, 4, eps=1e-05, affine=True)");
    expect(String(new nn.RMSNorm(8))).toBe("RMSNorm((8,), eps=None, elementwise_affine=True)");
    expect(String(new nn.GELU())).toBe("GELU(approximate='none')");
    expect(String(new nn.GELU("tanh"))).toBe("GELU(approximate='tanh')");
    expect(() => new nn.LayerNorm(4, { elementwise_affine: false } as never)).toThrow(
      /LayerNorm: unknown option "elementwise_affine"; did you mean elementwiseAffine\?/,
    );
    expect(() => new nn.LayerNorm(4, 1e-5, { eps: 1e-3 })).toThrow(
      /eps was given both as positional argument 1 and as an option/,
    );
    expect(() => new nn.GroupNorm(3, 4)).toThrow(
      /numChannels \(4\) must be divisible by numGroups \(3\)/,
    );
    expect(() => new nn.GELU("fast" as never)).toThrow(/approximate must be "none" or "tanh"/);
    const x = wg.zeros([2, 5]);
    expect(() => ln.forward(x)).toThrow(
      /layerNorm: input \[2,5\] does not end with normalizedShape \[4\]/,
    );
    expect(() => wg.F.layerNorm(x, [5], wg.zeros([4]))).toThrow(
      /layerNorm: weight has shape \[4\] but expected \[5\]/,
    );
    x.dispose();
  });
});
