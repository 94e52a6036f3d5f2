/**
 * sgemm's shapes and packing buffers. Each module instance packs into its own scratch region:
 * the main instance into the static buffers below, and every worker into a region the main
 * thread allocates for it and hands over once (gemm_set_scratch), because memory.data buffers
 * are shared by every instance over one shared memory while globals are per instance.
 */
import { KC } from "../blocking";

export const NR = 8;
/** M block: the packed A block (MC x KC, 128 KB) stays in L2 while B panels sweep it. */
export const MC = 128;
/** Tallest register tile (6x8, relaxed build); sizes the scratch tile. */
export const MR_MAX = 6;
/** N block: the packed B block (KC x NC, 512 KB) stays in L2 (1 MB per core here). */
export const NC = 512;

/**
 * The tallest register tile in use: 4 (gemm_f32_4x8 only), or 6 once sgemm_set_tile has chosen
 * gemm_f32_6x8 (relaxed build only). With 6, A blocks are cut into 6-row panels and a few 4-row
 * ones (sixRows), padding at most one row per block.
 */
export let tileRows = 4;

/**
 * Chooses the register tile: rows = 6 for gemm_f32_6x8 (relaxed build only), anything else for
 * gemm_f32_4x8. Returns the rows now in use (4 in the baseline build, whatever was asked).
 *
 * The choice depends on the engine, not on the problem: a 6x8 tile needs 15 live v128, and
 * older V8 (11.3 in Node 20, 12.4 in Node 22) spills two of them in the k loop (23 GFLOP/s
 * against 55 for 4x8), while V8 13.6 (Node 24) and Chromium 156 keep them all in registers
 * (58.4 against 55, bench/gemm-tiles.mjs). The loader decides from the engine's version. Both
 * tiles add the products of each C entry in the same order, so results do not change with it.
 * Every instance (each worker too) must be told.
 */
export function sgemm_set_tile(rows: i32): i32 {
  tileRows = ASC_FEATURE_RELAXED_SIMD && rows == 6 ? 6 : 4;
  return tileRows;
}

// Sizes of the four buffers, in bytes. A margin of MR_MAX rows past MC: no blocking packs more
// than MC rows (see sixRows), but an overrun here would land in packB.
const PACK_A_BYTES: usize = (MC + MR_MAX) * KC * 4;
const PACK_B_BYTES: usize = KC * NC * 4;
const PANEL_B_BYTES: usize = KC * NR * 2 * 4;
const TILE_BYTES: usize = MR_MAX * NR * 4;

/** Packed A block (MC x KC). */
export let packA: usize = memory.data(<i32>PACK_A_BYTES, 16);
/** Packed B block (KC x NC). */
export let packB: usize = memory.data(<i32>PACK_B_BYTES, 16);
/** Two B panels packed just before use (B_FLY): 16 KB, stays in L1 while A panels sweep it. */
export let panelB: usize = memory.data(<i32>PANEL_B_BYTES, 64);
/** Edge tiles land here whole before their valid entries move to C; rowTail accumulates here. */
export let tile: usize = memory.data(<i32>TILE_BYTES, 16);

/** Bytes of scratch one instance needs for sgemm (gemm_set_scratch), 64-byte aligned inside. */
export function gemm_scratch_bytes(): usize {
  return PANEL_B_BYTES + PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES + 64;
}

/** Points this instance's packing buffers into [ptr, ptr + gemm_scratch_bytes()). */
export function gemm_set_scratch(ptr: usize): void {
  heldTask = 0;
  const base = (ptr + 63) & ~(<usize>63);
  panelB = base;
  packA = base + PANEL_B_BYTES;
  packB = packA + PACK_A_BYTES;
  tile = packB + PACK_B_BYTES;
}

/** This instance's thread: 0 on the main thread, 1.. on workers (picks per-thread workspaces). */
export let threadIndex = 0;

export function set_thread_index(index: i32): void {
  threadIndex = index;
}

// What packA holds, so that the blocks of one parallel task that share an M block pack it once
// per thread rather than once per block (see gemmBlocked). `task` numbers a parallel call (the
// pool's caller gives each one a new number; 0 = none), so a block never takes A packed for
// another call, whose A may have changed at the same address.
let heldTask = 0;
let heldA: usize = 0;
let heldLda = 0;
let heldTransA = 0;
let heldIc = 0;
let heldPc = 0;
let heldMc = 0;
let heldKc = 0;

/** Whether packA holds op(A)[ic:ic+mc, pc:pc+kc] as packed for task `task` (never for task 0). */
export function holdsA(task: i32, a: usize, lda: i32, transA: i32, ic: i32, pc: i32, mc: i32, kc: i32): bool {
  return (
    task != 0 && task == heldTask && a == heldA && lda == heldLda && transA == heldTransA &&
    ic == heldIc && pc == heldPc && mc == heldMc && kc == heldKc
  );
}

/** Records what packA now holds (task 0: something no later block may reuse). */
export function noteA(task: i32, a: usize, lda: i32, transA: i32, ic: i32, pc: i32, mc: i32, kc: i32): void {
  heldTask = task;
  heldA = a;
  heldLda = lda;
  heldTransA = transA;
  heldIc = ic;
  heldPc = pc;
  heldMc = mc;
  heldKc = kc;
}
