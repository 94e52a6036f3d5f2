/**
 * Scans and products along one dim: cumsum, cumprod and prod. See index.ts for the ABI.
 *
 * Layout: x is contiguous [outer, r, inner] and the scan runs along r:
 *   cumsum   dst[o,k,j] = sum  x[o,k',j] over k' <= k (k' >= k when reverse != 0)
 *   cumprod  dst[o,k,j] = prod x[o,k',j] over the same k'
 *   prod     dst[o,j]   = prod x[o,k,j] over all k  (dst is [outer, inner])
 * The running value is kept in f64 and rounded once per output, as PyTorch's CPU kernels
 * accumulate floats in double. Two neighbouring columns j share one f64x2 accumulator; the
 * last column of an odd `inner` runs alone through the same code, so results do not depend on
 * position. dst may alias x for the scans (each element is read before it is written).
 */

const SUM = 0;
const PROD = 1;

// @ts-ignore: decorator
@inline function combine(op: i32, acc: v128, v: v128): v128 {
  return op == SUM ? f64x2.add(acc, v) : f64x2.mul(acc, v);
}

// @ts-ignore: decorator
@inline function load2(p: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(p));
}

// @ts-ignore: decorator
@inline function load1(p: usize): v128 {
  return f64x2.splat(<f64>load<f32>(p));
}

// @ts-ignore: decorator
@inline function scanColumns(
  op: i32,
  dst: usize,
  x: usize,
  r: i32,
  inner: i32,
  reverse: bool,
  pair: bool,
): void {
  let acc = f64x2.splat(op == SUM ? 0.0 : 1.0);
  const step = <usize>inner << 2;
  for (let kk = 0; kk < r; kk++) {
    const k = reverse ? r - 1 - kk : kk;
    const off = <usize>k * step;
    acc = combine(op, acc, pair ? load2(x + off) : load1(x + off));
    const v = f32x4.demote_f64x2_zero(acc);
    if (pair) v128.store64_lane(dst + off, v, 0);
    else store<f32>(dst + off, f32x4.extract_lane(v, 0));
  }
}

// @ts-ignore: decorator
@inline function scan(
  op: i32,
  dst: usize,
  x: usize,
  outer: i32,
  r: i32,
  inner: i32,
  reverse: bool,
): void {
  const slab = <usize>r * <usize>inner * 4;
  for (let o = 0; o < outer; o++) {
    const base = <usize>o * slab;
    let j = 0;
    for (; j + 2 <= inner; j += 2) {
      const off = base + (<usize>j << 2);
      scanColumns(op, dst + off, x + off, r, inner, reverse, true);
    }
    if (j < inner) {
      const off = base + (<usize>j << 2);
      scanColumns(op, dst + off, x + off, r, inner, reverse, false);
    }
  }
}

/** Cumulative sum along r (from the end when reverse != 0). */
export function cumsum_f32(
  dst: usize,
  x: usize,
  outer: i32,
  r: i32,
  inner: i32,
  reverse: i32,
): void {
  if (reverse != 0) scan(SUM, dst, x, outer, r, inner, true);
  else scan(SUM, dst, x, outer, r, inner, false);
}

/** Cumulative product along r (from the end when reverse != 0). */
export function cumprod_f32(
  dst: usize,
  x: usize,
  outer: i32,
  r: i32,
  inner: i32,
  reverse: i32,
): void {
  if (reverse != 0) scan(PROD, dst, x, outer, r, inner, true);
  else scan(PROD, dst, x, outer, r, inner, false);
}

/** Product along r: dst is [outer, inner]; an empty product (r = 0) is 1. */
export function prod_f32(dst: usize, x: usize, outer: i32, r: i32, inner: i32): void {
  const slab = <usize>r * <usize>inner * 4;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc: f64 = 1.0;
      let p = x + <usize>o * slab + (<usize>j << 2);
      for (let k = 0; k < r; k++) {
        acc *= <f64>load<f32>(p);
        p += <usize>inner << 2;
      }
      store<f32>(dst + ((<usize>o * <usize>inner + <usize>j) << 2), <f32>acc);
    }
  }
}
