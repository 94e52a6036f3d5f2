/**
 * Finite-difference gradient checks for the recurrent layers on tiny sizes: RNN (tanh, relu),
 * LSTM and GRU with 1 and 2 layers, bidirectional, batch first, unbatched, without bias and
 * without an initial state; the three cells; and F.embedding with repeated indices and
 * paddingIdx.
 *
 * As in gradcheck.test.ts, the objective is f = sum over the outputs of sum(out * g) for fixed
 * random g (for a layer: output, hN and, for an LSTM, cN). The analytic gradient comes from
 * backward; the numeric one from central differences of the float32 forward, summed in float64,
 * divided by the realised float32 step. A layer's parameters are inputs too: each is perturbed
 * in place through loadStateDict. Every case also asserts that the analytic gradient scaled by
 * 1.1 (a 10% error) would be rejected, so the tolerance is a real check.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import {
  centralDifferences,
  type GradInput,
  type GradSlot,
  gradcheck,
  gradcheckDefaults,
  gradMismatches,
  rng,
  sizeOf,
  upstreamGradient,
} from "../helpers/fixtures.js";
import {
  type CellKind,
  dotLoss,
  embedding,
  type LayerKind,
  makeCell,
  makeLayer,
  type RNNOptions,
  runCell,
  runLayer,
} from "../helpers/rnn.js";

type AnyModule = wg.nn.Module<never[], unknown>;

interface ModuleCase {
  name: string;
  make: () => AnyModule;
  /** Shapes of the tensor inputs (x, then any initial states). */
  inputs: number[][];
  /** Every output the objective reads. */
  run: (m: AnyModule, xs: wg.Tensor[]) => wg.Tensor[];
  /** Slots whose true gradient is zero (weight_hh of one step from a zero state). */
  zero?: string[];
}

let random = rng(1);

function uniform(shape: number[], lo = -1, hi = 1): GradInput {
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = lo + (hi - lo) * random();
  return { shape, data };
}

type Slot = GradSlot;

/**
 * Gradcheck over a module's tensor inputs and all its parameters. The module's parameters get
 * fresh uniform values in ±0.6 first (inputs in ±1), so gates are neither saturated nor linear.
 */
function moduleGradcheck(c: ModuleCase): Slot[] {
  const module = c.make();
  try {
    const params = module.namedParameters();
    const paramData = params.map(([, p]) => uniform([...p.shape], -0.6, 0.6).data);
    const setParam = (i: number, data: Float32Array): void => {
      wg.tidy(() => {
        const [name, p] = params[i];
        module.loadStateDict({ [name]: wg.tensor(data, { shape: p.shape }) }, { strict: false });
      });
    };
    for (const [i, d] of paramData.entries()) setParam(i, d);
    const inputs = c.inputs.map((s) => uniform(s));

    // Analytic.
    const leaves = inputs.map((x) => wg.tensor(x.data, { shape: x.shape, requiresGrad: true }));
    let gs: Float32Array[] = [];
    const slots: Slot[] = [];
    try {
      wg.tidy(() => {
        const outs = c.run(module, leaves);
        gs = outs.map((o) => upstreamGradient(o.numel(), random));
        dotLoss(outs.map((o, k) => [o, wg.tensor(gs[k], { shape: o.shape })])).backward();
      });
      const grad = (t: wg.Tensor) =>
        t.grad === null ? new Float64Array(t.numel()) : Float64Array.from(t.grad.data());
      for (const [i, l] of leaves.entries()) {
        slots.push({
          label: `input ${i}`,
          analytic: grad(l),
          numeric: new Float64Array(l.numel()),
        });
      }
      for (const [name, p] of params) {
        slots.push({ label: name, analytic: grad(p), numeric: new Float64Array(p.numel()) });
      }
      module.zeroGrad();
    } finally {
      for (const l of leaves) l.dispose();
    }

    // Numeric.
    const datas = inputs.map((x) => Float32Array.from(x.data));
    const objective = (): number =>
      wg.tidy(() =>
        wg.noGrad(() => {
          const xs = datas.map((d, i) => wg.tensor(d, { shape: inputs[i].shape }));
          let f = 0;
          c.run(module, xs).forEach((o, k) => {
            const v = o.data();
            for (let j = 0; j < v.length; j++) f += gs[k][j] * v[j];
          });
          return f;
        }),
      );
    datas.forEach((d, i) => {
      slots[i].numeric = centralDifferences(d, objective);
    });
    paramData.forEach((d, i) => {
      slots[datas.length + i].numeric = centralDifferences(d, objective, () => setParam(i, d));
    });
    return slots;
  } finally {
    module.dispose();
  }
}

function slotMismatches(slots: Slot[], scale = 1): string[] {
  return gradMismatches(slots, scale);
}

// ---------------------------------------------------------------------------- cases

function layerCase(
  kind: LayerKind,
  label: string,
  o: RNNOptions,
  x: number[],
  states: number[][] = [],
): ModuleCase {
  return {
    name: `${kind} ${label}`,
    make: () => makeLayer({ layer: kind, inputSize: 2, hiddenSize: 3, options: o }) as AnyModule,
    inputs: [x, ...states],
    run: (m, [xi, h0, c0]) => {
      const [out, hN, cN] = runLayer(kind, m as never, xi, h0, c0);
      return cN ? [out, hN, cN] : [out, hN];
    },
  };
}

function cellCase(
  kind: CellKind,
  label: string,
  o: { bias?: boolean; nonlinearity?: "tanh" | "relu" },
  x: number[],
  states: number[][] = [],
): ModuleCase {
  return {
    name: `${kind} ${label}`,
    make: () => makeCell({ cell: kind, inputSize: 2, hiddenSize: 3, options: o }) as AnyModule,
    inputs: [x, ...states],
    run: (m, [xi, h, c]) => {
      const [ho, co] = runCell(kind, m as never, xi, h, c);
      return co ? [ho, co] : [ho];
    },
  };
}

/** One step from a zero state: weight_hh multiplies zeros, so its gradient is zero. */
function zeroState(c: ModuleCase): ModuleCase {
  return { ...c, zero: ["weight_hh", "weight_hh_l0"] };
}

const relu: RNNOptions = { nonlinearity: "relu" };
const layerCases: ModuleCase[] = [
  layerCase("RNN", "tanh L3 N2 with h0", {}, [3, 2, 2], [[1, 2, 3]]),
  layerCase("RNN", "relu L3 N2 with h0", relu, [3, 2, 2], [[1, 2, 3]]),
  layerCase("RNN", "relu 2 layers, no h0", { ...relu, numLayers: 2 }, [3, 2, 2]),
  layerCase(
    "RNN",
    "2 layers bidirectional batchFirst with h0",
    { numLayers: 2, bidirectional: true, batchFirst: true },
    [2, 3, 2],
    [[4, 2, 3]],
  ),
  layerCase("RNN", "unbatched, no bias, with h0", { bias: false }, [4, 2], [[1, 3]]),
  layerCase(
    "LSTM",
    "L3 N2 with h0, c0",
    {},
    [3, 2, 2],
    [
      [1, 2, 3],
      [1, 2, 3],
    ],
  ),
  layerCase(
    "LSTM",
    "2 layers bidirectional, no state",
    { numLayers: 2, bidirectional: true },
    [3, 2, 2],
  ),
  layerCase(
    "LSTM",
    "unbatched batchFirst no bias, with h0, c0",
    { batchFirst: true, bias: false },
    [3, 2],
    [
      [1, 3],
      [1, 3],
    ],
  ),
  layerCase("GRU", "L3 N2 with h0", {}, [3, 2, 2], [[1, 2, 3]]),
  layerCase(
    "GRU",
    "2 layers bidirectional no bias, with h0",
    { numLayers: 2, bidirectional: true, bias: false },
    [2, 2, 2],
    [[4, 2, 3]],
  ),
  zeroState(layerCase("GRU", "unbatched, length 1, no h0", {}, [1, 2])),
];

const cellCases: ModuleCase[] = [
  cellCase("RNNCell", "tanh with h", {}, [2, 2], [[2, 3]]),
  zeroState(cellCase("RNNCell", "relu without h", { nonlinearity: "relu" }, [3, 2])),
  cellCase("RNNCell", "unbatched no bias with h", { bias: false }, [2], [[3]]),
  cellCase(
    "LSTMCell",
    "with h, c",
    {},
    [2, 2],
    [
      [2, 3],
      [2, 3],
    ],
  ),
  zeroState(cellCase("LSTMCell", "unbatched no bias without state", { bias: false }, [2])),
  cellCase("GRUCell", "with h", {}, [2, 2], [[2, 3]]),
  zeroState(cellCase("GRUCell", "no bias without h", { bias: false }, [3, 2])),
];

// ---------------------------------------------------------------------------- tests

describe("gradcheck: recurrent layers and cells (central differences)", () => {
  describe.each([
    ["layers", layerCases],
    ["cells", cellCases],
  ] as const)("%s", (_, cases) => {
    it.each(cases)("$name", (c) => {
      random = rng(c.name);
      const before = wg.memory().liveTensors;
      const slots = moduleGradcheck(c);
      expect(wg.memory().liveTensors, "everything created is freed").toBe(before);
      expect(slotMismatches(slots), "analytic vs numeric").toEqual([]);
      expect(
        slotMismatches(slots, 1.1).length,
        "a 10% wrong gradient must be rejected",
      ).toBeGreaterThan(0);
      // Every parameter and input takes part, except where the maths says it cannot.
      for (const s of slots) {
        const zero = c.zero?.includes(s.label) ?? false;
        expect(
          s.numeric.some((v) => Math.abs(v) > 1e-3),
          s.label,
        ).toBe(!zero);
      }
    });
  });
});

describe("gradcheck: F.embedding", () => {
  it("repeated indices [2,3]", () => {
    random = rng("embedding repeated");
    const indices = wg.tensor([
      [0, 2, 2],
      [4, 0, 2],
    ]);
    try {
      const report = gradcheck((w) => embedding(indices, w), [uniform([5, 3])], {
        seed: "embedding repeated",
      });
      expect(report.mismatches(), "analytic vs numeric").toEqual([]);
      expect(report.mismatches(1.1).length).toBeGreaterThan(0);
    } finally {
      indices.dispose();
    }
  });

  it("paddingIdx 1: every other row as the numeric gradient; row 1 none, though read", () => {
    random = rng("embedding paddingIdx");
    const dim = 2;
    const indices = wg.tensor([1, 3, 1, 0]);
    try {
      const report = gradcheck(
        (w) => embedding(indices, w, { paddingIdx: 1 }),
        [uniform([4, dim])],
        { seed: "embedding paddingIdx" },
      );
      const { atol, rtol } = gradcheckDefaults;
      const [a] = report.analytic;
      const [n] = report.numeric;
      const off: string[] = [];
      let rejected = 0;
      for (let j = 0; j < a.length; j++) {
        if (Math.floor(j / dim) === 1) {
          // PyTorch: the padding row takes part in the forward but gets no gradient.
          expect(a[j]).toBe(0);
          expect(Math.abs(n[j])).toBeGreaterThan(1e-3);
          continue;
        }
        if (Math.abs(a[j] - n[j]) > atol + rtol * Math.abs(n[j])) off.push(`[${j}]`);
        if (Math.abs(1.1 * a[j] - n[j]) > atol + rtol * Math.abs(n[j])) rejected++;
      }
      expect(off, "analytic vs numeric").toEqual([]);
      expect(rejected, "a 10% wrong gradient must be rejected").toBeGreaterThan(0);
    } finally {
      indices.dispose();
    }
  });
});
