import { expect, it, vi } from "vitest";
import * as wg from "wasmgrad";

it("a page without cross-origin isolation runs on one thread, says why once, and never throws", async () => {
  expect(globalThis.crossOriginIsolated).toBe(false);
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  wg.setNumThreads(4, { minWorkMicros: 0 });
  const a = wg.randn([200, 200]);
  const c = wg.matmul(a, a); // would start the pool
  await wg.ready();
  expect(wg.getNumThreads()).toBe(1);
  expect(wg.backendInfo().threads).toBe(1);
  expect(wg.backendInfo().threadsReason).toMatch(
    /not cross-origin isolated.*Cross-Origin-Opener-Policy/,
  );
  wg.matmul(a, a).dispose();
  expect(warn).toHaveBeenCalledOnce();
  a.dispose();
  c.dispose();
});
