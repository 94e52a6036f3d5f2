/**
 * fit: trains (the loss falls, the classes are learnt), matches the hand-written loop bit for
 * bit under the same seed, keeps memory flat across epochs, reports every step and epoch, prints
 * one plain line per epoch off a terminal and an in-place bar on one, accepts every batch form,
 * and rejects bad arguments without leaking the step's tensors.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";

/** Three Gaussian blobs in 2-D, 40 points each; x [120, 2], y Int32Array [120]. */
function blobs(): { x: wg.Tensor; y: Int32Array } {
  wg.manualSeed(123);
  const noise = wg.randn([120, 2]);
  const n = noise.data();
  noise.dispose();
  const data = new Float32Array(240);
  const y = new Int32Array(120);
  for (let i = 0; i < 120; i++) {
    const k = i % 3;
    y[i] = k;
    data[2 * i] = 2 * Math.cos((2 * Math.PI * k) / 3) + 0.5 * n[2 * i];
    data[2 * i + 1] = 2 * Math.sin((2 * Math.PI * k) / 3) + 0.5 * n[2 * i + 1];
  }
  return { x: wg.tensor(data, { shape: [120, 2] }), y };
}

function mlp(seed: number): wg.nn.Sequential {
  wg.manualSeed(seed);
  return new wg.nn.Sequential(new wg.nn.Linear(2, 16), new wg.nn.ReLU(), new wg.nn.Linear(16, 3));
}

const ce = (out: wg.Tensor, y: Int32Array): wg.Tensor => wg.F.crossEntropy(out, y);

function accuracy(model: wg.nn.Module, x: wg.Tensor, y: Int32Array): number {
  const predicted = wg.noGrad(() => wg.tidy(() => model.forward(x).argmax(1).data<Int32Array>()));
  return predicted.filter((p, i) => p === y[i]).length / y.length;
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs fn with process.stdout.isTTY set to `tty`. */
function withTTY<T>(tty: boolean, fn: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
  Object.defineProperty(process.stdout, "isTTY", { value: tty, configurable: true });
  try {
    return fn();
  } finally {
    if (saved) Object.defineProperty(process.stdout, "isTTY", saved);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  }
}

describe("fit", () => {
  it("trains a small classifier: the loss falls and the classes are learnt", () => {
    const ds = blobs();
    const model = mlp(1);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const loader = new wg.data.DataLoader(ds, { batchSize: 16, shuffle: true });
    const before = accuracy(model, ds.x, ds.y);
    const history = wg.fit(model, loader, { optimizer, loss: ce, epochs: 8, verbose: false });
    expect(history.loss.length).toBe(8);
    expect(history.loss[7]).toBeLessThan(0.25 * history.loss[0]);
    expect(history.loss[7]).toBeLessThan(0.2);
    expect(accuracy(model, ds.x, ds.y)).toBeGreaterThan(Math.max(0.95, before));
    model.dispose();
    optimizer.dispose();
    ds.x.dispose();
  });

  it("gives exactly the parameters of the hand-written loop for the same seed", () => {
    const ds = blobs();
    const train = (useFit: boolean): { params: Float32Array[]; losses: number[] } => {
      const model = mlp(42);
      const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
      const loader = new wg.data.DataLoader(ds, { batchSize: 32, shuffle: true });
      wg.manualSeed(9); // the shuffles
      let losses: number[];
      if (useFit) {
        losses = wg.fit(model, loader, { optimizer, loss: ce, epochs: 3, verbose: false }).loss;
      } else {
        losses = [];
        for (let epoch = 0; epoch < 3; epoch++) {
          model.train();
          let sum = 0;
          for (const { x, y } of loader) {
            sum += wg.tidy(() => {
              optimizer.zeroGrad();
              const loss = wg.F.crossEntropy(model.forward(x), y);
              loss.backward();
              optimizer.step();
              return loss.item();
            });
            x.dispose();
          }
          losses.push(sum / loader.length);
        }
      }
      const params = model.parameters().map((p) => p.data());
      model.dispose();
      optimizer.dispose();
      return { params, losses };
    };
    const byFit = train(true);
    const byHand = train(false);
    expect(byFit.params.length).toBe(4);
    byFit.params.forEach((p, i) => {
      expect(p).toEqual(byHand.params[i]);
    });
    expect(byFit.losses).toEqual(byHand.losses);
    ds.x.dispose();
  });

  it("keeps memory flat across epochs and frees every step's tensors", () => {
    const ds = blobs();
    const model = mlp(2);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
    const loader = new wg.data.DataLoader(ds, { batchSize: 16, shuffle: true });
    const start = wg.memory();
    const seen: wg.MemoryInfo[] = [];
    wg.fit(model, loader, {
      optimizer,
      loss: ce,
      epochs: 6,
      verbose: false,
      onEpoch: () => seen.push(wg.memory()),
    });
    // After the first step: 4 gradients and 4 momentum buffers, nothing else, ever.
    for (const m of seen) {
      expect(m.liveTensors).toBe(start.liveTensors + 8);
      expect(m.liveBytes).toBe(seen[0].liveBytes);
    }
    model.dispose();
    optimizer.dispose();
    ds.x.dispose();
    // Disposed: 4 parameters with their 4 gradients, 4 momentum buffers, and x.
    expect(wg.memory().liveTensors).toBe(start.liveTensors + 8 - 13);
  });

  it("calls onStep for every step and onEpoch with the mean loss and the time", () => {
    const ds = blobs();
    const model = mlp(3);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    const loader = new wg.data.DataLoader(ds, { batchSize: 50 }); // 3 steps: 50, 50, 20
    const steps: wg.StepInfo[] = [];
    const epochs: wg.EpochInfo[] = [];
    const history = wg.fit(model, loader, {
      optimizer,
      loss: ce,
      epochs: 2,
      verbose: false,
      onStep: (s) => steps.push(s),
      onEpoch: (e) => epochs.push(e),
    });
    expect(steps.map((s) => [s.epoch, s.step])).toEqual([
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    for (const e of epochs) {
      const own = steps.filter((s) => s.epoch === e.epoch).map((s) => s.loss);
      expect(e.loss).toBe((own[0] + own[1] + own[2]) / 3);
      expect(e.seconds).toBeGreaterThan(0);
      expect(e.seconds).toBeLessThan(60);
    }
    expect(history.loss).toEqual(epochs.map((e) => e.loss));
    // The first step's loss is the untrained model's loss on the first 50 samples.
    const fresh = mlp(3);
    const first = wg.tidy(() =>
      wg.noGrad(() =>
        wg.F.crossEntropy(fresh.forward(ds.x.narrow(0, 0, 50)), ds.y.subarray(0, 50)).item(),
      ),
    );
    expect(steps[0].loss).toBe(first);
    for (const m of [model, fresh]) m.dispose();
    optimizer.dispose();
    ds.x.dispose();
  });

  it("prints one plain line per epoch when stdout is not a terminal", () => {
    const ds = blobs();
    const model = mlp(4);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    const loader = new wg.data.DataLoader(ds, { batchSize: 40 });
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const write = vi.spyOn(process.stdout, "write");
    const history = withTTY(false, () => wg.fit(model, loader, { optimizer, loss: ce, epochs: 2 }));
    expect(write).not.toHaveBeenCalled();
    expect(log).toHaveBeenCalledTimes(2);
    log.mock.calls.forEach(([line], e) => {
      expect(line).toMatch(
        /^epoch [12]\/2 {2}loss \d+\.\d{4} {2}3 steps {2}\d+\.\ds {2}\d+\.\d steps\/s$/,
      );
      expect(line).toContain(`epoch ${e + 1}/2  loss ${history.loss[e].toFixed(4)}  3 steps`);
    });
    model.dispose();
    optimizer.dispose();
    ds.x.dispose();
  });

  it("redraws a progress bar in place on a terminal, ending each epoch with a line", () => {
    const ds = blobs();
    const model = mlp(5);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    const loader = new wg.data.DataLoader(ds, { batchSize: 8 }); // 15 steps
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    withTTY(true, () => wg.fit(model, loader, { optimizer, loss: ce, epochs: 2 }));
    expect(log).not.toHaveBeenCalled();
    // Every write returns to the line start and clears it ("\r" then ESC [K).
    const clear = "\r\x1b[K";
    expect(written.every((w) => w.startsWith(clear))).toBe(true);
    const lines = written.map((w) => w.slice(clear.length));
    const ends = lines.filter((w) => w.endsWith("\n"));
    expect(ends.length).toBe(2);
    expect(ends[1]).toMatch(/^epoch 2\/2 {2}loss \d+\.\d{4} {2}15 steps/);
    // The epoch's last step always redraws: a full bar with the step count and an ETA of 0.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^epoch 1\/2 \[#{20}\] 15\/15 loss \d+\.\d{4} \d+\.\d steps\/s ETA 0\.0s$/,
      ),
    );
    model.dispose();
    optimizer.dispose();
    ds.x.dispose();
  });

  it("ends an open progress bar's line when a step throws", () => {
    const model = mlp(9);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    const batch = { x: wg.ones([2, 2]), y: Int32Array.from([0, 1]) };
    // Claims one batch but yields two: the bar is drawn complete after the first step.
    const loader = {
      length: 1,
      *[Symbol.iterator]() {
        yield batch;
        yield batch;
      },
    };
    let calls = 0;
    const loss = (out: wg.Tensor, y: Int32Array): wg.Tensor => {
      if (++calls === 2) throw new Error("boom");
      return ce(out, y);
    };
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
      written.push(String(s));
      return true;
    });
    expect(() => withTTY(true, () => wg.fit(model, loader, { optimizer, loss }))).toThrow("boom");
    expect(written.length).toBe(2);
    expect(written[0]).toContain("epoch 1/1 [");
    expect(written[1]).toBe("\n");
    batch.x.dispose();
    model.dispose();
    optimizer.dispose();
  });

  it("prints nothing with verbose: false", () => {
    const ds = blobs();
    const model = mlp(6);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    withTTY(true, () =>
      wg.fit(model, new wg.data.DataLoader(ds, { batchSize: 60 }), {
        optimizer,
        loss: ce,
        verbose: false,
      }),
    );
    expect(log).not.toHaveBeenCalled();
    expect(write).not.toHaveBeenCalled();
    model.dispose();
    optimizer.dispose();
    ds.x.dispose();
  });

  it("takes Tensor batches (input as target) and array batches [x, y]; sets training mode", () => {
    wg.manualSeed(8);
    const x = wg.randn([12, 4]);
    const auto = new wg.nn.Sequential(
      new wg.nn.Linear(4, 2),
      new wg.nn.Tanh(),
      new wg.nn.Linear(2, 4),
    );
    auto.eval();
    const optimizer = new wg.optim.SGD(auto.parameters(), { lr: 0.05 });
    const targets: wg.Tensor[] = [];
    const inputs: wg.Tensor[] = [];
    const spy = {
      forward: (t: wg.Tensor) => {
        inputs.push(t);
        return auto.forward(t);
      },
      train: (mode?: boolean) => auto.train(mode),
    };
    wg.fit(spy, new wg.data.DataLoader(x, { batchSize: 4 }), {
      optimizer,
      loss: (out, y) => {
        targets.push(y);
        return wg.F.mseLoss(out, y);
      },
      verbose: false,
    });
    expect(targets.length).toBe(3);
    expect(targets.every((t, i) => t === inputs[i])).toBe(true);
    expect(auto.training).toBe(true);
    const y = wg.randn([12, 4]);
    const pairs: [wg.Tensor, wg.Tensor][] = [];
    const h = wg.fit(auto, new wg.data.DataLoader([x, y], { batchSize: 6 }), {
      optimizer,
      loss: (out, t) => {
        pairs.push([out, t]);
        return wg.F.mseLoss(out, t);
      },
      verbose: false,
    });
    expect(h.loss.length).toBe(1);
    expect(pairs.map(([, t]) => t.shape)).toEqual([
      [6, 4],
      [6, 4],
    ]);
    expect(pairs.every(([, t]) => t.isDisposed)).toBe(true); // freed with the step
    for (const t of [x, y]) t.dispose();
    auto.dispose();
    optimizer.dispose();
  });

  it("runs zero epochs and any re-iterable batches (an array)", () => {
    const model = mlp(7);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    expect(wg.fit(model, [], { optimizer, loss: ce, epochs: 0 })).toEqual({ loss: [] });
    const batch = { x: wg.ones([2, 2]), y: Int32Array.from([0, 1]) };
    const h = wg.fit(model, [batch, batch], { optimizer, loss: ce, epochs: 2, verbose: false });
    expect(h.loss.length).toBe(2);
    expect(batch.x.isDisposed).toBe(false); // made outside fit: the caller's
    batch.x.dispose();
    model.dispose();
    optimizer.dispose();
  });

  it("rejects bad arguments with clear messages, freeing the failed step", () => {
    const ds = blobs();
    const model = mlp(8);
    const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });
    const loader = new wg.data.DataLoader(ds, { batchSize: 40 });
    const bad: [() => unknown, RegExp][] = [
      [
        () => wg.fit(model, loader, { loss: ce } as never),
        /fit: optimizer must have step\(\) and zeroGrad\(\)/,
      ],
      [
        () => wg.fit(model, loader, { optimizer, loss: "crossEntropy" } as never),
        /fit: loss must be a function \(output, y\) => Tensor \(e\.g\. F\.crossEntropy\) but got string/,
      ],
      [
        () => wg.fit(model, loader, { optimizer, loss: ce, epochs: -1 }),
        /fit: epochs must be an integer >= 0 but got -1/,
      ],
      [
        () => wg.fit(model, loader, { optimizer, loss: ce, epoch: 2 } as never),
        /fit: unknown option "epoch" \(known: optimizer, loss, epochs, onStep, onEpoch, verbose\)/,
      ],
      [
        () => wg.fit({} as never, loader, { optimizer, loss: ce }),
        /fit: model must have a forward\(x\) method/,
      ],
      [() => wg.fit(model, 5 as never, { optimizer, loss: ce }), /fit: loader must be iterable/],
      [
        () => wg.fit(model, [7] as never, { optimizer, loss: ce, verbose: false }),
        /fit: a batch must be \{ x: Tensor, y \}, a Tensor or an array of Tensors but got number/,
      ],
      [
        () =>
          wg.fit(model, loader, {
            optimizer,
            loss: (out: wg.Tensor, y: Int32Array) =>
              wg.F.crossEntropy(out, y, { reduction: "none" }),
            verbose: false,
          }),
        /fit: loss must return a one-element Tensor but returned shape \[40\]/,
      ],
    ];
    const before = wg.memory().liveTensors;
    for (const [fn, pattern] of bad) {
      expect(fn).toThrow(wg.WasmgradError);
      expect(fn).toThrow(pattern);
    }
    expect(wg.memory().liveTensors).toBe(before);
    model.dispose();
    optimizer.dispose();
    ds.x.dispose();
  });
});
