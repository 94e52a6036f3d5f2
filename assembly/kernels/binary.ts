/**
 * Elementwise binary kernels with NumPy/PyTorch broadcasting.
 *
 * Three entry points share one set of operators, chosen by `op` once per row so the inner loops
 * stay branch-free:
 *   binary_f32        dst[i] = a[i] op b[i]                 (same shape, contiguous)
 *   binary_scalar_f32 dst[i] = a[i] op s  (or s op a[i] for the reversed codes)
 *   binary_bcast_f32  dst[idx] = a[idx . strideA] op b[idx . strideB] over an N-d index,
 *                     dst contiguous, a broadcast dimension having stride 0.
 * meta for binary_bcast_f32 (i32): shape[ndim], strideA[ndim], strideB[ndim], in elements.
 * The facade collapses dimensions first, so ndim is small and the last dimension long.
 * dst may alias a or b when their layout equals dst's.
 */
import { threadIndex } from "./gemm/scratch";

export const OP_ADD = 0;
export const OP_SUB = 1;
export const OP_MUL = 2;
export const OP_DIV = 3;
export const OP_MAX = 4;
export const OP_MIN = 5;
/** 1 where a > b, 0.5 where a == b, 0 elsewhere: the share of a maximum's gradient a receives. */
export const OP_MAX_SHARE = 6;
/** 1 where a == b, else 0. */
export const OP_EQ = 7;
export const OP_RSUB = 8;
export const OP_RDIV = 9;
/**
 * PyTorch's division with rounding and its remainders (c10::div_floor_floating, remainder,
 * std::fmod, trunc(a / b)); the R forms take the operands swapped, for a scalar on the left.
 * fmod has no SIMD instruction and must be exact (a - trunc(a / b) b is not), so floor division,
 * remainder and fmod run lane by lane through AssemblyScript's exact f32 `%`; truncated division
 * is vector.
 */
export const OP_FLOOR_DIV = 10;
export const OP_RFLOOR_DIV = 11;
export const OP_REMAINDER = 12;
export const OP_RREMAINDER = 13;
export const OP_FMOD = 14;
export const OP_RFMOD = 15;
export const OP_TRUNC_DIV = 16;
export const OP_RTRUNC_DIV = 17;

/*
 * One class per operator. The row loop is generic over the class, so AssemblyScript
 * monomorphises it: every operator gets its own branch-free loop. (Passing the op code into an
 * inlined loop is not enough: Binaryen folds the identical copies back into one loop that
 * switches on every vector.) Instances are never allocated; the methods ignore `this`.
 */
class Add {
  @inline v(a: v128, b: v128): v128 { return f32x4.add(a, b); }
  @inline s(a: f32, b: f32): f32 { return a + b; }
}
class Sub {
  @inline v(a: v128, b: v128): v128 { return f32x4.sub(a, b); }
  @inline s(a: f32, b: f32): f32 { return a - b; }
}
class Mul {
  @inline v(a: v128, b: v128): v128 { return f32x4.mul(a, b); }
  @inline s(a: f32, b: f32): f32 { return a * b; }
}
class Div {
  @inline v(a: v128, b: v128): v128 { return f32x4.div(a, b); }
  @inline s(a: f32, b: f32): f32 { return a / b; }
}
class Max {
  @inline v(a: v128, b: v128): v128 { return f32x4.max(a, b); }
  @inline s(a: f32, b: f32): f32 { return max<f32>(a, b); }
}
class Min {
  @inline v(a: v128, b: v128): v128 { return f32x4.min(a, b); }
  @inline s(a: f32, b: f32): f32 { return min<f32>(a, b); }
}
class MaxShare {
  @inline v(a: v128, b: v128): v128 {
    const gt = v128.and(f32x4.gt(a, b), f32x4.splat(1.0));
    return v128.or(gt, v128.and(f32x4.eq(a, b), f32x4.splat(0.5)));
  }
  @inline s(a: f32, b: f32): f32 { return a > b ? 1.0 : a == b ? 0.5 : 0.0; }
}
class Eq {
  @inline v(a: v128, b: v128): v128 { return v128.and(f32x4.eq(a, b), f32x4.splat(1.0)); }
  @inline s(a: f32, b: f32): f32 { return a == b ? 1.0 : 0.0; }
}
class RSub {
  @inline v(a: v128, b: v128): v128 { return f32x4.sub(b, a); }
  @inline s(a: f32, b: f32): f32 { return b - a; }
}
class RDiv {
  @inline v(a: v128, b: v128): v128 { return f32x4.div(b, a); }
  @inline s(a: f32, b: f32): f32 { return b / a; }
}

/** floor(a / b) as PyTorch computes it, from the exact remainder (a / b itself when b is 0). */
// @ts-ignore: decorator
@inline function floorDiv(a: f32, b: f32): f32 {
  if (b == 0) return a / b;
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod != 0 && b < 0 != mod < 0) div -= 1;
  if (div == 0) return copysign<f32>(0, a / b);
  let q = Mathf.floor(div);
  if (div - q > 0.5) q += 1;
  return q;
}

/** a mod b with the divisor's sign (Python's %), as PyTorch's remainder. */
// @ts-ignore: decorator
@inline function remainder(a: f32, b: f32): f32 {
  let mod = a % b;
  if (mod != 0 && b < 0 != mod < 0) mod += b;
  return mod;
}

/** The scalar form of `op` on each of the four lanes. */
// @ts-ignore: decorator
@inline function lanes<O>(op: O, a: v128, b: v128): v128 {
  let r = f32x4.splat(op.s(f32x4.extract_lane(a, 0), f32x4.extract_lane(b, 0)));
  r = f32x4.replace_lane(r, 1, op.s(f32x4.extract_lane(a, 1), f32x4.extract_lane(b, 1)));
  r = f32x4.replace_lane(r, 2, op.s(f32x4.extract_lane(a, 2), f32x4.extract_lane(b, 2)));
  return f32x4.replace_lane(r, 3, op.s(f32x4.extract_lane(a, 3), f32x4.extract_lane(b, 3)));
}

class FloorDiv {
  @inline v(a: v128, b: v128): v128 { return lanes<FloorDiv>(this, a, b); }
  @inline s(a: f32, b: f32): f32 { return floorDiv(a, b); }
}
class RFloorDiv {
  @inline v(a: v128, b: v128): v128 { return lanes<RFloorDiv>(this, a, b); }
  @inline s(a: f32, b: f32): f32 { return floorDiv(b, a); }
}
class Remainder {
  @inline v(a: v128, b: v128): v128 { return lanes<Remainder>(this, a, b); }
  @inline s(a: f32, b: f32): f32 { return remainder(a, b); }
}
class RRemainder {
  @inline v(a: v128, b: v128): v128 { return lanes<RRemainder>(this, a, b); }
  @inline s(a: f32, b: f32): f32 { return remainder(b, a); }
}
class Fmod {
  @inline v(a: v128, b: v128): v128 { return lanes<Fmod>(this, a, b); }
  @inline s(a: f32, b: f32): f32 { return a % b; }
}
class RFmod {
  @inline v(a: v128, b: v128): v128 { return lanes<RFmod>(this, a, b); }
  @inline s(a: f32, b: f32): f32 { return b % a; }
}
class TruncDiv {
  @inline v(a: v128, b: v128): v128 { return f32x4.trunc(f32x4.div(a, b)); }
  @inline s(a: f32, b: f32): f32 { return Mathf.trunc(a / b); }
}
class RTruncDiv {
  @inline v(a: v128, b: v128): v128 { return f32x4.trunc(f32x4.div(b, a)); }
  @inline s(a: f32, b: f32): f32 { return Mathf.trunc(b / a); }
}

/** One row: a and b each either contiguous (stride 1) or a single broadcast value (stride 0). */
// @ts-ignore: decorator
@inline function row<O>(op: O, dst: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32): void {
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 8 <= n; i += 8) {
      const o = <usize>i << 2;
      v128.store(dst + o, op.v(v128.load(a + o), v128.load(b + o)));
      v128.store(dst + o, op.v(v128.load(a + o, 16), v128.load(b + o, 16)), 16);
    }
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, op.v(v128.load(a + o), v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, op.s(load<f32>(a + o), load<f32>(b + o)));
    }
  } else if (sa == 1 && sb == 0) {
    const s = load<f32>(b);
    const sv = f32x4.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, op.v(v128.load(a + o), sv));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, op.s(load<f32>(a + o), s));
    }
  } else if (sa == 0 && sb == 1) {
    const s = load<f32>(a);
    const sv = f32x4.splat(s);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, op.v(sv, v128.load(b + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<f32>(dst + o, op.s(s, load<f32>(b + o)));
    }
  } else {
    for (; i < n; i++) {
      const va = load<f32>(a + ((<usize>(i * sa)) << 2));
      const vb = load<f32>(b + ((<usize>(i * sb)) << 2));
      store<f32>(dst + (<usize>i << 2), op.s(va, vb));
    }
  }
}

function rowDispatch(op: i32, dst: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32): void {
  switch (op) {
    case OP_ADD: row<Add>(changetype<Add>(0), dst, a, b, n, sa, sb); break;
    case OP_SUB: row<Sub>(changetype<Sub>(0), dst, a, b, n, sa, sb); break;
    case OP_MUL: row<Mul>(changetype<Mul>(0), dst, a, b, n, sa, sb); break;
    case OP_DIV: row<Div>(changetype<Div>(0), dst, a, b, n, sa, sb); break;
    case OP_MAX: row<Max>(changetype<Max>(0), dst, a, b, n, sa, sb); break;
    case OP_MIN: row<Min>(changetype<Min>(0), dst, a, b, n, sa, sb); break;
    case OP_MAX_SHARE: row<MaxShare>(changetype<MaxShare>(0), dst, a, b, n, sa, sb); break;
    case OP_EQ: row<Eq>(changetype<Eq>(0), dst, a, b, n, sa, sb); break;
    case OP_RSUB: row<RSub>(changetype<RSub>(0), dst, a, b, n, sa, sb); break;
    case OP_FLOOR_DIV: row<FloorDiv>(changetype<FloorDiv>(0), dst, a, b, n, sa, sb); break;
    case OP_RFLOOR_DIV: row<RFloorDiv>(changetype<RFloorDiv>(0), dst, a, b, n, sa, sb); break;
    case OP_REMAINDER: row<Remainder>(changetype<Remainder>(0), dst, a, b, n, sa, sb); break;
    case OP_RREMAINDER: row<RRemainder>(changetype<RRemainder>(0), dst, a, b, n, sa, sb); break;
    case OP_FMOD: row<Fmod>(changetype<Fmod>(0), dst, a, b, n, sa, sb); break;
    case OP_RFMOD: row<RFmod>(changetype<RFmod>(0), dst, a, b, n, sa, sb); break;
    case OP_TRUNC_DIV: row<TruncDiv>(changetype<TruncDiv>(0), dst, a, b, n, sa, sb); break;
    case OP_RTRUNC_DIV: row<RTruncDiv>(changetype<RTruncDiv>(0), dst, a, b, n, sa, sb); break;
    default: row<RDiv>(changetype<RDiv>(0), dst, a, b, n, sa, sb);
  }
}

export function binary_f32(dst: usize, a: usize, b: usize, n: i32, op: i32): void {
  rowDispatch(op, dst, a, b, n, 1, 1);
}

/** `s` is passed by value; it is parked in a static slot so the row loop can splat it. */
const SCALAR_SLOT = memory.data(16, 16);

export function binary_scalar_f32(dst: usize, a: usize, n: i32, s: f32, op: i32): void {
  store<f32>(SCALAR_SLOT, s);
  rowDispatch(op, dst, a, SCALAR_SLOT, n, 1, 0);
}

/** Index counters for the N-d walks in this file and in reduce.ts (ndim <= 16). */
export const COUNTERS = memory.data(16 * 4, 16);

/** Index counters of binary_bcast_block_f32, 16 dims for each of up to 64 threads. */
const BLOCK_COUNTERS = memory.data(64 * 16 * 4, 16);

/**
 * Rows [o0, o1) of binary_bcast_f32 (ndim >= 1; a row is the last dimension), walking the outer
 * index with `counters` (ndim ints): each row is computed the same whichever range holds it.
 */
function bcastRows(dst: usize, a: usize, b: usize, ndim: i32, meta: usize, op: i32, o0: i32,
  o1: i32, counters: usize): void {
  const last = ndim - 1;
  const shape = meta;
  const strideA = meta + (<usize>ndim << 2);
  const strideB = meta + (<usize>(2 * ndim) << 2);
  const n = load<i32>(shape + (<usize>last << 2));
  const sa = load<i32>(strideA + (<usize>last << 2));
  const sb = load<i32>(strideB + (<usize>last << 2));
  if (o0 >= o1 || n == 0) return;
  // The counters and offsets of row o0: its index in the outer dims, last of them fastest.
  let rest = o0;
  let offA = 0;
  let offB = 0;
  for (let d = last - 1; d >= 0; d--) {
    const size = load<i32>(shape + (<usize>d << 2));
    const c = rest % size;
    rest /= size;
    store<i32>(counters + (<usize>d << 2), c);
    offA += c * load<i32>(strideA + (<usize>d << 2));
    offB += c * load<i32>(strideB + (<usize>d << 2));
  }
  const rowBytes = <usize>n << 2;
  for (let o = o0; o < o1; o++) {
    rowDispatch(op, dst + <usize>o * rowBytes, a + (<usize>offA << 2), b + (<usize>offB << 2), n, sa, sb);
    for (let d = last - 1; d >= 0; d--) {
      const cp = counters + (<usize>d << 2);
      const c = load<i32>(cp) + 1;
      const size = load<i32>(shape + (<usize>d << 2));
      const stA = load<i32>(strideA + (<usize>d << 2));
      const stB = load<i32>(strideB + (<usize>d << 2));
      if (c < size) {
        store<i32>(cp, c);
        offA += stA;
        offB += stB;
        break;
      }
      store<i32>(cp, 0);
      offA -= stA * (size - 1);
      offB -= stB * (size - 1);
    }
  }
}

/** The number of rows (all dimensions but the last) of a binary_bcast_f32 shape. */
function outerRows(ndim: i32, meta: usize): i32 {
  let outer = 1;
  for (let d = 0; d < ndim - 1; d++) outer *= load<i32>(meta + (<usize>d << 2));
  return outer;
}

/**
 * Rows block * rowsPer .. of binary_bcast_f32 (ndim >= 1), for the pool: each row is computed
 * as in the whole call, so the bits do not depend on the blocks. The caller keeps dst clear of
 * b (and of a, unless a is dst itself).
 */
export function binary_bcast_block_f32(
  dst: usize, a: usize, b: usize, ndim: i32, meta: usize, op: i32, rowsPer: i32, block: i32,
): void {
  const o0 = block * rowsPer;
  const o1 = min(outerRows(ndim, meta), o0 + rowsPer);
  bcastRows(dst, a, b, ndim, meta, op, o0, o1, BLOCK_COUNTERS + (<usize>threadIndex << 6));
}

export function binary_bcast_f32(dst: usize, a: usize, b: usize, ndim: i32, meta: usize, op: i32): void {
  if (ndim == 0) {
    rowDispatch(op, dst, a, b, 1, 1, 1);
    return;
  }
  bcastRows(dst, a, b, ndim, meta, op, 0, outerRows(ndim, meta), COUNTERS);
}
