/**
 * optim.lrScheduler against the schedules PyTorch 1.13 computed (test/fixtures/optim.json,
 * "schedulers"): every learning rate over 12 epochs, including CosineAnnealingLR's recursive
 * form past tMax, resuming from lastEpoch with an initialLr, and the closed forms of
 * step(epoch). The rates are doubles computed by the same operations as PyTorch's. StepLR's and
 * ExponentialLR's recursive forms (products only) are compared bit for bit; where cos or pow
 * enters, to 1e-15 of the base rate, because V8's Math.cos and glibc's cos, which Python calls,
 * round some arguments differently in the last bit (cos(1.2π): ...475 vs ...476).
 * Then: state round trips, following a hand-set lr, and argument checks.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFixture } from "../helpers/fixtures.js";

interface ScheduleCase {
  name: string;
  type: "StepLR" | "ExponentialLR" | "CosineAnnealingLR";
  options: Record<string, number>;
  lr: number;
  initialLr?: number;
  stepEpochs?: number[];
  lrs: number[];
  lastEpoch: number;
}

const schedules = loadFixture<{ schedulers: ScheduleCase[] }>("optim.json").schedulers;
const S = wg.optim.lrScheduler;

function make(
  type: ScheduleCase["type"],
  opt: wg.optim.Optimizer,
  options: Record<string, number>,
): wg.optim.lrScheduler.LRScheduler {
  const o = options as never;
  if (type === "StepLR") return new S.StepLR(opt, o);
  if (type === "ExponentialLR") return new S.ExponentialLR(opt, o);
  return new S.CosineAnnealingLR(opt, o);
}

/** An SGD optimizer over one throwaway parameter, and a way to free both. */
function sgd(lr: number): [wg.optim.SGD, () => void] {
  const p = wg.tensor([0], { requiresGrad: true });
  const opt = new wg.optim.SGD([p], { lr });
  return [
    opt,
    () => {
      opt.dispose();
      p.dispose();
    },
  ];
}

describe("lrScheduler against PyTorch", () => {
  it("holds the documented schedules", () => {
    expect(schedules.length).toBe(13);
    expect(new Set(schedules.map((s) => s.type))).toEqual(
      new Set(["StepLR", "ExponentialLR", "CosineAnnealingLR"]),
    );
  });

  it.each(schedules)("$name", (c) => {
    const [opt, free] = sgd(c.lr);
    try {
      if (c.initialLr !== undefined) opt.initialLr = c.initialLr;
      const sched = make(c.type, opt, c.options);
      const lrs = [sched.getLastLr()[0]];
      for (const epoch of c.stepEpochs ?? new Array<undefined>(12).fill(undefined)) {
        sched.step(epoch);
        lrs.push(sched.getLastLr()[0]);
        expect(opt.lr).toBe(lrs[lrs.length - 1]);
      }
      if (c.type !== "CosineAnnealingLR" && c.stepEpochs === undefined) {
        expect(lrs).toEqual(c.lrs); // products of doubles: bit for bit
      } else {
        const off = lrs
          .map((v, i) => `epoch ${i}: got ${v}, want ${c.lrs[i]}`)
          .filter((_, i) => !(Math.abs(lrs[i] - c.lrs[i]) <= 1e-15 * c.lr));
        expect(off).toEqual([]);
      }
      expect(sched.lastEpoch).toBe(c.lastEpoch);
      expect(opt.initialLr).toBe(c.initialLr ?? c.lr);
    } finally {
      free();
    }
  });
});

describe("lrScheduler behaviour", () => {
  it("starts at lastEpoch 0 with the optimizer's lr and records it as initialLr", () => {
    const [opt, free] = sgd(0.3);
    const sched = new S.ExponentialLR(opt, { gamma: 0.5 });
    expect(sched.lastEpoch).toBe(0);
    expect(sched.getLastLr()).toEqual([0.3]);
    expect(sched.baseLrs).toEqual([0.3]);
    expect(opt.initialLr).toBe(0.3);
    expect(opt.stateDict().paramGroups[0].initialLr).toBe(0.3);
    free();
  });

  it("follows a learning rate changed by hand (recursive form), as PyTorch", () => {
    const [opt, free] = sgd(1);
    const sched = new S.StepLR(opt, { stepSize: 2, gamma: 0.5 });
    sched.step(); // epoch 1: unchanged
    opt.lr = 0.2;
    sched.step(); // epoch 2: 0.2 * 0.5
    expect(sched.getLastLr()).toEqual([0.1]);
    sched.step(5); // the closed form ignores the hand-set rate: 1 * 0.5^2
    expect(sched.getLastLr()).toEqual([0.25]);
    free();
  });

  it("stateDict / loadStateDict continue the schedule exactly", () => {
    const [a, freeA] = sgd(0.1);
    const [b, freeB] = sgd(0.1);
    const straight = new S.CosineAnnealingLR(a, { tMax: 5, etaMin: 0.001 });
    const first = new S.CosineAnnealingLR(b, { tMax: 5, etaMin: 0.001 });
    for (let i = 0; i < 4; i++) {
      straight.step();
      first.step();
    }
    const saved = first.stateDict();
    expect(saved).toMatchObject({ tMax: 5, etaMin: 0.001, lastEpoch: 4, stepCount: 5 });
    const resumed = new S.CosineAnnealingLR(b, { tMax: 1 });
    resumed.loadStateDict(saved);
    for (let i = 0; i < 9; i++) {
      straight.step();
      resumed.step();
      expect(resumed.getLastLr()).toEqual(straight.getLastLr());
      expect(b.lr).toBe(a.lr);
    }
    expect(() => resumed.loadStateDict({ ...saved, tMax: "5" } as never)).toThrow(
      /^CosineAnnealingLR\.loadStateDict: invalid tMax "5": expected a number like 5$/,
    );
    freeA();
    freeB();
  });

  it("drives every optimizer's lr", () => {
    const p = wg.tensor([1], { requiresGrad: true });
    const opts = [
      new wg.optim.Adam([p], { lr: 0.1 }),
      new wg.optim.AdamW([p], { lr: 0.1 }),
      new wg.optim.RMSprop([p], { lr: 0.1 }),
      new wg.optim.Adagrad([p], { lr: 0.1 }),
    ];
    for (const o of opts) {
      const sched = new S.StepLR(o, { stepSize: 1, gamma: 0.5 });
      sched.step();
      expect(o.lr).toBe(0.05);
      o.dispose();
    }
    p.dispose();
  });

  const [opt, free] = sgd(0.1);
  const bad: [string, () => unknown, RegExp][] = [
    [
      "stepSize 0",
      () => new S.StepLR(opt, { stepSize: 0 }),
      /^StepLR: invalid stepSize 0: expected an integer >= 1$/,
    ],
    ["stepSize 1.5", () => new S.StepLR(opt, { stepSize: 1.5 }), /^StepLR: invalid stepSize 1\.5/],
    [
      "missing stepSize",
      () => new S.StepLR(opt, {} as never),
      /^StepLR: invalid stepSize undefined/,
    ],
    [
      "gamma NaN",
      () => new S.ExponentialLR(opt, { gamma: Number.NaN }),
      /^ExponentialLR: invalid gamma NaN: expected a finite number$/,
    ],
    [
      "tMax 0",
      () => new S.CosineAnnealingLR(opt, { tMax: 0 }),
      /^CosineAnnealingLR: invalid tMax 0: expected a number > 0$/,
    ],
    [
      "etaMin",
      () => new S.CosineAnnealingLR(opt, { tMax: 3, etaMin: Number.POSITIVE_INFINITY }),
      /^CosineAnnealingLR: invalid etaMin Infinity/,
    ],
    [
      "snake_case",
      () => new S.StepLR(opt, { step_size: 2 } as never),
      /^StepLR: unknown option "step_size"; did you mean stepSize\? \(known: stepSize, gamma, lastEpoch\)$/,
    ],
    [
      "not an optimizer",
      () => new S.ExponentialLR({ lr: 0.1 } as never, { gamma: 0.5 }),
      /^ExponentialLR: expected an optimizer/,
    ],
    [
      "lastEpoch -2",
      () => new S.ExponentialLR(opt, { gamma: 0.5, lastEpoch: -2 }),
      /^ExponentialLR: invalid lastEpoch -2: expected an integer >= -1$/,
    ],
    [
      "step(-1)",
      () => new S.ExponentialLR(opt, { gamma: 0.5 }).step(-1),
      /^ExponentialLR: invalid epoch -1: expected an integer >= 0$/,
    ],
  ];
  it.each(bad)("refuses %s", (_name, fn, message) => {
    expect(fn).toThrow(wg.WasmgradError);
    expect(fn).toThrow(message);
  });

  it("refuses to resume without the rate the schedule started from", () => {
    const [fresh, freeFresh] = sgd(0.1);
    expect(() => new S.StepLR(fresh, { stepSize: 2, lastEpoch: 3 })).toThrow(
      /^StepLR: resuming at lastEpoch 3 needs optimizer\.initialLr/,
    );
    freeFresh();
    free();
  });
});
