/** Layers: Linear, activations, Flatten, Softmax and Sequential, as torch.nn. */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import { uniformRange } from "../ops/creation.js";
import { relu_ } from "../ops/inplace-ops.js";
import { linear } from "../ops/linear.js";
import { flatten } from "../ops/shape.js";
import { softmax } from "../ops/softmax.js";
import { relu, sigmoid, tanh } from "../ops/unary.js";
import type { Tensor } from "../tensor.js";
import { type Args, args, bool, hoist, int, noExtra, size, tensorArg } from "../validate.js";
import { Module, parameter } from "./module.js";
import { pyBool } from "./repr.js";

/** Options of {@link Linear}. */
export interface LinearOptions {
  /** Learn an additive bias (default true). */
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
  /** The learnable weight, [outFeatures, inFeatures]. */
  weight: Tensor;
  /** The learnable bias, [outFeatures] (null when made with `bias: false`). */
  bias: Tensor | null;
  /** The size of each input sample (PyTorch's `in_features`). */
  readonly inFeatures: number;
  /** The size of each output sample (PyTorch's `out_features`). */
  readonly outFeatures: number;

  /** `Linear(in, out)`, `Linear(in, out, false)` or `Linear(in, out, { bias: false })`. */
  constructor(
    inFeatures: number,
    outFeatures: number,
    ...rest: Args<[bias: boolean], LinearOptions>
  ) {
    super();
    const op = "Linear";
    [inFeatures, outFeatures, ...rest] = hoist(
      op,
      [inFeatures, outFeatures, ...rest],
      ["inFeatures", "outFeatures"],
    ) as [number, number, ...typeof rest];
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

  /** x · weightᵀ + bias for x of shape [..., inFeatures]; the result is [..., outFeatures]. */
  forward(x: Tensor): Tensor {
    return linear(tensorArg("Linear", "input", x), this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/**
 * The module form of relu, max(x, 0). With `inplace`, forward writes into its input and returns
 * it (as `x.relu_()`).
 *
 * PyTorch: `torch.nn.ReLU`.
 *
 * @example
 * ```ts
 * new wg.nn.ReLU().forward(wg.tensor([-1, 2])); // [0, 2]
 * ```
 */
export class ReLU extends Module {
  /** Whether forward overwrites its input (PyTorch's `inplace`). */
  readonly inplace: boolean;
  constructor(...rest: Args<[inplace: boolean], { inplace?: boolean }>) {
    super();
    this.inplace = bool("ReLU", "inplace", args("ReLU", rest, ["inplace"]).inplace ?? false);
  }
  override extraRepr(): string {
    return this.inplace ? "inplace=True" : "";
  }
  /** max(x, 0), elementwise. */
  forward(x: Tensor): Tensor {
    const t = tensorArg("ReLU", "input", x);
    return this.inplace ? relu_(t) : relu(t);
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
  /** tanh(x), elementwise. */
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
  /** 1 / (1 + e^-x), elementwise. */
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
  /** The dim the softmax runs along. */
  readonly dim: number;
  /** `Softmax(dim)` or `Softmax({ dim })`; the dim is required (PyTorch's implicit choice is deprecated). */
  constructor(...rest: Args<[dim: number], { dim?: number }>) {
    super();
    const a = args("Softmax", rest, ["dim"]);
    this.dim = int("Softmax", "dim", a.dim);
  }
  /** The softmax of `x` along `dim`. */
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
  /** The first dim flattened (default 1, keeping the batch dim; PyTorch's `start_dim`). */
  readonly startDim: number;
  /** The last dim flattened (default -1; PyTorch's `end_dim`). */
  readonly endDim: number;
  constructor(
    ...rest: Args<[startDim: number, endDim: number], { startDim?: number; endDim?: number }>
  ) {
    super();
    const a = args("Flatten", rest, ["startDim", "endDim"]);
    this.startDim = int("Flatten", "startDim", a.startDim ?? 1);
    this.endDim = int("Flatten", "endDim", a.endDim ?? -1);
  }
  /** `x` with dims `startDim` to `endDim` flattened into one. */
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

  /**
   * The number of modules.
   *
   * PyTorch: `len(sequential)`.
   *
   * @example
   * ```ts
   * new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU()).length; // 2
   * ```
   */
  get length(): number {
    return this._submodules().length;
  }

  /**
   * The module at position `index` (negative counts from the end); also `model[index]`.
   *
   * PyTorch: `sequential[index]`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU());
   * model.at(-1) instanceof wg.nn.ReLU; // true
   * ```
   */
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

  /**
   * Iterates over the modules in order.
   *
   * PyTorch: `iter(sequential)`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU());
   * [...model].length; // 2
   * ```
   */
  *[Symbol.iterator](): Iterator<Module> {
    for (const [, m] of this._submodules()) yield m as unknown as Module;
  }

  /**
   * Feeds `x` through the modules in order and returns the last one's output.
   *
   * PyTorch: `torch.nn.Sequential.forward`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU(), new wg.nn.Linear(8, 2));
   * model.forward(wg.randn(5, 4)).shape; // [5, 2]
   * ```
   */
  forward(x: Tensor): Tensor {
    let y = x;
    for (const [, m] of this._submodules() as unknown as [string, Module][]) y = m.forward(y);
    return y;
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [Flatten, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh])
  graphScopedForward(layer);
