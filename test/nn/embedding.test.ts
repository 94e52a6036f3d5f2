/**
 * nn.Embedding and F.embedding against the `embedding` cases of test/fixtures/rnn.json
 * (PyTorch 1.13, made by gen_rnn.py): values and the weight gradient of sum(output * upstream),
 * for indices of every rank (0-d and empty included), repeated indices (their gradients add up)
 * and paddingIdx (positive and negative: the row gets no gradient). Indices as a Tensor holding
 * integers, an Int32Array or a number[]. Also init N(0, 1) with a zero padding row that stays
 * zero under SGD, memory, and the errors bad input must raise.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture, sizeOf, tensorMismatches, toTensor } from "../helpers/fixtures.js";
import {
  type EmbeddingCase,
  type EmbeddingModule,
  embedding,
  type Indices,
  nn,
  type RnnFixture,
} from "../helpers/rnn.js";

const cases = loadFixture<RnnFixture>("rnn.json").embedding;

function expectThrows(fn: () => unknown, ...patterns: RegExp[]): void {
  expect(fn).toThrow(wg.WasmgradError);
  for (const p of patterns) expect(fn).toThrow(p);
}

/** The index forms a case can be given in: a Tensor always, the arrays for 1-D indices. */
function indexForms(c: EmbeddingCase): [string, () => Indices][] {
  const forms: [string, () => Indices][] = [["Tensor", () => toTensor(c.indices)]];
  if (c.indices.shape.length === 1) {
    forms.push(["Int32Array", () => Int32Array.from(c.indices.data)]);
    forms.push(["number[]", () => [...c.indices.data]]);
  }
  return forms;
}

function run(c: EmbeddingCase, weight: wg.Tensor, module: EmbeddingModule | null, idx: Indices) {
  const opts = c.paddingIdx === undefined ? undefined : { paddingIdx: c.paddingIdx };
  return module ? module.forward(idx) : embedding(idx, weight, opts);
}

// ---------------------------------------------------------------------------- fixtures

describe("rnn.json embedding (PyTorch reference)", () => {
  it("holds the 12 generated cases", () => {
    expect(cases.length).toBe(12);
    expect(cases.some((c) => c.indices.shape.length === 0)).toBe(true);
    expect(cases.some((c) => sizeOf(c.indices.shape) === 0)).toBe(true);
    expect(cases.some((c) => (c.paddingIdx ?? 0) < 0)).toBe(true);
    expect(cases.some((c) => c.functional && c.paddingIdx !== undefined)).toBe(true);
  });

  const runs = cases.flatMap((c) =>
    indexForms(c).map(([form, idx]) => ({ name: `${c.name} (${form})`, c, idx })),
  );

  it.each(runs)("$name", ({ c, idx }) => {
    let module: EmbeddingModule | null = null;
    let weight: wg.Tensor;
    if (c.functional) {
      weight = toTensor(c.weight, true);
    } else {
      const opts = c.paddingIdx === undefined ? {} : { paddingIdx: c.paddingIdx };
      module = new nn.Embedding(c.numEmbeddings, c.embeddingDim, opts);
      expect(module.namedParameters().map(([n, p]) => [n, [...p.shape]])).toEqual([
        ["weight", [c.numEmbeddings, c.embeddingDim]],
      ]);
      const m = module;
      wg.tidy(() => {
        m.loadStateDict({ weight: toTensor(c.weight) });
      });
      weight = module.weight;
    }
    try {
      wg.tidy(() => {
        const out = run(c, weight, module, idx());
        expect(tensorMismatches(out, c.output), "output").toEqual([]);
        out.backward(toTensor(c.upstream));
      });
      expect(tensorMismatches(weight.grad, c.grads.weight), "grad weight").toEqual([]);
    } finally {
      if (module) module.dispose();
      else weight.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- init, training

describe("nn.Embedding", () => {
  it("starts N(0, 1); the paddingIdx row is zero", () => {
    const num = 1000;
    const dim = 16;
    const emb = new nn.Embedding(num, dim, { paddingIdx: 7 });
    const plain = new nn.Embedding(3, 2);
    try {
      expect(Object.keys(emb.stateDict())).toEqual(["weight"]);
      expect(emb.weight.requiresGrad).toBe(true);
      const w = emb.weight.data();
      expect(Array.from(w.subarray(7 * dim, 8 * dim))).toEqual(new Array(dim).fill(0));
      const n = w.length - dim;
      let s = 0;
      let s2 = 0;
      w.forEach((v, i) => {
        if (Math.floor(i / dim) === 7) return;
        s += v;
        s2 += v * v;
      });
      const mean = s / n;
      const std = Math.sqrt(s2 / n - mean * mean);
      expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(std - 1)).toBeLessThan(0.05);
      // A normal draw, not a uniform one: about 4.6% of N(0, 1) lies beyond 2.
      const tails = Array.from(w).filter((v) => Math.abs(v) > 2).length / n;
      expect(tails).toBeGreaterThan(0.03);
      expect(tails).toBeLessThan(0.065);
      expect(plain.weight.data().some((v) => v === 0)).toBe(false);
    } finally {
      emb.dispose();
      plain.dispose();
    }
  });

  it("a negative paddingIdx counts from the end", () => {
    const emb = new nn.Embedding(5, 3, { paddingIdx: -2 });
    try {
      const w = emb.weight.data();
      expect(Array.from(w.subarray(9, 12))).toEqual([0, 0, 0]);
      expect(Array.from(w.subarray(0, 9)).some((v) => v === 0)).toBe(false);
    } finally {
      emb.dispose();
    }
  });

  it("the padding row stays zero through SGD steps (its gradient is zero)", () => {
    const emb = new nn.Embedding(6, 4, { paddingIdx: 0 });
    const opt = new wg.optim.SGD(emb.parameters(), { lr: 0.5, momentum: 0.9 });
    try {
      const before = emb.weight.data();
      for (let step = 0; step < 3; step++) {
        wg.tidy(() => {
          opt.zeroGrad();
          const out = emb.forward([0, 3, 0, 5, 0]);
          out.mul(out).sum().backward();
          expect(Array.from(emb.weight.grad?.data().subarray(0, 4) ?? [])).toEqual([0, 0, 0, 0]);
          opt.step();
        });
      }
      const after = emb.weight.data();
      expect(Array.from(after.subarray(0, 4))).toEqual([0, 0, 0, 0]);
      // The used rows moved, the unused ones did not.
      expect(after[12]).not.toBe(before[12]);
      expect(Array.from(after.subarray(4, 12))).toEqual(Array.from(before.subarray(4, 12)));
    } finally {
      emb.dispose();
    }
  });

  it("accepts integer-valued indices computed by other ops", () => {
    const emb = new nn.Embedding(4, 2);
    try {
      wg.tidy(() => {
        const idx = wg.arange(4).reshape(2, 2);
        const out = emb.forward(idx);
        expect(out.shape).toEqual([2, 2, 2]);
        expect(Array.from(out.data())).toEqual(Array.from(emb.weight.data()));
      });
    } finally {
      emb.dispose();
    }
  });

  it("forward and backward in tidy leave only the weight's gradient", () => {
    const emb = new nn.Embedding(10, 3);
    try {
      const before = wg.memory().liveTensors;
      wg.tidy(() => {
        const out = emb.forward(
          wg.tensor([
            [1, 2, 2],
            [9, 0, 1],
          ]),
        );
        out.backward(wg.onesLike(out));
      });
      expect(wg.memory().liveTensors - before).toBe(1);
      emb.zeroGrad();
      expect(wg.memory().liveTensors).toBe(before);
    } finally {
      emb.dispose();
    }
  });
});

// ---------------------------------------------------------------------------- errors

describe("bad input throws WasmgradError", () => {
  it("out-of-range indices, in every index form", () => {
    const emb = new nn.Embedding(5, 3);
    try {
      for (const bad of [[0, 5, 1], Int32Array.from([2, -1])]) {
        expectThrows(() => emb.forward(bad), /[Ee]mbedding/, /-1|5/, /\b5\b/);
      }
      const t = wg.tensor([[1, 7]]);
      try {
        expectThrows(() => emb.forward(t), /[Ee]mbedding/, /\b7\b/, /\b5\b/);
      } finally {
        t.dispose();
      }
      const w = wg.zeros([5, 3]);
      try {
        expectThrows(() => embedding([6], w), /embedding/, /\b6\b/, /\b5\b/);
      } finally {
        w.dispose();
      }
    } finally {
      emb.dispose();
    }
  });

  it("indices that are not integers", () => {
    const emb = new nn.Embedding(5, 3);
    const t = wg.tensor([1, 2.5]);
    try {
      expectThrows(() => emb.forward(t), /[Ee]mbedding/, /2\.5/);
      expectThrows(() => emb.forward([0, 1.5]), /[Ee]mbedding/, /1\.5/);
    } finally {
      emb.dispose();
      t.dispose();
    }
  });

  it("paddingIdx outside [-numEmbeddings, numEmbeddings)", () => {
    expectThrows(() => new nn.Embedding(5, 3, { paddingIdx: 5 }), /Embedding/, /paddingIdx/, /5/);
    expectThrows(() => new nn.Embedding(5, 3, { paddingIdx: -6 }), /Embedding/, /-6/);
  });

  it("F.embedding: weight must be 2-D", () => {
    const w = wg.zeros([5]);
    try {
      expectThrows(() => embedding([1], w), /embedding/, /\[5\]/);
    } finally {
      w.dispose();
    }
  });

  it("a rejected call leaves no tensors behind", () => {
    const emb = new nn.Embedding(5, 3);
    try {
      const before = wg.memory().liveTensors;
      expect(() => wg.tidy(() => emb.forward([1, 9]))).toThrow(wg.WasmgradError);
      expect(wg.memory().liveTensors).toBe(before);
    } finally {
      emb.dispose();
    }
  });
});
