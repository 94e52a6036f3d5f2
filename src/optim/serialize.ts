/**
 * Optimizer state through safetensors, so that a run resumes in another process: an optimizer's
 * state dict becomes named tensors plus a JSON string in the file's metadata, and back.
 *
 *   const { tensors, metadata } = optim.stateDictToTensors(opt.stateDict());
 *   const bytes = wg.save({ ...model.stateDict(), ...tensors }, metadata);
 *   // later, elsewhere:
 *   const loaded = wg.load(bytes);
 *   model.loadStateDict(loaded, { strict: false });   // or pick the model's keys
 *   opt.loadStateDict(optim.stateDictFromTensors(loaded, wg.loadMetadata(bytes)));
 *
 * Tensors are named `<prefix>state.<index>.<name>`; numbers (step counts) and the parameter
 * groups go into the metadata entry `<prefix>json`. The prefix ("optimizer." by default) keeps
 * them apart from a model's parameters in one file.
 */
import { WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { describe } from "../validate.js";
import type { OptimizerStateDict } from "./optimizer.js";
import type { ParamState } from "./state.js";

interface Saved {
  paramGroups: OptimizerStateDict["paramGroups"];
  /** Per parameter index: its numbers, and the names of its tensors. */
  state: Record<string, { numbers: Record<string, number>; tensors: string[] }>;
}

/**
 * The state dict as tensors (the live state tensors, not copies) and string metadata.
 *
 * PyTorch: no counterpart (flattens an optimizer state dict into tensors for `save`).
 *
 * @example
 * ```ts
 * const { tensors, metadata } = wg.optim.stateDictToTensors(optimizer.stateDict());
 * const bytes = wg.save(tensors, metadata);
 * ```
 */
export function stateDictToTensors(
  sd: OptimizerStateDict,
  prefix = "optimizer.",
): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (sd === null || typeof sd !== "object" || !Array.isArray(sd.paramGroups)) {
    throw new WasmgradError(
      `stateDictToTensors: expected an optimizer's stateDict() but got ${describe(sd)}`,
    );
  }
  const tensors: Record<string, Tensor> = {};
  const saved: Saved = { paramGroups: sd.paramGroups, state: {} };
  for (const [idx, entry] of Object.entries(sd.state)) {
    const s: Saved["state"][string] = { numbers: {}, tensors: [] };
    for (const [name, v] of Object.entries(entry)) {
      if (v instanceof Tensor) {
        tensors[`${prefix}state.${idx}.${name}`] = v;
        s.tensors.push(name);
      } else s.numbers[name] = v;
    }
    saved.state[idx] = s;
  }
  return { tensors, metadata: { [`${prefix}json`]: JSON.stringify(saved) } };
}

/**
 * The state dict back from `wg.load`'s tensors and `wg.loadMetadata`'s map (other entries, such
 * as a model's parameters, are ignored). The tensors are the loaded ones: `loadStateDict` copies
 * them, so dispose them afterwards.
 *
 * PyTorch: no counterpart (rebuilds an optimizer state dict from the tensors `save` wrote).
 *
 * @example
 * ```ts
 * const { tensors, metadata } = wg.optim.stateDictToTensors(optimizer.stateDict());
 * const bytes = wg.save(tensors, metadata);
 * optimizer.loadStateDict(wg.optim.stateDictFromTensors(wg.load(bytes), wg.loadMetadata(bytes)));
 * ```
 */
export function stateDictFromTensors(
  tensors: Record<string, Tensor>,
  metadata: Record<string, string>,
  prefix = "optimizer.",
): OptimizerStateDict {
  const op = "stateDictFromTensors";
  if (typeof prefix !== "string") {
    throw new WasmgradError(`${op}: prefix must be a string but got ${describe(prefix)}`);
  }
  const text = metadata?.[`${prefix}json`];
  if (typeof text !== "string") {
    throw new WasmgradError(
      `${op}: the metadata has no "${prefix}json" entry (was the file written with stateDictToTensors' metadata?)`,
    );
  }
  let saved: Saved;
  try {
    saved = JSON.parse(text) as Saved;
  } catch (cause) {
    throw new WasmgradError(`${op}: "${prefix}json" is not valid JSON`, { cause });
  }
  if (
    saved === null ||
    typeof saved !== "object" ||
    !Array.isArray(saved.paramGroups) ||
    typeof saved.state !== "object" ||
    saved.state === null
  ) {
    throw new WasmgradError(`${op}: "${prefix}json" must hold { paramGroups, state }`);
  }
  const state: Record<number, ParamState> = {};
  for (const [idx, s] of Object.entries(saved.state)) {
    const entry: ParamState = { ...(s?.numbers ?? {}) };
    for (const name of s?.tensors ?? []) {
      const t = tensors[`${prefix}state.${idx}.${name}`];
      if (!(t instanceof Tensor)) {
        throw new WasmgradError(
          `${op}: the file lacks the tensor "${prefix}state.${idx}.${name}" its metadata lists`,
        );
      }
      entry[name] = t;
    }
    state[Number(idx)] = entry;
  }
  return { state, paramGroups: saved.paramGroups };
}
