/**
 * nn.Module, in PyTorch's shape: a layer is a constructor that creates its parameters, a
 * `resetParameters()`, and a `forward()`. Parameters, buffers and submodules are discovered from
 * the instance's own properties in the order they were assigned, which gives PyTorch's dotted
 * names (`0.weight`, `fc1.bias`, ...) without registration calls.
 */

import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";

/** Marks `t` as a trainable parameter owned by a module (never swept by `tidy`). */
export function parameter(t: Tensor): Tensor {
  t.requiresGrad = true;
  t._isParameter = true;
  t._kept = true;
  return t;
}

/** Marks `t` as a buffer: state saved in the state dict but not trained (e.g. running means). */
export function buffer(t: Tensor): Tensor {
  t._kept = true;
  return t;
}

export interface LoadOptions {
  strict?: boolean;
}

export abstract class Module<In extends unknown[] = [Tensor], Out = Tensor> {
  /** Training mode (dropout, batch norm) versus evaluation mode. */
  training = true;

  abstract forward(...inputs: In): Out;

  /**
   * Every submodule attribute with its name, repeats included (PyTorch's `_modules`): what
   * `Sequential` runs and what `stateDict` walks. A module assigned twice appears twice.
   */
  _submodules(): [string, Module<never[], unknown>][] {
    const out: [string, Module<never[], unknown>][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) out.push([key, value as Module<never[], unknown>]);
    }
    return out;
  }

  /** Direct submodules with their attribute names, each module once (first name wins). */
  namedChildren(): [string, Module<never[], unknown>][] {
    const seen = new Set<Module<never[], unknown>>();
    return this._submodules().filter(([, m]) => !seen.has(m) && seen.add(m) !== undefined);
  }

  children(): Module<never[], unknown>[] {
    return this.namedChildren().map(([, m]) => m);
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

  /** `seen` holds the tensors and modules already listed: each is visited once. */
  private namedTensors(
    prefix: string,
    parameters: boolean,
    seen: Set<unknown>,
  ): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
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
   * Parameters and buffers by PyTorch key (the tensors themselves, not copies), in PyTorch's
   * order: a module's own parameters, then its own buffers, then each child's entries. As in
   * PyTorch, a shared tensor appears under every name it has.
   */
  stateDict(prefix = ""): Record<string, Tensor> {
    const sd: Record<string, Tensor> = {};
    const own = Object.entries(this).filter(([, v]) => v instanceof Tensor && v._kept) as [
      string,
      Tensor,
    ][];
    for (const [k, v] of own) if (v._isParameter) sd[prefix + k] = v;
    for (const [k, v] of own) if (!v._isParameter) sd[prefix + k] = v;
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
    options: LoadOptions = {},
  ): { missingKeys: string[]; unexpectedKeys: string[] } {
    if (sd === null || typeof sd !== "object") {
      throw new WasmgradError(
        `loadStateDict: expected a Record<string, Tensor> (from stateDict() or wg.load()), got ${sd === null ? "null" : typeof sd}`,
      );
    }
    const strict = options.strict ?? true;
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
      K.copy_f32(target._ptr("loadStateDict"), source._ptr("loadStateDict"), target.size);
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

  /** Frees the parameters and buffers of this module and its children. */
  dispose(): void {
    for (const p of this.parameters()) p.dispose();
    for (const [, b] of this.namedBuffers()) b.dispose();
  }

  /** `using model = new nn.Linear(2, 3)` frees its parameters and buffers at the end of scope. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}
