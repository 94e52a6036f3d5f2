/**
 * Reverse-mode autograd (a dynamic tape, as micrograd and PyTorch): each op's output remembers
 * its inputs and a backward closure; `backward()` orders the graph topologically once and walks
 * it in reverse, accumulating gradients, then frees the graph unless asked to retain it.
 */
import { fmt, WasmgradError } from "../errors.js";
import { sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { isThenable, noExtra, swallow, syncFunc } from "../validate.js";

export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

/** The recorded op that produced a tensor (PyTorch's grad_fn). */
export class GradNode {
  constructor(
    readonly name: string,
    public inputs: Tensor[],
    public backward: BackwardFn | null,
  ) {}
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording operations for autograd and returns its result. `fn` must be
 * synchronous: after an await, operations would be recorded again.
 */
export function noGrad<T>(fn: () => T, ...extra: []): T {
  noExtra("noGrad", [fn, ...extra], 1);
  syncFunc("noGrad", "fn", fn);
  const prev = gradEnabled;
  gradEnabled = false;
  let result: T;
  try {
    result = fn();
  } finally {
    gradEnabled = prev;
  }
  if (isThenable(result)) {
    swallow(result);
    throw new WasmgradError(
      "noGrad: fn must be synchronous (it returned a Promise); operations after an await would be recorded",
    );
  }
  return result;
}

/** Whether an op on these inputs must be recorded. */
export function needsGrad(a: Tensor, b?: Tensor | null): boolean {
  return gradEnabled && (a.requiresGrad || b?.requiresGrad === true);
}

export function needsGradAny(inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/** Attaches a backward rule to `out`, produced by `name` from `inputs`. Returns `out`. */
export function record(out: Tensor, name: string, inputs: Tensor[], backward: BackwardFn): Tensor {
  out.requiresGrad = true;
  out._node = new GradNode(name, inputs, backward);
  return out;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t._node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

export interface BackwardOptions {
  retainGraph?: boolean;
}

/** Accumulates d(root)/d(leaf) into every reachable leaf's `.grad`; `grad` seeds d(root). */
export function runBackward(root: Tensor, grad: Tensor, options: BackwardOptions = {}): void {
  const order = topoOrder(root);
  const grads = new Map<Tensor, Tensor>();
  grads.set(root, grad);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t._node;
      if (node === null) {
        // A disposed leaf has nowhere to keep a gradient: holding one would leak it.
        if (t.isDisposed) {
          if (g !== grad) g.dispose();
        } else t._accumulateGrad(g === grad ? g.clone() : g);
        continue;
      }
      if (node.backward === null) {
        throw new WasmgradError(
          `backward: trying to backward through the graph a second time (through ${node.name}); its saved tensors were freed by the first backward(). Pass { retainGraph: true } to the first call to keep them`,
        );
      }
      let inputGrads: (Tensor | null)[];
      try {
        inputGrads = node.backward(g);
      } catch (e) {
        if (g !== grad) g.dispose();
        // Name the op whose backward failed: the inner message names only the kernel op.
        if (e instanceof WasmgradError) {
          throw new WasmgradError(`backward of ${node.name}: ${e.message}`, { cause: e });
        }
        throw e;
      }
      const seen = new Set<Tensor>();
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i];
        let gi = inputGrads[i];
        if (gi === null || gi === undefined || !input.requiresGrad) {
          if (gi != null && gi !== g && !seen.has(gi)) gi.dispose();
          continue;
        }
        if (!sameShape(gi.shape, input.shape)) {
          throw new WasmgradError(
            `internal: ${node.name} backward produced a gradient of shape ${fmt(gi.shape)} for an input of shape ${fmt(input.shape)}`,
          );
        }
        // Each gradient the engine holds must be its own tensor: copy pass-through gradients.
        if (gi === g || seen.has(gi)) gi = gi.clone();
        seen.add(gi);
        const acc = grads.get(input);
        if (acc === undefined) {
          grads.set(input, gi);
        } else {
          acc._addInPlace(gi);
          gi.dispose();
        }
      }
      if (g !== grad) g.dispose();
      if (!options.retainGraph) node.backward = null;
    }
  } finally {
    gradEnabled = prev;
    for (const g of grads.values()) if (g !== grad) g.dispose();
  }
}
