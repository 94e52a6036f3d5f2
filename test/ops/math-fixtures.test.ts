/**
 * Every case of test/fixtures/math.json (PyTorch 1.13 reference, made by gen_math.py): outputs
 * and the gradients of sum(output * upstream) of the issue-15 math ops, called the way the
 * generator's docstring says a JS user would; and linspace/logspace values.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  type OpCase,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

interface MathArgs {
  dim?: number | number[];
  keepdim?: boolean;
  correction?: number;
  unbiased?: boolean;
  p?: number | "inf" | "-inf";
  base?: number;
  weight?: number;
  equation?: string;
  exponent?: number[];
  decimals?: number;
  scale?: number;
}

interface CreationCase {
  name: string;
  fn: "linspace" | "logspace";
  args: { start: number; end: number; steps: number; base?: number };
  output: FixtureTensor;
}

const fixture = loadFixture<{ ops: OpCase[]; creation: CreationCase[] }>("math.json");

type Unary =
  | "sin"
  | "cos"
  | "erf"
  | "log1p"
  | "expm1"
  | "rsqrt"
  | "square"
  | "reciprocal"
  | "sign"
  | "floor"
  | "ceil"
  | "round"
  | "trunc"
  | "frac";
const unaries = new Set([
  "sin",
  "cos",
  "erf",
  "log1p",
  "expm1",
  "rsqrt",
  "square",
  "reciprocal",
  "sign",
  "floor",
  "ceil",
  "round",
  "trunc",
  "frac",
]);

function varCall(x: wg.Tensor, op: "var" | "std", a: MathArgs): wg.Tensor {
  if (a.unbiased !== undefined) return x[op](a.dim ?? null, a.unbiased, a.keepdim ?? false);
  const opts: wg.VarOptions = {};
  if (a.correction !== undefined) opts.correction = a.correction;
  if (a.keepdim !== undefined) opts.keepdim = a.keepdim;
  return a.dim === undefined ? x[op](opts) : x[op](a.dim, opts);
}

function apply(c: OpCase, inputs: wg.Tensor[]): wg.Tensor {
  const [x, y, z] = inputs;
  const a = c.args as MathArgs;
  if (c.op === "round" && a.decimals !== undefined) {
    return x.mul(a.scale as number).round({ decimals: a.decimals });
  }
  if (unaries.has(c.op)) return x[c.op as Unary]();
  switch (c.op) {
    case "pow":
      return a.exponent !== undefined ? x.pow(wg.tensor(a.exponent)) : x.pow(y);
    case "rpow":
      return x.rpow(a.base as number);
    case "atan2":
      return x.atan2(y);
    case "lerp":
      return inputs.length === 3 ? x.lerp(y, z) : x.lerp(y, a.weight as number);
    case "logsumexp":
      return x.logsumexp(a.dim as number, a.keepdim ?? false);
    case "cumsum":
      return x.cumsum(a.dim as number);
    case "cumprod":
      return x.cumprod(a.dim as number);
    case "prod":
      return a.dim === undefined ? x.prod() : x.prod(a.dim as number, a.keepdim ?? false);
    case "var":
    case "std":
      return varCall(x, c.op, a);
    case "norm": {
      const p =
        a.p === "inf"
          ? Number.POSITIVE_INFINITY
          : a.p === "-inf"
            ? Number.NEGATIVE_INFINITY
            : (a.p as number);
      return x.norm(p, a.dim ?? null, a.keepdim ?? false);
    }
    case "mm":
      return x.mm(y);
    case "bmm":
      return x.bmm(y);
    case "mv":
      return x.mv(y);
    case "dot":
      return x.dot(y);
    case "outer":
      return x.outer(y);
    case "einsum":
      return wg.einsum(a.equation as string, ...inputs);
    default:
      throw new Error(`math.json: unknown op ${c.op} in case ${c.name}`);
  }
}

describe("math ops against PyTorch (math.json)", () => {
  it.each(fixture.ops)("$name", (c) => {
    wg.tidy(() => {
      const inputs = c.inputs.map((t) => toTensor(t, true));
      const out = apply(c, inputs);
      expect(tensorMismatches(out, c.output), "output").toEqual([]);
      out.backward(toTensor(c.upstream));
      inputs.forEach((x, i) => {
        expect(tensorMismatches(x.grad, c.grads[i]), `grad of input ${i}`).toEqual([]);
      });
    });
  });

  it.each(fixture.creation)("$name", (c) => {
    const { start, end, steps, base } = c.args;
    const t =
      c.fn === "linspace"
        ? wg.linspace(start, end, steps)
        : wg.logspace(start, end, steps, base ?? 10);
    // torch's vectorised fill rounds a little differently: within about 2 float32 ulps of the
    // range (linspace) or of the value (logspace).
    const scale = Math.max(1, Math.abs(start), Math.abs(end));
    expect(tensorMismatches(t, c.output, { atol: 2.5e-7 * scale, rtol: 4e-7 })).toEqual([]);
    t.dispose();
  });
});
