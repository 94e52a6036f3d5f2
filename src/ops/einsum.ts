/**
 * einsum (torch.einsum) over one or more operands, without "...". Each operand first loses
 * repeated letters (a diagonal: "ii->i", "ii" the trace) and the letters no one else uses
 * (summed); operands are then contracted pairwise from the left, each pair as one batched
 * matmul: permute A to [batch, A-only, shared] and B to [batch, shared, B-only], so that
 * "bhqd,bhkd->bhqk" reads B transposed in place (a lazy last-two swap) on the sgemm path.
 * Everything is built from differentiable ops (sum, permute, reshape, matmul, diagonal), so
 * gradients come for free.
 */
import { needsGrad, record } from "../autograd/engine.js";
import { backend, K, meta } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { sizeOf, stridesOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { matmul } from "./matmul.js";
import { sum } from "./reduce.js";
import { permute, reshape } from "./shape.js";

interface Term {
  t: Tensor;
  letters: string[];
}

function parse(equation: string, n: number): { inputs: string[][]; output: string[] } {
  if (typeof equation !== "string") {
    throw new WasmgradError(`einsum: expected an equation string but got ${typeof equation}`);
  }
  const eq = equation.replace(/\s+/g, "");
  if (eq.includes(".")) {
    throw new WasmgradError(`einsum: "..." is not supported (equation "${equation}")`);
  }
  const [lhs, rhs, extra] = eq.split("->");
  if (extra !== undefined) throw new WasmgradError(`einsum: more than one "->" in "${equation}"`);
  const inputs = lhs.split(",").map((s) => [...s]);
  if (inputs.length !== n) {
    throw new WasmgradError(
      `einsum: the equation "${equation}" has ${inputs.length} operand${inputs.length === 1 ? "" : "s"} but ${n} tensor${n === 1 ? " was" : "s were"} given`,
    );
  }
  for (const c of [...lhs.replace(/,/g, ""), ...(rhs ?? "")]) {
    if (!/[a-zA-Z]/.test(c))
      throw new WasmgradError(`einsum: invalid subscript "${c}" in "${equation}"`);
  }
  let output: string[];
  if (rhs === undefined) {
    // Implicit output: the letters used exactly once, in alphabetical order.
    const counts = new Map<string, number>();
    for (const c of inputs.flat()) counts.set(c, (counts.get(c) ?? 0) + 1);
    output = [...counts.keys()].filter((c) => counts.get(c) === 1).sort();
  } else {
    output = [...rhs];
    const all = new Set(inputs.flat());
    for (const c of output) {
      if (!all.has(c))
        throw new WasmgradError(
          `einsum: output subscript "${c}" does not appear in the inputs of "${equation}"`,
        );
    }
    if (new Set(output).size !== output.length) {
      throw new WasmgradError(`einsum: output subscripts repeat in "${equation}"`);
    }
  }
  return { inputs, output };
}

/** The diagonal over repeated letters: x[..i..i..] -> y[..i..], differentiable. */
function diagonal(term: Term): Term {
  const { t, letters } = term;
  const unique = [...new Set(letters)];
  if (unique.length === letters.length) return term;
  const strides = stridesOf(t.shape);
  const shape = unique.map((c) => t.shape[letters.indexOf(c)]);
  const srcStrides = unique.map((c) =>
    letters.reduce((s, l, i) => (l === c ? s + strides[i] : s), 0),
  );
  const out = Tensor._empty("einsum", shape);
  if (sizeOf(shape) > 0)
    K.gather_f32(out.ptr, t._ptr("einsum"), shape.length, meta(shape, srcStrides));
  if (needsGrad(t)) {
    record(
      out,
      "einsum diagonal",
      [t],
      (g) => {
        const dx = Tensor._empty("einsum", t.shape);
        K.fill_f32(dx.ptr, sizeOf(t.shape), 0);
        const view = backend.f32();
        const gs = g._ptr("einsum") >>> 2;
        const base = dx.ptr >>> 2;
        const idx = new Array<number>(shape.length).fill(0);
        for (let i = 0; i < sizeOf(shape); i++) {
          let off = 0;
          for (let d = 0; d < shape.length; d++) off += idx[d] * srcStrides[d];
          view[base + off] = view[gs + i];
          for (let d = shape.length - 1; d >= 0; d--) {
            if (++idx[d] < shape[d]) break;
            idx[d] = 0;
          }
        }
        return [dx];
      },
      [],
    );
  }
  return { t: out, letters: unique };
}

/** Sums the letters of `term` that are in neither `keep`. */
function sumAway(term: Term, keep: Set<string>): Term {
  const dims = term.letters.map((c, i) => (keep.has(c) ? -1 : i)).filter((i) => i >= 0);
  if (dims.length === 0) return term;
  return { t: sum(term.t, dims), letters: term.letters.filter((c) => keep.has(c)) };
}

function arrange(term: Term, order: string[]): Tensor {
  const perm = order.map((c) => term.letters.indexOf(c));
  return perm.every((d, i) => d === i) ? term.t : permute(term.t, perm);
}

/** One pairwise contraction; `keep` holds the letters needed later (output or later operands). */
function contract(a: Term, b: Term, keep: Set<string>): Term {
  const inB = new Set(b.letters);
  const inA = new Set(a.letters);
  const batch = a.letters.filter((c) => inB.has(c) && keep.has(c));
  const shared = a.letters.filter((c) => inB.has(c) && !keep.has(c));
  const aOnly = a.letters.filter((c) => !inB.has(c));
  const bOnly = b.letters.filter((c) => !inA.has(c));
  const size = (t: Term, c: string) => t.t.shape[t.letters.indexOf(c)];
  const bs = batch.map((c) => size(a, c));
  const m = sizeOf(aOnly.map((c) => size(a, c)));
  const k = sizeOf(shared.map((c) => size(a, c)));
  const n = sizeOf(bOnly.map((c) => size(b, c)));
  // Batch dims stay separate (matmul broadcasts them), and a single letter per matrix dim needs
  // no reshape, which keeps a lazy transpose readable in place by sgemm.
  const A0 = arrange(a, [...batch, ...aOnly, ...shared]);
  const A = aOnly.length === 1 && shared.length === 1 ? A0 : reshape(A0, [...bs, m, k]);
  const B0 = arrange(b, [...batch, ...shared, ...bOnly]);
  const B = bOnly.length === 1 && shared.length === 1 ? B0 : reshape(B0, [...bs, k, n]);
  const shape = [...bs, ...aOnly.map((c) => size(a, c)), ...bOnly.map((c) => size(b, c))];
  const c = matmul(A, B);
  const out = aOnly.length === 1 && bOnly.length === 1 ? c : reshape(c, shape);
  return { t: out, letters: [...batch, ...aOnly, ...bOnly] };
}

/**
 * torch.einsum(equation, *operands): e.g. einsum("bhqd,bhkd->bhqk", q, k).
 *
 * @example
 * ```ts
 * wg.einsum("ij,jk->ik", wg.ones(2, 3), wg.ones(3, 4)).shape; // [2, 4]
 * ```
 */
export function einsum(equation: string, ...operands: (Tensor | readonly Tensor[])[]): Tensor {
  const tensors = (
    operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands
  ) as Tensor[];
  const { inputs, output } = parse(equation, tensors.length);
  if (tensors.length === 0) throw new WasmgradError("einsum: expected at least one operand");
  const sizes = new Map<string, number>();
  const terms: Term[] = tensors.map((t, i) => {
    if (!(t instanceof Tensor)) {
      throw new WasmgradError(
        `einsum: operand ${i} is not a Tensor (got ${t === null ? "null" : typeof t})`,
      );
    }
    t._live("einsum");
    if (t.ndim !== inputs[i].length) {
      throw new WasmgradError(
        `einsum: operand ${i} has ${t.ndim} dimensions (shape ${fmt(t.shape)}) but its subscripts "${inputs[i].join("")}" name ${inputs[i].length}`,
      );
    }
    inputs[i].forEach((c, d) => {
      const s = sizes.get(c);
      if (s !== undefined && s !== t.shape[d]) {
        throw new WasmgradError(
          `einsum: subscript "${c}" has size ${t.shape[d]} in operand ${i} (shape ${fmt(t.shape)}) but ${s} elsewhere`,
        );
      }
      sizes.set(c, t.shape[d]);
    });
    return diagonal({ t, letters: inputs[i] });
  });
  const needed = (from: number): Set<string> => {
    const s = new Set(output);
    for (let j = from; j < terms.length; j++) for (const c of terms[j].letters) s.add(c);
    return s;
  };
  let acc = sumAway(terms[0], needed(1));
  for (let i = 1; i < terms.length; i++) {
    const keep = needed(i + 1);
    const b = sumAway(terms[i], new Set([...keep, ...acc.letters]));
    const a = sumAway(acc, new Set([...keep, ...b.letters]));
    acc = contract(a, b, keep);
  }
  acc = sumAway(acc, new Set(output));
  return arrange(acc, output);
}
