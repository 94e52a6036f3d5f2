import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

// add's backward hands the same gradient tensor to both operands. When the first operand's node
// already held a gradient, the engine added it there and freed it, and the second operand then
// received a disposed tensor ("mul: tensor was disposed" in the VAE's reparameterisation).
describe("a gradient handed to two inputs", () => {
  it("survives being accumulated for one of them (z = mu + s * eps with mu used again)", () => {
    wg.manualSeed(3);
    const w = wg.randn([8, 2], { requiresGrad: true });
    const v = wg.randn([8, 2], { requiresGrad: true });
    const before = wg.memory().liveTensors;
    const ev = wg.tidy(() => {
      const eps = wg.randn([8, 2]);
      const mu = w.mul(1);
      const z = mu.add(v.mul(1).mul(0.5).exp().mul(eps));
      z.sum().add(mu.pow(2).sum()).backward();
      return eps.data();
    });
    // Only the two leaves' gradients are left: nothing leaked on the way.
    expect(wg.memory().liveTensors).toBe(before + 2);
    const wv = w.data();
    const gw = (w.grad as wg.Tensor).data();
    for (let i = 0; i < wv.length; i++) expect(gw[i]).toBeCloseTo(1 + 2 * wv[i], 5);
    const vv = v.data();
    const gv = (v.grad as wg.Tensor).data();
    for (let i = 0; i < vv.length; i++) {
      expect(gv[i]).toBeCloseTo(0.5 * Math.exp(0.5 * vv[i]) * ev[i], 5);
    }
    w.dispose();
    v.dispose();
  });
});
