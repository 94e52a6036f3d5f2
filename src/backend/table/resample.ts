/**
 * Signatures of assembly/kernels/resample.ts: a sparse (CSR) linear map applied to every plane
 * and its transpose, and a windowed max with its scatter. rowptr, col and arg are i32.
 */
import type { Ptr } from "../kernels.js";

export interface ResampleKernels {
  /** out[p, i] = sum_k w[k] x[p, col[k]] over k in rowptr[i] .. rowptr[i + 1] */
  csr_planes_f32(
    dst: Ptr,
    x: Ptr,
    rowptr: Ptr,
    col: Ptr,
    w: Ptr,
    planes: number,
    inSize: number,
    outSize: number,
  ): void;
  /** dx = 0, then dx[p, col[k]] += w[k] dy[p, i] */
  csr_planes_t_f32(
    dx: Ptr,
    dy: Ptr,
    rowptr: Ptr,
    col: Ptr,
    w: Ptr,
    planes: number,
    inSize: number,
    outSize: number,
  ): void;
  /** out[p, i] = max_k x[p, col[k]] (NaN wins, first maximum wins ties), arg = its col */
  csr_max_planes_f32(
    dst: Ptr,
    arg: Ptr,
    x: Ptr,
    rowptr: Ptr,
    col: Ptr,
    planes: number,
    inSize: number,
    outSize: number,
  ): void;
  /** dx = 0, then dx[p, arg[p, i]] += dy[p, i] */
  max_planes_bwd_f32(
    dx: Ptr,
    dy: Ptr,
    arg: Ptr,
    planes: number,
    inSize: number,
    outSize: number,
  ): void;
}

export const resampleKernelNames = [
  "csr_planes_f32",
  "csr_planes_t_f32",
  "csr_max_planes_f32",
  "max_planes_bwd_f32",
] as const satisfies readonly (keyof ResampleKernels)[];
