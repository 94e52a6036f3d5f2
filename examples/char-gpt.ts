/**
 * A small decoder-only Transformer (a character-level GPT) on Genesis 1-22 (KJV, bundled in
 * examples/data/): token and position embeddings, pre-norm blocks of causal self-attention
 * (the fused scaledDotProductAttention kernel, isCausal) and a GELU MLP, a final LayerNorm and a
 * linear head. AdamW with weight decay on the matrices only, the learning rate warmed up
 * linearly and then decayed along a cosine (computed here; a scheduler would do the same).
 * It reports the held-out loss in nats per character beside the LSTM example (1.37) and the
 * bigram counts (2.26), the time per step, and a sample.
 *
 *   node dist-examples/examples/char-gpt.js [steps]
 */
import { pathToFileURL } from "node:url";
import * as wg from "wasmgrad";
import { progressBar } from "./mnist-data.js";
import { CountModel, knownWordFraction, loadText, makeCorpus } from "./rnn-char.js";

const { nn } = wg;

export interface GPTConfig {
  vocab: number;
  /** Context length (positions). */
  block: number;
  dModel: number;
  heads: number;
  layers: number;
  dropout: number;
}

/** Causal self-attention: one Linear for q, k and v, the fused kernel, an output Linear. */
export class CausalSelfAttention extends nn.Module {
  qkv: wg.nn.Linear;
  proj: wg.nn.Linear;
  drop: wg.nn.Dropout;

  constructor(readonly cfg: GPTConfig) {
    super();
    this.qkv = new nn.Linear(cfg.dModel, 3 * cfg.dModel);
    this.proj = new nn.Linear(cfg.dModel, cfg.dModel);
    this.drop = new nn.Dropout(cfg.dropout);
  }

  forward(x: wg.Tensor): wg.Tensor {
    const [B, T, d] = x.shape;
    const h = this.cfg.heads;
    const qkv = this.qkv.forward(x);
    const heads = (i: number) =>
      qkv
        .narrow(2, i * d, d)
        .reshape(B, T, h, d / h)
        .transpose(1, 2);
    const y = wg.F.scaledDotProductAttention(heads(0), heads(1), heads(2), {
      isCausal: true,
      dropoutP: this.training ? this.cfg.dropout : 0,
    });
    return this.drop.forward(this.proj.forward(y.transpose(1, 2).reshape(B, T, d)));
  }
}

export class Block extends nn.Module {
  ln1: wg.nn.LayerNorm;
  attn: CausalSelfAttention;
  ln2: wg.nn.LayerNorm;
  mlp: wg.nn.Sequential;

  constructor(cfg: GPTConfig) {
    super();
    this.ln1 = new nn.LayerNorm(cfg.dModel);
    this.attn = new CausalSelfAttention(cfg);
    this.ln2 = new nn.LayerNorm(cfg.dModel);
    this.mlp = new nn.Sequential(
      new nn.Linear(cfg.dModel, 4 * cfg.dModel),
      new nn.GELU(),
      new nn.Linear(4 * cfg.dModel, cfg.dModel),
      new nn.Dropout(cfg.dropout),
    );
  }

  forward(x: wg.Tensor): wg.Tensor {
    const a = x.add(this.attn.forward(this.ln1.forward(x)));
    return a.add(this.mlp.forward(this.ln2.forward(a)));
  }
}

export class CharGPT extends nn.Module<[tokens: Int32Array, batch: number], wg.Tensor> {
  tok: wg.nn.Embedding;
  pos: wg.nn.Embedding;
  drop: wg.nn.Dropout;
  blocks: wg.nn.ModuleList<Block>;
  ln_f: wg.nn.LayerNorm;
  head: wg.nn.Linear;

  constructor(readonly cfg: GPTConfig) {
    super();
    this.tok = new nn.Embedding(cfg.vocab, cfg.dModel);
    this.pos = new nn.Embedding(cfg.block, cfg.dModel);
    this.drop = new nn.Dropout(cfg.dropout);
    this.blocks = new nn.ModuleList(Array.from({ length: cfg.layers }, () => new Block(cfg)));
    this.ln_f = new nn.LayerNorm(cfg.dModel);
    this.head = new nn.Linear(cfg.dModel, cfg.vocab);
    // GPT-2's initialisation: N(0, 0.02) for the embeddings and Linear weights (biases and
    // LayerNorms keep their defaults), written through loadStateDict so autograd stays out.
    wg.tidy(() => {
      const sd: Record<string, wg.Tensor> = {};
      for (const [name, p] of this.namedParameters()) {
        if (!name.endsWith("bias") && !name.includes("ln"))
          sd[name] = wg.randn([...p.shape]).mul(0.02);
      }
      this.loadStateDict(sd, { strict: false });
    });
  }

  /** tokens: `batch` rows of T ids (row-major). Returns logits [batch * T, vocab]. */
  forward(tokens: Int32Array, batch: number): wg.Tensor {
    const T = tokens.length / batch;
    const positions = Int32Array.from({ length: T }, (_, i) => i);
    let x = this.tok.forward(tokens).reshape(batch, T, -1).add(this.pos.forward(positions));
    x = this.drop.forward(x);
    for (const b of this.blocks) x = b.forward(x);
    return this.head.forward(this.ln_f.forward(x)).reshape(-1, this.cfg.vocab);
  }
}

/** Warm-up then cosine: lr rises linearly for `warmup` steps, then falls to minLr at `steps`. */
export function learningRate(
  step: number,
  steps: number,
  warmup: number,
  maxLr: number,
  minLr: number,
): number {
  if (step < warmup) return (maxLr * (step + 1)) / warmup;
  const t = Math.min(1, (step - warmup) / Math.max(1, steps - warmup));
  return minLr + 0.5 * (maxLr - minLr) * (1 + Math.cos(Math.PI * t));
}

/**
 * AdamW with betas (0.9, 0.95). nanoGPT exempts biases, norms and embeddings from weight decay
 * through parameter groups; with one group here every parameter decays (a small decay).
 */
export function makeOptimizer(model: CharGPT, lr: number, weightDecay: number): wg.optim.AdamW {
  return new wg.optim.AdamW(model.parameters(), { lr, betas: [0.9, 0.95], weightDecay });
}

/** Mean cross-entropy over non-overlapping windows of `block` characters of `ids`. */
export function evaluateGPT(model: CharGPT, ids: Int32Array, batch = 16): number {
  const T = model.cfg.block;
  const windows = Math.floor((ids.length - 1) / T);
  let sum = 0;
  const training = model.training;
  model.eval();
  wg.noGrad(() => {
    for (let w0 = 0; w0 < windows; w0 += batch) {
      const n = Math.min(batch, windows - w0);
      const x = new Int32Array(n * T);
      const y = new Int32Array(n * T);
      for (let b = 0; b < n; b++) {
        x.set(ids.subarray((w0 + b) * T, (w0 + b + 1) * T), b * T);
        y.set(ids.subarray((w0 + b) * T + 1, (w0 + b + 1) * T + 1), b * T);
      }
      sum += wg.tidy(() => wg.F.crossEntropy(model.forward(x, n), y, { reduction: "sum" }).item());
    }
  });
  model.train(training);
  return sum / (windows * T);
}

/** Continues `prime` by sampling at `temperature`, with the context cropped to the block. */
export function sampleGPT(
  model: CharGPT,
  chars: string[],
  length: number,
  temperature: number,
  prime = "And ",
): string {
  const id = new Map(chars.map((c, i) => [c, i]));
  const ids = [...prime].map((c) => id.get(c) ?? 0);
  const training = model.training;
  model.eval();
  let out = "";
  wg.noGrad(() => {
    for (let i = 0; i < length; i++) {
      const ctx = Int32Array.from(ids.slice(-model.cfg.block));
      const p = wg.tidy(() => {
        const logits = model.forward(ctx, 1).narrow(0, ctx.length - 1, 1);
        return wg.softmax(logits.div(temperature), 1).data();
      });
      const u = wg.tidy(() => wg.rand([1]).item());
      let acc = 0;
      let next = p.length - 1;
      for (let j = 0; j < p.length; j++) {
        acc += p[j];
        if (u < acc) {
          next = j;
          break;
        }
      }
      ids.push(next);
      out += chars[next];
    }
  });
  model.train(training);
  return out;
}

/** One optimisation step on `batch` rows of inputs x and targets y; returns the loss before it. */
export function trainStep(
  model: CharGPT,
  optimizer: wg.optim.AdamW,
  x: Int32Array,
  y: Int32Array,
  batch: number,
  clip: number,
): number {
  return wg.tidy(() => {
    const l = wg.F.crossEntropy(model.forward(x, batch), y);
    optimizer.zeroGrad();
    l.backward();
    wg.nn.utils.clipGradNorm(model.parameters(), clip);
    optimizer.step();
    return l.item();
  });
}

export interface GPTOptions {
  steps?: number;
  batch?: number;
  block?: number;
  dModel?: number;
  heads?: number;
  layers?: number;
  dropout?: number;
  lr?: number;
  warmup?: number;
  weightDecay?: number;
  clip?: number;
  seed?: number;
  evalEvery?: number;
  sampleLength?: number;
  log?: (line: string, final: boolean) => void;
}

export interface GPTResult {
  parameters: number;
  steps: number;
  msPerStep: number;
  trainLosses: number[];
  validLoss: number;
  bigramLoss: number;
  sample: string;
  sampleKnownWords: number;
}

export function trainCharGPT(options: GPTOptions = {}): GPTResult {
  const {
    steps = 2000,
    batch = 32,
    block = 64,
    dModel = 96,
    heads = 4,
    layers = 3,
    dropout = 0.1,
    lr = 3e-3,
    warmup = 100,
    weightDecay = 0.01,
    clip = 1,
    seed = 0,
    evalEvery = 500,
    sampleLength = 400,
  } = options;
  const log = options.log ?? (() => {});
  wg.manualSeed(seed);
  const corpus = makeCorpus(loadText());
  const { train, valid } = corpus;
  const cfg: GPTConfig = { vocab: corpus.chars.length, block, dModel, heads, layers, dropout };
  const model = new CharGPT(cfg);
  const optimizer = makeOptimizer(model, lr, weightDecay);
  const x = new Int32Array(batch * block);
  const y = new Int32Array(batch * block);
  const trainLosses: number[] = [];
  let windowSum = 0;
  let windowSteps = 0;
  let stepTime = 0;
  for (let step = 0; step < steps; step++) {
    const starts = wg.tidy(() => wg.rand([batch]).data());
    for (let b = 0; b < batch; b++) {
      const s = Math.floor(starts[b] * (train.length - block - 1));
      x.set(train.subarray(s, s + block), b * block);
      y.set(train.subarray(s + 1, s + block + 1), b * block);
    }
    optimizer.lr = learningRate(step, steps, warmup, lr, lr / 10);
    const t0 = performance.now();
    const loss = trainStep(model, optimizer, x, y, batch, clip);
    stepTime += performance.now() - t0;
    windowSum += loss;
    windowSteps++;
    const done = step + 1;
    if (done % 10 === 0 || done === steps) {
      log(
        `step ${done}/${steps} ${progressBar(done / steps)} loss ${(windowSum / windowSteps).toFixed(4)}  ${(stepTime / done).toFixed(1)} ms/step`,
        false,
      );
    }
    if ((evalEvery > 0 && done % evalEvery === 0) || done === steps) {
      trainLosses.push(windowSum / windowSteps);
      log(
        `step ${done}/${steps}  train ${(windowSum / windowSteps).toFixed(4)} nats/char  ${(stepTime / done).toFixed(1)} ms/step`,
        true,
      );
      windowSum = 0;
      windowSteps = 0;
    }
  }
  const validLoss = evaluateGPT(model, valid);
  const counts = new CountModel(cfg.vocab, train);
  let bigramLoss = 0;
  for (let i = 1; i < valid.length; i++)
    bigramLoss -= Math.log(counts.bigram[valid[i - 1] * cfg.vocab + valid[i]]);
  bigramLoss /= valid.length - 1;
  const text = sampleGPT(model, corpus.chars, sampleLength, 0.6);
  const parameters = model.parameters().reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  model.dispose();
  optimizer.dispose();
  return {
    parameters,
    steps,
    msPerStep: stepTime / steps,
    trainLosses,
    validLoss,
    bigramLoss,
    sample: text,
    sampleKnownWords: knownWordFraction(text, corpus.text),
  };
}

function main(): void {
  const steps = Number(process.argv[2] ?? 2000);
  const tty = process.stdout.isTTY;
  const r = trainCharGPT({
    steps,
    log: (line, final) => {
      if (tty) process.stdout.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
      else if (final) console.log(line);
    },
  });
  console.log(
    `char-GPT: ${r.parameters} parameters, ${r.steps} steps, ${r.msPerStep.toFixed(1)} ms/step`,
  );
  console.log("held-out nats/char:");
  console.log(`  char-GPT (this)      ${r.validLoss.toFixed(3)}`);
  console.log("  LSTM (rnn-char)      1.37");
  console.log(`  bigram counts        ${r.bigramLoss.toFixed(2)} (2.26 in rnn-char)`);
  console.log(
    `sample (temperature 0.6, ${(100 * r.sampleKnownWords).toFixed(0)}% known words):\n${r.sample}`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) main();
