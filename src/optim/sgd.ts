/**
 * Stochastic gradient descent, as torch.optim.SGD. Per parameter, one fused kernel pass:
 *   g = grad (negated under maximize) + weightDecay · p
 *   if momentum ≠ 0:  buf = g on the first step, else momentum · buf + (1 − dampening) · g
 *                     g = nesterov ? g + momentum · buf : buf
 *   p = p − lr · g
 */
import { K } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { sizeOf } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { hyper, hyperArgs, hyperFlag, nonNegative } from "../validate.js";
import { type GroupOptions, Optimizer, type ParamGroup, type Params } from "./optimizer.js";

/** Options of {@link SGD}. */
export interface SGDOptions {
  /** The learning rate; default 1e-3, as PyTorch (since 2.2). */
  lr?: number;
  /** The momentum factor (default 0: plain SGD). */
  momentum?: number;
  /** Scales the new gradient in the momentum buffer by 1 - dampening (default 0). */
  dampening?: number;
  /** L2 penalty added to the gradient (default 0; PyTorch's `weight_decay`). */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0; default false). */
  nesterov?: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize?: boolean;
}

/** The hyper-parameters of one SGD parameter group (see {@link SGDOptions}). */
export interface SGDGroup extends GroupOptions {
  /** The learning rate; default 1e-3, as PyTorch (since 2.2). */
  lr: number;
  /** The momentum factor (default 0: plain SGD). */
  momentum: number;
  /** Scales the new gradient in the momentum buffer by 1 - dampening (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient (default 0; PyTorch's `weight_decay`). */
  weightDecay: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0; default false). */
  nesterov: boolean;
  /** Ascend the objective instead of descending it; default false. */
  maximize: boolean;
}

const positional = ["lr", "momentum", "dampening", "weightDecay", "nesterov"] as const;

/**
 * torch.optim.SGD: `new SGD(params, 0.1, 0.9)` or `new SGD(params, { lr: 0.1, momentum: 0.9 })`.
 * State per parameter: `momentumBuffer` (momentum ≠ 0).
 *
 * @example
 * ```ts
 * new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9, nesterov: true });
 * ```
 */
export class SGD extends Optimizer<{ momentumBuffer: Tensor }, SGDGroup> {
  constructor(
    params: Params,
    lr?: number | SGDOptions,
    momentum?: number | SGDOptions,
    dampening?: number | SGDOptions,
    weightDecay?: number | SGDOptions,
    nesterov?: boolean | SGDOptions,
    options?: SGDOptions,
  ) {
    const o = hyperArgs(
      "SGD",
      [lr, momentum, dampening, weightDecay, nesterov, options],
      positional,
      [...positional, "maximize"],
    );
    super("SGD", params, {
      lr: 1e-3,
      momentum: 0,
      dampening: 0,
      weightDecay: 0,
      nesterov: false,
      maximize: false,
      ...o,
    } as SGDGroup);
  }

  protected checkGroup(op: string, g: ParamGroup<SGDGroup>): void {
    for (const k of ["lr", "momentum", "dampening", "weightDecay"] as const) {
      hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    }
    hyperFlag(op, "nesterov", g.nesterov);
    hyperFlag(op, "maximize", g.maximize);
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new WasmgradError(
        `${op}: nesterov momentum requires a momentum > 0 and zero dampening (got momentum ${g.momentum}, dampening ${g.dampening})`,
      );
    }
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<SGDGroup>, op: string): void {
    let buf = 0;
    let first = 0;
    if (group.momentum !== 0) {
      let s = this.state.get(p);
      if (s === undefined) {
        s = { momentumBuffer: this.newState(p) };
        this.state.set(p, s);
        first = 1;
      }
      buf = s.momentumBuffer._ptr(op);
    }
    K.sgd_f32(
      p._ptr(op),
      g._ptr(op),
      buf,
      sizeOf(p.shape),
      group.lr,
      group.momentum,
      group.dampening,
      group.weightDecay,
      group.nesterov ? 1 : 0,
      first,
    );
  }

  protected override requiredState(group: Record<string, unknown>): string[] {
    return group.momentum !== 0 ? ["momentumBuffer"] : [];
  }
}
