/**
 * What every optimizer shares, as torch.optim.Optimizer: parameter groups (each a list of
 * parameters with its own hyper-parameters, live-editable through `paramGroups`, which
 * schedulers rewrite), lazily created per-parameter state (owned: never swept by tidy),
 * zeroGrad, and state dicts in PyTorch's shape.
 *
 * A parameter that does not require grad or has no gradient is accepted and skipped, as in
 * PyTorch. `maximize` negates the gradient before the update, into a temporary tensor (as
 * PyTorch's `-grad`), so the fused kernels run unchanged and the arithmetic stays exact.
 */
import { K } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { sameShape, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe, options } from "../validate.js";
import { copyState, disposeState, type ParamState } from "./state.js";

export type { ParamState } from "./state.js";

/** A hyper-parameter value: a number, a flag, a tuple such as Adam's betas, or a name. */
export type HyperParameter = number | boolean | number[] | string | null;

/** The hyper-parameters of one group; every optimizer has `lr`. */
export interface GroupOptions {
  /** The learning rate. */
  lr: number;
  [name: string]: HyperParameter | undefined;
}

/**
 * One parameter group: its parameters and hyper-parameters (PyTorch's param_groups entry).
 *
 * PyTorch: `torch.optim param_groups entry`.
 */
export type ParamGroup<H extends GroupOptions = GroupOptions> = H & {
  /** The parameters this group's hyper-parameters apply to. */
  params: Tensor[];
  /** The learning rate a scheduler started from (PyTorch's `initial_lr`), once one is attached. */
  initialLr?: number;
};

/** A group as given to the constructor or `addParamGroup`: params plus optional overrides. */
export interface ParamGroupInput {
  /** The group's parameters: one tensor or an iterable of them (e.g. `layer.parameters()`). */
  params: Tensor | Iterable<Tensor>;
  [option: string]: unknown;
}

/** What an optimizer takes: parameters (e.g. `model.parameters()`) or parameter groups. */
export type Params = Iterable<Tensor> | Iterable<ParamGroupInput>;

/**
 * What {@link Optimizer.stateDict} returns and {@link Optimizer.loadStateDict} takes, as
 * PyTorch's optimizer state dict (keys in camel case).
 */
export interface OptimizerStateDict {
  /** By parameter index (counted across the groups in order); only parameters with state. */
  state: Record<number, ParamState>;
  /** Per group: the hyper-parameters, `params` (the indices) and `initialLr` if set. */
  paramGroups: Record<string, HyperParameter | number[] | undefined>[];
}

/**
 * The base class of the optimizers: param groups with their hyper-parameters, lazy per-parameter
 * state, `zeroGrad()`, `step()`, and `stateDict()` / `loadStateDict()`.
 *
 * PyTorch: `torch.optim.Optimizer`.
 *
 * @example
 * ```ts
 * const model = new wg.nn.Linear(4, 2);
 * const opt = new wg.optim.Adam(model.parameters(), { lr: 1e-3 }); opt.zeroGrad(); opt.step();
 * ```
 */
export abstract class Optimizer<
  S extends ParamState = ParamState,
  H extends GroupOptions = GroupOptions,
> {
  /** The hyper-parameters a group takes when it does not give its own. */
  readonly defaults: H;
  /**
   * The parameter groups, each its parameters and hyper-parameters; a scheduler changes their `lr`.
   *
   * PyTorch: `torch.optim.Optimizer.param_groups`.
   *
   * @example
   * ```ts
   * const body = new wg.nn.Linear(4, 8);
   * const head = new wg.nn.Linear(8, 2);
   * const opt = new wg.optim.SGD(
   *   [{ params: body.parameters() }, { params: head.parameters(), lr: 0.01 }],
   *   { lr: 0.1 },
   * );
   * opt.paramGroups.map((g) => g.lr); // [0.1, 0.01]
   * ```
   */
  readonly paramGroups: ParamGroup<H>[] = [];
  /**
   * The per-parameter state (momentum buffers, running averages), made on a parameter's first
   * update.
   */
  protected readonly state = new Map<Tensor, S>();

  protected constructor(
    /** The optimizer's name, for error messages. */
    protected readonly opName: string,
    params: Params,
    defaults: H,
  ) {
    // The base class is exported for subclassing; constructed directly it has no update rule.
    if (typeof (this as unknown as { checkGroup?: unknown }).checkGroup !== "function") {
      throw new WasmgradError(
        "Optimizer: the base class cannot be constructed; use SGD, Adam, ... or subclass it",
      );
    }
    this.defaults = defaults;
    this.checkGroup(opName, defaults as ParamGroup<H>);
    if (
      params === null ||
      params === undefined ||
      params instanceof Tensor ||
      typeof (params as Iterable<unknown>)[Symbol.iterator] !== "function"
    ) {
      throw new WasmgradError(
        `${opName}: params must be an iterable of Tensors (e.g. model.parameters()) or of parameter groups ({ params, ...options }), got ${describe(params)}`,
      );
    }
    const list = [...(params as Iterable<unknown>)];
    if (list.length === 0) throw new WasmgradError(`${opName}: got an empty parameter list`);
    const groups = list[0] instanceof Tensor ? [{ params: list as Tensor[] }] : list;
    try {
      for (const g of groups) this.addParamGroup(g as ParamGroupInput);
    } catch (error) {
      // A later group refused: free the state that earlier groups made (Adagrad's sums). The
      // base class's dispose: a subclass's fields are not initialised before super() returns.
      Optimizer.prototype.dispose.call(this);
      throw error;
    }
  }

  /** Every parameter, group after group (the order of the state dict's indices). */
  get params(): Tensor[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /**
   * The first group's learning rate; setting it sets every group's.
   *
   * PyTorch: `optimizer.param_groups[0]["lr"]`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * opt.lr = 0.05;
   * opt.paramGroups[0].lr; // 0.05
   * ```
   */
  get lr(): number {
    return this.paramGroups[0].lr;
  }

  /** Sets every group's learning rate. */
  set lr(v: number) {
    for (const g of this.paramGroups) g.lr = v;
  }

  /** The first group's `initialLr`; setting it sets every group's. */
  get initialLr(): number | undefined {
    return this.paramGroups[0].initialLr;
  }

  /** Sets every group's `initialLr`. */
  set initialLr(v: number | undefined) {
    for (const g of this.paramGroups) g.initialLr = v;
  }

  /**
   * Adds a group, as PyTorch's add_param_group: options it leaves out take the defaults. A
   * parameter may belong to one group only; non-leaf tensors cannot be optimized.
   *
   * PyTorch: `torch.optim.Optimizer.add_param_group`.
   *
   * @example
   * ```ts
   * const a = new wg.nn.Linear(2, 2);
   * const b = new wg.nn.Linear(2, 2);
   * const opt = new wg.optim.Adam(a.parameters(), { lr: 1e-3 });
   * opt.addParamGroup({ params: b.parameters(), lr: 1e-4 });
   * opt.paramGroups.length; // 2
   * ```
   */
  addParamGroup(group: ParamGroupInput): void {
    const op = `${this.opName}.addParamGroup`;
    if (group === null || typeof group !== "object" || !("params" in group)) {
      throw new WasmgradError(
        `${op}: a parameter group must be { params, ...options }, got ${describe(group)}`,
      );
    }
    options(this.opName, group, ["params", "initialLr", ...Object.keys(this.defaults)]);
    const raw = group.params;
    let params: Tensor[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw !== null && typeof (raw as Iterable<Tensor>)?.[Symbol.iterator] === "function") {
      params = [...(raw as Iterable<Tensor>)];
    } else {
      throw new WasmgradError(
        `${op}: params must be a Tensor or an iterable of Tensors, got ${describe(raw)}`,
      );
    }
    const seen = new Map<Tensor, string>();
    this.paramGroups.forEach((g, gi) => {
      g.params.forEach((p, i) => {
        seen.set(p, `parameter ${i} of group ${gi}`);
      });
    });
    const at = this.paramGroups.length;
    params.forEach((p, i) => {
      const where = at === 0 ? `parameter ${i}` : `parameter ${i} of group ${at}`;
      if (!(p instanceof Tensor))
        throw new WasmgradError(`${this.opName}: ${where} is not a Tensor`);
      if (p._node !== null) {
        throw new WasmgradError(
          `${this.opName}: ${where} (shape ${fmt(p.shape)}) is not a leaf tensor (it is the result of an op); optimize the tensor it came from`,
        );
      }
      const first = seen.get(p);
      if (first !== undefined) {
        const both =
          first.startsWith("parameter ") && at === 0
            ? `parameters ${first.slice(10)} and ${i}`
            : `${first} and ${where}`;
        throw new WasmgradError(
          `${this.opName}: ${both} are the same tensor (shape ${fmt(p.shape)}); each step would update it twice`,
        );
      }
      seen.set(p, at === 0 ? `parameter ${i}` : where);
    });
    const full = { ...this.defaults } as ParamGroup<H>;
    for (const [k, v] of Object.entries(group)) {
      if (k !== "params" && v !== undefined) (full as Record<string, unknown>)[k] = v;
    }
    for (const [k, v] of Object.entries(full))
      if (Array.isArray(v)) (full as Record<string, unknown>)[k] = [...v];
    full.params = params;
    if (
      full.initialLr !== undefined &&
      (typeof full.initialLr !== "number" || !Number.isFinite(full.initialLr))
    ) {
      throw new WasmgradError(
        `${this.opName}: invalid initialLr ${describe(full.initialLr)}: expected a finite number`,
      );
    }
    this.checkGroup(this.opName, full);
    this.paramGroups.push(full);
    this.onAddGroup(full);
  }

  /** Checks a group's hyper-parameters (at construction and before every step). */
  protected abstract checkGroup(op: string, group: ParamGroup<H>): void;

  /** Called once a group is added (Adagrad creates its state there). */
  protected onAddGroup(_group: ParamGroup<H>): void {}

  /** One parameter's update; `g` is already negated under `maximize`. */
  protected abstract update(p: Tensor, g: Tensor, group: ParamGroup<H>, op: string): void;

  /**
   * The state entries an update needs for a parameter that has state, under `group`'s
   * hyper-parameters; loadStateDict refuses state that lacks one.
   */
  protected requiredState(_group: Record<string, unknown>): string[] {
    return [];
  }

  /**
   * Applies one update to every parameter that has a gradient. With `closure` (a function that
   * reevaluates the model and returns the loss, as PyTorch's), calls it first and returns its
   * result.
   *
   * PyTorch: `torch.optim.Optimizer.step`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Linear(2, 1);
   * const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
   * opt.zeroGrad();
   * wg.F.mseLoss(model.forward(wg.ones(4, 2)), wg.zeros(4, 1)).backward();
   * opt.step();
   * ```
   */
  step(closure?: () => unknown): unknown {
    const op = `${this.opName}.step`;
    if (closure !== undefined && typeof closure !== "function") {
      throw new WasmgradError(`${op}: closure must be a function, got ${describe(closure)}`);
    }
    const loss = closure?.();
    // Every group, parameter and gradient is checked before any parameter is written, so a
    // failing step leaves the optimizer and the parameters as they were.
    for (const group of this.paramGroups) this.checkGroup(op, group);
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        p._live(op);
        const g = p.grad;
        if (g === null) continue;
        g._live(`${op} (a gradient)`);
        if (!sameShape(g.shape, p.shape)) {
          throw new WasmgradError(
            `${op}: a gradient has shape ${fmt(g.shape)} but its parameter has ${fmt(p.shape)}`,
          );
        }
      }
    }
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (group.maximize === true) {
          const neg = Tensor._empty(op, g.shape);
          try {
            K.binary_scalar_f32(neg.ptr, g._ptr(op), sizeOf(g.shape), -1, BinaryOp.mul);
            this.update(p, neg, group, op);
          } finally {
            neg.dispose();
          }
        } else this.update(p, g, group, op);
        p._bumpVersion(); // an in-place change, as PyTorch's p.add_ (autograd sees it)
      }
    }
    return loss;
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default, as PyTorch's), or
   * with `setToNone = false` fills them with zeros.
   *
   * PyTorch: `torch.optim.Optimizer.zero_grad` (`set_to_none`).
   *
   * @example
   * ```ts
   * const model = new wg.nn.Linear(2, 1);
   * const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
   * model.forward(wg.ones(1, 2)).sum().backward();
   * opt.zeroGrad();
   * model.weight.grad; // null
   * ```
   */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const g = p.grad;
        if (g === null) continue;
        if (setToNone) p.grad = null;
        else K.fill_f32(g._ptr("zeroGrad"), sizeOf(g.shape), 0);
      }
    }
  }

  /** A state tensor shaped like `p` filled with `fill`, owned by this optimizer. */
  protected newState(p: Tensor, fill = 0): Tensor {
    const t = Tensor._empty(this.opName, p.shape);
    K.fill_f32(t.ptr, sizeOf(t.shape), fill);
    t._kept = true;
    return t;
  }

  /**
   * State (by parameter index) and hyper-parameters; tensors are the live state, not copies. Save
   * it with {@link optim.stateDictToTensors} and {@link save}.
   *
   * PyTorch: `torch.optim.Optimizer.state_dict`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.Adam(new wg.nn.Linear(2, 1).parameters(), { lr: 1e-3 });
   * opt.stateDict().paramGroups[0].params; // [0, 1]
   * ```
   */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    const paramGroups: OptimizerStateDict["paramGroups"] = [];
    let index = 0;
    for (const group of this.paramGroups) {
      const out: OptimizerStateDict["paramGroups"][number] = {};
      for (const [k, v] of Object.entries(group)) {
        if (k === "params" || v === undefined) continue;
        out[k] = Array.isArray(v) ? [...(v as number[])] : (v as HyperParameter);
      }
      out.params = group.params.map((p) => {
        const s = this.state.get(p);
        if (s !== undefined) state[index] = { ...s };
        return index++;
      });
      paramGroups.push(out);
    }
    return { state, paramGroups };
  }

  /**
   * Restores state saved by `stateDict` (copied into this optimizer's own tensors); the groups
   * must match in number and size.
   *
   * PyTorch: `torch.optim.Optimizer.load_state_dict`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Linear(2, 1);
   * const a = new wg.optim.Adam(model.parameters(), { lr: 1e-3 });
   * const b = new wg.optim.Adam(model.parameters(), { lr: 1e-3 });
   * b.loadStateDict(a.stateDict());
   * ```
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const op = `${this.opName}.loadStateDict`;
    if (sd === null || typeof sd !== "object" || !Array.isArray(sd.paramGroups)) {
      throw new WasmgradError(`${op}: expected { state, paramGroups }, got ${describe(sd)}`);
    }
    if (sd.paramGroups.length !== this.paramGroups.length) {
      throw new WasmgradError(
        `${op}: got ${sd.paramGroups.length} parameter groups, this optimizer has ${this.paramGroups.length}`,
      );
    }
    // Saved indices map to this optimizer's parameters by position, group by group.
    const byId = new Map<number, Tensor>();
    const settings = sd.paramGroups.map((saved, gi) => {
      const own = this.paramGroups[gi];
      const ids = saved?.params;
      if (!Array.isArray(ids) || ids.length !== own.params.length) {
        const n = Array.isArray(ids) ? ids.length : describe(ids);
        throw new WasmgradError(
          `${op}: the saved group${gi === 0 && this.paramGroups.length === 1 ? "" : ` ${gi}`} has ${n} parameters but this optimizer has ${own.params.length}`,
        );
      }
      ids.forEach((id, i) => {
        byId.set(Number(id), own.params[i]);
      });
      const loaded: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(saved)) {
        if (k === "params" || v === undefined) continue;
        const mine = k === "initialLr" ? 0 : (own as Record<string, unknown>)[k];
        if (!(k in own) && k !== "initialLr") continue; // a setting this optimizer lacks
        if (
          mine !== null &&
          v !== null &&
          (Array.isArray(v) !== Array.isArray(mine) || typeof v !== typeof mine)
        ) {
          throw new WasmgradError(
            `${op}: hyper-parameter ${k} is ${describe(v)}, expected a value like ${describe(mine)}`,
          );
        }
        loaded[k] = Array.isArray(v) ? [...v] : v;
      }
      const merged = { ...own, ...loaded } as ParamGroup<H>;
      this.checkGroup(op, merged);
      return merged;
    });
    const incoming = new Map<Tensor, ParamState>();
    try {
      for (const [key, entry] of Object.entries(sd.state ?? {})) {
        const p = byId.get(Number(key));
        if (p === undefined) throw new WasmgradError(`${op}: no parameter ${key}`);
        const gi = this.paramGroups.findIndex((g) => g.params.includes(p));
        const copy = copyState(op, key, p, entry, (q) => this.newState(q));
        incoming.set(p, copy);
        const missing = this.requiredState(settings[gi]).filter((name) => !(name in copy));
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
    settings.forEach((merged, gi) => {
      const own = this.paramGroups[gi] as Record<string, unknown>;
      for (const [k, v] of Object.entries(merged)) if (k !== "params") own[k] = v;
    });
    for (const [p, entry] of incoming) {
      const old = this.state.get(p);
      if (old) disposeState(old);
      this.state.set(p, entry as S);
    }
  }

  /**
   * Frees the optimizer's state tensors (not the parameters).
   *
   * PyTorch: none (memory in WebAssembly is freed explicitly).
   *
   * @example
   * ```ts
   * const opt = new wg.optim.Adam(new wg.nn.Linear(2, 1).parameters());
   * opt.dispose();
   * ```
   */
  dispose(): void {
    for (const s of this.state.values()) disposeState(s);
    this.state.clear();
  }

  /**
   * Frees the state tensors when a `using` declaration goes out of scope; the same as
   * `dispose()`.
   *
   * PyTorch: none.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Linear(2, 1);
   * {
   *   using opt = new wg.optim.Adam(model.parameters());
   * } // opt's state is freed here
   * ```
   */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
