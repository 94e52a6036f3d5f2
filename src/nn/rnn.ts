/**
 * Recurrent layers, as torch.nn: RNN (tanh or relu), LSTM and GRU over whole sequences, and the
 * one-step cells RNNCell, LSTMCell and GRUCell. Parameter names, shapes, gate order (LSTM
 * i,f,g,o; GRU r,z,n) and initialisation (uniform in ±1/sqrt(hiddenSize)) are PyTorch's, so
 * state dicts move between the two unchanged. Each direction of each layer is one autograd op
 * (ops/rnn.ts) running fused kernels.
 */

import { isGradEnabled } from "../autograd/engine.js";
import { graphScopedForward } from "../autograd/owned.js";
import { fmt, WasmgradError } from "../errors.js";
import { tidy } from "../memory.js";
import { uniformRange } from "../ops/creation.js";
import { dropout as dropoutOp } from "../ops/dropout.js";
import { type CellKind, gatesOf, type LayerWeights, recurrentLayer } from "../ops/rnn.js";
import { cat, narrow, reshape, stack, transpose } from "../ops/shape.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, bytesWithin, hoist, num, oneOf, size } from "../validate.js";
import { Module, parameter } from "./module.js";
import { pyFloat } from "./repr.js";

/** Options of {@link RNN}, {@link GRU} and {@link LSTM}. */
export interface RNNOptions {
  /** The number of stacked layers (default 1; PyTorch's `num_layers`). */
  numLayers?: number;
  /** RNN only. */
  nonlinearity?: "tanh" | "relu";
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /**
   * Input and output are [N, L, features] instead of [L, N, features] (default false; PyTorch's
   * `batch_first`). The states stay [layers * directions, N, H].
   */
  batchFirst?: boolean;
  /** Dropout on the outputs of every layer but the last, in training. */
  dropout?: number;
  /**
   * Run a second stack backwards over the sequence and concatenate the outputs (default false).
   */
  bidirectional?: boolean;
}

function checkSize(layer: string, name: string, v: unknown, min: number): void {
  size(layer, name, v, min);
}

/** Bytes a parameter of `elements` floats takes (the allocator's smallest block is 16 bytes). */
function paramBytes(elements: number): number {
  return Math.max(16, elements * 4);
}

/** Frees what a constructor made before it failed: parameters are kept, so tidy would not. */
function disposeOnFailure(module: Module<never[], unknown>, build: () => void): void {
  try {
    build();
  } catch (e) {
    for (const t of Object.values(module)) if (t instanceof Tensor) t.dispose();
    throw e;
  }
}

const RNN_ARGS = ["numLayers", "nonlinearity", "bias", "batchFirst", "dropout", "bidirectional"];
const LSTM_ARGS = ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"];
/** LSTM's and GRU's positional arguments after (inputSize, hiddenSize), as PyTorch's. */
export type RecurrentArgs = Args<
  [numLayers: number, bias: boolean, batchFirst: boolean, dropout: number, bidirectional: boolean],
  Omit<RNNOptions, "nonlinearity">
>;

/** PyTorch's init for every recurrent weight and bias: uniform in ±1/sqrt(hiddenSize). */
function init(shape: number[], hiddenSize: number): Tensor {
  const bound = 1 / Math.sqrt(hiddenSize);
  return parameter(uniformRange(shape, -bound, bound));
}

/** [N, H] slice k of a [K, N, H] state tensor. */
function stateAt(t: Tensor, k: number): Tensor {
  return reshape(narrow(t, 0, k, 1), t.shape.slice(1));
}

/**
 */
abstract class RecurrentBase<In extends unknown[], Out> extends Module<In, Out> {
  override extraRepr(): string {
    return recurrentRepr(this);
  }

  /** The number of stacked layers (PyTorch's `num_layers`). */
  readonly numLayers: number;
  /** Whether the layers have biases. */
  readonly bias: boolean;
  /** Whether input and output are batch-first (PyTorch's `batch_first`). */
  readonly batchFirst: boolean;
  /** Dropout on the outputs of every layer but the last, in training. */
  readonly dropout: number;
  /** Whether a second stack runs backwards over the sequence. */
  readonly bidirectional: boolean;

  constructor(
    /** The layer's name, for error messages. */
    protected readonly layer: string,
    /** The cell: "rnn_tanh", "rnn_relu", "gru" or "lstm". */
    protected readonly kind: CellKind,
    /** The features of each input step (PyTorch's `input_size`). */
    readonly inputSize: number,
    /** The features of the hidden state (PyTorch's `hidden_size`). */
    readonly hiddenSize: number,
    options: Partial<Record<string, unknown>>,
  ) {
    super();
    checkSize(layer, "inputSize", inputSize, 1);
    checkSize(layer, "hiddenSize", hiddenSize, 1);
    const numLayers = size(layer, "numLayers", options.numLayers ?? 1, 1);
    const bias = bool(layer, "bias", options.bias ?? true);
    this.numLayers = numLayers;
    this.bias = bias;
    this.batchFirst = bool(layer, "batchFirst", options.batchFirst ?? false);
    this.dropout = num(layer, "dropout", options.dropout ?? 0, { min: 0, max: 1 });
    this.bidirectional = bool(layer, "bidirectional", options.bidirectional ?? false);
    const g = gatesOf(kind) * hiddenSize;
    const D = this.directions;
    // Refused before anything is allocated: 2**31 layers would exhaust the JavaScript heap.
    const perLayer = (inSize: number) =>
      paramBytes(g * inSize) + paramBytes(g * hiddenSize) + (bias ? 2 * paramBytes(g) : 0);
    const total = D * (perLayer(inputSize) + (numLayers - 1) * perLayer(hiddenSize * D));
    bytesWithin(layer, `${numLayers} layers of parameters`, total);
    const self = this as unknown as Record<string, Tensor>;
    disposeOnFailure(this, () => {
      for (let l = 0; l < numLayers; l++) {
        for (const suffix of this.bidirectional ? ["", "_reverse"] : [""]) {
          const inSize = l === 0 ? inputSize : hiddenSize * D;
          self[`weight_ih_l${l}${suffix}`] = init([g, inSize], hiddenSize);
          self[`weight_hh_l${l}${suffix}`] = init([g, hiddenSize], hiddenSize);
          if (bias) {
            self[`bias_ih_l${l}${suffix}`] = init([g], hiddenSize);
            self[`bias_hh_l${l}${suffix}`] = init([g], hiddenSize);
          }
        }
      }
    });
  }

  /** 2 when bidirectional, else 1. */
  get directions(): number {
    return this.bidirectional ? 2 : 1;
  }

  private weights(l: number, reverse: boolean): LayerWeights {
    const self = this as unknown as Record<string, Tensor | undefined>;
    const suffix = `l${l}${reverse ? "_reverse" : ""}`;
    return {
      weightIh: self[`weight_ih_${suffix}`] as Tensor,
      weightHh: self[`weight_hh_${suffix}`] as Tensor,
      biasIh: self[`bias_ih_${suffix}`] ?? null,
      biasHh: self[`bias_hh_${suffix}`] ?? null,
    };
  }

  /** Runs the stack over time-major x [L, N, In] from states [D*layers, N, H] (null: zeros). */
  protected run(x: Tensor, h0: Tensor | null, c0: Tensor | null): [Tensor, Tensor, Tensor | null] {
    const [L, N] = x.shape;
    const H = this.hiddenSize;
    const lstm = this.kind === "lstm";
    const hN: Tensor[] = [];
    const cN: Tensor[] = [];
    let input = x;
    for (let l = 0; l < this.numLayers; l++) {
      const outs: Tensor[] = [];
      for (let d = 0; d < this.directions; d++) {
        const k = l * this.directions + d;
        const reverse = d === 1;
        const packed = recurrentLayer(
          this.kind,
          input,
          h0 === null ? null : stateAt(h0, k),
          c0 === null ? null : stateAt(c0, k),
          this.weights(l, reverse),
          reverse,
        );
        const out = reshape(narrow(packed, 0, 0, L * N * H), [L, N, H]);
        outs.push(out);
        hN.push(reshape(narrow(out, 0, reverse ? 0 : L - 1, 1), [N, H]));
        if (lstm) cN.push(reshape(narrow(packed, 0, L * N * H, N * H), [N, H]));
      }
      input = outs.length === 1 ? outs[0] : cat(outs, 2);
      if (this.dropout > 0 && this.training && l < this.numLayers - 1) {
        input = dropoutOp(input, this.dropout, true);
      }
    }
    return [input, stack(hN, 0), lstm ? stack(cN, 0) : null];
  }

  /** Checks x and the initial state, returning them time-major and batched. */
  protected prepare(
    x: Tensor,
    h0: Tensor | null | undefined,
    c0: Tensor | null | undefined,
  ): { x: Tensor; h0: Tensor | null; c0: Tensor | null; batched: boolean } {
    const layer = this.layer;
    if (!(x instanceof Tensor)) {
      throw new WasmgradError(`${layer}: expected input to be a Tensor but got ${typeof x}`);
    }
    x._float(layer);
    const expect = this.batchFirst ? "[N, L, inputSize]" : "[L, N, inputSize]";
    if (x.ndim !== 2 && x.ndim !== 3) {
      throw new WasmgradError(
        `${layer}: expected input ${expect.replace("inputSize", String(this.inputSize))} or unbatched [L, ${this.inputSize}] but got ${fmt(x.shape)}`,
      );
    }
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new WasmgradError(
        `${layer}: input ${fmt(x.shape)} has ${x.shape[x.ndim - 1]} features in its last dim but the layer expects inputSize ${this.inputSize}`,
      );
    }
    const batched = x.ndim === 3;
    let seq = batched ? x : reshape(x, [x.shape[0], 1, this.inputSize]);
    if (batched && this.batchFirst) seq = transpose(seq, 0, 1);
    if (seq.shape[0] === 0) {
      throw new WasmgradError(
        `${layer}: expected a sequence length > 0 but got input ${fmt(x.shape)}`,
      );
    }
    const n = seq.shape[1];
    const states = this.numLayers * this.directions;
    const want = batched ? [states, n, this.hiddenSize] : [states, this.hiddenSize];
    const check = (t: Tensor | null | undefined, name: string): Tensor | null => {
      if (t == null) return null;
      if (!(t instanceof Tensor)) {
        throw new WasmgradError(`${layer}: expected ${name} to be a Tensor but got ${typeof t}`);
      }
      t._float(layer);
      if (t.ndim !== want.length || t.shape.some((v, i) => v !== want[i])) {
        throw new WasmgradError(
          `${layer}: expected ${name} of shape ${fmt(want)} for input ${fmt(x.shape)}${this.batchFirst ? " (batchFirst)" : ""} but got ${fmt(t.shape)}`,
        );
      }
      return batched ? t : reshape(t, [states, 1, this.hiddenSize]);
    };
    return { x: seq, h0: check(h0, "h0"), c0: check(c0, "c0"), batched };
  }

  /** Back to the caller's layout: batch first, or unbatched. */
  protected finish(out: Tensor, batched: boolean): Tensor {
    if (!batched) return reshape(out, [out.shape[0], out.shape[2]]);
    return this.batchFirst ? transpose(out, 0, 1) : out;
  }

  /** Drops the batch dim of a final state again for an unbatched input. */
  protected unbatchState(t: Tensor, batched: boolean): Tensor {
    return batched ? t : reshape(t, [t.shape[0], t.shape[2]]);
  }
}

/** Elman RNN: h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t-1} · W_hhᵀ + b_hh) (or relu). */
/** PyTorch's RNNBase.extra_repr: the sizes, then only the options that differ from the defaults. */
function recurrentRepr(m: {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bias: boolean;
  batchFirst: boolean;
  dropout: number;
  bidirectional: boolean;
}): string {
  let s = `${m.inputSize}, ${m.hiddenSize}`;
  if (m.numLayers !== 1) s += `, num_layers=${m.numLayers}`;
  if (!m.bias) s += ", bias=False";
  if (m.batchFirst) s += ", batch_first=True";
  if (m.dropout !== 0) s += `, dropout=${pyFloat(m.dropout)}`;
  if (m.bidirectional) s += ", bidirectional=True";
  return s;
}

/**
 * A multi-layer Elman RNN (tanh or relu) over a sequence ([L, N, H_in], or [N, L, H_in] with
 * `batchFirst`); `forward(input, h0?)` returns `[output, hN]`.
 *
 * PyTorch: `torch.nn.RNN`.
 *
 * @example
 * ```ts
 * const [out, h] = new wg.nn.RNN(4, 8).forward(wg.randn(5, 2, 4)); // out [5, 2, 8], h [1, 2, 8]
 * ```
 */
export class RNN extends RecurrentBase<[Tensor, (Tensor | null)?], [Tensor, Tensor]> {
  /**
   * `RNN(inputSize, hiddenSize, numLayers?, nonlinearity?, bias?, batchFirst?, dropout?,
   * bidirectional?)` in PyTorch's order, or any of them in a trailing options object.
   */
  constructor(
    inputSize: number,
    hiddenSize: number,
    ...rest: Args<
      [
        numLayers: number,
        nonlinearity: "tanh" | "relu",
        bias: boolean,
        batchFirst: boolean,
        dropout: number,
        bidirectional: boolean,
      ],
      RNNOptions
    >
  ) {
    [inputSize, hiddenSize, ...rest] = hoist(
      "RNN",
      [inputSize, hiddenSize, ...rest],
      ["inputSize", "hiddenSize"],
    ) as [number, number, ...typeof rest];
    const o = args("RNN", rest, RNN_ARGS);
    const nl = oneOf("RNN", "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu"]);
    super("RNN", nl === "relu" ? "rnn_relu" : "rnn_tanh", inputSize, hiddenSize, o);
  }

  /** Returns [output, hN]. */
  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    return inferenceScope(() => {
      const p = this.prepare(x, h0, null);
      const [out, hN] = this.run(p.x, p.h0, null);
      return [this.finish(out, p.batched), this.unbatchState(hN, p.batched)];
    });
  }
}

/**
 * A multi-layer gated recurrent unit over a sequence ([L, N, H_in], or [N, L, H_in] with
 * `batchFirst`); `forward(input, h0?)` returns `[output, hN]`.
 *
 * PyTorch: `torch.nn.GRU`.
 *
 * @example
 * ```ts
 * const [out, h] = new wg.nn.GRU(4, 8, { batchFirst: true }).forward(wg.randn(2, 5, 4)); // out [2, 5, 8], h [1, 2, 8]
 * ```
 */
export class GRU extends RecurrentBase<[Tensor, (Tensor | null)?], [Tensor, Tensor]> {
  /** `GRU(inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?)`. */
  constructor(inputSize: number, hiddenSize: number, ...rest: RecurrentArgs) {
    [inputSize, hiddenSize, ...rest] = hoist(
      "GRU",
      [inputSize, hiddenSize, ...rest],
      ["inputSize", "hiddenSize"],
    ) as [number, number, ...typeof rest];
    super("GRU", "gru", inputSize, hiddenSize, args("GRU", rest, LSTM_ARGS));
  }

  /** Returns [output, hN]. */
  forward(x: Tensor, h0?: Tensor | null): [Tensor, Tensor] {
    return inferenceScope(() => {
      const p = this.prepare(x, h0, null);
      const [out, hN] = this.run(p.x, p.h0, null);
      return [this.finish(out, p.batched), this.unbatchState(hN, p.batched)];
    });
  }
}

/**
 * A multi-layer long short-term memory over a sequence ([L, N, H_in], or [N, L, H_in] with
 * `batchFirst`); `forward(input, [h0, c0]?)` returns `[output, [hN, cN]]`.
 *
 * PyTorch: `torch.nn.LSTM`.
 *
 * @example
 * ```ts
 * const [out, [h, c]] = new wg.nn.LSTM(4, 8, { batchFirst: true }).forward(wg.randn(2, 5, 4)); // out [2, 5, 8]
 * ```
 */
export class LSTM extends RecurrentBase<
  [Tensor, ([Tensor, Tensor] | null)?],
  [Tensor, [Tensor, Tensor]]
> {
  /** `LSTM(inputSize, hiddenSize, numLayers?, bias?, batchFirst?, dropout?, bidirectional?)`. */
  constructor(inputSize: number, hiddenSize: number, ...rest: RecurrentArgs) {
    [inputSize, hiddenSize, ...rest] = hoist(
      "LSTM",
      [inputSize, hiddenSize, ...rest],
      ["inputSize", "hiddenSize"],
    ) as [number, number, ...typeof rest];
    super("LSTM", "lstm", inputSize, hiddenSize, args("LSTM", rest, LSTM_ARGS));
  }

  /** Returns [output, [hN, cN]]; the initial state is [h0, c0] (both or neither). */
  forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, [Tensor, Tensor]] {
    if (state != null && (!Array.isArray(state) || state.length !== 2)) {
      throw new WasmgradError("LSTM: expected the initial state as [h0, c0]");
    }
    return inferenceScope(() => {
      const p = this.prepare(x, state?.[0], state?.[1]);
      const [out, hN, cN] = this.run(p.x, p.h0, p.c0);
      return [
        this.finish(out, p.batched),
        [this.unbatchState(hN, p.batched), this.unbatchState(cN as Tensor, p.batched)],
      ];
    });
  }
}

/**
 * Runs a layer's forward in a tidy scope when autograd is off: nothing then refers to the
 * per-layer, per-step views and reshapes, and a noGrad loop that disposes only the outputs would
 * otherwise keep them all (and run ever slower on fresh memory). With autograd on they belong to
 * the graph.
 */
function inferenceScope<T>(fn: () => T): T {
  return isGradEnabled() ? fn() : tidy(fn);
}

/** Options of {@link RNNCell}, {@link GRUCell} and {@link LSTMCell}. */
export interface CellOptions {
  /** Learn the biases b_ih and b_hh (default true). */
  bias?: boolean;
  /** RNNCell only. */
  nonlinearity?: "tanh" | "relu";
}

type CellArgs = Args<[bias: boolean], Omit<CellOptions, "nonlinearity">>;

/** One time step: parameters weight_ih, weight_hh, bias_ih, bias_hh. */
abstract class CellBase<In extends unknown[], Out> extends Module<In, Out> {
  override extraRepr(): string {
    let s = `${this.inputSize}, ${this.hiddenSize}`;
    if (this.bias_ih === null) s += ", bias=False";
    if (this.kind === "rnn_relu") s += ", nonlinearity=relu";
    return s;
  }

  /** Input-to-hidden weights, [gates * hiddenSize, inputSize] (gates: 1 RNN, 3 GRU, 4 LSTM). */
  weight_ih: Tensor;
  /** Hidden-to-hidden weights, [gates * hiddenSize, hiddenSize]. */
  weight_hh: Tensor;
  /** Input-to-hidden bias, [gates * hiddenSize] (null when made with `bias: false`). */
  bias_ih: Tensor | null;
  /** Hidden-to-hidden bias, [gates * hiddenSize] (null when made with `bias: false`). */
  bias_hh: Tensor | null;

  constructor(
    /** The layer's name, for error messages. */
    protected readonly layer: string,
    /** The cell: "rnn_tanh", "rnn_relu", "gru" or "lstm". */
    protected readonly kind: CellKind,
    /** The features of the input (PyTorch's `input_size`). */
    readonly inputSize: number,
    /** The features of the hidden state (PyTorch's `hidden_size`). */
    readonly hiddenSize: number,
    options: Partial<Record<string, unknown>>,
  ) {
    super();
    checkSize(layer, "inputSize", inputSize, 1);
    checkSize(layer, "hiddenSize", hiddenSize, 1);
    const g = gatesOf(kind) * hiddenSize;
    const bias = bool(layer, "bias", options.bias ?? true);
    bytesWithin(layer, "the parameters", 4 * g * (inputSize + hiddenSize + 2));
    this.weight_ih = this.weight_hh = null as unknown as Tensor;
    this.bias_ih = this.bias_hh = null;
    disposeOnFailure(this, () => {
      this.weight_ih = init([g, inputSize], hiddenSize);
      this.weight_hh = init([g, hiddenSize], hiddenSize);
      this.bias_ih = bias ? init([g], hiddenSize) : null;
      this.bias_hh = bias ? init([g], hiddenSize) : null;
    });
  }

  /** Runs one step; returns [h', c' (LSTM) or null]. */
  protected step(
    x: Tensor,
    h: Tensor | null | undefined,
    c: Tensor | null | undefined,
  ): [Tensor, Tensor | null] {
    const layer = this.layer;
    if (!(x instanceof Tensor)) {
      throw new WasmgradError(`${layer}: expected input to be a Tensor but got ${typeof x}`);
    }
    x._float(layer);
    if ((x.ndim !== 1 && x.ndim !== 2) || x.shape[x.ndim - 1] !== this.inputSize) {
      throw new WasmgradError(
        `${layer}: expected input [N, ${this.inputSize}] or [${this.inputSize}] but got ${fmt(x.shape)}`,
      );
    }
    const batched = x.ndim === 2;
    const n = batched ? x.shape[0] : 1;
    const want = batched ? [n, this.hiddenSize] : [this.hiddenSize];
    const state = (t: Tensor | null | undefined, name: string): Tensor | null => {
      if (t == null) return null;
      if (!(t instanceof Tensor)) {
        throw new WasmgradError(`${layer}: expected ${name} to be a Tensor but got ${typeof t}`);
      }
      t._float(layer);
      if (t.ndim !== want.length || t.shape.some((v, i) => v !== want[i])) {
        throw new WasmgradError(
          `${layer}: expected ${name} of shape ${fmt(want)} for input ${fmt(x.shape)} but got ${fmt(t.shape)}`,
        );
      }
      return reshape(t, [n, this.hiddenSize]);
    };
    const hx = state(h, "hx");
    const cx = state(c, "cx");
    const x3 = reshape(x, [1, n, this.inputSize]);
    const packed = recurrentLayer(
      this.kind,
      x3,
      hx,
      cx,
      {
        weightIh: this.weight_ih,
        weightHh: this.weight_hh,
        biasIh: this.bias_ih,
        biasHh: this.bias_hh,
      },
      false,
    );
    const size = n * this.hiddenSize;
    const hView = narrow(packed, 0, 0, size);
    const cView = this.kind === "lstm" ? narrow(packed, 0, size, size) : null;
    const h1 = reshape(hView, want);
    const c1 = cView === null ? null : reshape(cView, want);
    if (!packed.requiresGrad) {
      // Without autograd nothing refers to the intermediate handles: release them now, or a
      // noGrad loop that disposes only h' and c' keeps every step's storage (and runs ever
      // slower on fresh memory). With autograd they belong to the graph until it is freed.
      const mine = [x3, hx, cx, hView, cView, packed];
      const theirs = [x, h, c, h1, c1];
      for (const t of mine) if (t != null && !theirs.includes(t)) t.dispose();
    }
    return [h1, c1];
  }
}

/**
 * One step of an Elman RNN: `forward(x, h?)` gives tanh (or relu) of x W_ih^T + b_ih + h W_hh^T +
 * b_hh.
 *
 * PyTorch: `torch.nn.RNNCell`.
 *
 * @example
 * ```ts
 * new wg.nn.RNNCell(4, 8).forward(wg.randn(2, 4)).shape; // [2, 8]
 * ```
 */
export class RNNCell extends CellBase<[Tensor, (Tensor | null)?], Tensor> {
  /** `RNNCell(inputSize, hiddenSize, bias?, nonlinearity?)`, or options. */
  constructor(
    inputSize: number,
    hiddenSize: number,
    ...rest: Args<[bias: boolean, nonlinearity: "tanh" | "relu"], CellOptions>
  ) {
    [inputSize, hiddenSize, ...rest] = hoist(
      "RNNCell",
      [inputSize, hiddenSize, ...rest],
      ["inputSize", "hiddenSize"],
    ) as [number, number, ...typeof rest];
    const o = args("RNNCell", rest, ["bias", "nonlinearity"]);
    const nl = oneOf("RNNCell", "nonlinearity", o.nonlinearity ?? "tanh", ["tanh", "relu"]);
    super("RNNCell", nl === "relu" ? "rnn_relu" : "rnn_tanh", inputSize, hiddenSize, o);
  }
  /**
   * The next hidden state [N, H] (or [H]) from input `x` [N, inputSize] and state `h` (default
   * zeros).
   */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.step(x, h, null)[0];
  }
}

/**
 * One step of a gated recurrent unit: `forward(x, h?)` gives the next hidden state.
 *
 * PyTorch: `torch.nn.GRUCell`.
 *
 * @example
 * ```ts
 * new wg.nn.GRUCell(4, 8).forward(wg.randn(2, 4)).shape; // [2, 8]
 * ```
 */
export class GRUCell extends CellBase<[Tensor, (Tensor | null)?], Tensor> {
  /** `GRUCell(inputSize, hiddenSize, bias?)`, or options. */
  constructor(inputSize: number, hiddenSize: number, ...rest: CellArgs) {
    [inputSize, hiddenSize, ...rest] = hoist(
      "GRUCell",
      [inputSize, hiddenSize, ...rest],
      ["inputSize", "hiddenSize"],
    ) as [number, number, ...typeof rest];
    super("GRUCell", "gru", inputSize, hiddenSize, args("GRUCell", rest, ["bias"]));
  }
  /**
   * The next hidden state [N, H] (or [H]) from input `x` [N, inputSize] and state `h` (default
   * zeros).
   */
  forward(x: Tensor, h?: Tensor | null): Tensor {
    return this.step(x, h, null)[0];
  }
}

/**
 * One step of a long short-term memory: `forward(x, [h, c]?)` gives the next `[h, c]`.
 *
 * PyTorch: `torch.nn.LSTMCell`.
 *
 * @example
 * ```ts
 * const [h, c] = new wg.nn.LSTMCell(4, 8).forward(wg.randn(2, 4)); // h, c [2, 8]
 * ```
 */
export class LSTMCell extends CellBase<[Tensor, ([Tensor, Tensor] | null)?], [Tensor, Tensor]> {
  /** `LSTMCell(inputSize, hiddenSize, bias?)`, or options. */
  constructor(inputSize: number, hiddenSize: number, ...rest: CellArgs) {
    [inputSize, hiddenSize, ...rest] = hoist(
      "LSTMCell",
      [inputSize, hiddenSize, ...rest],
      ["inputSize", "hiddenSize"],
    ) as [number, number, ...typeof rest];
    super("LSTMCell", "lstm", inputSize, hiddenSize, args("LSTMCell", rest, ["bias"]));
  }
  /** Returns [h', c']; the state is [h, c] (both or neither). */
  forward(x: Tensor, state?: [Tensor, Tensor] | null): [Tensor, Tensor] {
    if (state != null && (!Array.isArray(state) || state.length !== 2)) {
      throw new WasmgradError("LSTMCell: expected the state as [h, c]");
    }
    const [h, c] = this.step(x, state?.[0], state?.[1]);
    return [h, c as Tensor];
  }
}

// The library's layers run their forwards in graph scopes (autograd/owned.ts), so that the
// intermediates a forward makes and does not return are freed with its result's graph. Done
// here rather than in one module importing every layer, so that a bundle holds only the layers
// an app uses.
for (const layer of [GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell]) graphScopedForward(layer);
