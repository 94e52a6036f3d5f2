/**
 * Two- and three-operand math with broadcasting: pow with a tensor exponent or a number base
 * (rpow), atan2 and lerp. Operands are broadcast to the output shape, one SIMD kernel runs
 * there, and gradients are summed back to each operand's shape as broadcasting requires.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { broadcastShapes, type Shape, sameShape, sizeOf } from "../shape.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { noExtra } from "../validate.js";
import { asFloat, castRaw } from "./cast.js";
import { binaryRaw, mulRaw, scalarRaw, sumTo } from "./raw.js";
import { expandRaw } from "./reduce.js";
import * as unary from "./unary.js";

function describe(v: unknown): string {
  return v === null ? "null" : v instanceof Tensor ? "a Tensor" : typeof v;
}

function check(op: string, v: unknown, what: string, numberOk: boolean): void {
  if (v instanceof Tensor) {
    v._live(op);
    return;
  }
  if (numberOk && typeof v === "number") return;
  throw new WasmgradError(
    `${op}: expected ${numberOk ? "a Tensor or a number" : "a Tensor"} as ${what} but got ${describe(v)}`,
  );
}

/** `t` laid out at `shape` (a broadcast of t.shape); `t` itself when it already is. */
function expandTo(t: Tensor, shape: Shape): Tensor {
  return sameShape(t.shape, shape) ? t : expandRaw(t, t.shape, shape);
}

function release(t: Tensor, original: Tensor): void {
  if (t !== original) t.dispose();
}

/** A gradient at the broadcast shape, summed to `shape` (consumes `full`). */
function reduceGrad(full: Tensor, shape: Shape): Tensor {
  const r = sumTo(full, shape);
  if (r !== full) full.dispose();
  return r;
}

/**
 * A two-operand op with an int32 or bool operand (PyTorch promotes): computed on float32
 * copies, and cast to int32 when `intResult` (both operands integral). A converted copy stays
 * alive when the other operand's gradient needs it.
 */
function viaFloat(
  op: string,
  a: Tensor,
  b: Tensor,
  f: (a: Tensor, b: Tensor) => Tensor,
  intResult: boolean,
): Tensor {
  const fa = asFloat(op, a);
  const fb = asFloat(op, b);
  const out = f(fa, fb);
  if (!out.requiresGrad) {
    if (fa !== a) fa.dispose();
    if (fb !== b) fb.dispose();
  }
  if (!intResult) return out;
  const r = castRaw(op, out, "int32");
  out.dispose();
  return r;
}

/** b ** e for int32 b and a non-negative integer e, wrapping as int32 does. */
function intPow(b: number, e: number): number {
  let r = 1;
  let base = b;
  for (let k = e; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) r = Math.imul(r, base);
    base = Math.imul(base, base);
  }
  return r;
}

/**
 * An int32 or bool tensor to a number power, as PyTorch: an integral exponent keeps integers
 * (int32; a negative one is refused), a fractional one gives float32.
 */
function nonFloatPowScalar(x: Tensor, y: number): Tensor {
  if (!Number.isInteger(y)) {
    const fx = asFloat("pow", x);
    const r = unary.pow(fx, y);
    if (fx !== x) fx.dispose();
    return r;
  }
  if (y < 0) throw new WasmgradError("pow: integers to negative integer powers are not allowed");
  const src = x.dtype === "int32" ? x : castRaw("pow", x, "int32");
  const out = Tensor._empty("pow", x.shape, "int32");
  const v = backend.i32();
  const s0 = src._rawPtr("pow") >>> 2;
  const o0 = out._rawPtr("pow") >>> 2;
  for (let i = 0; i < out.numel(); i++) v[o0 + i] = intPow(v[s0 + i], y);
  if (src !== x) src.dispose();
  return out;
}

function filled(op: string, shape: Shape, value: number): Tensor {
  const t = Tensor._empty(op, shape);
  K.fill_f32(t.ptr, sizeOf(shape), value);
  return t;
}

/**
 * x ** y as torch.pow: a Tensor or number for either operand (not both numbers). A number
 * exponent takes the scalar kernel (exact squares, cubes, square roots ...); otherwise both are
 * broadcast, with C's special cases (x^0 = 1^y = 1, NaN for a negative base and a fractional
 * exponent).
 *
 * @example
 * ```ts
 * wg.pow(wg.tensor([2, 3]), 2); // [4, 9]
 * ```
 */
export function pow(x: TensorOrScalar, y: TensorOrScalar, ...extra: never[]): Tensor {
  noExtra("pow", [x, y, ...extra], 2);
  check("pow", x, "the base", true);
  check("pow", y, "the exponent", true);
  if (typeof y === "number") {
    if (typeof x === "number") {
      throw new WasmgradError("pow: expected at least one Tensor operand but got two numbers");
    }
    return x.dtype === "float32" ? unary.pow(x, y) : nonFloatPowScalar(x, y);
  }
  if (typeof x === "number") return rpow(y, x);
  if (x.dtype === "bool" && y.dtype === "bool") {
    throw new WasmgradError("pow: not supported for two bool tensors; convert one with .int()");
  }
  if (x.dtype !== "float32" || y.dtype !== "float32") {
    if (x.dtype !== "float32" && y.dtype !== "float32" && y.data().some((v) => v < 0)) {
      throw new WasmgradError("pow: integers to negative integer powers are not allowed");
    }
    return viaFloat(
      "pow",
      x,
      y,
      (a, b) => pow(a, b),
      x.dtype !== "float32" && y.dtype !== "float32",
    );
  }
  const shape = broadcastShapes("pow", x.shape, y.shape);
  const xb = expandTo(x, shape);
  const yb = expandTo(y, shape);
  const out = Tensor._empty("pow", shape);
  K.pow_tensor_f32(out.ptr, xb._ptr("pow"), yb._ptr("pow"), sizeOf(shape));
  release(xb, x);
  release(yb, y);
  if (!needsGradAny([x, y])) return out;
  return record(
    out,
    "pow",
    [x, y],
    (g) => {
      const xe = expandTo(x, shape);
      const ye = expandTo(y, shape);
      const dx = Tensor._empty("pow", shape);
      const dy = Tensor._empty("pow", shape);
      const n = sizeOf(shape);
      K.pow_tensor_bwd_f32(
        dx.ptr,
        dy.ptr,
        g._ptr("pow"),
        xe._ptr("pow"),
        ye._ptr("pow"),
        out._ptr("pow backward"),
        n,
      );
      release(xe, x);
      release(ye, y);
      return [reduceGrad(dx, x.shape), reduceGrad(dy, y.shape)];
    },
    [x, y, out],
  );
}

/**
 * base ** x for a number base (Python's `base ** x`, torch.pow(number, tensor)).
 *
 * @example
 * ```ts
 * wg.rpow(wg.tensor([1, 2, 3]), 2); // [2, 4, 8]
 * ```
 */
export function rpow(x: Tensor, base: number, ...extra: never[]): Tensor {
  noExtra("rpow", [x, base, ...extra], 2);
  check("rpow", x, "the exponent", false);
  if (typeof base !== "number") {
    throw new WasmgradError(`rpow: expected a number base but got ${describe(base)}`);
  }
  if (x.dtype !== "float32") {
    const fx = asFloat("rpow", x);
    const r = rpow(fx, base);
    fx.dispose();
    if (!Number.isInteger(base)) return r;
    const ri = castRaw("rpow", r, "int32");
    r.dispose();
    return ri;
  }
  const n = sizeOf(x.shape);
  const b = filled("rpow", x.shape, base);
  const out = Tensor._empty("rpow", x.shape);
  K.pow_tensor_f32(out.ptr, b.ptr, x._ptr("rpow"), n);
  b.dispose();
  if (!needsGradAny([x])) return out;
  return record(
    out,
    "rpow",
    [x],
    (g) => {
      const bb = filled("rpow", x.shape, base);
      const unused = Tensor._empty("rpow", x.shape);
      const dx = Tensor._empty("rpow", x.shape);
      K.pow_tensor_bwd_f32(
        unused.ptr,
        dx.ptr,
        g._ptr("rpow"),
        bb.ptr,
        x._ptr("rpow"),
        out._ptr("rpow backward"),
        n,
      );
      bb.dispose();
      unused.dispose();
      return [dx];
    },
    [x, out],
  );
}

/**
 * The angle of the point (x, y), elementwise with broadcasting, as torch.atan2(y, x).
 *
 * @example
 * ```ts
 * wg.atan2(wg.tensor([1]), wg.tensor([-1])); // [2.3562]
 * ```
 */
export function atan2(y: Tensor, x: Tensor, ...extra: never[]): Tensor {
  noExtra("atan2", [y, x, ...extra], 2);
  check("atan2", y, "the first operand (y)", false);
  check("atan2", x, "the second operand (x)", false);
  if (x.dtype !== "float32" || y.dtype !== "float32") {
    return viaFloat("atan2", y, x, (a, b) => atan2(a, b), false);
  }
  const shape = broadcastShapes("atan2", y.shape, x.shape);
  const yb = expandTo(y, shape);
  const xb = expandTo(x, shape);
  const out = Tensor._empty("atan2", shape);
  K.atan2_f32(out.ptr, yb._ptr("atan2"), xb._ptr("atan2"), sizeOf(shape));
  release(yb, y);
  release(xb, x);
  if (!needsGradAny([y, x])) return out;
  return record(out, "atan2", [y, x], (g) => {
    const ye = expandTo(y, shape);
    const xe = expandTo(x, shape);
    const dy = Tensor._empty("atan2", shape);
    const dx = Tensor._empty("atan2", shape);
    K.atan2_bwd_f32(
      dy.ptr,
      dx.ptr,
      g._ptr("atan2"),
      ye._ptr("atan2"),
      xe._ptr("atan2"),
      sizeOf(shape),
    );
    release(ye, y);
    release(xe, x);
    return [reduceGrad(dy, y.shape), reduceGrad(dx, x.shape)];
  });
}

/**
 * start + weight * (end - start), with broadcasting; weight is a number or a Tensor
 * (torch.lerp). Gradients: (1 - weight) g, weight g, and (end - start) g for a tensor weight.
 *
 * @example
 * ```ts
 * wg.lerp(wg.tensor([0, 0]), wg.tensor([10, 20]), 0.5); // [5, 10]
 * ```
 */
export function lerp(
  start: Tensor,
  end: Tensor,
  weight: TensorOrScalar,
  ...extra: never[]
): Tensor {
  noExtra("lerp", [start, end, weight, ...extra], 3);
  check("lerp", start, "start", false);
  check("lerp", end, "end", false);
  check("lerp", weight, "weight", true);
  const diff = binaryRaw("lerp", BinaryOp.sub, end, start);
  let out: Tensor;
  if (typeof weight === "number") {
    // torch's form: from the nearer end, so weight 1 gives exactly `end`.
    if (weight < 0.5) {
      const step = scalarRaw("lerp", BinaryOp.mul, diff, weight);
      out = binaryRaw("lerp", BinaryOp.add, start, step);
      step.dispose();
    } else {
      const step = scalarRaw("lerp", BinaryOp.mul, diff, 1 - weight);
      out = binaryRaw("lerp", BinaryOp.rsub, step, end);
      step.dispose();
    }
  } else {
    const step = mulRaw(diff, weight);
    out = binaryRaw("lerp", BinaryOp.add, start, step);
    step.dispose();
  }
  const inputs = typeof weight === "number" ? [start, end] : [start, end, weight];
  diff.dispose();
  if (!needsGradAny(inputs)) return out;
  const shape = out.shape;
  return record(out, "lerp", inputs, (g) => {
    const gw =
      typeof weight === "number" ? scalarRaw("lerp", BinaryOp.mul, g, weight) : mulRaw(g, weight);
    const gWide = sameShape(gw.shape, shape) ? gw : expandTo(gw, shape);
    if (gWide !== gw) gw.dispose();
    const gs = binaryRaw("lerp", BinaryOp.sub, g, gWide);
    const grads: (Tensor | null)[] = [reduceGrad(gs, start.shape), reduceGrad(gWide, end.shape)];
    if (typeof weight !== "number") {
      const d = binaryRaw("lerp", BinaryOp.sub, end, start);
      grads.push(reduceGrad(mulRaw(g, d), weight.shape));
      d.dispose();
    }
    return grads;
  });
}
