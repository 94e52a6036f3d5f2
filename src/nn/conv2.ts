/**
 * Conv1d, ConvTranspose1d and ConvTranspose2d, as torch.nn, with PyTorch's positional order
 * (`new ConvTranspose2d(100, 64, 4, 1, 0, { bias: false })`), parameter names, shapes and
 * default init: weight and bias uniform in ±1/sqrt(fanIn) with fanIn = weight.shape[1] * kernel
 * elements (kaiming_uniform_(a = sqrt(5)) and its bias rule); for the transposed layers
 * weight.shape[1] is outChannels / groups, as PyTorch computes it.
 */

import { graphScopedForward } from "../autograd/owned.js";
import { fmt } from "../errors.js";
import { type Pair, pair } from "../ops/conv.js";
import { conv1d, convTranspose1d, convTranspose2d } from "../ops/conv-transpose.js";
import { uniformRange } from "../ops/creation.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, fail, hoist, oneOf, size, tensorArg } from "../validate.js";
import { Module, parameter } from "./module.js";
import { pyTuple } from "./repr.js";

function channels(
  op: string,
  inC: unknown,
  outC: unknown,
  groups: unknown,
): [number, number, number] {
  const i = size(op, "inChannels", inC, 1);
  const o = size(op, "outChannels", outC, 1);
  const g = groups === undefined ? 1 : size(op, "groups", groups, 1);
  if (i % g !== 0 || o % g !== 0) {
    fail(op, `inChannels (${i}) and outChannels (${o}) must both be divisible by groups (${g})`);
  }
  return [i, o, g];
}

function biasFlag(op: string, v: unknown): boolean {
  return v === undefined ? true : bool(op, "bias", v);
}

function paddingMode(op: string, v: unknown): void {
  if (v !== undefined) oneOf(op, "paddingMode", v, ["zeros"]);
}

/** Parameters uniform in ±1/sqrt(fanIn), as PyTorch's _ConvNd.reset_parameters. */
function init(shape: number[], withBias: boolean, biasSize: number): [Tensor, Tensor | null] {
  const fanIn = shape.slice(1).reduce((p, d) => p * d, 1);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  const w = parameter(uniformRange(shape, -bound, bound));
  return [w, withBias ? parameter(uniformRange([biasSize], -bound, bound)) : null];
}

type One = number | readonly [number];
const one = (op: string, name: string, v: unknown, min: number): number => {
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  return pair(op, name, x as Pair, min)[0];
};

/** Options of {@link Conv1d}. */
export interface Conv1dLayerOptions {
  /** The step of the kernel (default 1). */
  stride?: One;
  /**
   * Zero padding on each side, or "valid" (none) or "same" (output length = input length)
   * (default 0).
   */
  padding?: One | "valid" | "same";
  /** The spacing between kernel elements (default 1). */
  dilation?: One;
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** Only "zeros" (the default) is supported (PyTorch's `padding_mode`). */
  paddingMode?: "zeros";
}

/**
 * 1-D convolution over [N, C, L] (or [C, L]): weight [out, in / groups, k], bias [out].
 *
 * PyTorch: `torch.nn.Conv1d`.
 *
 * @example
 * ```ts
 * new wg.nn.Conv1d(2, 4, 3).forward(wg.ones(1, 2, 10)).shape; // [1, 4, 8]
 * ```
 */
export class Conv1d extends Module {
  /** The learnable kernels, [outChannels, inChannels / groups, kernelSize]. */
  weight: Tensor;
  /** The learnable bias, [outChannels] (null when made with `bias: false`). */
  bias: Tensor | null;
  /** The channels of the input (PyTorch's `in_channels`). */
  readonly inChannels: number;
  /** The channels of the output (PyTorch's `out_channels`). */
  readonly outChannels: number;
  /** The kernel's length, as [k] (PyTorch's `kernel_size`). */
  readonly kernelSize: [number];
  /** The step of the kernel, as [s]. */
  readonly stride: [number];
  /** Zero padding on each side, as [p], or "valid" or "same". */
  readonly padding: [number] | "valid" | "same";
  /** The spacing between kernel elements, as [d]. */
  readonly dilation: [number];
  /** The number of independent channel groups. */
  readonly groups: number;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: One,
    ...rest: Args<
      [
        stride: One,
        padding: One | "valid" | "same",
        dilation: One,
        groups: number,
        bias: boolean,
        paddingMode: "zeros",
      ],
      Conv1dLayerOptions
    >
  ) {
    [inChannels, outChannels, kernelSize, ...rest] = hoist(
      "Conv1d",
      [inChannels, outChannels, kernelSize, ...rest],
      ["inChannels", "outChannels", "kernelSize"],
    ) as [number, number, One, ...typeof rest];
    super();
    const op = "Conv1d";
    const a = args(op, rest, ["stride", "padding", "dilation", "groups", "bias", "paddingMode"]);
    [this.inChannels, this.outChannels, this.groups] = channels(
      op,
      inChannels,
      outChannels,
      a.groups,
    );
    this.kernelSize = [one(op, "kernelSize", kernelSize, 1)];
    this.stride = [one(op, "stride", a.stride ?? 1, 1)];
    this.dilation = [one(op, "dilation", a.dilation ?? 1, 1)];
    const p = a.padding ?? 0;
    this.padding = p === "same" || p === "valid" ? p : [one(op, "padding", p, 0)];
    if (p === "same" && this.stride[0] !== 1)
      fail(op, `padding="same" needs stride 1 but got ${this.stride[0]}`);
    paddingMode(op, a.paddingMode);
    const shape = [this.outChannels, this.inChannels / this.groups, this.kernelSize[0]];
    [this.weight, this.bias] = init(shape, biasFlag(op, a.bias), this.outChannels);
  }

  override extraRepr(): string {
    const p = this.padding;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof p === "string") s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
  /** The convolution of `x` ([N, inChannels, L], or unbatched [inChannels, L]). */
  forward(x: Tensor): Tensor {
    tensorArg("Conv1d", "input", x);
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 2] !== this.inChannels) {
      fail(
        "Conv1d",
        `expected input [N, ${this.inChannels}, L] or [${this.inChannels}, L] but got ${fmt(x.shape)}`,
      );
    }
    const { stride, dilation, groups } = this;
    const padding = typeof this.padding === "string" ? this.padding : this.padding[0];
    return conv1d(x, this.weight, this.bias, { stride, padding, dilation, groups });
  }
}

/**
 * Options of {@link ConvTranspose1d} (P = a number) and {@link ConvTranspose2d} (P = a number or
 * [h, w]).
 */
export interface ConvTransposeLayerOptions<P> {
  /** The stride of the convolution this transposes (default 1). */
  stride?: P;
  /**
   * `dilation * (kernel - 1) - padding` zero padding is added to each side of the input
   * (default 0).
   */
  padding?: P;
  /** Extra size added to one side of the output (default 0; PyTorch's `output_padding`). */
  outputPadding?: P;
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
  /** Learn an additive bias per output channel (default true). */
  bias?: boolean;
  /** The spacing between kernel elements (default 1). */
  dilation?: P;
  /** Only "zeros" (the default) is supported (PyTorch's `padding_mode`). */
  paddingMode?: "zeros";
}

type TArgs<P> = [
  stride: P,
  padding: P,
  outputPadding: P,
  groups: number,
  bias: boolean,
  dilation: P,
  paddingMode: "zeros",
];
const T_NAMES = [
  "stride",
  "padding",
  "outputPadding",
  "groups",
  "bias",
  "dilation",
  "paddingMode",
] as const;

/**
 * Transposed 2-D convolution (the gradient of Conv2d with respect to its input) over input
 * of shape [N, C, H, W]: weight [in, out / groups, kH, kW], bias [out].
 *
 * PyTorch: `torch.nn.ConvTranspose2d`.
 *
 * @example
 * ```ts
 * new wg.nn.ConvTranspose2d(2, 3, 2, { stride: 2 }).forward(wg.ones(1, 2, 4, 4)).shape; // [1, 3, 8, 8]
 * ```
 */
export class ConvTranspose2d extends Module {
  /** The learnable kernels, [inChannels, outChannels / groups, kH, kW] (PyTorch's layout). */
  weight: Tensor;
  /** The learnable bias, [outChannels] (null when made with `bias: false`). */
  bias: Tensor | null;
  /** The channels of the input (PyTorch's `in_channels`). */
  readonly inChannels: number;
  /** The channels of the output (PyTorch's `out_channels`). */
  readonly outChannels: number;
  /** The kernel's [height, width] (PyTorch's `kernel_size`). */
  readonly kernelSize: [number, number];
  /** The stride, [sH, sW]. */
  readonly stride: [number, number];
  /** The padding, [pH, pW]. */
  readonly padding: [number, number];
  /** Extra output size on one side, [oH, oW] (PyTorch's `output_padding`). */
  readonly outputPadding: [number, number];
  /** The spacing between kernel elements, [dH, dW]. */
  readonly dilation: [number, number];
  /** The number of independent channel groups. */
  readonly groups: number;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Pair,
    ...rest: Args<TArgs<Pair>, ConvTransposeLayerOptions<Pair>>
  ) {
    [inChannels, outChannels, kernelSize, ...rest] = hoist(
      "ConvTranspose2d",
      [inChannels, outChannels, kernelSize, ...rest],
      ["inChannels", "outChannels", "kernelSize"],
    ) as [number, number, Pair, ...typeof rest];
    super();
    const op = "ConvTranspose2d";
    const a = args(op, rest, T_NAMES);
    [this.inChannels, this.outChannels, this.groups] = channels(
      op,
      inChannels,
      outChannels,
      a.groups,
    );
    this.kernelSize = pair(op, "kernelSize", kernelSize, 1);
    this.stride = pair(op, "stride", a.stride ?? 1, 1);
    this.padding = pair(op, "padding", a.padding ?? 0, 0);
    this.outputPadding = pair(op, "outputPadding", a.outputPadding ?? 0, 0);
    this.dilation = pair(op, "dilation", a.dilation ?? 1, 1);
    for (const i of [0, 1]) {
      if (this.outputPadding[i] >= this.stride[i] && this.outputPadding[i] >= this.dilation[i]) {
        fail(
          op,
          `outputPadding ${fmt(this.outputPadding)} must be smaller than either stride ${fmt(this.stride)} or dilation ${fmt(this.dilation)}`,
        );
      }
    }
    paddingMode(op, a.paddingMode);
    const shape = [this.inChannels, this.outChannels / this.groups, ...this.kernelSize];
    [this.weight, this.bias] = init(shape, biasFlag(op, a.bias), this.outChannels);
  }

  override extraRepr(): string {
    const p = this.padding;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof p === "string") s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0))
      s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
  /** The transposed convolution of `x` ([N, inChannels, H, W] or [inChannels, H, W]). */
  forward(x: Tensor): Tensor {
    tensorArg("ConvTranspose2d", "input", x);
    if ((x.ndim !== 3 && x.ndim !== 4) || x.shape[x.ndim - 3] !== this.inChannels) {
      fail(
        "ConvTranspose2d",
        `expected input [N, ${this.inChannels}, H, W] or [${this.inChannels}, H, W] but got ${fmt(x.shape)}`,
      );
    }
    const { stride, padding, outputPadding, groups, dilation } = this;
    return convTranspose2d(x, this.weight, this.bias, {
      stride,
      padding,
      outputPadding,
      groups,
      dilation,
    });
  }
}

/**
 * Transposed 1-D convolution over [N, C, L]: weight [in, out / groups, k], bias [out].
 *
 * PyTorch: `torch.nn.ConvTranspose1d`.
 *
 * @example
 * ```ts
 * new wg.nn.ConvTranspose1d(2, 3, 2, { stride: 2 }).forward(wg.ones(1, 2, 4)).shape; // [1, 3, 8]
 * ```
 */
export class ConvTranspose1d extends Module {
  /** The learnable kernels, [inChannels, outChannels / groups, kernelSize] (PyTorch's layout). */
  weight: Tensor;
  /** The learnable bias, [outChannels] (null when made with `bias: false`). */
  bias: Tensor | null;
  /** The channels of the input (PyTorch's `in_channels`). */
  readonly inChannels: number;
  /** The channels of the output (PyTorch's `out_channels`). */
  readonly outChannels: number;
  /** The kernel's length, as [k] (PyTorch's `kernel_size`). */
  readonly kernelSize: [number];
  /** The stride, as [s]. */
  readonly stride: [number];
  /** The padding, as [p]. */
  readonly padding: [number];
  /** Extra output length on one side, as [o] (PyTorch's `output_padding`). */
  readonly outputPadding: [number];
  /** The spacing between kernel elements, as [d]. */
  readonly dilation: [number];
  /** The number of independent channel groups. */
  readonly groups: number;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: One,
    ...rest: Args<TArgs<One>, ConvTransposeLayerOptions<One>>
  ) {
    [inChannels, outChannels, kernelSize, ...rest] = hoist(
      "ConvTranspose1d",
      [inChannels, outChannels, kernelSize, ...rest],
      ["inChannels", "outChannels", "kernelSize"],
    ) as [number, number, One, ...typeof rest];
    super();
    const op = "ConvTranspose1d";
    const a = args(op, rest, T_NAMES);
    [this.inChannels, this.outChannels, this.groups] = channels(
      op,
      inChannels,
      outChannels,
      a.groups,
    );
    this.kernelSize = [one(op, "kernelSize", kernelSize, 1)];
    this.stride = [one(op, "stride", a.stride ?? 1, 1)];
    this.padding = [one(op, "padding", a.padding ?? 0, 0)];
    this.outputPadding = [one(op, "outputPadding", a.outputPadding ?? 0, 0)];
    this.dilation = [one(op, "dilation", a.dilation ?? 1, 1)];
    if (this.outputPadding[0] >= this.stride[0] && this.outputPadding[0] >= this.dilation[0]) {
      fail(
        op,
        `outputPadding ${this.outputPadding[0]} must be smaller than either stride ${this.stride[0]} or dilation ${this.dilation[0]}`,
      );
    }
    paddingMode(op, a.paddingMode);
    const shape = [this.inChannels, this.outChannels / this.groups, this.kernelSize[0]];
    [this.weight, this.bias] = init(shape, biasFlag(op, a.bias), this.outChannels);
  }

  override extraRepr(): string {
    const p = this.padding;
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyTuple(this.kernelSize)}, stride=${pyTuple(this.stride)}`;
    if (typeof p === "string") s += `, padding=${p}`;
    else if (p.some((v) => v !== 0)) s += `, padding=${pyTuple(p)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=${pyTuple(this.dilation)}`;
    if (this.outputPadding.some((v) => v !== 0))
      s += `, output_padding=${pyTuple(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ", bias=False";
    return s;
  }
  /** The transposed convolution of `x` ([N, inChannels, L] or [inChannels, L]). */
  forward(x: Tensor): Tensor {
    tensorArg("ConvTranspose1d", "input", x);
    if ((x.ndim !== 2 && x.ndim !== 3) || x.shape[x.ndim - 2] !== this.inChannels) {
      fail(
        "ConvTranspose1d",
        `expected input [N, ${this.inChannels}, L] or [${this.inChannels}, L] but got ${fmt(x.shape)}`,
      );
    }
    const { stride, padding, outputPadding, groups, dilation } = this;
    return convTranspose1d(x, this.weight, this.bias, {
      stride,
      padding,
      outputPadding,
      groups,
      dilation,
    });
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [Conv1d, ConvTranspose1d, ConvTranspose2d]) graphScopedForward(layer);
