/**
 * f64x2 special functions behind the kernels of elementwise.ts: sin/cos, erf, log1p, expm1,
 * atan2 and pow with a per-lane exponent. Each works on two lanes promoted from f32 and is
 * evaluated in f64 with plain multiply-adds, so the one rounding to f32 at the end dominates
 * the error and both builds (simd, relaxed) give bit-identical results. Bounds measured against
 * correctly rounded float32 are stated in test/kernels/special.test.ts.
 *
 * - sin/cos (after ARM optimized-routines' sinf/cosf, whose polynomials are used): x = n pi/2 + r,
 *   |r| <= pi/4, n = round(x 2/pi) in f64 for |x| < 120; larger finite x are reduced exactly one
 *   lane at a time with 192 bits of 2/pi (a 32x96-bit product: reduceLarge), so sin(1e38) is right.
 * - erf: |x| < 1: x A(x^2); otherwise 1 - e^(-x^2) B(|x| - 2.5) with |x| clamped to 4, beyond
 *   which erf rounds to +-1. A (degree 8) and B (degree 14) are least-squares fits made for this
 *   file (relative error 1e-12 and 2.4e-10 in f64), far below float32's half ulp.
 * - log1p: u = 1 + x, log u + (x - (u - 1)) / u (the correction restores the bits of x lost in
 *   the sum); expm1: a Taylor series to x^12 for |x| < 1/2, else e^x - 1.
 * - atan2: a = min(|x|,|y|) / max(|x|,|y|), atan a by its odd series after a -> (a-1)/(a+1) above
 *   tan(pi/8), then the octant and quadrant by symmetry; IEEE's zeros and infinities.
 * - pow: 2^(y log2|x|), with C's special cases (as torch.pow): x^0 = 1^y = 1, (-1)^(+-Inf) = 1,
 *   odd integer y keeps x's sign, NaN for a finite negative x and non-integer y.
 */
import { exp2_f64x2, log2_f64x2 } from "./math";

// @ts-ignore: decorator
@inline function c2(v: f64): v128 {
  return f64x2.splat(v);
}

// @ts-ignore: decorator
@inline function madd2(a: v128, b: v128, c: v128): v128 {
  return f64x2.add(f64x2.mul(a, b), c);
}

const SIGN64: i64 = 0x8000000000000000;

// @ts-ignore: decorator
@inline function copysign2(magnitude: v128, sign: v128): v128 {
  const s = i64x2.splat(SIGN64);
  return v128.or(v128.andnot(magnitude, s), v128.and(sign, s));
}

// ---- sin, cos ----

const HPI: f64 = 1.5707963267948966;
const HPI_INV: f64 = 0.6366197723675814;
/** pi/2 * 2^-62: one unit of reduceLarge's 2.62 fixed-point remainder. */
const PI63: f64 = HPI / 4611686018427387904.0;
const S1: f64 = -0.16666654943701084;
const S2: f64 = 0.008332178146138854;
const S3: f64 = -0.00019517298981385725;
const C1: f64 = -0.49999999725108224;
const C2: f64 = 0.041666623324344516;
const C3: f64 = -0.001388676379437604;
const C4: f64 = 2.4390450703564542e-5;

/** 2/pi, 8 new bits per entry so that any 96-bit window starts at an entry. */
const INV_PIO4: StaticArray<u32> = [
  0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e, 0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
  0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1, 0x2757d1f5, 0x57d1f534, 0xd1f534dd,
  0xf534ddc0, 0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599, 0x6295993c, 0x95993c43,
  0x993c4390, 0x3c439041,
];

/** The quadrant reduceLarge found (a second return value). */
let largeQuadrant: i32 = 0;

/**
 * |x| mod pi/2 for a float32 with |x| >= 120 given by its bits: the product of the 24-bit
 * significand with the 96 bits of 2/pi that matter at its exponent, kept modulo 4 as a 2.62
 * fixed-point number. Returns r in [-pi/4, pi/4] and sets largeQuadrant.
 */
function reduceLarge(bits: u32): f64 {
  const base = <i32>((bits >> 26) & 15);
  const shift = (bits >> 23) & 7;
  const m: u32 = ((bits & 0xffffff) | 0x800000) << shift;
  let res0: u64 = <u64>(m * unchecked(INV_PIO4[base]));
  const res1: u64 = <u64>m * <u64>unchecked(INV_PIO4[base + 4]);
  const res2: u64 = <u64>m * <u64>unchecked(INV_PIO4[base + 8]);
  res0 = (res2 >> 32) | (res0 << 32);
  res0 += res1;
  const n: u64 = (res0 + (<u64>1 << 61)) >> 62;
  res0 -= n << 62;
  largeQuadrant = <i32>n;
  return <f64>(<i64>res0) * PI63;
}

/** Reduces one large lane of x in place in (r, n); the sign goes into both. */
// @ts-ignore: decorator
@inline function largeLane(x: f64): f64 {
  const r = reduceLarge(reinterpret<u32>(<f32>x) & 0x7fffffff);
  if (x < 0) {
    largeQuadrant = -largeQuadrant;
    return -r;
  }
  return r;
}

/** sin x (shift 0) or cos x (shift 1, as cos x = sin(x + pi/2)) of f64 lanes holding floats. */
// @ts-ignore: decorator
@inline export function sincos_f64x2(x: v128, shift: f64): v128 {
  let n = f64x2.nearest(f64x2.mul(x, c2(HPI_INV)));
  let r = f64x2.sub(x, f64x2.mul(n, c2(HPI)));
  const ax = f64x2.abs(x);
  const big = v128.and(f64x2.ge(ax, c2(120.0)), f64x2.lt(ax, c2(Infinity)));
  if (v128.any_true(big)) {
    if (i64x2.extract_lane(big, 0) != 0) {
      r = f64x2.replace_lane(r, 0, largeLane(f64x2.extract_lane(x, 0)));
      n = f64x2.replace_lane(n, 0, <f64>largeQuadrant);
    }
    if (i64x2.extract_lane(big, 1) != 0) {
      r = f64x2.replace_lane(r, 1, largeLane(f64x2.extract_lane(x, 1)));
      n = f64x2.replace_lane(n, 1, <f64>largeQuadrant);
    }
  }
  // q = (n + shift) mod 4, exact in f64.
  let q = f64x2.add(n, c2(shift));
  q = f64x2.sub(q, f64x2.mul(f64x2.floor(f64x2.mul(q, c2(0.25))), c2(4.0)));
  const r2 = f64x2.mul(r, r);
  const r3 = f64x2.mul(r, r2);
  const s = f64x2.add(madd2(r3, c2(S1), r), f64x2.mul(f64x2.mul(r3, r2), madd2(r2, c2(S3), c2(S2))));
  const r4 = f64x2.mul(r2, r2);
  const c = f64x2.add(
    madd2(r4, c2(C2), madd2(r2, c2(C1), c2(1.0))),
    f64x2.mul(f64x2.mul(r4, r2), madd2(r2, c2(C4), c2(C3))),
  );
  const odd = v128.or(f64x2.eq(q, c2(1.0)), f64x2.eq(q, c2(3.0)));
  let y = v128.bitselect(c, s, odd);
  y = v128.xor(y, v128.and(f64x2.ge(q, c2(2.0)), i64x2.splat(SIGN64)));
  // sin x = x to float32 precision below 2^-12; this also keeps -0 and subnormals exact.
  if (shift == 0.0) y = v128.bitselect(x, y, f64x2.lt(ax, c2(0.000244140625)));
  return y;
}

// ---- erf ----

const LOG2E: f64 = 1.4426950408889634;

// @ts-ignore: decorator
@inline export function erf_f64x2(x: v128): v128 {
  const ax = f64x2.abs(x);
  const u = f64x2.mul(x, x);
  let a = madd2(c2(1.0595276807272405e-6), u, c2(-1.3911704867637805e-5));
  a = madd2(a, u, c2(0.00011956948053517055));
  a = madd2(a, u, c2(-0.0008542670735612688));
  a = madd2(a, u, c2(0.005223785018805524));
  a = madd2(a, u, c2(-0.0268661336298545));
  a = madd2(a, u, c2(0.11283791313582195));
  a = madd2(a, u, c2(-0.3761263888987622));
  a = madd2(a, u, c2(1.1283791670946965));
  const small = f64x2.mul(x, a);
  // f64x2.min keeps NaN, which then flows through the large branch.
  const xm = f64x2.min(ax, c2(4.0));
  const t = f64x2.sub(xm, c2(2.5));
  let b = madd2(c2(6.210548150824326e-9), t, c2(-2.599051387123622e-8));
  b = madd2(b, t, c2(5.760049651842539e-8));
  b = madd2(b, t, c2(-2.3687831340927736e-7));
  b = madd2(b, t, c2(1.1041783451657166e-6));
  b = madd2(b, t, c2(-4.278963512302812e-6));
  b = madd2(b, t, c2(1.5941338803078666e-5));
  b = madd2(b, t, c2(-5.880791201208751e-5));
  b = madd2(b, t, c2(0.00021103177834717957));
  b = madd2(b, t, c2(-0.0007336202797117365));
  b = madd2(b, t, c2(0.0024670334115656895));
  b = madd2(b, t, c2(-0.00800156319380951));
  b = madd2(b, t, c2(0.024937997454822874));
  b = madd2(b, t, c2(-0.07434734716620879));
  b = madd2(b, t, c2(0.21080636405462425));
  const e = exp2_f64x2(f64x2.mul(f64x2.mul(xm, xm), c2(-LOG2E)));
  const large = copysign2(f64x2.sub(c2(1.0), f64x2.mul(e, b)), x);
  return v128.bitselect(small, large, f64x2.lt(ax, c2(1.0)));
}

// ---- log1p, expm1 ----

const LN2: f64 = 0.6931471805599453;
const TINY: f64 = 9.313225746154785e-10; // 2^-30: below it log1p x = expm1 x = x in float32

// @ts-ignore: decorator
@inline export function log1p_f64x2(x: v128): v128 {
  const u = f64x2.add(x, c2(1.0));
  const corr = f64x2.div(f64x2.sub(x, f64x2.sub(u, c2(1.0))), u);
  let r = madd2(log2_f64x2(u), c2(LN2), corr);
  r = v128.bitselect(x, r, f64x2.lt(f64x2.abs(x), c2(TINY)));
  // Outside (-1, Inf): -1 -> -Inf, below -1 -> NaN, +Inf and NaN -> themselves.
  const ok = v128.and(f64x2.gt(x, c2(-1.0)), f64x2.lt(x, c2(Infinity)));
  let s = v128.bitselect(c2(NaN), x, f64x2.lt(x, c2(-1.0)));
  s = v128.bitselect(c2(-Infinity), s, f64x2.eq(x, c2(-1.0)));
  return v128.bitselect(r, s, ok);
}

// @ts-ignore: decorator
@inline export function expm1_f64x2(x: v128): v128 {
  let p = madd2(c2(2.08767569878681e-9), x, c2(2.505210838544172e-8));
  p = madd2(p, x, c2(2.755731922398589e-7));
  p = madd2(p, x, c2(2.7557319223985893e-6));
  p = madd2(p, x, c2(2.48015873015873e-5));
  p = madd2(p, x, c2(0.0001984126984126984));
  p = madd2(p, x, c2(0.001388888888888889));
  p = madd2(p, x, c2(0.008333333333333333));
  p = madd2(p, x, c2(0.041666666666666664));
  p = madd2(p, x, c2(0.16666666666666666));
  p = madd2(p, x, c2(0.5));
  const small = madd2(f64x2.mul(x, x), p, x);
  // Clamped so that exp2 stays in range; pmax/pmin with x first keep NaN.
  const xc = f64x2.pmin(f64x2.pmax(x, c2(-200.0)), c2(200.0));
  const large = f64x2.sub(exp2_f64x2(f64x2.mul(xc, c2(LOG2E))), c2(1.0));
  const ax = f64x2.abs(x);
  const r = v128.bitselect(small, large, f64x2.lt(ax, c2(0.5)));
  return v128.bitselect(x, r, f64x2.lt(ax, c2(TINY)));
}

// ---- atan2 ----

const PI: f64 = 3.141592653589793;
const PIO4: f64 = 0.7853981633974483;
const TAN_PI_8: f64 = 0.41421356237309503;

// @ts-ignore: decorator
@inline export function atan2_f64x2(y: v128, x: v128): v128 {
  const ay = f64x2.abs(y);
  const ax = f64x2.abs(x);
  let num = f64x2.min(ax, ay);
  let den = f64x2.max(ax, ay);
  const bothInf = v128.and(f64x2.eq(ax, c2(Infinity)), f64x2.eq(ay, c2(Infinity)));
  num = v128.bitselect(c2(1.0), num, bothInf);
  den = v128.bitselect(c2(1.0), den, bothInf);
  let a = f64x2.div(num, den);
  a = v128.bitselect(c2(0.0), a, f64x2.eq(den, c2(0.0)));
  const hi = f64x2.gt(a, c2(TAN_PI_8));
  const t = v128.bitselect(f64x2.div(f64x2.sub(a, c2(1.0)), f64x2.add(a, c2(1.0))), a, hi);
  const t2 = f64x2.mul(t, t);
  // atan t = t - t^3/3 + t^5/5 - ...; |t| <= tan(pi/8), so the omitted terms are < 1e-11 t.
  let p = madd2(c2(-1.0 / 23.0), t2, c2(1.0 / 21.0));
  p = madd2(p, t2, c2(-1.0 / 19.0));
  p = madd2(p, t2, c2(1.0 / 17.0));
  p = madd2(p, t2, c2(-1.0 / 15.0));
  p = madd2(p, t2, c2(1.0 / 13.0));
  p = madd2(p, t2, c2(-1.0 / 11.0));
  p = madd2(p, t2, c2(1.0 / 9.0));
  p = madd2(p, t2, c2(-1.0 / 7.0));
  p = madd2(p, t2, c2(1.0 / 5.0));
  p = madd2(p, t2, c2(-1.0 / 3.0));
  let ang = madd2(f64x2.mul(t, t2), p, t);
  ang = v128.bitselect(f64x2.add(ang, c2(PIO4)), ang, hi);
  ang = v128.bitselect(f64x2.sub(c2(HPI), ang), ang, f64x2.gt(ay, ax));
  ang = v128.bitselect(f64x2.sub(c2(PI), ang), ang, i64x2.lt_s(x, i64x2.splat(0)));
  return copysign2(ang, y);
}

// ---- pow ----

// @ts-ignore: decorator
@inline export function pow_f64x2(x: v128, y: v128): v128 {
  const ax = f64x2.abs(x);
  let l = log2_f64x2(ax);
  l = v128.bitselect(c2(-Infinity), l, f64x2.eq(ax, c2(0.0)));
  l = v128.bitselect(l, ax, f64x2.lt(ax, c2(Infinity)));
  // Beyond +-300 the float32 result is 0 or Inf anyway; pmax/pmin keep NaN.
  const e = f64x2.pmin(f64x2.pmax(f64x2.mul(l, y), c2(-300.0)), c2(300.0));
  let r = exp2_f64x2(e);
  const isInt = f64x2.eq(y, f64x2.trunc(y));
  const half = f64x2.mul(y, c2(0.5));
  const odd = v128.and(
    v128.and(isInt, f64x2.lt(f64x2.abs(y), c2(9007199254740992.0))),
    f64x2.ne(half, f64x2.trunc(half)),
  );
  r = v128.or(r, v128.and(odd, v128.and(x, i64x2.splat(SIGN64))));
  const negFinite = v128.and(f64x2.lt(x, c2(0.0)), f64x2.gt(x, c2(-Infinity)));
  r = v128.bitselect(c2(NaN), r, v128.andnot(negFinite, isInt));
  let one = v128.or(f64x2.eq(x, c2(1.0)), f64x2.eq(y, c2(0.0)));
  one = v128.or(one, v128.and(f64x2.eq(ax, c2(1.0)), f64x2.eq(f64x2.abs(y), c2(Infinity))));
  return v128.bitselect(c2(1.0), r, one);
}
