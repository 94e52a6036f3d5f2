/**
 * F.cosineSimilarity, F.normalize and F.oneHot, as torch.nn.functional. The first two are
 * composed from differentiable primitives, so gradients flow to every tensor argument.
 */
import { needsGradAny } from "../autograd/engine.js";
import { tidy } from "../memory.js";
import { normDim } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, args, describe, fail, int, num, tensorArg } from "../validate.js";
import { div, mul } from "./binary.js";
import { tensor } from "./creation.js";
import { sum } from "./reduce.js";
import { abs, clamp, pow, sqrt } from "./unary.js";

/** Options of `F.cosineSimilarity`. */
export interface CosineSimilarityOptions {
  /** The dim along which the vectors lie (default 1). */
  dim?: number;
  /** The smallest norm each vector is divided by, for stability (default 1e-8). */
  eps?: number;
}

/**
 * sum(x1 x2) / sqrt(max(sum(x1^2) sum(x2^2), eps^2)) along `dim` (default 1), with x1 and x2
 * broadcast to one shape.
 *
 * PyTorch: `torch.nn.functional.cosine_similarity`.
 *
 * @example
 * ```ts
 * wg.F.cosineSimilarity(wg.tensor([[1, 0]]), wg.tensor([[1, 1]])); // [0.7071]
 * ```
 */
export function cosineSimilarity(
  x1: Tensor,
  x2: Tensor,
  ...rest: Args<[dim: number, eps: number], CosineSimilarityOptions>
): Tensor {
  const op = "cosineSimilarity";
  const a1 = tensorArg(op, "x1", x1);
  const a2 = tensorArg(op, "x2", x2);
  const a = args(op, rest, ["dim", "eps"]);
  const dim0 = a.dim === undefined ? 1 : int(op, "dim", a.dim);
  const eps = a.eps === undefined ? 1e-8 : num(op, "eps", a.eps, { min: 0 });
  const body = (): Tensor => {
    const prod = mul(a1, a2);
    const dim = normDim(op, dim0, prod.ndim);
    const w12 = sum(prod, dim);
    const n = mul(sum(mul(a1, a1), dim), sum(mul(a2, a2), dim));
    return div(w12, sqrt(clamp(n, eps * eps)));
  };
  return needsGradAny([a1, a2]) ? body() : tidy(body);
}

/** Options of `F.normalize`. */
export interface NormalizeOptions {
  /** The norm degree (default 2). */
  p?: number;
  /** The dim to normalise along (default 1). */
  dim?: number;
  /** The smallest norm divided by, for stability (default 1e-12). */
  eps?: number;
}

/**
 * input / max(||input||_p, eps) along `dim` (default p 2, dim 1, eps 1e-12).
 *
 * PyTorch: `torch.nn.functional.normalize`.
 *
 * @example
 * ```ts
 * wg.F.normalize(wg.tensor([[3, 4]]), { dim: 1 }); // [[0.6, 0.8]]
 * ```
 */
export function normalize(
  input: Tensor,
  ...rest: Args<[p: number, dim: number, eps: number], NormalizeOptions>
): Tensor {
  const op = "normalize";
  const x = tensorArg(op, "input", input);
  const a = args(op, rest, ["p", "dim", "eps"]);
  const p = a.p === undefined ? 2 : num(op, "p", a.p, { gt: 0, finite: true });
  const dim = normDim(op, a.dim === undefined ? 1 : int(op, "dim", a.dim), x.ndim);
  const eps = a.eps === undefined ? 1e-12 : num(op, "eps", a.eps, { min: 0 });
  const body = (): Tensor => {
    let norm: Tensor;
    if (p === 2) norm = sqrt(sum(mul(x, x), dim, true));
    else if (p === 1) norm = sum(abs(x), dim, true);
    else norm = pow(sum(pow(abs(x), p), dim, true), 1 / p);
    return div(x, clamp(norm, eps));
  };
  return needsGradAny([x]) ? body() : tidy(body);
}

/** Class indices: a tensor of integer values, an Int32Array or a number[]. */
export type OneHotIndices = Tensor | Int32Array | readonly number[];

/**
 * A [...shape, numClasses] tensor with 1 at each index's class and 0 elsewhere; numClasses -1
 * (the default) means one more than the largest index. An int32 tensor (PyTorch's is int64).
 *
 * PyTorch: `torch.nn.functional.one_hot`.
 *
 * @example
 * ```ts
 * wg.F.oneHot(new Int32Array([0, 2]), 3); // [[1, 0, 0], [0, 0, 1]] (int32)
 * ```
 */
export function oneHot(
  indices: OneHotIndices,
  ...rest: Args<[numClasses: number], { numClasses?: number }>
): Tensor {
  const op = "oneHot";
  let values: ArrayLike<number>;
  let shape: number[];
  if (indices instanceof Tensor) {
    tensorArg(op, "tensor", indices);
    values = indices.data();
    shape = [...indices.shape];
  } else if (indices instanceof Int32Array || Array.isArray(indices)) {
    values = indices as ArrayLike<number>;
    shape = [values.length];
  } else {
    return fail(op, "expected a tensor of class indices, an Int32Array or a number[]");
  }
  const a = args(op, rest, ["numClasses"]);
  let c = a.numClasses === undefined ? -1 : int(op, "numClasses", a.numClasses, -1);
  let max = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0) {
      fail(op, `class values must be non-negative integers but got ${describe(v)} at index ${i}`);
    }
    if (v > max) max = v;
  }
  if (c === -1) {
    if (values.length === 0) fail(op, "can not infer the number of classes from an empty tensor");
    c = max + 1;
  } else if (max >= c) {
    fail(op, `class values must be smaller than numClasses (${c}) but got ${max}`);
  }
  const out = new Int32Array(values.length * c);
  for (let i = 0; i < values.length; i++) out[i * c + values[i]] = 1;
  return tensor(out, { shape: [...shape, c] });
}
