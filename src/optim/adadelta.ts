/**
 * Adadelta, as torch.optim.Adadelta (1.13). Per parameter p with gradient g (negated under
 * maximize):
 *   g ← g + λ·p                                   (weightDecay λ)
 *   s ← ρ·s + (1 − ρ)·g²
 *   Δ = √(acc + ε) / √(s + ε) · g
 *   acc ← ρ·acc + (1 − ρ)·Δ²
 *   p ← p − lr·Δ
 * One fused kernel pass per parameter (adadelta_f32).
 */
import { K } from "../backend/runtime.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

/** Options of {@link Adadelta}. */
export interface AdadeltaOptions {
  /** Scales the update; default 1. */
  lr?: number;
  /** Smoothing constant of both running averages, in [0, 1]; default 0.9. */
  rho?: number;
  /** Added to the denominator for stability; default 1e-6. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** The hyper-parameters of one Adadelta parameter group (see {@link AdadeltaOptions}). */
export interface AdadeltaGroup extends GroupOptions {
  /** Scales the update; default 1. */
  lr: number;
  /** Smoothing constant of both running averages, in [0, 1]; default 0.9. */
  rho: number;
  /** Added to the denominator for stability; default 1e-6. */
  eps: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay: number;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

/** The per-parameter state of Adadelta. */
export interface AdadeltaState {
  [key: string]: Tensor | number;
  /** The number of updates this parameter has had. */
  step: number;
  /** The running average of the squared gradient (PyTorch's `square_avg`). */
  squareAvg: Tensor;
  /** The running average of the squared updates (PyTorch's `acc_delta`). */
  accDelta: Tensor;
}

const positional = ["lr", "rho", "eps", "weightDecay"] as const;
type Arg<T> = T | AdadeltaOptions;

/**
 * torch.optim.Adadelta. State per parameter: `step`, `squareAvg`, `accDelta`.
 *
 * @example
 * ```ts
 * new wg.optim.Adadelta(model.parameters(), { lr: 1.0 });
 * ```
 */
export class Adadelta extends Optimizer<AdadeltaState, AdadeltaGroup> {
  constructor(
    params: Params,
    lr?: Arg<number>,
    rho?: Arg<number>,
    eps?: Arg<number>,
    weightDecay?: Arg<number>,
    options?: AdadeltaOptions,
  ) {
    const o = hyperArgs("Adadelta", [lr, rho, eps, weightDecay, options], positional, [
      ...positional,
      "maximize",
    ]);
    super("Adadelta", params, {
      lr: 1,
      rho: 0.9,
      eps: 1e-6,
      weightDecay: 0,
      maximize: false,
      ...o,
    } as AdadeltaGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<AdadeltaGroup>): void {
    for (const k of ["lr", "eps", "weightDecay"] as const) {
      hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    }
    hyper(op, "rho", g.rho, (v) => v >= 0 && v <= 1, "a number in [0, 1]");
    hyperFlag(op, "maximize", g.maximize);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdadeltaGroup>, op: string): void {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, squareAvg: this.newState(p), accDelta: this.newState(p) };
      this.state.set(p, s);
    }
    s.step += 1;
    K.adadelta_f32(
      p._ptr(op),
      g._ptr(op),
      s.squareAvg._ptr(op),
      s.accDelta._ptr(op),
      sizeOf(p.shape),
      group.lr,
      group.rho,
      1 - group.rho,
      group.eps,
      group.weightDecay,
    );
  }

  protected override requiredState(): string[] {
    return ["step", "squareAvg", "accDelta"];
  }
}
