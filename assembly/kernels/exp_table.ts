/**
 * e^x per f32x4 lane for hot loops: exactly math.ts's exp4 (same operations in the same order,
 * so bit-identical results), but its thirteen constants are read from a table in memory instead
 * of written as v128 constants. V8 (11, Node 20) materialises a v128 constant with a 64-bit
 * immediate, a GPR-to-XMM move and a shuffle; in a loop it either hoists them and spills them to
 * the stack or, as in the attention backward's per-row loop (a branch in the body), redoes all
 * of them every iteration. A load from L1 is one instruction either way. Used by the attention
 * kernels (attention.ts), where it is worth about 3% of forward + backward.
 */
import { madd4 } from "./math";

/** Each constant splatted to 16 bytes, in the order of the offsets below. */
const EXP_TABLE: usize = memory.data<f32>([
  -104.0, -104.0, -104.0, -104.0,
  89.0, 89.0, 89.0, 89.0,
  1.44269504088896341, 1.44269504088896341, 1.44269504088896341, 1.44269504088896341,
  12582912.0, 12582912.0, 12582912.0, 12582912.0,
  -0.693359375, -0.693359375, -0.693359375, -0.693359375,
  2.12194440e-4, 2.12194440e-4, 2.12194440e-4, 2.12194440e-4,
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4,
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3,
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3,
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2,
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1,
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1,
  1.0, 1.0, 1.0, 1.0,
], 16);

const LO: i32 = 0;
const HI: i32 = 16;
const LOG2E: i32 = 32;
/** 1.5 * 2^23; its bits, 0x4b400000, also undo the rounding trick on the integer side. */
const MAGIC: i32 = 48;
const NEG_LN2_HI: i32 = 64;
const NEG_LN2_LO: i32 = 80;
const P0: i32 = 96;
const P1: i32 = 112;
const P2: i32 = 128;
const P3: i32 = 144;
const P4: i32 = 160;
const P5: i32 = 176;
/** 1.0; its bits, 0x3f800000, are also the exponent bias. */
const ONE: i32 = 192;

// @ts-ignore: decorator
@inline function k4(off: i32): v128 {
  return v128.load(EXP_TABLE + <usize>off);
}

/** e^x per lane, bit-identical to exp4 (math.ts); NaN in gives NaN, below -104 gives 0. */
// @ts-ignore: decorator
@inline export function expTable4(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, k4(LO)), k4(HI));
  const t = madd4(xc, k4(LOG2E), k4(MAGIC));
  const n = f32x4.sub(t, k4(MAGIC));
  let r = madd4(n, k4(NEG_LN2_HI), xc);
  r = madd4(n, k4(NEG_LN2_LO), r);
  const r2 = f32x4.mul(r, r);
  let p = madd4(k4(P0), r, k4(P1));
  p = madd4(p, r, k4(P2));
  p = madd4(p, r, k4(P3));
  p = madd4(p, r, k4(P4));
  p = madd4(p, r, k4(P5));
  p = f32x4.add(madd4(p, r2, r), k4(ONE));
  const ni = i32x4.sub(t, k4(MAGIC));
  const n1 = i32x4.shr_s(ni, 1);
  const s1 = i32x4.add(i32x4.shl(n1, 23), k4(ONE));
  const s2 = i32x4.add(i32x4.shl(i32x4.sub(ni, n1), 23), k4(ONE));
  return f32x4.mul(f32x4.mul(p, s1), s2);
}
