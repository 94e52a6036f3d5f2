/**
 * Division with rounding and the two remainders, as torch 1.13: floorDivide, remainder, fmod and
 * div(a, b, { roundingMode: "floor" | "trunc" }), broadcasting, either operand a number (fmod's
 * divisor only). The result dtype is torch.result_type's: two integer operands give int32 (an
 * integer divisor holding 0 raises ZeroDivisionError, as PyTorch does), a float operand float32
 * (the float kernels of assembly/kernels/binary.ts, with PyTorch's formulas: floor division from
 * the exact fmod, x / 0 = ±inf or NaN, remainder with the divisor's sign, fmod with the
 * dividend's). Two bool operands are refused, as PyTorch has none of these for bool.
 *
 * Gradients, as PyTorch's derivatives.yaml: remainder and fmod pass g to the dividend and
 * -g * floor(a / b) (trunc for fmod) to the divisor; div with a rounding mode gives zeros;
 * floorDivide, and remainder with a number dividend, have no derivative (backward through them
 * throws, as in PyTorch).
 */
import { K } from "../backend/runtime.js";
import { BinaryOp, type BinaryOpCode } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { args, oneOf, tensorArg } from "../validate.js";
import { binaryOp, checkOperands, type LocalGrad, resultType } from "./binary.js";
import { hasZero, intBinary } from "./int-math.js";
import { binaryRaw, mulRaw, scalarRaw } from "./raw.js";

type Kind = "floorDiv" | "truncDiv" | "remainder" | "fmod";

/** The float kernel codes of each kind: a op b, and the swapped form for a number on the left. */
const CODES: Record<Kind, [BinaryOpCode, BinaryOpCode]> = {
  floorDiv: [BinaryOp.floorDiv, BinaryOp.rfloorDiv],
  truncDiv: [BinaryOp.truncDiv, BinaryOp.rtruncDiv],
  remainder: [BinaryOp.remainder, BinaryOp.rremainder],
  fmod: [BinaryOp.fmod, BinaryOp.rfmod],
};

/**
 * How PyTorch rounds the quotient of div: `null` (true division), `"trunc"` (towards zero) or
 * `"floor"` (towards -Infinity).
 *
 * PyTorch: the `rounding_mode` argument of `torch.div`.
 */
export type RoundingMode = "trunc" | "floor" | null;

/** The keyword arguments of div. */
export interface DivOptions {
  /** null (default): true division; "trunc" and "floor" round the quotient. */
  roundingMode?: RoundingMode;
}

function division(
  op: string,
  kind: Kind,
  a: TensorOrScalar,
  b: TensorOrScalar,
  grad: LocalGrad,
): Tensor {
  checkOperands(op, a, b);
  const dtype = resultType(kind, a, b); // not "div": with a rounding mode integers stay int32
  if (dtype === "bool") {
    throw new WasmgradError(
      `${op}: not implemented for two bool operands (as in PyTorch); convert one with .int() or .float()`,
    );
  }
  if (dtype === "int32") {
    if (typeof b === "number" ? b === 0 : hasZero(op, b)) {
      throw new WasmgradError(
        `${op}: ZeroDivisionError: integer division by zero (the divisor holds a 0), as PyTorch raises`,
      );
    }
    return intBinary(op, kind, a, b);
  }
  const [code, reversed] = CODES[kind];
  return binaryOp(op, code, reversed, a, b, grad);
}

/** kind(a, b) of the float operands a backward sees, at the broadcast shape. */
function rawOf(op: string, kind: Kind, a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const [code, reversed] = CODES[kind];
  if (typeof b === "number") return scalarRaw(op, code, a as Tensor, b);
  if (typeof a === "number") return scalarRaw(op, reversed, b, a);
  return binaryRaw(op, code, a, b);
}

/** g to the dividend, -g * rounded(a / b) to the divisor (remainder: floor, fmod: trunc). */
function remainderGrad(op: string, rounded: Kind): LocalGrad {
  return (g, side, a, b) => {
    if (side === 0) return g;
    if (typeof a === "number") {
      throw new WasmgradError(
        `the derivative of ${op} with a number dividend is not implemented (as in PyTorch); pass the dividend as a tensor`,
      );
    }
    const q = rawOf(op, rounded, a, b);
    const p = mulRaw(g, q);
    q.dispose();
    const r = scalarRaw(op, BinaryOp.mul, p, -1);
    p.dispose();
    return r;
  };
}

function zeroGrad(op: string): LocalGrad {
  return (g) => {
    const z = Tensor._empty(op, g.shape);
    K.fill_f32(z.ptr, z.numel(), 0);
    return z;
  };
}

/**
 * Elementwise floor(a / b), broadcasting; either side may be a number. Integer operands give
 * int32 (a zero divisor raises ZeroDivisionError), a float operand float32 (x / 0 is ±Infinity
 * or NaN). It has no derivative, as in PyTorch: use div(a, b, { roundingMode: "floor" }) (zero
 * gradient) in a graph.
 *
 * PyTorch: `torch.floor_divide`.
 *
 * @example
 * ```ts
 * wg.floorDivide(wg.tensor([7, -7], { dtype: "int32" }), 2); // [3, -4]
 * ```
 */
export function floorDivide(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const op = "floorDivide";
  return division(op, "floorDiv", a, b, () => {
    throw new WasmgradError(
      `the derivative of ${op} is not implemented (as in PyTorch); use div(a, b, { roundingMode: "floor" }), whose gradient is zero`,
    );
  });
}

/**
 * Elementwise a mod b with the sign of the divisor (Python's %): a - floor(a / b) * b,
 * broadcasting; either side may be a number. Integer operands give int32 (a zero divisor
 * raises ZeroDivisionError); float x mod 0 is NaN.
 *
 * PyTorch: `torch.remainder`.
 *
 * @example
 * ```ts
 * wg.remainder(wg.tensor([5, -5]), 3); // [2, 1]
 * ```
 */
export function remainder(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return division("remainder", "remainder", a, b, remainderGrad("remainder", "floorDiv"));
}

/**
 * Elementwise C fmod: a - trunc(a / b) * b, with the sign of the dividend, broadcasting; the
 * divisor may be a number. Integer operands give int32 (a zero divisor raises
 * ZeroDivisionError); float x fmod 0 is NaN.
 *
 * PyTorch: `torch.fmod`.
 *
 * @example
 * ```ts
 * wg.fmod(wg.tensor([5, -5]), 3); // [2, -2]
 * ```
 */
export function fmod(a: Tensor, b: TensorOrScalar): Tensor {
  tensorArg("fmod", "input", a);
  return division("fmod", "fmod", a, b, remainderGrad("fmod", "truncDiv"));
}

/** @internal div with a rounding mode: "trunc" or "floor" (zero gradient, as PyTorch). */
export function roundedDiv(a: TensorOrScalar, b: TensorOrScalar, mode: "trunc" | "floor"): Tensor {
  return division("div", mode === "trunc" ? "truncDiv" : "floorDiv", a, b, zeroGrad("div"));
}

/** @internal the rounding mode of div's trailing options, validated. */
export function roundingModeOf(rest: readonly unknown[]): RoundingMode {
  const m = args("div", rest, [], ["roundingMode"]).roundingMode;
  return m === undefined ? null : oneOf("div", "roundingMode", m, [null, "trunc", "floor"]);
}
