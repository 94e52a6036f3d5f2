/** Signatures of assembly/kernels/gemm.ts. */
import type { Ptr } from "../kernels.js";

/** 0: the operand as stored; 1: its transpose. */
export type Trans = 0 | 1;

export interface GemmKernels {
  /**
   * C[m x n] = alpha * op(A) * op(B) + beta * C, row-major, leading dimensions in elements.
   * op(A) is m x k (transA 0: A[i*lda + k], 1: A[k*lda + i]); op(B) is k x n (transB 0:
   * B[k*ldb + j], 1: B[j*ldb + k]). beta == 0 never reads C; alpha == 0 or k == 0 never reads
   * A or B. Not re-entrant: one call at a time per module instance (per-instance packing buffers).
   */
  sgemm_f32(
    c: Ptr,
    ldc: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    m: number,
    n: number,
    k: number,
    transA: Trans,
    transB: Trans,
    alpha: number,
    beta: number,
  ): void;
  /**
   * `batch` sgemm_f32 problems; operand p at base + p * stride * 4 bytes (strides in elements).
   * Stride 0 broadcasts an operand; strideC 0 with beta 1 sums all products into one C.
   */
  sgemm_batched_f32(
    c: Ptr,
    ldc: number,
    strideC: number,
    a: Ptr,
    lda: number,
    strideA: number,
    b: Ptr,
    ldb: number,
    strideB: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: Trans,
    transB: Trans,
    alpha: number,
    beta: number,
  ): void;
  /**
   * dst = op(B) [k x n] packed for sgemm_prepacked_f32: k * ceil(n / 8) * 8 floats. For an
   * operand used by many products (a recurrent weight, once per time step).
   */
  sgemm_pack_b_f32(dst: Ptr, b: Ptr, ldb: number, k: number, n: number, transB: Trans): void;
  /** C = alpha * op(A) * B + beta * C with B from sgemm_pack_b_f32 (the same k and n). */
  sgemm_prepacked_f32(
    c: Ptr,
    ldc: number,
    a: Ptr,
    lda: number,
    packed: Ptr,
    m: number,
    n: number,
    k: number,
    transA: Trans,
    alpha: number,
    beta: number,
  ): void;
  /**
   * Chooses sgemm's register tile for this module: 6 rows (6x8, relaxed build only) or 4 (4x8).
   * Returns the rows in use. Speed only: both tiles give the same results bit for bit.
   */
  sgemm_set_tile(rows: number): number;
  /**
   * Number of blocks a parallel call splits C into (prepacked 1: sgemm_prepacked_f32's). From
   * the shape alone, never along k: the blocks give sgemm_f32's bits with any thread count.
   */
  sgemm_blocks(
    m: number,
    n: number,
    k: number,
    transA: Trans,
    transB: Trans,
    prepacked: number,
  ): number;
  /**
   * Block `block` of sgemm_f32 (same arguments). `task` numbers the parallel call (nonzero, new
   * for each call): a thread's blocks of one call share its packed A; 0 shares nothing.
   */
  sgemm_block_f32(
    c: Ptr,
    ldc: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    m: number,
    n: number,
    k: number,
    transA: Trans,
    transB: Trans,
    alpha: number,
    beta: number,
    task: number,
    block: number,
  ): void;
  /**
   * Block `block` of sgemm_batched_f32: batch * sgemm_blocks(one problem) blocks, or just
   * sgemm_blocks(one problem) when strideC is 0 (each block then runs over the whole batch).
   */
  sgemm_batched_block_f32(
    c: Ptr,
    ldc: number,
    strideC: number,
    a: Ptr,
    lda: number,
    strideA: number,
    b: Ptr,
    ldb: number,
    strideB: number,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: Trans,
    transB: Trans,
    alpha: number,
    beta: number,
    task: number,
    block: number,
  ): void;
  /** Block `block` of sgemm_prepacked_f32 (same arguments; `task` as for sgemm_block_f32). */
  sgemm_prepacked_block_f32(
    c: Ptr,
    ldc: number,
    a: Ptr,
    lda: number,
    packed: Ptr,
    m: number,
    n: number,
    k: number,
    transA: Trans,
    alpha: number,
    beta: number,
    task: number,
    block: number,
  ): void;
  /** Bytes of packing scratch one instance needs (for gemm_set_scratch). */
  gemm_scratch_bytes(): number;
  /** Points this instance's sgemm packing buffers at [ptr, ptr + gemm_scratch_bytes()). */
  gemm_set_scratch(ptr: Ptr): void;
  /** This instance's thread index (0: main, 1..: workers), for per-thread workspaces. */
  set_thread_index(index: number): void;
}
export const gemmKernelNames = [
  "sgemm_f32",
  "sgemm_set_tile",
  "sgemm_blocks",
  "sgemm_block_f32",
  "sgemm_batched_block_f32",
  "sgemm_prepacked_block_f32",
  "gemm_scratch_bytes",
  "gemm_set_scratch",
  "set_thread_index",
  "sgemm_batched_f32",
  "sgemm_pack_b_f32",
  "sgemm_prepacked_f32",
] as const satisfies readonly (keyof GemmKernels)[];
