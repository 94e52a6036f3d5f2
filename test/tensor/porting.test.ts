/**
 * What porting real PyTorch programs found, in three rounds (VAE, word_language_model with its
 * Transformer, time_sequence_prediction, siamese, DCGAN; mnist, REINFORCE and actor-critic,
 * super-resolution, fast style transfer, regression, a GCN, seq2seq with attention; the
 * "Learning PyTorch with Examples" tutorial, ResNet, ViT, mnist_rnn, a text classifier,
 * Forward-Forward): each case here failed, leaked or silently differed from PyTorch before.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { gradcheck } from "../helpers/fixtures.js";
import { throwsWg } from "../helpers/throws.js";

const arr = (t: wg.Tensor) => t.toArray();

describe("add and sub take PyTorch's alpha; arithmetic refuses extra arguments", () => {
  it("p.data.add_(p.grad, alpha=-lr) descends", () => {
    wg.tidy(() => {
      expect(arr(wg.tensor([1, 2, 3]).add_(wg.tensor([1, 1, 1]), { alpha: -0.5 }))).toEqual([
        0.5, 1.5, 2.5,
      ]);
      expect(arr(wg.tensor([1, 2, 3]).sub_(wg.tensor([1, 1, 1]), { alpha: 2 }))).toEqual([
        -1, 0, 1,
      ]);
      expect(arr(wg.tensor([1, 2]).add(wg.tensor([10, 20]), { alpha: 0.5 }))).toEqual([6, 12]);
      expect(arr(wg.sub(wg.tensor([1, 2]), 3, { alpha: 2 }))).toEqual([-5, -4]);
      expect(arr(wg.add(5, wg.tensor([1, 2]), { alpha: 3 }))).toEqual([8, 11]);
      const i = wg.add(wg.tensor([1, 2]).int(), wg.tensor([1, 1]).int(), { alpha: 3 });
      expect([i.dtype, arr(i)]).toEqual(["int32", [4, 5]]);
    });
  });

  it("alpha's gradient is the scale", () => {
    wg.tidy(() => {
      const x = wg.ones(3).requiresGrad_();
      const y = wg.tensor([1, 2, 3]).requiresGrad_();
      x.sub(y, { alpha: 2 }).mul(y).sum().backward();
      expect(arr(x.grad as wg.Tensor)).toEqual([1, 2, 3]);
      // d/dy (1 - 2y) y = 1 - 4y
      expect(arr(y.grad as wg.Tensor)).toEqual([-3, -7, -11]);
    });
  });

  it("div_ rounds as div does", () => {
    wg.tidy(() => {
      expect(arr(wg.tensor([1, 2, 3]).div_(2, { roundingMode: "floor" }))).toEqual([0, 1, 1]);
      expect(arr(wg.tensor([-3, 3]).div(2, { roundingMode: "trunc" }))).toEqual([-1, 1]);
    });
  });

  it("a misspelt option, an extra argument or a fractional alpha on integers is an error", () => {
    const x = () => wg.tensor([1, 2, 3]);
    throwsWg(() => x().add_(x(), { bogus: 1 } as never), /^add: unknown option "bogus"/);
    throwsWg(() => x().add(x(), 5 as never), /^add: too many arguments: got 5/);
    throwsWg(() => x().mul(x(), 5 as never), /^mul: takes 2 arguments but got 3/);
    throwsWg(() => wg.mul(x(), x(), 5 as never, 6 as never), /^mul: takes 2 arguments but got 4/);
    throwsWg(() => x().mul_(2, 3 as never), /^mul: takes 2 arguments/);
    throwsWg(() => x().div_(2, { mode: "floor" } as never), /^div: unknown option "mode"/);
    throwsWg(
      () => wg.add(x().int(), x().int(), { alpha: 0.5 }),
      /^add: alpha must be an integer for integer operands/,
    );
    throwsWg(() => wg.add(x(), x(), { alpha: "2" as never }), /^add: alpha must be/);
  });
});

describe("basic indexing that copies refuses in-place writes; indexPut_ takes slices", () => {
  it("pe.index(':', '0::2').copy_(...) would miss pe: refused", () => {
    const pe = wg.zeros(3, 4);
    throwsWg(
      () => pe.index(":", "0::2").copy_(wg.ones(3, 2)),
      /^copy_: this tensor comes from index, which in wasmgrad returns a copy where PyTorch returns a view/,
    );
    throwsWg(() => pe.index(":", 0).fill_(7), /^fill_: this tensor comes from index/);
    // A contiguous block is a view: the write reaches pe, as in PyTorch.
    pe.index(1).fill_(7);
    expect(arr(pe)).toEqual([
      [0, 0, 0, 0],
      [7, 7, 7, 7],
      [0, 0, 0, 0],
    ]);
    // Advanced indexing copies in PyTorch too: no guard.
    wg.tidy(() => pe.index(wg.tensor([0, 2]).int()).fill_(1));
    expect((arr(pe) as number[][])[0]).toEqual([0, 0, 0, 0]);
    pe.dispose();
  });

  it("pe[:, 0::2] = sin(...) is indexPut_ with the same items, differentiable in values", () => {
    wg.tidy(() => {
      const pe = wg.zeros(2, 4);
      const v = wg
        .tensor([
          [1, 2],
          [3, 4],
        ])
        .requiresGrad_();
      const out = wg.noGrad(() => pe.clone()).indexPut_([":", "0::2"], v);
      pe.indexPut_([":", "1::2"], 5);
      expect(arr(pe)).toEqual([
        [0, 5, 0, 5],
        [0, 5, 0, 5],
      ]);
      expect(arr(out)).toEqual([
        [1, 0, 2, 0],
        [3, 0, 4, 0],
      ]);
      out.mul(wg.arange(8).reshape(2, 4)).sum().backward();
      expect(arr(v.grad as wg.Tensor)).toEqual([
        [0, 2],
        [4, 6],
      ]);
      const t = wg.zeros(2, 3, 4);
      t.indexPut_(["...", -1], 9);
      t.indexPut_([0, null, ":", "1:3"], wg.ones(1, 3, 2));
      expect(arr(t.index(0))).toEqual([
        [0, 1, 1, 9],
        [0, 1, 1, 9],
        [0, 1, 1, 9],
      ]);
      expect(t.index(1, ":", -1).sum().item()).toBe(27);
    });
    throwsWg(
      () => wg.zeros(2).indexPut_([{} as never], 1),
      /^indexPut_: indices\[0\] must be an int32 or bool tensor, .* but got/,
    );
  });
});

describe("memory in ported loops", () => {
  it("a buffer re-registered under its name frees the old one", () => {
    class Holder extends wg.nn.Module {
      forward(x: wg.Tensor): wg.Tensor {
        return x;
      }
    }
    const m = new Holder();
    m.registerBuffer("mask", wg.zeros(4, 4), { persistent: false });
    const live = wg.memory().liveTensors;
    for (let i = 0; i < 5; i++) {
      wg.tidy(() => m.registerBuffer("mask", wg.zeros(5 + i, 5 + i), { persistent: false }));
    }
    expect(wg.memory().liveTensors).toBe(live);
    const old = (m as unknown as { mask: wg.Tensor }).mask;
    // A view of the old buffer outlives it.
    m.registerBuffer("mask", old.reshape(-1));
    expect(old.isDisposed).toBe(true);
    expect((m as unknown as { mask: wg.Tensor }).mask.shape).toEqual([81]);
    // The same tensor again is kept.
    const same = (m as unknown as { mask: wg.Tensor }).mask;
    m.registerBuffer("mask", same);
    expect(same.isDisposed).toBe(false);
    m.dispose();
  });

  it("tensors a Dataset's getItem makes on the way are freed by the DataLoader", () => {
    const base = wg.randn(64, 3);
    class Scaled extends wg.data.Dataset<wg.Tensor[]> {
      get length() {
        return 64;
      }
      getItem(i: number) {
        return [base.index(i).mul(2).add(1), wg.tensor(i % 2)];
      }
    }
    const loader = new wg.data.DataLoader(new Scaled(), { batchSize: 16 });
    const live = wg.memory().liveTensors;
    for (let epoch = 0; epoch < 3; epoch++) {
      for (const batch of loader) for (const t of batch as wg.Tensor[]) t.dispose();
      expect(wg.memory().liveTensors).toBe(live);
    }
    base.dispose();
  });
});

describe("PyTorch lines that ported with edits before", () => {
  it("fill_ takes a 0-d tensor, differentiably", () => {
    wg.tidy(() => {
      const x = wg.zeros(2, 2).int();
      x.fill_(wg.tensor(3).int());
      expect(arr(x)).toEqual([
        [3, 3],
        [3, 3],
      ]);
      const v = wg.tensor(2).requiresGrad_();
      const y = wg.zeros(3).fill_(v);
      y.sum().backward();
      expect((v.grad as wg.Tensor).item()).toBe(3);
    });
    throwsWg(() => wg.zeros(2).fill_(wg.ones(2)), /^fill_: a tensor value must be 0-d/);
  });

  it("x.to(device), model.to(device), cpu() and device", () => {
    wg.tidy(() => {
      const x = wg.tensor([1.5, 2]);
      expect(x.to("cpu")).toBe(x);
      expect(x.cpu()).toBe(x);
      expect(x.device).toBe("cpu");
      expect(x.to("cpu", "int32").dtype).toBe("int32");
      expect(x.to("cpu", { dtype: "int32" }).dtype).toBe("int32");
      expect(x.to("int32", { device: "cpu" }).dtype).toBe("int32");
      expect(x.to(wg.ones(1).bool()).dtype).toBe("bool");
    });
    const m = new wg.nn.Linear(2, 2);
    expect(m.to("cpu")).toBe(m);
    expect(m.cpu()).toBe(m);
    expect(m.to("float32")).toBe(m);
    throwsWg(() => wg.ones(1).to("cuda"), /^to: device "cuda" is not available/);
    throwsWg(() => wg.ones(1).to("cuda:0"), /^to: device "cuda:0" is not available/);
    throwsWg(() => m.to("mps"), /^Linear\.to: device "mps" is not available/);
    throwsWg(() => m.to("int32"), /^Linear\.to: modules hold float32 parameters/);
    throwsWg(() => wg.ones(1).to("float64"), /^to: unknown dtype "float64"/);
    m.dispose();
  });
});

describe("every PyTorch argument may come as a keyword (API.md: a trailing options object)", () => {
  it("dim, keepdim and the rest on tensor ops, methods and functions alike", () => {
    wg.tidy(() => {
      const x = wg.arange(24).reshape(2, 3, 4);
      const same = (a: wg.Tensor, b: wg.Tensor) => expect(arr(a)).toEqual(arr(b));
      same(x.sum({ dim: 1 }), x.sum(1));
      same(x.sum({ dim: [0, 2], keepdim: true }), x.sum([0, 2], true));
      same(wg.sum(x, { dim: -1 }), x.sum(-1));
      same(x.mean({ dim: 1, keepdim: true }), x.mean(1, true));
      same(x.amax({ dim: 2 }), x.amax(2));
      same(x.amin({ dim: 0 }), x.amin(0));
      same(x.argmax({ dim: 1 }), x.argmax(1));
      same(x.argmin({ dim: 1, keepdim: true }), x.argmin(1, true));
      same(x.max({ dim: 1 }).values, x.max(1).values);
      same(x.min({ dim: 2, keepdim: true }).indices, x.min(2, true).indices);
      same(x.gt(5).any({ dim: 1 }), x.gt(5).any(1));
      same(x.gt(5).all({ dim: 2 }), x.gt(5).all(2));
      same(x.softmax({ dim: 1 }), x.softmax(1));
      same(wg.F.logSoftmax(x, { dim: -1 }), wg.F.logSoftmax(x, -1));
      same(wg.cat([x, x], { dim: 1 }), wg.cat([x, x], 1));
      same(wg.stack([x, x], { dim: 2 }), wg.stack([x, x], 2));
      same(x.split(1, { dim: 1 })[2], x.split(1, 1)[2]);
      same(x.chunk(2, { dim: 2 })[1], x.chunk(2, 2)[1]);
      same(x.unbind({ dim: 1 })[0], x.unbind(1)[0]);
      same(x.unsqueeze({ dim: 1 }), x.unsqueeze(1));
      same(x.index(":", 0, null).squeeze({ dim: 1 }), x.index(":", 0));
      same(x.flatten({ startDim: 1 }), x.flatten(1));
      same(x.transpose({ dim0: 0, dim1: 2 }), x.transpose(0, 2));
      same(x.topk(2, { dim: 1, largest: false }).values, x.topk(2, 1, false).values);
      same(x.sort({ dim: 1, descending: true }).values, x.sort(1, true).values);
      same(x.argsort({ dim: 2, descending: true }), x.argsort(2, true));
      same(x.indexSelect({ dim: 1, index: [2, 0] }), x.indexSelect(1, [2, 0]));
      same(x.narrow({ dim: 2, start: 1, length: 2 }), x.narrow(2, 1, 2));
      same(x.select({ dim: 1, index: 2 }), x.select(1, 2));
      same(x.clamp({ min: 3 }), x.clamp(3, null));
      same(x.clamp({ max: 3 }), x.clamp(null, 3));
      const idx = wg.zeros(2, 1, 4).int();
      same(x.gather({ dim: 1, index: idx }), x.gather(1, idx));
    });
  });

  it("mixed, repeated and unknown keywords are errors naming the op", () => {
    const x = () => wg.ones(2, 3);
    throwsWg(() => x().sum(1, { dim: 0 }), /^sum: dim was given both as positional argument 1/);
    throwsWg(() => x().sum({ axis: 1 } as never), /^sum: unknown option "axis"/);
    throwsWg(() => x().softmax({ dims: 1 } as never), /^softmax: unknown option "dims"/);
    throwsWg(() => wg.cat([x()], { dim: 0, out: 1 } as never), /^cat: unknown option "out"/);
    const max = (t: wg.Tensor, ...a: unknown[]) => (t.max as (...a: unknown[]) => unknown)(...a);
    throwsWg(() => max(x(), { dim: 1 }, 2), /^max: /);
    throwsWg(() => max(x(), x(), 1), /^max: takes 2 arguments but got 3/);
  });

  it("layers take their leading arguments by keyword", () => {
    // The keyword forms of the leading arguments are checked at run time (JavaScript callers);
    // the TypeScript signatures keep them positional.
    const make = (C: unknown, ...a: unknown[]) =>
      new (C as new (...a: unknown[]) => wg.nn.Module<[wg.Tensor], unknown>)(...a);
    const made: wg.nn.Module<[wg.Tensor], unknown>[] = [
      make(wg.nn.Conv2d, 1, 64, { kernelSize: 7, stride: 2, padding: 3 }),
      make(wg.nn.Conv2d, { inChannels: 1, outChannels: 4, kernelSize: 3 }),
      make(wg.nn.Linear, { inFeatures: 3, outFeatures: 4, bias: false }),
      make(wg.nn.LSTM, { inputSize: 10, hiddenSize: 20, numLayers: 2, batchFirst: true }),
      make(wg.nn.GRU, 10, { hiddenSize: 20 }),
      make(wg.nn.Embedding, { numEmbeddings: 10, embeddingDim: 3, paddingIdx: 0 }),
      make(wg.nn.MaxPool2d, { kernelSize: 2 }),
      make(wg.nn.BatchNorm2d, { numFeatures: 4 }),
      make(wg.nn.GroupNorm, { numGroups: 2, numChannels: 4 }),
      make(wg.nn.LayerNorm, { normalizedShape: 4, eps: 1e-6 }),
      make(wg.nn.MultiheadAttention, 8, { numHeads: 2, batchFirst: true }),
      make(wg.nn.TransformerEncoderLayer, { dModel: 8, nhead: 2, dimFeedforward: 16 }),
    ];
    expect(made.map(String)).toEqual([
      "Conv2d(1, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3))",
      "Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))",
      "Linear(in_features=3, out_features=4, bias=False)",
      "LSTM(10, 20, num_layers=2, batch_first=True)",
      "GRU(10, 20)",
      "Embedding(10, 3, padding_idx=0)",
      "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
      "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
      "GroupNorm(2, 4, eps=1e-05, affine=True)",
      "LayerNorm((4,), eps=1e-06, elementwise_affine=True)",
      made[10].toString(),
      made[11].toString(),
    ]);
    expect((made[10] as unknown as wg.nn.MultiheadAttention).numHeads).toBe(2);
    for (const m of made) m.dispose();
    throwsWg(
      () => make(wg.nn.Conv2d, 1, 64, 3, { kernelSize: 7 }),
      /^Conv2d: kernelSize was given both as positional argument 3 and as an option/,
    );
    throwsWg(
      () => make(wg.nn.Conv2d, 1, 64, { stride: 2 }),
      /^Conv2d: kernelSize must be an integer >= 1 or a pair of them \(int32\) but got undefined/,
    );
    throwsWg(
      () => make(wg.nn.Linear, { inFeatures: 3, outFeatures: 4, bogus: 1 }),
      /^Linear: unknown option "bogus"/,
    );
  });

  it("functions with leading keywords: F.maxPool2d, F.pad, multinomial, clipGradNorm_", () => {
    wg.tidy(() => {
      const img = wg.arange(16).reshape(1, 1, 4, 4);
      const js = (f: unknown) => f as (...a: unknown[]) => wg.Tensor;
      expect(arr(js(wg.F.maxPool2d)(img, { kernelSize: 2 }))).toEqual(arr(wg.F.maxPool2d(img, 2)));
      expect(arr(js(wg.F.avgPool2d)(img, { kernelSize: 2, stride: 1 }))).toEqual(
        arr(wg.F.avgPool2d(img, 2, 1)),
      );
      expect(arr(wg.F.pad(wg.ones(1, 2), { pad: [1, 0], value: 5 } as never))).toEqual([[5, 1, 1]]);
      wg.manualSeed(3);
      const a = wg.multinomial(wg.ones(4), { numSamples: 2 } as never);
      wg.manualSeed(3);
      expect(arr(a)).toEqual(arr(wg.multinomial(wg.ones(4), 2)));
      const p = wg.ones(4).requiresGrad_();
      p.grad = wg.full([4], 2);
      expect(wg.nn.utils.clipGradNorm_([p], { maxNorm: 1, normType: 2 })).toBeCloseTo(4, 5);
      expect((arr(p.grad as wg.Tensor) as number[]).every((v) => Math.abs(v - 0.5) < 1e-5)).toBe(
        true,
      );
      wg.nn.utils.clipGradValue_([p], { clipValue: 0.1 });
      expect(arr(p.grad as wg.Tensor)).toEqual([0.1, 0.1, 0.1, 0.1].map(Math.fround));
    });
  });
});

describe("the second round of ports (mnist, RL, super-resolution, fast style, GCN, seq2seq)", () => {
  it("new_zeros / new_ones / new_empty / new_full / new_tensor keep this tensor's dtype", () => {
    wg.tidy(() => {
      const i = wg.zeros(2).int();
      expect([i.newZeros(2, 3).dtype, i.newZeros(2, 3).shape]).toEqual(["int32", [2, 3]]);
      expect(i.newOnes([3]).toArray()).toEqual([1, 1, 1]);
      expect(i.newEmpty(2).dtype).toBe("int32");
      expect(wg.ones(1).newFull([2], 7).toArray()).toEqual([7, 7]);
      expect(i.newTensor([1.7, 2]).toArray()).toEqual([1, 2]);
      expect(i.newZeros([2], { dtype: "float32" }).dtype).toBe("float32");
      expect(wg.ones(1).newZeros(2, { requiresGrad: true }).requiresGrad).toBe(true);
    });
    throwsWg(() => wg.ones(1).newFull([2], 1, "int32" as never), /^newFull: options must be/);
  });

  it("wg.tensor takes one-element tensors among its numbers, as torch.tensor([loss, 2.0])", () => {
    wg.tidy(() => {
      const t = wg.tensor([wg.tensor([1, 2, 3]).sum(), 2, wg.tensor([0.5])]);
      expect(t.toArray()).toEqual([6, 2, 0.5]);
      expect(wg.tensor([wg.tensor(true), wg.tensor(false)]).dtype).toBe("bool");
    });
    throwsWg(
      () => wg.tensor([wg.ones(2)]),
      /^tensor: only one-element tensors can stand for a number, but the tensor at \[0\] has shape \[2\]/,
    );
  });

  it("indexPut_ takes a boolean value; PixelShuffle its upscaleFactor by keyword", () => {
    wg.tidy(() => {
      const m = wg.zeros(3, { dtype: "bool" }).indexPut_([[0, 2]], true);
      expect(m.toArray()).toEqual([true, false, true]);
      expect(
        wg
          .zeros(2)
          .indexPut_([[1]], true)
          .toArray(),
      ).toEqual([0, 1]);
      const ps = new wg.nn.PixelShuffle({ upscaleFactor: 2 } as never);
      expect(ps.forward(wg.ones(1, 4, 2, 2)).shape).toEqual([1, 1, 4, 4]);
      expect(wg.F.pixelShuffle(wg.ones(1, 4, 2, 2), { upscaleFactor: 2 }).shape).toEqual([
        1, 1, 4, 4,
      ]);
    });
  });
});

describe("ops the second round found missing", () => {
  it("diag: values, any diagonal, views, and its gradient (central differences)", () => {
    wg.tidy(() => {
      expect(arr(wg.diag(wg.tensor([1, 2])))).toEqual([
        [1, 0],
        [0, 2],
      ]);
      expect(arr(wg.diag(wg.tensor([1, 2]), 1))).toEqual([
        [0, 1, 0],
        [0, 0, 2],
        [0, 0, 0],
      ]);
      expect(arr(wg.diag(wg.tensor([1, 2]), { diagonal: -2 }))).toEqual([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [1, 0, 0, 0],
        [0, 2, 0, 0],
      ]);
      const m = wg.arange(12).reshape(3, 4);
      expect(arr(wg.diag(m))).toEqual([0, 5, 10]);
      expect(arr(m.diag(1))).toEqual([1, 6, 11]);
      expect(arr(m.diag(-1))).toEqual([4, 9]);
      expect(arr(m.diag(5))).toEqual([]);
      expect(arr(m.T.diag(1))).toEqual([4, 9]);
      expect(wg.diag(wg.tensor([1, 2]).int()).dtype).toBe("int32");
    });
    for (const [shape, k] of [
      [[3], 0],
      [[2], -1],
      [[3, 4], 1],
      [[4, 3], -2],
    ] as [number[], number][]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const report = gradcheck((x) => wg.diag(x, k), [{ shape, data }], { seed: `diag ${k}` });
      expect(report.mismatches(), `diag ${shape} ${k}`).toEqual([]);
      expect(report.mismatches(1.1).length).toBeGreaterThan(0);
    }
    throwsWg(
      () => wg.diag(wg.ones(2, 2, 2)),
      /^diag: expected a 1-D or 2-D tensor but got shape \[2,2,2\]/,
    );
    throwsWg(() => wg.diag(wg.ones(2), 0.5), /^diag: diagonal must be an integer/);
  });

  it("empty, and nn.Parameter with or without new", () => {
    wg.tidy(() => {
      const e = wg.empty(2, 1, { dtype: wg.long });
      expect([e.dtype, e.shape]).toEqual(["int32", [2, 1]]);
      expect(arr(e.fill_(3))).toEqual([[3], [3]]);
    });
    const t = wg.randn(3);
    const p = new wg.nn.Parameter(t);
    expect(p).toBe(t);
    expect([p.requiresGrad, p instanceof wg.nn.Parameter, p instanceof wg.Tensor]).toEqual([
      true,
      true,
      true,
    ]);
    expect(wg.ones(2) instanceof wg.nn.Parameter).toBe(false);
    const frozen = wg.nn.Parameter(wg.ones(2), false);
    expect([frozen.requiresGrad, frozen instanceof wg.nn.Parameter]).toEqual([false, true]);
    class Scale extends wg.nn.Module {
      s = new wg.nn.Parameter(wg.ones(1));
      forward(x: wg.Tensor) {
        return x.mul(this.s);
      }
    }
    const m = new Scale();
    expect(m.parameters()).toEqual([m.s]);
    // Survives tidy as a parameter does.
    expect(wg.tidy(() => new wg.nn.Parameter(wg.ones(2))).isDisposed).toBe(false);
    throwsWg(
      () => new wg.nn.Parameter(wg.ones(1), { requiresGrad: 1 } as never),
      /^Parameter: requiresGrad must be/,
    );
    m.dispose();
    p.dispose();
    frozen.dispose();
  });
});

describe("the third round of ports (tutorial polynomial, ResNet, ViT, mnist_rnn, text, FF)", () => {
  it("creation functions take device 'cpu'; linspace and logspace a dtype", () => {
    wg.tidy(() => {
      expect(wg.linspace(-1, 1, 5, { dtype: wg.float32, device: "cpu" }).toArray()).toEqual([
        -1, -0.5, 0, 0.5, 1,
      ]);
      const i = wg.linspace(0, 1, 5, { dtype: wg.int64 });
      expect([i.dtype, i.toArray()]).toEqual(["int32", [0, 0, 0, 0, 1]]);
      expect(wg.logspace(0, 2, 3, { dtype: "int32" }).toArray()).toEqual([1, 10, 100]);
      expect(wg.randn([], { device: "cpu" }).shape).toEqual([]);
      expect(wg.zeros(2, { device: "cpu" }).toArray()).toEqual([0, 0]);
      expect(wg.full([1], 2, { device: "cpu" }).toArray()).toEqual([2]);
      expect(wg.arange(3, { device: "cpu" }).toArray()).toEqual([0, 1, 2]);
      expect(wg.tensor([1, 2], { device: "cpu", dtype: wg.int64 }).dtype).toBe("int32");
      expect(wg.randint(0, 3, [2], { device: "cpu" }).dtype).toBe("int32");
      expect(wg.zerosLike(wg.ones(2), { device: "cpu" }).shape).toEqual([2]);
    });
    throwsWg(() => wg.zeros(2, { device: "cuda" }), /^zeros: device "cuda" is not available/);
    throwsWg(
      () => wg.linspace(0, 1, 3, { device: "mps" }),
      /^linspace: device "mps" is not available/,
    );
    expect([wg.int64, wg.int, wg.float, wg.long]).toEqual(["int32", "int32", "float32", "int32"]);
    expect([wg.cuda.isAvailable(), wg.cuda.deviceCount()]).toEqual([false, 0]);
  });

  it("nonzero, and where with only a condition", () => {
    wg.tidy(() => {
      const x = wg.tensor([
        [0, 3],
        [5, 0],
      ]);
      expect(wg.nonzero(x).toArray()).toEqual([
        [0, 1],
        [1, 0],
      ]);
      expect(x.nonzero({ asTuple: true }).map((t) => t.toArray())).toEqual([
        [0, 1],
        [1, 0],
      ]);
      expect(wg.where(x.gt(0)).map((t) => t.toArray())).toEqual([
        [0, 1],
        [1, 0],
      ]);
      expect(wg.nonzero(wg.tensor(5)).shape).toEqual([1, 0]);
      expect(wg.nonzero(wg.zeros(0, 3)).shape).toEqual([0, 2]);
      expect(wg.nonzero(wg.tensor([true, false, true])).dtype).toBe("int32");
    });
    throwsWg(() => wg.nonzero(wg.ones(2), { asTuple: 1 } as never), /^nonzero: asTuple must be/);
    throwsWg(() => wg.where(wg.ones(2)), /^where: expected condition to be a bool tensor/);
  });
});

describe("the new entry points refuse snake_case keys, wrong types and disposed tensors", () => {
  it("names the op and what it expected", () => {
    const gone = () => {
      const t = wg.ones(3);
      t.dispose();
      return t;
    };
    throwsWg(
      () => wg.ones(2, 3).sum({ keep_dim: true } as never),
      /^sum: unknown option "keep_dim"; did you mean keepdim\?/,
    );
    throwsWg(
      () =>
        wg.F.embeddingBag(wg.tensor([0]).int(), wg.ones(2, 2), {
          per_sample_weights: null,
        } as never),
      /^embeddingBag: unknown option "per_sample_weights"; did you mean perSampleWeights\?/,
    );
    throwsWg(
      () => new wg.nn.InstanceNorm2d(3, { track_running_stats: false } as never),
      /did you mean trackRunningStats\?/,
    );
    throwsWg(() => wg.ones(2).add(1, { alpha: "x" } as never), /^add: alpha must be/);
    throwsWg(() => wg.diag(gone()), /^diag: .*disposed/);
    throwsWg(() => wg.nonzero(gone()), /^nonzero: .*disposed/);
    throwsWg(() => new wg.distributions.Categorical(gone()), /^Categorical: .*disposed/);
    throwsWg(() => new wg.distributions.Normal(gone(), 1), /^Normal: .*disposed/);
    throwsWg(() => wg.F.instanceNorm(gone()), /^instanceNorm: .*disposed/);
    throwsWg(
      () => wg.F.embeddingBag(wg.tensor([0]).int(), gone(), { offsets: [0] }),
      /^embeddingBag: .*disposed/,
    );
    throwsWg(() => new wg.nn.ReflectionPad2d(1).forward(gone()), /^ReflectionPad2d: .*disposed/);
    throwsWg(() => wg.ones(2).newZeros(gone() as never), /^newZeros: /);
  });
});
