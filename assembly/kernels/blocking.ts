/**
 * The K blocking that sgemm's packed panels use, shared with the kernels that write packed
 * panels themselves (conv2d's forward packs its im2col block straight into that layout).
 */

/** K block: an A micro-panel (4 KB) plus a B micro-panel (8 KB) sit well inside L1. */
export const KC = 256;

/** K block size: equal blocks of at most KC (784 = 4 x 196 rather than 3 x 256 + 16). */
export function kBlock(k: i32): i32 {
  const kBlocks = (k + KC - 1) / KC;
  return (k + kBlocks - 1) / kBlocks;
}
