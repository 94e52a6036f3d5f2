/**
 * Adagrad, as torch.optim.Adagrad (1.13, dense gradients). Per parameter p with gradient g, at
 * that parameter's own step t:
 *   g ← g + λ·p                          (weightDecay λ)
 *   clr = lr / (1 + (t − 1)·lrDecay)
 *   sum ← sum + g²
 *   p ← p − clr·g / (√sum + ε)
 * As in PyTorch, the state (`step` 0 and `sum` filled with initialAccumulatorValue) exists for
 * every parameter from construction on. One fused kernel pass per parameter (adagrad_f32).
 */
import { K } from "../backend/runtime.js";
import type { Tensor } from "../tensor.js";
import { type HyperParameter, Optimizer } from "./optimizer.js";

export interface AdagradOptions {
  /** Default 1e-2. */
  lr?: number;
  /** Learning-rate decay per step; default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient; default 0. */
  weightDecay?: number;
  /** The value every `sum` starts from; default 0. */
  initialAccumulatorValue?: number;
  /** Added to the denominator; default 1e-10. */
  eps?: number;
}

export interface AdagradState {
  [key: string]: Tensor | number;
  step: number;
  sum: Tensor;
}

const optionNames = ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"] as const;

/** torch.optim.Adagrad. State per parameter: `step` and `sum`. */
export class Adagrad extends Optimizer<AdagradState> {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;

  constructor(params: Iterable<Tensor>, options: AdagradOptions = {}) {
    super("Adagrad", params);
    Optimizer.checkOptionNames("Adagrad", options, optionNames);
    const {
      lr = 1e-2,
      lrDecay = 0,
      weightDecay = 0,
      initialAccumulatorValue = 0,
      eps = 1e-10,
    } = options;
    Optimizer.checkNonNegative("Adagrad", {
      lr,
      lrDecay,
      weightDecay,
      initialAccumulatorValue,
      eps,
    });
    this.lr = lr;
    this.lrDecay = lrDecay;
    this.weightDecay = weightDecay;
    this.initialAccumulatorValue = initialAccumulatorValue;
    this.eps = eps;
    for (const p of this.params) {
      this.state.set(p, { step: 0, sum: this.newState(p, initialAccumulatorValue) });
    }
  }

  step(): void {
    const op = "Adagrad.step";
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      let s = this.state.get(p);
      if (s === undefined) {
        // Only after dispose(): start again from the initial accumulator.
        s = { step: 0, sum: this.newState(p, this.initialAccumulatorValue) };
        this.state.set(p, s);
      }
      s.step += 1;
      const clr = this.lr / (1 + (s.step - 1) * this.lrDecay);
      K.adagrad_f32(
        p._ptr(op),
        g._ptr(op),
        s.sum._ptr(op),
        p.numel(),
        clr,
        this.weightDecay,
        this.eps,
      );
    }
  }

  protected hyperParameters(): Record<string, HyperParameter> {
    return {
      lr: this.lr,
      lrDecay: this.lrDecay,
      weightDecay: this.weightDecay,
      initialAccumulatorValue: this.initialAccumulatorValue,
      eps: this.eps,
    };
  }

  protected override requiredState(): string[] {
    return ["step", "sum"];
  }
}
