/**
 * The one error type wasmgrad throws for bad input. Messages name the op, what it received and
 * what it expected, e.g. `matmul: cannot multiply [2,3] by [4,5]: inner dimensions 3 and 4 differ`.
 *
 * PyTorch: `RuntimeError / ValueError / TypeError`.
 *
 * @example
 * ```ts
 * try { wg.zeros(2).add(wg.zeros(3)); } catch (e) { console.log(e instanceof wg.WasmgradError); } // true
 * ```
 */
export class WasmgradError extends Error {
  /** "WasmgradError", so that `error.name` tells wasmgrad's errors apart. */
  override name = "WasmgradError";
}

/** Formats a shape the way every message shows it: `[2,3]`. */
export function fmt(shape: readonly number[]): string {
  // A shape built from a caller's values may hold anything: never throw while reporting it.
  return `[${shape.map(element).join(",")}]`;
}

function element(v: unknown): string {
  if (typeof v === "number") return String(v);
  if (typeof v === "symbol") return v.toString();
  try {
    return String(v).slice(0, 20);
  } catch {
    return typeof v;
  }
}
