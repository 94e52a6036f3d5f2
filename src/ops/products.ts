/**
 * torch's fixed-rank products, each a shape check in front of matmul (so they share its sgemm
 * path and its backward): mm (2-D · 2-D), bmm (3-D · 3-D, equal batches), mv (2-D · 1-D), dot
 * (1-D · 1-D); outer (1-D ⊗ 1-D) is a broadcast product with its own backward.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { ReduceOp } from "../backend/table/core.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { noExtra } from "../validate.js";
import { matmul } from "./matmul.js";
import { mulRaw, reduceTo } from "./raw.js";

function need(op: string, t: unknown, ndim: number, what: string): Tensor {
  if (!(t instanceof Tensor)) {
    throw new WasmgradError(
      `${op}: expected a Tensor as ${what} but got ${t === null ? "null" : typeof t}`,
    );
  }
  t._live(op);
  if (t.ndim !== ndim) {
    throw new WasmgradError(
      `${op}: expected ${what} to be ${ndim}-D but got shape ${fmt(t.shape)}`,
    );
  }
  return t;
}

/**
 * Matrix product of a [n,m] and a [m,p] matrix.
 *
 * PyTorch: `torch.mm`.
 *
 * @example
 * ```ts
 * wg.mm(wg.ones(2, 3), wg.ones(3, 4)).shape; // [2, 4]
 * ```
 */
export function mm(a: Tensor, b: Tensor, ...extra: never[]): Tensor {
  noExtra("mm", [a, b, ...extra], 2);
  need("mm", a, 2, "the first argument");
  need("mm", b, 2, "the second argument");
  if (a.shape[1] !== b.shape[0]) {
    throw new WasmgradError(
      `mm: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}: inner dimensions ${a.shape[1]} and ${b.shape[0]} differ`,
    );
  }
  return matmul(a, b);
}

/**
 * Batched matrix product of [B,n,m] and [B,m,p] (no broadcasting, as torch.bmm).
 *
 * @example
 * ```ts
 * wg.bmm(wg.ones(2, 3, 4), wg.ones(2, 4, 5)).shape; // [2, 3, 5]
 * ```
 */
export function bmm(a: Tensor, b: Tensor, ...extra: never[]): Tensor {
  noExtra("bmm", [a, b, ...extra], 2);
  need("bmm", a, 3, "the first argument");
  need("bmm", b, 3, "the second argument");
  if (a.shape[0] !== b.shape[0]) {
    throw new WasmgradError(
      `bmm: batch sizes differ: ${fmt(a.shape)} and ${fmt(b.shape)} (${a.shape[0]} and ${b.shape[0]})`,
    );
  }
  if (a.shape[2] !== b.shape[1]) {
    throw new WasmgradError(
      `bmm: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}: inner dimensions ${a.shape[2]} and ${b.shape[1]} differ`,
    );
  }
  return matmul(a, b);
}

/**
 * Matrix-vector product of [n,m] and [m].
 *
 * PyTorch: `torch.mv`.
 *
 * @example
 * ```ts
 * wg.mv(wg.ones(2, 3), wg.ones(3)); // [3, 3]
 * ```
 */
export function mv(a: Tensor, v: Tensor, ...extra: never[]): Tensor {
  noExtra("mv", [a, v, ...extra], 2);
  need("mv", a, 2, "the matrix");
  need("mv", v, 1, "the vector");
  if (a.shape[1] !== v.shape[0]) {
    throw new WasmgradError(
      `mv: cannot multiply ${fmt(a.shape)} by ${fmt(v.shape)}: sizes ${a.shape[1]} and ${v.shape[0]} differ`,
    );
  }
  return matmul(a, v);
}

/**
 * Inner product of two 1-D tensors of equal length (a 0-d result).
 *
 * PyTorch: `torch.dot`.
 *
 * @example
 * ```ts
 * wg.dot(wg.tensor([1, 2]), wg.tensor([3, 4])); // 11
 * ```
 */
export function dot(a: Tensor, b: Tensor, ...extra: never[]): Tensor {
  noExtra("dot", [a, b, ...extra], 2);
  need("dot", a, 1, "the first argument");
  need("dot", b, 1, "the second argument");
  if (a.shape[0] !== b.shape[0]) {
    throw new WasmgradError(
      `dot: expected 1-D tensors of the same length but got ${fmt(a.shape)} and ${fmt(b.shape)}`,
    );
  }
  return matmul(a, b);
}

/**
 * Outer product of [n] and [m]: [n,m] (torch.outer / torch.ger).
 *
 * @example
 * ```ts
 * wg.outer(wg.tensor([1, 2]), wg.tensor([3, 4])); // [[3, 4], [6, 8]]
 * ```
 */
export function outer(a: Tensor, b: Tensor, ...extra: never[]): Tensor {
  noExtra("outer", [a, b, ...extra], 2);
  need("outer", a, 1, "the first argument");
  need("outer", b, 1, "the second argument");
  const n = a.shape[0];
  const m = b.shape[0];
  // a[:, None] * b[None, :] by broadcasting; d a = g · b, d b = gᵀ · a, as row sums.
  const col = Tensor._view(a, [n, 1]);
  const row = Tensor._view(b, [1, m]);
  const out = mulRaw(col, row);
  col.dispose();
  row.dispose();
  if (!needsGradAny([a, b])) return out;
  return record(out, "outer", [a, b], (g) => {
    const grads: (Tensor | null)[] = [null, null];
    if (a.requiresGrad) {
      const r = Tensor._view(b, [1, m]);
      grads[0] = rowSums(mulRaw(g, r), [n, 1], [n]);
      r.dispose();
    }
    if (b.requiresGrad) {
      const c = Tensor._view(a, [n, 1]);
      grads[1] = rowSums(mulRaw(g, c), [1, m], [m]);
      c.dispose();
    }
    return grads;
  });
}

/** Sums `t` down to `keep` and views it as `shape`, consuming `t`. */
function rowSums(t: Tensor, keep: number[], shape: number[]): Tensor {
  const s = reduceTo("outer", ReduceOp.sum, t, keep);
  t.dispose();
  const v = Tensor._view(s, shape);
  s.dispose();
  return v;
}
