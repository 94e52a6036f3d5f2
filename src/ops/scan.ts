/**
 * cumsum, cumprod and prod along a dim (kernels in assembly/kernels/scan.ts, accumulating in
 * f64 as PyTorch's CPU kernels do). cumsum's gradient is the reversed cumsum of g. The product
 * gradients handle zeros exactly, as PyTorch's do: d/dx_k of a product is the product of the
 * other factors, never out / x_k; they run in JavaScript in f64, one pass per column.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { normDim, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool } from "../validate.js";

interface Layout {
  outer: number;
  r: number;
  inner: number;
  /** The dim, resolved (0 for a 0-d tensor). */
  d: number;
}

function layout(op: string, x: Tensor, dim: number | null | undefined, required: boolean): Layout {
  if (!(x instanceof Tensor)) {
    throw new WasmgradError(`${op}: expected a Tensor but got ${x === null ? "null" : typeof x}`);
  }
  x._live(op);
  if (dim === undefined || dim === null) {
    if (required) throw new WasmgradError(`${op}: dim is required (along which dimension?)`);
    return { outer: 1, r: sizeOf(x.shape), inner: 1, d: -1 };
  }
  if (typeof dim !== "number") {
    throw new WasmgradError(`${op}: expected dim to be an integer but got ${typeof dim}`);
  }
  const d = normDim(op, dim, x.ndim);
  if (x.ndim === 0) return { outer: 1, r: 1, inner: 1, d: 0 };
  return {
    outer: sizeOf(x.shape.slice(0, d)),
    r: x.shape[d],
    inner: sizeOf(x.shape.slice(d + 1)),
    d,
  };
}

type ScanKernel = (
  dst: number,
  x: number,
  outer: number,
  r: number,
  inner: number,
  reverse: number,
) => void;

function scanRaw(op: string, kernel: ScanKernel, x: Tensor, l: Layout, reverse: number): Tensor {
  const px = x._ptr(op);
  const out = Tensor._empty(op, x.shape);
  if (sizeOf(x.shape) > 0) kernel(out.ptr, px, l.outer, l.r, l.inner, reverse);
  return out;
}

/**
 * Running sums along `dim`, as torch.cumsum.
 *
 * @example
 * ```ts
 * wg.cumsum(wg.tensor([1, 2, 3]), 0); // [1, 3, 6]
 * ```
 */
export function cumsum(x: Tensor, ...rest: Args<[number], { dim?: number }>): Tensor {
  const l = layout("cumsum", x, args("cumsum", rest, ["dim"]).dim as number, true);
  if (x.dtype !== "float32") return intScan("cumsum", x, l, (a, v) => (a + v) | 0, 0, true);
  const out = scanRaw("cumsum", K.cumsum_f32, x, l, 0);
  if (!needsGrad(x)) return out;
  return record(out, "cumsum", [x], (g) => [scanRaw("cumsum", K.cumsum_f32, g, l, 1)], []);
}

/**
 * Running products along `dim`, as torch.cumprod.
 *
 * @example
 * ```ts
 * wg.cumprod(wg.tensor([1, 2, 3]), 0); // [1, 2, 6]
 * ```
 */
export function cumprod(x: Tensor, ...rest: Args<[number], { dim?: number }>): Tensor {
  const l = layout("cumprod", x, args("cumprod", rest, ["dim"]).dim as number, true);
  if (x.dtype !== "float32") return intScan("cumprod", x, l, Math.imul, 1, true);
  const out = scanRaw("cumprod", K.cumprod_f32, x, l, 0);
  if (!needsGrad(x)) return out;
  return record(out, "cumprod", [x], (g) => {
    const dx = Tensor._empty("cumprod", x.shape);
    columns(l, x, g, dx, cumprodColumn);
    return [dx];
  });
}

/** Runs `column(xs, gs, dxs)` on each [r] column of the layout, in f64. */
function columns(
  l: Layout,
  x: Tensor,
  g: Tensor,
  dx: Tensor,
  column: (xs: Float64Array, g: (k: number) => number, dxs: Float64Array) => void,
  gIsReduced = false,
): void {
  const px = x._ptr("backward") >>> 2;
  const pg = g._ptr("backward") >>> 2;
  const pd = dx.ptr >>> 2;
  const xs = new Float64Array(l.r);
  const dxs = new Float64Array(l.r);
  for (let o = 0; o < l.outer; o++) {
    for (let j = 0; j < l.inner; j++) {
      const view = backend.f32();
      const base = o * l.r * l.inner + j;
      for (let k = 0; k < l.r; k++) xs[k] = view[px + base + k * l.inner];
      const gAt = gIsReduced
        ? (_k: number) => view[pg + o * l.inner + j]
        : (k: number) => view[pg + base + k * l.inner];
      column(xs, gAt, dxs);
      for (let k = 0; k < l.r; k++) view[pd + base + k * l.inner] = dxs[k];
    }
  }
}

/**
 * dx_k = sum over j >= k of g_j prod_{i <= j, i != k} x_i. Before the first zero z that is
 * (sum_{j>=k, j<z} g_j out_j) / x_k; at z it is prod_{i<z} x_i times a running sum over j >= z of
 * g_j prod_{z<i<=j} x_i; after z it is 0.
 */
function cumprodColumn(xs: Float64Array, g: (k: number) => number, dx: Float64Array): void {
  const r = xs.length;
  let z = r;
  for (let k = 0; k < r; k++) {
    if (xs[k] === 0) {
      z = k;
      break;
    }
  }
  // Products before z, and the suffix sums of g_j out_j over j < z.
  const out = new Float64Array(r);
  let p = 1;
  for (let k = 0; k < z; k++) {
    p *= xs[k];
    out[k] = p;
  }
  let acc = 0;
  for (let k = z - 1; k >= 0; k--) {
    acc += g(k) * out[k];
    dx[k] = acc / xs[k];
  }
  if (z === r) return;
  const before = z > 0 ? out[z - 1] : 1;
  let run = 1;
  let sum = 0;
  for (let j = z; j < r; j++) {
    if (j > z) run *= xs[j];
    sum += g(j) * run;
  }
  dx[z] = before * sum;
  for (let k = z + 1; k < r; k++) dx[k] = 0;
}

/** prod_{i != k} x_i for every k of the column, times g (zeros handled without division). */
function prodColumn(xs: Float64Array, g: (k: number) => number, dx: Float64Array): void {
  const r = xs.length;
  let zeros = 0;
  let zeroAt = -1;
  let others = 1;
  for (let k = 0; k < r; k++) {
    if (xs[k] === 0) {
      zeros++;
      zeroAt = k;
    } else others *= xs[k];
  }
  const gv = g(0);
  for (let k = 0; k < r; k++) {
    if (zeros === 0) dx[k] = (gv * others) / xs[k];
    else if (zeros === 1 && k === zeroAt) dx[k] = gv * others;
    else dx[k] = 0;
  }
}

/**
 * The product of all elements (0-d result), or along `dim` (torch.prod(x, dim, keepdim)).
 *
 * @example
 * ```ts
 * wg.prod(wg.tensor([[1, 2], [3, 4]]), 1); // [2, 12]
 * ```
 */
export function prod(
  x: Tensor,
  ...rest: Args<[number | null, boolean], { dim?: number | null; keepdim?: boolean }>
): Tensor {
  const a = args("prod", rest, ["dim", "keepdim"]);
  const dim = a.dim as number | null | undefined;
  const keepdim = a.keepdim === undefined ? false : bool("prod", "keepdim", a.keepdim);
  const l = layout("prod", x, dim, false);
  if (x.dtype !== "float32") {
    const all = intScan("prod", x, l, Math.imul, 1, false);
    return shapeOf(all, prodShape(x, l, keepdim));
  }
  const shape = prodShape(x, l, keepdim);
  const px = x._ptr("prod");
  const out = Tensor._empty("prod", shape);
  if (l.outer * l.inner > 0) K.prod_f32(out.ptr, px, l.outer, l.r, l.inner);
  if (sizeOf(shape) !== l.outer * l.inner) {
    throw new WasmgradError(`internal: prod of ${fmt(x.shape)} over ${dim} gave ${fmt(shape)}`);
  }
  if (!needsGrad(x)) return out;
  return record(out, "prod", [x], (g) => {
    const dx = Tensor._empty("prod", x.shape);
    columns(l, x, g, dx, prodColumn, true);
    return [dx];
  });
}

function prodShape(x: Tensor, l: Layout, keepdim: boolean): number[] {
  if (l.d < 0 || x.ndim === 0) return [];
  return x.shape.map((s, i) => (i === l.d ? 1 : s)).filter((_, i) => keepdim || i !== l.d);
}

function shapeOf(t: Tensor, shape: number[]): Tensor {
  const v = Tensor._view(t, shape);
  t.dispose();
  return v;
}

/**
 * cumsum / cumprod (`keep`: every running value) or prod (only the last, [outer, inner]) of an
 * int32 or bool tensor, exactly in int32 arithmetic (wrapping as PyTorch's integers do; the
 * result is int32, as PyTorch gives int64). Integer tensors are indices and counts, small
 * enough for a scalar loop.
 */
function intScan(
  op: string,
  x: Tensor,
  l: Layout,
  f: (acc: number, v: number) => number,
  init: number,
  keep: boolean,
): Tensor {
  const out = Tensor._empty(op, keep ? x.shape : [l.outer * l.inner], "int32");
  const src = x._rawPtr(op) >>> 2;
  const dst = out._rawPtr(op) >>> 2;
  const i32 = backend.i32();
  const read = x.dtype === "int32" ? i32 : backend.f32();
  for (let o = 0; o < l.outer; o++) {
    for (let j = 0; j < l.inner; j++) {
      let acc = init;
      for (let k = 0; k < l.r; k++) {
        const i = (o * l.r + k) * l.inner + j;
        acc = f(acc, read[src + i]);
        if (keep) i32[dst + i] = acc;
      }
      if (!keep) i32[dst + o * l.inner + j] = acc;
    }
  }
  return out;
}
