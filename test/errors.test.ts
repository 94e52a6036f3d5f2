import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { throwsWg } from "./helpers/throws.js";

describe("error messages name the op, what it got and what it expected", () => {
  it("matmul", () => {
    throwsWg(
      () => wg.matmul(wg.zeros([2, 3]), wg.zeros([4, 5])),
      "matmul: cannot multiply [2,3] by [4,5]: inner dimensions 3 and 4 differ",
    );
    throwsWg(
      () => wg.zeros([2, 3]).matmul(wg.zeros([4])),
      /matmul: cannot multiply \[2,3\] by \[4\]/,
    );
    throwsWg(
      () => wg.matmul(wg.tensor(1), wg.zeros([2])),
      /matmul: both arguments need at least 1 dimension/,
    );
    throwsWg(
      () => wg.matmul(wg.zeros([2, 2, 3]), wg.zeros([3, 3, 4])),
      /matmul: cannot multiply \[2,2,3\] by \[3,3,4\]: batch dimensions \[2\] and \[3\] cannot be broadcast/,
    );
  });

  it("broadcasting arithmetic", () => {
    throwsWg(
      () => wg.add(wg.zeros([2, 3]), wg.zeros([4])),
      "add: shapes [2,3] and [4] cannot be broadcast: dimension 1 is 3 and 4",
    );
    throwsWg(() => wg.zeros([3]).mul(wg.zeros([2])), /^mul: shapes \[3\] and \[2\]/);
    throwsWg(() => wg.add(1, 2), /add: expected at least one Tensor operand/);
    throwsWg(
      () => wg.zeros([2]).sub("x" as unknown as number),
      /sub: expected a Tensor or a number/,
    );
  });

  it("shapes and dims", () => {
    throwsWg(
      () => wg.zeros([2, 3]).reshape(4, 2),
      /reshape: shape \[4,2\] is invalid for input of size 6/,
    );
    throwsWg(() => wg.zeros([2, 3]).reshape(-1, -1), /reshape: only one dimension can be -1/);
    throwsWg(
      () => wg.zeros([2, 3]).sum(2),
      /sum: dim 2 is out of range for a tensor with 2 dimensions \(expected a dim in \[-2, 1\]\)/,
    );
    throwsWg(() => wg.zeros([2, 3]).softmax(-3), /softmax: dim -3 is out of range/);
    throwsWg(() => wg.zeros([2, 3]).transpose(0, 5), /transpose: dim 5 is out of range/);
    throwsWg(
      () => wg.zeros([2, 3]).permute(0),
      /permute: got 1 dims \[0\] for a tensor with 2 dimensions/,
    );
    throwsWg(
      () => wg.zeros([2, 3]).narrow(1, 2, 2),
      /narrow: start 2 and length 2 are out of range for dimension 1 of size 3/,
    );
    throwsWg(
      () => wg.cat([wg.zeros([2, 3]), wg.zeros([2, 4])], 0),
      /cat: tensor 1 has shape \[2,4\] but tensor 0 has shape \[2,3\]/,
    );
    throwsWg(
      () => wg.stack([wg.zeros([2]), wg.zeros([3])]),
      /stack: expects each tensor to be equal size/,
    );
    throwsWg(() => wg.zeros([2, -1]), "zeros: invalid shape [2,-1]: sizes must be integers >= 0");
    throwsWg(
      () => wg.zeros([2, 3]).T.T.transpose(0, 1).flatten(1, 0),
      /flatten: startDim 1 comes after endDim 0/,
    );
    // As PyTorch, .T reverses every dim (a 1-D tensor stays as it is).
    expect(wg.zeros([3]).T.shape).toEqual([3]);
    expect(wg.zeros([2, 3, 4]).T.shape).toEqual([4, 3, 2]);
  });

  it("creation", () => {
    throwsWg(
      () => wg.tensor([[1, 2], [3]]),
      /tensor: ragged nested array: expected 2 elements at \[1\]/,
    );
    throwsWg(
      () => wg.tensor(new Float32Array(5), { shape: [2, 3] }),
      "tensor: shape [2,3] needs 6 elements but the data has 5",
    );
    throwsWg(() => wg.arange(0, 5, 0), /arange: expected finite start, end and a nonzero step/);
    throwsWg(
      () => wg.ones([2]).item(),
      /item: expected a tensor with one element but got shape \[2\]/,
    );
  });

  it("autograd", () => {
    throwsWg(
      () => wg.ones([2], { requiresGrad: true }).mul(2).backward(),
      /backward: grad can be implicitly created only for tensors with one element/,
    );
    throwsWg(() => wg.ones([2]).sum().backward(), /backward: this tensor does not require grad/);
    throwsWg(() => {
      const x = wg.ones([2], { requiresGrad: true });
      const y = x.exp().sum();
      y.backward();
      y.backward();
    }, /backward: trying to backward through the graph a second time/);
    const x = wg.ones([2], { requiresGrad: true });
    const y = x.exp().sum();
    y.backward(undefined, { retainGraph: true });
    y.backward();
    expect(x.grad?.data()).toEqual(new Float32Array([2 * Math.E, 2 * Math.E].map(Math.fround)));
    x.dispose();
  });

  it("layers, losses and optimizers", () => {
    const layer = new wg.nn.Linear(4, 2);
    throwsWg(
      () => layer.forward(wg.zeros([3, 5])),
      "linear: input has shape [3,5] but weight [2,4] expects the last dimension to be 4",
    );
    throwsWg(
      () => new wg.nn.Linear(-1, 2),
      /Linear: inFeatures must be an integer >= 0 but got -1/,
    );
    throwsWg(
      () => wg.F.crossEntropy(wg.zeros([2, 3]), [0, 3]),
      /crossEntropy: target 3 at index 1 is out of range: class indices must be integers in \[0, 2\] for 3 classes/,
    );
    throwsWg(() => wg.F.crossEntropy(wg.zeros([2, 3]), [0]), /crossEntropy: expected 2 targets/);
    throwsWg(
      () => wg.F.mseLoss(wg.zeros([2]), wg.zeros([2]), { reduction: "avg" as "mean" }),
      /mseLoss: reduction must be "mean", "sum" or "none"/,
    );
    throwsWg(
      () => new wg.optim.SGD(layer.parameters(), { lr: 0.1, weight_decay: 0.1 } as { lr: number }),
      /SGD: unknown option "weight_decay"; did you mean weightDecay\? \(known: lr, momentum, dampening, weightDecay, nesterov, maximize\)/,
    );
    throwsWg(
      () => new wg.optim.Adam([layer.weight, layer.bias!, layer.weight]),
      /Adam: parameters 0 and 2 are the same tensor \(shape \[2,4\]\); each step would update it twice/,
    );
    throwsWg(() => new wg.optim.SGD(layer.parameters(), { lr: -1 }), /SGD: invalid lr -1/);
    throwsWg(
      () => new wg.optim.SGD(layer.parameters(), { lr: 0.1, nesterov: true }),
      /SGD: nesterov momentum requires a momentum > 0/,
    );
    throwsWg(
      () => layer.loadStateDict({ weight: wg.zeros([3, 4]), bias: wg.zeros([2]) }),
      /loadStateDict: size mismatch for weight: copying a tensor of shape \[3,4\] into a parameter of shape \[2,4\]/,
    );
    throwsWg(
      () => layer.loadStateDict({ weight: wg.zeros([2, 4]) }),
      /loadStateDict: keys do not match \(missing: \[bias\]/,
    );
    layer.dispose();
  });

  it("interpolate bicubic", () => {
    throwsWg(
      () => wg.F.interpolate(wg.zeros([1, 2, 3]), { size: 5, mode: "bicubic" }),
      'interpolate: mode "bicubic" expects a 4-D input but got [1,2,3]',
    );
    throwsWg(
      () => wg.F.interpolate(wg.zeros([1, 1, 2, 2]), { scaleFactor: [2], mode: "bicubic" }),
      /interpolate: scaleFactor must have 2 elements but got \[2\]/,
    );
    throwsWg(
      () => new wg.nn.Upsample({ size: 4, mode: "bicubic", alignCorners: 1 as unknown as boolean }),
      "Upsample: alignCorners must be true or false but got 1",
    );
  });

  it("ctcLoss", () => {
    const lp = wg.zeros([4, 2, 3]);
    throwsWg(
      () =>
        wg.F.ctcLoss(
          lp,
          [
            [1, 2],
            [2, 1],
          ],
          [4, 5],
          [2, 2],
        ),
      "ctcLoss: inputLengths[1] is 5 but must be in [0, 4] (T = 4)",
    );
    throwsWg(
      () =>
        wg.F.ctcLoss(
          lp,
          [
            [1, 2],
            [2, 1],
          ],
          [4, 4],
          [2, 2],
          { blank: 3 },
        ),
      "ctcLoss: blank 3 is out of range for 3 classes",
    );
    throwsWg(
      () => wg.F.ctcLoss(lp, [1, 2, 2], [4, 4], [2, 2]),
      "ctcLoss: concatenated targets must hold sum(targetLengths) = 4 labels but got 3",
    );
    throwsWg(
      () =>
        wg.F.ctcLoss(
          lp,
          [
            [1, 0],
            [2, 1],
          ],
          [4, 4],
          [2, 2],
        ),
      /ctcLoss: target label 0 \(sample 0, position 1\) must be a class in \[0, 2\] other than blank 0/,
    );
  });

  it("floorDivide, remainder, fmod and div's rounding modes", () => {
    const ints = wg.tensor([4, 0], { dtype: "int32" });
    throwsWg(
      () => wg.floorDivide(wg.tensor([1, 2], { dtype: "int32" }), ints),
      "floorDivide: ZeroDivisionError: integer division by zero (the divisor holds a 0), as PyTorch raises",
    );
    throwsWg(() => wg.remainder(ints, 0), /remainder: ZeroDivisionError/);
    throwsWg(
      () => wg.fmod(wg.tensor([true]), wg.tensor([true])),
      "fmod: not implemented for two bool operands (as in PyTorch); convert one with .int() or .float()",
    );
    throwsWg(
      () => wg.div(ints, 2, { roundingMode: "nearest" as "floor" }),
      'div: roundingMode must be one of null, "trunc", "floor" but got "nearest"',
    );
    throwsWg(() => wg.div(ints, ints, { roundingMode: "trunc" }), /div: ZeroDivisionError/);
  });

  it("arguments of the wrong kind", () => {
    throwsWg(
      () => wg.rand("x" as unknown as number[]),
      /rand: expected a shape \(sizes or one array of sizes, then options\) but got \("x"\)/,
    );
    throwsWg(
      () => (wg.zeros as unknown as () => wg.Tensor)(),
      /zeros: expected a shape .* but got undefined/,
    );
    const t = wg.zeros([2, 3]);
    throwsWg(() => wg.reshape(wg.ones([2])), /reshape: shape \[\] is invalid for input of size 2/);
    throwsWg(
      () => wg.reshape(t, "a" as unknown as number),
      /reshape: expected sizes as numbers or one array of numbers but got \("a"\)/,
    );
    throwsWg(
      () => wg.cat([wg.tensor(1), wg.tensor(2)]),
      /cat: tensor 0 is 0-d \(shape \[\]\); 0-d tensors cannot be concatenated \(use stack\)/,
    );
    throwsWg(() => wg.tensor(5).narrow(0, 0, 1), /narrow: cannot narrow a 0-d tensor/);
    throwsWg(
      () => wg.tensor(1).transpose(3, 4),
      /transpose: dim 3 is out of range for a tensor with 0 dimensions \(expected a dim in \[-1, 0\]\)/,
    );
    throwsWg(
      () => wg.tidy(async () => wg.zeros([1])),
      /tidy: fn must be synchronous but got async function/,
    );
    throwsWg(
      () => wg.tidy(() => Promise.resolve(wg.zeros([1]))),
      /tidy: fn must be synchronous \(it returned a Promise\)/,
    );
    throwsWg(
      () => wg.F.mseLoss(wg.zeros([2, 3]), wg.zeros([4])),
      /mseLoss: input \[2,3\] and target \[4\] cannot be broadcast to a common shape/,
    );
    throwsWg(
      () =>
        wg.kernels.rnnStep(
          new Float32Array(3),
          new Float32Array(1),
          { weightIh: new Float32Array(6), weightHh: new Float32Array(4) },
          { batch: 1, inputSize: 3, hiddenSize: 2 },
        ),
      /kernels.rnnStep: h must be a Float32Array of 2 elements \(\[1,2\]\) for batch 1, inputSize 3, hiddenSize 2, but got 1 elements/,
    );
    throwsWg(
      () =>
        wg.kernels.lstmStep(
          new Float32Array(2),
          new Float32Array(2),
          new Float32Array(2),
          { weightIh: new Float32Array(16), weightHh: new Float32Array(16) },
          { batch: 1, inputSize: 3, hiddenSize: 2 },
        ),
      /kernels.lstmStep: x must be a Float32Array of 3 elements \(\[1,3\]\) for batch 1, inputSize 3, hiddenSize 2, but got 2 elements/,
    );
    t.dispose();
    for (const op of ["flatten", "squeeze", "detach"] as const) {
      throwsWg(() => t[op](), new RegExp(`${op}: tensor was disposed`));
    }
    throwsWg(() => t.unsqueeze(0), /unsqueeze: tensor was disposed/);
  });

  it("function forms take sizes as the methods do", () => {
    const t = wg.arange(6);
    expect(wg.reshape(t, 3, 2).shape).toEqual([3, 2]);
    expect(wg.reshape(t, [2, -1]).shape).toEqual([2, 3]);
    expect(wg.permute(wg.reshape(t, 3, 2), 1, 0).shape).toEqual([2, 3]);
    expect(wg.permute(wg.reshape(t, 3, 2), [1, 0]).toArray()).toEqual([
      [0, 2, 4],
      [1, 3, 5],
    ]);
    expect(wg.tensor(1).transpose(0, -1).shape).toEqual([]);
  });
});

describe("the 1-D ops, which run as 2-D ones, name themselves and the caller's shapes", () => {
  it("conv1d", () => {
    const x = () => wg.ones(2, 8, 8);
    throwsWg(
      () => wg.F.conv1d(x(), wg.ones(1, 8, 5), null, 1, 0, 2),
      "conv1d: padded input is 8 (input [2,8,8], padding [0]) but the kernel spans 9 (weight [1,8,5], dilation [2]): the kernel can't be larger than the padded input",
    );
    throwsWg(
      () => wg.F.conv1d(x(), wg.ones(1, 4, 3)),
      "conv1d: input [2,8,8] has 8 channels but weight [1,4,3] with groups=1 expects 4",
    );
    throwsWg(
      () => wg.F.conv1d(wg.ones(8, 8), wg.ones(1, 4, 3)),
      "conv1d: input [8,8] has 8 channels but weight [1,4,3] with groups=1 expects 4",
    );
    throwsWg(
      () => wg.F.conv1d(x(), wg.ones(3, 4, 3), null, 1, 0, 1, 2),
      "conv1d: weight [3,4,3] has 3 output channels, which groups=2 does not divide",
    );
    throwsWg(
      () => wg.F.conv1d(x(), wg.ones(4, 8, 3), wg.ones(3)),
      "conv1d: bias has shape [3] but expected [4] for weight [4,8,3]",
    );
    throwsWg(
      () => wg.F.conv1d(x(), wg.ones(4, 8, 3), null, 2, "same"),
      'conv1d: padding="same" needs stride 1 but got stride [2]',
    );
    throwsWg(
      () => wg.F.conv1d(x(), wg.ones(4, 8, 0)),
      "conv1d: weight [4,8,0] has a zero-size kernel dimension (input [2,8,8]); expected every dimension but outChannels to be >= 1",
    );
    throwsWg(
      () => wg.F.conv1d(x().int(), wg.ones(4, 8, 3)),
      "conv1d: expected input to be a float32 tensor but got an int32 tensor",
    );
  });

  it("convTranspose1d", () => {
    const x = () => wg.ones(2, 8, 8);
    throwsWg(
      () => wg.F.convTranspose1d(x(), wg.ones(4, 3, 3)),
      "convTranspose1d: input [2,8,8] has 8 channels but weight [4,3,3] expects 4",
    );
    throwsWg(
      () => wg.F.convTranspose1d(x(), wg.ones(8, 3, 3), wg.ones(5)),
      "convTranspose1d: bias has shape [5] but expected [3] for weight [8,3,3]",
    );
    throwsWg(
      () => wg.F.convTranspose1d(x(), wg.ones(8, 3, 3), null, 1, 0, 2),
      "convTranspose1d: outputPadding [2] must be smaller than either stride [1] or dilation [1]",
    );
    throwsWg(
      () => wg.F.convTranspose1d(wg.ones(1, 8, 1), wg.ones(8, 3, 1), null, 1, 1),
      "convTranspose1d: input [1,8,1] with weight [8,3,1], stride [1], padding [1] gives an output of -1; it must be at least 1",
    );
  });

  it("maxPool1d and avgPool1d", () => {
    throwsWg(
      () => wg.F.maxPool1d(wg.ones(2, 8, 2), 3),
      "maxPool1d: input [2,8,2] is too small for kernel [3] (padding [0], dilation [1]): the output would be 0",
    );
    throwsWg(
      () => wg.F.avgPool1d(wg.ones(8, 2), 3),
      /^avgPool1d: input \[8,2\] is too small for kernel \[3\]/,
    );
    throwsWg(
      () => wg.F.maxPool1d(wg.ones(2, 8, 9), 3, null, 2),
      "maxPool1d: padding [2] must be at most half the kernel size [3]",
    );
  });

  it("the 2-D ops show an unbatched input as given", () => {
    throwsWg(
      () => wg.F.conv2d(wg.ones(8, 5, 5), wg.ones(1, 4, 3, 3)),
      "conv2d: input [8,5,5] has 8 channels but weight [1,4,3,3] with groups=1 expects 4",
    );
    throwsWg(
      () => wg.F.maxPool2d(wg.ones(8, 2, 2), 3),
      "maxPool2d: input [8,2,2] is too small for kernel [3,3] (padding [0,0], dilation [1,1]): the output would be 0x0",
    );
  });
});

describe("tidy keeps returned tensors wherever they sit", () => {
  it("in Maps, Sets and deep nesting", () => {
    const out = wg.tidy(() => {
      const m = new Map([["a", wg.ones([2])]]);
      const s = new Set([wg.ones([3])]);
      let deep: unknown = wg.ones([4]);
      for (let i = 0; i < 20; i++) deep = { inner: [deep] };
      wg.ones([5]); // not returned: freed
      return { m, s, deep };
    });
    expect(out.m.get("a")!.isDisposed).toBe(false);
    expect([...out.s][0].isDisposed).toBe(false);
    let d = out.deep as { inner: unknown[] } | wg.Tensor;
    while (!(d instanceof wg.Tensor)) d = (d as { inner: unknown[] }).inner[0] as typeof d;
    expect(d.isDisposed).toBe(false);
    expect(d.shape).toEqual([4]);
  });
});

describe("a Symbol where a size belongs", () => {
  it("is a WasmgradError naming the shape, not a TypeError from formatting it (fuzz, eye)", () => {
    const s = Symbol("s") as unknown as number;
    throwsWg(() => wg.eye(s), /^eye: invalid shape \[Symbol\(s\),Symbol\(s\)\]/);
    throwsWg(() => wg.eye(2, s), /Symbol\(s\)/);
  });
});
