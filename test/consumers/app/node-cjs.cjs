const wg = require("wasmgrad");
const { saveFile } = require("wasmgrad/node");

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
if (typeof saveFile !== "function") throw new Error("wasmgrad/node did not load");
console.log(JSON.stringify({ first: losses[0], last: losses[losses.length - 1], simd: true }));
