/**
 * Arguments of optimizers and schedulers as PyTorch takes them: what PyTorch accepts
 * positionally may come positionally, in PyTorch's order, and everything may come in one
 * trailing options object with camelCase keys. One argument given both ways, a positional
 * argument too many or an unknown key is an error; a snake_case key gets "did you mean ...?".
 * A thin layer over validate.ts, with the messages of PyTorch's hyper-parameter checks
 * ("invalid lr -1: expected a number >= 0").
 */
import { WasmgradError } from "../errors.js";
import { describe, args as validateArgs, options as validateOptions } from "../validate.js";

/** A short rendering of a value for messages (validate.ts's `describe`). */
export function show(v: unknown): string {
  return describe(v);
}

/** Refuses keys not in `known`, suggesting the camelCase spelling of a snake_case one. */
export function checkKeys(op: string, options: object, known: readonly string[]): void {
  validateOptions(op, options, known);
}

/**
 * Merges positional `args` (in the order of `positional`) with a trailing options object whose
 * keys must be among `known` (validate.ts's `args`). Returns the merged options; absent ones
 * are left out.
 */
export function parseArgs(
  op: string,
  args: readonly unknown[],
  positional: readonly string[],
  known: readonly string[],
): Record<string, unknown> {
  const list = [...args];
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  const keywordOnly = known.filter((k) => !positional.includes(k));
  const out = validateArgs(op, list, positional, keywordOnly) as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

/** A number satisfying `test`, or an error naming `op`, the option and what was wanted. */
export function num(
  op: string,
  name: string,
  v: unknown,
  test: (v: number) => boolean,
  want: string,
): number {
  if (typeof v !== "number" || !test(v)) {
    throw new WasmgradError(`${op}: invalid ${name} ${show(v)}: expected ${want}`);
  }
  return v;
}

/** A finite number >= 0 (PyTorch takes Infinity; a rate of Infinity is always a mistake). */
export const nonNegative = (v: number): boolean => v >= 0 && Number.isFinite(v);
export const finite = (v: number): boolean => Number.isFinite(v);
export const intAtLeast =
  (min: number) =>
  (v: number): boolean =>
    Number.isInteger(v) && v >= min;

export function flag(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") {
    throw new WasmgradError(`${op}: invalid ${name} ${show(v)}: expected true or false`);
  }
  return v;
}

/** Two numbers in [0, 1), as Adam's betas. */
export function betasOf(op: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) {
    throw new WasmgradError(`${op}: invalid betas ${show(v)}: expected two numbers in [0, 1)`);
  }
  v.forEach((b, i) => {
    num(op, `betas[${i}]`, b, (x) => x >= 0 && x < 1, "a number in [0, 1)");
  });
  return [v[0], v[1]];
}
