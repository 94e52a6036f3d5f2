// TypeScript 4.9 strict with only lib ES2022 (no DOM, no @types/node, no `using`, which needs
// TypeScript 5.2): the same training, disposing by hand.
import * as wg from "wasmgrad";
import { type FileUrl, loadFile } from "wasmgrad/node";

declare const console: { log(...values: unknown[]): void };

export function train(steps: number): { first: number; last: number } {
  wg.manualSeed(0);
  const x = wg.rand([64, 1]);
  const y = x.mul(2).add(1);
  const model = new wg.nn.Linear(1, 1);
  const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.5 });
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    losses.push(
      wg.tidy(() => {
        const l: wg.Tensor = wg.F.mseLoss(model.forward(x), y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l.item();
      }),
    );
  }
  optimizer.dispose();
  model.dispose();
  y.dispose();
  x.dispose();
  return { first: losses[0], last: losses[losses.length - 1] };
}

export const reader: (path: string | FileUrl) => Record<string, wg.Tensor> = loadFile;
console.log(JSON.stringify({ ...train(50), simd: wg.backendInfo().simd }));
