/**
 * General indexing: `t.index(...items)` reads as PyTorch's `t[items]`, and
 * `t.indexPut_(indices, values, accumulate)` writes as `index_put_`.
 *
 * Items, one per dim: an integer (negative counts from the end), a slice string
 * `"start:stop:step"` (parts optional, step > 0), `null` (a new axis of size 1), `"..."` (as many
 * full slices as needed), an int32 tensor or (nested) number[] (advanced indexing), a bool tensor
 * or (nested) boolean[] mask, or a JavaScript boolean (a 0-d mask, as Python's `t[True]`).
 *
 * The items are first reduced to "basic" dims (size and stride into the source) plus an offset;
 * each advanced index is attached to one basic dim. Advanced indices broadcast together, as in
 * PyTorch; their result dims replace the indexed dims in place when those are adjacent, and go
 * first otherwise. Integers are applied as `select` is (they are not advanced indices), so
 * `x.index(":", [0, 1], 0, [1, 2])` keeps the advanced dims together, as PyTorch does.
 *
 * Basic indexing whose result is one contiguous block of the source (leading integers, then a
 * step-1 slice, then full dims: `x.index(0)`, `x.index("1:3")`, `x.index(null, "...")`) returns a
 * view sharing storage, as PyTorch does; other results are copies (storage here has no strides),
 * and advanced indexing copies, as in PyTorch. Both are differentiable.
 */
import { needsGrad, needsGradAny, record } from "../autograd/engine.js";
import { backend, K } from "../backend/runtime.js";
import { fmt } from "../errors.js";
import { Tensor } from "../tensor.js";
import { args, bool, describe, fail, tensorArg } from "../validate.js";
import { inplace, markSliceCopy } from "./inplace.js";
import { buildMap, remap, stridesFor } from "./remap.js";

/**
 * One item of `t.index(...)`: an integer, a slice string (`"1:-1:2"`), `null` (new axis), `"..."`,
 * an int32 tensor or (nested) number[] (advanced), a bool tensor or boolean[] mask, or a boolean.
 */
export type IndexItem =
  | number
  | string
  | null
  | boolean
  | Tensor
  | readonly number[]
  | readonly boolean[]
  | readonly unknown[];

/** An advanced index attached to basic dim `pos`: values already checked and made non-negative. */
interface Advanced {
  pos: number;
  values: Int32Array;
  shape: number[];
}

/** The source elements an index expression picks, before the advanced indices are combined. */
interface Plan {
  sizes: number[];
  strides: number[];
  offset: number;
  adv: Advanced[];
}

type Parsed =
  | { kind: "int"; value: number }
  | { kind: "slice"; text: string }
  | { kind: "new" }
  | { kind: "ellipsis" }
  | { kind: "ints"; values: Int32Array; shape: number[] }
  | { kind: "mask"; values: Uint8Array; shape: number[] };

const SLICE = /^\s*([+-]?\d+)?\s*:\s*([+-]?\d+)?\s*(?::\s*([+-]?\d+)?\s*)?$/;

/** Flattens a rectangular nested array, checking every leaf with `leaf`. */
function nested(
  op: string,
  v: readonly unknown[],
  leaf: (x: unknown) => boolean,
): { flat: unknown[]; shape: number[] } | null {
  const shape: number[] = [];
  let level: unknown = v;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  const flat: unknown[] = [];
  const walk = (a: unknown, depth: number): boolean => {
    if (depth === shape.length) {
      if (!leaf(a)) return false;
      flat.push(a);
      return true;
    }
    if (!Array.isArray(a) || a.length !== shape[depth]) {
      fail(op, `index array ${describe(v)} is ragged: every row must have the same length`);
    }
    return a.every((e) => walk(e, depth + 1));
  };
  return walk(v, 0) ? { flat, shape } : null;
}

function parseItem(op: string, item: unknown, position: number): Parsed {
  if (item === null) return { kind: "new" };
  if (typeof item === "number") {
    if (!Number.isInteger(item)) {
      fail(op, `item ${position} must be an integer but got ${describe(item)}`);
    }
    return { kind: "int", value: item };
  }
  if (typeof item === "boolean") {
    return { kind: "mask", values: Uint8Array.of(item ? 1 : 0), shape: [] };
  }
  if (typeof item === "string") {
    if (item.trim() === "...") return { kind: "ellipsis" };
    if (!SLICE.test(item)) {
      fail(
        op,
        `item ${position} ${describe(item)} is not a slice: expected "start:stop:step" with optional integer parts (":", "1:", "::2", "1:-1"), or "..."`,
      );
    }
    return { kind: "slice", text: item };
  }
  if (item instanceof Tensor) {
    item._live(op);
    if (item.dtype === "int32")
      return { kind: "ints", values: item.data<Int32Array>(), shape: [...item.shape] };
    if (item.dtype === "bool")
      return { kind: "mask", values: item.data<Uint8Array>(), shape: [...item.shape] };
    fail(
      op,
      `tensors used as indices must be int32 (long) or bool tensors, but item ${position} is a ${item.dtype} tensor of shape ${fmt(item.shape)}; convert it with .long()`,
    );
  }
  if (Array.isArray(item)) {
    const ints = nested(op, item, (x) => typeof x === "number" && Number.isInteger(x));
    if (ints !== null) {
      return { kind: "ints", values: Int32Array.from(ints.flat as number[]), shape: ints.shape };
    }
    const bools = nested(op, item, (x) => typeof x === "boolean");
    if (bools !== null) {
      return {
        kind: "mask",
        values: Uint8Array.from(bools.flat as boolean[], Number),
        shape: bools.shape,
      };
    }
    fail(op, `item ${position} must hold only integers or only booleans but got ${describe(item)}`);
  }
  return fail(
    op,
    `item ${position} must be an integer, a slice string such as "1:-1:2", null, "...", an int32 or bool tensor, or an array of integers or booleans, but got ${describe(item)}`,
  );
}

/** How many dims of the source an item uses. */
function consumes(p: Parsed): number {
  switch (p.kind) {
    case "int":
    case "slice":
    case "ints":
      return 1;
    case "mask":
      return p.shape.length;
    default:
      return 0;
  }
}

function sliceBounds(
  op: string,
  text: string,
  n: number,
): { start: number; len: number; step: number } {
  const m = SLICE.exec(text)!;
  const step = m[3] === undefined ? 1 : Number(m[3]);
  if (step === 0) fail(op, `slice ${describe(text)}: slice step cannot be zero`);
  if (step < 0) {
    fail(
      op,
      `slice ${describe(text)}: step must be greater than zero (use flip for a reversed order)`,
    );
  }
  const bound = (s: string | undefined, dflt: number): number => {
    if (s === undefined) return dflt;
    let v = Number(s);
    if (v < 0) v += n;
    return Math.min(Math.max(v, 0), n);
  };
  const start = bound(m[1], 0);
  const stop = bound(m[2], n);
  const len = stop > start ? Math.ceil((stop - start) / step) : 0;
  return { start, len, step };
}

function checkIndex(op: string, v: number, n: number, dim: number): number {
  if (v < -n || v >= n) fail(op, `index ${v} is out of bounds for dimension ${dim} with size ${n}`);
  return v < 0 ? v + n : v;
}

/** The basic dims, offset and advanced indices of `items` applied to a tensor of `shape`. */
function makePlan(op: string, shape: readonly number[], items: readonly unknown[]): Plan {
  const parsed = items.map((item, i) => parseItem(op, item, i));
  const ellipses = parsed.filter((p) => p.kind === "ellipsis").length;
  if (ellipses > 1)
    fail(op, `an index can only have a single ellipsis ("...") but got ${ellipses}`);
  const used = parsed.reduce((n, p) => n + consumes(p), 0);
  if (used > shape.length) {
    fail(
      op,
      `too many indices for tensor of dimension ${shape.length} (shape ${fmt(shape)}): the items index ${used} dims`,
    );
  }
  const full: Parsed = { kind: "slice", text: ":" };
  const rest = Array<Parsed>(shape.length - used).fill(full);
  const at = parsed.findIndex((p) => p.kind === "ellipsis");
  const expanded =
    at < 0 ? [...parsed, ...rest] : [...parsed.slice(0, at), ...rest, ...parsed.slice(at + 1)];

  const st = stridesFor(shape);
  const plan: Plan = { sizes: [], strides: [], offset: 0, adv: [] };
  let d = 0;
  for (const p of expanded) {
    switch (p.kind) {
      case "new":
        plan.sizes.push(1);
        plan.strides.push(0);
        break;
      case "int":
        plan.offset += checkIndex(op, p.value, shape[d], d) * st[d];
        d++;
        break;
      case "slice": {
        const { start, len, step } = sliceBounds(op, p.text, shape[d]);
        plan.offset += start * st[d];
        plan.sizes.push(len);
        plan.strides.push(step * st[d]);
        d++;
        break;
      }
      case "ints": {
        const values = p.values.map((v) => checkIndex(op, v, shape[d], d));
        plan.adv.push({ pos: plan.sizes.length, values, shape: p.shape });
        plan.sizes.push(shape[d]);
        plan.strides.push(st[d]);
        d++;
        break;
      }
      case "mask": {
        const k = p.shape.length;
        if (k === 0) {
          // A 0-d mask adds a dim of size 1 and keeps it (true) or empties it (false).
          const keep = p.values[0] !== 0;
          plan.adv.push({
            pos: plan.sizes.length,
            values: keep ? Int32Array.of(0) : new Int32Array(0),
            shape: [keep ? 1 : 0],
          });
          plan.sizes.push(1);
          plan.strides.push(0);
          break;
        }
        for (let j = 0; j < k; j++) {
          if (p.shape[j] !== shape[d + j]) {
            fail(
              op,
              `the shape of the mask ${fmt(p.shape)} at index ${j} does not match the shape of the indexed tensor ${fmt(shape)} at index ${d + j}`,
            );
          }
        }
        // The mask's true positions, one coordinate array per mask dim (PyTorch's nonzero).
        let count = 0;
        for (const v of p.values) if (v !== 0) count++;
        const coords = Array.from({ length: k }, () => new Int32Array(count));
        const ms = stridesFor(p.shape);
        let c = 0;
        p.values.forEach((v, flat) => {
          if (v === 0) return;
          for (let j = 0; j < k; j++) coords[j][c] = Math.floor(flat / ms[j]) % p.shape[j];
          c++;
        });
        for (let j = 0; j < k; j++) {
          plan.adv.push({ pos: plan.sizes.length, values: coords[j], shape: [count] });
          plan.sizes.push(shape[d + j]);
          plan.strides.push(st[d + j]);
        }
        d += k;
        break;
      }
      default:
        break;
    }
  }
  return plan;
}

/** The broadcast shape of the advanced indices (PyTorch's error when they do not broadcast). */
function broadcastAll(op: string, shapes: readonly number[][]): number[] {
  const n = Math.max(...shapes.map((s) => s.length));
  const out = Array<number>(n).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = n - s.length + i;
      if (s[i] === out[j] || s[i] === 1) continue;
      if (out[j] !== 1) {
        fail(
          op,
          `shape mismatch: indexing tensors could not be broadcast together with shapes ${shapes.map((x) => fmt(x)).join(", ")}`,
        );
      }
      out[j] = s[i];
    }
  }
  return out;
}

/** The result shape of `plan` and the map from result position to source element. */
function resolve(op: string, plan: Plan): { shape: number[]; map: Int32Array } {
  const { sizes, strides, offset, adv } = plan;
  if (adv.length === 0) {
    const map = buildMap(sizes, (idx) => {
      let j = offset;
      for (let d = 0; d < idx.length; d++) j += idx[d] * strides[d];
      return j;
    });
    return { shape: [...sizes], map };
  }
  const b = broadcastAll(
    op,
    adv.map((a) => a.shape),
  );
  const positions = adv.map((a) => a.pos);
  const adjacent = positions.every((p, i) => i === 0 || p === positions[i - 1] + 1);
  const isAdv = new Set(positions);
  // Each result dim is a basic dim (its stride) or a dim of the broadcast index shape.
  const dims: { basic: number; b: number }[] = [];
  const bDims = b.map((_, i) => ({ basic: -1, b: i }));
  if (!adjacent) dims.push(...bDims);
  sizes.forEach((_, d) => {
    if (!isAdv.has(d)) dims.push({ basic: d, b: -1 });
    else if (adjacent && d === positions[0]) dims.push(...bDims);
  });
  const shape = dims.map((e) => (e.basic >= 0 ? sizes[e.basic] : b[e.b]));
  // Per advanced index, its strides over the broadcast shape (0 on broadcast dims).
  const advStrides = adv.map((a) => {
    const own = stridesFor(a.shape);
    return b.map((_, i) => {
      const k = i - (b.length - a.shape.length);
      return k < 0 || a.shape[k] === 1 ? 0 : own[k];
    });
  });
  const bIdx = new Array<number>(b.length).fill(0);
  const map = buildMap(shape, (idx) => {
    let j = offset;
    for (let o = 0; o < dims.length; o++) {
      const e = dims[o];
      if (e.basic >= 0) j += idx[o] * strides[e.basic];
      else bIdx[e.b] = idx[o];
    }
    for (let a = 0; a < adv.length; a++) {
      let k = 0;
      const s = advStrides[a];
      for (let i = 0; i < b.length; i++) k += bIdx[i] * s[i];
      j += adv[a].values[k] * strides[adv[a].pos];
    }
    return j;
  });
  return { shape, map };
}

/** Whether the basic result (sizes, strides) is one contiguous run of the source. */
function isBlock(sizes: readonly number[], strides: readonly number[]): boolean {
  let expect = 1;
  for (let d = sizes.length - 1; d >= 0; d--) {
    if (sizes[d] === 1) continue;
    if (strides[d] !== expect) return false;
    expect *= sizes[d];
  }
  return true;
}

/**
 * The elements of x picked by `items`, one item per dim, as PyTorch's `x[items]` (see the top of
 * this file). A contiguous basic selection is a view sharing x's storage; the rest are copies.
 * Differentiable.
 *
 * PyTorch: `Tensor.__getitem__` (`x[1, 1:-1:2, None, ..., idx, mask]`).
 *
 * @example
 * ```ts
 * const x = wg.arange(12).reshape(3, 4);
 * x.index(1);                 // [4, 5, 6, 7] (a view: x[1])
 * x.index(":", "1::2");       // [[1, 3], [5, 7], [9, 11]] (x[:, 1::2])
 * x.index([0, 2], [3, 0]);    // [3, 8] (x[[0, 2], [3, 0]])
 * x.index(x.gt(9));           // [10, 11] (x[x > 9])
 * wg.index(x, null, "...", -1).shape; // [1, 3] (x[None, ..., -1])
 * ```
 */
export function index(x: Tensor, ...items: IndexItem[]): Tensor {
  const op = "index";
  tensorArg(op, "input", x);
  const plan = makePlan(op, x.shape, items);
  const n = plan.sizes.reduce((a, s) => a * s, 1);
  if (plan.adv.length === 0 && n > 0 && isBlock(plan.sizes, plan.strides)) {
    const shape = [...plan.sizes];
    const offset = plan.offset;
    const out = Tensor._slice(x, shape, offset);
    if (!needsGrad(x)) return out;
    return record(
      out,
      op,
      [x],
      (g) => {
        const dx = Tensor._empty(op, x.shape);
        K.fill_f32(dx.ptr, dx.numel(), 0);
        K.copy_f32(dx.ptr + offset * 4, g._ptr(op), n);
        return [dx];
      },
      [],
    );
  }
  const { shape, map } = resolve(op, plan);
  const out = remap(op, x, shape, map);
  // Basic indexing (integers, slices, null, "...") is a view in PyTorch: an in-place change of
  // this copy would silently miss x, so it is refused (advanced indexing copies in PyTorch too).
  return plan.adv.length === 0 ? markSliceCopy(op, out) : out;
}

/**
 * Writes `values` (broadcast to the shape of `x.index(...indices)`) into x at `indices`, as
 * PyTorch's `index_put_`: `indices` is an array of int32 or bool tensors (or number[] /
 * boolean[]), one per leading dim; with `accumulate` repeated positions add up, otherwise the
 * last write wins. The array may also hold any item `index` takes (integers, slice strings,
 * "...", null), which makes it PyTorch's slice assignment: `x[:, 0::2] = v` is
 * `x.indexPut_([":", "0::2"], v)`. `values` is a tensor of x's dtype (or a number). In place: x's version is
 * bumped, a leaf that requires grad is refused outside noGrad, and the gradient flows to x (zero
 * at the written positions unless accumulating) and to `values`. Returns x.
 *
 * PyTorch: `Tensor.index_put_` (and `x[indices] = values`).
 *
 * @example
 * ```ts
 * const x = wg.zeros(5);
 * x.indexPut_([[0, 3]], wg.tensor([1, 2]));                   // [1, 0, 0, 2, 0]
 * x.indexPut_([[1, 1]], wg.tensor(5), { accumulate: true });  // [1, 10, 0, 2, 0]
 * wg.indexPut_(x, [x.gt(1)], 0);                              // [1, 0, 0, 0, 0]
 * const pe = wg.zeros(2, 4);
 * pe.indexPut_([":", "0::2"], wg.ones(2, 2));                // [[1, 0, 1, 0], [1, 0, 1, 0]]
 * ```
 */
export function indexPut_(
  x: Tensor,
  indices: readonly IndexItem[],
  values: Tensor | number | boolean,
  ...rest: [] | [accumulate: boolean | { accumulate?: boolean }]
): Tensor {
  const op = "indexPut_";
  tensorArg(op, "self", x);
  const given = args(op, rest, ["accumulate"]);
  const accumulate =
    given.accumulate === undefined ? false : bool(op, "accumulate", given.accumulate);
  if (!Array.isArray(indices)) {
    fail(
      op,
      `indices must be an array of index tensors (one per leading dim) but got ${describe(indices)}`,
    );
  }
  indices.forEach((ix: unknown, i) => {
    const ok =
      Array.isArray(ix) ||
      typeof ix === "number" ||
      typeof ix === "string" ||
      typeof ix === "boolean" ||
      ix === null ||
      (ix instanceof Tensor && (ix.dtype === "int32" || ix.dtype === "bool"));
    if (!ok) {
      fail(
        op,
        `indices[${i}] must be an int32 or bool tensor, an array of integers or booleans, an integer, a slice string ("0::2"), "..." or null, but got ${ix instanceof Tensor ? `a ${ix.dtype} tensor` : describe(ix)}`,
      );
    }
  });
  let v: Tensor;
  if (typeof values === "boolean") values = Number(values);
  if (typeof values === "number") {
    if (Number.isNaN(values) && x.dtype !== "float32")
      fail(op, `values is NaN but self is ${x.dtype}`);
    v = Tensor._empty(op, [], x.dtype);
    const p = v._rawPtr(op) >>> 2;
    if (x.dtype === "float32") backend.f32()[p] = values;
    else backend.i32()[p] = x.dtype === "bool" ? Number(values !== 0) : Math.trunc(values);
  } else {
    v = tensorArg(op, "values", values);
    if (v.dtype !== x.dtype) {
      fail(
        op,
        `index put requires the source and destination dtypes match, got ${x.dtype} for the destination and ${v.dtype} for the source; convert values with .to("${x.dtype}")`,
      );
    }
  }
  try {
    const plan = makePlan(op, x.shape, indices);
    const { shape, map } = resolve(op, plan);
    // Where each result position reads values (broadcast: 0 stride on expanded dims).
    if (
      v.ndim > shape.length ||
      v.shape.some((s, i) => s !== 1 && s !== shape[shape.length - v.ndim + i])
    ) {
      fail(
        op,
        `shape mismatch: value tensor of shape ${fmt(v.shape)} cannot be broadcast to indexing result of shape ${fmt(shape)}`,
      );
    }
    const vs = stridesFor(v.shape);
    const lead = shape.length - v.ndim;
    const vmap = buildMap(shape, (idx) => {
      let j = 0;
      for (let i = 0; i < v.ndim; i++) if (v.shape[i] !== 1) j += idx[lead + i] * vs[i];
      return j;
    });
    const others = v === values ? [v] : [];
    return inplace(op, x, others, (src) => put(op, src, v, map, vmap, accumulate));
  } finally {
    if (v !== values) v.dispose();
  }
}

/** src with v written (or added) at map: out[map[k]] (+)= v[vmap[k]]; differentiable in both. */
function put(
  op: string,
  src: Tensor,
  v: Tensor,
  map: Int32Array,
  vmap: Int32Array,
  accumulate: boolean,
): Tensor {
  const out = Tensor._empty(op, src.shape, src.dtype);
  const o = out._rawPtr(op) >>> 2;
  K.copy_f32(out._rawPtr(op), src._rawPtr(op), src.numel());
  const vp = v._rawPtr(op) >>> 2;
  if (src.dtype === "float32") {
    const f = backend.f32();
    for (let k = 0; k < map.length; k++) {
      f[o + map[k]] = accumulate ? f[o + map[k]] + f[vp + vmap[k]] : f[vp + vmap[k]];
    }
  } else {
    const a = backend.i32();
    const isBool = src.dtype === "bool";
    for (let k = 0; k < map.length; k++) {
      const w = a[vp + vmap[k]];
      if (!accumulate) a[o + map[k]] = w;
      else
        a[o + map[k]] = isBool ? Number(a[o + map[k]] !== 0 || w !== 0) : (a[o + map[k]] + w) | 0;
    }
  }
  if (!needsGradAny([src, v])) return out;
  return record(
    out,
    op,
    [src, v],
    (g) => {
      const f = backend.f32();
      let dsrc: Tensor | null = null;
      if (src.requiresGrad) {
        dsrc = g.clone();
        if (!accumulate) {
          const p = dsrc._ptr(op) >>> 2;
          for (let k = 0; k < map.length; k++) f[p + map[k]] = 0;
        }
      }
      let dv: Tensor | null = null;
      if (v.requiresGrad) {
        dv = Tensor._empty(op, v.shape);
        const p = dv._ptr(op) >>> 2;
        const gp = g._ptr(op) >>> 2;
        f.fill(0, p, p + dv.numel());
        for (let k = 0; k < map.length; k++) f[p + vmap[k]] += f[gp + map[k]];
      }
      return [dsrc, dv];
    },
    [],
  );
}
