/**
 * nn.RNN (tanh and relu), nn.LSTM and nn.GRU against test/fixtures/rnn.json (PyTorch 1.13, made
 * by gen_rnn.py): outputs, final states and the gradients of
 * sum(output * gOut) + sum(hN * gH) [+ sum(cN * gC)] for the input, the initial states and every
 * parameter, over 1-3 layers, batchFirst, bias off, bidirectional, unbatched input, sequence
 * length 1 and dropout in eval mode. Also: parameter names, shapes and state-dict order as
 * PyTorch's, default init bounds, dropout between layers in training, memory, and the errors bad
 * input must raise.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture, tensorMismatches, toTensor } from "../helpers/fixtures.js";
import {
  dotLoss,
  type LayerCase,
  type LayerKind,
  makeLayer,
  nn,
  type RnnFixture,
  runLayer,
} from "../helpers/rnn.js";

const cases = loadFixture<RnnFixture>("rnn.json").layers;

function expectThrows(fn: () => unknown, ...patterns: RegExp[]): void {
  expect(fn).toThrow(wg.WasmgradError);
  for (const p of patterns) expect(fn).toThrow(p);
}

/** PyTorch's parameter names and shapes for a recurrent layer, in state-dict order. */
function torchParams(
  kind: LayerKind,
  inputSize: number,
  hiddenSize: number,
  o: { numLayers?: number; bias?: boolean; bidirectional?: boolean } = {},
): [string, number[]][] {
  const gates = { RNN: 1, LSTM: 4, GRU: 3 }[kind] * hiddenSize;
  const dirs = o.bidirectional ? 2 : 1;
  const out: [string, number[]][] = [];
  for (let l = 0; l < (o.numLayers ?? 1); l++) {
    for (const suffix of dirs === 2 ? ["", "_reverse"] : [""]) {
      const inp = l === 0 ? inputSize : dirs * hiddenSize;
      out.push([`weight_ih_l${l}${suffix}`, [gates, inp]]);
      out.push([`weight_hh_l${l}${suffix}`, [gates, hiddenSize]]);
      if (o.bias !== false) {
        out.push([`bias_ih_l${l}${suffix}`, [gates]]);
        out.push([`bias_hh_l${l}${suffix}`, [gates]]);
      }
    }
  }
  return out;
}

function shapesOf(m: wg.nn.Module<never[], unknown>): [string, number[]][] {
  return m.namedParameters().map(([n, p]) => [n, [...p.shape]]);
}

function loadState(m: wg.nn.Module<never[], unknown>, state: LayerCase["state"]): void {
  wg.tidy(() => {
    const sd: Record<string, wg.Tensor> = {};
    for (const [k, t] of Object.entries(state)) sd[k] = toTensor(t);
    m.loadStateDict(sd);
  });
}

// ---------------------------------------------------------------------------- fixtures

describe("rnn.json layers (PyTorch reference)", () => {
  it("holds the 72 generated cases, covering the sweep", () => {
    expect(cases.length).toBe(72);
    for (const kind of ["RNN", "LSTM", "GRU"] as const) {
      const of = cases.filter((c) => c.layer === kind);
      const has = (f: (c: LayerCase) => boolean) => of.some(f);
      expect(has((c) => c.options.bidirectional === true && c.options.numLayers === 2)).toBe(true);
      expect(has((c) => c.options.batchFirst === true)).toBe(true);
      expect(has((c) => c.options.bias === false)).toBe(true);
      expect(has((c) => c.input.shape.length === 2)).toBe(true);
      expect(has((c) => c.h0 === undefined)).toBe(true);
      expect(has((c) => c.input.shape[c.options.batchFirst ? 1 : 0] === 1)).toBe(true);
      expect(has((c) => c.mode === "eval" && (c.options.dropout ?? 0) > 0)).toBe(true);
      expect(has((c) => c.inputSize !== c.hiddenSize)).toBe(true);
    }
    expect(cases.filter((c) => c.options.nonlinearity === "relu").length).toBe(18);
  });

  it.each(cases)("$name", (c) => {
    const layer = makeLayer(c);
    const x = toTensor(c.input, true);
    const h0 = c.h0 ? toTensor(c.h0, true) : null;
    const c0 = c.c0 ? toTensor(c.c0, true) : null;
    try {
      expect(Object.keys(layer.stateDict()), "state dict keys (PyTorch's order)").toEqual(
        Object.keys(c.state),
      );
      expect(shapesOf(layer)).toEqual(Object.entries(c.state).map(([k, t]) => [k, t.shape]));
      loadState(layer, c.state);
      if (c.mode === "eval") layer.eval();
      wg.tidy(() => {
        const [out, hN, cN] = runLayer(c.layer, layer, x, h0, c0);
        expect(tensorMismatches(out, c.output), "output").toEqual([]);
        expect(tensorMismatches(hN, c.hN), "hN").toEqual([]);
        const terms: [wg.Tensor, wg.Tensor][] = [
          [out, toTensor(c.upstream.output)],
          [hN, toTensor(c.upstream.hN)],
        ];
        if (c.cN && c.upstream.cN) {
          expect(tensorMismatches(cN, c.cN), "cN").toEqual([]);
          terms.push([cN as wg.Tensor, toTensor(c.upstream.cN)]);
        } else {
          expect(cN).toBeNull();
        }
        dotLoss(terms).backward();
      });
      expect(tensorMismatches(x.grad, c.grads.input), "grad input").toEqual([]);
      if (h0 && c.grads.h0) expect(tensorMismatches(h0.grad, c.grads.h0), "grad h0").toEqual([]);
      if (c0 && c.grads.c0) expect(tensorMismatches(c0.grad, c.grads.c0), "grad c0").toEqual([]);
      const params = Object.fromEntries(layer.namedParameters());
      for (const [k, want] of Object.entries(c.grads.params)) {
        expect(tensorMismatches(params[k].grad, want), `grad ${k}`).toEqual([]);
      }
    } finally {
      for (const t of [x, h0, c0]) t?.dispose();
      layer.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- construction

describe("construction", () => {
  const configs: [LayerKind, number, number, Parameters<typeof torchParams>[3]][] = [
    ["RNN", 3, 4, {}],
    ["LSTM", 3, 4, { numLayers: 2 }],
    ["GRU", 5, 2, { bidirectional: true }],
    ["LSTM", 2, 3, { numLayers: 3, bidirectional: true, bias: false }],
    ["RNN", 4, 6, { numLayers: 2, bidirectional: true }],
  ];

  it.each(configs)("%s(%i, %i, %o): PyTorch's names, shapes and order", (kind, i, h, o) => {
    const layer = makeLayer({ layer: kind, inputSize: i, hiddenSize: h, options: o ?? {} });
    try {
      const want = torchParams(kind, i, h, o);
      expect(shapesOf(layer)).toEqual(want);
      expect(Object.keys(layer.stateDict())).toEqual(want.map(([n]) => n));
      expect(layer.parameters().every((p) => p.requiresGrad)).toBe(true);
    } finally {
      layer.dispose();
    }
  });

  it.each(["RNN", "LSTM", "GRU"] as const)(
    "%s: every parameter uniform in ±1/sqrt(hiddenSize)",
    (kind) => {
      const hidden = 64;
      const layer = makeLayer({ layer: kind, inputSize: 32, hiddenSize: hidden, options: {} });
      try {
        const b = 1 / Math.sqrt(hidden);
        const all: number[] = [];
        for (const [name, p] of layer.namedParameters()) {
          const d = p.data();
          // A float32 bound may sit a rounding step above the double one.
          for (const v of d) expect(Math.abs(v), name).toBeLessThanOrEqual(b * (1 + 1e-6));
          // Each parameter is drawn, not left zero or copied from another.
          expect(Math.max(...d) - Math.min(...d), name).toBeGreaterThan(b);
          all.push(...d);
        }
        const n = all.length;
        const mean = all.reduce((s, v) => s + v, 0) / n;
        const std = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
        expect(Math.abs(mean)).toBeLessThan((5 * b) / Math.sqrt(3) / Math.sqrt(n));
        expect(std / (b / Math.sqrt(3))).toBeGreaterThan(0.95);
        expect(std / (b / Math.sqrt(3))).toBeLessThan(1.05);
        expect(Math.max(...all)).toBeGreaterThan(0.98 * b);
        expect(Math.min(...all)).toBeLessThan(-0.98 * b);
      } finally {
        layer.dispose();
      }
    },
  );

  it("keeps its parameters when built inside tidy", () => {
    const layer = wg.tidy(() => new nn.LSTM(3, 4, { numLayers: 2 }));
    try {
      expect(layer.parameters().length).toBe(8);
      expect(layer.parameters().some((p) => p.isDisposed)).toBe(false);
      wg.tidy(() => {
        const [out] = layer.forward(wg.randn([5, 2, 3]));
        expect(out.shape).toEqual([5, 2, 4]);
      });
    } finally {
      layer.dispose();
    }
  });

  it("takes the default options: 1 layer, tanh, bias, sequence first, one direction", () => {
    // Seeded: with some random initialisations all eight outputs share a sign (seen once).
    wg.manualSeed(5);
    const rnn = new nn.RNN(3, 4);
    try {
      expect(Object.keys(rnn.stateDict())).toEqual(torchParams("RNN", 3, 4).map(([name]) => name));
      wg.tidy(() => {
        // [L=2, N=1, 3] with a sequence-first layout; tanh keeps outputs in [-1, 1] and,
        // unlike relu, takes both signs.
        const x = wg.tensor([[[0.5, -1, 2]], [[1, 2, -0.5]]]);
        const [out, hN] = rnn.forward(x);
        expect(out.shape).toEqual([2, 1, 4]);
        expect(hN.shape).toEqual([1, 1, 4]);
        const d = out.data();
        for (const v of d) expect(Math.abs(v)).toBeLessThanOrEqual(1);
        expect(d.some((v) => v < 0)).toBe(true);
        expect(d.some((v) => v > 0)).toBe(true);
      });
    } finally {
      rnn.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- dropout, shapes

describe("dropout between layers", () => {
  const kinds: LayerKind[] = ["RNN", "LSTM", "GRU"];

  it.each(kinds)("%s: training with dropout 0.5 changes a 2-layer output, eval does not", (k) => {
    const layer = makeLayer({
      layer: k,
      inputSize: 3,
      hiddenSize: 8,
      options: { numLayers: 2, dropout: 0.5 },
    });
    try {
      wg.tidy(() => {
        wg.manualSeed(11);
        const x = wg.randn([6, 4, 3]);
        layer.eval();
        const [evalOut] = runLayer(k, layer, x);
        const evalData = evalOut.data();
        layer.train();
        wg.manualSeed(5);
        const [a, hA] = runLayer(k, layer, x);
        wg.manualSeed(5);
        const [b] = runLayer(k, layer, x);
        const aData = a.data();
        expect(Array.from(b.data()), "the same seed gives the same mask").toEqual(
          Array.from(aData),
        );
        let changed = 0;
        for (let i = 0; i < aData.length; i++) if (aData[i] !== evalData[i]) changed++;
        expect(changed, "outputs changed by dropout in training").toBeGreaterThan(aData.length / 2);
        // Dropout sits between layers only: the last layer's output is not masked, so it has
        // no zeros, and its last step is still the top layer's final state.
        expect(aData.some((v) => v === 0)).toBe(false);
        expect(
          tensorMismatches(a.narrow(0, 5, 1).squeeze(0), {
            shape: [4, 8],
            data: Array.from(hA.narrow(0, 1, 1).squeeze(0).data()),
          }),
        ).toEqual([]);
        layer.eval();
        const [again] = runLayer(k, layer, x);
        expect(Array.from(again.data())).toEqual(Array.from(evalData));
      });
    } finally {
      layer.dispose();
    }
  });

  it.each(kinds)("%s: one layer has no dropout to apply (training equals eval)", (k) => {
    const layer = makeLayer({
      layer: k,
      inputSize: 3,
      hiddenSize: 5,
      options: { numLayers: 1, dropout: 0.5 },
    });
    try {
      wg.tidy(() => {
        wg.manualSeed(3);
        const x = wg.randn([4, 2, 3]);
        const [train] = runLayer(k, layer, x);
        layer.eval();
        const [evalOut] = runLayer(k, layer, x);
        expect(Array.from(train.data())).toEqual(Array.from(evalOut.data()));
      });
    } finally {
      layer.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- memory

describe("memory", () => {
  it.each(["RNN", "LSTM", "GRU"] as const)(
    "%s: forward and backward in tidy leave only the parameters' gradients",
    (k) => {
      const layer = makeLayer({
        layer: k,
        inputSize: 3,
        hiddenSize: 4,
        options: { numLayers: 2, bidirectional: true, batchFirst: true },
      });
      try {
        const before = wg.memory().liveTensors;
        wg.tidy(() => {
          const x = wg.randn([2, 5, 3], { requiresGrad: true });
          const h0 = wg.randn([4, 2, 4], { requiresGrad: true });
          const c0 = k === "LSTM" ? wg.randn([4, 2, 4], { requiresGrad: true }) : null;
          const [out, hN, cN] = runLayer(k, layer, x, h0, c0);
          const terms: [wg.Tensor, wg.Tensor][] = [
            [out, wg.randn(out.shape)],
            [hN, wg.randn(hN.shape)],
          ];
          if (cN) terms.push([cN, wg.randn(cN.shape)]);
          dotLoss(terms).backward();
        });
        expect(wg.memory().liveTensors - before).toBe(layer.parameters().length);
        layer.zeroGrad();
        expect(wg.memory().liveTensors).toBe(before);
      } finally {
        layer.dispose();
      }
    },
  );

  it.each(["RNN", "LSTM", "GRU"] as const)(
    "%s: a forward without gradients keeps one step of gates and gives the same numbers",
    (k) => {
      // Under noGrad the layer keeps only one step's gates and two cell states (a ring); the
      // outputs must be those of the forward that keeps every step, bit for bit, in both
      // directions, over odd and even lengths, with and without initial states.
      const layer = makeLayer({
        layer: k,
        inputSize: 3,
        hiddenSize: 5,
        options: { numLayers: 2, bidirectional: true },
      });
      try {
        for (const L of [1, 4, 7]) {
          for (const withState of [false, true]) {
            wg.tidy(() => {
              const x = wg.randn([L, 2, 3], { requiresGrad: true });
              const h0 = withState ? wg.randn([4, 2, 5]) : null;
              const c0 = withState && k === "LSTM" ? wg.randn([4, 2, 5]) : null;
              const full = runLayer(k, layer, x, h0, c0);
              const lean = wg.noGrad(() => runLayer(k, layer, x, h0, c0));
              full.forEach((t, i) => {
                if (t === null) return;
                expect(Array.from(lean[i]!.data()), `${k} L=${L} output ${i}`).toEqual(
                  Array.from(t.data()),
                );
              });
            });
          }
        }
      } finally {
        layer.dispose();
      }
    },
  );

  it("a forward without gradients (noGrad) in tidy leaves nothing", () => {
    const lstm = new nn.LSTM(3, 4);
    try {
      const before = wg.memory().liveTensors;
      wg.tidy(() => {
        wg.noGrad(() => lstm.forward(wg.randn([3, 2, 3])));
      });
      expect(wg.memory().liveTensors).toBe(before);
    } finally {
      lstm.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- errors

describe("bad input throws WasmgradError naming the layer and the shapes", () => {
  it("wrong input size", () => {
    const rnn = new nn.RNN(3, 4);
    const x = wg.zeros([5, 2, 4]);
    try {
      expectThrows(() => rnn.forward(x), /RNN/, /\[5, ?2, ?4\]/, /\b3\b/);
    } finally {
      rnn.dispose();
      x.dispose();
    }
  });

  it("wrong h0 shape (number of layers, batch, hidden size)", () => {
    const gru = new nn.GRU(3, 4, { numLayers: 2 });
    const x = wg.zeros([5, 2, 3]);
    const bad = [wg.zeros([1, 2, 4]), wg.zeros([2, 3, 4]), wg.zeros([2, 2, 5])];
    try {
      for (const h0 of bad) {
        const got = new RegExp(`\\[${h0.shape.join(", ?")}\\]`);
        expectThrows(() => gru.forward(x, h0), /GRU/, got, /\[2, ?2, ?4\]/);
      }
    } finally {
      gru.dispose();
      for (const t of [x, ...bad]) t.dispose();
    }
  });

  it("bidirectional layers expect 2 * numLayers initial states", () => {
    const rnn = new nn.RNN(3, 4, { bidirectional: true });
    const x = wg.zeros([5, 2, 3]);
    const h0 = wg.zeros([1, 2, 4]);
    try {
      expectThrows(() => rnn.forward(x, h0), /RNN/, /\[1, ?2, ?4\]/, /\[2, ?2, ?4\]/);
    } finally {
      rnn.dispose();
      x.dispose();
      h0.dispose();
    }
  });

  it("batchFirst confusion: h0 stays (layers, N, H) with N read from dim 0 of x", () => {
    const rnn = new nn.RNN(3, 4, { batchFirst: true });
    // x is [N=5, L=2, 3]; an h0 built for batch 2 (sequence-first thinking) is wrong.
    const x = wg.zeros([5, 2, 3]);
    const h0 = wg.zeros([1, 2, 4]);
    const h0BatchFirst = wg.zeros([5, 1, 4]);
    try {
      expectThrows(() => rnn.forward(x, h0), /RNN/, /\[1, ?2, ?4\]/, /\[1, ?5, ?4\]/);
      expectThrows(() => rnn.forward(x, h0BatchFirst), /RNN/, /\[5, ?1, ?4\]/, /\[1, ?5, ?4\]/);
    } finally {
      rnn.dispose();
      for (const t of [x, h0, h0BatchFirst]) t.dispose();
    }
  });

  it("4-D and 1-D input", () => {
    const lstm = new nn.LSTM(3, 4);
    const x4 = wg.zeros([1, 5, 2, 3]);
    const x1 = wg.zeros([3]);
    try {
      expectThrows(() => lstm.forward(x4), /LSTM/, /\[1, ?5, ?2, ?3\]/);
      expectThrows(() => lstm.forward(x1), /LSTM/, /\[3\]/);
    } finally {
      lstm.dispose();
      x4.dispose();
      x1.dispose();
    }
  });

  it("unbatched input with a batched h0, and batched input with an unbatched h0", () => {
    const rnn = new nn.RNN(3, 4);
    const xu = wg.zeros([5, 3]);
    const xb = wg.zeros([5, 2, 3]);
    const h3 = wg.zeros([1, 1, 4]);
    const h2 = wg.zeros([1, 4]);
    try {
      expectThrows(() => rnn.forward(xu, h3), /RNN/, /\[1, ?1, ?4\]/, /\[1, ?4\]/);
      expectThrows(() => rnn.forward(xb, h2), /RNN/, /\[1, ?4\]/, /\[1, ?2, ?4\]/);
    } finally {
      rnn.dispose();
      for (const t of [xu, xb, h3, h2]) t.dispose();
    }
  });

  it("LSTM: wrong c0 shape", () => {
    const lstm = new nn.LSTM(3, 4);
    const x = wg.zeros([5, 2, 3]);
    const h0 = wg.zeros([1, 2, 4]);
    const c0 = wg.zeros([1, 3, 4]);
    try {
      expectThrows(() => lstm.forward(x, [h0, c0]), /LSTM/, /\[1, ?3, ?4\]/, /\[1, ?2, ?4\]/);
    } finally {
      lstm.dispose();
      for (const t of [x, h0, c0]) t.dispose();
    }
  });

  it("bad constructor options", () => {
    expectThrows(() => new nn.RNN(3, 4, { nonlinearity: "sigmoid" as "tanh" }), /RNN/, /sigmoid/);
    expectThrows(() => new nn.LSTM(3, 4, { dropout: 1.5 }), /LSTM/, /1\.5/);
    expectThrows(() => new nn.GRU(3, 0), /GRU/, /hidden ?size/i);
    expectThrows(() => new nn.GRU(3, 4, { numLayers: 0 }), /GRU/, /num ?layers/i);
  });

  it("a rejected call leaves no tensors behind", () => {
    const rnn = new nn.RNN(3, 4);
    const x = wg.zeros([5, 2, 4]);
    try {
      const before = wg.memory().liveTensors;
      expect(() => wg.tidy(() => rnn.forward(x))).toThrow(wg.WasmgradError);
      expect(wg.memory().liveTensors).toBe(before);
    } finally {
      rnn.dispose();
      x.dispose();
    }
  });
});

// The fixture's shapes follow PyTorch; a sanity check of the helper against them.
describe("torchParams helper", () => {
  it("agrees with every fixture state dict", () => {
    for (const c of cases) {
      const want = torchParams(c.layer, c.inputSize, c.hiddenSize, c.options);
      expect(Object.entries(c.state).map(([k, t]) => [k, t.shape])).toEqual(want);
    }
  });
});
