/**
 * Tensor methods for the comparison, mask, selection and in-place families, bound onto the
 * class here (declaration merging) so that tensor.ts stays about storage, shape and autograd.
 * Each method is the function of the same name with the tensor as first argument.
 */

import type { ValuesIndices } from "./named.js";
import * as cmp from "./ops/compare.js";
import * as gi from "./ops/index.js";
import * as ix from "./ops/indexing.js";
import * as ip from "./ops/inplace-ops.js";
import * as so from "./ops/sort.js";
import * as vw from "./ops/views.js";
import * as sel from "./ops/where.js";
import { Tensor, type TensorOrScalar } from "./tensor.js";

type DimArg = number | number[] | null;

declare module "./tensor.js" {
  interface Tensor {
    eq(other: TensorOrScalar): Tensor;
    ne(other: TensorOrScalar): Tensor;
    lt(other: TensorOrScalar): Tensor;
    le(other: TensorOrScalar): Tensor;
    gt(other: TensorOrScalar): Tensor;
    ge(other: TensorOrScalar): Tensor;
    isnan(): Tensor;
    isfinite(): Tensor;
    isinf(): Tensor;
    logicalAnd(other: Tensor): Tensor;
    logicalOr(other: Tensor): Tensor;
    logicalXor(other: Tensor): Tensor;
    logicalNot(): Tensor;
    /** `x.where(cond, y)` is `wg.where(cond, x, y)`, as PyTorch's Tensor.where. */
    where(condition: Tensor, other: TensorOrScalar): Tensor;
    maskedFill(mask: Tensor, value: number | boolean | Tensor): Tensor;
    any(dim?: DimArg, keepdim?: boolean): Tensor;
    all(dim?: DimArg, keepdim?: boolean): Tensor;
    view(...shape: (number | readonly number[])[]): Tensor;
    viewAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    contiguous(): Tensor;
    isContiguous(): boolean;
    t(): Tensor;
    expand(...sizes: (number | readonly number[])[]): Tensor;
    expandAs(other: Tensor): Tensor;
    repeat(...sizes: (number | readonly number[])[]): Tensor;
    split(splitSize: number | readonly number[], dim?: number): Tensor[];
    chunk(chunks: number, dim?: number): Tensor[];
    unbind(dim?: number): Tensor[];
    select(dim: number, index: number): Tensor;
    unflatten(dim: number, sizes: readonly number[]): Tensor;
    flip(...dims: (number | readonly number[])[]): Tensor;
    roll(shifts: number | readonly number[], dims?: number | readonly number[] | null): Tensor;
    tril(diagonal?: number): Tensor;
    triu(diagonal?: number): Tensor;
    indexSelect(dim: number, index: Tensor | readonly number[]): Tensor;
    gather(dim: number, index: Tensor): Tensor;
    scatter(dim: number, index: Tensor, src: Tensor | number): Tensor;
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    sort(dim?: number, descending?: boolean): ValuesIndices;
    argsort(dim?: number, descending?: boolean): Tensor;
    topk(k: number, dim?: number, largest?: boolean, sorted?: boolean): ValuesIndices;
    // In place: each returns this tensor (see ops/inplace.ts for the autograd rules).
    add_(other: TensorOrScalar): this;
    sub_(other: TensorOrScalar): this;
    mul_(other: TensorOrScalar): this;
    div_(other: TensorOrScalar): this;
    copy_(src: Tensor): this;
    zero_(): this;
    fill_(value: number | boolean): this;
    clamp_(min: number | null, max?: number | null): this;
    neg_(): this;
    exp_(): this;
    log_(): this;
    sqrt_(): this;
    abs_(): this;
    relu_(): this;
    sigmoid_(): this;
    tanh_(): this;
    pow_(exponent: number): this;
    maskedFill_(mask: Tensor, value: number | boolean | Tensor): this;
    normal_(mean?: number, std?: number): this;
    uniform_(from?: number, to?: number): this;
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
  where(this: Tensor, condition: Tensor, other: TensorOrScalar) {
    return sel.where(condition, this, other);
  },
  maskedFill(this: Tensor, mask: Tensor, value: number | boolean | Tensor) {
    return sel.maskedFill(this, mask, value);
  },
  any(this: Tensor, dim?: DimArg, keepdim = false) {
    return sel.any(this, dim, keepdim);
  },
  all(this: Tensor, dim?: DimArg, keepdim = false) {
    return sel.all(this, dim, keepdim);
  },
};

type Sizes = (number | readonly number[])[];
const shapeMethods: Record<string, (this: Tensor, ...args: never[]) => unknown> = {
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
  split(this: Tensor, size: number | readonly number[], dim?: number) {
    return vw.split(this, size, dim);
  },
  chunk(this: Tensor, chunks: number, dim?: number) {
    return vw.chunk(this, chunks, dim);
  },
  unbind(this: Tensor, dim?: number) {
    return vw.unbind(this, dim);
  },
  select(this: Tensor, dim: number, index: number) {
    return vw.select(this, dim, index);
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
  tril(this: Tensor, diagonal?: number) {
    return vw.tril(this, diagonal);
  },
  triu(this: Tensor, diagonal?: number) {
    return vw.triu(this, diagonal);
  },
  sort(this: Tensor, dim?: number, descending?: boolean) {
    return so.sort(this, dim, descending);
  },
  argsort(this: Tensor, dim?: number, descending?: boolean) {
    return so.argsort(this, dim, descending);
  },
  topk(this: Tensor, k: number, dim?: number, largest?: boolean, sorted?: boolean) {
    return so.topk(this, k, dim, largest, sorted);
  },
  indexSelect(this: Tensor, dim: number, index: Tensor | readonly number[]) {
    return ix.indexSelect(this, dim, index);
  },
  gather(this: Tensor, dim: number, index: Tensor) {
    return ix.gather(this, dim, index);
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

const inplaceMethods: Record<string, (this: Tensor, ...args: never[]) => Tensor> = {
  add_(this: Tensor, o: TensorOrScalar) {
    return ip.add_(this, o);
  },
  sub_(this: Tensor, o: TensorOrScalar) {
    return ip.sub_(this, o);
  },
  mul_(this: Tensor, o: TensorOrScalar) {
    return ip.mul_(this, o);
  },
  div_(this: Tensor, o: TensorOrScalar) {
    return ip.div_(this, o);
  },
  copy_(this: Tensor, src: Tensor) {
    return ip.copy_(this, src);
  },
  zero_(this: Tensor) {
    return ip.zero_(this);
  },
  fill_(this: Tensor, v: number | boolean) {
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
     * PyTorch's `t[items]`: per dim an integer, a slice string ("1:-1:2"), null (new axis),
     * "...", an int32 tensor or number[] (advanced), or a bool mask. A contiguous basic selection
     * is a view sharing storage; the rest are copies. Differentiable.
     */
    index(...items: gi.IndexItem[]): Tensor;
    /** PyTorch's `index_put_`: writes `values` at `indices` (accumulating if asked), in place. */
    indexPut_(
      indices: readonly (Tensor | readonly unknown[])[],
      values: Tensor | number,
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
    indices: readonly (Tensor | readonly unknown[])[],
    values: Tensor | number,
    ...rest: unknown[]
  ) {
    return gi.indexPut_(this, indices, values, ...(rest as []));
  },
  writable: true,
  configurable: true,
});
