/**
 * Trains a small CNN on the real MNIST digits from the `mnist` package: two blocks of
 * convolution, ReLU and 2x2 max pooling, then a Linear head, with SGD, momentum and a cosine
 * learning-rate decay, showing progress; then reports held-out accuracy, time per step and kernel
 * speed. The training set is small (7,996 digits), so each digit is randomly rotated (up to 10
 * degrees), scaled (up to 10%) and shifted (up to 2 pixels) every time it is seen.
 *
 *   npm start            (or: node dist-examples/examples/mnist-cnn.js [epochs] [--save <path>])
 *
 * `--save <path>` writes the trained weights as safetensors (the demo site ships such a file).
 */
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import * as wg from "wasmgrad";
import { type DigitResult, type Digits, loadMnist, trainDigits } from "./mnist-data.js";

export interface CnnOptions extends CnnShape {
  epochs?: number;
  batchSize?: number;
  lr?: number;
  momentum?: number;
  weightDecay?: number;
  seed?: number;
  /** Random warps of training digits: largest shift (pixels), rotation (degrees), scaling. */
  shift?: number;
  rotate?: number;
  scale?: number;
  /** Train on this many digits, spread over all classes (for quick runs). */
  limit?: number;
  /** Called with a line of progress text; `final` is false for in-place updates. */
  log?: (line: string, final: boolean) => void;
  /** Called with the trained model before it is disposed. */
  onTrained?: (model: wg.nn.Module) => void;
}

/** Held-out accuracy, ms per step, steps, the last loss and each epoch's mean loss. */
export type CnnResult = DigitResult;

export interface CnnShape {
  /** Output channels of the two convolutions. */
  channels?: [number, number];
  /** Units of a hidden dense layer before the output (0: none). */
  hidden?: number;
  /** BatchNorm2d after each convolution. */
  batchNorm?: boolean;
  /** Dropout before the output layer (0: none). */
  dropout?: number;
}

/**
 * conv(1 -> c1, 3x3) [BatchNorm] ReLU maxpool(2), conv(c1 -> c2, 3x3) [BatchNorm] ReLU maxpool(2),
 * Flatten, [Linear(c2*7*7 -> hidden) ReLU], [Dropout], Linear(-> 10).
 */
export function makeCnn(shape: CnnShape = {}): wg.nn.Sequential {
  const { channels: [c1, c2] = [24, 48], hidden = 0, batchNorm = false, dropout = 0 } = shape;
  const block = (cin: number, cout: number) => [
    new wg.nn.Conv2d(cin, cout, 3, { padding: 1, bias: !batchNorm }),
    ...(batchNorm ? [new wg.nn.BatchNorm2d(cout)] : []),
    new wg.nn.ReLU(),
    new wg.nn.MaxPool2d(2),
  ];
  const flat = c2 * 7 * 7;
  return new wg.nn.Sequential(
    ...block(1, c1),
    ...block(c1, c2),
    new wg.nn.Flatten(),
    ...(hidden > 0 ? [new wg.nn.Linear(flat, hidden), new wg.nn.ReLU()] : []),
    ...(dropout > 0 ? [new wg.nn.Dropout(dropout)] : []),
    new wg.nn.Linear(hidden > 0 ? hidden : flat, 10),
  );
}

/** `count` digits spread evenly over `all` (which is sorted by class), so every class is in. */
function spread(all: Digits, count: number): Digits {
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const j = Math.floor((i * all.count) / count);
    images.set(all.images.subarray(j * 784, (j + 1) * 784), i * 784);
    labels[i] = all.labels[j];
  }
  return { images, labels, count };
}

/**
 * Writes digit `j` of `src` into `dst` at `at` (784 floats), warped by a random rotation (up to
 * `rotate` radians), scale (1 ± `scale`) and shift (up to `shift` pixels), sampled bilinearly
 * about the image centre, zero outside. `u` holds five uniform draws in [0, 1).
 */
function augment(
  src: Float32Array,
  j: number,
  dst: Float32Array,
  at: number,
  u: ArrayLike<number>,
  range: { rotate: number; scale: number; shift: number },
): void {
  const angle = (2 * u[0] - 1) * range.rotate;
  const zoom = 1 + (2 * u[1] - 1) * range.scale;
  const dx = (2 * u[2] - 1) * range.shift;
  const dy = (2 * u[3] - 1) * range.shift;
  // Inverse map: output pixel (x, y) reads the source at R(-angle) * ((x, y) - c - d) / zoom + c.
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  const image = src.subarray(j * 784, (j + 1) * 784);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const ox = x - 13.5 - dx;
      const oy = y - 13.5 - dy;
      const sx = cos * ox + sin * oy + 13.5;
      const sy = -sin * ox + cos * oy + 13.5;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const pixel = (xx: number, yy: number) =>
        xx >= 0 && xx < 28 && yy >= 0 && yy < 28 ? image[yy * 28 + xx] : 0;
      dst[at + y * 28 + x] =
        (1 - fy) * ((1 - fx) * pixel(x0, y0) + fx * pixel(x0 + 1, y0)) +
        fy * ((1 - fx) * pixel(x0, y0 + 1) + fx * pixel(x0 + 1, y0 + 1));
    }
  }
}

export function trainCnn(options: CnnOptions = {}): CnnResult {
  const {
    epochs = 15,
    batchSize = 32,
    lr = 0.05,
    momentum = 0.9,
    weightDecay = 0,
    seed = 0,
    shift = 2,
    rotate = 10,
    scale = 0.1,
  } = options;
  const log = options.log ?? (() => {});
  wg.manualSeed(seed);
  const { train: all, test } = loadMnist();
  const trainSet =
    options.limit === undefined || options.limit >= all.count ? all : spread(all, options.limit);
  const model = makeCnn(options);
  const optimizer = new wg.optim.SGD(model.parameters(), { lr, momentum, weightDecay });
  const range = { rotate: (rotate * Math.PI) / 180, scale, shift };
  return trainDigits(model, optimizer, trainSet, test, {
    epochs,
    batchSize,
    log,
    onTrained: options.onTrained,
    // Cosine decay of the learning rate over the whole run.
    beforeStep: (step, total) => {
      optimizer.lr = lr * 0.5 * (1 + Math.cos((Math.PI * step) / total));
    },
    fillBatch: (order, s, x, y) => {
      const draws = wg.rand([4 * batchSize]);
      const u = draws.data();
      draws.dispose();
      for (let i = 0; i < batchSize; i++) {
        const j = order[s * batchSize + i];
        augment(trainSet.images, j, x, i * 784, u.subarray(4 * i, 4 * i + 4), range);
        y[i] = trainSet.labels[j];
      }
    },
  });
}

/** GFLOP/s of one convolution (forward) through the public API. */
export function convGflops(n: number, c: number, size: number, oc: number, repeats = 20): number {
  const x = wg.randn([n, c, size, size]);
  const w = wg.randn([oc, c, 3, 3]);
  wg.F.conv2d(x, w, null, { padding: 1 }).dispose();
  const t0 = performance.now();
  for (let i = 0; i < repeats; i++) wg.F.conv2d(x, w, null, { padding: 1 }).dispose();
  const seconds = (performance.now() - t0) / 1000;
  x.dispose();
  w.dispose();
  return (2 * n * oc * c * 9 * size * size * repeats) / seconds / 1e9;
}

function main(): void {
  const args = process.argv.slice(2);
  const saveAt = args.indexOf("--save");
  const savePath = saveAt >= 0 ? args[saveAt + 1] : undefined;
  if (saveAt >= 0 && savePath === undefined) throw new Error("--save needs a file path");
  const positional = args.filter((_, i) => i !== saveAt && i !== saveAt + 1);
  const epochs = Number(positional[0] ?? 15);
  const info = wg.backendInfo();
  console.log(
    `wasmgrad: MNIST CNN (conv 24, conv 48, dense 10), SGD momentum, batch 32 (${info.relaxedSimd ? "relaxed SIMD" : "SIMD"} kernels, ${info.wasmBytes} bytes of WebAssembly, ${info.threads} thread${info.threads === 1 ? "" : "s"})`,
  );
  console.log(
    "data: 10,000 real MNIST digits from the `mnist` package, 7,996 train (randomly rotated, scaled and shifted), 2,004 held out",
  );
  const tty = process.stdout.isTTY === true;
  const result = trainCnn({
    epochs,
    onTrained: (model) => {
      if (savePath === undefined) return;
      writeFileSync(savePath, wg.save(model.stateDict()));
      console.log(`saved the trained weights to ${savePath}`);
    },
    log: (line, final) => {
      if (tty) process.stdout.write(`\r\x1b[K${line}${final ? "\n" : ""}`);
      else if (final) console.log(line);
    },
  });
  console.log(`held-out accuracy: ${(result.accuracy * 100).toFixed(2)}% on 2,004 digits`);
  console.log(
    `training: ${result.msPerStep.toFixed(2)} ms per step (batch 32, forward + backward + SGD)`,
  );
  console.log(
    `kernel speed: conv2d 3x3 forward, [32,24,14,14] -> 48 channels (this model's second layer) ${convGflops(32, 24, 14, 48).toFixed(1)} GFLOP/s; [8,64,28,28] -> 64 channels ${convGflops(8, 64, 28, 64, 5).toFixed(1)} GFLOP/s`,
  );
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
