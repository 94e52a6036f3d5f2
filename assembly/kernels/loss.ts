/**
 * Fused loss kernels with PyTorch's options, forward and backward in one pass each.
 *
 * Class losses, over rows x[n, c] (class dim last and contiguous), class indices target[n]
 * (i32, validated by the caller: 0 <= target < c or target == ignoreIndex), optional class
 * weights w[c] (pointer 0: all ones), label smoothing e:
 *   lse_i  = log sum_j exp(x_ij)                                   (row max subtracted first)
 *   cross entropy  l_i = (1 - e) w_y (lse_i - x_iy) + (e / c) sum_j w_j (lse_i - x_ij)
 *   nll            l_i = -w_y x_iy
 *   ignored rows:  l_i = 0, and they add nothing to the weight sum
 *   dx_ij = g_i [p_ij ((1 - e) w_y + (e / c) W) - (e / c) w_j - (1 - e) w_y [j == y]]
 *           with p = softmax(x_i), W = sum_j w_j    (nll: dx_iy = -g_i w_y, 0 elsewhere)
 * Elementwise binary losses over n elements, optional w[n] and posWeight pw[n] (pointer 0:
 * ones; the caller expands broadcast weights), targets t in [0, 1]:
 *   bce            l = -w (t max(log x, -100) + (1 - t) max(log(1 - x), -100))
 *                  dx = g w (x - t) / max(x (1 - x), 1e-12),  dt = -g w logit(x)
 *   bce w/ logits  l = w ((1 - t) x + (1 + (pw - 1) t) sp),  sp = softplus(-x)
 *                    = w ((1 - t) x + (1 + (pw - 1) t) (max(-x, 0) + log(1 + exp(-|x|))))
 *                  dx = g w ((1 + (pw - 1) t) sigmoid(x) - pw t),  dt = g w ((pw - 1) sp - x)
 * These are PyTorch 1.13's formulas (aten/src/ATen/native/Loss*.cpp), including the -100 clamp
 * of the logs, the 1e-12 floor of the BCE gradient's denominator and the unclamped target
 * gradient (infinite at probabilities 0 and 1).
 *
 * Forward kernels write the per-element losses to `loss` (pointer 0: skipped, for mean and sum)
 * and sums to `stats`: stats[0] = sum of the losses (accumulated in f64), then for the class
 * losses stats[1] = the weight sum of the non-ignored targets (the mean's divisor), and for bce
 * the i32 stats[1] = the index of the first input outside [0, 1] or NaN (-1: none).
 * Backward kernels take the upstream gradient as g_i = dloss[i * dlossStride] * scale
 * (stride 0 broadcasts a reduced loss's single gradient, scale is 1/divisor for mean); dx or
 * dt may be 0 to skip that gradient.
 */
import { exp4, log4, sigmoid4 } from "./math";

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

// @ts-ignore: decorator
@inline function lane0(v: v128): f32 {
  return f32x4.extract_lane(v, 0);
}

/** acc + the four lanes of v, in f64 (two lanes per f64x2). */
// @ts-ignore: decorator
@inline function acc64(acc: v128, v: v128): v128 {
  const hi = i8x16.shuffle(v, v, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7);
  return f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(v), f64x2.promote_low_f32x4(hi)));
}

/** Optional per-element operand: its 4 lanes at i, or `one` when the pointer is 0. */
// @ts-ignore: decorator
@inline function opt4(p: usize, i: i32, one: v128): v128 {
  return p ? v128.load(at(p, i)) : one;
}

// @ts-ignore: decorator
@inline function opt1(p: usize, i: i32): f32 {
  return p ? load<f32>(at(p, i)) : 1;
}

// ---------------------------------------------------------------------------- class losses

function rowMax(x: usize, n: i32): f32 {
  let m = c4(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(at(x, i)));
  let r = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)),
    max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; i < n; i++) r = max<f32>(r, load<f32>(at(x, i)));
  return r;
}

/** dst[j] = exp(x[j] - m) (dst 0: only summed); returns the sum. */
function rowExpSum(dst: usize, x: usize, n: i32, m: f32): f32 {
  const mv = c4(m);
  let acc = c4(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = exp4(f32x4.sub(v128.load(at(x, i)), mv));
    if (dst) v128.store(at(dst, i), e);
    acc = f32x4.add(acc, e);
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) {
    const e = lane0(exp4(c4(load<f32>(at(x, i)) - m)));
    if (dst) store<f32>(at(dst, i), e);
    s += e;
  }
  return s;
}

/** log sum_j exp(x[j]) with the maximum subtracted first. */
// @ts-ignore: decorator
@inline function rowLogSumExp(x: usize, n: i32): f32 {
  const m = rowMax(x, n);
  return m + Mathf.log(rowExpSum(0, x, n, m));
}

/** sum_j w[j] (lse - x[j]): every term is >= 0, so nothing cancels. */
function rowSmoothing(x: usize, w: usize, n: i32, lse: f32): f32 {
  const lv = c4(lse);
  const one = c4(1);
  let acc = c4(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    acc = f32x4.add(acc, f32x4.mul(opt4(w, i, one), f32x4.sub(lv, v128.load(at(x, i)))));
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) s += opt1(w, i) * (lse - load<f32>(at(x, i)));
  return s;
}

function weightSum(w: usize, c: i32): f32 {
  if (!w) return <f32>c;
  let s: f32 = 0;
  for (let j = 0; j < c; j++) s += load<f32>(at(w, j));
  return s;
}

export function softmax_cross_entropy_f32(
  loss: usize, stats: usize, x: usize, target: usize, w: usize, n: i32, c: i32,
  ignoreIndex: i32, smoothing: f32,
): void {
  let total: f64 = 0;
  let wsum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const y = load<i32>(at(target, i));
    let l: f32 = 0;
    if (y != ignoreIndex) {
      const xr = at(x, i * c);
      const lse = rowLogSumExp(xr, c);
      const wy = opt1(w, y);
      l = wy * (lse - load<f32>(at(xr, y)));
      if (smoothing != 0) {
        l = (1 - smoothing) * l + (smoothing / <f32>c) * rowSmoothing(xr, w, c, lse);
      }
      total += l;
      wsum += wy;
    }
    if (loss) store<f32>(at(loss, i), l);
  }
  store<f32>(stats, <f32>total);
  store<f32>(stats + 4, <f32>wsum);
}

/**
 * softmax_cross_entropy_f32's stats from its per-row losses `loss` (written by rows run in
 * parallel): the same sums in the same order as the whole call, so the same bits.
 */
export function softmax_cross_entropy_sum_f32(
  stats: usize, loss: usize, target: usize, w: usize, n: i32, ignoreIndex: i32,
): void {
  let total: f64 = 0;
  let wsum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const y = load<i32>(at(target, i));
    if (y != ignoreIndex) {
      total += load<f32>(at(loss, i));
      wsum += opt1(w, y);
    }
  }
  store<f32>(stats, <f32>total);
  store<f32>(stats + 4, <f32>wsum);
}

export function softmax_cross_entropy_bwd_f32(
  dx: usize, x: usize, target: usize, w: usize, n: i32, c: i32, ignoreIndex: i32,
  smoothing: f32, dloss: usize, dlossStride: i32, scale: f32,
): void {
  const eps = smoothing / <f32>c;
  const wAll = weightSum(w, c);
  for (let i = 0; i < n; i++) {
    const y = load<i32>(at(target, i));
    const dr = at(dx, i * c);
    if (y == ignoreIndex) {
      memory.fill(dr, 0, <usize>c << 2);
      continue;
    }
    const xr = at(x, i * c);
    const g = load<f32>(at(dloss, i * dlossStride)) * scale;
    const wy = opt1(w, y);
    const m = rowMax(xr, c);
    const s = rowExpSum(dr, xr, c, m);
    // dx_j = e_j * k - b * w_j with e_j = exp(x_j - m), k = g a / s.
    const k = c4(g * ((1 - smoothing) * wy + eps * wAll) / s);
    const b = c4(g * eps);
    const one = c4(1);
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const e = v128.load(at(dr, j));
      v128.store(at(dr, j), f32x4.sub(f32x4.mul(e, k), f32x4.mul(b, opt4(w, j, one))));
    }
    for (; j < c; j++) {
      store<f32>(at(dr, j), load<f32>(at(dr, j)) * lane0(k) - lane0(b) * opt1(w, j));
    }
    const ty = at(dr, y);
    store<f32>(ty, load<f32>(ty) - g * (1 - smoothing) * wy);
  }
}

export function nll_loss_f32(
  loss: usize, stats: usize, x: usize, target: usize, w: usize, n: i32, c: i32, ignoreIndex: i32,
): void {
  let total: f64 = 0;
  let wsum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const y = load<i32>(at(target, i));
    let l: f32 = 0;
    if (y != ignoreIndex) {
      const wy = opt1(w, y);
      l = -wy * load<f32>(at(x, i * c + y));
      total += l;
      wsum += wy;
    }
    if (loss) store<f32>(at(loss, i), l);
  }
  store<f32>(stats, <f32>total);
  store<f32>(stats + 4, <f32>wsum);
}

export function nll_loss_bwd_f32(
  dx: usize, target: usize, w: usize, n: i32, c: i32, ignoreIndex: i32,
  dloss: usize, dlossStride: i32, scale: f32,
): void {
  memory.fill(dx, 0, <usize>(n * c) << 2);
  for (let i = 0; i < n; i++) {
    const y = load<i32>(at(target, i));
    if (y == ignoreIndex) continue;
    const g = load<f32>(at(dloss, i * dlossStride)) * scale;
    store<f32>(at(dx, i * c + y), -g * opt1(w, y));
  }
}

// ---------------------------------------------------------------------------- binary losses

// @ts-ignore: decorator
@inline function bce4(x: v128, t: v128, w: v128): v128 {
  const lx = f32x4.max(log4(x), c4(-100));
  const l1 = f32x4.max(log4(f32x4.sub(c4(1), x)), c4(-100));
  return f32x4.mul(w, f32x4.sub(f32x4.mul(f32x4.sub(t, c4(1)), l1), f32x4.mul(t, lx)));
}

/** Lanes where x is outside [0, 1] or NaN. */
// @ts-ignore: decorator
@inline function outside01(x: v128): v128 {
  return v128.not(v128.and(f32x4.ge(x, c4(0)), f32x4.le(x, c4(1))));
}

export function binary_cross_entropy_f32(
  loss: usize, stats: usize, x: usize, t: usize, w: usize, n: i32,
): void {
  const one = c4(1);
  let acc = f64x2.splat(0);
  let total: f64 = 0;
  let bad = -1;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    if (bad < 0 && v128.any_true(outside01(xv))) bad = firstOutside(x, i, 4);
    const l = bce4(xv, v128.load(at(t, i)), opt4(w, i, one));
    if (loss) v128.store(at(loss, i), l);
    acc = acc64(acc, l);
  }
  for (; i < n; i++) {
    if (bad < 0) bad = firstOutside(x, i, 1);
    const l = lane0(bce4(c4(load<f32>(at(x, i))), c4(load<f32>(at(t, i))), c4(opt1(w, i))));
    if (loss) store<f32>(at(loss, i), l);
    total += l;
  }
  store<f32>(stats, <f32>(total + f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)));
  store<i32>(stats + 4, bad);
}

function firstOutside(x: usize, i: i32, count: i32): i32 {
  for (let k = i; k < i + count; k++) {
    const v = load<f32>(at(x, k));
    if (!(v >= 0 && v <= 1)) return k;
  }
  return -1;
}

// @ts-ignore: decorator
@inline function bceBwdX4(x: v128, t: v128, gw: v128): v128 {
  const den = f32x4.max(f32x4.mul(x, f32x4.sub(c4(1), x)), c4(1e-12));
  return f32x4.div(f32x4.mul(gw, f32x4.sub(x, t)), den);
}

// @ts-ignore: decorator
@inline function bceBwdT4(x: v128, gw: v128): v128 {
  return f32x4.neg(f32x4.mul(gw, log4(f32x4.div(x, f32x4.sub(c4(1), x)))));
}

/** g w per lane: the upstream gradient (one value when dlossStride is 0) times the weight. */
// @ts-ignore: decorator
@inline function gw4(dloss: usize, dlossStride: i32, scale: f32, w: usize, i: i32): v128 {
  const g = dlossStride ? v128.load(at(dloss, i)) : c4(load<f32>(dloss));
  return f32x4.mul(f32x4.mul(g, c4(scale)), opt4(w, i, c4(1)));
}

// @ts-ignore: decorator
@inline function gw1(dloss: usize, dlossStride: i32, scale: f32, w: usize, i: i32): v128 {
  return c4(load<f32>(at(dloss, i * dlossStride)) * scale * opt1(w, i));
}

export function binary_cross_entropy_bwd_f32(
  dx: usize, dt: usize, x: usize, t: usize, w: usize, n: i32,
  dloss: usize, dlossStride: i32, scale: f32,
): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    const gw = gw4(dloss, dlossStride, scale, w, i);
    if (dx) v128.store(at(dx, i), bceBwdX4(xv, v128.load(at(t, i)), gw));
    if (dt) v128.store(at(dt, i), bceBwdT4(xv, gw));
  }
  for (; i < n; i++) {
    const xv = c4(load<f32>(at(x, i)));
    const gw = gw1(dloss, dlossStride, scale, w, i);
    if (dx) store<f32>(at(dx, i), lane0(bceBwdX4(xv, c4(load<f32>(at(t, i))), gw)));
    if (dt) store<f32>(at(dt, i), lane0(bceBwdT4(xv, gw)));
  }
}

/** softplus(-x) = log(1 + exp(-x)) = max(-x, 0) + log(1 + exp(-|x|)), exact for large |x|. */
// @ts-ignore: decorator
@inline function softplusNeg4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x)));
  return f32x4.add(f32x4.max(f32x4.neg(x), c4(0)), log4(f32x4.add(c4(1), e)));
}

// @ts-ignore: decorator
@inline function bceLogits4(x: v128, t: v128, w: v128, pw: v128): v128 {
  const lw = f32x4.add(c4(1), f32x4.mul(f32x4.sub(pw, c4(1)), t));
  const l = f32x4.add(f32x4.mul(f32x4.sub(c4(1), t), x), f32x4.mul(lw, softplusNeg4(x)));
  return f32x4.mul(w, l);
}

export function bce_with_logits_f32(
  loss: usize, stats: usize, x: usize, t: usize, w: usize, pw: usize, n: i32,
): void {
  const one = c4(1);
  let acc = f64x2.splat(0);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const l = bceLogits4(v128.load(at(x, i)), v128.load(at(t, i)), opt4(w, i, one),
      opt4(pw, i, one));
    if (loss) v128.store(at(loss, i), l);
    acc = acc64(acc, l);
  }
  for (; i < n; i++) {
    const l = lane0(bceLogits4(c4(load<f32>(at(x, i))), c4(load<f32>(at(t, i))),
      c4(opt1(w, i)), c4(opt1(pw, i))));
    if (loss) store<f32>(at(loss, i), l);
    total += l;
  }
  store<f32>(stats, <f32>(total + f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1)));
}

// @ts-ignore: decorator
@inline function bceLogitsBwdX4(x: v128, t: v128, pw: v128, gw: v128): v128 {
  const pt = f32x4.mul(pw, t);
  const a = f32x4.sub(f32x4.add(c4(1), pt), t);
  return f32x4.mul(gw, f32x4.sub(f32x4.mul(a, sigmoid4(x)), pt));
}

// @ts-ignore: decorator
@inline function bceLogitsBwdT4(x: v128, pw: v128, gw: v128): v128 {
  return f32x4.mul(gw, f32x4.sub(f32x4.mul(f32x4.sub(pw, c4(1)), softplusNeg4(x)), x));
}

export function bce_with_logits_bwd_f32(
  dx: usize, dt: usize, x: usize, t: usize, w: usize, pw: usize, n: i32,
  dloss: usize, dlossStride: i32, scale: f32,
): void {
  const one = c4(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const xv = v128.load(at(x, i));
    const pv = opt4(pw, i, one);
    const gw = gw4(dloss, dlossStride, scale, w, i);
    if (dx) v128.store(at(dx, i), bceLogitsBwdX4(xv, v128.load(at(t, i)), pv, gw));
    if (dt) v128.store(at(dt, i), bceLogitsBwdT4(xv, pv, gw));
  }
  for (; i < n; i++) {
    const xv = c4(load<f32>(at(x, i)));
    const pv = c4(opt1(pw, i));
    const gw = gw1(dloss, dlossStride, scale, w, i);
    if (dx) store<f32>(at(dx, i), lane0(bceLogitsBwdX4(xv, c4(load<f32>(at(t, i))), pv, gw)));
    if (dt) store<f32>(at(dt, i), lane0(bceLogitsBwdT4(xv, pv, gw)));
  }
}
