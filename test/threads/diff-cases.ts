/**
 * Random cases for the thread differential fuzzer (diff-fuzz.test.ts): ops drawn with random
 * shapes (awkward sizes, ranks 1-4, views that are not contiguous), random options and random
 * broadcasting, forward and backward. Each case returns the bytes of its results (outputs and
 * input gradients), to be compared between one thread and several. A case is fully determined
 * by its seed: the shapes and options come from a small generator of its own, the values from
 * `wg.manualSeed(seed)`.
 */
import * as wg from "wasmgrad";

/** A named case: returns the bytes of each of its results. */
export interface DiffCase {
  name: string;
  seed: number;
  run: () => Uint8Array[];
}

/** mulberry32: a small seeded generator for the case's shapes and options. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Gen = ReturnType<typeof generator>;

/** Sizes around the powers of two and the kernels' block edges, and small odd ones. */
const DIMS = [1, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 129, 257];
const LONG = [511, 513, 1000, 1025, 2047, 2049, 4097, 8193];

/** A shape of `rank` dims with at most `cap` elements; sometimes one long dim. */
function shape(g: Gen, rank: number, cap = 1 << 17): number[] {
  for (;;) {
    const s = Array.from({ length: rank }, () => g.pick(DIMS));
    if (g.chance(0.3)) s[g.int(0, rank - 1)] = g.pick(LONG);
    if (s.reduce((a, b) => a * b, 1) <= cap) return s;
  }
}

/** The bytes of a tensor's values (bool and int32 too); a missing gradient is an empty array. */
function bytes(t: wg.Tensor | null): Uint8Array {
  if (t === null) return new Uint8Array(0);
  const d = t.data();
  return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
}

/**
 * A leaf of `shape` with random values, sometimes built as a permuted view (not contiguous):
 * the op then reads through strides or copies it first.
 */
function leaf(g: Gen, s: number[], f: (x: wg.Tensor) => wg.Tensor = (x) => x): wg.Tensor {
  let x: wg.Tensor;
  if (s.length >= 2 && g.chance(0.3)) {
    const perm = s.map((_, i) => i);
    const i = g.int(0, s.length - 2);
    [perm[i], perm[s.length - 1]] = [perm[s.length - 1], perm[i]];
    x = f(wg.randn(perm.map((p) => s[p]))).permute(perm);
  } else x = f(wg.randn(s));
  const leafT = x.detach();
  leafT.requiresGrad = true;
  return leafT;
}

/** Runs forward `f` on leaves, backward with a random upstream gradient; returns all bytes. */
function fwdBwd(leaves: wg.Tensor[], f: () => wg.Tensor | wg.Tensor[]): Uint8Array[] {
  const out = f();
  const outs = Array.isArray(out) ? out : [out];
  const diff = outs.filter((o) => o.requiresGrad);
  if (diff.length > 0) {
    let total: wg.Tensor | null = null;
    for (const o of diff) {
      const term = o.mul(wg.randn(o.shape)).sum();
      total = total === null ? term : total.add(term);
    }
    total?.backward();
  }
  return [...outs.map(bytes), ...leaves.map((l) => bytes(l.grad))];
}

/** A shape that broadcasts against `s`: some dims set to 1, sometimes fewer leading dims. */
function broadcastShape(g: Gen, s: number[]): number[] {
  const b = s.map((d) => (g.chance(0.4) ? 1 : d));
  return g.chance(0.3) ? b.slice(g.int(0, b.length)) : b;
}

type Maker = (g: Gen) => [string, (r: Gen) => Uint8Array[]];

const UNARY: [string, (x: wg.Tensor) => wg.Tensor, boolean][] = [
  ["exp", (x) => x.exp(), false],
  ["log", (x) => x.log(), true],
  ["sqrt", (x) => x.sqrt(), true],
  ["tanh", (x) => x.tanh(), false],
  ["sigmoid", (x) => x.sigmoid(), false],
  ["relu", (x) => x.relu(), false],
  ["gelu", (x) => wg.F.gelu(x), false],
  ["gelu tanh", (x) => wg.F.gelu(x, { approximate: "tanh" }), false],
  ["silu", (x) => wg.F.silu(x), false],
  ["erf", (x) => x.erf(), false],
  ["sin", (x) => x.sin(), false],
  ["softplus", (x) => wg.F.softplus(x, { beta: 2 }), false],
  ["elu", (x) => wg.F.elu(x), false],
  ["mish", (x) => wg.F.mish(x), false],
  ["leakyRelu", (x) => wg.F.leakyRelu(x, 0.1), false],
  ["hardtanh", (x) => wg.F.hardtanh(x, -0.5, 1.5), false],
  ["clamp", (x) => x.clamp(-1, 2), false],
  ["pow 2.5", (x) => x.pow(2.5), true],
  ["abs", (x) => x.abs(), false],
];

const BINARY: [string, (a: wg.Tensor, b: wg.Tensor) => wg.Tensor, boolean][] = [
  ["add", (a, b) => a.add(b), false],
  ["sub", (a, b) => a.sub(b), false],
  ["mul", (a, b) => a.mul(b), false],
  ["div", (a, b) => a.div(b), true],
  ["maximum", (a, b) => wg.maximum(a, b), false],
  ["minimum", (a, b) => wg.minimum(a, b), false],
  ["atan2", (a, b) => wg.atan2(a, b), false],
  ["pow", (a, b) => a.pow(b), true],
  ["lt", (a, b) => a.lt(b), false],
  ["eq", (a, b) => a.round().eq(b.round()), false],
];

const makers: Maker[] = [
  // Unary maps and their gradients.
  (g) => {
    const [name, f, positive] = g.pick(UNARY);
    const s = shape(g, g.int(1, 4));
    return [
      `${name} ${fmt(s)}`,
      (r) => {
        const x = leaf(r, s, positive ? (t) => t.abs().add(0.01) : undefined);
        return fwdBwd([x], () => f(x));
      },
    ];
  },
  // Broadcasting binary ops (either side broadcast), forward and backward (reductions over
  // the broadcast dims).
  (g) => {
    const [name, f, positive] = g.pick(BINARY);
    const s = shape(g, g.int(1, 4));
    const t = broadcastShape(g, s);
    const swap = g.chance(0.5);
    return [
      `${name} ${fmt(swap ? t : s)} ${fmt(swap ? s : t)}`,
      (r) => {
        const pos = positive ? (x: wg.Tensor) => x.abs().add(0.5) : undefined;
        const a = leaf(r, s, pos);
        const b = leaf(r, t, pos);
        return fwdBwd([a, b], () => (swap ? f(b, a) : f(a, b)));
      },
    ];
  },
  // In-place broadcasting into a tensor.
  (g) => {
    const s = shape(g, g.int(1, 4));
    const t = broadcastShape(g, s);
    const op = g.pick(["add_", "mul_", "sub_", "div_"] as const);
    return [
      `${op} ${fmt(s)} ${fmt(t)}`,
      () => {
        const a = wg.randn(s);
        const b = wg.randn(t).abs().add(0.5);
        a[op](b);
        return [bytes(a)];
      },
    ];
  },
  // Reductions over random dims, keepdim or not.
  (g) => {
    const rank = g.int(1, 4);
    const s = shape(g, rank);
    const dims = s.map((_, i) => i).filter(() => g.chance(0.5));
    if (dims.length === 0) dims.push(g.int(0, rank - 1));
    const keep = g.chance(0.5);
    const dim = g.pick(dims);
    const op = g.pick([
      "sum",
      "mean",
      "amax",
      "amin",
      "max",
      "min",
      "var",
      "std",
      "logsumexp",
      "prod",
      "argmax",
      "argmin",
      "norm",
      "sumAll",
    ] as const);
    return [
      `${op} ${fmt(s)} dims ${dims.join(",")} keep ${keep}`,
      (r) => {
        const x = leaf(r, s, op === "prod" ? (t) => t.mul(0.3).add(1) : undefined);
        return fwdBwd([x], () => {
          switch (op) {
            case "sum":
              return x.sum(dims, keep);
            case "mean":
              return x.mean(dims, keep);
            case "amax":
              return x.amax(dims, keep);
            case "amin":
              return x.amin(dims, keep);
            case "max":
              return [...x.max(dim, keep)];
            case "min":
              return [...x.min(dim, keep)];
            case "var":
              return x.var(dims, { keepdim: keep });
            case "std":
              return x.std(dims, { keepdim: keep });
            case "logsumexp":
              return x.logsumexp(dims, keep);
            case "prod":
              return x.prod(dim, keep);
            case "argmax":
              return x.argmax(dim, keep);
            case "argmin":
              return x.argmin(dim, keep);
            case "norm":
              return x.norm(2, dims, keep);
            case "sumAll":
              return x.sum();
          }
        });
      },
    ];
  },
  // Scans and softmax along a random dim.
  (g) => {
    const rank = g.int(1, 4);
    const s = shape(g, rank);
    const dim = g.int(-rank, rank - 1);
    const op = g.pick(["cumsum", "cumprod", "softmax", "logSoftmax"] as const);
    return [
      `${op} ${fmt(s)} dim ${dim}`,
      (r) => {
        const x = leaf(r, s, op === "cumprod" ? (t) => t.mul(0.05).add(1) : undefined);
        return fwdBwd([x], () => x[op](dim));
      },
    ];
  },
  // Copies behind permute, transpose and contiguous.
  (g) => {
    const rank = g.int(2, 4);
    const s = shape(g, rank);
    const perm = s.map((_, i) => i);
    for (let i = rank - 1; i > 0; i--) {
      const j = g.int(0, i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return [
      `permute ${fmt(s)} ${perm.join(",")}`,
      (r) => {
        const x = leaf(r, s);
        return fwdBwd([x], () => x.permute(perm).contiguous().mul(1.5));
      },
    ];
  },
  // matmul with broadcast batch dims and transposed operands.
  (g) => {
    const m = g.pick([1, 3, 17, 64, 65, 130]);
    const k = g.pick([1, 5, 16, 33, 64, 100]);
    const n = g.pick([1, 7, 32, 63, 129]);
    const batch = g.chance(0.5) ? [g.int(1, 5)] : [];
    const bBatch = batch.length > 0 && g.chance(0.3) ? [1] : batch;
    const ta = g.chance(0.3);
    const tb = g.chance(0.3);
    return [
      `matmul ${fmt([...batch, m, k])}${ta ? "ᵀ" : ""} ${fmt([...bBatch, k, n])}${tb ? "ᵀ" : ""}`,
      (r) => {
        const a = ta ? leaf(r, [...batch, k, m]) : leaf(r, [...batch, m, k]);
        const b = tb ? leaf(r, [...bBatch, n, k]) : leaf(r, [...bBatch, k, n]);
        return fwdBwd([a, b], () =>
          (ta ? a.transpose(-1, -2) : a).matmul(tb ? b.transpose(-1, -2) : b),
        );
      },
    ];
  },
  // Linear with and without bias.
  (g) => {
    const s = [...shape(g, g.int(1, 2), 4096), g.pick([3, 16, 33, 64])];
    const out = g.pick([1, 5, 32, 65]);
    const bias = g.chance(0.7);
    return [
      `linear ${fmt(s)} -> ${out}${bias ? "" : " no bias"}`,
      (r) => {
        const x = leaf(r, s);
        const w = leaf(r, [out, s[s.length - 1]]);
        const b = bias ? leaf(r, [out]) : null;
        return fwdBwd(b ? [x, w, b] : [x, w], () => wg.F.linear(x, w, b ?? undefined));
      },
    ];
  },
  // LayerNorm / RMSNorm over trailing dims, GroupNorm over channels.
  (g) => {
    const rank = g.int(2, 4);
    const s = shape(g, rank);
    const k = g.int(1, Math.min(2, rank - 1));
    const normShape = s.slice(rank - k);
    const affine = g.chance(0.6);
    const op = g.pick(["layerNorm", "rmsNorm", "groupNorm"] as const);
    if (op === "groupNorm") {
      const c = g.pick([2, 4, 6, 12]);
      const groups = g.pick([1, 2, c]);
      const gs = [g.pick([1, 2, 3, 5]), c, ...shape(g, g.int(0, 2), 4096)];
      return [
        `groupNorm ${fmt(gs)} groups ${groups}${affine ? " affine" : ""}`,
        (r) => {
          const x = leaf(r, gs);
          const w = affine ? leaf(r, [c]) : undefined;
          const b = affine ? leaf(r, [c]) : undefined;
          return fwdBwd(affine ? [x, w!, b!] : [x], () => wg.F.groupNorm(x, groups, w, b));
        },
      ];
    }
    return [
      `${op} ${fmt(s)} over ${fmt(normShape)}${affine ? " affine" : ""}`,
      (r) => {
        const x = leaf(r, s);
        const w = affine ? leaf(r, normShape) : undefined;
        const b = affine && op === "layerNorm" ? leaf(r, normShape) : undefined;
        const leaves = [x, ...(w ? [w] : []), ...(b ? [b] : [])];
        return fwdBwd(leaves, () =>
          op === "layerNorm" ? wg.F.layerNorm(x, normShape, w, b) : wg.F.rmsNorm(x, normShape, w),
        );
      },
    ];
  },
  // Cross-entropy with class weights, ignoreIndex, label smoothing and reductions, 2-d or 3-d.
  (g) => {
    const n = g.pick([1, 3, 17, 64, 257, 1025]);
    const c = g.pick([2, 3, 10, 33, 100]);
    const d = g.chance(0.3) ? [g.pick([1, 5, 16])] : [];
    const weight = g.chance(0.3);
    const ignore = g.chance(0.3);
    const smoothing = g.chance(0.3) ? 0.1 : 0;
    const reduction = g.pick(["mean", "sum", "none"] as const);
    return [
      `crossEntropy ${fmt([n, c, ...d])} ${reduction}${weight ? " weight" : ""}${ignore ? " ignore" : ""}${smoothing ? " smooth" : ""}`,
      (r) => {
        const x = leaf(r, [n, c, ...d]);
        const target = wg.randint(0, c, [n, ...d]);
        const w = weight ? wg.rand([c]).add(0.1) : undefined;
        return fwdBwd([x], () =>
          wg.F.crossEntropy(x, target, {
            weight: w,
            ignoreIndex: ignore ? 0 : -100,
            labelSmoothing: smoothing,
            reduction,
          }),
        );
      },
    ];
  },
  // conv2d / conv1d / convTranspose2d with random geometry.
  (g) => {
    const kind = g.pick(["conv2d", "conv1d", "convTranspose2d"] as const);
    const n = g.pick([1, 2, 3, 5]);
    const groups = g.pick([1, 1, 2]);
    const cin = groups * g.pick([1, 3, 4, 8]);
    const cout = groups * g.pick([1, 2, 5, 8, 16]);
    const k = g.pick([1, 2, 3, 5]);
    const stride = g.pick([1, 1, 2]);
    const padding = g.int(0, Math.min(2, k - 1));
    const dilation = g.pick([1, 1, 2]);
    const bias = g.chance(0.7);
    const spatial =
      kind === "conv1d"
        ? [g.pick([8, 17, 64, 100])]
        : [g.pick([5, 8, 13, 28]), g.pick([5, 9, 16, 31])];
    const xs = [n, cin, ...spatial];
    const ws =
      kind === "convTranspose2d"
        ? [cin, cout / groups, k, k]
        : kind === "conv1d"
          ? [cout, cin / groups, k]
          : [cout, cin / groups, k, k];
    return [
      `${kind} ${fmt(xs)} w ${fmt(ws)} s${stride} p${padding} d${dilation} g${groups}${bias ? "" : " no bias"}`,
      (r) => {
        const x = leaf(r, xs);
        const w = leaf(r, ws);
        const b = bias ? leaf(r, [cout]) : null;
        const leaves = b ? [x, w, b] : [x, w];
        return fwdBwd(leaves, () => {
          if (kind === "conv2d") return wg.F.conv2d(x, w, b, stride, padding, dilation, groups);
          if (kind === "conv1d") return wg.F.conv1d(x, w, b, stride, padding, dilation, groups);
          return wg.F.convTranspose2d(x, w, b, stride, padding, 0, groups, dilation);
        });
      },
    ];
  },
  // Pools and resampling.
  (g) => {
    const s = [
      g.pick([1, 2, 3]),
      g.pick([1, 3, 8, 17]),
      g.pick([4, 7, 16, 29]),
      g.pick([4, 9, 16, 30]),
    ];
    const op = g.pick([
      "maxPool2d",
      "avgPool2d",
      "adaptiveAvgPool2d",
      "nearest",
      "bilinear",
      "bicubic",
    ] as const);
    const k = g.pick([2, 3]);
    const alignCorners = g.chance(0.5);
    const out: [number, number] = [g.pick([1, 3, 5, 8]), g.pick([2, 4, 7])];
    return [
      `${op} ${fmt(s)} k${k} out ${fmt(out)}${alignCorners ? " align" : ""}`,
      (r) => {
        const x = leaf(r, s);
        return fwdBwd([x], () => {
          switch (op) {
            case "maxPool2d":
              return wg.F.maxPool2d(x, k);
            case "avgPool2d":
              return wg.F.avgPool2d(x, k);
            case "adaptiveAvgPool2d":
              return wg.F.adaptiveAvgPool2d(x, out);
            case "nearest":
              return wg.F.interpolate(x, { size: out, mode: "nearest" });
            default:
              return wg.F.interpolate(x, { scaleFactor: 2, mode: op, alignCorners });
          }
        });
      },
    ];
  },
  // Embedding lookups (forward on the pool; the backward adds rows in order).
  (g) => {
    const num = g.pick([3, 10, 100, 1000]);
    const dim = g.pick([1, 4, 16, 33, 64]);
    const idx = shape(g, g.int(1, 2), 4096);
    return [
      `embedding ${num}x${dim} idx ${fmt(idx)}`,
      (r) => {
        const w = leaf(r, [num, dim]);
        const i = wg.randint(0, num, idx);
        return fwdBwd([w], () => wg.F.embedding(i, w));
      },
    ];
  },
  // Scaled dot-product attention, causal or not.
  (g) => {
    const b = g.pick([1, 2, 3]);
    const h = g.pick([1, 2, 4]);
    const l = g.pick([1, 5, 16, 33, 64]);
    const sLen = g.chance(0.5) ? l : g.pick([1, 7, 32, 65]);
    const e = g.pick([4, 8, 16, 32]);
    const causal = g.chance(0.5);
    return [
      `sdpa ${fmt([b, h, l, e])} S${sLen}${causal ? " causal" : ""}`,
      (r) => {
        const q = leaf(r, [b, h, l, e]);
        const k = leaf(r, [b, h, sLen, e]);
        const v = leaf(r, [b, h, sLen, e]);
        return fwdBwd([q, k, v], () =>
          wg.F.scaledDotProductAttention(q, k, v, { isCausal: causal }),
        );
      },
    ];
  },
  // Recurrent layers, one or two layers, batch first or not, bidirectional or not.
  (g) => {
    const kind = g.pick(["RNN", "LSTM", "GRU"] as const);
    const input = g.pick([1, 3, 16, 33]);
    const hidden = g.pick([1, 4, 17, 32, 64]);
    const layers = g.pick([1, 2]);
    const seq = g.pick([1, 3, 8]);
    const batch = g.pick([1, 2, 5, 16]);
    const bidirectional = g.chance(0.3);
    return [
      `${kind} ${input}->${hidden} x${layers} seq ${seq} batch ${batch}${bidirectional ? " bi" : ""}`,
      (r) => {
        const m = new wg.nn[kind](input, hidden, layers, { bidirectional });
        const x = leaf(r, [seq, batch, input]);
        const [y, state] = m.forward(x);
        const out = fwdBwd([x], () => y);
        const hn = Array.isArray(state) ? state : [state];
        const result = [...out, ...hn.map(bytes), ...m.parameters().map((p) => bytes(p.grad))];
        m.dispose();
        return result;
      },
    ];
  },
  // Optimizer steps over parameters of awkward sizes.
  (g) => {
    const kind = g.pick(["SGD", "Adam", "AdamW", "RMSprop"] as const);
    const sizes = Array.from({ length: g.int(1, 3) }, () => shape(g, g.int(1, 2)));
    return [
      `${kind} ${sizes.map(fmt).join(" ")}`,
      (r) => {
        const params = sizes.map((s) => leaf(r, s));
        const opt =
          kind === "SGD"
            ? new wg.optim.SGD(params, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 })
            : new wg.optim[kind](params, { lr: 0.01, weightDecay: 0.01 });
        for (let step = 0; step < 2; step++) {
          opt.zeroGrad();
          let loss: wg.Tensor | null = null;
          for (const p of params) {
            const term = p.mul(wg.randn(p.shape)).sum();
            loss = loss === null ? term : loss.add(term);
          }
          loss?.backward();
          opt.step();
        }
        const out = params.map(bytes);
        opt.dispose();
        return out;
      },
    ];
  },
];

function fmt(s: readonly number[]): string {
  return `[${s.join(",")}]`;
}

/** The case of `seed`: its op and shapes are drawn from the seed alone. */
export function diffCase(seed: number): DiffCase {
  const g = generator(seed);
  const make = g.pick(makers);
  const [name, run] = make(g);
  // The values (and the random draws inside run, like leaf's views) restart from the seed.
  return {
    name,
    seed,
    run: () => {
      wg.manualSeed(seed);
      return run(generator(seed ^ 0x5bd1e995));
    },
  };
}
