/**
 * wg.distributions against PyTorch (test/fixtures/distributions.json, gen_distributions.py):
 * log-probabilities, entropies and their gradients in every parameter; then sampling
 * (frequencies, shapes, reproducibility under manualSeed), rsample's gradients, errors, and memory.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type FixtureTensor, loadFixture, tensorMismatches, toTensor } from "./helpers/fixtures.js";

interface Case {
  name: string;
  dist: "Categorical" | "Bernoulli" | "Normal";
  params: Record<string, FixtureTensor>;
  value: FixtureTensor;
  logProb: FixtureTensor;
  entropy: FixtureTensor;
  upstream: { logProb: FixtureTensor; entropy: FixtureTensor };
  grads: Record<string, FixtureTensor>;
}

const cases = loadFixture<Case[]>("distributions.json");
const D = wg.distributions;

describe("log-probabilities, entropies and their gradients match PyTorch", () => {
  it.each(cases)("$name", (c) => {
    const live = wg.memory().liveTensors;
    const problems = wg.tidy(() => {
      const params = Object.fromEntries(
        Object.entries(c.params).map(([k, t]) => [k, toTensor(t, true)]),
      );
      const value =
        c.dist === "Categorical"
          ? wg.tensor(Int32Array.from(c.value.data), { shape: c.value.shape })
          : toTensor(c.value);
      const d =
        c.dist === "Normal"
          ? new D.Normal(params.loc, params.scale)
          : c.dist === "Bernoulli"
            ? new D.Bernoulli(params)
            : new D.Categorical(params);
      const lp = d.logProb(value);
      const en = d.entropy();
      lp.mul(toTensor(c.upstream.logProb))
        .sum()
        .add(en.mul(toTensor(c.upstream.entropy)).sum())
        .backward();
      const out = [
        ...tensorMismatches(lp, c.logProb).map((m) => `logProb: ${m}`),
        ...tensorMismatches(en, c.entropy).map((m) => `entropy: ${m}`),
        ...Object.entries(c.grads).flatMap(([k, g]) =>
          tensorMismatches(params[k].grad, g).map((m) => `grad ${k}: ${m}`),
        ),
      ];
      d.dispose();
      return out;
    });
    expect(problems).toEqual([]);
    expect(wg.memory().liveTensors).toBe(live);
  });
});

describe("sampling", () => {
  it("Categorical: frequencies, shapes [...sampleShape, ...batchShape], int32, reproducible", () => {
    wg.tidy(() => {
      wg.manualSeed(7);
      const m = new D.Categorical(
        wg.tensor([
          [0.1, 0.2, 0.7],
          [1, 1, 2],
        ]),
      );
      const s = m.sample([4000]);
      expect([s.shape, s.dtype]).toEqual([[4000, 2], "int32"]);
      const freq = (row: number, k: number) =>
        s.index(":", row).eq(k).float().mean().item() as number;
      expect(Math.abs(freq(0, 2) - 0.7)).toBeLessThan(0.03);
      expect(Math.abs(freq(0, 0) - 0.1)).toBeLessThan(0.02);
      expect(Math.abs(freq(1, 2) - 0.5)).toBeLessThan(0.03);
      expect(m.sample().shape).toEqual([2]);
      expect(m.sample([2, 3]).shape).toEqual([2, 3, 2]);
      expect(m.mode.toArray()).toEqual([2, 2]);
      wg.manualSeed(3);
      const a = m.sample([50]).toArray();
      wg.manualSeed(3);
      expect(m.sample([50]).toArray()).toEqual(a);
    });
  });

  it("Normal: moments, rsample's gradients (the reparameterisation), sample has none", () => {
    wg.tidy(() => {
      wg.manualSeed(11);
      const loc = wg.tensor([1, -2]).requiresGrad_();
      const scale = wg.tensor([0.5, 3]).requiresGrad_();
      const m = new D.Normal(loc, scale);
      const s = m.sample([20000]);
      expect(s.requiresGrad).toBe(false);
      const mean = s.mean(0).toArray() as number[];
      const std = s.std(0).toArray() as number[];
      expect(Math.abs(mean[0] - 1)).toBeLessThan(0.02);
      expect(Math.abs(mean[1] + 2)).toBeLessThan(0.1);
      expect(Math.abs(std[0] - 0.5)).toBeLessThan(0.02);
      expect(Math.abs(std[1] - 3)).toBeLessThan(0.1);
      const z = m.rsample([3]);
      z.sum().backward();
      expect(loc.grad?.toArray()).toEqual([3, 3]);
      // d z / d scale = eps = (z - loc) / scale, summed over the samples.
      const eps = z.detach().sub(loc.detach()).div(scale.detach()).sum(0).toArray() as number[];
      const g = scale.grad?.toArray() as number[];
      expect(Math.abs(g[0] - eps[0])).toBeLessThan(1e-5);
      expect(Math.abs(g[1] - eps[1])).toBeLessThan(1e-5);
      expect([m.mean, m.stddev, m.variance.toArray()]).toEqual([m.loc, m.scale, [0.25, 9]]);
      expect(new D.Normal(0, 1).sample([2, 3]).shape).toEqual([2, 3]);
    });
  });

  it("Bernoulli: frequencies and shapes", () => {
    wg.tidy(() => {
      wg.manualSeed(5);
      const m = new D.Bernoulli(wg.tensor([0.2, 0.9]));
      const s = m.sample([5000]);
      expect(s.shape).toEqual([5000, 2]);
      const f = s.mean(0).toArray() as number[];
      expect(Math.abs(f[0] - 0.2)).toBeLessThan(0.02);
      expect(Math.abs(f[1] - 0.9)).toBeLessThan(0.02);
      expect(new D.Bernoulli({ logits: wg.tensor([0]) }).probs.toArray()).toEqual([0.5]);
    });
  });
});

describe("a REINFORCE step, and memory", () => {
  it("policy-gradient loss through Categorical.logProb reaches the policy's weights", () => {
    wg.manualSeed(1);
    const policy = new wg.nn.Linear(4, 3);
    const state = wg.randn(4);
    const live = wg.memory().liveTensors;
    for (let step = 0; step < 5; step++) {
      wg.tidy(() => {
        const d = new D.Categorical(policy.forward(state).softmax(-1));
        const action = d.sample();
        d.logProb(action).mul(-1.5).backward();
        expect(policy.weight.grad?.abs().sum().item()).toBeGreaterThan(0);
        policy.zeroGrad();
      });
    }
    expect(wg.memory().liveTensors).toBe(live);
    policy.dispose();
    state.dispose();
  });

  it("made and used without tidy, a distribution frees what it made on dispose", () => {
    const p = wg.tensor([0.5, 0.5]);
    const live = wg.memory().liveTensors;
    for (let i = 0; i < 10; i++) {
      const d = new D.Categorical(p);
      const a = d.sample();
      d.logProb(a).dispose();
      d.entropy().dispose();
      a.dispose();
      d.dispose();
      const n = new D.Normal(0, 1);
      n.logProb(0.3).dispose();
      n.sample([2]).dispose();
      n.dispose();
    }
    expect(wg.memory().liveTensors).toBe(live);
    p.dispose();
  });
});

describe("errors name the distribution and what it expected", () => {
  const throwsWg = (fn: () => unknown, pattern: RegExp) => {
    expect(() => wg.tidy(() => void fn())).toThrow(pattern);
    try {
      wg.tidy(() => void fn());
    } catch (e) {
      expect(e).toBeInstanceOf(wg.WasmgradError);
    }
  };
  it("bad parameters and values", () => {
    throwsWg(() => new D.Categorical(), /^Categorical: expected exactly one of probs and logits/);
    throwsWg(
      () => new D.Categorical({ probs: wg.ones(2), logits: wg.ones(2) }),
      /^Categorical: expected exactly one/,
    );
    throwsWg(
      () => new D.Categorical(wg.tensor([0.5, -0.1])),
      /^Categorical: probs must be non-negative/,
    );
    throwsWg(
      () => new D.Categorical(wg.tensor(1)),
      /^Categorical: expected categories along the last dimension/,
    );
    throwsWg(
      () => new D.Categorical(wg.tensor([0.5, 0.5])).logProb(wg.tensor(2).int()),
      /^Categorical.logProb: values must be category indices in \[0, 1\]/,
    );
    throwsWg(
      () => new D.Categorical(wg.ones(2)).sample([-1]),
      /^Categorical.sample: sampleShape must be/,
    );
    throwsWg(() => new D.Normal(0, 0), /^Normal: scale must be positive/);
    throwsWg(
      () => new D.Normal("a" as never, 1),
      /^Normal: loc must be a float32 Tensor or a number/,
    );
    throwsWg(() => new D.Normal(0, 1, { bogus: 1 } as never), /^Normal: unknown option "bogus"/);
    throwsWg(() => new D.Bernoulli(wg.tensor([1.5])), /^Bernoulli: probs must be in \[0, 1\]/);
    throwsWg(
      () => new D.Normal(wg.zeros(2), wg.ones(3)),
      /^Normal: shapes \[2\] and \[3\] cannot be broadcast/,
    );
  });
});
