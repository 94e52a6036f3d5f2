/**
 * Vector math shared by the kernels: fused multiply-add that uses relaxed SIMD when the build
 * enables it, f32x4 transcendentals (exp, log, tanh, sigmoid), and the f64x2 log2/exp2 that
 * pow uses for exponents without a cheaper exact form.
 *
 * Every f32x4 function is branch-free and lane-independent, so a lane's result does not depend
 * on its neighbours or on where it sits in an array; the scalar tails of the kernels splat one
 * value through the same code and get bit-identical results.
 *
 * Method (after Cephes' expf/logf/tanhf, whose minimax coefficients are used, and the range
 * reductions of XNNPACK and SLEEF):
 * - exp: x = n ln2 + r, |r| <= ln2/2, with ln2 split in two (Cody-Waite) so n ln2_hi is exact;
 *   e^r = 1 + r + r^2 P(r); 2^n applied as two factors 2^(n>>1) 2^(n-(n>>1)) so that results
 *   down to the subnormal 2^-149 are rounded once, and results above FLT_MAX overflow to +Inf.
 * - log: x = 2^k m with m in [sqrt(1/2), sqrt(2)) taken from the bits (subnormals are first
 *   scaled by 2^23); log m = f - f^2/2 + f^3 P(f), f = m - 1 exact, so log(1 + 1e-7) keeps its
 *   relative accuracy.
 * - tanh: odd; |x| < 0.625 by the odd polynomial x + x^3 P(x^2) (relative accuracy to 0),
 *   otherwise 1 - 2/(e^(2|x|) + 1), which saturates to 1 once e^(2|x|) overflows.
 * - sigmoid: e = e^-|x|, then 1/(1+e) for x >= 0 and e/(1+e) for x < 0, which keeps relative
 *   accuracy for very negative x where 1 - 1/(1+e^x) would cancel.
 * Measured error against correctly rounded float32 is stated in test/kernels/math.test.ts.
 */

/** a * b + c; one fused instruction in the relaxed-SIMD build. */
// @ts-ignore: decorator
@inline export function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

// @ts-ignore: decorator
@inline function i4(v: i32): v128 {
  return i32x4.splat(v);
}

const SIGN: i32 = 0x80000000;
const ONE_BITS: i32 = 0x3f800000;
/** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer in the low bits. */
const ROUND_MAGIC: f32 = 12582912.0;
const ROUND_MAGIC_BITS: i32 = 0x4b400000;
const LN2_HI: f32 = 0.693359375; // 9 significant bits, so n * LN2_HI is exact for |n| < 2^15
const LN2_LO: f32 = -2.12194440e-4;

/** e^x per lane. */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  // Below -104 the result rounds to 0, above 89 to +Inf; the clamp keeps 2^n representable.
  // pmax/pmin with x first return x when it is NaN, so NaN flows through to the result.
  const xc = f32x4.pmin(f32x4.pmax(x, c4(-104.0)), c4(89.0));
  const t = madd4(xc, c4(1.44269504088896341), c4(ROUND_MAGIC));
  const n = f32x4.sub(t, c4(ROUND_MAGIC));
  let r = madd4(n, c4(-LN2_HI), xc);
  r = madd4(n, c4(-LN2_LO), r);
  const r2 = f32x4.mul(r, r);
  let p = madd4(c4(1.9875691500e-4), r, c4(1.3981999507e-3));
  p = madd4(p, r, c4(8.3334519073e-3));
  p = madd4(p, r, c4(4.1665795894e-2));
  p = madd4(p, r, c4(1.6666665459e-1));
  p = madd4(p, r, c4(5.0000001201e-1));
  p = f32x4.add(madd4(p, r2, r), c4(1.0));
  // n in [-150, 128]: each half of it is a normal exponent.
  const ni = i32x4.sub(t, i4(ROUND_MAGIC_BITS));
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.add(i32x4.shl(n1, 23), i4(ONE_BITS));
  const s2 = i32x4.add(i32x4.shl(i32x4.sub(ni, n1), 23), i4(ONE_BITS));
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** Natural log per lane: -Inf at +-0, NaN below 0 and for NaN, +Inf at +Inf. */
// @ts-ignore: decorator
@inline export function log4(x: v128): v128 {
  const sub = f32x4.lt(x, c4(1.17549435e-38));
  const xs = v128.bitselect(f32x4.mul(x, c4(8388608.0)), x, sub);
  // k such that m = x / 2^k lies in [sqrt(1/2), sqrt(2)).
  let k = i32x4.shr_s(i32x4.sub(xs, i4(0x3f3504f3)), 23);
  const m = i32x4.sub(xs, i32x4.shl(k, 23));
  k = i32x4.sub(k, v128.and(sub, i4(23)));
  const e = f32x4.convert_i32x4_s(k);
  const f = f32x4.sub(m, c4(1.0));
  const z = f32x4.mul(f, f);
  let p = madd4(c4(7.0376836292e-2), f, c4(-1.1514610310e-1));
  p = madd4(p, f, c4(1.1676998740e-1));
  p = madd4(p, f, c4(-1.2420140846e-1));
  p = madd4(p, f, c4(1.4249322787e-1));
  p = madd4(p, f, c4(-1.6668057665e-1));
  p = madd4(p, f, c4(2.0000714765e-1));
  p = madd4(p, f, c4(-2.4999993993e-1));
  p = madd4(p, f, c4(3.3333331174e-1));
  let y = f32x4.mul(f32x4.mul(p, f), z);
  y = madd4(e, c4(LN2_LO), y);
  y = madd4(z, c4(-0.5), y);
  const r = madd4(e, c4(LN2_HI), f32x4.add(f, y));
  // Outside (0, +Inf): +-0 -> -Inf, negative -> NaN, +Inf and NaN -> themselves.
  const ok = v128.and(f32x4.gt(x, c4(0.0)), f32x4.lt(x, c4(Infinity)));
  let s = v128.bitselect(c4(NaN), x, f32x4.lt(x, c4(0.0)));
  s = v128.bitselect(c4(-Infinity), s, f32x4.eq(x, c4(0.0)));
  return v128.bitselect(r, s, ok);
}

/** tanh per lane; odd, so tanh(-0) = -0. */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const ax = v128.andnot(x, i4(SIGN));
  const z = f32x4.mul(ax, ax);
  let p = madd4(c4(-5.70498872745e-3), z, c4(2.06390887954e-2));
  p = madd4(p, z, c4(-5.37397155531e-2));
  p = madd4(p, z, c4(1.33314422036e-1));
  p = madd4(p, z, c4(-3.33332819422e-1));
  const small = madd4(f32x4.mul(p, z), ax, ax);
  const e = exp4(f32x4.add(ax, ax));
  const large = f32x4.sub(c4(1.0), f32x4.div(c4(2.0), f32x4.add(e, c4(1.0))));
  const r = v128.bitselect(small, large, f32x4.lt(ax, c4(0.625)));
  return v128.or(r, v128.and(x, i4(SIGN)));
}

/** 1 / (1 + e^-x) per lane. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  const e = exp4(v128.or(x, i4(SIGN)));
  const num = v128.bitselect(c4(1.0), e, f32x4.ge(x, c4(0.0)));
  return f32x4.div(num, f32x4.add(c4(1.0), e));
}

// f64x2 helpers for pow: log2 and exp2 of lanes promoted from f32, accurate to ~2^-40
// relative, so that 2^(p log2|x|) rounded once to f32 is within an ulp of the true power.

// @ts-ignore: decorator
@inline function c2(v: f64): v128 {
  return f64x2.splat(v);
}

/** 1.5 * 2^52, the f64 counterpart of ROUND_MAGIC. */
const ROUND_MAGIC64: f64 = 6755399441055744.0;
const ROUND_MAGIC64_BITS: i64 = 0x4338000000000000;

/** log2(a) per lane for a positive, finite and normal (any float promoted to f64 is normal). */
// @ts-ignore: decorator
@inline export function log2_f64x2(a: v128): v128 {
  const k = i64x2.shr_s(i64x2.sub(a, i64x2.splat(0x3fe6a09e667f3bcd)), 52);
  const m = i64x2.sub(a, i64x2.shl(k, 52));
  const kf = f64x2.sub(i64x2.add(k, i64x2.splat(ROUND_MAGIC64_BITS)), c2(ROUND_MAGIC64));
  // log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), s = (m-1)/(m+1), |s| < 0.172.
  const s = f64x2.div(f64x2.sub(m, c2(1.0)), f64x2.add(m, c2(1.0)));
  const s2 = f64x2.mul(s, s);
  let q = f64x2.add(f64x2.mul(c2(0.076923076923076927), s2), c2(0.090909090909090912));
  q = f64x2.add(f64x2.mul(q, s2), c2(0.11111111111111110));
  q = f64x2.add(f64x2.mul(q, s2), c2(0.14285714285714285));
  q = f64x2.add(f64x2.mul(q, s2), c2(0.2));
  q = f64x2.add(f64x2.mul(q, s2), c2(0.33333333333333331));
  q = f64x2.add(f64x2.mul(q, s2), c2(1.0));
  return f64x2.add(kf, f64x2.mul(f64x2.mul(s, q), c2(2.8853900817779268)));
}

/** 2^y per lane for y in [-1000, 1000] (NaN passes through). */
// @ts-ignore: decorator
@inline export function exp2_f64x2(y: v128): v128 {
  const t = f64x2.add(y, c2(ROUND_MAGIC64));
  const f = f64x2.sub(y, f64x2.sub(t, c2(ROUND_MAGIC64)));
  // Taylor series of 2^f = e^(f ln2) on |f| <= 1/2; the first omitted term is < 2^-37.
  let p = f64x2.add(f64x2.mul(c2(1.0178086009239695e-7), f), c2(1.3215486790144303e-6));
  p = f64x2.add(f64x2.mul(p, f), c2(1.5252733804059833e-5));
  p = f64x2.add(f64x2.mul(p, f), c2(1.5403530393381603e-4));
  p = f64x2.add(f64x2.mul(p, f), c2(1.3333558146428439e-3));
  p = f64x2.add(f64x2.mul(p, f), c2(9.6181291076284751e-3));
  p = f64x2.add(f64x2.mul(p, f), c2(5.5504108664821569e-2));
  p = f64x2.add(f64x2.mul(p, f), c2(0.24022650695910069));
  p = f64x2.add(f64x2.mul(p, f), c2(0.69314718055994529));
  p = f64x2.add(f64x2.mul(p, f), c2(1.0));
  const n = i64x2.sub(t, i64x2.splat(ROUND_MAGIC64_BITS));
  return f64x2.mul(p, i64x2.shl(i64x2.add(n, i64x2.splat(1023)), 52));
}
