/**
 * nn.MultiheadAttention, as PyTorch's: parameter names (in_proj_weight/in_proj_bias, or
 * q_proj_weight/k_proj_weight/v_proj_weight when kdim or vdim differ from embedDim,
 * out_proj.weight/out_proj.bias, bias_k/bias_v), initialisation, masks and results
 * ([attnOutput, attnWeights]). Without needWeights the heads run through the fused
 * scaledDotProductAttention kernel; with it (PyTorch's default) the weights are computed
 * explicitly, as PyTorch does, so they can be returned.
 */
import { graphScopedForward } from "../autograd/owned.js";
import { WasmgradError } from "../errors.js";
import { scaledDotProductAttention } from "../ops/attention.js";
import { add, mul } from "../ops/binary.js";
import { randn, tensor, uniformRange, zeros } from "../ops/creation.js";
import { dropout } from "../ops/dropout.js";
import { linear } from "../ops/linear.js";
import { matmul } from "../ops/matmul.js";
import { mean } from "../ops/reduce.js";
import { cat, narrow, reshape, squeeze, transpose, unsqueeze } from "../ops/shape.js";
import { softmax } from "../ops/softmax.js";
import type { Tensor } from "../tensor.js";
import {
  boolOr,
  bytesWithin,
  describe,
  hoist,
  keywordArgs,
  numOr,
  optionalTensorArg,
  size,
  tensorArg,
} from "../validate.js";
import { Linear } from "./layers.js";
import { Module, parameter } from "./module.js";

/**
 * PyTorch's name for MultiheadAttention's output projection (a plain Linear).
 *
 * PyTorch: `torch.nn.modules.linear.NonDynamicallyQuantizableLinear`.
 *
 * @example
 * ```ts
 * new wg.nn.NonDynamicallyQuantizableLinear(4, 4); // the out_proj of MultiheadAttention
 * ```
 */
export class NonDynamicallyQuantizableLinear extends Linear {}

function xavierUniform(shape: number[], fanIn: number, fanOut: number): Tensor {
  const bound = Math.sqrt(6 / (fanIn + fanOut));
  return uniformRange(shape, -bound, bound);
}

/** Options of {@link MultiheadAttention}. */
export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights, in training (default 0). */
  dropout?: number;
  /** Learn biases for the input and output projections (default true). */
  bias?: boolean;
  /** Learn a bias row appended to the keys and values (default false; PyTorch's `add_bias_kv`). */
  addBiasKv?: boolean;
  /** Append a row of zeros to the keys and values (default false; PyTorch's `add_zero_attn`). */
  addZeroAttn?: boolean;
  /** The features of the keys (default null: embedDim). */
  kdim?: number | null;
  /** The features of the values (default null: embedDim). */
  vdim?: number | null;
  /**
   * Inputs and output are [N, L, E] instead of [L, N, E] (default false; PyTorch's `batch_first`).
   */
  batchFirst?: boolean;
}

/** Options of {@link MultiheadAttention.forward}. */
export interface MultiheadAttentionForwardOptions {
  /**
   * A mask of shape [N, S]: true (or a float added to the scores) marks keys to ignore, such as
   * padding (default null; PyTorch's `key_padding_mask`).
   */
  keyPaddingMask?: Tensor | null;
  /** Also return the attention weights (default true; PyTorch's `need_weights`). */
  needWeights?: boolean;
  /**
   * [L, S] or [N * numHeads, L, S]: true (or a float added to the scores) masks a query-key pair
   * (default null; PyTorch's `attn_mask`).
   */
  attnMask?: Tensor | null;
  /**
   * Average the returned weights over the heads (default true; PyTorch's `average_attn_weights`).
   */
  averageAttnWeights?: boolean;
  /** A hint that `attnMask` is the causal mask (default false; PyTorch's `is_causal`). */
  isCausal?: boolean;
}

/**
 * A mask in MultiheadAttention's convention (bool: true = not allowed; float: added) as an
 * additive float tensor, -inf where a bool mask is true.
 */
export function additiveMask(m: Tensor): Tensor {
  if ((m as { dtype?: string }).dtype !== "bool") return m;
  const d = m.data() as ArrayLike<number>;
  const out = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = d[i] ? Number.NEGATIVE_INFINITY : 0;
  return tensor(out, { shape: [...m.shape] });
}

/**
 * A float mask with -inf above the diagonal (PyTorch's Transformer.generate_square_subsequent_mask).
 *
 * PyTorch: `torch.nn.Transformer.generate_square_subsequent_mask`.
 *
 * @example
 * ```ts
 * wg.nn.causalMask(3); // [[0, -inf, -inf], [0, 0, -inf], [0, 0, 0]]
 * ```
 */
export function causalMask(L: number, S = L): Tensor {
  size("causalMask", "L", L);
  size("causalMask", "S", S);
  bytesWithin("causalMask", "the mask", L * S * 4);
  const out = new Float32Array(L * S);
  for (let i = 0; i < L; i++)
    for (let j = i + 1; j < S; j++) out[i * S + j] = Number.NEGATIVE_INFINITY;
  return tensor(out, { shape: [L, S] });
}

/**
 * Multi-head attention with learned input and output projections; `forward(query, key, value,
 * options?)` returns `[output, weights]` (weights averaged over heads, or null with `needWeights:
 * false`).
 *
 * PyTorch: `torch.nn.MultiheadAttention`.
 *
 * @example
 * ```ts
 * const mha = new wg.nn.MultiheadAttention(16, 4, { batchFirst: true });
 * const x = wg.randn(2, 5, 16);
 * const [out] = mha.forward(x, x, x); // out [2, 5, 16]
 * ```
 */
export class MultiheadAttention extends Module<
  [Tensor, Tensor, Tensor, ...unknown[]],
  [Tensor, Tensor | null]
> {
  /**
   * The packed q, k, v projection, [3 * embedDim, embedDim] (null when kdim or vdim differ from
   * embedDim).
   */
  in_proj_weight: Tensor | null = null;
  /**
   * The query projection [embedDim, embedDim] when kdim or vdim differ from embedDim (else null).
   */
  q_proj_weight: Tensor | null = null;
  /** The key projection [embedDim, kdim] when kdim or vdim differ from embedDim (else null). */
  k_proj_weight: Tensor | null = null;
  /** The value projection [embedDim, vdim] when kdim or vdim differ from embedDim (else null). */
  v_proj_weight: Tensor | null = null;
  /** The packed q, k, v projection bias, [3 * embedDim] (null without `bias`). */
  in_proj_bias: Tensor | null = null;
  /** The learned key row, [1, 1, embedDim] (null without `addBiasKv`). */
  bias_k: Tensor | null = null;
  /** The learned value row, [1, 1, embedDim] (null without `addBiasKv`). */
  bias_v: Tensor | null = null;
  /** The output projection, a Linear(embedDim, embedDim). */
  out_proj: NonDynamicallyQuantizableLinear;
  /** Dropout probability on the attention weights, in training. */
  readonly dropout: number;
  /** The features of the keys. */
  readonly kdim: number;
  /** The features of the values. */
  readonly vdim: number;
  /** Whether inputs and output are [N, L, E] (PyTorch's `batch_first`). */
  readonly batchFirst: boolean;
  /** embedDim / numHeads, the features of each head (PyTorch's `head_dim`). */
  readonly headDim: number;
  /** Whether a zero row is appended to the keys and values (PyTorch's `add_zero_attn`). */
  readonly addZeroAttn: boolean;

  constructor(
    /** The model's features E (PyTorch's `embed_dim`). */
    readonly embedDim: number,
    /** The number of parallel heads (PyTorch's `num_heads`). */
    readonly numHeads: number,
    ...rest: unknown[]
  ) {
    [embedDim, numHeads, ...rest] = hoist(
      "MultiheadAttention",
      [embedDim, numHeads, ...rest],
      ["embedDim", "numHeads"],
    ) as [number, number, ...typeof rest];
    super();
    const op = "MultiheadAttention";
    if (
      !Number.isInteger(embedDim) ||
      embedDim < 1 ||
      !Number.isInteger(numHeads) ||
      numHeads < 1
    ) {
      throw new WasmgradError(
        `${op}: embedDim and numHeads must be integers >= 1 but got ${describe(embedDim)}, ${describe(numHeads)}`,
      );
    }
    if (embedDim % numHeads !== 0) {
      throw new WasmgradError(
        `${op}: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`,
      );
    }
    const a = keywordArgs(op, rest, [
      "dropout",
      "bias",
      "addBiasKv",
      "addZeroAttn",
      "kdim",
      "vdim",
      "batchFirst",
    ]);
    this.dropout = numOr(op, "dropout", a.dropout, 0);
    if (!(this.dropout >= 0 && this.dropout < 1)) {
      throw new WasmgradError(`${op}: dropout must be in [0, 1) but got ${describe(this.dropout)}`);
    }
    const bias = boolOr(op, "bias", a.bias, true);
    const addBiasKv = boolOr(op, "addBiasKv", a.addBiasKv, false);
    this.addZeroAttn = boolOr(op, "addZeroAttn", a.addZeroAttn, false);
    if (this.addZeroAttn) {
      throw new WasmgradError(`${op}: addZeroAttn is not supported`);
    }
    this.kdim = (a.kdim as number | null | undefined) ?? embedDim;
    this.vdim = (a.vdim as number | null | undefined) ?? embedDim;
    for (const [n, d] of [
      ["kdim", this.kdim],
      ["vdim", this.vdim],
    ] as const) {
      if (!Number.isInteger(d) || d < 1)
        throw new WasmgradError(`${op}: ${n} must be an integer >= 1 but got ${describe(d)}`);
    }
    this.batchFirst = boolOr(op, "batchFirst", a.batchFirst, false);
    this.headDim = embedDim / numHeads;
    const E = embedDim;
    if (this.kdim === E && this.vdim === E) {
      this.in_proj_weight = parameter(xavierUniform([3 * E, E], E, 3 * E));
    } else {
      this.q_proj_weight = parameter(xavierUniform([E, E], E, E));
      this.k_proj_weight = parameter(xavierUniform([E, this.kdim], this.kdim, E));
      this.v_proj_weight = parameter(xavierUniform([E, this.vdim], this.vdim, E));
    }
    if (bias) this.in_proj_bias = parameter(zeros([3 * E]));
    this.out_proj = new NonDynamicallyQuantizableLinear(E, E, { bias });
    if (bias) {
      this.out_proj.bias!.dispose();
      this.out_proj.bias = parameter(zeros([E]));
    }
    if (addBiasKv) {
      const std = Math.sqrt(2 / (2 * E));
      this.bias_k = parameter(mulScalarOwned(randn([1, 1, E]), std));
      this.bias_v = parameter(mulScalarOwned(randn([1, 1, E]), std));
    }
  }

  /** Projection weights and biases for q, k and v. */
  private projections(): [Tensor, Tensor | null][] {
    const E = this.embedDim;
    const b = this.in_proj_bias;
    const bias = (i: number) => (b === null ? null : narrow(b, 0, i * E, E));
    if (this.in_proj_weight !== null) {
      const w = this.in_proj_weight;
      return [0, 1, 2].map((i) => [narrow(w, 0, i * E, E), bias(i)]);
    }
    return [
      [this.q_proj_weight!, bias(0)],
      [this.k_proj_weight!, bias(1)],
      [this.v_proj_weight!, bias(2)],
    ];
  }

  /**
   * forward(query, key, value, keyPaddingMask?, needWeights = true, attnMask?,
   * averageAttnWeights = true, isCausal = false) → [attnOutput, attnWeights | null].
   */
  forward(query: Tensor, key: Tensor, value: Tensor, ...rest: unknown[]): [Tensor, Tensor | null] {
    const op = "MultiheadAttention";
    tensorArg(op, "query", query);
    tensorArg(op, "key", key);
    tensorArg(op, "value", value);
    const a = keywordArgs(op, rest, [
      "keyPaddingMask",
      "needWeights",
      "attnMask",
      "averageAttnWeights",
      "isCausal",
    ]);
    const kpm = optionalTensorArg(op, "keyPaddingMask", a.keyPaddingMask);
    const attnMask = optionalTensorArg(op, "attnMask", a.attnMask);
    const needWeights = boolOr(op, "needWeights", a.needWeights, true);
    const average = boolOr(op, "averageAttnWeights", a.averageAttnWeights, true);
    const isCausal = boolOr(op, "isCausal", a.isCausal, false);
    const E = this.embedDim;
    const H = this.numHeads;
    const hd = this.headDim;
    const unbatched = query.ndim === 2;
    if (
      !(query.ndim === 2 || query.ndim === 3) ||
      key.ndim !== query.ndim ||
      value.ndim !== query.ndim
    ) {
      throw new WasmgradError(
        `${op}: expected query, key and value all [L, N, E] (or [N, L, E] with batchFirst, or unbatched [L, E]) but got [${query.shape}], [${key.shape}], [${value.shape}]`,
      );
    }
    // Work in [N, L, E].
    const toNLE = (t: Tensor) =>
      unbatched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1);
    const qx = toNLE(query);
    const kx = toNLE(key);
    const vx = toNLE(value);
    const [N, L, Eq] = qx.shape;
    const S = kx.shape[1];
    if (
      Eq !== E ||
      kx.shape[2] !== this.kdim ||
      vx.shape[2] !== this.vdim ||
      vx.shape[1] !== S ||
      kx.shape[0] !== N ||
      vx.shape[0] !== N
    ) {
      throw new WasmgradError(
        `${op}: query [${query.shape}], key [${key.shape}], value [${value.shape}] do not fit embedDim ${E}, kdim ${this.kdim}, vdim ${this.vdim}${this.batchFirst ? " (batchFirst)" : ""}`,
      );
    }
    const [[wq, bq], [wk, bk], [wv, bv]] = this.projections();
    let q = linear(qx, wq, bq);
    let k = linear(kx, wk, bk);
    let v = linear(vx, wv, bv);
    let s = S;
    let padMask = kpm === null ? null : additiveMask(kpm);
    if (
      padMask !== null &&
      (padMask.ndim !== (unbatched ? 1 : 2) ||
        padMask.shape[padMask.ndim - 1] !== S ||
        (!unbatched && padMask.shape[0] !== N))
    ) {
      throw new WasmgradError(
        `${op}: keyPaddingMask must be [${unbatched ? "" : `${N}, `}${S}] but got [${kpm!.shape}]`,
      );
    }
    let am = attnMask === null ? null : additiveMask(attnMask);
    if (am !== null) {
      const ok =
        (am.ndim === 2 && am.shape[0] === L && am.shape[1] === S) ||
        (am.ndim === 3 && am.shape[0] === N * H && am.shape[1] === L && am.shape[2] === S);
      if (!ok) {
        throw new WasmgradError(
          `${op}: attnMask must be [${L}, ${S}] or [${N * H}, ${L}, ${S}] but got [${attnMask!.shape}]`,
        );
      }
      if (am.ndim === 3) am = reshape(am, N, H, L, S);
    }
    if (this.bias_k !== null && this.bias_v !== null) {
      k = cat([k, expandRows(this.bias_k, N)], 1);
      v = cat([v, expandRows(this.bias_v, N)], 1);
      s = S + 1;
      if (am !== null) am = padLast(am);
      if (padMask !== null) padMask = padLast(padMask);
    }
    if (isCausal && am === null) am = causalMask(L, s);
    // [N, L, E] → [N, H, L, hd]
    const heads = (t: Tensor, len: number) => transpose(reshape(t, N, len, H, hd), 1, 2);
    q = heads(q, L);
    k = heads(k, s);
    v = heads(v, s);
    let mask: Tensor | null = am;
    if (padMask !== null) {
      const pm = reshape(padMask, N, 1, 1, s);
      mask = mask === null ? pm : add(mask, pm);
    }
    const p = this.training ? this.dropout : 0;
    let out: Tensor;
    let weights: Tensor | null = null;
    if (!needWeights) {
      out = scaledDotProductAttention(q, k, v, { attnMask: mask, dropoutP: p });
    } else {
      let scores = mul(matmul(q, transpose(k, 2, 3)), 1 / Math.sqrt(hd));
      if (mask !== null) scores = add(scores, mask);
      let w = softmax(scores, -1);
      if (p > 0) w = dropout(w, p, true);
      out = matmul(w, v);
      weights = average ? mean(w, 1) : w;
      if (unbatched) weights = squeeze(weights, 0);
    }
    // [N, H, L, hd] → [N, L, E]
    let y = linear(
      reshape(transpose(out, 1, 2), N, L, E),
      this.out_proj.weight,
      this.out_proj.bias,
    );
    y = unbatched ? squeeze(y, 0) : this.batchFirst ? y : transpose(y, 0, 1);
    return [y, weights];
  }
}

/** [1, 1, E] → [N, 1, E] (repeated rows, differentiable through cat). */
function expandRows(t: Tensor, n: number): Tensor {
  return n === 1 ? t : cat(new Array<Tensor>(n).fill(t), 0);
}

/** Appends one zero column to the last dim (PyTorch pads masks so the bias_k key is attended). */
function padLast(m: Tensor): Tensor {
  const shape = [...m.shape];
  shape[shape.length - 1] = 1;
  return cat([m, zeros(shape)], m.ndim - 1);
}

function mulScalarOwned(t: Tensor, s: number): Tensor {
  const out = mul(t, s);
  t.dispose();
  return out;
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [MultiheadAttention, NonDynamicallyQuantizableLinear])
  graphScopedForward(layer);
