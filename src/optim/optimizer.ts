/**
 * What every optimizer shares, as torch.optim.Optimizer: the parameter list, lazily created
 * per-parameter state (owned: never swept by tidy), zeroGrad, and state dicts.
 *
 * Per-parameter state holds tensors shaped like the parameter (moment estimates, buffers) and
 * plain numbers (the step count). stateDict() hands out the live tensors; loadStateDict()
 * copies them into tensors this optimizer owns, so a fresh optimizer loaded from another's
 * state continues exactly where that one stopped.
 */
import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { options } from "../validate.js";

/** One parameter's state: tensors shaped like the parameter, and counts such as `step`. */
export type ParamState = Record<string, Tensor | number>;

/** A hyper-parameter value: a number, a flag, or a tuple such as Adam's betas. */
export type HyperParameter = number | boolean | number[];

export interface OptimizerStateDict {
  /** By parameter index; only parameters that have state appear. */
  state: Record<number, ParamState>;
  /** One group: the hyper-parameters, `params` (the indices) and `initialLr` if a scheduler set it. */
  paramGroups: Record<string, HyperParameter>[];
}

export abstract class Optimizer<S extends ParamState = ParamState> {
  readonly params: Tensor[];
  /** The learning rate the next step() uses; LR schedulers write it. */
  abstract lr: number;
  /** The learning rate a scheduler started from (PyTorch's `initial_lr`), once one is attached. */
  initialLr: number | undefined = undefined;
  protected readonly state = new Map<Tensor, S>();

  protected constructor(
    protected readonly opName: string,
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
    const seen = new Map<Tensor, number>();
    this.params.forEach((p, i) => {
      if (!(p instanceof Tensor))
        throw new WasmgradError(`${opName}: parameter ${i} is not a Tensor`);
      const first = seen.get(p);
      if (first !== undefined) {
        throw new WasmgradError(
          `${opName}: parameters ${first} and ${i} are the same tensor (shape ${fmt(p.shape)}); each step would update it twice`,
        );
      }
      seen.set(p, i);
      if (!p.requiresGrad) {
        throw new WasmgradError(
          `${opName}: parameter ${i} (shape ${fmt(p.shape)}) does not require grad`,
        );
      }
    });
  }

  /** Applies one update to every parameter that has a gradient. */
  abstract step(): void;

  protected abstract hyperParameters(): Record<string, HyperParameter>;

  /**
   * The state entries step() needs for a parameter that has state, under the hyper-parameters
   * `settings`; loadStateDict refuses state that lacks one. Subclasses that keep state list
   * them here.
   */
  protected requiredState(_settings: Record<string, HyperParameter>): string[] {
    return [];
  }

  /** Clears the gradients of every parameter (sets them to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /** A state tensor shaped like `p` filled with `fill`, owned by this optimizer. */
  protected newState(p: Tensor, fill = 0): Tensor {
    const t = Tensor._empty(this.opName, p.shape);
    K.fill_f32(t.ptr, t.numel(), fill);
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

  /** Refuses option names the optimizer does not know (e.g. PyTorch's `weight_decay` spelling). */
  protected static checkOptionNames(op: string, opts: object, known: readonly string[]): void {
    options(op, opts, known);
  }

  protected static checkFlag(op: string, name: string, v: unknown): boolean {
    if (typeof v !== "boolean") {
      throw new WasmgradError(`${op}: invalid ${name} ${String(v)}: expected true or false`);
    }
    return v;
  }

  /** State (by parameter index) and hyper-parameters; tensors are the live state, not copies. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    this.params.forEach((p, i) => {
      const s = this.state.get(p);
      if (s !== undefined) state[i] = { ...s };
    });
    const group: Record<string, HyperParameter> = { ...this.hyperParameters() };
    for (const [k, v] of Object.entries(group)) if (Array.isArray(v)) group[k] = [...v];
    if (this.initialLr !== undefined) group.initialLr = this.initialLr;
    group.params = this.params.map((_, i) => i);
    return { state, paramGroups: [group] };
  }

  /** Restores state saved by `stateDict` (copied into this optimizer's own tensors). */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.opName}.loadStateDict`;
    const group = sd?.paramGroups?.[0];
    if (group === undefined) throw new WasmgradError(`${op}: missing paramGroups`);
    if (sd.paramGroups.length !== 1) {
      throw new WasmgradError(`${op}: got ${sd.paramGroups.length} parameter groups, expected 1`);
    }
    const ids = group.params;
    if (Array.isArray(ids) && ids.length !== this.params.length) {
      throw new WasmgradError(
        `${op}: the saved group has ${ids.length} parameters but this optimizer has ${this.params.length}`,
      );
    }
    const own = this.hyperParameters();
    const loaded: Record<string, HyperParameter> = {};
    for (const [k, v] of Object.entries(group)) {
      if (k === "params" || k === "initialLr" || !(k in own)) continue;
      if (Array.isArray(v) !== Array.isArray(own[k]) || typeof v !== typeof own[k]) {
        throw new WasmgradError(
          `${op}: hyper-parameter ${k} is ${JSON.stringify(v)}, expected a value like ${JSON.stringify(own[k])}`,
        );
      }
      loaded[k] = Array.isArray(v) ? [...v] : v;
    }
    if (group.initialLr !== undefined && typeof group.initialLr !== "number") {
      throw new WasmgradError(`${op}: initialLr is ${String(group.initialLr)}, expected a number`);
    }
    const settings = { ...own, ...loaded };
    const required = this.requiredState(settings);
    const incoming = new Map<Tensor, ParamState>();
    try {
      for (const [key, entry] of Object.entries(sd.state ?? {})) {
        const p = this.params[Number(key)];
        if (p === undefined) throw new WasmgradError(`${op}: no parameter ${key}`);
        const copy = this.copyState(op, key, p, entry);
        incoming.set(p, copy);
        const missing = required.filter((name) => !(name in copy));
        if (missing.length > 0) {
          throw new WasmgradError(
            `${op}: the state of parameter ${key} has ${Object.keys(entry).join(", ") || "no entries"} but lacks ${missing.join(", ")}`,
          );
        }
      }
    } catch (e) {
      for (const s of incoming.values()) disposeState(s);
      throw e;
    }
    // Everything is checked and copied; only now is this optimizer changed.
    Object.assign(this, loaded);
    if (typeof group.initialLr === "number") this.initialLr = group.initialLr;
    for (const [p, entry] of incoming) {
      const old = this.state.get(p);
      if (old) disposeState(old);
      this.state.set(p, entry as S);
    }
  }

  private copyState(op: string, key: string, p: Tensor, entry: ParamState): ParamState {
    const own: ParamState = {};
    try {
      for (const [name, src] of Object.entries(entry)) {
        if (typeof src === "number") {
          if (!Number.isFinite(src)) {
            throw new WasmgradError(`${op}: state ${name} of parameter ${key} is ${src}`);
          }
          own[name] = src;
          continue;
        }
        if (!(src instanceof Tensor)) {
          throw new WasmgradError(
            `${op}: state ${name} of parameter ${key} is neither a Tensor nor a number`,
          );
        }
        if (src.numel() !== p.numel()) {
          throw new WasmgradError(
            `${op}: state ${name} of parameter ${key} has shape ${fmt(src.shape)} but the parameter has ${fmt(p.shape)}`,
          );
        }
        const t = this.newState(p);
        own[name] = t;
        K.copy_f32(t.ptr, src._ptr(op), p.numel());
      }
    } catch (e) {
      disposeState(own);
      throw e;
    }
    return own;
  }

  /** Frees the optimizer's state tensors. */
  dispose(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }

  /** `using opt = new optim.SGD(...)` frees its state tensors at the end of scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

function disposeState(s: ParamState): void {
  for (const t of Object.values(s)) if (t instanceof Tensor) t.dispose();
}
