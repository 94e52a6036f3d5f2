/**
 * In-place ops (add_, mul_, copy_, zero_, fill_, clamp_, ...) with PyTorch's safety rules:
 * - on a leaf that requires grad they are an error unless grad mode is off (`wg.noGrad`);
 * - every write bumps the storage's version, so a backward that needs the old values throws
 *   instead of computing with the new ones;
 * - when the autograd graph is involved, the op is computed out of place from a snapshot of
 *   the old values (which carries the tensor's history), the result is written back, and the
 *   tensor takes the result's node: gradients stay right.
 * Views share storage, so writing through one changes the others (p.detach().normal_()).
 */
import { isGradEnabled, noGrad, record } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { describe } from "../validate.js";
import { castRaw } from "./cast.js";

/** Whether a result of dtype `from` may be stored in a tensor of dtype `to` (PyTorch's can_cast). */
function canCast(from: string, to: string): boolean {
  return from === to || to === "float32" || (to === "int32" && from === "bool");
}

/**
 * Storages of the results of narrow, select, split, chunk, unbind and basic indexing that copies,
 * by the op that made them.
 * PyTorch returns views there; wasmgrad returns copies, so an in-place write would silently miss
 * the original tensor. Keyed by storage so that views and detach() of such a copy count too.
 */
const sliceCopies = new WeakMap<object, string>();

/** @internal records that `t` (each of `t`) is a copy where PyTorch returns a view. */
export function markSliceCopy<T extends Tensor | Tensor[]>(op: string, t: T): T {
  const list: readonly Tensor[] = Array.isArray(t) ? (t as Tensor[]) : [t as Tensor];
  for (const x of list) {
    const s = x._heldStorage();
    if (s !== null) sliceCopies.set(s, op);
  }
  return t;
}

function sliceOrigin(x: Tensor): string | undefined {
  const own = x._heldStorage();
  const base = x._base?._heldStorage() ?? null;
  return (
    (own === null ? undefined : sliceCopies.get(own)) ??
    (base === null ? undefined : sliceCopies.get(base))
  );
}

function target(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected a Tensor but got ${describe(x)}`);
  }
  x._live(op);
  const from = sliceOrigin(x);
  if (from !== undefined) {
    throw new WasmgradError(
      `${op}: this tensor comes from ${from}, which in wasmgrad returns a copy where PyTorch returns a view, so an in-place change would not reach the original tensor; change the original instead (indexPut_ with the same indices, or maskedFill_ with a mask of the region), or clone() the slice to work on a copy deliberately`,
    );
  }
  if (x._expand !== null) {
    throw new WasmgradError(
      `${op}: unsupported operation: more than one element of the written-to tensor (shape ${fmt(x.shape)}, made by expand) refers to a single memory location. Please clone() the tensor before performing the operation`,
    );
  }
  return x;
}

/** Copies `r` (contiguous, x's shape) into x's storage, through x's lazy permutation if any. */
function writeBack(op: string, x: Tensor, r: Tensor): void {
  const perm = x._perm;
  if (perm === null) {
    K.copy_f32(x._rawPtr(op), r._rawPtr(op), x.numel());
    return;
  }
  const inverse = new Array<number>(perm.length);
  perm.forEach((d, i) => {
    inverse[d] = i;
  });
  const back = Tensor._permuted(r, inverse);
  K.copy_f32(x._heldPtr(op), back._rawPtr(op), x.numel());
  back.dispose();
}

export interface InplaceOptions {
  /** copy_ converts any dtype into x's, as PyTorch's copy_ does. */
  anyCast?: boolean;
}

/**
 * Runs `compute` (an out-of-place op) on x's values and stores the result in x. `others` are
 * the other tensor operands (their requiresGrad matters for the graph).
 */
export function inplace(
  op: string,
  given: Tensor,
  others: readonly (Tensor | number | null | undefined)[],
  compute: (src: Tensor) => Tensor,
  options: InplaceOptions = {},
): Tensor {
  const x = target(op, given);
  const tracked =
    isGradEnabled() &&
    (x.requiresGrad || others.some((o) => o instanceof Tensor && o.requiresGrad));
  if (isGradEnabled() && x.requiresGrad && x._node === null) {
    throw new WasmgradError(
      `${op}: a leaf tensor that requires grad (shape ${fmt(x.shape)}) is being used in an in-place operation; do the update inside wg.noGrad(() => ...) or use the out-of-place op`,
    );
  }
  if (tracked && (x._base !== null || (x._heldStorage()?.refs ?? 1) > 1)) {
    throw new WasmgradError(
      `${op}: in-place operation on a tensor that shares its storage with a view (shape ${fmt(x.shape)}) while autograd is recording is not supported; use the out-of-place op`,
    );
  }
  // Read x through an alias so that a lazy permuted x keeps sharing its base's storage.
  const alias =
    x._perm === null
      ? x
      : Tensor._permuted(
          x,
          x.shape.map((_, i) => i),
        );
  let src = alias;
  if (tracked) {
    // A snapshot of the old values that continues x's history in the graph.
    src = castRaw(op, alias, x.dtype);
    src._node = x._node;
    if (x.requiresGrad) src.requiresGrad = true;
  }
  let r = tracked ? compute(src) : noGrad(() => compute(src));
  if (tracked && x.requiresGrad && !r.requiresGrad && r.dtype === "float32") {
    // fill_, zero_, normal_ ... do not depend on x's old values, but x stays in the graph with a
    // zero gradient to its history, as PyTorch's ZeroBackward/FillBackward.
    const old = src;
    record(
      r,
      op,
      [old],
      () => {
        const z = Tensor._empty(op, old.shape);
        K.fill_f32(z._ptr(op), z.numel(), 0);
        return [z];
      },
      [],
    );
  }
  if (r.dtype !== x.dtype) {
    if (!options.anyCast && !canCast(r.dtype, x.dtype)) {
      throw new WasmgradError(
        `${op}: result type ${r.dtype} can't be cast to the desired output type ${x.dtype} (convert the tensor with .float() first)`,
      );
    }
    const c = castRaw(op, r, x.dtype);
    r.dispose();
    r = c;
  }
  if (r.shape.length !== x.shape.length || r.shape.some((d, i) => d !== x.shape[i])) {
    throw new WasmgradError(
      `${op}: output with shape ${fmt(x.shape)} doesn't match the broadcast shape ${fmt(r.shape)}`,
    );
  }
  writeBack(op, x, r);
  x._bumpVersion();
  if (alias !== x) alias.dispose();
  if (tracked) {
    x._node = r._node;
    x.requiresGrad = r.requiresGrad;
    if (src !== alias && !r.requiresGrad) src.dispose();
  } else {
    if (src !== alias) src.dispose();
    r.dispose();
  }
  return x;
}
