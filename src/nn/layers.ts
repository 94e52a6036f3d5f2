/** Layers: Linear, activations, Flatten, Softmax and Sequential, as torch.nn. */
import { WasmgradError } from "../errors.js";
import { uniformRange } from "../ops/creation.js";
import { linear } from "../ops/linear.js";
import { flatten } from "../ops/shape.js";
import { softmax } from "../ops/softmax.js";
import { relu, sigmoid, tanh } from "../ops/unary.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, int, noExtra, size, tensorArg } from "../validate.js";
import { Module, parameter } from "./module.js";
import { pyBool } from "./repr.js";

export interface LinearOptions {
  bias?: boolean;
}

/**
 * y = x · weightᵀ + bias. weight [outFeatures, inFeatures] and bias [outFeatures] start
 * uniform in ±1/sqrt(inFeatures), which is what PyTorch's kaiming_uniform_(a = sqrt(5)) gives.
 *
 * PyTorch: `torch.nn.Linear`.
 *
 * @example
 * ```ts
 * new wg.nn.Linear(4, 2).forward(wg.ones(3, 4)).shape; // [3, 2]
 * ```
 */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  readonly inFeatures: number;
  readonly outFeatures: number;

  /** `Linear(in, out)`, `Linear(in, out, false)` or `Linear(in, out, { bias: false })`. */
  constructor(
    inFeatures: number,
    outFeatures: number,
    ...rest: Args<[bias: boolean], LinearOptions>
  ) {
    super();
    const op = "Linear";
    this.inFeatures = size(op, "inFeatures", inFeatures);
    this.outFeatures = size(op, "outFeatures", outFeatures);
    const a = args(op, rest, ["bias"]);
    const bias = bool(op, "bias", a.bias ?? true);
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    this.weight = parameter(uniformRange([outFeatures, inFeatures], -bound, bound));
    try {
      this.bias = bias ? parameter(uniformRange([outFeatures], -bound, bound)) : null;
    } catch (e) {
      this.weight.dispose(); // kept tensors outlive tidy: a failed constructor frees its own
      throw e;
    }
  }

  forward(x: Tensor): Tensor {
    return linear(tensorArg("Linear", "input", x), this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** `inplace` is accepted for PyTorch's signature; wasmgrad ops always make a new tensor. */
function inplaceArg(op: string, rest: readonly unknown[]): void {
  const a = args(op, rest, ["inplace"]);
  bool(op, "inplace", a.inplace ?? false);
}

/**
 * The module form of relu, max(x, 0).
 *
 * PyTorch: `torch.nn.ReLU`.
 *
 * @example
 * ```ts
 * new wg.nn.ReLU().forward(wg.tensor([-1, 2])); // [0, 2]
 * ```
 */
export class ReLU extends Module {
  constructor(...rest: Args<[inplace: boolean], { inplace?: boolean }>) {
    super();
    inplaceArg("ReLU", rest);
  }
  forward(x: Tensor): Tensor {
    return relu(tensorArg("ReLU", "input", x));
  }
}

/**
 * The module form of tanh.
 *
 * PyTorch: `torch.nn.Tanh`.
 *
 * @example
 * ```ts
 * new wg.nn.Tanh().forward(wg.tensor([0])); // [0]
 * ```
 */
export class Tanh extends Module {
  constructor(...rest: []) {
    super();
    noExtra("Tanh", rest, 0);
  }
  forward(x: Tensor): Tensor {
    return tanh(tensorArg("Tanh", "input", x));
  }
}

/**
 * The module form of sigmoid.
 *
 * PyTorch: `torch.nn.Sigmoid`.
 *
 * @example
 * ```ts
 * new wg.nn.Sigmoid().forward(wg.tensor([0])); // [0.5]
 * ```
 */
export class Sigmoid extends Module {
  constructor(...rest: []) {
    super();
    noExtra("Sigmoid", rest, 0);
  }
  forward(x: Tensor): Tensor {
    return sigmoid(tensorArg("Sigmoid", "input", x));
  }
}

/**
 * The module form of softmax along `dim`.
 *
 * PyTorch: `torch.nn.Softmax`.
 *
 * @example
 * ```ts
 * new wg.nn.Softmax(1).forward(wg.tensor([[1, 1]])); // [[0.5, 0.5]]
 * ```
 */
export class Softmax extends Module {
  readonly dim: number;
  /** `Softmax(dim)` or `Softmax({ dim })`; the dim is required (PyTorch's implicit choice is deprecated). */
  constructor(...rest: Args<[dim: number], { dim?: number }>) {
    super();
    const a = args("Softmax", rest, ["dim"]);
    this.dim = int("Softmax", "dim", a.dim);
  }
  forward(x: Tensor): Tensor {
    return softmax(tensorArg("Softmax", "input", x), this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/**
 * Flattens dims startDim..endDim (default: all but the batch dim).
 *
 * PyTorch: `torch.nn.Flatten`.
 *
 * @example
 * ```ts
 * new wg.nn.Flatten().forward(wg.ones(2, 3, 4)).shape; // [2, 12]
 * ```
 */
export class Flatten extends Module {
  readonly startDim: number;
  readonly endDim: number;
  constructor(
    ...rest: Args<[startDim: number, endDim: number], { startDim?: number; endDim?: number }>
  ) {
    super();
    const a = args("Flatten", rest, ["startDim", "endDim"]);
    this.startDim = int("Flatten", "startDim", a.startDim ?? 1);
    this.endDim = int("Flatten", "endDim", a.endDim ?? -1);
  }
  forward(x: Tensor): Tensor {
    return flatten(tensorArg("Flatten", "input", x), this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Applies modules in order; children are named "0", "1", ... as in PyTorch.
 *
 * PyTorch: `torch.nn.Sequential`.
 *
 * @example
 * ```ts
 * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU(), new wg.nn.Linear(8, 2));
 * ```
 */
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
    int("Sequential.at", "index", index);
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
