/**
 * dropout(x, p = 0.5, training = true), as torch.nn.functional.dropout: in training, each
 * element is zeroed with probability p and the rest are scaled by 1 / (1 - p), so the expected
 * value is unchanged; otherwise (or with p = 0) x itself is returned. The mask comes from
 * wasmgrad's generator, so `manualSeed` makes it reproducible; the gradient uses the same mask.
 */
import { K, meta } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { nextU32 } from "../random.js";
import { Tensor } from "../tensor.js";
import { tensorArg } from "../validate.js";
import { mul } from "./binary.js";

export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  const op = "dropout";
  const x = tensorArg(op, "input", input);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new WasmgradError(`${op}: probability p must be between 0 and 1 but got ${p}`);
  }
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
