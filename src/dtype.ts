/**
 * The three dtypes and PyTorch's promotion between them. Every dtype is stored as 4-byte
 * elements: float32 as f32, int32 as i32, and bool as f32 0/1, so that masks go straight through
 * the float kernels (broadcasting, where, maskedFill, reductions) with no per-dtype variants; the
 * cost is 4 bytes per mask element instead of 1, and masks are short-lived.
 */
import { WasmgradError } from "./errors.js";

/**
 * The element types: "float32", "int32" and "bool".
 *
 * PyTorch: `torch.dtype`.
 */
export type DType = "float32" | "int32" | "bool";

/**
 * The float32 dtype name, for `{ dtype: wg.float32 }`.
 *
 * PyTorch: `torch.float32`.
 *
 * @example
 * ```ts
 * wg.tensor([1, 2], { dtype: wg.float32 });
 * ```
 */
export const float32: DType = "float32";
/**
 * The int32 dtype name, for `{ dtype: wg.int32 }`.
 *
 * PyTorch: `torch.int32`.
 *
 * @example
 * ```ts
 * wg.tensor([1, 2], { dtype: wg.int32 });
 * ```
 */
export const int32: DType = "int32";
/**
 * PyTorch's int64 `long`: an alias of int32 here, so that ported code runs.
 *
 * PyTorch: `torch.long`.
 *
 * @example
 * ```ts
 * wg.tensor([1, 2], { dtype: wg.long }).dtype; // "int32"
 * ```
 */
export const long: DType = "int32";

/**
 * PyTorch's 64-bit integer dtype, which wasmgrad stores as "int32" (the same as {@link long}),
 * so that `{ dtype: wg.int64 }` ports as it is.
 *
 * PyTorch: `torch.int64`.
 *
 * @example
 * ```ts
 * wg.tensor([1, 2], { dtype: wg.int64 }).dtype; // "int32"
 * ```
 */
export const int64: DType = "int32";

/**
 * PyTorch's `torch.int`: "int32".
 *
 * PyTorch: `torch.int`.
 *
 * @example
 * ```ts
 * wg.zeros([2], { dtype: wg.int }).dtype; // "int32"
 * ```
 */
export const int: DType = "int32";

/**
 * PyTorch's `torch.float`: "float32".
 *
 * PyTorch: `torch.float`.
 *
 * @example
 * ```ts
 * wg.zeros([2], { dtype: wg.float }).dtype; // "float32"
 * ```
 */
export const float: DType = "float32";
/**
 * The bool dtype name, for `{ dtype: wg.bool }`.
 *
 * PyTorch: `torch.bool`.
 *
 * @example
 * ```ts
 * wg.zeros([2], { dtype: wg.bool });
 * ```
 */
export const bool: DType = "bool";

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

/** The dtype of a binary op's result, as torch.result_type (int with float gives float). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype a number operand takes part as: PyTorch's Python ints keep integer tensors integer
 * and Python floats make them float. JavaScript has one number type, so an integral value counts
 * as an int and any other value (1.5, NaN, Infinity) as a float.
 */
export function scalarType(s: number): DType {
  return Number.isInteger(s) ? "int32" : "float32";
}

/** The result dtype of a tensor of dtype `t` combined with the number `s`. */
export function promoteScalar(t: DType, s: number): DType {
  if (t === "float32") return t;
  const st = scalarType(s);
  return t === "bool" ? st : promoteTypes(t, st);
}

/** A short text for a bad dtype that never throws (a Symbol, or an array holding one, would). */
function dtypeText(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.slice(0, 40));
  if (typeof v === "symbol") return v.toString();
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return String(v);
  return Array.isArray(v) ? `an array of ${v.length}` : `a ${typeof v}`;
}

/** Checks a dtype given by the user; "long" and "int" are accepted as int32, "float" as float32. */
export function checkDType(op: string, dtype: unknown): DType {
  switch (dtype) {
    case "float32":
    case "float":
      return "float32";
    case "int32":
    case "int":
    case "long":
    case "int64":
      return "int32";
    case "bool":
      return "bool";
  }
  throw new WasmgradError(
    `${op}: unknown dtype ${dtypeText(dtype)}; expected "float32", "int32" (wg.long) or "bool"`,
  );
}
