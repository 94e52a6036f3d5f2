/**
 * Softmax, log-softmax and cross-entropy over one dimension of a contiguous tensor viewed as
 * [outer, r, inner] (the softmax dimension has length r). Rows with inner == 1 (the last
 * dimension, by far the common case) take vectorised paths; other layouts a scalar loop.
 * All subtract the row maximum first, so large logits neither overflow nor lose precision.
 */
import { exp4 } from "./math";

// @ts-ignore: decorator
@inline function exp1(x: f32): f32 {
  return f32x4.extract_lane(exp4(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

function rowMax(x: usize, n: i32): f32 {
  let m = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) m = f32x4.max(m, v128.load(at(x, i)));
  let r = max<f32>(max<f32>(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)),
    max<f32>(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  for (; i < n; i++) r = max<f32>(r, load<f32>(at(x, i)));
  return r;
}

/** dst[i] = exp(x[i] - m) (dst may be 0 to only sum); returns the sum. */
function rowExpSum(dst: usize, x: usize, n: i32, m: f32): f32 {
  const mv = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const e = exp4(f32x4.sub(v128.load(at(x, i)), mv));
    if (dst) v128.store(at(dst, i), e);
    acc = f32x4.add(acc, e);
  }
  let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    (f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  for (; i < n; i++) {
    const e = exp1(load<f32>(at(x, i)) - m);
    if (dst) store<f32>(at(dst, i), e);
    s += e;
  }
  return s;
}

/** dst[i] = (x[i] + add) * mul. */
function rowAffine(dst: usize, x: usize, n: i32, add: f32, mul: f32): void {
  const av = f32x4.splat(add);
  const mv = f32x4.splat(mul);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(dst, i), f32x4.mul(f32x4.add(v128.load(at(x, i)), av), mv));
  for (; i < n; i++) store<f32>(at(dst, i), (load<f32>(at(x, i)) + add) * mul);
}

function softmaxStrided(dst: usize, x: usize, outer: i32, r: i32, inner: i32, log: bool): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let m: f32 = -Infinity;
      for (let j = 0; j < r; j++) m = max<f32>(m, load<f32>(at(x, base + j * inner)));
      let s: f32 = 0;
      for (let j = 0; j < r; j++) s += exp1(load<f32>(at(x, base + j * inner)) - m);
      const ls = Mathf.log(s);
      for (let j = 0; j < r; j++) {
        const k = base + j * inner;
        const v = load<f32>(at(x, k)) - m;
        store<f32>(at(dst, k), log ? v - ls : exp1(v) / s);
      }
    }
  }
}

export function softmax_f32(dst: usize, x: usize, outer: i32, r: i32, inner: i32): void {
  if (inner != 1) {
    softmaxStrided(dst, x, outer, r, inner, false);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const xr = at(x, o * r);
    const dr = at(dst, o * r);
    const s = rowExpSum(dr, xr, r, rowMax(xr, r));
    rowAffine(dr, dr, r, 0, 1 / s);
  }
}

export function log_softmax_f32(dst: usize, x: usize, outer: i32, r: i32, inner: i32): void {
  if (inner != 1) {
    softmaxStrided(dst, x, outer, r, inner, true);
    return;
  }
  for (let o = 0; o < outer; o++) {
    const xr = at(x, o * r);
    const m = rowMax(xr, r);
    const s = rowExpSum(0, xr, r, m);
    rowAffine(at(dst, o * r), xr, r, -m - Mathf.log(s), 1);
  }
}

/**
 * Gradients, given y = softmax(x) or y = logSoftmax(x):
 *   softmax:    dx = y * (dy - sum_j dy_j * y_j)
 *   logSoftmax: dx = dy - exp(y) * sum_j dy_j
 */
export function softmax_bwd_f32(dx: usize, dy: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let dot: f32 = 0;
      for (let j = 0; j < r; j++) {
        const k = base + j * inner;
        dot += load<f32>(at(dy, k)) * load<f32>(at(y, k));
      }
      for (let j = 0; j < r; j++) {
        const k = base + j * inner;
        store<f32>(at(dx, k), load<f32>(at(y, k)) * (load<f32>(at(dy, k)) - dot));
      }
    }
  }
}

export function log_softmax_bwd_f32(dx: usize, dy: usize, y: usize, outer: i32, r: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * r * inner + i;
      let s: f32 = 0;
      for (let j = 0; j < r; j++) s += load<f32>(at(dy, base + j * inner));
      for (let j = 0; j < r; j++) {
        const k = base + j * inner;
        store<f32>(at(dx, k), load<f32>(at(dy, k)) - exp1(load<f32>(at(y, k))) * s);
      }
    }
  }
}
