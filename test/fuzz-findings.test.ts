/**
 * Regression tests for what the boundary fuzzer (test/fuzz) found after its coverage grew to
 * object methods and plausible scenarios (issue 11): each failed before its fix with a TypeError,
 * a hang, a leak, or a file that `save` wrote and `load` refused.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const { nn, optim } = wg;

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

/** fn's effect on live tensors and bytes. */
function growth(fn: () => void): [number, number] {
  const before = wg.memory();
  fn();
  const after = wg.memory();
  return [after.liveTensors - before.liveTensors, after.liveBytes - before.liveBytes];
}

describe("save and load agree", () => {
  it("save refuses metadata with an unpaired surrogate instead of writing a file load refuses", () => {
    const t = wg.ones([2]);
    const cases: Record<string, string>[] = [{ note: "a\ud800b" }, { "\udfff": "x" }];
    for (const metadata of cases) {
      wgError(() => wg.save({ t }, metadata), /unpaired UTF-16 surrogate/);
    }
    // A paired surrogate (an emoji) and other non-ASCII text round-trip.
    const bytes = wg.save({ t }, { note: "😀 ключ ✓", "": "\u0000" });
    expect(wg.loadMetadata(bytes)).toEqual({ format: "pt", note: "😀 ключ ✓", "": "\u0000" });
    const back = wg.load(bytes);
    expect([...back.t.data()]).toEqual([1, 1]);
    back.t.dispose();
    t.dispose();
  });
});

describe("the grad setter", () => {
  it("refuses a value that is not a live float tensor with a WasmgradError", () => {
    const p = wg.zeros([2]).requiresGrad_();
    for (const bad of [[1, 2], 5, "x", undefined, {}]) {
      wgError(() => {
        p.grad = bad as never;
      }, /grad: expected the assigned gradient to be a Tensor/);
    }
    const gone = wg.ones([2]);
    gone.dispose();
    wgError(() => {
      p.grad = gone;
    }, /disposed/);
    const ints = wg.tensor([1, 2]).int();
    wgError(() => {
      p.grad = ints;
    }, /float32/);
    expect(p.grad).toBe(null);
    ints.dispose();
    // A disposed tensor takes no gradient (it was kept, and leaked, before).
    const dead = wg.zeros([]);
    dead.dispose();
    const g = wg.ones([]);
    wgError(() => {
      dead.grad = g;
    }, /disposed/);
    g.dispose();
    p.dispose();
  });

  it("hands an assigned gradient back to tidy once it stops being the gradient", () => {
    const p = wg.zeros([2]).requiresGrad_();
    // Assigned, then cleared or replaced inside tidy: freed at the end of the scope.
    expect(
      growth(() =>
        wg.tidy(() => {
          p.grad = wg.ones([2]);
          p.grad = wg.full([2], 2);
          p.grad = null;
        }),
      ),
    ).toEqual([0, 0]);
    // Still the gradient when the scope ends: kept, and freed by the owner's dispose... when it
    // is the owner's to free; a tensor the caller kept elsewhere is the caller's.
    let g: wg.Tensor | null = null;
    expect(
      growth(() =>
        wg.tidy(() => {
          g = wg.ones([2]);
          p.grad = g;
        }),
      ),
    ).toEqual([1, 8]);
    expect(g!.isDisposed).toBe(false);
    p.grad = null;
    expect(g!.isDisposed).toBe(false); // aliased elsewhere: never disposed by the setter
    g!.dispose();
    // The gradient made before its tensor, both inside one tidy: freed with the scope.
    expect(
      growth(() =>
        wg.tidy(() => {
          const g2 = wg.ones([]);
          wg.zeros([]).grad = g2;
        }),
      ),
    ).toEqual([0, 0]);
    // A leaf disposed inside tidy gives its assigned gradient back to the scope.
    expect(
      growth(() =>
        wg.tidy(() => {
          const q = wg.zeros([3]).requiresGrad_();
          q.grad = wg.ones([3]);
          q.dispose();
        }),
      ),
    ).toEqual([0, 0]);
    p.dispose();
  });
});

describe("sizes that could never fit are refused before any work", () => {
  it("expand and repeat refuse sizes beyond int32 and results beyond memory (they hung)", () => {
    const s = wg.tensor(1).requiresGrad_();
    const b = wg.tensor([1]).gt(0);
    const t0 = performance.now();
    wgError(() => s.expand(4294967296), /expand: size 0 must be an integer/);
    wgError(() => b.repeat(2147483648), /repeat: size 0 must be an integer/);
    wgError(() => b.repeat(2 ** 30, 4), /more than WebAssembly memory can hold/);
    wgError(() => s.expand(2 ** 16, 2 ** 15), /more than WebAssembly memory can hold/);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(s.expand(2, 3).shape).toEqual([2, 3]);
    s.dispose();
    b.dispose();
  });

  it("roll and unflatten refuse dims and sizes that are not integers (TypeError before)", () => {
    const x = wg.ones([2, 3]);
    wgError(() => x.roll(1, wg.ones([1]) as never), /roll: dims must be an integer or an array/);
    wgError(() => x.unflatten(1, 3 as never), /unflatten: sizes must be an array/);
    wgError(() => x.unflatten(1, [3, "1"] as never), /unflatten: sizes\[1\] must be an integer/);
    expect(x.unflatten(1, [3, -1]).shape).toEqual([2, 3, 1]);
    x.dispose();
  });
});

describe("module and optimizer methods with hostile arguments", () => {
  it("namedModules checks its prefix and memo", () => {
    const m = new nn.Linear(1, 1);
    wgError(() => m.namedModules("", [] as never), /namedModules: memo must be a Set/);
    wgError(() => m.namedModules(5 as never), /namedModules: prefix must be a string/);
    expect(m.namedModules("p").map(([n]) => n)).toEqual(["p"]);
    m.dispose();
  });

  it("ModuleList and ParameterList extend refuse a non-iterable", () => {
    const ml = new nn.ModuleList();
    const pl = new nn.ParameterList();
    wgError(() => ml.extend(Symbol("s") as never), /ModuleList.extend: expected an iterable/);
    wgError(() => pl.extend(5 as never), /ParameterList.extend: expected an iterable/);
    ml.dispose();
    pl.dispose();
    // A refused item leaves no parameter behind (the earlier items were made parameters).
    const t = wg.ones([0]);
    expect(
      growth(() =>
        wgError(() => new nn.ParameterList([t, 2.5 as never]), /item 1 is not a Tensor/),
      ),
    ).toEqual([0, 0]);
    t.dispose();
  });

  it("a pooling layer given an unchecked argument still prints (checked at forward)", () => {
    const t = wg.ones([1]);
    expect(new nn.MaxPool1d(t as never).toString()).toContain("MaxPool1d(kernel_size=");
    expect(new nn.AvgPool1d(undefined as never).toString()).toContain("kernel_size=undefined");
    t.dispose();
  });

  it("messages describe a Symbol instead of throwing a TypeError", () => {
    const x = wg.ones([2]);
    wgError(() => wg.clamp(x, Symbol("s") as never), /clamp: expected number bounds/);
    wgError(() => new nn.MultiheadAttention(Symbol("e") as never, 1), /MultiheadAttention/);
    wgError(
      () => optim.stateDictFromTensors({}, {}, Symbol("p") as never),
      /stateDictFromTensors: prefix must be a string/,
    );
    wgError(() => wg.eye(Symbol("n") as never), /eye/);
    wgError(() => x.topk(Symbol("k") as never), /topk: k \(Symbol\(k\)\)/);
    const x0 = wg.tensor(1);
    wgError(() => x0.topk(1, Symbol("d") as never), /topk: dim must be an integer in \[-1, 0\]/);
    expect([...x0.topk(1, -1).values.data()]).toEqual([1]);
    x0.dispose();
    wgError(() => x.select(-1, Symbol("i") as never), /select: index Symbol\(i\) out of range/);
    const m = new nn.Sequential();
    wgError(() => m.addModule(Symbol("m") as never, x as never), /addModule/);
    x.dispose();
  });

  it("layer forwards refuse a non-tensor input with a WasmgradError", () => {
    const conv = new nn.Conv1d(1, 1, 3);
    const convT = new nn.ConvTranspose2d(1, 1, 2);
    const mha = new nn.MultiheadAttention(2, 1);
    const enc = new nn.TransformerEncoderLayer(2, 1, { dimFeedforward: 4 });
    const dec = new nn.TransformerDecoderLayer(2, 1, { dimFeedforward: 4 });
    const x = wg.ones([1, 1, 2]);
    wgError(() => conv.forward(7 as never), /Conv1d: expected input to be a Tensor/);
    wgError(() => convT.forward({} as never), /ConvTranspose2d: expected input to be a Tensor/);
    wgError(() => mha.forward(null as never, x, x), /MultiheadAttention: expected query/);
    wgError(() => enc.forward("x" as never), /TransformerEncoderLayer: expected src/);
    const gn = new nn.GroupNorm(1, 1);
    const ls = new nn.LogSoftmax();
    wgError(() => gn.forward([1, "a"] as never), /GroupNorm: expected input to be a Tensor/);
    wgError(() => ls.forward(null as never), /LogSoftmax: expected input to be a Tensor/);
    gn.dispose();
    ls.dispose();
    wgError(() => dec.forward(x, null as never), /TransformerDecoderLayer: expected memory/);
    for (const m of [conv, convT, mha, enc, dec]) m.dispose();
    x.dispose();
  });
});

describe("constructors free what they built", () => {
  it("nn.Transformer frees its layer templates, and everything when it fails part-way", () => {
    const build = () =>
      new nn.Transformer({
        dModel: 4,
        nhead: 2,
        numEncoderLayers: 1,
        numDecoderLayers: 1,
        dimFeedforward: 8,
      });
    expect(growth(() => build().dispose())).toEqual([0, 0]);
    expect(growth(() => wg.tidy(() => build().dispose()))).toEqual([0, 0]);
    // The decoder's layer refuses its activation after the encoder was built.
    expect(
      growth(() =>
        wgError(
          () => new nn.Transformer({ dModel: 4, nhead: 2, numDecoderLayers: 0 }),
          /numDecoderLayers/,
        ),
      ),
    ).toEqual([0, 0]);
  });

  it("an optimizer whose second parameter group is refused frees the first group's state", () => {
    const m = new nn.Linear(3, 2);
    const [w, b] = m.parameters();
    expect(
      growth(() =>
        wgError(
          () =>
            new optim.Adagrad([{ params: [w] }, { params: [b], lr: "1" as never }], {
              initialAccumulatorValue: 0.1,
            }),
          /Adagrad: invalid lr "1"/,
        ),
      ),
    ).toEqual([0, 0]);
    m.dispose();
  });

  it("LBFGS refused at a later parameter group throws its WasmgradError (TypeError before)", () => {
    const m = new nn.Linear(3, 2);
    const [w, b] = m.parameters();
    expect(
      growth(() =>
        wgError(
          () => new optim.LBFGS([{ params: [w] }, { params: [b] }]),
          /LBFGS: does not support parameter groups/,
        ),
      ),
    ).toEqual([0, 0]);
    m.dispose();
  });
});

describe("a Symbol inside an array argument (seed 917731, 100,000 calls)", () => {
  const s = Symbol("s");
  it.each([
    ["to", () => wg.ones([2]).to([s] as never), /to: unknown dtype an array of 1/],
    ["permute", () => wg.ones([2, 2]).permute([s, 1] as never), /permute: expected sizes/],
    ["oneHot", () => wg.F.oneHot([1, 5, s] as never), /oneHot: class values must be/],
    [
      "LRScheduler",
      () => new (optim.lrScheduler.LRScheduler as never as new (o: unknown) => unknown)(Symbol()),
      /LRScheduler: is abstract/,
    ],
  ])("%s throws a WasmgradError (TypeError before)", (_name, call, pattern) => {
    wgError(call as () => unknown, pattern);
  });
});

describe("fresh seed 20261202, 100,000 calls", () => {
  it("ParameterList refusing an int32 item leaves the float items it was given unmarked", () => {
    const a = wg.ones([3]);
    const b = wg.zeros([5, 0], { dtype: wg.int32 });
    wgError(() => new nn.ParameterList([a, b]), /ParameterList: item 1 is an int32 tensor/);
    expect(a.requiresGrad).toBe(false);
    a.dispose();
    b.dispose();
  });
  it("clipGradValue_ names a bad clipValue holding a Symbol (TypeError before)", () => {
    const p = wg.ones([2], { requiresGrad: true });
    wgError(
      () => nn.utils.clipGradValue_(p, [Symbol("s")] as never),
      /clipGradValue: invalid clipValue \[Symbol\(s\)\]/,
    );
    p.dispose();
  });
  it("loadStateDict takes strict positionally and refuses null options (TypeError before)", () => {
    const m = new nn.Linear(2, 1);
    wgError(
      () => m.loadStateDict({}, null as never),
      /loadStateDict: strict must be true or false/,
    );
    expect(m.loadStateDict({}, false).missingKeys).toEqual(["weight", "bias"]);
    m.dispose();
  });
});

it("size(Symbol) on a 0-d tensor throws a WasmgradError (TypeError before; seed 777)", () => {
  const t = wg.ones([]);
  wgError(() => t.size(Symbol("s") as never), /size: a 0-d tensor has no dimension Symbol\(s\)/);
  t.dispose();
});

it("registerParameter and addModule refuse a name that is not a string (a Symbol key leaked the parameter; seed 777)", () => {
  const m = new nn.Identity();
  const p = wg.ones([3]);
  wgError(() => m.registerParameter(Symbol("s") as never, p), /registerParameter: name must be/);
  wgError(() => m.addModule("a.b", new nn.Identity()), /addModule: name must be/);
  expect(p.requiresGrad).toBe(false);
  p.dispose();
});
