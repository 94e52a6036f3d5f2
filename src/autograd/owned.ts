/**
 * Memory without tidy, for the library's own intermediates. A PyTorch-style loop
 * (`opt.zeroGrad(); const l = F.crossEntropy(m.forward(x), y); l.backward(); opt.step();`) makes
 * thousands of tensors inside Module forwards and composite F ops that the caller never sees;
 * the FinalizationRegistry cannot free them during a synchronous loop. A library call runs in a
 * graph scope: what it returns stays the caller's, and what it made and did not return (nor gave
 * to a module to keep) is owned by the autograd graph of its results. Those tensors are freed
 * when every result's node is released: by `backward()` without `retainGraph`, or when a result
 * that no op uses is disposed. A call whose results do not require grad (eval, noGrad) or that
 * returns anything but tensors in arrays and plain objects leaves everything as tidy-less code
 * does today (the caller disposes, tidy sweeps, the FinalizationRegistry catches the rest).
 */
import { _closeScopeKeepingAll, _openScope } from "../memory.js";
import { Tensor } from "../tensor.js";
import type { GradNode, OwnedBundle } from "./engine.js";

/** Adds the tensors in `value` to `into`; false if it holds anything else but tensors in arrays, plain objects, Maps and Sets. */
function tensorsIn(value: unknown, into: Set<Tensor>, seen: Set<unknown>): boolean {
  if (value === null || typeof value !== "object") return true;
  if (seen.has(value)) return true;
  seen.add(value);
  if (value instanceof Tensor) {
    into.add(value);
    return true;
  }
  if (Array.isArray(value) || value instanceof Set) {
    for (const v of value) if (!tensorsIn(v, into, seen)) return false;
    return true;
  }
  if (value instanceof Map) {
    for (const [k, v] of value)
      if (!tensorsIn(k, into, seen) || !tensorsIn(v, into, seen)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const v of Object.values(value)) if (!tensorsIn(v, into, seen)) return false;
  return true;
}

/** Runs `fn` (a library call) in a graph scope (see the top of this file). */
export function inGraphScope<T>(fn: () => T): T {
  _openScope();
  let result: T;
  try {
    result = fn();
  } catch (error) {
    _closeScopeKeepingAll();
    throw error;
  }
  const made = _closeScopeKeepingAll();
  if (made.length === 0) return result;
  const returned = new Set<Tensor>();
  if (!tensorsIn(result, returned, new Set())) return result;
  const anchors = new Set<GradNode>();
  for (const t of returned) if (t._node !== null && !t.isDisposed) anchors.add(t._node);
  if (anchors.size === 0) return result;
  const owned: Tensor[] = [];
  for (const t of made) {
    if (!(t instanceof Tensor) || t._kept || t._graphOwned || t._isParameter) continue;
    if (returned.has(t)) continue;
    t._graphOwned = true;
    owned.push(t);
  }
  if (owned.length === 0) return result;
  const bundle: OwnedBundle = { tensors: owned, pending: anchors };
  for (const node of anchors) {
    node.bundles ??= [];
    node.bundles.push(bundle);
  }
  return result;
}

/** `fn` with every call run in a graph scope; same name and type. */
export function graphScoped<F extends (...args: never[]) => unknown>(fn: F): F {
  const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
    return inGraphScope(() => fn.apply(this, args) as ReturnType<F>);
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  return wrapped as unknown as F;
}

const wrappedForwards = new WeakSet<object>();

/** Runs the `forward` that `cls.prototype` defines (if any) in a graph scope, once. */
export function graphScopedForward(cls: unknown): void {
  if (typeof cls !== "function") return;
  const proto = (cls as { prototype?: unknown }).prototype;
  if (proto === null || typeof proto !== "object" || wrappedForwards.has(proto)) return;
  const own = Object.getOwnPropertyDescriptor(proto, "forward");
  if (own === undefined || typeof own.value !== "function") return;
  wrappedForwards.add(proto);
  Object.defineProperty(proto, "forward", { ...own, value: graphScoped(own.value) });
}
