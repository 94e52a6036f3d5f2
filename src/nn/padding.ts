/**
 * The padding layers (ReflectionPad1d/2d, ReplicationPad1d/2d, ZeroPad2d, ConstantPad1d/2d), as
 * torch.nn: each holds its padding, one number for every side or one per side (left, right for
 * 1-D; left, right, top, bottom for 2-D), and runs `F.pad` with its mode.
 */
import { graphScopedForward } from "../autograd/owned.js";
import { type PadMode, pad } from "../ops/resample.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, describe, fail, hoist, num, tensorArg } from "../validate.js";
import { Module } from "./module.js";
import { pyFloat, pyTuple } from "./repr.js";

/** One number for every side, or one per side. */
export type Padding1d = number | readonly [left: number, right: number];
/** One number for every side, or one per side. */
export type Padding2d =
  | number
  | readonly [left: number, right: number, top: number, bottom: number];

/** A padding layer: `sides` numbers of padding, a mode and (for constant) a value. */
abstract class PadBase extends Module {
  /** The padding of each side: (left, right) or (left, right, top, bottom). */
  readonly padding: readonly number[];

  protected constructor(
    private readonly layer: string,
    private readonly mode: PadMode,
    sides: number,
    given: unknown,
    /** The fill of constant padding (0 for the other modes). */
    readonly value: number,
  ) {
    super();
    const list = typeof given === "number" ? new Array<number>(sides).fill(given) : given;
    if (
      !Array.isArray(list) ||
      list.length !== sides ||
      !list.every((v) => typeof v === "number" && Number.isInteger(v))
    ) {
      fail(
        layer,
        `padding must be an integer or ${sides} integers (${sides === 2 ? "left, right" : "left, right, top, bottom"}) but got ${describe(given)}`,
      );
    }
    this.padding = [...(list as number[])];
  }

  /** `x` padded on its last dimension(s). */
  forward(x: Tensor): Tensor {
    tensorArg(this.layer, "input", x);
    return this.mode === "constant"
      ? pad(x, this.padding, { mode: "constant", value: this.value })
      : pad(x, this.padding, { mode: this.mode });
  }

  override extraRepr(): string {
    return this.mode === "constant"
      ? `padding=${pyTuple(this.padding)}, value=${pyFloat(this.value)}`
      : pyTuple(this.padding);
  }
}

/** The padding and (constant layers) value, positionally or as options. */
function padArgs(
  layer: string,
  given: readonly unknown[],
  withValue: boolean,
): { padding: unknown; value: number } {
  const [padding, ...rest] = hoist(layer, given, withValue ? ["padding", "value"] : ["padding"]);
  if (withValue) {
    const [value] = rest;
    args(layer, rest.slice(1), []);
    return { padding, value: num(layer, "value", value) };
  }
  args(layer, rest, []);
  return { padding, value: 0 };
}

/**
 * Pads the last dimension of [N, C, L] (or [C, L]) with its own reflection.
 *
 * PyTorch: `torch.nn.ReflectionPad1d`.
 *
 * @example
 * ```ts
 * new wg.nn.ReflectionPad1d(2).forward(wg.tensor([[[1, 2, 3]]])); // [[[3, 2, 1, 2, 3, 2, 1]]]
 * ```
 */
export class ReflectionPad1d extends PadBase {
  /** `ReflectionPad1d(padding)`: one number, or [left, right]. */
  constructor(padding: Padding1d, ...rest: Args<[], { padding?: Padding1d }>) {
    const a = padArgs("ReflectionPad1d", [padding, ...rest], false);
    super("ReflectionPad1d", "reflect", 2, a.padding, 0);
  }
}

/**
 * Pads the last two dimensions of [N, C, H, W] (or [C, H, W]) with their own reflection.
 *
 * PyTorch: `torch.nn.ReflectionPad2d`.
 *
 * @example
 * ```ts
 * new wg.nn.ReflectionPad2d(1).forward(wg.ones(1, 3, 8, 8)).shape; // [1, 3, 10, 10]
 * ```
 */
export class ReflectionPad2d extends PadBase {
  /** `ReflectionPad2d(padding)`: one number, or [left, right, top, bottom]. */
  constructor(padding: Padding2d, ...rest: Args<[], { padding?: Padding2d }>) {
    const a = padArgs("ReflectionPad2d", [padding, ...rest], false);
    super("ReflectionPad2d", "reflect", 4, a.padding, 0);
  }
}

/**
 * Pads the last dimension of [N, C, L] (or [C, L]) by repeating its edge values.
 *
 * PyTorch: `torch.nn.ReplicationPad1d`.
 *
 * @example
 * ```ts
 * new wg.nn.ReplicationPad1d([1, 2]).forward(wg.tensor([[[1, 2]]])); // [[[1, 1, 2, 2, 2]]]
 * ```
 */
export class ReplicationPad1d extends PadBase {
  /** `ReplicationPad1d(padding)`: one number, or [left, right]. */
  constructor(padding: Padding1d, ...rest: Args<[], { padding?: Padding1d }>) {
    const a = padArgs("ReplicationPad1d", [padding, ...rest], false);
    super("ReplicationPad1d", "replicate", 2, a.padding, 0);
  }
}

/**
 * Pads the last two dimensions of [N, C, H, W] (or [C, H, W]) by repeating their edge values.
 *
 * PyTorch: `torch.nn.ReplicationPad2d`.
 *
 * @example
 * ```ts
 * new wg.nn.ReplicationPad2d(2).forward(wg.ones(1, 1, 4, 4)).shape; // [1, 1, 8, 8]
 * ```
 */
export class ReplicationPad2d extends PadBase {
  /** `ReplicationPad2d(padding)`: one number, or [left, right, top, bottom]. */
  constructor(padding: Padding2d, ...rest: Args<[], { padding?: Padding2d }>) {
    const a = padArgs("ReplicationPad2d", [padding, ...rest], false);
    super("ReplicationPad2d", "replicate", 4, a.padding, 0);
  }
}

/**
 * Pads the last dimension of [N, C, L] (or [C, L]) with `value`.
 *
 * PyTorch: `torch.nn.ConstantPad1d`.
 *
 * @example
 * ```ts
 * new wg.nn.ConstantPad1d(1, 9).forward(wg.tensor([[1, 2]])); // [[9, 1, 2, 9]]
 * ```
 */
export class ConstantPad1d extends PadBase {
  /** `ConstantPad1d(padding, value)`: one number or [left, right], then the fill. */
  constructor(
    padding: Padding1d,
    ...rest: Args<[value: number], { padding?: Padding1d; value?: number }>
  ) {
    const a = padArgs("ConstantPad1d", [padding, ...rest], true);
    super("ConstantPad1d", "constant", 2, a.padding, a.value);
  }
}

/**
 * Pads the last two dimensions of [N, C, H, W] (or [C, H, W]) with `value`.
 *
 * PyTorch: `torch.nn.ConstantPad2d`.
 *
 * @example
 * ```ts
 * new wg.nn.ConstantPad2d([1, 0, 0, 1], -1).forward(wg.zeros(1, 2, 2)).shape; // [1, 3, 3]
 * ```
 */
export class ConstantPad2d extends PadBase {
  /** `ConstantPad2d(padding, value)`: one number or [left, right, top, bottom], then the fill. */
  constructor(
    padding: Padding2d,
    ...rest: Args<[value: number], { padding?: Padding2d; value?: number }>
  ) {
    const a = padArgs("ConstantPad2d", [padding, ...rest], true);
    super("ConstantPad2d", "constant", 4, a.padding, a.value);
  }
}

/**
 * Pads the last two dimensions of [N, C, H, W] (or [C, H, W]) with zeros.
 *
 * PyTorch: `torch.nn.ZeroPad2d`.
 *
 * @example
 * ```ts
 * new wg.nn.ZeroPad2d(1).forward(wg.ones(1, 1, 2, 2)).shape; // [1, 1, 4, 4]
 * ```
 */
export class ZeroPad2d extends PadBase {
  /** `ZeroPad2d(padding)`: one number, or [left, right, top, bottom]. */
  constructor(padding: Padding2d, ...rest: Args<[], { padding?: Padding2d }>) {
    const a = padArgs("ZeroPad2d", [padding, ...rest], false);
    super("ZeroPad2d", "constant", 4, a.padding, 0);
  }
  /** PyTorch's repr of ZeroPad2d: the padding tuple alone. */
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

graphScopedForward(PadBase);
