/**
 * Stochastic gradient descent, as torch.optim.SGD. Per parameter, one fused kernel pass:
 *   g = grad + weightDecay · p
 *   if momentum ≠ 0:  buf = g on the first step, else momentum · buf + (1 − dampening) · g
 *                     g = nesterov ? g + momentum · buf : buf
 *   p = p − lr · g
 */
import { K } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { Optimizer } from "./optimizer.js";

export interface SGDOptions {
  /** Default 1e-3, as PyTorch (since 2.2). */
  lr?: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer<{ momentumBuffer: Tensor }> {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;

  constructor(params: Iterable<Tensor>, options: SGDOptions = {}) {
    super("SGD", params);
    Optimizer.checkOptionNames("SGD", options, [
      "lr",
      "momentum",
      "dampening",
      "weightDecay",
      "nesterov",
    ]);
    const { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false } = options;
    Optimizer.checkNonNegative("SGD", { lr, momentum, dampening, weightDecay });
    if (nesterov && (momentum <= 0 || dampening !== 0)) {
      throw new WasmgradError(
        `SGD: nesterov momentum requires a momentum > 0 and zero dampening (got momentum ${momentum}, dampening ${dampening})`,
      );
    }
    this.lr = lr;
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = Optimizer.checkFlag("SGD", "nesterov", nesterov);
  }

  step(): void {
    for (const p of this.params) {
      const g = p.grad;
      if (g === null) continue;
      let buf = 0;
      let first = 0;
      if (this.momentum !== 0) {
        let s = this.state.get(p);
        if (s === undefined) {
          s = { momentumBuffer: this.newState(p) };
          this.state.set(p, s);
          first = 1;
        }
        buf = s.momentumBuffer.ptr;
      }
      K.sgd_f32(
        p._ptr("SGD.step"),
        g._ptr("SGD.step"),
        buf,
        p.numel(),
        this.lr,
        this.momentum,
        this.dampening,
        this.weightDecay,
        this.nesterov ? 1 : 0,
        first,
      );
    }
  }

  protected hyperParameters(): Record<string, number | boolean> {
    return {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      weightDecay: this.weightDecay,
      nesterov: this.nesterov,
    };
  }
}
