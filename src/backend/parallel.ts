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
  "rnn_fwd_block_f32",
  "rnn_bwd_block_f32",
  "rnn_pack_block_f32",
  "sdpa_block_f32",
  "sdpa_bwd_block_f32",
] as const;
const SGEMM = 0;
const SGEMM_BATCHED = 1;
const SGEMM_PREPACKED = 2;
const CONV_FORWARD = 3;
const CONV_INPUT_GRAD = 4;
const RNN_FORWARD = 5;
const RNN_BACKWARD = 6;
const RNN_PACK = 7;
const SDPA_FORWARD = 8;
const SDPA_BACKWARD = 9;

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

/** A recurrent step below this many microseconds of work runs every step on one thread. */
const MIN_STEP_MICROS = 4;

/**
 * A recurrent layer's forward or backward through time (assembly/kernels/rnn_steps.ts, blocks
 * `stepBlocks` per step) on the pool, one task for the whole sequence: each block waits for the
 * steps before its own. `stepMadds` estimates one step's work. Returns false, having done
 * nothing, when the caller should run the blocks itself (rnn_fwd_f32 / rnn_bwd_f32).
 */
export function rnnOnPool(
  backward: boolean,
  desc: number,
  blocks: number,
  stepBlocks: number,
  stepMadds: number,
): boolean {
  const stepMicros = stepMadds / GEMM_MADDS_PER_MICRO;
  if (stepBlocks <= 1 || stepMicros < Math.min(MIN_STEP_MICROS, minWorkMicros)) return false;
  const steps = blocks / stepBlocks;
  const pool = poolFor((steps * stepMadds) / GEMM_MADDS_PER_MICRO);
  if (pool === undefined) return false;
  const K = threadState.backend.kernels;
  const fn = (backward ? K.rnn_bwd_block_f32 : K.rnn_fwd_block_f32) as (...x: number[]) => void;
  pool.run(backward ? RNN_BACKWARD : RNN_FORWARD, [desc], blocks, fn, stepBlocks);
  return true;
}

/** Packs W [gates*hs, k] for the forward sequence kernel (rnn_pack_block_f32), on the pool if it pays. */
export function rnnPack(dst: number, w: number, k: number, hs: number, gates: number): void {
  const K = threadState.backend.kernels;
  const blocks = K.rnn_blocks_per_step(hs);
  // About two floats a nanosecond on one thread.
  const pool = blocks > 1 ? poolFor((k * gates * hs) / 2000) : undefined;
  if (pool !== undefined) {
    const args = [dst, w, k, hs, gates];
    pool.run(RNN_PACK, args, blocks, K.rnn_pack_block_f32 as (...x: number[]) => void);
    return;
  }
  for (let b = 0; b < blocks; b++) K.rnn_pack_block_f32(dst, w, k, hs, gates, b);
}
/**
 * Fused attention (sdpa_f32 when `backward` is false, else sdpa_bwd_f32) over blocks of whole
 * heads on the pool, each thread with its own workspace of `wsFloats`. `args` are the kernel's
 * arguments up to and including ws; `rest` those after it, from bh on. Returns false, having done
 * nothing, when the caller should run the whole kernel.
 */
export function sdpaOnPool(
  backward: boolean,
  args: readonly number[],
  wsFloats: number,
  rest: readonly number[],
  madds: number,
): boolean {
  const pool = poolFor(madds / GEMM_MADDS_PER_MICRO);
  if (pool === undefined) return false;
  const K = threadState.backend.kernels;
  const blocks = K.sdpa_blocks(rest[0]);
  if (blocks <= 1) return false;
  const wsBytes = Math.ceil((wsFloats * 4) / 64) * 64;
  const ws = K.alloc(wsBytes * (pool.size + 1));
  try {
    const all = [...args.slice(0, -1), ws, wsBytes, ...rest];
    if (backward) {
      pool.run(SDPA_BACKWARD, all, blocks, K.sdpa_bwd_block_f32 as (...x: number[]) => void);
    } else {
      pool.run(SDPA_FORWARD, all, blocks, K.sdpa_block_f32 as (...x: number[]) => void);
    }
  } finally {
    K.free(ws);
  }
  return true;
}
