/**
 * The recurrent-network examples at reduced sizes: each must really learn (losses fall below
 * stated bounds, the metric beats its trivial baseline) and leave no tensor behind.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  CharLSTM,
  CountModel,
  evaluate,
  knownWordFraction,
  loadText,
  makeCorpus,
  trainCharModel,
} from "../../examples/rnn-char.js";
import { fitAutoregression, makeSines, trainSequence } from "../../examples/rnn-sequence.js";

describe("the tanh RNN sequence example (rnn-sequence)", () => {
  it("predicts the next value of noisy sines better than the last value and a linear predictor", () => {
    const before = wg.memory().liveTensors;
    const r = trainSequence({ hidden: 32, batch: 32, steps: 1500, testCount: 200, seed: 1 });
    expect(r.steps).toBe(1500);
    expect(r.losses).toHaveLength(10);
    // Training error falls from the first tenth of the run to the last.
    expect(r.losses[9]).toBeLessThan(0.8 * r.losses[0]);
    // Held out: far below "repeat the last value", below the least-squares AR(8) predictor, and
    // (necessarily) above the noise floor 0.1² = 0.01.
    expect(r.floor).toBeCloseTo(0.01, 10);
    expect(r.mse).toBeGreaterThan(r.floor);
    expect(r.mse).toBeLessThan(0.027);
    expect(r.mse).toBeLessThan(0.5 * r.lastValueMse);
    expect(r.mse).toBeLessThan(0.9 * r.autoregressionMse);
    expect(r.example.observed).toHaveLength(100);
    expect(wg.memory().liveTensors).toBe(before);
  });

  it("makes its data and its AR baseline correctly", () => {
    wg.manualSeed(5);
    // Without noise, a single sine obeys x_{t+1} = 2 cos(w) x_t - x_{t-1} exactly, so the
    // least-squares AR(2) recovers those coefficients (and a zero constant).
    const w = 0.3;
    const x = makeSines(50, 40, { noise: 0, minFreq: w, maxFreq: w });
    // (A sum of two sines of one frequency is a single sine of that frequency.)
    const c = fitAutoregression(x, 50, 40, 2);
    expect(c[0]).toBeCloseTo(2 * Math.cos(w), 4);
    expect(c[1]).toBeCloseTo(-1, 4);
    expect(c[2]).toBeCloseTo(0, 4);
    // With noise 0.1 the values differ from the clean ones by about 0.1 (the same seed).
    wg.manualSeed(5);
    const noisy = makeSines(50, 40, { noise: 0.1, minFreq: w, maxFreq: w });
    let ss = 0;
    for (let i = 0; i < x.length; i++) ss += (noisy[i] - x[i]) ** 2;
    expect(Math.sqrt(ss / x.length)).toBeGreaterThan(0.09);
    expect(Math.sqrt(ss / x.length)).toBeLessThan(0.11);
  });
});

describe("the character-level LSTM example (rnn-char)", () => {
  it("bundles Genesis 1-22 and splits it at a line end", () => {
    const text = loadText();
    expect(text.length).toBe(71001);
    expect(text.startsWith("In the beginning God created the heaven and the earth.\n")).toBe(true);
    const corpus = makeCorpus(text);
    expect(corpus.chars).toHaveLength(60);
    expect(corpus.train.length + corpus.valid.length).toBe(text.length);
    expect(text[corpus.train.length - 1]).toBe("\n");
    expect(corpus.chars[corpus.valid[0]]).toBe(text[corpus.train.length]);
  });

  it("scores held-out text from its full context, and the count baselines are right", () => {
    wg.manualSeed(0);
    const corpus = makeCorpus("abab\nabab\n", 0.5);
    const counts = new CountModel(corpus.chars.length, corpus.train);
    // train "abab\n": add-one unigram counts a 3, b 3, \n 2 of 8.
    expect(counts.unigram[corpus.chars.indexOf("a")]).toBeCloseTo(3 / 8, 12);
    // after "a" always "b": (2 + 1) / (2 + 3).
    const a = corpus.chars.indexOf("a");
    const b = corpus.chars.indexOf("b");
    expect(counts.bigram[a * 3 + b]).toBeCloseTo(3 / 5, 12);
    // An untrained model's loss on the same targets, chunked or not, is the same number.
    const model = new CharLSTM(corpus.chars.length, { embedding: 4, hidden: 8 });
    const whole = evaluate(model, corpus.valid, 256);
    const chunked = evaluate(model, corpus.valid, 2);
    expect(chunked).toBeCloseTo(whole, 5);
    expect(whole).toBeGreaterThan(0.5);
    model.dispose();
    expect(knownWordFraction("the LORD zzq said", "And the LORD said")).toBeCloseTo(3 / 4, 12);
  });

  it("learns Genesis at a reduced size: held-out loss below the bigram counts, known words", () => {
    const before = wg.memory().liveTensors;
    const r = trainCharModel({
      steps: 300,
      batch: 16,
      seqLen: 32,
      hidden: 64,
      embedding: 16,
      dropout: 0,
      lr: 1e-2,
      evalEvery: 100,
      sampleLength: 300,
      seed: 0,
    });
    expect(r.vocab).toBe(60);
    expect(r.trainLosses).toHaveLength(3);
    expect(r.validLosses).toHaveLength(3);
    // Training loss starts near ln(60) = 4.1 and must fall below 1.95 nats per character.
    expect(r.trainLosses[2]).toBeLessThan(1.95);
    expect(r.validLosses[2]).toBeLessThan(r.validLosses[0]);
    // The held-out loss beats what character frequencies (about 3.0) and character pairs
    // (about 2.26) achieve.
    expect(r.unigramLoss).toBeGreaterThan(2.9);
    expect(r.bigramLoss).toBeLessThan(r.unigramLoss);
    expect(r.validLoss).toBeLessThan(r.bigramLoss - 0.25);
    expect(r.sample).toHaveLength(300);
    expect(r.sampleKnownWords).toBeGreaterThan(r.bigramKnownWords);
    expect(wg.memory().liveTensors).toBe(before);
  });
});
