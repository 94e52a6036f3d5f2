/**
 * Activation kernels with PyTorch's formulas, forward and fused backward. See index.ts for the ABI.
 *
 *   silu        y = x s(x)                         dx = dy s (1 + x (1 - s)),  s = sigmoid(x)
 *   leaky_relu  y = x > 0 ? x : a x                dx = x > 0 ? dy : a dy
 *   elu         y = x > 0 ? x : a (e^x - 1)        dx = x > 0 ? dy : a e^x dy
 *   softplus    y = b x > t ? x : log1p(e^(b x))/b dx = b x > t ? dy : s(b x) dy
 *   mish        y = x tanh(sp(x)), sp = softplus   dx = dy (tanh sp + x s(x) (1 - tanh² sp))
 *   hardtanh    y = min(max(x, lo), hi)            dx = lo < x < hi ? dy : 0 (0 on the bounds)
 *
 * Every backward takes the forward input x, as PyTorch's *_backward kernels do. softplus is
 * computed as max(z, 0) + log1p(e^-|z|), so it neither overflows nor loses small values.
 *
 * Layout: contiguous f32 arrays of n elements; element i is read before it is written, so the
 * output may alias an input. One f32x4 main loop and a scalar tail that splats the element
 * through the same vector code, as in unary.ts, so results do not depend on position.
 */
import { exp4, log4, sigmoid4, tanh4 } from "./math";

const SILU = 0;
const LEAKY = 1;
const ELU = 2;
const SOFTPLUS = 3;
const MISH = 4;
const HARDTANH = 5;

const SIGN: i32 = 0x80000000;

// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

/** log(1 + e) per lane for e >= 0, to relative accuracy (Goldberg's correction). */
// @ts-ignore: decorator
@inline function log1p4(e: v128): v128 {
  const u = f32x4.add(c4(1.0), e);
  const d = f32x4.sub(u, c4(1.0));
  const r = f32x4.mul(log4(u), f32x4.div(e, d));
  // u rounds to 1: log1p(e) = e to float precision; u = Inf: log(u) itself.
  const big = f32x4.eq(u, c4(Infinity));
  return v128.bitselect(e, v128.bitselect(u, r, big), f32x4.eq(d, c4(0.0)));
}

/** softplus of z (beta 1): max(z, 0) + log1p(e^-|z|). */
// @ts-ignore: decorator
@inline function softplus4(z: v128): v128 {
  const negAbs = v128.or(z, i32x4.splat(SIGN));
  return f32x4.add(f32x4.pmax(z, c4(0.0)), log1p4(exp4(negAbs)));
}

// @ts-ignore: decorator
@inline function fwd(op: i32, x: v128, a: v128, b: v128): v128 {
  if (op == SILU) return f32x4.mul(x, sigmoid4(x));
  if (op == LEAKY) return v128.bitselect(x, f32x4.mul(x, a), f32x4.gt(x, c4(0.0)));
  if (op == ELU) {
    const neg = f32x4.mul(a, f32x4.sub(exp4(x), c4(1.0)));
    return v128.bitselect(x, neg, f32x4.gt(x, c4(0.0)));
  }
  if (op == SOFTPLUS) {
    // a: beta, b: threshold
    const z = f32x4.mul(x, a);
    return v128.bitselect(x, f32x4.div(softplus4(z), a), f32x4.gt(z, b));
  }
  if (op == MISH) return f32x4.mul(x, tanh4(softplus4(x)));
  // pmax/pmin with x first return x when it is NaN, as torch.clamp does.
  return f32x4.pmin(f32x4.pmax(x, a), b);
}

// @ts-ignore: decorator
@inline function bwd(op: i32, g: v128, x: v128, a: v128, b: v128): v128 {
  if (op == SILU) {
    const s = sigmoid4(x);
    const t = f32x4.add(c4(1.0), f32x4.mul(x, f32x4.sub(c4(1.0), s)));
    return f32x4.mul(g, f32x4.mul(s, t));
  }
  if (op == LEAKY) return v128.bitselect(g, f32x4.mul(g, a), f32x4.gt(x, c4(0.0)));
  if (op == ELU) {
    const neg = f32x4.mul(g, f32x4.mul(a, exp4(x)));
    return v128.bitselect(g, neg, f32x4.gt(x, c4(0.0)));
  }
  if (op == SOFTPLUS) {
    const z = f32x4.mul(x, a);
    return v128.bitselect(g, f32x4.mul(g, sigmoid4(z)), f32x4.gt(z, b));
  }
  if (op == MISH) {
    const t = tanh4(softplus4(x));
    const d = f32x4.mul(f32x4.mul(x, sigmoid4(x)), f32x4.sub(c4(1.0), f32x4.mul(t, t)));
    return f32x4.mul(g, f32x4.add(t, d));
  }
  // hardtanh: the gradient is cut at the bounds themselves (x <= lo or x >= hi).
  return v128.andnot(g, v128.or(f32x4.le(x, a), f32x4.ge(x, b)));
}

// @ts-ignore: decorator
@inline function map(op: i32, dst: usize, x: usize, n: i32, a: f32, b: f32): void {
  const av = c4(a);
  const bv = c4(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, fwd(op, v128.load(x + o), av, bv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = fwd(op, f32x4.splat(load<f32>(x + o)), av, bv);
    store<f32>(dst + o, f32x4.extract_lane(r, 0));
  }
}

// @ts-ignore: decorator
@inline function map2(op: i32, dx: usize, dy: usize, x: usize, n: i32, a: f32, b: f32): void {
  const av = c4(a);
  const bv = c4(b);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, bwd(op, v128.load(dy + o), v128.load(x + o), av, bv));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const r = bwd(op, f32x4.splat(load<f32>(dy + o)), f32x4.splat(load<f32>(x + o)), av, bv);
    store<f32>(dx + o, f32x4.extract_lane(r, 0));
  }
}

export function silu_f32(dst: usize, x: usize, n: i32): void {
  map(SILU, dst, x, n, 0, 0);
}
export function silu_bwd_f32(dx: usize, dy: usize, x: usize, n: i32): void {
  map2(SILU, dx, dy, x, n, 0, 0);
}
export function leaky_relu_f32(dst: usize, x: usize, n: i32, slope: f32): void {
  map(LEAKY, dst, x, n, slope, 0);
}
export function leaky_relu_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, slope: f32): void {
  map2(LEAKY, dx, dy, x, n, slope, 0);
}
export function elu_f32(dst: usize, x: usize, n: i32, alpha: f32): void {
  map(ELU, dst, x, n, alpha, 0);
}
export function elu_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, alpha: f32): void {
  map2(ELU, dx, dy, x, n, alpha, 0);
}
export function softplus_f32(dst: usize, x: usize, n: i32, beta: f32, threshold: f32): void {
  map(SOFTPLUS, dst, x, n, beta, threshold);
}
export function softplus_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, beta: f32, threshold: f32): void {
  map2(SOFTPLUS, dx, dy, x, n, beta, threshold);
}
export function mish_f32(dst: usize, x: usize, n: i32): void {
  map(MISH, dst, x, n, 0, 0);
}
export function mish_bwd_f32(dx: usize, dy: usize, x: usize, n: i32): void {
  map2(MISH, dx, dy, x, n, 0, 0);
}
export function hardtanh_f32(dst: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  map(HARDTANH, dst, x, n, lo, hi);
}
export function hardtanh_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, lo: f32, hi: f32): void {
  map2(HARDTANH, dx, dy, x, n, lo, hi);
}
