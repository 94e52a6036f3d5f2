/**
 * nn.Linear and F.linear against test/fixtures/linear.json (PyTorch 1.13): outputs, and the
 * gradients of sum(output * upstream) for the input, the weight and the bias.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type LinearCase, loadFixture, tensorMismatches, toTensor } from "../helpers/fixtures.js";

const cases = loadFixture<LinearCase[]>("linear.json");

describe("linear.json (PyTorch reference)", () => {
  it("holds the documented 6 cases", () => {
    expect(cases.length).toBe(6);
  });

  describe("nn.Linear", () => {
    it.each(cases)("$name", (c) => {
      const layer = new wg.nn.Linear(c.inFeatures, c.outFeatures, { bias: c.hasBias });
      const x = toTensor(c.input, true);
      try {
        // Parameter names, order and shapes exactly as PyTorch's.
        expect(layer.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual(
          c.hasBias
            ? [
                ["weight", [c.outFeatures, c.inFeatures]],
                ["bias", [c.outFeatures]],
              ]
            : [["weight", [c.outFeatures, c.inFeatures]]],
        );
        wg.tidy(() => {
          const sd: Record<string, wg.Tensor> = { weight: toTensor(c.params.weight) };
          if (c.params.bias !== undefined) sd.bias = toTensor(c.params.bias);
          layer.loadStateDict(sd);
        });
        expect(tensorMismatches(layer.weight, c.params.weight), "loaded weight").toEqual([]);

        wg.tidy(() => {
          const out = layer.forward(x);
          expect([...out.shape], "output shape").toEqual(c.output.shape);
          expect(tensorMismatches(out, c.output), "output").toEqual([]);
          out.backward(toTensor(c.upstream));
        });
        expect(tensorMismatches(x.grad, c.grads.input), "grad input").toEqual([]);
        expect(tensorMismatches(layer.weight.grad, c.grads.weight), "grad weight").toEqual([]);
        if (c.grads.bias !== undefined) {
          expect(layer.bias, "bias parameter").not.toBeNull();
          expect(tensorMismatches(layer.bias?.grad ?? null, c.grads.bias), "grad bias").toEqual([]);
        } else {
          expect(layer.bias).toBeNull();
        }
      } finally {
        x.dispose();
        layer.dispose();
      }
    });
  });

  describe("F.linear", () => {
    it.each(cases)("$name", (c) => {
      const x = toTensor(c.input, true);
      const w = toTensor(c.params.weight, true);
      const b = c.params.bias === undefined ? null : toTensor(c.params.bias, true);
      try {
        wg.tidy(() => {
          const out = b === null ? wg.F.linear(x, w) : wg.F.linear(x, w, b);
          expect([...out.shape], "output shape").toEqual(c.output.shape);
          expect(tensorMismatches(out, c.output), "output").toEqual([]);
          out.backward(toTensor(c.upstream));
        });
        expect(tensorMismatches(x.grad, c.grads.input), "grad input").toEqual([]);
        expect(tensorMismatches(w.grad, c.grads.weight), "grad weight").toEqual([]);
        if (b !== null && c.grads.bias !== undefined) {
          expect(tensorMismatches(b.grad, c.grads.bias), "grad bias").toEqual([]);
        }
      } finally {
        for (const t of [x, w, b]) t?.dispose();
      }
    });

    it("accepts an explicit null bias", () => {
      const c = cases.find((k) => !k.hasBias);
      expect(c).toBeDefined();
      if (c === undefined) return;
      wg.tidy(() => {
        const out = wg.F.linear(toTensor(c.input), toTensor(c.params.weight), null);
        expect(tensorMismatches(out, c.output)).toEqual([]);
      });
    });
  });
});
