// TypeScript strict, compiled with only lib ES2022 + ESNext.Disposable: no DOM, no @types/node.
import * as wg from "wasmgrad";
import { type FileUrl, loadFile } from "wasmgrad/node";

declare const console: { log(...values: unknown[]): void };

export function train(steps: number): { first: number; last: number } {
  wg.manualSeed(0);
  using x = wg.rand([64, 1]);
  using y = x.mul(2).add(1);
  using model = new wg.nn.Linear(1, 1);
  using optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.5 });
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
  return { first: losses[0], last: losses[losses.length - 1] };
}

export const reader: (path: string | FileUrl) => Record<string, wg.Tensor> = loadFile;
console.log(JSON.stringify({ ...train(50), simd: wg.backendInfo().simd }));
