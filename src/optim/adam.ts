/**
 * Adam and AdamW, as torch.optim.Adam and torch.optim.AdamW (1.13). Per parameter p with
 * gradient g (negated under maximize), at that parameter's own step t (a parameter without a gradient is skipped and its
 * count stays where it is):
 *   Adam:  g ← g + λ·p                        (weightDecay λ as an L2 term)
 *   AdamW: p ← p·(1 − lr·λ)                    (decoupled decay, before the update)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   amsgrad: v̂ ← max(v̂, v), used in place of v below
 *   p ← p − lr / (1 − β1^t) · m / (√v / √(1 − β2^t) + ε)
 * The bias corrections are computed in double precision, as Python does; the rest is one fused
 * kernel pass per parameter (adam_f32).
 */
import { K } from "../backend/runtime.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { betasOf, hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

/** Options of {@link Adam} and {@link AdamW}. */
export interface AdamOptions {
  /** The learning rate; default 1e-3. */
  lr?: number;
  /** Coefficients of the running averages of g and g²; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator; default 1e-8. */
  eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay?: number;
  /** Use the maximum of all past v (AMSGrad); default false. */
  amsgrad?: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** The hyper-parameters of one Adam or AdamW parameter group (see {@link AdamOptions}). */
export interface AdamGroup extends GroupOptions {
  /** The learning rate; default 1e-3. */
  lr: number;
  /** Coefficients of the running averages of g and g²; default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator; default 1e-8. */
  eps: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of all past v (AMSGrad); default false. */
  amsgrad: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

/** The per-parameter state of Adam and AdamW (PyTorch's keys in snake case). */
export interface AdamState {
  [key: string]: Tensor | number;
  /** The number of updates this parameter has had. */
  step: number;
  /** The running average of the gradient, m (PyTorch's `exp_avg`). */
  expAvg: Tensor;
  /** The running average of the squared gradient, v (PyTorch's `exp_avg_sq`). */
  expAvgSq: Tensor;
}

const positional = ["lr", "betas", "eps", "weightDecay", "amsgrad"] as const;

type Arg<T> = T | AdamOptions;

/** What Adam and AdamW share; they differ only in where weight decay enters. */
abstract class AdamBase extends Optimizer<AdamState, AdamGroup> {
  protected constructor(
    name: string,
    private readonly decoupled: boolean,
    params: Params,
    args: unknown[],
    defaultWeightDecay: number,
  ) {
    const o = hyperArgs(name, args, positional, [...positional, "maximize"]);
    super(name, params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: defaultWeightDecay,
      amsgrad: false,
      maximize: false,
      ...o,
    } as AdamGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<AdamGroup>): void {
    for (const k of ["lr", "eps"] as const) hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    betasOf(op, g.betas);
    hyper(op, "weightDecay", g.weightDecay, nonNegative, "a finite number >= 0");
    hyperFlag(op, "amsgrad", g.amsgrad);
    hyperFlag(op, "maximize", g.maximize);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdamGroup>, op: string): void {
    const { lr, eps, weightDecay, amsgrad } = group;
    const [beta1, beta2] = group.betas;
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, expAvg: this.newState(p), expAvgSq: this.newState(p) };
      this.state.set(p, s);
    }
    let max = 0;
    if (amsgrad) {
      // Created here too when amsgrad is switched on after the first step.
      if (s.maxExpAvgSq === undefined) s.maxExpAvgSq = this.newState(p);
      max = (s.maxExpAvgSq as Tensor)._ptr(op);
    }
    s.step += 1;
    const biasCorrection1 = 1 - beta1 ** s.step;
    const biasCorrection2 = 1 - beta2 ** s.step;
    K.adam_f32(
      p._ptr(op),
      g._ptr(op),
      s.expAvg._ptr(op),
      s.expAvgSq._ptr(op),
      max,
      sizeOf(p.shape),
      beta1,
      1 - beta1,
      beta2,
      1 - beta2,
      this.decoupled ? 0 : weightDecay,
      this.decoupled ? 1 - lr * weightDecay : 1,
      lr / biasCorrection1,
      Math.sqrt(biasCorrection2),
      eps,
    );
  }

  protected override requiredState(group: Record<string, unknown>): string[] {
    return ["step", "expAvg", "expAvgSq", ...(group.amsgrad === true ? ["maxExpAvgSq"] : [])];
  }
}

/**
 * torch.optim.Adam: `new Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8,
 * weightDecay: 0, amsgrad: false, maximize: false })`, or those positionally in that order.
 * State per parameter: `step`, `expAvg`, `expAvgSq` and, with amsgrad, `maxExpAvgSq`.
 *
 * @example
 * ```ts
 * new wg.optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
 * ```
 */
export class Adam extends AdamBase {
  constructor(
    params: Params,
    lr?: Arg<number>,
    betas?: Arg<[number, number]>,
    eps?: Arg<number>,
    weightDecay?: Arg<number>,
    amsgrad?: Arg<boolean>,
    options?: AdamOptions,
  ) {
    super("Adam", false, params, [lr, betas, eps, weightDecay, amsgrad, options], 0);
  }
}

/**
 * torch.optim.AdamW: Adam with decoupled weight decay (default 1e-2): each step first scales
 * the parameter by 1 − lr·weightDecay, and the decay never enters the moment estimates.
 *
 * @example
 * ```ts
 * new wg.optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.01 });
 * ```
 */
export class AdamW extends AdamBase {
  constructor(
    params: Params,
    lr?: Arg<number>,
    betas?: Arg<[number, number]>,
    eps?: Arg<number>,
    weightDecay?: Arg<number>,
    amsgrad?: Arg<boolean>,
    options?: AdamOptions,
  ) {
    super("AdamW", true, params, [lr, betas, eps, weightDecay, amsgrad, options], 1e-2);
  }
}
