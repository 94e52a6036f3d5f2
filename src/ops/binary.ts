/**
 * Broadcasting arithmetic: add, sub, mul, div, maximum, minimum. Either operand may be a number.
 * Gradients are reduced back to each operand's shape (sumTo), as broadcasting requires.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { BinaryOp, type BinaryOpCode } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { binaryRaw, mulRaw, scalarRaw, sumTo } from "./raw.js";

function check(op: string, v: unknown, side: string): void {
  if (!(v instanceof Tensor) && typeof v !== "number") {
    throw new WasmgradError(
      `${op}: expected a Tensor or a number as the ${side} operand but got ${v === null ? "null" : typeof v}`,
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
  check(op, a, "first");
  check(op, b, "second");
  if (typeof a === "number" && typeof b === "number") {
    throw new WasmgradError(`${op}: expected at least one Tensor operand but got two numbers`);
  }
  if (typeof b === "number") return scalarRaw(op, code, a as Tensor, b);
  if (typeof a === "number") return scalarRaw(op, reversed, b, a);
  return binaryRaw(op, code, a, b);
}

function tensorOf(v: TensorOrScalar): Tensor | null {
  return typeof v === "number" ? null : v;
}

export function add(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const out = forward("add", BinaryOp.add, BinaryOp.add, a, b);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  if (!needsGrad(ta ?? (tb as Tensor), tb)) return out;
  return record(
    out,
    "add",
    [ta, tb].filter((t) => t !== null),
    (g) => {
      const grads: (Tensor | null)[] = [];
      if (ta) grads.push(sumTo(g, ta.shape));
      if (tb) grads.push(sumTo(g, tb.shape));
      return grads;
    },
  );
}

export function sub(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const out = forward("sub", BinaryOp.sub, BinaryOp.rsub, a, b);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  if (!needsGrad(ta ?? (tb as Tensor), tb)) return out;
  return record(
    out,
    "sub",
    [ta, tb].filter((t) => t !== null),
    (g) => {
      const grads: (Tensor | null)[] = [];
      if (ta) grads.push(sumTo(g, ta.shape));
      if (tb?.requiresGrad) {
        const s = sumTo(g, tb.shape);
        grads.push(scalarRaw("sub", BinaryOp.mul, s, -1));
        if (s !== g) s.dispose();
      } else if (tb) grads.push(null);
      return grads;
    },
  );
}

export function mul(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const out = forward("mul", BinaryOp.mul, BinaryOp.mul, a, b);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  if (!needsGrad(ta ?? (tb as Tensor), tb)) return out;
  return record(
    out,
    "mul",
    [ta, tb].filter((t) => t !== null),
    (g) => {
      // d(a*b)/da = b: with a number operand the gradient is g scaled by it.
      const gradFor = (self: Tensor, other: TensorOrScalar): Tensor | null => {
        if (!self.requiresGrad) return null;
        const prod =
          typeof other === "number" ? scalarRaw("mul", BinaryOp.mul, g, other) : mulRaw(g, other);
        const s = sumTo(prod, self.shape);
        if (s !== prod) prod.dispose();
        return s;
      };
      const grads: (Tensor | null)[] = [];
      if (ta) grads.push(gradFor(ta, b));
      if (tb) grads.push(gradFor(tb, a));
      return grads;
    },
  );
}

export function div(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const out = forward("div", BinaryOp.div, BinaryOp.rdiv, a, b);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  if (!needsGrad(ta ?? (tb as Tensor), tb)) return out;
  return record(
    out,
    "div",
    [ta, tb].filter((t) => t !== null),
    (g) => {
      const grads: (Tensor | null)[] = [];
      if (ta) {
        if (!ta.requiresGrad) grads.push(null);
        else {
          // d(a/b)/da = 1/b
          const q =
            typeof b === "number"
              ? scalarRaw("div", BinaryOp.mul, g, 1 / b)
              : binaryRaw("div", BinaryOp.div, g, b);
          const s = sumTo(q, ta.shape);
          if (s !== q) q.dispose();
          grads.push(s);
        }
      }
      if (tb) {
        if (!tb.requiresGrad) grads.push(null);
        else {
          // d(a/b)/db = -a/b^2 = -out/b
          const q = binaryRaw("div", BinaryOp.div, out, tb);
          const p = mulRaw(g, q);
          q.dispose();
          const s = sumTo(p, tb.shape);
          if (s !== p) p.dispose();
          grads.push(scalarRaw("div", BinaryOp.mul, s, -1));
          s.dispose();
        }
      }
      return grads;
    },
  );
}

/**
 * maximum/minimum: the gradient flows to the larger (smaller) operand, split evenly on ties,
 * as PyTorch does.
 */
function extremum(op: "maximum" | "minimum", a: TensorOrScalar, b: TensorOrScalar): Tensor {
  const code = op === "maximum" ? BinaryOp.maximum : BinaryOp.minimum;
  const out = forward(op, code, code, a, b);
  const ta = tensorOf(a);
  const tb = tensorOf(b);
  if (!needsGrad(ta ?? (tb as Tensor), tb)) return out;
  return record(
    out,
    op,
    [ta, tb].filter((t) => t !== null),
    (g) => {
      const gradFor = (self: Tensor, other: TensorOrScalar): Tensor | null => {
        if (!self.requiresGrad) return null;
        // share(x, y) = 1 if x > y, 0.5 if equal; for minimum swap the comparison.
        let share: Tensor;
        if (typeof other !== "number") {
          share =
            op === "maximum"
              ? binaryRaw(op, BinaryOp.maxShare, self, other)
              : binaryRaw(op, BinaryOp.maxShare, other, self);
        } else if (op === "maximum") {
          share = scalarRaw(op, BinaryOp.maxShare, self, other);
        } else {
          // x < y  <=>  -x > -y
          const negated = scalarRaw(op, BinaryOp.mul, self, -1);
          share = scalarRaw(op, BinaryOp.maxShare, negated, -other);
          negated.dispose();
        }
        const prod = mulRaw(g, share);
        share.dispose();
        const s = sumTo(prod, self.shape);
        if (s !== prod) prod.dispose();
        return s;
      };
      const grads: (Tensor | null)[] = [];
      if (ta) grads.push(gradFor(ta, b));
      if (tb) grads.push(gradFor(tb, a));
      return grads;
    },
  );
}

export function maximum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return extremum("maximum", a, b);
}

export function minimum(a: TensorOrScalar, b: TensorOrScalar): Tensor {
  return extremum("minimum", a, b);
}
