/**
 * Tensor: a float32 array in WASM memory with a shape, and its autograd state. Tensors are
 * contiguous and row-major; views made by reshape-like ops share storage (reference counted).
 * Every operation is a function in ops/; the methods here are the same functions, bound.
 */

import {
  type BackwardOptions,
  type GradNode,
  releaseAnchor,
  runBackward,
} from "./autograd/engine.js";
import type { Ptr } from "./backend/kernels.js";
import { backend, K, meta } from "./backend/runtime.js";
import { BinaryOp } from "./backend/table/core.js";
import type { DType } from "./dtype.js";
import { fmt, WasmgradError } from "./errors.js";
import {
  newStorage,
  releaseStorage,
  type Storage,
  storageReplaced,
  trackTensor,
  untrackTensor,
} from "./memory.js";
import type { ValuesIndices } from "./named.js";
import * as binary from "./ops/binary.js";
import * as cast from "./ops/cast.js";
import * as elementwise from "./ops/elementwise.js";
import * as extrema from "./ops/extrema.js";
import { markSliceCopy } from "./ops/inplace.js";
import * as inplaceMath from "./ops/inplace-math.js";
import * as matmulOps from "./ops/matmul.js";
import * as powOps from "./ops/pow.js";
import * as products from "./ops/products.js";
import * as randomInt from "./ops/random-int.js";
import * as reduce from "./ops/reduce.js";
import * as scan from "./ops/scan.js";
import * as shapeOps from "./ops/shape.js";
import * as softmaxOps from "./ops/softmax.js";
import * as stats from "./ops/stats.js";
import * as unary from "./ops/unary.js";
import { formatTensor } from "./print.js";
import { collapse, normDim, sameShape, sizeOf, stridesOf } from "./shape.js";
import { type NestedArray, readArray, type TensorData, toNested } from "./tensor-data.js";
import {
  type Args,
  registerTensorClass,
  tensorArg,
  options as validateOptions,
} from "./validate.js";

// Older browsers lack Symbol.dispose; `using` needs it.
(Symbol as { dispose?: symbol }).dispose ??= Symbol.for("Symbol.dispose");

export type Scalar = number;
/**
 * A tensor, or a number or boolean that broadcasts like a 0-d tensor.
 */
export type TensorOrScalar = Tensor | number;

/**
 * An n-dimensional array of float32, int32 or bool in WebAssembly memory, with autograd. Create one
 * with tensor, zeros, randn and the like; free it with `dispose()`, `using`, or tidy.
 *
 * PyTorch: `torch.Tensor`.
 *
 * @example
 * ```ts
 * const x = wg.tensor([[1, 2], [3, 4]], { requiresGrad: true });
 * x.mul(x).sum().backward();
 * x.grad; // [[2, 4], [6, 8]]
 * ```
 */
export class Tensor {
  readonly shape: readonly number[];
  /** The element type: "float32", "int32" or "bool". */
  readonly dtype: DType;
  private readonly _numel: number;
  private _requiresGrad = false;
  /** @internal the op that produced this tensor; null for leaves. */
  _node: GradNode | null = null;
  /** @internal owned by a module, optimizer or gradient slot: never swept by `tidy`. */
  _kept = false;
  /**
   * @internal the tensor whose storage this view shares (null for a tensor that owns its
   * storage, and for detach(), which shares storage outside the autograd graph).
   */
  _base: Tensor | null = null;
  /**
   * @internal set on the result of expand() that repeats elements: storage has no zero strides,
   * so it is a copy that reads through to its source (re-copied when the source's version moves)
   * and refuses in-place writes, as PyTorch's expanded views do.
   */
  _expand: { source: Tensor; version: number; map: Int32Array } | null = null;
  /** @internal an intermediate of a library call, freed with its graph (autograd/owned.ts). */
  _graphOwned = false;
  /** @internal a module parameter. */
  _isParameter = false;
  /** @internal alive outside every tidy scope (see memory.ts). */
  _outside = false;
  /** @internal registered with the FinalizationRegistry safety net. */
  _registered = false;
  /**
   * @internal set on a lazy permuted view (transpose, permute, .T): the storage is the source's,
   * laid out as source shape, and this.shape[i] = sourceShape[_perm[i]]. The first access to the
   * data copies it into a contiguous layout; matmul reads a transposed matrix in place instead.
   */
  _perm: readonly number[] | null = null;
  /**
   * @internal where this tensor's elements start in its storage, in bytes (0 except for a
   * contiguous block of another tensor: `x.index(0)`, `x.index("1:3")`).
   */
  _offset = 0;
  private _storage: Storage | null;
  private _grad: Tensor | null = null;
  /** Whether `_grad` was made by backward (ours to free) rather than assigned by the caller. */
  private _gradOwned = false;
  /** Whether the `grad` setter marked the assigned gradient kept (and so must un-keep it). */
  private _gradKeptHere = false;

  /** @internal use the creation functions (`wg.tensor`, `wg.zeros`, ...). */
  constructor(shape: readonly number[], storage: Storage, dtype: DType = "float32") {
    this.shape = shape;
    this.dtype = dtype;
    this._numel = sizeOf(shape);
    this._storage = storage;
    trackTensor(this);
  }

  /** @internal a tensor of `shape` with fresh, uninitialised storage. */
  static _empty(op: string, shape: readonly number[], dtype: DType = "float32"): Tensor {
    // The last guard before memory: a negative, fractional or non-int32 size never reaches it.
    for (const d of shape) {
      if (!(Number.isInteger(d) && d >= 0 && d <= 0x7fffffff)) {
        throw new WasmgradError(
          `${op}: invalid shape ${fmt(shape)}: sizes must be integers in [0, 2147483647]`,
        );
      }
    }
    return new Tensor(shape, newStorage(op, sizeOf(shape)), dtype);
  }

  /**
   * @internal a tensor of `shape` sharing `source`'s storage (same number of elements), of
   * `source`'s dtype unless another 4-byte reading of the same bits is asked for.
   */
  static _view(source: Tensor, shape: readonly number[], dtype: DType = source.dtype): Tensor {
    source._rawPtr("view"); // a lazy permuted source is made contiguous first
    const storage = source._live("view");
    storage.refs++;
    const out = new Tensor(shape, storage, dtype);
    out._offset = source._offset;
    out._base = source._base ?? source;
    return out;
  }

  /**
   * @internal a tensor of `shape` sharing the contiguous block of `source`'s storage that starts
   * `offset` elements in (a basic-indexing view).
   */
  static _slice(source: Tensor, shape: readonly number[], offset: number): Tensor {
    source._rawPtr("index"); // a lazy permuted source is made contiguous first
    const storage = source._live("index");
    storage.refs++;
    const out = new Tensor(shape, storage, source.dtype);
    out._offset = source._offset + offset * 4;
    out._base = source._base ?? source;
    return out;
  }

  /** @internal a lazy permuted view of `source`: out.shape[i] = source.shape[dims[i]]. */
  static _permuted(source: Tensor, dims: readonly number[]): Tensor {
    const storage = source._live("permute");
    const base = source._perm;
    storage.refs++;
    const out = new Tensor(
      dims.map((d) => source.shape[d]),
      storage,
      source.dtype,
    );
    out._offset = source._offset;
    out._base = source._base ?? source;
    const perm = base === null ? [...dims] : dims.map((d) => base[d]);
    out._perm = perm.every((d, i) => d === i) ? null : perm;
    return out;
  }

  /** @internal pointer to the storage as held, without materialising a lazy view. */
  _heldPtr(op: string): Ptr {
    return this._live(op).ptr + this._offset;
  }

  /** @internal the storage held now (for the memory tracker). */
  _heldStorage(): Storage | null {
    return this._storage;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** The number of dimensions (PyTorch's `dim()`; also the `ndim` property). */
  dim(): number {
    return this.shape.length;
  }

  /** The number of elements. */
  numel(): number {
    return this._numel;
  }

  /** The shape (a copy), or the size of dimension `dim` (negative counts from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    if (this.ndim === 0) {
      throw new WasmgradError(`size: a 0-d tensor has no dimension ${String(dim)} (shape [])`);
    }
    return this.shape[normDim("size", dim, this.ndim)];
  }

  /** Whether gradients are computed for this tensor (a leaf with it set accumulates `.grad`). */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  set requiresGrad(flag: boolean) {
    if (flag && this.dtype !== "float32") {
      throw new WasmgradError(
        `requiresGrad: only float32 tensors can require gradients, but this tensor is ${this.dtype} (convert with .float())`,
      );
    }
    this._requiresGrad = flag;
  }

  /** @internal the in-place version of the storage (-1 once disposed). */
  get _version(): number {
    const e = this._expand;
    if (e !== null && !e.source.isDisposed && this._storage !== null) return e.source._version;
    return this._storage?.version ?? -1;
  }

  /** @internal marks the storage as changed in place (views share the counter). */
  _bumpVersion(): void {
    const s = this._storage;
    if (s !== null) s.version++;
  }

  get isDisposed(): boolean {
    return this._storage === null;
  }

  /** @internal the storage, or an error naming `op` if this tensor was disposed. */
  _live(op: string): Storage {
    const s = this._storage;
    if (s === null) {
      throw new WasmgradError(
        `${op}: tensor was disposed (shape ${fmt(this.shape)}): dispose() or the end of the tidy() that made it freed it; to keep a tensor past a tidy, return it from the callback`,
      );
    }
    return s;
  }

  /** @internal byte pointer to the first element of the contiguous data. */
  get ptr(): Ptr {
    return this._ptr("tensor");
  }

  /** @internal checks that this tensor is live and float32 (without materialising a lazy view). */
  _float(op: string): void {
    this._live(op);
    if (this.dtype !== "float32") {
      throw new WasmgradError(
        `${op}: expected a float32 tensor but got ${this.dtype} (shape ${fmt(this.shape)}); convert it with .float()`,
      );
    }
  }

  /**
   * @internal checks liveness for `op` and returns the pointer to contiguous float32 data. The
   * float kernels all come through here, so an int32 or bool tensor is refused with a message
   * naming the op rather than read as floats.
   */
  _ptr(op: string): Ptr {
    this._float(op);
    return this._rawPtr(op);
  }

  /** @internal the pointer to contiguous data of any dtype (4-byte elements). */
  _rawPtr(op: string): Ptr {
    const s = this._live(op);
    if (this._expand !== null) this._syncExpand(op, s);
    return this._perm === null ? s.ptr + this._offset : this._materialize(op, s, this._perm);
  }

  /** Re-copies an expand() result from its source if the source changed in place since. */
  private _syncExpand(op: string, s: Storage): void {
    const e = this._expand!;
    if (e.source.isDisposed || e.source._version === e.version) return;
    const src = e.source._rawPtr(op) >>> 2;
    const dst = (s.ptr + this._offset) >>> 2;
    const bits = backend.i32();
    for (let k = 0; k < e.map.length; k++) bits[dst + k] = bits[src + e.map[k]];
    e.version = e.source._version;
  }

  /** Copies a lazy permuted view into storage of its own, in this tensor's layout. */
  private _materialize(op: string, source: Storage, perm: readonly number[]): Ptr {
    const target = newStorage(op, this.numel());
    if (this.numel() > 0) {
      const sourceShape = new Array<number>(perm.length);
      perm.forEach((d, i) => {
        sourceShape[d] = this.shape[i];
      });
      const ss = stridesOf(sourceShape);
      const c = collapse(this.shape, [perm.map((d) => ss[d]), stridesOf(this.shape)]);
      K.gather_f32(
        target.ptr,
        source.ptr + this._offset,
        c.shape.length,
        meta(c.shape, c.strides[0]),
      );
    }
    this._offset = 0;
    target.version = source.version;
    this._storage = target;
    this._perm = null;
    releaseStorage(source);
    storageReplaced(this);
    return target.ptr;
  }

  get grad(): Tensor | null {
    return this._grad;
  }

  set grad(g: Tensor | null) {
    if (g !== null && this.isDisposed) this._live("grad"); // would keep g for a dead tensor
    if (g !== null) {
      tensorArg("grad", "the assigned gradient", g, "float32");
      if (!sameShape(g.shape, this.shape)) {
        throw new WasmgradError(
          `grad: assigned gradient has shape ${fmt(g.shape)} but the tensor has shape ${fmt(this.shape)}`,
        );
      }
    }
    if (g === this._grad) return;
    this._releaseGrad();
    if (g !== null) {
      // Kept while it is the gradient; given back to its scope when it stops being one.
      this._gradKeptHere = !g._kept;
      g._kept = true;
    }
    this._grad = g;
    this._gradOwned = false;
  }

  /**
   * @internal lets go of `.grad`: frees it if autograd made it; a gradient the caller assigned
   * may be aliased elsewhere, so it is only handed back to `tidy` (un-kept) if the setter kept it.
   */
  private _releaseGrad(): void {
    const old = this._grad;
    if (old === null) return;
    if (this._gradOwned) old.dispose();
    else if (this._gradKeptHere) old._kept = false;
    this._grad = null;
    this._gradOwned = false;
    this._gradKeptHere = false;
  }

  /** @internal adds `g` into `.grad` (taking ownership of `g`). */
  _accumulateGrad(g: Tensor): void {
    if (this._grad === null || this._grad.isDisposed) {
      g._kept = true;
      this._grad = g;
      this._gradOwned = true;
      this._gradKeptHere = false;
    } else {
      this._grad._addInPlace(g);
      g.dispose();
    }
  }

  /** @internal this += other, elementwise, same shape, no autograd. */
  _addInPlace(other: Tensor): void {
    K.binary_f32(this._ptr("add_"), this.ptr, other._ptr("add_"), this.numel(), BinaryOp.add);
    this._bumpVersion();
  }

  /** Frees this tensor's storage now (views keep shared storage alive). Idempotent. */
  dispose(): void {
    const s = this._storage;
    if (s === null) return;
    this._storage = null;
    untrackTensor(this);
    releaseStorage(s);
    // A result of a library call that no op uses: the intermediates only it kept go too.
    const node = this._node;
    if (node !== null && node.bundles !== null && node.consumers === 0) releaseAnchor(node);
    // The grad node stays: gradients may still flow through a disposed intermediate whose
    // data its backward does not need (a backward that needs it reports the disposal).
    this._releaseGrad();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- reading ----

  /**
   * A copy of the elements, row-major: a Float32Array, an Int32Array for int32, a Uint8Array
   * (0/1) for bool. Typed as Float32Array unless told otherwise (`t.data<Int32Array>()`), as
   * tfjs's `dataSync<D>()`: most tensors are float32.
   */
  data<A extends TensorData = Float32Array>(): A {
    return readArray(this, "data") as A;
  }

  /** The elements as nested arrays of numbers (booleans for bool; a scalar for 0-d). */
  toArray(): NestedArray {
    return toNested(readArray(this, "toArray"), this.shape, this.dtype === "bool");
  }

  /**
   * The value of a tensor with exactly one element: a number, or a boolean for a bool tensor
   * (typed as number unless told otherwise: `mask.any().item<boolean>()`).
   */
  item<V extends number | boolean = number>(): V {
    if (this.numel() !== 1) {
      throw new WasmgradError(
        `item: expected a tensor with one element but got shape ${fmt(this.shape)} (${this.numel()} elements)`,
      );
    }
    const v = readArray(this, "item")[0];
    return (this.dtype === "bool" ? v !== 0 : v) as V;
  }

  /** The values as PyTorch's repr prints them (abbreviated beyond 1000 elements). */
  toString(): string {
    return formatTensor(this);
  }

  /** Node's util.inspect and console.log print the same (no node:util import needed). */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return formatTensor(this);
  }

  // ---- autograd ----

  /**
   * Computes gradients of this tensor with respect to every leaf that requires them, adding them
   * into `.grad`. `grad` (d loss / d this) is required unless this tensor has one element.
   */
  backward(grad?: Tensor | null, options: BackwardOptions = {}): void {
    this._live("backward");
    if (grad === null) grad = undefined;
    if (grad !== undefined) tensorArg("backward", "grad", grad);
    validateOptions("backward", options, ["retainGraph"]);
    if (!this.requiresGrad) {
      throw new WasmgradError(
        "backward: this tensor does not require grad and has no grad_fn (no input it was computed from has requiresGrad set)",
      );
    }
    if (grad === undefined) {
      if (this.numel() !== 1) {
        throw new WasmgradError(
          `backward: grad can be implicitly created only for tensors with one element, but this tensor has shape ${fmt(this.shape)}; pass a gradient of that shape`,
        );
      }
      const seed = Tensor._empty("backward", this.shape);
      K.fill_f32(seed.ptr, 1, 1);
      try {
        runBackward(this, seed, options);
      } finally {
        seed.dispose();
      }
      return;
    }
    if (!sameShape(grad.shape, this.shape)) {
      throw new WasmgradError(
        `backward: grad has shape ${fmt(grad.shape)} but the tensor has shape ${fmt(this.shape)}`,
      );
    }
    grad._live("backward");
    runBackward(this, grad, options);
  }

  /** A tensor sharing this one's data, cut off from the autograd graph. */
  detach(): Tensor {
    this._live("detach");
    const out = Tensor._view(this, this.shape);
    out._base = null;
    return out;
  }

  /** Sets requiresGrad in place (only on leaves) and returns this tensor. */
  requiresGrad_(flag = true): this {
    if (!flag && this._node !== null) {
      throw new WasmgradError(
        "requiresGrad_: cannot turn off requiresGrad on a tensor computed by an op; use detach()",
      );
    }
    this.requiresGrad = flag;
    return this;
  }

  // ---- dtype ----
  /** This tensor converted to `dtype` (itself if it already has it), as PyTorch's `to`. */
  to(dtype: DType | string): Tensor {
    return cast.to(this, dtype);
  }
  float(): Tensor {
    return cast.to(this, "float32");
  }
  int(): Tensor {
    return cast.to(this, "int32");
  }
  /** int32, the integer dtype here (PyTorch's int64), so that ported code runs. */
  long(): Tensor {
    return cast.to(this, "int32");
  }
  bool(): Tensor {
    return cast.to(this, "bool");
  }

  /** A copy with its own storage (differentiable). */
  clone(): Tensor {
    return shapeOps.clone(this);
  }

  // ---- shape ----
  reshape(...shape: (number | number[])[]): Tensor {
    return shapeOps.reshape(this, ...shape);
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return shapeOps.flatten(this, startDim, endDim);
  }
  transpose(dim0: number, dim1: number): Tensor {
    return shapeOps.transpose(this, dim0, dim1);
  }
  permute(...dims: (number | number[])[]): Tensor {
    return shapeOps.permute(this, ...dims);
  }
  squeeze(dim?: number): Tensor {
    return shapeOps.squeeze(this, dim);
  }
  unsqueeze(dim: number): Tensor {
    return shapeOps.unsqueeze(this, dim);
  }
  /** The dims reversed (a transpose for a matrix), as PyTorch's `.T`. */
  get T(): Tensor {
    return shapeOps.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  /** A copy where PyTorch returns a view: in-place ops on it are refused (see markSliceCopy). */
  narrow(dim: number, start: number, length: number): Tensor {
    return markSliceCopy("narrow", shapeOps.narrow(this, dim, start, length));
  }

  // ---- arithmetic ----
  add(other: TensorOrScalar): Tensor {
    return binary.add(this, other);
  }
  sub(other: TensorOrScalar): Tensor {
    return binary.sub(this, other);
  }
  mul(other: TensorOrScalar): Tensor {
    return binary.mul(this, other);
  }
  div(other: TensorOrScalar): Tensor {
    return binary.div(this, other);
  }
  maximum(other: TensorOrScalar): Tensor {
    return binary.maximum(this, other);
  }
  minimum(other: TensorOrScalar): Tensor {
    return binary.minimum(this, other);
  }
  /** this ** exponent; a Tensor exponent broadcasts (torch.pow). */
  pow(exponent: TensorOrScalar, ...extra: never[]): Tensor {
    return powOps.pow(this, exponent, ...extra);
  }
  neg(): Tensor {
    return unary.neg(this);
  }
  exp(): Tensor {
    return unary.exp(this);
  }
  log(): Tensor {
    return unary.log(this);
  }
  sqrt(): Tensor {
    return unary.sqrt(this);
  }
  abs(): Tensor {
    return unary.abs(this);
  }
  relu(): Tensor {
    return unary.relu(this);
  }
  sigmoid(): Tensor {
    return unary.sigmoid(this);
  }
  tanh(): Tensor {
    return unary.tanh(this);
  }
  clamp(min: number | null, max?: number | null): Tensor {
    return unary.clamp(this, min, max);
  }
  matmul(other: Tensor): Tensor {
    return matmulOps.matmul(this, other);
  }

  // ---- reductions ----
  sum(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.sum(this, dim, keepdim);
  }
  mean(dim?: number | number[] | null, keepdim = false): Tensor {
    return reduce.mean(this, dim, keepdim);
  }
  /** `max()` (a 0-d tensor), `max(dim, keepdim?)` ([values, indices]), `max(other)`. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(other: Tensor): Tensor;
  max(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    return extrema.max(this, dim as number, keepdim);
  }
  /** `min()` (a 0-d tensor), `min(dim, keepdim?)` ([values, indices]), `min(other)`. */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(other: Tensor): Tensor;
  min(dim?: number | Tensor, keepdim = false): Tensor | ValuesIndices {
    return extrema.min(this, dim as number, keepdim);
  }
  amax(dim?: number | number[] | null, keepdim = false): Tensor {
    return extrema.amax(this, dim, keepdim);
  }
  amin(dim?: number | number[] | null, keepdim = false): Tensor {
    return extrema.amin(this, dim, keepdim);
  }
  /** int32 indices of the maxima (over the flattened tensor when dim is omitted). */
  argmax(dim?: number | null, keepdim = false): Tensor {
    return extrema.argmax(this, dim, keepdim);
  }
  argmin(dim?: number | null, keepdim = false): Tensor {
    return extrema.argmin(this, dim, keepdim);
  }
  softmax(dim: number): Tensor {
    return softmaxOps.softmax(this, dim);
  }
  logSoftmax(dim: number): Tensor {
    return softmaxOps.logSoftmax(this, dim);
  }
  // ---- more math (issue 15) ----
  sin(...extra: never[]): Tensor {
    return elementwise.sin(this, ...extra);
  }
  cos(...extra: never[]): Tensor {
    return elementwise.cos(this, ...extra);
  }
  erf(...extra: never[]): Tensor {
    return elementwise.erf(this, ...extra);
  }
  log1p(...extra: never[]): Tensor {
    return elementwise.log1p(this, ...extra);
  }
  expm1(...extra: never[]): Tensor {
    return elementwise.expm1(this, ...extra);
  }
  rsqrt(...extra: never[]): Tensor {
    return elementwise.rsqrt(this, ...extra);
  }
  square(...extra: never[]): Tensor {
    return elementwise.square(this, ...extra);
  }
  reciprocal(...extra: never[]): Tensor {
    return elementwise.reciprocal(this, ...extra);
  }
  sign(...extra: never[]): Tensor {
    return elementwise.sign(this, ...extra);
  }
  floor(...extra: never[]): Tensor {
    return elementwise.floor(this, ...extra);
  }
  ceil(...extra: never[]): Tensor {
    return elementwise.ceil(this, ...extra);
  }
  round(opts?: { decimals?: number }, ...extra: never[]): Tensor {
    return elementwise.round(this, opts, ...extra);
  }
  trunc(...extra: never[]): Tensor {
    return elementwise.trunc(this, ...extra);
  }
  frac(...extra: never[]): Tensor {
    return elementwise.frac(this, ...extra);
  }
  /** base ** this, for a number base (Python's `base ** t`). */
  rpow(base: number, ...extra: never[]): Tensor {
    return powOps.rpow(this, base, ...extra);
  }
  atan2(other: Tensor, ...extra: never[]): Tensor {
    return powOps.atan2(this, other, ...extra);
  }
  lerp(end: Tensor, weight: TensorOrScalar, ...extra: never[]): Tensor {
    return powOps.lerp(this, end, weight, ...extra);
  }
  logsumexp(
    ...args: Parameters<typeof stats.logsumexp> extends [Tensor, ...infer R] ? R : never
  ): Tensor {
    return stats.logsumexp(this, ...args);
  }
  cumsum(...args: Parameters<typeof scan.cumsum> extends [Tensor, ...infer R] ? R : never): Tensor {
    return scan.cumsum(this, ...args);
  }
  cumprod(
    ...args: Parameters<typeof scan.cumprod> extends [Tensor, ...infer R] ? R : never
  ): Tensor {
    return scan.cumprod(this, ...args);
  }
  prod(...args: Parameters<typeof scan.prod> extends [Tensor, ...infer R] ? R : never): Tensor {
    return scan.prod(this, ...args);
  }
  var(...args: stats.VarArgs): Tensor {
    return stats.variance(this, ...args);
  }
  std(...args: stats.VarArgs): Tensor {
    return stats.std(this, ...args);
  }
  norm(...args: Parameters<typeof stats.norm> extends [Tensor, ...infer R] ? R : never): Tensor {
    return stats.norm(this, ...args);
  }
  mm(other: Tensor, ...extra: never[]): Tensor {
    return products.mm(this, other, ...extra);
  }
  bmm(other: Tensor, ...extra: never[]): Tensor {
    return products.bmm(this, other, ...extra);
  }
  mv(vec: Tensor, ...extra: never[]): Tensor {
    return products.mv(this, vec, ...extra);
  }
  dot(other: Tensor, ...extra: never[]): Tensor {
    return products.dot(this, other, ...extra);
  }
  outer(other: Tensor, ...extra: never[]): Tensor {
    return products.outer(this, other, ...extra);
  }
  sin_(): this {
    return inplaceMath.sin_(this) as this;
  }
  cos_(): this {
    return inplaceMath.cos_(this) as this;
  }
  erf_(): this {
    return inplaceMath.erf_(this) as this;
  }
  log1p_(): this {
    return inplaceMath.log1p_(this) as this;
  }
  expm1_(): this {
    return inplaceMath.expm1_(this) as this;
  }
  rsqrt_(): this {
    return inplaceMath.rsqrt_(this) as this;
  }
  square_(): this {
    return inplaceMath.square_(this) as this;
  }
  reciprocal_(): this {
    return inplaceMath.reciprocal_(this) as this;
  }
  sign_(): this {
    return inplaceMath.sign_(this) as this;
  }
  floor_(): this {
    return inplaceMath.floor_(this) as this;
  }
  ceil_(): this {
    return inplaceMath.ceil_(this) as this;
  }
  round_(): this {
    return inplaceMath.round_(this) as this;
  }
  trunc_(): this {
    return inplaceMath.trunc_(this) as this;
  }
  frac_(): this {
    return inplaceMath.frac_(this) as this;
  }
  atan2_(other: Tensor): this {
    return inplaceMath.atan2_(this, other) as this;
  }
  lerp_(end: Tensor, weight: TensorOrScalar): this {
    return inplaceMath.lerp_(this, end, weight) as this;
  }
  cumsum_(dim: number): this {
    return inplaceMath.cumsum_(this, dim) as this;
  }
  cumprod_(dim: number): this {
    return inplaceMath.cumprod_(this, dim) as this;
  }
  /** Category indices drawn from this tensor's weights (torch.multinomial). */
  multinomial(
    numSamples: number,
    ...rest: Args<[replacement: boolean], { replacement?: boolean }>
  ): Tensor {
    return randomInt.multinomial(this, numSamples, ...rest);
  }
}
registerTensorClass(Tensor);
