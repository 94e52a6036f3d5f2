/**
 * Adagrad, as torch.optim.Adagrad (1.13, dense gradients). Per parameter p with gradient g (negated under
 * maximize), at
 * that parameter's own step t:
 *   g ← g + λ·p                          (weightDecay λ)
 *   clr = lr / (1 + (t − 1)·lrDecay)
 *   sum ← sum + g²
 *   p ← p − clr·g / (√sum + ε)
 * As in PyTorch, the state (`step` 0 and `sum` filled with initialAccumulatorValue) exists for
 * every parameter from the moment its group is added. One fused kernel pass per parameter (adagrad_f32).
 */
import { K } from "../backend/runtime.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

/** Options of {@link Adagrad}. */
export interface AdagradOptions {
  /** The learning rate; default 1e-2. */
  lr?: number;
  /** Learning-rate decay per step; default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** The value every `sum` starts from; default 0. */
  initialAccumulatorValue?: number;
  /** Added to the denominator; default 1e-10. */
  eps?: number;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** The hyper-parameters of one Adagrad parameter group (see {@link AdagradOptions}). */
export interface AdagradGroup extends GroupOptions {
  /** The learning rate; default 1e-2. */
  lr: number;
  /** Learning-rate decay per step; default 0. */
  lrDecay: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay: number;
  /** The value every `sum` starts from; default 0. */
  initialAccumulatorValue: number;
  /** Added to the denominator; default 1e-10. */
  eps: number;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

/** The per-parameter state of Adagrad. */
export interface AdagradState {
  [key: string]: Tensor | number;
  /** The number of updates this parameter has had. */
  step: number;
  /** The sum of the squared gradients so far. */
  sum: Tensor;
}

const positional = ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const;

type Arg<T> = T | AdagradOptions;

/**
 * torch.optim.Adagrad, options as above or positionally. State per parameter: `step`, `sum`.
 *
 * @example
 * ```ts
 * new wg.optim.Adagrad(model.parameters(), { lr: 0.01 });
 * ```
 */
export class Adagrad extends Optimizer<AdagradState, AdagradGroup> {
  constructor(
    params: Params,
    lr?: Arg<number>,
    lrDecay?: Arg<number>,
    weightDecay?: Arg<number>,
    initialAccumulatorValue?: Arg<number>,
    eps?: Arg<number>,
    options?: AdagradOptions,
  ) {
    const o = hyperArgs(
      "Adagrad",
      [lr, lrDecay, weightDecay, initialAccumulatorValue, eps, options],
      positional,
      [...positional, "maximize"],
    );
    super("Adagrad", params, {
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
      ...o,
    } as AdagradGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<AdagradGroup>): void {
    for (const k of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const) {
      hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    }
    hyperFlag(op, "maximize", g.maximize);
  }

  /**
   * As PyTorch, `sum` starts from the constructor's initialAccumulatorValue, also in a group
   * that gives its own (PyTorch reads the constructor argument there, not the group's).
   */
  protected override onAddGroup(group: ParamGroup<AdagradGroup>): void {
    const init = this.defaults.initialAccumulatorValue;
    for (const p of group.params) this.state.set(p, { step: 0, sum: this.newState(p, init) });
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdagradGroup>, op: string): void {
    let s = this.state.get(p);
    if (s === undefined) {
      // Only after dispose(): start again from the initial accumulator.
      s = { step: 0, sum: this.newState(p, this.defaults.initialAccumulatorValue) };
      this.state.set(p, s);
    }
    s.step += 1;
    const clr = group.lr / (1 + (s.step - 1) * group.lrDecay);
    K.adagrad_f32(
      p._ptr(op),
      g._ptr(op),
      s.sum._ptr(op),
      sizeOf(p.shape),
      clr,
      group.weightDecay,
      group.eps,
    );
  }

  protected override requiredState(): string[] {
    return ["step", "sum"];
  }
}
