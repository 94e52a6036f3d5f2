/**
 * 2-D max and average pooling over NCHW planes, forward and backward, as PyTorch's CPU kernels
 * (max_pool2d_with_indices, avg_pool2d): the caller computes OH and OW (ceil mode included), and
 * each window is clipped to the plane here.
 *
 * Max pooling keeps, per output, the flat index (y * W + x) of the first maximum in row-major scan
 * order (a NaN counts as a maximum, so NaN propagates); its gradient adds dy to that input, so
 * overlapping windows accumulate. Average pooling divides by the window size including padding
 * (countIncludePad), by the clipped window size, or by a fixed divisor.
 *
 * meta (i32): planes (N * C), H, W, OH, OW, KH, KW, SH, SW, PH, PW, DH, DW, and for average pooling
 * countIncludePad (0/1) and divisor (0: none).
 */

let NP = 0;
let H = 0;
let W = 0;
let OH = 0;
let OW = 0;
let KH = 0;
let KW = 0;
let SH = 0;
let SW = 0;
let PH = 0;
let PW = 0;
let DH = 0;
let DW = 0;
let INCLUDE_PAD = 0;
let DIVISOR = 0;

function loadGeometry(meta: usize): void {
  NP = load<i32>(meta, 0);
  H = load<i32>(meta, 4);
  W = load<i32>(meta, 8);
  OH = load<i32>(meta, 12);
  OW = load<i32>(meta, 16);
  KH = load<i32>(meta, 20);
  KW = load<i32>(meta, 24);
  SH = load<i32>(meta, 28);
  SW = load<i32>(meta, 32);
  PH = load<i32>(meta, 36);
  PW = load<i32>(meta, 40);
  DH = load<i32>(meta, 44);
  DW = load<i32>(meta, 48);
  INCLUDE_PAD = load<i32>(meta, 52);
  DIVISOR = load<i32>(meta, 56);
}

/** Where `v` replaces the running maximum: greater, or NaN (so NaN propagates, as PyTorch). */
// @ts-ignore: decorator
@inline function beats4(v: v128, best: v128): v128 {
  return v128.or(f32x4.gt(v, best), f32x4.ne(v, v));
}

/**
 * The 2x2, stride 2, unpadded case that most CNNs use, with every window inside the plane: four
 * outputs at a time from two rows of 8 floats split into even and odd columns, branch-free (a
 * branch per comparison mispredicts on real data and costs 4x).
 */
function maxPool2x2(out: usize, idx: usize, x: usize): void {
  const rowIn = <usize>W << 2;
  const planeIn = <usize>H * rowIn;
  const step = i32x4.splat(8);
  for (let pl = 0; pl < NP; pl++) {
    const plane = x + <usize>pl * planeIn;
    for (let oy = 0; oy < OH; oy++) {
      const r0 = plane + <usize>(oy << 1) * rowIn;
      const r1 = r0 + rowIn;
      const base = (oy << 1) * W;
      // Flat indices of the top-left element of four windows.
      let at = i32x4.add(i32x4.splat(base), i32x4(0, 2, 4, 6));
      let ox = 0;
      for (; ox + 4 <= OW; ox += 4) {
        const o = <usize>ox << 3;
        const a0 = v128.load(r0 + o);
        const a1 = v128.load(r0 + o, 16);
        const b0 = v128.load(r1 + o);
        const b1 = v128.load(r1 + o, 16);
        let best = v128.shuffle<f32>(a0, a1, 0, 2, 4, 6);
        let where = at;
        let v = v128.shuffle<f32>(a0, a1, 1, 3, 5, 7);
        let m = beats4(v, best);
        best = v128.bitselect(v, best, m);
        where = v128.bitselect(i32x4.add(at, i32x4.splat(1)), where, m);
        v = v128.shuffle<f32>(b0, b1, 0, 2, 4, 6);
        m = beats4(v, best);
        best = v128.bitselect(v, best, m);
        where = v128.bitselect(i32x4.add(at, i32x4.splat(W)), where, m);
        v = v128.shuffle<f32>(b0, b1, 1, 3, 5, 7);
        m = beats4(v, best);
        best = v128.bitselect(v, best, m);
        where = v128.bitselect(i32x4.add(at, i32x4.splat(W + 1)), where, m);
        v128.store(out, best);
        v128.store(idx, where);
        out += 16;
        idx += 16;
        at = i32x4.add(at, step);
      }
      for (; ox < OW; ox++) {
        const a = r0 + (<usize>ox << 3);
        const i0 = base + (ox << 1);
        let best = load<f32>(a);
        let where = i0;
        let v = load<f32>(a, 4);
        let m = v > best || isNaN(v);
        best = select(v, best, m);
        where = select(i0 + 1, where, m);
        v = load<f32>(a + rowIn);
        m = v > best || isNaN(v);
        best = select(v, best, m);
        where = select(i0 + W, where, m);
        v = load<f32>(a + rowIn, 4);
        m = v > best || isNaN(v);
        best = select(v, best, m);
        where = select(i0 + W + 1, where, m);
        store<f32>(out, best);
        store<i32>(idx, where);
        out += 4;
        idx += 4;
      }
    }
  }
}

/** out, idx [NP, OH, OW] = max pooling of x [NP, H, W]; idx holds y * W + x of each maximum. */
export function maxpool2d_f32(out: usize, idx: usize, x: usize, meta: usize): void {
  loadGeometry(meta);
  maxPool(out, idx, x);
}

function maxPool(out: usize, idx: usize, x: usize): void {
  const plain = KH == 2 && KW == 2 && SH == 2 && SW == 2 && PH == 0 && PW == 0 && DH == 1 && DW == 1;
  // (Every window inside the plane: not so for ceil mode over an odd size.)
  if (plain && OH * 2 <= H && OW * 2 <= W) {
    maxPool2x2(out, idx, x);
    return;
  }
  const planeIn = <usize>H * <usize>W << 2;
  for (let pl = 0; pl < NP; pl++) {
    const plane = x + <usize>pl * planeIn;
    for (let oy = 0; oy < OH; oy++) {
      let y0 = oy * SH - PH;
      const y1 = min(y0 + (KH - 1) * DH + 1, H);
      while (y0 < 0) y0 += DH;
      for (let ox = 0; ox < OW; ox++) {
        let x0 = ox * SW - PW;
        const x1 = min(x0 + (KW - 1) * DW + 1, W);
        while (x0 < 0) x0 += DW;
        let best = -Infinity as f32;
        let at = y0 < y1 && x0 < x1 ? y0 * W + x0 : -1;
        for (let y = y0; y < y1; y += DH) {
          for (let xx = x0; xx < x1; xx += DW) {
            const i = y * W + xx;
            const v = load<f32>(plane + (<usize>i << 2));
            const m = v > best || isNaN(v);
            best = select(v, best, m);
            at = select(i, at, m);
          }
        }
        store<f32>(out, best);
        store<i32>(idx, at);
        out += 4;
        idx += 4;
      }
    }
  }
}

/** dx [NP, H, W] = the gradient of max pooling: dy [NP, OH, OW] added at the saved indices. */
export function maxpool2d_bwd_f32(dx: usize, dy: usize, idx: usize, planes: i32, hw: i32, ohw: i32): void {
  memory.fill(dx, 0, (<usize>planes * <usize>hw) << 2);
  for (let pl = 0; pl < planes; pl++) {
    for (let o = 0; o < ohw; o++) {
      const i = load<i32>(idx);
      // -1 marks a window with no input pixel in it (possible only with ceil mode).
      if (<u32>i < <u32>hw) {
        const d = dx + (<usize>i << 2);
        store<f32>(d, load<f32>(d) + load<f32>(dy));
      }
      dy += 4;
      idx += 4;
    }
    dx += <usize>hw << 2;
  }
}

/**
 * Window of output (oy, ox), clipped to the plane: [wy0, wy1) x [wx0, wx1), and the divisor.
 * Results in globals to keep the loops allocation-free.
 */
let wy0 = 0;
let wy1 = 0;
let wx0 = 0;
let wx1 = 0;

// @ts-ignore: decorator
@inline function avgWindow(oy: i32, ox: i32): f32 {
  let y0 = oy * SH - PH;
  let x0 = ox * SW - PW;
  let y1 = min(y0 + KH, H + PH);
  let x1 = min(x0 + KW, W + PW);
  const padded = (y1 - y0) * (x1 - x0);
  y0 = max(y0, 0);
  x0 = max(x0, 0);
  y1 = min(y1, H);
  x1 = min(x1, W);
  wy0 = y0;
  wy1 = y1;
  wx0 = x0;
  wx1 = x1;
  if (DIVISOR != 0) return <f32>DIVISOR;
  return <f32>(INCLUDE_PAD != 0 ? padded : (y1 - y0) * (x1 - x0));
}

/** out [NP, OH, OW] = average pooling of x [NP, H, W]. */
export function avgpool2d_f32(out: usize, x: usize, meta: usize): void {
  loadGeometry(meta);
  avgPool(out, x);
}

function avgPool(out: usize, x: usize): void {
  const planeIn = <usize>H * <usize>W << 2;
  for (let pl = 0; pl < NP; pl++) {
    const plane = x + <usize>pl * planeIn;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const div = avgWindow(oy, ox);
        let sum: f32 = 0;
        for (let y = wy0; y < wy1; y++) {
          const row = plane + ((<usize>y * <usize>W) << 2);
          for (let xx = wx0; xx < wx1; xx++) sum += load<f32>(row + (<usize>xx << 2));
        }
        store<f32>(out, wy0 >= wy1 || wx0 >= wx1 ? 0 : sum / div);
        out += 4;
      }
    }
  }
}

/** dx [NP, H, W] = the gradient of average pooling for upstream dy [NP, OH, OW]. */
export function avgpool2d_bwd_f32(dx: usize, dy: usize, meta: usize): void {
  loadGeometry(meta);
  avgPoolBack(dx, dy);
}

function avgPoolBack(dx: usize, dy: usize): void {
  const planeIn = <usize>H * <usize>W << 2;
  memory.fill(dx, 0, <usize>NP * planeIn);
  for (let pl = 0; pl < NP; pl++) {
    const plane = dx + <usize>pl * planeIn;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const g = load<f32>(dy) / avgWindow(oy, ox);
        dy += 4;
        for (let y = wy0; y < wy1; y++) {
          const row = plane + ((<usize>y * <usize>W) << 2);
          for (let xx = wx0; xx < wx1; xx++) {
            const d = row + (<usize>xx << 2);
            store<f32>(d, load<f32>(d) + g);
          }
        }
      }
    }
  }
}

// Parallel blocks: block b covers planes b * per .. (b + 1) * per. Every plane is computed alone,
// so any split gives the whole call's bits.

/** Narrows the geometry to the planes of block `block`; returns the first plane (NP = count). */
function planeBlock(per: i32, block: i32): i32 {
  const p0 = block * per;
  NP = max(0, min(per, NP - p0));
  return p0;
}

/** Planes block * per .. of maxpool2d_f32. */
export function maxpool2d_block_f32(out: usize, idx: usize, x: usize, meta: usize, per: i32, block: i32): void {
  loadGeometry(meta);
  const p0 = <usize>planeBlock(per, block);
  const outAt = (p0 * <usize>OH * <usize>OW) << 2;
  maxPool(out + outAt, idx + outAt, x + ((p0 * <usize>H * <usize>W) << 2));
}

/** Planes block * per .. of maxpool2d_bwd_f32. */
export function maxpool2d_bwd_block_f32(
  dx: usize, dy: usize, idx: usize, planes: i32, hw: i32, ohw: i32, per: i32, block: i32,
): void {
  const p0 = block * per;
  const count = max(0, min(per, planes - p0));
  const outAt = (<usize>p0 * <usize>ohw) << 2;
  maxpool2d_bwd_f32(dx + ((<usize>p0 * <usize>hw) << 2), dy + outAt, idx + outAt, count, hw, ohw);
}

/** Planes block * per .. of avgpool2d_f32. */
export function avgpool2d_block_f32(out: usize, x: usize, meta: usize, per: i32, block: i32): void {
  loadGeometry(meta);
  const p0 = <usize>planeBlock(per, block);
  avgPool(out + ((p0 * <usize>OH * <usize>OW) << 2), x + ((p0 * <usize>H * <usize>W) << 2));
}

/** Planes block * per .. of avgpool2d_bwd_f32. */
export function avgpool2d_bwd_block_f32(dx: usize, dy: usize, meta: usize, per: i32, block: i32): void {
  loadGeometry(meta);
  const p0 = <usize>planeBlock(per, block);
  avgPoolBack(dx + ((p0 * <usize>H * <usize>W) << 2), dy + ((p0 * <usize>OH * <usize>OW) << 2));
}
