/**
 * F.scaledDotProductAttention's fused kernel against a plain float64 reference (scores, softmax,
 * weighted sum, and the three gradients), over awkward sizes (tile edges at 64 keys, row blocks
 * of 4, head dims not a multiple of 4), causal and with broadcast float masks; dropout
 * reproducibility and the forward/backward agreement of its mask; finite differences; errors.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type GradInput, gradcheck, rng } from "../helpers/fixtures.js";

function rand(n: number, seed: string, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

interface Ref {
  out: Float64Array;
  dq: Float64Array;
  dk: Float64Array;
  dv: Float64Array;
}

/** Reference over [bh, L, E] etc.; mask(b, i, j) additive. */
function reference(
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  dy: Float32Array,
  bh: number,
  L: number,
  S: number,
  E: number,
  Ev: number,
  scale: number,
  mask: (b: number, i: number, j: number) => number,
): Ref {
  const out = new Float64Array(bh * L * Ev);
  const dq = new Float64Array(bh * L * E);
  const dk = new Float64Array(bh * S * E);
  const dv = new Float64Array(bh * S * Ev);
  for (let b = 0; b < bh; b++) {
    for (let i = 0; i < L; i++) {
      const s = new Float64Array(S);
      let m = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < S; j++) {
        let dot = 0;
        for (let e = 0; e < E; e++) dot += q[(b * L + i) * E + e] * k[(b * S + j) * E + e];
        s[j] = dot * scale + mask(b, i, j);
        m = Math.max(m, s[j]);
      }
      let sum = 0;
      const p = s.map((x) => {
        const ex = Math.exp(x - m);
        sum += ex;
        return ex;
      });
      for (let j = 0; j < S; j++) p[j] /= sum;
      const o = (i2: number) => (b * L + i) * Ev + i2;
      for (let j = 0; j < S; j++)
        for (let e = 0; e < Ev; e++) out[o(e)] += p[j] * v[(b * S + j) * Ev + e];
      // Backward.
      const dp = new Float64Array(S);
      let d = 0;
      for (let e = 0; e < Ev; e++) d += dy[o(e)] * out[o(e)];
      for (let j = 0; j < S; j++) {
        for (let e = 0; e < Ev; e++) {
          dp[j] += dy[o(e)] * v[(b * S + j) * Ev + e];
          dv[(b * S + j) * Ev + e] += p[j] * dy[o(e)];
        }
      }
      for (let j = 0; j < S; j++) {
        const ds = p[j] * (dp[j] - d) * scale;
        for (let e = 0; e < E; e++) {
          dq[(b * L + i) * E + e] += ds * k[(b * S + j) * E + e];
          dk[(b * S + j) * E + e] += ds * q[(b * L + i) * E + e];
        }
      }
    }
  }
  return { out, dq, dk, dv };
}

function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number) {
  expect(got.length, name).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) {
      throw new Error(`${name}[${i}]: got ${got[i]}, want ${want[i]}`);
    }
  }
}

function run(
  shapes: { q: number[]; k: number[]; v: number[] },
  data: { q: Float32Array; k: Float32Array; v: Float32Array; dy: Float32Array },
  options: wg.F.SDPAOptions,
) {
  return wg.tidy(() => {
    const q = wg.tensor(data.q, { shape: shapes.q, requiresGrad: true });
    const k = wg.tensor(data.k, { shape: shapes.k, requiresGrad: true });
    const v = wg.tensor(data.v, { shape: shapes.v, requiresGrad: true });
    const out = wg.F.scaledDotProductAttention(q, k, v, options);
    out.backward(wg.tensor(data.dy, { shape: [...out.shape] }));
    const r = {
      shape: [...out.shape],
      out: out.data(),
      dq: q.grad!.data(),
      dk: k.grad!.data(),
      dv: v.grad!.data(),
    };
    for (const t of [q, k, v]) t.dispose();
    return r;
  });
}

describe("scaledDotProductAttention against a float64 reference", () => {
  const sizes: [number, number, number, number, number][] = [
    // [bh, L, S, E, Ev]
    [1, 1, 1, 1, 1],
    [2, 3, 5, 3, 7],
    [1, 5, 7, 4, 4],
    [3, 7, 3, 8, 5],
    [1, 17, 67, 17, 9],
    [2, 67, 17, 5, 16],
    [1, 9, 130, 32, 32],
    [1, 70, 70, 12, 8],
    // Head dims of the benchmark (32, 64) and past them, query blocks (16 forward, 32 backward)
    // and key tiles (64) cut anywhere.
    [2, 33, 65, 64, 65],
    [1, 19, 130, 65, 33],
    [1, 47, 47, 1, 2],
  ];
  for (const [bh, L, S, E, Ev] of sizes) {
    for (const causal of [false, true]) {
      it(`bh ${bh}, L ${L}, S ${S}, E ${E}, Ev ${Ev}${causal ? ", causal" : ""}`, () => {
        const tag = `${bh}.${L}.${S}.${E}.${Ev}`;
        const data = {
          q: rand(bh * L * E, `q${tag}`, -2, 2),
          k: rand(bh * S * E, `k${tag}`, -2, 2),
          v: rand(bh * S * Ev, `v${tag}`),
          dy: rand(bh * L * Ev, `dy${tag}`),
        };
        const scale = 1 / Math.sqrt(E);
        const ref = reference(
          data.q,
          data.k,
          data.v,
          data.dy,
          bh,
          L,
          S,
          E,
          Ev,
          scale,
          (_b, i, j) => (causal && j > i ? Number.NEGATIVE_INFINITY : 0),
        );
        const got = run({ q: [bh, L, E], k: [bh, S, E], v: [bh, S, Ev] }, data, {
          isCausal: causal,
        });
        expect(got.shape).toEqual([bh, L, Ev]);
        // Rows with no key left (causal with S = 0 never happens here) are all finite.
        close("out", got.out, ref.out, 2e-5);
        close("dq", got.dq, ref.dq, 2e-4);
        close("dk", got.dk, ref.dk, 2e-4);
        close("dv", got.dv, ref.dv, 2e-4);
      });
    }
  }

  it("a float mask broadcast over heads ([B, 1, L, S]) and over rows ([S])", () => {
    const [B, H, L, S, E] = [2, 3, 5, 70, 6];
    const data = {
      q: rand(B * H * L * E, "mq"),
      k: rand(B * H * S * E, "mk"),
      v: rand(B * H * S * E, "mv"),
      dy: rand(B * H * L * E, "mdy"),
    };
    const m4 = rand(B * L * S, "mask", -3, 1);
    // Some -inf entries, as a key padding mask would have.
    for (let i = 0; i < m4.length; i += 7) m4[i] = Number.NEGATIVE_INFINITY;
    const shapes = { q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, E] };
    const ref = reference(data.q, data.k, data.v, data.dy, B * H, L, S, E, E, 0.5, (bh, i, j) => {
      const b = Math.floor(bh / H);
      return m4[(b * L + i) * S + j];
    });
    const mask = wg.tensor(m4, { shape: [B, 1, L, S] });
    const got = run(shapes, data, { attnMask: mask, scale: 0.5 });
    close("out", got.out, ref.out, 2e-5);
    close("dq", got.dq, ref.dq, 2e-4);
    close("dk", got.dk, ref.dk, 2e-4);
    close("dv", got.dv, ref.dv, 2e-4);
    mask.dispose();
    const m1 = rand(S, "mask1", -2, 2);
    const ref1 = reference(
      data.q,
      data.k,
      data.v,
      data.dy,
      B * H,
      L,
      S,
      E,
      E,
      1 / Math.sqrt(E),
      (_b, _i, j) => m1[j],
    );
    const mask1 = wg.tensor(m1);
    const got1 = run(shapes, data, { attnMask: mask1 });
    close("out", got1.out, ref1.out, 2e-5);
    close("dk", got1.dk, ref1.dk, 2e-4);
    mask1.dispose();
  });

  it("a bool mask keeps the true positions and equals the matching float mask", () => {
    const q = wg.tensor(rand(2 * 5 * 4, "bq"), { shape: [2, 5, 4] });
    const keep = Array.from({ length: 5 * 6 }, (_, i) => i % 6 === 0 || (i * 7) % 3 !== 0);
    const bool = wg.tensor(keep.map(Number), { shape: [5, 6], dtype: "bool" });
    expect(bool.dtype).toBe("bool");
    const float = wg.tensor(
      keep.map((k) => (k ? 0 : Number.NEGATIVE_INFINITY)),
      { shape: [5, 6] },
    );
    const k = wg.tensor(rand(2 * 6 * 4, "bk"), { shape: [2, 6, 4] });
    const a = wg.F.scaledDotProductAttention(q, k, k, { attnMask: bool });
    const b = wg.F.scaledDotProductAttention(q, k, k, { attnMask: float });
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    for (const t of [q, k, bool, float, a, b]) t.dispose();
  });

  it("a bool mask read in place by the kernel: broadcast columns, a transposed view, wide rows, gradients", () => {
    // S = 70 crosses a key tile and the 4-wide edge; [L, 1] broadcasts along the keys (column
    // stride 0; its third row masks everything: NaN in both), [S] along the rows; a transposed
    // view is made contiguous first.
    const [L, S, E] = [9, 70, 5];
    const q = wg.tensor(rand(2 * L * E, "cq"), { shape: [2, L, E], requiresGrad: true });
    const k = wg.tensor(rand(2 * S * E, "ck"), { shape: [2, S, E], requiresGrad: true });
    const keep = Array.from({ length: L * S }, (_, i) => (i * 5) % 7 !== 0 || i % S === 3);
    const masks: [wg.Tensor, wg.Tensor][] = [
      [
        wg.tensor(keep.map(Number), { shape: [L, S], dtype: "bool" }),
        wg.tensor(
          keep.map((x) => (x ? 0 : Number.NEGATIVE_INFINITY)),
          { shape: [L, S] },
        ),
      ],
      [
        wg.tensor(keep.map(Number), { shape: [S, L], dtype: "bool" }).transpose(0, 1),
        wg
          .tensor(
            keep.map((x) => (x ? 0 : Number.NEGATIVE_INFINITY)),
            { shape: [S, L] },
          )
          .transpose(0, 1),
      ],
      [
        wg.tensor([1, 1, 0, 1, 1, 1, 1, 1, 1], { shape: [L, 1], dtype: "bool" }),
        wg.tensor([0, 0, -Infinity, 0, 0, 0, 0, 0, 0], { shape: [L, 1] }),
      ],
      [
        wg.tensor(keep.slice(0, S).map(Number), { shape: [S], dtype: "bool" }),
        wg.tensor(
          keep.slice(0, S).map((x) => (x ? 0 : Number.NEGATIVE_INFINITY)),
          { shape: [S] },
        ),
      ],
    ];
    for (const [bool, float] of masks) {
      const run = (m: wg.Tensor) => {
        const out = wg.F.scaledDotProductAttention(q, k, k, { attnMask: m });
        out
          .mul(wg.tensor(rand(2 * L * E, "cg"), { shape: [2, L, E] }))
          .sum()
          .backward();
        const r = [out, q.grad!, k.grad!].map((t) => Array.from(t.data()));
        q.grad = null;
        k.grad = null;
        return r;
      };
      expect(run(bool)).toEqual(run(float));
    }
  });

  it("a fully masked row gives NaN, as PyTorch's reference implementation", () => {
    const q = wg.ones([1, 2, 2]);
    const mask = wg.tensor([
      [0, 0],
      [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY],
    ]);
    const out = wg.F.scaledDotProductAttention(q, q, q, { attnMask: mask });
    const d = out.data();
    expect(Array.from(d.slice(0, 2))).toEqual([1, 1]);
    expect(Number.isNaN(d[2]) && Number.isNaN(d[3])).toBe(true);
    for (const t of [q, mask, out]) t.dispose();
  });
});

describe("NaN inputs", () => {
  const [L, S, E] = [80, 80, 5];
  const make = (qNaN: number, kNaN: number, isCausal: boolean) =>
    wg.tidy(() => {
      const qd = rand(L * E, "nanq");
      const kd = rand(S * E, "nank");
      if (qNaN >= 0) qd[qNaN * E + 2] = Number.NaN;
      if (kNaN >= 0) kd[kNaN * E + 1] = Number.NaN;
      const q = wg.tensor(qd, { shape: [1, L, E], requiresGrad: true });
      const k = wg.tensor(kd, { shape: [1, S, E] });
      const v = wg.tensor(rand(S * E, "nanv"), { shape: [1, S, E] });
      const out = wg.F.scaledDotProductAttention(q, k, v, { isCausal });
      out.sum().backward();
      const r = { out: out.data(), dq: q.grad!.data() };
      q.dispose();
      return r;
    });
  const nanRows = (x: Float32Array) =>
    Array.from({ length: L }, (_, i) => x.slice(i * E, (i + 1) * E).some(Number.isNaN));

  it("a NaN query makes its row NaN (every tile of it NaN), and no other row", () => {
    const { out, dq } = make(3, -1, false);
    const want = Array.from({ length: L }, (_, i) => i === 3);
    expect(nanRows(out)).toEqual(want);
    expect(nanRows(dq)).toEqual(want);
  });

  it("a NaN key in the second key tile reaches exactly the rows that attend to it", () => {
    const { out } = make(-1, 70, true);
    expect(nanRows(out)).toEqual(Array.from({ length: L }, (_, i) => i >= 70));
    const all = make(-1, 70, false).out;
    expect(nanRows(all)).toEqual(new Array(L).fill(true));
  });
});

describe("dropout", () => {
  it("is reproducible under manualSeed, drops about p, and backward matches forward's mask", () => {
    const [L, S, E] = [40, 50, 8];
    const q = wg.tensor(rand(L * E, "dq"), { shape: [1, L, E] });
    const k = wg.tensor(rand(S * E, "dk"), { shape: [1, S, E] });
    // v = identity-like rows reveal the kept weights: out[i][j] = p~_ij.
    const eye = new Float32Array(S * S);
    for (let j = 0; j < S; j++) eye[j * S + j] = 1;
    const v = wg.tensor(eye, { shape: [1, S, S], requiresGrad: true });
    wg.manualSeed(7);
    const a = wg.F.scaledDotProductAttention(q, k, v, { dropoutP: 0.3 });
    wg.manualSeed(7);
    const b = wg.F.scaledDotProductAttention(q, k, v, { dropoutP: 0.3 });
    const da = a.data();
    expect(Array.from(b.data())).toEqual(Array.from(da));
    const zeros = da.filter((x) => x === 0).length / da.length;
    expect(zeros).toBeGreaterThan(0.25);
    expect(zeros).toBeLessThan(0.35);
    // dv_j = sum_i p~_ij dy_i: with dy = e_0 rows, dv[j][0] = sum_i p~_ij, the column sums of out.
    const g = new Float32Array(L * S);
    for (let i = 0; i < L; i++) g[i * S] = 1;
    a.backward(wg.tensor(g, { shape: [1, L, S] }));
    const dv = v.grad!.data();
    for (let j = 0; j < S; j++) {
      let col = 0;
      for (let i = 0; i < L; i++) col += da[i * S + j];
      expect(dv[j * S]).toBeCloseTo(col, 4);
    }
    for (const t of [q, k, v, a, b]) t.dispose();
  });
});

describe("finite differences", () => {
  const u = (shape: number[], seed: string): GradInput => ({
    shape,
    data: rand(
      shape.reduce((x, y) => x * y, 1),
      seed,
    ),
  });
  const cases: [string, (...t: wg.Tensor[]) => wg.Tensor][] = [
    ["plain", (q, k, v) => wg.F.scaledDotProductAttention(q, k, v)],
    [
      "causal, scale",
      (q, k, v) => wg.F.scaledDotProductAttention(q, k, v, { isCausal: true, scale: 0.7 }),
    ],
    [
      "float mask",
      (q, k, v) =>
        wg.F.scaledDotProductAttention(q, k, v, {
          attnMask: wg.tensor([
            [0, -1, 0.5, 0, 0],
            [0, 0, 0, -2, 1],
            [0, 0.3, 0, 0, 0],
          ]),
        }),
    ],
  ];
  for (const [name, fn] of cases) {
    it(name, () => {
      const r = gradcheck(fn, [u([2, 3, 3], "gq"), u([2, 5, 3], "gk"), u([2, 5, 4], "gv")], {
        eps: 1e-2,
      });
      expect(r.missing).toEqual([]);
      expect(r.mismatches()).toEqual([]);
      expect(r.mismatches(1.1).length).toBeGreaterThan(0);
    });
  }
});

describe("errors", () => {
  it("names the op and the shapes", () => {
    const q = wg.zeros([2, 3, 4]);
    const k = wg.zeros([2, 5, 3]);
    const sdpa = wg.F.scaledDotProductAttention;
    expect(() => sdpa(q, k, k)).toThrow(
      /scaledDotProductAttention: shapes do not match: query \[2,3,4\], key \[2,5,3\]/,
    );
    expect(() => sdpa(q, q, q, { attnMask: wg.zeros([3, 2]) })).toThrow(
      /attnMask \[3,2\] does not broadcast to the attention scores \[2,3,3\]/,
    );
    expect(() => sdpa(q, q, q, { is_causal: true } as never)).toThrow(
      /unknown option "is_causal"; did you mean isCausal\?/,
    );
    expect(() => sdpa(q, q, q, { isCausal: true, attnMask: wg.zeros([3, 3]) })).toThrow(
      /either attnMask or isCausal/,
    );
    expect(() => sdpa(q, q, q, { dropoutP: 1 })).toThrow(/dropoutP must be in \[0, 1\)/);
    // PyTorch's positional order: attnMask, dropoutP, isCausal, scale.
    const a = sdpa(q, q, q, null, 0, true, 0.5);
    const b = sdpa(q, q, q, { isCausal: true, scale: 0.5 });
    expect(Array.from(a.data())).toEqual(Array.from(b.data()));
    for (const t of [q, k, a, b]) t.dispose();
  });
});
