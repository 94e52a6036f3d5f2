/**
 * More elementwise kernels (torch's names): see index.ts for the ABI.
 *
 *   dst[i] = f(x[i])       sin cos erf log1p expm1 rsqrt (special.ts, in f64, one rounding)
 *                          square reciprocal sign floor ceil round trunc frac (f32)
 *   dst[i] = f(a[i], b[i]) atan2(y, x), pow(x, y) with a tensor exponent (special.ts)
 *
 * Layout: contiguous f32 arrays of n elements; every kernel reads element i before it writes
 * it, so dst may alias an input. As in unary.ts, each kernel is an f32x4 main loop and a scalar
 * tail that splats the element through the same vector code (position-independent results),
 * and one inlined loop is specialised per constant operation code.
 *
 * torch's conventions: sign(NaN) = sign(-0) = 0; round is half to even (f32x4.nearest);
 * frac x = x - trunc x, so frac(+-Inf) = NaN; rsqrt(-0) = -Inf.
 */
import {
  atan2_f64x2,
  erf_f64x2,
  expm1_f64x2,
  log1p_f64x2,
  pow_f64x2,
  sincos_f64x2,
} from "./special";
import { log2_f64x2 } from "./math";

const SIN = 0;
const COS = 1;
const ERF = 2;
const LOG1P = 3;
const EXPM1 = 4;
const RSQRT = 5;
/** Codes from F32 on are computed in f32. */
const F32 = 16;
const SQUARE = 16;
const RECIPROCAL = 17;
const SIGN = 18;
const FLOOR = 19;
const CEIL = 20;
const ROUND = 21;
const TRUNC = 22;
const FRAC = 23;

const ATAN2 = 0;
const POW = 1;

// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

// @ts-ignore: decorator
@inline function high(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

// @ts-ignore: decorator
@inline function join(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline function apply64(op: i32, x: v128): v128 {
  if (op == SIN) return sincos_f64x2(x, 0.0);
  if (op == COS) return sincos_f64x2(x, 1.0);
  if (op == ERF) return erf_f64x2(x);
  if (op == LOG1P) return log1p_f64x2(x);
  if (op == EXPM1) return expm1_f64x2(x);
  return f64x2.div(f64x2.splat(1.0), f64x2.sqrt(x)); // RSQRT
}

// @ts-ignore: decorator
@inline function apply(op: i32, v: v128): v128 {
  if (op < F32) return join(apply64(op, f64x2.promote_low_f32x4(v)), apply64(op, high(v)));
  if (op == SQUARE) return f32x4.mul(v, v);
  if (op == RECIPROCAL) return f32x4.div(c4(1.0), v);
  if (op == SIGN) {
    // (x > 0) - (x < 0): NaN and -0 give +0.
    const pos = v128.and(f32x4.gt(v, c4(0.0)), c4(1.0));
    return f32x4.sub(pos, v128.and(f32x4.lt(v, c4(0.0)), c4(1.0)));
  }
  if (op == FLOOR) return f32x4.floor(v);
  if (op == CEIL) return f32x4.ceil(v);
  if (op == ROUND) return f32x4.nearest(v);
  if (op == TRUNC) return f32x4.trunc(v);
  return f32x4.sub(v, f32x4.trunc(v)); // FRAC
}

// @ts-ignore: decorator
@inline function map(op: i32, dst: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, apply(op, v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, f32x4.extract_lane(apply(op, f32x4.splat(load<f32>(x + o))), 0));
  }
}

// @ts-ignore: decorator
@inline function apply2(op: i32, a: v128, b: v128): v128 {
  if (op == ATAN2) return atan2_f64x2(a, b);
  return pow_f64x2(a, b);
}

// @ts-ignore: decorator
@inline function map2(op: i32, dst: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const va = v128.load(a + o);
    const vb = v128.load(b + o);
    const lo = apply2(op, f64x2.promote_low_f32x4(va), f64x2.promote_low_f32x4(vb));
    v128.store(dst + o, join(lo, apply2(op, high(va), high(vb))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const va = f64x2.splat(<f64>load<f32>(a + o));
    const r = apply2(op, va, f64x2.splat(<f64>load<f32>(b + o)));
    store<f32>(dst + o, <f32>f64x2.extract_lane(r, 0));
  }
}

/** dst = sin x */
export function sin_f32(dst: usize, x: usize, n: i32): void {
  map(SIN, dst, x, n);
}

/** dst = cos x */
export function cos_f32(dst: usize, x: usize, n: i32): void {
  map(COS, dst, x, n);
}

/** dst = erf x */
export function erf_f32(dst: usize, x: usize, n: i32): void {
  map(ERF, dst, x, n);
}

/** dst = ln(1 + x) */
export function log1p_f32(dst: usize, x: usize, n: i32): void {
  map(LOG1P, dst, x, n);
}

/** dst = e^x - 1 */
export function expm1_f32(dst: usize, x: usize, n: i32): void {
  map(EXPM1, dst, x, n);
}

/** dst = 1 / sqrt x */
export function rsqrt_f32(dst: usize, x: usize, n: i32): void {
  map(RSQRT, dst, x, n);
}

/** dst = x * x */
export function square_f32(dst: usize, x: usize, n: i32): void {
  map(SQUARE, dst, x, n);
}

/** dst = 1 / x */
export function reciprocal_f32(dst: usize, x: usize, n: i32): void {
  map(RECIPROCAL, dst, x, n);
}

/** dst = (x > 0) - (x < 0) */
export function sign_f32(dst: usize, x: usize, n: i32): void {
  map(SIGN, dst, x, n);
}

/** dst = floor x */
export function floor_f32(dst: usize, x: usize, n: i32): void {
  map(FLOOR, dst, x, n);
}

/** dst = ceil x */
export function ceil_f32(dst: usize, x: usize, n: i32): void {
  map(CEIL, dst, x, n);
}

/** dst = x rounded to the nearest integer, ties to even */
export function round_f32(dst: usize, x: usize, n: i32): void {
  map(ROUND, dst, x, n);
}

/** dst = trunc x */
export function trunc_f32(dst: usize, x: usize, n: i32): void {
  map(TRUNC, dst, x, n);
}

/** dst = x - trunc x */
export function frac_f32(dst: usize, x: usize, n: i32): void {
  map(FRAC, dst, x, n);
}

/** dst = atan2(y, x), the angle of the point (x, y) */
export function atan2_f32(dst: usize, y: usize, x: usize, n: i32): void {
  map2(ATAN2, dst, y, x, n);
}

/** dst = x ^ y elementwise (torch.pow with a tensor exponent) */
export function pow_tensor_f32(dst: usize, x: usize, y: usize, n: i32): void {
  map2(POW, dst, x, y, n);
}

// ---- gradients of the two-operand maps (scalar f64: backward passes are not the hot path) ----

/** 2^300 and 2^-300: pow_f64x2's results at its exponent clamp. */
const POW_CLAMP_HI: f64 = 2.037035976334486e90;
const POW_CLAMP_LO: f64 = 4.909093465297727e-91;

/**
 * pow_tensor_bwd_f32 at element o (byte offset) of the lane's x, given x^(y-1) from pow_f64x2
 * and log2 x from math.ts's log2_f64x2 (both about 2^-37 relative; the standard library's f64
 * Math.pow and Math.log carry 10 KB of lookup tables, a fifth of the deflated binary).
 */
// @ts-ignore: decorator
@inline function powBwdAt(
  dx: usize, dy: usize, g: usize, y: usize, out: usize, o: usize, xv: f64, p: f64, l2: f64,
): void {
  const gv = <f64>load<f32>(g + o);
  const yv = <f64>load<f32>(y + o);
  // pow_f64x2 clamps its exponent to +-300, enough for a float32 power: its ends are 0 and
  // Inf, as for torch, which computes x^(y-1) in float32.
  if (abs(p) >= POW_CLAMP_HI) p = copysign<f64>(Infinity, p);
  else if (abs(p) <= POW_CLAMP_LO) p = copysign<f64>(0.0, p);
  // ln x: log2_f64x2 holds for positive finite x only.
  let ln = xv == 0.0 ? -Infinity : xv > 0.0 ? xv : NaN;
  if (xv > 0.0 && xv < Infinity) ln = l2 * Math.LN2;
  store<f32>(dx + o, yv == 0.0 ? 0.0 : <f32>(gv * yv * p));
  store<f32>(dy + o, xv == 0.0 && yv >= 0.0 ? 0.0 : <f32>(gv * <f64>load<f32>(out + o) * ln));
}

/**
 * pow's gradients at the broadcast shape: dx = g y x^(y-1), 0 where y = 0; dy = g out ln x, 0
 * where x = 0 and y >= 0 (torch's pow_backward_self / pow_backward_exponent). Two lanes at a
 * time, each element computed alone.
 */
export function pow_tensor_bwd_f32(
  dx: usize,
  dy: usize,
  g: usize,
  x: usize,
  y: usize,
  out: usize,
  n: i32,
): void {
  let i = 0;
  for (; i < n; i += 2) {
    const o = <usize>i << 2;
    // The last odd element is splatted into both lanes.
    const x2 =
      i + 2 <= n
        ? f64x2.promote_low_f32x4(v128.load64_zero(x + o))
        : f64x2.splat(<f64>load<f32>(x + o));
    const y2 =
      i + 2 <= n
        ? f64x2.promote_low_f32x4(v128.load64_zero(y + o))
        : f64x2.splat(<f64>load<f32>(y + o));
    const p = pow_f64x2(x2, f64x2.sub(y2, f64x2.splat(1.0)));
    const l2 = log2_f64x2(x2);
    const x0 = f64x2.extract_lane(x2, 0);
    powBwdAt(dx, dy, g, y, out, o, x0, f64x2.extract_lane(p, 0), f64x2.extract_lane(l2, 0));
    if (i + 1 < n) {
      const x1 = f64x2.extract_lane(x2, 1);
      powBwdAt(dx, dy, g, y, out, o + 4, x1, f64x2.extract_lane(p, 1), f64x2.extract_lane(l2, 1));
    }
  }
}

/** atan2's gradients: dy = g x / (x^2 + y^2), dx = -g y / (x^2 + y^2). */
export function atan2_bwd_f32(dy: usize, dx: usize, g: usize, y: usize, x: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const gv = <f64>load<f32>(g + o);
    const xv = <f64>load<f32>(x + o);
    const yv = <f64>load<f32>(y + o);
    const s = gv / (xv * xv + yv * yv);
    store<f32>(dy + o, <f32>(s * xv));
    store<f32>(dx + o, <f32>(-s * yv));
  }
}
