/** The in-place variants, each the out-of-place op run through `inplace` (see inplace.ts). */
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { normal, uniform } from "../random.js";
import { Tensor, type TensorOrScalar } from "../tensor.js";
import { type Args, describe, num } from "../validate.js";
import type { AlphaOptions } from "./binary.js";
import * as binary from "./binary.js";
import { fillRaw, zeros } from "./creation.js";
import type { DivOptions } from "./division.js";
import { inplace } from "./inplace.js";
import * as unary from "./unary.js";
import { maskedFill } from "./where.js";

function other(op: string, v: unknown): TensorOrScalar {
  if (v instanceof Tensor || typeof v === "number") return v;
  throw new WasmgradError(`${op}: expected a Tensor or a number but got ${describe(v)}`);
}

export const add_ = (x: Tensor, y: TensorOrScalar, ...rest: Args<[], AlphaOptions>): Tensor =>
  inplace("add_", x, [y], (s) => binary.add(s, other("add_", y), ...rest));
export const sub_ = (x: Tensor, y: TensorOrScalar, ...rest: Args<[], AlphaOptions>): Tensor =>
  inplace("sub_", x, [y], (s) => binary.sub(s, other("sub_", y), ...rest));
export const mul_ = (x: Tensor, y: TensorOrScalar, ...extra: never[]): Tensor =>
  inplace("mul_", x, [y], (s) => binary.mul(s, other("mul_", y), ...extra));
export const div_ = (x: Tensor, y: TensorOrScalar, ...rest: Args<[], DivOptions>): Tensor =>
  inplace("div_", x, [y], (s) => binary.div(s, other("div_", y), ...rest));
export const neg_ = (x: Tensor): Tensor => inplace("neg_", x, [], unary.neg);
export const exp_ = (x: Tensor): Tensor => inplace("exp_", x, [], unary.exp);
export const log_ = (x: Tensor): Tensor => inplace("log_", x, [], unary.log);
export const sqrt_ = (x: Tensor): Tensor => inplace("sqrt_", x, [], unary.sqrt);
export const abs_ = (x: Tensor): Tensor => inplace("abs_", x, [], unary.abs);
export const relu_ = (x: Tensor): Tensor => inplace("relu_", x, [], unary.relu);
export const sigmoid_ = (x: Tensor): Tensor => inplace("sigmoid_", x, [], unary.sigmoid);
export const tanh_ = (x: Tensor): Tensor => inplace("tanh_", x, [], unary.tanh);
export const pow_ = (x: Tensor, p: number): Tensor =>
  inplace("pow_", x, [], (s) => unary.pow(s, p));
export const clamp_ = (x: Tensor, min: number | null, max?: number | null): Tensor =>
  inplace("clamp_", x, [], (s) => unary.clamp(s, min, max));
export const maskedFill_ = (x: Tensor, mask: Tensor, value: number | boolean | Tensor): Tensor =>
  inplace("maskedFill_", x, [], (s) => maskedFill(s, mask, value));

/** Copies `src` (broadcast to x's shape, converted to x's dtype) into x; differentiable in src. */
export function copy_(x: Tensor, src: Tensor): Tensor {
  if (!(src instanceof Tensor)) {
    throw new WasmgradError(`copy_: expected src to be a Tensor but got ${describe(src)}`);
  }
  return inplace(
    "copy_",
    x,
    [src],
    () => {
      const z = zeros([...x.shape], { dtype: src.dtype });
      const r = binary.add(z, src);
      if (!r.requiresGrad) z.dispose();
      return r;
    },
    { anyCast: true },
  );
}

export function fill_(x: Tensor, value: number | boolean | Tensor): Tensor {
  if (value instanceof Tensor) {
    // PyTorch takes a 0-d tensor too (its value, differentiably): a copy broadcast from it.
    if (value.ndim !== 0) {
      throw new WasmgradError(
        `fill_: a tensor value must be 0-d (as in PyTorch) but got shape ${fmt(value.shape)}`,
      );
    }
    return copy_(x, value);
  }
  if (typeof value !== "number" && typeof value !== "boolean") {
    throw new WasmgradError(`fill_: expected a number or a 0-d tensor but got ${describe(value)}`);
  }
  return inplace("fill_", x, [], () => {
    const t = Tensor._empty("fill_", x.shape, x.dtype);
    fillRaw(t, value);
    return t;
  });
}

export const zero_ = (x: Tensor): Tensor => fill_(x, 0);

function drawInto(op: string, x: Tensor, draw: () => number): Tensor {
  return inplace(op, x, [], () => {
    const t = Tensor._empty(op, x.shape, x.dtype);
    const at = t._ptr(op) >>> 2;
    const view = backend.f32();
    for (let i = 0; i < t.numel(); i++) view[at + i] = draw();
    return t;
  });
}

/** Fills x with normal draws (seeded by manualSeed), as PyTorch's normal_. */
export function normal_(x: Tensor, mean = 0, std = 1): Tensor {
  num("normal_", "mean", mean);
  num("normal_", "std", std);
  if (!(std >= 0)) throw new WasmgradError(`normal_: expected std >= 0 but got ${describe(std)}`);
  return drawInto("normal_", x, () => mean + std * normal());
}

/** Fills x with uniform draws in [from, to), as PyTorch's uniform_. */
export function uniform_(x: Tensor, from = 0, to = 1): Tensor {
  num("uniform_", "from", from);
  num("uniform_", "to", to);
  if (!(from <= to)) {
    throw new WasmgradError(`uniform_: expected from <= to but got from=${from}, to=${to}`);
  }
  return drawInto("uniform_", x, () => from + (to - from) * uniform());
}

/** Cuts x from the graph in place: it becomes a leaf that does not require grad. */
export function detach_(x: Tensor): Tensor {
  if (!(x instanceof Tensor))
    throw new WasmgradError(`detach_: expected a Tensor but got ${describe(x)}`);
  x._live("detach_");
  x._node = null;
  x.requiresGrad = false;
  return x;
}
