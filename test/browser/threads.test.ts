import { expect, it } from "vitest";
import * as wg from "wasmgrad";

it("a cross-origin isolated page runs sgemm on 2 threads, bit for bit as on one", async () => {
  expect(globalThis.crossOriginIsolated).toBe(true);
  wg.manualSeed(11);
  const a = wg.randn([257, 300]);
  const b = wg.randn([300, 131]);
  wg.setNumThreads(1);
  const one = wg.matmul(a, b);
  expect(wg.setNumThreads(2, { minWorkMicros: 0 })).toBe(2);
  await wg.ready();
  expect(wg.backendInfo().threads).toBe(2);
  expect(wg.backendInfo().threadsReason).toBeUndefined();
  const two = wg.matmul(a, b);
  const [x, y] = [new Uint32Array(one.data().buffer), new Uint32Array(two.data().buffer)];
  expect(y).toEqual(x);
  for (const t of [a, b, one, two]) t.dispose();
});
