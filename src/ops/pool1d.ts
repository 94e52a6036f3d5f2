/**
 * maxPool1d, avgPool1d, dropout1d and dropout2d, as torch.nn.functional. The 1-D pools run as
 * 2-D pools over [N, C, 1, L]; the channel dropouts multiply by one Bernoulli(1 - p) / (1 - p)
 * draw per channel (wasmgrad's generator, so manualSeed makes them reproducible), broadcast
 * over the channel's elements, which also gives the gradient.
 */
import { fmt } from "../errors.js";
import { uniform } from "../random.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, describe, fail, num, tensorArg } from "../validate.js";
import { mul } from "./binary.js";
import { tensor } from "./creation.js";
import { inplace as writeInPlace } from "./inplace.js";
import { avgPool2dAs, maxPool2dAs } from "./pool.js";
import { squeeze, unsqueeze } from "./shape.js";
import { shown1d } from "./shown.js";

type One = number | readonly [number];

function one(op: string, name: string, v: unknown): number {
  const x = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (typeof x !== "number" || !Number.isInteger(x)) {
    fail(op, `${name} must be an integer or a list of one but got ${describe(v)}`);
  }
  return x;
}

function check1d(op: string, x: Tensor): void {
  if (x.ndim !== 2 && x.ndim !== 3) {
    fail(op, `expected a 2-D [C, L] or 3-D [N, C, L] input but got ${fmt(x.shape)}`);
  }
}

/** Options of `F.maxPool1d`. */
export interface MaxPool1dOptions {
  /** The step of the window (default null: the kernel size). */
  stride?: One | null;
  /** Implicit -Infinity padding on each side, at most half the kernel (default 0). */
  padding?: One;
  /** The spacing between window elements (default 1). */
  dilation?: One;
  /** Round the output length up instead of down (default false; PyTorch's `ceil_mode`). */
  ceilMode?: boolean;
  /**
   * Also return the int32 positions of the maxima, as `[values, indices]` (default false;
   * PyTorch's `return_indices`).
   */
  returnIndices?: boolean;
}

/**
 * PyTorch's max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices).
 *
 * PyTorch: `torch.nn.functional.max_pool1d`.
 *
 * @example
 * ```ts
 * wg.F.maxPool1d(wg.tensor([[[1, 3, 2, 4]]]), 2); // [[[3, 4]]]
 * ```
 */
export function maxPool1d(
  input: Tensor,
  kernelSize: One,
  ...rest: Args<
    [stride: One | null, padding: One, dilation: One, ceilMode: boolean, returnIndices: boolean],
    MaxPool1dOptions
  >
): Tensor {
  const op = "maxPool1d";
  const x = tensorArg(op, "input", input);
  check1d(op, x);
  const a = args(op, rest, ["stride", "padding", "dilation", "ceilMode", "returnIndices"]);
  if (a.returnIndices !== undefined && bool(op, "returnIndices", a.returnIndices)) {
    fail(op, "returnIndices is not supported");
  }
  const k = one(op, "kernelSize", kernelSize);
  const y = maxPool2dAs(shown1d(op, x), unsqueeze(x, -2), [1, k], {
    stride: a.stride == null ? [1, k] : [1, one(op, "stride", a.stride)],
    padding: [0, one(op, "padding", a.padding ?? 0)],
    dilation: [1, one(op, "dilation", a.dilation ?? 1)],
    ceilMode: a.ceilMode === undefined ? false : bool(op, "ceilMode", a.ceilMode),
  });
  return squeeze(y, -2);
}

/** Options of `F.avgPool1d`. */
export interface AvgPool1dOptions {
  /** The step of the window (default null: the kernel size). */
  stride?: One | null;
  /** Implicit zero padding on each side, at most half the kernel (default 0). */
  padding?: One;
  /** Round the output length up instead of down (default false; PyTorch's `ceil_mode`). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true; PyTorch's `count_include_pad`). */
  countIncludePad?: boolean;
}

/**
 * PyTorch's avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad).
 *
 * PyTorch: `torch.nn.functional.avg_pool1d`.
 *
 * @example
 * ```ts
 * wg.F.avgPool1d(wg.ones(1, 2, 8), 2).shape; // [1, 2, 4]
 * ```
 */
export function avgPool1d(
  input: Tensor,
  kernelSize: One,
  ...rest: Args<
    [stride: One | null, padding: One, ceilMode: boolean, countIncludePad: boolean],
    AvgPool1dOptions
  >
): Tensor {
  const op = "avgPool1d";
  const x = tensorArg(op, "input", input);
  check1d(op, x);
  const a = args(op, rest, ["stride", "padding", "ceilMode", "countIncludePad"]);
  const k = one(op, "kernelSize", kernelSize);
  const y = avgPool2dAs(shown1d(op, x), unsqueeze(x, -2), [1, k], {
    stride: a.stride == null ? [1, k] : [1, one(op, "stride", a.stride)],
    padding: [0, one(op, "padding", a.padding ?? 0)],
    ceilMode: a.ceilMode === undefined ? false : bool(op, "ceilMode", a.ceilMode),
    countIncludePad:
      a.countIncludePad === undefined ? true : bool(op, "countIncludePad", a.countIncludePad),
  });
  return squeeze(y, -2);
}

/** Options of `F.dropout1d` and `F.dropout2d`. */
export interface ChannelDropoutOptions {
  /** The probability of zeroing a channel (default 0.5). */
  p?: number;
  /** Apply dropout; false returns the input unchanged (default true). */
  training?: boolean;
  /** Overwrite the input instead of allocating the result (default false). */
  inplace?: boolean;
}

function channelDropout(op: string, input: unknown, spatialDims: number, rest: readonly unknown[]) {
  const x = tensorArg(op, "input", input);
  const a = args(op, rest, ["p", "training", "inplace"]);
  const p = a.p === undefined ? 0.5 : num(op, "p", a.p, { min: 0, max: 1 });
  const training = a.training === undefined ? true : bool(op, "training", a.training);
  const inplace = a.inplace === undefined ? false : bool(op, "inplace", a.inplace);
  if (x.ndim !== spatialDims + 1 && x.ndim !== spatialDims + 2) {
    fail(
      op,
      `expected a ${spatialDims + 1}-D (unbatched) or ${spatialDims + 2}-D input but got ${fmt(x.shape)}`,
    );
  }
  if (!training || p === 0) return x;
  const lead = x.shape.slice(0, x.ndim - spatialDims);
  const n = lead.reduce((s, d) => s * d, 1);
  const m = new Float32Array(n);
  for (let i = 0; i < n; i++) m[i] = p === 1 ? 0 : uniform() < p ? 0 : 1 / (1 - p);
  const mask = tensor(m, { shape: [...lead, ...new Array(spatialDims).fill(1)] });
  if (inplace) {
    writeInPlace(op, x, [], (s) => mul(s, mask));
    if (!x.requiresGrad) mask.dispose();
    return x;
  }
  return mul(x, mask);
}

/**
 * Zeroes whole channels of [N, C, L] (or [C, L]) with probability p in training.
 *
 * PyTorch: `torch.nn.functional.dropout1d`.
 *
 * @example
 * ```ts
 * wg.F.dropout1d(wg.ones(1, 4, 8), { p: 0.5, training: true }); // whole channels zeroed
 * ```
 */
export function dropout1d(
  input: Tensor,
  ...rest: Args<[p: number, training: boolean, inplace: boolean], ChannelDropoutOptions>
): Tensor {
  return channelDropout("dropout1d", input, 1, rest);
}

/**
 * Zeroes whole channels of [N, C, H, W] (or [C, H, W]) with probability p in training.
 *
 * PyTorch: `torch.nn.functional.dropout2d`.
 *
 * @example
 * ```ts
 * wg.F.dropout2d(wg.ones(1, 4, 3, 3), { p: 0.5, training: true }); // whole channels zeroed
 * ```
 */
export function dropout2d(
  input: Tensor,
  ...rest: Args<[p: number, training: boolean, inplace: boolean], ChannelDropoutOptions>
): Tensor {
  return channelDropout("dropout2d", input, 2, rest);
}
