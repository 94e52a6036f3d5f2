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
  "conv2d_wgrad_stage_f32",
  "conv2d_wgrad_gemm_f32",
  "maxpool2d_block_f32",
  "maxpool2d_bwd_block_f32",
  "avgpool2d_block_f32",
  "avgpool2d_bwd_block_f32",
  "batchnorm_stats_block_f32",
  "batchnorm_block_f32",
  "batchnorm_bwd_block_f32",
  "binary_bcast_block_f32",
  "gather_block_f32",
  "embedding_bwd_block_f32",
] as const;
/** The name of a block kernel: its last argument is the block index. */
export type BlockKernel = (typeof BLOCK_KERNELS)[number];

/**
 * Elementwise kernels (every pointer argument advances one f32 per element) that the pool runs
 * over ranges: `ptrs` are the pointer arguments (0 means none and stays 0), `count` the element
 * count's, and `rate` about the floats one thread does per microsecond (for the threshold).
 * Ranges are multiples of 16 floats, so every element meets the same SIMD or tail code as in
 * the whole call, and the bits do not change. Row-wise kernels (softmax over [outer, r, inner])
 * count outer rows instead, each `unit` floats (the product of those arguments): rows are
 * independent, so any split keeps the bits.
 * (binary_scalar_f32 parks its scalar in a static slot: every thread writes the same value.)
 * A pointer with a unit of its own advances by that many floats per counted item instead: a
 * plane's input and output sizes differ in csr_planes_f32 (planes), a row's target is one int in
 * softmax_cross_entropy_bwd_f32 (rows), whose dloss advances by its stride (0: one scalar).
 */
interface Ranged {
  /** Pointer arguments: an index (advancing `unit` floats per counted item), or [index, its own unit]. */
  ptrs: (number | [number, number[]])[];
  count: number;
  rate: number;
  unit?: number[];
  /** The argument whose value every range's length is a multiple of (rows cycling through groups). */
  align?: number;
  /** The fewest counted items a range holds (columns of a strided walk need long runs). */
  minChunk?: number;
}
const RANGED: Record<string, Ranged> = {
  relu_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  relu_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  leaky_relu_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  leaky_relu_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  sigmoid_f32: { ptrs: [0, 1], count: 2, rate: 400 },
  sigmoid_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  tanh_f32: { ptrs: [0, 1], count: 2, rate: 400 },
  tanh_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  gelu_f32: { ptrs: [0, 1], count: 2, rate: 300 },
  gelu_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 300 },
  silu_f32: { ptrs: [0, 1], count: 2, rate: 400 },
  silu_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 400 },
  binary_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  binary_scalar_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  sgd_f32: { ptrs: [0, 1, 2], count: 3, rate: 800 },
  adam_f32: { ptrs: [0, 1, 2, 3, 4], count: 5, rate: 400 },
  exp_f32: { ptrs: [0, 1], count: 2, rate: 600 },
  log_f32: { ptrs: [0, 1], count: 2, rate: 600 },
  sqrt_f32: { ptrs: [0, 1], count: 2, rate: 1500 },
  rsqrt_f32: { ptrs: [0, 1], count: 2, rate: 1000 },
  abs_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  neg_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  square_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  reciprocal_f32: { ptrs: [0, 1], count: 2, rate: 1500 },
  sign_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  floor_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  ceil_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  round_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  trunc_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  frac_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  sin_f32: { ptrs: [0, 1], count: 2, rate: 200 },
  cos_f32: { ptrs: [0, 1], count: 2, rate: 200 },
  erf_f32: { ptrs: [0, 1], count: 2, rate: 300 },
  log1p_f32: { ptrs: [0, 1], count: 2, rate: 400 },
  expm1_f32: { ptrs: [0, 1], count: 2, rate: 400 },
  pow_f32: { ptrs: [0, 1], count: 2, rate: 200 },
  clamp_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  abs_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  clamp_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  pow_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 200 },
  atan2_f32: { ptrs: [0, 1, 2], count: 3, rate: 150 },
  pow_tensor_f32: { ptrs: [0, 1, 2], count: 3, rate: 150 },
  elu_f32: { ptrs: [0, 1], count: 2, rate: 500 },
  elu_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 500 },
  softplus_f32: { ptrs: [0, 1], count: 2, rate: 300 },
  softplus_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 300 },
  mish_f32: { ptrs: [0, 1], count: 2, rate: 200 },
  mish_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 200 },
  hardtanh_f32: { ptrs: [0, 1], count: 2, rate: 2000 },
  hardtanh_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1500 },
  softmax_f32: { ptrs: [0, 1], count: 2, rate: 300, unit: [3, 4] },
  log_softmax_f32: { ptrs: [0, 1], count: 2, rate: 300, unit: [3, 4] },
  softmax_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 1000, unit: [4, 5] },
  log_softmax_bwd_f32: { ptrs: [0, 1, 2], count: 3, rate: 400, unit: [4, 5] },
  // Rows of c classes: each row's loss (one float), its logits and its target (one int); the
  // stats the blocks write are discarded (installCrossEntropy sums the rows' losses after).
  softmax_cross_entropy_f32: {
    ptrs: [[0, []], 2, [3, []]],
    count: 5,
    rate: 300,
    unit: [6],
  },
  // Rows of c classes; the target advances one int a row, dloss by its stride.
  softmax_cross_entropy_bwd_f32: {
    ptrs: [0, 1, [2, []], [8, [9]]],
    count: 4,
    rate: 300,
    unit: [5],
  },
  // Rows of n (LayerNorm, RMSNorm; GroupNorm's rows of its groups): y and x advance a row, the
  // row's mean and rstd one float; ranges are whole cycles of the groups, which pick the weights.
  layernorm_f32: { ptrs: [0, [1, []], [2, []], 3], count: 6, rate: 500, unit: [7], align: 8 },
  // dx by rows (installLayerNorm passes dw = db = 0 here and sums those afterwards).
  layernorm_bwd_f32: {
    ptrs: [0, 3, 4, [5, []], [6, []]],
    count: 8,
    rate: 400,
    unit: [9],
    align: 10,
  },
  // Reductions (installReduce routes reduce_f32 here when its pattern allows): rows of n folded
  // to one float each; or columns folded over rows, the rows' stride fixed.
  reduce_rows_f32: {
    ptrs: [
      [0, []],
      [1, [3]],
    ],
    count: 2,
    rate: 2000,
    unit: [3],
  },
  // At least 1024 columns a range: narrower ones walk the rows in short strided runs, slower on
  // two threads (64 columns of [4096, 1024] took 1.7x longer) than the whole call on one.
  reduce_cols_f32: {
    ptrs: [
      [0, []],
      [1, []],
    ],
    count: 3,
    rate: 2000,
    unit: [2],
    minChunk: 1024,
  },
  // Leading and last dimensions reduced, middle kept: columns of rows x n floats, ld apart.
  reduce_mid_f32: {
    ptrs: [
      [0, []],
      [1, [5]],
    ],
    count: 3,
    rate: 2000,
    unit: [2, 5],
  },
  // Embedding lookups: each index copies one row of dim floats.
  embedding_f32: { ptrs: [0, [2, []]], count: 3, rate: 1000, unit: [4] },
  // Scans and products along the middle of [outer, r, inner]: whole slabs of r x inner.
  cumsum_f32: { ptrs: [0, 1], count: 2, rate: 1000, unit: [3, 4] },
  cumprod_f32: { ptrs: [0, 1], count: 2, rate: 1000, unit: [3, 4] },
  prod_f32: {
    ptrs: [
      [0, [4]],
      [1, [3, 4]],
    ],
    count: 2,
    rate: 500,
    unit: [3, 4],
  },
  // The largest of r along the middle of [outer, r, inner], for each outer block.
  argmax_f32: {
    ptrs: [
      [0, [4]],
      [1, [3, 4]],
    ],
    count: 2,
    rate: 1000,
    unit: [3, 4],
  },
  // Planes of interpolate and the adaptive pools: outSize floats out, inSize in, a plane.
  csr_planes_f32: {
    ptrs: [
      [0, [7]],
      [1, [6]],
    ],
    count: 5,
    rate: 120,
    unit: [7],
  },
};
const RANGED_NAMES = Object.keys(RANGED);
/**
 * Pool task names: block kernels, then ranged ones as "name@ptrs:count:unit", a pointer with a
 * unit of its own as "i=j*k" (see worker-source.ts).
 */
const TASK_NAMES: readonly string[] = [
  ...BLOCK_KERNELS,
  ...RANGED_NAMES.map((n) => {
    const { ptrs, count, unit = [] } = RANGED[n];
    const list = ptrs.map((p) => (typeof p === "number" ? `${p}` : `${p[0]}=${p[1].join("*")}`));
    return `${n}@${list.join(",")}:${count}:${unit.join(",")}`;
  }),
];

/** Floats per counted unit: the product of the `unit` arguments (1 for elementwise kernels). */
function unitFloats(a: readonly number[], unit: readonly number[]): number {
  let f = 1;
  for (const i of unit) f *= a[i];
  return f;
}

/** Block `block` of a ranged call: units block * chunk .. of `fn` (args end with chunk, block). */
function rangeBlock(fn: (...x: number[]) => void, { ptrs, count, unit = [] }: Ranged) {
  const own = ptrs.map((p): [number, readonly number[]] => (typeof p === "number" ? [p, unit] : p));
  return (...a: number[]): void => {
    const block = a.pop() as number;
    const chunk = a.pop() as number;
    const start = block * chunk;
    const steps = own.map(([, u]) => start * unitFloats(a, u) * 4);
    a[count] = Math.min(chunk, a[count] - start);
    own.forEach(([i], k) => {
      if (a[i] !== 0) a[i] += steps[k];
    });
    fn(...a);
  };
}

/** Elements per range: about 16 ranges, at least 8K floats, a multiple of 16. */
function rangeChunk(n: number): number {
  return Math.max(8192, Math.ceil(n / 16 / 16) * 16);
}

/** Pooling's work estimate: floats one thread reads per microsecond. */
const POOL_FLOATS_PER_MICRO = 500;
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
/** Floats of A, B and C one thread packs, reads or writes per microsecond around the products. */
const GEMM_FLOATS_PER_MICRO = 2_000;

/**
 * One thread's microseconds for an m x n x k sgemm: the multiply-adds, plus moving the operands
 * and the result, which dominate when one side is thin (32 x 2352 over k = 10 took 67 µs, not
 * the 30 of its multiply-adds alone).
 */
function sgemmMicros(m: number, n: number, k: number): number {
  return (m * n * k) / GEMM_MADDS_PER_MICRO + (m * k + k * n + m * n) / GEMM_FLOATS_PER_MICRO;
}

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

/** The number of the last parallel sgemm call (see sgemm_block_f32's `task`): 1, 2, ... */
let sgemmTask = 0;

function nextSgemmTask(): number {
  sgemmTask = (sgemmTask % 0x3fffffff) + 1;
  return sgemmTask;
}

/** Replaces K's sgemm entry points with ones that use the pool. */
export function installThreads(backend: Backend, tileRows: number): void {
  const { count, reason } = defaultThreads();
  threadState = {
    backend,
    tileRows,
    names: TASK_NAMES,
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
    const pool = poolFor(sgemmMicros(m, n, k));
    const blocks = pool === undefined ? 1 : K.sgemm_blocks(m, n, k, transA, transB, 0);
    if (pool === undefined || blocks <= 1) {
      sgemm_f32(c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta);
      return;
    }
    const args = [c, ldc, a, lda, b, ldb, m, n, k, transA, transB, alpha, beta, nextSgemmTask()];
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
    const pool = overlap ? undefined : poolFor(batch * sgemmMicros(m, n, k));
    const per = pool === undefined ? 1 : K.sgemm_blocks(m, n, k, tA, tB, 0);
    const blocks = sc === 0 ? per : batch * per;
    if (pool === undefined || blocks <= 1) {
      sgemm_batched_f32(c, ldc, sc, a, lda, sa, b, ldb, sb, batch, m, n, k, tA, tB, alpha, beta);
      return;
    }
    const task = nextSgemmTask();
    const args = [c, ldc, sc, a, lda, sa, b, ldb, sb, batch, m, n, k, tA, tB, alpha, beta, task];
    pool.run(SGEMM_BATCHED, args, blocks, batchedBlock as (...x: number[]) => void);
  };

  K.sgemm_prepacked_f32 = (c, ldc, a, lda, packed, m, n, k, transA, alpha, beta) => {
    const pool = poolFor(sgemmMicros(m, n, k));
    const blocks = pool === undefined ? 1 : K.sgemm_blocks(m, n, k, transA, 0, 1);
    if (pool === undefined || blocks <= 1) {
      sgemm_prepacked_f32(c, ldc, a, lda, packed, m, n, k, transA, alpha, beta);
      return;
    }
    const args = [c, ldc, a, lda, packed, m, n, k, transA, alpha, beta, nextSgemmTask()];
    pool.run(SGEMM_PREPACKED, args, blocks, prepackedBlock as (...x: number[]) => void);
  };

  const table = K as unknown as Record<string, (...x: number[]) => void>;
  const wholeCrossEntropy = K.softmax_cross_entropy_f32;
  const wholeLayerNormBackward = K.layernorm_bwd_f32;
  RANGED_NAMES.forEach((name, i) => {
    const { count, rate, unit = [], align, minChunk = 1 } = RANGED[name];
    const whole = table[name];
    const block = rangeBlock(whole, RANGED[name]);
    const task = BLOCK_KERNELS.length + i;
    table[name] = (...args: number[]) => {
      const n = args[count];
      const per = unitFloats(args, unit);
      const pool = poolFor((n * per) / rate);
      // Rows: about 16 blocks of at least 8K floats; elements: rangeChunk.
      const rows = Math.max(Math.ceil(8192 / Math.max(per, 1)), Math.ceil(n / 16));
      let chunk =
        pool === undefined ? n : Math.max(minChunk, unit.length > 0 ? rows : rangeChunk(n));
      if (align !== undefined && args[align] > 0)
        chunk = Math.ceil(chunk / args[align]) * args[align];
      if (pool === undefined || n <= chunk) {
        whole(...args);
        return;
      }
      pool.run(task, [...args, chunk], Math.ceil(n / chunk), block);
    };
  });

  installPooling(backend);
  installBatchNorm(backend);
  installCrossEntropy(backend, wholeCrossEntropy);
  installBroadcast(backend);
  installLayerNorm(backend, wholeLayerNormBackward);
  installReduce(backend);
  installGather(backend);
  installEmbeddingBackward(backend);
}

/**
 * The embedding's weight gradient on the pool, over blocks of the weight's rows: every block
 * reads all the indices and adds those in its rows in index order, so repeated indices sum as
 * in the whole call. About 16 blocks; the work is the rows of dout added plus dw cleared.
 */
function installEmbeddingBackward(backend: Backend): void {
  const K = backend.kernels as Kernels;
  const whole = K.embedding_bwd_f32;
  K.embedding_bwd_f32 = (dw, dout, idx, count, dim, rows, paddingIdx) => {
    const pool = poolFor(((count + rows) * dim) / POOL_FLOATS_PER_MICRO);
    const per = Math.max(1, Math.ceil(rows / 16));
    if (pool === undefined || rows <= per || dim === 0) {
      whole(dw, dout, idx, count, dim, rows, paddingIdx);
      return;
    }
    const args = [dw, dout, idx, count, dim, rows, paddingIdx, per];
    runBlocks(pool, "embedding_bwd_block_f32", args, Math.ceil(rows / per));
  };
}

/**
 * The strided copy behind permute, transpose and contiguous on the pool: blocks of destination
 * rows, or of source rows for a plain 2-D transpose (multiples of its 8-row tiles). About 16
 * blocks of at least 8K floats; a copy, so any split gives the same result.
 */
function installGather(backend: Backend): void {
  const K = backend.kernels as Kernels;
  const whole = K.gather_f32;
  K.gather_f32 = (dst, src, ndim, metaPtr) => {
    if (ndim === 0) {
      whole(dst, src, ndim, metaPtr);
      return;
    }
    const m = backend.i32().subarray(metaPtr >>> 2, (metaPtr >>> 2) + 2 * ndim);
    const n = m[ndim - 1];
    let total = 1;
    for (let d = 0; d < ndim; d++) total *= m[d];
    const transpose = ndim === 2 && m[3] === m[0] && m[2] === 1;
    const units = transpose ? n : total / n;
    const width = transpose ? m[0] : n;
    const pool = total === 0 ? undefined : poolFor(total / POOL_FLOATS_PER_MICRO);
    let per = Math.max(Math.ceil(8192 / Math.max(width, 1)), Math.ceil(units / 16));
    if (transpose) per = Math.ceil(per / 8) * 8;
    if (pool === undefined || units <= per) {
      whole(dst, src, ndim, metaPtr);
      return;
    }
    runBlocks(pool, "gather_block_f32", [dst, src, ndim, metaPtr, per], Math.ceil(units / per));
  };
}

/**
 * reduce_f32 on the pool when its strides say it is one of two patterns, through kernels that
 * fold exactly as it does: only the last dimension reduced into a contiguous destination
 * (reduce_rows_f32, over rows), or only leading dimensions reduced (reduce_cols_f32, over
 * columns). Dimensions of size 1 do not count. Anything else runs the whole call.
 */
function installReduce(backend: Backend): void {
  const K = backend.kernels as Kernels;
  const whole = K.reduce_f32;
  K.reduce_f32 = (dst, dstSize, src, ndim, metaPtr, op) => {
    const m = backend.i32().subarray(metaPtr >>> 2, (metaPtr >>> 2) + 2 * ndim);
    let total = ndim > 0 ? 1 : 0;
    for (let d = 0; d < ndim; d++) total *= m[d];
    // The pool's threshold first: most reductions are small, and need no plan.
    const pool = total === 0 ? undefined : poolFor(total / RANGED.reduce_rows_f32.rate);
    // A view taken again: starting the pool allocates, and memory may have grown.
    const at = metaPtr >>> 2;
    const plan =
      pool === undefined ? undefined : reducePlan(backend.i32().subarray(at, at + 2 * ndim), ndim);
    if (plan === undefined) {
      whole(dst, dstSize, src, ndim, metaPtr, op);
      return;
    }
    if (plan.kind === "rows") K.reduce_rows_f32(dst, src, total / plan.n, plan.n, op);
    else if (plan.kind === "cols") K.reduce_cols_f32(dst, src, total / plan.n, plan.n, plan.n, op);
    else {
      const cols = plan.kept;
      K.reduce_mid_f32(dst, src, total / (cols * plan.n), cols, cols * plan.n, plan.n, op);
    }
  };
}

/**
 * Which pattern a reduction (meta: shape, then destination strides, 0 where reduced) follows:
 * the last dimension only, into a contiguous destination ("rows", n: its length); leading
 * dimensions only ("cols", n: the kept elements); or leading dimensions and the last one, the
 * middle kept ("mid", as a conv bias gradient: n the last length, kept the middle elements).
 * Dimensions of size 1 do not count.
 */
function reducePlan(
  m: Int32Array,
  ndim: number,
): { kind: "rows" | "cols" | "mid"; n: number; kept: number } | undefined {
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) if (m[d] !== 1) dims.push(d);
  if (dims.length < 2) return undefined;
  const reduced = dims.map((d) => m[ndim + d] === 0);
  const kept = dims.filter((_, i) => !reduced[i]);
  // The kept dimensions must be laid out contiguously in dst, last fastest.
  let expected = 1;
  for (let i = kept.length - 1; i >= 0; i--) {
    if (m[ndim + kept[i]] !== expected) return undefined;
    expected *= m[kept[i]];
  }
  const last = reduced.length - 1;
  const first = reduced.indexOf(false);
  const end = reduced.lastIndexOf(false);
  if (first < 0 || reduced.slice(first, end + 1).some((r) => r)) return undefined;
  const n = m[dims[last]];
  // The whole call folds rows of its last dimension: a reduced last dimension of size 1 makes
  // it add one float at a time, which these kernels would not repeat.
  if (reduced[last] && dims[last] !== ndim - 1) return undefined;
  if (first === 0 && end === last - 1) return { kind: "rows", n, kept: expected };
  if (first > 0 && end === last) return { kind: "cols", n: expected, kept: expected };
  if (first > 0 && end === last - 1) return { kind: "mid", n, kept: expected };
  return undefined;
}

/**
 * The row norms' backward on the pool: every row's dx in parallel, then dw and db on this
 * thread, row by row (and channel by channel for GroupNorm) as the whole call adds them, so
 * the bits stay.
 */
function installLayerNorm(backend: Backend, whole: Kernels["layernorm_bwd_f32"]): void {
  const K = backend.kernels as Kernels;
  const ranged = K.layernorm_bwd_f32;
  K.layernorm_bwd_f32 = (dx, dw, db, dy, x, mean, rstd, w, rows, n, groups, s, center) => {
    if (dx === 0 || poolFor((rows * n) / RANGED.layernorm_bwd_f32.rate) === undefined) {
      whole(dx, dw, db, dy, x, mean, rstd, w, rows, n, groups, s, center);
      return;
    }
    ranged(dx, 0, 0, dy, x, mean, rstd, w, rows, n, groups, s, center);
    K.layernorm_bwd_params_f32(dw, db, dy, x, mean, rstd, rows, n, groups, s);
  };
}

/**
 * Whether operand p (strides at m[which * ndim ..], shape at m[0 .. ndim]) lies wholly outside
 * the destination [dst, end).
 */
function clearOf(
  dst: number,
  end: number,
  p: number,
  m: Int32Array,
  which: number,
  ndim: number,
): boolean {
  let last = 0;
  for (let d = 0; d < ndim; d++) last += (m[d] - 1) * m[which * ndim + d];
  return p >= end || p + (last + 1) * 4 <= dst;
}

/**
 * Broadcasting binary ops over blocks of rows (the last dimension): about 16 blocks of at least
 * 8K floats. Only when dst is clear of b, and of a unless a is dst itself: a row that wrote
 * where a later row reads (x.add_(x[0]), which PyTorch refuses) must keep the whole call's order.
 */
function installBroadcast(backend: Backend): void {
  const K = backend.kernels as Kernels;
  const whole = K.binary_bcast_f32;
  K.binary_bcast_f32 = (dst, a, b, ndim, metaPtr, op) => {
    if (ndim === 0) {
      whole(dst, a, b, ndim, metaPtr, op);
      return;
    }
    const m = backend.i32().subarray(metaPtr >>> 2, (metaPtr >>> 2) + 3 * ndim);
    const n = m[ndim - 1];
    let outer = 1;
    for (let d = 0; d < ndim - 1; d++) outer *= m[d];
    const pool = poolFor((outer * n) / RANGED.binary_f32.rate);
    const rowsPer = Math.max(Math.ceil(8192 / Math.max(n, 1)), Math.ceil(outer / 16));
    const end = dst + outer * n * 4;
    // A view taken again: starting the pool allocates, and memory may have grown.
    const ms = backend.i32().subarray(metaPtr >>> 2, (metaPtr >>> 2) + 3 * ndim);
    if (
      pool === undefined ||
      outer <= rowsPer ||
      n === 0 ||
      !clearOf(dst, end, b, ms, 2, ndim) ||
      (a !== dst && !clearOf(dst, end, a, ms, 1, ndim))
    ) {
      whole(dst, a, b, ndim, metaPtr, op);
      return;
    }
    const args = [dst, a, b, ndim, metaPtr, op, rowsPer];
    runBlocks(pool, "binary_bcast_block_f32", args, Math.ceil(outer / rowsPer));
  };
}

/**
 * Cross-entropy's forward over rows on the pool: the rows' losses first (in parallel, into the
 * caller's per-row buffer or a scratch one), then the total and the weight sum over them on this
 * thread in the whole call's order, so the bits do not change.
 */
function installCrossEntropy(backend: Backend, whole: Kernels["softmax_cross_entropy_f32"]): void {
  const K = backend.kernels as Kernels;
  const ranged = K.softmax_cross_entropy_f32;
  K.softmax_cross_entropy_f32 = (loss, stats, x, target, w, n, c, ignoreIndex, smoothing) => {
    if (poolFor((n * c) / RANGED.softmax_cross_entropy_f32.rate) === undefined) {
      whole(loss, stats, x, target, w, n, c, ignoreIndex, smoothing);
      return;
    }
    let rows = loss;
    let scratch = 0;
    try {
      if (rows === 0) rows = K.alloc(n * 4);
      scratch = K.alloc(8);
    } catch {
      // No memory for the rows' losses: the whole call needs none.
      if (rows !== loss) K.free(rows);
      whole(loss, stats, x, target, w, n, c, ignoreIndex, smoothing);
      return;
    }
    try {
      ranged(rows, scratch, x, target, w, n, c, ignoreIndex, smoothing);
      K.softmax_cross_entropy_sum_f32(stats, rows, target, w, n, ignoreIndex);
    } finally {
      K.free(scratch);
      if (rows !== loss) K.free(rows);
    }
  };
}

/** Batch norm's statistics, forward and backward over blocks of channels. */
function installBatchNorm(backend: Backend): void {
  const K = backend.kernels as Kernels;
  const { batchnorm_stats_f32, batchnorm_f32, batchnorm_bwd_f32 } = K;
  // Floats per microsecond on one thread: two passes for the statistics and the gradient.
  const plan = (n: number, c: number, s: number, rate: number) => {
    const pool = poolFor((n * c * s) / rate);
    const per = planesPerBlock(c);
    return pool !== undefined && c > per ? { pool, per, blocks: Math.ceil(c / per) } : undefined;
  };
  K.batchnorm_stats_f32 = (mean, variance, x, n, c, s) => {
    const p = plan(n, c, s, 1000);
    if (p === undefined) batchnorm_stats_f32(mean, variance, x, n, c, s);
    else
      runBlocks(p.pool, "batchnorm_stats_block_f32", [mean, variance, x, n, c, s, p.per], p.blocks);
  };
  K.batchnorm_f32 = (y, x, mean, variance, weight, bias, n, c, s, eps) => {
    const p = plan(n, c, s, 1500);
    if (p === undefined) batchnorm_f32(y, x, mean, variance, weight, bias, n, c, s, eps);
    else {
      const args = [y, x, mean, variance, weight, bias, n, c, s, eps, p.per];
      runBlocks(p.pool, "batchnorm_block_f32", args, p.blocks);
    }
  };
  K.batchnorm_bwd_f32 = (dx, dw, db, dy, x, mean, variance, weight, n, c, s, eps, training) => {
    const p = plan(n, c, s, 700);
    if (p === undefined)
      batchnorm_bwd_f32(dx, dw, db, dy, x, mean, variance, weight, n, c, s, eps, training);
    else {
      const args = [dx, dw, db, dy, x, mean, variance, weight, n, c, s, eps, training, p.per];
      runBlocks(p.pool, "batchnorm_bwd_block_f32", args, p.blocks);
    }
  };
}

/** Planes per block of a pooling call over `planes` planes: about 16 blocks. */
function planesPerBlock(planes: number): number {
  return Math.max(1, Math.ceil(planes / 16));
}

/** Max and average pooling, forward and backward, over blocks of planes. */
function installPooling(backend: Backend): void {
  const K = backend.kernels as Kernels;
  const { maxpool2d_f32, maxpool2d_bwd_f32, avgpool2d_f32, avgpool2d_bwd_f32 } = K;
  // meta: planes, H, W, OH, OW, KH, KW, ...
  const geometry = (metaPtr: number) => backend.i32().subarray(metaPtr >>> 2, (metaPtr >>> 2) + 7);
  const plan = (floats: number, planes: number) => {
    const pool = poolFor(floats / POOL_FLOATS_PER_MICRO);
    const per = planesPerBlock(planes);
    return pool !== undefined && planes > per ? { pool, per } : undefined;
  };
  K.maxpool2d_f32 = (out, idx, x, metaPtr) => {
    const [np, h, w, oh, ow, kh, kw] = geometry(metaPtr);
    const p = plan(np * Math.max(h * w, oh * ow * kh * kw), np);
    if (p === undefined) maxpool2d_f32(out, idx, x, metaPtr);
    else
      runBlocks(
        p.pool,
        "maxpool2d_block_f32",
        [out, idx, x, metaPtr, p.per],
        Math.ceil(np / p.per),
      );
  };
  K.maxpool2d_bwd_f32 = (dx, dy, idx, planes, hw, ohw) => {
    const p = plan(planes * (hw + ohw), planes);
    if (p === undefined) maxpool2d_bwd_f32(dx, dy, idx, planes, hw, ohw);
    else {
      const args = [dx, dy, idx, planes, hw, ohw, p.per];
      runBlocks(p.pool, "maxpool2d_bwd_block_f32", args, Math.ceil(planes / p.per));
    }
  };
  K.avgpool2d_f32 = (out, x, metaPtr) => {
    const [np, h, w, oh, ow, kh, kw] = geometry(metaPtr);
    const p = plan(np * Math.max(h * w, oh * ow * kh * kw), np);
    if (p === undefined) avgpool2d_f32(out, x, metaPtr);
    else runBlocks(p.pool, "avgpool2d_block_f32", [out, x, metaPtr, p.per], Math.ceil(np / p.per));
  };
  K.avgpool2d_bwd_f32 = (dx, dy, metaPtr) => {
    const [np, h, w, oh, ow, kh, kw] = geometry(metaPtr);
    const p = plan(np * Math.max(h * w, oh * ow * kh * kw), np);
    if (p === undefined) avgpool2d_bwd_f32(dx, dy, metaPtr);
    else
      runBlocks(p.pool, "avgpool2d_bwd_block_f32", [dx, dy, metaPtr, p.per], Math.ceil(np / p.per));
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
  const blocks = inputGrad ? K.conv2d_blocks(metaPtr) : K.conv2d_fwd_blocks(metaPtr);
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
 * The pool for a recurrent layer's pass of `blocks` blocks, `stepBlocks` per step, each step
 * about `stepMadds` multiply-adds, or undefined when it should run on this thread. Called before
 * the pass is prepared, it wakes sleeping workers, so that they are up by the time rnnOnPool
 * posts the task.
 */
export function rnnPool(
  blocks: number,
  stepBlocks: number,
  stepMadds: number,
): ThreadPool | undefined {
  const stepMicros = stepMadds / GEMM_MADDS_PER_MICRO;
  if (stepBlocks <= 1 || stepMicros < Math.min(MIN_STEP_MICROS, minWorkMicros)) return undefined;
  const steps = blocks / stepBlocks;
  const pool = poolFor((steps * stepMadds) / GEMM_MADDS_PER_MICRO);
  pool?.wake();
  return pool;
}

/**
 * A recurrent layer's forward or backward through time (assembly/kernels/rnn_steps.ts, blocks
 * `stepBlocks` per step) on `pool` (from rnnPool), one task for the whole sequence: each block
 * waits for the steps before its own. Returns false, having done nothing, when the caller should
 * run the blocks itself (rnn_fwd_f32 / rnn_bwd_f32): there is no pool.
 */
export function rnnOnPool(
  pool: ThreadPool | undefined,
  backward: boolean,
  desc: number,
  blocks: number,
  stepBlocks: number,
): boolean {
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
