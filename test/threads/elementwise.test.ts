/**
 * Elementwise kernels split over ranges (multiples of 16 floats), max and average pooling split
 * over blocks of planes, batch norm over blocks of channels, softmax and logSoftmax over blocks
 * of rows, and optimizer updates give the single-thread bits at 2, 3 and 4
 * threads, over sizes just around the range and block boundaries (8192-float ranges; about 16
 * blocks of planes) with odd tails. The threshold is 0, so everything with more than one block
 * goes to the pool, which the test checks.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type BitsCase, bits, expectSameBitsAtThreads, ranRanged } from "../helpers/threads.js";

/** Element counts: below, at and around one and several 8192-float ranges, odd tails. */
const sizes = [8191, 8193, 24581, 8192 * 16 + 7, 8192 * 17 - 3];

type Case = BitsCase;

function elementwise(n: number): Case[] {
  const input = () => {
    const x = wg.randn([n]).mul(3);
    x.requiresGrad = true;
    return x;
  };
  const unary = (name: string, f: (x: wg.Tensor) => wg.Tensor): Case => [
    `${name} [${n}]`,
    () => {
      const x = input();
      const y = f(x);
      y.backward(wg.randn([n]));
      return [bits(y), bits(x.grad)];
    },
  ];
  return [
    unary("relu", (x) => wg.F.relu(x)),
    unary("leakyRelu", (x) => wg.F.leakyRelu(x, 0.1)),
    unary("sigmoid", (x) => wg.F.sigmoid(x)),
    unary("tanh", (x) => wg.F.tanh(x)),
    unary("gelu", (x) => wg.F.gelu(x)),
    unary("silu", (x) => wg.F.silu(x)),
    unary("x * y + 2", (x) => wg.add(wg.mul(x, wg.randn([n])), 2)),
  ];
}

/** SGD with momentum and weight decay, and AdamW with amsgrad, three steps each. */
function optimizers(n: number): Case[] {
  const steps = (make: (p: wg.Tensor) => wg.optim.Optimizer): Uint32Array[] => {
    const p = wg.randn([n]);
    p.requiresGrad = true;
    const opt = make(p);
    const out: Uint32Array[] = [];
    for (let s = 0; s < 3; s++) {
      opt.zeroGrad();
      wg.mul(p, wg.randn([n]))
        .sum()
        .backward();
      opt.step();
      out.push(bits(p));
    }
    return out;
  };
  return [
    [
      `SGD [${n}]`,
      () =>
        steps(
          (p) =>
            new wg.optim.SGD([p], { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }),
        ),
    ],
    [`AdamW [${n}]`, () => steps((p) => new wg.optim.AdamW([p], { lr: 0.01, amsgrad: true }))],
  ];
}

/** Pooling: planes around multiples of 16 blocks, odd planes, padding, ceil mode, overlap. */
function pooling(): Case[] {
  const shapes: [number, number, number, number][] = [
    [3, 11, 28, 28],
    [32, 24, 28, 28],
    [5, 7, 13, 17],
    [1, 17, 30, 31],
  ];
  const out: Case[] = [];
  for (const shape of shapes) {
    const pool = (name: string, f: (x: wg.Tensor) => wg.Tensor): Case => [
      `${name} ${JSON.stringify(shape)}`,
      () => {
        const x = wg.randn(shape);
        x.requiresGrad = true;
        const y = f(x);
        y.backward(wg.randn(y.shape));
        return [bits(y), bits(x.grad)];
      },
    ];
    out.push(
      pool("maxPool2d 2x2", (x) => wg.F.maxPool2d(x, 2)),
      pool("maxPool2d 3x3 stride 2 pad 1 ceil", (x) =>
        wg.F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }),
      ),
      pool("avgPool2d 3x3 stride 2 pad 1", (x) =>
        wg.F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }),
      ),
    );
  }
  return out;
}

/** BatchNorm2d in training (batch statistics, all three gradients) and in evaluation. */
function batchNorm(): Case[] {
  const shapes: [number, number, number, number][] = [
    [8, 37, 9, 11],
    [3, 5, 40, 40],
    [2, 33, 1, 7],
  ];
  return shapes.flatMap((shape): Case[] =>
    [true, false].map(
      (training): Case => [
        `batchNorm2d ${JSON.stringify(shape)} ${training ? "training" : "eval"}`,
        () => {
          const bn = new wg.nn.BatchNorm2d(shape[1]);
          wg.noGrad(() => {
            bn.weight?.mul_(wg.randn([shape[1]]));
            bn.bias?.add_(wg.randn([shape[1]]));
            // Running statistics from one batch, for evaluation.
            if (!training) bn.forward(wg.randn(shape).add(0.5));
          });
          if (!training) bn.eval();
          const x = wg.randn(shape).mul(2).add(1);
          x.requiresGrad = true;
          const y = bn.forward(x);
          y.backward(wg.randn(shape));
          return [
            bits(y),
            bits(x.grad),
            bits(bn.weight?.grad ?? null),
            bits(bn.bias?.grad ?? null),
          ];
        },
      ],
    ),
  );
}

/** softmax and logSoftmax over the last dimension and over a middle one, rows across blocks. */
function rowwise(): Case[] {
  const shapes: [number[], number][] = [
    [[1000, 37], 1],
    [[4097, 10], 1],
    [[67, 9, 33], 1],
  ];
  return shapes.flatMap(([shape, dim]): Case[] =>
    (["softmax", "logSoftmax"] as const).map(
      (name): Case => [
        `${name} ${JSON.stringify(shape)} dim ${dim}`,
        () => {
          const x = wg.randn(shape).mul(4);
          x.requiresGrad = true;
          const y = name === "softmax" ? wg.F.softmax(x, dim) : wg.F.logSoftmax(x, dim);
          y.backward(wg.randn(shape));
          return [bits(y), bits(x.grad)];
        },
      ],
    ),
  );
}

function cases(): Case[] {
  return [
    ...rowwise(),
    ...sizes.flatMap((n) => [...elementwise(n), ...optimizers(n)]),
    ...pooling(),
    ...batchNorm(),
  ];
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("elementwise ops, pooling and optimizer updates are bit-identical at 1, 2, 3 and 4 threads", async () => {
  await expectSameBitsAtThreads(cases, 9, (kernels) => {
    // Tasks past the conv kernels: pooling blocks and ranged kernels all reached the pool.
    for (const name of [
      "maxpool2d_block_f32",
      "maxpool2d_bwd_block_f32",
      "avgpool2d_block_f32",
      "avgpool2d_bwd_block_f32",
      "batchnorm_stats_block_f32",
      "batchnorm_block_f32",
      "batchnorm_bwd_block_f32",
    ]) {
      expect(kernels.has(name), name).toBe(true);
    }
    for (const name of [
      "relu_f32",
      "relu_bwd_f32",
      "gelu_f32",
      "binary_f32",
      "sgd_f32",
      "adam_f32",
      "softmax_f32",
      "log_softmax_f32",
      "softmax_bwd_f32",
      "log_softmax_bwd_f32",
    ]) {
      expect(ranRanged(kernels, name), name).toBe(true);
    }
  });
});
