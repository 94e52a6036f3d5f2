import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { fitLine } from "../../examples/linear-regression.js";
import { trainCnn } from "../../examples/mnist-cnn.js";
import { train } from "../../examples/mnist-mlp.js";

describe("examples", () => {
  it("linear regression by gradient descent reaches the closed-form least-squares line", () => {
    const r = fitLine();
    // Closed form: slope = cov(x, y) / var(x), intercept = mean(y) - slope * mean(x), in doubles.
    const n = r.x.length;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      mx += r.x[i] / n;
      my += r.y[i] / n;
    }
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (r.x[i] - mx) * (r.y[i] - my);
      sxx += (r.x[i] - mx) ** 2;
    }
    const slope = sxy / sxx;
    const intercept = my - slope * mx;
    expect(Math.abs(r.slope - slope)).toBeLessThan(1e-3);
    expect(Math.abs(r.intercept - intercept)).toBeLessThan(1e-3);
    // and the data really came from y = 3x + 2 with noise
    expect(Math.abs(slope - 3)).toBeLessThan(0.3);
    expect(Math.abs(intercept - 2)).toBeLessThan(0.3);
  });

  it("the MNIST MLP example reaches at least 95% held-out accuracy", () => {
    const before = wg.memory();
    const r = train();
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.steps).toBe(10 * Math.floor(7996 / 64));
    expect(wg.memory().liveTensors).toBe(before.liveTensors);
  });
});

describe("the MNIST CNN example", () => {
  it("learns digits at a reduced size, with flat memory", () => {
    const before = wg.memory();
    // 2,000 training digits, three epochs: enough to show learning in a few seconds.
    const r = trainCnn({ epochs: 3, limit: 2000, channels: [8, 16], seed: 3 });
    expect(r.steps).toBe(3 * Math.floor(2000 / 32));
    expect(r.losses[2]).toBeLessThan(r.losses[0]);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.93);
    expect(wg.memory().liveTensors).toBe(before.liveTensors);
  });
});
