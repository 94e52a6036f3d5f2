/**
 * Loss modules and the new F functions beyond the PyTorch fixtures (nn2.test.ts): PyTorch's
 * positional order, legacy sizeAverage/reduce, weights as state-dict buffers, oneHot, and
 * the error messages of every constructor.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const nn = wg.nn;
type AnyCtor = new (...a: unknown[]) => wg.nn.Module<never[], unknown>;
const ctor = (c: unknown): AnyCtor => c as AnyCtor;

describe("loss modules", () => {
  it("take PyTorch's positional order", () => {
    const w = wg.tensor([1, 2, 3]);
    const ce = new nn.CrossEntropyLoss(w, null, 2, null, "sum", 0.1);
    expect([ce.ignoreIndex, ce.reduction, ce.labelSmoothing]).toEqual([2, "sum", 0.1]);
    expect(ce.weight).toBe(w);
    expect(Object.keys(ce.stateDict())).toEqual(["weight"]);
    const bce = new nn.BCEWithLogitsLoss(null, null, null, "none", wg.tensor([2]));
    expect(Object.keys(bce.stateDict())).toEqual(["pos_weight"]);
    expect(new nn.HuberLoss("sum", 2).delta).toBe(2);
    expect(new nn.SmoothL1Loss({ beta: 0.5 }).beta).toBe(0.5);
    const t = new nn.TripletMarginLoss(2, 1, 1e-3, true, { reduction: "none" });
    expect([t.margin, t.p, t.eps, t.swap, t.reduction]).toEqual([2, 1, 1e-3, true, "none"]);
    expect(new nn.MSELoss().reduction).toBe("mean");
    expect(new nn.L1Loss().constructor.name).toBe("L1Loss");
  });

  it("map sizeAverage and reduce to reduction as PyTorch", () => {
    expect(new nn.MSELoss(false).reduction).toBe("sum");
    expect(new nn.MSELoss(true, false).reduction).toBe("none");
    expect(new nn.L1Loss(null, true).reduction).toBe("mean");
    expect(new nn.KLDivLoss({ reduce: false }).reduction).toBe("none");
  });

  it("MSELoss module equals F.mseLoss", () => {
    const x = wg.tensor([1, 2, 3]);
    const y = wg.tensor([0, 2, 5]);
    expect(new nn.MSELoss({ reduction: "sum" }).forward(x, y).item()).toBe(5);
  });

  it("reject unknown, snake_case, extra and mistyped arguments", () => {
    expect(() => new (ctor(nn.CrossEntropyLoss))({ label_smoothing: 0.1 })).toThrow(
      /CrossEntropyLoss: unknown option "label_smoothing"; did you mean labelSmoothing\?/,
    );
    expect(() => new (ctor(nn.CrossEntropyLoss))({ ignore_index: 0 })).toThrow(
      /did you mean ignoreIndex\?/,
    );
    expect(() => new (ctor(nn.BCEWithLogitsLoss))({ pos_weight: wg.ones(1) })).toThrow(
      /did you mean posWeight\?/,
    );
    expect(() => new (ctor(nn.KLDivLoss))({ log_target: true })).toThrow(
      /did you mean logTarget\?/,
    );
    expect(() => new (ctor(nn.MSELoss))(null, null, "mean", 1)).toThrow(
      /MSELoss: too many arguments/,
    );
    expect(() => new (ctor(nn.MSELoss))({ reduction: "avg" })).toThrow(
      /MSELoss: reduction must be one of "mean", "sum", "none" but got "avg"/,
    );
    expect(() => new (ctor(nn.KLDivLoss))({ reduction: "batchmean" })).not.toThrow();
    expect(() => new (ctor(nn.L1Loss))({ reduction: "batchmean" })).toThrow(/L1Loss: reduction/);
    expect(() => new (ctor(nn.CrossEntropyLoss))([1, 2])).toThrow(
      /CrossEntropyLoss: expected weight to be a Tensor but got \[1, 2\]/,
    );
    expect(() => new (ctor(nn.CrossEntropyLoss))({ labelSmoothing: 2 })).toThrow(
      /labelSmoothing must be a number >= 0 and <= 1 but got 2/,
    );
    expect(() => new (ctor(nn.NLLLoss))(null, null, 1.5)).toThrow(
      /NLLLoss: ignoreIndex must be an integer/,
    );
    expect(() => new (ctor(nn.HuberLoss))("sum", 0)).toThrow(
      /HuberLoss: delta must be a finite number > 0/,
    );
    expect(() => new (ctor(nn.SmoothL1Loss))({ beta: -1 })).toThrow(/SmoothL1Loss: beta must be/);
    expect(() => new (ctor(nn.TripletMarginLoss))(1, 2, 1e-6, "yes")).toThrow(
      /TripletMarginLoss: swap must be true or false/,
    );
    expect(() => new (ctor(nn.MarginRankingLoss))("1")).toThrow(
      /MarginRankingLoss: margin must be a number/,
    );
    expect(() => new (ctor(nn.CosineEmbeddingLoss))({ margin: 0, size_average: true })).toThrow(
      /did you mean sizeAverage\?/,
    );
    expect(() => new (ctor(nn.BCELoss))(null, "yes")).toThrow(
      /BCELoss: sizeAverage must be true or false/,
    );
    expect(() => new (ctor(nn.MSELoss))(null, null, "sum", { reduction: "sum" })).toThrow(
      /reduction was given both/,
    );
  });
});

describe("new F losses and helpers", () => {
  const F = wg.F as unknown as Record<string, (...a: unknown[]) => wg.Tensor>;
  it("check shapes and arguments", () => {
    const a = wg.ones([3, 4]);
    expect(() => F.cosineEmbeddingLoss(a, a, wg.ones(4))).toThrow(
      /cosineEmbeddingLoss: expected input1 and input2 of one shape \[N, D\] or \[D\] and target \[N\] or \[\] but got \[3,4\], \[3,4\], \[4\]/,
    );
    expect(() => F.tripletMarginLoss(a, a, wg.ones(4))).toThrow(
      /tripletMarginLoss: expected anchor/,
    );
    expect(() => F.marginRankingLoss(wg.ones(3), wg.ones(3), wg.ones([1, 3]))).toThrow(
      /marginRankingLoss: input1, input2 and target must have the same number of dims/,
    );
    expect(() => F.l1Loss(a, [1])).toThrow(/l1Loss: expected target to be a Tensor/);
    expect(() => F.klDiv(a, a, { log_target: true })).toThrow(/did you mean logTarget\?/);
    expect(() => F.normalize(a, 2, 2)).toThrow(/normalize: dim 2 is out of range|normalize:.*dim/);
    expect(() => F.cosineSimilarity(a, a, { dims: 1 })).toThrow(
      /cosineSimilarity: unknown option "dims"/,
    );
  });

  it("oneHot gives PyTorch's one_hot", () => {
    expect(wg.F.oneHot([0, 2, 1]).toArray()).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    const t = wg.tensor([[1], [3]]);
    const h = wg.F.oneHot(t, 5);
    expect(h.shape).toEqual([2, 1, 5]);
    expect(h.dtype).toBe("int32");
    expect(wg.F.oneHot(wg.tensor([2, 0], { dtype: "int32" })).toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(Array.from(h.data())).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 1, 0]);
    expect(wg.F.oneHot(new Int32Array([1]), { numClasses: 2 }).toArray()).toEqual([[0, 1]]);
    expect(() => wg.F.oneHot([0, 3], 3)).toThrow(
      /oneHot: class values must be smaller than numClasses \(3\) but got 3/,
    );
    expect(() => wg.F.oneHot([0, -1])).toThrow(
      /oneHot: class values must be non-negative integers but got -1/,
    );
    expect(() => wg.F.oneHot([0.5])).toThrow(/oneHot: class values must be non-negative integers/);
    expect(() => wg.F.oneHot([])).toThrow(/oneHot: can not infer the number of classes/);
  });

  it("legacy reduce=false gives per-element losses", () => {
    const x = wg.tensor([1, -2]);
    expect(Array.from(wg.F.l1Loss(x, wg.zeros(2), null, false).data())).toEqual([1, 2]);
  });
});
