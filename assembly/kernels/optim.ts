/**
 * Fused optimizer updates: one pass over (param, grad, state) per parameter tensor, and the
 * p-norm sums behind clipGradNorm.
 *
 * SGD, as torch.optim.SGD:
 *   g = grad + weightDecay * p
 *   if momentum != 0:
 *     buf = first ? g : momentum * buf + (1 - dampening) * g
 *     g = nesterov ? g + momentum * buf : buf
 *   p = p - lr * g
 * buf is only touched when momentum != 0.
 *
 * Adam, AdamW, RMSprop and Adagrad follow torch 1.13's single-tensor CPU path operation by
 * operation, in float32, with the scalar coefficients (1 - beta, bias corrections, lr / (1 +
 * (step - 1) lrDecay)) computed by the caller in double precision, as Python does, and rounded
 * to f32 once. Where torch's CPU kernels fuse (add with alpha, addcmul: both one FMA on x86
 * builds with AVX2/AVX-512), these use madd4, which is one fused instruction in the relaxed-SIMD
 * build and mul + add in the baseline build; everything else (mul_, sqrt, the addcdiv quotient)
 * is rounded where torch rounds it. An operand whose pointer is 0 is absent (amsgrad off, not
 * centered, no momentum).
 *
 * The last n % 4 elements are copied into a static 4-lane scratch area and updated by the same
 * vector code, so an element's result does not depend on where it sits in the array (the
 * relaxed build's fused madd has no scalar equivalent). Not re-entrant (static scratch).
 */
import { exp2_f64x2, log2_f64x2, madd4 } from "./math";

export function sgd_f32(
  p: usize, grad: usize, buf: usize, n: i32,
  lr: f32, momentum: f32, dampening: f32, weightDecay: f32, nesterov: i32, first: i32,
): void {
  const lrv = f32x4.splat(lr);
  const wdv = f32x4.splat(weightDecay);
  const mv = f32x4.splat(momentum);
  const dv = f32x4.splat(1 - dampening);
  const useMomentum = momentum != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let g = f32x4.add(v128.load(grad + o), f32x4.mul(wdv, pv));
    if (useMomentum) {
      const b = first ? g : f32x4.add(f32x4.mul(mv, v128.load(buf + o)), f32x4.mul(dv, g));
      v128.store(buf + o, b);
      g = nesterov ? f32x4.add(g, f32x4.mul(mv, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, g)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let g = load<f32>(grad + o) + weightDecay * pv;
    if (useMomentum) {
      const b = first ? g : momentum * load<f32>(buf + o) + (1 - dampening) * g;
      store<f32>(buf + o, b);
      g = nesterov ? g + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * g);
  }
}

/** The tail's scratch: one 4-lane slot per operand (param, grad and up to three states). */
const TAIL: usize = memory.data(5 * 16, 16);

/** Copies `count` (< 4) floats of `src` into slot `slot`, zero-filling the rest; 0 stays 0. */
// @ts-ignore: decorator
@inline function park(slot: i32, src: usize, count: i32): usize {
  if (src == 0) return 0;
  const dst = TAIL + (<usize>slot << 4);
  v128.store(dst, f32x4.splat(0));
  memory.copy(dst, src, <usize>count << 2);
  return dst;
}

/** Copies the first `count` floats of slot `slot` back to `dst` (nothing when dst is 0). */
// @ts-ignore: decorator
@inline function unpark(slot: i32, dst: usize, count: i32): void {
  if (dst != 0) memory.copy(dst, TAIL + (<usize>slot << 4), <usize>count << 2);
}

/*
 * Adam / AdamW, as torch.optim.Adam(W) (amsgrad optional):
 *   g = grad + weightDecay * p               (Adam's L2 term; AdamW passes 0)
 *   p = p * paramScale                       (AdamW's decoupled decay 1 - lr * wd; Adam: 1)
 *   m = beta1 * m + (1 - beta1) * g
 *   v = beta2 * v + (1 - beta2) * g * g
 *   vmax = max(vmax, v)                      (amsgrad; the denominator then uses vmax)
 *   p = p - stepSize * m / (sqrt(v) / bc2Sqrt + eps)
 * with stepSize = lr / (1 - beta1^step) and bc2Sqrt = sqrt(1 - beta2^step).
 */
// @ts-ignore: decorator
@inline function adam4(
  p: usize, grad: usize, m: usize, v: usize, vmax: usize,
  b1: v128, omb1: v128, b2: v128, omb2: v128, wd: v128, useWd: bool,
  scale: v128, stepSize: v128, bc2: v128, eps: v128,
): void {
  let pv = v128.load(p);
  let g = v128.load(grad);
  if (useWd) g = madd4(pv, wd, g);
  pv = f32x4.mul(pv, scale);
  const mv = madd4(g, omb1, f32x4.mul(v128.load(m), b1));
  const vv = madd4(f32x4.mul(omb2, g), g, f32x4.mul(v128.load(v), b2));
  v128.store(m, mv);
  v128.store(v, vv);
  let vh = vv;
  if (vmax != 0) {
    vh = f32x4.max(v128.load(vmax), vv);
    v128.store(vmax, vh);
  }
  const denom = f32x4.add(f32x4.div(f32x4.sqrt(vh), bc2), eps);
  v128.store(p, f32x4.sub(pv, f32x4.div(f32x4.mul(stepSize, mv), denom)));
}

export function adam_f32(
  p: usize, grad: usize, expAvg: usize, expAvgSq: usize, maxExpAvgSq: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  weightDecay: f32, paramScale: f32, stepSize: f32, bc2Sqrt: f32, eps: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const omb1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const omb2 = f32x4.splat(oneMinusBeta2);
  const wd = f32x4.splat(weightDecay);
  const useWd = weightDecay != 0;
  const scale = f32x4.splat(paramScale);
  const ss = f32x4.splat(stepSize);
  const bc2 = f32x4.splat(bc2Sqrt);
  const ep = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const x = maxExpAvgSq != 0 ? maxExpAvgSq + o : 0;
    adam4(p + o, grad + o, expAvg + o, expAvgSq + o, x, b1, omb1, b2, omb2, wd, useWd, scale, ss, bc2, ep);
  }
  const r = n - i;
  if (r == 0) return;
  const o = <usize>i << 2;
  const x = maxExpAvgSq != 0 ? maxExpAvgSq + o : 0;
  adam4(
    park(0, p + o, r), park(1, grad + o, r), park(2, expAvg + o, r), park(3, expAvgSq + o, r),
    park(4, x, r), b1, omb1, b2, omb2, wd, useWd, scale, ss, bc2, ep,
  );
  unpark(0, p + o, r);
  unpark(2, expAvg + o, r);
  unpark(3, expAvgSq + o, r);
  unpark(4, x, r);
}

/*
 * RMSprop, as torch.optim.RMSprop:
 *   g = grad + weightDecay * p
 *   s = alpha * s + (1 - alpha) * g * g
 *   centered (gradAvg != 0): a = alpha * a + (1 - alpha) * g;  avg = sqrt(s - a * a) + eps
 *   otherwise:                                                avg = sqrt(s) + eps
 *   momentum (buf != 0): buf = momentum * buf + g / avg;  p = p - lr * buf
 *   otherwise:                                            p = p - lr * g / avg
 */
// @ts-ignore: decorator
@inline function rmsprop4(
  p: usize, grad: usize, sq: usize, gavg: usize, buf: usize,
  alpha: v128, oma: v128, eps: v128, wd: v128, useWd: bool, mom: v128, negLr: v128,
): void {
  const pv = v128.load(p);
  let g = v128.load(grad);
  if (useWd) g = madd4(pv, wd, g);
  const s = madd4(f32x4.mul(oma, g), g, f32x4.mul(v128.load(sq), alpha));
  v128.store(sq, s);
  let avg: v128;
  if (gavg != 0) {
    const a = madd4(g, oma, f32x4.mul(v128.load(gavg), alpha));
    v128.store(gavg, a);
    avg = f32x4.sqrt(madd4(f32x4.neg(a), a, s));
  } else {
    avg = f32x4.sqrt(s);
  }
  avg = f32x4.add(avg, eps);
  if (buf != 0) {
    const b = f32x4.add(f32x4.mul(v128.load(buf), mom), f32x4.div(g, avg));
    v128.store(buf, b);
    v128.store(p, madd4(b, negLr, pv));
  } else {
    v128.store(p, f32x4.add(pv, f32x4.div(f32x4.mul(negLr, g), avg)));
  }
}

export function rmsprop_f32(
  p: usize, grad: usize, squareAvg: usize, gradAvg: usize, momentumBuffer: usize, n: i32,
  lr: f32, alpha: f32, oneMinusAlpha: f32, eps: f32, weightDecay: f32, momentum: f32,
): void {
  const al = f32x4.splat(alpha);
  const oma = f32x4.splat(oneMinusAlpha);
  const ep = f32x4.splat(eps);
  const wd = f32x4.splat(weightDecay);
  const useWd = weightDecay != 0;
  const mom = f32x4.splat(momentum);
  const negLr = f32x4.splat(-lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const ga = gradAvg != 0 ? gradAvg + o : 0;
    const b = momentumBuffer != 0 ? momentumBuffer + o : 0;
    rmsprop4(p + o, grad + o, squareAvg + o, ga, b, al, oma, ep, wd, useWd, mom, negLr);
  }
  const r = n - i;
  if (r == 0) return;
  const o = <usize>i << 2;
  const ga = gradAvg != 0 ? gradAvg + o : 0;
  const b = momentumBuffer != 0 ? momentumBuffer + o : 0;
  rmsprop4(
    park(0, p + o, r), park(1, grad + o, r), park(2, squareAvg + o, r), park(3, ga, r),
    park(4, b, r), al, oma, ep, wd, useWd, mom, negLr,
  );
  unpark(0, p + o, r);
  unpark(2, squareAvg + o, r);
  unpark(3, ga, r);
  unpark(4, b, r);
}

/*
 * Adagrad, as torch.optim.Adagrad (dense gradients):
 *   g = grad + weightDecay * p
 *   sum = sum + g * g
 *   p = p - clr * g / (sqrt(sum) + eps)       clr = lr / (1 + (step - 1) * lrDecay)
 */
// @ts-ignore: decorator
@inline function adagrad4(
  p: usize, grad: usize, sum: usize, negClr: v128, eps: v128, wd: v128, useWd: bool,
): void {
  const pv = v128.load(p);
  let g = v128.load(grad);
  if (useWd) g = madd4(pv, wd, g);
  const s = madd4(g, g, v128.load(sum));
  v128.store(sum, s);
  const std = f32x4.add(f32x4.sqrt(s), eps);
  v128.store(p, f32x4.add(pv, f32x4.div(f32x4.mul(negClr, g), std)));
}

export function adagrad_f32(
  p: usize, grad: usize, sum: usize, n: i32, clr: f32, weightDecay: f32, eps: f32,
): void {
  const negClr = f32x4.splat(-clr);
  const ep = f32x4.splat(eps);
  const wd = f32x4.splat(weightDecay);
  const useWd = weightDecay != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    adagrad4(p + o, grad + o, sum + o, negClr, ep, wd, useWd);
  }
  const r = n - i;
  if (r == 0) return;
  const o = <usize>i << 2;
  adagrad4(park(0, p + o, r), park(1, grad + o, r), park(2, sum + o, r), negClr, ep, wd, useWd);
  unpark(0, p + o, r);
  unpark(2, sum + o, r);
}

/*
 * The p-norm sums behind clipGradNorm, accumulated in double: dst (one f64) receives
 *   p = +Infinity: max |x| (NaN if any x is NaN; 0 for n = 0)
 *   otherwise:     sum |x|^p   (SIMD for p = 1 and p = 2, powAbs2 for other orders)
 */
/**
 * a^p per lane for a = |x| of a float32 (0, finite, +Inf or NaN) and an order p > 0: 2^(p log2 a)
 * from math.ts's f64x2 log2 and exp2 (about 2^-37 relative), not Math.pow, whose lookup tables
 * are 10 KB of the binary. Powers above 2^1000 are +Inf and below 2^-1000 are 0: only orders
 * above 7 reach them from a float32, and torch, which sums in float32, overflows far earlier.
 */
// @ts-ignore: decorator
@inline function powAbs2(a: v128, p: f64): v128 {
  const e = f64x2.mul(log2_f64x2(a), f64x2.splat(p));
  let r = exp2_f64x2(f64x2.pmin(f64x2.pmax(e, f64x2.splat(-1000.0)), f64x2.splat(1000.0)));
  r = v128.bitselect(f64x2.splat(Infinity), r, f64x2.gt(e, f64x2.splat(1000.0)));
  r = v128.bitselect(f64x2.splat(0.0), r, f64x2.lt(e, f64x2.splat(-1000.0)));
  // 0, +Inf and NaN are their own powers.
  const finite = v128.and(f64x2.gt(a, f64x2.splat(0.0)), f64x2.lt(a, f64x2.splat(Infinity)));
  return v128.bitselect(r, a, finite);
}

export function pow_sum_f32(dst: usize, x: usize, n: i32, p: f64): void {
  let i = 0;
  if (p == Infinity) {
    let acc = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) acc = f32x4.max(acc, f32x4.abs(v128.load(x + (<usize>i << 2))));
    let m = max(max(f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
      max(f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)));
    for (; i < n; i++) m = max(m, abs(load<f32>(x + (<usize>i << 2))));
    store<f64>(dst, <f64>m);
    return;
  }
  let s: f64 = 0;
  if (p == 1 || p == 2) {
    let lo = f64x2.splat(0);
    let hi = f64x2.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = f32x4.abs(v128.load(x + (<usize>i << 2)));
      const a = f64x2.promote_low_f32x4(v);
      const b = f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 0, 1));
      if (p == 2) {
        lo = f64x2.add(lo, f64x2.mul(a, a));
        hi = f64x2.add(hi, f64x2.mul(b, b));
      } else {
        lo = f64x2.add(lo, a);
        hi = f64x2.add(hi, b);
      }
    }
    const t = f64x2.add(lo, hi);
    s = f64x2.extract_lane(t, 0) + f64x2.extract_lane(t, 1);
    for (; i < n; i++) {
      const a = <f64>abs(load<f32>(x + (<usize>i << 2)));
      s += p == 2 ? a * a : a;
    }
  } else {
    // Two powers at a time, summed in order.
    for (; i + 2 <= n; i += 2) {
      const x2 = f64x2.promote_low_f32x4(f32x4.abs(v128.load64_zero(x + (<usize>i << 2))));
      const r = powAbs2(x2, p);
      s += f64x2.extract_lane(r, 0);
      s += f64x2.extract_lane(r, 1);
    }
    if (i < n) {
      const a = f64x2.splat(<f64>abs(load<f32>(x + (<usize>i << 2))));
      s += f64x2.extract_lane(powAbs2(a, p), 0);
    }
  }
  store<f64>(dst, s);
}
