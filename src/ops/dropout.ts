/**
 * dropout(x, p = 0.5, training = true), as torch.nn.functional.dropout: in training, each
 * element is zeroed with probability p and the rest are scaled by 1 / (1 - p), so the expected
 * value is unchanged; otherwise (or with p = 0) x itself is returned. The mask comes from
 * wasmgrad's generator, so `manualSeed` makes it reproducible; the gradient uses the same mask.
 */
import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { nextU32 } from "../random.js";
import { Tensor } from "../tensor.js";
import { mul } from "./binary.js";
import { tensorArg } from "./conv.js";

export function dropout(input: Tensor, p = 0.5, training = true): Tensor {
  const op = "dropout";
  const x = tensorArg(op, "input", input);
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
    throw new WasmgradError(`${op}: probability p must be between 0 and 1 but got ${p}`);
  }
  if (!training || p === 0) return x;
  const mask = Tensor._empty(op, x.shape);
  const f32 = backend.f32();
  const base = mask.ptr >>> 2;
  if (p === 1) f32.fill(0, base, base + mask.size);
  else {
    const scale = 1 / (1 - p);
    // Keep an element when a uniform 32-bit draw is at or above p * 2^32.
    const threshold = p * 4294967296;
    for (let i = 0; i < mask.size; i++) f32[base + i] = nextU32() >= threshold ? scale : 0;
  }
  // The mask lives as long as the graph that multiplies by it (or the enclosing tidy scope).
  return mul(x, mask);
}
