import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

function live() {
  const m = wg.memory();
  return { tensors: m.liveTensors, bytes: m.liveBytes };
}

describe("memory", () => {
  it("dispose frees storage now and is idempotent", () => {
    const before = live();
    const t = wg.zeros([1000]);
    expect(live().tensors).toBe(before.tensors + 1);
    expect(live().bytes).toBe(before.bytes + 4000);
    t.dispose();
    t.dispose();
    expect(live()).toEqual(before);
    expect(t.isDisposed).toBe(true);
  });

  it("views share storage until the last one is disposed", () => {
    const before = live();
    const t = wg.arange(12);
    const v = t.reshape(3, 4);
    expect(live().bytes).toBe(before.bytes + 48);
    t.dispose();
    expect(v.toArray()).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    v.dispose();
    expect(live()).toEqual(before);
  });

  it("supports `using` through Symbol.dispose", () => {
    const before = live();
    {
      using t = wg.ones([8]);
      using s = t.sum();
      expect(s.item()).toBe(8);
    }
    expect(live()).toEqual(before);
  });

  it("tidy disposes intermediates and keeps what fn returns", () => {
    const before = live();
    const a = wg.tensor([1, 2, 3]);
    const [kept, obj] = wg.tidy(() => {
      const b = a.mul(2).add(1);
      const c = b.exp();
      return [b.sum(), { c }];
    });
    expect(kept.item()).toBe(15);
    expect(obj.c.isDisposed).toBe(false);
    expect(a.isDisposed).toBe(false);
    expect(live().tensors).toBe(before.tensors + 3);
    for (const t of [a, kept, obj.c]) t.dispose();
    expect(live()).toEqual(before);
  });

  it("nested tidy hands returned tensors to the enclosing scope", () => {
    const before = live();
    const outer = wg.tidy(() => {
      const inner = wg.tidy(() => wg.ones([4]).mul(3));
      wg.ones([2]); // swept by the outer scope
      return inner.add(1);
    });
    expect(outer.data()).toEqual(new Float32Array([4, 4, 4, 4]));
    outer.dispose();
    expect(live()).toEqual(before);
  });

  it("a tensor made outside tidy survives being returned from a nested tidy", () => {
    const a = wg.ones([3]);
    const r = wg.tidy(() => {
      const inner = wg.tidy(() => a);
      expect(inner).toBe(a);
      return 1;
    });
    expect(r).toBe(1);
    expect(a.isDisposed).toBe(false);
    a.dispose();
  });

  it("parameters made inside tidy outlive it", () => {
    const layer = wg.tidy(() => new wg.nn.Linear(3, 2));
    expect(layer.weight.isDisposed).toBe(false);
    expect(wg.tidy(() => layer.forward(wg.ones([1, 3])).shape)).toEqual([1, 2]);
    layer.dispose();
  });

  it("tidy cleans up when fn throws", () => {
    const before = live();
    expect(() =>
      wg.tidy(() => {
        wg.ones([10]).mul(2);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(live()).toEqual(before);
  });

  it("a 1,000-step training loop inside tidy keeps memory flat", () => {
    wg.manualSeed(1);
    const model = new wg.nn.Sequential(
      new wg.nn.Linear(20, 16),
      new wg.nn.Tanh(),
      new wg.nn.Linear(16, 3),
    );
    const opt = new wg.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const x = wg.randn([32, 20]);
    const y = Int32Array.from({ length: 32 }, (_, i) => i % 3);
    const step = () =>
      wg.tidy(() => {
        const loss = wg.F.crossEntropy(model.forward(x), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      });
    step(); // creates grads and momentum buffers, which live as long as the model
    const before = live();
    let first = 0;
    let last = 0;
    for (let i = 0; i < 1000; i++) {
      last = step();
      if (i === 0) first = last;
    }
    expect(live()).toEqual(before);
    expect(last).toBeLessThan(first);
    model.dispose();
    opt.dispose();
    x.dispose();
  });

  it("using a disposed tensor is a clear error", () => {
    const t = wg.ones([2, 2]);
    t.dispose();
    expect(() => t.add(1)).toThrow(wg.WasmgradError);
    expect(() => t.add(1)).toThrow(/tensor was disposed/);
    expect(() => t.data()).toThrow(/tensor was disposed/);
    expect(() => wg.matmul(t, t)).toThrow(/matmul: tensor was disposed/);
  });

  it("an allocation that cannot be satisfied throws and leaves the library usable", () => {
    const before = live();
    expect(() => wg.zeros([2 ** 29])).toThrow(wg.WasmgradError);
    expect(() => wg.zeros([2 ** 29])).toThrow(/cannot allocate 2147483648 bytes/);
    // Fill WebAssembly's 4 GiB address space with 512 MiB tensors until the allocator refuses
    // (uninitialised ones, which the allocator serves without touching the pages).
    const big: wg.Tensor[] = [];
    let error: unknown = null;
    try {
      for (let i = 0; i < 16; i++) big.push(wg.Tensor._empty("zeros", [2 ** 27]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(wg.WasmgradError);
    expect(String(error)).toMatch(/out of memory allocating 536870912 bytes/);
    expect(big.length).toBeGreaterThan(1);
    const head = wg.full([4], 7);
    expect(head.data()).toEqual(new Float32Array(4).fill(7));
    head.dispose();
    for (const t of big) t.dispose();
    expect(live()).toEqual(before);
    const r = wg.tidy(() => wg.tensor([1, 2, 3]).mul(2).data());
    expect(r).toEqual(new Float32Array([2, 4, 6]));
    expect(live()).toEqual(before);
  });

  it("unreachable tensors are freed by the FinalizationRegistry safety net", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) throw new Error("run node with --expose-gc (vitest.config.ts sets it)");
    const before = live();
    (() => {
      for (let i = 0; i < 100; i++) wg.ones([256]);
    })();
    expect(live().tensors).toBe(before.tensors + 100);
    for (let i = 0; i < 20 && live().tensors > before.tensors; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(live()).toEqual(before);
  });

  it("memory() reports WebAssembly size and peak", () => {
    const m = wg.memory();
    expect(m.wasmBytes).toBeGreaterThan(0);
    expect(m.peakBytes).toBeGreaterThanOrEqual(m.liveBytes);
  });
});
