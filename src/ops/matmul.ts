/**
 * matmul with torch.matmul's rules: 1-D·1-D is a dot product, a 1-D operand is promoted to a
 * matrix and the added dim removed afterwards, >= 3-D operands are batches of matrices whose
 * batch dims broadcast. Everything lands in the sgemm kernel; backward passes use its
 * transpose flags (dA = dC·Bᵀ, dB = Aᵀ·dC), and a transposed view from the API (a.T,
 * x.transpose(-2, -1)) is read in place, so no transpose is ever materialised.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { broadcastShapes, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { sumTo } from "./raw.js";

/**
 * A GEMM operand: `t`, or its matrix transpose when `trans`. A lazy view that swaps only the
 * last two dims (x.T, x.transpose(-1, -2)) is read in place with the transpose flag flipped.
 */
function operand(t: Tensor, trans: boolean): { ptr: number; trans: boolean } {
  const p = t._perm;
  if (p !== null && isLastTwoSwap(p)) return { ptr: t._heldPtr("matmul"), trans: !trans };
  return { ptr: t._ptr("matmul"), trans };
}

function isLastTwoSwap(perm: readonly number[]): boolean {
  const n = perm.length;
  if (n < 2 || perm[n - 1] !== n - 2 || perm[n - 2] !== n - 1) return false;
  for (let i = 0; i < n - 2; i++) if (perm[i] !== i) return false;
  return true;
}

/**
 * C[batch] = op(A[batch]) · op(B[batch]) for operands whose batch dims are broadcast-compatible
 * with `batchShape`; op(A) is m x k and op(B) k x n.
 */
function gemmBatched(
  c: Tensor,
  aTensor: Tensor,
  bTensor: Tensor,
  batchShape: readonly number[],
  aBatch: readonly number[],
  bBatch: readonly number[],
  m: number,
  n: number,
  k: number,
  transposeA: boolean,
  transposeB: boolean,
): void {
  const a = operand(aTensor, transposeA);
  const b = operand(bTensor, transposeB);
  const lda = a.trans ? m : k;
  const ldb = b.trans ? k : n;
  const ta = a.trans ? 1 : 0;
  const tb = b.trans ? 1 : 0;
  const batch = sizeOf(batchShape);
  const aSize = m * k;
  const bSize = k * n;
  if (batch === 0 || m === 0 || n === 0) return;
  const aIsBatched = sizeOf(aBatch) > 1;
  const bIsBatched = sizeOf(bBatch) > 1;
  const simple =
    (!aIsBatched || sameBatch(aBatch, batchShape)) &&
    (!bIsBatched || sameBatch(bBatch, batchShape));
  if (simple) {
    K.sgemm_batched_f32(
      c.ptr,
      n,
      m * n,
      a.ptr,
      lda,
      aIsBatched ? aSize : 0,
      b.ptr,
      ldb,
      bIsBatched ? bSize : 0,
      batch,
      m,
      n,
      k,
      ta,
      tb,
      1,
      0,
    );
    return;
  }
  // General broadcasting of batch dims: walk the output batch index.
  const nd = batchShape.length;
  const pa = padBatch(aBatch, nd);
  const pb = padBatch(bBatch, nd);
  const idx = new Array<number>(nd).fill(0);
  for (let p = 0; p < batch; p++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < nd; d++) {
      ia = ia * pa[d] + (pa[d] === 1 ? 0 : idx[d]);
      ib = ib * pb[d] + (pb[d] === 1 ? 0 : idx[d]);
    }
    K.sgemm_f32(
      c.ptr + p * m * n * 4,
      n,
      a.ptr + ia * aSize * 4,
      lda,
      b.ptr + ib * bSize * 4,
      ldb,
      m,
      n,
      k,
      ta,
      tb,
      1,
      0,
    );
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < batchShape[d]) break;
      idx[d] = 0;
    }
  }
}

function sameBatch(a: readonly number[], b: readonly number[]): boolean {
  return sizeOf(a) === sizeOf(b);
}

function padBatch(shape: readonly number[], nd: number): number[] {
  return [...new Array<number>(nd - shape.length).fill(1), ...shape];
}

/**
 * Matrix product with PyTorch's rules: 1-D operands are vectors, and batch dims broadcast.
 *
 * PyTorch: `torch.matmul`.
 *
 * @example
 * ```ts
 * wg.matmul(wg.ones(5, 2, 3), wg.ones(3, 4)).shape; // [5, 2, 4]
 * ```
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (!(a instanceof Tensor) || !(b instanceof Tensor)) {
    throw new WasmgradError(`matmul: expected two Tensors but got ${typeof a} and ${typeof b}`);
  }
  a._float("matmul");
  b._float("matmul");
  if (a.ndim === 0 || b.ndim === 0) {
    throw new WasmgradError(
      `matmul: both arguments need at least 1 dimension but got shapes ${fmt(a.shape)} and ${fmt(b.shape)}`,
    );
  }
  // Promote 1-D operands: a vector on the left is a row, on the right a column.
  const aShape = a.ndim === 1 ? [1, a.shape[0]] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0], 1] : [...b.shape];
  const m = aShape[aShape.length - 2];
  const k = aShape[aShape.length - 1];
  const k2 = bShape[bShape.length - 2];
  const n = bShape[bShape.length - 1];
  if (k !== k2) {
    throw new WasmgradError(
      `matmul: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}: inner dimensions ${k} and ${k2} differ`,
    );
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes("matmul", aBatch, bBatch);
  } catch {
    throw new WasmgradError(
      `matmul: cannot multiply ${fmt(a.shape)} by ${fmt(b.shape)}: batch dimensions ${fmt(aBatch)} and ${fmt(bBatch)} cannot be broadcast`,
    );
  }
  const outShape = [...batchShape];
  if (a.ndim > 1) outShape.push(m);
  if (b.ndim > 1) outShape.push(n);
  const out = Tensor._empty("matmul", outShape);
  if (k === 0) K.fill_f32(out.ptr, out.numel(), 0);
  else gemmBatched(out, a, b, batchShape, aBatch, bBatch, m, n, k, false, false);
  if (!needsGrad(a, b)) return out;
  return record(out, "matmul", [a, b], (g) => {
    let da: Tensor | null = null;
    let db: Tensor | null = null;
    if (a.requiresGrad) {
      // dA = dC · Bᵀ over the broadcast batch, then summed back to A's batch shape.
      const full = Tensor._empty("matmul", [...batchShape, m, k]);
      if (n === 0) K.fill_f32(full.ptr, full.numel(), 0);
      else gemmBatched(full, g, b, batchShape, batchShape, bBatch, m, k, n, false, true);
      da = reduceBatch(full, [...aBatch, m, k], a.shape);
    }
    if (b.requiresGrad) {
      // dB = Aᵀ · dC
      const full = Tensor._empty("matmul", [...batchShape, k, n]);
      if (m === 0) K.fill_f32(full.ptr, full.numel(), 0);
      else gemmBatched(full, a, g, batchShape, aBatch, batchShape, k, n, m, true, false);
      db = reduceBatch(full, [...bBatch, k, n], b.shape);
    }
    return [da, db];
  });
}

/** Sums a batch-broadcast gradient back to the operand's batch shape, then to its own shape. */
function reduceBatch(full: Tensor, target: number[], shape: readonly number[]): Tensor {
  const reduced = sumTo(full, target);
  if (reduced !== full) full.dispose();
  if (reduced.shape.length === shape.length) return reduced;
  const v = Tensor._view(reduced, shape);
  reduced.dispose();
  return v;
}
