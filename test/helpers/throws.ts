/** Expectations on wasmgrad's errors, shared by the error-message tests. */
import { expect } from "vitest";
import * as wg from "wasmgrad";

/**
 * Expects `fn` (run in tidy) to throw a WasmgradError whose message is `pattern` (a string,
 * exactly) or matches it (a RegExp).
 */
export function throwsWg(fn: () => unknown, pattern: RegExp | string): void {
  let caught: unknown = null;
  try {
    wg.tidy(() => {
      fn();
    });
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(wg.WasmgradError);
  expect((caught as Error).name).toBe("WasmgradError");
  if (typeof pattern === "string") expect((caught as Error).message).toBe(pattern);
  else expect((caught as Error).message).toMatch(pattern);
}
