/**
 * Regression tests for the defects of issue 11: every input a hostile caller can give either
 * computes or throws a WasmgradError, without corrupting memory, leaking or half-updating state.
 */
import { afterEach, describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const { nn, F, optim } = wg;

function wgError(fn: () => unknown, pattern?: RegExp): void {
  let caught: unknown = null;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, "expected a WasmgradError").toBeInstanceOf(wg.WasmgradError);
  if (pattern !== undefined) expect((caught as Error).message).toMatch(pattern);
}

/** Runs fn (which must throw) and checks that no tensor or byte outlives it. */
function noLeak(fn: () => unknown, pattern?: RegExp): void {
  const before = wg.memory();
  wgError(fn, pattern);
  const after = wg.memory();
  expect(after.liveBytes).toBe(before.liveBytes);
  expect(after.liveTensors).toBe(before.liveTensors);
}

/** A known product, computed after each error to show the library still works. */
function healthy(): void {
  wg.tidy(() => {
    const a = wg.tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(a.matmul(a).toArray()).toEqual([
      [7, 10],
      [15, 22],
    ]);
  });
}

afterEach(healthy);

describe("memory corruption and silent wrong results", () => {
  it("refuses negative and fractional array-like lengths", () => {
    noLeak(() => wg.tensor({ length: -1 } as never), /tensor: data length must be an integer >= 0/);
    noLeak(() => wg.tensor({ length: 2.5 } as never), /got 2\.5/);
    noLeak(() => wg.tensor({ length: 2, 0: "a", 1: 2 } as never), /expected a number/);
    // A number with a one-element shape is read as the data it is (it once said "data has undefined").
    wg.tidy(() => expect(wg.tensor(5, { shape: [1] }).toArray()).toEqual([5]));
    noLeak(
      () => wg.tensor(5, { shape: [2] }),
      /tensor: shape \[2\] needs 2 elements but the data has 1/,
    );
  });

  it("kernels.sgemm refuses negative sizes and plain arrays", () => {
    const a = new Float32Array(16);
    noLeak(() => wg.kernels.sgemm(-1, -1, 4, a, a, a), /kernels\.sgemm: m must be an integer >= 0/);
    noLeak(() => wg.kernels.sgemm(2, 2, -4, a, a, a), /k must be/);
    noLeak(() => wg.kernels.sgemm(1, 1, 1, [1] as never, a, a), /a must be a Float32Array/);
    noLeak(
      () => wg.kernels.sgemm(1, 1, 1, a, a, a, { trans_a: true } as never),
      /did you mean transA/,
    );
    const c = new Float32Array(4);
    wg.kernels.sgemm(2, 2, 2, new Float32Array([1, 2, 3, 4]), new Float32Array([1, 0, 0, 1]), c);
    expect([...c]).toEqual([1, 2, 3, 4]);
  });

  it("conv2d bounds stride, padding, dilation and divisorOverride to int32", () => {
    wg.tidy(() => {
      const x = wg.zeros([1, 1, 4, 4]);
      const w = wg.zeros([1, 1, 2, 2]);
      for (const name of ["stride", "padding", "dilation"]) {
        noLeak(() => F.conv2d(x, w, null, { [name]: 2 ** 32 }), new RegExp(`conv2d: ${name} must`));
        noLeak(() => F.conv2d(x, w, null, { [name]: 2 ** 31 }), new RegExp(`${name} must`));
      }
      noLeak(() => F.avgPool2d(x, 2, { divisorOverride: 2 ** 31 }), /divisorOverride must/);
      noLeak(() => F.avgPool2d(x, 2, { divisorOverride: 2 ** 32 + 1 }), /divisorOverride must/);
      noLeak(() => F.maxPool2d(x, 2 ** 31), /maxPool2d: kernelSize must/);
      noLeak(() => F.conv2d(x, w, null, { padding: 2 ** 30 }), /overflows int32/);
    });
  });

  it("RNN, LSTM and GRU backward refuse a disposed module instead of reading freed memory", () => {
    for (const make of [() => new nn.RNN(3, 4), () => new nn.LSTM(3, 4), () => new nn.GRU(3, 4)]) {
      wg.manualSeed(1);
      const m = make();
      const x = wg.rand([2, 1, 3]);
      const [out] = m.forward(x) as [wg.Tensor, unknown];
      const loss = out.sum();
      m.dispose();
      const before = wg.memory().liveBytes;
      wgError(() => loss.backward(), /was disposed/);
      expect(wg.memory().liveBytes).toBeLessThanOrEqual(before);
      x.dispose();
    }
  });

  it("optimizer.loadStateDict runs the constructor's checks", () => {
    const p = wg.zeros([2]).requiresGrad_();
    const opt = new optim.Adam([p], { lr: 0.1 });
    const sd = opt.stateDict();
    const group = sd.paramGroups[0];
    wgError(() => opt.loadStateDict({ ...sd, paramGroups: [{ ...group, lr: -1 }] }), /lr/);
    wgError(
      () => opt.loadStateDict({ ...sd, paramGroups: [{ ...group, betas: [5, 7] }] }),
      /betas/,
    );
    p.grad = wg.ones([2]);
    opt.step();
    const bad = opt.stateDict();
    (bad.state[0] as { step: number }).step = -3;
    wgError(() => opt.loadStateDict(bad), /step/);
    expect(opt.lr).toBe(0.1);
    p.dispose();
    opt.dispose();
  });

  it("opt.lr = 'x' fails the step before any parameter changes", () => {
    const a = wg.ones([2]).requiresGrad_();
    const b = wg.ones([2]).requiresGrad_();
    a.grad = wg.ones([2]);
    b.grad = wg.ones([2]);
    const opt = new optim.SGD([a, b], { lr: 0.1 });
    (opt as { lr: unknown }).lr = "x";
    wgError(() => opt.step(), /SGD\.step: invalid lr "x"/);
    expect([...a.data()]).toEqual([1, 1]);
    // A failure at the second parameter leaves the first untouched too.
    opt.lr = 0.1;
    b.grad?.dispose();
    wgError(() => opt.step(), /was disposed/);
    expect([...a.data()]).toEqual([1, 1]);
    a.dispose();
    b.dispose();
  });
});

describe("traps, crashes and hangs", () => {
  it("zero-size conv2d kernels are an error, not a divide-by-zero trap", () => {
    wg.tidy(() => {
      const x = wg.zeros([1, 2, 4, 4]);
      const w = wg.zeros([1, 2, 0, 2]);
      const x0 = wg.zeros([1, 0, 4, 4]);
      const w0 = wg.zeros([1, 0, 2, 2]);
      noLeak(() => F.conv2d(x, w), /zero-size kernel dimension/);
      noLeak(() => F.conv2d(x0, w0), /input-channel/);
    });
  });

  it("tidy and noGrad refuse async functions and leave no unhandled rejection", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on("unhandledRejection", onUnhandled);
    try {
      let ran = false;
      wgError(
        () =>
          wg.tidy(async () => {
            ran = true;
            throw new Error("body");
          }),
        /tidy: fn must be synchronous/,
      );
      wgError(
        () =>
          wg.noGrad(async () => {
            ran = true;
          }),
        /noGrad: fn must be synchronous/,
      );
      expect(ran).toBe(false);
      // A plain function returning a rejecting promise: refused, and the rejection observed.
      wgError(() => wg.tidy(() => Promise.reject(new Error("late"))), /returned a Promise/);
      wgError(() => wg.noGrad(() => Promise.reject(new Error("late"))), /returned a Promise/);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("error messages format bad values briefly", () => {
    const huge = wg.zeros([1000, 1000]);
    const t0 = performance.now();
    wgError(
      () => new nn.Conv2d(1, 1, huge as never),
      /kernelSize must .* but got a Tensor of shape \[1000,1000\]$/,
    );
    expect(performance.now() - t0).toBeLessThan(500);
    wgError(() => new nn.Conv2d(1, 1, 3, 10n as never), /stride must .* got 10n/);
    wgError(() => F.softmax(huge, Symbol("d") as never), /softmax: dim must be an integer/);
    huge.dispose();
  });

  it("sizes are bounded before anything is allocated", () => {
    noLeak(() => new nn.RNN(3, 3, { numLayers: 2 ** 31 }), /numLayers must be an integer >= 1/);
    noLeak(() => new nn.RNN(3, 3, { numLayers: 2 ** 31 - 1 }), /more than WebAssembly memory/);
    const rows = wg.zeros([2 ** 31 - 1, 0]);
    noLeak(() => new wg.data.DataLoader(rows), /DataLoader: the dataset has 2147483647 samples/);
    rows.dispose();
  });

  it("fit refuses huge epochs and an empty loader", () => {
    const model = new nn.Linear(2, 1);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    const options = { optimizer: opt, loss: F.mseLoss, verbose: false };
    wgError(() => wg.fit(model, [], { ...options, epochs: 1e308 }), /fit: epochs must be/);
    wgError(() => wg.fit(model, [], options), /no batches in epoch 1/);
    model.dispose();
  });
});

describe("leaks and half-done state on error paths", () => {
  it("a constructor that fails frees what it made, also inside tidy", () => {
    const before = wg.memory().liveBytes;
    for (let i = 0; i < 3; i++) {
      wgError(() => wg.tidy(() => new nn.LSTM(8, 8, { numLayers: 2, bias: "no" as never })));
      wgError(() => wg.tidy(() => new nn.Linear(4, 4, { bias: "false" as never })));
    }
    expect(wg.memory().liveBytes).toBe(before);
  });

  it("a backward that fails part-way frees its gradient and names its op", () => {
    const x = wg.tensor([1, 2]).requiresGrad_();
    const y = x.exp();
    const loss = y.sum();
    y.dispose(); // exp's backward needs its output
    const before = wg.memory();
    wgError(() => loss.backward(), /backward of exp: .*disposed/);
    expect(wg.memory().liveBytes).toBe(before.liveBytes);
    expect(wg.memory().liveTensors).toBe(before.liveTensors);
    loss.dispose();
    expect(x.grad).toBe(null);
    x.dispose();
  });

  it("gradients do not flow into a disposed leaf", () => {
    const x = wg.tensor([1, 2]).requiresGrad_();
    const w = wg.tensor([3, 4]).requiresGrad_();
    const loss = x.add(w).sum(); // add's backward does not read x: nothing stops the gradient
    x.dispose();
    const before = wg.memory().liveBytes;
    loss.backward();
    expect(x.grad).toBe(null);
    expect([...(w.grad as wg.Tensor).data()]).toEqual([1, 1]);
    // Only w's gradient (two floats) was added.
    expect(wg.memory().liveBytes - before).toBe(8);
    loss.dispose();
    w.dispose();
  });

  it("p.grad = null does not dispose a gradient the caller assigned", () => {
    const p = wg.zeros([2]).requiresGrad_();
    const g = wg.ones([2]);
    p.grad = g;
    p.grad = null;
    expect(g.isDisposed).toBe(false);
    expect([...g.data()]).toEqual([1, 1]);
    p.dispose();
    expect(g.isDisposed).toBe(false);
    g.dispose();
  });
});

describe("wrong error type or a silent acceptance", () => {
  it("throws WasmgradError, not TypeError", () => {
    wgError(() => wg.tidy(null as never), /tidy: fn must be a function but got null/);
    wgError(() => wg.noGrad(5 as never), /noGrad: fn must be a function but got 5/);
    wgError(() => wg.manualSeed(1n as never), /manualSeed: seed must be an integer/);
    wgError(
      () => new nn.Conv2d(1, 1, 1).forward(null as never),
      /Conv2d: expected input to be a Tensor but got null/,
    );
  });

  it("truthy strings are not booleans", () => {
    wgError(
      () => new nn.Linear(1, 1, { bias: "false" as never }),
      /Linear: bias must be true or false/,
    );
    wg.tidy(() => {
      wgError(
        () => F.dropout(wg.ones([4]), 0.5, "no" as never),
        /dropout: training must be true or false/,
      );
    });
  });

  it("manualSeed refuses strings, NaN and fractions", () => {
    wgError(() => wg.manualSeed("x" as never));
    wgError(() => wg.manualSeed(Number.NaN));
    wgError(() => wg.manualSeed(1.5));
    wg.manualSeed(2 ** 40);
  });

  it("an optimizer refuses non-leaf tensors", () => {
    const p = wg.ones([2]).requiresGrad_();
    const q = p.mul(2);
    wgError(() => new optim.SGD([q], { lr: 0.1 }), /SGD: parameter 0 .* is not a leaf tensor/);
    q.dispose();
    p.dispose();
  });

  it("save and load round-trip every state dict save accepts", () => {
    wg.tidy(() => {
      const sd = {
        a: wg.zeros([0, 3]),
        b: wg.tensor(2),
        "": wg.rand([2, 3]).T,
        d: wg.zeros([2]),
        i: wg.randint(-9, 9, [3, 2]).T,
        m: wg.rand([2, 2]).gt(0.5),
      };
      const back = wg.load(wg.save(sd));
      expect(Object.keys(back).sort()).toEqual(Object.keys(sd).sort());
      for (const [k, t] of Object.entries(sd)) {
        expect(back[k].dtype).toBe(t.dtype);
        expect(back[k].toArray()).toEqual(t.toArray());
      }
    });
  });

  it("PyTorch's positional forms are honoured", () => {
    wg.tidy(() => {
      const lstm = new nn.LSTM(200, 20, 2);
      expect(lstm.numLayers).toBe(2);
      lstm.dispose();
      const conv = new nn.Conv2d(1, 8, 4, 2, 1);
      expect([conv.stride, conv.padding]).toEqual([
        [2, 2],
        [1, 1],
      ]);
      const lin = new nn.Linear(1, 1, false);
      expect(lin.bias).toBe(null);
      const opt = new optim.SGD(lin.parameters(), 0.5);
      expect(opt.lr).toBe(0.5);
      const s1 = new optim.lrScheduler.StepLR(opt, 1, 0.7);
      const s2 = new optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.7 });
      expect([s1.stepSize, s1.gamma]).toEqual([s2.stepSize, s2.gamma]);
      wgError(
        () => new nn.LSTM(28, 64, { batch_first: true } as never),
        /did you mean batchFirst\?/,
      );
      wgError(() => new nn.Conv2d(1, 8, 4, 2, { stride: 2 } as never), /stride was given both/);
      wgError(() => new nn.Linear(1, 1, false, true as never), /too many arguments/);
    });
  });
});
