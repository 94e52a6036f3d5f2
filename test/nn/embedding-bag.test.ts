/**
 * F.embeddingBag and nn.EmbeddingBag against PyTorch (test/fixtures/embbag.json, made by
 * gen_embbag.py): sum, mean and max over 1-D input with offsets (empty bags, includeLastOffset)
 * and 2-D input, per-sample weights and paddingIdx; outputs and the gradients of the weight (and
 * per-sample weights). Then the module, errors and memory.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  type FixtureTensor,
  loadFixture,
  tensorMismatches,
  toTensor,
} from "../helpers/fixtures.js";

interface Case {
  name: string;
  weight: FixtureTensor;
  input: FixtureTensor;
  offsets: FixtureTensor | null;
  options: { mode: "sum" | "mean" | "max"; includeLastOffset?: boolean; paddingIdx?: number };
  psw: FixtureTensor | null;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: { weight: FixtureTensor; psw?: FixtureTensor };
}

const cases = loadFixture<Case[]>("embbag.json");
const ints = (t: FixtureTensor) => wg.tensor(Int32Array.from(t.data), { shape: t.shape });

describe("F.embeddingBag matches PyTorch", () => {
  it.each(cases)("$name", (c) => {
    const live = wg.memory().liveTensors;
    const problems = wg.tidy(() => {
      const w = toTensor(c.weight, true);
      const psw = c.psw === null ? null : toTensor(c.psw, true);
      const out = wg.F.embeddingBag(ints(c.input), w, {
        offsets: c.offsets === null ? null : ints(c.offsets),
        ...c.options,
        perSampleWeights: psw,
      });
      out.mul(toTensor(c.upstream)).sum().backward();
      return [
        ...tensorMismatches(out, c.output).map((m) => `output: ${m}`),
        ...tensorMismatches(w.grad, c.grads.weight).map((m) => `grad weight: ${m}`),
        ...(c.grads.psw && psw
          ? tensorMismatches(psw.grad, c.grads.psw).map((m) => `grad psw: ${m}`)
          : []),
      ];
    });
    expect(problems).toEqual([]);
    expect(wg.memory().liveTensors).toBe(live);
  });
});

describe("nn.EmbeddingBag", () => {
  it("the layer: PyTorch's repr, forward(input, offsets), a zero padding row, training", () => {
    wg.manualSeed(2);
    const bag = new wg.nn.EmbeddingBag(20, 4, { mode: "sum", paddingIdx: 0 });
    expect(String(bag)).toBe("EmbeddingBag(20, 4, mode=sum, padding_idx=0)");
    expect(String(new wg.nn.EmbeddingBag(5, 3))).toBe("EmbeddingBag(5, 3, mode=mean)");
    expect(bag.weight.index(0).abs().sum().item()).toBe(0);
    const opt = new wg.optim.SGD(bag.parameters(), { lr: 0.1 });
    const x = wg.tensor([3, 0, 7, 7, 1]).int();
    const offsets = wg.tensor([0, 3]).int();
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      losses.push(
        wg.tidy(() => {
          opt.zeroGrad();
          const loss = bag.forward(x, offsets).square().sum();
          loss.backward();
          opt.step();
          return loss.item() as number;
        }),
      );
    }
    expect(losses[4]).toBeLessThan(losses[0]);
    expect(bag.weight.index(0).abs().sum().item()).toBe(0);
    opt.dispose();
    bag.dispose();
    x.dispose();
    offsets.dispose();
  });

  it("errors name the op and what it expected", () => {
    const w = () => wg.ones(4, 2);
    const i = () => wg.tensor([0, 1, 2]).int();
    const run = (fn: () => unknown) => {
      try {
        wg.tidy(() => void fn());
      } catch (e) {
        expect(e).toBeInstanceOf(wg.WasmgradError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(run(() => wg.F.embeddingBag(i(), w()))).toMatch(/^embeddingBag: offsets are required/);
    expect(run(() => wg.F.embeddingBag(i(), w(), { offsets: [1] }))).toMatch(
      /offsets must start with 0/,
    );
    expect(run(() => wg.F.embeddingBag(i(), w(), { offsets: [0, 2, 1] }))).toMatch(
      /offsets must not decrease/,
    );
    expect(run(() => wg.F.embeddingBag(wg.ones(2, 2).int(), w(), { offsets: [0] }))).toMatch(
      /offsets must be null when the input is 2-D/,
    );
    expect(run(() => wg.F.embeddingBag(i(), w(), { offsets: [0], mode: "min" as never }))).toMatch(
      /^embeddingBag: mode must be/,
    );
    expect(
      run(() => wg.F.embeddingBag(i(), w(), { offsets: [0], perSampleWeights: wg.ones(3) })),
    ).toMatch(/perSampleWeights needs mode "sum"/);
    expect(run(() => wg.F.embeddingBag(wg.tensor([0, 9]).int(), w(), { offsets: [0] }))).toMatch(
      /index 9 at position 1 is out of range/,
    );
    expect(run(() => new wg.nn.EmbeddingBag(4, 2, { maxNorm: 1 }))).toMatch(
      /maxNorm is not supported/,
    );
  });
});
