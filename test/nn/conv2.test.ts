/**
 * Conv1d, ConvTranspose1d and ConvTranspose2d beyond the PyTorch fixtures: positional
 * arguments in PyTorch's order, parameter shapes and init bounds, and constructor errors.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

type AnyCtor = new (...a: unknown[]) => wg.nn.Module;
const ctor = (c: unknown): AnyCtor => c as AnyCtor;

describe("ConvTranspose2d / ConvTranspose1d / Conv1d", () => {
  it("take PyTorch's positional order and shapes", () => {
    const m = new wg.nn.ConvTranspose2d(100, 64, 4, 1, 0, { bias: false });
    expect(m.weight.shape).toEqual([100, 64, 4, 4]);
    expect(m.bias).toBeNull();
    expect(Object.keys(m.stateDict())).toEqual(["weight"]);
    const y = m.forward(wg.zeros([2, 100, 1, 1]));
    expect(y.shape).toEqual([2, 64, 4, 4]);
    const g = new wg.nn.ConvTranspose2d(4, 6, [3, 2], 2, 1, 1, 2, true, 1);
    expect([g.stride, g.padding, g.outputPadding, g.groups, g.dilation]).toEqual([
      [2, 2],
      [1, 1],
      [1, 1],
      2,
      [1, 1],
    ]);
    expect(g.weight.shape).toEqual([4, 3, 3, 2]);
    expect(g.bias?.shape).toEqual([6]);
    const c = new wg.nn.Conv1d(3, 6, 5, 2, 1, 1, 3, false);
    expect(c.weight.shape).toEqual([6, 1, 5]);
    expect(c.bias).toBeNull();
    expect(new wg.nn.ConvTranspose1d(3, 4, 2).weight.shape).toEqual([3, 4, 2]);
  });

  it("init weights and bias within ±1/sqrt(fanIn), fanIn from weight.shape[1]", () => {
    wg.manualSeed(3);
    const m = new wg.nn.ConvTranspose2d(50, 8, 3);
    const bound = 1 / Math.sqrt(8 * 9);
    const w = m.weight.data();
    let max = 0;
    for (const v of w) max = Math.max(max, Math.abs(v));
    expect(max).toBeLessThanOrEqual(bound);
    expect(max).toBeGreaterThan(0.95 * bound);
    for (const v of (m.bias as wg.Tensor).data()) expect(Math.abs(v)).toBeLessThanOrEqual(bound);
  });

  it("reject bad arguments with PyTorch-style messages", () => {
    const CT = ctor(wg.nn.ConvTranspose2d);
    expect(() => new CT(4, 6, 3, { output_padding: 1 })).toThrow(
      /ConvTranspose2d: unknown option "output_padding"; did you mean outputPadding\?/,
    );
    expect(() => new CT(4, 6, 3, 1, 0, 1)).toThrow(
      /ConvTranspose2d: outputPadding \[1,1\] must be smaller than either stride \[1,1\] or dilation \[1,1\]/,
    );
    expect(() => new CT(4, 6, 3, { groups: 4 })).toThrow(
      /ConvTranspose2d: inChannels \(4\) and outChannels \(6\) must both be divisible by groups \(4\)/,
    );
    expect(() => new CT(4, 6, 3, 1, 0, 0, 1, "no")).toThrow(
      /ConvTranspose2d: bias must be true or false/,
    );
    expect(() => new CT(4, 6, 3, 1, 0, 0, 1, true, 1, "zeros", 9)).toThrow(
      /ConvTranspose2d: too many arguments/,
    );
    expect(() => new CT(4, 6, 3, { paddingMode: "reflect" })).toThrow(
      /paddingMode must be one of "zeros"/,
    );
    expect(() => new CT(0, 6, 3)).toThrow(
      /ConvTranspose2d: inChannels must be an integer >= 1 but got 0/,
    );
    expect(() => new CT(4, 6, 0)).toThrow(/ConvTranspose2d: kernelSize must be/);
    const C1 = ctor(wg.nn.Conv1d);
    expect(() => new C1(2, 3, 3, { padding: "same", stride: 2 })).toThrow(
      /Conv1d: padding="same" needs stride 1/,
    );
    expect(() => new C1(2, 3, 3, { padding_mode: "zeros" })).toThrow(/did you mean paddingMode\?/);
    const m = new wg.nn.ConvTranspose2d(4, 6, 3);
    expect(() => m.forward(wg.zeros([1, 5, 3, 3]))).toThrow(
      /ConvTranspose2d: expected input \[N, 4, H, W\] or \[4, H, W\] but got \[1,5,3,3\]/,
    );
    expect(() => wg.F.convTranspose2d(wg.zeros([1, 2, 3, 3]), wg.zeros([3, 2, 3, 3]))).toThrow(
      /convTranspose2d: input \[1,2,3,3\] has 2 channels but weight \[3,2,3,3\] expects 3/,
    );
    expect(() =>
      wg.F.convTranspose2d(wg.zeros([1, 2, 1, 1]), wg.zeros([2, 2, 1, 1]), null, 1, 1),
    ).toThrow(/convTranspose2d: .*gives an output of -1x-1; it must be at least 1x1/);
    expect(() => new (ctor(wg.nn.Conv1d))(2, 3, 3).forward(wg.zeros([1, 3, 5]))).toThrow(
      /Conv1d: expected input \[N, 2, L\]/,
    );
  });

  it("leaves no temporaries behind", () => {
    const m = new wg.nn.ConvTranspose2d(3, 2, 3, 2, 1, 1);
    const x = wg.randn([2, 3, 4, 4], { requiresGrad: true });
    const before = wg.memory().liveTensors;
    wg.tidy(() => m.forward(x).sum().backward());
    expect(wg.memory().liveTensors).toBe(before + 3); // x.grad, weight.grad, bias.grad
  });
});
