/**
 * dtype conversion (`t.to(dtype)`, `.float()`, `.int()`, `.long()`, `.bool()`). float to int
 * truncates toward zero and anything to bool tests for nonzero, as PyTorch. Conversions are not
 * differentiable (only float32 carries gradients), except float32 to float32, which is the
 * tensor itself, as PyTorch's `to` returns self when nothing changes.
 */
import { backend, K } from "../backend/runtime.js";
import { checkDType, type DType } from "../dtype.js";
import { WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Args, args, describe, fail } from "../validate.js";

/**
 * A copy converted to `dtype` ("float32", "int32" or "bool"), or to the dtype of a tensor; the
 * tensor itself when nothing changes. A device ("cpu", the one there is) may come first or as
 * `{ device }`, as in PyTorch's `x.to(device)` and `x.to(device, dtype)`.
 *
 * PyTorch: `torch.Tensor.to`.
 *
 * @example
 * ```ts
 * wg.to(wg.tensor([1.7, -1.7]), "int32"); // [1, -1]
 * wg.to(wg.tensor([1, 2]), "cpu"); // the same tensor
 * ```
 */
export function to(
  x: Tensor,
  dtypeOrDevice: DType | string | Tensor,
  ...rest: Args<[dtype: DType | string], { dtype?: DType | string; device?: string }>
): Tensor {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`to: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
  const a = args("to", rest, ["dtype"], ["device"]);
  if (a.device !== undefined) device("to", a.device);
  let target: DType | undefined;
  if (dtypeOrDevice instanceof Tensor) target = dtypeOrDevice.dtype;
  else if (isDevice(dtypeOrDevice)) device("to", dtypeOrDevice);
  else target = checkDType("to", dtypeOrDevice);
  if (a.dtype !== undefined) {
    if (target !== undefined) fail("to", "dtype was given both positionally and as an option");
    target = checkDType("to", a.dtype);
  }
  if (target === undefined || target === x.dtype) return x;
  return castRaw("to", x, target);
}

/** Whether `v` names a device (PyTorch's "cpu", "cuda", "cuda:0", "mps", ...) and not a dtype. */
export function isDevice(v: unknown): boolean {
  return typeof v === "string" && /^(cpu|cuda|mps|xpu|meta)(:\d+)?$/.test(v);
}

/**
 * Checks a device argument: wasmgrad computes on the CPU (WebAssembly), so "cpu" (PyTorch's
 * default device, as `torch.device("cpu")` prints) is accepted and anything else refused.
 */
export function device(op: string, v: unknown): void {
  if (v === "cpu" || v === "cpu:0") return;
  fail(
    op,
    `device ${describe(v)} is not available: wasmgrad computes on the CPU through WebAssembly, so the one device is "cpu"`,
  );
}

/** A copy of `x` converted to `dtype` (a copy even when the dtype is the same). */
export function castRaw(op: string, x: Tensor, dtype: DType): Tensor {
  const src = x._rawPtr(op) >>> 2;
  const out = Tensor._empty(op, x.shape, dtype);
  const n = x.numel();
  const dst = out._rawPtr(op) >>> 2;
  if (x.dtype === dtype || (x.dtype === "bool" && dtype === "float32")) {
    // bool is stored as float 0/1: converting it to float32 is a plain copy.
    K.copy_f32(dst << 2, src << 2, n);
    return out;
  }
  const f = backend.f32();
  const i = backend.i32();
  if (dtype === "bool") {
    const from = x.dtype === "int32" ? i : f;
    for (let k = 0; k < n; k++) f[dst + k] = from[src + k] !== 0 ? 1 : 0;
  } else if (dtype === "float32") {
    for (let k = 0; k < n; k++) f[dst + k] = i[src + k];
  } else {
    for (let k = 0; k < n; k++) i[dst + k] = Math.trunc(f[src + k]);
  }
  return out;
}

/**
 * `x` as float32 for an op that computes in float: x itself if it is float32, else a converted
 * copy (which the caller disposes when it is not x).
 */
export function asFloat(op: string, x: Tensor): Tensor {
  return x.dtype === "float32" ? x : castRaw(op, x, "float32");
}
