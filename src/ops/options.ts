/**
 * Options handling for the tensor-layer functions, on top of the shared validation layer
 * (src/validate.ts): unknown keys are WasmgradErrors naming the op, and a snake_case key gets the
 * camelCase name it probably meant.
 */
import { describe as describeValue, isPlainObject, options } from "../validate.js";

/** Whether `v` is a plain options object (not an array, tensor or typed array). */
export function isOptions(v: unknown): v is Record<string, unknown> {
  return isPlainObject(v);
}

/** Throws a WasmgradError naming `op` for any key of `opts` not in `allowed`. */
export function checkOptions(
  op: string,
  opts: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  return options(op, opts, allowed) as Record<string, unknown>;
}

export function describe(v: unknown): string {
  return describeValue(v);
}
