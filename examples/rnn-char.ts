/**
 * A character-level language model: Embedding -> LSTM -> Linear over the characters of Genesis
 * 1-22 in the King James Version (public domain, bundled in examples/data/, see its README). It
 * is trained with truncated backpropagation through time: the training text is cut into `batch`
 * parallel streams, each step reads the next `seqLen` characters of every stream, and the LSTM
 * state carries over from step to step, detached from the graph. The loss is cross-entropy of
 * the next character, the optimizer Adam, and gradients are clipped by their total norm; dropout
 * on the LSTM's outputs holds back overfitting of the small text (64 KB to train on). The
 * example then reports the loss on the held-out last 10% of the text, in nats per character,
 * next to what unigram and bigram character counts achieve, and samples text at a temperature.
 *
 *   node dist-examples/examples/rnn-char.js [steps]
 */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as wg from "wasmgrad";
import { progressBar } from "./mnist-data.js";

export const TEXT_FILE = "genesis-1-22-kjv.txt";

/** The bundled text, found beside this file (examples/) or from dist-examples/examples/. */
export function loadText(): string {
  const candidates = [`./data/${TEXT_FILE}`, `../../examples/data/${TEXT_FILE}`];
  for (const rel of candidates) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(url)) return readFileSync(url, "utf8");
  }
  throw new Error(`rnn-char: cannot find examples/data/${TEXT_FILE} from ${import.meta.url}`);
}

export interface Corpus {
  text: string;
  /** Character of each id, sorted. */
  chars: string[];
  /** The first 90% of the text (cut at a line end), as ids. */
  train: Int32Array;
  /** The rest: held out. */
  valid: Int32Array;
}

export function makeCorpus(text: string, validFraction = 0.1): Corpus {
  const chars = [...new Set(text)].sort();
  const id = new Map(chars.map((c, i) => [c, i]));
  const ids = Int32Array.from(text, (c) => id.get(c) as number);
  const cut = text.lastIndexOf("\n", Math.floor(text.length * (1 - validFraction))) + 1;
  return { text, chars, train: ids.subarray(0, cut), valid: ids.subarray(cut) };
}

export type LSTMState = [wg.Tensor, wg.Tensor];

function disposeState(state: LSTMState | null): void {
  state?.[0].dispose();
  state?.[1].dispose();
}

export interface CharShape {
  /** Size of the character embedding. */
  embedding?: number;
  hidden?: number;
  layers?: number;
  /** Dropout on the LSTM's outputs (and between its layers) while training; trainCharModel: 0.5. */
  dropout?: number;
}

/**
 * Embedding(vocab, embedding) -> LSTM(embedding, hidden, layers) -> Dropout -> Linear(hidden,
 * vocab).
 */
export class CharLSTM extends wg.nn.Module<
  [tokens: Int32Array, batch: number, state: LSTMState | null],
  [wg.Tensor, LSTMState]
> {
  embed: wg.nn.Embedding;
  lstm: wg.nn.LSTM;
  drop: wg.nn.Dropout;
  head: wg.nn.Linear;

  constructor(
    readonly vocab: number,
    shape: CharShape = {},
  ) {
    super();
    const { embedding = 32, hidden = 256, layers = 1, dropout = 0 } = shape;
    this.embed = new wg.nn.Embedding(vocab, embedding);
    // The LSTM's own dropout acts only between its layers (PyTorch warns when there is one).
    this.lstm = new wg.nn.LSTM(embedding, hidden, {
      numLayers: layers,
      dropout: layers > 1 ? dropout : 0,
    });
    this.drop = new wg.nn.Dropout(dropout);
    this.head = new wg.nn.Linear(hidden, vocab);
  }

  /**
   * tokens holds `batch` streams time-major (token t of stream b at t * batch + b). Returns the
   * logits [tokens.length, vocab] in the same order and the LSTM state after the last step.
   */
  forward(tokens: Int32Array, batch: number, state: LSTMState | null): [wg.Tensor, LSTMState] {
    const steps = tokens.length / batch;
    const x = this.embed.forward(tokens).reshape(steps, batch, -1);
    const [out, next] = this.lstm.forward(x, state);
    return [this.head.forward(this.drop.forward(out)).reshape(-1, this.vocab), next];
  }
}

/**
 * Mean cross-entropy (nats per character) of predicting tokens[1..] each from everything before
 * it: one stream through the whole sequence, in chunks, with the state carried over.
 */
export function evaluate(model: CharLSTM, tokens: Int32Array, chunk = 256): number {
  let state: LSTMState | null = null;
  let sum = 0;
  const training = model.training;
  model.eval();
  wg.noGrad(() => {
    for (let s = 0; s < tokens.length - 1; s += chunk) {
      const len = Math.min(chunk, tokens.length - 1 - s);
      const input = tokens.subarray(s, s + len);
      const target = tokens.subarray(s + 1, s + 1 + len);
      const prev = state;
      const r = wg.tidy(() => {
        const [logits, next] = model.forward(input, 1, prev);
        return { loss: wg.F.crossEntropy(logits, target, { reduction: "sum" }).item(), next };
      });
      disposeState(prev);
      state = r.next;
      sum += r.loss;
    }
  });
  disposeState(state);
  model.train(training);
  return sum / (tokens.length - 1);
}

/** Character counts with add-one smoothing: P(c) and P(c | previous character). */
export class CountModel {
  readonly unigram: Float64Array;
  readonly bigram: Float64Array;

  constructor(
    readonly vocab: number,
    train: Int32Array,
  ) {
    this.unigram = new Float64Array(vocab).fill(1);
    this.bigram = new Float64Array(vocab * vocab).fill(1);
    for (let i = 0; i < train.length; i++) {
      this.unigram[train[i]]++;
      if (i > 0) this.bigram[train[i - 1] * vocab + train[i]]++;
    }
    const normalize = (row: Float64Array) => {
      const total = row.reduce((a, b) => a + b, 0);
      for (let j = 0; j < row.length; j++) row[j] /= total;
    };
    normalize(this.unigram);
    for (let p = 0; p < vocab; p++) normalize(this.bigram.subarray(p * vocab, (p + 1) * vocab));
  }

  /** Nats per character over tokens[1..], the same targets `evaluate` scores. */
  loss(tokens: Int32Array, order: 1 | 2): number {
    let sum = 0;
    for (let i = 1; i < tokens.length; i++) {
      const p =
        order === 1 ? this.unigram[tokens[i]] : this.bigram[tokens[i - 1] * this.vocab + tokens[i]];
      sum -= Math.log(p);
    }
    return sum / (tokens.length - 1);
  }
}

/** `n` uniform draws in [0, 1) from wasmgrad's seeded generator. */
function uniforms(n: number): Float32Array {
  const t = wg.rand([n]);
  const u = t.data();
  t.dispose();
  return u;
}

/** Index drawn from probabilities `p` (summing to 1) with the uniform draw `u`. */
function draw(p: ArrayLike<number>, u: number): number {
  let acc = 0;
  for (let j = 0; j < p.length; j++) {
    acc += p[j];
    if (u < acc) return j;
  }
  return p.length - 1;
}

/** Probabilities p^(1/temperature), renormalized. */
function sharpen(p: ArrayLike<number>, temperature: number): Float64Array {
  const q = Float64Array.from(p, (v) => v ** (1 / temperature));
  const total = q.reduce((a, b) => a + b, 0);
  return q.map((v) => v / total);
}

export interface SampleOptions {
  length?: number;
  /** Below 1 sharpens the distribution (fewer odd characters), above 1 flattens it. */
  temperature?: number;
  /** Text the sample continues; its characters must occur in the corpus. */
  prime?: string;
}

function primeIds(corpus: Corpus, prime: string): Int32Array {
  const ids = Int32Array.from(prime, (c) => corpus.chars.indexOf(c));
  const bad = ids.indexOf(-1);
  if (prime.length === 0 || bad >= 0) {
    throw new Error(
      `rnn-char: the prime must be non-empty text made of the corpus's characters but got ${JSON.stringify(prime)}`,
    );
  }
  return ids;
}

/** Generates `length` characters after `prime`, one at a time, from softmax(logits / T). */
export function sample(model: CharLSTM, corpus: Corpus, options: SampleOptions = {}): string {
  const { length = 400, temperature = 0.6, prime = "And " } = options;
  const ids = primeIds(corpus, prime);
  const u = uniforms(length);
  let out = "";
  const training = model.training;
  model.eval();
  wg.noGrad(() => {
    // Read all of the prime but its last character, which is the first input of the loop.
    let state: LSTMState | null =
      ids.length > 1
        ? wg.tidy(() => model.forward(ids.subarray(0, ids.length - 1), 1, null)[1])
        : null;
    let last = ids[ids.length - 1];
    for (let i = 0; i < length; i++) {
      const prev: LSTMState | null = state;
      const r = wg.tidy(() => {
        const [logits, next] = model.forward(Int32Array.of(last), 1, prev);
        return { p: wg.softmax(logits.div(temperature), 1).data(), next };
      });
      disposeState(prev);
      state = r.next;
      last = draw(r.p, u[i]);
      out += corpus.chars[last];
    }
    disposeState(state);
  });
  model.train(training);
  return out;
}

/** The same from the bigram counts: what a model of character pairs writes. */
export function sampleBigram(
  counts: CountModel,
  corpus: Corpus,
  options: SampleOptions = {},
): string {
  const { length = 400, temperature = 0.6, prime = "And " } = options;
  const ids = primeIds(corpus, prime);
  const u = uniforms(length);
  let last = ids[ids.length - 1];
  let out = "";
  for (let i = 0; i < length; i++) {
    const row = counts.bigram.subarray(last * counts.vocab, (last + 1) * counts.vocab);
    last = draw(sharpen(row, temperature), u[i]);
    out += corpus.chars[last];
  }
  return out;
}

/** Fraction of the words (runs of letters) of `sample` that occur as words in `text`. */
export function knownWordFraction(sampleText: string, text: string): number {
  const vocabulary = new Set(text.match(/[A-Za-z]+/g) ?? []);
  const words = sampleText.match(/[A-Za-z]+/g) ?? [];
  if (words.length === 0) return 0;
  return words.filter((w) => vocabulary.has(w)).length / words.length;
}

export interface CharOptions extends CharShape {
  steps?: number;
  /** Parallel streams per step. */
  batch?: number;
  /** Characters per stream per step (the truncation length of backpropagation). */
  seqLen?: number;
  /** Adam's learning rate, decayed along a cosine to `lr / 10` over the run. */
  lr?: number;
  /** Largest total gradient norm (clipGradNorm). */
  clip?: number;
  seed?: number;
  /** Train and validate on the first `textChars` characters only (for quick runs). */
  textChars?: number;
  /** Validation loss every this many steps (0: only at the end). */
  evalEvery?: number;
  sampleLength?: number;
  temperature?: number;
  /** Called with a line of progress text; `final` is false for in-place updates. */
  log?: (line: string, final: boolean) => void;
}

export interface CharResult {
  vocab: number;
  trainChars: number;
  validChars: number;
  parameters: number;
  steps: number;
  msPerStep: number;
  seconds: number;
  /** Mean training loss over each `evalEvery` window (nats per character). */
  trainLosses: number[];
  /** Held-out loss after each window (nats per character). */
  validLosses: number[];
  /** Held-out loss at the end, and of the unigram and bigram counts. */
  validLoss: number;
  unigramLoss: number;
  bigramLoss: number;
  sample: string;
  bigramSample: string;
  /** knownWordFraction of the two samples. */
  sampleKnownWords: number;
  bigramKnownWords: number;
}

export function trainCharModel(options: CharOptions = {}): CharResult {
  const {
    steps = 800,
    dropout = 0.5,
    batch = 32,
    seqLen = 64,
    lr = 3e-3,
    clip = 1,
    seed = 0,
    evalEvery = 250,
    sampleLength = 600,
    temperature = 0.6,
  } = options;
  const log = options.log ?? (() => {});
  wg.manualSeed(seed);
  const full = loadText();
  const corpus = makeCorpus(
    options.textChars === undefined ? full : full.slice(0, options.textChars),
  );
  const { train, valid } = corpus;
  const vocab = corpus.chars.length;
  const model = new CharLSTM(vocab, { ...options, dropout });
  const optimizer = new wg.optim.Adam(model.parameters(), { lr });
  // Each pass starts the streams at a fresh offset in [0, seqLen), so the chunk boundaries move.
  const streamLen = Math.floor((train.length - 1 - seqLen) / batch);
  const chunksPerPass = Math.floor(streamLen / seqLen);
  if (chunksPerPass < 1) {
    throw new Error(
      `rnn-char: ${train.length} training characters are too few for ${batch} streams of ${seqLen}`,
    );
  }
  const input = new Int32Array(seqLen * batch);
  const target = new Int32Array(seqLen * batch);
  let state: LSTMState | null = null;
  let offset = 0;
  let stepTime = 0;
  let windowSum = 0;
  let windowSteps = 0;
  const trainLosses: number[] = [];
  const validLosses: number[] = [];
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    const chunk = step % chunksPerPass;
    if (chunk === 0) {
      disposeState(state);
      state = null;
      offset = Math.floor(uniforms(1)[0] * seqLen);
    }
    for (let t = 0; t < seqLen; t++) {
      for (let b = 0; b < batch; b++) {
        const at = offset + b * streamLen + chunk * seqLen + t;
        input[t * batch + b] = train[at];
        target[t * batch + b] = train[at + 1];
      }
    }
    optimizer.lr = lr * (0.55 + 0.45 * Math.cos((Math.PI * step) / steps));
    const prev: LSTMState | null = state;
    const t0 = performance.now();
    const r = wg.tidy(() => {
      const [logits, [h, c]] = model.forward(input, batch, prev);
      const loss = wg.F.crossEntropy(logits, target);
      optimizer.zeroGrad();
      loss.backward();
      wg.nn.utils.clipGradNorm(model.parameters(), clip);
      optimizer.step();
      return { loss: loss.item(), next: [h.detach(), c.detach()] as LSTMState };
    });
    stepTime += performance.now() - t0;
    disposeState(prev);
    state = r.next;
    windowSum += r.loss;
    windowSteps++;
    const done = step + 1;
    if (done % 10 === 0 || done === steps) {
      const bar = progressBar(done / steps);
      log(
        `step ${done}/${steps} ${bar} loss ${(windowSum / windowSteps).toFixed(4)} nats/char  ${(stepTime / done).toFixed(1)} ms/step`,
        false,
      );
    }
    if ((evalEvery > 0 && done % evalEvery === 0) || done === steps) {
      const validLoss = evaluate(model, valid);
      trainLosses.push(windowSum / windowSteps);
      validLosses.push(validLoss);
      log(
        `step ${done}/${steps}  train ${(windowSum / windowSteps).toFixed(4)}  held-out ${validLoss.toFixed(4)} nats/char (${(validLoss / Math.LN2).toFixed(3)} bits)  ${(stepTime / done).toFixed(1)} ms/step`,
        true,
      );
      windowSum = 0;
      windowSteps = 0;
    }
  }
  disposeState(state);
  const seconds = (performance.now() - started) / 1000;
  const counts = new CountModel(vocab, train);
  const text = sample(model, corpus, { length: sampleLength, temperature });
  const bigramText = sampleBigram(counts, corpus, { length: sampleLength, temperature });
  const parameters = model.parameters().reduce((n, p) => n + p.numel(), 0);
  model.dispose();
  optimizer.dispose();
  return {
    vocab,
    trainChars: train.length,
    validChars: valid.length,
    parameters,
    steps,
    msPerStep: stepTime / steps,
    seconds,
    trainLosses,
    validLosses,
    validLoss: validLosses[validLosses.length - 1],
    unigramLoss: counts.loss(valid, 1),
    bigramLoss: counts.loss(valid, 2),
    sample: text,
    bigramSample: bigramText,
    sampleKnownWords: knownWordFraction(text, corpus.text),
    bigramKnownWords: knownWordFraction(bigramText, corpus.text),
  };
}

function main(): void {
  const steps = Number(process.argv[2] ?? 800);
  const info = wg.backendInfo();
  console.log(
    `wasmgrad: character-level LSTM (embedding 32, 256 hidden units, dropout 0.5), Adam, batch 32 x 64 characters (${info.relaxedSimd ? "relaxed SIMD" : "SIMD"} kernels)`,
  );
  const tty = process.stdout.isTTY === true;
  const r = trainCharModel({
    steps,
    log: (line, final) => {
      if (tty) process.stdout.write(`\r\x1b[K${line}${final ? "\n" : ""}`);
      else if (final) console.log(line);
    },
  });
  console.log(
    `data: Genesis 1-22 (King James Version), ${r.trainChars} characters to train on, the last ${r.validChars} held out, ${r.vocab} distinct characters; ${r.parameters} parameters`,
  );
  const nats = (v: number) => `${v.toFixed(3)} nats/char (${(v / Math.LN2).toFixed(2)} bits)`;
  console.log(`held-out loss: LSTM ${nats(r.validLoss)}`);
  console.log(`  baselines:   character frequencies ${nats(r.unigramLoss)}`);
  console.log(`               previous character    ${nats(r.bigramLoss)}`);
  console.log(
    `training: ${r.steps} steps in ${r.seconds.toFixed(0)} s, ${r.msPerStep.toFixed(1)} ms per step (forward + backward through 64 steps + clip + Adam)`,
  );
  console.log(
    `sample (temperature 0.6), ${(r.sampleKnownWords * 100).toFixed(0)}% of its words occur in the text:\n\nAnd ${r.sample}\n`,
  );
  console.log(
    `the bigram counts at the same temperature write ${(r.bigramKnownWords * 100).toFixed(0)}% known words:\n\nAnd ${r.bigramSample}\n`,
  );
  const mem = wg.memory();
  console.log(`memory: ${mem.liveTensors} live tensors, peak ${mem.peakBytes} bytes`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Worker threads join in the background, and a synchronous training loop never lets them:
  // wait for them first (ready() resolves at once where threads are off).
  await wg.ready();
  main();
}
