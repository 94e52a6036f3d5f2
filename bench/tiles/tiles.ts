// Register-tile microkernels for bench/gemm-tiles.mjs: each runs `reps` tiles of kc steps over
// one packed A panel (MR floats per step) and one packed B panel (NR floats per step), both
// small enough to stay in L1, and stores the accumulators once per tile. 4x8 and 6x8 are sgemm's
// tiles (assembly/kernels/gemm.ts); the others are candidates they were chosen against.

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

const Z = f32x4.splat(0);

/** 8 accumulators, 2 B loads and 4 A broadcasts per step: 14 live v128. */
export function tile4x8(kc: i32, a: usize, b: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = Z, c01 = Z, c10 = Z, c11 = Z, c20 = Z, c21 = Z, c30 = Z, c31 = Z;
    let pa = a;
    let pb = b;
    const end = b + (<usize>kc << 5);
    while (pb != end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a0 = v128.load32_splat(pa);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      const a1 = v128.load32_splat(pa, 4);
      c10 = madd(a1, b0, c10);
      c11 = madd(a1, b1, c11);
      const a2 = v128.load32_splat(pa, 8);
      c20 = madd(a2, b0, c20);
      c21 = madd(a2, b1, c21);
      const a3 = v128.load32_splat(pa, 12);
      c30 = madd(a3, b0, c30);
      c31 = madd(a3, b1, c31);
      pa += 16;
      pb += 32;
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c, c10, 32);
    v128.store(c, c11, 48);
    v128.store(c, c20, 64);
    v128.store(c, c21, 80);
    v128.store(c, c30, 96);
    v128.store(c, c31, 112);
  }
}

/** 9 accumulators, 3 B loads and 3 A broadcasts per step: 15 live v128. */
export function tile3x12(kc: i32, a: usize, b: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = Z, c01 = Z, c02 = Z, c10 = Z, c11 = Z, c12 = Z, c20 = Z, c21 = Z, c22 = Z;
    let pa = a;
    let pb = b;
    const end = b + <usize>kc * 48;
    while (pb != end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const b2 = v128.load(pb, 32);
      const a0 = v128.load32_splat(pa);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      c02 = madd(a0, b2, c02);
      const a1 = v128.load32_splat(pa, 4);
      c10 = madd(a1, b0, c10);
      c11 = madd(a1, b1, c11);
      c12 = madd(a1, b2, c12);
      const a2 = v128.load32_splat(pa, 8);
      c20 = madd(a2, b0, c20);
      c21 = madd(a2, b1, c21);
      c22 = madd(a2, b2, c22);
      pa += 12;
      pb += 48;
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c, c02, 32);
    v128.store(c, c10, 48);
    v128.store(c, c11, 64);
    v128.store(c, c12, 80);
    v128.store(c, c20, 96);
    v128.store(c, c21, 112);
    v128.store(c, c22, 128);
  }
}

/**
 * 12 accumulators, 2 B loads and 6 A broadcasts per step: sgemm's relaxed-build tile on V8 13.6+,
 * which interleaves the broadcasts with the FMAs (15 live v128); older V8 hoists all loads (20).
 */
export function tile6x8(kc: i32, a: usize, b: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = Z, c01 = Z, c10 = Z, c11 = Z, c20 = Z, c21 = Z;
    let c30 = Z, c31 = Z, c40 = Z, c41 = Z, c50 = Z, c51 = Z;
    let pa = a;
    let pb = b;
    const end = b + (<usize>kc << 5);
    while (pb != end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a0 = v128.load32_splat(pa);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      const a1 = v128.load32_splat(pa, 4);
      c10 = madd(a1, b0, c10);
      c11 = madd(a1, b1, c11);
      const a2 = v128.load32_splat(pa, 8);
      c20 = madd(a2, b0, c20);
      c21 = madd(a2, b1, c21);
      const a3 = v128.load32_splat(pa, 12);
      c30 = madd(a3, b0, c30);
      c31 = madd(a3, b1, c31);
      const a4 = v128.load32_splat(pa, 16);
      c40 = madd(a4, b0, c40);
      c41 = madd(a4, b1, c41);
      const a5 = v128.load32_splat(pa, 20);
      c50 = madd(a5, b0, c50);
      c51 = madd(a5, b1, c51);
      pa += 24;
      pb += 32;
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c, c10, 32);
    v128.store(c, c11, 48);
    v128.store(c, c20, 64);
    v128.store(c, c21, 80);
    v128.store(c, c30, 96);
    v128.store(c, c31, 112);
    v128.store(c, c40, 128);
    v128.store(c, c41, 144);
    v128.store(c, c50, 160);
    v128.store(c, c51, 176);
  }
}

/** 10 accumulators, 2 B loads and 5 A broadcasts per step: 17 live v128 (TurboFan spills). */
export function tile5x8(kc: i32, a: usize, b: usize, c: usize, reps: i32): void {
  for (let r = 0; r < reps; r++) {
    let c00 = Z, c01 = Z, c10 = Z, c11 = Z, c20 = Z, c21 = Z, c30 = Z, c31 = Z, c40 = Z, c41 = Z;
    let pa = a;
    let pb = b;
    const end = b + (<usize>kc << 5);
    while (pb != end) {
      const b0 = v128.load(pb);
      const b1 = v128.load(pb, 16);
      const a0 = v128.load32_splat(pa);
      c00 = madd(a0, b0, c00);
      c01 = madd(a0, b1, c01);
      const a1 = v128.load32_splat(pa, 4);
      c10 = madd(a1, b0, c10);
      c11 = madd(a1, b1, c11);
      const a2 = v128.load32_splat(pa, 8);
      c20 = madd(a2, b0, c20);
      c21 = madd(a2, b1, c21);
      const a3 = v128.load32_splat(pa, 12);
      c30 = madd(a3, b0, c30);
      c31 = madd(a3, b1, c31);
      const a4 = v128.load32_splat(pa, 16);
      c40 = madd(a4, b0, c40);
      c41 = madd(a4, b1, c41);
      pa += 20;
      pb += 32;
    }
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c, c10, 32);
    v128.store(c, c11, 48);
    v128.store(c, c20, 64);
    v128.store(c, c21, 80);
    v128.store(c, c30, 96);
    v128.store(c, c31, 112);
    v128.store(c, c40, 128);
    v128.store(c, c41, 144);
  }
}
