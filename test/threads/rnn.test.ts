/**
 * Recurrent layers run each sequence as one task of hidden-unit blocks per step (forward and
 * backward through time, assembly/kernels/rnn_steps.ts): their outputs, final states and every
 * gradient give the single-thread bits at 2, 3 and 4 threads. The sizes are awkward on purpose:
 * hidden sizes that leave a narrow last block (and a scalar tail), more rows than one M block of
 * the products, a hidden size past one K block, one-step cells (whose input product is fused
 * into the blocks), both directions, stacked layers, with and without initial states. Each
 * module then runs once more without autograd (no gates kept), on the weights it keeps packed
 * from the first call.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { onThreads } from "../helpers/threads.js";

interface Case {
  name: string;
  run(): wg.Tensor[];
}

/** Any recurrent module or cell: its forward is called with an initial state of its own kind. */
type Recurrent = { parameters(): wg.Tensor[] };

function params(m: Recurrent): wg.Tensor[] {
  return m.parameters();
}

/** Runs a module forward and backward; returns outputs, states, and the gradients of inputs and parameters. */
function sequence(
  make: () => Recurrent,
  lstm: boolean,
  L: number,
  N: number,
  In: number,
  H: number,
  states: number,
  withState: boolean,
): wg.Tensor[] {
  const m = make() as unknown as {
    forward(x: wg.Tensor, s?: unknown): [wg.Tensor, wg.Tensor | [wg.Tensor, wg.Tensor]];
  } & Recurrent;
  const x = wg.randn([L, N, In]);
  x.requiresGrad = true;
  const h0 = wg.randn([states, N, H]);
  const c0 = wg.randn([states, N, H]);
  h0.requiresGrad = true;
  c0.requiresGrad = true;
  const init = withState ? (lstm ? [h0, c0] : h0) : undefined;
  const [out, state] = m.forward(x, init);
  const finals = Array.isArray(state) ? state : [state];
  let loss = wg.sum(wg.mul(out, wg.randn(out.shape)));
  for (const f of finals) loss = wg.add(loss, wg.sum(wg.mul(f, wg.randn(f.shape))));
  loss.backward();
  const grads = [x.grad, ...(withState ? [h0.grad, ...(lstm ? [c0.grad] : [])] : [])];
  // Inference again, on the weights packed by the first call (no gates kept).
  const again = wg.noGrad(() => m.forward(x, init)).flat();
  return [out, ...finals, ...grads, ...params(m).map((p) => p.grad), ...again].map((t) => {
    if (t === null) throw new Error("missing gradient");
    return t;
  });
}

function cell(make: () => Recurrent, lstm: boolean, N: number, In: number, H: number): wg.Tensor[] {
  const m = make() as unknown as {
    forward(x: wg.Tensor, s?: unknown): wg.Tensor | [wg.Tensor, wg.Tensor];
  } & Recurrent;
  const x = wg.randn([N, In]);
  x.requiresGrad = true;
  const h = wg.randn([N, H]);
  const c = wg.randn([N, H]);
  h.requiresGrad = true;
  c.requiresGrad = true;
  const r = m.forward(x, lstm ? [h, c] : h);
  const outs = Array.isArray(r) ? r : [r];
  let loss = wg.sum(wg.mul(outs[0], wg.randn(outs[0].shape)));
  if (outs.length > 1) loss = wg.add(loss, wg.sum(wg.mul(outs[1], wg.randn(outs[1].shape))));
  loss.backward();
  const grads = [x.grad, h.grad, ...(lstm ? [c.grad] : []), ...params(m).map((p) => p.grad)];
  // A second step from the first's state, without autograd, on the weights packed by the first.
  const next = wg.noGrad(() => {
    const s = m.forward(x, lstm ? (outs as [wg.Tensor, wg.Tensor]) : outs[0]);
    return Array.isArray(s) ? s : [s];
  });
  return [...outs, ...grads, ...next].map((t) => {
    if (t === null) throw new Error("missing gradient");
    return t;
  });
}

const cases: Case[] = [
  {
    // 5 blocks of 16, 16, 16, 16 and 6 units; 2 layers, both directions, initial states.
    name: "LSTM 13->70, 2 layers, bidirectional, N 33, L 7",
    run: () =>
      sequence(
        () => new wg.nn.LSTM(13, 70, { numLayers: 2, bidirectional: true }),
        true,
        7,
        33,
        13,
        70,
        4,
        true,
      ),
  },
  {
    // More rows (130) than one M block of the products; no initial state.
    name: "LSTM 5->24, N 130, L 3",
    run: () => sequence(() => new wg.nn.LSTM(5, 24), true, 3, 130, 5, 24, 1, false),
  },
  {
    // Hidden size 300: two K blocks in the recurrent products; 8 blocks, the last of 20 units.
    name: "LSTM 7->300, N 2, L 3",
    run: () => sequence(() => new wg.nn.LSTM(7, 300), true, 3, 2, 7, 300, 1, true),
  },
  {
    name: "GRU 9->37, bidirectional, N 5, L 6",
    run: () =>
      sequence(() => new wg.nn.GRU(9, 37, { bidirectional: true }), false, 6, 5, 9, 37, 2, true),
  },
  {
    name: "GRU 11->50, 2 layers, no bias, N 3, L 5, no state",
    run: () =>
      sequence(
        () => new wg.nn.GRU(11, 50, { numLayers: 2, bias: false }),
        false,
        5,
        3,
        11,
        50,
        2,
        false,
      ),
  },
  {
    // 6 blocks of 24 units, the last of 10.
    name: "RNN tanh 20->130, N 3, L 4",
    run: () => sequence(() => new wg.nn.RNN(20, 130), false, 4, 3, 20, 130, 1, true),
  },
  {
    name: "RNN relu 6->33, bidirectional, N 9, L 5",
    run: () =>
      sequence(
        () => new wg.nn.RNN(6, 33, { nonlinearity: "relu", bidirectional: true }),
        false,
        5,
        9,
        6,
        33,
        2,
        true,
      ),
  },
  {
    name: "LSTMCell 19->45, N 7",
    run: () => cell(() => new wg.nn.LSTMCell(19, 45), true, 7, 19, 45),
  },
  {
    name: "LSTMCell 3->20 no bias, N 1",
    run: () => cell(() => new wg.nn.LSTMCell(3, 20, false), true, 1, 3, 20),
  },
  {
    name: "GRUCell 10->41, N 6",
    run: () => cell(() => new wg.nn.GRUCell(10, 41), false, 6, 10, 41),
  },
  {
    name: "RNNCell relu 30->66, N 4",
    run: () => cell(() => new wg.nn.RNNCell(30, 66, true, "relu"), false, 4, 30, 66),
  },
  {
    // Input 300: the fused input product (on W_ih packed with the weights) has two K blocks;
    // 4 blocks of 16 units, the last of 9.
    name: "LSTMCell 300->57, N 9",
    run: () => cell(() => new wg.nn.LSTMCell(300, 57), true, 9, 300, 57),
  },
  {
    // Hidden 17: a block of 16 units and one of a single unit (scalar tails only).
    name: "LSTMCell 6->17, N 3",
    run: () => cell(() => new wg.nn.LSTMCell(6, 17), true, 3, 6, 17),
  },
  {
    // 131 rows: two M blocks of the per-thread packed dG of the backward, and of the cell's A.
    name: "GRUCell 12->40, N 131",
    run: () => cell(() => new wg.nn.GRUCell(12, 40), false, 131, 12, 40),
  },
  {
    // Hidden 129: 6 blocks, 5 of 24 units and the last of 9.
    name: "LSTM 4->129, N 5, L 4",
    run: () => sequence(() => new wg.nn.LSTM(4, 129), true, 4, 5, 4, 129, 1, true),
  },
];

function bits(t: wg.Tensor): Uint32Array {
  return new Uint32Array(t.data().slice().buffer);
}

function runAll(): Uint32Array[][] {
  return cases.map((c) =>
    wg.tidy(() => {
      wg.manualSeed(11);
      return c.run().map(bits);
    }),
  );
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("RNN, LSTM and GRU (layers and cells) give the same bits at 1, 2, 3 and 4 threads", async () => {
  wg.setNumThreads(1);
  const expected = runAll();
  for (const threads of [2, 3, 4]) {
    const run = await onThreads(threads);
    const got = runAll();
    // Every sequence and cell ran its forward (kernel 5) and backward (6) as pool tasks of steps.
    const forward = run.mock.calls.filter(([kernel]) => kernel === 5);
    const backward = run.mock.calls.filter(([kernel]) => kernel === 6);
    expect(forward.every((call) => (call[4] ?? 0) > 1)).toBe(true);
    // Layers x directions per case: 4 + 1 + 1 + 2 + 2 + 1 + 2 + 1, two per cell (a step with
    // autograd and one without), and each backward once.
    expect(forward.length).toBe(2 * 14 + 7 * 2);
    expect(backward.length).toBe(14 + 7);
    run.mockRestore();
    cases.forEach((c, i) => {
      expect(got[i].length).toBe(expected[i].length);
      got[i].forEach((g, j) => {
        const same =
          g.length === expected[i][j].length && g.every((v, e) => v === expected[i][j][e]);
        expect(same, `${c.name}: tensor ${j} at ${threads} threads`).toBe(true);
      });
    });
  }
});
