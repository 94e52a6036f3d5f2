/**
 * Comparisons (eq, ne, lt, le, gt, ge), logical ops, isnan/isfinite/isinf: bool results, with
 * broadcasting, either operand a number. Float and bool operands go through the SIMD compare
 * kernels; two integer operands are compared exactly in JavaScript (int32 beyond 2^24 does not
 * survive a float conversion). None of these is differentiable, as in PyTorch.
 */
import { backend, K, meta } from "../backend/runtime.js";
import { CompareOp, type CompareOpCode, TestOp } from "../backend/table/compare.js";
import { WasmgradError } from "../errors.js";
import { broadcastShapes, broadcastStrides, collapse, sameShape } from "../shape.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { describe } from "../validate.js";
import { castRaw } from "./cast.js";
import { forEachBroadcast } from "./int-math.js";

type CmpName = "eq" | "ne" | "lt" | "le" | "gt" | "ge";

/** b op a for the operators, so that `number op tensor` becomes `tensor op' number`. */
const SWAPPED: Record<CmpName, CmpName> = {
  eq: "eq",
  ne: "ne",
  lt: "gt",
  le: "ge",
  gt: "lt",
  ge: "le",
};

const JS_CMP: Record<CmpName, (x: number, y: number) => boolean> = {
  eq: (x, y) => x === y,
  ne: (x, y) => x !== y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
};

function operand(op: string, v: unknown, side: string): TensorOrScalar {
  if (v instanceof Tensor) {
    v._live(op);
    return v;
  }
  if (typeof v === "number") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  throw new WasmgradError(
    `${op}: expected a Tensor or a number as the ${side} operand but got ${describe(v)}`,
  );
}

/** A float32 reading of a tensor for the kernels: bool is already 0/1 floats. */
function floatView(op: string, t: Tensor): Tensor {
  if (t.dtype === "float32") return t;
  if (t.dtype === "bool") return Tensor._view(t, t.shape, "float32");
  return castRaw(op, t, "float32");
}

/** a op b for float (or bool) data through the compare kernels, as a bool tensor. */
export function compareRaw(op: string, code: CompareOpCode, a: Tensor, b: TensorOrScalar): Tensor {
  const fa = floatView(op, a);
  if (typeof b === "number") {
    const out = Tensor._empty(op, a.shape, "bool");
    K.compare_scalar_f32(out._rawPtr(op), fa._ptr(op), a.numel(), b, code);
    if (fa !== a) fa.dispose();
    return out;
  }
  const fb = floatView(op, b);
  const pa = fa._ptr(op);
  const pb = fb._ptr(op);
  let out: Tensor;
  if (sameShape(a.shape, b.shape)) {
    out = Tensor._empty(op, a.shape, "bool");
    K.compare_f32(out._rawPtr(op), pa, pb, out.numel(), code);
  } else {
    const shape = broadcastShapes(op, a.shape, b.shape);
    out = Tensor._empty(op, shape, "bool");
    if (out.numel() > 0) {
      const c = collapse(shape, [
        broadcastStrides(a.shape, shape),
        broadcastStrides(b.shape, shape),
      ]);
      const m = meta(c.shape, c.strides[0], c.strides[1]);
      K.compare_bcast_f32(out._rawPtr(op), pa, pb, c.shape.length, m, code);
    }
  }
  if (fa !== a) fa.dispose();
  if (fb !== b) fb.dispose();
  return out;
}

/** Exact comparison of integer data (int32 or bool operands, at least one int32). */
function compareInt(op: CmpName, a: Tensor, b: TensorOrScalar): Tensor {
  const f = JS_CMP[op];
  const shapeB = typeof b === "number" ? [] : b.shape;
  const shape = broadcastShapes(op, a.shape, shapeB);
  const read = (t: Tensor): ((i: number) => number) => {
    const at = t._rawPtr(op) >>> 2;
    const view = t.dtype === "int32" ? backend.i32() : backend.f32();
    return (i) => view[at + i];
  };
  const out = Tensor._empty(op, shape, "bool");
  const ra = read(a);
  const rb = typeof b === "number" ? () => b : read(b);
  const o = out._rawPtr(op) >>> 2;
  const dst = backend.f32();
  forEachBroadcast(
    shape,
    broadcastStrides(a.shape, shape),
    broadcastStrides(shapeB, shape),
    (k, i, j) => {
      dst[o + k] = f(ra(i), rb(j)) ? 1 : 0;
    },
  );
  return out;
}

function compare(op: CmpName, a: unknown, b: unknown): Tensor {
  let x = operand(op, a, "first");
  let y = operand(op, b, "second");
  let name = op;
  if (typeof x === "number") {
    if (typeof y === "number") {
      throw new WasmgradError(`${op}: expected at least one Tensor operand but got two numbers`);
    }
    [x, y] = [y, x];
    name = SWAPPED[op];
  }
  const t = x as Tensor;
  const isInt = (v: TensorOrScalar): boolean => typeof v !== "number" && v.dtype === "int32";
  const noFloat = t.dtype !== "float32" && (typeof y === "number" || y.dtype !== "float32");
  if (noFloat && (isInt(t) || isInt(y))) return compareInt(name, t, y);
  return compareRaw(op, CompareOp[name], t, y);
}

/**
 * Elementwise a == b, broadcasting; a bool tensor.
 *
 * PyTorch: `torch.eq`.
 *
 * @example
 * ```ts
 * wg.eq(wg.tensor([1, 2]), 2); // [false, true]
 * ```
 */
export function eq(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return compare("eq", a, b);
}
/**
 * Elementwise a != b, broadcasting; a bool tensor.
 *
 * PyTorch: `torch.ne`.
 *
 * @example
 * ```ts
 * wg.ne(wg.tensor([1, 2]), 2); // [true, false]
 * ```
 */
export function ne(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return compare("ne", a, b);
}
/**
 * Elementwise a < b, broadcasting; a bool tensor.
 *
 * PyTorch: `torch.lt`.
 *
 * @example
 * ```ts
 * wg.lt(wg.tensor([1, 2]), 2); // [true, false]
 * ```
 */
export function lt(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return compare("lt", a, b);
}
/**
 * Elementwise a <= b, broadcasting; a bool tensor.
 *
 * PyTorch: `torch.le`.
 *
 * @example
 * ```ts
 * wg.le(wg.tensor([1, 3]), 2); // [true, false]
 * ```
 */
export function le(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return compare("le", a, b);
}
/**
 * Elementwise a > b, broadcasting; a bool tensor.
 *
 * PyTorch: `torch.gt`.
 *
 * @example
 * ```ts
 * wg.gt(wg.tensor([1, 3]), 2); // [false, true]
 * ```
 */
export function gt(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return compare("gt", a, b);
}
/**
 * Elementwise a >= b, broadcasting; a bool tensor.
 *
 * PyTorch: `torch.ge`.
 *
 * @example
 * ```ts
 * wg.ge(wg.tensor([1, 2]), 2); // [false, true]
 * ```
 */
export function ge(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return compare("ge", a, b);
}

function tensorArg(op: string, v: unknown, name = "input"): Tensor {
  if (!(v instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected ${name} to be a Tensor but got ${describe(v)}`);
  }
  v._live(op);
  return v;
}

/** A bool reading of any tensor: bool itself, else `x != 0` (NaN counts as true). */
export function truthy(op: string, x: Tensor): Tensor {
  return x.dtype === "bool"
    ? x
    : x.dtype === "int32"
      ? castRaw(op, x, "bool")
      : test(op, x, TestOp.nonzero);
}

function test(op: string, x: Tensor, code: number): Tensor {
  const out = Tensor._empty(op, x.shape, "bool");
  K.test_f32(out._rawPtr(op), x._rawPtr(op), x.numel(), code);
  return out;
}

function logical(op: string, code: CompareOpCode, a: unknown, b: unknown): Tensor {
  const x = truthy(op, tensorArg(op, a));
  const y = truthy(op, tensorArg(op, b, "other"));
  const out = compareRaw(op, code, x, y);
  if (x !== a) x.dispose();
  if (y !== b) y.dispose();
  return out;
}

/**
 * Elementwise a && b of the truth values (nonzero is true); a bool tensor.
 *
 * PyTorch: `torch.logical_and`.
 *
 * @example
 * ```ts
 * wg.logicalAnd(wg.tensor([1, 0]), wg.tensor([1, 1])); // [true, false]
 * ```
 */
export function logicalAnd(a: Tensor, b: Tensor): Tensor {
  return logical("logicalAnd", CompareOp.and, a, b);
}
/**
 * Elementwise a || b of the truth values (nonzero is true); a bool tensor.
 *
 * PyTorch: `torch.logical_or`.
 *
 * @example
 * ```ts
 * wg.logicalOr(wg.tensor([1, 0]), wg.tensor([0, 0])); // [true, false]
 * ```
 */
export function logicalOr(a: Tensor, b: Tensor): Tensor {
  return logical("logicalOr", CompareOp.or, a, b);
}
/**
 * Elementwise exclusive or of the truth values (nonzero is true); a bool tensor.
 *
 * PyTorch: `torch.logical_xor`.
 *
 * @example
 * ```ts
 * wg.logicalXor(wg.tensor([1, 1]), wg.tensor([0, 1])); // [true, false]
 * ```
 */
export function logicalXor(a: Tensor, b: Tensor): Tensor {
  return logical("logicalXor", CompareOp.xor, a, b);
}

/**
 * Elementwise !x of the truth value (nonzero is true); a bool tensor.
 *
 * PyTorch: `torch.logical_not`.
 *
 * @example
 * ```ts
 * wg.logicalNot(wg.tensor([0, 2])); // [true, false]
 * ```
 */
export function logicalNot(x: Tensor): Tensor {
  const t = tensorArg("logicalNot", x);
  if (t.dtype === "int32") {
    const b = castRaw("logicalNot", t, "bool");
    const out = test("logicalNot", b, TestOp.not);
    b.dispose();
    return out;
  }
  return test("logicalNot", t, TestOp.not);
}

/** isnan/isfinite/isinf: integers are never NaN or infinite. */
function classify(op: string, x: Tensor, code: number, forInt: boolean): Tensor {
  const t = tensorArg(op, x);
  if (t.dtype !== "float32") {
    const out = Tensor._empty(op, t.shape, "bool");
    K.fill_f32(out._rawPtr(op), out.numel(), forInt ? 1 : 0);
    return out;
  }
  return test(op, t, code);
}

/**
 * True where x is NaN; a bool tensor.
 *
 * PyTorch: `torch.isnan`.
 *
 * @example
 * ```ts
 * wg.isnan(wg.tensor([1, NaN])); // [false, true]
 * ```
 */
export function isnan(x: Tensor): Tensor {
  return classify("isnan", x, TestOp.isnan, false);
}
/**
 * True where x is neither infinite nor NaN; a bool tensor.
 *
 * PyTorch: `torch.isfinite`.
 *
 * @example
 * ```ts
 * wg.isfinite(wg.tensor([1, Infinity, NaN])); // [true, false, false]
 * ```
 */
export function isfinite(x: Tensor): Tensor {
  return classify("isfinite", x, TestOp.isfinite, true);
}
/**
 * True where x is +-Infinity; a bool tensor.
 *
 * PyTorch: `torch.isinf`.
 *
 * @example
 * ```ts
 * wg.isinf(wg.tensor([1, -Infinity])); // [false, true]
 * ```
 */
export function isinf(x: Tensor): Tensor {
  return classify("isinf", x, TestOp.isinf, false);
}
