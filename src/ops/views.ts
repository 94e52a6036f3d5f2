/**
 * More shape ops, all differentiable: view/viewAs/reshapeAs, contiguous, t, expand/expandAs,
 * repeat, split/chunk/unbind, select, unflatten, flip, roll, tril/triu. Views (view, select,
 * unflatten, split's parts are copies: narrow) share storage where the storage layout allows.
 * repeat copies, as PyTorch's does. expand is a view when it only adds leading dims of size 1;
 * otherwise, storage having no zero strides, it is a copy that behaves as PyTorch's expanded
 * view: it reads through to its source (re-copied after the source changes in place, sharing
 * its version for autograd) and refuses in-place writes (see Tensor._expand).
 */
import { needsGrad, record } from "../autograd/engine.js";
import { fmt, WasmgradError } from "../errors.js";
import { normDim, normDims, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, bytesWithin, describe, int, named } from "../validate.js";
import { markSliceCopy } from "./inplace.js";
import { buildMap, remap, stridesFor } from "./remap.js";
import { narrow, reshape, squeeze } from "./shape.js";

function tensor(op: string, x: unknown): Tensor {
  if (!(x instanceof Tensor))
    throw new WasmgradError(`${op}: expected a Tensor but got ${describe(x)}`);
  x._live(op);
  return x;
}

function sizes(op: string, args: readonly (number | readonly number[])[]): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : args;
  if (!list.every((v) => typeof v === "number" && Number.isInteger(v))) {
    throw new WasmgradError(
      `${op}: expected sizes as integers or one array of integers but got (${args.map((a) => describe(a)).join(", ")})`,
    );
  }
  return list.map((v, i) => int(op, `size ${i}`, v));
}

/** Refuses a copy whose index map (4 bytes an element) could never fit, before building it. */
function bounded(op: string, shape: readonly number[]): void {
  bytesWithin(op, `the result of shape ${fmt(shape)}`, shape.reduce((p, d) => p * d, 1) * 4);
}

/**
 * reshape that refuses a non-contiguous (lazily transposed) tensor, as PyTorch's view.
 *
 * PyTorch: `torch.Tensor.view`.
 *
 * @example
 * ```ts
 * wg.view(wg.arange(6), 3, 2).shape; // [3, 2]
 * ```
 */
export function view(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  tensor("view", x);
  if (x._perm !== null) {
    throw new WasmgradError(
      `view: view size is not compatible with input tensor's size and stride (shape ${fmt(x.shape)} is a transposed view); use reshape(...) or contiguous() first`,
    );
  }
  return reshape(x, ...shape);
}

export function viewAs(x: Tensor, other: Tensor): Tensor {
  return view(x, [...tensor("viewAs", other).shape]);
}

export function reshapeAs(x: Tensor, other: Tensor): Tensor {
  return reshape(x, [...tensor("reshapeAs", other).shape]);
}

/**
 * x itself if its storage is laid out as its shape, else a contiguous copy (differentiable).
 *
 * PyTorch: `torch.Tensor.contiguous`.
 *
 * @example
 * ```ts
 * wg.contiguous(wg.ones(2, 3).t()).isContiguous(); // true
 * ```
 */
export function contiguous(x: Tensor): Tensor {
  tensor("contiguous", x);
  if (x._perm === null) return x;
  // Materialise an alias, so that x keeps sharing its base's storage.
  const out = Tensor._permuted(
    x,
    x.shape.map((_, i) => i),
  );
  out._rawPtr("contiguous");
  out._base = null;
  if (!needsGrad(x)) return out;
  return record(out, "contiguous", [x], (g) => [g], []);
}

/**
 * The transpose of a matrix; a 0-d or 1-D tensor as it is (PyTorch's t()).
 *
 * PyTorch: `torch.t`.
 *
 * @example
 * ```ts
 * wg.t(wg.zeros(2, 3)).shape; // [3, 2]
 * ```
 */
export function t(x: Tensor): Tensor {
  tensor("t", x);
  if (x.ndim > 2) {
    throw new WasmgradError(
      `t: expects a tensor with <= 2 dimensions, but got ${x.ndim} (shape ${fmt(x.shape)}); use transpose or permute`,
    );
  }
  return x.ndim < 2 ? reshape(x, [...x.shape]) : x.transpose(0, 1);
}

/**
 * x broadcast to `sizes` (-1 keeps a dim; new dims go in front), as a copy.
 *
 * PyTorch: `torch.Tensor.expand`.
 *
 * @example
 * ```ts
 * wg.expand(wg.tensor([[1], [2]]), 2, 3).shape; // [2, 3]
 * ```
 */
export function expand(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  tensor("expand", x);
  const want = sizes("expand", args);
  if (want.length < x.ndim) {
    throw new WasmgradError(
      `expand: the number of sizes provided (${want.length}) must be greater or equal to the number of dimensions in the tensor (${x.ndim})`,
    );
  }
  const pad = want.length - x.ndim;
  const shape = want.map((s, i) => {
    if (s === -1 && i < pad) {
      throw new WasmgradError(
        `expand: the expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension ${i}; target sizes ${fmt(want)}, tensor shape ${fmt(x.shape)}`,
      );
    }
    const have = i < pad ? 1 : x.shape[i - pad];
    const size = s === -1 && i >= pad ? have : s;
    if (size < 0 || (have !== 1 && have !== size)) {
      throw new WasmgradError(
        `expand: the expanded size of the tensor (${s}) must match the existing size (${have}) at non-singleton dimension ${i}; target sizes ${fmt(want)}, tensor shape ${fmt(x.shape)}`,
      );
    }
    return size;
  });
  // Only new leading dims of size 1 (or nothing) change: a plain view.
  if (sizeOf(shape) === x.numel()) return reshape(x, shape);
  bounded("expand", shape);
  const st = stridesFor(x.shape);
  const map = buildMap(shape, (idx) => {
    let j = 0;
    for (let d = 0; d < x.ndim; d++) if (x.shape[d] !== 1) j += idx[d + pad] * st[d];
    return j;
  });
  const out = remap("expand", x, shape, map);
  if (out.numel() > x.numel()) out._expand = { source: x, version: x._version, map };
  return out;
}

export function expandAs(x: Tensor, other: Tensor): Tensor {
  return expand(x, [...tensor("expandAs", other).shape]);
}

/**
 * x tiled `sizes` times along each dim (new dims in front), as torch's repeat.
 *
 * @example
 * ```ts
 * wg.repeat(wg.tensor([1, 2]), 2); // [1, 2, 1, 2]
 * ```
 */
export function repeat(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  tensor("repeat", x);
  const reps = sizes("repeat", args);
  if (reps.length < x.ndim || reps.some((r) => r < 0)) {
    throw new WasmgradError(
      `repeat: expected at least ${x.ndim} non-negative repeat counts (one per dim) but got ${fmt(reps)}`,
    );
  }
  const pad = reps.length - x.ndim;
  const inShape = reps.map((_, i) => (i < pad ? 1 : x.shape[i - pad]));
  const shape = inShape.map((s, i) => s * reps[i]);
  bounded("repeat", shape);
  const st = stridesFor(inShape);
  const map = buildMap(shape, (idx) => {
    let j = 0;
    for (let d = 0; d < shape.length; d++) j += (idx[d] % inShape[d]) * st[d];
    return j;
  });
  return remap("repeat", x, shape, map);
}

/** `v` as a list of integers: one integer or an array of them, else an error naming `name`. */
function intList(op: string, name: string, v: unknown): number[] {
  const list: readonly unknown[] | null = typeof v === "number" ? [v] : Array.isArray(v) ? v : null;
  if (list === null || !list.every((e) => typeof e === "number" && Number.isSafeInteger(e))) {
    throw new WasmgradError(
      `${op}: ${name} must be an integer or an array of integers but got ${describe(v)}`,
    );
  }
  return list as number[];
}

/**
 * Parts of `size` (or of the listed sizes) along `dim`, as torch.split.
 *
 * @example
 * ```ts
 * wg.split(wg.arange(5), 2).map((c) => c.shape); // [[2], [2], [1]]
 * ```
 */
export function split(
  x: Tensor,
  ...given: Args<
    [splitSize: number | readonly number[] | undefined, dim: number | undefined],
    { splitSize?: number | readonly number[]; dim?: number }
  >
): Tensor[] {
  const [splitSize, dim = 0] = named("split", given, ["splitSize", "dim"]) as [
    number | readonly number[],
    number,
  ];
  tensor("split", x);
  const d = normDim("split", dim, x.ndim);
  const n = x.shape[d];
  let parts: number[];
  if (typeof splitSize === "number") {
    if (!Number.isInteger(splitSize) || splitSize <= 0) {
      throw new WasmgradError(
        `split: split size must be a positive integer but got ${describe(splitSize)}`,
      );
    }
    parts = [];
    for (let s = 0; s < n; s += splitSize) parts.push(Math.min(splitSize, n - s));
    if (n === 0) parts.push(0);
  } else {
    parts = intList("split", "split sizes", splitSize);
    if (
      parts.reduce((a, b) => a + b, 0) !== n ||
      parts.some((p) => !Number.isInteger(p) || p < 0)
    ) {
      throw new WasmgradError(
        `split: split sizes ${fmt(parts)} must be non-negative integers summing to ${n} (dim ${dim} of shape ${fmt(x.shape)})`,
      );
    }
  }
  let start = 0;
  return markSliceCopy(
    "split",
    parts.map((len) => {
      const part = narrow(x, d, start, len);
      start += len;
      return part;
    }),
  );
}

/**
 * `chunks` parts of equal size (the last smaller), as torch.chunk.
 *
 * @example
 * ```ts
 * wg.chunk(wg.arange(5), 2).map((c) => c.shape); // [[3], [2]]
 * ```
 */
export function chunk(
  x: Tensor,
  ...given: Args<
    [chunks: number | undefined, dim: number | undefined],
    { chunks?: number; dim?: number }
  >
): Tensor[] {
  const [chunks, dim = 0] = named("chunk", given, ["chunks", "dim"]) as [number, number];
  tensor("chunk", x);
  if (!Number.isInteger(chunks) || chunks <= 0) {
    throw new WasmgradError(`chunk: chunks must be a positive integer but got ${describe(chunks)}`);
  }
  const n = x.shape[normDim("chunk", dim, x.ndim)];
  return split(x, Math.max(1, Math.ceil(n / chunks)), dim);
}

/**
 * The slices along `dim`, that dim removed.
 *
 * PyTorch: `torch.unbind`.
 *
 * @example
 * ```ts
 * wg.unbind(wg.zeros(2, 3)).length; // 2 tensors of shape [3]
 * ```
 */
export function unbind(
  x: Tensor,
  ...given: Args<[dim: number | undefined], { dim?: number }>
): Tensor[] {
  const [dim = 0] = named("unbind", given, ["dim"]) as [number];
  tensor("unbind", x);
  const d = normDim("unbind", dim, x.ndim);
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}

/**
 * The slice at `index` along `dim`, that dim removed.
 *
 * PyTorch: `torch.select`.
 *
 * @example
 * ```ts
 * wg.select(wg.tensor([[1, 2], [3, 4]]), 0, 1); // [3, 4]
 * ```
 */
export function select(
  x: Tensor,
  ...given: Args<
    [dim: number | undefined, index: number | undefined],
    { dim?: number; index?: number }
  >
): Tensor {
  const [dim, index] = named("select", given, ["dim", "index"]) as [number, number];
  tensor("select", x);
  const d = normDim("select", dim, x.ndim);
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new WasmgradError(
      `select: index ${describe(index)} out of range for tensor of size ${n} at dimension ${dim} (shape ${fmt(x.shape)})`,
    );
  }
  const part = narrow(x, d, index < 0 ? index + n : index, 1);
  const out = squeeze(part, d);
  if (!out.requiresGrad) part.dispose();
  return markSliceCopy("select", out);
}

/**
 * `length` entries of dim `dim` from `start`. A copy where PyTorch returns a view, so in-place
 * ops on it are refused rather than silently missing x (clone() it to work on a copy).
 *
 * PyTorch: `torch.narrow`.
 *
 * @example
 * ```ts
 * wg.narrow(wg.arange(6), 0, 2, 3); // [2, 3, 4]
 * ```
 */
export function narrowSlice(x: Tensor, dim: number, start: number, length: number): Tensor {
  return markSliceCopy("narrow", narrow(x, dim, start, length));
}

/**
 * Splits dim into `sizes` (one may be -1).
 *
 * PyTorch: `torch.unflatten`.
 *
 * @example
 * ```ts
 * wg.unflatten(wg.zeros(2, 12), 1, [3, 4]).shape; // [2, 3, 4]
 * ```
 */
export function unflatten(x: Tensor, dim: number, sizesArg: readonly number[]): Tensor {
  tensor("unflatten", x);
  const d = normDim("unflatten", dim, x.ndim);
  if (!Array.isArray(sizesArg)) {
    throw new WasmgradError(
      `unflatten: sizes must be an array of integers but got ${describe(sizesArg)}`,
    );
  }
  sizesArg.forEach((s, i) => {
    int("unflatten", `sizes[${i}]`, s, -1);
  });
  const known = sizesArg.filter((s) => s !== -1);
  const inner = sizesArg.map((s) => (s === -1 ? x.shape[d] / Math.max(sizeOf(known), 1) : s));
  if (sizeOf(inner) !== x.shape[d] || !inner.every(Number.isInteger)) {
    throw new WasmgradError(
      `unflatten: provided sizes ${fmt(sizesArg)} don't multiply up to the size of dim ${dim} (${x.shape[d]}) in the input tensor`,
    );
  }
  return reshape(x, [...x.shape.slice(0, d), ...inner, ...x.shape.slice(d + 1)]);
}

/**
 * The elements in reverse order along `dims`.
 *
 * PyTorch: `torch.flip`.
 *
 * @example
 * ```ts
 * wg.flip(wg.tensor([1, 2, 3]), 0); // [3, 2, 1]
 * ```
 */
export function flip(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  tensor("flip", x);
  const dims = normDims("flip", sizes("flip", args), x.ndim);
  const st = stridesFor(x.shape);
  const map = buildMap(x.shape, (idx) => {
    let j = 0;
    for (let d = 0; d < x.ndim; d++)
      j += (dims.includes(d) ? x.shape[d] - 1 - idx[d] : idx[d]) * st[d];
    return j;
  });
  return remap("flip", x, x.shape, map);
}

/**
 * Elements shifted by `shifts` along `dims` (wrapping), or along the flattened tensor.
 *
 * PyTorch: `torch.roll`.
 *
 * @example
 * ```ts
 * wg.roll(wg.tensor([1, 2, 3]), 1); // [3, 1, 2]
 * ```
 */
export function roll(
  x: Tensor,
  shifts: number | readonly number[],
  dims?: number | readonly number[] | null,
): Tensor {
  tensor("roll", x);
  const sh = intList("roll", "shifts", shifts);
  if (dims === undefined || dims === null) {
    if (sh.length !== 1)
      throw new WasmgradError(`roll: without dims, shifts must be one number but got ${fmt(sh)}`);
    const flat = reshape(x, [x.numel()]);
    const out = reshape(roll(flat, sh, 0), [...x.shape]);
    return out;
  }
  const ds = intList("roll", "dims", dims).map((d) => normDim("roll", d, x.ndim));
  if (ds.length !== sh.length) {
    throw new WasmgradError(
      `roll: shifts and dims must have the same length but got ${sh.length} shifts and ${ds.length} dims`,
    );
  }
  const st = stridesFor(x.shape);
  const map = buildMap(x.shape, (idx) => {
    let j = 0;
    for (let d = 0; d < x.ndim; d++) {
      let i = idx[d];
      ds.forEach((dd, k) => {
        if (dd === d) {
          const n = x.shape[d];
          i = (((i - sh[k]) % n) + n) % n;
        }
      });
      j += i * st[d];
    }
    return j;
  });
  return remap("roll", x, x.shape, map);
}

function triangle(op: "tril" | "triu", x: Tensor, diagonal: number): Tensor {
  tensor(op, x);
  if (x.ndim < 2)
    throw new WasmgradError(
      `${op}: input tensor must have at least 2 dimensions but got shape ${fmt(x.shape)}`,
    );
  if (!Number.isInteger(diagonal))
    throw new WasmgradError(`${op}: diagonal must be an integer but got ${describe(diagonal)}`);
  const r = x.ndim - 2;
  const st = stridesFor(x.shape);
  const map = buildMap(x.shape, (idx) => {
    const keep = op === "tril" ? idx[r + 1] - idx[r] <= diagonal : idx[r + 1] - idx[r] >= diagonal;
    if (!keep) return -1;
    let j = 0;
    for (let d = 0; d < x.ndim; d++) j += idx[d] * st[d];
    return j;
  });
  return remap(op, x, x.shape, map);
}

/**
 * A 1-D tensor's values on a diagonal of a square matrix (zeros elsewhere), or a 2-D tensor's
 * diagonal as a 1-D tensor; `diagonal` > 0 is above the main one, < 0 below. Differentiable.
 *
 * PyTorch: `torch.diag`.
 *
 * @example
 * ```ts
 * wg.diag(wg.tensor([1, 2])); // [[1, 0], [0, 2]]
 * wg.diag(wg.tensor([[1, 2], [3, 4]])); // [1, 4]
 * ```
 */
export function diag(
  x: Tensor,
  ...given: Args<[diagonal: number | undefined], { diagonal?: number }>
): Tensor {
  const op = "diag";
  const [diagonal = 0] = named(op, given, ["diagonal"]) as [number?];
  tensor(op, x);
  const k = int(op, "diagonal", diagonal);
  const r0 = Math.max(-k, 0);
  const c0 = Math.max(k, 0);
  if (x.ndim === 1) {
    const n = x.shape[0];
    const m = n + Math.abs(k);
    const map = new Int32Array(m * m).fill(-1);
    for (let i = 0; i < n; i++) map[(r0 + i) * m + c0 + i] = i;
    return remap(op, x, [m, m], map);
  }
  if (x.ndim === 2) {
    const [rows, cols] = x.shape;
    const n = Math.max(0, Math.min(rows - r0, cols - c0));
    const map = new Int32Array(n);
    for (let i = 0; i < n; i++) map[i] = (r0 + i) * cols + c0 + i;
    return remap(op, x, [n], map);
  }
  throw new WasmgradError(`${op}: expected a 1-D or 2-D tensor but got shape ${fmt(x.shape)}`);
}

/**
 * The lower triangle of the last two dims (j - i <= diagonal), zeros elsewhere.
 *
 * PyTorch: `torch.tril`.
 *
 * @example
 * ```ts
 * wg.tril(wg.ones(2, 2)); // [[1, 0], [1, 1]]
 * ```
 */
export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle("tril", x, diagonal);
}

/**
 * The upper triangle of the last two dims (j - i >= diagonal), zeros elsewhere.
 *
 * PyTorch: `torch.triu`.
 *
 * @example
 * ```ts
 * wg.triu(wg.ones(2, 2)); // [[1, 1], [0, 1]]
 * ```
 */
export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle("triu", x, diagonal);
}
