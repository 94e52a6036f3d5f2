/**
 * The fused recurrent step kernels (RNN, LSTM, GRU, forward and backward) and the embedding
 * kernels against float64 loops over awkward hidden sizes, on both builds; and the Float32Array
 * step functions of wg.kernels against the nn cells.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  backendFor,
  expectClose,
  get,
  put,
  putI32,
  randomArray,
  scratch,
  variants,
} from "../helpers/backend.js";

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** The step kernels are checked to 2e-6 (relative to 1 + |want|). */
const expectClose6 = (got: Float32Array, want: ArrayLike<number>, tol = 2e-6) =>
  expectClose(got, want, tol);

const shapes: [number, number][] = [
  [1, 1],
  [2, 3],
  [3, 4],
  [2, 5],
  [1, 7],
  [3, 17],
];

describe.each(variants)("recurrent step kernels (%s build)", (variant) => {
  const b = backendFor(variant);
  const k = b.kernels;
  for (const [n, hs] of shapes) {
    for (const withPrev of [true, false]) {
      const label = `n ${n}, hidden ${hs}${withPrev ? "" : ", zero initial state"}`;
      it(`RNN tanh and relu, ${label}`, () => {
        const pre = randomArray(n * hs, 1, -3, 3);
        const dh = randomArray(n * hs, 2);
        for (const relu of [0, 1]) {
          const want = Array.from(pre, (v) => (relu ? Math.max(v, 0) : Math.tanh(v)));
          const pp = put(b, pre);
          const h = scratch(b, n * hs);
          k.rnn_cell_f32(h, pp, n * hs, relu);
          expectClose6(get(b, h, n * hs), want);
          const hv = get(b, h, n * hs);
          const dp = scratch(b, n * hs);
          const dhp = put(b, dh);
          k.rnn_cell_bwd_f32(dp, dhp, h, n * hs, relu);
          expectClose6(
            get(b, dp, n * hs),
            Array.from(dh, (g, i) => (relu ? (hv[i] > 0 ? g : 0) : g * (1 - hv[i] * hv[i]))),
          );
          for (const p of [pp, h, dp, dhp]) k.free(p);
        }
      });

      it(`LSTM, ${label}`, () => {
        const gates = randomArray(n * 4 * hs, 3, -3, 3);
        const cPrev = randomArray(n * hs, 4);
        const dh = randomArray(n * hs, 5);
        const dc = randomArray(n * hs, 6);
        const wantH: number[] = [];
        const wantC: number[] = [];
        const wantDg = new Array<number>(n * 4 * hs);
        const wantDc: number[] = [];
        for (let r = 0; r < n; r++)
          for (let j = 0; j < hs; j++) {
            const at = (q: number) => gates[r * 4 * hs + q * hs + j];
            const [i, f, g, o] = [sig(at(0)), sig(at(1)), Math.tanh(at(2)), sig(at(3))];
            const cp = withPrev ? cPrev[r * hs + j] : 0;
            const c = f * cp + i * g;
            wantC.push(c);
            wantH.push(o * Math.tanh(c));
            const gh = dh[r * hs + j];
            const gc = dc[r * hs + j] + gh * o * (1 - Math.tanh(c) ** 2);
            const d = (q: number, v: number) => {
              wantDg[r * 4 * hs + q * hs + j] = v;
            };
            d(0, gc * g * i * (1 - i));
            d(1, gc * cp * f * (1 - f));
            d(2, gc * i * (1 - g * g));
            d(3, gh * Math.tanh(c) * o * (1 - o));
            wantDc.push(gc * f);
          }
        const gp = put(b, gates);
        const cpp = withPrev ? put(b, cPrev) : 0;
        const h = scratch(b, n * hs);
        const c = scratch(b, n * hs);
        const act = scratch(b, n * 4 * hs);
        k.lstm_cell_f32(h, c, act, gp, cpp, n, hs);
        expectClose6(get(b, h, n * hs), wantH);
        expectClose6(get(b, c, n * hs), wantC);
        const dg = scratch(b, n * 4 * hs);
        const dcp = put(b, dc);
        const dhp = put(b, dh);
        // dcPrev written over dc, as the sequence driver does.
        k.lstm_cell_bwd_f32(dg, dcp, act, c, cpp, dhp, dcp, n, hs);
        expectClose6(get(b, dg, n * 4 * hs), wantDg);
        expectClose6(get(b, dcp, n * hs), wantDc);
        for (const p of [gp, cpp, h, c, act, dg, dcp, dhp]) if (p) k.free(p);
      });

      it(`GRU, ${label}`, () => {
        const gi = randomArray(n * 3 * hs, 7, -2, 2);
        const gh = randomArray(n * 3 * hs, 8, -2, 2);
        const hPrev = randomArray(n * hs, 9);
        const dh = randomArray(n * hs, 10);
        const wantH: number[] = [];
        const wantDgi = new Array<number>(n * 3 * hs);
        const wantDgh = new Array<number>(n * 3 * hs);
        const wantDhp: number[] = [];
        for (let r = 0; r < n; r++)
          for (let j = 0; j < hs; j++) {
            const a = (q: number) => gi[r * 3 * hs + q * hs + j];
            const h_ = (q: number) => gh[r * 3 * hs + q * hs + j];
            const rr = sig(a(0) + h_(0));
            const z = sig(a(1) + h_(1));
            const m = Math.tanh(a(2) + rr * h_(2));
            const hp = withPrev ? hPrev[r * hs + j] : 0;
            wantH.push((1 - z) * m + z * hp);
            const g = dh[r * hs + j];
            const dm = g * (1 - z) * (1 - m * m);
            const dz = g * (hp - m) * z * (1 - z);
            const dr = dm * h_(2) * rr * (1 - rr);
            const o = (q: number) => r * 3 * hs + q * hs + j;
            [wantDgi[o(0)], wantDgi[o(1)], wantDgi[o(2)]] = [dr, dz, dm];
            [wantDgh[o(0)], wantDgh[o(1)], wantDgh[o(2)]] = [dr, dz, dm * rr];
            wantDhp.push(g * z);
          }
        const gip = put(b, gi);
        const ghp = put(b, gh);
        const hpp = withPrev ? put(b, hPrev) : 0;
        const h = scratch(b, n * hs);
        const act = scratch(b, n * 4 * hs);
        k.gru_cell_f32(h, act, gip, ghp, hpp, n, hs);
        expectClose6(get(b, h, n * hs), wantH);
        const dgi = scratch(b, n * 3 * hs);
        const dgh = scratch(b, n * 3 * hs);
        const dhp = scratch(b, n * hs);
        const dhIn = put(b, dh);
        k.gru_cell_bwd_f32(dgi, dgh, dhp, act, hpp, dhIn, n, hs);
        expectClose6(get(b, dgi, n * 3 * hs), wantDgi);
        expectClose6(get(b, dgh, n * 3 * hs), wantDgh);
        expectClose6(get(b, dhp, n * hs), wantDhp);
        for (const p of [gip, ghp, hpp, h, act, dgi, dgh, dhp, dhIn]) if (p) k.free(p);
      });
    }
  }

  for (const dim of [1, 3, 4, 9]) {
    it(`embedding lookup and gradient, dim ${dim}`, () => {
      const rows = 5;
      const weight = randomArray(rows * dim, 11);
      const idx = [3, 0, 3, 4, 1, 3];
      const dout = randomArray(idx.length * dim, 12);
      const wp = put(b, weight);
      const ip = putI32(b, idx);
      const out = scratch(b, idx.length * dim);
      k.embedding_f32(out, wp, ip, idx.length, dim);
      expect(Array.from(get(b, out, idx.length * dim))).toEqual(
        idx.flatMap((r) => Array.from(weight.subarray(r * dim, (r + 1) * dim))),
      );
      const dop = put(b, dout);
      const dw = scratch(b, rows * dim);
      k.embedding_bwd_f32(dw, dop, ip, idx.length, dim, rows, 4);
      const want = new Array<number>(rows * dim).fill(0);
      idx.forEach((r, i) => {
        if (r === 4) return;
        for (let j = 0; j < dim; j++) want[r * dim + j] += dout[i * dim + j];
      });
      expectClose6(get(b, dw, rows * dim), want);
      for (const p of [wp, ip, out, dop, dw]) k.free(p);
    });
  }
});

describe("wg.kernels step functions", () => {
  it("rnnStep, lstmStep and gruStep match the cells", () => {
    wg.manualSeed(5);
    const [n, inSize, hs] = [3, 5, 6];
    const sizes = { batch: n, inputSize: inSize, hiddenSize: hs };
    const x = randomArray(n * inSize, 21);
    const h = randomArray(n * hs, 22);
    const c = randomArray(n * hs, 23);
    const weightsOf = (m: { stateDict(): Record<string, wg.Tensor> }) => {
      const sd = m.stateDict();
      return {
        weightIh: sd.weight_ih.data(),
        weightHh: sd.weight_hh.data(),
        biasIh: sd.bias_ih.data(),
        biasHh: sd.bias_hh.data(),
      };
    };
    wg.tidy(() => {
      const xt = wg.tensor(x, { shape: [n, inSize] });
      const ht = wg.tensor(h, { shape: [n, hs] });
      const ct = wg.tensor(c, { shape: [n, hs] });
      const rnn = new wg.nn.RNNCell(inSize, hs, { nonlinearity: "relu" });
      expect(Array.from(wg.kernels.rnnStep(x, h, weightsOf(rnn), sizes, "relu"))).toEqual(
        Array.from(rnn.forward(xt, ht).data()),
      );
      const lstm = new wg.nn.LSTMCell(inSize, hs);
      const [h1, c1] = lstm.forward(xt, [ht, ct]);
      const got = wg.kernels.lstmStep(x, h, c, weightsOf(lstm), sizes);
      expect(Array.from(got.h)).toEqual(Array.from(h1.data()));
      expect(Array.from(got.c)).toEqual(Array.from(c1.data()));
      const gru = new wg.nn.GRUCell(inSize, hs);
      expect(Array.from(wg.kernels.gruStep(x, h, weightsOf(gru), sizes))).toEqual(
        Array.from(gru.forward(xt, ht).data()),
      );
      for (const m of [rnn, lstm, gru]) m.dispose();
    });
  });
});

describe("sequence layers against their cells stepped by hand", () => {
  for (const kind of ["RNN", "LSTM", "GRU"] as const) {
    it(`${kind}: outputs, final state and gradients agree (7 steps, batch 3)`, () => {
      wg.manualSeed(9);
      const [L, n, inSize, hs] = [7, 3, 5, 6];
      wg.tidy(() => {
        const seq =
          kind === "LSTM"
            ? new wg.nn.LSTM(inSize, hs)
            : kind === "GRU"
              ? new wg.nn.GRU(inSize, hs)
              : new wg.nn.RNN(inSize, hs);
        const cell =
          kind === "LSTM"
            ? new wg.nn.LSTMCell(inSize, hs)
            : kind === "GRU"
              ? new wg.nn.GRUCell(inSize, hs)
              : new wg.nn.RNNCell(inSize, hs);
        const sd = seq.stateDict();
        cell.loadStateDict({
          weight_ih: sd.weight_ih_l0,
          weight_hh: sd.weight_hh_l0,
          bias_ih: sd.bias_ih_l0,
          bias_hh: sd.bias_hh_l0,
        });
        const x = wg.randn([L, n, inSize], { requiresGrad: true });
        const h0 = wg.randn([1, n, hs]);
        const c0 = wg.randn([1, n, hs]);
        const g = wg.randn([L, n, hs]);
        // The sequence layer.
        const out =
          seq instanceof wg.nn.LSTM
            ? seq.forward(x, [h0, c0])[0]
            : (seq as wg.nn.RNN).forward(x, h0)[0];
        out.mul(g).sum().backward();
        const dx = x.grad?.data() as Float32Array;
        const dW = (sd.weight_hh_l0.grad as wg.Tensor).data();
        x.grad = null;
        // The cell, one step at a time.
        let h = h0.reshape([n, hs]);
        let c = c0.reshape([n, hs]);
        const steps: wg.Tensor[] = [];
        for (let t = 0; t < L; t++) {
          const xt = x.narrow(0, t, 1).reshape([n, inSize]);
          if (cell instanceof wg.nn.LSTMCell) [h, c] = cell.forward(xt, [h, c]);
          else h = (cell as wg.nn.RNNCell).forward(xt, h);
          steps.push(h);
        }
        const byHand = wg.stack(steps, 0);
        byHand.mul(g).sum().backward();
        const close = (a: Float32Array, b: Float32Array) => {
          for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(2e-6);
        };
        close(out.data(), byHand.data());
        close(dx, (x.grad as wg.Tensor | null)?.data() as Float32Array);
        close(dW, (cell.weight_hh.grad as wg.Tensor).data());
        seq.dispose();
        cell.dispose();
      });
    });
  }
});
