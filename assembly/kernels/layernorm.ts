/**
 * Row normalisation for LayerNorm, RMSNorm and GroupNorm, one pass forward and one fused pass
 * backward. x is [rows, n] contiguous; each row is normalised on its own:
 *
 *   mean = center ? sum(x) / n : 0,  rstd = 1 / sqrt(sum((x - mean)^2) / n + eps)
 *   xhat = (x - mean) * rstd,        y = xhat * w[k] + b[k]
 *
 * LayerNorm: center = 1, s = 1, groups = 1, k = j (one weight per element of the row).
 * RMSNorm:   center = 0 (no mean, no bias), otherwise as LayerNorm.
 * GroupNorm: x [N, C, S] seen as rows = N * G of n = (C / G) * S, so a row is one group of one
 *            sample, contiguous in NCHW; k = (row % G) * (C / G) + j / S (one weight per channel).
 *
 * Backward, with g = dy * w[k] and means over the row:
 *   dx = rstd * (g - mean(g) - xhat * mean(g * xhat))      (RMSNorm: without the mean(g) term)
 *   dw[k] += dy * xhat, db[k] += dy  (summed over rows and, for GroupNorm, over S)
 * mean and rstd per row are written by the forward for the backward. A w or b pointer of 0 means
 * none (1 and 0); a gradient pointer of 0 is skipped. Row sums are kept in f32x4 lanes and
 * reduced in f64; the variance is a second pass over x - mean, so an offset does not cancel.
 */

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) +
    (<f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3));
}

function rowSum(x: usize, n: i32): f64 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) acc = f32x4.add(acc, v128.load(at(x, i)));
  let s = hsum(acc);
  for (; i < n; i++) s += <f64>load<f32>(at(x, i));
  return s;
}

function rowSquares(x: usize, n: i32, shift: f32): f64 {
  const vs = f32x4.splat(shift);
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = f32x4.sub(v128.load(at(x, i)), vs);
    acc = f32x4.add(acc, f32x4.mul(d, d));
  }
  let s = hsum(acc);
  for (; i < n; i++) {
    const d = load<f32>(at(x, i)) - shift;
    s += <f64>(d * d);
  }
  return s;
}

/** y[i] = (x[i] - mean) * rstd * w[i] + b[i] over `len` elements, or with scalars wv, bv. */
function affine(y: usize, x: usize, len: i32, mean: f32, rstd: f32, w: usize, b: usize,
  ws: f32, bs: f32): void {
  const vm = f32x4.splat(mean);
  const vr = f32x4.splat(rstd);
  const vw = f32x4.splat(ws);
  const vb = f32x4.splat(bs);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const xh = f32x4.mul(f32x4.sub(v128.load(at(x, i)), vm), vr);
    const wi = w ? v128.load(at(w, i)) : vw;
    const bi = b ? v128.load(at(b, i)) : vb;
    v128.store(at(y, i), f32x4.add(f32x4.mul(xh, wi), bi));
  }
  for (; i < len; i++) {
    const xh = (load<f32>(at(x, i)) - mean) * rstd;
    const wi = w ? load<f32>(at(w, i)) : ws;
    const bi = b ? load<f32>(at(b, i)) : bs;
    store<f32>(at(y, i), xh * wi + bi);
  }
}

export function layernorm_f32(y: usize, meanOut: usize, rstdOut: usize, x: usize, w: usize,
  b: usize, rows: i32, n: i32, groups: i32, s: i32, eps: f32, center: i32): void {
  const cpg = n / s;
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * n);
    const yr = at(y, r * n);
    const mean: f32 = center ? <f32>(rowSum(xr, n) / <f64>n) : 0;
    const rstd = <f32>(1.0 / Math.sqrt(rowSquares(xr, n, mean) / <f64>n + <f64>eps));
    store<f32>(at(meanOut, r), mean);
    store<f32>(at(rstdOut, r), rstd);
    const k0 = (r % groups) * cpg;
    if (s == 1) {
      affine(yr, xr, n, mean, rstd, w ? at(w, k0) : 0, b ? at(b, k0) : 0, 1, 0);
      continue;
    }
    for (let c = 0; c < cpg; c++) {
      const ws: f32 = w ? load<f32>(at(w, k0 + c)) : 1;
      const bs: f32 = b ? load<f32>(at(b, k0 + c)) : 0;
      affine(at(yr, c * s), at(xr, c * s), s, mean, rstd, 0, 0, ws, bs);
    }
  }
}

/**
 * Over one span of `len` elements sharing weight scalar ws (or per-element weights w):
 * returns sums of g and g * xhat in lanes 0 and 1, and accumulates dw, db (per element
 * when s == 1, else into the scalar slots dws/dbs) as it goes.
 */
function spanSums(dy: usize, x: usize, len: i32, mean: f32, rstd: f32, w: usize, ws: f32,
  dw: usize, db: usize): v128 {
  const vm = f32x4.splat(mean);
  const vr = f32x4.splat(rstd);
  const vw = f32x4.splat(ws);
  let sg = f32x4.splat(0);
  let sgx = f32x4.splat(0);
  let sdw = f32x4.splat(0);
  let sdb = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const d = v128.load(at(dy, i));
    const xh = f32x4.mul(f32x4.sub(v128.load(at(x, i)), vm), vr);
    const g = f32x4.mul(d, w ? v128.load(at(w, i)) : vw);
    sg = f32x4.add(sg, g);
    sgx = f32x4.add(sgx, f32x4.mul(g, xh));
    sdw = f32x4.add(sdw, f32x4.mul(d, xh));
    sdb = f32x4.add(sdb, d);
  }
  let tg = hsum(sg);
  let tgx = hsum(sgx);
  let tdw = hsum(sdw);
  let tdb = hsum(sdb);
  for (; i < len; i++) {
    const d = load<f32>(at(dy, i));
    const xh = (load<f32>(at(x, i)) - mean) * rstd;
    const g = d * (w ? load<f32>(at(w, i)) : ws);
    tg += <f64>g;
    tgx += <f64>(g * xh);
    tdw += <f64>(d * xh);
    tdb += <f64>d;
  }
  if (dw) store<f32>(dw, load<f32>(dw) + <f32>tdw);
  if (db) store<f32>(db, load<f32>(db) + <f32>tdb);
  return f64x2.replace_lane(f64x2.splat(tg), 1, tgx);
}

/** Per-element dw += dy * xhat, db += dy for one row (LayerNorm's weights, s == 1). */
function rowParamGrads(dw: usize, db: usize, dy: usize, x: usize, n: i32, mean: f32,
  rstd: f32): void {
  const vm = f32x4.splat(mean);
  const vr = f32x4.splat(rstd);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const d = v128.load(at(dy, i));
    if (dw) {
      const xh = f32x4.mul(f32x4.sub(v128.load(at(x, i)), vm), vr);
      v128.store(at(dw, i), f32x4.add(v128.load(at(dw, i)), f32x4.mul(d, xh)));
    }
    if (db) v128.store(at(db, i), f32x4.add(v128.load(at(db, i)), d));
  }
  for (; i < n; i++) {
    const d = load<f32>(at(dy, i));
    if (dw) store<f32>(at(dw, i), load<f32>(at(dw, i)) + d * (load<f32>(at(x, i)) - mean) * rstd);
    if (db) store<f32>(at(db, i), load<f32>(at(db, i)) + d);
  }
}

/** dx = rstd * (g - a - xhat * c) over `len` elements, g = dy * (w[i] or ws). */
function spanDx(dx: usize, dy: usize, x: usize, len: i32, mean: f32, rstd: f32, w: usize,
  ws: f32, a: f32, c: f32): void {
  const vm = f32x4.splat(mean);
  const vr = f32x4.splat(rstd);
  const vw = f32x4.splat(ws);
  const va = f32x4.splat(a);
  const vc = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const xh = f32x4.mul(f32x4.sub(v128.load(at(x, i)), vm), vr);
    const g = f32x4.mul(v128.load(at(dy, i)), w ? v128.load(at(w, i)) : vw);
    v128.store(at(dx, i), f32x4.mul(vr, f32x4.sub(f32x4.sub(g, va), f32x4.mul(xh, vc))));
  }
  for (; i < len; i++) {
    const xh = (load<f32>(at(x, i)) - mean) * rstd;
    const g = load<f32>(at(dy, i)) * (w ? load<f32>(at(w, i)) : ws);
    store<f32>(at(dx, i), rstd * (g - a - xh * c));
  }
}

export function layernorm_bwd_f32(dx: usize, dw: usize, db: usize, dy: usize, x: usize,
  meanIn: usize, rstdIn: usize, w: usize, rows: i32, n: i32, groups: i32, s: i32,
  center: i32): void {
  const cpg = n / s;
  const nw = groups * cpg;
  if (dw) memory.fill(dw, 0, <usize>nw << 2);
  if (db) memory.fill(db, 0, <usize>nw << 2);
  for (let r = 0; r < rows; r++) {
    const xr = at(x, r * n);
    const dyr = at(dy, r * n);
    const mean = load<f32>(at(meanIn, r));
    const rstd = load<f32>(at(rstdIn, r));
    let tg: f64 = 0;
    let tgx: f64 = 0;
    const k0 = (r % groups) * cpg;
    if (s == 1) {
      const t = spanSums(dyr, xr, n, mean, rstd, w ? at(w, k0) : 0, 1, 0, 0);
      tg = f64x2.extract_lane(t, 0);
      tgx = f64x2.extract_lane(t, 1);
      if (dw || db) rowParamGrads(dw ? at(dw, k0) : 0, db ? at(db, k0) : 0, dyr, xr, n, mean, rstd);
    } else {
      for (let c = 0; c < cpg; c++) {
        const ws: f32 = w ? load<f32>(at(w, k0 + c)) : 1;
        const t = spanSums(at(dyr, c * s), at(xr, c * s), s, mean, rstd, 0, ws,
          dw ? at(dw, k0 + c) : 0, db ? at(db, k0 + c) : 0);
        tg += f64x2.extract_lane(t, 0);
        tgx += f64x2.extract_lane(t, 1);
      }
    }
    if (!dx) continue;
    const a: f32 = center ? <f32>(tg / <f64>n) : 0;
    const c: f32 = <f32>(tgx / <f64>n);
    if (s == 1) {
      spanDx(at(dx, r * n), dyr, xr, n, mean, rstd, w ? at(w, k0) : 0, 1, a, c);
    } else {
      for (let ch = 0; ch < cpg; ch++) {
        const ws: f32 = w ? load<f32>(at(w, k0 + ch)) : 1;
        spanDx(at(dx, r * n + ch * s), at(dyr, ch * s), at(xr, ch * s), s, mean, rstd, 0, ws,
          a, c);
      }
    }
  }
}

/**
 * spanSums' weight and bias sums alone (GroupNorm's per-channel slots): the same operations in
 * the same order, so the same bits.
 */
function spanParams(dy: usize, x: usize, len: i32, mean: f32, rstd: f32, dw: usize, db: usize): void {
  const vm = f32x4.splat(mean);
  const vr = f32x4.splat(rstd);
  let sdw = f32x4.splat(0);
  let sdb = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const d = v128.load(at(dy, i));
    const xh = f32x4.mul(f32x4.sub(v128.load(at(x, i)), vm), vr);
    sdw = f32x4.add(sdw, f32x4.mul(d, xh));
    sdb = f32x4.add(sdb, d);
  }
  let tdw = hsum(sdw);
  let tdb = hsum(sdb);
  for (; i < len; i++) {
    const d = load<f32>(at(dy, i));
    const xh = (load<f32>(at(x, i)) - mean) * rstd;
    tdw += <f64>(d * xh);
    tdb += <f64>d;
  }
  if (dw) store<f32>(dw, load<f32>(dw) + <f32>tdw);
  if (db) store<f32>(db, load<f32>(db) + <f32>tdb);
}

/**
 * dw and db of layernorm_bwd_f32 alone: the same sums in the same order (per element with
 * LayerNorm's weights, s == 1; per channel with GroupNorm's, s > 1), so the same bits. The
 * pool's second phase, after the rows' dx ran in parallel (layernorm_bwd_f32 with dw = db = 0).
 */
export function layernorm_bwd_params_f32(dw: usize, db: usize, dy: usize, x: usize,
  meanIn: usize, rstdIn: usize, rows: i32, n: i32, groups: i32, s: i32): void {
  const cpg = n / s;
  const nw = groups * cpg;
  if (dw) memory.fill(dw, 0, <usize>nw << 2);
  if (db) memory.fill(db, 0, <usize>nw << 2);
  if (!dw && !db) return;
  for (let r = 0; r < rows; r++) {
    const k0 = (r % groups) * cpg;
    const xr = at(x, r * n);
    const dyr = at(dy, r * n);
    const mean = load<f32>(at(meanIn, r));
    const rstd = load<f32>(at(rstdIn, r));
    if (s == 1) {
      rowParamGrads(dw ? at(dw, k0) : 0, db ? at(db, k0) : 0, dyr, xr, n, mean, rstd);
    } else {
      for (let c = 0; c < cpg; c++) {
        spanParams(at(dyr, c * s), at(xr, c * s), s, mean, rstd, dw ? at(dw, k0 + c) : 0,
          db ? at(db, k0 + c) : 0);
      }
    }
  }
}
