/**
 * Arguments of optimizers and schedulers as PyTorch takes them: what PyTorch accepts
 * positionally may come positionally, in PyTorch's order, and everything may come in one
 * trailing options object with camelCase keys. One argument given both ways, a positional
 * argument too many or an unknown key is an error; a snake_case key gets "did you mean ...?".
 */
import { WasmgradError } from "../errors.js";

/** A short rendering of a value for messages: 0.5, "x", [0.9,0.999], an object, a Tensor. */
export function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) {
    return String(v);
  }
  if (Array.isArray(v)) return v.length <= 4 ? `[${v.map(show).join(",")}]` : "an array";
  if (typeof v === "function") return "a function";
  return (v as object).constructor?.name ?? "an object";
}

/** PyTorch's snake_case spelling in camelCase: weight_decay → weightDecay, T_max → tMax. */
function camel(name: string): string {
  const c = name.replace(/_([a-z0-9])/gi, (_, ch: string) => ch.toUpperCase());
  return c.charAt(0).toLowerCase() + c.slice(1);
}

/** Refuses keys not in `known`, suggesting the camelCase spelling of a snake_case one. */
export function checkKeys(op: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const c = camel(key);
    const hint = c !== key && known.includes(c) ? ` (did you mean ${c}?)` : "";
    throw new WasmgradError(
      `${op}: unknown option "${key}"${hint}: expected one of ${known.join(", ")}`,
    );
  }
}

function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges positional `args` (in the order of `positional`) with a trailing options object whose
 * keys must be among `known`. Returns the merged options; absent ones are left out.
 */
export function parseArgs(
  op: string,
  args: readonly unknown[],
  positional: readonly string[],
  known: readonly string[],
): Record<string, unknown> {
  let list = [...args];
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  let options: Record<string, unknown> = {};
  const last = list[list.length - 1];
  if (list.length > 0 && isOptionsObject(last)) {
    options = last;
    list = list.slice(0, -1);
  } else if (list.length > 0 && last !== null && typeof last === "object" && !Array.isArray(last)) {
    throw new WasmgradError(`${op}: options must be a plain object, got ${show(last)}`);
  }
  if (list.length > positional.length) {
    throw new WasmgradError(
      `${op}: got ${list.length} positional arguments after the first, expected at most ${positional.length} (${positional.join(", ")}); pass the rest in an options object`,
    );
  }
  checkKeys(op, options, known);
  const out: Record<string, unknown> = {};
  list.forEach((v, i) => {
    if (v !== undefined) out[positional[i]] = v;
  });
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    if (k in out) {
      throw new WasmgradError(`${op}: ${k} given both positionally and in the options object`);
    }
    out[k] = v;
  }
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

export const nonNegative = (v: number): boolean => v >= 0;
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
