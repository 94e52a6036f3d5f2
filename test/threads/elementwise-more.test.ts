/**
 * The unary maps (exp, log, sqrt, the rounding family, sin and cos, erf, pow, clamp, ELU,
 * softplus, Mish, hardtanh and the gradients the kernels have), atan2 and pow of two tensors split
 * over ranges; interpolate and the adaptive pools over blocks of planes (a plane's input and
 * output sizes differ); cross-entropy over blocks of rows (a row's target is one int; the forward
 * sums the rows' losses afterwards in the single call's order): all give the single-thread bits
 * at 2, 3 and 4 threads, with sizes just around the block boundaries and the options that change
 * a row's arithmetic (class weights, ignoreIndex, label smoothing, reduction "none").
 * Broadcasting binary ops over blocks of rows, in place too, and with an operand that is a view
 * of the output (x += x[0]), which must keep the whole call's bits. LayerNorm, RMSNorm and
 * GroupNorm over rows (the weight and bias gradients summed afterwards, row by row). Reductions
 * along the last dimension (rows) or leading ones (columns), and argmax. The strided copies of
 * transpose, permute and expand.
 */
import { afterAll, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type BitsCase, bits, expectSameBitsAtThreads, ranRanged } from "../helpers/threads.js";

const sizes = [8193, 8192 * 16 + 7, 8192 * 17 - 3];

type Case = BitsCase;

function unaries(n: number): Case[] {
  const unary = (name: string, f: (x: wg.Tensor) => wg.Tensor, positive = false): Case => [
    `${name} [${n}]`,
    () => {
      const x = (positive ? wg.rand([n]).mul(5).add(0.01) : wg.randn([n]).mul(3)).detach();
      x.requiresGrad = true;
      const y = f(x);
      if (!y.requiresGrad) return [bits(y)];
      y.backward(wg.randn([n]));
      return [bits(y), bits(x.grad)];
    },
  ];
  return [
    unary("exp", (x) => x.exp()),
    unary("log", (x) => x.log(), true),
    unary("sqrt", (x) => x.sqrt(), true),
    unary("rsqrt", (x) => x.rsqrt(), true),
    unary("abs", (x) => x.abs()),
    unary("neg", (x) => x.neg()),
    unary("square", (x) => x.square()),
    unary("reciprocal", (x) => x.reciprocal(), true),
    unary("sign", (x) => x.sign()),
    unary("floor, ceil, round, trunc, frac", (x) =>
      x.floor().add(x.ceil()).add(x.round()).add(x.trunc()).add(x.frac()),
    ),
    unary("sin, cos", (x) => x.sin().add(x.cos())),
    unary("erf", (x) => x.erf()),
    unary("log1p, expm1", (x) => x.log1p().add(x.expm1()), true),
    unary("pow 2.5", (x) => x.pow(2.5), true),
    unary("pow 3", (x) => x.pow(3)),
    unary("clamp", (x) => x.clamp(-1, 2)),
    unary("elu", (x) => wg.F.elu(x)),
    unary("softplus", (x) => wg.F.softplus(x, { beta: 2 })),
    unary("mish", (x) => wg.F.mish(x)),
    unary("hardtanh", (x) => wg.F.hardtanh(x, -0.5, 1.5)),
    unary("atan2, pow(x, y)", (x) => wg.atan2(x, wg.randn([n])).add(x.pow(wg.rand([n])))),
  ];
}

function planes(): Case[] {
  const shapes: [number, number, number, number][] = [
    [3, 11, 28, 28],
    [2, 17, 13, 17],
  ];
  return shapes.flatMap((shape): Case[] => {
    const resample = (name: string, f: (x: wg.Tensor) => wg.Tensor): Case => [
      `${name} ${JSON.stringify(shape)}`,
      () => {
        const x = wg.randn(shape);
        x.requiresGrad = true;
        const y = f(x);
        y.backward(wg.randn(y.shape));
        return [bits(y), bits(x.grad)];
      },
    ];
    return [
      resample("interpolate bilinear x2", (x) =>
        wg.F.interpolate(x, { scaleFactor: 2, mode: "bilinear" }),
      ),
      resample("interpolate bicubic to 19x23, aligned corners", (x) =>
        wg.F.interpolate(x, { size: [19, 23], mode: "bicubic", alignCorners: true }),
      ),
      resample("adaptiveAvgPool2d 5x3", (x) => wg.F.adaptiveAvgPool2d(x, [5, 3])),
    ];
  });
}

function crossEntropy(): Case[] {
  const shapes: [number, number][] = [
    [5000, 37],
    [301, 1000],
  ];
  const options: [string, (c: number) => Record<string, unknown>][] = [
    ["mean", () => ({})],
    [
      "weights, ignoreIndex, smoothing",
      (c) => ({ weight: wg.rand([c]).add(0.5), ignoreIndex: 3, labelSmoothing: 0.1 }),
    ],
    ["none", () => ({ reduction: "none" })],
  ];
  return shapes.flatMap(([n, c]): Case[] =>
    options.map(
      ([label, make]): Case => [
        `crossEntropy [${n}, ${c}] ${label}`,
        () => {
          const x = wg.randn([n, c]).mul(3);
          x.requiresGrad = true;
          const y = wg.randint(0, c, [n]);
          const loss = wg.F.crossEntropy(x, y, make(c));
          loss.backward(loss.ndim === 0 ? undefined : wg.rand(loss.shape));
          return [bits(loss), bits(x.grad)];
        },
      ],
    ),
  );
}

/** Broadcasting binary ops over rows, in place too, and one whose operand aliases its output. */
function broadcast(): Case[] {
  const pairs: [number[], number[]][] = [
    [[301, 77], [77]],
    [
      [5, 1, 3000],
      [1, 40, 3000],
    ],
    [
      [1, 500],
      [400, 1],
    ],
    [
      [7, 3, 9, 1000],
      [3, 1, 1000],
    ],
  ];
  const out: Case[] = pairs.map(
    ([sa, sb]): Case => [
      `broadcast ${JSON.stringify(sa)} op ${JSON.stringify(sb)}`,
      () => {
        const a = wg.randn(sa);
        a.requiresGrad = true;
        const b = wg.randn(sb).add(3);
        b.requiresGrad = true;
        const y = a.mul(b).add(b).sub(a.div(b));
        y.backward(wg.randn(y.shape));
        return [bits(y), bits(a.grad), bits(b.grad)];
      },
    ],
  );
  out.push(
    [
      "in place x [300, 500] += y [500]",
      () => {
        const x = wg.randn([300, 500]);
        x.add_(wg.randn([500]));
        return [bits(x)];
      },
    ],
    [
      "in place x [300, 500] += x[0], a view of the output: the whole call's bits",
      () => {
        const x = wg.randn([300, 500]);
        wg.noGrad(() => x.add_(x.index(0)));
        return [bits(x)];
      },
    ],
  );
  return out;
}

/** LayerNorm and RMSNorm (rows), GroupNorm (rows of groups, cycling through the weights). */
function norms(): Case[] {
  const norm = (
    name: string,
    shape: number[],
    f: (x: wg.Tensor, p: wg.Tensor[]) => wg.Tensor,
    params: number[][],
  ): Case => [
    `${name} ${JSON.stringify(shape)}`,
    () => {
      const x = wg.randn(shape).mul(2).add(0.5);
      x.requiresGrad = true;
      const p = params.map((s) => {
        const t = wg.randn(s);
        t.requiresGrad = true;
        return t;
      });
      const y = f(x, p);
      y.backward(wg.randn(y.shape));
      return [bits(y), bits(x.grad), ...p.map((t) => bits(t.grad))];
    },
  ];
  return [
    norm(
      "layerNorm, weight and bias",
      [5000, 37],
      (x, [w, b]) => wg.F.layerNorm(x, [37], { weight: w, bias: b }),
      [[37], [37]],
    ),
    norm("layerNorm over two dims, no affine", [300, 7, 64], (x) => wg.F.layerNorm(x, [7, 64]), []),
    norm("rmsNorm, weight", [4097, 33], (x, [w]) => wg.F.rmsNorm(x, [33], { weight: w }), [[33]]),
    norm(
      "groupNorm 4 groups",
      [6, 12, 20, 20],
      (x, [w, b]) => wg.F.groupNorm(x, 4, { weight: w, bias: b }),
      [[12], [12]],
    ),
    norm(
      "groupNorm 3 groups of one channel each",
      [40, 3, 30, 30],
      (x) => wg.F.groupNorm(x, 3),
      [],
    ),
  ];
}

/**
 * Reductions along dimensions: the last only (rows), leading only (columns, ranges of at least
 * 1024), size-1 dimensions among them, max with its indices, argmax, and a broadcast operand's
 * gradient (summed over the leading dimensions).
 */
function reductions(): Case[] {
  const red = (name: string, shape: number[], f: (x: wg.Tensor) => wg.Tensor): Case => [
    `${name} ${JSON.stringify(shape)}`,
    () => {
      const x = wg.randn(shape).mul(3);
      return [bits(f(x))];
    },
  ];
  return [
    red("sum(-1)", [5000, 37], (x) => x.sum(-1)),
    red("mean(-1), size-1 dim", [3, 1, 4000, 33], (x) => x.mean(-1)),
    red("amax(-1)", [4097, 10], (x) => x.amax(-1)),
    red("sum(0)", [300, 4099], (x) => x.sum(0)),
    red("sum([0, 1]), size-1 dim kept", [7, 300, 1, 4099], (x) => x.sum([0, 1])),
    red("amax(0)", [50, 5000], (x) => x.amax(0)),
    red("sum([0, 2]) (a conv bias gradient's shape)", [32, 48, 196], (x) => x.sum([0, 2])),
    red("amax([0, 2])", [7, 300, 50], (x) => x.amax([0, 2])),
    red("max(1) values", [5000, 37], (x) => x.max(1)[0]),
    red("cumsum(-1)", [3000, 37], (x) => x.cumsum(-1)),
    [
      "embedding lookup of 5000 indices into [700, 33]",
      () => {
        const e = new wg.nn.Embedding(700, 33);
        const out = [bits(e.forward(wg.randint(0, 700, [50, 100])))];
        e.dispose();
        return out;
      },
    ],
    ...[17, 700, 1601].map(
      (rows): Case => [
        `embedding backward: 5000 indices (repeats, a padding row) into [${rows}, 33]`,
        () => {
          const e = new wg.nn.Embedding(rows, 33, { paddingIdx: 3 });
          // Skewed indices, as words are: low rows repeat many times.
          const idx = wg.rand([50, 100]).pow(4).mul(rows).floor().int();
          e.forward(idx).backward(wg.randn([50, 100, 33]));
          const out = [bits(e.weight.grad)];
          e.dispose();
          return out;
        },
      ],
    ),
    red("cumprod(1)", [300, 9, 40], (x) => x.mul(0.3).cumprod(1)),
    red("prod(1)", [300, 9, 40], (x) => x.prod(1)),
    [
      "max(1) indices, argmax(1) [5000, 37]",
      () => {
        const x = wg.randn([5000, 37]);
        return [bits(x.max(1)[1]), bits(x.argmax(1))];
      },
    ],
    [
      "gradient of a broadcast bias [2000, 3000] + [3000]",
      () => {
        const b = wg.randn([3000]);
        b.requiresGrad = true;
        wg.add(wg.randn([2000, 3000]), b).backward(wg.randn([2000, 3000]));
        return [bits(b.grad)];
      },
    ],
  ];
}

/** The strided copy behind transpose, permute and expand (contiguous copies of views). */
function copies(): Case[] {
  const copy = (name: string, shape: number[], f: (x: wg.Tensor) => wg.Tensor): Case => [
    `${name} ${JSON.stringify(shape)}`,
    () => [bits(f(wg.randn(shape)).contiguous())],
  ];
  return [
    copy("t()", [2051, 1030], (x) => x.t()),
    copy("permute(0, 2, 1, 3)", [8, 130, 4, 64], (x) => x.permute(0, 2, 1, 3)),
    copy("permute(2, 0, 1)", [33, 70, 90], (x) => x.permute(2, 0, 1)),
    copy("expand", [1, 3000], (x) => x.expand(50, 3000)),
  ];
}

function cases(): Case[] {
  return [
    ...sizes.flatMap(unaries),
    ...planes(),
    ...crossEntropy(),
    ...broadcast(),
    ...norms(),
    ...reductions(),
    ...copies(),
  ];
}

afterAll(() => {
  wg.setNumThreads(1, { minWorkMicros: 50 });
});

it("unary maps, resampling, cross-entropy, broadcasting, row norms, reductions and strided copies are bit-identical at 1, 2, 3 and 4 threads", async () => {
  await expectSameBitsAtThreads(cases, 13, (kernels) => {
    expect(kernels.has("binary_bcast_block_f32")).toBe(true);
    expect(kernels.has("gather_block_f32")).toBe(true);
    expect(kernels.has("embedding_bwd_block_f32")).toBe(true);
    for (const name of [
      "exp_f32",
      "log_f32",
      "sqrt_f32",
      "rsqrt_f32",
      "abs_f32",
      "abs_bwd_f32",
      "neg_f32",
      "square_f32",
      "reciprocal_f32",
      "sign_f32",
      "floor_f32",
      "frac_f32",
      "sin_f32",
      "cos_f32",
      "erf_f32",
      "log1p_f32",
      "expm1_f32",
      "pow_f32",
      "pow_bwd_f32",
      "clamp_f32",
      "clamp_bwd_f32",
      "elu_f32",
      "elu_bwd_f32",
      "softplus_f32",
      "softplus_bwd_f32",
      "mish_f32",
      "mish_bwd_f32",
      "hardtanh_f32",
      "hardtanh_bwd_f32",
      "atan2_f32",
      "pow_tensor_f32",
      "csr_planes_f32",
      "softmax_cross_entropy_f32",
      "softmax_cross_entropy_bwd_f32",
      "layernorm_f32",
      "layernorm_bwd_f32",
      "reduce_rows_f32",
      "reduce_cols_f32",
      "reduce_mid_f32",
      "argmax_f32",
      "cumsum_f32",
      "embedding_f32",
      "cumprod_f32",
      "prod_f32",
    ]) {
      expect(ranRanged(kernels, name), name).toBe(true);
    }
  });
});
