/**
 * The classic first example: fit y = w·x + b to 100 noisy points of y = 3x + 2 by full-batch
 * gradient descent on the mean squared error. Autograd supplies both gradients,
 *   dL/dw = (2/N) Σ (w·xᵢ + b − yᵢ)·xᵢ     dL/db = (2/N) Σ (w·xᵢ + b − yᵢ),
 * each paired with its own parameter and averaged over the points.
 *
 *   node dist-examples/examples/linear-regression.js
 */
import { pathToFileURL } from "node:url";
import * as wg from "wasmgrad";

export interface RegressionResult {
  slope: number;
  intercept: number;
  loss: number;
  x: Float32Array;
  y: Float32Array;
}

/** Generates the data (seeded) and fits it; returns the fitted line and the data. */
export function fitLine(
  options: { steps?: number; lr?: number; seed?: number } = {},
): RegressionResult {
  const { steps = 2000, lr = 0.1, seed = 42 } = options;
  wg.manualSeed(seed);
  const n = 100;
  const x = wg.rand([n, 1]).mul(2); // x in [0, 2)
  const noise = wg.randn([n, 1]).mul(0.5);
  const y = x.mul(3).add(2).add(noise);

  const w = wg.zeros([1], { requiresGrad: true });
  const b = wg.zeros([1], { requiresGrad: true });
  const optimizer = new wg.optim.SGD([w, b], { lr });
  let loss = Number.NaN;
  for (let step = 0; step < steps; step++) {
    loss = wg.tidy(() => {
      const l = wg.F.mseLoss(x.mul(w).add(b), y);
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      return l.item();
    });
  }
  const result = { slope: w.item(), intercept: b.item(), loss, x: x.data(), y: y.data() };
  for (const t of [x, noise, y, w, b]) t.dispose();
  optimizer.dispose();
  return result;
}

function main(): void {
  const r = fitLine();
  console.log(
    `fitted y = ${r.slope.toFixed(4)}·x + ${r.intercept.toFixed(4)}  (true line y = 3x + 2; noise σ = 0.5)`,
  );
  console.log(`final mean squared error: ${r.loss.toFixed(4)}`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  main();
