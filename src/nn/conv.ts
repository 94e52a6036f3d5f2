/** Convolutional layers: Conv2d, MaxPool2d, AvgPool2d, Dropout, BatchNorm1d/2d, as torch.nn. */
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { type Conv2dOptions, conv2d, type Pair, pair } from "../ops/conv.js";
import { full, uniformRange, zeros } from "../ops/creation.js";
import { dropout } from "../ops/dropout.js";
import { batchNorm } from "../ops/norm.js";
import { type AvgPool2dOptions, avgPool2d, type MaxPool2dOptions, maxPool2d } from "../ops/pool.js";
import type { Tensor } from "../tensor.js";
import { buffer, Module, parameter } from "./module.js";
import { pyBool, pyFloat, pyPair, pyTuple } from "./repr.js";

export interface Conv2dLayerOptions extends Conv2dOptions {
  bias?: boolean;
  /** Only "zeros" (PyTorch's default) is supported. */
  paddingMode?: "zeros";
}

/**
 * 2-D convolution over [N, C, H, W] (or [C, H, W]). weight [outChannels, inChannels / groups,
 * kH, kW] and bias [outChannels] start uniform in ±1/sqrt(fanIn), fanIn = inChannels / groups *
 * kH * kW: PyTorch's kaiming_uniform_(a = sqrt(5)) and its bias rule.
 */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: [number, number] | "valid" | "same";
  readonly dilation: [number, number];
  readonly groups: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: Pair,
    options: Conv2dLayerOptions = {},
  ) {
    super();
    const op = "Conv2d";
    for (const [name, v] of [
      ["inChannels", inChannels],
      ["outChannels", outChannels],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) {
        throw new WasmgradError(`${op}: ${name} must be an integer >= 1 but got ${v}`);
      }
    }
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) {
      throw new WasmgradError(`${op}: groups must be an integer >= 1 but got ${groups}`);
    }
    if (inChannels % groups !== 0 || outChannels % groups !== 0) {
      throw new WasmgradError(
        `${op}: inChannels (${inChannels}) and outChannels (${outChannels}) must both be divisible by groups (${groups})`,
      );
    }
    const mode = options.paddingMode ?? "zeros";
    if (mode !== "zeros") {
      throw new WasmgradError(`${op}: paddingMode must be "zeros" but got ${JSON.stringify(mode)}`);
    }
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
    this.bias =
      options.bias === false ? null : parameter(uniformRange([outChannels], -bound, bound));
  }

  forward(x: Tensor): Tensor {
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

export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: MaxPool2dOptions = {},
  ) {
    super();
    maxPoolCheck(kernelSize, options);
  }
  forward(x: Tensor): Tensor {
    return maxPool2d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(o.stride ?? this.kernelSize)}, padding=${pyPair(o.padding ?? 0)}, dilation=${pyPair(o.dilation ?? 1)}, ceil_mode=False`;
  }
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: AvgPool2dOptions = {},
  ) {
    super();
    pair("AvgPool2d", "kernelSize", kernelSize, 1);
    if (options.stride != null) pair("AvgPool2d", "stride", options.stride, 1);
    pair("AvgPool2d", "padding", options.padding ?? 0, 0);
  }
  forward(x: Tensor): Tensor {
    return avgPool2d(x, this.kernelSize, this.options);
  }
  override extraRepr(): string {
    const o = this.options;
    return `kernel_size=${pyPair(this.kernelSize)}, stride=${pyPair(o.stride ?? this.kernelSize)}, padding=${pyPair(o.padding ?? 0)}`;
  }
}

function maxPoolCheck(kernelSize: Pair, options: MaxPool2dOptions): void {
  pair("MaxPool2d", "kernelSize", kernelSize, 1);
  if (options.stride != null) pair("MaxPool2d", "stride", options.stride, 1);
  pair("MaxPool2d", "padding", options.padding ?? 0, 0);
  pair("MaxPool2d", "dilation", options.dilation ?? 1, 1);
}

/** Zeroes elements with probability p in training (scaling the rest by 1/(1-p)); identity in eval. */
export class Dropout extends Module {
  constructor(readonly p = 0.5) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new WasmgradError(`Dropout: probability p must be between 0 and 1 but got ${p}`);
    }
  }
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, this.training);
  }
  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}

export interface BatchNormLayerOptions {
  eps?: number;
  /** Weight of the newest batch in the running statistics; null: a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

/**
 * Batch normalisation over the channel dim, as torch.nn.BatchNorm{1,2}d: weight starts at 1,
 * bias at 0, running_mean at 0, running_var at 1; num_batches_tracked counts training batches
 * (a float32 scalar here, since every wasmgrad tensor is float32).
 */
abstract class BatchNorm extends Module {
  weight: Tensor | null;
  bias: Tensor | null;
  running_mean: Tensor | null;
  running_var: Tensor | null;
  num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  protected abstract checkInput(x: Tensor): boolean;

  constructor(
    protected readonly layer: string,
    readonly numFeatures: number,
    options: BatchNormLayerOptions = {},
  ) {
    super();
    if (!Number.isInteger(numFeatures) || numFeatures < 1) {
      throw new WasmgradError(
        `${layer}: numFeatures must be an integer >= 1 but got ${numFeatures}`,
      );
    }
    this.eps = options.eps ?? 1e-5;
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    this.affine = options.affine ?? true;
    this.trackRunningStats = options.trackRunningStats ?? true;
    this.weight = this.affine ? parameter(full([numFeatures], 1)) : null;
    this.bias = this.affine ? parameter(zeros([numFeatures])) : null;
    const track = this.trackRunningStats;
    this.running_mean = track ? buffer(zeros([numFeatures])) : null;
    this.running_var = track ? buffer(full([numFeatures], 1)) : null;
    this.num_batches_tracked = track ? buffer(zeros([])) : null;
  }

  forward(x: Tensor): Tensor {
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
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super("BatchNorm2d", numFeatures, options);
  }
  protected checkInput(x: Tensor): boolean {
    return x.ndim === 4;
  }
}

/** BatchNorm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: BatchNormLayerOptions = {}) {
    super("BatchNorm1d", numFeatures, options);
  }
  protected checkInput(x: Tensor): boolean {
    return x.ndim === 2 || x.ndim === 3;
  }
}
