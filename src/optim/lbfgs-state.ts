/**
 * LBFGS's history (the curvature pairs and the last step) and its state-dict form: PyTorch's
 * per-parameter state of the first parameter, with the lists of vectors stacked into 2-D
 * tensors (oldDirs, oldStps: [k, n]; ro: [k]) so that it saves as safetensors.
 */
import { WasmgradError } from "../errors.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe, hyper, intAtLeast } from "../validate.js";
import type { ParamState } from "./state.js";

export interface History {
  funcEvals: number;
  nIter: number;
  d?: Float32Array;
  t?: number;
  oldDirs: Float32Array[];
  oldStps: Float32Array[];
  ro: number[];
  hDiag: number;
  prevFlatGrad?: Float32Array;
  prevLoss?: number;
}

export function emptyHistory(): History {
  return { funcEvals: 0, nIter: 0, oldDirs: [], oldStps: [], ro: [], hDiag: 1 };
}

/** The state entry; `own` turns data into a tensor the optimizer owns. */
export function historyToEntry(
  h: History,
  n: number,
  own: (data: Float32Array, shape: number[]) => Tensor,
): ParamState {
  const k = h.oldDirs.length;
  const stack = (rows: Float32Array[]): Float32Array => {
    const out = new Float32Array(k * n);
    for (const [i, r] of rows.entries()) out.set(r, i * n);
    return out;
  };
  const entry: ParamState = { funcEvals: h.funcEvals, nIter: h.nIter, hDiag: h.hDiag };
  if (h.t !== undefined) entry.t = h.t;
  if (h.prevLoss !== undefined) entry.prevLoss = h.prevLoss;
  if (h.d !== undefined) entry.d = own(h.d, [n]);
  if (h.prevFlatGrad !== undefined) entry.prevFlatGrad = own(h.prevFlatGrad, [n]);
  entry.oldDirs = own(stack(h.oldDirs), [k, n]);
  entry.oldStps = own(stack(h.oldStps), [k, n]);
  entry.ro = own(Float32Array.from(h.ro), [k]);
  return entry;
}

/** The history from a state entry (copies of its data), every part checked. */
export function historyFromEntry(op: string, entry: ParamState, n: number): History {
  if (entry === null || typeof entry !== "object") {
    throw new WasmgradError(
      `${op}: the state of parameter 0 must be an object, got ${describe(entry)}`,
    );
  }
  const count = (name: string): number =>
    hyper(op, name, entry[name], intAtLeast(0), "an integer >= 0");
  const vec = (name: string, len: number): Float32Array | undefined => {
    const t = entry[name];
    if (t === undefined) return undefined;
    if (!(t instanceof Tensor) || (len >= 0 && sizeOf(t.shape) !== len)) {
      throw new WasmgradError(
        `${op}: state ${name} must be a Tensor of ${len} elements, got ${describe(t)}`,
      );
    }
    return t.data() as Float32Array;
  };
  const ro = vec("ro", -1);
  if (ro === undefined)
    throw new WasmgradError(`${op}: the state lacks ro (a Tensor of the curvature pairs' 1/(y·s))`);
  const k = ro.length;
  const rows = (name: string): Float32Array[] => {
    const all = vec(name, k * n);
    if (all === undefined) throw new WasmgradError(`${op}: the state lacks ${name}`);
    return Array.from({ length: k }, (_, i) => all.slice(i * n, (i + 1) * n));
  };
  const opt = (name: string) =>
    entry[name] === undefined
      ? undefined
      : hyper(op, name, entry[name], Number.isFinite, "a finite number");
  return {
    funcEvals: count("funcEvals"),
    nIter: count("nIter"),
    d: vec("d", n),
    t: opt("t"),
    oldDirs: rows("oldDirs"),
    oldStps: rows("oldStps"),
    ro: Array.from(ro),
    hDiag: hyper(op, "hDiag", entry.hDiag, Number.isFinite, "a finite number"),
    prevFlatGrad: vec("prevFlatGrad", n),
    prevLoss: opt("prevLoss"),
  };
}
