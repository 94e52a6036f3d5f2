/**
 * Shared pieces of the recurrent-layer tests (issue 5): the schemas of test/fixtures/rnn.json
 * and rnn_train.json (made by gen_rnn.py; see the README there), and helpers that build and run
 * any of the layers and cells a fixture case names.
 */
import * as wg from "wasmgrad";
import type { FixtureTensor } from "./fixtures.js";

// ---------------------------------------------------------------------------- API

export type RNNOptions = wg.nn.RNNOptions;
export type CellOptions = wg.nn.CellOptions;
export type Pair = [wg.Tensor, wg.Tensor];

/** RNN and GRU: `forward(x, h0?)` returns `[output, hN]`. */
export type RecurrentLayer = wg.nn.RNN | wg.nn.GRU;
/** LSTM: `forward(x, [h0, c0]?)` returns `[output, [hN, cN]]`. */
export type LSTMLayer = wg.nn.LSTM;
/** RNNCell and GRUCell: `forward(x, h?)` returns h'. */
export type Cell = wg.nn.RNNCell | wg.nn.GRUCell;
/** LSTMCell: `forward(x, [h, c]?)` returns [h', c']. */
export type LSTMCellModule = wg.nn.LSTMCell;
export type EmbeddingModule = wg.nn.Embedding;
export type Indices = wg.F.Indices;

/** `wg.nn`, where the recurrent layers live. */
export const nn = wg.nn;
/** `wg.F.embedding`. */
export const embedding = wg.F.embedding;

// ---------------------------------------------------------------------------- rnn.json

export type LayerKind = "RNN" | "LSTM" | "GRU";
export type CellKind = "RNNCell" | "LSTMCell" | "GRUCell";

export interface LayerCase {
  name: string;
  layer: LayerKind;
  inputSize: number;
  hiddenSize: number;
  options: RNNOptions;
  mode: "train" | "eval";
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  h0?: FixtureTensor;
  c0?: FixtureTensor;
  output: FixtureTensor;
  hN: FixtureTensor;
  cN?: FixtureTensor;
  upstream: { output: FixtureTensor; hN: FixtureTensor; cN?: FixtureTensor };
  grads: {
    input: FixtureTensor;
    h0?: FixtureTensor;
    c0?: FixtureTensor;
    params: Record<string, FixtureTensor>;
  };
}

export interface CellCase {
  name: string;
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  options: CellOptions;
  state: Record<string, FixtureTensor>;
  input: FixtureTensor;
  h?: FixtureTensor;
  c?: FixtureTensor;
  hOut: FixtureTensor;
  cOut?: FixtureTensor;
  upstream: { hOut: FixtureTensor; cOut?: FixtureTensor };
  grads: {
    input: FixtureTensor;
    h?: FixtureTensor;
    c?: FixtureTensor;
    params: Record<string, FixtureTensor>;
  };
}

export interface EmbeddingCase {
  name: string;
  numEmbeddings: number;
  embeddingDim: number;
  paddingIdx?: number;
  functional: boolean;
  weight: FixtureTensor;
  indices: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: { weight: FixtureTensor };
}

export interface RnnFixture {
  layers: LayerCase[];
  cells: CellCase[];
  embedding: EmbeddingCase[];
}

// ---------------------------------------------------------------------------- rnn_train.json

export interface TrainRun {
  name: "next-token" | "classify";
  model: string;
  vocab: number;
  embeddingDim: number;
  hiddenSize: number;
  numClasses: number;
  paddingIdx?: number;
  numLayers: number;
  batchFirst: boolean;
  optimizer: { lr: number; momentum?: number };
  tokens: FixtureTensor;
  targets: FixtureTensor;
  initialState: Record<string, FixtureTensor>;
  losses: number[];
  stateAfterStep1: Record<string, FixtureTensor>;
  finalState: Record<string, FixtureTensor>;
  finalLoss: number;
}

export interface TrainFixture {
  steps: number;
  runs: TrainRun[];
}

// ---------------------------------------------------------------------------- helpers

/** Builds the layer a fixture case describes (default init; load `state` to set values). */
export function makeLayer(c: {
  layer: LayerKind;
  inputSize: number;
  hiddenSize: number;
  options: RNNOptions;
}): RecurrentLayer | LSTMLayer {
  if (c.layer === "LSTM") return new nn.LSTM(c.inputSize, c.hiddenSize, c.options);
  if (c.layer === "GRU") return new nn.GRU(c.inputSize, c.hiddenSize, c.options);
  return new nn.RNN(c.inputSize, c.hiddenSize, c.options);
}

export function makeCell(c: {
  cell: CellKind;
  inputSize: number;
  hiddenSize: number;
  options: CellOptions;
}): Cell | LSTMCellModule {
  if (c.cell === "LSTMCell") return new nn.LSTMCell(c.inputSize, c.hiddenSize, c.options);
  if (c.cell === "GRUCell") return new nn.GRUCell(c.inputSize, c.hiddenSize, c.options);
  return new nn.RNNCell(c.inputSize, c.hiddenSize, c.options);
}

/**
 * Runs a layer of either kind: `[output, hN, cN]` (cN null except for LSTM). For an LSTM, h0 and
 * c0 are passed together or not at all.
 */
export function runLayer(
  kind: LayerKind,
  layer: RecurrentLayer | LSTMLayer,
  x: wg.Tensor,
  h0?: wg.Tensor | null,
  c0?: wg.Tensor | null,
): [wg.Tensor, wg.Tensor, wg.Tensor | null] {
  if (kind === "LSTM") {
    const lstm = layer as LSTMLayer;
    const [out, [h, c]] = h0 && c0 ? lstm.forward(x, [h0, c0]) : lstm.forward(x);
    return [out, h, c];
  }
  const rnn = layer as RecurrentLayer;
  const [out, h] = h0 ? rnn.forward(x, h0) : rnn.forward(x);
  return [out, h, null];
}

/** Runs a cell of either kind: `[h', c']` (c' null except for LSTMCell). */
export function runCell(
  kind: CellKind,
  cell: Cell | LSTMCellModule,
  x: wg.Tensor,
  h?: wg.Tensor | null,
  c?: wg.Tensor | null,
): [wg.Tensor, wg.Tensor | null] {
  if (kind === "LSTMCell") {
    const lstm = cell as LSTMCellModule;
    const [ho, co] = h && c ? lstm.forward(x, [h, c]) : lstm.forward(x);
    return [ho, co];
  }
  const rc = cell as Cell;
  return [h ? rc.forward(x, h) : rc.forward(x), null];
}

/** sum(a * ga) + sum(b * gb) + ...: a scalar whose gradient is ga, gb, ... */
export function dotLoss(pairs: [wg.Tensor, wg.Tensor][]): wg.Tensor {
  let loss: wg.Tensor | null = null;
  for (const [t, g] of pairs) {
    const term = t.mul(g).sum();
    loss = loss === null ? term : loss.add(term);
  }
  if (loss === null) throw new Error("dotLoss: nothing to sum");
  return loss;
}
