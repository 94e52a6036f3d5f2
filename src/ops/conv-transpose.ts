/**
 * convTranspose2d / convTranspose1d and conv1d, as torch.nn.functional, on the conv2d kernels.
 *
 * A transposed convolution is the input gradient of a convolution: for x [N, Cin, H, W] and
 * weight [Cin, Cout / groups, kH, kW], y = conv2d_bwd_input(x) for the convolution of a
 * [N, Cout, OH, OW] image by that weight (Cin output channels) whose output is H x W. So the
 * forward is one conv2d_bwd_input_f32 call, the input gradient one conv2d_f32 call (a plain
 * convolution of dy), and the weight gradient conv2d_bwd_weight_f32 with the roles of input and
 * upstream swapped. OH = (H - 1) sH - 2 pH + dH (kH - 1) + outputPaddingH + 1; the extra
 * outputPadding rows are ones no input reaches, which the conv kernels already handle.
 *
 * The 1-D forms run as 2-D ones over [N, C, 1, L].
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { convOnPool } from "../backend/parallel.js";
import { K, meta } from "../backend/runtime.js";
import { BinaryOp, ReduceOp } from "../backend/table/core.js";
import { fmt } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Args, args, fail, optionalTensorArg, size, tensorArg } from "../validate.js";
import {
  type Conv2dOptions,
  conv2dAs,
  convWeightGrad,
  type Geometry,
  madds,
  metaOf,
  type Pair,
  pair,
  withWorkspace,
  workspaceOf,
} from "./conv.js";
import { reshape, squeeze, unsqueeze } from "./shape.js";
import { type Shown, shown1d, shown2d } from "./shown.js";

/** Options of `F.convTranspose2d`. */
export interface ConvTranspose2dOptions {
  /** The stride of the convolution this transposes, one number or [sH, sW] (default 1). */
  stride?: Pair;
  /**
   * `dilation * (kernel - 1) - padding` zero padding is added to each side of the input, one number
   * or [pH, pW] (default 0).
   */
  padding?: Pair;
  /**
   * Extra size added to one side of the output, to pick among the sizes a strided convolution maps
   * to the same input size (default 0; PyTorch's `output_padding`).
   */
  outputPadding?: Pair;
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
  /** The spacing between kernel elements (default 1). */
  dilation?: Pair;
}

type TArgs = [
  bias: Tensor | null,
  stride: Pair,
  padding: Pair,
  outputPadding: Pair,
  groups: number,
  dilation: Pair,
];
const T_NAMES = ["bias", "stride", "padding", "outputPadding", "groups", "dilation"] as const;

function geometry(s: Shown, x: Tensor, w: Tensor, o: ConvTranspose2dOptions): Geometry {
  const op = s.op;
  if (w.ndim !== 4) {
    fail(op, `weight must be 4-D [inChannels, outChannels/groups, kH, kW] but got ${s.weight}`);
  }
  const [n, cin, h, wd] = x.shape;
  const [wc, cg, kh, kw] = w.shape;
  const groups = o.groups === undefined ? 1 : size(op, "groups", o.groups, 1);
  if (wc !== cin) {
    fail(op, `input ${s.input} has ${cin} channels but weight ${s.weight} expects ${wc}`);
  }
  if (cin % groups !== 0) {
    fail(op, `input has ${cin} channels, which groups=${groups} does not divide`);
  }
  const stride = pair(op, "stride", o.stride ?? 1, 1);
  const pad = pair(op, "padding", o.padding ?? 0, 0);
  const outPad = pair(op, "outputPadding", o.outputPadding ?? 0, 0);
  const dilation = pair(op, "dilation", o.dilation ?? 1, 1);
  for (const i of [0, 1]) {
    if (outPad[i] >= stride[i] && outPad[i] >= dilation[i]) {
      fail(
        op,
        `outputPadding ${s.pair(outPad)} must be smaller than either stride ${s.pair(stride)} or dilation ${s.pair(dilation)}`,
      );
    }
  }
  const oh = (h - 1) * stride[0] - 2 * pad[0] + dilation[0] * (kh - 1) + outPad[0] + 1;
  const ow = (wd - 1) * stride[1] - 2 * pad[1] + dilation[1] * (kw - 1) + outPad[1] + 1;
  if (oh < 1 || ow < 1) {
    fail(
      op,
      `input ${s.input} with weight ${s.weight}, stride ${s.pair(stride)}, padding ${s.pair(pad)} gives an output of ${s.area(oh, ow)}; it must be at least ${s.area(1, 1)}`,
    );
  }
  // The convolution whose input gradient this is: image [n, Cout, oh, ow], output [n, Cin, h, w].
  return {
    n,
    c: cg * groups,
    h: oh,
    w: ow,
    oc: cin,
    kh,
    kw,
    oh: h,
    ow: wd,
    stride,
    pad,
    dilation,
    groups,
  };
}

/** y[n, c, :, :] += bias[c], in place. */
function addBias(y: Tensor, b: Tensor): void {
  const [n, c, h, w] = y.shape;
  const m = meta([n, c, h * w], [c * h * w, h * w, 1], [0, 1, 0]);
  K.binary_bcast_f32(y.ptr, y.ptr, b._ptr("convTranspose2d"), 3, m, BinaryOp.add);
}

/**
 * Transposed 2-D convolution of x [N, Cin, H, W] (or [Cin, H, W]) with weight of shape
 * [Cin, Cout / groups, kH, kW], as PyTorch's conv_transpose2d(input, weight, bias, stride,
 * padding, output_padding, groups, dilation), the last six also as options.
 *
 * PyTorch: `torch.nn.functional.conv_transpose2d`.
 *
 * @example
 * ```ts
 * wg.F.convTranspose2d(wg.ones(1, 2, 4, 4), wg.ones(2, 3, 2, 2), null, { stride: 2 }).shape; // [1, 3, 8, 8]
 * ```
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  ...rest: Args<TArgs, ConvTranspose2dOptions & { bias?: Tensor | null }>
): Tensor {
  const op = "convTranspose2d";
  const x = tensorArg(op, "input", input);
  const w = tensorArg(op, "weight", weight);
  const a = args(op, rest, T_NAMES);
  const b = optionalTensorArg(op, "bias", a.bias);
  const { bias: _, ...o } = a as ConvTranspose2dOptions & { bias?: unknown };
  return convTranspose2dAs(shown2d(op, x, w), x, w, b, o);
}

/** convTranspose2d for an op that runs as one (convTranspose1d), with `shown`'s errors. */
function convTranspose2dAs(
  s: Shown,
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  o: ConvTranspose2dOptions,
): Tensor {
  const op = s.op;
  if (x.ndim === 3) return squeeze(convTranspose2dAs(s, unsqueeze(x, 0), w, b, o), 0);
  if (x.ndim !== 4) {
    fail(op, `expected a 3-D [C, H, W] or 4-D [N, C, H, W] input but got ${s.input}`);
  }
  const g = geometry(s, x, w, o);
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== g.c)) {
    fail(op, `bias has shape ${fmt(b.shape)} but expected [${g.c}] for weight ${s.weight}`);
  }
  const workFloats = workspaceOf(g);
  const out = Tensor._empty(op, [g.n, g.c, g.h, g.w]);
  const xp = x._ptr(op);
  const wp = w._ptr(op);
  if (out.numel() > 0) {
    // conv2d's input gradient: on the pool in blocks of images, as in conv2d's backward.
    if (!convOnPool(true, out.ptr, xp, wp, 0, workFloats, metaOf(g), madds(g))) {
      withWorkspace(workFloats, (work) => K.conv2d_bwd_input_f32(out.ptr, xp, wp, work, metaOf(g)));
    }
    if (b !== null) addBias(out, b);
  }
  const inputs = b === null ? [x, w] : [x, w, b];
  if (!needsGradAny(inputs)) return out;
  return record(out, op, inputs, (dy) => {
    const dyp = dy._ptr(op);
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    if (x.requiresGrad) {
      const t = Tensor._empty(op, x.shape);
      if (t.numel() > 0) {
        const wp = w._ptr(op);
        if (!convOnPool(false, t.ptr, dyp, wp, 0, workFloats, metaOf(g), madds(g))) {
          withWorkspace(workFloats, (work) => K.conv2d_f32(t.ptr, dyp, wp, 0, work, metaOf(g)));
        }
      }
      dx = t;
    }
    if (w.requiresGrad) {
      const t = Tensor._empty(op, w.shape);
      if (t.numel() > 0) {
        convWeightGrad(op, t.ptr, x._ptr(op), dyp, g);
      }
      dw = t;
    }
    if (b?.requiresGrad) {
      db = Tensor._empty(op, b.shape);
      if (dy.numel() === 0) K.fill_f32(db.ptr, g.c, 0);
      else {
        const m = meta([g.n, g.c, g.h * g.w], [0, 1, 0]);
        K.reduce_f32(db.ptr, g.c, dyp, 3, m, ReduceOp.sum);
      }
    }
    return b === null ? [dx, dw] : [dx, dw, db];
  });
}

/** One 1-D size as the 2-D pair [1-D-neutral, v]. */
function lift(
  op: string,
  name: string,
  v: unknown,
  neutral: number,
  min: number,
): [number, number] {
  const one = Array.isArray(v) && v.length === 1 ? v[0] : v;
  const [s] = pair(op, name, one as Pair, min);
  return [neutral, s];
}

function check1d(op: string, x: Tensor, w: Tensor): void {
  if (x.ndim !== 2 && x.ndim !== 3) {
    fail(op, `expected a 2-D [C, L] or 3-D [N, C, L] input but got ${fmt(x.shape)}`);
  }
  if (w.ndim !== 3) fail(op, `weight must be 3-D but got ${fmt(w.shape)}`);
}

type One = number | readonly [number];

/** Options of `F.convTranspose1d`. */
export interface ConvTranspose1dOptions {
  /** The stride of the convolution this transposes (default 1). */
  stride?: One;
  /**
   * `dilation * (kernel - 1) - padding` zero padding is added to each side of the input
   * (default 0).
   */
  padding?: One;
  /** Extra size added to one side of the output (default 0; PyTorch's `output_padding`). */
  outputPadding?: One;
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
  /** The spacing between kernel elements (default 1). */
  dilation?: One;
}

type T1Args = [
  bias: Tensor | null,
  stride: One,
  padding: One,
  outputPadding: One,
  groups: number,
  dilation: One,
];

/**
 * PyTorch's conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation).
 *
 * PyTorch: `torch.nn.functional.conv_transpose1d`.
 *
 * @example
 * ```ts
 * wg.F.convTranspose1d(wg.ones(1, 2, 4), wg.ones(2, 3, 2), null, { stride: 2 }).shape; // [1, 3, 8]
 * ```
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  ...rest: Args<T1Args, ConvTranspose1dOptions & { bias?: Tensor | null }>
): Tensor {
  const op = "convTranspose1d";
  const x = tensorArg(op, "input", input);
  const w = tensorArg(op, "weight", weight);
  check1d(op, x, w);
  const a = args(op, rest, T_NAMES);
  const b = optionalTensorArg(op, "bias", a.bias);
  const y = convTranspose2dAs(shown1d(op, x, w), unsqueeze(x, -2), unsqueeze(w, 2), b, {
    stride: lift(op, "stride", a.stride ?? 1, 1, 1),
    padding: lift(op, "padding", a.padding ?? 0, 0, 0),
    outputPadding: lift(op, "outputPadding", a.outputPadding ?? 0, 0, 0),
    groups: a.groups === undefined ? 1 : size(op, "groups", a.groups, 1),
    dilation: lift(op, "dilation", a.dilation ?? 1, 1, 1),
  });
  return squeeze(y, -2);
}

/** Options of `F.conv1d`. */
export interface Conv1dOptions {
  /** The step of the kernel over the input (default 1). */
  stride?: number | readonly [number];
  /**
   * Zero padding on each side, or "valid" (none) or "same" (output length = input length, stride
   * 1) (default 0).
   */
  padding?: number | readonly [number] | "valid" | "same";
  /** The spacing between kernel elements (default 1). */
  dilation?: number | readonly [number];
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
}

/**
 * PyTorch's conv1d(input, weight, bias, stride, padding, dilation, groups) over [N, C, L].
 *
 * PyTorch: `torch.nn.functional.conv1d`.
 *
 * @example
 * ```ts
 * wg.F.conv1d(wg.ones(1, 2, 10), wg.ones(4, 2, 3)).shape; // [1, 4, 8]
 * ```
 */
export function conv1d(
  input: Tensor,
  weight: Tensor,
  ...rest: Args<
    [
      bias: Tensor | null,
      stride: Conv1dOptions["stride"],
      padding: Conv1dOptions["padding"],
      dilation: Conv1dOptions["dilation"],
      groups: number,
    ],
    Conv1dOptions & { bias?: Tensor | null }
  >
): Tensor {
  const op = "conv1d";
  const x = tensorArg(op, "input", input);
  const w = tensorArg(op, "weight", weight);
  check1d(op, x, w);
  const a = args(op, rest, ["bias", "stride", "padding", "dilation", "groups"]);
  const b = optionalTensorArg(op, "bias", a.bias);
  const p = a.padding ?? 0;
  const opts: Conv2dOptions = {
    stride: lift(op, "stride", a.stride ?? 1, 1, 1),
    padding: p === "same" || p === "valid" ? p : lift(op, "padding", p, 0, 0),
    dilation: lift(op, "dilation", a.dilation ?? 1, 1, 1),
    groups: a.groups === undefined ? 1 : size(op, "groups", a.groups, 1),
  };
  const w2 = reshape(w, [...w.shape.slice(0, 2), 1, w.shape[2]]);
  return squeeze(conv2dAs(shown1d(op, x, w), unsqueeze(x, -2), w2, b, opts), -2);
}
