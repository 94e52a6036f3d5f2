// Jest with its default configuration (CommonJS, babel-jest): gets wasmgrad's CommonJS build.
const wg = require("wasmgrad");

test("training lowers the loss", () => {
  wg.manualSeed(0);
  const x = wg.rand([64, 1]);
  const y = x.mul(2).add(1);
  const model = new wg.nn.Linear(1, 1);
  const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.5 });
  const step = () =>
    wg.tidy(() => {
      const l = wg.F.mseLoss(model.forward(x), y);
      optimizer.zeroGrad();
      l.backward();
      optimizer.step();
      return l.item();
    });
  const first = step();
  let last = first;
  for (let i = 0; i < 49; i++) last = step();
  expect(last).toBeLessThan(first / 100);
});
