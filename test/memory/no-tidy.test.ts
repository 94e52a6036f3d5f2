/**
 * Memory without tidy (issue 15, section 4): the PyTorch-style loop
 * `opt.zeroGrad(); const l = F.crossEntropy(m.forward(x), y); l.backward(); opt.step();` frees the
 * intermediates made inside layers and F ops when backward releases the graph, so live memory
 * stays bounded apart from the results the loop itself holds (the logits and the loss, which the
 * caller may still read and the garbage collector frees once the loop yields). Nothing a caller
 * can still reach is freed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import * as wg from "wasmgrad";
import { _resetLeakWarning } from "../../src/memory.js";

const { nn, F } = wg;

afterEach(() => {
  vi.restoreAllMocks();
});

function data(n: number, features: number, classes: number) {
  wg.manualSeed(0);
  const x = wg.randn(n, features);
  const y = wg.randint(0, classes, [n]);
  return { x, y };
}

describe("a training loop without tidy", () => {
  it("keeps live bytes bounded by what the loop holds (Sequential MLP, SGD)", () => {
    const { x, y } = data(64, 20, 5);
    const m = new nn.Sequential(
      new nn.Linear(20, 256),
      new nn.ReLU(),
      new nn.Linear(256, 256),
      new nn.ReLU(),
      new nn.Linear(256, 5),
    );
    const opt = new wg.optim.SGD(m.parameters(), { lr: 0.05 });
    const held: wg.Tensor[] = [];
    const step = () => {
      opt.zeroGrad();
      const out = m.forward(x);
      const l = F.crossEntropy(out, y);
      l.backward();
      opt.step();
      held.push(out, l); // what the loop's own variables hold until the GC runs
      return l;
    };
    for (let i = 0; i < 20; i++) step();
    const start = wg.memory().liveBytes;
    const steps = 1500;
    let first = 0;
    let last = 0;
    for (let i = 0; i < steps; i++) {
      const l = step();
      if (i === 0) first = l.item();
      last = l.item();
    }
    const perStep = (64 * 5 + 1) * 4; // the logits and the loss
    const grown = wg.memory().liveBytes - start;
    // Before: the hidden activations, ReLU outputs and loss intermediates stayed too (> 140 KB a step).
    expect(grown).toBeLessThanOrEqual(steps * perStep + 64 * 1024);
    expect(last).toBeLessThan(first);
    for (const t of held) t.dispose();
    // Disposing what the loop held brings memory back to where it started.
    expect(wg.memory().liveBytes).toBeLessThanOrEqual(start - 20 * perStep + 64 * 1024);
    for (const t of [x, y, ...m.parameters()]) t.dispose();
  });

  it("frees a layer's intermediates when its result is disposed without backward", () => {
    const m = new nn.Sequential(new nn.Linear(8, 32), new nn.Tanh(), new nn.Linear(32, 2));
    const x = wg.randn(4, 8);
    const before = wg.memory();
    for (let i = 0; i < 50; i++) m.forward(x).dispose();
    const after = wg.memory();
    expect(after.liveTensors).toBe(before.liveTensors);
    expect(after.liveBytes).toBe(before.liveBytes);
    x.dispose();
  });

  it("never frees what the caller holds: results, inputs, a retained graph", () => {
    const m = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
    const x = wg.randn(5, 3);
    const out = m.forward(x);
    const l = out.pow(2).mean();
    l.backward(null, { retainGraph: true });
    const g1 = m.parameters()[0].grad!.data();
    l.backward(); // the intermediates are still there for the second pass
    const g2 = m.parameters()[0].grad!.data();
    for (let i = 0; i < g1.length; i++) expect(g2[i]).toBeCloseTo(2 * g1[i], 5);
    expect(out.isDisposed).toBe(false);
    expect(l.isDisposed).toBe(false);
    expect(x.isDisposed).toBe(false);
    expect(out.shape).toEqual([5, 2]);
    out.dispose();
    l.dispose();
    // A result used by another op keeps its layer's intermediates when disposed.
    const a = m.forward(x);
    const b = a.mul(2);
    a.dispose();
    b.sum().backward();
    expect(m.parameters()[0].grad!.isDisposed).toBe(false);
    b.dispose();
    x.dispose();
  });

  it("does not warn in the loop where it warned before; the warning and errors name the remedy", () => {
    _resetLeakWarning();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { x, y } = data(16, 6, 3);
    const m = new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Linear(16, 3));
    const opt = new wg.optim.Adam(m.parameters(), { lr: 0.01 });
    for (let i = 0; i < 2000; i++) {
      opt.zeroGrad();
      const out = m.forward(x);
      const l = F.crossEntropy(out, y);
      l.backward();
      opt.step();
      out.dispose();
      l.dispose();
    }
    expect(warn).not.toHaveBeenCalled();
    const u = wg.ones(2);
    u.dispose();
    expect(() => u.add(1)).toThrow(/was disposed.*dispose\(\).*tidy/);
    for (const t of [x, y, ...m.parameters()]) t.dispose();
  });
});
