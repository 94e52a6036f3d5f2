/**
 * Every case of test/fixtures/ops.json (PyTorch 1.13 reference values): the op's output, and the
 * gradient of sum(output * upstream) with respect to every input, through `out.backward(upstream)`.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture, type OpCase, tensorMismatches, toTensor } from "../helpers/fixtures.js";

const cases = loadFixture<OpCase[]>("ops.json");

/** Calls the op the way the fixture README's table says a JS user would. */
function apply(c: OpCase, inputs: wg.Tensor[]): wg.Tensor {
  const [x, y] = inputs;
  const a = c.args;
  const other = (): wg.Tensor | number => (inputs.length === 2 ? y : (a.other as number));
  switch (c.op) {
    case "add":
      return x.add(other());
    case "sub":
      return x.sub(other());
    case "mul":
      return x.mul(other());
    case "div":
      return x.div(other());
    case "maximum":
      return x.maximum(other());
    case "minimum":
      return x.minimum(other());
    case "pow":
      return x.pow(a.exponent as number);
    case "neg":
      return x.neg();
    case "exp":
      return x.exp();
    case "log":
      return x.log();
    case "sqrt":
      return x.sqrt();
    case "abs":
      return x.abs();
    case "relu":
      return x.relu();
    case "sigmoid":
      return x.sigmoid();
    case "tanh":
      return x.tanh();
    case "clamp":
      return x.clamp(a.min ?? null, a.max ?? null);
    case "matmul":
      return x.matmul(y);
    case "sum":
      return a.dim === undefined ? x.sum() : x.sum(a.dim, a.keepdim ?? false);
    case "mean":
      return a.dim === undefined ? x.mean() : x.mean(a.dim, a.keepdim ?? false);
    case "max":
      if (a.dim === undefined) return x.max();
      // max over one dim gives [values, indices]; over several dims it is amax.
      return typeof a.dim === "number"
        ? x.max(a.dim, a.keepdim ?? false).values
        : x.amax(a.dim, a.keepdim ?? false);
    case "softmax":
      return x.softmax(a.dim as number);
    case "logSoftmax":
      return x.logSoftmax(a.dim as number);
    case "transpose":
      return x.transpose(a.dim0 as number, a.dim1 as number);
    case "permute":
      return x.permute(...(a.dims as number[]));
    case "reshape":
      return x.reshape(...(a.shape as number[]));
    case "flatten":
      return x.flatten(a.startDim, a.endDim);
    case "squeeze":
      return a.dim === undefined ? x.squeeze() : x.squeeze(a.dim as number);
    case "unsqueeze":
      return x.unsqueeze(a.dim as number);
    case "cat":
      return wg.cat(inputs, a.dim as number);
    case "stack":
      return wg.stack(inputs, a.dim as number);
    case "narrow":
      return x.narrow(a.dim as number, a.start as number, a.length as number);
    default:
      throw new Error(`ops.json: unknown op ${c.op} in case ${c.name}`);
  }
}

describe("ops.json (PyTorch reference)", () => {
  it("holds the documented 265 cases over 31 ops", () => {
    expect(cases.length).toBe(265);
    expect(new Set(cases.map((c) => c.op)).size).toBe(31);
  });

  it.each(cases)("$name", (c) => {
    const inputs = c.inputs.map((t) => toTensor(t, true));
    try {
      wg.tidy(() => {
        const out = apply(c, inputs);
        expect([...out.shape], "output shape").toEqual(c.output.shape);
        expect(tensorMismatches(out, c.output), "output values").toEqual([]);
        out.backward(toTensor(c.upstream));
      });
      inputs.forEach((x, i) => {
        expect(tensorMismatches(x.grad, c.grads[i]), `grad of input ${i}`).toEqual([]);
      });
    } finally {
      for (const x of inputs) x.dispose();
    }
  });
});
