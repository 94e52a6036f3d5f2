/**
 * Results that are an array with names, as PyTorch's named tuples: `const [values, indices] =
 * x.max(1)` and `const { values, indices } = x.max(1)` both work. tidy() keeps the tensors of a
 * returned result, since it is an array.
 */
import type { Tensor } from "./tensor.js";

/** `[values, indices]`, also readable as `.values` and `.indices`. */
export type ValuesIndices = [Tensor, Tensor] & {
  /** The values (the first element). */
  readonly values: Tensor;
  /** The int32 indices (the second element). */
  readonly indices: Tensor;
};

export function valuesIndices(values: Tensor, indices: Tensor): ValuesIndices {
  const result = [values, indices] as [Tensor, Tensor];
  Object.defineProperty(result, "values", { value: values, enumerable: false });
  Object.defineProperty(result, "indices", { value: indices, enumerable: false });
  return result as ValuesIndices;
}
