/**
 * Batch normalisation over x [N, C, S] (S = H * W for BatchNorm2d, L or 1 for BatchNorm1d), per
 * channel c, as torch.nn.functional.batch_norm:
 *
 *   y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]
 *
 * In training, mean and var are the batch statistics (biased variance, over N * S values) from
 * batchnorm_stats_f32; in evaluation they are the running statistics. Sums run in f64, and the
 * variance is a second pass over (x - mean), so large offsets do not cancel.
 *
 * Gradient, with xhat = (x - mean) * invstd, M = N * S and sums over the channel:
 *   dbias = sum(dy), dweight = sum(dy * xhat)
 *   training: dx = weight * invstd * (dy - dbias / M - xhat * dweight / M)
 *   eval:     dx = weight * invstd * dy
 * A weight or bias pointer of 0 means none (weight 1, bias 0); a gradient pointer of 0 is skipped.
 */

/** Sum over the channel of (x - shift)^2, f32 lanes flushed into f64 every 1024 values. */
function channelSquares(x: usize, n: i32, c: i32, s: i32, ch: i32, shift: f32): f64 {
  let total: f64 = 0;
  const vs = f32x4.splat(shift);
  for (let b = 0; b < n; b++) {
    const row = x + (((<usize>b * <usize>c + <usize>ch) * <usize>s) << 2);
    let acc = f32x4.splat(0);
    let part: f64 = 0;
    let i = 0;
    for (; i + 4 <= s; i += 4) {
      const d = f32x4.sub(v128.load(row + (<usize>i << 2)), vs);
      acc = f32x4.add(acc, f32x4.mul(d, d));
      // Flush the f32 partials into f64 every 1024 values to bound their rounding error.
      if ((i & 1023) == 1020) {
        part += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
          <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
        acc = f32x4.splat(0);
      }
    }
    part += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
      <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    for (; i < s; i++) {
      const d = load<f32>(row + (<usize>i << 2)) - shift;
      part += <f64>(d * d);
    }
    total += part;
  }
  return total;
}

/** Sum over the channel of x, f32 lanes flushed into f64 every 1024 values. */
function channelTotal(x: usize, n: i32, c: i32, s: i32, ch: i32): f64 {
  let total: f64 = 0;
  for (let b = 0; b < n; b++) {
    const row = x + (((<usize>b * <usize>c + <usize>ch) * <usize>s) << 2);
    let acc = f32x4.splat(0);
    let part: f64 = 0;
    let i = 0;
    for (; i + 4 <= s; i += 4) {
      acc = f32x4.add(acc, v128.load(row + (<usize>i << 2)));
      if ((i & 1023) == 1020) {
        part += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
          <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
        acc = f32x4.splat(0);
      }
    }
    part += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) +
      <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
    for (; i < s; i++) part += <f64>load<f32>(row + (<usize>i << 2));
    total += part;
  }
  return total;
}

/** mean[C], var[C] = per-channel mean and biased variance of x [N, C, S]. */
export function batchnorm_stats_f32(mean: usize, variance: usize, x: usize, n: i32, c: i32, s: i32): void {
  statsRange(mean, variance, x, n, c, s, 0, c);
}

function statsRange(mean: usize, variance: usize, x: usize, n: i32, c: i32, s: i32, ch0: i32, ch1: i32): void {
  const m = <f64>n * <f64>s;
  for (let ch = ch0; ch < ch1; ch++) {
    const mu = m > 0 ? channelTotal(x, n, c, s, ch) / m : NaN;
    const mu32 = <f32>mu;
    // Variance about the rounded mean, corrected for the rounding: E[(x - m')^2] - (mu - m')^2.
    const d = mu - <f64>mu32;
    const v = m > 0 ? channelSquares(x, n, c, s, ch, mu32) / m - d * d : NaN;
    store<f32>(mean + (<usize>ch << 2), mu32);
    store<f32>(variance + (<usize>ch << 2), <f32>max(v, 0));
  }
}

/** y [N, C, S] = batch normalisation of x with the given per-channel mean and variance. */
export function batchnorm_f32(
  y: usize, x: usize, mean: usize, variance: usize, weight: usize, bias: usize,
  n: i32, c: i32, s: i32, eps: f32,
): void {
  normRange(y, x, mean, variance, weight, bias, n, c, s, eps, 0, c);
}

function normRange(
  y: usize, x: usize, mean: usize, variance: usize, weight: usize, bias: usize,
  n: i32, c: i32, s: i32, eps: f32, ch0: i32, ch1: i32,
): void {
  for (let ch = ch0; ch < ch1; ch++) {
    const off = <usize>ch << 2;
    const invstd: f32 = 1 / Mathf.sqrt(load<f32>(variance + off) + eps);
    const w: f32 = weight != 0 ? load<f32>(weight + off) : 1;
    const b: f32 = bias != 0 ? load<f32>(bias + off) : 0;
    // y = (x - mean) * scale + b: subtracting first keeps large offsets from cancelling.
    const mu = load<f32>(mean + off);
    const scale = w * invstd;
    const vm = f32x4.splat(mu);
    const vs = f32x4.splat(scale);
    const vb = f32x4.splat(b);
    for (let bi = 0; bi < n; bi++) {
      const at = ((<usize>bi * <usize>c + <usize>ch) * <usize>s) << 2;
      const src = x + at;
      const dst = y + at;
      let i = 0;
      for (; i + 4 <= s; i += 4) {
        const o = <usize>i << 2;
        v128.store(dst + o, f32x4.add(f32x4.mul(f32x4.sub(v128.load(src + o), vm), vs), vb));
      }
      for (; i < s; i++) {
        const o = <usize>i << 2;
        store<f32>(dst + o, (load<f32>(src + o) - mu) * scale + b);
      }
    }
  }
}

/** Gradients of batchnorm_f32 (see the file comment); training 1 includes the statistics' path. */
export function batchnorm_bwd_f32(
  dx: usize, dweight: usize, dbias: usize, dy: usize, x: usize, mean: usize, variance: usize,
  weight: usize, n: i32, c: i32, s: i32, eps: f32, training: i32,
): void {
  backRange(dx, dweight, dbias, dy, x, mean, variance, weight, n, c, s, eps, training, 0, c);
}

function backRange(
  dx: usize, dweight: usize, dbias: usize, dy: usize, x: usize, mean: usize, variance: usize,
  weight: usize, n: i32, c: i32, s: i32, eps: f32, training: i32, ch0: i32, ch1: i32,
): void {
  const m: f32 = <f32>n * <f32>s;
  for (let ch = ch0; ch < ch1; ch++) {
    const off = <usize>ch << 2;
    const mu = load<f32>(mean + off);
    const invstd: f32 = 1 / Mathf.sqrt(load<f32>(variance + off) + eps);
    const w: f32 = weight != 0 ? load<f32>(weight + off) : 1;
    // sum(dy) and sum(dy * (x - mu)) in one pass.
    let sdy: f64 = 0;
    let sdyx: f64 = 0;
    const vmu = f32x4.splat(mu);
    for (let bi = 0; bi < n; bi++) {
      const at = ((<usize>bi * <usize>c + <usize>ch) * <usize>s) << 2;
      let a0 = f32x4.splat(0);
      let a1 = f32x4.splat(0);
      let i = 0;
      for (; i + 4 <= s; i += 4) {
        const o = at + (<usize>i << 2);
        const g = v128.load(dy + o);
        a0 = f32x4.add(a0, g);
        a1 = f32x4.add(a1, f32x4.mul(g, f32x4.sub(v128.load(x + o), vmu)));
        if ((i & 1023) == 1020) {
          sdy += <f64>f32x4.extract_lane(a0, 0) + <f64>f32x4.extract_lane(a0, 1) +
            <f64>f32x4.extract_lane(a0, 2) + <f64>f32x4.extract_lane(a0, 3);
          sdyx += <f64>f32x4.extract_lane(a1, 0) + <f64>f32x4.extract_lane(a1, 1) +
            <f64>f32x4.extract_lane(a1, 2) + <f64>f32x4.extract_lane(a1, 3);
          a0 = f32x4.splat(0);
          a1 = f32x4.splat(0);
        }
      }
      sdy += <f64>f32x4.extract_lane(a0, 0) + <f64>f32x4.extract_lane(a0, 1) +
        <f64>f32x4.extract_lane(a0, 2) + <f64>f32x4.extract_lane(a0, 3);
      sdyx += <f64>f32x4.extract_lane(a1, 0) + <f64>f32x4.extract_lane(a1, 1) +
        <f64>f32x4.extract_lane(a1, 2) + <f64>f32x4.extract_lane(a1, 3);
      for (; i < s; i++) {
        const o = at + (<usize>i << 2);
        const g = load<f32>(dy + o);
        sdy += <f64>g;
        sdyx += <f64>(g * (load<f32>(x + o) - mu));
      }
    }
    const sumDy = <f32>sdy;
    const sumDyXhat = <f32>(sdyx * <f64>invstd);
    if (dbias != 0) store<f32>(dbias + off, sumDy);
    if (dweight != 0) store<f32>(dweight + off, sumDyXhat);
    if (dx == 0) continue;
    // dx = k * dy + a * (x - mu) + b, with k = w * invstd and, in training,
    //   a = -k * invstd * sumDyXhat / M,  b = -k * sumDy / M.
    const k = w * invstd;
    let a: f32 = 0;
    let b: f32 = 0;
    if (training != 0 && m > 0) {
      a = -k * invstd * sumDyXhat / m;
      b = -k * sumDy / m;
    }
    const vk = f32x4.splat(k);
    const va = f32x4.splat(a);
    const vb = f32x4.splat(b);
    for (let bi = 0; bi < n; bi++) {
      const at = ((<usize>bi * <usize>c + <usize>ch) * <usize>s) << 2;
      let i = 0;
      for (; i + 4 <= s; i += 4) {
        const o = at + (<usize>i << 2);
        const xc = f32x4.sub(v128.load(x + o), vmu);
        const v = f32x4.add(f32x4.mul(v128.load(dy + o), vk), f32x4.add(f32x4.mul(xc, va), vb));
        v128.store(dx + o, v);
      }
      for (; i < s; i++) {
        const o = at + (<usize>i << 2);
        store<f32>(dx + o, load<f32>(dy + o) * k + ((load<f32>(x + o) - mu) * a + b));
      }
    }
  }
}

// Parallel blocks: block b covers channels b * per .. (b + 1) * per. Channels are independent,
// so any split gives the whole call's bits.

/** Channels block * per .. of batchnorm_stats_f32. */
export function batchnorm_stats_block_f32(
  mean: usize, variance: usize, x: usize, n: i32, c: i32, s: i32, per: i32, block: i32,
): void {
  const ch0 = block * per;
  statsRange(mean, variance, x, n, c, s, ch0, min(c, ch0 + per));
}

/** Channels block * per .. of batchnorm_f32. */
export function batchnorm_block_f32(
  y: usize, x: usize, mean: usize, variance: usize, weight: usize, bias: usize,
  n: i32, c: i32, s: i32, eps: f32, per: i32, block: i32,
): void {
  const ch0 = block * per;
  normRange(y, x, mean, variance, weight, bias, n, c, s, eps, ch0, min(c, ch0 + per));
}

/** Channels block * per .. of batchnorm_bwd_f32. */
export function batchnorm_bwd_block_f32(
  dx: usize, dweight: usize, dbias: usize, dy: usize, x: usize, mean: usize, variance: usize,
  weight: usize, n: i32, c: i32, s: i32, eps: f32, training: i32, per: i32, block: i32,
): void {
  const ch0 = block * per;
  backRange(dx, dweight, dbias, dy, x, mean, variance, weight, n, c, s, eps, training, ch0, min(c, ch0 + per));
}
