/**
 * NAdam and RAdam, as torch.optim.NAdam and torch.optim.RAdam (1.13 arithmetic; maximize and
 * decoupledWeightDecay as PyTorch 2.1 adds them). Per parameter p with gradient g (negated under
 * maximize), at that parameter's own step t:
 *   g ← g + λ·p, or with decoupledWeightDecay p ← p·(1 − lr·λ)
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 * NAdam: μ_t = β1·(1 − ½·0.96^(t·ψ)) (ψ = momentumDecay), Πμ ← Πμ·μ_t (a float32 number, as
 *   PyTorch's 0-d tensor), d = √(v / (1 − β2^t)) + ε,
 *   p ← p − lr(1 − μ_t)/(1 − Πμ)·g/d − lr·μ_{t+1}/(1 − Πμ·μ_t·μ_{t+1})·m/d
 *   (PyTorch 1.13 multiplies μ_t in twice for the second denominator; so does this.)
 * RAdam: ρ∞ = 2/(1 − β2) − 1, ρ_t = ρ∞ − 2t·β2^t/(1 − β2^t); when ρ_t > 5,
 *   p ← p − (m/(1 − β1^t))·lr·(√(1 − β2^t)/(√v + ε))·r_t with r_t the variance rectification,
 *   otherwise p ← p − (m/(1 − β1^t))·lr.
 * One fused kernel pass per parameter (nadam_radam_f32).
 */
import { K } from "../backend/runtime.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { betasOf, hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

const f = Math.fround;

/** Options of {@link RAdam} (and, with `momentumDecay`, {@link NAdam}). */
export interface RAdamOptions {
  /** The learning rate; default 1e-3 (RAdam), 2e-3 (NAdam). */
  lr?: number;
  /** Coefficients of the running averages of g and g²; default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for stability; default 1e-8. */
  eps?: number;
  /** Weight decay (PyTorch's `weight_decay`); default 0. */
  weightDecay?: number;
  /** Decay the parameter (as AdamW) instead of adding an L2 term; default false. */
  decoupledWeightDecay?: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** Options of {@link NAdam}. */
export interface NAdamOptions extends RAdamOptions {
  /** ψ in the momentum schedule μ_t; default 4e-3. */
  momentumDecay?: number;
}

/** The hyper-parameters of one RAdam parameter group (see {@link RAdamOptions}). */
export interface RAdamGroup extends GroupOptions {
  /** The learning rate; default 1e-3 (RAdam), 2e-3 (NAdam). */
  lr: number;
  /** Coefficients of the running averages of g and g²; default [0.9, 0.999]. */
  betas: [number, number];
  /** Added to the denominator for stability; default 1e-8. */
  eps: number;
  /** Weight decay (PyTorch's `weight_decay`); default 0. */
  weightDecay: number;
  /** Decay the parameter (as AdamW) instead of adding an L2 term; default false. */
  decoupledWeightDecay: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

/** The hyper-parameters of one NAdam parameter group (see {@link NAdamOptions}). */
export interface NAdamGroup extends RAdamGroup {
  /** ψ in the momentum schedule μ_t; default 4e-3. */
  momentumDecay: number;
}

/** The per-parameter state of NAdam and RAdam (NAdam adds `muProduct`). */
export interface NAdamState {
  [key: string]: Tensor | number;
  /** The number of updates this parameter has had. */
  step: number;
  /** The running average of the gradient (PyTorch's `exp_avg`). */
  expAvg: Tensor;
  /** The running average of the squared gradient (PyTorch's `exp_avg_sq`). */
  expAvgSq: Tensor;
}

function checkCommon(op: string, g: RAdamGroup): void {
  for (const k of ["lr", "eps", "weightDecay"] as const) {
    hyper(op, k, g[k], nonNegative, "a finite number >= 0");
  }
  betasOf(op, g.betas);
  hyperFlag(op, "decoupledWeightDecay", g.decoupledWeightDecay);
  hyperFlag(op, "maximize", g.maximize);
}

/** The shared kernel call; coefs are the kernel's bc2, c1, c2, lr and rect. */
function run(
  op: string,
  p: Tensor,
  g: Tensor,
  s: NAdamState,
  group: RAdamGroup,
  mode: number,
  coefs: [number, number, number, number, number],
): void {
  const [beta1, beta2] = group.betas;
  const { lr, weightDecay: wd, decoupledWeightDecay: decoupled } = group;
  K.nadam_radam_f32(
    p._ptr(op),
    g._ptr(op),
    s.expAvg._ptr(op),
    s.expAvgSq._ptr(op),
    sizeOf(p.shape),
    mode,
    beta1,
    1 - beta1,
    beta2,
    1 - beta2,
    decoupled ? 0 : wd,
    decoupled ? 1 - lr * wd : 1,
    ...coefs,
    group.eps,
  );
}

const radamPositional = ["lr", "betas", "eps", "weightDecay", "decoupledWeightDecay"] as const;
type RArg<T> = T | RAdamOptions;

/**
 * torch.optim.RAdam. State per parameter: `step`, `expAvg`, `expAvgSq`.
 *
 * @example
 * ```ts
 * new wg.optim.RAdam(model.parameters(), { lr: 1e-3 });
 * ```
 */
export class RAdam extends Optimizer<NAdamState, RAdamGroup> {
  constructor(
    params: Params,
    lr?: RArg<number>,
    betas?: RArg<[number, number]>,
    eps?: RArg<number>,
    weightDecay?: RArg<number>,
    decoupledWeightDecay?: RArg<boolean>,
    options?: RAdamOptions,
  ) {
    const o = hyperArgs(
      "RAdam",
      [lr, betas, eps, weightDecay, decoupledWeightDecay, options],
      radamPositional,
      [...radamPositional, "maximize"],
    );
    super("RAdam", params, {
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      decoupledWeightDecay: false,
      maximize: false,
      ...o,
    } as RAdamGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<RAdamGroup>): void {
    checkCommon(op, g);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<RAdamGroup>, op: string): void {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, expAvg: this.newState(p), expAvgSq: this.newState(p) };
      this.state.set(p, s);
    }
    s.step += 1;
    const t = s.step;
    const [beta1, beta2] = group.betas;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
    if (rhoT > 5) {
      const rect = Math.sqrt(
        ((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT),
      );
      run(op, p, g, s, group, 1, [1, bc1, Math.sqrt(bc2), group.lr, rect]);
    } else {
      run(op, p, g, s, group, 2, [1, bc1, 1, group.lr, 1]);
    }
  }

  protected override requiredState(): string[] {
    return ["step", "expAvg", "expAvgSq"];
  }
}

const nadamPositional = [
  "lr",
  "betas",
  "eps",
  "weightDecay",
  "momentumDecay",
  "decoupledWeightDecay",
] as const;
type NArg<T> = T | NAdamOptions;

/**
 * torch.optim.NAdam. State per parameter: `step`, `muProduct`, `expAvg`, `expAvgSq`.
 *
 * @example
 * ```ts
 * new wg.optim.NAdam(model.parameters(), { lr: 2e-3 });
 * ```
 */
export class NAdam extends Optimizer<NAdamState, NAdamGroup> {
  constructor(
    params: Params,
    lr?: NArg<number>,
    betas?: NArg<[number, number]>,
    eps?: NArg<number>,
    weightDecay?: NArg<number>,
    momentumDecay?: NArg<number>,
    decoupledWeightDecay?: NArg<boolean>,
    options?: NAdamOptions,
  ) {
    const o = hyperArgs(
      "NAdam",
      [lr, betas, eps, weightDecay, momentumDecay, decoupledWeightDecay, options],
      nadamPositional,
      [...nadamPositional, "maximize"],
    );
    super("NAdam", params, {
      lr: 2e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      momentumDecay: 4e-3,
      decoupledWeightDecay: false,
      maximize: false,
      ...o,
    } as NAdamGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<NAdamGroup>): void {
    checkCommon(op, g);
    hyper(op, "momentumDecay", g.momentumDecay, nonNegative, "a finite number >= 0");
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<NAdamGroup>, op: string): void {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, muProduct: 1, expAvg: this.newState(p), expAvgSq: this.newState(p) };
      this.state.set(p, s);
    }
    s.step += 1;
    const t = s.step;
    const [beta1, beta2] = group.betas;
    const psi = group.momentumDecay;
    const mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi));
    // PyTorch keeps the product in a float32 0-d tensor: every product rounds to float32.
    const product = f((s.muProduct as number) * f(mu));
    s.muProduct = product;
    const productNext = f(f(product * f(mu)) * f(muNext));
    const lr = group.lr;
    const c1 = (-lr * (1 - mu)) / (1 - product);
    const c2 = (-lr * muNext) / (1 - productNext);
    run(op, p, g, s, group, 0, [1 - beta2 ** t, c1, c2, 0, 0]);
  }

  protected override requiredState(): string[] {
    return ["step", "muProduct", "expAvg", "expAvgSq"];
  }
}
