// ConvTranspose2d forward and forward+backward on DCGAN's generator shapes (nz 100, ngf 64,
// 64x64 output), in GFLOP/s, beside Conv2d forward on the adjoint shapes (the same FLOPs, run by
// the same kernels) as a yardstick. The three take turns within each round (interleaved);
// medians and minimums over the rounds, with the load average at start and end. Run after
// `npm run build`:
//
//   node bench/conv-transpose.mjs [--quick] [--batch 16]
//
// --quick: batch 4, 3 short rounds (about 10 s on an idle machine). FLOPs of one pass:
// 2 * N * Cin * Cout * kH * kW * H * W (H, W: the transposed conv's input); forward+backward
// counts three passes (output, input gradient, weight gradient).
import * as wg from "wasmgrad";
import { createTimer, fmt, loadAverage, markdown, runtimeInfo } from "./common.mjs";

const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const batch = argv.includes("--batch") ? Number(argv[argv.indexOf("--batch") + 1]) : quick ? 4 : 16;
const timer = createTimer({
  minMs: quick ? 20 : 60,
  rounds: quick ? 3 : 5,
  warmMs: quick ? 20 : 60,
});
const info = runtimeInfo();
const layers = [
  // [in, out, k, stride, padding, input size]
  [100, 512, 4, 1, 0, 1],
  [512, 256, 4, 2, 1, 4],
  [256, 128, 4, 2, 1, 8],
  [128, 64, 4, 2, 1, 16],
  [64, 3, 4, 2, 1, 32],
];

const rows = [];
wg.manualSeed(0);
for (const [cin, cout, k, s, p, h] of layers) {
  const m = new wg.nn.ConvTranspose2d(cin, cout, k, s, p, { bias: false });
  const x = wg.randn([batch, cin, h, h], { requiresGrad: true });
  const flops = 2 * batch * cin * cout * k * k * h * h;
  const oh = wg.tidy(() => wg.noGrad(() => m.forward(x).shape[2]));
  // The convolution whose input gradient this layer computes: [N, cout, oh, oh] -> [N, cin, h, h].
  const y = wg.randn([batch, cout, oh, oh]);
  const name = `ConvT(${cin}, ${cout}, ${k}, ${s}, ${p})`;
  const loop = (f) => (r) => {
    for (let i = 0; i < r; i++) f();
  };
  timer.record(
    await timer.race([
      { key: `${name}:fwd`, run: loop(() => wg.tidy(() => wg.noGrad(() => m.forward(x)))) },
      {
        key: `${name}:both`,
        run: loop(() =>
          wg.tidy(() => {
            m.forward(x).sum().backward();
            x.grad = null;
            m.zeroGrad();
          }),
        ),
      },
      {
        key: `${name}:adj`,
        run: loop(() =>
          wg.tidy(() => wg.noGrad(() => wg.F.conv2d(y, m.weight, null, { stride: s, padding: p }))),
        ),
      },
    ]),
  );
  const [fw, both, adj] = ["fwd", "both", "adj"].map((t) => timer.stats(`${name}:${t}`));
  const g = (f, sec) => fmt(f / sec / 1e9);
  rows.push([
    name,
    `${cout}x${oh}x${oh}`,
    `${fmt(fw.median * 1e3)} (${fmt(fw.best * 1e3)})`,
    `${g(flops, fw.median)} (${g(flops, fw.best)})`,
    `${fmt(both.median * 1e3)} (${fmt(both.best * 1e3)})`,
    `${g(3 * flops, both.median)} (${g(3 * flops, both.best)})`,
    `${g(flops, adj.median)} (${g(flops, adj.best)})`,
  ]);
  m.dispose();
  x.dispose();
  y.dispose();
}
console.log(
  `ConvTranspose2d, DCGAN generator, batch ${batch} (median (min) over interleaved rounds; load ${info.loadavgStart.join(" ")} -> ${loadAverage().join(" ")}; ${info.git}, Node ${info.node})`,
);
console.log(
  markdown(
    [
      "layer",
      "output",
      "fwd ms",
      "fwd GFLOP/s",
      "fwd+bwd ms",
      "fwd+bwd GFLOP/s",
      "conv2d adjoint fwd GFLOP/s",
    ],
    rows,
    2,
  ),
);
process.exit(0);
