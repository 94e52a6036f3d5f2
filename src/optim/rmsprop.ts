/**
 * RMSprop, as torch.optim.RMSprop (1.13). Per parameter p with gradient g:
 *   g ← g + λ·p                                   (weightDecay λ)
 *   s ← α·s + (1 − α)·g²
 *   centered: a ← α·a + (1 − α)·g;  d = √(s − a²) + ε
 *   otherwise:                      d = √s + ε
 *   momentum μ > 0: b ← μ·b + g / d;  p ← p − lr·b
 *   otherwise:                        p ← p − lr·g / d
 * One fused kernel pass per parameter (rmsprop_f32).
 */
import { K } from "../backend/runtime.js";
import type { Tensor } from "../tensor.js";
import { type HyperParameter, Optimizer } from "./optimizer.js";

export interface RMSpropOptions {
  /** Default 1e-2. */
  lr?: number;
  /** Smoothing constant of the running average of g²; default 0.99. */
  alpha?: number;
  /** Added to the denominator; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** Default 0 (no momentum buffer). */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance instead of its second moment. */
  centered?: boolean;
}

export interface RMSpropState {
  [key: string]: Tensor | number;
  step: number;
  squareAvg: Tensor;
}

const optionNames = ["lr", "alpha", "eps", "weightDecay", "momentum", "centered"] as const;

/**
 * torch.optim.RMSprop. State per parameter: `step`, `squareAvg`, `momentumBuffer` (momentum > 0)
 * and `gradAvg` (centered).
 */
export class RMSprop extends Optimizer<RMSpropState> {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;

  constructor(params: Iterable<Tensor>, options: RMSpropOptions = {}) {
    super("RMSprop", params);
    Optimizer.checkOptionNames("RMSprop", options, optionNames);
    const {
      lr = 1e-2,
      alpha = 0.99,
      eps = 1e-8,
      weightDecay = 0,
      momentum = 0,
      centered = false,
    } = options;
    Optimizer.checkNonNegative("RMSprop", { lr, eps, momentum, weightDecay, alpha });
    this.lr = lr;
    this.alpha = alpha;
    this.eps = eps;
    this.weightDecay = weightDecay;
    this.momentum = momentum;
    this.centered = Optimizer.checkFlag("RMSprop", "centered", centered);
  }

  step(): void {
    const op = "RMSprop.step";
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      let s = this.state.get(p);
      if (s === undefined) {
        s = { step: 0, squareAvg: this.newState(p) };
        this.state.set(p, s);
      }
      // Buffers are created on first use, also when an option is switched on later.
      let buf = 0;
      if (this.momentum > 0) {
        if (s.momentumBuffer === undefined) s.momentumBuffer = this.newState(p);
        buf = (s.momentumBuffer as Tensor)._ptr(op);
      }
      let avg = 0;
      if (this.centered) {
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
        p.numel(),
        this.lr,
        this.alpha,
        1 - this.alpha,
        this.eps,
        this.weightDecay,
        this.momentum,
      );
    }
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return {
      lr: this.lr,
      alpha: this.alpha,
      eps: this.eps,
      weightDecay: this.weightDecay,
      momentum: this.momentum,
      centered: this.centered,
    };
  }

  protected override requiredState(settings: Record<string, HyperParameter>): string[] {
    const keys = ["step", "squareAvg"];
    if ((settings.momentum as number) > 0) keys.push("momentumBuffer");
    if (settings.centered === true) keys.push("gradAvg");
    return keys;
  }
}
