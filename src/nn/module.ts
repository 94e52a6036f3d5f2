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
import { fmt, WasmgradError } from "../errors.js";
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
 * class Scale extends wg.nn.Module { constructor() { super(); this.s = wg.nn.parameter(wg.ones(1)); } }
 * ```
 */
export function parameter(t: Tensor): Tensor {
  tensorArg("parameter", "t", t);
  t.requiresGrad = true;
  t._isParameter = true;
  t._kept = true;
  return t;
}

/**
 * Marks `t` as a buffer: state saved in the state dict but not trained (e.g. running means).
 *
 * PyTorch: `torch.nn.Buffer`.
 *
 * @example
 * ```ts
 * class Norm extends wg.nn.Module { constructor() { super(); this.mean = wg.nn.buffer(wg.zeros(3)); } }
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

export interface LoadOptions {
  strict?: boolean;
}

export interface BufferOptions {
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
 * class MLP extends wg.nn.Module { constructor() { super(); this.fc = new wg.nn.Linear(4, 2); } forward(x) { return this.fc.forward(x).relu(); } }
 * ```
 */
export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout, batch norm) versus evaluation mode. */
  training = true;

  abstract forward(...inputs: In): Out;

  /**
   * The properties the walk reads, in assignment order (containers override this). Throws for a
   * plain Array, Map or Set holding modules or parameters: PyTorch would not see them either,
   * and silently training nothing is worse than an error.
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
   * Every submodule attribute with its name, repeats included (PyTorch's `_modules`): what
   * `Sequential` runs and what `stateDict` walks. A module assigned twice appears twice.
   */
  _submodules(): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    for (const [key, value] of this._entries()) {
      if (value instanceof Module) out.push([key, value as AnyModule]);
    }
    return out;
  }

  /** Direct submodules with their attribute names, each module once (first name wins). */
  namedChildren(): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    return this._submodules().filter(([, m]) => !seen.has(m) && seen.add(m) !== undefined);
  }

  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant with dotted names, each once, this module first (""). */
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

  /** This module and every descendant, each once (PyTorch's `modules()` includes itself). */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** Calls `fn` on every child (recursively, children first) and then on this module. */
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
   */
  namedParameters(prefix = ""): [string, Tensor][] {
    return this.namedTensors(prefix, true, new Set());
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Buffers with dotted names, each once, as namedParameters. */
  namedBuffers(prefix = ""): [string, Tensor][] {
    return this.namedTensors(prefix, false, new Set());
  }

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
    const set = nonPersistent.get(this) ?? new Set<string>();
    if (options.persistent === false) set.add(name);
    else set.delete(name);
    nonPersistent.set(this, set);
  }

  /** Adds (or replaces) a parameter under `name` (PyTorch's `register_parameter`). */
  registerParameter(name: string, p: Tensor | null): void {
    checkName(`${this.constructor.name}.registerParameter`, name);
    if (p !== null && !(p instanceof Tensor)) {
      throw new WasmgradError(
        `${this.constructor.name}.registerParameter: expected a Tensor or null for ${describe(name)}`,
      );
    }
    (this as Record<string, unknown>)[name] = p === null ? null : parameter(p);
  }

  /** Adds (or replaces) a submodule under `name` (PyTorch's `add_module`). */
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
   * entries. As in PyTorch, a shared tensor appears under every name it has.
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
   * default) the keys must match exactly; shapes must always match.
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
      K.copy_f32(target._ptr("loadStateDict"), source._ptr("loadStateDict"), target.numel());
      target._bumpVersion(); // an in-place change: copies derived from the old values are stale
    }
    return { missingKeys, unexpectedKeys };
  }

  train(mode = true): this {
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Clears every parameter's gradient (sets it to null, as PyTorch's default). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Sets requiresGrad on every parameter (freezing with false) and returns this module. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) p.requiresGrad_(flag);
    return this;
  }

  /** Frees the parameters and buffers of this module and its children. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  /** The text inside this module's parentheses when printed (PyTorch's `extra_repr`). */
  extraRepr(): string {
    return "";
  }

  /** The module tree as PyTorch's `repr(model)` prints it. */
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
 * const target = wg.nn.deepCopy(model); // an independent copy of the weights
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
