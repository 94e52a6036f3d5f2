/**
 * Tensor methods for the comparison, mask, selection and in-place families, bound onto the
 * class here (declaration merging) so that tensor.ts stays about storage, shape and autograd.
 * Each method is the function of the same name with the tensor as first argument.
 */
import * as cmp from "./ops/compare.js";
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

for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
