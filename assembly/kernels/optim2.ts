/**
 * Fused updates of Adadelta, Adamax, NAdam and RAdam: one pass over (param, grad, state) per
 * parameter tensor. Same conventions as optim.ts: torch's single-tensor CPU path operation by
 * operation in float32, scalar coefficients computed by the caller in double precision, add
 * with alpha and addcmul as madd4 (one FMA where torch's CPU kernels fuse), addcdiv as
 * (value · t1) / t2 added to the parameter, as torch evaluates it. The gradient arrives already
 * negated under maximize. The last n % 4 elements go through a 4-lane scratch area and the same
 * vector code, so an element's result does not depend on where it sits. Not re-entrant.
 */
import { madd4 } from "./math";

/** The tail's scratch: one 4-lane slot per operand (param, grad, two states). */
const TAIL: usize = memory.data(4 * 16, 16);

// @ts-ignore: decorator
@inline function park(slot: i32, src: usize, count: i32): usize {
  const dst = TAIL + (<usize>slot << 4);
  v128.store(dst, f32x4.splat(0));
  memory.copy(dst, src, <usize>count << 2);
  return dst;
}

// @ts-ignore: decorator
@inline function unpark(slot: i32, dst: usize, count: i32): void {
  memory.copy(dst, TAIL + (<usize>slot << 4), <usize>count << 2);
}

/** The gradient, with an L2 term when wd != 0: g + wd·p (torch's grad.add(param, alpha=wd)). */
// @ts-ignore: decorator
@inline function decayed(p: v128, grad: usize, wd: v128, useWd: bool): v128 {
  const g = v128.load(grad);
  return useWd ? madd4(p, wd, g) : g;
}

/*
 * Adadelta, as torch.optim.Adadelta:
 *   g = grad + weightDecay · p
 *   s = rho · s + (1 − rho) · g²
 *   delta = sqrt(acc + eps) / sqrt(s + eps) · g
 *   acc = rho · acc + (1 − rho) · delta²
 *   p = p − lr · delta
 */
// @ts-ignore: decorator
@inline function adadelta4(
  p: usize, grad: usize, sq: usize, acc: usize,
  negLr: v128, rho: v128, omr: v128, eps: v128, wd: v128, useWd: bool,
): void {
  const pv = v128.load(p);
  const g = decayed(pv, grad, wd, useWd);
  const s = madd4(f32x4.mul(omr, g), g, f32x4.mul(v128.load(sq), rho));
  v128.store(sq, s);
  const std = f32x4.sqrt(f32x4.add(s, eps));
  const a = v128.load(acc);
  const delta = f32x4.mul(f32x4.div(f32x4.sqrt(f32x4.add(a, eps)), std), g);
  v128.store(acc, madd4(f32x4.mul(omr, delta), delta, f32x4.mul(a, rho)));
  v128.store(p, madd4(delta, negLr, pv));
}

export function adadelta_f32(
  p: usize, grad: usize, squareAvg: usize, accDelta: usize, n: i32,
  lr: f32, rho: f32, oneMinusRho: f32, eps: f32, weightDecay: f32,
): void {
  const negLr = f32x4.splat(-lr);
  const r = f32x4.splat(rho);
  const omr = f32x4.splat(oneMinusRho);
  const ep = f32x4.splat(eps);
  const wd = f32x4.splat(weightDecay);
  const useWd = weightDecay != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    adadelta4(p + o, grad + o, squareAvg + o, accDelta + o, negLr, r, omr, ep, wd, useWd);
  }
  const k = n - i;
  if (k == 0) return;
  const o = <usize>i << 2;
  adadelta4(
    park(0, p + o, k), park(1, grad + o, k), park(2, squareAvg + o, k), park(3, accDelta + o, k),
    negLr, r, omr, ep, wd, useWd,
  );
  unpark(0, p + o, k);
  unpark(2, squareAvg + o, k);
  unpark(3, accDelta + o, k);
}

/*
 * Adamax, as torch.optim.Adamax:
 *   g = grad + weightDecay · p
 *   m = beta1 · m + (1 − beta1) · g
 *   u = max(beta2 · u, |g| + eps)
 *   p = p + (−clr · m) / u          clr = lr / (1 − beta1^step)
 */
// @ts-ignore: decorator
@inline function adamax4(
  p: usize, grad: usize, m: usize, u: usize,
  b1: v128, omb1: v128, b2: v128, eps: v128, wd: v128, useWd: bool, negClr: v128,
): void {
  const pv = v128.load(p);
  const g = decayed(pv, grad, wd, useWd);
  const mv = madd4(g, omb1, f32x4.mul(v128.load(m), b1));
  v128.store(m, mv);
  const uv = f32x4.max(f32x4.mul(v128.load(u), b2), f32x4.add(f32x4.abs(g), eps));
  v128.store(u, uv);
  v128.store(p, f32x4.add(pv, f32x4.div(f32x4.mul(negClr, mv), uv)));
}

export function adamax_f32(
  p: usize, grad: usize, expAvg: usize, expInf: usize, n: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, eps: f32, weightDecay: f32, clr: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const omb1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const ep = f32x4.splat(eps);
  const wd = f32x4.splat(weightDecay);
  const useWd = weightDecay != 0;
  const nc = f32x4.splat(-clr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    adamax4(p + o, grad + o, expAvg + o, expInf + o, b1, omb1, b2, ep, wd, useWd, nc);
  }
  const k = n - i;
  if (k == 0) return;
  const o = <usize>i << 2;
  adamax4(
    park(0, p + o, k), park(1, grad + o, k), park(2, expAvg + o, k), park(3, expInf + o, k),
    b1, omb1, b2, ep, wd, useWd, nc,
  );
  unpark(0, p + o, k);
  unpark(2, expAvg + o, k);
  unpark(3, expInf + o, k);
}

/*
 * NAdam and RAdam share the moment updates of Adam:
 *   g = grad + weightDecay · p        (L2; the decoupled form passes 0 and scales p instead)
 *   p = p · paramScale
 *   m = beta1 · m + (1 − beta1) · g
 *   v = beta2 · v + (1 − beta2) · g²
 * NAdam (mode 0):  d = sqrt(v / bc2) + eps;  p = p + (c1 · g) / d;  p = p + (c2 · m) / d
 *                  c1 = −lr (1 − μ_t) / (1 − Πμ),  c2 = −lr μ_{t+1} / (1 − Πμ·μ_{t+1})
 * RAdam, rectified (mode 1): p = p − ((m / bc1) · lr) · (1 / (sqrt(v) + eps) · sqrt(bc2)) · r
 * RAdam, early     (mode 2): p = p − (m / bc1) · lr
 * (c1 = bc1, c2 = sqrt(bc2) and a = lr, r = rect for RAdam.)
 */
// @ts-ignore: decorator
@inline function moments4(
  p: usize, grad: usize, m: usize, v: usize, mode: i32,
  b1: v128, omb1: v128, b2: v128, omb2: v128, wd: v128, useWd: bool, scale: v128,
  bc2: v128, c1: v128, c2: v128, a: v128, r: v128, eps: v128,
): void {
  let pv = v128.load(p);
  const g = decayed(pv, grad, wd, useWd);
  pv = f32x4.mul(pv, scale);
  const mv = madd4(g, omb1, f32x4.mul(v128.load(m), b1));
  const vv = madd4(f32x4.mul(omb2, g), g, f32x4.mul(v128.load(v), b2));
  v128.store(m, mv);
  v128.store(v, vv);
  if (mode == 0) {
    const d = f32x4.add(f32x4.sqrt(f32x4.div(vv, bc2)), eps);
    pv = f32x4.add(pv, f32x4.div(f32x4.mul(c1, g), d));
    pv = f32x4.add(pv, f32x4.div(f32x4.mul(c2, mv), d));
  } else {
    const step = f32x4.mul(f32x4.div(mv, c1), a);
    if (mode == 1) {
      const inv = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.sqrt(vv), eps));
      pv = f32x4.sub(pv, f32x4.mul(f32x4.mul(step, f32x4.mul(inv, c2)), r));
    } else {
      pv = f32x4.sub(pv, step);
    }
  }
  v128.store(p, pv);
}

/** mode 0: NAdam; 1: RAdam rectified; 2: RAdam before rectification applies (see above). */
export function nadam_radam_f32(
  p: usize, grad: usize, expAvg: usize, expAvgSq: usize, n: i32, mode: i32,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32,
  weightDecay: f32, paramScale: f32, bc2: f32, c1: f32, c2: f32, lr: f32, rect: f32, eps: f32,
): void {
  const b1 = f32x4.splat(beta1);
  const omb1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const omb2 = f32x4.splat(oneMinusBeta2);
  const wd = f32x4.splat(weightDecay);
  const useWd = weightDecay != 0;
  const sc = f32x4.splat(paramScale);
  const bc = f32x4.splat(bc2);
  const k1 = f32x4.splat(c1);
  const k2 = f32x4.splat(c2);
  const a = f32x4.splat(lr);
  const r = f32x4.splat(rect);
  const ep = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    moments4(
      p + o, grad + o, expAvg + o, expAvgSq + o, mode,
      b1, omb1, b2, omb2, wd, useWd, sc, bc, k1, k2, a, r, ep,
    );
  }
  const k = n - i;
  if (k == 0) return;
  const o = <usize>i << 2;
  moments4(
    park(0, p + o, k), park(1, grad + o, k), park(2, expAvg + o, k), park(3, expAvgSq + o, k),
    mode, b1, omb1, b2, omb2, wd, useWd, sc, bc, k1, k2, a, r, ep,
  );
  unpark(0, p + o, k);
  unpark(2, expAvg + o, k);
  unpark(3, expAvgSq + o, k);
}
