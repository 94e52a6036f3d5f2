/**
 * Which code path sgemm takes for a problem (see assembly/kernels/gemm.ts), chosen from the whole
 * problem and forced in every parallel block: the paths round differently.
 */

/** Up to this many multiply-adds, a scalar loop beats packing. */
const TINY = 64;
/** NT problems up to this many rows (and K >= 32, or any K for M <= 2) use dot tiles. */
const DOT_M = 8;

export const PATH_SCALE = 0; // k == 0 or alpha == 0: C = beta * C
export const PATH_SCALAR = 1; // tiny: the scalar triple loop
export const PATH_DOT = 2; // NT with few rows: dot tiles (gemm/dot.ts)
export const PATH_ROWS = 3; // transB == 0 with M <= 3: row tiles over B in place (gemm/rows.ts)
export const PATH_BLOCKED = 4; // the BLIS loop nest (gemm/blocked.ts)

export function gemmPath(m: i32, n: i32, k: i32, transA: i32, transB: i32): i32 {
  if (k <= 0) return PATH_SCALE;
  if (<i64>m * <i64>n * <i64>k <= TINY) return PATH_SCALAR;
  if (transA == 0 && transB != 0 && (m <= 2 || (m <= DOT_M && k >= 32))) return PATH_DOT;
  if (transB == 0 && m <= 3 && n >= 16) return PATH_ROWS;
  return PATH_BLOCKED;
}

/**
 * Whether the problem takes the blocked path, where every entry of C is the same sum in the same
 * order whichever columns are computed beside it (the same K blocks, the same tile arithmetic).
 */
export function sgemmBlockedPath(m: i32, n: i32, k: i32, transA: i32, transB: i32): bool {
  return gemmPath(m, n, k, transA, transB) == PATH_BLOCKED;
}
