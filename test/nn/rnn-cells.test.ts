/**
 * nn.RNNCell (tanh and relu), nn.LSTMCell and nn.GRUCell against the `cells` of
 * test/fixtures/rnn.json (PyTorch 1.13, made by gen_rnn.py): h' (and c'), and the gradients of
 * sum(h' * gH) [+ sum(c' * gC)] for the input, the state and every parameter, batched and
 * unbatched, with and without a state, with and without bias. Also parameter names, shapes and
 * init, memory, and the errors bad input must raise.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture, tensorMismatches, toTensor } from "../helpers/fixtures.js";
import {
  type CellCase,
  type CellKind,
  dotLoss,
  makeCell,
  nn,
  type RnnFixture,
  runCell,
} from "../helpers/rnn.js";

const cases = loadFixture<RnnFixture>("rnn.json").cells;

function expectThrows(fn: () => unknown, ...patterns: RegExp[]): void {
  expect(fn).toThrow(wg.WasmgradError);
  for (const p of patterns) expect(fn).toThrow(p);
}

const gatesOf: Record<CellKind, number> = { RNNCell: 1, LSTMCell: 4, GRUCell: 3 };

// ---------------------------------------------------------------------------- fixtures

describe("rnn.json cells (PyTorch reference)", () => {
  it("holds the 28 generated cases, covering the sweep", () => {
    expect(cases.length).toBe(28);
    for (const kind of ["RNNCell", "LSTMCell", "GRUCell"] as const) {
      const of = cases.filter((c) => c.cell === kind);
      const has = (f: (c: CellCase) => boolean) => of.some(f);
      expect(has((c) => c.h === undefined)).toBe(true);
      expect(has((c) => c.h !== undefined && c.options.bias === false)).toBe(true);
      expect(has((c) => c.h === undefined && c.options.bias === false)).toBe(true);
      expect(has((c) => c.input.shape.length === 1 && c.h !== undefined)).toBe(true);
      expect(has((c) => c.input.shape.length === 1 && c.h === undefined)).toBe(true);
    }
    expect(cases.filter((c) => c.options.nonlinearity === "relu").length).toBe(7);
  });

  it.each(cases)("$name", (c) => {
    const cell = makeCell(c);
    const x = toTensor(c.input, true);
    const h = c.h ? toTensor(c.h, true) : null;
    const cs = c.c ? toTensor(c.c, true) : null;
    try {
      expect(Object.keys(cell.stateDict()), "state dict keys (PyTorch's order)").toEqual(
        Object.keys(c.state),
      );
      expect(cell.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual(
        Object.entries(c.state).map(([k, t]) => [k, t.shape]),
      );
      wg.tidy(() => {
        const sd: Record<string, wg.Tensor> = {};
        for (const [k, t] of Object.entries(c.state)) sd[k] = toTensor(t);
        cell.loadStateDict(sd);
      });
      wg.tidy(() => {
        const [ho, co] = runCell(c.cell, cell, x, h, cs);
        expect(tensorMismatches(ho, c.hOut), "h'").toEqual([]);
        const terms: [wg.Tensor, wg.Tensor][] = [[ho, toTensor(c.upstream.hOut)]];
        if (c.cOut && c.upstream.cOut) {
          expect(tensorMismatches(co, c.cOut), "c'").toEqual([]);
          terms.push([co as wg.Tensor, toTensor(c.upstream.cOut)]);
        } else {
          expect(co).toBeNull();
        }
        dotLoss(terms).backward();
      });
      expect(tensorMismatches(x.grad, c.grads.input), "grad input").toEqual([]);
      if (h && c.grads.h) expect(tensorMismatches(h.grad, c.grads.h), "grad h").toEqual([]);
      if (cs && c.grads.c) expect(tensorMismatches(cs.grad, c.grads.c), "grad c").toEqual([]);
      const params = Object.fromEntries(cell.namedParameters());
      for (const [k, want] of Object.entries(c.grads.params)) {
        expect(tensorMismatches(params[k].grad, want), `grad ${k}`).toEqual([]);
      }
    } finally {
      for (const t of [x, h, cs]) t?.dispose();
      cell.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- construction

describe("construction", () => {
  it.each(["RNNCell", "LSTMCell", "GRUCell"] as const)(
    "%s: weight_ih, weight_hh, bias_ih, bias_hh; uniform in ±1/sqrt(hiddenSize)",
    (kind) => {
      const hidden = 50;
      const input = 40;
      const g = gatesOf[kind] * hidden;
      const cell = makeCell({ cell: kind, inputSize: input, hiddenSize: hidden, options: {} });
      const noBias = makeCell({
        cell: kind,
        inputSize: 3,
        hiddenSize: 2,
        options: { bias: false },
      });
      try {
        expect(cell.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
          ["weight_ih", [g, input]],
          ["weight_hh", [g, hidden]],
          ["bias_ih", [g]],
          ["bias_hh", [g]],
        ]);
        expect(Object.keys(noBias.stateDict())).toEqual(["weight_ih", "weight_hh"]);
        const b = 1 / Math.sqrt(hidden);
        const all: number[] = [];
        for (const [name, p] of cell.namedParameters()) {
          const d = p.data();
          for (const v of d) expect(Math.abs(v), name).toBeLessThanOrEqual(b * (1 + 1e-6));
          expect(Math.max(...d) - Math.min(...d), name).toBeGreaterThan(b);
          all.push(...d);
        }
        const n = all.length;
        const mean = all.reduce((s, v) => s + v, 0) / n;
        const std = Math.sqrt(all.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
        expect(Math.abs(mean)).toBeLessThan((5 * b) / Math.sqrt(3) / Math.sqrt(n));
        expect(Math.abs(std / (b / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
      } finally {
        cell.dispose();
        noBias.dispose();
      }
    },
  );

  it("a missing state is zeros: forward(x) equals forward(x, zeros)", () => {
    const rnn = new nn.RNNCell(3, 4, { nonlinearity: "relu" });
    const lstm = new nn.LSTMCell(3, 4);
    const gru = new nn.GRUCell(3, 4);
    try {
      wg.tidy(() => {
        wg.manualSeed(2);
        const x = wg.randn([2, 3]);
        const z = wg.zeros([2, 4]);
        expect(Array.from(rnn.forward(x).data())).toEqual(Array.from(rnn.forward(x, z).data()));
        expect(Array.from(gru.forward(x).data())).toEqual(Array.from(gru.forward(x, z).data()));
        const [h1, c1] = lstm.forward(x);
        const [h2, c2] = lstm.forward(x, [z, z]);
        expect(Array.from(h1.data())).toEqual(Array.from(h2.data()));
        expect(Array.from(c1.data())).toEqual(Array.from(c2.data()));
      });
    } finally {
      for (const m of [rnn, lstm, gru]) m.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- memory

describe("memory", () => {
  it.each(["RNNCell", "LSTMCell", "GRUCell"] as const)(
    "%s: forward and backward in tidy leave only the parameters' gradients",
    (kind) => {
      const cell = makeCell({ cell: kind, inputSize: 3, hiddenSize: 4, options: {} });
      try {
        const before = wg.memory().liveTensors;
        wg.tidy(() => {
          const x = wg.randn([2, 3], { requiresGrad: true });
          const h = wg.randn([2, 4], { requiresGrad: true });
          const c = kind === "LSTMCell" ? wg.randn([2, 4], { requiresGrad: true }) : null;
          // Two steps, so the second consumes the first's graph.
          const [h1, c1] = runCell(kind, cell, x, h, c);
          const [h2, c2] = runCell(kind, cell, x, h1, c1);
          const terms: [wg.Tensor, wg.Tensor][] = [[h2, wg.randn(h2.shape)]];
          if (c2) terms.push([c2, wg.randn(c2.shape)]);
          dotLoss(terms).backward();
        });
        expect(wg.memory().liveTensors - before).toBe(4);
        cell.zeroGrad();
        expect(wg.memory().liveTensors).toBe(before);
      } finally {
        cell.dispose();
      }
    },
  );
});

// ---------------------------------------------------------------------------- errors

describe("bad input throws WasmgradError naming the cell and the shapes", () => {
  it.each(["RNNCell", "LSTMCell", "GRUCell"] as const)("%s: wrong input size", (kind) => {
    const cell = makeCell({ cell: kind, inputSize: 3, hiddenSize: 4, options: {} });
    const x = wg.zeros([2, 5]);
    try {
      expectThrows(() => runCell(kind, cell, x), new RegExp(kind), /\[2, ?5\]/, /\b3\b/);
    } finally {
      cell.dispose();
      x.dispose();
    }
  });

  it.each(["RNNCell", "LSTMCell", "GRUCell"] as const)("%s: 3-D and 0-d input", (kind) => {
    const cell = makeCell({ cell: kind, inputSize: 3, hiddenSize: 4, options: {} });
    const x3 = wg.zeros([1, 2, 3]);
    const x0 = wg.tensor(1);
    try {
      expectThrows(() => runCell(kind, cell, x3), new RegExp(kind), /\[1, ?2, ?3\]/);
      expectThrows(() => runCell(kind, cell, x0), new RegExp(kind), /\[\]/);
    } finally {
      cell.dispose();
      x3.dispose();
      x0.dispose();
    }
  });

  it.each(["RNNCell", "LSTMCell", "GRUCell"] as const)(
    "%s: wrong hidden state shape (batch, hidden size, rank)",
    (kind) => {
      const cell = makeCell({ cell: kind, inputSize: 3, hiddenSize: 4, options: {} });
      const x = wg.zeros([2, 3]);
      const xu = wg.zeros([3]);
      const ok = wg.zeros([2, 4]);
      const bad = [wg.zeros([3, 4]), wg.zeros([2, 5]), wg.zeros([1, 2, 4])];
      const badUnbatched = wg.zeros([1, 4]);
      const cu = wg.zeros([4]);
      try {
        for (const h of bad) {
          const got = new RegExp(`\\[${h.shape.join(", ?")}\\]`);
          expectThrows(() => runCell(kind, cell, x, h, ok), new RegExp(kind), got, /\[2, ?4\]/);
        }
        expectThrows(
          () => runCell(kind, cell, xu, badUnbatched, cu),
          new RegExp(kind),
          /\[1, ?4\]/,
          /\[4\]/,
        );
      } finally {
        cell.dispose();
        for (const t of [x, xu, ok, badUnbatched, cu, ...bad]) t.dispose();
      }
    },
  );

  it("LSTMCell: wrong cell state shape", () => {
    const cell = new nn.LSTMCell(3, 4);
    const x = wg.zeros([2, 3]);
    const h = wg.zeros([2, 4]);
    const c = wg.zeros([2, 5]);
    try {
      expectThrows(() => cell.forward(x, [h, c]), /LSTMCell/, /\[2, ?5\]/, /\[2, ?4\]/);
    } finally {
      cell.dispose();
      for (const t of [x, h, c]) t.dispose();
    }
  });

  it("RNNCell: unknown nonlinearity", () => {
    expectThrows(() => new nn.RNNCell(3, 4, { nonlinearity: "gelu" as "tanh" }), /RNNCell/, /gelu/);
  });
});
