/**
 * maxPool2d and avgPool2d over [N, C, H, W] (or [C, H, W]) input, as torch.nn.functional's:
 * kernel, stride (default: the kernel size), padding (at most half the kernel), dilation (max
 * only), ceilMode, countIncludePad and divisorOverride (average only).
 */
import { needsGrad, record } from "../autograd/engine.js";
import { K, meta } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, hoist, INT32_MAX, size, tensorArg } from "../validate.js";
import { type Pair, pair } from "./conv.js";
import { type Shown, shown2d } from "./shown.js";

/** Options of `F.maxPool2d`. */
export interface MaxPool2dOptions {
  /** The step of the window, one number or [sH, sW] (default null: the kernel size). */
  stride?: Pair | null;
  /** Implicit -Infinity padding on each side, at most half the kernel (default 0). */
  padding?: Pair;
  /** The spacing between window elements (default 1). */
  dilation?: Pair;
  /** Round the output size up instead of down (default false; PyTorch's `ceil_mode`). */
  ceilMode?: boolean;
}

/** Options of `F.avgPool2d`. */
export interface AvgPool2dOptions {
  /** The step of the window, one number or [sH, sW] (default null: the kernel size). */
  stride?: Pair | null;
  /** Implicit zero padding on each side, at most half the kernel (default 0). */
  padding?: Pair;
  /** Round the output size up instead of down (default false; PyTorch's `ceil_mode`). */
  ceilMode?: boolean;
  /** Count the zero padding in the divisor (default true; PyTorch's `count_include_pad`). */
  countIncludePad?: boolean;
  /**
   * Divide every window by this instead of its size (default null; PyTorch's `divisor_override`).
   */
  divisorOverride?: number | null;
}

/** PyTorch's pooling_output_shape for one dim. */
function outSize(size: number, k: number, pad: number, stride: number, dil: number, ceil: boolean) {
  const span = dil * (k - 1) + 1;
  let out = Math.floor((size + 2 * pad - span + (ceil ? stride - 1 : 0)) / stride) + 1;
  // The last window must start inside the input or its left padding.
  if (ceil && (out - 1) * stride >= size + pad) out--;
  return out;
}

/** Planes, spatial geometry and the meta list shared by both pools. */
function poolGeometry(
  shown: Shown,
  x: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions & AvgPool2dOptions,
) {
  const op = shown.op;
  if (x.ndim !== 3 && x.ndim !== 4) {
    throw new WasmgradError(
      `${op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input but got ${shown.input}`,
    );
  }
  const k = pair(op, "kernelSize", kernelSize, 1);
  const s = pair(op, "stride", options.stride ?? k, 1);
  const p = pair(op, "padding", options.padding ?? 0, 0);
  const d = pair(op, "dilation", options.dilation ?? 1, 1);
  if (p[0] > k[0] >> 1 || p[1] > k[1] >> 1) {
    throw new WasmgradError(
      `${op}: padding ${shown.pair(p)} must be at most half the kernel size ${shown.pair(k)}`,
    );
  }
  const h = x.shape[x.ndim - 2];
  const w = x.shape[x.ndim - 1];
  // The kernels compute in int32: a window or padded extent past it would wrap.
  const extents = [d[0] * (k[0] - 1) + 1, d[1] * (k[1] - 1) + 1, h + 2 * p[0], w + 2 * p[1]];
  if (extents.some((v) => v > INT32_MAX)) {
    throw new WasmgradError(
      `${op}: kernel ${shown.pair(k)} with dilation ${shown.pair(d)} and padding ${shown.pair(p)} overflows int32 for input ${shown.input}`,
    );
  }
  const ceil = bool(op, "ceilMode", options.ceilMode ?? false);
  const oh = outSize(h, k[0], p[0], s[0], d[0], ceil);
  const ow = outSize(w, k[1], p[1], s[1], d[1], ceil);
  if (oh < 1 || ow < 1) {
    throw new WasmgradError(
      `${op}: input ${shown.input} is too small for kernel ${shown.pair(k)} (padding ${shown.pair(p)}, dilation ${shown.pair(d)}): the output would be ${shown.area(oh, ow)}`,
    );
  }
  const planes = x.numel() / (h * w || 1);
  const outShape = [...x.shape.slice(0, -2), oh, ow];
  const geo = [planes, h, w, oh, ow, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1]];
  return { planes, h, w, oh, ow, outShape, geo };
}

/**
 * `maxPool2d(input, kernelSize, stride?, padding?, dilation?, ceilMode?)`, or the options.
 *
 * PyTorch: `torch.nn.functional.max_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.maxPool2d(wg.ones(1, 3, 8, 8), 2).shape; // [1, 3, 4, 4]
 * ```
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: Pair,
  ...rest: Args<
    [stride: Pair | null, padding: Pair, dilation: Pair, ceilMode: boolean],
    MaxPool2dOptions
  >
): Tensor {
  const op = "maxPool2d";
  [kernelSize, ...rest] = hoist(op, [kernelSize, ...rest], ["kernelSize"]) as [
    Pair,
    ...typeof rest,
  ];
  const options = args(op, rest, ["stride", "padding", "dilation", "ceilMode"]) as MaxPool2dOptions;
  const x = tensorArg(op, "input", input);
  return maxPool2dAs(shown2d(op, x), x, kernelSize, options);
}

/** maxPool2d for an op that runs as one (maxPool1d), with `shown`'s errors. */
export function maxPool2dAs(
  shown: Shown,
  x: Tensor,
  kernelSize: Pair,
  options: MaxPool2dOptions,
): Tensor {
  const op = shown.op;
  const { planes, h, w, oh, ow, outShape, geo } = poolGeometry(shown, x, kernelSize, options);
  const out = Tensor._empty(op, outShape);
  // Flat arg-max index of every output, int32 bits in a float tensor's storage.
  const idx = Tensor._empty(op, outShape);
  if (out.numel() > 0) K.maxpool2d_f32(out.ptr, idx.ptr, x._ptr(op), meta(geo));
  if (!needsGrad(x)) {
    idx.dispose();
    return out;
  }
  return record(out, op, [x], (dy) => {
    const dx = Tensor._empty(op, x.shape);
    if (dx.numel() > 0)
      K.maxpool2d_bwd_f32(dx.ptr, dy._ptr(op), idx._ptr(op), planes, h * w, oh * ow);
    return [dx];
  });
}

/**
 * `avgPool2d(input, kernelSize, stride?, padding?, ceilMode?, countIncludePad?,
 * divisorOverride?)`, or the options.
 *
 * PyTorch: `torch.nn.functional.avg_pool2d`.
 *
 * @example
 * ```ts
 * wg.F.avgPool2d(wg.ones(1, 3, 8, 8), 2).shape; // [1, 3, 4, 4]
 * ```
 */
export function avgPool2d(
  input: Tensor,
  kernelSize: Pair,
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
): Tensor {
  const op = "avgPool2d";
  [kernelSize, ...rest] = hoist(op, [kernelSize, ...rest], ["kernelSize"]) as [
    Pair,
    ...typeof rest,
  ];
  const options = args(op, rest, [
    "stride",
    "padding",
    "ceilMode",
    "countIncludePad",
    "divisorOverride",
  ]) as AvgPool2dOptions;
  const x = tensorArg(op, "input", input);
  return avgPool2dAs(shown2d(op, x), x, kernelSize, options);
}

/** avgPool2d for an op that runs as one (avgPool1d), with `shown`'s errors. */
export function avgPool2dAs(
  shown: Shown,
  x: Tensor,
  kernelSize: Pair,
  options: AvgPool2dOptions,
): Tensor {
  const op = shown.op;
  // PyTorch refuses 0; the kernel reads the divisor as an int32, so larger values would wrap.
  const divisor =
    options.divisorOverride == null ? 0 : size(op, "divisorOverride", options.divisorOverride, 1);
  bool(op, "countIncludePad", options.countIncludePad ?? true);
  const { outShape, geo } = poolGeometry(shown, x, kernelSize, { ...options, dilation: 1 });
  const m = [...geo, (options.countIncludePad ?? true) ? 1 : 0, divisor];
  const out = Tensor._empty(op, outShape);
  if (out.numel() > 0) K.avgpool2d_f32(out.ptr, x._ptr(op), meta(m));
  if (!needsGrad(x)) return out;
  return record(out, op, [x], (dy) => {
    const dx = Tensor._empty(op, x.shape);
    if (dx.numel() > 0) {
      const dyp = dy._ptr(op);
      K.avgpool2d_bwd_f32(dx.ptr, dyp, meta(m));
    }
    return [dx];
  });
}
