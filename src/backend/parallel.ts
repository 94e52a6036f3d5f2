/**
 * Kernels that split their work over the pool. Each wraps a kernel of the main instance with the
 * same signature: below a threshold of estimated work, or before any worker has joined, it calls
 * the kernel as is; above it, it runs the kernel's fixed blocks (from the shape alone, never
 * along a summation) on every thread. The blocks give the single call's bits whatever the
 * thread count, which the tests check.
 */
import type { Kernels } from "./kernels.js";
import type { ThreadPool } from "./pool.js";
import { defaultThreads, ensurePool, type ThreadState } from "./threads.js";
import type { Backend } from "./wasm.js";

/** Block kernels, by the index tasks name them with. */
const BLOCK_KERNELS = [
  "sgemm_block_f32",
  "sgemm_batched_block_f32",
  "sgemm_prepacked_block_f32",
  "conv2d_block_f32",
  "conv2d_bwd_input_block_f32",
  "conv2d_wgrad_stage_f32",
  "conv2d_wgrad_gemm_f32",
] as const;
/** The name of a block kernel: its last argument is the block index. */
export type BlockKernel = (typeof BLOCK_KERNELS)[number];
const SGEMM = 0;
const SGEMM_BATCHED = 1;
const SGEMM_PREPACKED = 2;
const CONV_FORWARD = 3;
const CONV_INPUT_GRAD = 4;

/** Multiply-adds one thread does per microsecond in sgemm (about 50 GFLOP/s). */
const GEMM_MADDS_PER_MICRO = 25_000;

export let threadState: ThreadState;
/** Ops estimated to take less than this on one thread run on the calling thread. */
let minWorkMicros = 50;

export function setMinWorkMicros(micros: number): void {
  minWorkMicros = micros;
}

export function getMinWorkMicros(): number {
  return minWorkMicros;
}

/** A pool with at least one joined worker, if an op of `micros` should use it. */
function poolFor(micros: number): ThreadPool | undefined {
  if (micros < minWorkMicros || threadState.requested <= 1) return undefined;
  const pool = threadState.pool ?? ensurePool(threadState);
  return pool !== undefined && pool.joined > 0 ? pool : undefined;
}

/**
 * The pool for an op of `madds` multiply-adds (GEMM-like work), or undefined when it should run
 * on the calling thread.
 */
export function gemmPool(madds: number): ThreadPool | undefined {
  return poolFor(madds / GEMM_MADDS_PER_MICRO);
}

/**
 * Runs blocks 0 .. blocks - 1 of block kernel `name` with `args` (the block index appended): on
 * `pool` when given and there is more than one block, else in order on this thread. Either way
 * the kernel's blocks, from the shape alone, give the same bits.
 */
export function runBlocks(
  pool: ThreadPool | undefined,
  name: BlockKernel,
  args: readonly number[],
  blocks: number,
): void {
  const fn = threadState.backend.kernels[name] as (...x: number[]) => void;
  if (pool === undefined || blocks <= 1) {
    const call = [...args, 0];
    for (let b = 0; b < blocks; b++) {
      call[args.length] = b;
      fn(...call);
    }
    return;
  }
  pool.run(BLOCK_KERNELS.indexOf(name), args, blocks, fn);
}

/** Replaces K's sgemm entry points with ones that use the pool. */
export function installThreads(backend: Backend, tileRows: number): void {
  const { count, reason } = defaultThreads();
  threadState = {
    backend,
    tileRows,
    names: BLOCK_KERNELS,
    requested: count,
    reason,
    told: count === 1,
  };
  const K = backend.kernels as Kernels;
  const { sgemm_f32, sgemm_batched_f32, sgemm_prepacked_f32 } = K;
  const block = K.sgemm_block_f32;
  const batchedBlock = K.sgemm_batched_block_f32;
  const prepackedBlock = K.sgemm_prepacked_block_f32;

  K.sgemm_f32 = (c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta) => {
    const pool = poolFor((m * n * k) / GEMM_MADDS_PER_MICRO);
    const blocks = pool === undefined ? 1 : K.sgemm_blocks(m, n, k, transA, transB, 0);
    if (pool === undefined || blocks <= 1) {
      sgemm_f32(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta);
      return;
    }
    const args = [c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta];
    pool.run(SGEMM, args, blocks, block as (...x: number[]) => void);
  };

  K.sgemm_batched_f32 = (
    c,
    ldc,
    sc,
    a,
    lda,
    sa,
    b,
    ldb,
    sb,
    batch,
    m,
    n,
    k,
    tA,
    tB,
    alpha,
    beta,
  ) => {
    // Problems whose C regions overlap (other than all in one place) must stay in order.
    const overlap = sc !== 0 && Math.abs(sc) < (m - 1) * ldc + n;
    const pool = overlap ? undefined : poolFor((batch * m * n * k) / GEMM_MADDS_PER_MICRO);
    const per = pool === undefined ? 1 : K.sgemm_blocks(m, n, k, tA, tB, 0);
    const blocks = sc === 0 ? per : batch * per;
    if (pool === undefined || blocks <= 1) {
      sgemm_batched_f32(c, ldc, sc, a, lda, sa, b, ldb, sb, batch, m, n, k, tA, tB, alpha, beta);
      return;
    }
    const args = [c, ldc, sc, a, lda, sa, b, ldb, sb, batch, m, n, k, tA, tB, alpha, beta];
    pool.run(SGEMM_BATCHED, args, blocks, batchedBlock as (...x: number[]) => void);
  };

  K.sgemm_prepacked_f32 = (c, ldc, a, lda, packed, m, n, k, transA, alpha, beta) => {
    const pool = poolFor((m * n * k) / GEMM_MADDS_PER_MICRO);
    const blocks = pool === undefined ? 1 : K.sgemm_blocks(m, n, k, transA, 0, 1);
    if (pool === undefined || blocks <= 1) {
      sgemm_prepacked_f32(c, ldc, a, lda, packed, m, n, k, transA, alpha, beta);
      return;
    }
    const args = [c, ldc, a, lda, packed, m, n, k, transA, alpha, beta];
    pool.run(SGEMM_PREPACKED, args, blocks, prepackedBlock as (...x: number[]) => void);
  };
}

/**
 * conv2d's forward (`inputGrad` false: dst = out, src = x, bias) or input gradient (dst = dx,
 * src = dy) over blocks of images on the pool, each thread with its own workspace of
 * `workFloats`. Returns false, having done nothing, when the caller should run the whole kernel.
 */
export function convOnPool(
  inputGrad: boolean,
  dst: number,
  src: number,
  w: number,
  bias: number,
  workFloats: number,
  metaPtr: number,
  madds: number,
): boolean {
  const pool = poolFor(madds / GEMM_MADDS_PER_MICRO);
  if (pool === undefined) return false;
  const K = threadState.backend.kernels;
  const blocks = K.conv2d_blocks(metaPtr);
  if (blocks <= 1) return false;
  const workBytes = Math.ceil((workFloats * 4) / 64) * 64;
  // Thread indices run from 0 (this thread) to pool.size. The meta area does not move when
  // this allocation grows memory.
  const work = workBytes === 0 ? 0 : K.alloc(workBytes * (pool.size + 1));
  try {
    if (inputGrad) {
      const args = [dst, src, w, work, workBytes, metaPtr];
      pool.run(
        CONV_INPUT_GRAD,
        args,
        blocks,
        K.conv2d_bwd_input_block_f32 as (...x: number[]) => void,
      );
    } else {
      const args = [dst, src, w, bias, work, workBytes, metaPtr];
      pool.run(CONV_FORWARD, args, blocks, K.conv2d_block_f32 as (...x: number[]) => void);
    }
  } finally {
    if (work !== 0) K.free(work);
  }
  return true;
}
