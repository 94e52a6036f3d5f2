import { expect, describe as group, it } from "vitest";
import * as wg from "wasmgrad";
import {
  args,
  bool,
  bytesWithin,
  describe,
  expectTensor,
  int,
  num,
  oneOf,
  options,
  size,
  suggest,
  syncFunc,
  tensorArg,
} from "../src/validate.js";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(wg.WasmgradError);
    return (e as Error).message;
  }
  throw new Error("expected a WasmgradError");
}

group("validate: describe", () => {
  it("describes every kind of value briefly and without throwing", () => {
    expect(describe(-0)).toBe("-0");
    expect(describe(Number.NaN)).toBe("NaN");
    expect(describe(-Infinity)).toBe("-Infinity");
    expect(describe(10n ** 80n)).toMatch(/^1000+…n \(a BigInt\)$/);
    expect(describe(Symbol("dim"))).toBe("Symbol(dim)");
    expect(describe("x".repeat(1e6)).length).toBeLessThan(50);
    expect(describe(null)).toBe("null");
    expect(describe(async () => 1)).toMatch(/^async function/);
    expect(describe(new Float32Array(7))).toBe("a Float32Array(7)");
    expect(describe({ a: 1, b: 2 })).toBe("an object {a, b}");
    expect(describe(new Map())).toBe("a Map");
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no");
        },
      },
    );
    expect(describe(hostile)).toBe("a value that cannot be inspected");
  });

  it("describes a huge array and a tensor by size, not by value", () => {
    const big = new Array(10_000_000).fill(1);
    const t0 = performance.now();
    const d = describe(big);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(d).toBe("[1, 1, 1, 1, … (10000000 items)]");
    wg.tidy(() => {
      const t = wg.zeros([1000, 1000]);
      expect(describe(t)).toBe("a Tensor of shape [1000,1000]");
      t.dispose();
      expect(describe(t)).toMatch(/\(disposed\)$/);
    });
  });
});

group("validate: numbers and flags", () => {
  it("accepts int32 integers and refuses the rest", () => {
    expect(int("op", "dim", -3)).toBe(-3);
    expect(Object.is(int("op", "dim", -0), 0)).toBe(true);
    for (const bad of [2 ** 31, -(2 ** 31) - 1, 1.5, Number.NaN, Infinity, "1", 1n, null]) {
      expect(message(() => int("op", "dim", bad))).toMatch(/^op: dim must be an integer \(int32\)/);
    }
    expect(message(() => size("conv2d", "stride", -1, 1))).toBe(
      "conv2d: stride must be an integer >= 1 but got -1",
    );
    expect(message(() => size("op", "n", 2 ** 32))).toMatch(/got 4294967296$/);
    expect(message(() => int("op", "k", 9, 0, 3))).toMatch(/an integer in \[0, 3\]/);
  });

  it("bounds real numbers", () => {
    expect(num("op", "lr", 0.5, { min: 0 })).toBe(0.5);
    expect(message(() => num("op", "lr", Number.NaN))).toMatch(/lr must be a number but got NaN/);
    expect(message(() => num("op", "p", 2, { min: 0, max: 1 }))).toMatch(/>= 0 and <= 1/);
    expect(message(() => num("op", "e", Infinity, { finite: true }))).toMatch(/finite/);
    expect(message(() => num("op", "b", 1, { min: 0, lt: 1 }))).toMatch(/< 1 but got 1$/);
  });

  it("takes only real booleans", () => {
    expect(bool("op", "bias", false)).toBe(false);
    expect(message(() => bool("Linear", "bias", "false"))).toBe(
      'Linear: bias must be true or false but got "false"',
    );
    expect(message(() => bool("op", "flag", 0))).toMatch(/got 0$/);
  });

  it("oneOf names the choices", () => {
    expect(message(() => oneOf("mseLoss", "reduction", "avg", ["mean", "sum"]))).toBe(
      'mseLoss: reduction must be one of "mean", "sum" but got "avg"',
    );
  });

  it("refuses async functions", () => {
    expect(message(() => syncFunc("tidy", "fn", async () => {}))).toMatch(/must be synchronous/);
    expect(message(() => syncFunc("tidy", "fn", 5))).toMatch(/must be a function but got 5/);
  });

  it("refuses work that cannot fit in wasm32 memory", () => {
    expect(() => bytesWithin("op", "x", 2 ** 32)).not.toThrow();
    expect(message(() => bytesWithin("RNN", "the parameters", 2 ** 40))).toMatch(
      /RNN: the parameters would need 1099511627776 bytes/,
    );
    expect(message(() => bytesWithin("op", "x", Number.NaN))).toMatch(/NaN bytes/);
  });
});

group("validate: tensors", () => {
  it("wants a live tensor of the right dtype", () => {
    wg.tidy(() => {
      const t = wg.zeros([2]);
      expect(tensorArg("op", "input", t)).toBe(t);
      expect(tensorArg("op", "input", t, "float32")).toBe(t);
      expect(message(() => tensorArg("op", "input", t, "int32"))).toBe(
        "op: expected input to be an int32 tensor but got a float32 tensor",
      );
      expect(message(() => tensorArg("F.linear", "weight", [1, 2]))).toBe(
        "F.linear: expected weight to be a Tensor but got [1, 2]",
      );
      t.dispose();
      expect(message(() => expectTensor("clone", t))).toMatch(/clone: tensor was disposed/);
    });
  });
});

group("validate: options and PyTorch arguments", () => {
  const known = ["numLayers", "bias", "batchFirst"] as const;

  it("refuses unknown keys, suggesting the camelCase spelling", () => {
    expect(options("LSTM", undefined, known)).toEqual({});
    expect(options("LSTM", { bias: false }, known)).toEqual({ bias: false });
    expect(message(() => options("LSTM", { batch_first: true }, known))).toBe(
      'LSTM: unknown option "batch_first"; did you mean batchFirst? (known: numLayers, bias, batchFirst)',
    );
    expect(message(() => options("LSTM", { numlayers: 2 }, known))).toMatch(
      /did you mean numLayers\?/,
    );
    expect(message(() => options("LSTM", { dropOut: 1 }, known))).not.toMatch(/did you mean/);
    expect(message(() => options("LSTM", null, known))).toMatch(/options must be a plain object/);
    expect(message(() => options("LSTM", [1], known))).toMatch(/options must be a plain object/);
    expect(suggest("requires_grad", ["requiresGrad"])).toBe("requiresGrad");
  });

  it("reads positional arguments and a trailing options object", () => {
    const names = ["stride", "padding", "dilation"] as const;
    expect(args("Conv2d", [2, 1], names)).toEqual({ stride: 2, padding: 1 });
    expect(args("Conv2d", [2, { padding: 1 }], names)).toEqual({ stride: 2, padding: 1 });
    expect(args("Conv2d", [{ stride: [2, 2] }], names)).toEqual({ stride: [2, 2] });
    expect(args("Conv2d", [undefined, 3], names)).toEqual({ padding: 3 });
    expect(args("Conv2d", [], names, ["bias"])).toEqual({});
    expect(args("Conv2d", [{ bias: false }], names, ["bias"])).toEqual({ bias: false });
  });

  it("refuses an argument given twice, too many arguments and unknown keys", () => {
    const names = ["stride", "padding"] as const;
    expect(message(() => args("Conv2d", [2, { stride: 2 }], names))).toBe(
      "Conv2d: stride was given both as positional argument 1 and as an option",
    );
    expect(message(() => args("Conv2d", [1, 2, 3], names))).toMatch(
      /^Conv2d: too many arguments: got 3 after padding; it takes at most 2 more positional arguments \(stride, padding\)/,
    );
    expect(message(() => args("ReLU", [1], []))).toMatch(/no further positional arguments/);
    expect(message(() => args("Conv2d", [{ padding_mode: "zeros" }], names))).toMatch(
      /unknown option "padding_mode"/,
    );
  });
});
