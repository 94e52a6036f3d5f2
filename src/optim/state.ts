/**
 * Per-parameter optimizer state: tensors shaped like the parameter (moment estimates, buffers)
 * and plain numbers (the step count). stateDict() hands out the live tensors; loadStateDict()
 * copies them into tensors the loading optimizer owns, so a fresh optimizer loaded from another's
 * state continues exactly where that one stopped.
 */
import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";

/** One parameter's state: tensors shaped like the parameter, and counts such as `step`. */
export type ParamState = Record<string, Tensor | number>;

export function disposeState(s: ParamState): void {
  for (const t of Object.values(s)) if (t instanceof Tensor) t.dispose();
}

/** A checked copy of `entry` (the state of parameter `key`, which is `p`). */
export function copyState(
  op: string,
  key: string,
  p: Tensor,
  entry: ParamState,
  newState: (p: Tensor) => Tensor,
): ParamState {
  const own: ParamState = {};
  if (entry === null || typeof entry !== "object") {
    throw new WasmgradError(`${op}: the state of parameter ${key} is not an object`);
  }
  try {
    for (const [name, src] of Object.entries(entry)) {
      if (typeof src === "number") {
        // A step count is what bias corrections raise betas to: a negative or fractional one
        // would silently give wrong updates.
        if (!Number.isFinite(src) || (name === "step" && !(Number.isInteger(src) && src >= 0))) {
          throw new WasmgradError(
            `${op}: state ${name} of parameter ${key} is ${src}${name === "step" ? "; expected an integer >= 0" : ""}`,
          );
        }
        if (name === "step" && !(Number.isInteger(src) && src >= 0)) {
          throw new WasmgradError(
            `${op}: state step of parameter ${key} is ${src}, expected an integer >= 0`,
          );
        }
        own[name] = src;
        continue;
      }
      if (!(src instanceof Tensor)) {
        throw new WasmgradError(
          `${op}: state ${name} of parameter ${key} is neither a Tensor nor a number`,
        );
      }
      const n = sizeOfShape(src.shape);
      const want = sizeOfShape(p.shape);
      if (n !== want) {
        throw new WasmgradError(
          `${op}: state ${name} of parameter ${key} has shape ${fmt(src.shape)} but the parameter has ${fmt(p.shape)}`,
        );
      }
      const t = newState(p);
      own[name] = t;
      K.copy_f32(t.ptr, src._ptr(op), n);
    }
  } catch (e) {
    disposeState(own);
    throw e;
  }
  return own;
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
