/**
 * Recurrent layers keep their weights packed for the step kernels with the weights' storage
 * (memory.ts derivedCopy): a cell called step after step packs W_ih and W_hh once. The packed
 * copy must give the bits of a fresh pack, follow every in-place change of the weights
 * (optimizer steps, in-place ops, loadStateDict, init) and be freed with the weights.
 */
import { expect, it } from "vitest";
import * as wg from "wasmgrad";
import type { Storage } from "../../src/memory.js";
import type { Tensor } from "../../src/tensor.js";

function bits(t: wg.Tensor): number[] {
  return [...new Uint32Array(t.data().slice().buffer)];
}

type Net = wg.nn.LSTMCell | wg.nn.GRUCell | wg.nn.RNNCell | wg.nn.LSTM;

interface Case {
  name: string;
  make: () => Net;
  step: (m: Net) => wg.Tensor[];
}

wg.manualSeed(1);
const X = wg.randn([5, 13]);
const H = wg.randn([5, 37]);
const C = wg.randn([5, 37]);
const SEQ = wg.randn([4, 5, 13]);
const x = () => X;
const h = () => H;
const c0 = () => C;
const seq = () => SEQ;

const cases: Case[] = [
  {
    name: "LSTMCell",
    make: () => new wg.nn.LSTMCell(13, 37),
    step: (m) => (m as wg.nn.LSTMCell).forward(x(), [h(), c0()]),
  },
  {
    name: "LSTMCell without a state",
    make: () => new wg.nn.LSTMCell(13, 37),
    step: (m) => (m as wg.nn.LSTMCell).forward(x()),
  },
  {
    name: "GRUCell",
    make: () => new wg.nn.GRUCell(13, 37),
    step: (m) => [(m as wg.nn.GRUCell).forward(x(), h())],
  },
  {
    name: "RNNCell",
    make: () => new wg.nn.RNNCell(13, 37),
    step: (m) => [(m as wg.nn.RNNCell).forward(x(), h())],
  },
  {
    name: "LSTM, 2 layers",
    make: () => new wg.nn.LSTM(13, 37, { numLayers: 2 }),
    step: (m) => {
      const [o, [hn, cn]] = (m as wg.nn.LSTM).forward(seq());
      return [o, hn, cn];
    },
  },
];

/** The step's outputs on a fresh copy of `m`'s weights, which has never packed them. */
function fresh(c: Case, m: Net): number[][] {
  const copy = c.make();
  try {
    copy.loadStateDict(m.stateDict());
    return wg.tidy(() => wg.noGrad(() => c.step(copy).map(bits)));
  } finally {
    copy.dispose();
  }
}

function run(c: Case, m: Net): number[][] {
  return wg.tidy(() => wg.noGrad(() => c.step(m).map(bits)));
}

it.each(cases)(
  "$name: packed weights give a fresh pack's bits and follow in-place changes",
  (c) => {
    wg.manualSeed(5);
    const m = c.make();
    try {
      const first = run(c, m);
      expect(run(c, m)).toEqual(first);
      expect(first).toEqual(fresh(c, m));
      // An optimizer step changes the weights in place.
      const opt = new wg.optim.SGD(m.parameters(), { lr: 0.5 });
      wg.tidy(() => {
        const outs = c.step(m);
        let loss = outs[0].sum();
        for (const o of outs.slice(1)) loss = loss.add(o.sum());
        loss.backward();
      });
      opt.step();
      const stepped = run(c, m);
      expect(stepped).not.toEqual(first);
      expect(stepped).toEqual(fresh(c, m));
      // An in-place op on each weight, then loadStateDict, then init.
      wg.noGrad(() => {
        for (const p of m.parameters()) p.mul_(0.75);
      });
      const scaled = run(c, m);
      expect(scaled).not.toEqual(stepped);
      expect(scaled).toEqual(fresh(c, m));
      const other = c.make();
      m.loadStateDict(other.stateDict());
      other.dispose();
      const loaded = run(c, m);
      expect(loaded).not.toEqual(scaled);
      expect(loaded).toEqual(fresh(c, m));
      for (const p of m.parameters()) wg.nn.init.uniform_(p, -0.3, 0.3);
      const reset = run(c, m);
      expect(reset).not.toEqual(loaded);
      expect(reset).toEqual(fresh(c, m));
    } finally {
      m.dispose();
    }
  },
);

it("packed weights are freed with the weights", () => {
  const cell = new wg.nn.LSTMCell(13, 37);
  const storages = cell.parameters().map((p) => (p as unknown as Tensor)._heldStorage() as Storage);
  wg.tidy(() => wg.noGrad(() => void cell.forward(x(), [h(), c0()])));
  // W_ih and W_hh carry one packed copy each.
  expect(storages.map((s) => s.derived?.size ?? 0)).toEqual([1, 1, 0, 0]);
  const before = wg.memory().liveBytes;
  for (let i = 0; i < 5; i++) wg.tidy(() => wg.noGrad(() => void cell.forward(x(), [h(), c0()])));
  expect(wg.memory().liveBytes).toBe(before);
  cell.dispose();
  expect(storages.every((s) => s.refs === 0 && s.derived === null)).toBe(true);
});
