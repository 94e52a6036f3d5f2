/**
 * The BLIS loop nest (see assembly/kernels/gemm.ts) over packed panels and register tiles.
 */
import { kBlock } from "../blocking";
import {
  bPanelSrc,
  packABlock,
  packBBlock,
  packBPanel,
  packB_rows2,
  sixRows,
} from "./pack";
import { holdsA, MC, NC, NR, noteA, packA, packB, panelB, tile } from "./scratch";
import { gemmTile } from "./tile";

/** transB == 0 problems up to this many rows read B in place rather than packing it. */
const DIRECT_B_M = 32;

/** Where macroKernel's B panels come from. */
export const B_PACKED = 0; // all panels of the block packed beforehand (packB, or a prepacked operand)
export const B_DIRECT = 1; // read in place (transB == 0), except the edge panel, packed beforehand
export const B_FLY = 2; // panels packed (two at a time) into panelB just before the A panels sweep them

/**
 * All tiles (4x8, and 6x8 where chosen) of one (MC x NC) block of C over one K block, A's panels
 * at aPanels (as packABlock packs them). bSrc = &op(B)[pc, jc] (see packBPanel), ldb and transB
 * describe B for the B_DIRECT and B_FLY modes.
 */
export function macroKernel(
  aPanels: usize,
  c: usize,
  ldc: i32,
  bPanels: usize,
  bSrc: usize,
  ldb: i32,
  transB: i32,
  bMode: i32,
  mc: i32,
  nc: i32,
  kc: i32,
  alpha: f32,
  beta: f32,
): void {
  const ld = <usize>ldb;
  const ldcBytes = <usize>ldc << 2;
  const bPanelBytes = <usize>kc << 5;
  const six = sixRows(mc);
  const nFull = nc & ~(NR - 1);
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const direct = bMode == B_DIRECT && j < nFull;
    let bp = bPanels + <usize>(j >> 3) * bPanelBytes;
    if (direct) {
      bp = bSrc + (<usize>j << 2);
    } else if (bMode == B_FLY) {
      // Panels are packed in pairs where possible (see packB_rows2); the second of a pair
      // waits at panelB + bPanelBytes.
      bp = panelB + ((<usize>j & NR) != 0 ? bPanelBytes : 0);
      if ((j & NR) == 0) {
        const src = bSrc + ((transB == 0 ? <usize>j : <usize>j * ld) << 2);
        if (transB == 0 && j + 2 * NR <= nc) {
          packB_rows2(bp, src, ld, kc);
        } else {
          packBPanel(bp, src, ld, transB, kc, nr);
          if (j + NR < nc) {
            const src2 = src + ((transB == 0 ? <usize>NR : <usize>NR * ld) << 2);
            packBPanel(bp + bPanelBytes, src2, ld, transB, kc, min(NR, nc - j - NR));
          }
        }
      }
    }
    const bStep = direct ? ld << 2 : 0;
    let ap = aPanels;
    let cp = c + (<usize>j << 2);
    for (let i = 0; i < mc; ) {
      const rows = i < six ? 6 : 4;
      if (i + rows <= mc && j < nFull) {
        gemmTile(rows, kc, ap, bp, bStep, cp, ldcBytes, alpha, beta);
      } else {
        // Edge tile: compute all of it into the scratch tile, then keep the valid part.
        gemmTile(rows, kc, ap, bp, bStep, tile, NR * 4, alpha, 0);
        mergeTile(cp, ldcBytes, min(rows, mc - i), nr, beta);
      }
      ap += <usize>(kc * rows) << 2;
      cp += ldcBytes * <usize>rows;
      i += rows;
    }
  }
}

/** C[0:mr, 0:nr] = tile + beta * C, touching nothing outside. */
function mergeTile(c: usize, ldc: usize, mr: i32, nr: i32, beta: f32): void {
  let t = tile;
  for (let r = 0; r < mr; r++) {
    for (let j = 0; j < nr; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(t + o);
      if (beta != 0) v += beta * load<f32>(c + o);
      store<f32>(c + o, v);
    }
    c += ldc;
    t += NR * 4;
  }
}

/**
 * The BLIS loop nest of the file comment, over rows [i0, i1) and columns [j0, j1) of C: the
 * whole of C, or one block of a parallel call. m and n are always the whole problem's, so every
 * choice below is the same for every block; i0 is a multiple of MC and j0 of NR, so every entry
 * of C is computed by the same tile, in the same order, as in the whole problem. With
 * `prepacked` (from sgemm_pack_b_f32), B's panels are read from there and b, ldb and transB
 * are unused. `task` (nonzero: a block of parallel call number `task`) lets a block reuse the
 * packed A that this thread's previous block of the same call left (same M and K block), which
 * the same values make bit-neutral; column blocks of one M block then cost no extra A packing.
 */
export function gemmBlocked(
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
  const lb = <usize>ldb;
  const kcMax = kBlock(k);
  // Reading B in place saves the packing pass while B is re-read only a few times (small M);
  // for larger M, packing wins (strided panels miss in cache and TLB). Crossover measured on
  // Zen 4 between M = 32 and 64.
  // Rows of B a multiple of 2 KB apart map to a few L1 sets, and the 8-wide reads of a panel
  // then evict each other (32x1024x144 runs at a third of the speed of 32x1032x144): pack those.
  const bDirect = prepacked == 0 && transB == 0 && m <= DIRECT_B_M && (ldb & 511) != 0;
  // With one M block, each B panel is swept by the A panels once and never again: pack it just
  // before that sweep, so it goes to L1 and is read back from there, instead of packing the
  // whole KC x NC block out to L2 first. A parallel block covers one M block (i1 - i0 <= MC)
  // even when M is larger; how B's panels are packed never changes the bits.
  const bMode = prepacked != 0 ? B_PACKED : bDirect ? B_DIRECT : i1 - i0 <= MC ? B_FLY : B_PACKED;
  const n8 = <usize>((n + 7) & ~7);
  const ldcBytes = <usize>ldc << 2;
  for (let jc = j0; jc < j1; jc += NC) {
    const nc = min(NC, j1 - jc);
    for (let pc = 0; pc < k; pc += kcMax) {
      const kc = min(kcMax, k - pc);
      const betaBlk: f32 = pc == 0 ? beta : 1;
      let panels = packB;
      if (prepacked != 0) panels = prepacked + ((<usize>pc * n8 + <usize>(jc >> 3) * <usize>kc * 8) << 2);
      else if (bMode != B_FLY) packBBlock(packB, b, ldb, transB, pc, jc, kc, nc, bDirect);
      const bSrc = bPanelSrc(b, lb, transB, pc, jc);
      for (let ic = i0; ic < i1; ic += MC) {
        const mc = min(MC, i1 - ic);
        if (!holdsA(task, a, lda, transA, ic, pc, mc, kc)) {
          packABlock(a, lda, transA, ic, pc, mc, kc);
          noteA(task, a, lda, transA, ic, pc, mc, kc);
        }
        const cBlk = c + <usize>ic * ldcBytes + (<usize>jc << 2);
        macroKernel(packA, cBlk, ldc, panels, bSrc, ldb, transB, bMode, mc, nc, kc, alpha, betaBlk);
      }
    }
  }
}
