/** Signatures of assembly/kernels/compare.ts: comparisons, logical ops and where (bool = f32 0/1). */
import type { Ptr } from "../kernels.js";

/** Operator codes of the compare kernels. */
export const CompareOp = {
  eq: 0,
  ne: 1,
  lt: 2,
  le: 3,
  gt: 4,
  ge: 5,
  and: 6,
  or: 7,
  xor: 8,
} as const;
export type CompareOpCode = (typeof CompareOp)[keyof typeof CompareOp];

/** Operator codes of test_f32. */
export const TestOp = { isnan: 0, isfinite: 1, isinf: 2, not: 3, nonzero: 4 } as const;

export interface CompareKernels {
  compare_f32(dst: Ptr, a: Ptr, b: Ptr, n: number, op: number): void;
  compare_scalar_f32(dst: Ptr, a: Ptr, n: number, s: number, op: number): void;
  /** meta: shape[ndim], strideA[ndim], strideB[ndim] (i32, elements). */
  compare_bcast_f32(dst: Ptr, a: Ptr, b: Ptr, ndim: number, meta: Ptr, op: number): void;
  test_f32(dst: Ptr, x: Ptr, n: number, op: number): void;
  /** meta: shape[ndim], strideC[ndim], strideA[ndim], strideB[ndim]; copies bits (any 4-byte dtype). */
  where_bcast_f32(dst: Ptr, c: Ptr, a: Ptr, b: Ptr, ndim: number, meta: Ptr): void;
}

export const compareKernelNames = [
  "compare_f32",
  "compare_scalar_f32",
  "compare_bcast_f32",
  "test_f32",
  "where_bcast_f32",
] as const satisfies readonly (keyof CompareKernels)[];
