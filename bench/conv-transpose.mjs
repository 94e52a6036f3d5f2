// ConvTranspose2d forward and forward+backward on DCGAN's generator shapes (nz 100, ngf 64,
// 64x64 output), in GFLOP/s, beside Conv2d forward on the adjoint shapes (the same FLOPs, run by
// the same kernels) as a yardstick. Run after `npm run build`:
//
//   node bench/conv-transpose.mjs [batch=16] [reps=5]
//
// FLOPs of one pass: 2 * N * Cin * Cout * kH * kW * H * W (H, W: the transposed conv's input);
// forward+backward counts three passes (output, input gradient, weight gradient).
import * as wg from "wasmgrad";
import { loadAverage, runtimeInfo } from "./common.mjs";

const batch = Number(process.argv[2] ?? 16);
const reps = Number(process.argv[3] ?? 5);
const layers = [
  // [in, out, k, stride, padding, input size]
  [100, 512, 4, 1, 0, 1],
  [512, 256, 4, 2, 1, 4],
  [256, 128, 4, 2, 1, 8],
  [128, 64, 4, 2, 1, 16],
  [64, 3, 4, 2, 1, 32],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  fn(); // warm-up
  const ms = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

console.log(JSON.stringify({ ...runtimeInfo(), batch, reps, load: loadAverage() }));
console.log(
  "| layer | output | fwd ms | fwd GFLOP/s | fwd+bwd ms | fwd+bwd GFLOP/s | conv2d adjoint fwd GFLOP/s |",
);
console.log("|---|---|---|---|---|---|---|");
wg.manualSeed(0);
for (const [cin, cout, k, s, p, h] of layers) {
  const m = new wg.nn.ConvTranspose2d(cin, cout, k, s, p, { bias: false });
  const x = wg.randn([batch, cin, h, h], { requiresGrad: true });
  const flops = 2 * batch * cin * cout * k * k * h * h;
  let oh = 0;
  const fwd = time(() =>
    wg.tidy(() =>
      wg.noGrad(() => {
        oh = m.forward(x).shape[2];
      }),
    ),
  );
  const both = time(() =>
    wg.tidy(() => {
      m.forward(x).sum().backward();
      x.grad = null;
      m.zeroGrad();
    }),
  );
  // The convolution whose input gradient this layer computes: [N, cout, oh, oh] -> [N, cin, h, h].
  const y = wg.randn([batch, cout, oh, oh]);
  const adj = time(() =>
    wg.tidy(() => wg.noGrad(() => wg.F.conv2d(y, m.weight, null, { stride: s, padding: p }))),
  );
  const g = (f, ms) => ((f / ms) * 1e-6).toFixed(1);
  console.log(
    `| ConvT(${cin}, ${cout}, ${k}, ${s}, ${p}) | ${cout}x${oh}x${oh} | ${fwd.toFixed(2)} | ${g(flops, fwd)} | ${both.toFixed(2)} | ${g(3 * flops, both)} | ${g(flops, adj)} |`,
  );
  m.dispose();
  x.dispose();
  y.dispose();
}
console.log(JSON.stringify({ loadAtEnd: loadAverage() }));
