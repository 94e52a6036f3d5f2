/**
 * torch.nn.init: fills a float tensor's storage in place (so `p.detach()` or a parameter itself
 * may be passed) and returns it. Draws come from wasmgrad's generator, so `manualSeed` makes
 * them reproducible; nothing is recorded for autograd. Fan-in and fan-out follow PyTorch's
 * _calculate_fan_in_and_fan_out: dim 1 and dim 0 times the product of the remaining dims.
 */
import { backend } from "../backend/runtime.js";
import { fmt } from "../errors.js";
import { normal, uniform } from "../random.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, fail, num, oneOf, tensorArg } from "../validate.js";
import { orthogonalMatrix } from "./init-orthogonal.js";

function fill(op: string, t: Tensor, value: (i: number) => number): Tensor {
  const x = tensorArg(op, "tensor", t, "float32");
  const n = x.numel();
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = value(i);
  backend.f32().set(values, x._ptr(op) >>> 2);
  // An in-place write, as PyTorch's init under no_grad: graphs that saved x see it changed.
  x._bumpVersion();
  return x;
}

/**
 * PyTorch's fan-in and fan-out of a weight of at least 2 dims.
 *
 * PyTorch: `torch.nn.init._calculate_fan_in_and_fan_out`.
 *
 * @example
 * ```ts
 * wg.nn.init.calculateFanInAndFanOut(wg.zeros(4, 3)); // [3, 4]
 * ```
 */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  const x = tensorArg("calculateFanInAndFanOut", "tensor", t);
  if (x.ndim < 2) {
    fail(
      "init",
      `fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape ${fmt(x.shape)})`,
    );
  }
  const receptive = x.shape.slice(2).reduce((p, d) => p * d, 1);
  return [x.shape[1] * receptive, x.shape[0] * receptive];
}

const NONLINEARITIES = [
  "linear",
  "conv1d",
  "conv2d",
  "conv3d",
  "conv_transpose1d",
  "conv_transpose2d",
  "conv_transpose3d",
  "convTranspose1d",
  "convTranspose2d",
  "convTranspose3d",
  "sigmoid",
  "tanh",
  "relu",
  "leaky_relu",
  "leakyRelu",
  "selu",
] as const;
/**
 * The nonlinearities calculateGain knows, in camel case or PyTorch's snake case.
 */
export type Nonlinearity = (typeof NONLINEARITIES)[number];

/**
 * The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain.
 *
 * @example
 * ```ts
 * wg.nn.init.calculateGain("relu"); // 1.4142
 * ```
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  const op = "calculateGain";
  const nl = oneOf(op, "nonlinearity", nonlinearity, NONLINEARITIES);
  if (nl === "tanh") return 5 / 3;
  if (nl === "relu") return Math.SQRT2;
  if (nl === "selu") return 3 / 4;
  if (nl === "leaky_relu" || nl === "leakyRelu") {
    const slope = param == null ? 0.01 : num(op, "param", param);
    return Math.sqrt(2 / (1 + slope * slope));
  }
  return 1;
}

/**
 * Fills `tensor` in place from U(a, b) (default 0 and 1); returns it.
 *
 * PyTorch: `torch.nn.init.uniform_`.
 *
 * @example
 * ```ts
 * wg.nn.init.uniform_(wg.zeros(3), -1, 1);
 * ```
 */
export function uniform_(
  tensor: Tensor,
  ...rest: Args<[a: number, b: number], { a?: number; b?: number }>
): Tensor {
  const o = args("uniform_", rest, ["a", "b"]);
  const a = o.a === undefined ? 0 : num("uniform_", "a", o.a, { finite: true });
  const b = o.b === undefined ? 1 : num("uniform_", "b", o.b, { finite: true });
  if (a > b) fail("uniform_", `a (${a}) must be <= b (${b})`);
  return fill("uniform_", tensor, () => a + (b - a) * uniform());
}

/**
 * Fills `tensor` in place from N(mean, std^2) (default 0 and 1); returns it.
 *
 * PyTorch: `torch.nn.init.normal_`.
 *
 * @example
 * ```ts
 * wg.nn.init.normal_(wg.zeros(3, 3), 0, 0.02);
 * ```
 */
export function normal_(
  tensor: Tensor,
  ...rest: Args<[mean: number, std: number], { mean?: number; std?: number }>
): Tensor {
  const o = args("normal_", rest, ["mean", "std"]);
  const mean = o.mean === undefined ? 0 : num("normal_", "mean", o.mean, { finite: true });
  const std = o.std === undefined ? 1 : num("normal_", "std", o.std, { min: 0, finite: true });
  return fill("normal_", tensor, () => mean + std * normal());
}

/**
 * Fills `tensor` with `val` in place, without recording a gradient; returns it.
 *
 * PyTorch: `torch.nn.init.constant_`.
 *
 * @example
 * ```ts
 * wg.nn.init.constant_(wg.zeros(3), 0.5); // [0.5, 0.5, 0.5]
 * ```
 */
export function constant_(tensor: Tensor, val: number): Tensor {
  const v = num("constant_", "val", val);
  return fill("constant_", tensor, () => v);
}

/**
 * Fills `tensor` with zeros in place; returns it.
 *
 * PyTorch: `torch.nn.init.zeros_`.
 *
 * @example
 * ```ts
 * wg.nn.init.zeros_(wg.ones(2)); // [0, 0]
 * ```
 */
export function zeros_(tensor: Tensor): Tensor {
  return fill("zeros_", tensor, () => 0);
}

/**
 * Fills `tensor` with ones in place; returns it.
 *
 * PyTorch: `torch.nn.init.ones_`.
 *
 * @example
 * ```ts
 * wg.nn.init.ones_(wg.zeros(2)); // [1, 1]
 * ```
 */
export function ones_(tensor: Tensor): Tensor {
  return fill("ones_", tensor, () => 1);
}

/**
 * The identity matrix in a 2-D tensor (ones on the main diagonal of a rectangular one).
 *
 * PyTorch: `torch.nn.init.eye_`.
 *
 * @example
 * ```ts
 * wg.nn.init.eye_(wg.zeros(2, 2)); // [[1, 0], [0, 1]]
 * ```
 */
export function eye_(tensor: Tensor): Tensor {
  const x = tensorArg("eye_", "tensor", tensor);
  if (x.ndim !== 2) fail("eye_", `only 2-D tensors are supported but got shape ${fmt(x.shape)}`);
  const cols = x.shape[1];
  return fill("eye_", x, (i) => (i % cols === Math.floor(i / cols) ? 1 : 0));
}

function gainArg(op: string, rest: readonly unknown[]): number {
  const o = args(op, rest, ["gain"]);
  return o.gain === undefined ? 1 : num(op, "gain", o.gain, { finite: true });
}

/**
 * U(-a, a), a = gain sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio, 2010).
 *
 * PyTorch: `torch.nn.init.xavier_uniform_`.
 *
 * @example
 * ```ts
 * wg.nn.init.xavierUniform_(wg.zeros(4, 3));
 * ```
 */
export function xavierUniform_(tensor: Tensor, ...rest: Args<[gain: number], { gain?: number }>) {
  const gain = gainArg("xavierUniform_", rest);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const a = gain * Math.sqrt(6 / (fanIn + fanOut));
  return fill("xavierUniform_", tensor, () => -a + 2 * a * uniform());
}

/**
 * N(0, std^2), std = gain sqrt(2 / (fanIn + fanOut)).
 *
 * PyTorch: `torch.nn.init.xavier_normal_`.
 *
 * @example
 * ```ts
 * wg.nn.init.xavierNormal_(wg.zeros(4, 3));
 * ```
 */
export function xavierNormal_(tensor: Tensor, ...rest: Args<[gain: number], { gain?: number }>) {
  const gain = gainArg("xavierNormal_", rest);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  return fill("xavierNormal_", tensor, () => std * normal());
}

/**
 * Which fan Kaiming initialization preserves: `"fanIn"` (forward pass) or `"fanOut"` (backward
 * pass); snake case is accepted too.
 */
export type FanMode = "fan_in" | "fan_out" | "fanIn" | "fanOut";

/** Options of {@link kaimingUniform_} and {@link kaimingNormal_}. */
export interface KaimingOptions {
  /** The negative slope of the rectifier after this layer, for "leaky_relu" (default 0). */
  a?: number;
  /**
   * "fanIn" (default) preserves the variance of the forward pass, "fanOut" of the backward pass
   * (PyTorch's "fan_in" and "fan_out").
   */
  mode?: FanMode;
  /** The activation after this layer, which sets the gain (default "leaky_relu"). */
  nonlinearity?: Nonlinearity;
}

/** std = gain / sqrt(fan), gain from (nonlinearity, a) (He et al., 2015). */
function kaimingStd(op: string, tensor: Tensor, rest: readonly unknown[]): number {
  const o = args(op, rest, ["a", "mode", "nonlinearity"]);
  const a = o.a === undefined ? 0 : num(op, "a", o.a, { finite: true });
  const mode =
    o.mode === undefined
      ? "fan_in"
      : oneOf(op, "mode", o.mode, ["fan_in", "fan_out", "fanIn", "fanOut"] as const);
  const nl =
    o.nonlinearity === undefined
      ? "leaky_relu"
      : oneOf(op, "nonlinearity", o.nonlinearity, NONLINEARITIES);
  const [fanIn, fanOut] = calculateFanInAndFanOut(tensor);
  const fan = mode === "fan_in" || mode === "fanIn" ? fanIn : fanOut;
  if (fan === 0)
    fail(op, `cannot initialize a tensor with a zero fan (shape ${fmt(tensor.shape)})`);
  return calculateGain(nl, a) / Math.sqrt(fan);
}

type KaimingArgs = Args<[a: number, mode: FanMode, nonlinearity: Nonlinearity], KaimingOptions>;

/**
 * Fills `tensor` in place from U(-b, b), b = gain * sqrt(3 / fan) (He et al., 2015); returns it.
 *
 * PyTorch: `torch.nn.init.kaiming_uniform_`.
 *
 * @example
 * ```ts
 * wg.nn.init.kaimingUniform_(wg.zeros(64, 32), { a: Math.sqrt(5) });
 * ```
 */
export function kaimingUniform_(tensor: Tensor, ...rest: KaimingArgs): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", tensor, rest);
  return fill("kaimingUniform_", tensor, () => -bound + 2 * bound * uniform());
}

/**
 * Fills `tensor` in place from N(0, std^2), std = gain / sqrt(fan) (He et al., 2015); returns it.
 *
 * PyTorch: `torch.nn.init.kaiming_normal_`.
 *
 * @example
 * ```ts
 * wg.nn.init.kaimingNormal_(wg.zeros(64, 32), { mode: "fanOut", nonlinearity: "relu" });
 * ```
 */
export function kaimingNormal_(tensor: Tensor, ...rest: KaimingArgs): Tensor {
  const std = kaimingStd("kaimingNormal_", tensor, rest);
  return fill("kaimingNormal_", tensor, () => std * normal());
}

/** Options of {@link truncNormal_}. */
export interface TruncNormalOptions {
  /** The mean of the normal distribution (default 0). */
  mean?: number;
  /** The standard deviation of the normal distribution (default 1). */
  std?: number;
  /** The lower cutoff (default -2). */
  a?: number;
  /** The upper cutoff (default 2). */
  b?: number;
}

/**
 * N(mean, std^2) restricted to [a, b] (defaults 0, 1, -2, 2). Drawn by rejection, which gives
 * exactly the truncated distribution; PyTorch uses the inverse CDF, same distribution.
 *
 * PyTorch: `torch.nn.init.trunc_normal_`.
 *
 * @example
 * ```ts
 * wg.nn.init.truncNormal_(wg.zeros(3, 3), { std: 0.02 });
 * ```
 */
export function truncNormal_(
  tensor: Tensor,
  ...rest: Args<[mean: number, std: number, a: number, b: number], TruncNormalOptions>
): Tensor {
  const op = "truncNormal_";
  const o = args(op, rest, ["mean", "std", "a", "b"]);
  const mean = o.mean === undefined ? 0 : num(op, "mean", o.mean, { finite: true });
  const std = o.std === undefined ? 1 : num(op, "std", o.std, { gt: 0, finite: true });
  const a = o.a === undefined ? -2 : num(op, "a", o.a);
  const b = o.b === undefined ? 2 : num(op, "b", o.b);
  if (!(a < b)) fail(op, `a (${a}) must be smaller than b (${b})`);
  // Rejection needs the interval to hold a fair share of the mass.
  if ((a - mean) / std > 3 || (b - mean) / std < -3) {
    fail(op, `mean ${mean} is more than 3 std (${std}) from [${a}, ${b}]`);
  }
  return fill(op, tensor, () => {
    for (;;) {
      const v = mean + std * normal();
      if (v >= a && v <= b) return v;
    }
  });
}

/**
 * A (semi-)orthogonal matrix from the QR decomposition of a normal draw, flattened over dims
 * after the first, times gain (Saxe et al., 2013), as torch.nn.init.orthogonal_.
 *
 * @example
 * ```ts
 * wg.nn.init.orthogonal_(wg.zeros(3, 3));
 * ```
 */
export function orthogonal_(tensor: Tensor, ...rest: Args<[gain: number], { gain?: number }>) {
  const op = "orthogonal_";
  const x = tensorArg(op, "tensor", tensor, "float32");
  const gain = gainArg(op, rest);
  if (x.ndim < 2)
    fail(op, `only tensors with 2 or more dimensions are supported but got shape ${fmt(x.shape)}`);
  const rows = x.shape[0];
  const cols = x.numel() / Math.max(rows, 1);
  const q = orthogonalMatrix(rows, cols, normal);
  return fill(op, x, (i) => gain * q[i]);
}
