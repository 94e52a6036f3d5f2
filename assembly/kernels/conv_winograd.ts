/**
 * conv2d's forward for 3x3 kernels, stride 1, dilation 1, by Winograd's minimal filtering
 * F(2x2, 3x3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016): each
 * 2x2 block of outputs of an (output channel, input channel) pair is
 *
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d Bᵀᵀ) ] A,  d the 4x4 input patch, g the 3x3 kernel,
 *
 *   Bᵀ = | 1  0 -1  0 |    G = | 1    0    0  |    Aᵀ = | 1  1  1  0 |
 *        | 0  1  1  0 |        | 1/2  1/2  1/2 |         | 0  1 -1 -1 |
 *        | 0 -1  1  0 |        | 1/2 -1/2  1/2 |
 *        | 0  1  0 -1 |        | 0    0    1  |
 *
 * and the sum over input channels moves inside: for each of the 16 positions ξ of the 4x4
 * transformed tile, M[ξ] (OCg x tiles) = U[ξ] (OCg x Cg) · V[ξ] (Cg x tiles), a GEMM run on the
 * register tiles of conv_direct.ts. 16 products of Cg terms replace 36 products per 2x2 outputs:
 * 2.25 times fewer multiply-adds than the direct kernel, for transforms of adds and halvings
 * only (their rounding is of the order of the direct sum's).
 *
 * Work goes in chunks of `tr` rows of tiles (2 * tr output rows) of one image, sized so that a
 * chunk's V and M stay in L2: pad the chunk's input rows (cg planes of 2 * tr + 2 rows of WPW
 * floats), transform them to V, multiply, transform M to the output. Tile rows are TW4 tiles
 * wide (ceil(OW / 2) rounded up to 4: the transforms take 4 tiles per vector); tiles past the
 * output's edge are computed and dropped. Each output depends only on its own tile's V, the
 * fixed sum over channels and its M, so no blocking changes the bits.
 */
import { channelBlock, directTile, edgeTile, panelRowsOf, setTileWalk } from "./conv_direct";
import { NR } from "./gemm/scratch";

/** Floats of a chunk's V plus M (about 256 KB: with the U panels in use, within L2). */
const CHUNK_FLOATS = 65536;

/** Tiles per row of tiles: ceil(ow / 2) rounded up to 4. */
export function winoTilesWide(ow: i32): i32 {
  return (((ow + 1) >> 1) + 3) & ~3;
}

/** Width of the padded rows: the 4-tile groups read 12 floats from column 2 * tx. */
function padWidth(ow: i32): i32 {
  return 2 * winoTilesWide(ow) + 4;
}

/**
 * Rows of tiles per chunk: equal chunks whose V and M fit CHUNK_FLOATS (at least one row). Rows
 * a multiple of 4 tiles but not of 8 wide are taken in pairs where V and M still fit twice
 * CHUNK_FLOATS, so that the products' 8-tile register tiles are all whole (1x64x56x56: -10%).
 */
export function winoChunkRows(cg: i32, ocg: i32, oh: i32, ow: i32): i32 {
  const th = (oh + 1) >> 1;
  const perRow = <i64>16 * <i64>(cg + ocg) * <i64>winoTilesWide(ow);
  const rows = <i32>max<i64>(1, min<i64>(<i64>th, CHUNK_FLOATS / perRow));
  const chunks = (th + rows - 1) / rows;
  const tr = (th + chunks - 1) / chunks;
  const odd = (winoTilesWide(ow) & 4) != 0 && (tr & 1) != 0 && tr < th;
  return odd && <i64>(tr + 1) * perRow <= 2 * CHUNK_FLOATS ? tr + 1 : tr;
}

/**
 * Floats from one ξ's rows (rows x nt) of V or M to the next: 16 floats more than they hold, so
 * that the 16 streams of the transforms do not fall into the same L1 sets (V and M sizes are
 * often multiples of 4 KB).
 */
function xiStride(rows: i32, nt: i32): usize {
  return <usize>rows * <usize>nt + 16;
}

/** Floats from one ξ's U panels to the next (padded as xiStride pads V and M). */
function uFloats(ocg: i32, cg: i32): i32 {
  const r = panelRowsOf();
  return ((ocg + r - 1) / r) * r * cg + 16;
}

/** Workspace floats: U (16 x panels, R_MAX rows), then V and M of a chunk and the padded chunk. */
export function winoWorkFloats(cg: i32, ocg: i32, oh: i32, ow: i32): i64 {
  const tr = <i64>winoChunkRows(cg, ocg, oh, ow);
  const nt = tr * <i64>winoTilesWide(ow);
  const u = <i64>16 * ((<i64>ocg + 5) * <i64>cg + 16);
  const vm = <i64>16 * (<i64>(cg + ocg) * nt + 32);
  const pad = <i64>cg * (2 * tr + 2) * <i64>padWidth(ow);
  return u + vm + pad;
}

/**
 * u = U[ξ] = G g Gᵀ for the weights w (OCg x Cg x 3 x 3) of one group, each ξ in panels as
 * directPackWeights lays out one tap (panel o0 at o0 * Cg floats, then channel c at c * R,
 * then the R rows; zeros past OCg).
 */
export function winoPackWeights(u: usize, w: usize, ocg: i32, cg: i32): void {
  const r = panelRowsOf();
  const stride = <usize>uFloats(ocg, cg) << 2;
  const rows = ((ocg + r - 1) / r) * r;
  for (let oc = 0; oc < rows; oc++) {
    const o0 = oc - oc % r;
    const at = u + ((<usize>o0 * <usize>cg + <usize>(oc - o0)) << 2);
    if (oc >= ocg) {
      // The last panel's rows past OCg multiply to zero.
      for (let c = 0; c < cg; c++) {
        const dst = at + (<usize>(c * r) << 2);
        for (let xi = 0; xi < 16; xi++) store<f32>(dst + <usize>xi * stride, 0);
      }
      continue;
    }
    for (let c = 0; c < cg; c++) {
      const g = w + ((<usize>(oc * cg + c) * 9) << 2);
      let dst = at + (<usize>(c * r) << 2);
      // Rows of G g (4 x 3), then each row times Gᵀ.
      for (let i = 0; i < 4; i++) {
        let t0: f32;
        let t1: f32;
        let t2: f32;
        if (i == 0 || i == 3) {
          const row = g + (<usize>(i == 0 ? 0 : 6) << 2);
          t0 = load<f32>(row);
          t1 = load<f32>(row, 4);
          t2 = load<f32>(row, 8);
        } else {
          const s: f32 = i == 1 ? 0.5 : -0.5;
          t0 = 0.5 * (load<f32>(g) + load<f32>(g, 24)) + s * load<f32>(g, 12);
          t1 = 0.5 * (load<f32>(g, 4) + load<f32>(g, 28)) + s * load<f32>(g, 16);
          t2 = 0.5 * (load<f32>(g, 8) + load<f32>(g, 32)) + s * load<f32>(g, 20);
        }
        const m1: f32 = <f32>0.5 * (t0 + t2);
        const h1: f32 = <f32>0.5 * t1;
        store<f32>(dst, t0);
        store<f32>(dst + stride, m1 + h1);
        store<f32>(dst + 2 * stride, m1 - h1);
        store<f32>(dst + 3 * stride, t2);
        dst += 4 * stride;
      }
    }
  }
}

/**
 * Output rows 2 * ty0 .. min(oh, 2 * ty1) of one image and group: out (its OCg planes), planes
 * (its Cg input planes, h x w), u (winoPackWeights), bias (OCg floats or 0), work (the rest of
 * winoWorkFloats after U). Padding ph, pw on top and left.
 */
export function winoRows(
  out: usize, planes: usize, u: usize, bias: usize, work: usize,
  cg: i32, ocg: i32, h: i32, w: i32, oh: i32, ow: i32, ph: i32, pw: i32, ty0: i32, ty1: i32,
): void {
  const tw4 = winoTilesWide(ow);
  const nt = (ty1 - ty0) * tw4;
  const v = work;
  const m = v + (<usize>16 * xiStride(cg, nt) << 2);
  const pad = m + (<usize>16 * xiStride(ocg, nt) << 2);
  padChunk(pad, planes, cg, h, w, ph, pw, ow, ty0, ty1);
  inputTransform(v, pad, cg, ow, ty1 - ty0);
  multiply(m, u, v, cg, ocg, nt);
  outputTransform(out, m, bias, ocg, oh, ow, ty0, ty1);
}

/** The chunk's padded rows 2 * ty0 .. 2 * ty1 + 2 of the cg planes (zero outside the input). */
function padChunk(
  pad: usize, planes: usize, cg: i32, h: i32, w: i32, ph: i32, pw: i32, ow: i32, ty0: i32, ty1: i32,
): void {
  const wpw = padWidth(ow);
  const rows = 2 * (ty1 - ty0) + 2;
  const cols = max(0, min(w, wpw - pw));
  const plane = rows * wpw;
  memory.fill(pad, 0, <usize>(cg * plane) << 2);
  for (let c = 0; c < cg; c++) {
    const src = planes + ((<usize>c * <usize>h * <usize>w) << 2);
    const dst = pad + ((<usize>c * <usize>plane + <usize>pw) << 2);
    for (let r = 0; r < rows; r++) {
      const y = 2 * ty0 + r - ph;
      if (y < 0 || y >= h) continue;
      memory.copy(dst + ((<usize>r * <usize>wpw) << 2), src + ((<usize>y * <usize>w) << 2), <usize>cols << 2);
    }
  }
}

/**
 * V[ξ][c][tile] = (Bᵀ d B)[ξ] for the chunk's tiles, 4 tiles (one vector) at a time. Bᵀ d B =
 * Bᵀ (d B): the rows of d are first combined as Bᵀ says (d0 - d2, d1 + d2, d2 - d1, d1 - d3),
 * each combination as loaded (12 floats of the padded row), then split into the tiles'
 * columns and combined again (rowTransform).
 */
function inputTransform(v: usize, pad: usize, cg: i32, ow: i32, tr: i32): void {
  const tw4 = winoTilesWide(ow);
  const wpw = padWidth(ow);
  const nt = tr * tw4;
  const row = <usize>wpw << 2;
  const xi = xiStride(cg, nt) << 2;
  for (let c = 0; c < cg; c++) {
    const plane = pad + ((<usize>c * <usize>(2 * tr + 2) * <usize>wpw) << 2);
    for (let ty = 0; ty < tr; ty++) {
      let p = plane + ((<usize>(2 * ty) * <usize>wpw) << 2);
      let dst = v + ((<usize>c * <usize>nt + <usize>(ty * tw4)) << 2);
      for (let tx = 0; tx < tw4; tx += 4) {
        rowTransform(dst, xi, p, p + 2 * row, false);
        rowTransform(dst + 4 * xi, xi, p + row, p + 2 * row, true);
        rowTransform(dst + 8 * xi, xi, p + 2 * row, p + row, false);
        rowTransform(dst + 12 * xi, xi, p + row, p + 3 * row, false);
        p += 32;
        dst += 16;
      }
    }
  }
}

/**
 * The 4 vectors (columns j; lane k = tile k) of one row of Bᵀ d B for 4 tiles, into dst + j *
 * xi: the row combination e = d[p] - d[q] (d[p] + d[q] with `add`) of the padded rows at p and
 * q, then e0 - e2, e1 + e2, e2 - e1, e1 - e3 on each tile's columns (tile k: 2k .. 2k + 3).
 */
// @ts-ignore: decorator
@inline function rowTransform(dst: usize, xi: usize, p: usize, q: usize, add: bool): void {
  const x0 = add ? f32x4.add(v128.load(p), v128.load(q)) : f32x4.sub(v128.load(p), v128.load(q));
  const x1 = add ? f32x4.add(v128.load(p, 16), v128.load(q, 16)) : f32x4.sub(v128.load(p, 16), v128.load(q, 16));
  const y0 = add ? f32x4.add(v128.load(p, 8), v128.load(q, 8)) : f32x4.sub(v128.load(p, 8), v128.load(q, 8));
  const y1 = add ? f32x4.add(v128.load(p, 24), v128.load(q, 24)) : f32x4.sub(v128.load(p, 24), v128.load(q, 24));
  const e0 = v128.shuffle<f32>(x0, x1, 0, 2, 4, 6);
  const e1 = v128.shuffle<f32>(x0, x1, 1, 3, 5, 7);
  const e2 = v128.shuffle<f32>(y0, y1, 0, 2, 4, 6);
  const e3 = v128.shuffle<f32>(y0, y1, 1, 3, 5, 7);
  v128.store(dst, f32x4.sub(e0, e2));
  v128.store(dst + xi, f32x4.add(e1, e2));
  v128.store(dst + 2 * xi, f32x4.sub(e2, e1));
  v128.store(dst + 3 * xi, f32x4.sub(e1, e3));
}

/** M[ξ] (OCg x nt) = U[ξ] · V[ξ], on the direct kernel's register tiles (one tap, B rows nt apart). */
function multiply(m: usize, u: usize, v: usize, cg: i32, ocg: i32, nt: i32): void {
  const r = panelRowsOf();
  const cb = channelBlock(cg);
  const ldBytes = <usize>nt << 2;
  const uBytes = <usize>uFloats(ocg, cg) << 2;
  setTileWalk(1, 1, 0, 0, ldBytes);
  for (let xi = 0; xi < 16; xi++) {
    const uXi = u + <usize>xi * uBytes;
    const vXi = v + ((<usize>xi * xiStride(cg, nt)) << 2);
    const mXi = m + ((<usize>xi * xiStride(ocg, nt)) << 2);
    for (let c0 = 0; c0 < cg; c0 += cb) {
      const cn = min(cb, cg - c0);
      const first = c0 == 0;
      for (let t = 0; t < nt; t += NR) {
        const cols = min(NR, nt - t);
        const b = vXi + <usize>c0 * ldBytes + (<usize>t << 2);
        for (let o0 = 0; o0 < ocg; o0 += r) {
          const rows = min(r, ocg - o0);
          const a = uXi + ((<usize>o0 * <usize>cg + <usize>(c0 * r)) << 2);
          const c = mXi + <usize>o0 * ldBytes + (<usize>t << 2);
          if (rows == r && cols == NR) directTile(r, cn, a, b, c, ldBytes, first, 0);
          else edgeTile(r, rows, cols, cn, a, b, c, ldBytes, first, 0);
        }
      }
    }
  }
}

/**
 * out rows 2 * ty0 .. = Aᵀ m A + bias for the chunk's tiles, 4 tiles (one vector) at a time:
 * the rows of m combined first (z0 = m0 + m1 + m2, z1 = m1 - m2 - m3), then each z's columns
 * the same way; each output row's 2 columns per tile interleaved into 8 floats, stored whole
 * inside the output, else one by one.
 */
function outputTransform(
  out: usize, m: usize, bias: usize, ocg: i32, oh: i32, ow: i32, ty0: i32, ty1: i32,
): void {
  const tw4 = winoTilesWide(ow);
  const nt = (ty1 - ty0) * tw4;
  const xi = xiStride(ocg, nt) << 2;
  const plane = <usize>oh * <usize>ow;
  for (let oc = 0; oc < ocg; oc++) {
    const bv = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>oc << 2)) : 0);
    const o = out + ((<usize>oc * plane) << 2);
    for (let ty = ty0; ty < ty1; ty++) {
      let src = m + ((<usize>oc * <usize>nt + <usize>((ty - ty0) * tw4)) << 2);
      const y = 2 * ty;
      for (let tx = 0; tx < tw4; tx += 4) {
        const x = 2 * tx;
        const dst = o + ((<usize>y * <usize>ow + <usize>x) << 2);
        outputRow(dst, src, xi, bv, false, x, ow);
        if (y + 1 < oh) outputRow(dst + (<usize>ow << 2), src, xi, bv, true, x, ow);
        src += 16;
      }
    }
  }
}

/** M[ξ] for 4 tiles at src (ξ = 4i + j at src + ξ * xi). */
// @ts-ignore: decorator
@inline function m4(src: usize, xi: usize, i: i32, j: i32): v128 {
  return v128.load(src + <usize>(4 * i + j) * xi);
}

/**
 * Output row 0 (row 1 with `second`) of 4 tiles: z_j = m0j + m1j + m2j (m1j - m2j - m3j), then
 * y0 = z0 + z1 + z2, y1 = z1 - z2 - z3, + bias; interleaved and stored at dst (output column x).
 */
// @ts-ignore: decorator
@inline function outputRow(dst: usize, src: usize, xi: usize, bv: v128, second: bool, x: i32, ow: i32): void {
  let z0: v128;
  let z1: v128;
  let z2: v128;
  let z3: v128;
  if (second) {
    z0 = f32x4.sub(f32x4.sub(m4(src, xi, 1, 0), m4(src, xi, 2, 0)), m4(src, xi, 3, 0));
    z1 = f32x4.sub(f32x4.sub(m4(src, xi, 1, 1), m4(src, xi, 2, 1)), m4(src, xi, 3, 1));
    z2 = f32x4.sub(f32x4.sub(m4(src, xi, 1, 2), m4(src, xi, 2, 2)), m4(src, xi, 3, 2));
    z3 = f32x4.sub(f32x4.sub(m4(src, xi, 1, 3), m4(src, xi, 2, 3)), m4(src, xi, 3, 3));
  } else {
    z0 = f32x4.add(f32x4.add(m4(src, xi, 0, 0), m4(src, xi, 1, 0)), m4(src, xi, 2, 0));
    z1 = f32x4.add(f32x4.add(m4(src, xi, 0, 1), m4(src, xi, 1, 1)), m4(src, xi, 2, 1));
    z2 = f32x4.add(f32x4.add(m4(src, xi, 0, 2), m4(src, xi, 1, 2)), m4(src, xi, 2, 2));
    z3 = f32x4.add(f32x4.add(m4(src, xi, 0, 3), m4(src, xi, 1, 3)), m4(src, xi, 2, 3));
  }
  const y0 = f32x4.add(f32x4.add(f32x4.add(z0, z1), z2), bv);
  const y1 = f32x4.add(f32x4.sub(f32x4.sub(z1, z2), z3), bv);
  const lo = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5);
  const hi = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7);
  if (x + 8 <= ow) {
    v128.store(dst, lo);
    v128.store(dst, hi, 16);
  } else {
    for (let k = 0; k < 4 && x + k < ow; k++) store<f32>(dst + (<usize>k << 2), laneOf(lo, k));
    for (let k = 4; k < 8 && x + k < ow; k++) store<f32>(dst + (<usize>k << 2), laneOf(hi, k - 4));
  }
}

/** Lane k (0..3) of v. */
// @ts-ignore: decorator
@inline function laneOf(v: v128, k: i32): f32 {
  return k == 0 ? f32x4.extract_lane(v, 0) : k == 1 ? f32x4.extract_lane(v, 1) : k == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}
