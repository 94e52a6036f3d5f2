/**
 * Small problems without packing: M <= 3 with transB == 0 (rows of C accumulated 16 columns at
 * a time over B in place, where 4-row tiles would be mostly padding: matrix-vector products,
 * batch-1 layers), the scalar triple loop for tiny problems, and C = beta * C.
 */
import { madd4 } from "../math";
import { store4 } from "./dot";
import { tile } from "./scratch";

/**
 * C[0:1|2, 0:16] = alpha * sum_k A(r,k) B[k, 0:16] + beta * C. A(r,k) at a + r*ra + k*aStep,
 * B row k at b + k*bStep (bytes). 8 accumulators and 6 loads per k, as in gemm_f32_4x8.
 */
// @ts-ignore: decorator
@inline function rowTile(
  two: bool,
  k: i32,
  a: usize,
  ra: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  let s00 = f32x4.splat(0);
  let s01 = f32x4.splat(0);
  let s02 = f32x4.splat(0);
  let s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0);
  let s11 = f32x4.splat(0);
  let s12 = f32x4.splat(0);
  let s13 = f32x4.splat(0);
  const aEnd = a + <usize>k * aStep;
  while (a != aEnd) {
    const y0 = v128.load(b);
    const y1 = v128.load(b, 16);
    const y2 = v128.load(b, 32);
    const y3 = v128.load(b, 48);
    const x0 = v128.load32_splat(a);
    s00 = madd4(x0, y0, s00);
    s01 = madd4(x0, y1, s01);
    s02 = madd4(x0, y2, s02);
    s03 = madd4(x0, y3, s03);
    if (two) {
      const x1 = v128.load32_splat(a + ra);
      s10 = madd4(x1, y0, s10);
      s11 = madd4(x1, y1, s11);
      s12 = madd4(x1, y2, s12);
      s13 = madd4(x1, y3, s13);
    }
    a += aStep;
    b += bStep;
  }
  store4(c, s00, alpha, beta);
  store4(c + 16, s01, alpha, beta);
  store4(c + 32, s02, alpha, beta);
  store4(c + 48, s03, alpha, beta);
  if (two) {
    store4(c + ldc, s10, alpha, beta);
    store4(c + ldc + 16, s11, alpha, beta);
    store4(c + ldc + 32, s12, alpha, beta);
    store4(c + ldc + 48, s13, alpha, beta);
  }
}

function gemm_f32_2x16(
  k: i32,
  a: usize,
  ra: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  rowTile(true, k, a, ra, aStep, b, bStep, c, ldc, alpha, beta);
}

function gemm_f32_1x16(
  k: i32,
  a: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  c: usize,
  alpha: f32,
  beta: f32,
): void {
  rowTile(false, k, a, 0, aStep, b, bStep, c, 0, alpha, beta);
}

/** transB == 0, M <= 3: 2x16 and 1x16 tiles over B in place; the last n % 16 columns scalar. */
export function gemmRowsN(
  c: usize,
  ldc: i32,
  a: usize,
  ra: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  const n16 = n & ~15;
  for (let i = 0; i < m; i += 2) {
    const ai = a + <usize>i * ra;
    const ci = c + <usize>i * ldcBytes;
    const rows = min(2, m - i);
    const two = rows == 2;
    for (let j = 0; j < n16; j += 16) {
      const bj = b + (<usize>j << 2);
      const cj = ci + (<usize>j << 2);
      if (two) gemm_f32_2x16(k, ai, ra, aStep, bj, bStep, cj, ldcBytes, alpha, beta);
      else gemm_f32_1x16(k, ai, aStep, bj, bStep, cj, alpha, beta);
    }
    for (let r = 0; r < rows; r++) {
      const cr = ci + <usize>r * ldcBytes;
      rowTail(cr, ai + <usize>r * ra, aStep, b, bStep, n16, n, k, alpha, beta);
    }
  }
}

/** C[j0:n] of one row, accumulated k-outer in the scratch tile so B is read along its rows. */
function rowTail(
  c: usize,
  a: usize,
  aStep: usize,
  b: usize,
  bStep: usize,
  j0: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  if (j0 >= n) return;
  const w = <usize>(n - j0) << 2;
  memory.fill(tile, 0, w);
  b += <usize>j0 << 2;
  for (let p = 0; p < k; p++) {
    const x = load<f32>(a);
    for (let o: usize = 0; o < w; o += 4) {
      store<f32>(tile + o, load<f32>(tile + o) + x * load<f32>(b + o));
    }
    a += aStep;
    b += bStep;
  }
  c += <usize>j0 << 2;
  for (let o: usize = 0; o < w; o += 4) {
    let v = alpha * load<f32>(tile + o);
    if (beta != 0) v += beta * load<f32>(c + o);
    store<f32>(c + o, v);
  }
}

/** C = beta * C; beta == 0 writes zeros without reading C. */
export function scaleC(c: usize, ldc: i32, m: i32, n: i32, beta: f32): void {
  if (beta == 1) return;
  const ldcBytes = <usize>ldc << 2;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const p = c + (<usize>j << 2);
      store<f32>(p, beta == 0 ? 0 : beta * load<f32>(p));
    }
    c += ldcBytes;
  }
}

/** Straight triple loop for tiny problems, any layout: A(i,k) at a + (i*ars + k*acs)*4. */
export function gemmScalar(
  c: usize,
  ldc: i32,
  a: usize,
  ars: usize,
  acs: usize,
  b: usize,
  brs: usize,
  bcs: usize,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  const aks = acs << 2;
  const bks = brs << 2;
  for (let i = 0; i < m; i++) {
    const ai = a + ((<usize>i * ars) << 2);
    for (let j = 0; j < n; j++) {
      let pa = ai;
      let pb = b + ((<usize>j * bcs) << 2);
      let acc: f32 = 0;
      for (let p = 0; p < k; p++) {
        acc += load<f32>(pa) * load<f32>(pb);
        pa += aks;
        pb += bks;
      }
      const pc = c + (<usize>j << 2);
      let v = alpha * acc;
      if (beta != 0) v += beta * load<f32>(pc);
      store<f32>(pc, v);
    }
    c += ldcBytes;
  }
}
