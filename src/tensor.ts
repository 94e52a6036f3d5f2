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
import * as division from "./ops/division.js";
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
  type Rest,
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
  /**
   * The size of each dimension, outermost first (read-only).
   *
   * PyTorch: `torch.Tensor.shape`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3).shape; // [2, 3]
   * ```
   */
  readonly shape: readonly number[];
  /**
   * The element type: "float32", "int32" or "bool".
   *
   * PyTorch: `torch.Tensor.dtype`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2]).dtype; // "float32"
   * ```
   */
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

  /**
   * The number of dimensions.
   *
   * PyTorch: `torch.Tensor.ndim`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3, 4).ndim; // 3
   * ```
   */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * The number of dimensions (also the `ndim` property).
   *
   * PyTorch: `torch.Tensor.dim`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3).dim(); // 2
   * ```
   */
  dim(): number {
    return this.shape.length;
  }

  /**
   * The number of elements (the product of the shape).
   *
   * PyTorch: `torch.Tensor.numel`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3).numel(); // 6
   * ```
   */
  numel(): number {
    return this._numel;
  }

  /**
   * The shape (a copy), or the size of dimension `dim` (negative counts from the end).
   *
   * PyTorch: `torch.Tensor.size`.
   *
   * @example
   * ```ts
   * const x = wg.zeros(2, 3);
   * x.size(); // [2, 3]
   * x.size(-1); // 3
   * ```
   */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    if (this.ndim === 0) {
      throw new WasmgradError(`size: a 0-d tensor has no dimension ${String(dim)} (shape [])`);
    }
    return this.shape[normDim("size", dim, this.ndim)];
  }

  /**
   * Whether gradients are computed for this tensor (a leaf with it set accumulates `.grad`). Only
   * float32 tensors can require gradients.
   *
   * PyTorch: `torch.Tensor.requires_grad`.
   *
   * @example
   * ```ts
   * const w = wg.zeros(3);
   * w.requiresGrad = true;
   * w.sum().requiresGrad; // true
   * ```
   */
  get requiresGrad(): boolean {
    return this._requiresGrad;
  }

  /** Sets whether gradients are computed for this tensor; see {@link Tensor.requiresGrad_}. */
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

  /**
   * Whether `dispose()` (or the end of the `tidy` that made it) has freed this tensor's storage.
   *
   * PyTorch: none (memory in WebAssembly is freed explicitly).
   *
   * @example
   * ```ts
   * const x = wg.ones(2);
   * x.dispose();
   * x.isDisposed; // true
   * ```
   */
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

  /**
   * The gradient accumulated by `backward()` (null until one is computed); assigning a tensor of the
   * same shape, or null, replaces it.
   *
   * PyTorch: `torch.Tensor.grad`.
   *
   * @example
   * ```ts
   * const x = wg.tensor([1, 2, 3], { requiresGrad: true });
   * x.mul(2).sum().backward();
   * x.grad; // [2, 2, 2]
   * x.grad = null;
   * ```
   */
  get grad(): Tensor | null {
    return this._grad;
  }

  /** Replaces the gradient (a float32 tensor of this tensor's shape, or null to clear it). */
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

  /**
   * Frees this tensor's storage now (views keep shared storage alive). Idempotent.
   *
   * PyTorch: none (memory in WebAssembly is freed explicitly; see also `tidy` and `using`).
   *
   * @example
   * ```ts
   * const x = wg.randn(1000);
   * x.dispose();
   * ```
   */
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

  /**
   * Frees the tensor when a `using` declaration goes out of scope; the same as `dispose()`.
   *
   * PyTorch: none.
   *
   * @example
   * ```ts
   * {
   *   using x = wg.randn(1000);
   * } // x is freed here
   * ```
   */
  [Symbol.dispose](): void {
    this.dispose();
  }

  // ---- reading ----

  /**
   * A copy of the elements, row-major: a Float32Array, an Int32Array for int32, a Uint8Array
   * (0/1) for bool. Typed as Float32Array unless told otherwise (`t.data<Int32Array>()`), as
   * tfjs's `dataSync<D>()`: most tensors are float32.
   *
   * PyTorch: `torch.Tensor.numpy` (a copy, flattened).
   *
   * @example
   * ```ts
   * Array.from(wg.tensor([[1, 2], [3, 4]]).data()); // [1, 2, 3, 4]
   * ```
   */
  data<A extends TensorData = Float32Array>(): A {
    return readArray(this, "data") as A;
  }

  /**
   * The elements as nested arrays of numbers (booleans for bool; a scalar for 0-d).
   *
   * PyTorch: `torch.Tensor.tolist`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 2], [3, 4]]).toArray(); // [[1, 2], [3, 4]]
   * ```
   */
  toArray(): NestedArray {
    return toNested(readArray(this, "toArray"), this.shape, this.dtype === "bool");
  }

  /**
   * The value of a tensor with exactly one element: a number, or a boolean for a bool tensor
   * (typed as number unless told otherwise: `mask.any().item<boolean>()`).
   *
   * PyTorch: `torch.Tensor.item`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3]).sum().item(); // 6
   * ```
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

  /**
   * The values as PyTorch's repr prints them (abbreviated beyond 1000 elements).
   *
   * PyTorch: `torch.Tensor.__repr__`.
   *
   * @example
   * ```ts
   * String(wg.tensor([1, 2])); // "tensor([1., 2.])"
   * ```
   */
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
   * into `.grad`. `grad` (d loss / d this) is required unless this tensor has one element;
   * `{ retainGraph: true }` keeps the graph for another backward.
   *
   * PyTorch: `torch.Tensor.backward` (`retain_graph`).
   *
   * @example
   * ```ts
   * const x = wg.tensor([1, 2, 3], { requiresGrad: true });
   * x.pow(2).sum().backward();
   * x.grad; // [2, 4, 6]
   * ```
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

  /**
   * A tensor sharing this one's data, cut off from the autograd graph.
   *
   * PyTorch: `torch.Tensor.detach`.
   *
   * @example
   * ```ts
   * const x = wg.ones(2, { requiresGrad: true });
   * x.mul(2).detach().requiresGrad; // false
   * ```
   */
  detach(): Tensor {
    this._live("detach");
    const out = Tensor._view(this, this.shape);
    out._base = null;
    return out;
  }

  /**
   * Sets requiresGrad in place (only on leaves) and returns this tensor.
   *
   * PyTorch: `torch.Tensor.requires_grad_`.
   *
   * @example
   * ```ts
   * wg.zeros(3).requiresGrad_().requiresGrad; // true
   * ```
   */
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
  /**
   * This tensor converted to `dtype`, or to another tensor's dtype (itself if it already has
   * it). A device may come first or as `{ device }`: "cpu", the one device wasmgrad has, so
   * PyTorch's `x.to(device)` ports as it is.
   *
   * PyTorch: `torch.Tensor.to`.
   *
   * @example
   * ```ts
   * wg.tensor([1.7, -1.7]).to("int32").toArray(); // [1, -1]
   * wg.tensor([1, 2]).to("cpu").dtype; // "float32"
   * ```
   */
  to(
    dtypeOrDevice: DType | string | Tensor,
    ...rest: Args<[dtype: DType | string], { dtype?: DType | string; device?: string }>
  ): Tensor {
    return cast.to(this, dtypeOrDevice, ...rest);
  }
  /**
   * This tensor (wasmgrad has one device, the CPU).
   *
   * PyTorch: `torch.Tensor.cpu`.
   *
   * @example
   * ```ts
   * const x = wg.ones(2);
   * x.cpu() === x; // true
   * ```
   */
  cpu(): Tensor {
    return this;
  }
  /**
   * The device the tensor lives on: always "cpu".
   *
   * PyTorch: `torch.Tensor.device`.
   *
   * @example
   * ```ts
   * wg.ones(2).device; // "cpu"
   * ```
   */
  get device(): "cpu" {
    return "cpu";
  }
  /**
   * This tensor as float32 (itself if it already is).
   *
   * PyTorch: `torch.Tensor.float`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2], { dtype: "int32" }).float().dtype; // "float32"
   * ```
   */
  float(): Tensor {
    return cast.to(this, "float32");
  }
  /**
   * This tensor as int32, truncating toward zero (itself if it already is).
   *
   * PyTorch: `torch.Tensor.int`.
   *
   * @example
   * ```ts
   * wg.tensor([1.9, -1.9]).int().toArray(); // [1, -1]
   * ```
   */
  int(): Tensor {
    return cast.to(this, "int32");
  }
  /**
   * This tensor as int32, the integer dtype here (PyTorch's int64), so that ported code runs.
   *
   * PyTorch: `torch.Tensor.long`.
   *
   * @example
   * ```ts
   * wg.tensor([2.5]).long().dtype; // "int32"
   * ```
   */
  long(): Tensor {
    return cast.to(this, "int32");
  }
  /**
   * This tensor as bool (nonzero is true).
   *
   * PyTorch: `torch.Tensor.bool`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 2]).bool().toArray(); // [false, true]
   * ```
   */
  bool(): Tensor {
    return cast.to(this, "bool");
  }

  /**
   * A copy with its own storage (differentiable).
   *
   * PyTorch: `torch.Tensor.clone`.
   *
   * @example
   * ```ts
   * const x = wg.tensor([1, 2]);
   * const y = x.clone();
   * y.add_(1);
   * x.toArray(); // [1, 2]
   * ```
   */
  clone(): Tensor {
    return shapeOps.clone(this);
  }

  // ---- shape ----
  /**
   * This tensor with the same elements in a new shape (one size may be -1, inferred); a view when
   * the data is contiguous.
   *
   * PyTorch: `torch.Tensor.reshape`.
   *
   * @example
   * ```ts
   * wg.arange(6).reshape(2, -1).shape; // [2, 3]
   * ```
   */
  reshape(...shape: (number | number[])[]): Tensor {
    return shapeOps.reshape(this, ...shape);
  }
  /**
   * Flattens dims `startDim` to `endDim` (all by default) into one.
   *
   * PyTorch: `torch.Tensor.flatten` (`start_dim`, `end_dim`).
   *
   * @example
   * ```ts
   * wg.zeros(2, 3, 4).flatten(1).shape; // [2, 12]
   * ```
   */
  flatten(...given: Rest<typeof shapeOps.flatten>): Tensor {
    return shapeOps.flatten(this, ...given);
  }
  /**
   * Swaps dims `dim0` and `dim1`.
   *
   * PyTorch: `torch.Tensor.transpose`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3, 4).transpose(0, 2).shape; // [4, 3, 2]
   * ```
   */
  transpose(...given: Rest<typeof shapeOps.transpose>): Tensor {
    return shapeOps.transpose(this, ...given);
  }
  /**
   * Reorders the dims: dim i of the result is dim `dims[i]` of this tensor.
   *
   * PyTorch: `torch.Tensor.permute`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3, 4).permute(2, 0, 1).shape; // [4, 2, 3]
   * ```
   */
  permute(...dims: (number | number[])[]): Tensor {
    return shapeOps.permute(this, ...dims);
  }
  /**
   * Removes size-1 dims (only `dim` when given).
   *
   * PyTorch: `torch.Tensor.squeeze`.
   *
   * @example
   * ```ts
   * wg.zeros(1, 3, 1).squeeze().shape; // [3]
   * ```
   */
  squeeze(...given: Rest<typeof shapeOps.squeeze>): Tensor {
    return shapeOps.squeeze(this, ...given);
  }
  /**
   * Inserts a size-1 dim at `dim` (negative counts from the end of the result).
   *
   * PyTorch: `torch.Tensor.unsqueeze`.
   *
   * @example
   * ```ts
   * wg.zeros(3).unsqueeze(0).shape; // [1, 3]
   * ```
   */
  unsqueeze(...given: Rest<typeof shapeOps.unsqueeze>): Tensor {
    return shapeOps.unsqueeze(this, ...given);
  }
  /**
   * The dims reversed (a transpose for a matrix).
   *
   * PyTorch: `torch.Tensor.T`.
   *
   * @example
   * ```ts
   * wg.zeros(2, 3).T.shape; // [3, 2]
   * ```
   */
  get T(): Tensor {
    return shapeOps.permute(
      this,
      this.shape.map((_, i) => this.ndim - 1 - i),
    );
  }
  /**
   * The `length` elements of dim `dim` starting at `start`. A copy where PyTorch returns a view:
   * in-place ops on it are refused.
   *
   * PyTorch: `torch.Tensor.narrow`.
   *
   * @example
   * ```ts
   * wg.arange(5).narrow(0, 1, 3).toArray(); // [1, 2, 3]
   * ```
   */
  narrow(...given: Rest<typeof shapeOps.narrow>): Tensor {
    return markSliceCopy("narrow", shapeOps.narrow(this, ...given));
  }

  // ---- arithmetic ----
  /**
   * Adds `other` (a tensor that broadcasts, or a number) elementwise, times `{ alpha }` if given.
   *
   * PyTorch: `torch.Tensor.add` (`+`).
   *
   * @example
   * ```ts
   * wg.tensor([1, 2]).add(wg.tensor([10, 20])).toArray(); // [11, 22]
   * wg.tensor([1, 2]).add(wg.tensor([10, 20]), { alpha: 0.5 }).toArray(); // [6, 12]
   * ```
   */
  add(other: TensorOrScalar, ...rest: Args<[], binary.AlphaOptions>): Tensor {
    return binary.add(this, other, ...rest);
  }
  /**
   * Subtracts `other` (a tensor that broadcasts, or a number) elementwise, times `{ alpha }` if
   * given.
   *
   * PyTorch: `torch.Tensor.sub` (`-`).
   *
   * @example
   * ```ts
   * wg.tensor([5, 7]).sub(1).toArray(); // [4, 6]
   * ```
   */
  sub(other: TensorOrScalar, ...rest: Args<[], binary.AlphaOptions>): Tensor {
    return binary.sub(this, other, ...rest);
  }
  /**
   * Multiplies by `other` (a tensor that broadcasts, or a number) elementwise.
   *
   * PyTorch: `torch.Tensor.mul` (`*`).
   *
   * @example
   * ```ts
   * wg.tensor([[1], [2]]).mul(wg.tensor([1, 10])).toArray(); // [[1, 10], [2, 20]]
   * ```
   */
  mul(other: TensorOrScalar, ...extra: never[]): Tensor {
    return binary.mul(this, other, ...extra);
  }
  /**
   * Divides by `other` elementwise (true division: the result is float32), or rounds the quotient
   * with `{ roundingMode: "floor" | "trunc" }`.
   *
   * PyTorch: `torch.Tensor.div` (`/`).
   *
   * @example
   * ```ts
   * wg.tensor([1, 3]).div(2).toArray(); // [0.5, 1.5]
   * ```
   */
  div(other: TensorOrScalar, ...rest: Args<[], division.DivOptions>): Tensor {
    return binary.div(this, other, ...rest);
  }
  /**
   * floor(this / other) elementwise; int32 operands give int32.
   *
   * PyTorch: `torch.Tensor.floor_divide`.
   *
   * @example
   * ```ts
   * wg.tensor([7, -7], { dtype: "int32" }).floorDivide(2).toArray(); // [3, -4]
   * ```
   */
  floorDivide(other: TensorOrScalar): Tensor {
    return division.floorDivide(this, other);
  }
  /**
   * The remainder of floor division: it has the divisor's sign.
   *
   * PyTorch: `torch.Tensor.remainder`.
   *
   * @example
   * ```ts
   * wg.tensor([5, -5]).remainder(3).toArray(); // [2, 1]
   * ```
   */
  remainder(other: TensorOrScalar): Tensor {
    return division.remainder(this, other);
  }
  /**
   * C's fmod elementwise: the remainder has the dividend's sign.
   *
   * PyTorch: `torch.Tensor.fmod`.
   *
   * @example
   * ```ts
   * wg.tensor([5, -5]).fmod(3).toArray(); // [2, -2]
   * ```
   */
  fmod(other: TensorOrScalar): Tensor {
    return division.fmod(this, other);
  }
  /**
   * The elementwise maximum with `other` (broadcasting).
   *
   * PyTorch: `torch.Tensor.maximum`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 5]).maximum(wg.tensor([3, 2])).toArray(); // [3, 5]
   * ```
   */
  maximum(other: TensorOrScalar): Tensor {
    return binary.maximum(this, other);
  }
  /**
   * The elementwise minimum with `other` (broadcasting).
   *
   * PyTorch: `torch.Tensor.minimum`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 5]).minimum(wg.tensor([3, 2])).toArray(); // [1, 2]
   * ```
   */
  minimum(other: TensorOrScalar): Tensor {
    return binary.minimum(this, other);
  }
  /**
   * This tensor raised to `exponent`, elementwise; a tensor exponent broadcasts.
   *
   * PyTorch: `torch.Tensor.pow` (`**`).
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3]).pow(2).toArray(); // [1, 4, 9]
   * ```
   */
  pow(exponent: TensorOrScalar, ...extra: never[]): Tensor {
    return powOps.pow(this, exponent, ...extra);
  }
  /**
   * The negation, -x.
   *
   * PyTorch: `torch.Tensor.neg`.
   *
   * @example
   * ```ts
   * wg.tensor([1, -2]).neg().toArray(); // [-1, 2]
   * ```
   */
  neg(): Tensor {
    return unary.neg(this);
  }
  /**
   * The exponential, e^x, elementwise.
   *
   * PyTorch: `torch.Tensor.exp`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 1]).exp().toArray(); // [1, 2.71828]
   * ```
   */
  exp(): Tensor {
    return unary.exp(this);
  }
  /**
   * The natural logarithm, elementwise.
   *
   * PyTorch: `torch.Tensor.log`.
   *
   * @example
   * ```ts
   * wg.tensor([1, Math.E]).log().toArray(); // [0, 1]
   * ```
   */
  log(): Tensor {
    return unary.log(this);
  }
  /**
   * The square root, elementwise.
   *
   * PyTorch: `torch.Tensor.sqrt`.
   *
   * @example
   * ```ts
   * wg.tensor([4, 9]).sqrt().toArray(); // [2, 3]
   * ```
   */
  sqrt(): Tensor {
    return unary.sqrt(this);
  }
  /**
   * The absolute value, elementwise.
   *
   * PyTorch: `torch.Tensor.abs`.
   *
   * @example
   * ```ts
   * wg.tensor([-1.5, 2]).abs().toArray(); // [1.5, 2]
   * ```
   */
  abs(): Tensor {
    return unary.abs(this);
  }
  /**
   * max(x, 0), elementwise.
   *
   * PyTorch: `torch.Tensor.relu`.
   *
   * @example
   * ```ts
   * wg.tensor([-1, 2]).relu().toArray(); // [0, 2]
   * ```
   */
  relu(): Tensor {
    return unary.relu(this);
  }
  /**
   * The logistic function 1 / (1 + e^-x), elementwise.
   *
   * PyTorch: `torch.Tensor.sigmoid`.
   *
   * @example
   * ```ts
   * wg.tensor([0]).sigmoid().toArray(); // [0.5]
   * ```
   */
  sigmoid(): Tensor {
    return unary.sigmoid(this);
  }
  /**
   * The hyperbolic tangent, elementwise.
   *
   * PyTorch: `torch.Tensor.tanh`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 1]).tanh().toArray(); // [0, 0.76159]
   * ```
   */
  tanh(): Tensor {
    return unary.tanh(this);
  }
  /**
   * Clamps every element into [min, max]; either bound may be null (or max omitted) for none.
   *
   * PyTorch: `torch.Tensor.clamp`.
   *
   * @example
   * ```ts
   * wg.tensor([-2, 0.5, 3]).clamp(0, 1).toArray(); // [0, 0.5, 1]
   * ```
   */
  clamp(...given: Rest<typeof unary.clamp>): Tensor {
    return unary.clamp(this, ...given);
  }
  /**
   * The matrix product with `other`, with PyTorch's rules for 1-d operands and broadcast batch dims.
   *
   * PyTorch: `torch.Tensor.matmul` (`@`).
   *
   * @example
   * ```ts
   * wg.tensor([[1, 2], [3, 4]]).matmul(wg.tensor([1, 1])).toArray(); // [3, 7]
   * ```
   */
  matmul(other: Tensor): Tensor {
    return matmulOps.matmul(this, other);
  }

  // ---- reductions ----
  /**
   * The sum over `dim` (a dim, several, or all when omitted); `keepdim` keeps reduced dims as size 1.
   *
   * PyTorch: `torch.Tensor.sum`.
   *
   * @example
   * ```ts
   * const x = wg.tensor([[1, 2], [3, 4]]);
   * x.sum().item(); // 10
   * x.sum(1).toArray(); // [3, 7]
   * ```
   */
  sum(...given: Rest<typeof reduce.sum>): Tensor {
    return reduce.sum(this, ...given);
  }
  /**
   * The mean over `dim` (a dim, several, or all when omitted); `keepdim` keeps reduced dims as
   * size 1.
   *
   * PyTorch: `torch.Tensor.mean`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 2], [3, 4]]).mean(0).toArray(); // [2, 3]
   * ```
   */
  mean(...given: Rest<typeof reduce.mean>): Tensor {
    return reduce.mean(this, ...given);
  }
  /**
   * `max()`: the largest element (a 0-d tensor); `max(dim, keepdim?)`: `[values, indices]` along
   * `dim`; `max(other)`: the elementwise maximum.
   *
   * PyTorch: `torch.Tensor.max`.
   *
   * @example
   * ```ts
   * const x = wg.tensor([[1, 5], [7, 2]]);
   * x.max().item(); // 7
   * const [values, indices] = x.max(1);
   * values.toArray(); // [5, 7]
   * indices.toArray(); // [1, 0]
   * ```
   */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): ValuesIndices;
  max(options: { dim: number; keepdim?: boolean }): ValuesIndices;
  max(other: Tensor): Tensor;
  max(...given: unknown[]): Tensor | ValuesIndices {
    return (extrema.max as (x: Tensor, ...g: unknown[]) => Tensor | ValuesIndices)(this, ...given);
  }
  /**
   * `min()`: the smallest element (a 0-d tensor); `min(dim, keepdim?)`: `[values, indices]` along
   * `dim`; `min(other)`: the elementwise minimum.
   *
   * PyTorch: `torch.Tensor.min`.
   *
   * @example
   * ```ts
   * const [values, indices] = wg.tensor([[1, 5], [7, 2]]).min(1);
   * values.toArray(); // [1, 2]
   * indices.toArray(); // [0, 1]
   * ```
   */
  min(): Tensor;
  min(dim: number, keepdim?: boolean): ValuesIndices;
  min(options: { dim: number; keepdim?: boolean }): ValuesIndices;
  min(other: Tensor): Tensor;
  min(...given: unknown[]): Tensor | ValuesIndices {
    return (extrema.min as (x: Tensor, ...g: unknown[]) => Tensor | ValuesIndices)(this, ...given);
  }
  /**
   * The maximum over `dim` (a dim, several, or all when omitted), without indices.
   *
   * PyTorch: `torch.Tensor.amax`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 5], [7, 2]]).amax(0).toArray(); // [7, 5]
   * ```
   */
  amax(...given: Rest<typeof extrema.amax>): Tensor {
    return extrema.amax(this, ...given);
  }
  /**
   * The minimum over `dim` (a dim, several, or all when omitted), without indices.
   *
   * PyTorch: `torch.Tensor.amin`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 5], [7, 2]]).amin(1).toArray(); // [1, 2]
   * ```
   */
  amin(...given: Rest<typeof extrema.amin>): Tensor {
    return extrema.amin(this, ...given);
  }
  /**
   * int32 indices of the maxima along `dim` (over the flattened tensor when dim is omitted).
   *
   * PyTorch: `torch.Tensor.argmax`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 5], [7, 2]]).argmax(1).toArray(); // [1, 0]
   * ```
   */
  argmax(...given: Rest<typeof extrema.argmax>): Tensor {
    return extrema.argmax(this, ...given);
  }
  /**
   * int32 indices of the minima along `dim` (over the flattened tensor when dim is omitted).
   *
   * PyTorch: `torch.Tensor.argmin`.
   *
   * @example
   * ```ts
   * wg.tensor([3, 1, 2]).argmin().item(); // 1
   * ```
   */
  argmin(...given: Rest<typeof extrema.argmin>): Tensor {
    return extrema.argmin(this, ...given);
  }
  /**
   * The softmax along `dim`: exp(x) / sum(exp(x)), computed stably.
   *
   * PyTorch: `torch.Tensor.softmax`.
   *
   * @example
   * ```ts
   * wg.tensor([0, Math.log(3)]).softmax(0).toArray(); // [0.25, 0.75]
   * ```
   */
  softmax(...given: Rest<typeof softmaxOps.softmax>): Tensor {
    return softmaxOps.softmax(this, ...given);
  }
  /**
   * The log of the softmax along `dim`, computed stably.
   *
   * PyTorch: `torch.Tensor.log_softmax`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 0]).logSoftmax(0).toArray(); // [-0.69315, -0.69315]
   * ```
   */
  logSoftmax(...given: Rest<typeof softmaxOps.logSoftmax>): Tensor {
    return softmaxOps.logSoftmax(this, ...given);
  }
  // ---- more math (issue 15) ----
  /**
   * The sine, elementwise.
   *
   * PyTorch: `torch.Tensor.sin`.
   *
   * @example
   * ```ts
   * wg.tensor([0, Math.PI / 2]).sin().toArray(); // [0, 1]
   * ```
   */
  sin(...extra: never[]): Tensor {
    return elementwise.sin(this, ...extra);
  }
  /**
   * The cosine, elementwise.
   *
   * PyTorch: `torch.Tensor.cos`.
   *
   * @example
   * ```ts
   * wg.tensor([0, Math.PI]).cos().toArray(); // [1, -1]
   * ```
   */
  cos(...extra: never[]): Tensor {
    return elementwise.cos(this, ...extra);
  }
  /**
   * The error function, elementwise.
   *
   * PyTorch: `torch.Tensor.erf`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 1]).erf().toArray(); // [0, 0.8427]
   * ```
   */
  erf(...extra: never[]): Tensor {
    return elementwise.erf(this, ...extra);
  }
  /**
   * log(1 + x), elementwise, accurate for small x.
   *
   * PyTorch: `torch.Tensor.log1p`.
   *
   * @example
   * ```ts
   * wg.tensor([0, Math.E - 1]).log1p().toArray(); // [0, 1]
   * ```
   */
  log1p(...extra: never[]): Tensor {
    return elementwise.log1p(this, ...extra);
  }
  /**
   * e^x - 1, elementwise, accurate for small x.
   *
   * PyTorch: `torch.Tensor.expm1`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 1]).expm1().toArray(); // [0, 1.71828]
   * ```
   */
  expm1(...extra: never[]): Tensor {
    return elementwise.expm1(this, ...extra);
  }
  /**
   * 1 / sqrt(x), elementwise.
   *
   * PyTorch: `torch.Tensor.rsqrt`.
   *
   * @example
   * ```ts
   * wg.tensor([4, 0.25]).rsqrt().toArray(); // [0.5, 2]
   * ```
   */
  rsqrt(...extra: never[]): Tensor {
    return elementwise.rsqrt(this, ...extra);
  }
  /**
   * x * x, elementwise.
   *
   * PyTorch: `torch.Tensor.square`.
   *
   * @example
   * ```ts
   * wg.tensor([-3, 2]).square().toArray(); // [9, 4]
   * ```
   */
  square(...extra: never[]): Tensor {
    return elementwise.square(this, ...extra);
  }
  /**
   * 1 / x, elementwise.
   *
   * PyTorch: `torch.Tensor.reciprocal`.
   *
   * @example
   * ```ts
   * wg.tensor([2, -4]).reciprocal().toArray(); // [0.5, -0.25]
   * ```
   */
  reciprocal(...extra: never[]): Tensor {
    return elementwise.reciprocal(this, ...extra);
  }
  /**
   * -1, 0 or 1 by the sign of each element.
   *
   * PyTorch: `torch.Tensor.sign`.
   *
   * @example
   * ```ts
   * wg.tensor([-2, 0, 3]).sign().toArray(); // [-1, 0, 1]
   * ```
   */
  sign(...extra: never[]): Tensor {
    return elementwise.sign(this, ...extra);
  }
  /**
   * Rounds down to an integer value, elementwise.
   *
   * PyTorch: `torch.Tensor.floor`.
   *
   * @example
   * ```ts
   * wg.tensor([1.5, -1.5]).floor().toArray(); // [1, -2]
   * ```
   */
  floor(...extra: never[]): Tensor {
    return elementwise.floor(this, ...extra);
  }
  /**
   * Rounds up to an integer value, elementwise.
   *
   * PyTorch: `torch.Tensor.ceil`.
   *
   * @example
   * ```ts
   * wg.tensor([1.5, -1.5]).ceil().toArray(); // [2, -1]
   * ```
   */
  ceil(...extra: never[]): Tensor {
    return elementwise.ceil(this, ...extra);
  }
  /**
   * Rounds half to even, elementwise; `{ decimals }` rounds to that many decimal places.
   *
   * PyTorch: `torch.Tensor.round`.
   *
   * @example
   * ```ts
   * wg.tensor([0.5, 1.5, 2.567]).round().toArray(); // [0, 2, 3]
   * wg.tensor([2.567]).round({ decimals: 2 }).toArray(); // [2.57]
   * ```
   */
  round(opts?: { decimals?: number }, ...extra: never[]): Tensor {
    return elementwise.round(this, opts, ...extra);
  }
  /**
   * Rounds toward zero, elementwise.
   *
   * PyTorch: `torch.Tensor.trunc`.
   *
   * @example
   * ```ts
   * wg.tensor([1.7, -1.7]).trunc().toArray(); // [1, -1]
   * ```
   */
  trunc(...extra: never[]): Tensor {
    return elementwise.trunc(this, ...extra);
  }
  /**
   * The fractional part, x - trunc(x), elementwise.
   *
   * PyTorch: `torch.Tensor.frac`.
   *
   * @example
   * ```ts
   * wg.tensor([1.25, -1.25]).frac().toArray(); // [0.25, -0.25]
   * ```
   */
  frac(...extra: never[]): Tensor {
    return elementwise.frac(this, ...extra);
  }
  /**
   * `base` raised to this tensor, elementwise, for a number base (Python's `base ** t`).
   *
   * PyTorch: `torch.Tensor.__rpow__`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 1, 3]).rpow(2).toArray(); // [1, 2, 8]
   * ```
   */
  rpow(base: number, ...extra: never[]): Tensor {
    return powOps.rpow(this, base, ...extra);
  }
  /**
   * The angle of the point (other, this), atan2(this, other), elementwise with broadcasting.
   *
   * PyTorch: `torch.Tensor.atan2`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 0]).atan2(wg.tensor([0, 1])).toArray(); // [1.5708, 0]
   * ```
   */
  atan2(other: Tensor, ...extra: never[]): Tensor {
    return powOps.atan2(this, other, ...extra);
  }
  /**
   * Linear interpolation toward `end`: this + weight * (end - this).
   *
   * PyTorch: `torch.Tensor.lerp`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 10]).lerp(wg.tensor([10, 20]), 0.5).toArray(); // [5, 15]
   * ```
   */
  lerp(end: Tensor, weight: TensorOrScalar, ...extra: never[]): Tensor {
    return powOps.lerp(this, end, weight, ...extra);
  }
  /**
   * log(sum(exp(x))) over `dim`, computed stably; `keepdim` keeps the reduced dims.
   *
   * PyTorch: `torch.Tensor.logsumexp`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 0]).logsumexp(0).item(); // 0.69315
   * ```
   */
  logsumexp(
    ...args: Parameters<typeof stats.logsumexp> extends [Tensor, ...infer R] ? R : never
  ): Tensor {
    return stats.logsumexp(this, ...args);
  }
  /**
   * The cumulative sum along `dim`.
   *
   * PyTorch: `torch.Tensor.cumsum`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3]).cumsum(0).toArray(); // [1, 3, 6]
   * ```
   */
  cumsum(...args: Parameters<typeof scan.cumsum> extends [Tensor, ...infer R] ? R : never): Tensor {
    return scan.cumsum(this, ...args);
  }
  /**
   * The cumulative product along `dim`.
   *
   * PyTorch: `torch.Tensor.cumprod`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3]).cumprod(0).toArray(); // [1, 2, 6]
   * ```
   */
  cumprod(
    ...args: Parameters<typeof scan.cumprod> extends [Tensor, ...infer R] ? R : never
  ): Tensor {
    return scan.cumprod(this, ...args);
  }
  /**
   * The product of all elements, or along `dim` (`keepdim` keeps it as size 1).
   *
   * PyTorch: `torch.Tensor.prod`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 2], [3, 4]]).prod(1).toArray(); // [2, 12]
   * ```
   */
  prod(...args: Parameters<typeof scan.prod> extends [Tensor, ...infer R] ? R : never): Tensor {
    return scan.prod(this, ...args);
  }
  /**
   * The variance over `dim` (all when omitted), with Bessel's correction unless
   * `{ correction: 0 }` (or `unbiased: false`).
   *
   * PyTorch: `torch.Tensor.var`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3, 4]).var().item(); // 1.66667
   * wg.tensor([1, 2, 3, 4]).var(0, { correction: 0 }).item(); // 1.25
   * ```
   */
  var(...args: stats.VarArgs): Tensor {
    return stats.variance(this, ...args);
  }
  /**
   * The standard deviation over `dim` (all when omitted), with Bessel's correction unless
   * `{ correction: 0 }` (or `unbiased: false`).
   *
   * PyTorch: `torch.Tensor.std`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3, 4]).std().item(); // 1.29099
   * ```
   */
  std(...args: stats.VarArgs): Tensor {
    return stats.std(this, ...args);
  }
  /**
   * The p-norm (2 by default, "fro" for Frobenius) over `dim` or all elements.
   *
   * PyTorch: `torch.Tensor.norm`.
   *
   * @example
   * ```ts
   * wg.tensor([3, 4]).norm().item(); // 5
   * wg.tensor([3, -4]).norm(1).item(); // 7
   * ```
   */
  norm(...args: Parameters<typeof stats.norm> extends [Tensor, ...infer R] ? R : never): Tensor {
    return stats.norm(this, ...args);
  }
  /**
   * The product of two matrices (2-d only, no broadcasting).
   *
   * PyTorch: `torch.Tensor.mm`.
   *
   * @example
   * ```ts
   * wg.ones(2, 3).mm(wg.ones(3, 4)).shape; // [2, 4]
   * ```
   */
  mm(other: Tensor, ...extra: never[]): Tensor {
    return products.mm(this, other, ...extra);
  }
  /**
   * The batched matrix product of [B, n, m] and [B, m, p] tensors.
   *
   * PyTorch: `torch.Tensor.bmm`.
   *
   * @example
   * ```ts
   * wg.ones(5, 2, 3).bmm(wg.ones(5, 3, 4)).shape; // [5, 2, 4]
   * ```
   */
  bmm(other: Tensor, ...extra: never[]): Tensor {
    return products.bmm(this, other, ...extra);
  }
  /**
   * The product of a matrix and a vector.
   *
   * PyTorch: `torch.Tensor.mv`.
   *
   * @example
   * ```ts
   * wg.tensor([[1, 2], [3, 4]]).mv(wg.tensor([1, 0])).toArray(); // [1, 3]
   * ```
   */
  mv(vec: Tensor, ...extra: never[]): Tensor {
    return products.mv(this, vec, ...extra);
  }
  /**
   * The dot product of two 1-d tensors (a 0-d tensor).
   *
   * PyTorch: `torch.Tensor.dot`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2, 3]).dot(wg.tensor([4, 5, 6])).item(); // 32
   * ```
   */
  dot(other: Tensor, ...extra: never[]): Tensor {
    return products.dot(this, other, ...extra);
  }
  /**
   * The outer product of two 1-d tensors.
   *
   * PyTorch: `torch.Tensor.outer`.
   *
   * @example
   * ```ts
   * wg.tensor([1, 2]).outer(wg.tensor([1, 10])).toArray(); // [[1, 10], [2, 20]]
   * ```
   */
  outer(other: Tensor, ...extra: never[]): Tensor {
    return products.outer(this, other, ...extra);
  }
  /** In-place version of {@link Tensor.sin}. */
  sin_(): this {
    return inplaceMath.sin_(this) as this;
  }
  /** In-place version of {@link Tensor.cos}. */
  cos_(): this {
    return inplaceMath.cos_(this) as this;
  }
  /** In-place version of {@link Tensor.erf}. */
  erf_(): this {
    return inplaceMath.erf_(this) as this;
  }
  /** In-place version of {@link Tensor.log1p}. */
  log1p_(): this {
    return inplaceMath.log1p_(this) as this;
  }
  /** In-place version of {@link Tensor.expm1}. */
  expm1_(): this {
    return inplaceMath.expm1_(this) as this;
  }
  /** In-place version of {@link Tensor.rsqrt}. */
  rsqrt_(): this {
    return inplaceMath.rsqrt_(this) as this;
  }
  /** In-place version of {@link Tensor.square}. */
  square_(): this {
    return inplaceMath.square_(this) as this;
  }
  /** In-place version of {@link Tensor.reciprocal}. */
  reciprocal_(): this {
    return inplaceMath.reciprocal_(this) as this;
  }
  /** In-place version of {@link Tensor.sign}. */
  sign_(): this {
    return inplaceMath.sign_(this) as this;
  }
  /** In-place version of {@link Tensor.floor}. */
  floor_(): this {
    return inplaceMath.floor_(this) as this;
  }
  /** In-place version of {@link Tensor.ceil}. */
  ceil_(): this {
    return inplaceMath.ceil_(this) as this;
  }
  /** In-place version of {@link Tensor.round} (half to even, no `decimals`). */
  round_(): this {
    return inplaceMath.round_(this) as this;
  }
  /** In-place version of {@link Tensor.trunc}. */
  trunc_(): this {
    return inplaceMath.trunc_(this) as this;
  }
  /** In-place version of {@link Tensor.frac}. */
  frac_(): this {
    return inplaceMath.frac_(this) as this;
  }
  /** In-place version of {@link Tensor.atan2}. */
  atan2_(other: Tensor): this {
    return inplaceMath.atan2_(this, other) as this;
  }
  /** In-place version of {@link Tensor.lerp}. */
  lerp_(end: Tensor, weight: TensorOrScalar): this {
    return inplaceMath.lerp_(this, end, weight) as this;
  }
  /** In-place version of {@link Tensor.cumsum}. */
  cumsum_(dim: number): this {
    return inplaceMath.cumsum_(this, dim) as this;
  }
  /** In-place version of {@link Tensor.cumprod}. */
  cumprod_(dim: number): this {
    return inplaceMath.cumprod_(this, dim) as this;
  }
  /**
   * Draws `numSamples` category indices (int32) from this tensor's rows of non-negative weights,
   * without replacement unless `replacement` is true.
   *
   * PyTorch: `torch.Tensor.multinomial`.
   *
   * @example
   * ```ts
   * wg.tensor([0, 1, 0]).multinomial(2, { replacement: true }).toArray(); // [1, 1]
   * ```
   */
  multinomial(
    numSamples: number,
    ...rest: Args<[replacement: boolean], { replacement?: boolean }>
  ): Tensor {
    return randomInt.multinomial(this, numSamples, ...rest);
  }
}
registerTensorClass(Tensor);
