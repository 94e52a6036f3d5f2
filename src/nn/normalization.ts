/**
 * LayerNorm, GroupNorm, RMSNorm and GELU, as torch.nn's: PyTorch's positional arguments (or a
 * trailing options object), parameter names, initialisation (weight 1, bias 0) and repr.
 */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import { full, zeros } from "../ops/creation.js";
import { approximateArg, type GeluApproximate, type GeluOptions, gelu } from "../ops/gelu.js";
import { groupNorm, instanceNorm, layerNorm, rmsNorm } from "../ops/layernorm.js";
import type { Tensor } from "../tensor.js";
import {
  type Args,
  boolOr,
  describe,
  hoist,
  intOr,
  keywordArgs,
  numOr,
  tensorArg,
} from "../validate.js";
import { Module, parameter } from "./module.js";
import { pyBool, pyFloat, pyStr, pyTuple } from "./repr.js";

function shapeArg(op: string, v: unknown): number[] {
  const shape = typeof v === "number" ? [v] : v;
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new WasmgradError(
      `${op}: normalizedShape must be an integer or an array of integers but got ${describe(v)}`,
    );
  }
  return [...shape];
}

/** Options of {@link LayerNorm}. */
export interface LayerNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /**
   * Learn a per-element scale (weight) and shift (bias) (default true; PyTorch's
   * `elementwise_affine`).
   */
  elementwiseAffine?: boolean;
  /** Learn the shift too, when `elementwiseAffine` (default true). */
  bias?: boolean;
}

/**
 * y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias over the trailing normalizedShape dims.
 *
 * PyTorch: `torch.nn.LayerNorm`.
 *
 * @example
 * ```ts
 * new wg.nn.LayerNorm(8).forward(wg.randn(2, 8)).shape; // [2, 8]
 * ```
 */
export class LayerNorm extends Module {
  /** The learnable scale, of shape `normalizedShape` (null unless `elementwiseAffine`). */
  weight: Tensor | null;
  /**
   * The learnable shift, of shape `normalizedShape` (null without `elementwiseAffine` or `bias`).
   */
  bias: Tensor | null;
  /** The trailing dims normalised over (PyTorch's `normalized_shape`). */
  readonly normalizedShape: number[];
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Whether the layer learns a scale and shift (PyTorch's `elementwise_affine`). */
  readonly elementwiseAffine: boolean;

  constructor(
    normalizedShape: number | number[],
    ...rest: (number | boolean | LayerNormOptions | undefined)[]
  ) {
    [normalizedShape, ...rest] = hoist(
      "LayerNorm",
      [normalizedShape, ...rest],
      ["normalizedShape"],
    ) as [number | number[], ...typeof rest];
    super();
    const op = "LayerNorm";
    this.normalizedShape = shapeArg(op, normalizedShape);
    const a = keywordArgs(op, rest, ["eps", "elementwiseAffine", "bias"]);
    this.eps = numOr(op, "eps", a.eps, 1e-5);
    this.elementwiseAffine = boolOr(op, "elementwiseAffine", a.elementwiseAffine, true);
    const bias = boolOr(op, "bias", a.bias, true);
    this.weight = this.elementwiseAffine ? parameter(full(this.normalizedShape, 1)) : null;
    this.bias = this.elementwiseAffine && bias ? parameter(zeros(this.normalizedShape)) : null;
  }

  /**
   * Normalises `x` over its trailing `normalizedShape` dims to mean 0 and variance 1, then scales
   * and shifts.
   */
  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of {@link RMSNorm}. */
export interface RMSNormOptions {
  /** Added to the mean square for stability (default null: the float32 machine epsilon). */
  eps?: number | null;
  /** Learn a per-element scale (default true; PyTorch's `elementwise_affine`). */
  elementwiseAffine?: boolean;
}

/**
 * y = x / sqrt(mean(x^2) + eps) * weight; eps null means float32's machine epsilon.
 *
 * PyTorch: `torch.nn.RMSNorm`.
 *
 * @example
 * ```ts
 * new wg.nn.RMSNorm(8).forward(wg.randn(2, 8)).shape; // [2, 8]
 * ```
 */
export class RMSNorm extends Module {
  /** The learnable scale, of shape `normalizedShape` (null unless `elementwiseAffine`). */
  weight: Tensor | null;
  /** The trailing dims normalised over (PyTorch's `normalized_shape`). */
  readonly normalizedShape: number[];
  /** Added to the mean square for stability (null: the float32 machine epsilon). */
  readonly eps: number | null;
  /** Whether the layer learns a scale (PyTorch's `elementwise_affine`). */
  readonly elementwiseAffine: boolean;

  constructor(
    normalizedShape: number | number[],
    ...rest: (number | null | boolean | RMSNormOptions | undefined)[]
  ) {
    [normalizedShape, ...rest] = hoist(
      "RMSNorm",
      [normalizedShape, ...rest],
      ["normalizedShape"],
    ) as [number | number[], ...typeof rest];
    super();
    const op = "RMSNorm";
    this.normalizedShape = shapeArg(op, normalizedShape);
    const a = keywordArgs(op, rest, ["eps", "elementwiseAffine"]);
    this.eps = a.eps === null || a.eps === undefined ? null : numOr(op, "eps", a.eps, 0);
    this.elementwiseAffine = boolOr(op, "elementwiseAffine", a.elementwiseAffine, true);
    this.weight = this.elementwiseAffine ? parameter(full(this.normalizedShape, 1)) : null;
  }

  /** x / sqrt(mean(x²) + eps) over the trailing `normalizedShape` dims, times the scale. */
  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps ?? undefined);
  }

  override extraRepr(): string {
    const eps = this.eps === null ? "None" : pyFloat(this.eps);
    return `${pyTuple(this.normalizedShape)}, eps=${eps}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of {@link GroupNorm}. */
export interface GroupNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Learn a per-channel scale and shift (default true). */
  affine?: boolean;
}

/**
 * Normalises each of numGroups channel groups of each sample; weight, bias per channel.
 *
 * PyTorch: `torch.nn.GroupNorm`.
 *
 * @example
 * ```ts
 * new wg.nn.GroupNorm(2, 4).forward(wg.randn(2, 4, 3, 3)).shape; // [2, 4, 3, 3]
 * ```
 */
export class GroupNorm extends Module {
  /** The learnable per-channel scale, [numChannels] (null unless `affine`). */
  weight: Tensor | null;
  /** The learnable per-channel shift, [numChannels] (null unless `affine`). */
  bias: Tensor | null;
  /** Added to the variance for stability. */
  readonly eps: number;
  /** Whether the layer learns a per-channel scale and shift. */
  readonly affine: boolean;

  constructor(
    /** The number of groups the channels are split into (PyTorch's `num_groups`). */
    readonly numGroups: number,
    /** The channels C of the input (PyTorch's `num_channels`). */
    readonly numChannels: number,
    ...rest: (number | boolean | GroupNormOptions | undefined)[]
  ) {
    [numGroups, numChannels, ...rest] = hoist(
      "GroupNorm",
      [numGroups, numChannels, ...rest],
      ["numGroups", "numChannels"],
    ) as [number, number, ...typeof rest];
    super();
    const op = "GroupNorm";
    intOr(op, "numGroups", numGroups, 1);
    intOr(op, "numChannels", numChannels, 1);
    if (numChannels % numGroups !== 0) {
      throw new WasmgradError(
        `${op}: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`,
      );
    }
    const a = keywordArgs(op, rest, ["eps", "affine"]);
    this.eps = numOr(op, "eps", a.eps, 1e-5);
    this.affine = boolOr(op, "affine", a.affine, true);
    this.weight = this.affine ? parameter(full([numChannels], 1)) : null;
    this.bias = this.affine ? parameter(zeros([numChannels])) : null;
  }

  /**
   * Normalises each group of channels of `x` ([N, C, ...]) over the group's channels and positions,
   * then scales and shifts per channel.
   */
  forward(x: Tensor): Tensor {
    tensorArg("GroupNorm", "input", x);
    if (x.ndim < 2 || x.shape[1] !== this.numChannels) {
      throw new WasmgradError(
        `GroupNorm: expected input [N, ${this.numChannels}, *] but got [${x.shape.join(", ")}]`,
      );
    }
    return groupNorm(x, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}

/** Options of {@link InstanceNorm1d} and {@link InstanceNorm2d}. */
export interface InstanceNormOptions {
  /** Added to the variance for stability (default 1e-5). */
  eps?: number;
  /** Kept for PyTorch's signature; used only with running statistics (default 0.1). */
  momentum?: number;
  /** Learn a per-channel scale and shift (default false, as PyTorch). */
  affine?: boolean;
  /** Keep running statistics: not supported, only false (the default) is accepted. */
  trackRunningStats?: boolean;
}

/** The arguments after numFeatures, positionally as PyTorch's or as options. */
type InstanceNormArgs = Args<
  [eps: number, momentum: number, affine: boolean, trackRunningStats: boolean],
  InstanceNormOptions
>;

/** InstanceNorm1d and InstanceNorm2d: the spatial rank and the layer's name differ. */
abstract class InstanceNormBase extends Module {
  /** The learnable per-channel scale, [numFeatures] (null unless `affine`). */
  weight: Tensor | null;
  /** The learnable per-channel shift, [numFeatures] (null unless `affine`). */
  bias: Tensor | null;
  /** Added to the variance for stability. */
  readonly eps: number;
  /** PyTorch's momentum (unused without running statistics). */
  readonly momentum: number;
  /** Whether the layer learns a per-channel scale and shift. */
  readonly affine: boolean;
  /** The channels C (PyTorch's `num_features`). */
  readonly numFeatures: number;

  protected constructor(
    private readonly layer: string,
    private readonly spatial: number,
    given: readonly unknown[],
  ) {
    super();
    const [numFeatures, ...rest] = hoist(layer, given, ["numFeatures"]);
    this.numFeatures = intOr(layer, "numFeatures", numFeatures, 1);
    const a = keywordArgs(layer, rest, ["eps", "momentum", "affine", "trackRunningStats"]);
    this.eps = numOr(layer, "eps", a.eps, 1e-5);
    this.momentum = numOr(layer, "momentum", a.momentum, 0.1);
    this.affine = boolOr(layer, "affine", a.affine, false);
    if (boolOr(layer, "trackRunningStats", a.trackRunningStats, false)) {
      throw new WasmgradError(
        `${layer}: trackRunningStats is not supported; each sample is normalised by its own statistics`,
      );
    }
    this.weight = this.affine ? parameter(full([this.numFeatures], 1)) : null;
    this.bias = this.affine ? parameter(zeros([this.numFeatures])) : null;
  }

  /** Normalises each channel of each sample of `x` ([N, C, *spatial] or unbatched [C, *spatial]). */
  forward(x: Tensor): Tensor {
    const op = this.layer;
    tensorArg(op, "input", x);
    const dims = this.spatial + 2;
    if (x.ndim !== dims && x.ndim !== dims - 1) {
      const s = this.spatial === 1 ? "L" : "H, W";
      throw new WasmgradError(
        `${op}: expected input [N, C, ${s}] or [C, ${s}] but got ${describe(x.shape)}`,
      );
    }
    const batched = x.ndim === dims;
    const c = x.shape[batched ? 1 : 0];
    if (this.affine && c !== this.numFeatures) {
      throw new WasmgradError(
        `${op}: expected ${this.numFeatures} channels but got input ${describe(x.shape)}`,
      );
    }
    const input = batched ? x : x.unsqueeze(0);
    const y = instanceNorm(
      input,
      null,
      null,
      this.weight,
      this.bias,
      true,
      this.momentum,
      this.eps,
    );
    return batched ? y : y.squeeze(0);
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${pyFloat(this.momentum)}, affine=${pyBool(this.affine)}, track_running_stats=False`;
  }
}

/**
 * Normalises each channel of each sample of [N, C, L] (or [C, L]) over its positions.
 *
 * PyTorch: `torch.nn.InstanceNorm1d`.
 *
 * @example
 * ```ts
 * new wg.nn.InstanceNorm1d(3).forward(wg.randn(2, 3, 5)).shape; // [2, 3, 5]
 * ```
 */
export class InstanceNorm1d extends InstanceNormBase {
  /** `InstanceNorm1d(numFeatures, eps?, momentum?, affine?, trackRunningStats?)`, or options. */
  constructor(numFeatures: number, ...rest: InstanceNormArgs) {
    super("InstanceNorm1d", 1, [numFeatures, ...rest]);
  }
}

/**
 * Normalises each channel of each sample of [N, C, H, W] (or [C, H, W]) over its positions, as
 * style-transfer networks do.
 *
 * PyTorch: `torch.nn.InstanceNorm2d`.
 *
 * @example
 * ```ts
 * new wg.nn.InstanceNorm2d(3, { affine: true }).forward(wg.randn(2, 3, 8, 8)).shape; // [2, 3, 8, 8]
 * ```
 */
export class InstanceNorm2d extends InstanceNormBase {
  /** `InstanceNorm2d(numFeatures, eps?, momentum?, affine?, trackRunningStats?)`, or options. */
  constructor(numFeatures: number, ...rest: InstanceNormArgs) {
    super("InstanceNorm2d", 2, [numFeatures, ...rest]);
  }
}

/**
 * GELU(approximate = "none" | "tanh").
 *
 * PyTorch: `torch.nn.GELU`.
 *
 * @example
 * ```ts
 * new wg.nn.GELU().forward(wg.tensor([-1, 0, 1])); // [-0.1587, 0, 0.8413]
 * ```
 */
export class GELU extends Module {
  /** "none" for the exact erf form, "tanh" for the tanh approximation. */
  readonly approximate: GeluApproximate;

  constructor(...rest: (GeluApproximate | GeluOptions | undefined)[]) {
    super();
    const a = keywordArgs("GELU", rest, ["approximate"]);
    approximateArg("GELU", a.approximate);
    this.approximate = (a.approximate as GeluApproximate | undefined) ?? "none";
  }

  /** x * Φ(x), Φ the standard normal CDF, elementwise. */
  forward(x: Tensor): Tensor {
    return gelu(x, this.approximate);
  }

  override extraRepr(): string {
    return `approximate=${pyStr(this.approximate)}`;
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [GELU, GroupNorm, InstanceNormBase, LayerNorm, RMSNorm]) {
  graphScopedForward(layer);
}
