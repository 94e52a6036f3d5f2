/**
 * Random masks generated inside the module: four xoshiro128** generators, one per SIMD lane,
 * seeded by the caller (from wasmgrad's own seeded generator, so `manualSeed` still makes every
 * mask reproducible). A JS loop drawing one number per element costs about 20 ns an element;
 * this costs well under one.
 */

/** The last 1-3 mask values pass through here. */
const tail: usize = memory.data(16, 16);

// @ts-ignore: decorator
@inline function rotl(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

/**
 * dst[0:n] = scale where a uniform 32-bit draw is >= threshold (as an unsigned number), else 0:
 * dropout's mask for p = threshold / 2^32, scale = 1 / (1 - p). seed: 16 u32 (four lanes' states).
 */
export function dropout_mask_f32(dst: usize, n: i32, threshold: u32, scale: f32, seed: usize): void {
  let s0 = v128.load(seed);
  let s1 = v128.load(seed, 16);
  let s2 = v128.load(seed, 32);
  let s3 = v128.load(seed, 48);
  const t = i32x4.splat(threshold);
  const keep = f32x4.splat(scale);
  const five = i32x4.splat(5);
  const nine = i32x4.splat(9);
  let i = 0;
  while (i < n) {
    const r = i32x4.mul(rotl(i32x4.mul(s1, five), 7), nine);
    const tt = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0);
    s3 = v128.xor(s3, s1);
    s1 = v128.xor(s1, s2);
    s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, tt);
    s3 = rotl(s3, 11);
    const m = v128.and(keep, i32x4.ge_u(r, t));
    if (i + 4 <= n) v128.store(dst + (<usize>i << 2), m);
    else {
      v128.store(tail, m);
      for (let l = 0; i + l < n; l++) store<f32>(dst + (<usize>(i + l) << 2), load<f32>(tail + (<usize>l << 2)));
    }
    i += 4;
  }
}
