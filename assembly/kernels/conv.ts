/**
 * 2-D convolution on NCHW through sgemm, as torch.nn.functional.conv2d (cross-correlation,
 * zero padding, stride, dilation, groups), forward and both gradients.
 *
 * Per image and group, with P = OH * OW output positions and Kd = (C / groups) * KH * KW:
 *
 *   forward        out[OCg x P]  = W[OCg x Kd] · col[Kd x P] + bias
 *   input grad     dcol[Kd x P]  = Wᵀ · dY[OCg x P],  then dX += col2im(dcol)
 *   weight grad    dW[OCg x Kd] += dY[OCg x P] · colᵀ                  (summed over the batch)
 *
 * col is the im2col matrix: row (c, i, j) holds, for each output position (oy, ox), the input
 * pixel x[c, oy*SH - PH + i*DH, ox*SW - PW + j*DW], or 0 where that falls in the padding.
 * The forward of a stride-1 convolution runs without im2col where its shape fills the register
 * tiles: Winograd F(2x2, 3x3) for 3x3 kernels (conv_winograd.ts), else a direct implicit GEMM
 * over the padded planes below (conv_direct.ts); see `winograd` and `direct`. Otherwise three
 * drivers share the forward and input gradient (see `run`); the weight gradient runs in
 * two phases over the same blocks (see "Weight gradient" at the end):
 *   - pointwise (1x1, stride 1, no padding): col is the input itself, no workspace;
 *   - stride 1, the "wide" layout (wideConv): im2col rows become block copies of padded planes;
 *   - any other stride (stridedConv): im2col blocks built row segment by row segment.
 * Blocks hold several whole images when images are small (so each sgemm spans them), else part
 * of one image, and are sized by the caller (src/ops/conv.ts) to stay within about 1 MB; results
 * and upstream gradients pass through a staging block beside the columns. Output sizes OH and OW
 * come from the caller, so asymmetric padding ("same" with an even kernel) is simply a
 * bottom/right edge that reads zeros.
 *
 * Geometry arrives as an i32 array (see loadGeometry); state lives in globals, so, like sgemm,
 * these kernels are not re-entrant.
 */
import { kBlock } from "./blocking";
import { DIRECT_SLACK, directConv, directPackWeights, directPackedFloats } from "./conv_direct";
import { winoChunkRows, winoPackWeights, winoRows, winoWorkFloats } from "./conv_winograd";
import { sgemm_f32, sgemm_prepacked_f32 } from "./gemm";
import { sgemmBlockedPath } from "./gemm/path";
import { threadIndex } from "./gemm/scratch";

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
/** Images this call covers: all of them, or one parallel block's (a multiple of NB from N_LO). */
let N_LO = 0;
let N_HI = 0;
/** Output rows this call covers in the wide layout: all, or one parallel forward block's chunk. */
let R_LO = 0;
let R_HI = 0;

/**
 * meta (18 i32): N, C, H, W, OC, KH, KW, OH, OW, strideH, strideW, padTop, padLeft, dilationH,
 * dilationW, groups, chunk, images per block (NB). chunk and NB 0 (what src/ops/conv.ts
 * passes) let `plan` choose the blocking; tests set them to force awkward blocks: chunk output
 * positions per im2col block (strided; chunk = NB * OH * OW when NB > 1) or output rows per
 * block (stride 1; OH when NB > 1). With NB > 1 a block holds NB whole images side by side.
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
  plan();
  N_LO = 0;
  N_HI = N;
  R_LO = 0;
  R_HI = OH;
}

/**
 * Floats of the workspace that conv2d_f32, conv2d_bwd_input_f32 and conv2d_bwd_weight_f32 need
 * for `meta` (0 for pointwise convolutions); conv2d_block_f32 and conv2d_bwd_input_block_f32
 * need as much per thread. Computed in 64 bits: a geometry whose workspace cannot be allocated
 * gets its true size, not a wrapped one. Returned as f64 (JavaScript numbers, not BigInt).
 */
export function conv2d_workspace_f32(meta: usize): f64 {
  loadGeometry(meta);
  return <f64>plan();
}

/**
 * Columns plus staging rows per block stay within 256K floats (1 MB: of 64K to 1M, the best on
 * 56x56x64 and 8x32x32x16).
 */
const BLOCK_FLOATS: i64 = 262144;

function ceilDiv(a: i64, b: i64): i64 {
  return (a + b - 1) / b;
}

/**
 * How the im2col matrix is cut into blocks, unless meta set it: NB whole images per block when
 * images are small, else CHUNK output positions (strided) or output rows (stride 1) of one
 * image per block. Sets CHUNK and NB and returns the workspace in floats, laid out as
 * stridedConv and wideConv read it.
 */
function plan(): i64 {
  const kd = <i64>(C / G) * <i64>KH * <i64>KW;
  const ocg = <i64>(OC / G);
  const p = <i64>OH * <i64>OW;
  if (p == 0 || pointwise()) {
    CHUNK = 1;
    NB = 1;
    return 0;
  }
  const chosen = CHUNK > 0 && NB > 0;
  // Columns per block, counting the column rows and the staging rows.
  const staged = max<i64>(8, (BLOCK_FLOATS / max<i64>(1, kd + ocg)) & ~7);
  if (SH == 1 && SW == 1) {
    // The wide layout: rows of width wp, padded planes of pp floats (paddedPlane()).
    const wp = <i64>OW + <i64>(KW - 1) * <i64>DW;
    const hp = <i64>OH + <i64>(KH - 1) * <i64>DH;
    const pp = hp * wp + <i64>(KW - 1) * <i64>DW + 4;
    if (!chosen) {
      const perImage = <i64>OH * wp;
      let images: i64 = 1;
      let rows: i64 = OH;
      if (N > 1 && 2 * perImage <= staged) images = min<i64>(N, staged / perImage);
      else {
        rows = max<i64>(1, staged / wp);
        rows = ceilDiv(OH, ceilDiv(OH, rows));
      }
      CHUNK = <i32>rows;
      NB = <i32>images;
    }
    const q = <i64>NB * <i64>(NB > 1 ? OH : CHUNK) * wp;
    // Columns in sgemm's packed layout pad q to a multiple of 8.
    const wide = <i64>NB * <i64>(C / G) * pp + kd * ((q + 7) & ~7) + ocg * q;
    if (winograd()) return max<i64>(wide, winoWorkFloats(C / G, OC / G, OH, OW));
    return direct() ? max<i64>(wide, directWork(pp)) : wide;
  }
  if (!chosen) {
    if (N > 1 && 2 * p <= staged) {
      const images = min<i64>(N, staged / p);
      CHUNK = <i32>(images * p);
      NB = <i32>images;
    } else {
      CHUNK = <i32>min<i64>(p, (ceilDiv(p, ceilDiv(p, staged)) + 7) & ~7);
      NB = 1;
    }
  }
  // The columns (Kd x CHUNK), then the staging block (OCg x CHUNK).
  return (kd + ocg) * <i64>CHUNK;
}

/**
 * Whether the forward runs the direct kernel (assembly/kernels/conv_direct.ts): stride 1, more
 * than one tap, and rows and channels enough to fill its register tiles. Narrower or thinner
 * convolutions, and 1x1 kernels with padding, keep the wide layout's im2col and sgemm (measured
 * as fast or faster there: 4 channels 3x3, 16 channels 1x1).
 */
function direct(): bool {
  return SH == 1 && SW == 1 && KH * KW > 1 && OW >= DIRECT_MIN_OW && C / G >= DIRECT_MIN_CG && OC / G >= 4;
}

const DIRECT_MIN_OW = 8;
const DIRECT_MIN_CG = 8;

/**
 * Whether the forward runs Winograd F(2x2, 3x3) (assembly/kernels/conv_winograd.ts): a 3x3
 * kernel, stride 1, dilation 1, with channels enough that the products outweigh the transforms.
 */
function winograd(): bool {
  return KH == 3 && KW == 3 && SH == 1 && SW == 1 && DH == 1 && DW == 1 &&
    C / G >= WINO_MIN_CG && OC / G >= 4 && OW >= 4 && OH >= 2;
}

const WINO_MIN_CG = 8;

/** Floats of the direct forward's workspace: one image's padded planes, slack, packed weights. */
function directWork(pp: i64): i64 {
  const cg = <i64>(C / G);
  const planes = (cg * pp + DIRECT_SLACK + 15) & ~15;
  return planes + directPackedFloats(OC / G, C / G * KH * KW);
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
 * Columns p0 .. p0 + pw of the im2col matrix of `planes` (Cg input planes) and col[Kd x pw]
 * (rows `ld` floats apart): im2col writes col from the planes; with `back` (col2im), the planes
 * get col added.
 */
function im2col(col: usize, ld: i32, planes: usize, cg: i32, p0: i32, pw: i32, back: bool): void {
  const planeBytes = <usize>H * <usize>W << 2;
  const rowBytes = <usize>ld << 2;
  let row = col;
  for (let c = 0; c < cg; c++) {
    const plane = planes + <usize>c * planeBytes;
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        walkRow(row, plane, i * DH - PH, j * DW - PW, p0, pw, back);
        row += rowBytes;
      }
    }
  }
}

/** Which direction a driver runs. */
const FORWARD = 0;
const INPUT_GRAD = 1;

/**
 * out[N, OC, OH, OW] = conv2d(x[N, C, H, W], w[OC, C/G, KH, KW]) + bias[OC] (bias 0: none).
 * work: conv2d_workspace_f32(meta) floats; none for pointwise convolutions.
 */
export function conv2d_f32(out: usize, x: usize, w: usize, bias: usize, work: usize, meta: usize): void {
  loadGeometry(meta);
  run(FORWARD, out, x, w, bias, 0, work);
}

/** dx[N, C, H, W] = the input gradient of conv2d for upstream dy[N, OC, OH, OW]. */
export function conv2d_bwd_input_f32(dx: usize, dy: usize, w: usize, work: usize, meta: usize): void {
  loadGeometry(meta);
  run(INPUT_GRAD, dx, 0, w, 0, dy, work);
}

/**
 * dw[OC, C/G, KH, KW] = the weight gradient of conv2d for input x and upstream dy, in the two
 * phases of the parallel version (see "Weight gradient" below) run in order on this thread, so
 * that both give the same bits. work: pad + group * slot floats of conv2d_wgrad_plan(meta, out, 0).
 */
export function conv2d_bwd_weight_f32(dw: usize, dy: usize, x: usize, work: usize, meta: usize): void {
  loadGeometry(meta);
  zero(dw, OC * (C / G) * KH * KW);
  planWeightGrad();
  const pad = work;
  const slots = work + (<usize>WG_PAD << 2);
  const slotBytes = <usize>WG_SLOT << 2;
  for (let first = 0; first < WG_PIECES; first += WG_GROUP) {
    const count = min(WG_GROUP, WG_PIECES - first);
    for (let i = 0; i < count; i++) stagePiece(dy, x, pad, slots + <usize>i * slotBytes, first + i);
    for (let t = 0; t < WG_TILES; t++) gemmTile(dw, dy, x, slots, slotBytes, first, count, t);
  }
}

// Parallel forward and input-gradient passes: block b covers images b * IB .. (b + 1) * IB
// (imagesPerBlock), which it puts through the product IB at a time; a forward of one image per
// block may also split it into chunks of output rows (rowChunks). Each thread uses its own
// workspace, work + threadIndex * workBytes. (The weight gradient sums over images, so it is
// never split this way: see "Weight gradient" below.)

/** Number of image blocks of conv2d_bwd_input_block_f32 (of imagesPerBlock(INPUT_GRAD) images each). */
export function conv2d_blocks(meta: usize): i32 {
  loadGeometry(meta);
  const ib = imagesPerBlock(INPUT_GRAD);
  return (N + ib - 1) / ib;
}

/** Parallel passes aim for about this many image blocks, so that two to eight threads end together. */
const IMAGE_BLOCKS = 32;
/**
 * But a block's product keeps at least this many columns: each block packs the whole weight
 * matrix again, so blocks of one tiny image (a 1x1 input to ConvTranspose2d: 4 columns) re-read
 * megabytes of weights per handful of columns and ran slower on two threads than one on one.
 */
const MIN_BLOCK_COLUMNS = 64;

/**
 * Images per parallel block of `pass`: NB, or fewer when NB > 1, so that a batch of small images
 * still makes about IMAGE_BLOCKS blocks (32 images of 14x14 made 8 blocks of 4), each of at least
 * MIN_BLOCK_COLUMNS columns of the product where NB allows. The bits do not
 * change: each column of the pass's product (forward OCg x q over Kd, input gradient Kd x q over
 * OCg) is the same sum in the same order whichever columns sit beside it, as long as both widths
 * take sgemm's blocked path; the bias, and col2im, touch each image's own planes only.
 */
function imagesPerBlock(pass: i32): i32 {
  if (NB <= 1 || pointwise()) return NB;
  const kd = (C / G) * KH * KW;
  const ocg = OC / G;
  const len = SH == 1 && SW == 1 ? OH * (OW + (KW - 1) * DW) : OH * OW;
  const ib = min(NB, max((N + IMAGE_BLOCKS - 1) / IMAGE_BLOCKS, (MIN_BLOCK_COLUMNS + len - 1) / len));
  const m = pass == FORWARD ? ocg : kd;
  const k = pass == FORWARD ? kd : ocg;
  const tA = pass == FORWARD ? 0 : 1;
  if (!sgemmBlockedPath(m, NB * len, k, tA, 0) || !sgemmBlockedPath(m, ib * len, k, tA, 0)) return NB;
  return ib;
}

function setBlock(block: i32): void {
  N_LO = block * NB;
  N_HI = min(N, N_LO + NB);
}

/**
 * Forward blocks in the wide layout with one image per block (NB == 1): every chunk of CHUNK
 * output rows of every image is a block of its own (the same chunks, the same sgemm, as the
 * whole call), so that one large image still spreads over the threads. 0 otherwise.
 */
function rowChunks(): i32 {
  if (winograd() || direct()) return (OH + fastRowsPerBlock() - 1) / fastRowsPerBlock();
  if (NB != 1 || SH != 1 || SW != 1 || pointwise()) return 0;
  return (OH + CHUNK - 1) / CHUNK;
}

/**
 * Output rows per parallel block of the Winograd and direct forwards: about 8 blocks in all
 * (each packs the weights again), at least one per image; for Winograd, whole chunks of tile
 * rows. The bits do not depend on it (see conv_direct.ts and conv_winograd.ts).
 */
function fastRowsPerBlock(): i32 {
  const per = (8 + N - 1) / N;
  if (winograd()) {
    const tr = winoChunkRows(C / G, OC / G, OH, OW);
    const chunks = ((OH + 1) / 2 + tr - 1) / tr;
    return 2 * tr * ((chunks + min(chunks, per) - 1) / min(chunks, per));
  }
  const blocks = min(OH, per);
  return (OH + blocks - 1) / blocks;
}

/** Number of blocks of conv2d_block_f32: image blocks, or image x row-chunk blocks (rowChunks). */
export function conv2d_fwd_blocks(meta: usize): i32 {
  loadGeometry(meta);
  const chunks = rowChunks();
  if (chunks > 0) return N * chunks;
  const ib = imagesPerBlock(FORWARD);
  return (N + ib - 1) / ib;
}

/** Block `block` of conv2d_f32, with this thread's workspace at work + threadIndex * workBytes. */
export function conv2d_block_f32(
  out: usize, x: usize, w: usize, bias: usize, work: usize, workBytes: usize, meta: usize, block: i32,
): void {
  loadGeometry(meta);
  const chunks = rowChunks();
  if (chunks > 0) {
    N_LO = block / chunks;
    N_HI = N_LO + 1;
    const rows = winograd() || direct() ? fastRowsPerBlock() : CHUNK;
    R_LO = (block % chunks) * rows;
    R_HI = min(OH, R_LO + rows);
  } else {
    // As in conv2d_bwd_input_block_f32.
    NB = imagesPerBlock(FORWARD);
    setBlock(block);
  }
  run(FORWARD, out, x, w, bias, 0, work + <usize>threadIndex * workBytes);
}

/** Block `block` of conv2d_bwd_input_f32, workspaces as in conv2d_block_f32. */
export function conv2d_bwd_input_block_f32(
  dx: usize, dy: usize, w: usize, work: usize, workBytes: usize, meta: usize, block: i32,
): void {
  loadGeometry(meta);
  // The block's images go through the product imagesPerBlock() at a time (within the
  // workspace laid out for NB); loadGeometry restores NB for the next call.
  NB = imagesPerBlock(INPUT_GRAD);
  setBlock(block);
  run(INPUT_GRAD, dx, 0, w, 0, dy, work + <usize>threadIndex * workBytes);
}

function run(pass: i32, dst: usize, x: usize, w: usize, bias: usize, dy: usize, work: usize): void {
  if (pointwise()) pointwiseConv(pass, dst, x, w, bias, dy);
  else if (pass == FORWARD && winograd()) winogradForward(dst, x, w, bias, work);
  else if (pass == FORWARD && direct()) directForward(dst, x, w, bias, work);
  else if (SH == 1 && SW == 1) wideConv(pass, dst, x, w, bias, dy, work);
  else stridedConv(pass, dst, x, w, bias, dy, work);
}

/** A 1x1 kernel, stride 1, no padding: per image and group, one sgemm over the planes in place. */
function pointwiseConv(pass: i32, dst: usize, x: usize, w: usize, bias: usize, dy: usize): void {
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  for (let n = N_LO; n < N_HI; n++) {
    for (let g = 0; g < G; g++) {
      const xOff = ((<usize>n * <usize>C + <usize>g * <usize>cg) * <usize>P) << 2;
      const yOff = ((<usize>n * <usize>OC + <usize>g * <usize>ocg) * <usize>P) << 2;
      const wg = w + ((<usize>g * <usize>ocg * <usize>cg) << 2);
      if (pass == FORWARD) {
        const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
        if (bg != 0) copyRows(dst + yOff, P, 0, 0, ocg, P, bg);
        sgemm_f32(dst + yOff, P, wg, cg, x + xOff, P, ocg, P, cg, 0, 0, 1, bg != 0 ? 1 : 0);
      } else {
        sgemm_f32(dst + xOff, P, wg, cg, dy + yOff, P, cg, P, ocg, 1, 0, 1, 0);
      }
    }
  }
}

/**
 * dst rows (ldd apart) = src rows (lds apart; src 0 reads zeros) + bias[row] (bias 0: none),
 * `rows` x `len`.
 */
function copyRows(dst: usize, ldd: i32, src: usize, lds: i32, rows: i32, len: i32, bias: usize): void {
  for (let r = 0; r < rows; r++) {
    const d = dst + ((<usize>r * <usize>ldd) << 2);
    const s = src + ((<usize>r * <usize>lds) << 2);
    const bv: f32 = bias != 0 ? load<f32>(bias + (<usize>r << 2)) : 0;
    const b = f32x4.splat(bv);
    let i = 0;
    if (src == 0) {
      for (; i + 4 <= len; i += 4) v128.store(d + (<usize>i << 2), b);
      for (; i < len; i++) store<f32>(d + (<usize>i << 2), bv);
      continue;
    }
    for (; i + 4 <= len; i += 4) {
      const o = <usize>i << 2;
      v128.store(d + o, f32x4.add(v128.load(s + o), b));
    }
    for (; i < len; i++) {
      const o = <usize>i << 2;
      store<f32>(d + o, load<f32>(s + o) + bv);
    }
  }
}

/**
 * Strided convolutions over im2col blocks. A block is NB whole images side by side (NB > 1),
 * or output positions p0 .. p0 + CHUNK of one image, so each sgemm spans q = NB * pw columns.
 * Workspace: the columns (Kd x q), then a staging block (OCg x q) through which outputs leave
 * and upstream gradients arrive.
 */
function stridedConv(pass: i32, dst: usize, x: usize, w: usize, bias: usize, dy: usize, work: usize): void {
  const P = OH * OW;
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const col = work;
  const stage = work + ((<usize>kd * <usize>CHUNK) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  const step = NB > 1 ? P : CHUNK;
  if (pass == INPUT_GRAD) zero(dst + ((<usize>N_LO * <usize>C * planeBytes)), (N_HI - N_LO) * C * H * W);
  for (let n0 = N_LO; n0 < N_HI; n0 += NB) {
    const nb = min(NB, N_HI - n0);
    for (let g = 0; g < G; g++) {
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      for (let p0 = 0; p0 < P; p0 += step) {
        const pw = min(step, P - p0);
        const q = nb * pw;
        if (pass == INPUT_GRAD) stageBlock(stage, q, dy, n0, nb, g, p0, pw, true, 0);
        else {
          for (let b = 0; b < nb; b++) {
            const planes = x + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
            im2col(col + (<usize>(b * pw) << 2), q, planes, cg, p0, pw, false);
          }
        }
        if (pass == FORWARD) {
          sgemm_f32(stage, q, wg, kd, col, q, ocg, q, kd, 0, 0, 1, 0);
          const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
          stageBlock(stage, q, dst, n0, nb, g, p0, pw, false, bg);
        } else {
          sgemm_f32(col, q, wg, kd, stage, q, kd, q, ocg, 1, 0, 1, 0);
          for (let b = 0; b < nb; b++) {
            const planes = dst + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
            im2col(col + (<usize>(b * pw) << 2), q, planes, cg, p0, pw, true);
          }
        }
      }
    }
  }
}

/**
 * Moves the block of output positions p0 .. p0 + pw of images n0 .. n0 + nb, group g, between
 * an [N, OC, OH * OW] tensor and the staging block (OCg x q, image b at column b * pw): into the
 * stage when `toStage`, else out of it with the group's bias added.
 */
function stageBlock(
  stage: usize, q: i32, t: usize, n0: i32, nb: i32, g: i32, p0: i32, pw: i32, toStage: bool, bias: usize,
): void {
  const P = OH * OW;
  const ocg = OC / G;
  for (let b = 0; b < nb; b++) {
    const rows = t + ((((<usize>(n0 + b) * <usize>OC + <usize>g * <usize>ocg) * <usize>P) + <usize>p0) << 2);
    const block = stage + (<usize>(b * pw) << 2);
    if (toStage) copyRows(block, q, rows, P, ocg, pw, 0);
    else copyRows(rows, P, block, q, ocg, pw, bias);
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
 * padPlanes (forward) for the output rows R_LO .. R_HI only: the padded rows they read, plus one
 * (a run may read a few floats into the next row), zeroed and filled as padPlanes would.
 */
function padPlanesRows(pad: usize, planes: usize, cg: i32): void {
  const wp = OW + (KW - 1) * DW;
  const hp = OH + (KH - 1) * DH;
  const pp = paddedPlane();
  const p0 = R_LO;
  const p1 = min(hp, R_HI + (KH - 1) * DH + 1); // padded rows p0 .. p1 - 1
  const f0 = p0 * wp;
  const f1 = p1 >= hp ? pp : p1 * wp;
  const cols = max(0, min(W, wp - PW));
  const y0 = max(0, p0 - PH);
  const y1 = min(H, p1 - PH);
  for (let c = 0; c < cg; c++) {
    const dst = pad + ((<usize>c * <usize>pp) << 2);
    const src = planes + ((<usize>c * <usize>H * <usize>W) << 2);
    zero(dst + (<usize>f0 << 2), f1 - f0);
    for (let y = y0; y < y1; y++) {
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

/**
 * wideCols for the forward: the same columns written straight into sgemm's packed-B layout
 * (K blocks of kBlock(Kd) rows, 8-column panels; see sgemm_pack_b_f32), so the product reads
 * them with no second packing pass. Columns past q up to a multiple of 8 are zeroed.
 */
function widePacked(dst: usize, pad: usize, nb: i32, cg: i32, r0: i32, len: i32): void {
  const wp = OW + (KW - 1) * DW;
  const pp = paddedPlane();
  const q = nb * len;
  const n8 = (q + 7) & ~7;
  const kd = cg * KH * KW;
  const kcMax = kBlock(kd);
  let k = 0;
  for (let c = 0; c < cg; c++) {
    for (let i = 0; i < KH; i++) {
      for (let j = 0; j < KW; j++) {
        const pc = (k / kcMax) * kcMax;
        const kc = min(kcMax, kd - pc);
        const row = dst + ((<usize>pc * <usize>n8 + <usize>(k - pc) * 8) << 2);
        const panel = <usize>kc << 5;
        const off = (<usize>(r0 + i * DH) * <usize>wp + <usize>(j * DW)) << 2;
        for (let b = 0; b < nb; b++) {
          let src = pad + ((<usize>(b * cg + c) * <usize>pp) << 2) + off;
          let col = b * len;
          const end = col + len;
          for (; col < end && (col & 7) != 0; col++, src += 4) {
            store<f32>(row + <usize>(col >> 3) * panel + (<usize>(col & 7) << 2), load<f32>(src));
          }
          for (; col + 8 <= end; col += 8, src += 32) {
            const d = row + <usize>(col >> 3) * panel;
            v128.store(d, v128.load(src));
            v128.store(d, v128.load(src, 16), 16);
          }
          for (; col < end; col++, src += 4) {
            store<f32>(row + <usize>(col >> 3) * panel + (<usize>(col & 7) << 2), load<f32>(src));
          }
        }
        for (let col = q; col < n8; col++) {
          store<f32>(row + <usize>(col >> 3) * panel + (<usize>(col & 7) << 2), 0);
        }
        k++;
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

/**
 * The forward of a stride-1 convolution by the direct kernel, images N_LO .. N_HI and output
 * rows R_LO .. R_HI: per group, the weights packed once, then per image its padded planes
 * (only the rows the block reads when it covers part of the image) and the tiles.
 */
function directForward(out: usize, x: usize, w: usize, bias: usize, work: usize): void {
  const cg = C / G;
  const ocg = OC / G;
  const taps = KH * KW;
  const kd = cg * taps;
  const wp = OW + (KW - 1) * DW;
  const pp = paddedPlane();
  const pad = work;
  const packed = work + (<usize>((<i64>cg * <i64>pp + DIRECT_SLACK + 15) & ~15) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  const outPlane = OH * OW;
  for (let g = 0; g < G; g++) {
    directPackWeights(packed, w + ((<usize>g * <usize>ocg * <usize>kd) << 2), ocg, cg, taps);
    const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
    for (let n = N_LO; n < N_HI; n++) {
      const planes = x + (<usize>n * <usize>C + <usize>g * <usize>cg) * planeBytes;
      if (R_LO > 0 || R_HI < OH) padPlanesRows(pad, planes, cg);
      else padPlanes(pad, planes, cg, false);
      const o = out + ((<usize>(n * OC + g * ocg) * <usize>outPlane) << 2);
      directConv(o, outPlane, OW, pad, pp, wp, packed, bg, ocg, cg, KH, KW, DH, DW, R_LO, R_HI);
    }
  }
}

/**
 * The forward of a 3x3 stride-1 convolution by Winograd F(2x2, 3x3), images N_LO .. N_HI and
 * output rows R_LO .. R_HI (whole chunks of tile rows): per group, U once, then per image its
 * chunks.
 */
function winogradForward(out: usize, x: usize, w: usize, bias: usize, work: usize): void {
  const cg = C / G;
  const ocg = OC / G;
  const tr = winoChunkRows(cg, ocg, OH, OW);
  const rest = work + ((<usize>16 * (<usize>(ocg + 5) * <usize>cg + 16)) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  const outPlane = OH * OW;
  const ty0 = R_LO / 2;
  const ty1 = (R_HI + 1) / 2;
  for (let g = 0; g < G; g++) {
    winoPackWeights(work, w + ((<usize>g * <usize>ocg * <usize>cg * 9) << 2), ocg, cg);
    const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
    for (let n = N_LO; n < N_HI; n++) {
      const planes = x + (<usize>n * <usize>C + <usize>g * <usize>cg) * planeBytes;
      const o = out + ((<usize>(n * OC + g * ocg) * <usize>outPlane) << 2);
      for (let t = ty0; t < ty1; t += tr) {
        winoRows(o, planes, work, bg, rest, cg, ocg, H, W, OH, OW, PH, PW, t, min(ty1, t + tr));
      }
    }
  }
}

/** The forward and input gradient of a stride-1 convolution over the wide layout. */
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
  // The columns' area holds Kd x qMax rounded up to 8 (the packed layout pads panels).
  const stage = col + ((<usize>kd * <usize>((qMax + 7) & ~7)) << 2);
  const planeBytes = (<usize>H * <usize>W) << 2;
  for (let n0 = N_LO; n0 < N_HI; n0 += NB) {
    const nb = min(NB, N_HI - n0);
    for (let g = 0; g < G; g++) {
      const wg = w + ((<usize>g * <usize>ocg * <usize>kd) << 2);
      for (let b = 0; b < nb; b++) {
        const planes = (pass == INPUT_GRAD ? dst : x) + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
        if (pass == INPUT_GRAD) zero(pad + ((<usize>(b * cg) * <usize>pp) << 2), cg * pp);
        else if (R_LO > 0 || R_HI < OH) padPlanesRows(pad + ((<usize>(b * cg) * <usize>pp) << 2), planes, cg);
        else padPlanes(pad + ((<usize>(b * cg) * <usize>pp) << 2), planes, cg, false);
      }
      for (let r0 = R_LO; r0 < R_HI; r0 += rowsPerBlock) {
        const rr = min(rowsPerBlock, OH - r0);
        const len = rr * wp;
        const q = nb * len;
        if (pass == FORWARD) {
          widePacked(col, pad, nb, cg, r0, len);
          sgemm_prepacked_f32(stage, q, wg, kd, col, ocg, q, kd, 0, 1, 0);
          const bg = bias != 0 ? bias + ((<usize>g * <usize>ocg) << 2) : 0;
          wideOut(dst, stage, bg, n0, nb, g, r0, rr);
        } else {
          wideStageDy(stage, dy, n0, nb, g, r0, rr);
          sgemm_f32(col, q, wg, kd, stage, q, kd, q, ocg, 1, 0, 1, 0);
          wideCols(col, pad, nb, cg, r0, len, true);
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

// ---------------------------------------------------------------------------------------------
// Weight gradient, in two phases that split the work without splitting any sum.
//
// A "piece" is one step of the blocked loop: image block n0, convolution group g, and a chunk of
// output rows (stride 1) or positions; its product dY_piece · col_pieceᵀ is added into dW_g.
// WG_GROUP consecutive pieces at a time are first staged, each into its own slot (its dY rows and
// its im2col columns), in parallel over pieces; then dW is cut into WG_TILES fixed tiles (a
// convolution group's rows x columns, from the shape alone), and each tile runs one sgemm per
// staged piece of its convolution group, in piece order, on its sub-matrices. Every element of
// dW thus gets the same sums in the same order whatever the number of threads or pieces staged
// at a time (on one thread, conv2d_bwd_weight_f32 runs the same steps). Pointwise convolutions
// need no staging: the tiles read dy and x in place.

/** Pieces, pieces per group, dW tiles, floats per slot and per thread's padded planes. */
let WG_PIECES = 0;
let WG_GROUP = 1;
let WG_TILES = 1;
let WG_SLOT = 0;
let WG_PAD = 0;
/** Chunks per (image block, group); rows (wide) or positions (strided) per chunk; q capacity. */
let WG_CHUNKS = 1;
let WG_NB = 1;
let WG_STEP = 1;
let WG_QMAX = 0;
/** dW tile grid: rows per tile, columns per tile, tiles across. */
let WG_TILE_ROWS = 1;
let WG_TILE_COLS = 1;
let WG_TILES_ACROSS = 1;
let WG_TILES_PER_GROUP = 1;

/**
 * Staged floats per group of pieces on one thread (2 MB). The grouping never changes the bits
 * (each piece is its own product, added in order), so the threaded caller picks larger groups,
 * which take fewer dispatches.
 */
const WG_GROUP_FLOATS = 1 << 19;

function planWeightGrad(groupFloats: i32 = WG_GROUP_FLOATS): void {
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const P = OH * OW;
  // Pointwise pieces are single images (the blocking's NB does not apply).
  WG_NB = pointwise() ? 1 : NB;
  const blocks = (N + WG_NB - 1) / WG_NB;
  WG_PAD = 0;
  if (pointwise()) {
    WG_CHUNKS = 1;
    WG_STEP = P;
    WG_QMAX = 0;
    WG_SLOT = 0;
  } else if (SH == 1 && SW == 1) {
    const wp = OW + (KW - 1) * DW;
    WG_STEP = NB > 1 ? OH : CHUNK;
    WG_CHUNKS = (OH + WG_STEP - 1) / WG_STEP;
    WG_QMAX = NB * WG_STEP * wp;
    WG_SLOT = (kd + ocg) * WG_QMAX;
    WG_PAD = NB * cg * paddedPlane();
  } else {
    WG_STEP = NB > 1 ? P : CHUNK;
    WG_CHUNKS = (P + WG_STEP - 1) / WG_STEP;
    WG_QMAX = NB * WG_STEP;
    WG_SLOT = (kd + ocg) * WG_QMAX;
  }
  // Slots and padded planes start on 64-byte boundaries.
  WG_SLOT = (WG_SLOT + 15) & ~15;
  WG_PAD = (WG_PAD + 15) & ~15;
  WG_PIECES = P == 0 ? 0 : blocks * G * WG_CHUNKS;
  WG_GROUP = WG_SLOT == 0 ? max(1, WG_PIECES) : max(1, min(WG_PIECES, groupFloats / WG_SLOT));
  // Tiles: columns of dW in runs of at least 48 (A, the cheap side, is packed again for each),
  // up to 8; only when that gives one tile, rows in multiples of 12 (whole 4- and 6-row
  // register tiles), up to 8 (B, gathered from the columns, is then packed again for each).
  const across = max(1, min(8, kd / 48));
  WG_TILE_COLS = (((kd + across - 1) / across + 7) / 8) * 8;
  WG_TILES_ACROSS = (kd + WG_TILE_COLS - 1) / WG_TILE_COLS;
  if (WG_TILES_ACROSS > 1) WG_TILE_ROWS = ocg;
  else WG_TILE_ROWS = min(ocg, 8);
  WG_TILES_PER_GROUP = ((ocg + WG_TILE_ROWS - 1) / WG_TILE_ROWS) * WG_TILES_ACROSS;
  // Each group's dW is separate, so tiles are per group (depthwise convolutions get G tiles).
  WG_TILES = G * WG_TILES_PER_GROUP;
}

/** Fills padded rows [ylo, yhi) of the Cg padded planes of one image (and the slack past them). */
function padRows(pad: usize, planes: usize, cg: i32, ylo: i32, yhi: i32): void {
  const wp = OW + (KW - 1) * DW;
  const hp = OH + (KH - 1) * DH;
  const pp = paddedPlane();
  const lo = max(0, ylo);
  const hi = min(hp, yhi);
  // Input columns that land inside the padded plane.
  const cols = max(0, min(W, wp - PW));
  for (let c = 0; c < cg; c++) {
    const dst = pad + ((<usize>c * <usize>pp) << 2);
    const src = planes + ((<usize>c * <usize>H * <usize>W) << 2);
    const end = hi >= hp ? pp : hi * wp;
    zero(dst + ((<usize>lo * <usize>wp) << 2), end - lo * wp);
    for (let py = lo; py < hi; py++) {
      const y = py - PH;
      if (y < 0 || y >= H) continue;
      const d = dst + ((<usize>py * <usize>wp + <usize>PW) << 2);
      memory.copy(d, src + ((<usize>y * <usize>W) << 2), <usize>cols << 2);
    }
  }
}

/** Image block start, images, group and chunk start (row or position) of piece `i`. */
let PC_N0 = 0;
let PC_NB = 0;
let PC_G = 0;
let PC_START = 0;
let PC_LEN = 0;

function decodePiece(i: i32): void {
  const perBlock = G * WG_CHUNKS;
  const blk = i / perBlock;
  const rem = i - blk * perBlock;
  PC_G = rem / WG_CHUNKS;
  const ch = rem - PC_G * WG_CHUNKS;
  PC_N0 = blk * WG_NB;
  PC_NB = min(WG_NB, N - PC_N0);
  PC_START = ch * WG_STEP;
  const total = SH == 1 && SW == 1 ? OH : OH * OW;
  PC_LEN = min(WG_STEP, total - PC_START);
}

/** Stages piece `i` into `slot`: its im2col columns (Kd x q), then its dY rows (OCg x q). */
function stagePiece(dy: usize, x: usize, pad: usize, slot: usize, i: i32): void {
  if (WG_SLOT == 0) return;
  decodePiece(i);
  const cg = C / G;
  const kd = cg * KH * KW;
  const planeBytes = (<usize>H * <usize>W) << 2;
  const stage = slot + ((<usize>kd * <usize>WG_QMAX) << 2);
  const n0 = PC_N0;
  const nb = PC_NB;
  const g = PC_G;
  if (SH == 1 && SW == 1) {
    const wp = OW + (KW - 1) * DW;
    const pp = paddedPlane();
    const r0 = PC_START;
    const rr = PC_LEN;
    const len = rr * wp;
    // Output rows r0 .. r0 + rr read padded rows r0 .. r0 + rr - 1 + (KH - 1) * DH, and the
    // junk columns of the last one run a little into the next.
    const yhi = r0 + rr + (KH - 1) * DH + 1;
    for (let b = 0; b < nb; b++) {
      const planes = x + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
      padRows(pad + ((<usize>(b * cg) * <usize>pp) << 2), planes, cg, r0, yhi);
    }
    wideStageDy(stage, dy, n0, nb, g, r0, rr);
    wideCols(slot, pad, nb, cg, r0, len, false);
  } else {
    const p0 = PC_START;
    const pw = PC_LEN;
    const q = nb * pw;
    stageBlock(stage, q, dy, n0, nb, g, p0, pw, true, 0);
    for (let b = 0; b < nb; b++) {
      const planes = x + (<usize>(n0 + b) * <usize>C + <usize>g * <usize>cg) * planeBytes;
      im2col(slot + (<usize>(b * pw) << 2), q, planes, cg, p0, pw, false);
    }
  }
}

/** dW tile `t` += the products of pieces first .. first + count (slots `slotBytes` apart), in order. */
function gemmTile(dw: usize, dy: usize, x: usize, slots: usize, slotBytes: usize, first: i32, count: i32, t: i32): void {
  const cg = C / G;
  const ocg = OC / G;
  const kd = cg * KH * KW;
  const P = OH * OW;
  const tg = t / WG_TILES_PER_GROUP;
  const tt = t - tg * WG_TILES_PER_GROUP;
  const r0 = (tt / WG_TILES_ACROSS) * WG_TILE_ROWS;
  const c0 = (tt % WG_TILES_ACROSS) * WG_TILE_COLS;
  const rows = min(WG_TILE_ROWS, ocg - r0);
  const cols = min(WG_TILE_COLS, kd - c0);
  if (rows <= 0 || cols <= 0) return;
  for (let i = 0; i < count; i++) {
    decodePiece(first + i);
    const g = PC_G;
    if (g != tg) continue;
    const dwg = dw + ((<usize>g * <usize>ocg * <usize>kd + <usize>r0 * <usize>kd + <usize>c0) << 2);
    if (WG_SLOT == 0) {
      // Pointwise: per image, dY rows and x planes in place (pieces are single images).
      const n = PC_N0;
      const xOff = ((<usize>n * <usize>C + <usize>g * <usize>cg + <usize>c0) * <usize>P) << 2;
      const yOff = ((<usize>n * <usize>OC + <usize>g * <usize>ocg + <usize>r0) * <usize>P) << 2;
      sgemm_f32(dwg, kd, dy + yOff, P, x + xOff, P, rows, cols, P, 0, 1, 1, 1);
      continue;
    }
    const q = SH == 1 && SW == 1 ? PC_NB * PC_LEN * (OW + (KW - 1) * DW) : PC_NB * PC_LEN;
    const slot = slots + <usize>i * slotBytes;
    const stage = slot + ((<usize>kd * <usize>WG_QMAX) << 2);
    const a = stage + ((<usize>r0 * <usize>q) << 2);
    const b = slot + ((<usize>c0 * <usize>q) << 2);
    sgemm_f32(dwg, kd, a, q, b, q, rows, cols, q, 0, 1, 1, 1);
  }
}

/**
 * The plan of the weight gradient for meta, into out (i32 x 6): pieces, pieces per group (of
 * at most groupFloats staged floats; 0: the single-thread default), dW tiles, floats per slot,
 * floats of padded planes per thread, and floats of dW.
 */
export function conv2d_wgrad_plan(meta: usize, out: usize, groupFloats: i32): void {
  loadGeometry(meta);
  planWeightGrad(groupFloats > 0 ? groupFloats : WG_GROUP_FLOATS);
  store<i32>(out, WG_PIECES);
  store<i32>(out, WG_GROUP, 4);
  store<i32>(out, WG_TILES, 8);
  store<i32>(out, WG_SLOT, 12);
  store<i32>(out, WG_PAD, 16);
  store<i32>(out, OC * (C / G) * KH * KW, 20);
}

/**
 * Phase 1, block `block`: stages piece first + block into slot `block` (slots slotBytes apart),
 * with this thread's padded planes at pad + threadIndex * padBytes.
 */
export function conv2d_wgrad_stage_f32(
  dy: usize, x: usize, pad: usize, padBytes: usize, slots: usize, slotBytes: usize, first: i32, meta: usize, block: i32,
): void {
  loadGeometry(meta);
  planWeightGrad();
  stagePiece(dy, x, pad + <usize>threadIndex * padBytes, slots + <usize>block * slotBytes, first + block);
}

/** Phase 2, block `block`: dW tile `block` += the products of pieces first .. first + count. */
export function conv2d_wgrad_gemm_f32(
  dw: usize, dy: usize, x: usize, slots: usize, slotBytes: usize, first: i32, count: i32, meta: usize, block: i32,
): void {
  loadGeometry(meta);
  planWeightGrad();
  gemmTile(dw, dy, x, slots, slotBytes, first, count, block);
}
