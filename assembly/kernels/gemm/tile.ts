/**
 * The register tiles of the blocked path: gemm_f32_4x8 (every build) and gemm_f32_6x8 (relaxed
 * build, where sgemm_set_tile chose it), in the style of XNNPACK's f32-gemm wasmsimd
 * "loadsplat" kernels.
 */
import { madd4 } from "../math";
import { NR } from "./scratch";

/**
 * One 4x8 register tile: C[0:4, 0:8] = alpha * sum_k a_k b_k^T + beta * C over kc steps.
 * a: packed A panel, 4 floats per k. b: 8 floats per k, either a packed B panel (bStep == 0)
 * or B read in place (bStep = its k-stride in bytes). ldc in bytes. beta == 0 stores without
 * reading C.
 *
 * The packed case gets its own copy of the loop with a constant stride: V8 then keeps every
 * address in a register and the loop carries no spare integer work (+10-15% on the baseline
 * build; the two loops must live in one function, or V8 recomputes A's addresses per step).
 * The k loop is not unrolled: TurboFan hoists all loads of an iteration ahead of the
 * arithmetic, and two iterations' loads plus 8 accumulators overflow the 15 usable xmm
 * registers (measured -30%).
 */
function gemm_f32_4x8(
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  if (bStep == 0) tileBody(false, true, kc, a, b, NR * 4, c, ldc, alpha, beta);
  else tileBody(false, false, kc, a, b, bStep, c, ldc, alpha, beta);
}

/**
 * One 6x8 register tile, as gemm_f32_4x8 with a 6-row A panel: 12 accumulators, 2 B loads and
 * 6 broadcasts per k, so 15 live v128, all the xmm registers V8 allocates on x64. Used only in
 * the relaxed build (one instruction per product) and only where sgemm_set_tile chose it.
 */
function gemm_f32_6x8(
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  if (bStep == 0) tileBody(true, true, kc, a, b, NR * 4, c, ldc, alpha, beta);
  else tileBody(true, false, kc, a, b, bStep, c, ldc, alpha, beta);
}

/**
 * The body of both tiles. `six` and `packed` are constants at every call, so each call compiles
 * to its own loop with only its own accumulators (rows 4 and 5 vanish when `six` is false).
 */
// @ts-ignore: decorator
@inline function tileBody(
  six: bool,
  packed: bool,
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  let c00 = f32x4.splat(0);
  let c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0);
  let c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0);
  let c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0);
  let c31 = f32x4.splat(0);
  let c40 = f32x4.splat(0);
  let c41 = f32x4.splat(0);
  let c50 = f32x4.splat(0);
  let c51 = f32x4.splat(0);
  const aStep: usize = six ? 24 : 16;
  // Loop on one pointer: one fewer register and add than a separate counter. The packed copy
  // tests B and the strided one A, so that Binaryen cannot fold the two loops into one.
  const aEnd = a + <usize>kc * aStep;
  const bEnd = b + (<usize>kc << 5);
  while (packed ? b != bEnd : a != aEnd) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load32_splat(a);
    c00 = madd4(a0, b0, c00);
    c01 = madd4(a0, b1, c01);
    const a1 = v128.load32_splat(a, 4);
    c10 = madd4(a1, b0, c10);
    c11 = madd4(a1, b1, c11);
    const a2 = v128.load32_splat(a, 8);
    c20 = madd4(a2, b0, c20);
    c21 = madd4(a2, b1, c21);
    const a3 = v128.load32_splat(a, 12);
    c30 = madd4(a3, b0, c30);
    c31 = madd4(a3, b1, c31);
    if (six) {
      const a4 = v128.load32_splat(a, 16);
      c40 = madd4(a4, b0, c40);
      c41 = madd4(a4, b1, c41);
      const a5 = v128.load32_splat(a, 20);
      c50 = madd4(a5, b0, c50);
      c51 = madd4(a5, b1, c51);
    }
    a += aStep;
    b += bStep;
  }
  const va = f32x4.splat(alpha);
  if (beta == 0) {
    store2(c, c00, c01, va);
    c += ldc;
    store2(c, c10, c11, va);
    c += ldc;
    store2(c, c20, c21, va);
    c += ldc;
    store2(c, c30, c31, va);
    if (six) {
      c += ldc;
      store2(c, c40, c41, va);
      c += ldc;
      store2(c, c50, c51, va);
    }
  } else {
    const vb = f32x4.splat(beta);
    update2(c, c00, c01, va, vb);
    c += ldc;
    update2(c, c10, c11, va, vb);
    c += ldc;
    update2(c, c20, c21, va, vb);
    c += ldc;
    update2(c, c30, c31, va, vb);
    if (six) {
      c += ldc;
      update2(c, c40, c41, va, vb);
      c += ldc;
      update2(c, c50, c51, va, vb);
    }
  }
}

/** One tile of `rows` (4 or 6) rows. */
// @ts-ignore: decorator
@inline export function gemmTile(
  rows: i32,
  kc: i32,
  a: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  if (ASC_FEATURE_RELAXED_SIMD && rows == 6) gemm_f32_6x8(kc, a, b, bStep, c, ldc, alpha, beta);
  else gemm_f32_4x8(kc, a, b, bStep, c, ldc, alpha, beta);
}

// @ts-ignore: decorator
@inline function store2(c: usize, x0: v128, x1: v128, va: v128): void {
  v128.store(c, f32x4.mul(x0, va));
  v128.store(c, f32x4.mul(x1, va), 16);
}

// @ts-ignore: decorator
@inline function update2(c: usize, x0: v128, x1: v128, va: v128, vb: v128): void {
  v128.store(c, madd4(vb, v128.load(c), f32x4.mul(x0, va)));
  v128.store(c, madd4(vb, v128.load(c, 16), f32x4.mul(x1, va)), 16);
}
