/**
 * 2-D convolution on NCHW through sgemm, as torch.nn.functional.conv2d (cross-correlation,
 * zero padding, stride, dilation, groups), forward and both gradients.
 *
 * Per image and group, with P = OH * OW output positions and Kd = (C / groups) * KH * KW:
 *
 *   forward        out[OCg x P]  = W[OCg x Kd] · col[Kd x P]          (+ bias, broadcast first)
 *   input grad     dcol[Kd x P]  = Wᵀ · dY[OCg x P],  then dX += col2im(dcol)
 *   weight grad    dW[OCg x Kd] += dY[OCg x P] · colᵀ                  (summed over the batch)
 *
 * col is the im2col matrix: row (c, i, j) holds, for each output position (oy, ox), the input
 * pixel x[c, oy*SH - PH + i*DH, ox*SW - PW + j*DW], or 0 where that falls in the padding. It is
 * built `chunk` columns at a time into the caller's workspace (Kd * chunk floats), so a block of
 * it stays in L2 while sgemm reads it; 1x1 convolutions with stride 1 and no padding read the
 * input itself. Small images go NB at a time into one block (see forwardBlocks), with a staging
 * area of OCg * chunk floats after the columns. Output sizes OH and OW come from the caller, so asymmetric padding ("same" with
 * an even kernel) is simply a bottom/right edge that reads zeros.
 *
 * Geometry arrives as an i32 array (see loadGeometry); state lives in globals, so, like sgemm,
 * these kernels are not re-entrant.
 */
import { sgemm_f32 } from "./gemm";

let N = 0;
let C = 0;
let H = 0;
let W = 0;
let OC = 0;
let KH = 0;
let KW = 0;
let OH = 0;
let OW = 0;
let SH = 0;
let SW = 0;
let PH = 0;
let PW = 0;
let DH = 0;
let DW = 0;
let G = 1;
let CHUNK = 0;
let NB = 1;

/**
 * meta: N, C, H, W, OC, KH, KW, OH, OW, strideH, strideW, padTop, padLeft, dilationH,
 * dilationW, groups, chunk (output positions per im2col block, > 0), images per block (NB).
 * With NB > 1 a block holds NB whole images side by side (chunk = NB * OH * OW).
 */
function loadGeometry(meta: usize): void {
  N = load<i32>(meta, 0);
  C = load<i32>(meta, 4);
  H = load<i32>(meta, 8);
  W = load<i32>(meta, 12);
  OC = load<i32>(meta, 16);
  KH = load<i32>(meta, 20);
  KW = load<i32>(meta, 24);
  OH = load<i32>(meta, 28);
  OW = load<i32>(meta, 32);
  SH = load<i32>(meta, 36);
  SW = load<i32>(meta, 40);
  PH = load<i32>(meta, 44);
  PW = load<i32>(meta, 48);
  DH = load<i32>(meta, 52);
  DW = load<i32>(meta, 56);
  G = load<i32>(meta, 60);
  CHUNK = load<i32>(meta, 64);
  NB = load<i32>(meta, 68);
}

/** A 1x1 kernel with stride 1 and no padding: col is the input itself. */
function pointwise(): bool {
  return KH == 1 && KW == 1 && SH == 1 && SW == 1 && PH == 0 && PW == 0;
}

function zero(dst: usize, n: i32): void {
  memory.fill(dst, 0, <usize>n << 2);
}

/** zero() for the few floats of padding at a row's ends (memory.fill is a call in V8). */
// @ts-ignore: decorator
@inline function zeroFew(dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), f32x4.splat(0));
  for (; i < n; i++) store<f32>(dst + (<usize>i << 2), 0);
}

/** dst[0:n] = src[0:n * stride : stride]. */
// @ts-ignore: decorator
@inline function copyStrided(dst: usize, src: usize, n: i32, stride: i32): void {
  if (stride == 1) {
    let i = 0;
    for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), v128.load(src + (<usize>i << 2)));
    for (; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
  } else {
    const step = <usize>stride << 2;
    for (let i = 0; i < n; i++) {
      store<f32>(dst + (<usize>i << 2), load<f32>(src));
      src += step;
    }
  }
}

/** dst[0:n * stride : stride] += src[0:n]. */
// @ts-ignore: decorator
@inline function addStrided(dst: usize, src: usize, n: i32, stride: i32): void {
  if (stride == 1) {
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const d = dst + (<usize>i << 2);
      v128.store(d, f32x4.add(v128.load(d), v128.load(src + (<usize>i << 2))));
    }
    for (; i < n; i++) {
      const d = dst + (<usize>i << 2);
      store<f32>(d, load<f32>(d) + load<f32>(src + (<usize>i << 2)));
    }
  } else {
    const step = <usize>stride << 2;
    for (let i = 0; i < n; i++) {
      store<f32>(dst, load<f32>(dst) + load<f32>(src + (<usize>i << 2)));
      dst += step;
    }
  }
}

/**
 * Walks one im2col row: output positions p0 .. p0 + pw for kernel offset (iy0, ix0) = (i*DH -
 * PH, j*DW - PW) over the input plane. `scatter` false writes the row (pixels, zeros in the
 * padding); true adds the row back into the plane (col2im), skipping the padding.
 */
// @ts-ignore: decorator
@inline function walkRow(row: usize, plane: usize, iy0: i32, ix0: i32, p0: i32, pw: i32, scatter: bool): void {
  // Output columns whose input column lies inside the plane: [oxLo, oxHi).
  const oxLo = ix0 >= 0 ? 0 : (SW - 1 - ix0) / SW;
  const oxHi = W - 1 - ix0 < 0 ? 0 : min(OW, (W - 1 - ix0) / SW + 1);
  const end = p0 + pw;
  let p = p0;
  let oy = p / OW;
  let ox = p - oy * OW;
  let dst = row;
  while (p < end) {
    const n = min(OW - ox, end - p);
    const iy = oy * SH + iy0;
    if (<u32>iy >= <u32>H) {
      if (!scatter) {
        if (n > 32) zero(dst, n);
        else zeroFew(dst, n);
      }
    } else {
      const lo = min(max(oxLo, ox), ox + n);
      const hi = max(min(oxHi, ox + n), lo);
      const src = plane + ((<usize>iy * <usize>W + <usize>(lo * SW + ix0)) << 2);
      const mid = dst + (<usize>(lo - ox) << 2);
      if (scatter) {
        addStrided(src, mid, hi - lo, SW);
      } else {
        zeroFew(dst, lo - ox);
        copyStrided(mid, src, hi - lo, SW);
        zeroFew(dst + (<usize>(hi - ox) << 2), ox + n - hi);
      }
    }
    dst += <usize>n << 2;
    p += n;
    oy++;
    ox = 0;
  }
}

/**
 * col[Kd x pw] (rows `ld` floats apart) = columns p0 .. p0 + pw of the im2col matrix of
 * `planes` (Cg input planes).
 */
function im2col(col: usize, ld: i32, planes: usize, cg: i32, p0: i32, pw: i32): void {
  const planeBytes = <usize>H * <usize>W << 2;
  const rowBytes = <usize>ld << 2;
  let row = col;
  for (let c = 0; c < cg; c++) {
    const plane = planes + <usize>c * planeBytes;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        walkRow(row, plane, i * DH - PH, j * DW - PW, p0, pw, false);
        row += rowBytes;
      }
    }
  }
}

/** planes += col2im(col[Kd x pw], rows `ld` floats apart) for columns p0 .. p0 + pw. */
function col2im(planes: usize, col: usize, ld: i32, cg: i32, p0: i32, pw: i32): void {
  const planeBytes = <usize>H * <usize>W << 2;
  const rowBytes = <usize>ld << 2;
  let row = col;
  for (let c = 0; c < cg; c++) {
    const plane = planes + <usize>c * planeBytes;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        walkRow(row, plane, i * DH - PH, j * DW - PW, p0, pw, true);
        row += rowBytes;
      }
    }
  }
}

/**
 * out[N, OC, OH, OW] = conv2d(x[N, C, H, W], w[OC, C/G, KH, KW]) + bias[OC] (bias 0: none).
 * work: Kd * chunk floats (unused by pointwise convolutions).
 */
export function conv2d_f32(out: usize, x: usize, w: usize, bias: usize, work: usize, meta: usize): void {
  loadGeometry(meta);
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const direct = pointwise();
  const beta: f32 = bias != 0 ? 1 : 0;
  if (wide()) {
    wideConv(FORWARD, out, x, w, bias, 0, work);
    return;
  }
  if (NB > 1 && !direct) {
    forwardBlocks(out, x, w, bias, work);
    return;
  }
  for (let n = 0; n < N; n++) {
    const xn = x + ((<usize>n * <usize>C * <usize>H * <usize>W) << 2);
    const on = out + ((<usize>n * <usize>OC * <usize>P) << 2);
    if (bias != 0) {
      for (let oc = 0; oc < OC; oc++) {
        const v = f32x4.splat(load<f32>(bias + (<usize>oc << 2)));
        const dst = on + ((<usize>oc * <usize>P) << 2);
        let p = 0;
        for (; p + 4 <= P; p += 4) v128.store(dst + (<usize>p << 2), v);
        for (; p < P; p++) store<f32>(dst + (<usize>p << 2), f32x4.extract_lane(v, 0));
      }
    }
    for (let g = 0; g < G; g++) {
      const xg = xn + ((<usize>g * <usize>cg * <usize>H * <usize>W) << 2);
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      const og = on + ((<usize>g * <usize>ocg * <usize>P) << 2);
      if (direct) {
        sgemm_f32(og, P, wg, kd, xg, P, ocg, P, kd, 0, 0, 1, beta);
        continue;
      }
      for (let p0 = 0; p0 < P; p0 += CHUNK) {
        const pw = min(CHUNK, P - p0);
        im2col(work, pw, xg, cg, p0, pw);
        sgemm_f32(og + (<usize>p0 << 2), P, wg, kd, work, pw, ocg, pw, kd, 0, 0, 1, beta);
      }
    }
  }
}

/** dx[N, C, H, W] = the input gradient of conv2d for upstream dy[N, OC, OH, OW]. */
export function conv2d_bwd_input_f32(dx: usize, dy: usize, w: usize, work: usize, meta: usize): void {
  loadGeometry(meta);
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const direct = pointwise();
  if (wide()) {
    wideConv(INPUT_GRAD, dx, 0, w, 0, dy, work);
    return;
  }
  if (NB > 1 && !direct) {
    inputGradBlocks(dx, dy, w, work);
    return;
  }
  if (!direct) zero(dx, N * C * H * W);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const dxg = dx + (((<usize>n * <usize>C + <usize>g * <usize>cg) * <usize>H * <usize>W) << 2);
      const dyg = dy + (((<usize>n * <usize>OC + <usize>g * <usize>ocg) * <usize>P) << 2);
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      if (direct) {
        sgemm_f32(dxg, P, wg, kd, dyg, P, kd, P, ocg, 1, 0, 1, 0);
        continue;
      }
      for (let p0 = 0; p0 < P; p0 += CHUNK) {
        const pw = min(CHUNK, P - p0);
        sgemm_f32(work, pw, wg, kd, dyg + (<usize>p0 << 2), P, kd, pw, ocg, 1, 0, 1, 0);
        col2im(dxg, work, pw, cg, p0, pw);
      }
    }
  }
}

/** dw[OC, C/G, KH, KW] = the weight gradient of conv2d for input x and upstream dy. */
export function conv2d_bwd_weight_f32(dw: usize, dy: usize, x: usize, work: usize, meta: usize): void {
  loadGeometry(meta);
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const direct = pointwise();
  if (wide()) {
    wideConv(WEIGHT_GRAD, dw, x, 0, 0, dy, work);
    return;
  }
  if (NB > 1 && !direct) {
    weightGradBlocks(dw, dy, x, work);
    return;
  }
  zero(dw, OC * kd);
  for (let n = 0; n < N; n++) {
    for (let g = 0; g < G; g++) {
      const xg = x + (((<usize>n * <usize>C + <usize>g * <usize>cg) * <usize>H * <usize>W) << 2);
      const dyg = dy + (((<usize>n * <usize>OC + <usize>g * <usize>ocg) * <usize>P) << 2);
      const dwg = dw + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      if (direct) {
        sgemm_f32(dwg, kd, dyg, P, xg, P, ocg, kd, P, 0, 1, 1, 1);
        continue;
      }
      for (let p0 = 0; p0 < P; p0 += CHUNK) {
        const pw = min(CHUNK, P - p0);
        im2col(work, pw, xg, cg, p0, pw);
        sgemm_f32(dwg, kd, dyg + (<usize>p0 << 2), P, work, pw, ocg, kd, pw, 0, 1, 1, 1);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Small images (NB > 1): NB whole images side by side in one im2col block, so each sgemm has
// N = NB * P columns (and, for the weight gradient, K = NB * P) instead of one image's few
// hundred. Results pass through a staging block of OCg x NB * P floats after the columns.

/** dst rows (ldd apart) = src rows (lds apart) + bias[row] (bias 0: none), `rows` x `len`. */
function copyRows(dst: usize, ldd: i32, src: usize, lds: i32, rows: i32, len: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    const d = dst + ((<usize>r * <usize>ldd) << 2);
    const s = src + ((<usize>r * <usize>lds) << 2);
    const b = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>r << 2)) : 0);
    let i = 0;
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(d + o, f32x4.add(v128.load(s + o), b));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(d + o, load<f32>(s + o) + f32x4.extract_lane(b, 0));
    }
  }
}

/** Forward over blocks of NB images. */
function forwardBlocks(out: usize, x: usize, w: usize, bias: usize, work: usize): void {
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const stage = work + ((<usize>kd * <usize>CHUNK) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  for (let n0 = 0; n0 < N; n0 += NB) {
    const nb = min(NB, N - n0);
    const q = nb * P;
    for (let g = 0; g < G; g++) {
      for (let b = 0; b < nb; b++) {
        const xg = x + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
        im2col(work + (<usize>(b * P) << 2), q, xg, cg, 0, P);
      }
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      sgemm_f32(stage, q, wg, kd, work, q, ocg, q, kd, 0, 0, 1, 0);
      const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
      for (let b = 0; b < nb; b++) {
        const og = out + (((<usize>(n0 + b) * <usize>OC + <usize>g * <usize>ocg) * <usize>P) << 2);
        copyRows(og, P, stage + (<usize>(b * P) << 2), q, ocg, P, bg);
      }
    }
  }
}

/** Stages dy of images n0 .. n0 + nb, group g, as one OCg x (nb * P) block. */
function stageDy(stage: usize, dy: usize, n0: i32, nb: i32, g: i32): void {
  const P = OH * OW;
  const ocg = OC / G;
  for (let b = 0; b < nb; b++) {
    const dyg = dy + (((<usize>(n0 + b) * <usize>OC + <usize>g * <usize>ocg) * <usize>P) << 2);
    copyRows(stage + (<usize>(b * P) << 2), nb * P, dyg, P, ocg, P, 0);
  }
}

function inputGradBlocks(dx: usize, dy: usize, w: usize, work: usize): void {
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const stage = work + ((<usize>kd * <usize>CHUNK) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  zero(dx, N * C * H * W);
  for (let n0 = 0; n0 < N; n0 += NB) {
    const nb = min(NB, N - n0);
    const q = nb * P;
    for (let g = 0; g < G; g++) {
      stageDy(stage, dy, n0, nb, g);
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      sgemm_f32(work, q, wg, kd, stage, q, kd, q, ocg, 1, 0, 1, 0);
      for (let b = 0; b < nb; b++) {
        const dxg = dx + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
        col2im(dxg, work + (<usize>(b * P) << 2), q, cg, 0, P);
      }
    }
  }
}

function weightGradBlocks(dw: usize, dy: usize, x: usize, work: usize): void {
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const stage = work + ((<usize>kd * <usize>CHUNK) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  zero(dw, OC * kd);
  for (let n0 = 0; n0 < N; n0 += NB) {
    const nb = min(NB, N - n0);
    const q = nb * P;
    for (let g = 0; g < G; g++) {
      stageDy(stage, dy, n0, nb, g);
      for (let b = 0; b < nb; b++) {
        const xg = x + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
        im2col(work + (<usize>(b * P) << 2), q, xg, cg, 0, P);
      }
      const dwg = dw + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      sgemm_f32(dwg, kd, stage, q, work, q, ocg, kd, q, 0, 1, 1, 1);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Stride 1 ("wide" path). Each input plane is first copied into a zero-padded plane of width
// WP = OW + (KW - 1) * DW and height HP = OH + (KH - 1) * DH. Computing every output row at the
// full width WP (the last WP - OW columns of each row are junk and are dropped), row (c, i, j)
// of the im2col matrix is then one contiguous run of the padded plane, starting at
// (i * DH) * WP + j * DW: im2col is Kd block copies with no bounds logic, and col2im Kd vector
// adds. The gemm does WP / OW more work (16 / 14 for a 3x3 kernel on 14x14), far less than the
// per-row bookkeeping it replaces. A block covers NB whole images, or rows r0 .. r0 + CHUNK of
// one image; workspace: padded planes (NB * Cg of them), the columns (Kd x NB * CHUNK * WP) and
// a staging block (OCg x the same).

/** Floats per padded plane, with slack for the junk columns' reads past the last row. */
function paddedPlane(): i32 {
  const wp = OW + (KW - 1) * DW;
  const hp = OH + (KH - 1) * DH;
  return hp * wp + (KW - 1) * DW + 4;
}

/** Copies (or, with `back`, extracts) the Cg planes of one image into (from) padded planes. */
function padPlanes(pad: usize, planes: usize, cg: i32, back: bool): void {
  const wp = OW + (KW - 1) * DW;
  const hp = OH + (KH - 1) * DH;
  const pp = paddedPlane();
  // Input rows and columns that land inside the padded plane (stride 1: all that any output reads).
  const rows = max(0, min(H, hp - PH));
  const cols = max(0, min(W, wp - PW));
  for (let c = 0; c < cg; c++) {
    const dst = pad + ((<usize>c * <usize>pp) << 2);
    const src = planes + ((<usize>c * <usize>H * <usize>W) << 2);
    if (back) {
      // dx rows and columns that no output reads get zero gradient.
      if (rows < H || cols < W) zero(src, H * W);
      for (let y = 0; y < rows; y++) {
        const d = dst + ((<usize>(y + PH) * <usize>wp + <usize>PW) << 2);
        memory.copy(src + ((<usize>y * <usize>W) << 2), d, <usize>cols << 2);
      }
      continue;
    }
    zero(dst, pp);
    for (let y = 0; y < rows; y++) {
      const d = dst + ((<usize>(y + PH) * <usize>wp + <usize>PW) << 2);
      memory.copy(d, src + ((<usize>y * <usize>W) << 2), <usize>cols << 2);
    }
  }
}

/**
 * col [Kd x q] (q = nb * len) from padded planes of nb images, output rows r0 ..: row (c, i, j)
 * of image b is the run at (r0 + i * DH) * WP + j * DW of length len = rows * WP. With `back`,
 * adds the columns back into the padded planes instead (col2im).
 */
function wideCols(col: usize, pad: usize, nb: i32, cg: i32, r0: i32, len: i32, back: bool): void {
  const wp = OW + (KW - 1) * DW;
  const pp = paddedPlane();
  const q = nb * len;
  let row = col;
  for (let c = 0; c < cg; c++) {
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const off = (<usize>(r0 + i * DH) * <usize>wp + <usize>(j * DW)) << 2;
        for (let b = 0; b < nb; b++) {
          const src = pad + ((<usize>(b * cg + c) * <usize>pp) << 2) + off;
          const dst = row + (<usize>(b * len) << 2);
          if (back) addStrided(src, dst, len, 1);
          else memory.copy(dst, src, <usize>len << 2);
        }
        row += <usize>q << 2;
      }
    }
  }
}

/** out rows of nb images (group g, output rows r0 .. r0 + rr) = staged wide rows + the group's bias. */
function wideOut(out: usize, stage: usize, bias: usize, n0: i32, nb: i32, g: i32, r0: i32, rr: i32): void {
  const wp = OW + (KW - 1) * DW;
  const ocg = OC / G;
  const len = rr * wp;
  const q = nb * len;
  const wpBytes = <usize>wp << 2;
  const owBytes = <usize>OW << 2;
  for (let b = 0; b < nb; b++) {
    for (let oc = 0; oc < ocg; oc++) {
      const o = (n0 + b) * OC + g * ocg + oc;
      let dst = out + ((<usize>o * <usize>OH * <usize>OW + <usize>r0 * <usize>OW) << 2);
      let src = stage + ((<usize>oc * <usize>q + <usize>(b * len)) << 2);
      const bv = bias != 0 ? load<f32>(bias + (<usize>oc << 2)) : 0;
      const v = f32x4.splat(bv);
      for (let y = 0; y < rr; y++) {
        let i = 0;
        for (; i + 4 <= OW; i += 4) {
          const at = <usize>i << 2;
          v128.store(dst + at, f32x4.add(v128.load(src + at), v));
        }
        for (; i < OW; i++) {
          const at = <usize>i << 2;
          store<f32>(dst + at, load<f32>(src + at) + bv);
        }
        dst += owBytes;
        src += wpBytes;
      }
    }
  }
}

/** Stages dy rows of nb images (group g, rows r0 .. r0 + rr) at width WP, junk columns zero. */
function wideStageDy(stage: usize, dy: usize, n0: i32, nb: i32, g: i32, r0: i32, rr: i32): void {
  const wp = OW + (KW - 1) * DW;
  const ocg = OC / G;
  const len = rr * wp;
  const q = nb * len;
  for (let oc = 0; oc < ocg; oc++) {
    for (let b = 0; b < nb; b++) {
      const o = (n0 + b) * OC + g * ocg + oc;
      const src = dy + ((<usize>o * <usize>OH * <usize>OW + <usize>r0 * <usize>OW) << 2);
      const dst = stage + ((<usize>oc * <usize>q + <usize>(b * len)) << 2);
      for (let y = 0; y < rr; y++) {
        const d = dst + ((<usize>y * <usize>wp) << 2);
        copyStrided(d, src + ((<usize>y * <usize>OW) << 2), OW, 1);
        zeroFew(d + (<usize>OW << 2), wp - OW);
      }
    }
  }
}

/** Which pass wideConv runs. */
const FORWARD = 0;
const INPUT_GRAD = 1;
const WEIGHT_GRAD = 2;

/** The three directions of a stride-1 convolution over the wide layout. */
function wideConv(pass: i32, dst: usize, x: usize, w: usize, bias: usize, dy: usize, work: usize): void {
  const wp = OW + (KW - 1) * DW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const pp = paddedPlane();
  const rowsPerBlock = NB > 1 ? OH : CHUNK;
  const qMax = NB * rowsPerBlock * wp;
  const pad = work;
  const col = pad + ((<usize>NB * <usize>cg * <usize>pp) << 2);
  const stage = col + ((<usize>kd * <usize>qMax) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  if (pass == WEIGHT_GRAD) zero(dst, OC * kd);
  for (let n0 = 0; n0 < N; n0 += NB) {
    const nb = min(NB, N - n0);
    for (let g = 0; g < G; g++) {
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      for (let b = 0; b < nb; b++) {
        const planes = (pass == INPUT_GRAD ? dst : x) + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
        if (pass == INPUT_GRAD) zero(pad + ((<usize>(b * cg) * <usize>pp) << 2), cg * pp);
        else padPlanes(pad + ((<usize>(b * cg) * <usize>pp) << 2), planes, cg, false);
      }
      for (let r0 = 0; r0 < OH; r0 += rowsPerBlock) {
        const rr = min(rowsPerBlock, OH - r0);
        const len = rr * wp;
        const q = nb * len;
        if (pass == FORWARD) {
          wideCols(col, pad, nb, cg, r0, len, false);
          sgemm_f32(stage, q, wg, kd, col, q, ocg, q, kd, 0, 0, 1, 0);
          const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
          wideOut(dst, stage, bg, n0, nb, g, r0, rr);
        } else if (pass == INPUT_GRAD) {
          wideStageDy(stage, dy, n0, nb, g, r0, rr);
          sgemm_f32(col, q, wg, kd, stage, q, kd, q, ocg, 1, 0, 1, 0);
          wideCols(col, pad, nb, cg, r0, len, true);
        } else {
          wideStageDy(stage, dy, n0, nb, g, r0, rr);
          wideCols(col, pad, nb, cg, r0, len, false);
          const dwg = dst + ((<usize>g * <usize>ocg * <usize>kd) << 2);
          sgemm_f32(dwg, kd, stage, q, col, q, ocg, kd, q, 0, 1, 1, 1);
        }
      }
      if (pass == INPUT_GRAD) {
        for (let b = 0; b < nb; b++) {
          const planes = dst + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
          padPlanes(pad + ((<usize>(b * cg) * <usize>pp) << 2), planes, cg, true);
        }
      }
    }
  }
}

function wide(): bool {
  return SH == 1 && SW == 1 && !pointwise();
}
