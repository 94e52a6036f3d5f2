/**
 * Containers that register what they hold, as torch.nn's: ModuleList and ParameterList (items
 * named "0", "1", ... so parameters get PyTorch's names, `layers.0.weight`) and ModuleDict.
 * They are iterable and indexable (`list.at(-1)`, `list[0]`) but have no forward of their own.
 */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { Tensor as TensorClass } from "../tensor.js";
import { describe, tensorArg } from "../validate.js";
import { Module, parameter } from "./module.js";

type AnyModule = Module<never[], unknown>;

function checkModule(op: string, m: unknown, what: string): AnyModule {
  if (!(m instanceof Module)) {
    throw new WasmgradError(
      `${op}: ${what} is not a Module (got ${m === null ? "null" : typeof m})`,
    );
  }
  return m as AnyModule;
}

/** Resolves a possibly negative index against `length`, or throws naming `op`. */
function index(op: string, i: number, length: number): number {
  const j = i < 0 ? i + length : i;
  if (!Number.isInteger(j) || j < 0 || j >= length) {
    throw new WasmgradError(`${op}: index ${i} is out of range for ${length} items`);
  }
  return j;
}

/** Items stored as own properties "0".."n-1" (what the module walk reads, in order). */
abstract class IndexedContainer<T> extends Module<never[], never> {
  [index: number]: T;

  /**
   * The number of items.
   *
   * PyTorch: `len(module_list)`.
   *
   * @example
   * ```ts
   * new wg.nn.ModuleList([new wg.nn.ReLU(), new wg.nn.Tanh()]).length; // 2
   * ```
   */
  get length(): number {
    let n = 0;
    while (Object.hasOwn(this, n)) n++;
    return n;
  }

  /**
   * Checks an item before it is stored (a Module for ModuleList, a Tensor for ParameterList) and
   * returns what is stored.
   */
  protected abstract admit(op: string, item: unknown, what: string): T;

  /**
   * The item at position `i` (negative counts from the end).
   *
   * PyTorch: `module_list[i]`.
   *
   * @example
   * ```ts
   * const layers = new wg.nn.ModuleList([new wg.nn.Linear(4, 8), new wg.nn.Linear(8, 2)]);
   * layers.at(-1) === layers[1]; // true
   * ```
   */
  at(i: number): T {
    return (this as unknown as T[])[index(`${this.constructor.name}.at`, i, this.length)];
  }

  /**
   * Adds `item` at the end; returns this container.
   *
   * PyTorch: `torch.nn.ModuleList.append`.
   *
   * @example
   * ```ts
   * const layers = new wg.nn.ModuleList();
   * layers.append(new wg.nn.Linear(4, 4)).length; // 1
   * ```
   */
  append(item: T): this {
    (this as unknown as T[])[this.length] = this.admit(
      `${this.constructor.name}.append`,
      item,
      "the item",
    );
    return this;
  }

  /**
   * Adds every item of `items` at the end, in order; returns this container.
   *
   * PyTorch: `torch.nn.ModuleList.extend`.
   *
   * @example
   * ```ts
   * const layers = new wg.nn.ModuleList();
   * layers.extend([new wg.nn.ReLU(), new wg.nn.Tanh()]).length; // 2
   * ```
   */
  extend(items: Iterable<T>): this {
    if (typeof (items as Partial<Iterable<T>> | null)?.[Symbol.iterator] !== "function") {
      throw new WasmgradError(
        `${this.constructor.name}.extend: expected an iterable of items but got ${describe(items)}`,
      );
    }
    for (const item of items) this.append(item);
    return this;
  }

  /**
   * Inserts `item` before position `i` (negative counts from the end), renumbering the rest.
   *
   * PyTorch: `torch.nn.ModuleList.insert`.
   *
   * @example
   * ```ts
   * const layers = new wg.nn.ModuleList([new wg.nn.ReLU(), new wg.nn.Tanh()]);
   * layers.insert(0, new wg.nn.Tanh());
   * layers.at(0) instanceof wg.nn.Tanh; // true
   * layers.length; // 3
   * ```
   */
  insert(i: number, item: T): this {
    const n = this.length;
    const at = i < 0 ? Math.max(0, i + n) : Math.min(i, n);
    const self = this as unknown as T[];
    const admitted = this.admit(`${this.constructor.name}.insert`, item, "the item");
    for (let j = n; j > at; j--) self[j] = self[j - 1];
    self[at] = admitted;
    return this;
  }

  /**
   * Iterates over the items in order: `for (const layer of layers)`.
   *
   * PyTorch: `iter(module_list)`.
   *
   * @example
   * ```ts
   * const layers = new wg.nn.ModuleList([new wg.nn.Linear(4, 8), new wg.nn.Linear(8, 2)]);
   * let x = wg.randn(3, 4);
   * for (const layer of layers) x = layer.forward(x);
   * x.shape; // [3, 2]
   * ```
   */
  *[Symbol.iterator](): Iterator<T> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield (this as unknown as T[])[i];
  }

  /**
   * Throws: a container has no forward of its own; call its items inside your module's forward.
   *
   * PyTorch: none (`torch.nn.ModuleList` has no forward either).
   *
   * @example
   * ```ts
   * const layers = new wg.nn.ModuleList([new wg.nn.Linear(4, 4), new wg.nn.Linear(4, 2)]);
   * let x = wg.randn(3, 4);
   * for (const layer of layers) x = layer.forward(x); // rather than layers.forward(x)
   * ```
   */
  forward(): never {
    throw new WasmgradError(
      `${this.constructor.name}: has no forward; iterate over it inside your module's forward`,
    );
  }
}

/**
 * Holds submodules in a list: `new nn.ModuleList([new nn.Linear(4, 4), ...])`.
 *
 * PyTorch: `torch.nn.ModuleList`.
 *
 * @example
 * ```ts
 * const layers = new wg.nn.ModuleList([new wg.nn.Linear(4, 4), new wg.nn.Linear(4, 4)]);
 * ```
 */
export class ModuleList<M extends AnyModule = AnyModule> extends IndexedContainer<M> {
  constructor(modules: Iterable<M> = []) {
    super();
    if (modules == null || typeof (modules as Iterable<M>)[Symbol.iterator] !== "function") {
      throw new WasmgradError("ModuleList: expected an iterable of modules");
    }
    let i = 0;
    for (const m of modules)
      (this as unknown as M[])[i] = this.admit("ModuleList", m, `item ${i++}`);
  }

  protected admit(op: string, item: unknown, what: string): M {
    return checkModule(op, item, what) as M;
  }
}

/**
 * Holds parameters in a list; each becomes a parameter named "0", "1", ...
 *
 * PyTorch: `torch.nn.ParameterList`.
 *
 * @example
 * ```ts
 * const scales = new wg.nn.ParameterList([wg.ones(3), wg.ones(3)]);
 * ```
 */
export class ParameterList extends IndexedContainer<Tensor> {
  constructor(values: Iterable<Tensor> = []) {
    super();
    if (values == null || typeof (values as Iterable<Tensor>)[Symbol.iterator] !== "function") {
      throw new WasmgradError("ParameterList: expected an iterable of tensors");
    }
    // Every item is checked before any becomes a parameter, so a refusal leaves nothing behind.
    const items = [...values];
    items.forEach((t, i) => {
      if (!(t instanceof TensorClass)) this.admit("ParameterList", t, `item ${i}`);
      else if (!t._isParameter) {
        // parameter() marks the caller's tensor: refuse a live non-float one before marking any.
        tensorArg("ParameterList", `item ${i}`, t);
        if (t.dtype !== "float32") {
          throw new WasmgradError(
            `ParameterList: item ${i} is an ${t.dtype} tensor; only float32 tensors can be parameters (convert with .float())`,
          );
        }
      }
    });
    items.forEach((t, i) => {
      (this as unknown as Tensor[])[i] = this.admit("ParameterList", t, `item ${i}`);
    });
  }

  protected admit(op: string, item: unknown, what: string): Tensor {
    if (!(item instanceof TensorClass)) {
      throw new WasmgradError(
        `${op}: ${what} is not a Tensor (got ${item === null ? "null" : typeof item})`,
      );
    }
    return item._isParameter ? item : parameter(item);
  }

  override extraRepr(): string {
    return [...this]
      .map((p, i) => {
        const dtype = (p as { dtype?: string }).dtype ?? "float32";
        return `  (${i}): Parameter containing: [torch.${dtype} of size ${p.shape.join("x")}]`;
      })
      .join("\n");
  }
}

/**
 * Holds submodules by name, in insertion order: `md.get("enc")`, `md.set("dec", m)`; a name
 * that does not clash with a method is also a property (`md.enc`).
 *
 * PyTorch: `torch.nn.ModuleDict`.
 *
 * @example
 * ```ts
 * const heads = new wg.nn.ModuleDict({ cls: new wg.nn.Linear(8, 10), box: new wg.nn.Linear(8, 4) });
 * ```
 */
export class ModuleDict<M extends AnyModule = AnyModule> extends Module<never[], never> {
  private readonly _dict = new Map<string, M>();

  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    this.update(modules);
  }

  /** @internal the walk reads the modules by key, in insertion order. */
  override _entries(): [string, unknown][] {
    const rest = Object.entries(this).filter(([k]) => k !== "_dict");
    return [...this._dict, ...rest];
  }

  /**
   * The number of modules.
   *
   * PyTorch: `len(module_dict)`.
   *
   * @example
   * ```ts
   * new wg.nn.ModuleDict({ a: new wg.nn.ReLU() }).length; // 1
   * ```
   */
  get length(): number {
    return this._dict.size;
  }

  /**
   * The module under `key`; throws if there is none. (Each key is also a property: `dict.encoder`.)
   *
   * PyTorch: `module_dict[key]`.
   *
   * @example
   * ```ts
   * const heads = new wg.nn.ModuleDict({ cls: new wg.nn.Linear(8, 3) });
   * heads.get("cls").outFeatures; // 3
   * ```
   */
  get(key: string): M {
    const m = this._dict.get(key);
    if (m === undefined) {
      throw new WasmgradError(
        `ModuleDict.get: no module named "${key}" (have: ${[...this._dict.keys()].join(", ")})`,
      );
    }
    return m;
  }

  /**
   * Adds or replaces the module under `key` (non-empty, without "."); returns this dict.
   *
   * PyTorch: `module_dict[key] = module`.
   *
   * @example
   * ```ts
   * const heads = new wg.nn.ModuleDict();
   * heads.set("reg", new wg.nn.Linear(8, 1)).has("reg"); // true
   * ```
   */
  set(key: string, m: M): this {
    if (typeof key !== "string" || key === "" || key.includes(".")) {
      throw new WasmgradError(
        `ModuleDict.set: key must be a non-empty string without "." but got ${describe(key)}`,
      );
    }
    this._dict.set(key, checkModule("ModuleDict.set", m, `the value for "${key}"`) as M);
    if (!(key in this) || Object.getOwnPropertyDescriptor(this, key)?.get !== undefined) {
      Object.defineProperty(this, key, {
        get(this: ModuleDict<M>) {
          return this._dict.get(key);
        },
        enumerable: false,
        configurable: true,
      });
    }
    return this;
  }

  /**
   * Whether a module is stored under `key`.
   *
   * PyTorch: `key in module_dict`.
   *
   * @example
   * ```ts
   * new wg.nn.ModuleDict({ a: new wg.nn.ReLU() }).has("b"); // false
   * ```
   */
  has(key: string): boolean {
    return this._dict.has(key);
  }

  /**
   * Removes and returns the module under `key`.
   *
   * PyTorch: `torch.nn.ModuleDict.pop`.
   *
   * @example
   * ```ts
   * const d = new wg.nn.ModuleDict({ a: new wg.nn.ReLU() });
   * d.pop("a");
   * d.length; // 0
   * ```
   */
  pop(key: string): M {
    const m = this.get(key);
    this._dict.delete(key);
    if (Object.getOwnPropertyDescriptor(this, key)?.get !== undefined)
      delete (this as Record<string, unknown>)[key];
    return m;
  }

  /**
   * Adds or replaces every `[name, module]` of a Record, Map or iterable of pairs; returns this
   * dict.
   *
   * PyTorch: `torch.nn.ModuleDict.update`.
   *
   * @example
   * ```ts
   * const d = new wg.nn.ModuleDict();
   * d.update({ a: new wg.nn.ReLU(), b: new wg.nn.Tanh() }).keys(); // ["a", "b"]
   * ```
   */
  update(modules: Record<string, M> | Iterable<[string, M]>): this {
    if (modules === null || typeof modules !== "object") {
      throw new WasmgradError(
        "ModuleDict: expected a Record, Map or iterable of [name, module] pairs",
      );
    }
    const pairs =
      Symbol.iterator in modules
        ? (modules as Iterable<[string, M]>)
        : Object.entries(modules as Record<string, M>);
    for (const pair of pairs as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new WasmgradError(
          `ModuleDict: expected [name, module] pairs but got ${describe(pair)}`,
        );
      }
      this.set(pair[0] as string, pair[1] as M);
    }
    return this;
  }

  /**
   * The keys, in insertion order.
   *
   * PyTorch: `torch.nn.ModuleDict.keys`.
   *
   * @example
   * ```ts
   * new wg.nn.ModuleDict({ a: new wg.nn.ReLU(), b: new wg.nn.Tanh() }).keys(); // ["a", "b"]
   * ```
   */
  keys(): string[] {
    return [...this._dict.keys()];
  }

  /**
   * The modules, in insertion order.
   *
   * PyTorch: `torch.nn.ModuleDict.values`.
   *
   * @example
   * ```ts
   * new wg.nn.ModuleDict({ a: new wg.nn.ReLU() }).values().length; // 1
   * ```
   */
  values(): M[] {
    return [...this._dict.values()];
  }

  /**
   * The `[key, module]` pairs, in insertion order.
   *
   * PyTorch: `torch.nn.ModuleDict.items`.
   *
   * @example
   * ```ts
   * new wg.nn.ModuleDict({ a: new wg.nn.ReLU() }).items().map(([k]) => k); // ["a"]
   * ```
   */
  items(): [string, M][] {
    return [...this._dict];
  }

  /**
   * Iterates over the keys, as iterating a Python dict does.
   *
   * PyTorch: `iter(module_dict)`.
   *
   * @example
   * ```ts
   * [...new wg.nn.ModuleDict({ a: new wg.nn.ReLU(), b: new wg.nn.Tanh() })]; // ["a", "b"]
   * ```
   */
  [Symbol.iterator](): Iterator<string> {
    return this._dict.keys();
  }

  /**
   * Throws: a ModuleDict has no forward of its own; call its modules inside your module's
   * forward.
   *
   * PyTorch: none (`torch.nn.ModuleDict` has no forward either).
   *
   * @example
   * ```ts
   * const heads = new wg.nn.ModuleDict({ a: new wg.nn.Linear(4, 2), b: new wg.nn.Linear(4, 3) });
   * heads.get("b").forward(wg.randn(1, 4)).shape; // [1, 3]
   * ```
   */
  forward(): never {
    throw new WasmgradError(
      "ModuleDict: has no forward; call its modules inside your module's forward",
    );
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [ModuleDict, ModuleList, ParameterList]) graphScopedForward(layer);
