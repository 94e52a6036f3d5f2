/**
 * Elementwise unary kernels and their gradients. See index.ts for the ABI.
 *
 *   dst[i] = f(x[i])                exp log sqrt abs neg relu sigmoid tanh pow clamp
 *   dx[i]  = dy[i] * f'(...)        *_bwd: relu, abs, clamp and pow take the input x,
 *                                   sigmoid and tanh take the forward output y
 *
 * Layout: contiguous f32 arrays of n elements. Every kernel reads element i before it writes
 * element i, so the output may alias an input (dst == x, dx == dy).
 *
 * Each kernel is one f32x4 main loop and a scalar tail that splats the element through the
 * same vector code, so a result never depends on the element's position in the array. The
 * loops are written once (map, map2) and specialised by a constant operation code: both are
 * inlined, and the optimiser folds the dispatch in `apply`/`apply2` down to one operation.
 *
 * pow follows torch.pow for a scalar exponent: p = 0, 1, 2, 3, 1/2, -1, -1/2 are computed
 * directly in f32 as 1 (even for NaN), x, x*x, x*x*x, sqrt x, 1/x and 1/sqrt x, so 1/2 and
 * -1/2 take sqrt's signs (pow(-0, -1/2) = -Inf, pow(-Inf, 1/2) = NaN) as torch does. Other
 * integers |p| <= 64 go by repeated squaring in f64; anything else as 2^(p log2|x|) in f64,
 * negated for odd integer p, NaN for a finite negative base and non-integer p, and with C's
 * pow(1, y) = pow(-1, +-Inf) = 1 (torch follows C there, not Math.pow). The f64 paths round
 * to f32 at the end, so they are within an ulp of the true power.
 */
import { exp2_f64x2, exp4, log2_f64x2, log4, sigmoid4, tanh4 } from "./math";

const SIGN: i32 = 0x80000000;

const EXP = 0;
const LOG = 1;
const SQRT = 2;
const ABS = 3;
const NEG = 4;
const RELU = 5;
const SIGMOID = 6;
const TANH = 7;
const CLAMP = 8;
/** pow's operation codes are POW + one of the P_* modes below. */
const POW = 16;

const RELU_BWD = 0;
const SIGMOID_BWD = 1;
const TANH_BWD = 2;
const ABS_BWD = 3;
const CLAMP_BWD = 4;
const POW_BWD = 16;

const P_ONE = 0;
const P_IDENT = 1;
const P_SQUARE = 2;
const P_CUBE = 3;
const P_SQRT = 4;
const P_RECIP = 5;
const P_RSQRT = 6;
const P_INT = 7;
const P_GENERAL = 8;

// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

// @ts-ignore: decorator
@inline function apply(op: i32, v: v128, a: v128, b: v128): v128 {
  if (op == EXP) return exp4(v);
  if (op == LOG) return log4(v);
  if (op == SQRT) return f32x4.sqrt(v);
  if (op == ABS) return v128.andnot(v, i32x4.splat(SIGN));
  if (op == NEG) return v128.xor(v, i32x4.splat(SIGN));
  // Clears lanes <= 0 (so relu(-0) = +0); NaN compares false and passes through.
  if (op == RELU) return v128.andnot(v, f32x4.le(v, c4(0.0)));
  if (op == SIGMOID) return sigmoid4(v);
  if (op == TANH) return tanh4(v);
  // pmax/pmin with v first return v when it is NaN, as torch.clamp does.
  if (op == CLAMP) return f32x4.pmin(f32x4.pmax(v, a), b);
  return pow4(op - POW, v, f64x2.extract_lane(a, 0));
}

// @ts-ignore: decorator
@inline function map(op: i32, dst: usize, x: usize, n: i32, a: v128, b: v128): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, apply(op, v128.load(x + o), a, b));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = apply(op, f32x4.splat(load<f32>(x + o)), a, b);
    store<f32>(dst + o, f32x4.extract_lane(r, 0));
  }
}

/** g: the incoming gradient; v: x or y as the kernel takes it. */
// @ts-ignore: decorator
@inline function apply2(op: i32, g: v128, v: v128, a: v128, b: v128): v128 {
  if (op == RELU_BWD) return v128.and(g, f32x4.gt(v, c4(0.0)));
  if (op == SIGMOID_BWD) return f32x4.mul(f32x4.mul(g, f32x4.sub(c4(1.0), v)), v);
  if (op == TANH_BWD) return f32x4.mul(g, f32x4.sub(c4(1.0), f32x4.mul(v, v)));
  if (op == ABS_BWD) {
    const nonzero = v128.or(f32x4.gt(v, c4(0.0)), f32x4.lt(v, c4(0.0)));
    const sign = v128.and(v128.or(c4(1.0), v128.and(v, i32x4.splat(SIGN))), nonzero);
    return f32x4.mul(g, sign);
  }
  if (op == CLAMP_BWD) return v128.and(g, v128.and(f32x4.ge(v, a), f32x4.le(v, b)));
  // pow: a holds p - 1 as f64, b holds p as f32.
  return f32x4.mul(g, f32x4.mul(b, pow4(op - POW_BWD, v, f64x2.extract_lane(a, 0))));
}

// @ts-ignore: decorator
@inline function map2(op: i32, dst: usize, g: usize, x: usize, n: i32, a: v128, b: v128): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, apply2(op, v128.load(g + o), v128.load(x + o), a, b));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gv = f32x4.splat(load<f32>(g + o));
    const r = apply2(op, gv, f32x4.splat(load<f32>(x + o)), a, b);
    store<f32>(dst + o, f32x4.extract_lane(r, 0));
  }
}

function fill(dst: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), value);
}

// ---- pow ----

function powMode(p: f64): i32 {
  if (p == 0.0) return P_ONE;
  if (p == 1.0) return P_IDENT;
  if (p == 2.0) return P_SQUARE;
  if (p == 3.0) return P_CUBE;
  if (p == 0.5) return P_SQRT;
  if (p == -1.0) return P_RECIP;
  if (p == -0.5) return P_RSQRT;
  if (p == Math.trunc(p) && Math.abs(p) <= 64.0) return P_INT;
  return P_GENERAL;
}

// @ts-ignore: decorator
@inline function promoteHigh(v: v128): v128 {
  return f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
}

// @ts-ignore: decorator
@inline function demoteJoin(lo: v128, hi: v128): v128 {
  return i32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** a^k (times 1/.. when neg) by squaring, k >= 1; signs, zeros, Inf and NaN come out right. */
// @ts-ignore: decorator
@inline function powIntF64(a: v128, k: i32, neg: bool): v128 {
  let acc = f64x2.splat(1.0);
  let base = a;
  while (true) {
    if (k & 1) acc = f64x2.mul(acc, base);
    k >>= 1;
    if (k == 0) break;
    base = f64x2.mul(base, base);
  }
  return neg ? f64x2.div(f64x2.splat(1.0), acc) : acc;
}

/** |a|^p = 2^(p log2|a|), with log2 0 = -Inf and log2 Inf = Inf. */
// @ts-ignore: decorator
@inline function powAbsF64(a: v128, p: f64): v128 {
  const ax = f64x2.abs(a);
  let l = log2_f64x2(ax);
  l = v128.bitselect(f64x2.splat(-Infinity), l, f64x2.eq(ax, f64x2.splat(0.0)));
  l = v128.bitselect(l, ax, f64x2.lt(ax, f64x2.splat(Infinity)));
  const y = f64x2.mul(l, f64x2.splat(p));
  // Beyond +-300 the f32 result is 0 or Inf anyway; pmax/pmin keep NaN.
  return exp2_f64x2(f64x2.pmin(f64x2.pmax(y, f64x2.splat(-300.0)), f64x2.splat(300.0)));
}

/** Not inlined: it is long, and its f64 log and exp dwarf the cost of a call per vector. */
function powGeneral(v: v128, p: f64): v128 {
  let r = demoteJoin(powAbsF64(f64x2.promote_low_f32x4(v), p), powAbsF64(promoteHigh(v), p));
  if (p == Math.trunc(p)) {
    // Integer or infinite p: odd p keeps the base's sign (|p| >= 2^53 is even).
    if (Math.abs(p) < 9007199254740992.0 && (<i64>p & 1) != 0) {
      r = v128.or(r, v128.and(v, i32x4.splat(SIGN)));
    }
    // (+-1)^(+-Inf) = 1, where p log2|x| is Inf * 0.
    if (!isFinite(p)) {
      r = v128.bitselect(c4(1.0), r, f32x4.eq(v128.andnot(v, i32x4.splat(SIGN)), c4(1.0)));
    }
  } else {
    const negFinite = v128.and(f32x4.lt(v, c4(0.0)), f32x4.gt(v, c4(-Infinity)));
    r = v128.bitselect(c4(NaN), r, negFinite);
    r = v128.bitselect(c4(1.0), r, f32x4.eq(v, c4(1.0))); // 1^NaN = 1
  }
  return r;
}

// @ts-ignore: decorator
@inline function pow4(mode: i32, v: v128, p: f64): v128 {
  if (mode == P_ONE) return c4(1.0);
  if (mode == P_IDENT) return v;
  if (mode == P_SQUARE) return f32x4.mul(v, v);
  if (mode == P_CUBE) return f32x4.mul(f32x4.mul(v, v), v);
  if (mode == P_SQRT) return f32x4.sqrt(v);
  if (mode == P_RECIP) return f32x4.div(c4(1.0), v);
  if (mode == P_RSQRT) return f32x4.div(c4(1.0), f32x4.sqrt(v));
  if (mode == P_INT) {
    const k = <i32>Math.abs(p);
    const lo = powIntF64(f64x2.promote_low_f32x4(v), k, p < 0.0);
    return demoteJoin(lo, powIntF64(promoteHigh(v), k, p < 0.0));
  }
  return powGeneral(v, p);
}

// ---- kernels ----

/** dst = e^x */
export function exp_f32(dst: usize, x: usize, n: i32): void {
  map(EXP, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = ln x */
export function log_f32(dst: usize, x: usize, n: i32): void {
  map(LOG, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = sqrt x */
export function sqrt_f32(dst: usize, x: usize, n: i32): void {
  map(SQRT, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = |x| */
export function abs_f32(dst: usize, x: usize, n: i32): void {
  map(ABS, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = -x */
export function neg_f32(dst: usize, x: usize, n: i32): void {
  map(NEG, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = max(x, 0), NaN kept */
export function relu_f32(dst: usize, x: usize, n: i32): void {
  map(RELU, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = 1 / (1 + e^-x) */
export function sigmoid_f32(dst: usize, x: usize, n: i32): void {
  map(SIGMOID, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = tanh x */
export function tanh_f32(dst: usize, x: usize, n: i32): void {
  map(TANH, dst, x, n, c4(0.0), c4(0.0));
}

/** dst = min(max(x, lo), hi); NaN in x stays NaN, a NaN bound makes every output NaN. */
export function clamp_f32(dst: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  if (isNaN(lo) || isNaN(hi)) {
    fill(dst, n, NaN);
    return;
  }
  map(CLAMP, dst, x, n, c4(lo), c4(hi));
}

/** dst = x^p (torch.pow with a scalar exponent; see the file comment for the cases). */
export function pow_f32(dst: usize, x: usize, n: i32, p: f32): void {
  const a = f64x2.splat(<f64>p);
  const b = c4(0.0);
  switch (powMode(p)) {
    case P_ONE: fill(dst, n, 1.0); break;
    case P_IDENT: map(POW + P_IDENT, dst, x, n, a, b); break;
    case P_SQUARE: map(POW + P_SQUARE, dst, x, n, a, b); break;
    case P_CUBE: map(POW + P_CUBE, dst, x, n, a, b); break;
    case P_SQRT: map(POW + P_SQRT, dst, x, n, a, b); break;
    case P_RECIP: map(POW + P_RECIP, dst, x, n, a, b); break;
    case P_RSQRT: map(POW + P_RSQRT, dst, x, n, a, b); break;
    case P_INT: map(POW + P_INT, dst, x, n, a, b); break;
    default: map(POW + P_GENERAL, dst, x, n, a, b);
  }
}

/** dx = x > 0 ? dy : 0 */
export function relu_bwd_f32(dx: usize, dy: usize, x: usize, n: i32): void {
  map2(RELU_BWD, dx, dy, x, n, c4(0.0), c4(0.0));
}

/** dx = dy * (1 - y) * y, y = sigmoid(x) */
export function sigmoid_bwd_f32(dx: usize, dy: usize, y: usize, n: i32): void {
  map2(SIGMOID_BWD, dx, dy, y, n, c4(0.0), c4(0.0));
}

/** dx = dy * (1 - y * y), y = tanh(x) */
export function tanh_bwd_f32(dx: usize, dy: usize, y: usize, n: i32): void {
  map2(TANH_BWD, dx, dy, y, n, c4(0.0), c4(0.0));
}

/** dx = dy * sign(x), sign(0) = sign(NaN) = 0 */
export function abs_bwd_f32(dx: usize, dy: usize, x: usize, n: i32): void {
  map2(ABS_BWD, dx, dy, x, n, c4(0.0), c4(0.0));
}

/** dx = lo <= x <= hi ? dy : 0 (the gradient passes at the bounds, as in PyTorch) */
export function clamp_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  map2(CLAMP_BWD, dx, dy, x, n, c4(lo), c4(hi));
}

/** dx = dy * (p * x^(p-1)), and 0 for p = 0; x^(p-1) as pow_f32 computes it, p-1 exact. */
export function pow_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, p: f32): void {
  if (p == 0.0) {
    fill(dx, n, 0.0);
    return;
  }
  const q = <f64>p - 1.0;
  const a = f64x2.splat(q);
  const b = c4(p);
  switch (powMode(q)) {
    case P_ONE: map2(POW_BWD + P_ONE, dx, dy, x, n, a, b); break;
    case P_IDENT: map2(POW_BWD + P_IDENT, dx, dy, x, n, a, b); break;
    case P_SQUARE: map2(POW_BWD + P_SQUARE, dx, dy, x, n, a, b); break;
    case P_CUBE: map2(POW_BWD + P_CUBE, dx, dy, x, n, a, b); break;
    case P_SQRT: map2(POW_BWD + P_SQRT, dx, dy, x, n, a, b); break;
    case P_RECIP: map2(POW_BWD + P_RECIP, dx, dy, x, n, a, b); break;
    case P_RSQRT: map2(POW_BWD + P_RSQRT, dx, dy, x, n, a, b); break;
    case P_INT: map2(POW_BWD + P_INT, dx, dy, x, n, a, b); break;
    default: map2(POW_BWD + P_GENERAL, dx, dy, x, n, a, b);
  }
}
