/**
 * Reverse-mode autograd (a dynamic tape, as micrograd and PyTorch): each op's output remembers
 * its backward closure and, per input, the vertex its gradient goes to: the input's own node
 * as it was when the op ran, or the input itself for a leaf. Edges point at nodes, not tensors,
 * so an in-place op that gives a tensor a new node later does not reroute earlier ops'
 * gradients. `backward()` orders the graph topologically once and walks it in reverse,
 * accumulating gradients, then frees the graph unless asked to retain it.
 */
import { fmt, WasmgradError } from "../errors.js";
import type { Storage } from "../memory.js";
import { sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { isThenable, noExtra, swallow, syncFunc } from "../validate.js";

/**
 * Intermediates made inside a library call (a Module's forward, a composite F op) that the call
 * did not return: nothing outside the autograd graph can reach them, so they are freed once every
 * node anchoring them (the returned tensors' nodes) is released: by a backward that does not
 * retain the graph, or by disposing the returned tensor while no other op uses it.
 */
export interface OwnedBundle {
  tensors: Tensor[];
  pending: Set<GradNode>;
}

/** Marks `node` as released; frees the bundles it was the last pending anchor of. */
export function releaseAnchor(node: GradNode): void {
  const bundles = node.bundles;
  if (bundles === null) return;
  node.bundles = null;
  for (const b of bundles) {
    b.pending.delete(node);
    if (b.pending.size === 0) {
      for (const t of b.tensors) if (!t._kept) t.dispose();
      b.tensors.length = 0;
    }
  }
}

export type BackwardFn = (grad: Tensor) => (Tensor | null)[];

/** Where a gradient goes: an op's node, or a leaf tensor that accumulates `.grad`. */
type Vertex = GradNode | Tensor;

/** A tensor the backward reads, and the version of its storage when the op ran. */
interface Saved {
  tensor: Tensor;
  version: number;
}

/** The recorded op that produced a tensor (PyTorch's grad_fn). */
export class GradNode {
  /** Per input, the vertex its gradient goes to (null when it needs none). */
  readonly edges: (Vertex | null)[];
  readonly saved: Saved[];
  /** How many nodes have an edge to this one (never decremented: a lower bound on liveness). */
  consumers = 0;
  /** Graph-owned intermediates this node anchors (see owned.ts). */
  bundles: OwnedBundle[] | null = null;
  constructor(
    readonly name: string,
    public inputs: Tensor[],
    public backward: BackwardFn | null,
    saved: readonly Tensor[] = inputs,
  ) {
    this.edges = inputs.map((t) => (t.requiresGrad ? (t._node ?? t) : null));
    for (const e of this.edges) if (e instanceof GradNode) e.consumers++;
    this.saved = saved.map((tensor) => ({ tensor, version: tensor._version }));
  }
}

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording operations for autograd and returns its result. `fn` must be
 * synchronous: after an await, operations would be recorded again.
 *
 * PyTorch: `torch.no_grad`.
 *
 * @example
 * ```ts
 * const y = wg.noGrad(() => model.forward(x)); // no graph is recorded
 * ```
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

/**
 * Attaches a backward rule to `out`, produced by `name` from `inputs`. `saved` lists the tensors
 * the backward reads (default: the inputs; add `out` when the rule uses the output): changing
 * one of them in place before backward makes backward throw instead of using the new values.
 * Returns `out`.
 */
export function record(
  out: Tensor,
  name: string,
  inputs: Tensor[],
  backward: BackwardFn,
  saved?: readonly Tensor[],
): Tensor {
  out.requiresGrad = true;
  out._node = new GradNode(name, inputs, backward, saved ?? inputs);
  return out;
}

function topoOrder(root: Vertex): Vertex[] {
  const order: Vertex[] = [];
  const visited = new Set<Vertex>([root]);
  const stack: [Vertex, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const [v, i] = top;
    const edges = v instanceof GradNode ? v.edges : [];
    if (i < edges.length) {
      top[1]++;
      const next = edges[i];
      if (next !== null && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(v);
    }
  }
  return order;
}

/** Options of {@link Tensor.backward}. */
export interface BackwardOptions {
  /**
   * Keep the graph's saved tensors so that backward can run through it again (default false;
   * PyTorch's `retain_graph`).
   */
  retainGraph?: boolean;
}

function checkSaved(node: GradNode): void {
  for (const s of node.saved) {
    const t = s.tensor;
    if (t.isDisposed || t._version === s.version) continue;
    throw new WasmgradError(
      `backward: one of the variables needed for gradient computation has been modified by an inplace operation: a ${t.dtype} tensor of shape ${fmt(t.shape)} used by ${node.name} is at version ${t._version}; expected version ${s.version} instead. Use the out-of-place op (e.g. add instead of add_), or clone() the tensor before changing it`,
    );
  }
}

/**
 * Accumulates d(root)/d(leaf) into every reachable leaf's `.grad`; `grad` seeds d(root) and stays
 * the caller's. Every gradient the engine holds owns its storage: one that shares storage with
 * the seed or with another held gradient (a view's backward returns a view of its input) is
 * copied first, so accumulating in place never writes into someone else's tensor.
 */
export function runBackward(root: Tensor, grad: Tensor, options: BackwardOptions = {}): void {
  const start: Vertex = root._node ?? root;
  const order = topoOrder(start);
  const grads = new Map<Vertex, Tensor>();
  /** Storages of the gradients the engine holds (each held by exactly one of them). */
  const owned = new Set<Storage>();
  const seedStorage = grad._heldStorage();
  /** `g` itself if no one else holds its storage, else a copy; marked as held either way. */
  const own = (g: Tensor): Tensor => {
    const s = g._heldStorage();
    const mine = s !== null && (owned.has(s) || s === seedStorage) ? g.clone() : g;
    const ms = mine._heldStorage();
    if (ms !== null) owned.add(ms);
    return mine;
  };
  const disown = (g: Tensor): void => {
    const s = g._heldStorage();
    if (s !== null) owned.delete(s);
  };
  grads.set(start, grad);
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k];
      const g = grads.get(v);
      if (g === undefined) continue;
      grads.delete(v);
      if (!(v instanceof GradNode)) {
        // A disposed leaf has nowhere to keep a gradient: holding one would leak it.
        if (v.isDisposed) {
          if (g !== grad) {
            disown(g);
            g.dispose();
          }
          continue;
        }
        const mine = g === grad ? g.clone() : g;
        disown(mine);
        v._accumulateGrad(mine);
        continue;
      }
      if (v.backward === null) {
        throw new WasmgradError(
          `backward: trying to backward through the graph a second time (through ${v.name}); its saved tensors were freed by the first backward(). Pass { retainGraph: true } to the first call to keep them`,
        );
      }
      checkSaved(v);
      let inputGrads: (Tensor | null)[];
      try {
        inputGrads = v.backward(g);
      } catch (e) {
        if (g !== grad) {
          disown(g);
          g.dispose();
        }
        // Name the op whose backward failed: the inner message names only the kernel op.
        if (e instanceof WasmgradError) {
          throw new WasmgradError(`backward of ${v.name}: ${e.message}`, { cause: e });
        }
        throw e;
      }
      // g is consumed here: the first gradient that is g or a view of it may take its storage.
      if (g !== grad) disown(g);
      const handed = new Set<Tensor>();
      const unused = new Set<Tensor>();
      const spent = new Set<Tensor>();
      for (let i = 0; i < v.inputs.length; i++) {
        const gi = inputGrads[i];
        if (gi === null || gi === undefined) continue;
        const edge = v.edges[i];
        if (edge === null) {
          unused.add(gi);
          continue;
        }
        const input = v.inputs[i];
        if (!sameShape(gi.shape, input.shape)) {
          throw new WasmgradError(
            `internal: ${v.name} backward produced a gradient of shape ${fmt(gi.shape)} for an input of shape ${fmt(input.shape)}`,
          );
        }
        const mine = own(gi);
        if (mine === gi) handed.add(gi);
        else unused.add(gi);
        const acc = grads.get(edge);
        if (acc === undefined) {
          grads.set(edge, mine);
        } else {
          acc._addInPlace(mine);
          disown(mine);
          // Not disposed yet: a backward may hand the same tensor to a later input too (add
          // gives g to both operands), which then takes it over.
          handed.delete(mine);
          spent.add(mine);
        }
      }
      for (const t of spent) if (t !== grad && !handed.has(t)) t.dispose();
      for (const t of unused) if (t !== grad && !handed.has(t)) t.dispose();
      if (g !== grad && !handed.has(g)) g.dispose();
      if (!options.retainGraph) v.backward = null;
    }
    // The graph is released: the intermediates it alone kept alive go with it.
    if (!options.retainGraph) {
      for (const v of order) if (v instanceof GradNode && v.backward === null) releaseAnchor(v);
    }
  } finally {
    gradEnabled = prev;
    for (const g of grads.values()) if (g !== grad) g.dispose();
  }
}
