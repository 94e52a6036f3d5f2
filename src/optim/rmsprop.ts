/**
 * RMSprop, as torch.optim.RMSprop (1.13). Per parameter p with gradient g
 * (negated under maximize):
 *   g ← g + λ·p                                   (weightDecay λ)
 *   s ← α·s + (1 − α)·g²
 *   centered: a ← α·a + (1 − α)·g;  d = √(s − a²) + ε
 *   otherwise:                      d = √s + ε
 *   momentum μ > 0: b ← μ·b + g / d;  p ← p − lr·b
 *   otherwise:                        p ← p − lr·g / d
 * One fused kernel pass per parameter (rmsprop_f32).
 */
import { K } from "../backend/runtime.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

/** Options of {@link RMSprop}. */
export interface RMSpropOptions {
  /** The learning rate; default 1e-2. */
  lr?: number;
  /** Smoothing constant of the running average of g²; default 0.99. */
  alpha?: number;
  /** Added to the denominator; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** The momentum factor; default 0 (no momentum buffer). */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered?: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** The hyper-parameters of one RMSprop parameter group (see {@link RMSpropOptions}). */
export interface RMSpropGroup extends GroupOptions {
  /** The learning rate; default 1e-2. */
  lr: number;
  /** Smoothing constant of the running average of g²; default 0.99. */
  alpha: number;
  /** Added to the denominator; default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay: number;
  /** The momentum factor; default 0 (no momentum buffer). */
  momentum: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

/**
 * The per-parameter state of RMSprop (plus `momentumBuffer` with momentum and `gradAvg` when
 * centered).
 */
export interface RMSpropState {
  [key: string]: Tensor | number;
  /** The number of updates this parameter has had. */
  step: number;
  /** The running average of the squared gradient (PyTorch's `square_avg`). */
  squareAvg: Tensor;
}

const positional = ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"] as const;

type Arg<T> = T | RMSpropOptions;

/**
 * torch.optim.RMSprop, options as above or positionally in that order. State per parameter:
 * `step`, `squareAvg`, `momentumBuffer` (momentum > 0) and `gradAvg` (centered).
 *
 * @example
 * ```ts
 * new wg.optim.RMSprop(model.parameters(), { lr: 0.01, momentum: 0.9 });
 * ```
 */
export class RMSprop extends Optimizer<RMSpropState, RMSpropGroup> {
  constructor(
    params: Params,
    lr?: Arg<number>,
    alpha?: Arg<number>,
    eps?: Arg<number>,
    weightDecay?: Arg<number>,
    momentum?: Arg<number>,
    centered?: Arg<boolean>,
    options?: RMSpropOptions,
  ) {
    const o = hyperArgs(
      "RMSprop",
      [lr, alpha, eps, weightDecay, momentum, centered, options],
      positional,
      [...positional, "maximize"],
    );
    super("RMSprop", params, {
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
      ...o,
    } as RMSpropGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<RMSpropGroup>): void {
    for (const k of ["lr", "eps", "momentum", "weightDecay", "alpha"] as const) {
      hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    }
    hyperFlag(op, "centered", g.centered);
    hyperFlag(op, "maximize", g.maximize);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<RMSpropGroup>, op: string): void {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, squareAvg: this.newState(p) };
      this.state.set(p, s);
    }
    // Buffers are created on first use, also when an option is switched on later.
    let buf = 0;
    if (group.momentum > 0) {
      if (s.momentumBuffer === undefined) s.momentumBuffer = this.newState(p);
      buf = (s.momentumBuffer as Tensor)._ptr(op);
    }
    let avg = 0;
    if (group.centered) {
      if (s.gradAvg === undefined) s.gradAvg = this.newState(p);
      avg = (s.gradAvg as Tensor)._ptr(op);
    }
    s.step += 1;
    K.rmsprop_f32(
      p._ptr(op),
      g._ptr(op),
      s.squareAvg._ptr(op),
      avg,
      buf,
      sizeOf(p.shape),
      group.lr,
      group.alpha,
      1 - group.alpha,
      group.eps,
      group.weightDecay,
      group.momentum,
    );
  }

  protected override requiredState(group: Record<string, unknown>): string[] {
    const keys = ["step", "squareAvg"];
    if ((group.momentum as number) > 0) keys.push("momentumBuffer");
    if (group.centered === true) keys.push("gradAvg");
    return keys;
  }
}
