/**
 * MultiStepLR, LambdaLR, LinearLR, OneCycleLR, ReduceLROnPlateau, CosineAnnealingWarmRestarts
 * and SequentialLR against test/fixtures/optim2.json ("schedulers", PyTorch 1.13): every
 * group's rate after construction and after each step (and OneCycleLR's momentum or beta1),
 * with one and two parameter groups. Rates from products of doubles are compared bit for bit;
 * where cos or pow enters, to 1e-15 of the rate (V8's and glibc's cos and pow differ in the last
 * bit for some arguments). Then positional arguments, state dicts, and argument checks.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture } from "../helpers/fixtures.js";

interface Schedule {
  name: string;
  type: string;
  args: Record<string, unknown>;
  optimizer: "SGD" | "Adam";
  lrs: number[];
  momentum?: boolean;
  metrics?: number[];
  epochs?: number[];
  steps: number;
  sequence: number[][];
  momenta?: number[][];
}

const schedules = loadFixture<{ schedulers: Schedule[] }>("optim2.json").schedulers;
const S = wg.optim.lrScheduler;

const lambdas: Record<string, (e: number) => number> = {
  "0.95^epoch": (e) => 0.95 ** e,
  "1/(epoch+1)": (e) => 1 / (e + 1),
  "warmup 3": (e) => Math.min(1, (e + 1) / 3),
};

type AnyScheduler = wg.optim.lrScheduler.LRScheduler | wg.optim.lrScheduler.ReduceLROnPlateau;

function make(type: string, args: Record<string, unknown>, opt: wg.optim.Optimizer): AnyScheduler {
  const a = args as never;
  switch (type) {
    case "MultiStepLR":
      return new S.MultiStepLR(opt, a);
    case "LambdaLR": {
      const fn = args.lrLambda;
      const lrLambda = Array.isArray(fn)
        ? fn.map((n: string) => lambdas[n])
        : lambdas[fn as string];
      return new S.LambdaLR(opt, { lrLambda });
    }
    case "LinearLR":
      return new S.LinearLR(opt, a);
    case "OneCycleLR":
      return new S.OneCycleLR(opt, a);
    case "ReduceLROnPlateau":
      return new S.ReduceLROnPlateau(opt, a);
    case "CosineAnnealingWarmRestarts":
      return new S.CosineAnnealingWarmRestarts(opt, a);
    case "CosineAnnealingLR":
      return new S.CosineAnnealingLR(opt, a);
    case "ExponentialLR":
      return new S.ExponentialLR(opt, a);
    case "StepLR":
      return new S.StepLR(opt, a);
    case "SequentialLR": {
      const inner = (args.schedulers as { type: string; args: Record<string, unknown> }[]).map(
        (s) => make(s.type, s.args, opt) as wg.optim.lrScheduler.LRScheduler,
      );
      return new S.SequentialLR(opt, inner, args.milestones as number[]);
    }
  }
  throw new Error(type);
}

/** An optimizer with one group per rate, each over a throwaway parameter, and a way to free it. */
function optimizer(
  c: Pick<Schedule, "optimizer" | "lrs" | "momentum">,
): [wg.optim.Optimizer, () => void] {
  const params = c.lrs.map(() => wg.tensor([0], { requiresGrad: true }));
  const groups = params.map((p, i) => ({ params: [p], lr: c.lrs[i] }));
  const opt =
    c.optimizer === "Adam"
      ? new wg.optim.Adam(groups, { lr: c.lrs[0] })
      : new wg.optim.SGD(groups, { lr: c.lrs[0], momentum: c.momentum ? 0.9 : 0 });
  return [
    opt,
    () => {
      opt.dispose();
      for (const p of params) p.dispose();
    },
  ];
}

function lastLr(s: AnyScheduler): number[] {
  return s.getLastLr();
}

describe("schedulers against PyTorch (optim2.json)", () => {
  it("holds every new scheduler", () => {
    expect(new Set(schedules.map((s) => s.type))).toEqual(
      new Set([
        "MultiStepLR",
        "LambdaLR",
        "LinearLR",
        "OneCycleLR",
        "ReduceLROnPlateau",
        "CosineAnnealingWarmRestarts",
        "SequentialLR",
      ]),
    );
  });

  it.each(schedules)("$name", (c) => {
    const [opt, free] = optimizer(c);
    try {
      const sched = make(c.type, c.args, opt);
      const momenta = () =>
        opt.paramGroups.map((g) =>
          c.optimizer === "Adam" ? (g.betas as number[])[0] : (g.momentum as number),
        );
      const seq = [lastLr(sched)];
      const mom = [momenta()];
      for (let k = 0; k < c.steps; k++) {
        if (sched instanceof S.ReduceLROnPlateau) sched.step((c.metrics as number[])[k]);
        else sched.step(c.epochs?.[k]);
        seq.push(lastLr(sched));
        mom.push(momenta());
        expect(opt.paramGroups.map((g) => g.lr)).toEqual(seq[seq.length - 1]);
      }
      const exact = ["MultiStepLR", "LinearLR", "ReduceLROnPlateau"].includes(c.type);
      if (exact) expect(seq).toEqual(c.sequence);
      else {
        const off = seq.flatMap((lrs, k) =>
          lrs
            .map((v, i) => [v, c.sequence[k][i], i] as const)
            .filter(([v, w]) => !(Math.abs(v - w) <= 1e-15 * Math.max(1, Math.abs(w))))
            .map(([v, w, i]) => `step ${k} group ${i}: got ${v}, want ${w}`),
        );
        expect(off).toEqual([]);
      }
      if (c.momenta) {
        for (let k = 0; k < mom.length; k++) {
          for (let i = 0; i < mom[k].length; i++) {
            expect(Math.abs(mom[k][i] - c.momenta[k][i]), `momentum ${k} ${i}`).toBeLessThan(1e-15);
          }
        }
      }
    } finally {
      free();
    }
  });
});

describe("scheduler arguments and state", () => {
  it("takes PyTorch's positional arguments", () => {
    const [opt, free] = optimizer({ optimizer: "SGD", lrs: [1] });
    const a = new S.StepLR(opt, 1, 0.7);
    expect([a.stepSize, a.gamma]).toEqual([1, 0.7]);
    const b = new S.MultiStepLR(opt, [2, 4], 0.5);
    expect(b.milestones).toEqual([2, 4]);
    const c = new S.LinearLR(opt, 0.5, 1, 4);
    expect([c.startFactor, c.endFactor, c.totalIters]).toEqual([0.5, 1, 4]);
    const d = new S.CosineAnnealingWarmRestarts(opt, 5, 2, { etaMin: 0.1 });
    expect([d.t0, d.tMult, d.etaMin]).toEqual([5, 2, 0.1]);
    expect(() => new S.StepLR(opt, 1, { stepSize: 2 })).toThrow(
      /StepLR: stepSize was given both as positional argument 1 and as an option/,
    );
    free();
  });

  it("state dicts continue a schedule (SequentialLR, warm restarts, plateau)", () => {
    const run = (resume: boolean): number[][] => {
      const [opt, free] = optimizer({ optimizer: "SGD", lrs: [0.1, 0.05] });
      const build = () => {
        const warm = new S.LinearLR(opt, { startFactor: 0.2, totalIters: 3 });
        const cos = new S.CosineAnnealingWarmRestarts(opt, { t0: 2, tMult: 2 });
        return new S.SequentialLR(opt, [warm, cos], [3]);
      };
      let sched = build();
      const plateau = new S.ReduceLROnPlateau(opt, { patience: 0 });
      const out: number[][] = [];
      for (let k = 0; k < 12; k++) {
        if (resume && k === 5) {
          const sd = sched.stateDict();
          const psd = plateau.stateDict();
          const lrs = opt.paramGroups.map((g) => g.lr);
          sched = build();
          opt.paramGroups.forEach((g, i) => {
            g.lr = lrs[i];
          });
          sched.loadStateDict(JSON.parse(JSON.stringify(sd)));
          plateau.loadStateDict(psd);
        }
        sched.step();
        if (k % 4 === 3) plateau.step(1);
        out.push(opt.paramGroups.map((g) => g.lr));
      }
      free();
      return out;
    };
    expect(run(true)).toEqual(run(false));
  });

  const [opt, free] = optimizer({ optimizer: "SGD", lrs: [0.1] });
  const bad: [string, () => unknown, RegExp][] = [
    [
      "MultiStepLR milestones",
      () => new S.MultiStepLR(opt, [1, -2]),
      /^MultiStepLR: invalid milestones\[1\] -2/,
    ],
    [
      "LambdaLR not a function",
      () => new S.LambdaLR(opt, 3 as never),
      /^LambdaLR: lrLambda must be a function/,
    ],
    [
      "LambdaLR per group count",
      () => new S.LambdaLR(opt, [(e) => e, (e) => e]),
      /^LambdaLR: expected 1 values for lrLambda/,
    ],
    [
      "LinearLR startFactor",
      () => new S.LinearLR(opt, 1.5),
      /^LinearLR: invalid startFactor 1\.5: expected a number in \[0, 1\]/,
    ],
    [
      "LinearLR snake_case",
      () => new S.LinearLR(opt, { total_iters: 3 } as never),
      /did you mean totalIters\?/,
    ],
    [
      "OneCycleLR no length",
      () => new S.OneCycleLR(opt, { maxLr: 1 }),
      /^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch$/,
    ],
    [
      "OneCycleLR anneal",
      () => new S.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, annealStrategy: "exp" as never }),
      /^OneCycleLR: invalid annealStrategy "exp"/,
    ],
    [
      "OneCycleLR beyond the end",
      () => {
        const s = new S.OneCycleLR(opt, 1, 2, { cycleMomentum: false });
        s.step();
        s.step();
        s.step();
      },
      /^OneCycleLR: tried to step 4 times; the schedule has 2 steps/,
    ],
    [
      "ReduceLROnPlateau mode",
      () => new S.ReduceLROnPlateau(opt, "low" as never),
      /^ReduceLROnPlateau: invalid mode "low": expected "min" or "max"$/,
    ],
    [
      "ReduceLROnPlateau factor",
      () => new S.ReduceLROnPlateau(opt, { factor: 1 }),
      /^ReduceLROnPlateau: invalid factor 1: expected a number in \[0, 1\)$/,
    ],
    [
      "ReduceLROnPlateau metric",
      () => new S.ReduceLROnPlateau(opt).step("x" as never),
      /^ReduceLROnPlateau\.step: metric must be a number/,
    ],
    [
      "warm restarts t0",
      () => new S.CosineAnnealingWarmRestarts(opt, 0),
      /^CosineAnnealingWarmRestarts: invalid t0 0: expected an integer >= 1$/,
    ],
    [
      "warm restarts T_0",
      () => new S.CosineAnnealingWarmRestarts(opt, { T_0: 3 } as never),
      /did you mean t0\?/,
    ],
    [
      "SequentialLR milestones",
      () => new S.SequentialLR(opt, [new S.StepLR(opt, 2)], [1]),
      /^SequentialLR: expected 0 milestones/,
    ],
    [
      "SequentialLR other optimizer",
      () => {
        const [other, freeOther] = optimizer({ optimizer: "SGD", lrs: [0.1] });
        try {
          return new S.SequentialLR(opt, [new S.StepLR(other, 2), new S.StepLR(opt, 2)], [1]);
        } finally {
          freeOther();
        }
      },
      /^SequentialLR: scheduler 0 belongs to another optimizer/,
    ],
  ];
  it.each(bad)("refuses %s", (_name, fn, message) => {
    expect(fn).toThrow(wg.WasmgradError);
    expect(fn).toThrow(message);
  });

  it("frees its optimizer", () => free());
});
