import { expect, it } from "vitest";
import * as wg from "wasmgrad";

it("imports in Chromium with relaxed SIMD and trains a tiny model", async () => {
  await wg.ready();
  const info = wg.backendInfo();
  expect(info.simd).toBe(true);
  expect(info.relaxedSimd).toBe(true);
  expect(info.wasmBytes).toBeGreaterThan(1000);
  // Chromium 156 runs V8 15.6: the relaxed build's 6x8 gemm tile, which every test in this
  // project then exercises.
  expect(info.gemmTile).toBe("6x8");

  wg.manualSeed(3);
  const model = new wg.nn.Sequential(
    new wg.nn.Linear(4, 16),
    new wg.nn.ReLU(),
    new wg.nn.Linear(16, 3),
  );
  const opt = new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
  const x = wg.randn([24, 4]);
  const labels = wg.tidy(() =>
    x
      .matmul(wg.randn([4, 3]))
      .argmax(1)
      .data<Int32Array>(),
  );
  const losses: number[] = [];
  for (let step = 0; step < 30; step++) {
    losses.push(
      wg.tidy(() => {
        const loss = wg.F.crossEntropy(model.forward(x), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
  model.dispose();
  opt.dispose();
  x.dispose();
  expect(wg.memory().liveTensors).toBe(0);
});

it("computes the same matmul and softmax as plain JavaScript", () => {
  const a = wg.tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const b = wg.tensor([
    [1, 0],
    [0, 1],
    [1, 1],
  ]);
  const c = a.matmul(b);
  expect(c.toArray()).toEqual([
    [4, 5],
    [10, 11],
  ]);
  const softmax = c.softmax(1);
  const s = softmax.data();
  const e = Math.exp(1);
  expect(s[1]).toBeCloseTo(e / (1 + e), 6);
  for (const t of [a, b, c, softmax]) t.dispose();
});

it("trains a small CNN (conv, batch norm, pooling, dropout) with Adam in Chromium", () => {
  const before = wg.memory().liveTensors;
  wg.manualSeed(4);
  const model = new wg.nn.Sequential(
    new wg.nn.Conv2d(1, 4, 3, { padding: 1 }),
    new wg.nn.BatchNorm2d(4),
    new wg.nn.ReLU(),
    new wg.nn.MaxPool2d(2),
    new wg.nn.Flatten(),
    new wg.nn.Dropout(0.1),
    new wg.nn.Linear(4 * 4 * 4, 2),
  );
  const opt = new wg.optim.Adam(model.parameters(), { lr: 0.01 });
  // Two classes: a bright blob in the top-left quadrant, or in the bottom-right one.
  const n = 16;
  const images = new Float32Array(n * 64);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    const o = labels[i] === 0 ? 9 : 45;
    for (const d of [0, 1, 8, 9]) images[i * 64 + o + d] = 1;
  }
  const x = wg.tensor(images, { shape: [n, 1, 8, 8] });
  const losses: number[] = [];
  for (let step = 0; step < 25; step++) {
    losses.push(
      wg.tidy(() => {
        const loss = wg.F.crossEntropy(model.forward(x), labels);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.5);
  model.eval();
  const predicted = wg.noGrad(() => wg.tidy(() => model.forward(x).argmax(1).data<Int32Array>()));
  expect(Array.from(predicted)).toEqual(Array.from(labels));
  model.dispose();
  opt.dispose();
  x.dispose();
  expect(wg.memory().liveTensors).toBe(before);
});

it("computes conv2d as a direct loop does, in the relaxed build", () => {
  const x = wg.tensor(
    Float32Array.from({ length: 2 * 5 * 6 }, (_, i) => Math.sin(i)),
    {
      shape: [1, 2, 5, 6],
    },
  );
  const w = wg.tensor(
    Float32Array.from({ length: 3 * 2 * 9 }, (_, i) => Math.cos(i)),
    {
      shape: [3, 2, 3, 3],
    },
  );
  const out = wg.F.conv2d(x, w, null, { padding: 1 }).data();
  const xs = x.data();
  const ws = w.data();
  for (let o = 0; o < 3; o++)
    for (let y = 0; y < 5; y++)
      for (let z = 0; z < 6; z++) {
        let s = 0;
        for (let c = 0; c < 2; c++)
          for (let i = 0; i < 3; i++)
            for (let j = 0; j < 3; j++) {
              const yy = y + i - 1;
              const zz = z + j - 1;
              if (yy >= 0 && yy < 5 && zz >= 0 && zz < 6)
                s += xs[(c * 5 + yy) * 6 + zz] * ws[((o * 2 + c) * 3 + i) * 3 + j];
            }
        expect(out[(o * 5 + y) * 6 + z]).toBeCloseTo(s, 5);
      }
  x.dispose();
  w.dispose();
});

it("trains an Embedding + LSTM model and round-trips it through safetensors", () => {
  const before = wg.memory().liveTensors;
  wg.manualSeed(5);
  const emb = new wg.nn.Embedding(6, 8);
  const lstm = new wg.nn.LSTM(8, 16, { batchFirst: true });
  const head = new wg.nn.Linear(16, 6);
  const params = [...emb.parameters(), ...lstm.parameters(), ...head.parameters()];
  const opt = new wg.optim.Adam(params, { lr: 0.02 });
  // Predict the next token of the repeating sequence 0 1 2 3 4 5 0 1 ...
  const tokens = Array.from({ length: 4 * 12 }, (_, i) => (i + Math.floor(i / 12)) % 6);
  const targets = Array.from({ length: 4 * 12 }, (_, i) => (tokens[i] + 1) % 6);
  const run = () => {
    const [out] = lstm.forward(emb.forward(wg.tensor(tokens, { shape: [4, 12] })));
    return wg.F.crossEntropy(head.forward(out).reshape(-1, 6), targets);
  };
  const losses: number[] = [];
  for (let step = 0; step < 40; step++) {
    losses.push(
      wg.tidy(() => {
        const loss = run();
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.3);
  const bytes = wg.save(lstm.stateDict());
  const copy = new wg.nn.LSTM(8, 16, { batchFirst: true });
  wg.tidy(() => copy.loadStateDict(wg.load(bytes)));
  const sd = copy.stateDict();
  for (const [k, v] of Object.entries(lstm.stateDict())) {
    expect(Array.from(sd[k].data())).toEqual(Array.from(v.data()));
  }
  for (const m of [emb, lstm, head, copy]) m.dispose();
  opt.dispose();
  expect(wg.memory().liveTensors).toBe(before);
});
