/** Layers: Linear, activations, Flatten, Softmax and Sequential, as torch.nn. */
import { WasmgradError } from "../errors.js";
import { uniformRange } from "../ops/creation.js";
import { linear } from "../ops/linear.js";
import { flatten } from "../ops/shape.js";
import { softmax } from "../ops/softmax.js";
import { relu, sigmoid, tanh } from "../ops/unary.js";
import type { Tensor } from "../tensor.js";
import { Module, parameter } from "./module.js";
import { pyBool } from "./repr.js";

export interface LinearOptions {
  bias?: boolean;
}

/**
 * y = x · weightᵀ + bias. weight [outFeatures, inFeatures] and bias [outFeatures] start
 * uniform in ±1/sqrt(inFeatures), which is what PyTorch's kaiming_uniform_(a = sqrt(5)) gives.
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    super();
    for (const [name, v] of [
      ["inFeatures", inFeatures],
      ["outFeatures", outFeatures],
    ] as const) {
      if (!Number.isInteger(v) || v < 0) {
        throw new WasmgradError(`Linear: ${name} must be an integer >= 0 but got ${v}`);
      }
    }
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = parameter(uniformRange([outFeatures, inFeatures], -bound, bound));
    this.bias =
      options.bias === false ? null : parameter(uniformRange([outFeatures], -bound, bound));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return softmax(x, this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** Flattens dims startDim..endDim (default: all but the batch dim). */
export class Flatten extends Module {
  constructor(
    readonly startDim = 1,
    readonly endDim = -1,
  ) {
    super();
  }
  forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/** Applies modules in order; children are named "0", "1", ... as in PyTorch. */
export class Sequential extends Module {
  [index: number]: Module;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) {
        throw new WasmgradError(`Sequential: argument ${i} is not a Module`);
      }
      (this as unknown as Record<string, Module>)[String(i)] = m;
    });
  }

  get length(): number {
    return this._submodules().length;
  }

  at(index: number): Module {
    const i = index < 0 ? index + this.length : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.length) {
      throw new WasmgradError(
        `Sequential.at: index ${index} is out of range for ${this.length} modules`,
      );
    }
    return this._submodules()[i][1] as unknown as Module;
  }

  *[Symbol.iterator](): Iterator<Module> {
    for (const [, m] of this._submodules()) yield m as unknown as Module;
  }

  forward(x: Tensor): Tensor {
    let y = x;
    for (const [, m] of this._submodules() as unknown as [string, Module][]) y = m.forward(y);
    return y;
  }
}
