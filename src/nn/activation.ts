/**
 * Activation modules, as torch.nn: SiLU, LeakyReLU, ELU, Softplus, Mish, Hardtanh, ReLU6,
 * LogSoftmax and Identity. Constructor arguments in PyTorch's order, or in a trailing options
 * object (`new LeakyReLU(0.2)` = `new LeakyReLU({ negativeSlope: 0.2 })`). With `inplace`,
 * forward writes into its input and returns it, as PyTorch's (see ops/activation.ts).
 */
import { graphScopedForward } from "../autograd/owned.js";
import {
  elu,
  hardtanh,
  type InplaceOptions,
  leakyRelu,
  mish,
  relu6,
  silu,
  softplus,
} from "../ops/activation.js";
import { logSoftmax } from "../ops/softmax.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, fail, int, num, tensorArg } from "../validate.js";
import { Module } from "./module.js";
import { pyFloat } from "./repr.js";

function inplaceOf(op: string, v: unknown): boolean {
  return v === undefined ? false : bool(op, "inplace", v);
}

/**
 * The module form of F.silu: x sigmoid(x).
 *
 * PyTorch: `torch.nn.SiLU`.
 *
 * @example
 * ```ts
 * new wg.nn.SiLU().forward(wg.tensor([0, 1])); // [0, 0.7311]
 * ```
 */
export class SiLU extends Module {
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(...rest: Args<[inplace: boolean], InplaceOptions>) {
    super();
    this.inplace = inplaceOf("SiLU", args("SiLU", rest, ["inplace"]).inplace);
  }
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
  /** x * sigmoid(x), elementwise. */
  forward(x: Tensor): Tensor {
    return silu(x, this.inplace);
  }
}

/**
 * The module form of F.mish: x tanh(softplus(x)).
 *
 * PyTorch: `torch.nn.Mish`.
 *
 * @example
 * ```ts
 * new wg.nn.Mish().forward(wg.tensor([0, 1])); // [0, 0.8651]
 * ```
 */
export class Mish extends Module {
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(...rest: Args<[inplace: boolean], InplaceOptions>) {
    super();
    this.inplace = inplaceOf("Mish", args("Mish", rest, ["inplace"]).inplace);
  }
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
  /** x * tanh(softplus(x)), elementwise. */
  forward(x: Tensor): Tensor {
    return mish(x, this.inplace);
  }
}

/**
 * The module form of F.relu6: min(max(x, 0), 6).
 *
 * PyTorch: `torch.nn.ReLU6`.
 *
 * @example
 * ```ts
 * new wg.nn.ReLU6().forward(wg.tensor([-1, 3, 8])); // [0, 3, 6]
 * ```
 */
export class ReLU6 extends Module {
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(...rest: Args<[inplace: boolean], InplaceOptions>) {
    super();
    this.inplace = inplaceOf("ReLU6", args("ReLU6", rest, ["inplace"]).inplace);
  }
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
  /** min(max(x, 0), 6), elementwise. */
  forward(x: Tensor): Tensor {
    return relu6(x, this.inplace);
  }
}

/**
 * The module form of F.leakyRelu: x for x > 0, negativeSlope * x otherwise.
 *
 * PyTorch: `torch.nn.LeakyReLU`.
 *
 * @example
 * ```ts
 * new wg.nn.LeakyReLU(0.1).forward(wg.tensor([-1, 1])); // [-0.1, 1]
 * ```
 */
export class LeakyReLU extends Module {
  /** The slope for negative inputs (default 0.01; PyTorch's `negative_slope`). */
  readonly negativeSlope: number;
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(
    ...rest: Args<
      [negativeSlope: number, inplace: boolean],
      { negativeSlope?: number; inplace?: boolean }
    >
  ) {
    super();
    const op = "LeakyReLU";
    const a = args(op, rest, ["negativeSlope", "inplace"]);
    this.negativeSlope =
      a.negativeSlope === undefined ? 0.01 : num(op, "negativeSlope", a.negativeSlope);
    this.inplace = inplaceOf(op, a.inplace);
  }
  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}${this.inplace ? ", inplace=True" : ""}`;
  }
  /** x for x >= 0, negativeSlope * x below, elementwise. */
  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope, this.inplace);
  }
}

/**
 * The module form of F.elu: x for x > 0, alpha (e^x - 1) otherwise.
 *
 * PyTorch: `torch.nn.ELU`.
 *
 * @example
 * ```ts
 * new wg.nn.ELU().forward(wg.tensor([-1, 1])); // [-0.6321, 1]
 * ```
 */
export class ELU extends Module {
  /** The value approached for large negative inputs, alpha * (e^x - 1) (default 1). */
  readonly alpha: number;
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(
    ...rest: Args<[alpha: number, inplace: boolean], { alpha?: number; inplace?: boolean }>
  ) {
    super();
    const a = args("ELU", rest, ["alpha", "inplace"]);
    this.alpha = a.alpha === undefined ? 1 : num("ELU", "alpha", a.alpha);
    this.inplace = inplaceOf("ELU", a.inplace);
  }
  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}${this.inplace ? ", inplace=True" : ""}`;
  }
  /** x for x > 0, alpha * (e^x - 1) below, elementwise. */
  forward(x: Tensor): Tensor {
    return elu(x, this.alpha, this.inplace);
  }
}

/**
 * The module form of F.softplus: log(1 + e^(beta x)) / beta, linear above `threshold`.
 *
 * PyTorch: `torch.nn.Softplus`.
 *
 * @example
 * ```ts
 * new wg.nn.Softplus().forward(wg.tensor([0])); // [0.6931]
 * ```
 */
export class Softplus extends Module {
  /** The sharpness: log(1 + e^(beta x)) / beta (default 1). */
  readonly beta: number;
  /** Above beta * x > threshold the result is x itself (default 20). */
  readonly threshold: number;
  constructor(
    ...rest: Args<[beta: number, threshold: number], { beta?: number; threshold?: number }>
  ) {
    super();
    const op = "Softplus";
    const a = args(op, rest, ["beta", "threshold"]);
    this.beta = a.beta === undefined ? 1 : num(op, "beta", a.beta, { gt: 0, finite: true });
    this.threshold = a.threshold === undefined ? 20 : num(op, "threshold", a.threshold);
  }
  override extraRepr(): string {
    return `beta=${pyNum(this.beta)}, threshold=${pyNum(this.threshold)}`;
  }
  /** log(1 + e^(beta x)) / beta, elementwise. */
  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }
}

/**
 * The module form of F.hardtanh: clamps to [minVal, maxVal] (default [-1, 1]).
 *
 * PyTorch: `torch.nn.Hardtanh`.
 *
 * @example
 * ```ts
 * new wg.nn.Hardtanh().forward(wg.tensor([-2, 0.5, 2])); // [-1, 0.5, 1]
 * ```
 */
export class Hardtanh extends Module {
  private readonly boundsGiven: boolean;
  /** The lower clamp (default -1; PyTorch's `min_val`). */
  readonly minVal: number;
  /** The upper clamp (default 1; PyTorch's `max_val`). */
  readonly maxVal: number;
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(
    ...rest: Args<
      [minVal: number, maxVal: number, inplace: boolean],
      { minVal?: number; maxVal?: number; inplace?: boolean }
    >
  ) {
    super();
    const op = "Hardtanh";
    const a = args(op, rest, ["minVal", "maxVal", "inplace"]);
    this.boundsGiven = a.minVal !== undefined || a.maxVal !== undefined;
    this.minVal = a.minVal === undefined ? -1 : num(op, "minVal", a.minVal);
    this.maxVal = a.maxVal === undefined ? 1 : num(op, "maxVal", a.maxVal);
    if (!(this.minVal <= this.maxVal)) {
      fail(op, `minVal (${this.minVal}) must be <= maxVal (${this.maxVal})`);
    }
    this.inplace = inplaceOf(op, a.inplace);
  }
  override extraRepr(): string {
    // PyTorch prints the bounds as given: its defaults are floats, given integers stay ints.
    const f = this.boundsGiven ? pyNum : pyFloat;
    return `min_val=${f(this.minVal)}, max_val=${f(this.maxVal)}${this.inplace ? ", inplace=True" : ""}`;
  }
  /** `x` clamped to [minVal, maxVal]. */
  forward(x: Tensor): Tensor {
    return hardtanh(x, this.minVal, this.maxVal, this.inplace);
  }
}

/**
 * log(softmax(x)) along `dim`. Without a dim, PyTorch's legacy rule picks one: 0 for 0-, 1- and
 * 3-D input, else 1.
 *
 * PyTorch: `torch.nn.LogSoftmax`.
 *
 * @example
 * ```ts
 * new wg.nn.LogSoftmax(1).forward(wg.tensor([[0, 0]])); // [[-0.6931, -0.6931]]
 * ```
 */
export class LogSoftmax extends Module {
  /** The dim the log-softmax runs along. */
  readonly dim: number | null;
  constructor(...rest: Args<[dim: number | null], { dim?: number | null }>) {
    super();
    const a = args("LogSoftmax", rest, ["dim"]);
    this.dim = a.dim === undefined || a.dim === null ? null : int("LogSoftmax", "dim", a.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim ?? "None"}`;
  }
  /** The log of the softmax of `x` along `dim`. */
  forward(x: Tensor): Tensor {
    tensorArg("LogSoftmax", "input", x);
    const dim = this.dim ?? (x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1);
    return logSoftmax(x, dim);
  }
}

/**
 * Returns its input; any constructor arguments are ignored, as in PyTorch.
 *
 * PyTorch: `torch.nn.Identity`.
 *
 * @example
 * ```ts
 * new wg.nn.Identity().forward(wg.tensor([1, 2])); // [1, 2]
 * ```
 */
export class Identity extends Module {
  constructor(..._ignored: unknown[]) {
    super();
  }
  /** Returns `x` itself. */
  forward(x: Tensor): Tensor {
    return x;
  }
}

/** An integer as Python prints an int, anything else as a float (PyTorch keeps what was given). */
function pyNum(x: number): string {
  return Number.isInteger(x) ? String(x) : pyFloat(x);
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [ELU, Hardtanh, Identity, LeakyReLU, LogSoftmax, Mish, ReLU6, SiLU, Softplus])
  graphScopedForward(layer);
