/**
 * The issue-12 layers, losses and functionals against test/fixtures/nn2.json (PyTorch 1.13, made
 * by gen_nn2.py): each case builds the module from its JS constructor arguments (or calls the
 * F function), loads PyTorch's state dict, and compares the output and the gradients of every
 * input and parameter. No temporary tensor may be left behind.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  tensorMismatches,
  toIndices,
  toTensor,
} from "../helpers/fixtures.js";

type Value = number | boolean | string | null | Value[] | { tensor: FixtureTensor };
type Input = { tensor: FixtureTensor; grad: boolean } | { indices: FixtureTensor };

interface Case {
  name: string;
  module?: string;
  fn?: string;
  args: Value[];
  options?: Record<string, Value>;
  eval?: boolean;
  repr?: string;
  state?: Record<string, FixtureTensor>;
  inputs: Input[];
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: Record<string, FixtureTensor>;
}

const cases = loadFixture<Case[]>("nn2.json");

function decode(v: Value): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") return toTensor(v.tensor);
  return v;
}

type Ctor = new (...args: unknown[]) => wg.nn.Module<unknown[], wg.Tensor>;
type Fn = (...args: unknown[]) => wg.Tensor;

/** Runs one case inside tidy; returns the mismatches found. */
function runCase(c: Case): string[] {
  const problems: string[] = [];
  wg.tidy(() => {
    const args = c.args.map(decode);
    if (c.options !== undefined) {
      args.push(Object.fromEntries(Object.entries(c.options).map(([k, v]) => [k, decode(v)])));
    }
    const inputs = c.inputs.map((i) =>
      "indices" in i ? toIndices(i.indices) : toTensor(i.tensor, i.grad),
    );
    let out: wg.Tensor;
    let module: wg.nn.Module<unknown[], wg.Tensor> | null = null;
    if (c.module !== undefined) {
      const Cls = (wg.nn as unknown as Record<string, Ctor>)[c.module];
      module = new Cls(...args);
      if (c.state !== undefined) {
        const sd = Object.fromEntries(Object.entries(c.state).map(([k, t]) => [k, toTensor(t)]));
        module.loadStateDict(sd);
      }
      if (c.eval) module.eval();
      if (c.repr !== undefined && String(module) !== c.repr) {
        problems.push(`repr: got ${String(module)}, want ${c.repr}`);
      }
      // As the generator: the module gets clones (non-leaves), so in-place modules may write.
      out = module.forward(
        ...inputs.map((i) => (i instanceof wg.Tensor && i.requiresGrad ? i.clone() : i)),
      );
    } else {
      const f = (wg.F as unknown as Record<string, Fn>)[c.fn as string];
      out = f(...inputs, ...args);
    }
    problems.push(...tensorMismatches(out, c.output).map((m) => `output ${m}`));
    if (Object.keys(c.grads).length > 0) out.backward(toTensor(c.upstream));
    for (const [key, want] of Object.entries(c.grads)) {
      let got: wg.Tensor | null;
      if (key.startsWith("input")) {
        got = (inputs[Number(key.slice(5))] as wg.Tensor).grad;
      } else {
        const p = (module as wg.nn.Module<unknown[], wg.Tensor>)
          .namedParameters()
          .find(([k]) => k === key);
        got = p === undefined ? null : p[1].grad;
      }
      problems.push(...tensorMismatches(got, want).map((m) => `grad ${key}: ${m}`));
    }
    for (const i of inputs) if (i instanceof wg.Tensor) i.grad = null;
    module?.dispose();
  });
  return problems;
}

describe("nn2 fixtures (PyTorch)", () => {
  it("has cases", () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    it(c.name, () => {
      const before = wg.memory().liveTensors;
      expect(runCase(c)).toEqual([]);
      expect(wg.memory().liveTensors).toBe(before);
    });
  }
});
