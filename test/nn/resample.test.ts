/**
 * Pooling, resampling and channel dropout beyond the PyTorch fixtures: Dropout1d/2d statistics
 * and gradients, shapes, and constructor / argument errors.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

type AnyCtor = new (...a: unknown[]) => wg.nn.Module;
const ctor = (c: unknown): AnyCtor => c as AnyCtor;
const F = wg.F as unknown as Record<string, (...a: unknown[]) => wg.Tensor>;

describe("Dropout2d / Dropout1d", () => {
  it("zero whole channels with probability p and scale the rest, reproducibly", () => {
    wg.manualSeed(7);
    const m = new wg.nn.Dropout2d(0.25);
    const x = wg.ones([40, 50, 2, 3], { requiresGrad: true });
    const y = m.forward(x);
    const d = y.data();
    let zeros = 0;
    for (let c = 0; c < 2000; c++) {
      const v = d[c * 6];
      for (let k = 1; k < 6; k++) expect(d[c * 6 + k]).toBe(v);
      if (v === 0) zeros++;
      else expect(v).toBeCloseTo(1 / 0.75, 6);
    }
    expect(zeros / 2000).toBeGreaterThan(0.2);
    expect(zeros / 2000).toBeLessThan(0.3);
    y.sum().backward();
    expect(Array.from((x.grad as wg.Tensor).data())).toEqual(Array.from(d));
    wg.manualSeed(7);
    expect(Array.from(new wg.nn.Dropout2d(0.25).forward(x).data())).toEqual(Array.from(d));
    m.eval();
    expect(m.forward(x)).toBe(x);
    const d1 = new wg.nn.Dropout1d(1).forward(wg.ones([2, 3, 4]));
    expect(Array.from(d1.data()).every((v) => v === 0)).toBe(true);
  });

  it("check arguments", () => {
    expect(() => new (ctor(wg.nn.Dropout2d))(1.5)).toThrow(
      /Dropout2d: p must be a number >= 0 and <= 1 but got 1.5/,
    );
    expect(() => new (ctor(wg.nn.Dropout1d))({ in_place: true })).toThrow(
      /Dropout1d: unknown option "in_place"/,
    );
    expect(() => F.dropout2d(wg.ones([2, 3]))).toThrow(
      /dropout2d: expected a 3-D \(unbatched\) or 4-D input but got \[2,3\]/,
    );
  });
});

describe("pools, interpolate, pad, pixelShuffle", () => {
  it("keep shapes as PyTorch", () => {
    expect(new wg.nn.AdaptiveAvgPool2d([null, 3]).forward(wg.ones([2, 4, 5, 6])).shape).toEqual([
      2, 4, 5, 3,
    ]);
    expect(new wg.nn.MaxPool1d(2).forward(wg.ones([3, 7])).shape).toEqual([3, 3]);
    expect(
      new wg.nn.Upsample({ scaleFactor: [2, 3] }).forward(wg.ones([1, 1, 2, 2])).shape,
    ).toEqual([1, 1, 4, 6]);
    expect(new wg.nn.PixelShuffle(2).forward(wg.ones([5, 4, 3, 3])).shape).toEqual([5, 1, 6, 6]);
    expect(wg.F.pad(wg.ones([2, 3]), [0, 0, 1, 1]).shape).toEqual([4, 3]);
  });

  it("reject bad arguments", () => {
    expect(() => new (ctor(wg.nn.Upsample))({ scale_factor: 2 })).toThrow(
      /Upsample: unknown option "scale_factor"; did you mean scaleFactor\?/,
    );
    expect(() => new (ctor(wg.nn.Upsample))()).toThrow(
      /Upsample: exactly one of size and scaleFactor must be given/,
    );
    expect(() => new (ctor(wg.nn.Upsample))(null, 2, "trilinear")).toThrow(
      /Upsample: mode must be one of "nearest", "linear", "bilinear", "bicubic" but got "trilinear"/,
    );
    expect(() => new (ctor(wg.nn.MaxPool1d))(2, { ceil_mode: true })).toThrow(
      /did you mean ceilMode\?/,
    );
    expect(() => new (ctor(wg.nn.MaxPool1d))(2, null, 0, 1, true)).toThrow(
      /MaxPool1d: returnIndices is not supported/,
    );
    expect(() => new (ctor(wg.nn.AvgPool1d))(2, { count_include_pad: false })).toThrow(
      /did you mean countIncludePad\?/,
    );
    expect(() => new (ctor(wg.nn.AdaptiveAvgPool2d))([1, 2, 3])).toThrow(
      /AdaptiveAvgPool2d: outputSize must be an integer or a list of 2/,
    );
    expect(() => new (ctor(wg.nn.PixelShuffle))(0)).toThrow(
      /PixelShuffle: upscaleFactor must be an integer >= 1 but got 0/,
    );
    expect(() =>
      F.interpolate(wg.ones([1, 1, 2, 2]), { scaleFactor: 2, alignCorners: true }),
    ).toThrow(/alignCorners can only be set with the interpolating modes/);
    expect(() => F.interpolate(wg.ones([1, 1, 2]), { scaleFactor: 2, mode: "bilinear" })).toThrow(
      /interpolate: mode "bilinear" expects a 4-D input but got \[1,1,2\]/,
    );
    expect(() => F.interpolate(wg.ones([1, 1, 2]), { scaleFactor: 2, mode: "bicubic" })).toThrow(
      /interpolate: mode "bicubic" expects a 4-D input but got \[1,1,2\]/,
    );
    expect(() => F.interpolate(wg.ones([2, 1, 1, 2, 2]), [2, 2, 2], null, "bicubic")).toThrow(
      /interpolate: mode "bicubic" expects a 4-D input but got \[2,1,1,2,2\]/,
    );
    expect(() => F.interpolate(wg.ones([1, 1, 2]), 3, 2)).toThrow(
      /exactly one of size and scaleFactor/,
    );
    expect(() => F.pad(wg.ones([1, 1, 3]), [3, 0], "reflect")).toThrow(
      /pad: reflect padding \(3, 0\) must be smaller than the dim it pads \(3\)/,
    );
    expect(() => F.pad(wg.ones([3]), [1, 1], "replicate")).toThrow(
      /pad: replicate padding of 1 dims needs a 2-D or 3-D input but got \[3\]/,
    );
    expect(() => F.pad(wg.ones([3]), [1])).toThrow(
      /pad: pad must be a list of an even number of integers/,
    );
    expect(() => F.pad(wg.ones([1, 3]), [1, 1], { mode: "wrap" })).toThrow(
      /pad: mode must be one of "constant", "reflect", "replicate", "circular"/,
    );
    expect(() => F.pad(wg.ones([1, 1, 3]), [4, 0], "circular")).toThrow(
      /pad: circular padding \(4, 0\) must be at most the size of the dim it pads \(3\)/,
    );
    expect(() => F.pixelShuffle(wg.ones([1, 3, 2, 2]), 2)).toThrow(
      /pixelShuffle: expected input \[\*, C \* 4, H, W\]/,
    );
    expect(() => F.adaptiveMaxPool2d(wg.ones([1, 2]), 1)).toThrow(
      /adaptiveMaxPool2d: expected a 3-D \[C, H, W\] or 4-D \[N, C, H, W\] input but got \[1,2\]/,
    );
    expect(() => F.maxPool1d(wg.ones([1, 2, 3, 4]), 2)).toThrow(
      /maxPool1d: expected a 2-D \[C, L\] or 3-D \[N, C, L\] input/,
    );
  });

  it("leave no temporaries behind", () => {
    const x = wg.randn([1, 2, 5, 5], { requiresGrad: true });
    const before = wg.memory().liveTensors;
    wg.tidy(() => {
      wg.F.adaptiveMaxPool2d(x, 2).sum().backward();
      wg.F.interpolate(x, { scaleFactor: 2, mode: "bilinear" }).sum().backward();
      wg.F.interpolate(x, { size: [3, 7], mode: "bicubic" })
        .sum()
        .backward();
      wg.F.pad(x, [1, 1, 1, 1], "reflect").sum().backward();
    });
    expect(wg.memory().liveTensors).toBe(before + 1); // x.grad
  });
});
