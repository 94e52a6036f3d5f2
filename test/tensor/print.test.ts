/** String(t) and util.inspect print like PyTorch's repr (strings checked against torch 1.13). */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

describe("printing", () => {
  it("formats floats, ints and bools as PyTorch", () => {
    expect(String(wg.tensor([0.1, 2.5, -3]))).toBe("tensor([ 0.1000,  2.5000, -3.0000])");
    expect(String(wg.tensor([1e-5, 1]))).toBe("tensor([1.0000e-05, 1.0000e+00])");
    expect(String(wg.tensor([Number.NaN, Infinity, 1.5]))).toBe("tensor([   nan,    inf, 1.5000])");
    expect(String(wg.tensor(3.5))).toBe("tensor(3.5000)");
    expect(String(wg.tensor([true, false]))).toBe("tensor([ True, False])");
    expect(String(wg.zeros(2, 0))).toBe("tensor([], size=[2, 0])");
    expect(
      String(
        wg.tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { requiresGrad: true },
        ),
      ),
    ).toBe("tensor([[1., 2.],\n        [3., 4.]], requiresGrad=true)");
    expect(String(wg.arange(4, { dtype: "int32" }).reshape(2, 2))).toBe(
      "tensor([[0, 1],\n        [2, 3]], dtype=int32)",
    );
    const y = wg
      .arange(8)
      .reshape(2, 2, 2)
      .mul(wg.tensor(1, { requiresGrad: true }));
    expect(y.toString()).toBe(
      "tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], gradFn=<mul>)",
    );
  });

  it("summarises more than 1000 elements, and util.inspect uses it", () => {
    const s = inspect(wg.arange(2000).reshape(40, 50));
    const lines = s.split("\n");
    expect(lines[0]).toBe(
      "tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 4.7000e+01, 4.8000e+01, 4.9000e+01],",
    );
    expect(lines[3]).toBe("        ...,");
    expect(lines.length).toBe(7);
    expect(String(wg.arange(1000)).includes("...")).toBe(false);
    const d = wg.zeros(2);
    d.dispose();
    expect(String(d)).toBe("tensor(<disposed>, shape=[2])");
  });
});
