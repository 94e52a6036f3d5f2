/**
 * Broadcasting arithmetic: add, sub, mul, div, maximum, minimum. Either operand may be a number.
 * Gradients are reduced back to each operand's shape (sumTo), as broadcasting requires.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { BinaryOp, type BinaryOpCode } from "../backend/table/core.js";
import { type DType, promoteScalar, promoteTypes } from "../dtype.js";
import { WasmgradError } from "../errors.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { type Args, args, noExtra, num } from "../validate.js";
import { castRaw } from "./cast.js";
import { type DivOptions, roundedDiv, roundingModeOf } from "./division.js";
import { type IntOp, intBinary } from "./int-math.js";
import { binaryRaw, mulRaw, scalarRaw, sumTo } from "./raw.js";

/** Refuses an operand that is neither a Tensor nor a number. */
function check(op: string, v: unknown, side: string): void {
  if (!(v instanceof Tensor) && typeof v !== "number") {
    throw new WasmgradError(
      `${op}: expected a Tensor or a number as the ${side} operand but got ${v === null ? "null" : typeof v}`,
    );
  }
}

/** @internal refuses operands that are not Tensors or numbers, and two numbers. */
export function checkOperands(op: string, a: unknown, b: unknown): void {
  check(op, a, "first");
  check(op, b, "second");
  if (typeof a === "number" && typeof b === "number") {
    throw new WasmgradError(`${op}: expected at least one Tensor operand but got two numbers`);
  }
}

/**
 * @internal the dtype of `a op b`, as torch.result_type; `/` always gives float (true division).
 */
export function resultType(op: string, a: TensorOrScalar, b: TensorOrScalar): DType {
  const d =
    typeof a === "number"
      ? promoteScalar((b as Tensor).dtype, a)
      : typeof b === "number"
        ? promoteScalar(a.dtype, b)
        : promoteTypes(a.dtype, b.dtype);
  return op === "div" ? "float32" : d;
}

/** A float32 reading of an operand: itself, a view of a bool (stored as 0/1 floats), or a copy. */
function floatOperand(op: string, v: TensorOrScalar): TensorOrScalar {
  if (typeof v === "number" || v.dtype === "float32") return v;
  return v.dtype === "bool" ? Tensor._view(v, v.shape, "float32") : castRaw(op, v, "float32");
}

const INT_OPS: Record<string, IntOp> = {
  add: "add",
  sub: "sub",
  mul: "mul",
  maximum: "maximum",
  minimum: "minimum",
};

/**
 * `a op b` when neither operand is float: int32 arithmetic, or for two bools the logical form
 * PyTorch gives (add and maximum are or, mul and minimum are and; sub is refused).
 */
function nonFloat(op: string, a: TensorOrScalar, b: TensorOrScalar, dtype: DType): Tensor {
  if (dtype === "bool") {
    if (op === "sub") {
      throw new WasmgradError(
        "sub: subtracting two bool tensors is not supported; use logicalXor or convert with .int()",
      );
    }
    const code = op === "add" || op === "maximum" ? BinaryOp.maximum : BinaryOp.minimum;
    const fa = floatOperand(op, a) as Tensor;
    const fb = floatOperand(op, b) as Tensor;
    const f = binaryRaw(op, code, fa, fb);
    fa.dispose();
    fb.dispose();
    const out = Tensor._view(f, f.shape, "bool");
    f.dispose();
    return out;
  }
  return intBinary(op, INT_OPS[op], a, b);
}

/** PyTorch refuses `-` with a bool tensor on either side, whatever the other operand. */
function refuseBoolSub(a: TensorOrScalar, b: TensorOrScalar): void {
  const isBool = (v: TensorOrScalar) => typeof v !== "number" && v.dtype === "bool";
  if (isBool(a) && isBool(b)) {
    throw new WasmgradError(
      "sub: subtracting two bool tensors is not supported; use logicalXor or convert with .int()",
    );
  }
  if (isBool(a) || isBool(b)) {
    throw new WasmgradError(
      "sub: subtraction with a bool tensor is not supported; to invert a mask use logicalNot, otherwise convert it with .int() or .float()",
    );
  }
}

/** A number operand becomes a 0-d constant only when both operands are numbers. */
function forward(
  op: string,
  code: BinaryOpCode,
  reversed: BinaryOpCode,
  a: TensorOrScalar,
  b: TensorOrScalar,
): Tensor {
  checkOperands(op, a, b);
  if (typeof b === "number") return scalarRaw(op, code, a as Tensor, b);
  if (typeof a === "number") return scalarRaw(op, reversed, b, a);
  return binaryRaw(op, code, a, b);
}

function tensorOf(v: TensorOrScalar): Tensor | null {
  return typeof v === "number" ? null : v;
}

/**
 * The gradient of `out` with respect to operand `side` (0: a, 1: b) at the output's shape,
 * given the upstream gradient g; a fresh tensor (or g itself).
 */
export type LocalGrad = (g: Tensor, side: 0 | 1, a: TensorOrScalar, b: TensorOrScalar) => Tensor;

/**
 * @internal runs the forward kernel and, when needed, records a backward that applies
 * `localGrad` for each tensor operand and sums the result back to that operand's (broadcast)
 * shape. Operands whose result type is not float32 go to `nonFloat` (int32 arithmetic).
 */
export function binaryOp(
  op: string,
  code: BinaryOpCode,
  reversed: BinaryOpCode,
  givenA: TensorOrScalar,
  givenB: TensorOrScalar,
  localGrad: LocalGrad,
  saves: "none" | "operands" | "divisor" = "operands",
): Tensor {
  checkOperands(op, givenA, givenB);
  if (op === "sub") refuseBoolSub(givenA, givenB);
  const dtype = resultType(op, givenA, givenB);
  if (dtype !== "float32") return nonFloat(op, givenA, givenB, dtype);
  const a = floatOperand(op, givenA);
  const b = floatOperand(op, givenB);
  const out = forward(op, code, reversed, a, b);
  const sides: [Tensor, 0 | 1][] = [];
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  if (ta !== null) sides.push([ta, 0]);
  if (tb !== null) sides.push([tb, 1]);
  if (!needsGrad(sides[0][0], sides[1]?.[0])) {
    // typeof, not just !==: a NaN operand is never equal to itself.
    if (a !== givenA && typeof a !== "number") a.dispose();
    if (b !== givenB && typeof b !== "number") b.dispose();
    return out;
  }
  return record(
    out,
    op,
    sides.map(([t]) => t),
    (g) =>
      sides.map(([t, side]) => {
        if (!t.requiresGrad) return null;
        const full = localGrad(g, side, a, b);
        const reduced = sumTo(full, t.shape);
        if (reduced !== full && full !== g) full.dispose();
        return reduced;
      }),
    savedTensors(saves, a, b, out),
  );
}

/** What a binary op's backward reads, for the in-place version check. */
function savedTensors(
  saves: "none" | "operands" | "divisor",
  a: TensorOrScalar,
  b: TensorOrScalar,
  out: Tensor,
): Tensor[] {
  if (saves === "none") return [];
  const tb = tensorOf(b);
  if (saves === "divisor") return tb === null ? [out] : [tb, out];
  return [a, b].filter((t): t is Tensor => t instanceof Tensor);
}

/** x * s for a number, or x * t elementwise (broadcasting). */
function times(x: Tensor, other: TensorOrScalar): Tensor {
  return typeof other === "number" ? scalarRaw("mul", BinaryOp.mul, x, other) : mulRaw(x, other);
}

/** Options of `add` and `sub`. */
export interface AlphaOptions {
  /** The multiplier of the other operand (default 1): a + alpha * b, a - alpha * b. */
  alpha?: number;
}

/**
 * Elementwise a + b, broadcasting; either side may be a number. `{ alpha }` scales b first, as
 * PyTorch's keyword `alpha` (a + alpha * b).
 *
 * PyTorch: `torch.add`.
 *
 * @example
 * ```ts
 * wg.add(wg.tensor([1, 2]), 10); // [11, 12]
 * wg.add(wg.tensor([1, 2]), wg.tensor([1, 1]), { alpha: -0.5 }); // [0.5, 1.5]
 * ```
 */
export function add(a: TensorOrScalar, b: TensorOrScalar, ...rest: Args<[], AlphaOptions>): Tensor {
  return withAlpha("add", a, b, rest, (a, b) =>
    binaryOp("add", BinaryOp.add, BinaryOp.add, a, b, (g) => g, "none"),
  );
}

/**
 * Elementwise a - b, broadcasting; either side may be a number. `{ alpha }` scales b first, as
 * PyTorch's keyword `alpha` (a - alpha * b).
 *
 * PyTorch: `torch.sub`.
 *
 * @example
 * ```ts
 * wg.sub(wg.tensor([5, 7]), wg.tensor([1, 2])); // [4, 5]
 * ```
 */
export function sub(a: TensorOrScalar, b: TensorOrScalar, ...rest: Args<[], AlphaOptions>): Tensor {
  return withAlpha("sub", a, b, rest, (a, b) =>
    binaryOp(
      "sub",
      BinaryOp.sub,
      BinaryOp.rsub,
      a,
      b,
      (g, side) => (side === 0 ? g : scalarRaw("sub", BinaryOp.mul, g, -1)),
      "none",
    ),
  );
}

/**
 * f(a, alpha * b) for add and sub, with PyTorch's keyword-only alpha (default 1); any other
 * argument is an error (JavaScript would drop it and a + b would silently ignore the scale).
 */
function withAlpha(
  op: "add" | "sub",
  a: TensorOrScalar,
  b: TensorOrScalar,
  rest: readonly unknown[],
  f: (a: TensorOrScalar, b: TensorOrScalar) => Tensor,
): Tensor {
  const given = args(op, rest, [], ["alpha"]).alpha;
  if (given === undefined) return f(a, b);
  const alpha = num(op, "alpha", given);
  const integral = (x: TensorOrScalar) => typeof x === "number" || x.dtype !== "float32";
  if (!Number.isInteger(alpha) && integral(a) && integral(b)) {
    throw new WasmgradError(
      `${op}: alpha must be an integer for integer operands (as in PyTorch) but got ${alpha}`,
    );
  }
  if (alpha === 1) return f(a, b);
  if (typeof b === "number") return f(a, b * alpha);
  const scaled = mul(b, alpha);
  const out = f(a, scaled);
  if (!out.requiresGrad) scaled.dispose();
  return out;
}

/**
 * Elementwise a * b, broadcasting; either side may be a number.
 *
 * PyTorch: `torch.mul`.
 *
 * @example
 * ```ts
 * wg.mul(wg.tensor([[1], [2]]), wg.tensor([3, 4])); // [[3, 4], [6, 8]]
 * ```
 */
export function mul(a: TensorOrScalar, b: TensorOrScalar, ...extra: never[]): Tensor {
  noExtra("mul", [a, b, ...extra], 2);
  // d(a*b)/da = b and d(a*b)/db = a
  return binaryOp("mul", BinaryOp.mul, BinaryOp.mul, a, b, (g, side, fa, fb) =>
    times(g, side === 0 ? fb : fa),
  );
}

/**
 * Elementwise a / b, broadcasting: true division (integers give float32), or with
 * `{ roundingMode: "trunc" | "floor" }` the quotient rounded towards zero or -Infinity (integer
 * operands then give int32 and a zero divisor raises ZeroDivisionError; the gradient is zero).
 *
 * PyTorch: `torch.div`.
 *
 * @example
 * ```ts
 * wg.div(wg.tensor([1, 3]), 2); // [0.5, 1.5]
 * wg.div(wg.tensor([-7, 7]), 2, { roundingMode: "floor" }); // [-4, 3]
 * ```
 */
export function div(a: TensorOrScalar, b: TensorOrScalar, ...rest: Args<[], DivOptions>): Tensor {
  const mode = roundingModeOf(rest);
  if (mode !== null) return roundedDiv(a, b, mode);
  const out: Tensor = binaryOp(
    "div",
    BinaryOp.div,
    BinaryOp.rdiv,
    a,
    b,
    (g, side, _, b) => {
      // d(a/b)/da = 1/b;  d(a/b)/db = -a/b^2 = -out/b
      if (side === 0) {
        return typeof b === "number"
          ? scalarRaw("div", BinaryOp.mul, g, 1 / b)
          : binaryRaw("div", BinaryOp.div, g, b);
      }
      const q = binaryRaw("div", BinaryOp.div, out, b as Tensor);
      const p = mulRaw(g, q);
      q.dispose();
      const r = scalarRaw("div", BinaryOp.mul, p, -1);
      p.dispose();
      return r;
    },
    "divisor",
  );
  return out;
}

/**
 * maximum/minimum: the gradient flows to the larger (smaller) operand, split evenly on ties,
 * as PyTorch does.
 */
function extremum(op: "maximum" | "minimum", a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const code = op === "maximum" ? BinaryOp.maximum : BinaryOp.minimum;
  return binaryOp(op, code, code, a, b, (g, side, a, b) => {
    const self = (side === 0 ? a : b) as Tensor;
    const other = side === 0 ? b : a;
    // share(x, y) = 1 if x wins, 0.5 on a tie, 0 otherwise; for minimum, x wins when -x > -y.
    const sign = op === "maximum" ? 1 : -1;
    const x = sign === 1 ? self : scalarRaw(op, BinaryOp.mul, self, -1);
    const y =
      typeof other === "number"
        ? sign * other
        : sign === 1
          ? other
          : scalarRaw(op, BinaryOp.mul, other, -1);
    const share =
      typeof y === "number"
        ? scalarRaw(op, BinaryOp.maxShare, x, y)
        : binaryRaw(op, BinaryOp.maxShare, x, y);
    if (x !== self) x.dispose();
    if (typeof y !== "number" && y !== other) y.dispose();
    const r = mulRaw(g, share);
    share.dispose();
    return r;
  });
}

/**
 * Elementwise larger of a and b, broadcasting.
 *
 * PyTorch: `torch.maximum`.
 *
 * @example
 * ```ts
 * wg.maximum(wg.tensor([1, 5]), wg.tensor([3, 2])); // [3, 5]
 * ```
 */
export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return extremum("maximum", a, b);
}

/**
 * Elementwise smaller of a and b, broadcasting.
 *
 * PyTorch: `torch.minimum`.
 *
 * @example
 * ```ts
 * wg.minimum(wg.tensor([1, 5]), 2); // [1, 2]
 * ```
 */
export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return extremum("minimum", a, b);
}
