/**
 * Adaptive pools, F.interpolate (nearest, linear, bilinear, bicubic), F.pad (constant, reflect,
 * replicate, circular) and F.pixelShuffle, as torch.nn.functional, with PyTorch's index arithmetic
 * (adaptive windows, area_pixel_compute_source_index, nearest's floor(o * scale)). Each is a
 * product of 1-D maps run by the resample kernels (see resample-map.ts).
 */
import { fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";
import {
  type Args,
  args,
  bool,
  describe,
  fail,
  hoist,
  int,
  named,
  num,
  oneOf,
  size,
  tensorArg,
} from "../validate.js";
import { adaptiveMap, linearMap, type Map1D, windowMax } from "./resample-map.js";
import { permute, reshape } from "./shape.js";

type Size2 = number | null | readonly [number | null, number | null];

function outputSizes(op: string, x: Tensor, v: unknown, dims: number): number[] {
  const list = typeof v === "number" || v === null ? new Array(dims).fill(v) : v;
  if (!Array.isArray(list) || list.length !== dims) {
    fail(op, `outputSize must be an integer or a list of ${dims} but got ${describe(v)}`);
  }
  return list.map((s: unknown, i: number) =>
    s === null ? x.shape[x.ndim - dims + i] : size(op, "outputSize", s, 0),
  );
}

function spatial(op: string, x: Tensor, dims: number): void {
  if (x.ndim !== dims + 1 && x.ndim !== dims + 2) {
    const names = dims === 1 ? "L" : "H, W";
    fail(
      op,
      `expected a ${dims + 1}-D [C, ${names}] or ${dims + 2}-D [N, C, ${names}] input but got ${fmt(x.shape)}`,
    );
  }
  for (let d = x.ndim - dims; d < x.ndim; d++) {
    if (x.shape[d] === 0) fail(op, `input ${fmt(x.shape)} has an empty spatial dim`);
  }
}

function adaptive(op: string, input: unknown, outputSize: unknown, dims: number, max: boolean) {
  const x = tensorArg(op, "input", input);
  spatial(op, x, dims);
  const out = outputSizes(op, x, outputSize, dims);
  const maps = out.map((o, i) => adaptiveMap(x.shape[x.ndim - dims + i], o));
  return max ? windowMax(op, x, maps) : linearMap(op, x, maps);
}

/**
 * Average pooling to a fixed output size: NCHW or CHW in, [..., outH, outW] out.
 *
 * PyTorch: `torch.nn.functional.adaptive_avg_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.adaptiveAvgPool2d(wg.ones(1, 3, 7, 7), 1).shape; // [1, 3, 1, 1]
 * ```
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: Size2): Tensor {
  return adaptive("adaptiveAvgPool2d", input, outputSize, 2, false);
}

/**
 * Average pooling to a fixed output length: [N, C, L] or [C, L] in, [..., outputSize] out.
 *
 * PyTorch: `torch.nn.functional.adaptive_avg_pool1d`.
 *
 * @example
 * ```ts
 * wg.F.adaptiveAvgPool1d(wg.ones(1, 2, 10), 3).shape; // [1, 2, 3]
 * ```
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly [number]): Tensor {
  return adaptive("adaptiveAvgPool1d", input, outputSize, 1, false);
}

/**
 * Adaptive max pooling (returnIndices is not supported).
 *
 * PyTorch: `torch.nn.functional.adaptive_max_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.adaptiveMaxPool2d(wg.ones(1, 3, 8, 8), [2, 2]).shape; // [1, 3, 2, 2]
 * ```
 */
export function adaptiveMaxPool2d(
  input: Tensor,
  outputSize: Size2,
  ...rest: Args<[returnIndices: boolean], { returnIndices?: boolean }>
): Tensor {
  const op = "adaptiveMaxPool2d";
  const a = args(op, rest, ["returnIndices"]);
  if (a.returnIndices !== undefined && bool(op, "returnIndices", a.returnIndices)) {
    fail(op, "returnIndices is not supported");
  }
  return adaptive(op, input, outputSize, 2, true);
}

// ---------------------------------------------------------------------------- interpolate

/**
 * The interpolation methods of interpolate and nn.Upsample, as PyTorch names them.
 */
export type InterpolateMode = "nearest" | "linear" | "bilinear" | "bicubic";

/** The modes interpolate and nn.Upsample accept, in PyTorch's order. */
export const interpolateModes = ["nearest", "linear", "bilinear", "bicubic"] as const;

/** Options of `F.interpolate`. */
export interface InterpolateOptions {
  /**
   * The output's spatial size (one number for every spatial dim, or one per dim); give this or
   * `scaleFactor`.
   */
  size?: number | readonly number[] | null;
  /**
   * The multiplier of the spatial size (one number or one per dim); give this or `size` (PyTorch's
   * `scale_factor`).
   */
  scaleFactor?: number | readonly number[] | null;
  /**
   * The sampling algorithm: "nearest" (default), "linear" (3-D input) or "bilinear" (4-D
   * input).
   */
  mode?: InterpolateMode;
  /**
   * For the linear modes: align the corner pixels' centres of input and output (default null:
   * false; PyTorch's `align_corners`).
   */
  alignCorners?: boolean | null;
  /**
   * Compute the sampling from the output size rather than from `scaleFactor` (default null:
   * false; PyTorch's `recompute_scale_factor`).
   */
  recomputeScaleFactor?: boolean | null;
  /**
   * Anti-aliasing when downsampling: only false (the default) is supported.
   */
  antialias?: boolean;
}

function nearestMap(inSize: number, outSize: number, scale: number): Map1D {
  const rows: [number, number][][] = [];
  for (let o = 0; o < outSize; o++) {
    const src = Math.min(Math.floor(Math.fround(o * scale)), inSize - 1);
    rows.push([[src, 1]]);
  }
  return { inSize, rows };
}

function linearMap1(inSize: number, outSize: number, scale: number, alignCorners: boolean): Map1D {
  const rows: [number, number][][] = [];
  for (let o = 0; o < outSize; o++) {
    const src = alignCorners ? scale * o : Math.max(scale * (o + 0.5) - 0.5, 0);
    const i0 = Math.floor(src);
    const l1 = src - i0;
    const i1 = i0 < inSize - 1 ? i0 + 1 : i0;
    rows.push(
      i1 === i0
        ? [[i0, 1]]
        : [
            [i0, 1 - l1],
            [i1, l1],
          ],
    );
  }
  return { inSize, rows };
}

/** Keys's cubic convolution weights for the taps at -1, 0, 1, 2 from floor(src), A = -0.75. */
function cubicWeights(t: number): [number, number, number, number] {
  const A = -0.75;
  const near = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
  const far = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/**
 * PyTorch's upsample_bicubic2d along one dim: the source index without the clamp at 0 that
 * linear applies, four taps around it, each tap index clamped into the input (border taps are
 * repeats of the edge, their weights summed).
 */
function cubicMap1(inSize: number, outSize: number, scale: number, alignCorners: boolean): Map1D {
  const rows: [number, number][][] = [];
  for (let o = 0; o < outSize; o++) {
    const src = alignCorners ? scale * o : scale * (o + 0.5) - 0.5;
    const i0 = Math.floor(src);
    const w = cubicWeights(src - i0);
    const row: [number, number][] = [];
    for (let j = 0; j < 4; j++) {
      const i = Math.min(Math.max(i0 - 1 + j, 0), inSize - 1);
      const same = row.find((e) => e[0] === i);
      if (same) same[1] += w[j];
      else row.push([i, w[j]]);
    }
    rows.push(row);
  }
  return { inSize, rows };
}

/**
 * Resizes the spatial dims of [N, C, L] or [N, C, H, W] input to `size` or by `scaleFactor`:
 * PyTorch's interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor).
 * Modes: "nearest" (3-D or 4-D), "linear" (3-D), "bilinear" and "bicubic" (4-D; bicubic is
 * Keys's cubic with A = -0.75 and edge-clamped taps, so it may overshoot the input's range).
 *
 * PyTorch: `torch.nn.functional.interpolate`.
 *
 * @example
 * ```ts
 * wg.F.interpolate(wg.ones(1, 1, 4, 4), { scaleFactor: 2, mode: "nearest" }).shape; // [1, 1, 8, 8]
 * wg.F.interpolate(wg.ones(1, 1, 4, 4), { size: [6, 3], mode: "bicubic" }).shape; // [1, 1, 6, 3]
 * ```
 */
export function interpolate(
  input: Tensor,
  ...rest: Args<
    [
      size: InterpolateOptions["size"],
      scaleFactor: InterpolateOptions["scaleFactor"],
      mode: InterpolateMode,
      alignCorners: boolean | null,
      recomputeScaleFactor: boolean | null,
      antialias: boolean,
    ],
    InterpolateOptions
  >
): Tensor {
  const op = "interpolate";
  const x = tensorArg(op, "input", input);
  const a = args(op, rest, [
    "size",
    "scaleFactor",
    "mode",
    "alignCorners",
    "recomputeScaleFactor",
    "antialias",
  ]);
  const mode = a.mode === undefined ? "nearest" : oneOf(op, "mode", a.mode, interpolateModes);
  const dims = x.ndim - 2;
  const planar = mode === "bilinear" || mode === "bicubic";
  if (dims < 1 || dims > 2 || (mode === "linear" && dims !== 1) || (planar && dims !== 2)) {
    fail(
      op,
      `mode "${mode}" expects a ${mode === "linear" ? "3-D" : planar ? "4-D" : "3-D or 4-D"} input but got ${fmt(x.shape)}`,
    );
  }
  const alignCorners = a.alignCorners == null ? false : bool(op, "alignCorners", a.alignCorners);
  if (alignCorners && mode === "nearest") {
    fail(
      op,
      'alignCorners can only be set with the interpolating modes "linear", "bilinear" and "bicubic"',
    );
  }
  if (a.antialias !== undefined && bool(op, "antialias", a.antialias))
    fail(op, "antialias is not supported");
  const recompute =
    a.recomputeScaleFactor == null
      ? false
      : bool(op, "recomputeScaleFactor", a.recomputeScaleFactor);
  const given = (v: unknown, name: string, f: (e: unknown) => number): number[] | null => {
    if (v === undefined || v === null) return null;
    const list = Array.isArray(v) ? v : new Array(dims).fill(v);
    if (list.length !== dims) fail(op, `${name} must have ${dims} elements but got ${describe(v)}`);
    return list.map(f);
  };
  const sizes = given(a.size, "size", (e) => size(op, "size", e, 1));
  const factors = given(a.scaleFactor, "scaleFactor", (e) =>
    num(op, "scaleFactor", e, { gt: 0, finite: true }),
  );
  if ((sizes === null) === (factors === null))
    fail(op, "exactly one of size and scaleFactor must be given");
  const maps: Map1D[] = [];
  for (let d = 0; d < dims; d++) {
    const inSize = x.shape[2 + d];
    const outSize = sizes !== null ? sizes[d] : Math.floor(inSize * (factors as number[])[d]);
    if (outSize < 1) fail(op, `the output size along dim ${2 + d} would be ${outSize}`);
    const factor = factors !== null && !recompute ? factors[d] : null;
    if (mode === "nearest") {
      maps.push(
        nearestMap(
          inSize,
          outSize,
          factor !== null ? Math.fround(1 / factor) : Math.fround(inSize / outSize),
        ),
      );
    } else {
      const scale = alignCorners
        ? outSize > 1
          ? (inSize - 1) / (outSize - 1)
          : 0
        : factor !== null
          ? 1 / factor
          : inSize / outSize;
      const map1 = mode === "bicubic" ? cubicMap1 : linearMap1;
      maps.push(map1(inSize, outSize, scale, alignCorners));
    }
  }
  return linearMap(op, x, maps);
}

// ---------------------------------------------------------------------------- pad

/**
 * How pad fills: a constant, or reflect, replicate or circular copies of the edge.
 */
export type PadMode = "constant" | "reflect" | "replicate" | "circular";

function padMap(op: string, mode: PadMode, inSize: number, before: number, after: number): Map1D {
  const outSize = inSize + before + after;
  if (outSize < 0)
    fail(op, `padding (${before}, ${after}) leaves a negative size for a dim of ${inSize}`);
  if (mode === "reflect" && (before >= inSize || after >= inSize)) {
    fail(
      op,
      `reflect padding (${before}, ${after}) must be smaller than the dim it pads (${inSize})`,
    );
  }
  if (mode === "circular" && (before > inSize || after > inSize)) {
    fail(
      op,
      `circular padding (${before}, ${after}) must be at most the size of the dim it pads (${inSize})`,
    );
  }
  if (mode !== "constant" && inSize === 0) fail(op, `${mode} padding needs a non-empty dim`);
  const rows: [number, number][][] = [];
  for (let o = 0; o < outSize; o++) {
    let i = o - before;
    if (mode === "constant") {
      rows.push(i >= 0 && i < inSize ? [[i, 1]] : []);
      continue;
    }
    if (mode === "reflect") i = i < 0 ? -i : i >= inSize ? 2 * (inSize - 1) - i : i;
    else if (mode === "circular") i = (i + inSize) % inSize;
    else i = Math.min(Math.max(i, 0), inSize - 1);
    rows.push([[i, 1]]);
  }
  return { inSize, rows };
}

/**
 * Pads the last dims: `pad` = [left, right, top, bottom, ...] from the last dim backwards, as
 * PyTorch's F.pad(input, pad, mode, value). Constant padding may be negative (cropping).
 *
 * PyTorch: `torch.nn.functional.pad`.
 *
 * @example
 * ```ts
 * wg.F.pad(wg.tensor([[1, 2]]), [1, 1]); // [[0, 1, 2, 0]]
 * ```
 */
export function pad(
  input: Tensor,
  padding: readonly number[],
  ...rest: Args<[mode: PadMode, value: number | null], { mode?: PadMode; value?: number | null }>
): Tensor {
  const op = "pad";
  [padding, ...rest] = hoist(op, [padding, ...rest], ["pad"]) as [number[], ...typeof rest];
  const x = tensorArg(op, "input", input);
  const a = args(op, rest, ["mode", "value"]);
  const mode =
    a.mode === undefined
      ? "constant"
      : oneOf(op, "mode", a.mode, ["constant", "reflect", "replicate", "circular"] as const);
  if (!Array.isArray(padding) || padding.length % 2 !== 0 || padding.length === 0) {
    fail(op, `pad must be a list of an even number of integers but got ${describe(padding)}`);
  }
  const p = padding.map((v) => int(op, "pad", v, mode === "constant" ? undefined : 0));
  const k = p.length / 2;
  if (k > x.ndim)
    fail(op, `pad ${describe(padding)} pads ${k} dims but the input ${fmt(x.shape)} has ${x.ndim}`);
  if (mode !== "constant" && (k > 3 || x.ndim < k + 1)) {
    fail(
      op,
      `${mode} padding of ${k} dims needs a ${k + 1}-D or ${k + 2}-D input but got ${fmt(x.shape)}`,
    );
  }
  const value = a.value == null ? 0 : num(op, "value", a.value);
  if (mode !== "constant" && value !== 0) fail(op, `value applies to constant padding only`);
  const maps: Map1D[] = [];
  for (let d = 0; d < k; d++) {
    const dim = x.ndim - k + d;
    const j = 2 * (k - 1 - d);
    maps.push(padMap(op, mode, x.shape[dim], p[j], p[j + 1]));
  }
  return linearMap(op, x, maps, value);
}

/**
 * [*, C r^2, H, W] -> [*, C, H r, W r], as PyTorch's pixel_shuffle.
 *
 * PyTorch: `torch.nn.functional.pixel_shuffle`.
 *
 * @example
 * ```ts
 * wg.F.pixelShuffle(wg.ones(1, 8, 3, 3), 2).shape; // [1, 2, 6, 6]
 * ```
 */
export function pixelShuffle(
  input: Tensor,
  ...given: Args<[upscaleFactor: number], { upscaleFactor?: number }>
): Tensor {
  const op = "pixelShuffle";
  const [upscaleFactor] = named(op, given, ["upscaleFactor"]) as [number];
  const x = tensorArg(op, "input", input);
  const r = size(op, "upscaleFactor", upscaleFactor, 1);
  if (x.ndim < 3 || x.shape[x.ndim - 3] % (r * r) !== 0) {
    fail(
      op,
      `expected input [*, C * ${r * r}, H, W] (channels divisible by upscaleFactor^2 = ${r * r}) but got ${fmt(x.shape)}`,
    );
  }
  const lead = x.shape.slice(0, -3);
  const [c, h, w] = x.shape.slice(-3);
  const n = lead.reduce((s, d) => s * d, 1);
  const oc = c / (r * r);
  const y = permute(reshape(x, [n, oc, r, r, h, w]), [0, 1, 4, 2, 5, 3]);
  return reshape(y, [...lead, oc, h * r, w * r]);
}
