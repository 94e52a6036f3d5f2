/**
 * Single-precision GEMM: C = alpha * op(A) * op(B) + beta * C, row-major.
 *
 *   op(A) is M x K: transA == 0 reads A[i*lda + k], transA == 1 reads A[k*lda + i].
 *   op(B) is K x N: transB == 0 reads B[k*ldb + j], transB == 1 reads B[j*ldb + k].
 *   beta == 0 never reads C (it may hold NaN); alpha == 0 or K == 0 never reads A or B.
 *
 * The general path is the BLIS loop nest (Van Zee & van de Geijn, "BLIS: A Framework for
 * Rapidly Instantiating BLAS Functionality", 2015) around one register-tile microkernel in the
 * style of XNNPACK's f32-gemm 4x8 wasmsimd "loadsplat" kernels:
 *
 *   for jc in N step NC            B block KC x NC, packed, stays in L2
 *     for pc in K step KC          (beta applies on the first K block only, then C accumulates)
 *       pack op(B)[pc:, jc:] into 8-column panels: for each k, 8 contiguous floats
 *       for ic in M step MC
 *         pack op(A)[ic:, pc:] into 4-row panels: for each k, 4 contiguous floats
 *         for jr in panels of B    B micro-panel (KC x 8, 8 KB) stays in L1
 *           for ir in panels of A  A block streams from L2
 *             gemm_f32_4x8: 8 f32x4 accumulators, A broadcast, B two loads per k
 *
 * In the relaxed build, on engines that keep 15 v128 in registers, A panels have 6 rows and the
 * tile is gemm_f32_6x8 (12 accumulators), chosen at load time (sgemm_set_tile).
 *
 * Transposes are absorbed by the packing routines, so NN/NT/TN/TT all reach the same
 * microkernel. With one M block (M <= MC) each B panel is swept once, so it is packed just
 * before that sweep, two panels at a time, into a 16 KB buffer that stays in L1 (see
 * macroKernel). For small M, op(B) with transB == 0 is read in place (its rows already hold 8
 * contiguous columns) instead of packed. Edge panels (M % 4, N % 8) are packed with zero
 * padding, and edge tiles go through a scratch tile so only valid entries of C are written.
 *
 * Small problems take shorter paths, chosen by measurement (bench/gemm-probe.mjs):
 *   - at most TINY multiply-adds: a scalar triple loop (packing would cost more than the work);
 *   - NT with few rows: dot-product tiles over the rows of A and B, both contiguous along k,
 *     so B is never transposed (for M <= 8 that transpose costs as much as the product);
 *   - transB == 0 with M <= 3: rows of C accumulated 16 columns at a time over B in place,
 *     where 4-row tiles would be mostly padding (matrix-vector products, batch-1 layers).
 *
 * Files: gemm/path.ts (which path a problem takes), gemm/tile.ts (register tiles), gemm/pack.ts
 * (packing), gemm/blocked.ts (the loop nest), gemm/dot.ts and gemm/rows.ts (small problems),
 * gemm/scratch.ts (packing buffers).
 *
 * The kernel allocates nothing. Its packing buffers are per instance (gemm/scratch.ts), so one
 * instance must not run two sgemm calls at once (no re-entrancy), and each worker instance gets
 * its own buffers.
 */
import { KC, kBlock } from "./blocking";
import { gemmBlocked } from "./gemm/blocked";
import { MC } from "./gemm/scratch";
import { gemmDotNT } from "./gemm/dot";
import { packBBlock } from "./gemm/pack";
import { gemmRowsN, gemmScalar, scaleC } from "./gemm/rows";
import { gemmPath, PATH_BLOCKED, PATH_DOT, PATH_ROWS, PATH_SCALAR, PATH_SCALE } from "./gemm/path";

export {
  gemm_scratch_bytes,
  gemm_set_scratch,
  set_thread_index,
  sgemm_set_tile,
} from "./gemm/scratch";

/**
 * C[M x N] = alpha * op(A)[M x K] * op(B)[K x N] + beta * C (row-major, leading dimensions in
 * elements). transA/transB: 0 = as stored, 1 = transposed (see the file comment).
 */
export function sgemm_f32(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
): void {
  if (m <= 0 || n <= 0) return;
  const path = gemmPath(m, n, k, transA, transB);
  gemmRange(path, c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta, 0, 0, m, 0, n);
}

/**
 * Rows [i0, i1) and columns [j0, j1) of C by `path`. For the small paths i0 = 0, i1 = m and j0
 * is a multiple of 16, so every column falls in the same kind of tile (or tail) as in the
 * whole problem; the blocked path's conditions are in gemmBlocked.
 */
function gemmRange(
  path: i32,
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
  prepacked: usize,
  i0: i32,
  i1: i32,
  j0: i32,
  j1: i32,
  task: i32 = 0,
): void {
  const la = <usize>lda;
  const lb = <usize>ldb;
  const w = j1 - j0;
  const cj = c + (<usize>j0 << 2);
  if (path == PATH_SCALE || alpha == 0) {
    scaleC(cj + <usize>i0 * (<usize>ldc << 2), ldc, i1 - i0, w, beta);
  } else if (path == PATH_SCALAR) {
    const ars: usize = transA == 0 ? la : 1;
    const acs: usize = transA == 0 ? 1 : la;
    const brs: usize = transB == 0 ? lb : 1;
    const bcs: usize = transB == 0 ? 1 : lb;
    gemmScalar(c, ldc, a, ars, acs, b, brs, bcs, m, n, k, alpha, beta);
  } else if (path == PATH_DOT) {
    gemmDotNT(cj, ldc, a, la << 2, b + <usize>j0 * (lb << 2), lb << 2, m, w, k, alpha, beta);
  } else if (path == PATH_ROWS) {
    const ra: usize = transA == 0 ? la << 2 : 4;
    const aStep: usize = transA == 0 ? 4 : la << 2;
    const bj = b + (<usize>j0 << 2);
    gemmRowsN(cj, ldc, a, ra, aStep, bj, lb << 2, m, w, k, alpha, beta);
  } else {
    gemmBlocked(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta, prepacked, i0, i1, j0, j1, task);
  }
}

// ---------------------------------------------------------------------------------------------
// Blocks for parallel calls: a grid of row blocks (MC rows each, blocked path only) by column
// chunks (multiples of 16 columns), from the shape alone and never along K, so that a parallel
// call gives the same bits as one sgemm_f32 whatever the number of threads.

/** Aim for about this many blocks, so that up to 8 threads share the work evenly. */
const TARGET_BLOCKS = 16;

function rowBlocks(path: i32, m: i32): i32 {
  return path == PATH_BLOCKED ? (m + MC - 1) / MC : 1;
}

/**
 * Width of a column chunk: a multiple of 16; on the blocked path at least 64, or 32 with one K
 * block (k <= KC), where a thread's blocks of one M block share its packed A (see gemmBlocked),
 * so that narrower blocks cost no packing and the threads' last blocks end closer together.
 */
function chunkWidth(path: i32, m: i32, n: i32, k: i32): i32 {
  if (path == PATH_SCALE || path == PATH_SCALAR) return n;
  const minWidth = path == PATH_BLOCKED ? (k <= KC ? 32 : 64) : 16;
  const rb = rowBlocks(path, m);
  const wanted = max(1, min((TARGET_BLOCKS + rb - 1) / rb, (n + minWidth - 1) / minWidth));
  return (((n + wanted - 1) / wanted + 15) / 16) * 16;
}

function blocksOf(path: i32, m: i32, n: i32, k: i32): i32 {
  if (m <= 0 || n <= 0) return 0;
  const w = chunkWidth(path, m, n, k);
  return rowBlocks(path, m) * ((n + w - 1) / w);
}

/** Number of blocks of sgemm_block_f32 (prepacked != 0: of sgemm_prepacked_block_f32). */
export function sgemm_blocks(m: i32, n: i32, k: i32, transA: i32, transB: i32, prepacked: i32): i32 {
  const path = prepacked != 0 && k > 0 ? PATH_BLOCKED : gemmPath(m, n, k, transA, transB);
  return blocksOf(path, m, n, k);
}

function runBlock(
  path: i32,
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
  prepacked: usize,
  task: i32,
  block: i32,
): void {
  const w = chunkWidth(path, m, n, k);
  const chunks = (n + w - 1) / w;
  const rb = block / chunks;
  const j0 = (block % chunks) * w;
  const i0 = path == PATH_BLOCKED ? rb * MC : 0;
  const i1 = path == PATH_BLOCKED ? min(m, i0 + MC) : m;
  const j1 = min(n, j0 + w);
  gemmRange(path, c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta, prepacked, i0, i1, j0, j1, task);
}

/** Block `block` (of sgemm_blocks(m, n, k, transA, transB, 0)) of sgemm_f32. */
export function sgemm_block_f32(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
  task: i32,
  block: i32,
): void {
  const path = gemmPath(m, n, k, transA, transB);
  runBlock(path, c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta, 0, task, block);
}

/**
 * Block `block` of sgemm_batched_f32: with strideC != 0, problem block / B of the batch, block
 * block % B of it (B = sgemm_blocks of one problem); with strideC == 0 (products summed into one
 * C), block `block` of every problem in batch order.
 */
export function sgemm_batched_block_f32(
  c: usize,
  ldc: i32,
  strideC: i32,
  a: usize,
  lda: i32,
  strideA: i32,
  b: usize,
  ldb: i32,
  strideB: i32,
  batch: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
  task: i32,
  block: i32,
): void {
  const path = gemmPath(m, n, k, transA, transB);
  const per = blocksOf(path, m, n, k);
  let p0 = 0;
  let p1 = batch;
  if (strideC != 0) {
    p0 = block / per;
    p1 = p0 + 1;
    block = block % per;
  }
  for (let p = p0; p < p1; p++) {
    const cp = c + <usize>(<i64>p * strideC) * 4;
    const ap = a + <usize>(<i64>p * strideA) * 4;
    const bp = b + <usize>(<i64>p * strideB) * 4;
    runBlock(path, cp, ldc, ap, lda, bp, ldb, m, n, k, transA, transB, alpha, beta, 0, task, block);
  }
}

/**
 * `batch` independent sgemm_f32 problems; operand p starts at base + p * stride * 4 bytes
 * (strides in elements). A stride of 0 broadcasts that operand; a C stride of 0 with beta == 1
 * sums every product into one C.
 */
export function sgemm_batched_f32(
  c: usize,
  ldc: i32,
  strideC: i32,
  a: usize,
  lda: i32,
  strideA: i32,
  b: usize,
  ldb: i32,
  strideB: i32,
  batch: i32,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  transB: i32,
  alpha: f32,
  beta: f32,
): void {
  const sc = <usize>strideC << 2;
  const sa = <usize>strideA << 2;
  const sb = <usize>strideB << 2;
  for (let p = 0; p < batch; p++) {
    sgemm_f32(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta);
    c += sc;
    a += sa;
    b += sb;
  }
}

// ---------------------------------------------------------------------------------------------
// Prepacked B: an operand used by many products (a recurrent weight, read once per time step) is
// packed once, and each product then packs only A. Layout: K blocks as gemmBlocked cuts them
// (equal blocks of at most KC rows); block p (first row pc, kc rows) starts at float
// pc * N8 (N8 = N rounded up to 8) and holds ceil(N / 8) panels of kc x 8 floats, zero-padded.

/** dst (K * N8 floats) = op(B) [K x N] prepacked for sgemm_prepacked_f32. */
export function sgemm_pack_b_f32(dst: usize, b: usize, ldb: i32, k: i32, n: i32, transB: i32): void {
  if (k <= 0 || n <= 0) return;
  const n8 = <usize>((n + 7) & ~7);
  const kcMax = kBlock(k);
  for (let pc = 0; pc < k; pc += kcMax) {
    const kc = min(kcMax, k - pc);
    packBBlock(dst + ((<usize>pc * n8) << 2), b, ldb, transB, pc, 0, kc, n, false);
  }
}

/**
 * C[M x N] = alpha * op(A) * B + beta * C with B prepacked by sgemm_pack_b_f32 (same K and N).
 * Same conventions as sgemm_f32 (beta == 0 never reads C).
 */
export function sgemm_prepacked_f32(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  packed: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  alpha: f32,
  beta: f32,
): void {
  if (m <= 0 || n <= 0) return;
  const path = k <= 0 ? PATH_SCALE : PATH_BLOCKED;
  gemmRange(path, c, ldc, a, lda, 0, 0, m, n, k, transA, 0, alpha, beta, packed, 0, m, 0, n);
}

/** Block `block` (of sgemm_blocks(m, n, k, transA, 0, 1)) of sgemm_prepacked_f32. */
export function sgemm_prepacked_block_f32(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  packed: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: i32,
  alpha: f32,
  beta: f32,
  task: i32,
  block: i32,
): void {
  const path = k <= 0 ? PATH_SCALE : PATH_BLOCKED;
  runBlock(path, c, ldc, a, lda, 0, 0, m, n, k, transA, 0, alpha, beta, packed, task, block);
}
