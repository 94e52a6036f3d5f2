/**
 * Comparison, logical and selection kernels. Their results are bool tensors, which wasmgrad
 * stores as f32 0.0 / 1.0 (see src/dtype.ts), so a comparison is a lane mask ANDed with 1.0 and
 * `where` is a bitselect on (cond != 0).
 *   compare_f32        dst[i] = a[i] op b[i]                      (same shape, contiguous)
 *   compare_scalar_f32 dst[i] = a[i] op s
 *   compare_bcast_f32  dst[idx] = a[idx . strideA] op b[idx . strideB] (meta as binary_bcast_f32:
 *                      shape[ndim], strideA[ndim], strideB[ndim], elements)
 *   test_f32           dst[i] = isnan / isfinite / isinf / logical not / nonzero of x[i]
 *   where_bcast_f32    dst[idx] = c[..] != 0 ? a[..] : b[..]  (meta: shape, strideC, strideA, strideB)
 * NaN compares unequal to everything (ne is true), as IEEE and PyTorch. dst may alias an input
 * whose layout equals dst's.
 */

export const CMP_EQ = 0;
export const CMP_NE = 1;
export const CMP_LT = 2;
export const CMP_LE = 3;
export const CMP_GT = 4;
export const CMP_GE = 5;
export const CMP_AND = 6;
export const CMP_OR = 7;
export const CMP_XOR = 8;

// One class per operator so the generic row loop is monomorphised (as in binary.ts).
class Eq {
  @inline v(a: v128, b: v128): v128 { return f32x4.eq(a, b); }
  @inline s(a: f32, b: f32): bool { return a == b; }
}
class Ne {
  @inline v(a: v128, b: v128): v128 { return f32x4.ne(a, b); }
  @inline s(a: f32, b: f32): bool { return a != b; }
}
class Lt {
  @inline v(a: v128, b: v128): v128 { return f32x4.lt(a, b); }
  @inline s(a: f32, b: f32): bool { return a < b; }
}
class Le {
  @inline v(a: v128, b: v128): v128 { return f32x4.le(a, b); }
  @inline s(a: f32, b: f32): bool { return a <= b; }
}
class Gt {
  @inline v(a: v128, b: v128): v128 { return f32x4.gt(a, b); }
  @inline s(a: f32, b: f32): bool { return a > b; }
}
class Ge {
  @inline v(a: v128, b: v128): v128 { return f32x4.ge(a, b); }
  @inline s(a: f32, b: f32): bool { return a >= b; }
}
// Logical ops treat any nonzero (and NaN) as true, as PyTorch's logical_and/or/xor.
class And {
  @inline v(a: v128, b: v128): v128 {
    const z = f32x4.splat(0);
    return v128.and(f32x4.ne(a, z), f32x4.ne(b, z));
  }
  @inline s(a: f32, b: f32): bool { return a != 0 && b != 0; }
}
class Or {
  @inline v(a: v128, b: v128): v128 {
    const z = f32x4.splat(0);
    return v128.or(f32x4.ne(a, z), f32x4.ne(b, z));
  }
  @inline s(a: f32, b: f32): bool { return a != 0 || b != 0; }
}
class Xor {
  @inline v(a: v128, b: v128): v128 {
    const z = f32x4.splat(0);
    return v128.xor(f32x4.ne(a, z), f32x4.ne(b, z));
  }
  @inline s(a: f32, b: f32): bool { return (a != 0) != (b != 0); }
}

/** One row; a and b are each contiguous (stride 1) or one broadcast value (stride 0). */
// @ts-ignore: decorator
@inline function row<O>(op: O, dst: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32): void {
  const one = f32x4.splat(1.0);
  let i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, v128.and(op.v(v128.load(a + o), v128.load(b + o)), one));
    }
  } else if (sa == 1 && sb == 0) {
    const sv = v128.load32_splat(b);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, v128.and(op.v(v128.load(a + o), sv), one));
    }
  } else if (sa == 0 && sb == 1) {
    const sv = v128.load32_splat(a);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      v128.store(dst + o, v128.and(op.v(sv, v128.load(b + o)), one));
    }
  }
  for (; i < n; i++) {
    const va = load<f32>(a + ((<usize>(i * sa)) << 2));
    const vb = load<f32>(b + ((<usize>(i * sb)) << 2));
    store<f32>(dst + (<usize>i << 2), op.s(va, vb) ? 1.0 : 0.0);
  }
}

function rowDispatch(op: i32, dst: usize, a: usize, b: usize, n: i32, sa: i32, sb: i32): void {
  switch (op) {
    case CMP_EQ: row<Eq>(changetype<Eq>(0), dst, a, b, n, sa, sb); break;
    case CMP_NE: row<Ne>(changetype<Ne>(0), dst, a, b, n, sa, sb); break;
    case CMP_LT: row<Lt>(changetype<Lt>(0), dst, a, b, n, sa, sb); break;
    case CMP_LE: row<Le>(changetype<Le>(0), dst, a, b, n, sa, sb); break;
    case CMP_GT: row<Gt>(changetype<Gt>(0), dst, a, b, n, sa, sb); break;
    case CMP_GE: row<Ge>(changetype<Ge>(0), dst, a, b, n, sa, sb); break;
    case CMP_AND: row<And>(changetype<And>(0), dst, a, b, n, sa, sb); break;
    case CMP_OR: row<Or>(changetype<Or>(0), dst, a, b, n, sa, sb); break;
    default: row<Xor>(changetype<Xor>(0), dst, a, b, n, sa, sb);
  }
}

export function compare_f32(dst: usize, a: usize, b: usize, n: i32, op: i32): void {
  rowDispatch(op, dst, a, b, n, 1, 1);
}

const SCALAR_SLOT = memory.data(16, 16);

export function compare_scalar_f32(dst: usize, a: usize, n: i32, s: f32, op: i32): void {
  store<f32>(SCALAR_SLOT, s);
  rowDispatch(op, dst, a, SCALAR_SLOT, n, 1, 0);
}

/** Index counters of the N-d walks below (ndim <= 16). */
const COUNTERS = memory.data(16 * 4, 16);
/** Element offsets of up to three operands during an N-d walk. */
const OFFSETS = memory.data(4 * 4, 16);

/**
 * Walks the outer dims of an N-d index (all but the last) in row-major order, advancing the
 * offsets of `k` operands whose strides follow the shape in meta; returns false when done.
 */
function advance(meta: usize, ndim: i32, k: i32): bool {
  for (let d = ndim - 2; d >= 0; d--) {
    const cp = COUNTERS + (<usize>d << 2);
    const c = load<i32>(cp) + 1;
    const size = load<i32>(meta + (<usize>d << 2));
    for (let j = 0; j < k; j++) {
      const st = load<i32>(meta + (<usize>((j + 1) * ndim + d) << 2));
      const op = OFFSETS + (<usize>j << 2);
      store<i32>(op, load<i32>(op) + (c < size ? st : -st * (size - 1)));
    }
    if (c < size) {
      store<i32>(cp, c);
      return true;
    }
    store<i32>(cp, 0);
  }
  return false;
}

function startWalk(meta: usize, ndim: i32): i32 {
  let outer = 1;
  for (let d = 0; d < ndim; d++) outer *= load<i32>(meta + (<usize>d << 2));
  memory.fill(COUNTERS, 0, 16 * 4);
  memory.fill(OFFSETS, 0, 4 * 4);
  return outer;
}

@inline function offset(j: i32): usize {
  return <usize>load<i32>(OFFSETS + (<usize>j << 2)) << 2;
}

export function compare_bcast_f32(dst: usize, a: usize, b: usize, ndim: i32, meta: usize, op: i32): void {
  if (ndim == 0) {
    rowDispatch(op, dst, a, b, 1, 1, 1);
    return;
  }
  if (startWalk(meta, ndim) == 0) return;
  const last = ndim - 1;
  const n = load<i32>(meta + (<usize>last << 2));
  const sa = load<i32>(meta + (<usize>(ndim + last) << 2));
  const sb = load<i32>(meta + (<usize>(2 * ndim + last) << 2));
  let out = dst;
  do {
    rowDispatch(op, out, a + offset(0), b + offset(1), n, sa, sb);
    out += <usize>n << 2;
  } while (advance(meta, ndim, 2));
}

export const TEST_ISNAN = 0;
export const TEST_ISFINITE = 1;
export const TEST_ISINF = 2;
export const TEST_NOT = 3;
export const TEST_NONZERO = 4;

class IsNan {
  @inline v(x: v128): v128 { return f32x4.ne(x, x); }
  @inline s(x: f32): bool { return x != x; }
}
class IsFinite {
  // x - x is 0 for finite x and NaN for inf and NaN.
  @inline v(x: v128): v128 { return f32x4.eq(f32x4.sub(x, x), f32x4.splat(0)); }
  @inline s(x: f32): bool { return x - x == 0; }
}
class IsInf {
  @inline v(x: v128): v128 { return f32x4.eq(f32x4.abs(x), f32x4.splat(Infinity)); }
  @inline s(x: f32): bool { return abs<f32>(x) == Infinity; }
}
class Not {
  @inline v(x: v128): v128 { return f32x4.eq(x, f32x4.splat(0)); }
  @inline s(x: f32): bool { return x == 0; }
}
class NonZero {
  @inline v(x: v128): v128 { return f32x4.ne(x, f32x4.splat(0)); }
  @inline s(x: f32): bool { return x != 0; }
}

// @ts-ignore: decorator
@inline function testRow<O>(op: O, dst: usize, x: usize, n: i32): void {
  const one = f32x4.splat(1.0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, v128.and(op.v(v128.load(x + o)), one));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, op.s(load<f32>(x + o)) ? 1.0 : 0.0);
  }
}

export function test_f32(dst: usize, x: usize, n: i32, op: i32): void {
  switch (op) {
    case TEST_ISNAN: testRow<IsNan>(changetype<IsNan>(0), dst, x, n); break;
    case TEST_ISFINITE: testRow<IsFinite>(changetype<IsFinite>(0), dst, x, n); break;
    case TEST_ISINF: testRow<IsInf>(changetype<IsInf>(0), dst, x, n); break;
    case TEST_NOT: testRow<Not>(changetype<Not>(0), dst, x, n); break;
    default: testRow<NonZero>(changetype<NonZero>(0), dst, x, n);
  }
}

/** One row of where: every operand contiguous (stride 1) or broadcast (stride 0). */
function whereRow(dst: usize, c: usize, a: usize, b: usize, n: i32, sc: i32, sa: i32, sb: i32): void {
  let i = 0;
  if (sc == 1 && sa == 1 && sb == 1) {
    const z = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const m = f32x4.ne(v128.load(c + o), z);
      v128.store(dst + o, v128.bitselect(v128.load(a + o), v128.load(b + o), m));
    }
  }
  for (; i < n; i++) {
    const take = load<f32>(c + ((<usize>(i * sc)) << 2)) != 0;
    const v = take ? load<f32>(a + ((<usize>(i * sa)) << 2)) : load<f32>(b + ((<usize>(i * sb)) << 2));
    store<f32>(dst + (<usize>i << 2), v);
  }
}

/** Copies bits, so it also selects between int32 tensors. */
export function where_bcast_f32(dst: usize, c: usize, a: usize, b: usize, ndim: i32, meta: usize): void {
  if (ndim == 0) {
    whereRow(dst, c, a, b, 1, 1, 1, 1);
    return;
  }
  if (startWalk(meta, ndim) == 0) return;
  const last = ndim - 1;
  const n = load<i32>(meta + (<usize>last << 2));
  const sc = load<i32>(meta + (<usize>(ndim + last) << 2));
  const sa = load<i32>(meta + (<usize>(2 * ndim + last) << 2));
  const sb = load<i32>(meta + (<usize>(3 * ndim + last) << 2));
  let out = dst;
  do {
    whereRow(out, c + offset(0), a + offset(1), b + offset(2), n, sc, sa, sb);
    out += <usize>n << 2;
  } while (advance(meta, ndim, 3));
}
