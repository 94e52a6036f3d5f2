/**
 * A minimal strict-options check for the tensor-layer functions (until the shared validation
 * layer, src/validate.ts, is there to replace it): unknown keys are errors, and a snake_case key
 * gets the camelCase name it probably meant.
 */
import { WasmgradError } from "../errors.js";

/** Whether `v` is a plain options object (not an array, tensor or typed array). */
export function isOptions(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function camel(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Throws a WasmgradError naming `op` for any key of `opts` not in `allowed`. */
export function checkOptions(
  op: string,
  opts: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  if (!isOptions(opts)) {
    throw new WasmgradError(`${op}: expected an options object but got ${describe(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (allowed.includes(key)) continue;
    const guess = camel(key);
    const hint = guess !== key && allowed.includes(guess) ? ` (did you mean ${guess}?)` : "";
    throw new WasmgradError(
      `${op}: unknown option "${key}"${hint}; expected ${allowed.length === 0 ? "no options" : allowed.join(", ")}`,
    );
  }
  return opts;
}

export function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return (v as object).constructor?.name ?? "an object";
  return typeof v;
}
