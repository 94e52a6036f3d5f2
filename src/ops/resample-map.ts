/**
 * The machinery under adaptive pooling, interpolation and padding: each is a map of the last
 * k dims (the "plane") given as one 1-D map per dim; the plane map is their product, built in
 * CSR form and run by the resample kernels on every plane (assembly/kernels/resample.ts).
 * Linear maps get their gradient from the transposed map; the windowed max from its arg-max.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { allocate, backend, K, meta } from "../backend/runtime.js";
import { BinaryOp } from "../backend/table/core.js";
import { WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { bytesWithin } from "../validate.js";

/** For each output index along one dim, the input indices it reads and their weights. */
export interface Map1D {
  inSize: number;
  rows: [index: number, weight: number][][];
}

interface Csr {
  rowptr: Int32Array;
  col: Int32Array;
  w: Float32Array;
  inSize: number;
  outSize: number;
}

/** A typed array of `n` elements, or a WasmgradError naming the op when it cannot exist. */
function typed<T>(op: string, n: number, make: (n: number) => T): T {
  bytesWithin(op, "the resampling map", n * 8);
  try {
    return make(n);
  } catch (cause) {
    throw new WasmgradError(`${op}: cannot allocate a resampling map of ${n} entries`, { cause });
  }
}

/**
 * The product of 1-D maps over the trailing dims, row-major, built in typed arrays (a bicubic
 * 512 x 512 output has 4M entries). Entry order and weights (products in float64, rounded to
 * float32 once) are those of the nested loop over rows and entries.
 */
function product(op: string, maps: readonly Map1D[]): Csr {
  let rows = 1;
  let inSize = 1;
  let rowptr = Int32Array.of(0, 1);
  let col = Int32Array.of(0);
  let w = Float64Array.of(1);
  for (const m of maps) {
    const mRows = m.rows.length;
    const mPtr = new Int32Array(mRows + 1);
    m.rows.forEach((r, j) => {
      mPtr[j + 1] = mPtr[j] + r.length;
    });
    const mCol = new Int32Array(mPtr[mRows]);
    const mW = new Float64Array(mPtr[mRows]);
    m.rows.forEach((r, j) => {
      r.forEach(([i, v], e) => {
        mCol[mPtr[j] + e] = i;
        mW[mPtr[j] + e] = v;
      });
    });
    const nextPtr = typed(op, rows * mRows + 1, (n) => new Int32Array(n));
    let nnz = 0;
    for (let r = 0; r < rows; r++) {
      const len = rowptr[r + 1] - rowptr[r];
      for (let j = 0; j < mRows; j++) {
        nnz += len * (mPtr[j + 1] - mPtr[j]);
        nextPtr[r * mRows + j + 1] = nnz;
      }
    }
    const nextCol = typed(op, nnz, (n) => new Int32Array(n));
    const nextW = typed(op, nnz, (n) => new Float64Array(n));
    let k = 0;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < mRows; j++) {
        for (let a = rowptr[r]; a < rowptr[r + 1]; a++) {
          for (let b = mPtr[j]; b < mPtr[j + 1]; b++) {
            nextCol[k] = col[a] * m.inSize + mCol[b];
            nextW[k++] = w[a] * mW[b];
          }
        }
      }
    }
    rows *= mRows;
    inSize *= m.inSize;
    rowptr = nextPtr;
    col = nextCol;
    w = nextW;
  }
  return { rowptr, col, w: Float32Array.from(w), inSize, outSize: rows };
}

/** Copies the CSR arrays into WASM memory for the duration of `body`. */
function withCsr(op: string, csr: Csr, body: (rowptr: number, col: number, w: number) => void) {
  const rp = allocate(op, csr.rowptr.length * 4);
  const cp = allocate(op, csr.col.length * 4);
  const wp = allocate(op, csr.w.length * 4);
  try {
    backend.i32().set(csr.rowptr, rp >>> 2);
    backend.i32().set(csr.col, cp >>> 2);
    backend.f32().set(csr.w, wp >>> 2);
    body(rp, cp, wp);
  } finally {
    K.free(rp);
    K.free(cp);
    K.free(wp);
  }
}

function outShapeOf(x: Tensor, maps: readonly Map1D[]): number[] {
  return [...x.shape.slice(0, x.ndim - maps.length), ...maps.map((m) => m.rows.length)];
}

/**
 * y = the linear plane map of x's last maps.length dims; `fill` is added where an output reads
 * no input (constant padding).
 */
export function linearMap(op: string, x: Tensor, maps: readonly Map1D[], fill = 0): Tensor {
  const csr = product(op, maps);
  const outShape = outShapeOf(x, maps);
  const planes = csr.inSize === 0 ? 0 : x.numel() / csr.inSize;
  const out = Tensor._empty(op, outShape);
  if (out.numel() > 0) {
    const xp = x._ptr(op);
    withCsr(op, csr, (rp, cp, wp) =>
      K.csr_planes_f32(out.ptr, xp, rp, cp, wp, planes, csr.inSize, csr.outSize),
    );
    if (fill !== 0) {
      const add = new Float32Array(csr.outSize);
      for (let i = 0; i < csr.outSize; i++) if (csr.rowptr[i] === csr.rowptr[i + 1]) add[i] = fill;
      const ap = allocate(op, add.length * 4);
      try {
        backend.f32().set(add, ap >>> 2);
        const m = meta([planes, csr.outSize], [csr.outSize, 1], [0, 1]);
        K.binary_bcast_f32(out.ptr, out.ptr, ap, 2, m, BinaryOp.add);
      } finally {
        K.free(ap);
      }
    }
  }
  if (!needsGrad(x)) return out;
  return record(out, op, [x], (g) => {
    const dx = Tensor._empty(op, x.shape);
    if (dx.numel() > 0) {
      const gp = g._ptr(op);
      withCsr(op, csr, (rp, cp, wp) =>
        K.csr_planes_t_f32(dx.ptr, gp, rp, cp, wp, planes, csr.inSize, csr.outSize),
      );
    }
    return [dx];
  });
}

/** y = the max over each output's window (rows of `maps`, weights unused). */
export function windowMax(op: string, x: Tensor, maps: readonly Map1D[]): Tensor {
  const csr = product(op, maps);
  const outShape = outShapeOf(x, maps);
  const planes = csr.inSize === 0 ? 0 : x.numel() / csr.inSize;
  const out = Tensor._empty(op, outShape);
  // Arg-max plane offsets, int32 bits in a float tensor's storage (as maxPool2d keeps them).
  const arg = Tensor._empty(op, outShape);
  if (out.numel() > 0) {
    const xp = x._ptr(op);
    withCsr(op, csr, (rp, cp) =>
      K.csr_max_planes_f32(out.ptr, arg.ptr, xp, rp, cp, planes, csr.inSize, csr.outSize),
    );
  }
  if (!needsGrad(x)) {
    arg.dispose();
    return out;
  }
  return record(out, op, [x], (g) => {
    const dx = Tensor._empty(op, x.shape);
    if (dx.numel() > 0) {
      K.max_planes_bwd_f32(dx.ptr, g._ptr(op), arg._ptr(op), planes, csr.inSize, csr.outSize);
    }
    return [dx];
  });
}

/** PyTorch's adaptive pooling windows: [floor(o I / O), ceil((o + 1) I / O)). */
export function adaptiveMap(inSize: number, outSize: number): Map1D {
  const rows: [number, number][][] = [];
  for (let o = 0; o < outSize; o++) {
    const start = Math.floor((o * inSize) / outSize);
    const end = Math.ceil(((o + 1) * inSize) / outSize);
    const row: [number, number][] = [];
    for (let i = start; i < end; i++) row.push([i, 1 / (end - start)]);
    rows.push(row);
  }
  return { inSize, rows };
}
