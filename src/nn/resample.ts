/**
 * Pooling, resampling and channel-dropout modules, as torch.nn: AdaptiveAvgPool2d/1d,
 * AdaptiveMaxPool2d, MaxPool1d, AvgPool1d, Dropout1d, Dropout2d, Upsample, PixelShuffle.
 * Constructor arguments in PyTorch's order or in a trailing options object; each forward calls
 * the F function with the stored arguments.
 */
import { graphScopedForward } from "../autograd/owned.js";
import {
  avgPool1d,
  type ChannelDropoutOptions,
  dropout1d,
  dropout2d,
  maxPool1d,
} from "../ops/pool1d.js";
import {
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool2d,
  type InterpolateMode,
  interpolate,
  interpolateModes,
  pixelShuffle,
} from "../ops/resample.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, describe, fail, hoist, num, oneOf, size } from "../validate.js";
import { Module } from "./module.js";
import { pyBool, pyFloat, pyTuple } from "./repr.js";

type Size2 = number | null | readonly [number | null, number | null];
type One = number | readonly [number];

function checkSize(op: string, v: unknown, dims: number): void {
  const list = typeof v === "number" || v === null ? [v] : v;
  if (!Array.isArray(list) || (list.length !== 1 && list.length !== dims)) {
    fail(op, `outputSize must be an integer or a list of ${dims} but got ${describe(v)}`);
  }
  for (const s of list) if (s !== null) size(op, "outputSize", s);
}

/**
 * The module form of F.adaptiveAvgPool2d.
 *
 * PyTorch: `torch.nn.AdaptiveAvgPool2d`.
 *
 * @example
 * ```ts
 * new wg.nn.AdaptiveAvgPool2d(1).forward(wg.ones(1, 3, 7, 7)).shape; // [1, 3, 1, 1]
 * ```
 */
export class AdaptiveAvgPool2d extends Module {
  /** @param outputSize The output's [H, W], or one number for both (PyTorch's `output_size`). */
  constructor(readonly outputSize: Size2) {
    super();
    checkSize("AdaptiveAvgPool2d", outputSize, 2);
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
  /** The means of `x` ([N, C, H, W] or [C, H, W]) over windows that tile it into `outputSize`. */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool2d(x, this.outputSize);
  }
}

/**
 * The module form of F.adaptiveAvgPool1d.
 *
 * PyTorch: `torch.nn.AdaptiveAvgPool1d`.
 *
 * @example
 * ```ts
 * new wg.nn.AdaptiveAvgPool1d(3).forward(wg.ones(1, 2, 10)).shape; // [1, 2, 3]
 * ```
 */
export class AdaptiveAvgPool1d extends Module {
  /** @param outputSize The output's length (PyTorch's `output_size`). */
  constructor(readonly outputSize: One) {
    super();
    checkSize("AdaptiveAvgPool1d", outputSize, 1);
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
  /** The means of `x` ([N, C, L] or [C, L]) over windows that tile it into `outputSize`. */
  forward(x: Tensor): Tensor {
    return adaptiveAvgPool1d(x, this.outputSize);
  }
}

/**
 * The module form of F.adaptiveMaxPool2d.
 *
 * PyTorch: `torch.nn.AdaptiveMaxPool2d`.
 *
 * @example
 * ```ts
 * new wg.nn.AdaptiveMaxPool2d([2, 2]).forward(wg.ones(1, 3, 8, 8)).shape; // [1, 3, 2, 2]
 * ```
 */
export class AdaptiveMaxPool2d extends Module {
  /** Always false: returning the indices is not supported (PyTorch's `return_indices`). */
  readonly returnIndices = false;
  /** @param outputSize The output's [H, W], or one number for both (PyTorch's `output_size`). */
  constructor(
    readonly outputSize: Size2,
    ...rest: Args<[returnIndices: boolean], { returnIndices?: boolean }>
  ) {
    super();
    const op = "AdaptiveMaxPool2d";
    checkSize(op, outputSize, 2);
    const a = args(op, rest, ["returnIndices"]);
    if (a.returnIndices !== undefined && bool(op, "returnIndices", a.returnIndices)) {
      fail(op, "returnIndices is not supported");
    }
  }
  override extraRepr(): string {
    return `output_size=${pySize(this.outputSize)}`;
  }
  /** The maxima of `x` ([N, C, H, W] or [C, H, W]) over windows that tile it into `outputSize`. */
  forward(x: Tensor): Tensor {
    return adaptiveMaxPool2d(x, this.outputSize);
  }
}

/**
 * The module form of F.maxPool1d.
 *
 * PyTorch: `torch.nn.MaxPool1d`.
 *
 * @example
 * ```ts
 * new wg.nn.MaxPool1d(2).forward(wg.tensor([[[1, 3, 2, 4]]])); // [[[3, 4]]]
 * ```
 */
export class MaxPool1d extends Module {
  /** The step of the window (null: the kernel size). */
  readonly stride: One | null;
  /** Implicit -Infinity padding on each side. */
  readonly padding: One;
  /** The spacing between window elements. */
  readonly dilation: One;
  /** Whether the output length is rounded up (PyTorch's `ceil_mode`). */
  readonly ceilMode: boolean;
  constructor(
    /** The window's length (PyTorch's `kernel_size`). */
    readonly kernelSize: One,
    ...rest: Args<
      [stride: One | null, padding: One, dilation: One, returnIndices: boolean, ceilMode: boolean],
      {
        stride?: One | null;
        padding?: One;
        dilation?: One;
        returnIndices?: boolean;
        ceilMode?: boolean;
      }
    >
  ) {
    [kernelSize, ...rest] = hoist("MaxPool1d", [kernelSize, ...rest], ["kernelSize"]) as [
      One,
      ...typeof rest,
    ];
    super();
    const op = "MaxPool1d";
    const a = args(op, rest, ["stride", "padding", "dilation", "returnIndices", "ceilMode"]);
    if (a.returnIndices !== undefined && bool(op, "returnIndices", a.returnIndices)) {
      fail(op, "returnIndices is not supported");
    }
    this.stride = (a.stride ?? null) as One | null;
    this.padding = (a.padding ?? 0) as One;
    this.dilation = (a.dilation ?? 1) as One;
    this.ceilMode = a.ceilMode === undefined ? false : bool(op, "ceilMode", a.ceilMode);
  }
  override extraRepr(): string {
    return `kernel_size=${pySize(this.kernelSize)}, stride=${pySize(this.stride ?? this.kernelSize)}, padding=${pySize(this.padding)}, dilation=${pySize(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
  /** The window maxima of `x` ([N, C, L] or [C, L]). */
  forward(x: Tensor): Tensor {
    const { stride, padding, dilation, ceilMode } = this;
    return maxPool1d(x, this.kernelSize, { stride, padding, dilation, ceilMode });
  }
}

/**
 * The module form of F.avgPool1d.
 *
 * PyTorch: `torch.nn.AvgPool1d`.
 *
 * @example
 * ```ts
 * new wg.nn.AvgPool1d(2).forward(wg.ones(1, 2, 8)).shape; // [1, 2, 4]
 * ```
 */
export class AvgPool1d extends Module {
  /** The step of the window (null: the kernel size). */
  readonly stride: One | null;
  /** Implicit zero padding on each side. */
  readonly padding: One;
  /** Whether the output length is rounded up (PyTorch's `ceil_mode`). */
  readonly ceilMode: boolean;
  /** Whether the zero padding counts in the divisor (PyTorch's `count_include_pad`). */
  readonly countIncludePad: boolean;
  constructor(
    /** The window's length (PyTorch's `kernel_size`). */
    readonly kernelSize: One,
    ...rest: Args<
      [stride: One | null, padding: One, ceilMode: boolean, countIncludePad: boolean],
      { stride?: One | null; padding?: One; ceilMode?: boolean; countIncludePad?: boolean }
    >
  ) {
    [kernelSize, ...rest] = hoist("AvgPool1d", [kernelSize, ...rest], ["kernelSize"]) as [
      One,
      ...typeof rest,
    ];
    super();
    const op = "AvgPool1d";
    const a = args(op, rest, ["stride", "padding", "ceilMode", "countIncludePad"]);
    this.stride = (a.stride ?? null) as One | null;
    this.padding = (a.padding ?? 0) as One;
    this.ceilMode = a.ceilMode === undefined ? false : bool(op, "ceilMode", a.ceilMode);
    this.countIncludePad =
      a.countIncludePad === undefined ? true : bool(op, "countIncludePad", a.countIncludePad);
  }
  override extraRepr(): string {
    const t = (v: One): string =>
      typeof v === "number"
        ? pyTuple([v])
        : Array.isArray(v) && v.every((e) => typeof e === "number")
          ? pyTuple(v)
          : describe(v); // kept unchecked until forward, as PyTorch

    return `kernel_size=${t(this.kernelSize)}, stride=${t(this.stride ?? this.kernelSize)}, padding=${t(this.padding)}`;
  }
  /** The window means of `x` ([N, C, L] or [C, L]). */
  forward(x: Tensor): Tensor {
    const { stride, padding, ceilMode, countIncludePad } = this;
    return avgPool1d(x, this.kernelSize, { stride, padding, ceilMode, countIncludePad });
  }
}

/**
 */
abstract class ChannelDropout extends Module {
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${pyBool(this.inplace)}`;
  }
  /** The probability of zeroing a channel (default 0.5). */
  readonly p: number;
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(op: string, rest: readonly unknown[]) {
    super();
    const a = args(op, rest, ["p", "inplace"]);
    this.p = a.p === undefined ? 0.5 : num(op, "p", a.p, { min: 0, max: 1 });
    this.inplace = a.inplace === undefined ? false : bool(op, "inplace", a.inplace);
  }
}

type DropArgs = Args<[p: number, inplace: boolean], Omit<ChannelDropoutOptions, "training">>;

/**
 * Zeroes whole channels of [N, C, L] with probability p in training (scaling the rest).
 *
 * PyTorch: `torch.nn.Dropout1d`.
 *
 * @example
 * ```ts
 * new wg.nn.Dropout1d(0.5).forward(wg.ones(1, 4, 8));
 * ```
 */
export class Dropout1d extends ChannelDropout {
  constructor(...rest: DropArgs) {
    super("Dropout1d", rest);
  }
  /**
   * In training mode zeroes whole channels of `x` ([N, C, L] or [C, L]) with probability p and
   * scales the rest by 1 / (1 - p); in eval mode returns `x`.
   */
  forward(x: Tensor): Tensor {
    return dropout1d(x, this.p, this.training, this.inplace);
  }
}

/**
 * Zeroes whole channels of [N, C, H, W] with probability p in training (scaling the rest).
 *
 * PyTorch: `torch.nn.Dropout2d`.
 *
 * @example
 * ```ts
 * new wg.nn.Dropout2d(0.5).forward(wg.ones(1, 4, 3, 3));
 * ```
 */
export class Dropout2d extends ChannelDropout {
  constructor(...rest: DropArgs) {
    super("Dropout2d", rest);
  }
  /**
   * In training mode zeroes whole channels of `x` ([N, C, H, W] or [C, H, W]) with probability p
   * and scales the rest by 1 / (1 - p); in eval mode returns `x`.
   */
  forward(x: Tensor): Tensor {
    return dropout2d(x, this.p, this.training, this.inplace);
  }
}

/** Options of {@link Upsample}. */
export interface UpsampleOptions {
  /** The output's spatial size; give this or `scaleFactor`. */
  size?: number | readonly number[] | null;
  /** The multiplier of the spatial size; give this or `size` (PyTorch's `scale_factor`). */
  scaleFactor?: number | readonly number[] | null;
  /** "nearest" (default), "linear" (3-D input) or "bilinear" (4-D input). */
  mode?: InterpolateMode;
  /**
   * For the linear modes: align the corner pixels' centres (default null: false; PyTorch's
   * `align_corners`).
   */
  alignCorners?: boolean | null;
  /**
   * Compute the sampling from the output size rather than from `scaleFactor` (default null: false;
   * PyTorch's `recompute_scale_factor`).
   */
  recomputeScaleFactor?: boolean | null;
}

/**
 * The module form of F.interpolate.
 *
 * PyTorch: `torch.nn.Upsample`.
 *
 * @example
 * ```ts
 * new wg.nn.Upsample({ scaleFactor: 2, mode: "nearest" }).forward(wg.ones(1, 1, 4, 4)).shape; // [1, 1, 8, 8]
 * ```
 */
export class Upsample extends Module {
  /** The output's spatial size (null when `scaleFactor` is given). */
  readonly size: number | readonly number[] | null;
  /** The multiplier of the spatial size (null when `size` is given; PyTorch's `scale_factor`). */
  readonly scaleFactor: number | readonly number[] | null;
  /** The sampling algorithm: "nearest", "linear" or "bilinear". */
  readonly mode: InterpolateMode;
  /**
   * For the linear modes: whether corner pixels' centres are aligned (PyTorch's `align_corners`).
   */
  readonly alignCorners: boolean | null;
  /**
   * Whether sampling follows the output size rather than `scaleFactor` (PyTorch's
   * `recompute_scale_factor`).
   */
  readonly recomputeScaleFactor: boolean | null;
  constructor(
    ...rest: Args<
      [
        size: UpsampleOptions["size"],
        scaleFactor: UpsampleOptions["scaleFactor"],
        mode: InterpolateMode,
        alignCorners: boolean | null,
        recomputeScaleFactor: boolean | null,
      ],
      UpsampleOptions
    >
  ) {
    super();
    const op = "Upsample";
    const a = args(op, rest, [
      "size",
      "scaleFactor",
      "mode",
      "alignCorners",
      "recomputeScaleFactor",
    ]);
    this.size = (a.size ?? null) as Upsample["size"];
    this.scaleFactor = (a.scaleFactor ?? null) as Upsample["scaleFactor"];
    if ((this.size === null) === (this.scaleFactor === null)) {
      fail(op, "exactly one of size and scaleFactor must be given");
    }
    this.mode = a.mode === undefined ? "nearest" : oneOf(op, "mode", a.mode, interpolateModes);
    this.alignCorners = a.alignCorners == null ? null : bool(op, "alignCorners", a.alignCorners);
    this.recomputeScaleFactor =
      a.recomputeScaleFactor == null
        ? null
        : bool(op, "recomputeScaleFactor", a.recomputeScaleFactor);
  }
  override extraRepr(): string {
    const info =
      this.scaleFactor !== null
        ? `scale_factor=${typeof this.scaleFactor === "number" ? pyFloat(this.scaleFactor) : `(${this.scaleFactor.map(pyFloat).join(", ")})`}`
        : `size=${pySize(this.size as number | readonly number[])}`;
    return `${info}, mode=${this.mode}`;
  }
  /** `x` resampled to the output size, as {@link F.interpolate}. */
  forward(x: Tensor): Tensor {
    const { size, scaleFactor, mode, alignCorners, recomputeScaleFactor } = this;
    return interpolate(x, { size, scaleFactor, mode, alignCorners, recomputeScaleFactor });
  }
}

/**
 * The module form of F.pixelShuffle: [N, C r^2, H, W] to [N, C, H r, W r].
 *
 * PyTorch: `torch.nn.PixelShuffle`.
 *
 * @example
 * ```ts
 * new wg.nn.PixelShuffle(2).forward(wg.ones(1, 8, 3, 3)).shape; // [1, 2, 6, 6]
 * ```
 */
export class PixelShuffle extends Module {
  /**
   * @param upscaleFactor The factor r by which height and width grow (PyTorch's `upscale_factor`).
   */
  constructor(
    readonly upscaleFactor: number,
    ...rest: Args<[], { upscaleFactor?: number }>
  ) {
    [upscaleFactor, ...rest] = hoist(
      "PixelShuffle",
      [upscaleFactor, ...rest],
      ["upscaleFactor"],
    ) as [number, ...typeof rest];
    super();
    args("PixelShuffle", rest, []);
    size("PixelShuffle", "upscaleFactor", upscaleFactor, 1);
  }
  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
  /** Rearranges [N, C r², H, W] into [N, C, H r, W r]. */
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
}

/** An int or a tuple of ints (None for null), as Python prints them. */
function pySize(v: number | null | readonly (number | null)[]): string {
  if (v === null) return "None";
  if (typeof v === "number") return String(v);
  // An argument the constructor keeps unchecked (checked at forward, as PyTorch) prints as given.
  if (!Array.isArray(v)) return describe(v);
  const items = v.map((e) =>
    e === null ? "None" : typeof e === "number" ? String(e) : describe(e),
  );
  return items.length === 1 ? `(${items[0]},)` : `(${items.join(", ")})`;
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool2d,
  AvgPool1d,
  Dropout1d,
  Dropout2d,
  MaxPool1d,
  PixelShuffle,
  Upsample,
])
  graphScopedForward(layer);
