/**
 * LayerNorm, GroupNorm, RMSNorm and GELU, as torch.nn's: PyTorch's positional arguments (or a
 * trailing options object), parameter names, initialisation (weight 1, bias 0) and repr.
 */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import { full, zeros } from "../ops/creation.js";
import { approximateArg, type GeluApproximate, type GeluOptions, gelu } from "../ops/gelu.js";
import { groupNorm, layerNorm, rmsNorm } from "../ops/layernorm.js";
import type { Tensor } from "../tensor.js";
import { boolOr, describe, intOr, keywordArgs, numOr, tensorArg } from "../validate.js";
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

export interface LayerNormOptions {
  eps?: number;
  elementwiseAffine?: boolean;
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
  weight: Tensor | null;
  bias: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(
    normalizedShape: number | number[],
    ...rest: (number | boolean | LayerNormOptions | undefined)[]
  ) {
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

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pyTuple(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface RMSNormOptions {
  eps?: number | null;
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
  weight: Tensor | null;
  readonly normalizedShape: number[];
  readonly eps: number | null;
  readonly elementwiseAffine: boolean;

  constructor(
    normalizedShape: number | number[],
    ...rest: (number | null | boolean | RMSNormOptions | undefined)[]
  ) {
    super();
    const op = "RMSNorm";
    this.normalizedShape = shapeArg(op, normalizedShape);
    const a = keywordArgs(op, rest, ["eps", "elementwiseAffine"]);
    this.eps = a.eps === null || a.eps === undefined ? null : numOr(op, "eps", a.eps, 0);
    this.elementwiseAffine = boolOr(op, "elementwiseAffine", a.elementwiseAffine, true);
    this.weight = this.elementwiseAffine ? parameter(full(this.normalizedShape, 1)) : null;
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.normalizedShape, this.weight, this.eps ?? undefined);
  }

  override extraRepr(): string {
    const eps = this.eps === null ? "None" : pyFloat(this.eps);
    return `${pyTuple(this.normalizedShape)}, eps=${eps}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

export interface GroupNormOptions {
  eps?: number;
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
  weight: Tensor | null;
  bias: Tensor | null;
  readonly eps: number;
  readonly affine: boolean;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    ...rest: (number | boolean | GroupNormOptions | undefined)[]
  ) {
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
  readonly approximate: GeluApproximate;

  constructor(...rest: (GeluApproximate | GeluOptions | undefined)[]) {
    super();
    const a = keywordArgs("GELU", rest, ["approximate"]);
    approximateArg("GELU", a.approximate);
    this.approximate = (a.approximate as GeluApproximate | undefined) ?? "none";
  }

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
for (const layer of [GELU, GroupNorm, LayerNorm, RMSNorm]) graphScopedForward(layer);
