/**
 * F.maxPool2d / F.avgPool2d and nn.MaxPool2d / nn.AvgPool2d against test/fixtures/pool.json
 * (PyTorch 1.13, made by gen_cnn.py): values and input gradients for kernel, stride, padding,
 * dilation, ceilMode, countIncludePad and divisorOverride variants, overlapping windows, and
 * max-pool ties (the gradient goes to the first maximum of each window in row-major order).
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

// ---------------------------------------------------------------------------- fixtures

/** A case's options: maxPool2d's or avgPool2d's, by `op`. */
type PoolOptions = wg.F.MaxPool2dOptions & wg.F.AvgPool2dOptions;

interface PoolCase {
  name: string;
  op: "maxPool2d" | "avgPool2d";
  kernelSize: wg.F.Pair;
  args: PoolOptions;
  input: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grad: FixtureTensor;
  note?: string;
}

const cases = loadFixture<PoolCase[]>("pool.json");

function functional(c: PoolCase): (x: wg.Tensor) => wg.Tensor {
  return c.op === "maxPool2d"
    ? (x) => wg.F.maxPool2d(x, c.kernelSize, c.args)
    : (x) => wg.F.avgPool2d(x, c.kernelSize, c.args);
}

function layer(c: PoolCase): wg.nn.Module {
  return c.op === "maxPool2d"
    ? new wg.nn.MaxPool2d(c.kernelSize, c.args)
    : new wg.nn.AvgPool2d(c.kernelSize, c.args);
}

function expectThrows(fn: () => unknown, ...patterns: RegExp[]): void {
  expect(fn).toThrow(wg.WasmgradError);
  for (const p of patterns) expect(fn).toThrow(p);
}

/** Output and input gradient of `fn` on the case's input against the fixture. */
function check(c: PoolCase, fn: (x: wg.Tensor) => wg.Tensor): void {
  const x = toTensor(c.input, true);
  try {
    wg.tidy(() => {
      const out = fn(x);
      expect(tensorMismatches(out, c.output), "output").toEqual([]);
      out.backward(toTensor(c.upstream));
    });
    expect(tensorMismatches(x.grad, c.grad), "grad input").toEqual([]);
  } finally {
    x.dispose();
  }
}

// ---------------------------------------------------------------------------- tests

describe("pool.json (PyTorch reference)", () => {
  it("holds the 54 generated cases, including ties and every option", () => {
    expect(cases.length).toBe(54);
    expect(cases.filter((c) => c.op === "maxPool2d" && /ties|all equal/.test(c.name)).length).toBe(
      4,
    );
    for (const key of [
      "stride",
      "padding",
      "dilation",
      "ceilMode",
      "countIncludePad",
      "divisorOverride",
    ]) {
      expect(
        cases.some((c) => key in c.args),
        key,
      ).toBe(true);
    }
  });

  describe("F.maxPool2d / F.avgPool2d", () => {
    it.each(cases)("$name", (c) => check(c, functional(c)));
  });

  describe("nn.MaxPool2d / nn.AvgPool2d", () => {
    it.each(cases)("$name", (c) => {
      const m = layer(c);
      expect(m.parameters()).toEqual([]);
      check(c, (x) => m.forward(x));
    });
  });
});

describe("maxPool2d tie rule", () => {
  it("sends each window's gradient to its first maximum in row-major order, accumulating", () => {
    const x = wg.tensor(
      [
        [
          [
            [1, 3, 3],
            [3, 0, 2],
            [1, 1, 1],
          ],
        ],
      ],
      { requiresGrad: true },
    );
    try {
      wg.tidy(() => {
        const out = wg.F.maxPool2d(x, 2, { stride: 1 });
        expect(out.toArray()).toEqual([
          [
            [
              [3, 3],
              [3, 2],
            ],
          ],
        ]);
        out.sum().backward();
      });
      // Windows: [1,3;3,0] -> (0,1); [3,3;0,2] -> (0,1); [3,0;1,1] -> (1,0); [0,2;1,1] -> (1,2).
      expect(x.grad?.toArray()).toEqual([
        [
          [
            [0, 2, 0],
            [1, 0, 1],
            [0, 0, 0],
          ],
        ],
      ]);
    } finally {
      x.dispose();
    }
  });

  it("never lets padding win, even over negative inputs", () => {
    wg.tidy(() => {
      const x = wg.full([1, 1, 2, 2], -5);
      expect(wg.F.maxPool2d(x, 2, { stride: 1, padding: 1 }).data()).toEqual(
        new Float32Array(9).fill(-5),
      );
    });
  });
});

describe("pooling options", () => {
  it("defaults the stride to the kernel size", () => {
    wg.tidy(() => {
      const x = wg.arange(0, 36).reshape(1, 1, 6, 6);
      expect([...wg.F.maxPool2d(x, 3).shape]).toEqual([1, 1, 2, 2]);
      expect([...wg.F.avgPool2d(x, [2, 3]).shape]).toEqual([1, 1, 3, 2]);
      expect([...new wg.nn.MaxPool2d(2).forward(x).shape]).toEqual([1, 1, 3, 3]);
      expect(wg.F.maxPool2d(x, 3).data()).toEqual(Float32Array.from([14, 17, 32, 35]));
    });
  });

  it("keeps the input's batch and channel dims, and unbatched input unbatched", () => {
    wg.tidy(() => {
      expect([...wg.F.avgPool2d(wg.zeros([3, 5, 4, 4]), 2).shape]).toEqual([3, 5, 2, 2]);
      expect([...wg.F.maxPool2d(wg.zeros([5, 4, 4]), 2).shape]).toEqual([5, 2, 2]);
    });
  });

  it("frees every intermediate inside tidy (forward and backward)", () => {
    const before = wg.memory().liveTensors;
    wg.tidy(() => {
      const x = wg.rand([2, 3, 6, 6], { requiresGrad: true });
      wg.F.maxPool2d(x, 3, { stride: 2, padding: 1 }).sum().backward();
      wg.F.avgPool2d(x, 2, { ceilMode: true }).sum().backward();
    });
    expect(wg.memory().liveTensors).toBe(before);
  });
});

describe("pooling errors", () => {
  it("rejects padding larger than half the kernel", () => {
    wg.tidy(() => {
      const x = wg.zeros([1, 1, 6, 6]);
      expectThrows(() => wg.F.maxPool2d(x, 2, { padding: 2 }), /maxPool2d/, /padding/);
      expectThrows(() => wg.F.avgPool2d(x, 3, { padding: 2 }), /avgPool2d/, /padding/);
      expectThrows(() => wg.F.maxPool2d(x, [4, 2], { padding: [1, 2] }), /padding/);
    });
  });

  it("rejects a kernel larger than the padded input", () => {
    wg.tidy(() => {
      const x = wg.zeros([1, 1, 3, 3]);
      expectThrows(() => wg.F.maxPool2d(x, 4), /maxPool2d/, /\[1,1,3,3\]|4/);
      expectThrows(() => wg.F.avgPool2d(x, [2, 5]), /avgPool2d/);
      expectThrows(() => wg.F.maxPool2d(x, 2, { dilation: 3 }), /maxPool2d/);
    });
  });

  it("rejects bad kernel, stride, padding and dilation values", () => {
    wg.tidy(() => {
      const x = wg.zeros([1, 1, 6, 6]);
      // Deliberately invalid options (checked at run time): cast past the types.
      const bad = (o: unknown) => o as PoolOptions;
      const kernels: wg.F.Pair[] = [0, -1, 1.5, [2, 0]];
      for (const k of kernels) {
        expectThrows(() => wg.F.maxPool2d(x, k), /maxPool2d/, /kernel/i);
        expectThrows(() => wg.F.avgPool2d(x, k), /avgPool2d/, /kernel/i);
      }
      for (const stride of [0, -2, 1.5, [1, 0]]) {
        expectThrows(() => wg.F.maxPool2d(x, 2, bad({ stride })), /stride/);
        expectThrows(() => wg.F.avgPool2d(x, 2, bad({ stride })), /stride/);
      }
      for (const padding of [-1, 0.5, [0, -1]]) {
        expectThrows(() => wg.F.maxPool2d(x, 2, bad({ padding })), /padding/);
        expectThrows(() => wg.F.avgPool2d(x, 2, bad({ padding })), /padding/);
      }
      for (const dilation of [0, -1, [1, 0]]) {
        expectThrows(() => wg.F.maxPool2d(x, 2, bad({ dilation })), /dilation/);
      }
    });
    expectThrows(() => new wg.nn.MaxPool2d(0), /kernel/i);
    expectThrows(() => new wg.nn.AvgPool2d(2, { stride: 0 }), /stride/);
  });

  it("rejects divisorOverride 0", () => {
    wg.tidy(() => {
      expectThrows(
        () => wg.F.avgPool2d(wg.zeros([1, 1, 4, 4]), 2, { divisorOverride: 0 }),
        /avgPool2d/,
        /divisor/,
      );
    });
  });

  it("rejects input that is not 3-D or 4-D", () => {
    wg.tidy(() => {
      expectThrows(() => wg.F.maxPool2d(wg.zeros([4, 4]), 2), /maxPool2d/, /\[4,4\]/);
      expectThrows(
        () => wg.F.avgPool2d(wg.zeros([1, 1, 1, 4, 4]), 2),
        /avgPool2d/,
        /\[1,1,1,4,4\]/,
      );
      expectThrows(
        () => new wg.nn.MaxPool2d(2).forward(wg.zeros([2, 1, 1, 4, 4])),
        /\[2,1,1,4,4\]/,
      );
    });
  });
});
