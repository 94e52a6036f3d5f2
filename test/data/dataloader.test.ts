/**
 * data.DataLoader: batches in order and shuffled (a fresh permutation per epoch, reproducible
 * under manualSeed), every dataset form, dropLast, length, batches as independent copies,
 * memory, and error messages.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

/** x [n, 3] with row i = [i, 10 i, 100 i]; y[i] = i. */
function numbered(n: number): { x: wg.Tensor; y: Int32Array } {
  const data = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) data.set([i, 10 * i, 100 * i], i * 3);
  return { x: wg.tensor(data, { shape: [n, 3] }), y: Int32Array.from({ length: n }, (_, i) => i) };
}

/** Every batch of one epoch as plain arrays (the batch tensors are disposed). */
function epoch(loader: wg.data.DataLoader<{ x: wg.Tensor; y: Int32Array }>): {
  x: number[][];
  y: number[][];
} {
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (const { x, y } of loader) {
    xs.push(Array.from(x.data()));
    ys.push(Array.from(y));
    x.dispose();
  }
  return { x: xs, y: ys };
}

const rowsOf = (ids: number[]): number[] => ids.flatMap((i) => [i, 10 * i, 100 * i]);

describe("DataLoader", () => {
  it("yields batches in order, the last one partial, and length counts them", () => {
    const ds = numbered(10);
    const loader = new wg.data.DataLoader(ds, { batchSize: 4 });
    expect(loader.length).toBe(3);
    expect(loader.numSamples).toBe(10);
    const e = epoch(loader);
    expect(e.y).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    expect(e.x).toEqual([rowsOf([0, 1, 2, 3]), rowsOf([4, 5, 6, 7]), rowsOf([8, 9])]);
    expect(epoch(loader)).toEqual(e); // no shuffle: every epoch the same
    ds.x.dispose();
  });

  it("dropLast drops the partial batch; batchSize defaults to 1", () => {
    const ds = numbered(10);
    const dropped = new wg.data.DataLoader(ds, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect(epoch(dropped).y).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    const exact = new wg.data.DataLoader(ds, { batchSize: 5, dropLast: true });
    expect(exact.length).toBe(2);
    const single = new wg.data.DataLoader(ds);
    expect(single.length).toBe(10);
    expect(epoch(single).y).toEqual(Array.from({ length: 10 }, (_, i) => [i]));
    ds.x.dispose();
  });

  it("shuffle: each epoch is a new permutation of all samples, x and y kept together", () => {
    wg.manualSeed(7);
    const ds = numbered(23);
    const loader = new wg.data.DataLoader(ds, { batchSize: 5, shuffle: true });
    const epochs = [epoch(loader), epoch(loader), epoch(loader)];
    for (const e of epochs) {
      const ids = e.y.flat();
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
      expect(e.x.flat()).toEqual(rowsOf(ids));
      expect(e.y.map((b) => b.length)).toEqual([5, 5, 5, 5, 3]);
    }
    expect(epochs[0].y.flat()).not.toEqual(epochs[1].y.flat());
    expect(epochs[1].y.flat()).not.toEqual(epochs[2].y.flat());
    ds.x.dispose();
  });

  it("shuffle is reproducible under manualSeed and differs between seeds", () => {
    const ds = numbered(50);
    const loader = new wg.data.DataLoader(ds, { batchSize: 8, shuffle: true });
    const run = (seed: number): number[][] => {
      wg.manualSeed(seed);
      return [epoch(loader).y.flat(), epoch(loader).y.flat()];
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    ds.x.dispose();
  });

  it("shuffle is uniform: each sample is first about equally often", () => {
    wg.manualSeed(11);
    const ds = numbered(4);
    const loader = new wg.data.DataLoader(ds, { batchSize: 4, shuffle: true });
    const counts = [0, 0, 0, 0];
    const n = 4000;
    for (let i = 0; i < n; i++) counts[epoch(loader).y[0][0]]++;
    // Binomial(4000, 1/4): sd ~27; 6 sd is far beyond chance.
    for (const c of counts) expect(Math.abs(c - n / 4)).toBeLessThan(6 * Math.sqrt(n * 0.1875));
    ds.x.dispose();
  });

  it("a Tensor dataset yields tensors, keeping the sample shape", () => {
    const flat = wg.arange(36);
    const images = flat.reshape(4, 1, 3, 3);
    const loader = new wg.data.DataLoader(images, { batchSize: 3 });
    const batches = [...loader];
    expect(batches.map((b) => [...b.shape])).toEqual([
      [3, 1, 3, 3],
      [1, 1, 3, 3],
    ]);
    expect(Array.from(batches[1].data())).toEqual(Array.from({ length: 9 }, (_, i) => 27 + i));
    for (const t of [...batches, images, flat]) t.dispose();
  });

  it("an array of tensors yields arrays; a Tensor y is gathered like x", () => {
    wg.manualSeed(1);
    const { x, y } = numbered(6);
    const yt = wg.tensor(Array.from({ length: 6 }, (_, i) => [i, -i]));
    const loader = new wg.data.DataLoader([x, yt], { batchSize: 4, shuffle: true });
    for (const [bx, by] of loader) {
      const ids = Array.from(bx.data()).filter((_, k) => k % 3 === 0);
      expect(Array.from(by.data())).toEqual(ids.flatMap((i) => [i, -i]));
      bx.dispose();
      by.dispose();
    }
    const pairs = new wg.data.DataLoader({ x, y: yt }, { batchSize: 6 });
    for (const b of pairs) {
      expect(b.y.shape).toEqual([6, 2]);
      expect(b.y).toBeInstanceOf(wg.Tensor);
      b.x.dispose();
      b.y.dispose();
    }
    expect(y).toBeInstanceOf(Int32Array);
    x.dispose();
    yt.dispose();
  });

  it("reads a lazy transposed view correctly", () => {
    const base = wg.tensor([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    const loader = new wg.data.DataLoader(base.T, { batchSize: 3 });
    const [first, second] = [...loader];
    expect(first.toArray()).toEqual([
      [1, 5],
      [2, 6],
      [3, 7],
    ]);
    expect(second.toArray()).toEqual([[4, 8]]);
    for (const t of [first, second, base]) t.dispose();
  });

  it("batches are copies: disposing or changing them leaves the dataset alone", () => {
    const ds = numbered(4);
    const loader = new wg.data.DataLoader(ds, { batchSize: 2 });
    for (const b of loader) {
      b.y[0] = -1;
      b.x.dispose();
    }
    expect(Array.from(ds.y)).toEqual([0, 1, 2, 3]);
    expect(Array.from(ds.x.data())).toEqual(rowsOf([0, 1, 2, 3]));
    ds.x.dispose();
  });

  it("an empty dataset has no batches", () => {
    const x = wg.zeros([0, 3]);
    const loader = new wg.data.DataLoader({ x, y: new Int32Array(0) }, { batchSize: 4 });
    expect(loader.length).toBe(0);
    expect([...loader]).toEqual([]);
    x.dispose();
  });

  it("iterating inside tidy frees every batch; memory stays flat over epochs", () => {
    wg.manualSeed(5);
    const ds = numbered(100);
    const loader = new wg.data.DataLoader(ds, { batchSize: 16, shuffle: true });
    const before = wg.memory();
    for (let e = 0; e < 5; e++) {
      wg.tidy(() => {
        for (const b of loader) b.x.sum();
      });
      expect(wg.memory().liveTensors).toBe(before.liveTensors);
      expect(wg.memory().liveBytes).toBe(before.liveBytes);
    }
    ds.x.dispose();
  });

  it.each([
    [
      "batchSize 0",
      () => new wg.data.DataLoader(wg.zeros([2, 1]), { batchSize: 0 }),
      /DataLoader: batchSize must be an integer >= 1 but got 0/,
    ],
    [
      "batchSize 2.5",
      () => new wg.data.DataLoader(wg.zeros([2, 1]), { batchSize: 2.5 }),
      /batchSize must be an integer >= 1 but got 2.5/,
    ],
    [
      "shuffle 1",
      () => new wg.data.DataLoader(wg.zeros([2, 1]), { shuffle: 1 as never }),
      /DataLoader: shuffle must be true or false but got 1/,
    ],
    [
      "python spelling",
      () => new wg.data.DataLoader(wg.zeros([2, 1]), { batch_size: 2 } as never),
      /DataLoader: unknown option "batch_size"; did you mean batchSize\? \(known: batchSize, shuffle, dropLast\)/,
    ],
    [
      "x and y disagree",
      () => new wg.data.DataLoader({ x: wg.zeros([5, 2]), y: new Int32Array(4) }),
      /DataLoader: x has 5 samples \(shape \[5,2\]\) but y has 4 \(length 4\)/,
    ],
    [
      "tensors disagree",
      () => new wg.data.DataLoader([wg.zeros([5, 2]), wg.zeros([3])]),
      /DataLoader: tensor 0 has 5 samples \(shape \[5,2\]\) but tensor 1 has 3 \(shape \[3\]\)/,
    ],
    [
      "0-d tensor",
      () => new wg.data.DataLoader(wg.tensor(3)),
      /DataLoader: dataset must have the samples along its first dimension but is a 0-d tensor/,
    ],
    [
      "number[] labels",
      () => new wg.data.DataLoader({ x: wg.zeros([2, 1]), y: [0, 1] as never }),
      /DataLoader: y must be a Tensor or an Int32Array but got an array/,
    ],
    [
      "Float32Array dataset",
      () => new wg.data.DataLoader(new Float32Array(4) as never),
      /DataLoader: dataset must be a Tensor, an array of Tensors or \{ x: Tensor, y: Int32Array \| Tensor \} but got Float32Array/,
    ],
    ["empty array", () => new wg.data.DataLoader([]), /DataLoader: the array of tensors is empty/],
    [
      "disposed dataset",
      () => {
        const x = wg.zeros([4, 2]);
        const l = new wg.data.DataLoader(x, { batchSize: 2 });
        x.dispose();
        return [...l];
      },
      /DataLoader: tensor was disposed/,
    ],
  ] as [string, () => unknown, RegExp][])("rejects %s", (_, fn, pattern) => {
    wg.tidy(() => {
      expect(fn).toThrow(wg.WasmgradError);
      expect(fn).toThrow(pattern);
    });
  });
});
