import { expect, it } from "vitest";
import * as wg from "wasmgrad";

it("imports in Chromium with relaxed SIMD and trains a tiny model", async () => {
  await wg.ready();
  const info = wg.backendInfo();
  expect(info.simd).toBe(true);
  expect(info.relaxedSimd).toBe(true);
  expect(info.wasmBytes).toBeGreaterThan(1000);

  wg.manualSeed(3);
  const model = new wg.nn.Sequential(
    new wg.nn.Linear(4, 16),
    new wg.nn.ReLU(),
    new wg.nn.Linear(16, 3),
  );
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = wg.randn([24, 4]);
  const labels = wg.tidy(() => x.matmul(wg.randn([4, 3])).argmax(1));
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    losses.push(
      wg.tidy(() => {
        const loss = wg.F.crossEntropy(model.forward(x), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
  model.dispose();
  opt.dispose();
  x.dispose();
  expect(wg.memory().liveTensors).toBe(0);
});

it("computes the same matmul and softmax as plain JavaScript", () => {
  const a = wg.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = wg.tensor([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  const c = a.matmul(b);
  expect(c.toArray()).toEqual([
    [4, 5],
    [10, 11],
  ]);
  const s = c.softmax(1).data();
  const e = Math.exp(1);
  expect(s[1]).toBeCloseTo(e / (1 + e), 6);
  for (const t of [a, b, c]) t.dispose();
});
