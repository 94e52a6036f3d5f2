/**
 * conv2d(x, weight, bias?, { stride, padding, dilation, groups }), as
 * torch.nn.functional.conv2d on NCHW (or unbatched CHW) input. One kernel call per direction:
 * assembly/kernels/conv.ts lowers each image and group to sgemm over im2col blocks, except the
 * stride-1 forward, which runs Winograd F(2x2, 3x3) (3x3 kernels) or a direct kernel over
 * padded planes (conv_winograd.ts, conv_direct.ts).
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { convOnPool, gemmPool, runBlocks } from "../backend/parallel.js";
import { allocate, backend, K, meta } from "../backend/runtime.js";
import { ReduceOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import {
  type Args,
  args,
  describe,
  floatArg,
  INT32_MAX,
  optionalTensorArg,
  size,
} from "../validate.js";
import { squeeze, unsqueeze } from "./shape.js";
import { type Shown, shown2d } from "./shown.js";

/** A size given once for both spatial dims, or as [height, width]. */
export type Pair = number | readonly [number, number];

/** Options of `F.conv2d`. */
export interface Conv2dOptions {
  /** The step of the kernel over the input, one number or [sH, sW] (default 1). */
  stride?: Pair;
  /** Zero padding on each side, or "valid" (none) or "same" (output size = input size, stride 1). */
  padding?: Pair | "valid" | "same";
  /** The spacing between kernel elements, one number or [dH, dW] (default 1). */
  dilation?: Pair;
  /** Split input and output channels into this many independent groups (default 1). */
  groups?: number;
}

/**
 * Reads a Pair option as two int32 integers >= min, or throws naming the op and the option.
 * (Anything past int32 would wrap in the kernel while JavaScript sized the output for it.)
 */
export function pair(op: string, name: string, v: unknown, min: number): [number, number] {
  const p: readonly unknown[] = typeof v === "number" ? [v, v] : Array.isArray(v) ? v : [];
  const ok = (e: unknown) =>
    typeof e === "number" && Number.isInteger(e) && e >= min && e <= INT32_MAX;
  if (p.length !== 2 || !p.every(ok)) {
    throw new WasmgradError(
      `${op}: ${name} must be an integer >= ${min} or a pair of them (int32) but got ${describe(v)}`,
    );
  }
  return [(p[0] as number) + 0, (p[1] as number) + 0];
}

/** Everything the kernels need to know about one convolution. */
export interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  oc: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  stride: [number, number];
  /** Top and left padding (bottom and right follow from the output size). */
  pad: [number, number];
  dilation: [number, number];
  groups: number;
}

function geometry(x: Tensor, weight: Tensor, options: Conv2dOptions, s: Shown): Geometry {
  const op = s.op;
  if (weight.ndim !== 4) {
    throw new WasmgradError(
      `${op}: weight must be 4-D [outChannels, inChannels/groups, kH, kW] but got ${s.weight}`,
    );
  }
  const [n, c, h, w] = x.shape;
  const [oc, cg, kh, kw] = weight.shape;
  // The kernels divide by these: a zero would trap (divide by zero) instead of failing here.
  if (kh === 0 || kw === 0 || cg === 0) {
    throw new WasmgradError(
      `${op}: weight ${s.weight} has a zero-size ${cg === 0 ? "input-channel" : "kernel"} dimension (input ${s.input}); expected every dimension but outChannels to be >= 1`,
    );
  }
  const groups = size(op, "groups", options.groups ?? 1, 1);
  if (oc % groups !== 0) {
    throw new WasmgradError(
      `${op}: weight ${s.weight} has ${oc} output channels, which groups=${groups} does not divide`,
    );
  }
  if (cg * groups !== c) {
    throw new WasmgradError(
      `${op}: input ${s.input} has ${c} channels but weight ${s.weight} with groups=${groups} expects ${cg * groups}`,
    );
  }
  const stride = pair(op, "stride", options.stride ?? 1, 1);
  const dilation = pair(op, "dilation", options.dilation ?? 1, 1);
  const span = [dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1];
  let pad: [number, number];
  let oh: number;
  let ow: number;
  const padding = options.padding ?? 0;
  if (padding === "same") {
    if (stride[0] !== 1 || stride[1] !== 1) {
      throw new WasmgradError(
        `${op}: padding="same" needs stride 1 but got stride ${s.pair(stride)}`,
      );
    }
    // PyTorch puts the odd extra row and column of padding at the bottom and right.
    pad = [Math.floor((span[0] - 1) / 2), Math.floor((span[1] - 1) / 2)];
    [oh, ow] = [h, w];
  } else {
    pad = padding === "valid" ? [0, 0] : pair(op, "padding", padding, 0);
    oh = Math.floor((h + 2 * pad[0] - span[0]) / stride[0]) + 1;
    ow = Math.floor((w + 2 * pad[1] - span[1]) / stride[1]) + 1;
    if (h + 2 * pad[0] < span[0] || w + 2 * pad[1] < span[1]) {
      throw new WasmgradError(
        `${op}: padded input is ${s.area(h + 2 * pad[0], w + 2 * pad[1])} (input ${s.input}, padding ${s.pair(pad)}) but the kernel spans ${s.area(span[0], span[1])} (weight ${s.weight}, dilation ${s.pair(dilation)}): the kernel can't be larger than the padded input`,
      );
    }
  }
  // The kernels compute in int32: every derived extent must fit, as the options do.
  const extents = [span[0], span[1], h + 2 * pad[0], w + 2 * pad[1], oh * ow, c * kh * kw];
  if (extents.some((v) => v > INT32_MAX)) {
    throw new WasmgradError(
      `${op}: the geometry overflows int32 (input ${s.input}, weight ${s.weight}, stride ${s.pair(stride)}, padding ${s.pair(pad)}, dilation ${s.pair(dilation)})`,
    );
  }
  return { n, c, h, w, oc, kh, kw, oh, ow, stride, pad, dilation, groups };
}

/**
 * Floats of workspace the conv2d kernels need for geometry `g` (0 for pointwise convolutions),
 * from assembly/kernels/conv.ts, which also decides how the im2col matrix is cut into blocks:
 * the sizing lives next to the code that lays the workspace out.
 */
export function workspaceOf(g: Geometry): number {
  return K.conv2d_workspace_f32(metaOf(g));
}

let planPtr = 0;

/**
 * conv2d's weight gradient into dw for upstream dy and input x (conv_transpose2d passes them
 * swapped), on the pool when it pays. Pieces of the batch are staged into slots (in parallel
 * over pieces), then each fixed tile of dW adds the pieces' products in order (in parallel over
 * tiles): no sum is split, so the bits are the same at any thread count. See
 * assembly/kernels/conv.ts, "Weight gradient".
 */
export function convWeightGrad(op: string, dw: number, dy: number, x: number, g: Geometry): void {
  if (planPtr === 0) planPtr = allocate(op, 32);
  const pool = gemmPool(madds(g));
  // On threads, groups of up to 4M floats (16 MB) staged at a time: fewer dispatches, each of
  // which waits for its slowest block. The grouping does not change the bits.
  K.conv2d_wgrad_plan(metaOf(g), planPtr, pool === undefined ? 0 : 1 << 22);
  const at = planPtr >>> 2;
  const [pieces, group, tiles, slot, pad, dwFloats] = backend.i32().subarray(at, at + 6);
  K.fill_f32(dw, dwFloats, 0);
  if (pieces === 0) return;
  const threads = pool === undefined ? 1 : pool.size + 1;
  const padBytes = pad * 4;
  const slotBytes = slot * 4;
  const bytes = padBytes * threads + slotBytes * group;
  const work = bytes === 0 ? 0 : allocate(op, bytes);
  try {
    const slots = work + padBytes * threads;
    const metaPtr = metaOf(g);
    for (let first = 0; first < pieces; first += group) {
      const count = Math.min(group, pieces - first);
      if (slot > 0) {
        const args = [dy, x, work, padBytes, slots, slotBytes, first, metaPtr];
        runBlocks(pool, "conv2d_wgrad_stage_f32", args, count);
      }
      const args = [dw, dy, x, slots, slotBytes, first, count, metaPtr];
      runBlocks(pool, "conv2d_wgrad_gemm_f32", args, tiles);
    }
  } finally {
    if (work !== 0) K.free(work);
  }
}

/** Multiply-adds of one pass: the work estimate for running it on threads. */
export function madds(g: Geometry): number {
  return g.n * g.oc * g.oh * g.ow * (g.c / g.groups) * g.kh * g.kw;
}

/** Runs `body` with a workspace of `floats` floats (none when 0: pointwise convolutions). */
export function withWorkspace(floats: number, body: (work: number) => void): void {
  if (floats === 0) {
    body(0);
    return;
  }
  const work = allocate("conv2d", floats * 4);
  try {
    body(work);
  } finally {
    K.free(work);
  }
}

/**
 * The kernels' meta (layout in src/backend/table/conv.ts) for geometry `g`, blocking left to
 * the kernel (chunk and images 0).
 */
export function metaOf(g: Geometry): number {
  return meta([
    g.n,
    g.c,
    g.h,
    g.w,
    g.oc,
    g.kh,
    g.kw,
    g.oh,
    g.ow,
    g.stride[0],
    g.stride[1],
    g.pad[0],
    g.pad[1],
    g.dilation[0],
    g.dilation[1],
    g.groups,
    0,
    0,
  ]);
}

/**
 * `conv2d(input, weight, bias?, stride?, padding?, dilation?, groups?)`, or the options.
 *
 * PyTorch: `torch.nn.functional.conv2d`.
 *
 * @example
 * ```ts
 * wg.F.conv2d(wg.ones(1, 3, 8, 8), wg.ones(4, 3, 3, 3), null, { padding: 1 }).shape; // [1, 4, 8, 8]
 * ```
 */
export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  ...rest: Args<
    [stride: Pair, padding: Pair | "valid" | "same", dilation: Pair, groups: number],
    Conv2dOptions
  >
): Tensor {
  const options = args("conv2d", rest, [
    "stride",
    "padding",
    "dilation",
    "groups",
  ]) as Conv2dOptions;
  const op = "conv2d";
  const x = floatArg(op, "input", input);
  const w = floatArg(op, "weight", weight);
  return conv2dAs(shown2d(op, x, w), x, w, bias, options);
}

/**
 * conv2d for an op that runs as one (conv1d): errors name `shown`'s op and the caller's shapes.
 * `input` and `weight` are the 2-D call's.
 */
export function conv2dAs(
  shown: Shown,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: Conv2dOptions,
): Tensor {
  const op = shown.op;
  const x = floatArg(op, "input", input);
  floatArg(op, "weight", weight);
  if (optionalTensorArg(op, "bias", bias) !== null) floatArg(op, "bias", bias);
  if (x.ndim === 3) return squeeze(conv2dAs(shown, unsqueeze(x, 0), weight, bias, options), 0);
  if (x.ndim !== 4) {
    throw new WasmgradError(
      `${op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input but got ${shown.input}`,
    );
  }
  const g = geometry(x, weight, options, shown);
  const b = bias ?? null;
  if (b !== null && (b.ndim !== 1 || b.shape[0] !== g.oc)) {
    throw new WasmgradError(
      `${op}: bias has shape ${fmt(b.shape)} but expected [${g.oc}] for weight ${shown.weight}`,
    );
  }
  const workFloats = workspaceOf(g);
  const out = Tensor._empty("conv2d", [g.n, g.oc, g.oh, g.ow]);
  if (out.numel() > 0) {
    const xp = x._ptr("conv2d");
    const wp = weight._ptr("conv2d");
    const bp = b === null ? 0 : b._ptr("conv2d");
    if (!convOnPool(false, out.ptr, xp, wp, bp, workFloats, metaOf(g), madds(g)))
      withWorkspace(workFloats, (work) => K.conv2d_f32(out.ptr, xp, wp, bp, work, metaOf(g)));
  }
  const inputs = b === null ? [x, weight] : [x, weight, b];
  if (!needsGradAny(inputs)) return out;
  return record(out, "conv2d", inputs, (dy) => {
    let dx: Tensor | null = null;
    let dw: Tensor | null = null;
    let db: Tensor | null = null;
    const dyp = dy._ptr("conv2d");
    if (x.requiresGrad) {
      dx = Tensor._empty("conv2d", x.shape);
      if (dx.numel() > 0) {
        const out = dx;
        const wp = weight._ptr("conv2d");
        if (!convOnPool(true, out.ptr, dyp, wp, 0, workFloats, metaOf(g), madds(g)))
          withWorkspace(workFloats, (work) =>
            K.conv2d_bwd_input_f32(out.ptr, dyp, wp, work, metaOf(g)),
          );
      }
    }
    if (weight.requiresGrad) {
      dw = Tensor._empty("conv2d", weight.shape);
      if (dw.numel() > 0) {
        const out = dw;
        convWeightGrad("conv2d", out.ptr, dyp, x._ptr("conv2d"), g);
      }
    }
    if (b?.requiresGrad) {
      db = Tensor._empty("conv2d", b.shape);
      if (dy.numel() === 0) K.fill_f32(db.ptr, g.oc, 0);
      else {
        const p = g.oh * g.ow;
        K.reduce_f32(db.ptr, g.oc, dyp, 3, meta([g.n, g.oc, p], [0, 1, 0]), ReduceOp.sum);
      }
    }
    return b === null ? [dx, dw] : [dx, dw, db];
  });
}
