// The smoke test every consumer runs: fit y = 2x + 1 with nn.Linear and SGD (the README's first
// program); returns the first and last losses, which the tests compare.
export function train(wg) {
  wg.manualSeed(0);
  const x = wg.rand([64, 1]);
  const y = x.mul(2).add(1);
  const model = new wg.nn.Linear(1, 1);
  const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.5 });
  const losses = [];
  for (let step = 0; step < 50; step++) {
    losses.push(
      wg.tidy(() => {
        const l = wg.F.mseLoss(model.forward(x), y);
        optimizer.zeroGrad();
        l.backward();
        optimizer.step();
        return l.item();
      }),
    );
  }
  return { first: losses[0], last: losses[losses.length - 1], simd: wg.backendInfo().simd };
}
