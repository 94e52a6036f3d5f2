/**
 * Data movement: fills, contiguous and 2-D block copies (cat, narrow, stack and their
 * gradients), and the strided gather behind permute/transpose and broadcast expansion.
 * gather_f32 meta (i32): shape[ndim] of dst, srcStride[ndim] in elements (0 repeats a value).
 */
import { COUNTERS } from "./binary";
import { threadIndex } from "./gemm/scratch";

export function copy_f32(dst: usize, src: usize, n: i32): void {
  memory.copy(dst, src, <usize>n << 2);
}

export function fill_f32(dst: usize, n: i32, value: f32): void {
  const v = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v);
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), value);
}

/** dst[i] = start + i * step, computed in double precision as PyTorch does. */
export function arange_f32(dst: usize, n: i32, start: f64, step: f64): void {
  for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), <f32>(start + <f64>i * step));
}

/** rows x cols block: dst[r * dstStride + c] = src[r * srcStride + c]. */
export function copy_2d_f32(dst: usize, dstStride: i32, src: usize, srcStride: i32, rows: i32, cols: i32): void {
  const bytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + ((<usize>(r * dstStride)) << 2), src + ((<usize>(r * srcStride)) << 2), bytes);
  }
}

/** Transposes one rows x cols matrix in 8x8 tiles: dst[c * rows + r] = src[r * cols + c]. */
function transpose2d(dst: usize, src: usize, rows: i32, cols: i32): void {
  transposeRows(dst, src, rows, cols, 0, rows);
}

/** transpose2d's tiles for source rows [rowLo, rowHi) (rowLo a multiple of 8). */
function transposeRows(dst: usize, src: usize, rows: i32, cols: i32, rowLo: i32, rowHi: i32): void {
  for (let r0 = rowLo; r0 < rowHi; r0 += 8) {
    const r1 = min(r0 + 8, rowHi);
    for (let c0 = 0; c0 < cols; c0 += 8) {
      const c1 = min(c0 + 8, cols);
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          store<f32>(dst + ((<usize>(c * rows + r)) << 2), load<f32>(src + ((<usize>(r * cols + c)) << 2)));
        }
      }
    }
  }
}

export function gather_f32(dst: usize, src: usize, ndim: i32, meta: usize): void {
  if (ndim == 0) {
    store<f32>(dst, load<f32>(src));
    return;
  }
  const shape = meta;
  const strides = meta + (<usize>ndim << 2);
  const n = load<i32>(shape + (<usize>(ndim - 1) << 2));
  // A plain 2-D transpose (possibly batched by an outer dim) goes through cache tiles.
  if (ndim == 2 && load<i32>(strides + 4) == load<i32>(shape) && load<i32>(strides) == 1) {
    transpose2d(dst, src, n, load<i32>(shape));
    return;
  }
  gatherRows(dst, src, ndim, meta, 0, gatherOuter(ndim, meta), COUNTERS);
}

/** The destination rows (all dimensions but the last) of a gather_f32 shape. */
function gatherOuter(ndim: i32, meta: usize): i32 {
  let outer = 1;
  for (let d = 0; d < ndim - 1; d++) outer *= load<i32>(meta + (<usize>d << 2));
  return outer;
}

/**
 * Destination rows [o0, o1) of gather_f32 (ndim >= 1), walking the outer index with `counters`
 * (ndim ints). A copy: any split of the rows gives the same result.
 */
function gatherRows(dst: usize, src: usize, ndim: i32, meta: usize, o0: i32, o1: i32,
  counters: usize): void {
  const last = ndim - 1;
  const shape = meta;
  const strides = meta + (<usize>ndim << 2);
  const n = load<i32>(shape + (<usize>last << 2));
  const st = load<i32>(strides + (<usize>last << 2));
  if (o0 >= o1 || n == 0) return;
  let rest = o0;
  let off = 0;
  for (let d = last - 1; d >= 0; d--) {
    const size = load<i32>(shape + (<usize>d << 2));
    const c = rest % size;
    rest /= size;
    store<i32>(counters + (<usize>d << 2), c);
    off += c * load<i32>(strides + (<usize>d << 2));
  }
  for (let o = o0; o < o1; o++) {
    const d0 = dst + ((<usize>o * <usize>n) << 2);
    const s0 = src + (<usize>off << 2);
    if (st == 1) memory.copy(d0, s0, <usize>n << 2);
    else if (st == 0) fill_f32(d0, n, load<f32>(s0));
    else for (let i = 0; i < n; i++) store<f32>(d0 + (<usize>i << 2), load<f32>(s0 + ((<usize>(i * st)) << 2)));
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const size = load<i32>(shape + (<usize>d << 2));
      const sd = load<i32>(strides + (<usize>d << 2));
      if (c < size) {
        store<i32>(cp, c);
        off += sd;
        break;
      }
      store<i32>(cp, 0);
      off -= sd * (size - 1);
    }
  }
}

/** Index counters of gather_block_f32, 16 dims for each of up to 64 threads. */
const BLOCK_COUNTERS = memory.data(64 * 16 * 4, 16);

/**
 * Block `block` of gather_f32 for the pool: rows block * per .. of the destination (its last
 * dimension a row), or, for a plain 2-D transpose, source rows block * per .. (per a multiple
 * of 8). A copy: any split gives the same result.
 */
export function gather_block_f32(dst: usize, src: usize, ndim: i32, meta: usize, per: i32, block: i32): void {
  const shape = meta;
  const strides = meta + (<usize>ndim << 2);
  const n = load<i32>(shape + (<usize>(ndim - 1) << 2));
  const lo = block * per;
  if (ndim == 2 && load<i32>(strides + 4) == load<i32>(shape) && load<i32>(strides) == 1) {
    transposeRows(dst, src, n, load<i32>(shape), lo, min(n, lo + per));
    return;
  }
  const o1 = min(gatherOuter(ndim, meta), lo + per);
  gatherRows(dst, src, ndim, meta, lo, o1, BLOCK_COUNTERS + (<usize>threadIndex << 6));
}
