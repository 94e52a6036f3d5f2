/**
 * Signatures of the allocator and of the binary, reduction, softmax, copy and optimizer kernels
 * (assembly/index.ts, assembly/kernels/{binary,reduce,softmax,copy,optim}.ts).
 */
import type { Ptr } from "../kernels.js";

/** Operator codes of the binary kernels (assembly/kernels/binary.ts). */
export const BinaryOp = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
  maxShare: 6,
  eq: 7,
  rsub: 8,
  rdiv: 9,
  /** PyTorch's floor division, remainder (divisor's sign), fmod and truncated division. */
  floorDiv: 10,
  rfloorDiv: 11,
  remainder: 12,
  rremainder: 13,
  fmod: 14,
  rfmod: 15,
  truncDiv: 16,
  rtruncDiv: 17,
} as const;
export type BinaryOpCode = (typeof BinaryOp)[keyof typeof BinaryOp];

/** Operator codes of reduce_f32. */
export const ReduceOp = { sum: 0, max: 1 } as const;

export interface CoreKernels {
  alloc(bytes: number): Ptr;
  free(ptr: Ptr): void;

  binary_f32(dst: Ptr, a: Ptr, b: Ptr, n: number, op: number): void;
  binary_scalar_f32(dst: Ptr, a: Ptr, n: number, s: number, op: number): void;
  /** meta: shape[ndim], strideA[ndim], strideB[ndim] (i32, elements). */
  binary_bcast_f32(dst: Ptr, a: Ptr, b: Ptr, ndim: number, meta: Ptr, op: number): void;
  /** Rows block * rowsPer .. of binary_bcast_f32 (the pool's blocks). */
  binary_bcast_block_f32(
    dst: Ptr,
    a: Ptr,
    b: Ptr,
    ndim: number,
    meta: Ptr,
    op: number,
    rowsPer: number,
    block: number,
  ): void;

  /** meta: shape[ndim] of src, dstStride[ndim] (0 for reduced dims). */
  reduce_f32(dst: Ptr, dstSize: number, src: Ptr, ndim: number, meta: Ptr, op: number): void;
  /** reduce_f32 over the last dimension only, into a contiguous dst [rows]. */
  reduce_rows_f32(dst: Ptr, src: Ptr, rows: number, n: number, op: number): void;
  /** reduce_f32 over leading dimensions only: dst [cols] from src rows of stride ld. */
  reduce_cols_f32(dst: Ptr, src: Ptr, rows: number, cols: number, ld: number, op: number): void;
  /** reduce_f32 over leading dimensions and the last one: dst [cols] from rows of n. */
  reduce_mid_f32(
    dst: Ptr,
    src: Ptr,
    rows: number,
    cols: number,
    ld: number,
    n: number,
    op: number,
  ): void;
  argmax_f32(dst: Ptr, x: Ptr, outer: number, r: number, inner: number): void;
  max_bwd_f32(dx: Ptr, dy: Ptr, idx: Ptr, outer: number, r: number, inner: number): void;

  softmax_f32(dst: Ptr, x: Ptr, outer: number, r: number, inner: number): void;
  log_softmax_f32(dst: Ptr, x: Ptr, outer: number, r: number, inner: number): void;
  softmax_bwd_f32(dx: Ptr, dy: Ptr, y: Ptr, outer: number, r: number, inner: number): void;
  log_softmax_bwd_f32(dx: Ptr, dy: Ptr, y: Ptr, outer: number, r: number, inner: number): void;

  copy_f32(dst: Ptr, src: Ptr, n: number): void;
  fill_f32(dst: Ptr, n: number, value: number): void;
  arange_f32(dst: Ptr, n: number, start: number, step: number): void;
  copy_2d_f32(
    dst: Ptr,
    dstStride: number,
    src: Ptr,
    srcStride: number,
    rows: number,
    cols: number,
  ): void;
  /** meta: shape[ndim] of dst, srcStride[ndim]. */
  gather_f32(dst: Ptr, src: Ptr, ndim: number, meta: Ptr): void;
  /** Rows block * per .. of gather_f32 (a 2-D transpose: source rows), for the pool. */
  gather_block_f32(dst: Ptr, src: Ptr, ndim: number, meta: Ptr, per: number, block: number): void;

  /**
   * dst[0:n] = scale where a uniform u32 draw is >= threshold (an unsigned number), else 0;
   * seed: 16 u32, the states of four xoshiro128** generators (one per SIMD lane).
   */
  dropout_mask_f32(dst: Ptr, n: number, threshold: number, scale: number, seed: Ptr): void;

  sgd_f32(
    p: Ptr,
    grad: Ptr,
    buf: Ptr,
    n: number,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: number,
    first: number,
  ): void;
}

export const coreKernelNames = [
  "alloc",
  "free",
  "binary_f32",
  "binary_scalar_f32",
  "binary_bcast_f32",
  "binary_bcast_block_f32",
  "reduce_f32",
  "reduce_rows_f32",
  "reduce_cols_f32",
  "reduce_mid_f32",
  "argmax_f32",
  "max_bwd_f32",
  "softmax_f32",
  "log_softmax_f32",
  "softmax_bwd_f32",
  "log_softmax_bwd_f32",
  "copy_f32",
  "fill_f32",
  "arange_f32",
  "copy_2d_f32",
  "gather_f32",
  "gather_block_f32",
  "dropout_mask_f32",
  "sgd_f32",
] as const satisfies readonly (keyof CoreKernels)[];
