/**
 * Raw kernels over Float32Arrays, for benchmarks and advanced use. Each call copies its inputs
 * into WASM memory and its result out; to avoid the copies, run the same kernels on tensors.
 */
import { noGrad } from "./autograd/engine.js";
import { allocate, backend, K } from "./backend/runtime.js";
import { WasmgradError } from "./errors.js";
import { tidy } from "./memory.js";
import { type Conv2dOptions, conv2d as conv2dOp } from "./ops/conv.js";
import { tensor } from "./ops/creation.js";
import { type CellKind, gatesOf, recurrentLayer } from "./ops/rnn.js";
import { bool, options as checkOptions, describe, noExtra, num, size } from "./validate.js";

/** Options of {@link sgemm}: C = alpha op(A) op(B) + beta C, as BLAS. */
export interface SgemmOptions {
  /** Use A transposed (A given as [k, m]; default false). */
  transA?: boolean;
  /** Use B transposed (B given as [n, k]; default false). */
  transB?: boolean;
  /** The factor of the product (default 1). */
  alpha?: number;
  /** The factor of C's previous contents (default 0: C is overwritten). */
  beta?: number;
}

/**
 * C = alpha · op(A) · op(B) + beta · C over row-major Float32Arrays, op(A) M×K and op(B) K×N
 * (stored K×M / N×K when transposed). C (M×N) is updated in place and returned.
 *
 * PyTorch: `torch.mm on plain arrays` (cblas_sgemm).
 *
 * @example
 * ```ts
 * wg.kernels.sgemm(2, 2, 2, new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), new Float32Array(4)); // [1, 2, 3, 4]
 * ```
 */
export function sgemm(
  m: number,
  n: number,
  k: number,
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  options?: SgemmOptions,
  ...extra: []
): Float32Array {
  const op = "kernels.sgemm";
  noExtra(op, [m, n, k, a, b, c, options, ...extra], 7);
  const o = checkOptions(op, options, ["transA", "transB", "alpha", "beta"]);
  size(op, "m", m);
  size(op, "n", n);
  size(op, "k", k);
  floats(op, "a", a);
  floats(op, "b", b);
  floats(op, "c", c);
  const transA = bool(op, "transA", o.transA ?? false);
  const transB = bool(op, "transB", o.transB ?? false);
  const alpha = num(op, "alpha", o.alpha ?? 1);
  const beta = num(op, "beta", o.beta ?? 0);
  if (a.length < m * k || b.length < k * n || c.length < m * n) {
    throw new WasmgradError(
      `${op}: arrays too short for M=${m}, N=${n}, K=${k} (A ${a.length}, B ${b.length}, C ${c.length} elements)`,
    );
  }
  // Each block is freed if a later one cannot be allocated.
  const blocks: number[] = [];
  try {
    const pa = allocate(op, m * k * 4);
    blocks.push(pa);
    const pb = allocate(op, k * n * 4);
    blocks.push(pb);
    const pc = allocate(op, m * n * 4);
    blocks.push(pc);
    const view = backend.f32();
    view.set(a.subarray(0, m * k), pa >>> 2);
    view.set(b.subarray(0, k * n), pb >>> 2);
    if (beta !== 0) view.set(c.subarray(0, m * n), pc >>> 2);
    K.sgemm_f32(
      pc,
      n,
      pa,
      transA ? m : k,
      pb,
      transB ? k : n,
      m,
      n,
      k,
      transA ? 1 : 0,
      transB ? 1 : 0,
      alpha,
      beta,
    );
    c.set(backend.f32().subarray(pc >>> 2, (pc >>> 2) + m * n));
    return c;
  } finally {
    for (const p of blocks) K.free(p);
  }
}

/** A Float32Array argument (plain arrays would be copied element by element, or misread). */
function floats(op: string, name: string, v: unknown): Float32Array {
  if (!(v instanceof Float32Array)) {
    throw new WasmgradError(`${op}: ${name} must be a Float32Array but got ${describe(v)}`);
  }
  return v;
}

function shape4(op: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.length !== 4) {
    throw new WasmgradError(`${op}: ${name} must be [n, c, h, w] but got ${describe(v)}`);
  }
  return v.map((d, i) => size(op, `${name}[${i}]`, d));
}

/**
 * conv2d over Float32Arrays: input NCHW `[n, c, h, w]`, weight `[oc, c / groups, kh, kw]`,
 * optional bias `[oc]`, with F.conv2d's options and checks. Returns the output and its shape.
 *
 * PyTorch: `torch.nn.functional.conv2d on plain arrays`.
 *
 * @example
 * ```ts
 * wg.kernels.conv2d(new Float32Array(16).fill(1), [1, 1, 4, 4], new Float32Array(9).fill(1), [1, 1, 3, 3]).shape; // [1, 1, 2, 2]
 * ```
 */
export function conv2d(
  input: Float32Array,
  inputShape: readonly [number, number, number, number],
  weight: Float32Array,
  weightShape: readonly [number, number, number, number],
  bias: Float32Array | null = null,
  options: Conv2dOptions = {},
): { data: Float32Array; shape: number[] } {
  const op = "kernels.conv2d";
  floats(op, "input", input);
  floats(op, "weight", weight);
  if (bias !== null) floats(op, "bias", bias);
  const xs = shape4(op, "inputShape", inputShape);
  const ws = shape4(op, "weightShape", weightShape);
  for (const [name, a, s] of [
    ["input", input, xs],
    ["weight", weight, ws],
  ] as const) {
    const want = s.reduce((p, d) => p * d, 1);
    if (a.length !== want) {
      throw new WasmgradError(
        `${op}: ${name} has ${a.length} elements but its shape [${s.join(",")}] holds ${want}`,
      );
    }
  }
  return noGrad(() =>
    tidy(() => {
      const x = tensor(input, { shape: xs });
      const w = tensor(weight, { shape: ws });
      const b = bias === null ? null : tensor(bias, { shape: [bias.length] });
      const out = conv2dOp(x, w, b, options);
      return { data: out.data(), shape: [...out.shape] };
    }),
  );
}

/** Sizes of one recurrent step over Float32Arrays. */
export interface StepSizes {
  /** The number of sequences stepped together. */
  batch: number;
  /** The features of each input. */
  inputSize: number;
  /** The features of the hidden state. */
  hiddenSize: number;
}

/** Weights in PyTorch's layout: weightIh [G*H, In], weightHh [G*H, H], biases [G*H] or null. */
export interface StepWeights {
  /** Input-to-hidden weights, [gates * hiddenSize, inputSize] row-major. */
  weightIh: Float32Array;
  /** Hidden-to-hidden weights, [gates * hiddenSize, hiddenSize] row-major. */
  weightHh: Float32Array;
  /** Input-to-hidden bias, [gates * hiddenSize] (default none). */
  biasIh?: Float32Array | null;
  /** Hidden-to-hidden bias, [gates * hiddenSize] (default none). */
  biasHh?: Float32Array | null;
}

function step(
  kind: CellKind,
  x: Float32Array,
  h: Float32Array,
  c: Float32Array | null,
  w: StepWeights,
  sizes: StepSizes,
): Float32Array {
  const name = `kernels.${kind === "lstm" ? "lstmStep" : kind === "gru" ? "gruStep" : "rnnStep"}`;
  const sz = checkOptions(name, sizes, ["batch", "inputSize", "hiddenSize"]);
  const n = size(name, "batch", sz.batch);
  const inSize = size(name, "inputSize", sz.inputSize, 1);
  const hs = size(name, "hiddenSize", sz.hiddenSize, 1);
  if (w === undefined)
    throw new WasmgradError(`${name}: weights { weightIh, weightHh } are required`);
  checkOptions(name, w, ["weightIh", "weightHh", "biasIh", "biasHh"]);
  const g = gatesOf(kind) * hs;
  const op = `kernels.${kind === "lstm" ? "lstmStep" : kind === "gru" ? "gruStep" : "rnnStep"}`;
  return noGrad(() =>
    tidy(() => {
      const t = (a: Float32Array, shape: number[], name: string) => {
        const size = shape.reduce((p, d) => p * d, 1);
        if (!(a instanceof Float32Array) || a.length !== size) {
          throw new WasmgradError(
            `${op}: ${name} must be a Float32Array of ${size} elements ([${shape.slice(-2)}]) for batch ${n}, inputSize ${inSize}, hiddenSize ${hs}, but got ${a instanceof Float32Array ? `${a.length} elements` : typeof a}`,
          );
        }
        return tensor(a, { shape });
      };
      const packed = recurrentLayer(
        kind,
        t(x, [1, n, inSize], "x"),
        t(h, [n, hs], "h"),
        c === null ? null : t(c, [n, hs], "c"),
        {
          weightIh: t(w.weightIh, [g, inSize], "weightIh"),
          weightHh: t(w.weightHh, [g, hs], "weightHh"),
          biasIh: w.biasIh ? t(w.biasIh, [g], "biasIh") : null,
          biasHh: w.biasHh ? t(w.biasHh, [g], "biasHh") : null,
        },
        false,
      );
      return packed.data();
    }),
  );
}

/**
 * One RNN step: h' = tanh (or relu)(x · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh), [batch, hiddenSize].
 *
 * PyTorch: `torch.nn.RNNCell's forward on plain arrays`.
 *
 * @example
 * ```ts
 * const w = { weightIh: new Float32Array(8 * 4), weightHh: new Float32Array(8 * 8) };
 * const h = wg.kernels.rnnStep(new Float32Array(2 * 4), new Float32Array(2 * 8), w, { batch: 2, inputSize: 4, hiddenSize: 8 }, "tanh");
 * ```
 */
export function rnnStep(
  x: Float32Array,
  h: Float32Array,
  weights: StepWeights,
  sizes: StepSizes,
  nonlinearity: "tanh" | "relu" = "tanh",
): Float32Array {
  return step(nonlinearity === "relu" ? "rnn_relu" : "rnn_tanh", x, h, null, weights, sizes);
}

/**
 * One LSTM step (gates i, f, g, o): returns the new h and c, each [batch, hiddenSize].
 *
 * PyTorch: `torch.nn.LSTMCell's forward on plain arrays`.
 *
 * @example
 * ```ts
 * const w = { weightIh: new Float32Array(4 * 8 * 4), weightHh: new Float32Array(4 * 8 * 8) };
 * const { h, c } = wg.kernels.lstmStep(new Float32Array(2 * 4), new Float32Array(2 * 8), new Float32Array(2 * 8), w, { batch: 2, inputSize: 4, hiddenSize: 8 });
 * ```
 */
export function lstmStep(
  x: Float32Array,
  h: Float32Array,
  c: Float32Array,
  weights: StepWeights,
  sizes: StepSizes,
): { h: Float32Array; c: Float32Array } {
  const out = step("lstm", x, h, c, weights, sizes);
  const size = sizes.batch * sizes.hiddenSize;
  return { h: out.slice(0, size), c: out.slice(size, 2 * size) };
}

/**
 * One GRU step (gates r, z, n): returns the new h, [batch, hiddenSize].
 *
 * PyTorch: `torch.nn.GRUCell's forward on plain arrays`.
 *
 * @example
 * ```ts
 * const w = { weightIh: new Float32Array(3 * 8 * 4), weightHh: new Float32Array(3 * 8 * 8) };
 * const h = wg.kernels.gruStep(new Float32Array(2 * 4), new Float32Array(2 * 8), w, { batch: 2, inputSize: 4, hiddenSize: 8 });
 * ```
 */
export function gruStep(
  x: Float32Array,
  h: Float32Array,
  weights: StepWeights,
  sizes: StepSizes,
): Float32Array {
  return step("gru", x, h, null, weights, sizes);
}

/**
 * The kernel table itself (pointer-based; see assembly/index.ts for the ABI).
 *
 * PyTorch: no counterpart (the compiled kernels themselves).
 */
export const raw = K;
