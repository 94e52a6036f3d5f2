/**
 * Adamax, as torch.optim.Adamax (1.13): Adam with the infinity norm. Per parameter p with
 * gradient g (negated under maximize), at that parameter's own step t:
 *   g ← g + λ·p                                   (weightDecay λ)
 *   m ← β1·m + (1 − β1)·g
 *   u ← max(β2·u, |g| + ε)
 *   p ← p − lr / (1 − β1^t) · m / u
 * One fused kernel pass per parameter (adamax_f32).
 */
import { K } from "../backend/runtime.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { betasOf, hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

/** Options of {@link Adamax}. */
export interface AdamaxOptions {
  /** The learning rate; default 2e-3. */
  lr?: number;
  /** Coefficients of the running averages of g and g²; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for stability; default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** The hyper-parameters of one Adamax parameter group (see {@link AdamaxOptions}). */
export interface AdamaxGroup extends GroupOptions {
  /** The learning rate; default 2e-3. */
  lr: number;
  /** Coefficients of the running averages of g and g²; default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for stability; default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay: number;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

/** The per-parameter state of Adamax. */
export interface AdamaxState {
  [key: string]: Tensor | number;
  /** The number of updates this parameter has had. */
  step: number;
  /** The running average of the gradient (PyTorch's `exp_avg`). */
  expAvg: Tensor;
  /** The exponentially weighted infinity norm of the gradient (PyTorch's `exp_inf`). */
  expInf: Tensor;
}

const positional = ["lr", "betas", "eps", "weightDecay"] as const;
type Arg<T> = T | AdamaxOptions;

/**
 * torch.optim.Adamax. State per parameter: `step`, `expAvg`, `expInf`.
 *
 * @example
 * ```ts
 * new wg.optim.Adamax(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class Adamax extends Optimizer<AdamaxState, AdamaxGroup> {
  constructor(
    params: Params,
    lr?: Arg<number>,
    betas?: Arg<[number, number]>,
    eps?: Arg<number>,
    weightDecay?: Arg<number>,
    options?: AdamaxOptions,
  ) {
    const o = hyperArgs("Adamax", [lr, betas, eps, weightDecay, options], positional, [
      ...positional,
      "maximize",
    ]);
    super("Adamax", params, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      maximize: false,
      ...o,
    } as AdamaxGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<AdamaxGroup>): void {
    for (const k of ["lr", "eps", "weightDecay"] as const) {
      hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    }
    betasOf(op, g.betas);
    hyperFlag(op, "maximize", g.maximize);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdamaxGroup>, op: string): void {
    const [beta1, beta2] = group.betas;
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, expAvg: this.newState(p), expInf: this.newState(p) };
      this.state.set(p, s);
    }
    s.step += 1;
    K.adamax_f32(
      p._ptr(op),
      g._ptr(op),
      s.expAvg._ptr(op),
      s.expInf._ptr(op),
      sizeOf(p.shape),
      beta1,
      1 - beta1,
      beta2,
      group.eps,
      group.weightDecay,
      group.lr / (1 - beta1 ** s.step),
    );
  }

  protected override requiredState(): string[] {
    return ["step", "expAvg", "expInf"];
  }
}
