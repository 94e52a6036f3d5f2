/**
 * The recurrent layers' inference path (noGrad) leaves nothing behind when the caller disposes
 * only the outputs: before, every step kept its intermediate views, so memory grew and each step
 * ran slower on fresh memory than the training path. Outputs match the autograd path bit for bit.
 */
import { expect, it } from "vitest";
import * as wg from "wasmgrad";

function bits(t: wg.Tensor): Uint32Array {
  return new Uint32Array(t.data().slice().buffer);
}

it("noGrad cell and layer steps free everything but their outputs, with the training path's bits", () => {
  wg.manualSeed(2);
  const x = wg.randn([6, 10]);
  const h = wg.randn([6, 12]);
  const c = wg.randn([6, 12]);
  const seq = wg.randn([5, 6, 10]);
  const rnn = new wg.nn.RNNCell(10, 12);
  const gru = new wg.nn.GRUCell(10, 12);
  const lstm = new wg.nn.LSTMCell(10, 12);
  const layer = new wg.nn.LSTM(10, 12, { numLayers: 2 });
  const gruLayer = new wg.nn.GRU(10, 12, { bidirectional: true });
  const steps: (() => wg.Tensor[])[] = [
    () => [rnn.forward(x, h)],
    () => [gru.forward(x, h)],
    () => lstm.forward(x, [h, c]),
    () => {
      const [o, [hn, cn]] = layer.forward(seq);
      return [o, hn, cn];
    },
    () => gruLayer.forward(seq).flat(),
  ];
  for (const step of steps) {
    const trained = step();
    const expected = trained.map(bits);
    for (const t of trained) t.dispose();
    const before = wg.memory().liveTensors;
    for (let i = 0; i < 20; i++) {
      const out = wg.noGrad(step);
      expect(out.map(bits)).toEqual(expected);
      for (const t of out) t.dispose();
    }
    expect(wg.memory().liveTensors).toBe(before);
  }
});
