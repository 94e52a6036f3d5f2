/** Copying selected rows of a tensor, shared by DataLoader and the datasets. */
import { backend } from "../backend/runtime.js";
import { Tensor } from "../tensor.js";

const OP = "DataLoader";

/**
 * Rows order[start..end) of `t` as a new tensor (runs of consecutive rows copied at once), of
 * shape [end - start, ...rest] unless `shape` (same element count) is given.
 */
export function gatherRows(
  t: Tensor,
  order: Int32Array,
  start: number,
  end: number,
  shape?: readonly number[],
): Tensor {
  const src = t._rawPtr(OP) >>> 2;
  const row = t.shape[0] === 0 ? 0 : t.numel() / t.shape[0];
  const out = Tensor._empty(OP, shape ?? [end - start, ...t.shape.slice(1)], t.dtype);
  const dst = out._rawPtr(OP) >>> 2;
  const f32 = backend.f32(); // after the allocation, which may have grown (detached) memory
  for (let k = start; k < end; ) {
    const first = order[k];
    let run = 1;
    while (k + run < end && order[k + run] === first + run) run++;
    f32.copyWithin(dst + (k - start) * row, src + first * row, src + (first + run) * row);
    k += run;
  }
  return out;
}
