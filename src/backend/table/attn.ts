/**
 * Signatures of assembly/kernels/{layernorm,gelu,attention}.ts: row norms (LayerNorm, RMSNorm,
 * GroupNorm), GELU and fused scaled dot-product attention.
 */
import type { Ptr } from "../kernels.js";

export interface AttnKernels {
  /** Row norm of x [rows, n]; writes y and per-row mean/rstd (see layernorm.ts for k). */
  layernorm_f32(
    y: Ptr,
    meanOut: Ptr,
    rstdOut: Ptr,
    x: Ptr,
    w: Ptr,
    b: Ptr,
    rows: number,
    n: number,
    groups: number,
    s: number,
    eps: number,
    center: number,
  ): void;
  /** dx (may be 0), dw, db (0 = skip; overwritten, not accumulated) from dy. */
  layernorm_bwd_f32(
    dx: Ptr,
    dw: Ptr,
    db: Ptr,
    dy: Ptr,
    x: Ptr,
    meanIn: Ptr,
    rstdIn: Ptr,
    w: Ptr,
    rows: number,
    n: number,
    groups: number,
    s: number,
    center: number,
  ): void;
  /** dw, db of layernorm_bwd_f32 alone (the same sums in the same order). */
  layernorm_bwd_params_f32(
    dw: Ptr,
    db: Ptr,
    dy: Ptr,
    x: Ptr,
    meanIn: Ptr,
    rstdIn: Ptr,
    rows: number,
    n: number,
    groups: number,
    s: number,
  ): void;
  /** GELU, exact (approx 0) or tanh (approx 1); y may alias x. */
  gelu_f32(y: Ptr, x: Ptr, n: number, approx: number): void;
  /** dx = dy * gelu'(x); dx may alias dy. */
  gelu_bwd_f32(dx: Ptr, dy: Ptr, x: Ptr, n: number, approx: number): void;
  /** Fused attention forward over [bh, L, E] x [bh, S, E] x [bh, S, Ev]; writes out and lse. */
  sdpa_f32(
    out: Ptr,
    lse: Ptr,
    q: Ptr,
    k: Ptr,
    v: Ptr,
    mask: Ptr,
    maskOffsets: Ptr,
    mrow: number,
    mcol: number,
    ws: Ptr,
    bh: number,
    L: number,
    S: number,
    E: number,
    Ev: number,
    scale: number,
    causal: number,
    pdrop: number,
    seed: number,
  ): void;
  /** Blocks the pool splits sdpa_f32 and sdpa_bwd_f32 into (whole heads). */
  sdpa_blocks(bh: number): number;
  /** Block `block` of sdpa_f32; each thread's workspace at ws + threadIndex * wsBytes. */
  sdpa_block_f32(
    out: Ptr,
    lse: Ptr,
    q: Ptr,
    k: Ptr,
    v: Ptr,
    mask: Ptr,
    maskOffsets: Ptr,
    mrow: number,
    mcol: number,
    ws: Ptr,
    wsBytes: number,
    bh: number,
    L: number,
    S: number,
    E: number,
    Ev: number,
    scale: number,
    causal: number,
    pdrop: number,
    seed: number,
    block: number,
  ): void;
  /** Block `block` of sdpa_bwd_f32, workspaces as in sdpa_block_f32. */
  sdpa_bwd_block_f32(
    dq: Ptr,
    dk: Ptr,
    dv: Ptr,
    dout: Ptr,
    q: Ptr,
    k: Ptr,
    v: Ptr,
    out: Ptr,
    lse: Ptr,
    mask: Ptr,
    maskOffsets: Ptr,
    mrow: number,
    mcol: number,
    ws: Ptr,
    wsBytes: number,
    bh: number,
    L: number,
    S: number,
    E: number,
    Ev: number,
    scale: number,
    causal: number,
    pdrop: number,
    seed: number,
    block: number,
  ): void;
  /** dst = e^x by the attention kernels' exp (constants from memory); bit-identical to exp_f32. */
  sdpa_exp_f32(dst: Ptr, x: Ptr, n: number): void;
  /** Fused attention backward: overwrites dq, dk, dv. */
  sdpa_bwd_f32(
    dq: Ptr,
    dk: Ptr,
    dv: Ptr,
    dout: Ptr,
    q: Ptr,
    k: Ptr,
    v: Ptr,
    out: Ptr,
    lse: Ptr,
    mask: Ptr,
    maskOffsets: Ptr,
    mrow: number,
    mcol: number,
    ws: Ptr,
    bh: number,
    L: number,
    S: number,
    E: number,
    Ev: number,
    scale: number,
    causal: number,
    pdrop: number,
    seed: number,
  ): void;
}

export const attnKernelNames = [
  "layernorm_f32",
  "layernorm_bwd_f32",
  "layernorm_bwd_params_f32",
  "gelu_f32",
  "gelu_bwd_f32",
  "sdpa_f32",
  "sdpa_bwd_f32",
  "sdpa_blocks",
  "sdpa_block_f32",
  "sdpa_bwd_block_f32",
  "sdpa_exp_f32",
] as const satisfies readonly (keyof AttnKernels)[];
