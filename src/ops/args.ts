/**
 * PyTorch-style arguments for the attention-family ops and layers: what PyTorch takes
 * positionally may come positionally, and anything it accepts as a keyword may come in one
 * trailing options object with camelCase keys. Unknown keys are errors (snake_case gets a
 * "did you mean"), and an argument given both ways is an error.
 */
import { WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";

/** A plain object (not a Tensor, array or class instance): a trailing options object. */
export function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v) || v instanceof Tensor) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Throws for keys of `options` not in `allowed`, suggesting the camelCase spelling. */
export function checkKeys(op: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const c = camel(key);
    const hint = c !== key && allowed.includes(c) ? `; did you mean ${c}?` : "";
    throw new WasmgradError(
      `${op}: unknown option "${key}"${hint} (expected one of ${allowed.join(", ")})`,
    );
  }
}

/**
 * Merges positional `args` (in PyTorch's order `names`) and a trailing options object into one
 * record. `args` is what follows the required arguments.
 */
export function parseArgs(
  op: string,
  args: readonly unknown[],
  names: readonly string[],
): Record<string, unknown> {
  let positional = args;
  let options: Record<string, unknown> = {};
  const last = args[args.length - 1];
  if (args.length > 0 && isOptions(last)) {
    positional = args.slice(0, -1);
    options = last;
  }
  // Trailing undefineds are "not given", as in a call that spells out defaults.
  let n = positional.length;
  while (n > 0 && positional[n - 1] === undefined) n--;
  if (n > names.length) {
    throw new WasmgradError(
      `${op}: takes at most ${names.length} optional positional arguments (${names.join(", ")}) but got ${n}`,
    );
  }
  checkKeys(op, options, names);
  const out: Record<string, unknown> = { ...options };
  for (let i = 0; i < n; i++) {
    if (positional[i] === undefined) continue;
    if (names[i] in options) {
      throw new WasmgradError(`${op}: got ${names[i]} both positionally and in the options`);
    }
    out[names[i]] = positional[i];
  }
  return out;
}

export function boolArg(op: string, name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") {
    throw new WasmgradError(`${op}: ${name} must be a boolean but got ${String(v)}`);
  }
  return v;
}

export function numberArg(op: string, name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== "number" || Number.isNaN(v)) {
    throw new WasmgradError(`${op}: ${name} must be a number but got ${String(v)}`);
  }
  return v;
}

export function intArg(op: string, name: string, v: unknown, min: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
    throw new WasmgradError(`${op}: ${name} must be an integer >= ${min} but got ${String(v)}`);
  }
  return v;
}

export function optionalTensor(op: string, name: string, v: unknown): Tensor | null {
  if (v === undefined || v === null) return null;
  if (!(v instanceof Tensor)) {
    throw new WasmgradError(`${op}: ${name} must be a Tensor or null but got ${typeof v}`);
  }
  v._live(op);
  return v;
}
