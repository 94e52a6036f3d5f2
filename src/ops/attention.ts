/**
 * scaledDotProductAttention(query, key, value, { attnMask, dropoutP, isCausal, scale }), as
 * torch.nn.functional.scaled_dot_product_attention, on one fused kernel each way
 * (assembly/kernels/attention.ts, FlashAttention's tiling with an online softmax): no L x S
 * matrix is stored, forward or backward; the backward recomputes the scores from the saved
 * per-row log-sum-exp. query [..., L, E], key [..., S, E], value [..., S, Ev] with the same
 * leading dims; the result is [..., L, Ev].
 *
 * attnMask broadcasts to [..., L, S]: a bool mask keeps the positions that are true, a float
 * mask is added to the scores. isCausal masks j > i (top-left aligned, as PyTorch) and may not
 * be combined with a mask. Dropout on the attention weights draws from manualSeed's generator
 * (a per-call seed; the kernel hashes (seed, row, column), so backward drops the same). A row
 * that masks every key gives NaN, as PyTorch's reference implementation.
 */
import { needsGradAny, record } from "../autograd/engine.js";
import { sdpaOnPool } from "../backend/parallel.js";
import { backend, K } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { nextU32 } from "../random.js";
import { sameShape, sizeOf, stridesOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { boolOr, describe, keywordArgs, numOr, optionalTensorArg, tensorArg } from "../validate.js";

/** Options of `F.scaledDotProductAttention`. */
export interface SDPAOptions {
  /**
   * A bool mask (true = attend) or a float mask added to the scores, broadcasting to [..., L, S]
   * (default none; PyTorch's `attn_mask`).
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0; PyTorch's `dropout_p`). */
  dropoutP?: number;
  /**
   * Mask out future positions (a lower-triangular mask); not with `attnMask` (default false;
   * PyTorch's `is_causal`).
   */
  isCausal?: boolean;
  /**
   * The factor the scores are multiplied by (default null: 1 / sqrt(E), E the query's last dim).
   */
  scale?: number | null;
}

/** Keys per tile and query rows per backward block in the kernel (BC, BR there). */
const BC = 64;
const BR = 32;

function isBool(t: Tensor): boolean {
  return (t as { dtype?: string }).dtype === "bool";
}

interface MaskPlan {
  mask: Tensor;
  /** A bool mask, read by the kernel as is (4-byte 0/1: keep where true). */
  bool: boolean;
  offsets: Tensor;
  row: number;
  col: number;
}

/** Per-(batch x head) element offsets and row/column strides of a mask broadcast to [...batch, L, S]. */
function planMask(op: string, m: Tensor, batch: readonly number[], L: number, S: number): MaskPlan {
  const full = [...batch, L, S];
  if (m.ndim > full.length) {
    throw new WasmgradError(
      `${op}: attnMask ${fmt(m.shape)} has more dims than the scores ${fmt(full)}`,
    );
  }
  const shape = [...new Array(full.length - m.ndim).fill(1), ...m.shape];
  shape.forEach((d, i) => {
    if (d !== 1 && d !== full[i]) {
      throw new WasmgradError(
        `${op}: attnMask ${fmt(m.shape)} does not broadcast to the attention scores ${fmt(full)}`,
      );
    }
  });
  if (m.requiresGrad) {
    throw new WasmgradError(
      `${op}: a float attnMask that requires grad is not supported (no gradient flows to the mask); pass attnMask.detach()`,
    );
  }
  const strides = stridesOf(shape).map((s, i) => (shape[i] === 1 ? 0 : s));
  const nb = sizeOf(batch);
  const offsets = Tensor._empty(op, [Math.max(nb, 1)]);
  const i32 = backend.i32();
  const base = offsets.ptr >>> 2;
  for (let b = 0; b < nb; b++) {
    let rest = b;
    let off = 0;
    for (let d = batch.length - 1; d >= 0; d--) {
      off += (rest % batch[d]) * strides[d];
      rest = Math.floor(rest / batch[d]);
    }
    i32[base + b] = off;
  }
  return {
    mask: m,
    bool: isBool(m),
    offsets,
    row: strides[full.length - 2],
    col: strides[full.length - 1],
  };
}

/**
 * softmax(q k^T / sqrt(d) + mask) v over [..., L, d] queries and [..., S, d] keys and values, with
 * optional `attnMask`, `isCausal`, `dropoutP` and `scale`.
 *
 * PyTorch: `torch.nn.functional.scaled_dot_product_attention`.
 *
 * @example
 * ```ts
 * wg.F.scaledDotProductAttention(wg.randn(1, 2, 5, 8), wg.randn(1, 2, 7, 8), wg.randn(1, 2, 7, 8)).shape; // [1, 2, 5, 8]
 * ```
 */
export function scaledDotProductAttention(
  query: Tensor,
  key: Tensor,
  value: Tensor,
  ...rest: unknown[]
): Tensor {
  const op = "scaledDotProductAttention";
  const q = tensorArg(op, "query", query);
  const k = tensorArg(op, "key", key);
  const v = tensorArg(op, "value", value);
  const a = keywordArgs(op, rest, ["attnMask", "dropoutP", "isCausal", "scale"]);
  const maskArg = optionalTensorArg(op, "attnMask", a.attnMask);
  const dropoutP = numOr(op, "dropoutP", a.dropoutP, 0);
  const isCausal = boolOr(op, "isCausal", a.isCausal, false);
  if (!(dropoutP >= 0 && dropoutP < 1)) {
    throw new WasmgradError(`${op}: dropoutP must be in [0, 1) but got ${describe(dropoutP)}`);
  }
  if (q.ndim < 2 || k.ndim !== q.ndim || v.ndim !== q.ndim) {
    throw new WasmgradError(
      `${op}: expected query [..., L, E], key [..., S, E] and value [..., S, Ev] with the same number of dims (at least 2) but got ${fmt(q.shape)}, ${fmt(k.shape)}, ${fmt(v.shape)}`,
    );
  }
  const nd = q.ndim;
  const batch = q.shape.slice(0, nd - 2);
  const [L, E] = q.shape.slice(nd - 2);
  const [S, Ek] = k.shape.slice(nd - 2);
  const [Sv, Ev] = v.shape.slice(nd - 2);
  if (
    !sameShape(k.shape.slice(0, nd - 2), batch) ||
    !sameShape(v.shape.slice(0, nd - 2), batch) ||
    Ek !== E ||
    Sv !== S
  ) {
    throw new WasmgradError(
      `${op}: shapes do not match: query ${fmt(q.shape)}, key ${fmt(k.shape)}, value ${fmt(v.shape)} (expected [..., L, E], [..., S, E], [..., S, Ev] with the same leading dims)`,
    );
  }
  if (isCausal && maskArg !== null) {
    throw new WasmgradError(`${op}: give either attnMask or isCausal, not both (as PyTorch)`);
  }
  const scale =
    a.scale === null || a.scale === undefined ? 1 / Math.sqrt(E) : numOr(op, "scale", a.scale, 0);
  const bh = sizeOf(batch);
  const mask = maskArg === null ? null : planMask(op, maskArg, batch, L, S);
  const seed = dropoutP > 0 ? nextU32() : 0;
  const out = Tensor._empty(op, [...batch, L, Ev]);
  const lse = Tensor._empty(op, [Math.max(bh * L, 1)]);
  const sp = (S + 7) & ~7;
  // K and V transposed, then the backward's two score tiles, D, and Q's and dO's row block
  // packed (the forward's needs, BQ = 16 rows, are smaller).
  const wsSize = (E + Ev) * sp + 2 * BR * BC + BR + BR * (E + Ev) + 16;
  // Multiply-adds of one pass (for the pool's threshold): the causal half is skipped.
  const madds = (bh * L * S * (E + Ev)) / (isCausal ? 2 : 1);
  const call = (fn: "fwd" | "bwd", grads?: [Tensor, Tensor, Tensor, Tensor]) => {
    if (bh * L === 0) return;
    const mp = mask === null ? 0 : mask.bool ? mask.mask._rawPtr(op) : mask.mask._ptr(op);
    const mo = mask === null ? 0 : mask.offsets._ptr(op);
    const mr = mask?.row ?? 0;
    const mc = mask?.col ?? 0;
    // Kernel flags: 1 causal, 2 the mask is bool.
    const causal = (isCausal ? 1 : 0) | (mask?.bool ? 2 : 0);
    const rest = [bh, L, S, E, Ev, scale, causal, dropoutP, seed];
    let args: number[];
    if (fn === "fwd") {
      args = [out.ptr, lse.ptr, q._ptr(op), k._ptr(op), v._ptr(op), mp, mo, mr, mc, 0];
    } else {
      const [dq, dk, dv, dy] = grads!;
      args = [
        dq.ptr,
        dk.ptr,
        dv.ptr,
        dy._ptr(op),
        q._ptr(op),
        k._ptr(op),
        v._ptr(op),
        out._ptr(`${op} backward`),
        lse._ptr(`${op} backward`),
        mp,
        mo,
        mr,
        mc,
        0,
      ];
    }
    // The backward does about 2.5 times the forward's work.
    if (sdpaOnPool(fn === "bwd", args, wsSize, rest, fn === "fwd" ? madds : 2.5 * madds)) return;
    const ws = Tensor._empty(op, [wsSize]);
    try {
      args[args.length - 1] = ws.ptr;
      if (fn === "fwd") {
        (K.sdpa_f32 as (...x: number[]) => void)(...args, ...rest);
      } else {
        (K.sdpa_bwd_f32 as (...x: number[]) => void)(...args, ...rest);
      }
    } finally {
      ws.dispose();
    }
  };
  call("fwd");
  const release = () => {
    lse.dispose();
    mask?.offsets.dispose();
  };
  if (!needsGradAny([q, k, v])) {
    release();
    return out;
  }
  return record(out, op, [q, k, v], (dy) => {
    const dq = Tensor._empty(op, q.shape);
    const dk = Tensor._empty(op, k.shape);
    const dv = Tensor._empty(op, v.shape);
    // The kernel overwrites all three; it does not run when there is no query row (then dK and
    // dV, if S > 0, are zero).
    if (bh * L === 0) {
      for (const g of [dq, dk, dv]) if (sizeOf(g.shape) > 0) K.fill_f32(g.ptr, sizeOf(g.shape), 0);
    }
    call("bwd", [dq, dk, dv, dy]);
    const keep = (g: Tensor, t: Tensor): Tensor | null => {
      if (t.requiresGrad) return g;
      g.dispose();
      return null;
    };
    return [keep(dq, q), keep(dk, k), keep(dv, v)];
  });
}
