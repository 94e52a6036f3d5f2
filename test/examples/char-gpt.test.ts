/**
 * The char-GPT example: five AdamW steps of its Transformer from a PyTorch state dict follow
 * PyTorch's losses step by step (test/fixtures/chargpt.json, from gen_chargpt.py), and a reduced
 * training run really learns (held-out loss well below the unigram entropy) without leaking.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  CharGPT,
  learningRate,
  makeOptimizer,
  trainCharGPT,
  trainStep,
} from "../../examples/char-gpt.js";
import { CountModel, loadText, makeCorpus } from "../../examples/rnn-char.js";
import { type FixtureTensor, loadFixture, toTensor } from "../helpers/fixtures.js";

interface Fixture {
  config: { block: number; dModel: number; heads: number; layers: number; dropout: number };
  train: {
    steps: number;
    batch: number;
    lr: number;
    warmup: number;
    minLr: number;
    weightDecay: number;
    clip: number;
  };
  starts: number[][];
  stateDict: Record<string, FixtureTensor>;
  losses: number[];
  lrs: number[];
}

describe("char-GPT (examples/char-gpt.ts)", () => {
  it("follows PyTorch's losses for 5 AdamW steps from the same state dict", () => {
    const fx = loadFixture<Fixture>("chargpt.json");
    const corpus = makeCorpus(loadText());
    const model = new CharGPT({ vocab: corpus.chars.length, ...fx.config });
    expect(Object.keys(model.stateDict())).toEqual(Object.keys(fx.stateDict));
    const sd = Object.fromEntries(Object.entries(fx.stateDict).map(([k, v]) => [k, toTensor(v)]));
    model.loadStateDict(sd);
    for (const t of Object.values(sd)) t.dispose();
    const { batch, steps, lr, warmup, minLr, weightDecay, clip } = fx.train;
    const L = fx.config.block;
    const opt = makeOptimizer(model, lr, weightDecay);
    const losses: number[] = [];
    fx.starts.forEach((starts, step) => {
      const x = new Int32Array(batch * L);
      const y = new Int32Array(batch * L);
      starts.forEach((s, b) => {
        x.set(corpus.train.subarray(s, s + L), b * L);
        y.set(corpus.train.subarray(s + 1, s + L + 1), b * L);
      });
      opt.lr = learningRate(step, steps, warmup, lr, minLr);
      expect(opt.lr).toBeCloseTo(fx.lrs[step], 12);
      losses.push(trainStep(model, opt, x, y, batch, clip));
    });
    for (const [i, l] of losses.entries()) {
      expect(Math.abs(l - fx.losses[i])).toBeLessThan(2e-4 * fx.losses[i]);
    }
    model.dispose();
    opt.dispose();
  });

  it("a reduced run learns: held-out loss far below the unigram entropy, a readable sample", () => {
    const before = wg.memory().liveTensors;
    const r = trainCharGPT({
      steps: 200,
      batch: 8,
      block: 32,
      dModel: 32,
      heads: 2,
      layers: 2,
      dropout: 0,
      warmup: 20,
      lr: 1e-2,
      evalEvery: 100,
      sampleLength: 80,
    });
    const corpus = makeCorpus(loadText());
    const counts = new CountModel(corpus.chars.length, corpus.train);
    let unigram = 0;
    for (const c of corpus.valid) unigram -= Math.log(counts.unigram[c]);
    unigram /= corpus.valid.length;
    expect(r.trainLosses).toHaveLength(2);
    expect(r.trainLosses[1]).toBeLessThan(r.trainLosses[0]);
    expect(r.validLoss).toBeLessThan(unigram - 0.5);
    expect(r.sample).toHaveLength(80);
    expect(wg.memory().liveTensors).toBe(before);
    console.log(
      `char-GPT reduced: held-out ${r.validLoss.toFixed(3)} (unigram ${unigram.toFixed(3)}, bigram ${r.bigramLoss.toFixed(3)}), ${r.msPerStep.toFixed(1)} ms/step`,
    );
  });
});
