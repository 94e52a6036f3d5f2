/**
 * PyTorch-style printing: `tensor([[1., 2.], [3., 4.]], requiresGrad=true)`, with PyTorch's
 * number formats (integral floats as `1.`, 4 decimals, scientific notation when magnitudes span
 * more than 1e3 or leave [1e-4, 1e8)), elements padded to one width, and tensors of more than
 * 1000 elements summarised with the first and last 3 entries of each long dimension.
 */
import type { Tensor } from "./tensor.js";
import { readArray } from "./tensor-data.js";

const THRESHOLD = 1000;
const EDGE = 3;

function floatFormatter(values: ArrayLike<number>): (v: number) => string {
  const finite: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) finite.push(v);
  }
  const special = (v: number): string | null =>
    Number.isNaN(v) ? "nan" : v === Infinity ? "inf" : v === -Infinity ? "-inf" : null;
  const nonzero = finite.filter((v) => v !== 0).map(Math.abs);
  const intMode = finite.every(Number.isInteger);
  const max = nonzero.length > 0 ? Math.max(...nonzero) : 0;
  const min = nonzero.length > 0 ? Math.min(...nonzero) : 0;
  const sci = nonzero.length > 0 && (max > 1e8 || max / min > 1000 || (!intMode && min < 1e-4));
  return (v) => {
    const s = special(v);
    if (s !== null) return s;
    if (sci) {
      const [m, e] = v.toExponential(4).split("e");
      const exp = Number(e);
      return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    }
    if (intMode) return `${Object.is(v, -0) ? "-0" : v.toFixed(0)}.`;
    return v.toFixed(4);
  };
}

/** The positions kept along a dim of size n: all, or the first and last EDGE with a gap (-1). */
function kept(n: number, summarize: boolean): number[] {
  if (!summarize || n <= 2 * EDGE) return Array.from({ length: n }, (_, i) => i);
  return [0, 1, 2, -1, n - 3, n - 2, n - 1];
}

export function formatTensor(t: Tensor): string {
  const suffix: string[] = [];
  if (t.dtype === "int32") suffix.push("dtype=int32");
  if (t._node !== null) suffix.push(`gradFn=<${t._node.name}>`);
  else if (t.requiresGrad) suffix.push("requiresGrad=true");
  if (t.isDisposed)
    return `tensor(<disposed>, shape=[${t.shape.join(", ")}]${suffix.length ? `, ${suffix.join(", ")}` : ""})`;
  const data = readArray(t, "toString");
  const summarize = data.length > THRESHOLD;
  const strides: number[] = [];
  let acc = 1;
  for (let d = t.ndim - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= t.shape[d];
  }
  // Only the elements shown decide the format and the width, as in PyTorch.
  const values: number[] = [];
  const collect = (dim: number, offset: number): void => {
    if (dim === t.ndim) {
      values.push(data[offset]);
      return;
    }
    for (const i of kept(t.shape[dim], summarize))
      if (i >= 0) collect(dim + 1, offset + i * strides[dim]);
  };
  collect(0, 0);
  const fmt =
    t.dtype === "bool"
      ? (v: number) => (v ? "True" : "False")
      : t.dtype === "int32"
        ? (v: number) => String(v)
        : floatFormatter(values);
  const shown = values.map(fmt);
  const width = shown.reduce((w, s) => Math.max(w, s.length), 0);
  let k = 0;
  const next = (): string => shown[k++].padStart(width);
  const indent = "tensor(".length;
  const build = (dim: number): string => {
    if (dim === t.ndim) return next();
    const last = dim === t.ndim - 1;
    const items = kept(t.shape[dim], summarize).map((i) =>
      i >= 0 ? build(dim + 1) : last ? " ..." : "...",
    );
    if (last) return `[${items.join(", ")}]`;
    const sep = `,${"\n".repeat(t.ndim - dim - 1)}${" ".repeat(indent + dim + 1)}`;
    return `[${items.join(sep)}]`;
  };
  const body = t.ndim === 0 ? next() : t.numel() === 0 ? "[]" : build(0);
  const extra = t.numel() === 0 && t.ndim > 1 ? [`size=[${t.shape.join(", ")}]`] : [];
  const tail = [...extra, ...suffix];
  return `tensor(${body}${tail.length ? `, ${tail.join(", ")}` : ""})`;
}
