/** Signatures of assembly/kernels/{conv,pool,norm}.ts: convolution, pooling, batch norm. */
import type { Ptr } from "../kernels.js";

export interface ConvKernels {
  /**
   * out[N, OC, OH, OW] = conv2d(x[N, C, H, W], w[OC, C/G, KH, KW]) + bias (bias 0: none).
   * meta (18 i32): N, C, H, W, OC, KH, KW, OH, OW, strideH, strideW, padTop, padLeft,
   * dilationH, dilationW, groups, chunk, images; chunk and images 0 let the kernel choose how
   * it blocks the im2col matrix (tests force blockings with them; see assembly/kernels/conv.ts;
   * the stride-1 forward's Winograd and direct paths choose their own blocking whatever they
   * say). work holds conv2d_workspace_f32(meta) floats (0 may be passed when that is 0).
   */
  conv2d_f32(out: Ptr, x: Ptr, w: Ptr, bias: Ptr, work: Ptr, meta: Ptr): void;
  /** dx[N, C, H, W] for upstream dy[N, OC, OH, OW]; meta and work as conv2d_f32. */
  conv2d_bwd_input_f32(dx: Ptr, dy: Ptr, w: Ptr, work: Ptr, meta: Ptr): void;
  /**
   * dw[OC, C/G, KH, KW] summed over the batch; meta as conv2d_f32, work of
   * pad + group * slot floats (conv2d_wgrad_plan). The same steps as the two below, in order.
   */
  conv2d_bwd_weight_f32(dw: Ptr, dy: Ptr, x: Ptr, work: Ptr, meta: Ptr): void;
  /**
   * The weight gradient's plan into out (i32 x 6): pieces, pieces per group (of at most
   * groupFloats staged floats; 0: the single-thread default), dW tiles, floats per slot, floats
   * of padded planes per thread, floats of dW. The grouping does not change the bits.
   */
  conv2d_wgrad_plan(meta: Ptr, out: Ptr, groupFloats: number): void;
  /** Stages piece first + block into slot `block`; padded planes at pad + thread * padBytes. */
  conv2d_wgrad_stage_f32(
    dy: Ptr,
    x: Ptr,
    pad: Ptr,
    padBytes: number,
    slots: Ptr,
    slotBytes: number,
    first: number,
    meta: Ptr,
    block: number,
  ): void;
  /** dW tile `block` += the products of the staged pieces first .. first + count, in order. */
  conv2d_wgrad_gemm_f32(
    dw: Ptr,
    dy: Ptr,
    x: Ptr,
    slots: Ptr,
    slotBytes: number,
    first: number,
    count: number,
    meta: Ptr,
    block: number,
  ): void;
  /**
   * Floats of workspace conv2d_f32 and conv2d_bwd_input_f32 need for meta (0 for pointwise convolutions),
   * and per thread for the two block kernels below. The kernel's own blocking decides it.
   */
  conv2d_workspace_f32(meta: Ptr): number;
  /** Blocks of images (the kernel's images per block) that the two block kernels below split into. */
  conv2d_blocks(meta: Ptr): number;
  /** Blocks of conv2d_block_f32: image blocks, or one per chunk of output rows per image. */
  conv2d_fwd_blocks(meta: Ptr): number;
  /**
   * Images of block `block` of conv2d_f32, the same bits as the whole call; this thread's
   * workspace is work + threadIndex * workBytes.
   */
  conv2d_block_f32(
    out: Ptr,
    x: Ptr,
    w: Ptr,
    bias: Ptr,
    work: Ptr,
    workBytes: number,
    meta: Ptr,
    block: number,
  ): void;
  /** Block `block` of conv2d_bwd_input_f32, workspaces as conv2d_block_f32. */
  conv2d_bwd_input_block_f32(
    dx: Ptr,
    dy: Ptr,
    w: Ptr,
    work: Ptr,
    workBytes: number,
    meta: Ptr,
    block: number,
  ): void;

  /**
   * Max pooling of planes [NP, H, W] into out and idx (i32 flat index y * W + x per output).
   * meta (i32): NP, H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW.
   */
  maxpool2d_f32(out: Ptr, idx: Ptr, x: Ptr, meta: Ptr): void;
  maxpool2d_bwd_f32(dx: Ptr, dy: Ptr, idx: Ptr, planes: number, hw: number, ohw: number): void;
  /** meta as maxpool2d_f32 followed by countIncludePad (0/1) and divisor (0: none). */
  avgpool2d_f32(out: Ptr, x: Ptr, meta: Ptr): void;
  avgpool2d_bwd_f32(dx: Ptr, dy: Ptr, meta: Ptr): void;
  /** Planes block * per .. (block + 1) * per of maxpool2d_f32 (each plane is independent). */
  maxpool2d_block_f32(out: Ptr, idx: Ptr, x: Ptr, meta: Ptr, per: number, block: number): void;
  /** Planes block * per .. of maxpool2d_bwd_f32. */
  maxpool2d_bwd_block_f32(
    dx: Ptr,
    dy: Ptr,
    idx: Ptr,
    planes: number,
    hw: number,
    ohw: number,
    per: number,
    block: number,
  ): void;
  /** Planes block * per .. of avgpool2d_f32. */
  avgpool2d_block_f32(out: Ptr, x: Ptr, meta: Ptr, per: number, block: number): void;
  /** Planes block * per .. of avgpool2d_bwd_f32. */
  avgpool2d_bwd_block_f32(dx: Ptr, dy: Ptr, meta: Ptr, per: number, block: number): void;

  /** mean[C], variance[C] (biased) of x [N, C, S]. */
  batchnorm_stats_f32(mean: Ptr, variance: Ptr, x: Ptr, n: number, c: number, s: number): void;
  /** y = (x - mean) / sqrt(variance + eps) * weight + bias per channel; weight/bias 0: none. */
  batchnorm_f32(
    y: Ptr,
    x: Ptr,
    mean: Ptr,
    variance: Ptr,
    weight: Ptr,
    bias: Ptr,
    n: number,
    c: number,
    s: number,
    eps: number,
  ): void;
  /** Gradients of batchnorm_f32; any of dx, dweight, dbias may be 0 (skipped). */
  batchnorm_bwd_f32(
    dx: Ptr,
    dweight: Ptr,
    dbias: Ptr,
    dy: Ptr,
    x: Ptr,
    mean: Ptr,
    variance: Ptr,
    weight: Ptr,
    n: number,
    c: number,
    s: number,
    eps: number,
    training: number,
  ): void;
  /** Channels block * per .. (block + 1) * per of batchnorm_stats_f32 (channels are independent). */
  batchnorm_stats_block_f32(
    mean: Ptr,
    variance: Ptr,
    x: Ptr,
    n: number,
    c: number,
    s: number,
    per: number,
    block: number,
  ): void;
  /** Channels block * per .. of batchnorm_f32. */
  batchnorm_block_f32(
    y: Ptr,
    x: Ptr,
    mean: Ptr,
    variance: Ptr,
    weight: Ptr,
    bias: Ptr,
    n: number,
    c: number,
    s: number,
    eps: number,
    per: number,
    block: number,
  ): void;
  /** Channels block * per .. of batchnorm_bwd_f32. */
  batchnorm_bwd_block_f32(
    dx: Ptr,
    dweight: Ptr,
    dbias: Ptr,
    dy: Ptr,
    x: Ptr,
    mean: Ptr,
    variance: Ptr,
    weight: Ptr,
    n: number,
    c: number,
    s: number,
    eps: number,
    training: number,
    per: number,
    block: number,
  ): void;
}

export const convKernelNames = [
  "conv2d_f32",
  "conv2d_workspace_f32",
  "conv2d_blocks",
  "conv2d_fwd_blocks",
  "conv2d_block_f32",
  "conv2d_bwd_input_block_f32",
  "conv2d_bwd_input_f32",
  "conv2d_bwd_weight_f32",
  "conv2d_wgrad_plan",
  "conv2d_wgrad_stage_f32",
  "conv2d_wgrad_gemm_f32",
  "maxpool2d_f32",
  "maxpool2d_bwd_f32",
  "avgpool2d_f32",
  "avgpool2d_bwd_f32",
  "maxpool2d_block_f32",
  "maxpool2d_bwd_block_f32",
  "avgpool2d_block_f32",
  "avgpool2d_bwd_block_f32",
  "batchnorm_stats_f32",
  "batchnorm_f32",
  "batchnorm_bwd_f32",
  "batchnorm_stats_block_f32",
  "batchnorm_block_f32",
  "batchnorm_bwd_block_f32",
] as const satisfies readonly (keyof ConvKernels)[];
