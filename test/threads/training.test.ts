/**
 * A long threaded training loop keeps memory flat (only the main thread allocates; workers use
 * the scratch they were given once), and disposing tensors while workers exist is safe.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("memory stays flat over 300 threaded training steps, with tensors disposed between them", async () => {
  expect(wg.setNumThreads(2, { minWorkMicros: 0 })).toBe(2);
  await wg.ready();
  expect(wg.backendInfo().threads).toBe(2);
  wg.manualSeed(7);
  const model = new wg.nn.Sequential(
    new wg.nn.Linear(96, 160),
    new wg.nn.ReLU(),
    new wg.nn.Linear(160, 10),
  );
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
  const x = wg.randn([130, 96]);
  const labels = wg.tidy(() => x.matmul(wg.randn([96, 10])).argmax(1));
  const step = (): number =>
    wg.tidy(() => {
      const loss = wg.F.crossEntropy(model.forward(x), labels);
      opt.zeroGrad();
      loss.backward();
      opt.step();
      return loss.item();
    });
  const first = step();
  for (let i = 0; i < 20; i++) step();
  const before = wg.memory();
  let last = first;
  let mid = before;
  for (let i = 0; i < 280; i++) {
    // The allocator may grow the heap once while the allocation pattern settles (it does
    // once, within the first 30 steps, depending on the order tensors are freed in); a leak
    // grows it again and again, so the heap size is compared over the second half of the run.
    if (i === 140) mid = wg.memory();
    last = step();
    // Tensors made and disposed between steps, while the workers sit idle in their loop.
    const t = wg.randn([200, 200]);
    wg.matmul(t, t).dispose();
    t.dispose();
  }
  const after = wg.memory();
  expect(after.liveTensors).toBe(before.liveTensors);
  expect(after.liveBytes).toBe(before.liveBytes);
  expect(after.wasmBytes).toBe(mid.wasmBytes);
  expect(last).toBeLessThan(first * 0.5);
  model.dispose();
  opt.dispose();
  x.dispose();
});
