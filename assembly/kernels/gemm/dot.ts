/**
 * NT for small M, unpacked: C[i, j] = dot(A row i, B row j), both rows contiguous along k, so B
 * is never transposed (for M <= 8 that transpose costs as much as the product).
 */
import { madd4 } from "../math";

/** [sum(x0), sum(x1), sum(x2), sum(x3)]. */
// @ts-ignore: decorator
@inline function hsum4(x0: v128, x1: v128, x2: v128, x3: v128): v128 {
  const t0 = f32x4.add(f32x4.shuffle(x0, x1, 0, 4, 1, 5), f32x4.shuffle(x0, x1, 2, 6, 3, 7));
  const t1 = f32x4.add(f32x4.shuffle(x2, x3, 0, 4, 1, 5), f32x4.shuffle(x2, x3, 2, 6, 3, 7));
  return f32x4.add(f32x4.shuffle(t0, t1, 0, 1, 4, 5), f32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

/** alpha * x + beta * C for 4 contiguous entries of C; beta == 0 does not read C. */
// @ts-ignore: decorator
@inline export function store4(c: usize, x: v128, alpha: f32, beta: f32): void {
  let v = f32x4.mul(x, f32x4.splat(alpha));
  if (beta != 0) v = madd4(f32x4.splat(beta), v128.load(c), v);
  v128.store(c, v);
}

/**
 * Two rows of A (a, a + ra) against four rows of B (b + 0..3 * rb): 8 f32x4 accumulators over
 * k in steps of 4, the same 6 loads per 8 multiply-adds as gemm_f32_4x8, then a horizontal
 * sum. Writes C[0:2, 0:4].
 */
function dot_f32_2x4(
  k: i32,
  a: usize,
  ra: usize,
  b: usize,
  rb: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  dotTile(true, k, a, ra, b, rb, c, ldc, alpha, beta);
}

/** One row of A against four rows of B: for M == 1 (matrix-vector) and an odd last row. */
function dot_f32_1x4(k: i32, a: usize, b: usize, rb: usize, c: usize, alpha: f32, beta: f32): void {
  dotTile(false, k, a, 0, b, rb, c, 0, alpha, beta);
}

// @ts-ignore: decorator
@inline function dotTile(
  two: bool,
  k: i32,
  a: usize,
  ra: usize,
  b: usize,
  rb: usize,
  c: usize,
  ldc: usize,
  alpha: f32,
  beta: f32,
): void {
  const a1 = a + ra;
  const b1 = b + rb;
  const b2 = b1 + rb;
  const b3 = b2 + rb;
  let s00 = f32x4.splat(0);
  let s01 = f32x4.splat(0);
  let s02 = f32x4.splat(0);
  let s03 = f32x4.splat(0);
  let s10 = f32x4.splat(0);
  let s11 = f32x4.splat(0);
  let s12 = f32x4.splat(0);
  let s13 = f32x4.splat(0);
  const end = <usize>(k & ~3) << 2;
  for (let o: usize = 0; o != end; o += 16) {
    const x0 = v128.load(a + o);
    const y0 = v128.load(b + o);
    const y1 = v128.load(b1 + o);
    const y2 = v128.load(b2 + o);
    const y3 = v128.load(b3 + o);
    s00 = madd4(x0, y0, s00);
    s01 = madd4(x0, y1, s01);
    s02 = madd4(x0, y2, s02);
    s03 = madd4(x0, y3, s03);
    if (two) {
      const x1 = v128.load(a1 + o);
      s10 = madd4(x1, y0, s10);
      s11 = madd4(x1, y1, s11);
      s12 = madd4(x1, y2, s12);
      s13 = madd4(x1, y3, s13);
    }
  }
  let r0 = hsum4(s00, s01, s02, s03);
  let r1 = two ? hsum4(s10, s11, s12, s13) : r0;
  for (let o = end; o != <usize>k << 2; o += 4) {
    let y = f32x4.splat(load<f32>(b + o));
    y = f32x4.replace_lane(y, 1, load<f32>(b1 + o));
    y = f32x4.replace_lane(y, 2, load<f32>(b2 + o));
    y = f32x4.replace_lane(y, 3, load<f32>(b3 + o));
    r0 = madd4(v128.load32_splat(a + o), y, r0);
    if (two) r1 = madd4(v128.load32_splat(a1 + o), y, r1);
  }
  store4(c, r0, alpha, beta);
  if (two) store4(c + ldc, r1, alpha, beta);
}

/** One dot product of k floats, for the columns left over from the 4-column tiles. */
function dot1(k: i32, a: usize, b: usize): f32 {
  let s = f32x4.splat(0);
  const end = <usize>(k & ~3) << 2;
  let o: usize = 0;
  for (; o != end; o += 16) s = madd4(v128.load(a + o), v128.load(b + o), s);
  const h = f32x4.add(s, f32x4.shuffle(s, s, 2, 3, 0, 1));
  let r = f32x4.extract_lane(h, 0) + f32x4.extract_lane(h, 1);
  for (; o != <usize>k << 2; o += 4) r += load<f32>(a + o) * load<f32>(b + o);
  return r;
}

/** NT (A[i*lda + k], B[j*ldb + k]) with small M: 2x4 dot tiles, no packing. ra/rb in bytes. */
export function gemmDotNT(
  c: usize,
  ldc: i32,
  a: usize,
  ra: usize,
  b: usize,
  rb: usize,
  m: i32,
  n: i32,
  k: i32,
  alpha: f32,
  beta: f32,
): void {
  const ldcBytes = <usize>ldc << 2;
  const n4 = n & ~3;
  for (let i = 0; i < m; i += 2) {
    const ai = a + <usize>i * ra;
    const ci = c + <usize>i * ldcBytes;
    const rows = min(2, m - i);
    for (let j = 0; j < n4; j += 4) {
      const bj = b + <usize>j * rb;
      const cj = ci + (<usize>j << 2);
      if (rows == 2) dot_f32_2x4(k, ai, ra, bj, rb, cj, ldcBytes, alpha, beta);
      else dot_f32_1x4(k, ai, bj, rb, cj, alpha, beta);
    }
    for (let r = 0; r < rows; r++) {
      const ar = ai + <usize>r * ra;
      const cr = ci + <usize>r * ldcBytes;
      for (let jj = n4; jj < n; jj++) {
        const p = cr + (<usize>jj << 2);
        let v = alpha * dot1(k, ar, b + <usize>jj * rb);
        if (beta != 0) v += beta * load<f32>(p);
        store<f32>(p, v);
      }
    }
  }
}
