/**
 * floorDivide, remainder, fmod and div's rounding modes against test/fixtures/division.json
 * (PyTorch 1.13, made by gen_division.py): values and dtypes for int32, float32 and mixed
 * operands (signs, zeros, infinities, NaN, broadcasting, numbers on either side), the errors
 * PyTorch raises (ZeroDivisionError for integer division by zero, two bool operands, no
 * derivative), and the gradients; then finite-difference gradchecks, the Tensor methods,
 * argument errors and memory.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  gradcheck,
  loadFixture,
  tensorMismatches,
} from "../helpers/fixtures.js";

type Operand = { tensor: FixtureTensor; dtype: "float32" | "int32" | "bool" } | number;

interface Case {
  name: string;
  fn: "floorDivide" | "remainder" | "fmod" | "div";
  a: Operand;
  b: Operand;
  options?: { roundingMode: "floor" | "trunc" };
  output?: FixtureTensor;
  dtype?: string;
  error?: true;
  message?: string;
  upstream?: FixtureTensor;
  grads?: { a?: FixtureTensor; b?: FixtureTensor };
  backwardError?: string;
}

const cases = loadFixture<Case[]>("division.json");

/**
 * Fixture values as numbers ("Infinity" and "NaN" are strings in the JSON), floats rounded to
 * the float32 their 9 digits name, so that they compare exactly.
 */
function numeric(t: FixtureTensor, dtype = "float32"): FixtureTensor {
  const f = dtype === "float32" ? Math.fround : (v: number) => v;
  return { shape: t.shape, data: t.data.map((v) => f(Number(v))) };
}

function operand(v: Operand, grad: boolean): wg.Tensor | number {
  if (typeof v === "number") return v;
  const data = v.tensor.data.map(Number);
  if (v.dtype === "bool") {
    return wg.tensor(data.map(Boolean), { shape: v.tensor.shape, dtype: "bool" });
  }
  return wg.tensor(v.dtype === "int32" ? Int32Array.from(data) : Float32Array.from(data), {
    shape: v.tensor.shape,
    dtype: v.dtype,
    requiresGrad: grad && v.dtype === "float32",
  });
}

function run(c: Case, a: wg.Tensor | number, b: wg.Tensor | number): wg.Tensor {
  if (c.fn === "div") return wg.div(a, b, c.options);
  if (c.fn === "fmod") return wg.fmod(a as wg.Tensor, b);
  return c.fn === "remainder" ? wg.remainder(a, b) : wg.floorDivide(a, b);
}

describe("division.json (PyTorch reference)", () => {
  it.each(cases)("$name", (c) => {
    wg.tidy(() => {
      const grads = c.grads !== undefined || c.backwardError !== undefined;
      const a = operand(c.a, grads);
      const b = operand(c.b, grads);
      if (c.error) {
        const pattern = c.message?.includes("ZeroDivisionError")
          ? /ZeroDivisionError: integer division by zero/
          : /not implemented for two bool operands/;
        expect(() => run(c, a, b)).toThrow(wg.WasmgradError);
        expect(() => run(c, a, b)).toThrow(pattern);
        return;
      }
      const out = run(c, a, b);
      expect(out.dtype).toBe(c.dtype);
      expect(
        tensorMismatches(out, numeric(c.output as FixtureTensor, c.dtype), { atol: 0, rtol: 0 }),
      ).toEqual([]);
      if (!grads) return;
      const g = wg.tensor(Float32Array.from(c.upstream!.data), { shape: c.upstream!.shape });
      if (c.backwardError !== undefined) {
        expect(() => out.backward(g)).toThrow(/not implemented \(as in PyTorch\)/);
        return;
      }
      out.backward(g);
      for (const [key, t] of [
        ["a", a],
        ["b", b],
      ] as const) {
        const want = c.grads?.[key];
        if (want === undefined) continue;
        expect(tensorMismatches((t as wg.Tensor).grad, numeric(want))).toEqual([]);
      }
    });
  });
});

describe("gradients", () => {
  // Operands away from the jumps of floor and trunc (a / b never near an integer).
  const a = { shape: [2, 3], data: Float32Array.from([5.3, -5.3, 2.2, -7.9, 0.6, 3.1]) };
  const b = { shape: [3], data: Float32Array.from([2.1, -1.7, 0.9]) };
  it.each([
    ["remainder", (x: wg.Tensor, y: wg.Tensor) => wg.remainder(x, y)],
    ["fmod", (x: wg.Tensor, y: wg.Tensor) => wg.fmod(x, y)],
    ["remainder by a number", (x: wg.Tensor) => x.remainder(-1.3)],
  ] as const)("%s", (_, fn) => {
    const report = gradcheck(fn, fn.length === 1 ? [a] : [a, b]);
    expect(report.mismatches()).toEqual([]);
    expect(report.mismatches(1.1).length).toBeGreaterThan(0);
  });

  it("div with a rounding mode has a zero gradient, floorDivide none", () => {
    wg.tidy(() => {
      const x = wg.tensor([5.5, -2], { requiresGrad: true });
      x.div(2, { roundingMode: "trunc" }).sum().backward();
      expect(x.grad?.toArray()).toEqual([0, 0]);
      expect(() => x.floorDivide(2).sum().backward()).toThrow(
        /backward of floorDivide: the derivative of floorDivide is not implemented/,
      );
    });
  });
});

describe("methods and arguments", () => {
  it("Tensor methods are the functions", () => {
    wg.tidy(() => {
      const x = wg.tensor([7, -7], { dtype: "int32" });
      expect(x.floorDivide(2).toArray()).toEqual([3, -4]);
      expect(x.remainder(-3).toArray()).toEqual([-2, -1]);
      expect(x.fmod(-3).toArray()).toEqual([1, -1]);
      expect(x.div(2, { roundingMode: "trunc" }).toArray()).toEqual([3, -3]);
      expect(x.div(2).toArray()).toEqual([3.5, -3.5]);
      expect(x.div(2, { roundingMode: null }).dtype).toBe("float32");
    });
  });

  it.each([
    [
      "bad rounding mode",
      () => wg.div(wg.ones([2]), 2, { roundingMode: "round" as "floor" }),
      /div: roundingMode must be one of null, "trunc", "floor" but got "round"/,
    ],
    [
      "unknown option",
      () => wg.div(wg.ones([2]), 2, { rounding_mode: "floor" } as object),
      /div: unknown option "rounding_mode"; did you mean roundingMode\?/,
    ],
    [
      "two numbers",
      () => wg.remainder(5, 3),
      /remainder: expected at least one Tensor operand but got two numbers/,
    ],
    [
      "fmod of a number",
      () => wg.fmod(5 as unknown as wg.Tensor, wg.ones([2])),
      /fmod: expected input to be a Tensor but got 5/,
    ],
    [
      "shapes",
      () => wg.floorDivide(wg.ones([2]), wg.ones([3])),
      /floorDivide: shapes \[2\] and \[3\] cannot be broadcast/,
    ],
    [
      "not a tensor",
      () => wg.remainder(wg.ones([2]), "2" as unknown as number),
      /remainder: expected a Tensor or a number as the second operand but got string/,
    ],
  ] as const)("%s", (_, fn, message) => {
    let caught: unknown = null;
    wg.tidy(() => {
      try {
        fn();
      } catch (e) {
        caught = e;
      }
    });
    expect(caught).toBeInstanceOf(wg.WasmgradError);
    expect((caught as Error).message).toMatch(message);
  });

  it("leave no temporaries behind, also when they throw", () => {
    const x = wg.randn([3, 4], { requiresGrad: true });
    const y = wg.randn([4], { requiresGrad: true });
    const ints = wg.tensor([1, 0, 2], { dtype: "int32" });
    const before = wg.memory().liveTensors;
    wg.tidy(() => {
      wg.remainder(x, y).sum().backward();
      wg.fmod(x, y).sum().backward();
      wg.div(x, y, { roundingMode: "floor" }).sum().backward();
    });
    expect(() => wg.floorDivide(ints, ints)).toThrow(/ZeroDivisionError/);
    expect(wg.memory().liveTensors).toBe(before + 2); // x.grad, y.grad
    for (const t of [x, y, ints]) t.dispose();
  });
});
