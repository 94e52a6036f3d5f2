/** Convolutional layers: Conv2d, MaxPool2d, AvgPool2d, Dropout, BatchNorm1d/2d, as torch.nn. */
import { graphScopedForward } from "../autograd/owned.js";
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { type Conv2dOptions, conv2d, type Pair, pair } from "../ops/conv.js";
import { full, uniformRange, zeros } from "../ops/creation.js";
import { dropout } from "../ops/dropout.js";
import { batchNorm } from "../ops/norm.js";
import { type AvgPool2dOptions, avgPool2d, type MaxPool2dOptions, maxPool2d } from "../ops/pool.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, hoist, num, oneOf, size, tensorArg } from "../validate.js";
import { buffer, Module, parameter } from "./module.js";
import { pyBool, pyFloat, pyPair, pyTuple } from "./repr.js";

/** Options of {@link Conv2d}. */
export interface Conv2dLayerOptions extends Conv2dOptions {
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only "zeros" (PyTorch's default) is supported. */
  paddingMode?: "zeros";
}

/**
 * 2-D convolution over [N, C, H, W] (or [C, H, W]). weight [outChannels, inChannels / groups,
 * kH, kW] and bias [outChannels] start uniform in ±1/sqrt(fanIn), fanIn = inChannels / groups *
 * kH * kW: PyTorch's kaiming_uniform_(a = sqrt(5)) and its bias rule.
 *
 * PyTorch: `torch.nn.Conv2d`.
 *
 * @example
 * ```ts
 * new wg.nn.Conv2d(3, 8, 3, { padding: 1 }).forward(wg.ones(1, 3, 8, 8)).shape; // [1, 8, 8, 8]
 * ```
 */
export class Conv2d extends Module {
  /** The learnable kernels, [outChannels, inChannels / groups, kH, kW]. */
  weight: Tensor;
  /** The learnable bias, [outChannels] (null when made with `bias: false`). */
  bias: Tensor | null;
  /** The kernel's [height, width] (PyTorch's `kernel_size`). */
  readonly kernelSize: [number, number];
  /** The step of the kernel, [sH, sW]. */
  readonly stride: [number, number];
  /** Zero padding on each side, [pH, pW], or "valid" or "same". */
  readonly padding: [number, number] | "valid" | "same";
  /** The spacing between kernel elements, [dH, dW]. */
  readonly dilation: [number, number];
  /** The number of independent channel groups. */
  readonly groups: number;

  /** The channels of the input (PyTorch's `in_channels`). */
  readonly inChannels: number;
  /** The channels of the output (PyTorch's `out_channels`). */
  readonly outChannels: number;

  /**
   * PyTorch's arguments, positionally or as options: `Conv2d(1, 8, 4, 2, 1)` is
   * `Conv2d(1, 8, 4, { stride: 2, padding: 1 })`.
   */
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    ...rest: Args<
      [
        stride: Pair,
        padding: Pair | "valid" | "same",
        dilation: Pair,
        groups: number,
        bias: boolean,
        paddingMode: "zeros",
      ],
      Conv2dLayerOptions
    >
  ) {
    [inChannels, outChannels, kernelSize, ...rest] = hoist(
      "Conv2d",
      [inChannels, outChannels, kernelSize, ...rest],
      ["inChannels", "outChannels", "kernelSize"],
    ) as [number, number, Pair, ...typeof rest];
    super();
    const op = "Conv2d";
    this.inChannels = size(op, "inChannels", inChannels, 1);
    this.outChannels = size(op, "outChannels", outChannels, 1);
    const options = args(op, rest, [
      "stride",
      "padding",
      "dilation",
      "groups",
      "bias",
      "paddingMode",
    ]);
    const groups = size(op, "groups", options.groups ?? 1, 1);
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new WasmgradError(
        `${op}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`,
      );
    }
    oneOf(op, "paddingMode", options.paddingMode ?? "zeros", ["zeros"]);
    const hasBias = bool(op, "bias", options.bias ?? true);
    this.kernelSize = pair(op, "kernelSize", kernelSize, 1);
    this.stride = pair(op, "stride", options.stride ?? 1, 1);
    this.dilation = pair(op, "dilation", options.dilation ?? 1, 1);
    const padding = options.padding ?? 0;
    this.padding =
      padding === "valid" || padding === "same" ? padding : pair(op, "padding", padding, 0);
    if (padding === "same" && (this.stride[0] !== 1 || this.stride[1] !== 1)) {
      throw new WasmgradError(
        `${op}: padding="same" needs stride 1 but got stride ${fmt(this.stride)}`,
      );
    }
    this.groups = groups;
    const [kh, kw] = this.kernelSize;
    const fanIn = (inChannels / groups) * kh * kw;
    const bound = 1 / Math.sqrt(fanIn);
    this.weight = parameter(
      uniformRange([outChannels, inChannels / groups, kh, kw], -bound, bound),
    );
    try {
      this.bias = hasBias ? parameter(uniformRange([outChannels], -bound, bound)) : null;
    } catch (e) {
      this.weight.dispose(); // kept tensors outlive tidy: a failed constructor frees its own
      throw e;
    }
  }

  /** The convolution of `x` ([N, inChannels, H, W], or unbatched [inChannels, H, W]). */
  forward(x: Tensor): Tensor {
    tensorArg("Conv2d", "input", x);
    const c = x.ndim >= 3 ? x.shape[x.ndim - 3] : -1;
    if ((x.ndim !== 3 && x.ndim !== 4) || c !== this.inChannels) {
      throw new WasmgradError(
        `Conv2d: expected input [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W] but got ${fmt(x.shape)} (layer Conv2d(${this.inChannels}, ${this.outChannels}, kernelSize=${fmt(this.kernelSize)}))`,
      );
    }
    return conv2d(x, this.weight, this.bias, {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
    });
  }

  override extraRepr(): string {
    const p = this.padding;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof p === "string") s += `, padding=${p}`;
    else if (p[0] !== 0 || p[1] !== 0) s += `, padding=${pyTuple(p)}`;
    if (this.dilation[0] !== 1 || this.dilation[1] !== 1)
      s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
}

/** Drops undefined values, so that a layer's stored options hold only what was given. */
function given<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * `MaxPool2d(kernelSize, stride?, padding?, dilation?, returnIndices?, ceilMode?)`, or options.
 *
 * PyTorch: `torch.nn.MaxPool2d`.
 *
 * @example
 * ```ts
 * new wg.nn.MaxPool2d(2).forward(wg.ones(1, 3, 8, 8)).shape; // [1, 3, 4, 4]
 * ```
 */
export class MaxPool2d extends Module {
  /** The stride, padding, dilation and ceilMode given to the constructor. */
  readonly options: MaxPool2dOptions;
  constructor(
    /** The window's [height, width], or one number for both (PyTorch's `kernel_size`). */
    readonly kernelSize: Pair,
    ...rest: Args<
      [stride: Pair | null, padding: Pair, dilation: Pair, returnIndices: false, ceilMode: boolean],
      MaxPool2dOptions & { returnIndices?: false }
    >
  ) {
    [kernelSize, ...rest] = hoist("MaxPool2d", [kernelSize, ...rest], ["kernelSize"]) as [
      Pair,
      ...typeof rest,
    ];
    super();
    const op = "MaxPool2d";
    const a = args(op, rest, ["stride", "padding", "dilation", "returnIndices", "ceilMode"]);
    oneOf(op, "returnIndices (not supported)", a.returnIndices ?? false, [false]);
    const { returnIndices: _, ...options } = a;
    this.options = given(options) as MaxPool2dOptions;
    pair(op, "kernelSize", kernelSize, 1);
    if (a.stride != null) pair(op, "stride", a.stride, 1);
    pair(op, "padding", a.padding ?? 0, 0);
    pair(op, "dilation", a.dilation ?? 1, 1);
    bool(op, "ceilMode", a.ceilMode ?? false);
  }
  /** The window maxima of `x` ([N, C, H, W] or [C, H, W]). */
  forward(x: Tensor): Tensor {
    return maxPool2d(tensorArg("MaxPool2d", "input", x), this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(o.stride ?? this.kernelSize)}, padding=${pyPair(o.padding ?? 0)}, dilation=${pyPair(o.dilation ?? 1)}, ceil_mode=False`;
  }
}

/**
 * `AvgPool2d(kernelSize, stride?, padding?, ceilMode?, countIncludePad?, divisorOverride?)`.
 *
 * PyTorch: `torch.nn.AvgPool2d`.
 *
 * @example
 * ```ts
 * new wg.nn.AvgPool2d(2).forward(wg.ones(1, 3, 8, 8)).shape; // [1, 3, 4, 4]
 * ```
 */
export class AvgPool2d extends Module {
  /**
   * The stride, padding, ceilMode, countIncludePad and divisorOverride given to the constructor.
   */
  readonly options: AvgPool2dOptions;
  constructor(
    /** The window's [height, width], or one number for both (PyTorch's `kernel_size`). */
    readonly kernelSize: Pair,
    ...rest: Args<
      [
        stride: Pair | null,
        padding: Pair,
        ceilMode: boolean,
        countIncludePad: boolean,
        divisorOverride: number | null,
      ],
      AvgPool2dOptions
    >
  ) {
    [kernelSize, ...rest] = hoist("AvgPool2d", [kernelSize, ...rest], ["kernelSize"]) as [
      Pair,
      ...typeof rest,
    ];
    super();
    const op = "AvgPool2d";
    const a = args(op, rest, [
      "stride",
      "padding",
      "ceilMode",
      "countIncludePad",
      "divisorOverride",
    ]);
    this.options = given(a) as AvgPool2dOptions;
    pair(op, "kernelSize", kernelSize, 1);
    if (a.stride != null) pair(op, "stride", a.stride, 1);
    pair(op, "padding", a.padding ?? 0, 0);
    bool(op, "ceilMode", a.ceilMode ?? false);
    bool(op, "countIncludePad", a.countIncludePad ?? true);
    if (a.divisorOverride != null) size(op, "divisorOverride", a.divisorOverride, 1);
  }
  /** The window means of `x` ([N, C, H, W] or [C, H, W]). */
  forward(x: Tensor): Tensor {
    return avgPool2d(tensorArg("AvgPool2d", "input", x), this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(o.stride ?? this.kernelSize)}, padding=${pyPair(o.padding ?? 0)}`;
  }
}

/**
 * Zeroes elements with probability p in training (scaling the rest by 1/(1-p)); identity in eval.
 *
 * PyTorch: `torch.nn.Dropout`.
 *
 * @example
 * ```ts
 * new wg.nn.Dropout(0.5).forward(wg.ones(2, 4)); // zeros in training, and the rest scaled to 2
 * ```
 */
export class Dropout extends Module {
  /** The probability of zeroing an element (default 0.5). */
  readonly p: number;
  /** Whether forward writes into its input (PyTorch's rules for in-place ops). */
  readonly inplace: boolean;
  /** `Dropout(p = 0.5, inplace = false)`, or `{ p, inplace }`. */
  constructor(...rest: Args<[p: number, inplace: boolean], { p?: number; inplace?: boolean }>) {
    super();
    const a = args("Dropout", rest, ["p", "inplace"]);
    this.p = num("Dropout", "probability p", a.p ?? 0.5, { min: 0, max: 1 });
    this.inplace = bool("Dropout", "inplace", a.inplace ?? false);
  }
  /**
   * In training mode zeroes each element with probability p and scales the rest by 1 / (1 - p);
   * in eval mode returns `x`.
   */
  forward(x: Tensor): Tensor {
    return dropout(tensorArg("Dropout", "input", x), this.p, this.training, this.inplace);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=${this.inplace ? "True" : "False"}`;
  }
}

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}. */
export interface BatchNormLayerOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Weight of the newest batch in the running statistics; null: a cumulative average. */
  momentum?: number | null;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
  /** Keep running statistics for eval mode (default true; PyTorch's `track_running_stats`). */
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over the channel dim, as torch.nn.BatchNorm{1,2}d: weight starts at 1,
 * bias at 0, running_mean at 0, running_var at 1; num_batches_tracked counts training batches
 * (a float32 scalar here, since every wasmgrad tensor is float32).
 */
abstract class BatchNorm extends Module {
  /** The learnable per-channel scale gamma, [numFeatures] (null unless `affine`). */
  weight: Tensor | null;
  /** The learnable per-channel shift beta, [numFeatures] (null unless `affine`). */
  bias: Tensor | null;
  /** The running mean, a buffer [numFeatures] (null unless `trackRunningStats`). */
  running_mean: Tensor | null;
  /** The running variance, a buffer [numFeatures] (null unless `trackRunningStats`). */
  running_var: Tensor | null;
  /** The number of training batches seen, a 0-d buffer (null unless `trackRunningStats`). */
  num_batches_tracked: Tensor | null;
  /** Added to the variance for stability (default 1e-5). */
  readonly eps: number;
  /**
   * The weight of the newest batch in the running statistics (default 0.1; null: a cumulative
   * average).
   */
  readonly momentum: number | null;
  /** Whether the layer learns a per-channel scale and shift (default true). */
  readonly affine: boolean;
  /**
   * Whether running statistics are kept for eval mode (default true; PyTorch's
   * `track_running_stats`).
   */
  readonly trackRunningStats: boolean;

  /** Whether `x` has a rank this layer accepts. */
  protected abstract checkInput(x: Tensor): boolean;

  constructor(
    /** The layer's name, for error messages. */
    protected readonly layer: string,
    /** The number of channels C (PyTorch's `num_features`). */
    readonly numFeatures: number,
    rest: readonly unknown[],
  ) {
    super();
    size(layer, "numFeatures", numFeatures, 1);
    const o = args(layer, rest, ["eps", "momentum", "affine", "trackRunningStats"]);
    this.eps = num(layer, "eps", o.eps ?? 1e-5, { min: 0, finite: true });
    this.momentum =
      o.momentum === null ? null : num(layer, "momentum", o.momentum ?? 0.1, { min: 0, max: 1 });
    this.affine = bool(layer, "affine", o.affine ?? true);
    this.trackRunningStats = bool(layer, "trackRunningStats", o.trackRunningStats ?? true);
    this.weight = this.affine ? parameter(full([numFeatures], 1)) : null;
    this.bias = this.affine ? parameter(zeros([numFeatures])) : null;
    const track = this.trackRunningStats;
    this.running_mean = track ? buffer(zeros([numFeatures])) : null;
    this.running_var = track ? buffer(full([numFeatures], 1)) : null;
    this.num_batches_tracked = track ? buffer(zeros([])) : null;
  }

  /**
   * Normalises each channel of `x`: with the batch statistics in training (updating the running
   * ones), with the running statistics in eval mode; then scales and shifts.
   */
  forward(x: Tensor): Tensor {
    tensorArg(this.layer, "input", x);
    if (!this.checkInput(x) || x.shape[1] !== this.numFeatures) {
      throw new WasmgradError(
        `${this.layer}: expected input ${this.layer === "BatchNorm2d" ? `[N, ${this.numFeatures}, H, W]` : `[N, ${this.numFeatures}] or [N, ${this.numFeatures}, L]`} but got ${fmt(x.shape)} (layer ${this.layer}(${this.numFeatures}))`,
      );
    }
    let momentum = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked !== null) {
      const f32 = backend.f32();
      const at = this.num_batches_tracked.ptr >>> 2;
      f32[at] += 1;
      if (this.momentum === null) momentum = 1 / f32[at];
    }
    // Batch statistics in training, and in eval too when no running statistics are kept.
    const useBatch = this.training || this.running_mean === null;
    return batchNorm(
      x,
      useBatch && !this.training ? null : this.running_mean,
      useBatch && !this.training ? null : this.running_var,
      { weight: this.weight, bias: this.bias, training: useBatch, momentum, eps: this.eps },
    );
  }

  override extraRepr(): string {
    const m = this.momentum === null ? "None" : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${m}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/** BatchNorm over [N, C, H, W]. */
type BatchNormArgs = Args<
  [eps: number, momentum: number | null, affine: boolean, trackRunningStats: boolean],
  BatchNormLayerOptions
>;

/**
 * Batch normalization over NCHW input: per-channel batch statistics in training (updating the
 * running mean and variance), the running ones in eval mode, then a learned scale and shift.
 *
 * PyTorch: `torch.nn.BatchNorm2d`.
 *
 * @example
 * ```ts
 * new wg.nn.BatchNorm2d(3).forward(wg.randn(2, 3, 4, 4)).shape; // [2, 3, 4, 4]
 * ```
 */
export class BatchNorm2d extends BatchNorm {
  /** `BatchNorm2d(numFeatures, eps?, momentum?, affine?, trackRunningStats?)`, or options. */
  constructor(numFeatures: number, ...rest: BatchNormArgs) {
    [numFeatures, ...rest] = hoist("BatchNorm2d", [numFeatures, ...rest], ["numFeatures"]) as [
      number,
      ...typeof rest,
    ];
    super("BatchNorm2d", numFeatures, rest);
  }
  /** Whether `x` is 4-D, [N, C, H, W]. */
  protected checkInput(x: Tensor): boolean {
    return x.ndim === 4;
  }
}

/**
 * BatchNorm over [N, C] or [N, C, L].
 *
 * PyTorch: `torch.nn.BatchNorm1d`.
 *
 * @example
 * ```ts
 * new wg.nn.BatchNorm1d(3).forward(wg.randn(4, 3)).shape; // [4, 3]
 * ```
 */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, ...rest: BatchNormArgs) {
    [numFeatures, ...rest] = hoist("BatchNorm1d", [numFeatures, ...rest], ["numFeatures"]) as [
      number,
      ...typeof rest,
    ];
    super("BatchNorm1d", numFeatures, rest);
  }
  /** Whether `x` is [N, C] or [N, C, L]. */
  protected checkInput(x: Tensor): boolean {
    return x.ndim === 2 || x.ndim === 3;
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [AvgPool2d, BatchNorm1d, BatchNorm2d, Conv2d, Dropout, MaxPool2d])
  graphScopedForward(layer);
