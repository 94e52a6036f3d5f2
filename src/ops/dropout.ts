/**
 * dropout(x, p = 0.5, training = true), as torch.nn.functional.dropout: in training, each
 * element is zeroed with probability p and the rest are scaled by 1 / (1 - p), so the expected
 * value is unchanged; otherwise (or with p = 0) x itself is returned. The mask comes from
 * wasmgrad's generator, so `manualSeed` makes it reproducible; the gradient uses the same mask.
 */
import { K, meta } from "../backend/runtime.js";
import { nextU32 } from "../random.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, num, tensorArg } from "../validate.js";
import { mul } from "./binary.js";

/**
 * `dropout(input, p = 0.5, training = true, inplace = false)`, or the options.
 *
 * PyTorch: `torch.nn.functional.dropout`.
 *
 * @example
 * ```ts
 * wg.F.dropout(wg.ones(2, 4), { p: 0.5, training: true }); // zeros, and the rest scaled to 2
 * ```
 */
export function dropout(
  input: Tensor,
  ...rest: Args<
    [p: number, training: boolean, inplace: boolean],
    { p?: number; training?: boolean; inplace?: boolean }
  >
): Tensor {
  const op = "dropout";
  const a = args(op, rest, ["p", "training", "inplace"]);
  const x = tensorArg(op, "input", input);
  const p = num(op, "probability p", a.p ?? 0.5, { min: 0, max: 1 });
  const training = bool(op, "training", a.training ?? true);
  bool(op, "inplace", a.inplace ?? false);
  if (!training || p === 0) return x;
  const mask = Tensor._empty(op, x.shape);
  if (p === 1) K.fill_f32(mask.ptr, mask.numel(), 0);
  else if (mask.numel() > 0) {
    // Keep an element when a uniform 32-bit draw is at or above p * 2^32; the kernel's four
    // generators are seeded from wasmgrad's, so manualSeed makes the mask reproducible.
    const seeds = Array.from({ length: 16 }, () => nextU32() | 0);
    for (let lane = 0; lane < 4; lane++) seeds[lane] |= 1; // no lane may start all-zero
    const threshold = Math.min(Math.ceil(p * 4294967296), 4294967295) | 0;
    K.dropout_mask_f32(mask.ptr, mask.numel(), threshold, 1 / (1 - p), meta(seeds));
  }
  // The mask lives as long as the graph that multiplies by it (or the enclosing tidy scope).
  return mul(x, mask);
}
