/**
 * Shape ops. reshape, flatten, squeeze, unsqueeze and detach are views (shared storage, no copy);
 * transpose and permute are lazy views, copied through the gather kernel the first time an op
 * needs their data (matmul never does); narrow, cat and stack copy row blocks.
 */
import { needsGrad, needsGradAny, record } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { type DType, promoteTypes } from "../dtype.js";
import { fmt, WasmgradError } from "../errors.js";
import { checkShape, normDim, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, describe, expectTensor, named } from "../validate.js";
import { castRaw } from "./cast.js";

/**
 * Sizes given either as one array or as separate numbers (`reshape(x, [2, 3])` or
 * `reshape(x, 2, 3)`), as the Tensor methods take them. No sizes at all is the empty shape, so
 * that `t.reshape(...u.shape)` works for a 0-d `u`.
 */
function sizesArg(op: string, args: readonly (number | readonly number[])[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args;
  if (!list.every((v) => typeof v === "number")) {
    throw new WasmgradError(
      `${op}: expected sizes as numbers or one array of numbers but got (${args.map((a) => describe(a)).join(", ")})`,
    );
  }
  return list as number[];
}

/** A view of x with another shape of the same size, differentiable. */
function view(op: string, x: Tensor, shape: readonly number[]): Tensor {
  x._live(op);
  const out = Tensor._view(x, shape);
  if (!needsGrad(x)) return out;
  return record(out, op, [x], (g) => [Tensor._view(g, x.shape)], []);
}

/**
 * A copy with its own storage; gradients flow back to `x`.
 *
 * PyTorch: `torch.clone`.
 *
 * @example
 * ```ts
 * const y = wg.clone(wg.tensor([1, 2]));
 * ```
 */
export function clone(x: Tensor): Tensor {
  expectTensor("clone", x);
  const px = x._rawPtr("clone");
  const out = Tensor._empty("clone", x.shape, x.dtype);
  K.copy_f32(out._rawPtr("clone"), px, x.numel());
  if (!needsGrad(x)) return out;
  return record(out, "clone", [x], (g) => [g], []);
}

/**
 * The same elements in a new shape (a view when possible); one size may be -1.
 *
 * PyTorch: `torch.reshape`.
 *
 * @example
 * ```ts
 * wg.reshape(wg.arange(6), 2, -1).shape; // [2, 3]
 * ```
 */
export function reshape(x: Tensor, ...sizes: (number | readonly number[])[]): Tensor {
  expectTensor("reshape", x);
  x._live("reshape");
  const shape = sizesArg("reshape", sizes);
  const inferred = shape.indexOf(-1);
  if (inferred !== shape.lastIndexOf(-1)) {
    throw new WasmgradError(`reshape: only one dimension can be -1 but got ${fmt(shape)}`);
  }
  let target: number[];
  if (inferred >= 0) {
    const rest = checkShape(
      "reshape",
      shape.filter((_, i) => i !== inferred),
    );
    const known = sizeOf(rest);
    if (known === 0 || x.numel() % known !== 0) {
      throw new WasmgradError(
        `reshape: shape ${fmt(shape)} is invalid for input of size ${x.numel()} (shape ${fmt(x.shape)})`,
      );
    }
    target = [...shape];
    target[inferred] = x.numel() / known;
  } else {
    target = checkShape("reshape", shape);
  }
  if (sizeOf(target) !== x.numel()) {
    throw new WasmgradError(
      `reshape: shape ${fmt(shape)} is invalid for input of size ${x.numel()} (shape ${fmt(x.shape)})`,
    );
  }
  return view("reshape", x, target);
}

/**
 * Reshapes dims startDim..endDim (default all) into one.
 *
 * PyTorch: `torch.flatten`.
 *
 * @example
 * ```ts
 * wg.flatten(wg.zeros(2, 3, 4), 1).shape; // [2, 12]
 * ```
 */
export function flatten(
  x: Tensor,
  ...given: Args<
    [startDim: number | undefined, endDim: number | undefined],
    { startDim?: number; endDim?: number }
  >
): Tensor {
  const [startDim = 0, endDim = -1] = named("flatten", given, ["startDim", "endDim"]) as [
    number,
    number,
  ];
  expectTensor("flatten", x);
  if (x.ndim === 0) return view("flatten", x, [1]);
  const s = normDim("flatten", startDim, x.ndim);
  const e = normDim("flatten", endDim, x.ndim);
  if (s > e) {
    throw new WasmgradError(
      `flatten: startDim ${startDim} comes after endDim ${endDim} for shape ${fmt(x.shape)}`,
    );
  }
  const shape = [...x.shape.slice(0, s), sizeOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)];
  return view("flatten", x, shape);
}

/**
 * The view without size-1 dims (only `dim` when given).
 *
 * PyTorch: `torch.squeeze`.
 *
 * @example
 * ```ts
 * wg.squeeze(wg.zeros(1, 3, 1)).shape; // [3]
 * ```
 */
export function squeeze(
  x: Tensor,
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor {
  const [dim] = named("squeeze", given, ["dim"]) as [number];
  expectTensor("squeeze", x);
  let shape: number[];
  if (dim === undefined || dim === null) {
    shape = x.shape.filter((d) => d !== 1);
  } else {
    const d = normDim("squeeze", dim, x.ndim);
    shape = x.ndim > 0 && x.shape[d] === 1 ? x.shape.filter((_, i) => i !== d) : [...x.shape];
  }
  return view("squeeze", x, shape);
}

/**
 * The view with a size-1 dim inserted at `dim`.
 *
 * PyTorch: `torch.unsqueeze`.
 *
 * @example
 * ```ts
 * wg.unsqueeze(wg.zeros(3), 0).shape; // [1, 3]
 * ```
 */
export function unsqueeze(
  x: Tensor,
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor {
  const [dim] = named("unsqueeze", given, ["dim"]) as [number];
  expectTensor("unsqueeze", x);
  const d = normDim("unsqueeze", dim, x.ndim + 1);
  const shape = [...x.shape];
  shape.splice(d, 0, 1);
  return view("unsqueeze", x, shape);
}

/**
 * The view with dims reordered as `order`.
 *
 * PyTorch: `torch.permute`.
 *
 * @example
 * ```ts
 * wg.permute(wg.zeros(2, 3, 4), 2, 0, 1).shape; // [4, 2, 3]
 * ```
 */
export function permute(x: Tensor, ...order: (number | readonly number[])[]): Tensor {
  expectTensor("permute", x);
  const dims = sizesArg("permute", order);
  if (dims.length !== x.ndim) {
    throw new WasmgradError(
      `permute: got ${dims.length} dims [${dims}] for a tensor with ${x.ndim} dimensions (shape ${fmt(x.shape)})`,
    );
  }
  const norm = dims.map((d) => normDim("permute", d, x.ndim));
  if (new Set(norm).size !== norm.length) {
    throw new WasmgradError(`permute: dims [${dims}] repeat a dimension`);
  }
  // A lazy view: no copy until some op needs the data (matmul reads transposes in place).
  const out = Tensor._permuted(x, norm);
  if (!needsGrad(x)) return out;
  const inverse = new Array<number>(norm.length);
  for (let i = 0; i < norm.length; i++) inverse[norm[i]] = i;
  return record(out, "permute", [x], (g) => [Tensor._permuted(g, inverse)], []);
}

/**
 * The view with dims dim0 and dim1 swapped.
 *
 * PyTorch: `torch.transpose`.
 *
 * @example
 * ```ts
 * wg.transpose(wg.zeros(2, 3, 4), 0, 2).shape; // [4, 3, 2]
 * ```
 */
export function transpose(
  x: Tensor,
  ...given: Args<
    [dim0: number | undefined, dim1: number | undefined],
    { dim0?: number; dim1?: number }
  >
): Tensor {
  const [dim0, dim1] = named("transpose", given, ["dim0", "dim1"]) as [number, number];
  expectTensor("transpose", x);
  if (x.ndim === 0) {
    // As PyTorch: a 0-d tensor transposes only with dims 0 or -1, into itself.
    normDim("transpose", dim0, 0);
    normDim("transpose", dim1, 0);
    return view("transpose", x, []);
  }
  const a = normDim("transpose", dim0, x.ndim);
  const b = normDim("transpose", dim1, x.ndim);
  const dims = x.shape.map((_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

/**
 * Copies blocks laid side by side along a dimension: with every tensor viewed as
 * [outer, width_i], part i occupies columns [offset_i, offset_i + width_i) of the whole
 * [outer, total]. `toWhole` copies parts into the whole, otherwise the whole into the parts.
 */
function copyBlocks(
  whole: Tensor,
  parts: Tensor[],
  outer: number,
  widths: number[],
  toWhole: boolean,
): void {
  const total = whole.numel() / Math.max(outer, 1);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    const w = widths[i];
    if (w > 0 && outer > 0) {
      const wp = whole._rawPtr("copy") + offset * 4;
      const pp = parts[i]._rawPtr("copy");
      if (toWhole) K.copy_2d_f32(wp, total, pp, w, outer, w);
      else K.copy_2d_f32(pp, w, wp, total, outer, w);
    }
    offset += w;
  }
}

/**
 * The view of `length` entries of dim `dim` from `start`.
 *
 * PyTorch: `torch.narrow`.
 *
 * @example
 * ```ts
 * wg.narrow(wg.arange(6), 0, 2, 3); // [2, 3, 4]
 * ```
 */
export function narrow(
  x: Tensor,
  ...given: Args<
    [dim: number | undefined, start: number | undefined, length: number | undefined],
    { dim?: number; start?: number; length?: number }
  >
): Tensor {
  const [dim, start, length] = named("narrow", given, ["dim", "start", "length"]) as [
    number,
    number,
    number,
  ];
  expectTensor("narrow", x);
  x._live("narrow");
  if (x.ndim === 0) throw new WasmgradError("narrow: cannot narrow a 0-d tensor (shape [])");
  const d = normDim("narrow", dim, x.ndim);
  const size = x.shape[d];
  const s = start < 0 ? start + size : start;
  if (
    !Number.isInteger(s) ||
    !Number.isInteger(length) ||
    s < 0 ||
    length < 0 ||
    s + length > size
  ) {
    throw new WasmgradError(
      `narrow: start ${start} and length ${length} are out of range for dimension ${dim} of size ${size} (shape ${fmt(x.shape)})`,
    );
  }
  const inner = sizeOf(x.shape.slice(d + 1));
  const outer = sizeOf(x.shape.slice(0, d));
  const shape = [...x.shape];
  shape[d] = length;
  const out = Tensor._empty("narrow", shape, x.dtype);
  if (out.numel() > 0)
    K.copy_2d_f32(
      out._rawPtr("narrow"),
      length * inner,
      x._rawPtr("narrow") + s * inner * 4,
      size * inner,
      outer,
      length * inner,
    );
  if (!needsGrad(x)) return out;
  return record(
    out,
    "narrow",
    [x],
    (g) => {
      const dx = Tensor._empty("narrow", x.shape);
      K.fill_f32(dx.ptr, dx.numel(), 0);
      if (g.numel() > 0)
        K.copy_2d_f32(
          dx.ptr + s * inner * 4,
          size * inner,
          g.ptr,
          length * inner,
          outer,
          length * inner,
        );
      return [dx];
    },
    [],
  );
}

/**
 * Joins tensors along an existing dimension.
 *
 * PyTorch: `torch.cat`.
 *
 * @example
 * ```ts
 * wg.cat([wg.zeros(2, 3), wg.ones(1, 3)], 0).shape; // [3, 3]
 * ```
 */
export function cat(
  tensors: readonly Tensor[],
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor {
  const [dim = 0] = named("cat", given, ["dim"]) as [number];
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) {
    throw new WasmgradError("cat: expected a non-empty array of tensors");
  }
  tensors.forEach((t, i) => {
    expectTensor(`cat (tensor ${i})`, t);
    t._live("cat");
  });
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (t.ndim === 0) {
      throw new WasmgradError(
        `cat: tensor ${i} is 0-d (shape []); 0-d tensors cannot be concatenated (use stack)`,
      );
    }
  });
  const d = normDim("cat", dim, first.ndim);
  tensors.forEach((t, i) => {
    const ok = t.ndim === first.ndim && t.shape.every((v, k) => k === d || v === first.shape[k]);
    if (!ok) {
      throw new WasmgradError(
        `cat: tensor ${i} has shape ${fmt(t.shape)} but tensor 0 has shape ${fmt(first.shape)}: sizes must match except in dimension ${d}`,
      );
    }
  });
  const inner = sizeOf(first.shape.slice(d + 1));
  const outer = sizeOf(first.shape.slice(0, d));
  const shape = [...first.shape];
  shape[d] = tensors.reduce((n, t) => n + t.shape[d], 0);
  return join(
    "cat",
    [...tensors],
    shape,
    outer,
    tensors.map((t) => t.shape[d] * inner),
  );
}

/**
 * Joins same-shape tensors along a new dimension.
 *
 * PyTorch: `torch.stack`.
 *
 * @example
 * ```ts
 * wg.stack([wg.zeros(3), wg.ones(3)], 0).shape; // [2, 3]
 * ```
 */
export function stack(
  tensors: readonly Tensor[],
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor {
  const [dim = 0] = named("stack", given, ["dim"]) as [number];
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) {
    throw new WasmgradError("stack: expected a non-empty array of tensors");
  }
  const first = tensors[0];
  tensors.forEach((t, i) => {
    expectTensor(`stack (tensor ${i})`, t);
    t._live("stack");
    if (t.ndim !== first.ndim || t.shape.some((v: number, k: number) => v !== first.shape[k])) {
      throw new WasmgradError(
        `stack: expects each tensor to be equal size, but got ${fmt(first.shape)} at entry 0 and ${fmt(t.shape)} at entry ${i}`,
      );
    }
  });
  const d = normDim("stack", dim, first.ndim + 1);
  const shape = [...first.shape];
  shape.splice(d, 0, tensors.length);
  const outer = sizeOf(first.shape.slice(0, d));
  const inner = sizeOf(first.shape.slice(d));
  return join(
    "stack",
    [...tensors],
    shape,
    outer,
    tensors.map(() => inner),
  );
}

function join(
  op: string,
  given: Tensor[],
  shape: number[],
  outer: number,
  widths: number[],
): Tensor {
  // Mixed dtypes are promoted to the common one, as torch.cat does.
  const dtype = given.reduce<DType>((d, t) => promoteTypes(d, t.dtype), given[0].dtype);
  const parts = given.map((t) => (t.dtype === dtype ? t : castRaw(op, t, dtype)));
  const out = Tensor._empty(op, shape, dtype);
  copyBlocks(out, parts, outer, widths, true);
  parts.forEach((p, i) => {
    if (p !== given[i]) p.dispose();
  });
  if (!needsGradAny(given)) return out;
  return record(
    out,
    op,
    given,
    (g) => {
      const grads = given.map((p) => (p.requiresGrad ? Tensor._empty(op, p.shape) : null));
      const targets = grads.map((t, i) => t ?? Tensor._empty(op, given[i].shape));
      copyBlocks(g, targets, outer, widths, false);
      targets.forEach((t, i) => {
        if (grads[i] === null) t.dispose();
      });
      return grads;
    },
    [],
  );
}
