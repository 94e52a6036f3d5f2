/**
 * Tensor methods for the comparison, mask, selection and in-place families, bound onto the
 * class here (declaration merging) so that tensor.ts stays about storage, shape and autograd.
 * Each method is the function of the same name with the tensor as first argument.
 */
import * as cmp from "./ops/compare.js";
import * as ip from "./ops/inplace-ops.js";
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
