/**
 * What every optimizer shares, as torch.optim.Optimizer: the parameter list, lazily created
 * per-parameter state (owned: never swept by tidy), zeroGrad, and state dicts.
 */
import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";

export interface OptimizerStateDict {
  state: Record<number, Record<string, Tensor>>;
  paramGroups: Record<string, number | boolean | number[]>[];
}

export abstract class Optimizer<S extends Record<string, Tensor>> {
  readonly params: Tensor[];
  protected readonly state = new Map<Tensor, S>();

  protected constructor(
    private readonly opName: string,
    params: Iterable<Tensor>,
  ) {
    if (
      params === null ||
      params === undefined ||
      typeof (params as Iterable<Tensor>)[Symbol.iterator] !== "function"
    ) {
      throw new WasmgradError(
        `${opName}: params must be an iterable of Tensors (e.g. model.parameters())`,
      );
    }
    this.params = [...params];
    if (this.params.length === 0) throw new WasmgradError(`${opName}: got an empty parameter list`);
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw new WasmgradError(`${opName}: parameter ${i} is not a Tensor`);
      if (!p.requiresGrad) {
        throw new WasmgradError(
          `${opName}: parameter ${i} (shape ${fmt(p.shape)}) does not require grad`,
        );
      }
    });
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  protected abstract hyperParameters(): Record<string, number | boolean>;

  /** Clears the gradients of every parameter (sets them to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** A zero-filled state tensor shaped like `p`, owned by this optimizer. */
  protected newState(p: Tensor): Tensor {
    const t = Tensor._empty(this.opName, p.shape);
    K.fill_f32(t.ptr, t.size, 0);
    t._kept = true;
    return t;
  }

  protected static checkNonNegative(op: string, values: Record<string, number>): void {
    for (const [name, v] of Object.entries(values)) {
      if (typeof v !== "number" || !(v >= 0)) {
        throw new WasmgradError(`${op}: invalid ${name} ${v}: expected a number >= 0`);
      }
    }
  }

  /** State (by parameter index) and hyper-parameters; tensors are the live state, not copies. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, Record<string, Tensor>> = {};
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s !== undefined) state[i] = { ...s };
    });
    return {
      state,
      paramGroups: [{ ...this.hyperParameters(), params: this.params.map((_, i) => i) }],
    };
  }

  /** Restores state saved by `stateDict` (copied into this optimizer's own tensors). */
  loadStateDict(sd: OptimizerStateDict): void {
    const group = sd.paramGroups?.[0];
    if (group === undefined)
      throw new WasmgradError(`${this.opName}.loadStateDict: missing paramGroups`);
    for (const [k, v] of Object.entries(group)) {
      if (k !== "params" && k in this.hyperParameters())
        (this as unknown as Record<string, unknown>)[k] = v;
    }
    for (const [key, entry] of Object.entries(sd.state)) {
      const p = this.params[Number(key)];
      if (p === undefined)
        throw new WasmgradError(`${this.opName}.loadStateDict: no parameter ${key}`);
      const own = {} as Record<string, Tensor>;
      for (const [name, src] of Object.entries(entry)) {
        if (src.size !== p.size) {
          throw new WasmgradError(
            `${this.opName}.loadStateDict: state ${name} of parameter ${key} has shape ${fmt(src.shape)} but the parameter has ${fmt(p.shape)}`,
          );
        }
        const t = this.newState(p);
        K.copy_f32(t.ptr, src._ptr("loadStateDict"), p.size);
        own[name] = t;
      }
      const old = this.state.get(p);
      if (old) for (const t of Object.values(old)) t.dispose();
      this.state.set(p, own as S);
    }
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const s of this.state.values()) for (const t of Object.values(s)) t.dispose();
    this.state.clear();
  }
}
