/**
 * Tensor methods for the comparison, mask, selection and in-place families, bound onto the
 * class here (declaration merging) so that tensor.ts stays about storage, shape and autograd.
 * Each method is the function of the same name with the tensor as first argument.
 */

import { WasmgradError } from "./errors.js";
import type { ValuesIndices } from "./named.js";
import type { AlphaOptions } from "./ops/binary.js";
import * as cmp from "./ops/compare.js";
import type { CreateOptions, ShapeArg, ShapeArgs, TensorOptions } from "./ops/creation.js";
import * as cr from "./ops/creation.js";
import type { DivOptions } from "./ops/division.js";
import * as gi from "./ops/index.js";
import * as ix from "./ops/indexing.js";
import * as ip from "./ops/inplace-ops.js";
import * as so from "./ops/sort.js";
import * as vw from "./ops/views.js";
import * as sel from "./ops/where.js";
import { Tensor, type TensorOrScalar } from "./tensor.js";
import { type Args, describe, isPlainObject, type Rest } from "./validate.js";

declare module "./tensor.js" {
  interface Tensor {
    /**
     * Zeros of the given shape, with this tensor's dtype unless `{ dtype }` says otherwise.
     *
     * PyTorch: `torch.Tensor.new_zeros`.
     *
     * @example
     * ```ts
     * const h = wg.ones(2, 3).newZeros(4, 5); // float32 [4, 5]
     * ```
     */
    newZeros(...size: ShapeArgs): Tensor;
    /**
     * Ones of the given shape, with this tensor's dtype unless `{ dtype }` says otherwise.
     *
     * PyTorch: `torch.Tensor.new_ones`.
     *
     * @example
     * ```ts
     * wg.zeros(2).int().newOnes([3]).dtype; // "int32"
     * ```
     */
    newOnes(...size: ShapeArgs): Tensor;
    /**
     * A tensor of the given shape (zeros in wasmgrad), with this tensor's dtype unless `{ dtype }`
     * says otherwise.
     *
     * PyTorch: `torch.Tensor.new_empty`.
     *
     * @example
     * ```ts
     * wg.ones(2).newEmpty(3).shape; // [3]
     * ```
     */
    newEmpty(...size: ShapeArgs): Tensor;
    /**
     * `size` filled with `fillValue`, with this tensor's dtype unless `{ dtype }` says otherwise.
     *
     * PyTorch: `torch.Tensor.new_full`.
     *
     * @example
     * ```ts
     * wg.ones(2).newFull([2, 2], 7).toArray(); // [[7, 7], [7, 7]]
     * ```
     */
    newFull(size: ShapeArg, fillValue: number | boolean, options?: CreateOptions): Tensor;
    /**
     * A new tensor of `data`, with this tensor's dtype unless `{ dtype }` says otherwise.
     *
     * PyTorch: `torch.Tensor.new_tensor`.
     *
     * @example
     * ```ts
     * wg.zeros(1).int().newTensor([1, 2]).dtype; // "int32"
     * ```
     */
    newTensor(data: Parameters<typeof cr.tensor>[0], options?: TensorOptions): Tensor;
    /**
     * Elementwise `this == other` (a bool tensor; `other` broadcasts or is a number).
     *
     * PyTorch: `torch.Tensor.eq`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3]).eq(2).toArray(); // [false, true, false]
     * ```
     */
    eq(other: TensorOrScalar): Tensor;
    /**
     * Elementwise `this != other` (a bool tensor).
     *
     * PyTorch: `torch.Tensor.ne`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3]).ne(2).toArray(); // [true, false, true]
     * ```
     */
    ne(other: TensorOrScalar): Tensor;
    /**
     * Elementwise `this < other` (a bool tensor).
     *
     * PyTorch: `torch.Tensor.lt`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3]).lt(2).toArray(); // [true, false, false]
     * ```
     */
    lt(other: TensorOrScalar): Tensor;
    /**
     * Elementwise `this <= other` (a bool tensor).
     *
     * PyTorch: `torch.Tensor.le`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3]).le(2).toArray(); // [true, true, false]
     * ```
     */
    le(other: TensorOrScalar): Tensor;
    /**
     * Elementwise `this > other` (a bool tensor).
     *
     * PyTorch: `torch.Tensor.gt`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3]).gt(wg.tensor([0, 2, 4])).toArray(); // [true, false, false]
     * ```
     */
    gt(other: TensorOrScalar): Tensor;
    /**
     * Elementwise `this >= other` (a bool tensor).
     *
     * PyTorch: `torch.Tensor.ge`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3]).ge(2).toArray(); // [false, true, true]
     * ```
     */
    ge(other: TensorOrScalar): Tensor;
    /**
     * Which elements are NaN (a bool tensor).
     *
     * PyTorch: `torch.Tensor.isnan`.
     *
     * @example
     * ```ts
     * wg.tensor([1, NaN]).isnan().toArray(); // [false, true]
     * ```
     */
    isnan(): Tensor;
    /**
     * Which elements are neither infinite nor NaN (a bool tensor).
     *
     * PyTorch: `torch.Tensor.isfinite`.
     *
     * @example
     * ```ts
     * wg.tensor([1, Infinity, NaN]).isfinite().toArray(); // [true, false, false]
     * ```
     */
    isfinite(): Tensor;
    /**
     * Which elements are +Infinity or -Infinity (a bool tensor).
     *
     * PyTorch: `torch.Tensor.isinf`.
     *
     * @example
     * ```ts
     * wg.tensor([1, -Infinity, NaN]).isinf().toArray(); // [false, true, false]
     * ```
     */
    isinf(): Tensor;
    /**
     * Elementwise logical and (nonzero is true), a bool tensor.
     *
     * PyTorch: `torch.Tensor.logical_and`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 1, 0]).logicalAnd(wg.tensor([1, 0, 0])).toArray(); // [true, false, false]
     * ```
     */
    logicalAnd(other: Tensor): Tensor;
    /**
     * Elementwise logical or (nonzero is true), a bool tensor.
     *
     * PyTorch: `torch.Tensor.logical_or`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 1, 0]).logicalOr(wg.tensor([1, 0, 0])).toArray(); // [true, true, false]
     * ```
     */
    logicalOr(other: Tensor): Tensor;
    /**
     * Elementwise logical exclusive or (nonzero is true), a bool tensor.
     *
     * PyTorch: `torch.Tensor.logical_xor`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 1, 0]).logicalXor(wg.tensor([1, 0, 0])).toArray(); // [false, true, false]
     * ```
     */
    logicalXor(other: Tensor): Tensor;
    /**
     * Elementwise logical not (zero becomes true), a bool tensor.
     *
     * PyTorch: `torch.Tensor.logical_not`.
     *
     * @example
     * ```ts
     * wg.tensor([0, 2]).logicalNot().toArray(); // [true, false]
     * ```
     */
    logicalNot(): Tensor;
    /**
     * This tensor where `condition` is true, `other` elsewhere: `x.where(cond, y)` is
     * `wg.where(cond, x, y)`.
     *
     * PyTorch: `torch.Tensor.where`.
     *
     * @example
     * ```ts
     * const x = wg.tensor([1, 2, 3]);
     * x.where(x.gt(1), 0).toArray(); // [0, 2, 3]
     * ```
     */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    /**
     * The indices of the nonzero elements: int32 [n, ndim], or one [n] tensor per dimension with
     * `{ asTuple: true }`.
     *
     * PyTorch: `torch.Tensor.nonzero`.
     *
     * @example
     * ```ts
     * wg.tensor([0, 2, 0, 3]).nonzero().toArray(); // [[1], [3]]
     * ```
     */
    nonzero(): Tensor;
    /** With `{ asTuple: true }`: one int32 [n] tensor of indices per dimension. */
    nonzero(options: sel.NonzeroOptions & { asTuple: true }): Tensor[];
    /**
     * A copy with `value` written where `mask` (a bool tensor that broadcasts) is true.
     *
     * PyTorch: `torch.Tensor.masked_fill`.
     *
     * @example
     * ```ts
     * const x = wg.tensor([1, 2, 3]);
     * x.maskedFill(x.gt(1), 0).toArray(); // [1, 0, 0]
     * ```
     */
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    /**
     * Whether any element is true (nonzero), over all elements or along `dim`.
     *
     * PyTorch: `torch.Tensor.any`.
     *
     * @example
     * ```ts
     * wg.tensor([[0, 1], [0, 0]]).any(1).toArray(); // [true, false]
     * ```
     */
    any(...given: Rest<typeof sel.any>): Tensor;
    /**
     * Whether every element is true (nonzero), over all elements or along `dim`.
     *
     * PyTorch: `torch.Tensor.all`.
     *
     * @example
     * ```ts
     * wg.tensor([[1, 1], [0, 1]]).all(1).toArray(); // [true, false]
     * ```
     */
    all(...given: Rest<typeof sel.all>): Tensor;
    /**
     * A view with a new shape sharing this tensor's storage (one size may be -1).
     *
     * PyTorch: `torch.Tensor.view`.
     *
     * @example
     * ```ts
     * wg.arange(6).view(3, 2).shape; // [3, 2]
     * ```
     */
    view(...shape: (number | readonly number[])[]): Tensor;
    /**
     * A view of this tensor with `other`'s shape.
     *
     * PyTorch: `torch.Tensor.view_as`.
     *
     * @example
     * ```ts
     * wg.arange(6).viewAs(wg.zeros(2, 3)).shape; // [2, 3]
     * ```
     */
    viewAs(other: Tensor): Tensor;
    /**
     * This tensor reshaped to `other`'s shape.
     *
     * PyTorch: `torch.Tensor.reshape_as`.
     *
     * @example
     * ```ts
     * wg.arange(6).reshapeAs(wg.zeros(3, 2)).shape; // [3, 2]
     * ```
     */
    reshapeAs(other: Tensor): Tensor;
    /**
     * This tensor with its elements laid out row-major in memory (itself if they already are).
     *
     * PyTorch: `torch.Tensor.contiguous`.
     *
     * @example
     * ```ts
     * wg.ones(2, 3).t().contiguous().isContiguous(); // true
     * ```
     */
    contiguous(): Tensor;
    /**
     * Whether the elements are laid out row-major in memory (false for a lazy transpose or permute).
     *
     * PyTorch: `torch.Tensor.is_contiguous`.
     *
     * @example
     * ```ts
     * wg.ones(2, 3).t().isContiguous(); // false
     * ```
     */
    isContiguous(): boolean;
    /**
     * The transpose of a matrix (a 0-d or 1-d tensor is returned as is).
     *
     * PyTorch: `torch.Tensor.t`.
     *
     * @example
     * ```ts
     * wg.zeros(2, 3).t().shape; // [3, 2]
     * ```
     */
    t(): Tensor;
    /**
     * This tensor repeated along its size-1 dims to `sizes` (-1 keeps a size; new dims go in front).
     *
     * PyTorch: `torch.Tensor.expand`.
     *
     * @example
     * ```ts
     * wg.tensor([[1], [2]]).expand(2, 3).toArray(); // [[1, 1, 1], [2, 2, 2]]
     * ```
     */
    expand(...sizes: (number | readonly number[])[]): Tensor;
    /**
     * This tensor expanded to `other`'s shape.
     *
     * PyTorch: `torch.Tensor.expand_as`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2]).expandAs(wg.zeros(3, 2)).shape; // [3, 2]
     * ```
     */
    expandAs(other: Tensor): Tensor;
    /**
     * This tensor tiled `sizes[i]` times along dim i.
     *
     * PyTorch: `torch.Tensor.repeat`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2]).repeat(2).toArray(); // [1, 2, 1, 2]
     * ```
     */
    repeat(...sizes: (number | readonly number[])[]): Tensor;
    /**
     * Splits along `dim` into pieces of `splitSize` (the last may be smaller), or of the listed sizes.
     *
     * PyTorch: `torch.Tensor.split`.
     *
     * @example
     * ```ts
     * wg.arange(5).split(2).map((p) => p.toArray()); // [[0, 1], [2, 3], [4]]
     * ```
     */
    split(...given: Rest<typeof vw.split>): Tensor[];
    /**
     * Splits along `dim` into `chunks` pieces of equal size (the last may be smaller).
     *
     * PyTorch: `torch.Tensor.chunk`.
     *
     * @example
     * ```ts
     * wg.arange(6).chunk(3).map((p) => p.toArray()); // [[0, 1], [2, 3], [4, 5]]
     * ```
     */
    chunk(...given: Rest<typeof vw.chunk>): Tensor[];
    /**
     * The slices along `dim`, each without that dim.
     *
     * PyTorch: `torch.Tensor.unbind`.
     *
     * @example
     * ```ts
     * wg.tensor([[1, 2], [3, 4]]).unbind(1).map((p) => p.toArray()); // [[1, 3], [2, 4]]
     * ```
     */
    unbind(...given: Rest<typeof vw.unbind>): Tensor[];
    /**
     * The slice at `index` along `dim`, without that dim.
     *
     * PyTorch: `torch.Tensor.select`.
     *
     * @example
     * ```ts
     * wg.tensor([[1, 2], [3, 4]]).select(1, 0).toArray(); // [1, 3]
     * ```
     */
    select(...given: Rest<typeof vw.select>): Tensor;
    /**
     * Splits dim `dim` into several of sizes `sizes` (one may be -1).
     *
     * PyTorch: `torch.Tensor.unflatten`.
     *
     * @example
     * ```ts
     * wg.zeros(2, 12).unflatten(1, [3, 4]).shape; // [2, 3, 4]
     * ```
     */
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    /**
     * The elements in reverse order along `dims`.
     *
     * PyTorch: `torch.Tensor.flip`.
     *
     * @example
     * ```ts
     * wg.tensor([[1, 2], [3, 4]]).flip(1).toArray(); // [[2, 1], [4, 3]]
     * ```
     */
    flip(...dims: (number | readonly number[])[]): Tensor;
    /**
     * Rotates the elements by `shifts` along `dims` (the flattened tensor when dims is omitted).
     *
     * PyTorch: `torch.Tensor.roll`.
     *
     * @example
     * ```ts
     * wg.tensor([1, 2, 3, 4]).roll(1).toArray(); // [4, 1, 2, 3]
     * ```
     */
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    /**
     * The lower triangle of the last two dims (elements above `diagonal` set to zero).
     *
     * PyTorch: `torch.Tensor.tril`.
     *
     * @example
     * ```ts
     * wg.ones(2, 2).tril().toArray(); // [[1, 0], [1, 1]]
     * ```
     */
    tril(diagonal?: number): Tensor;
    /**
     * The diagonal of a 2-D tensor, or a square matrix with a 1-D tensor on a diagonal.
     *
     * PyTorch: `torch.Tensor.diag`.
     *
     * @example
     * ```ts
     * wg.tensor([[1, 2], [3, 4]]).diag().toArray(); // [1, 4]
     * ```
     */
    diag(...given: Rest<typeof vw.diag>): Tensor;
    /**
     * The upper triangle of the last two dims (elements below `diagonal` set to zero).
     *
     * PyTorch: `torch.Tensor.triu`.
     *
     * @example
     * ```ts
     * wg.ones(2, 2).triu(1).toArray(); // [[0, 1], [0, 0]]
     * ```
     */
    triu(diagonal?: number): Tensor;
    /**
     * The slices along `dim` at the listed indices, in that order.
     *
     * PyTorch: `torch.Tensor.index_select`.
     *
     * @example
     * ```ts
     * wg.tensor([[1, 2], [3, 4], [5, 6]]).indexSelect(0, [2, 0]).toArray(); // [[5, 6], [1, 2]]
     * ```
     */
    indexSelect(...given: Rest<typeof ix.indexSelect>): Tensor;
    /**
     * out[i][j] = this[index[i][j]][j] for dim 0 (and so on for other dims); `index` is int32.
     *
     * PyTorch: `torch.Tensor.gather`.
     *
     * @example
     * ```ts
     * const x = wg.tensor([[1, 2], [3, 4]]);
     * x.gather(1, wg.tensor([[1], [0]], { dtype: "int32" })).toArray(); // [[2], [3]]
     * ```
     */
    gather(...given: Rest<typeof ix.gather>): Tensor;
    /**
     * A copy with `src` (a tensor or a number) written at `index` along `dim`: the reverse of gather.
     *
     * PyTorch: `torch.Tensor.scatter`.
     *
     * @example
     * ```ts
     * const index = wg.tensor([[1], [0]], { dtype: "int32" });
     * wg.zeros(2, 2).scatter(1, index, 5).toArray(); // [[0, 5], [5, 0]]
     * ```
     */
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    /**
     * A copy with `src` added at `index` along `dim` (repeated indices accumulate).
     *
     * PyTorch: `torch.Tensor.scatter_add`.
     *
     * @example
     * ```ts
     * const index = wg.tensor([0, 0, 1], { dtype: "int32" });
     * wg.zeros(2).scatterAdd(0, index, wg.tensor([1, 2, 3])).toArray(); // [3, 3]
     * ```
     */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /**
     * `[values, indices]`: the elements sorted along `dim` (the last by default), stably, ascending
     * unless `descending`; NaN sorts last.
     *
     * PyTorch: `torch.Tensor.sort`.
     *
     * @example
     * ```ts
     * const [values, indices] = wg.tensor([3, 1, 2]).sort();
     * values.toArray(); // [1, 2, 3]
     * indices.toArray(); // [1, 2, 0]
     * ```
     */
    sort(...given: Rest<typeof so.sort>): ValuesIndices;
    /**
     * The int32 indices that sort the elements along `dim` (ascending unless `descending`).
     *
     * PyTorch: `torch.Tensor.argsort`.
     *
     * @example
     * ```ts
     * wg.tensor([3, 1, 2]).argsort(0, true).toArray(); // [0, 2, 1]
     * ```
     */
    argsort(...given: Rest<typeof so.argsort>): Tensor;
    /**
     * `[values, indices]` of the `k` largest elements along `dim` (smallest if `largest` is false).
     *
     * PyTorch: `torch.Tensor.topk`.
     *
     * @example
     * ```ts
     * const [values, indices] = wg.tensor([1, 5, 3, 4]).topk(2);
     * values.toArray(); // [5, 4]
     * indices.toArray(); // [1, 3]
     * ```
     */
    topk(...given: Rest<typeof so.topk>): ValuesIndices;
    // In place: each returns this tensor (see ops/inplace.ts for the autograd rules).
    /**
     * Adds `other` in place and returns this tensor. In-place version of {@link Tensor.add}.
     *
     * PyTorch: `torch.Tensor.add_`.
     *
     * @example
     * ```ts
     * const x = wg.tensor([1, 2]);
     * x.add_(1).toArray(); // [2, 3]
     * ```
     */
    add_(other: TensorOrScalar, ...rest: Args<[], AlphaOptions>): this;
    /** In-place version of {@link Tensor.sub}. */
    sub_(other: TensorOrScalar, ...rest: Args<[], AlphaOptions>): this;
    /** In-place version of {@link Tensor.mul}. */
    mul_(other: TensorOrScalar, ...extra: never[]): this;
    /** In-place version of {@link Tensor.div}. */
    div_(other: TensorOrScalar, ...rest: Args<[], DivOptions>): this;
    /**
     * Copies the elements of `src` (which broadcasts to this shape) into this tensor, in place.
     *
     * PyTorch: `torch.Tensor.copy_`.
     *
     * @example
     * ```ts
     * const x = wg.zeros(2, 2);
     * x.copy_(wg.tensor([1, 2])).toArray(); // [[1, 2], [1, 2]]
     * ```
     */
    copy_(src: Tensor): this;
    /**
     * Fills this tensor with zeros, in place.
     *
     * PyTorch: `torch.Tensor.zero_`.
     *
     * @example
     * ```ts
     * wg.ones(2).zero_().toArray(); // [0, 0]
     * ```
     */
    zero_(): this;
    /**
     * Fills this tensor with `value` (a number, or a 0-d tensor), in place.
     *
     * PyTorch: `torch.Tensor.fill_`.
     *
     * @example
     * ```ts
     * wg.zeros(2).fill_(7).toArray(); // [7, 7]
     * ```
     */
    fill_(value: number | boolean | Tensor): this;
    /** In-place version of {@link Tensor.clamp}. */
    clamp_(min: number | null, max?: number | null): this;
    /** In-place version of {@link Tensor.neg}. */
    neg_(): this;
    /** In-place version of {@link Tensor.exp}. */
    exp_(): this;
    /** In-place version of {@link Tensor.log}. */
    log_(): this;
    /** In-place version of {@link Tensor.sqrt}. */
    sqrt_(): this;
    /** In-place version of {@link Tensor.abs}. */
    abs_(): this;
    /** In-place version of {@link Tensor.relu}. */
    relu_(): this;
    /** In-place version of {@link Tensor.sigmoid}. */
    sigmoid_(): this;
    /** In-place version of {@link Tensor.tanh}. */
    tanh_(): this;
    /** In-place version of {@link Tensor.pow} (a number exponent). */
    pow_(exponent: number): this;
    /** In-place version of {@link Tensor.maskedFill}. */
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): this;
    /**
     * Fills this tensor with samples from the normal distribution N(mean, std²) (0 and 1 by default),
     * in place.
     *
     * PyTorch: `torch.Tensor.normal_`.
     *
     * @example
     * ```ts
     * wg.zeros(2, 3).normal_(0, 0.02).shape; // [2, 3]
     * ```
     */
    normal_(mean?: number, std?: number): this;
    /**
     * Fills this tensor with samples from the uniform distribution on [from, to) (0 and 1 by
     * default), in place.
     *
     * PyTorch: `torch.Tensor.uniform_`.
     *
     * @example
     * ```ts
     * wg.zeros(4).uniform_(-1, 1).abs().max().item() <= 1; // true
     * ```
     */
    uniform_(from?: number, to?: number): this;
    /**
     * Detaches this tensor from the autograd graph in place, making it a leaf.
     *
     * PyTorch: `torch.Tensor.detach_`.
     *
     * @example
     * ```ts
     * const y = wg.ones(2, { requiresGrad: true }).mul(2);
     * y.detach_().requiresGrad; // false
     * ```
     */
    detach_(): this;
  }
}

const methods: Partial<Tensor> = {
  eq(this: Tensor, other: TensorOrScalar) {
    return cmp.eq(this, other);
  },
  ne(this: Tensor, other: TensorOrScalar) {
    return cmp.ne(this, other);
  },
  lt(this: Tensor, other: TensorOrScalar) {
    return cmp.lt(this, other);
  },
  le(this: Tensor, other: TensorOrScalar) {
    return cmp.le(this, other);
  },
  gt(this: Tensor, other: TensorOrScalar) {
    return cmp.gt(this, other);
  },
  ge(this: Tensor, other: TensorOrScalar) {
    return cmp.ge(this, other);
  },
  isnan(this: Tensor) {
    return cmp.isnan(this);
  },
  isfinite(this: Tensor) {
    return cmp.isfinite(this);
  },
  isinf(this: Tensor) {
    return cmp.isinf(this);
  },
  logicalAnd(this: Tensor, other: Tensor) {
    return cmp.logicalAnd(this, other);
  },
  logicalOr(this: Tensor, other: Tensor) {
    return cmp.logicalOr(this, other);
  },
  logicalXor(this: Tensor, other: Tensor) {
    return cmp.logicalXor(this, other);
  },
  logicalNot(this: Tensor) {
    return cmp.logicalNot(this);
  },
  nonzero(this: Tensor, ...rest: [sel.NonzeroOptions?]) {
    return sel.nonzero(this, ...rest) as never;
  },
  where(this: Tensor, condition: Tensor, other: TensorOrScalar) {
    return sel.where(condition, this, other);
  },
  maskedFill(this: Tensor, mask: Tensor, value: number | boolean | Tensor) {
    return sel.maskedFill(this, mask, value);
  },
  any(this: Tensor, ...given: Rest<typeof sel.any>) {
    return sel.any(this, ...given);
  },
  all(this: Tensor, ...given: Rest<typeof sel.all>) {
    return sel.all(this, ...given);
  },
};

type Sizes = (number | readonly number[])[];
const shapeMethods: Record<string, (this: Tensor, ...args: never) => unknown> = {
  view(this: Tensor, ...shape: Sizes) {
    return vw.view(this, ...shape);
  },
  viewAs(this: Tensor, o: Tensor) {
    return vw.viewAs(this, o);
  },
  reshapeAs(this: Tensor, o: Tensor) {
    return vw.reshapeAs(this, o);
  },
  contiguous(this: Tensor) {
    return vw.contiguous(this);
  },
  isContiguous(this: Tensor) {
    this._live("isContiguous");
    return this._perm === null;
  },
  t(this: Tensor) {
    return vw.t(this);
  },
  expand(this: Tensor, ...sizes: Sizes) {
    return vw.expand(this, ...sizes);
  },
  expandAs(this: Tensor, o: Tensor) {
    return vw.expandAs(this, o);
  },
  repeat(this: Tensor, ...sizes: Sizes) {
    return vw.repeat(this, ...sizes);
  },
  split(this: Tensor, ...given: Rest<typeof vw.split>) {
    return vw.split(this, ...given);
  },
  chunk(this: Tensor, ...given: Rest<typeof vw.chunk>) {
    return vw.chunk(this, ...given);
  },
  unbind(this: Tensor, ...given: Rest<typeof vw.unbind>) {
    return vw.unbind(this, ...given);
  },
  select(this: Tensor, ...given: Rest<typeof vw.select>) {
    return vw.select(this, ...given);
  },
  unflatten(this: Tensor, dim: number, sizes: readonly number[]) {
    return vw.unflatten(this, dim, sizes);
  },
  flip(this: Tensor, ...dims: Sizes) {
    return vw.flip(this, ...dims);
  },
  roll(this: Tensor, shifts: number | readonly number[], dims?: number | readonly number[] | null) {
    return vw.roll(this, shifts, dims);
  },
  diag(this: Tensor, ...given: Rest<typeof vw.diag>) {
    return vw.diag(this, ...given);
  },
  tril(this: Tensor, diagonal?: number) {
    return vw.tril(this, diagonal);
  },
  triu(this: Tensor, diagonal?: number) {
    return vw.triu(this, diagonal);
  },
  sort(this: Tensor, ...given: Rest<typeof so.sort>) {
    return so.sort(this, ...given);
  },
  argsort(this: Tensor, ...given: Rest<typeof so.argsort>) {
    return so.argsort(this, ...given);
  },
  topk(this: Tensor, ...given: Rest<typeof so.topk>) {
    return so.topk(this, ...given);
  },
  indexSelect(this: Tensor, ...given: Rest<typeof ix.indexSelect>) {
    return ix.indexSelect(this, ...given);
  },
  gather(this: Tensor, ...given: Rest<typeof ix.gather>) {
    return ix.gather(this, ...given);
  },
  scatter(this: Tensor, dim: number, index: Tensor, src: Tensor | number) {
    return ix.scatter(this, dim, index, src);
  },
  scatterAdd(this: Tensor, dim: number, index: Tensor, src: Tensor) {
    return ix.scatterAdd(this, dim, index, src);
  },
};

for (const [name, fn] of Object.entries(shapeMethods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

const inplaceMethods: Record<string, (this: Tensor, ...args: never) => Tensor> = {
  add_(this: Tensor, o: TensorOrScalar, ...rest: Args<[], AlphaOptions>) {
    return ip.add_(this, o, ...rest);
  },
  sub_(this: Tensor, o: TensorOrScalar, ...rest: Args<[], AlphaOptions>) {
    return ip.sub_(this, o, ...rest);
  },
  mul_(this: Tensor, o: TensorOrScalar, ...extra: never[]) {
    return ip.mul_(this, o, ...extra);
  },
  div_(this: Tensor, o: TensorOrScalar, ...rest: Args<[], DivOptions>) {
    return ip.div_(this, o, ...rest);
  },
  copy_(this: Tensor, src: Tensor) {
    return ip.copy_(this, src);
  },
  zero_(this: Tensor) {
    return ip.zero_(this);
  },
  fill_(this: Tensor, v: number | boolean | Tensor) {
    return ip.fill_(this, v);
  },
  clamp_(this: Tensor, min: number | null, max?: number | null) {
    return ip.clamp_(this, min, max);
  },
  neg_(this: Tensor) {
    return ip.neg_(this);
  },
  exp_(this: Tensor) {
    return ip.exp_(this);
  },
  log_(this: Tensor) {
    return ip.log_(this);
  },
  sqrt_(this: Tensor) {
    return ip.sqrt_(this);
  },
  abs_(this: Tensor) {
    return ip.abs_(this);
  },
  relu_(this: Tensor) {
    return ip.relu_(this);
  },
  sigmoid_(this: Tensor) {
    return ip.sigmoid_(this);
  },
  tanh_(this: Tensor) {
    return ip.tanh_(this);
  },
  pow_(this: Tensor, p: number) {
    return ip.pow_(this, p);
  },
  maskedFill_(this: Tensor, mask: Tensor, value: number | boolean | Tensor) {
    return ip.maskedFill_(this, mask, value);
  },
  normal_(this: Tensor, mean?: number, std?: number) {
    return ip.normal_(this, mean, std);
  },
  uniform_(this: Tensor, from?: number, to?: number) {
    return ip.uniform_(this, from, to);
  },
  detach_(this: Tensor) {
    return ip.detach_(this);
  },
};

for (const [name, fn] of Object.entries(inplaceMethods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}

// ---- general indexing (ops/index.ts) ----
declare module "./tensor.js" {
  interface Tensor {
    /**
     * Indexing, as PyTorch's `t[items]`: per dim an integer, a slice string ("1:-1:2"), null (new
     * axis), "...", an int32 tensor or number[] (advanced), or a bool mask. A contiguous basic
     * selection is a view sharing storage; the rest are copies. Differentiable.
     *
     * PyTorch: `torch.Tensor.__getitem__`.
     *
     * @example
     * ```ts
     * const x = wg.arange(12).reshape(3, 4);
     * x.index(1).toArray(); // [4, 5, 6, 7]
     * x.index(":", "1:3").shape; // [3, 2]
     * x.index("...", [0, 3]).toArray(); // [[0, 3], [4, 7], [8, 11]]
     * ```
     */
    index(...items: gi.IndexItem[]): Tensor;
    /**
     * Writes `values` at `indices` (one index tensor or list per leading dim), in place; with
     * `accumulate` repeated indices add up.
     *
     * PyTorch: `torch.Tensor.index_put_`.
     *
     * @example
     * ```ts
     * const x = wg.zeros(3);
     * x.indexPut_([[0, 2, 2]], 1, { accumulate: true }).toArray(); // [1, 0, 2]
     * ```
     */
    indexPut_(
      indices: readonly gi.IndexItem[],
      values: Tensor | number | boolean,
      accumulate?: boolean | { accumulate?: boolean },
    ): this;
  }
}

Object.defineProperty(Tensor.prototype, "index", {
  value(this: Tensor, ...items: gi.IndexItem[]) {
    return gi.index(this, ...items);
  },
  writable: true,
  configurable: true,
});
Object.defineProperty(Tensor.prototype, "indexPut_", {
  value(
    this: Tensor,
    indices: readonly gi.IndexItem[],
    values: Tensor | number | boolean,
    ...rest: unknown[]
  ) {
    return gi.indexPut_(this, indices, values, ...(rest as []));
  },
  writable: true,
  configurable: true,
});

/** Options with this tensor's dtype as the default, as PyTorch's `new_*` methods. */
function sameDType(op: string, t: Tensor, opts: unknown): CreateOptions {
  if (opts !== undefined && !isPlainObject(opts)) {
    throw new WasmgradError(`${op}: options must be a plain object but got ${describe(opts)}`);
  }
  return { dtype: t.dtype, ...opts };
}

const creationMethods: Record<string, (this: Tensor, ...args: never) => Tensor> = {
  newZeros(this: Tensor, ...size: ShapeArgs) {
    const { shape, opts } = cr.shapeArgs("newZeros", size);
    return cr.zeros(shape, sameDType("newZeros", this, opts));
  },
  newOnes(this: Tensor, ...size: ShapeArgs) {
    const { shape, opts } = cr.shapeArgs("newOnes", size);
    return cr.ones(shape, sameDType("newOnes", this, opts));
  },
  newEmpty(this: Tensor, ...size: ShapeArgs) {
    const { shape, opts } = cr.shapeArgs("newEmpty", size);
    return cr.zeros(shape, sameDType("newEmpty", this, opts));
  },
  newFull(this: Tensor, size: ShapeArg, fillValue: number | boolean, options?: CreateOptions) {
    return cr.full(size, fillValue, sameDType("newFull", this, options));
  },
  newTensor(this: Tensor, data: Parameters<typeof cr.tensor>[0], options?: TensorOptions) {
    return cr.tensor(data, sameDType("newTensor", this, options));
  },
};

for (const [name, fn] of Object.entries(creationMethods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
