/**
 * F.mseLoss and F.crossEntropy against test/fixtures/losses.json (PyTorch 1.13), every reduction:
 * the loss value and the gradients for the input (and for mseLoss the target).
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type LossCase,
  type LossFn,
  loadFixture,
  tensorMismatches,
  toIndices,
  toTensor,
} from "../helpers/fixtures.js";

const all = loadFixture<LossCase[]>("losses.json");

// This file checks mseLoss and crossEntropy; the fixture's nllLoss, binaryCrossEntropy and
// binaryCrossEntropyWithLogits cases are checked in losses2.test.ts with the losses' other
// options. The first test makes sure nothing else is left out.
const tested = new Set<LossFn>(["mseLoss", "crossEntropy"]);
const elsewhere = new Set<LossFn>([
  "nllLoss",
  "binaryCrossEntropy",
  "binaryCrossEntropyWithLogits",
]);
const cases = all.filter((c) => tested.has(c.fn));

function lossOf(c: LossCase, input: wg.Tensor, target: wg.Tensor | null): wg.Tensor {
  const opts = { reduction: c.reduction };
  if (c.fn === "mseLoss") return wg.F.mseLoss(input, target as wg.Tensor, opts);
  return wg.F.crossEntropy(input, toIndices(c.target), opts);
}

describe("losses.json (PyTorch reference)", () => {
  it("leaves out only the losses that losses2.test.ts checks", () => {
    expect(all.length).toBe(30);
    expect(all.filter((c) => !tested.has(c.fn) && !elsewhere.has(c.fn))).toEqual([]);
    expect(cases.filter((c) => c.fn === "mseLoss").length).toBe(9);
    expect(cases.filter((c) => c.fn === "crossEntropy").length).toBe(12);
  });

  it.each(cases)("$name", (c) => {
    const input = toTensor(c.input, true);
    const target = c.fn === "mseLoss" ? toTensor(c.target, true) : null;
    try {
      wg.tidy(() => {
        const out = lossOf(c, input, target);
        expect([...out.shape], "output shape").toEqual(c.output.shape);
        expect(tensorMismatches(out, c.output), "loss").toEqual([]);
        if (c.upstream.shape.length === 0) {
          // mean / sum: the fixture's upstream is 1, i.e. a plain backward().
          expect(c.upstream.data).toEqual([1]);
          out.backward();
        } else {
          out.backward(toTensor(c.upstream));
        }
      });
      expect(tensorMismatches(input.grad, c.grads.input), "grad input").toEqual([]);
      if (target !== null && c.grads.target !== undefined) {
        expect(tensorMismatches(target.grad, c.grads.target), "grad target").toEqual([]);
      }
    } finally {
      input.dispose();
      target?.dispose();
    }
  });

  it.each(cases.filter((c) => c.fn === "crossEntropy" && c.reduction === "mean"))(
    "$name with targets as number[] and as a Tensor",
    (c) => {
      wg.tidy(() => {
        const input = toTensor(c.input);
        const fromArray = wg.F.crossEntropy(input, [...c.target.data]);
        const fromTensor = wg.F.crossEntropy(input, toTensor(c.target));
        expect(tensorMismatches(fromArray, c.output), "number[] targets").toEqual([]);
        expect(tensorMismatches(fromTensor, c.output), "Tensor targets").toEqual([]);
      });
    },
  );
});
