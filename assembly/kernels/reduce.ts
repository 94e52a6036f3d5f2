/**
 * Reductions.
 *
 * reduce_f32 folds a contiguous source into a destination through broadcast strides: walking the
 * source's N-d index, element src[idx] is combined into dst[idx . dstStride], where a reduced
 * dimension has dstStride 0. One kernel so serves sum/max over any set of dimensions and the
 * "unbroadcast" that sums a gradient back to an operand's shape.
 * meta (i32): shape[ndim] (of src), dstStride[ndim], in elements.
 * Rows are reduced with 16 partial sums (four f32x4 accumulators) to keep rounding error low.
 */
import { COUNTERS } from "./binary";

export const RED_SUM = 0;
export const RED_MAX = 1;

// @ts-ignore: decorator
@inline function combine4(op: i32, a: v128, b: v128): v128 {
  return op == RED_SUM ? f32x4.add(a, b) : f32x4.max(a, b);
}

// @ts-ignore: decorator
@inline function combine1(op: i32, a: f32, b: f32): f32 {
  return op == RED_SUM ? a + b : max<f32>(a, b);
}

// @ts-ignore: decorator
@inline function identity(op: i32): f32 {
  return op == RED_SUM ? 0.0 : -Infinity;
}

/**
 * Folds n contiguous floats into one value. Sums run in blocks of BLOCK floats (16 partial sums
 * each) whose results are added in double precision, so a sum of a million floats keeps ~1e-7
 * relative error instead of drifting like one long float accumulator.
 */
// @ts-ignore: decorator
@inline function foldRow(op: i32, src: usize, n: i32): f32 {
  if (op == RED_MAX) return foldBlock(RED_MAX, src, n);
  let total: f64 = 0;
  for (let i = 0; i < n; i += BLOCK) total += <f64>foldBlock(RED_SUM, src + (<usize>i << 2), min(BLOCK, n - i));
  return <f32>total;
}

const BLOCK = 4096;

// @ts-ignore: decorator
@inline function foldBlock(op: i32, src: usize, n: i32): f32 {
  const id = f32x4.splat(identity(op));
  let acc0 = id;
  let acc1 = id;
  let acc2 = id;
  let acc3 = id;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = src + (<usize>i << 2);
    acc0 = combine4(op, acc0, v128.load(p));
    acc1 = combine4(op, acc1, v128.load(p, 16));
    acc2 = combine4(op, acc2, v128.load(p, 32));
    acc3 = combine4(op, acc3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) acc0 = combine4(op, acc0, v128.load(src + (<usize>i << 2)));
  const acc = combine4(op, combine4(op, acc0, acc1), combine4(op, acc2, acc3));
  let r = combine1(
    op,
    combine1(op, f32x4.extract_lane(acc, 0), f32x4.extract_lane(acc, 1)),
    combine1(op, f32x4.extract_lane(acc, 2), f32x4.extract_lane(acc, 3)),
  );
  for (; i < n; i++) r = combine1(op, r, load<f32>(src + (<usize>i << 2)));
  return r;
}

/** dst[i] = dst[i] op src[i] over n contiguous floats. */
// @ts-ignore: decorator
@inline function foldInto(op: i32, dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, combine4(op, v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, combine1(op, load<f32>(dst + o), load<f32>(src + o)));
  }
}

// @ts-ignore: decorator
@inline function reduce(op: i32, dst: usize, dstSize: i32, src: usize, ndim: i32, meta: usize): void {
  const fill = identity(op);
  for (let i = 0; i < dstSize; i++) store<f32>(dst + (<usize>i << 2), fill);
  if (ndim == 0) {
    store<f32>(dst, combine1(op, load<f32>(dst), load<f32>(src)));
    return;
  }
  const last = ndim - 1;
  const shape = meta;
  const strides = meta + (<usize>ndim << 2);
  const n = load<i32>(shape + (<usize>last << 2));
  const innerStride = load<i32>(strides + (<usize>last << 2));
  let outer = 1;
  for (let d = 0; d < last; d++) outer *= load<i32>(shape + (<usize>d << 2));
  if (outer == 0 || n == 0) return;
  memory.fill(COUNTERS, 0, <usize>ndim << 2);
  let off = 0;
  const rowBytes = <usize>n << 2;
  for (let o = 0; o < outer; o++) {
    const s = src + <usize>o * rowBytes;
    const d0 = dst + (<usize>off << 2);
    if (innerStride == 0) {
      store<f32>(d0, combine1(op, load<f32>(d0), foldRow(op, s, n)));
    } else {
      foldInto(op, d0, s, n);
    }
    for (let d = last - 1; d >= 0; d--) {
      const cp = COUNTERS + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const size = load<i32>(shape + (<usize>d << 2));
      const st = load<i32>(strides + (<usize>d << 2));
      if (c < size) {
        store<i32>(cp, c);
        off += st;
        break;
      }
      store<i32>(cp, 0);
      off -= st * (size - 1);
    }
  }
}

export function reduce_f32(dst: usize, dstSize: i32, src: usize, ndim: i32, meta: usize, op: i32): void {
  if (op == RED_SUM) reduce(RED_SUM, dst, dstSize, src, ndim, meta);
  else reduce(RED_MAX, dst, dstSize, src, ndim, meta);
}

/**
 * reduce_f32 where only the last dimension is reduced and the destination is contiguous:
 * dst[r] = fold of src row r (n floats), as the whole call computes it. Rows are independent,
 * so the pool may split them.
 */
export function reduce_rows_f32(dst: usize, src: usize, rows: i32, n: i32, op: i32): void {
  for (let r = 0; r < rows; r++) {
    const v = op == RED_SUM
      ? combine1(RED_SUM, identity(RED_SUM), foldRow(RED_SUM, src + ((<usize>r * <usize>n) << 2), n))
      : combine1(RED_MAX, identity(RED_MAX), foldRow(RED_MAX, src + ((<usize>r * <usize>n) << 2), n));
    store<f32>(dst + (<usize>r << 2), v);
  }
}

/**
 * reduce_f32 where only leading dimensions are reduced: dst[c] = fold over r of src[r * ld + c]
 * for c < cols (rows in order, elementwise, as the whole call's foldInto). Columns are
 * independent, so the pool may split them (ld stays the full row).
 */
export function reduce_cols_f32(dst: usize, src: usize, rows: i32, cols: i32, ld: i32, op: i32): void {
  if (op == RED_SUM) {
    for (let c = 0; c < cols; c++) store<f32>(dst + (<usize>c << 2), identity(RED_SUM));
    for (let r = 0; r < rows; r++) foldInto(RED_SUM, dst, src + ((<usize>r * <usize>ld) << 2), cols);
  } else {
    for (let c = 0; c < cols; c++) store<f32>(dst + (<usize>c << 2), identity(RED_MAX));
    for (let r = 0; r < rows; r++) foldInto(RED_MAX, dst, src + ((<usize>r * <usize>ld) << 2), cols);
  }
}

/**
 * reduce_f32 where leading dimensions and the last one are reduced and the middle ones kept (a
 * conv bias gradient: [N, C, HW] to [C]): dst[c] folds the rows src[r * ld + c * n ..][0, n) for
 * r < rows in order, each row folded as the whole call folds it. Columns c < cols are
 * independent, so the pool may split them (ld stays the full stride of r).
 */
export function reduce_mid_f32(dst: usize, src: usize, rows: i32, cols: i32, ld: i32, n: i32, op: i32): void {
  for (let c = 0; c < cols; c++) {
    let acc = identity(op);
    for (let r = 0; r < rows; r++) {
      const row = src + ((<usize>r * <usize>ld + <usize>c * <usize>n) << 2);
      acc = op == RED_SUM
        ? combine1(RED_SUM, acc, foldRow(RED_SUM, row, n))
        : combine1(RED_MAX, acc, foldRow(RED_MAX, row, n));
    }
    store<f32>(dst + (<usize>c << 2), acc);
  }
}

/** dst[o, i] = the first index j of the largest x[o, j, i] (a NaN counts as largest, as PyTorch). */
export function argmax_f32(dst: usize, x: usize, outer: i32, r: i32, inner: i32): void {
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = x + ((<usize>(o * r * inner + i)) << 2);
      let best: f32 = load<f32>(base);
      let arg = 0;
      if (best == best) {
        for (let j = 1; j < r; j++) {
          const v = load<f32>(base + ((<usize>(j * inner)) << 2));
          if (v != v) {
            arg = j;
            break;
          }
          if (v > best) {
            best = v;
            arg = j;
          }
        }
      }
      store<i32>(dst + ((<usize>(o * inner + i)) << 2), arg);
    }
  }
}

/** Gradient of a max over one dimension: dx[o, idx[o,i], i] = dy[o, i], zero elsewhere. */
export function max_bwd_f32(dx: usize, dy: usize, idx: usize, outer: i32, r: i32, inner: i32): void {
  memory.fill(dx, 0, (<usize>(outer * r * inner)) << 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const k = o * inner + i;
      const j = load<i32>(idx + (<usize>k << 2));
      store<f32>(dx + ((<usize>((o * r + j) * inner + i)) << 2), load<f32>(dy + (<usize>k << 2)));
    }
  }
}
