/**
 * The attention family against PyTorch (test/fixtures/attn.json, from gen_attn.py): layerNorm,
 * groupNorm, rmsNorm, gelu and scaledDotProductAttention values and gradients; MultiheadAttention
 * and the Transformer layers built with PyTorch's arguments load PyTorch's state dicts (strict)
 * and give its outputs, attention weights and gradients for inputs and every parameter, with
 * causal, padding and float masks; and print PyTorch's repr.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

type MaskTensor = FixtureTensor & { dtype?: "bool" };

interface OpFixture {
  name: string;
  op: "layerNorm" | "groupNorm" | "rmsNorm" | "gelu" | "sdpa";
  args: Record<string, unknown>;
  inputs: Record<string, MaskTensor>;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

interface ModuleFixture {
  name: string;
  kind: string;
  args: unknown[];
  stateDict: Record<string, FixtureTensor>;
  inputs: Record<string, FixtureTensor>;
  masks: Record<string, MaskTensor>;
  forward: Record<string, unknown>;
  output: FixtureTensor;
  weights: FixtureTensor | null;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const fx = loadFixture<{
  ops: OpFixture[];
  modules: ModuleFixture[];
  reprs: { name: string; text: string }[];
}>("attn.json");
const tol = { atol: 2e-5, rtol: 1e-4 };
const { nn } = wg;

/**
 * A bool mask as an additive float mask (-inf where a position is excluded). SDPA's bool masks
 * keep what is true; MultiheadAttention's and the layers' exclude what is true.
 */
function mask(m: MaskTensor, keepTrue: boolean, asBool = false): wg.Tensor {
  if (m.dtype !== "bool") return toTensor(m);
  if (asBool) return wg.tensor(m.data.map(Boolean), { shape: m.shape, dtype: "bool" });
  const add = m.data.map((v) => ((keepTrue ? !v : v) ? Number.NEGATIVE_INFINITY : 0));
  return wg.tensor(Float32Array.from(add), { shape: m.shape });
}

function expectClose(name: string, got: wg.Tensor | null, want: FixtureTensor) {
  expect(got, name).not.toBeNull();
  expect(tensorMismatches(got!, want, tol), name).toEqual([]);
}

describe("functional ops against PyTorch", () => {
  for (const c of fx.ops) {
    it(c.name, () => {
      wg.tidy(() => {
        const t: Record<string, wg.Tensor> = {};
        for (const [k, v] of Object.entries(c.inputs)) {
          t[k] = v.dtype === "bool" || k === "attnMask" ? mask(v, true, true) : toTensor(v, true);
        }
        // The generator scales some inputs (x * 3 + 1, q * 2, x * 4) to spread them out.
        let out: wg.Tensor;
        const a = c.args;
        if (c.op === "layerNorm")
          out = wg.F.layerNorm(
            t.x.mul(3).add(1),
            a.normalizedShape as number[],
            t.weight ?? null,
            t.bias ?? null,
            a.eps as number | undefined,
          );
        else if (c.op === "groupNorm")
          out = wg.F.groupNorm(t.x.mul(3).add(1), a.numGroups as number, {
            weight: t.weight,
            bias: t.bias,
          });
        else if (c.op === "rmsNorm")
          out = wg.F.rmsNorm(
            t.x.mul(3).add(1),
            a.normalizedShape as number[],
            t.weight,
            a.eps as number,
          );
        else if (c.op === "gelu") out = wg.F.gelu(t.x.mul(4), a.approximate as "none" | "tanh");
        else
          out = wg.F.scaledDotProductAttention(t.q.mul(2), t.k.mul(2), t.v, {
            ...(a as wg.F.SDPAOptions),
            attnMask: t.attnMask ?? null,
          });
        expectClose("output", out, c.output);
        out.backward(toTensor(c.upstream));
        for (const [k, g] of Object.entries(c.grads)) expectClose(`grad ${k}`, t[k].grad, g);
        for (const v of Object.values(t)) v.dispose();
      });
    });
  }
});

type AnyModule = wg.nn.Module<never[], unknown>;

function build(c: ModuleFixture): AnyModule {
  const a = c.args as [number, number];
  switch (c.kind) {
    case "MultiheadAttention":
      return new nn.MultiheadAttention(...a) as unknown as AnyModule;
    case "TransformerEncoderLayer":
      return new nn.TransformerEncoderLayer(...a) as unknown as AnyModule;
    case "TransformerDecoderLayer":
      return new nn.TransformerDecoderLayer(...a) as unknown as AnyModule;
    case "TransformerEncoder":
      return new nn.TransformerEncoder(
        new nn.TransformerEncoderLayer(...a),
        2,
        new nn.LayerNorm(8),
      ) as unknown as AnyModule;
    default:
      return new nn.Transformer(...c.args) as unknown as AnyModule;
  }
}

function run(
  c: ModuleFixture,
  m: AnyModule,
  x: Record<string, wg.Tensor>,
  masks: Record<string, wg.Tensor>,
) {
  const opts = { ...masks, ...c.forward };
  const f = m.forward as unknown as (...args: unknown[]) => unknown;
  switch (c.kind) {
    case "MultiheadAttention": {
      const key = x.key ?? x.query;
      const [out, w] = f.call(m, x.query, key, x.value ?? key, opts) as [
        wg.Tensor,
        wg.Tensor | null,
      ];
      return { out, w };
    }
    case "TransformerDecoderLayer":
      return { out: f.call(m, x.tgt, x.memory, opts) as wg.Tensor, w: null };
    case "Transformer":
      return { out: f.call(m, x.src, x.tgt, opts) as wg.Tensor, w: null };
    default:
      return { out: f.call(m, x.src, opts) as wg.Tensor, w: null };
  }
}

describe("modules load PyTorch state dicts and match outputs and gradients", () => {
  const variants = (c: ModuleFixture) =>
    Object.values(c.masks).some((m) => m.dtype === "bool") ? [true, false] : [false];
  for (const c of fx.modules)
    for (const asBool of variants(c)) {
      it(`${c.name}${asBool ? " (bool masks)" : " (float masks)"}`, () => {
        const m = build(c);
        const sd: Record<string, wg.Tensor> = {};
        for (const [k, v] of Object.entries(c.stateDict)) sd[k] = toTensor(v);
        expect(Object.keys(m.stateDict())).toEqual(Object.keys(c.stateDict));
        m.loadStateDict(sd);
        for (const t of Object.values(sd)) t.dispose();
        wg.tidy(() => {
          const x: Record<string, wg.Tensor> = {};
          for (const [k, v] of Object.entries(c.inputs)) x[k] = toTensor(v, true);
          const masks: Record<string, wg.Tensor> = {};
          for (const [k, v] of Object.entries(c.masks)) masks[k] = mask(v, false, asBool);
          const { out, w } = run(c, m, x, masks);
          expectClose("output", out, c.output);
          if (c.weights !== null) expectClose("weights", w, c.weights);
          else expect(w).toBeNull();
          out.backward(toTensor(c.upstream));
          for (const [k, t] of Object.entries(x)) expectClose(`grad ${k}`, t.grad, c.grads[k]);
          for (const [k, p] of m.namedParameters()) expectClose(`grad ${k}`, p.grad, c.grads[k]);
          for (const t of Object.values(x)) t.dispose();
        });
        m.dispose();
      });
    }
});

describe("repr", () => {
  const made: Record<string, () => AnyModule> = {
    "MultiheadAttention(8, 2)": () => new nn.MultiheadAttention(8, 2) as unknown as AnyModule,
    "TransformerEncoderLayer(8, 2, 16)": () =>
      new nn.TransformerEncoderLayer(8, 2, 16) as unknown as AnyModule,
    "TransformerEncoder(layer, 2, LayerNorm(8))": () =>
      new nn.TransformerEncoder(
        new nn.TransformerEncoderLayer(8, 2, 16),
        2,
        new nn.LayerNorm(8),
      ) as unknown as AnyModule,
    "TransformerDecoderLayer(8, 2, 16)": () =>
      new nn.TransformerDecoderLayer(8, 2, 16) as unknown as AnyModule,
    "TransformerEncoderLayer gelu module": () =>
      new nn.TransformerEncoderLayer(8, 2, 16, {
        activation: new nn.GELU(),
      }) as unknown as AnyModule,
  };
  for (const r of fx.reprs) {
    it(r.name, () => {
      const m = made[r.name]();
      expect(String(m)).toBe(r.text);
      m.dispose();
    });
  }
});

describe("constructor strictness", () => {
  it("MultiheadAttention and the Transformer layers name bad arguments", () => {
    expect(() => new nn.MultiheadAttention(8, 3)).toThrow(
      /MultiheadAttention: embedDim \(8\) must be divisible by numHeads \(3\)/,
    );
    expect(() => new nn.MultiheadAttention(8, 2, { batch_first: true } as never)).toThrow(
      /unknown option "batch_first"; did you mean batchFirst\?/,
    );
    expect(() => new nn.MultiheadAttention(8, 2, 0.1, { dropout: 0.2 })).toThrow(
      /dropout was given both as positional argument 1 and as an option/,
    );
    expect(() => new nn.TransformerEncoderLayer(8, 2, { norm_first: true } as never)).toThrow(
      /TransformerEncoderLayer: unknown option "norm_first"; did you mean normFirst\?/,
    );
    expect(() => new nn.TransformerDecoderLayer(8, 2, { activation: "tanh" } as never)).toThrow(
      /activation must be "relu", "gelu", a function or a Module/,
    );
    expect(() => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, 16), 0)).toThrow(
      /numLayers must be an integer >= 1/,
    );
    const mha = new nn.MultiheadAttention(8, 2);
    const x = wg.zeros([5, 2, 6]);
    expect(() => mha.forward(x, x, x)).toThrow(/do not fit embedDim 8/);
    x.dispose();
    mha.dispose();
  });

  it("TransformerEncoder deep-copies its layer (PyTorch semantics)", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, 16);
    const enc = new nn.TransformerEncoder(layer, 2);
    const w0 = enc.layers.at(0).linear1.weight;
    const w1 = enc.layers.at(1).linear1.weight;
    expect(w0).not.toBe(w1);
    expect(w0).not.toBe(layer.linear1.weight);
    expect(Array.from(w0.data())).toEqual(Array.from(layer.linear1.weight.data()));
    expect(enc.parameters().length).toBe(2 * layer.parameters().length);
    layer.dispose();
    enc.dispose();
  });
});
