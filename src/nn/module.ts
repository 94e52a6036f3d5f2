/**
 * nn.Module, in PyTorch's shape: a layer is a constructor that creates and initialises its
 * parameters (with nn.init), and a `forward()`. Parameters, buffers and submodules are discovered from
 * the instance's own properties in the order they were assigned, which gives PyTorch's dotted
 * names (`0.weight`, `fc1.bias`, ...) without registration calls. Modules or parameters held in
 * a plain Array, Map or Set would be invisible to that walk (an optimizer would train nothing),
 * so the walk refuses them and points at ModuleList / ParameterList (containers.ts).
 */

import { noGrad } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { checkDType } from "../dtype.js";
import { fmt, WasmgradError } from "../errors.js";
import { device, isDevice } from "../ops/cast.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, describe, tensorArg } from "../validate.js";
import { moduleRepr } from "./repr.js";

/**
 * Marks `t` as a trainable parameter owned by a module (never swept by `tidy`).
 *
 * PyTorch: `torch.nn.Parameter`.
 *
 * @example
 * ```ts
 * class Scale extends wg.nn.Module {
 *   s = wg.nn.parameter(wg.ones(1));
 *   forward(x: wg.Tensor) {
 *     return x.mul(this.s);
 *   }
 * }
 * new Scale().parameters().length; // 1
 * ```
 */
export function parameter(t: Tensor): Tensor {
  tensorArg("parameter", "t", t);
  t.requiresGrad = true;
  t._isParameter = true;
  t._kept = true;
  return t;
}

/** `nn.Parameter`: called with or without `new`, it gives the marked tensor itself. */
export interface ParameterConstructor {
  new (data: Tensor, requiresGrad?: boolean): Tensor;
  (data: Tensor, requiresGrad?: boolean): Tensor;
}

/**
 * PyTorch's spelling of {@link parameter}: `new nn.Parameter(t)` marks `t` as a parameter and
 * returns it (requiresGrad true unless the second argument says false); `p instanceof
 * nn.Parameter` tells parameters from other tensors.
 *
 * PyTorch: `torch.nn.Parameter`.
 *
 * @example
 * ```ts
 * const w = new wg.nn.Parameter(wg.randn(3, 3));
 * w instanceof wg.nn.Parameter; // true
 * ```
 */
export const Parameter: ParameterConstructor = Object.defineProperty(
  function Parameter(
    data: Tensor,
    ...rest: Args<[requiresGrad: boolean], { requiresGrad?: boolean }>
  ) {
    const a = args("Parameter", rest, ["requiresGrad"]);
    const grad =
      a.requiresGrad === undefined ? true : bool("Parameter", "requiresGrad", a.requiresGrad);
    const t = parameter(data);
    t.requiresGrad = grad;
    return t;
  },
  Symbol.hasInstance,
  { value: (v: unknown) => v instanceof Tensor && v._isParameter },
) as unknown as ParameterConstructor;

/**
 * Marks `t` as a buffer: state saved in the state dict but not trained (e.g. running means).
 *
 * PyTorch: `torch.nn.Buffer`.
 *
 * @example
 * ```ts
 * class Center extends wg.nn.Module {
 *   mean = wg.nn.buffer(wg.zeros(3));
 *   forward(x: wg.Tensor) {
 *     return x.sub(this.mean);
 *   }
 * }
 * Object.keys(new Center().stateDict()); // ["mean"]
 * ```
 */
export function buffer(t: Tensor): Tensor {
  tensorArg("buffer", "t", t);
  t._kept = true;
  return t;
}

/** A parameter or submodule name: a non-empty string without "." (PyTorch's rule). */
function checkName(op: string, name: unknown): void {
  if (typeof name !== "string" || name === "" || name.includes(".")) {
    throw new WasmgradError(
      `${op}: name must be a non-empty string without "." but got ${describe(name)}`,
    );
  }
}

/** Options of {@link Module.loadStateDict}. */
export interface LoadOptions {
  /** Require the keys to match exactly (default true); shapes must match either way. */
  strict?: boolean;
}

/** Options of {@link Module.registerBuffer}. */
export interface BufferOptions {
  /** Include the buffer in `stateDict()` (default true). */
  persistent?: boolean;
}

/** Names of each module's non-persistent buffers (kept off the instance so the walk skips it). */
const nonPersistent = new WeakMap<object, Set<string>>();

type AnyModule = Module<never[], unknown>;

/** What a property holds that the walk would miss: "modules", "parameters" or null. */
function hiddenContent(value: unknown): string | null {
  if (!(Array.isArray(value) || value instanceof Map || value instanceof Set)) return null;
  const items = value instanceof Map ? [...value.keys(), ...value.values()] : [...value];
  for (const item of items) {
    if (item instanceof Module) return "modules";
    if (item instanceof Tensor && item._isParameter) return "parameters";
  }
  return null;
}

/**
 * The base class of layers and models. Tensors made with `nn.parameter` (and modules) assigned to
 * fields are registered by name, so `parameters()`, `stateDict()`, `train()`/`eval()` and
 * `dispose()` reach them.
 *
 * PyTorch: `torch.nn.Module`.
 *
 * @example
 * ```ts
 * class MLP extends wg.nn.Module {
 *   fc = new wg.nn.Linear(4, 2);
 *   forward(x: wg.Tensor) {
 *     return this.fc.forward(x).relu();
 *   }
 * }
 * new MLP().forward(wg.randn(3, 4)).shape; // [3, 2]
 * ```
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /**
   * Training mode (dropout, batch norm use batch statistics) versus evaluation mode; set by
   * `train()` and `eval()`.
   *
   * PyTorch: `torch.nn.Module.training`.
   *
   * @example
   * ```ts
   * new wg.nn.Dropout(0.5).eval().training; // false
   * ```
   */
  training = true;

  /**
   * Computes the module's output. Call it directly: `model.forward(x)` is PyTorch's `model(x)`.
   *
   * PyTorch: `torch.nn.Module.forward`.
   *
   * @example
   * ```ts
   * new wg.nn.Linear(4, 2).forward(wg.randn(3, 4)).shape; // [3, 2]
   * ```
   */
  abstract forward(...inputs: In): Out;

  /**
   * @internal the properties the walk reads, in assignment order (containers override this).
   * Throws for a plain Array, Map or Set holding modules or parameters: PyTorch would not see
   * them either, and silently training nothing is worse than an error.
   */
  _entries(): [string, unknown][] {
    const entries = Object.entries(this);
    for (const [key, value] of entries) {
      const hidden = hiddenContent(value);
      if (hidden !== null) {
        const kind = value instanceof Map ? "Map" : value instanceof Set ? "Set" : "Array";
        const fix =
          hidden === "modules" ? "nn.ModuleList (or nn.ModuleDict for a Map)" : "nn.ParameterList";
        throw new WasmgradError(
          `${this.constructor.name}: property "${key}" is a plain ${kind} holding ${hidden}, which would not be registered (no parameters, stateDict or train/eval for them); wrap it in ${fix}`,
        );
      }
    }
    return entries;
  }

  /**
   * @internal every submodule attribute with its name, repeats included (PyTorch's
   * `_modules`): what `Sequential` runs and what `stateDict` walks. A module assigned twice
   * appears twice.
   */
  _submodules(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    for (const [key, value] of this._entries()) {
      if (value instanceof Module) out.push([key, value as AnyModule]);
    }
    return out;
  }

  /**
   * Direct submodules with their attribute names, each module once (first name wins).
   *
   * PyTorch: `torch.nn.Module.named_children`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU());
   * model.namedChildren().map(([name]) => name); // ["0", "1"]
   * ```
   */
  namedChildren(): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    return this._submodules().filter(([, m]) => !seen.has(m) && seen.add(m) !== undefined);
  }

  /**
   * The direct submodules, each once.
   *
   * PyTorch: `torch.nn.Module.children`.
   *
   * @example
   * ```ts
   * new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU()).children().length; // 2
   * ```
   */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /**
   * This module and every descendant with dotted names, each once, this module first ("").
   *
   * PyTorch: `torch.nn.Module.named_modules`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU());
   * model.namedModules().map(([name]) => name); // ["", "0", "1"]
   * ```
   */
  namedModules(prefix = "", memo: Set<unknown> = new Set()): [string, AnyModule][] {
    if (typeof prefix !== "string") {
      throw new WasmgradError(`namedModules: prefix must be a string but got ${describe(prefix)}`);
    }
    if (!(memo instanceof Set)) {
      throw new WasmgradError(
        `namedModules: memo must be a Set of modules already listed but got ${describe(memo)}`,
      );
    }
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, AnyModule][] = [[prefix, this as unknown as AnyModule]];
    for (const [key, child] of this._submodules()) {
      out.push(...child.namedModules(prefix === "" ? key : `${prefix}.${key}`, memo));
    }
    return out;
  }

  /**
   * This module and every descendant, each once (as PyTorch's `modules()`, it includes itself).
   *
   * PyTorch: `torch.nn.Module.modules`.
   *
   * @example
   * ```ts
   * new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU()).modules().length; // 3
   * ```
   */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /**
   * Calls `fn` on every child (recursively, children first) and then on this module; returns this
   * module. The usual way to initialise weights.
   *
   * PyTorch: `torch.nn.Module.apply`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.Linear(8, 2));
   * model.apply((m) => {
   *   if (m instanceof wg.nn.Linear) wg.nn.init.zeros_(m.weight);
   * });
   * ```
   */
  apply(fn: (m: AnyModule) => void): this {
    if (typeof fn !== "function") {
      throw new WasmgradError(`apply: expected a function but got ${typeof fn}`);
    }
    for (const child of this.children()) child.apply(fn);
    fn(this as unknown as AnyModule);
    return this;
  }

  /**
   * Parameters with dotted names, this module's own first, then each child's (PyTorch order).
   * A parameter shared by several modules (tied weights, a module used twice) is listed once,
   * under its first name, as in PyTorch, so optimizers update it once per step.
   *
   * PyTorch: `torch.nn.Module.named_parameters`.
   *
   * @example
   * ```ts
   * new wg.nn.Linear(4, 2).namedParameters().map(([name]) => name); // ["weight", "bias"]
   * ```
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    return this.namedTensors(prefix, true, new Set());
  }

  /**
   * The trainable tensors of this module and its descendants, each once, in PyTorch's order: what
   * an optimizer is given.
   *
   * PyTorch: `torch.nn.Module.parameters`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Linear(4, 2);
   * model.parameters().map((p) => p.shape); // [[2, 4], [2]]
   * const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
   * ```
   */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /**
   * Buffers (state that is not trained, like batch norm's running statistics) with dotted names,
   * each once, as namedParameters.
   *
   * PyTorch: `torch.nn.Module.named_buffers`.
   *
   * @example
   * ```ts
   * new wg.nn.BatchNorm1d(3).namedBuffers().map(([name]) => name); // ["running_mean", "running_var", "num_batches_tracked"]
   * ```
   */
  namedBuffers(prefix = ""): [string, Tensor][] {
    return this.namedTensors(prefix, false, new Set());
  }

  /**
   * The buffers of this module and its descendants, each once.
   *
   * PyTorch: `torch.nn.Module.buffers`.
   *
   * @example
   * ```ts
   * new wg.nn.BatchNorm1d(3).buffers().length; // 3
   * ```
   */
  buffers(): Tensor[] {
    return this.namedBuffers().map(([, b]) => b);
  }

  /** `seen` holds the tensors and modules already listed: each is visited once. */
  private namedTensors(
    prefix: string,
    parameters: boolean,
    seen: Set<unknown>,
  ): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of this._entries()) {
      if (value instanceof Tensor && value._isParameter === parameters && value._kept) {
        if (seen.has(value)) continue;
        seen.add(value);
        out.push([prefix + key, value]);
      }
    }
    for (const [key, child] of this._submodules()) {
      if (seen.has(child)) continue;
      seen.add(child);
      out.push(...child.namedTensors(`${prefix}${key}.`, parameters, seen));
    }
    return out;
  }

  /**
   * Adds (or replaces) a buffer: state that is not trained, like batch norm's running mean.
   * The module owns the tensor from now on (a `tidy` scope around the call does not free it).
   * A non-persistent buffer is left out of `stateDict`; `null` registers the name with no
   * tensor (PyTorch's `register_buffer(name, None)`).
   *
   * PyTorch: `torch.nn.Module.register_buffer`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 2);
   * m.registerBuffer("steps", wg.zeros(1));
   * Object.keys(m.stateDict()); // ["weight", "bias", "steps"]
   * ```
   */
  registerBuffer(name: string, t: Tensor | null, options: BufferOptions = {}): void {
    const op = `${this.constructor.name}.registerBuffer`;
    if (typeof name !== "string" || name === "" || name.includes(".")) {
      throw new WasmgradError(
        `${op}: name must be a non-empty string without "." but got ${describe(name)}`,
      );
    }
    for (const key of Object.keys(options)) {
      if (key !== "persistent") {
        throw new WasmgradError(`${op}: unknown option "${key}" (expected persistent)`);
      }
    }
    if (t !== null && !(t instanceof Tensor)) {
      throw new WasmgradError(
        `${op}: expected a Tensor or null for ${describe(name)} but got ${typeof t}`,
      );
    }
    const old = (this as Record<string, unknown>)[name];
    if (old instanceof Module || (old instanceof Tensor && old._isParameter)) {
      throw new WasmgradError(
        `${op}: ${describe(name)} is already a ${old instanceof Module ? "submodule" : "parameter"}`,
      );
    }
    const isOwn = Object.hasOwn(this, name);
    if ((name in this && !isOwn) || (isOwn && old !== null && !(old instanceof Tensor))) {
      throw new WasmgradError(
        `${op}: ${describe(name)} is already an attribute of ${this.constructor.name} that is not a buffer`,
      );
    }
    if (t !== null) buffer(t);
    (this as Record<string, unknown>)[name] = t;
    // The module owns its buffers: one replaced under the same name is freed (PyTorch's garbage
    // collector would free it; here a cached mask rebuilt per sequence length leaked each time).
    if (old instanceof Tensor && old !== t && old._kept && !old.isDisposed) old.dispose();
    const set = nonPersistent.get(this) ?? new Set<string>();
    if (options.persistent === false) set.add(name);
    else set.delete(name);
    nonPersistent.set(this, set);
  }

  /**
   * Adds (or replaces) a parameter under `name`; null registers the name with no tensor.
   *
   * PyTorch: `torch.nn.Module.register_parameter`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 2);
   * m.registerParameter("scale", wg.nn.parameter(wg.ones(1)));
   * m.parameters().length; // 3
   * ```
   */
  registerParameter(name: string, p: Tensor | null): void {
    checkName(`${this.constructor.name}.registerParameter`, name);
    if (p !== null && !(p instanceof Tensor)) {
      throw new WasmgradError(
        `${this.constructor.name}.registerParameter: expected a Tensor or null for ${describe(name)}`,
      );
    }
    (this as Record<string, unknown>)[name] = p === null ? null : parameter(p);
  }

  /**
   * Adds (or replaces) a submodule under `name`; null registers the name with no module.
   *
   * PyTorch: `torch.nn.Module.add_module`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Sequential();
   * m.addModule("fc", new wg.nn.Linear(2, 2));
   * m.children().length; // 1
   * ```
   */
  addModule(name: string, m: AnyModule | null): void {
    checkName(`${this.constructor.name}.addModule`, name);
    if (m !== null && !(m instanceof Module)) {
      throw new WasmgradError(
        `${this.constructor.name}.addModule: expected a Module or null for ${describe(name)}`,
      );
    }
    (this as Record<string, unknown>)[name] = m;
  }

  /**
   * Parameters and buffers by PyTorch key (the tensors themselves, not copies), in PyTorch's
   * order: a module's own parameters, then its own persistent buffers, then each child's
   * entries. As in PyTorch, a shared tensor appears under every name it has. Save it with
   * {@link save}.
   *
   * PyTorch: `torch.nn.Module.state_dict`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU(), new wg.nn.Linear(8, 2));
   * Object.keys(model.stateDict()); // ["0.weight", "0.bias", "2.weight", "2.bias"]
   * ```
   */
  stateDict(prefix = ""): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    const skip = nonPersistent.get(this);
    const own = this._entries().filter(([, v]) => v instanceof Tensor && v._kept) as [
      string,
      Tensor,
    ][];
    for (const [k, v] of own) if (v._isParameter) sd[prefix + k] = v;
    for (const [k, v] of own) if (!v._isParameter && !skip?.has(k)) sd[prefix + k] = v;
    for (const [k, child] of this._submodules())
      Object.assign(sd, child.stateDict(`${prefix}${k}.`));
    return sd;
  }

  /**
   * Copies values from a state dict into this module's parameters and buffers. With strict (the
   * default) the keys must match exactly; shapes must always match. Returns the keys that were
   * missing from `sd` and those `sd` had that this module does not.
   *
   * PyTorch: `torch.nn.Module.load_state_dict`.
   *
   * @example
   * ```ts
   * const a = new wg.nn.Linear(4, 2);
   * const b = new wg.nn.Linear(4, 2);
   * b.loadStateDict(a.stateDict()).missingKeys; // []
   * b.weight.sub(a.weight).abs().max().item(); // 0
   * ```
   */
  loadStateDict(
    sd: Record<string, Tensor>,
    ...rest: Args<[strict: boolean], LoadOptions>
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    if (sd === null || typeof sd !== "object") {
      throw new WasmgradError(
        `loadStateDict: expected a Record<string, Tensor> (from stateDict() or wg.load()), got ${sd === null ? "null" : typeof sd}`,
      );
    }
    const a = args("loadStateDict", rest, ["strict"]);
    const strict = a.strict === undefined ? true : bool("loadStateDict", "strict", a.strict);
    const own = this.stateDict();
    const missingKeys = Object.keys(own).filter((k) => !(k in sd));
    const unexpectedKeys = Object.keys(sd).filter((k) => !(k in own));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new WasmgradError(
        `loadStateDict: keys do not match (missing: [${missingKeys.join(", ")}], unexpected: [${unexpectedKeys.join(", ")}])`,
      );
    }
    for (const [key, target] of Object.entries(own)) {
      const source = sd[key];
      if (source === undefined) continue;
      if (!(source instanceof Tensor))
        throw new WasmgradError(`loadStateDict: value for ${key} is not a Tensor`);
      if (
        source.shape.length !== target.shape.length ||
        source.shape.some((d, i) => d !== target.shape[i])
      ) {
        throw new WasmgradError(
          `loadStateDict: size mismatch for ${key}: copying a tensor of shape ${fmt(source.shape)} into a parameter of shape ${fmt(target.shape)}`,
        );
      }
      // A tensor of another dtype (an I32 or BOOL entry of a safetensors file) converts, as
      // PyTorch's copy_ does.
      const src = source.dtype === target.dtype ? source : source.to(target.dtype);
      try {
        K.copy_f32(target._rawPtr("loadStateDict"), src._rawPtr("loadStateDict"), target.numel());
      } finally {
        if (src !== source) src.dispose();
      }
      target._bumpVersion(); // an in-place change: copies derived from the old values are stale
    }
    return { missingKeys, unexpectedKeys };
  }

  /**
   * Sets training mode (true by default) on this module and every descendant; returns this module.
   *
   * PyTorch: `torch.nn.Module.train`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Dropout(0.5));
   * model.train().training; // true
   * ```
   */
  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /**
   * Sets evaluation mode (dropout off, batch norm uses its running statistics) on this module and
   * every descendant; the same as `train(false)`.
   *
   * PyTorch: `torch.nn.Module.eval`.
   *
   * @example
   * ```ts
   * const model = new wg.nn.Sequential(new wg.nn.Dropout(0.5));
   * model.eval();
   * model.forward(wg.ones(4)).toArray(); // [1, 1, 1, 1]
   * ```
   */
  eval(): this {
    return this.train(false);
  }

  /**
   * Clears every parameter's gradient (sets it to null, as PyTorch's default).
   *
   * PyTorch: `torch.nn.Module.zero_grad`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 1);
   * m.forward(wg.ones(1, 2)).sum().backward();
   * m.zeroGrad();
   * m.weight.grad; // null
   * ```
   */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Sets requiresGrad on every parameter (freezing them with false) and returns this module.
   *
   * PyTorch: `torch.nn.Module.requires_grad_`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 2).requiresGrad_(false);
   * m.weight.requiresGrad; // false
   * ```
   */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /**
   * This module, after checking the device or dtype: wasmgrad has one device ("cpu") and its
   * parameters are float32, so PyTorch's `model.to(device)` ports as it is.
   *
   * PyTorch: `torch.nn.Module.to`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 2).to("cpu");
   * ```
   */
  to(
    deviceOrDtype: string,
    ...rest: Args<[dtype: string], { dtype?: string; device?: string }>
  ): this {
    const op = `${this.constructor.name}.to`;
    const a = args(op, rest, ["dtype"], ["device"]);
    if (a.device !== undefined) device(op, a.device);
    if (isDevice(deviceOrDtype)) device(op, deviceOrDtype);
    else a.dtype ??= deviceOrDtype;
    if (a.dtype !== undefined && checkDType(op, a.dtype) !== "float32") {
      throw new WasmgradError(
        `${op}: modules hold float32 parameters; converting them to ${describe(a.dtype)} is not supported`,
      );
    }
    return this;
  }

  /**
   * This module (wasmgrad has one device, the CPU).
   *
   * PyTorch: `torch.nn.Module.cpu`.
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 2).cpu();
   * ```
   */
  cpu(): this {
    return this;
  }

  /**
   * Frees the parameters and buffers of this module and its children.
   *
   * PyTorch: none (memory in WebAssembly is freed explicitly).
   *
   * @example
   * ```ts
   * const m = new wg.nn.Linear(2, 2);
   * m.dispose();
   * m.weight.isDisposed; // true
   * ```
   */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }

  /**
   * Frees the module when a `using` declaration goes out of scope; the same as `dispose()`.
   *
   * PyTorch: none.
   *
   * @example
   * ```ts
   * {
   *   using m = new wg.nn.Linear(2, 2);
   * } // m's parameters are freed here
   * ```
   */
  [Symbol.dispose](): void {
    this.dispose();
  }

  /**
   * The text inside this module's parentheses when printed.
   *
   * PyTorch: `torch.nn.Module.extra_repr`.
   *
   * @example
   * ```ts
   * new wg.nn.Linear(4, 2).extraRepr(); // "in_features=4, out_features=2, bias=True"
   * ```
   */
  extraRepr(): string {
    return "";
  }

  /**
   * The module tree as PyTorch's `repr(model)` prints it.
   *
   * PyTorch: `torch.nn.Module.__repr__`.
   *
   * @example
   * ```ts
   * String(new wg.nn.Linear(4, 2)); // "Linear(in_features=4, out_features=2, bias=True)"
   * ```
   */
  toString(): string {
    const children = this._submodules().map(([k, m]): [string, string] => [k, m.toString()]);
    return moduleRepr(this.constructor.name, this.extraRepr(), children);
  }
}

/**
 * A deep copy of `m`, as Python's `copy.deepcopy(module)`: every parameter and buffer gets
 * storage of its own, and a tensor or module shared inside `m` stays shared inside the copy.
 * (TransformerEncoder copies its layer this way.)
 *
 * PyTorch: `copy.deepcopy(module)`.
 *
 * @example
 * ```ts
 * const model = new wg.nn.Linear(4, 2);
 * const target = wg.nn.deepCopy(model); // an independent copy of the weights
 * target.weight === model.weight; // false
 * ```
 */
export function deepCopy<M extends AnyModule>(m: M): M {
  return copyValue(m, new Map()) as M;
}

function copyValue(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== "object") return v;
  if (memo.has(v)) return memo.get(v);
  if (v instanceof Tensor) {
    if (!v._kept) return v; // not owned by the module (a cached input, say): shared, as a reference
    const c = noGrad(() => v.clone());
    c._kept = true;
    c._isParameter = v._isParameter;
    c.requiresGrad = v.requiresGrad;
    memo.set(v, c);
    return c;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    memo.set(v, out);
    for (const x of v) out.push(copyValue(x, memo));
    return out;
  }
  if (v instanceof Map) {
    const out = new Map();
    memo.set(v, out);
    for (const [k, x] of v) out.set(copyValue(k, memo), copyValue(x, memo));
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (!(v instanceof Module) && proto !== Object.prototype && proto !== null) return v;
  const out = Object.create(proto);
  memo.set(v, out);
  for (const key of Reflect.ownKeys(v)) {
    const d = Object.getOwnPropertyDescriptor(v, key)!;
    if ("value" in d) d.value = copyValue(d.value, memo);
    Object.defineProperty(out, key, d);
  }
  const np = nonPersistent.get(v);
  if (np !== undefined) nonPersistent.set(out, new Set(np));
  return out;
}
