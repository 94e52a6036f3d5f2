/** The one-time warning for tensors piling up outside tidy, naming the remedy. */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";
import { _resetLeakWarning, LEAK_WARNING } from "../../src/memory.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("memory without tidy", () => {
  it("warns once when thousands of tensors made outside tidy stay alive, not inside tidy", () => {
    _resetLeakWarning();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const base = wg.memory().liveTensors;
    // Inside tidy nothing piles up.
    for (let i = 0; i < LEAK_WARNING + 10; i++) {
      wg.tidy(() => {
        wg.zeros(1).add(1);
      });
    }
    expect(warn).not.toHaveBeenCalled();
    const kept: wg.Tensor[] = [];
    for (let i = 0; i < LEAK_WARNING + 10; i++) kept.push(wg.zeros(1));
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toMatch(
      /tensors \(.* MiB in all\) made outside wg\.tidy are still alive: .*dispose\(\).*using.*wg\.tidy/,
    );
    for (let i = 0; i < 100; i++) kept.push(wg.zeros(1));
    expect(warn).toHaveBeenCalledTimes(1);
    for (const t of kept) t.dispose();
    expect(wg.memory().liveTensors).toBe(base);
  });

  it("names the remedy when a disposed tensor is used", () => {
    const t = wg.tidy(() => {
      const inner = wg.ones(2);
      return inner.mul(2).add(inner);
    });
    const u = wg.ones(2);
    u.dispose();
    expect(() => u.add(1)).toThrow(/tensor was disposed .*return it from the callback/);
    t.dispose();
  });
});
