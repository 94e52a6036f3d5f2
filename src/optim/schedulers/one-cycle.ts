/**
 * The 1cycle policy, as torch.optim.lr_scheduler.OneCycleLR (1.13).
 */
import { WasmgradError } from "../../errors.js";
import { describe, hyper, hyperArgs, hyperFlag, intAtLeast } from "../../validate.js";
import type { Optimizer } from "../optimizer.js";
import { checkOptimizer, LRScheduler, perGroup } from "./base.js";

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions {
  /** The peak rate, one for all groups or one per group. */
  maxLr?: number | number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** With stepsPerEpoch, gives totalSteps = epochs * stepsPerEpoch. */
  epochs?: number;
  /** With epochs, gives totalSteps = epochs * stepsPerEpoch (PyTorch's `steps_per_epoch`). */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate; default 0.3. */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD) or beta1 (Adam-like) inversely to the rate; default true. */
  cycleMomentum?: boolean;
  /** The lowest momentum (at the peak rate), one for all groups or one per group; default 0.85. */
  baseMomentum?: number | number[];
  /**
   * The highest momentum (at the lowest rate), one for all groups or one per group; default 0.95.
   */
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor; default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor; default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, annihilate) instead of two; default false. */
  threePhase?: boolean;
  /** The step to resume from; default -1 (start). */
  lastEpoch?: number;
}

const ONE_CYCLE = [
  "maxLr",
  "totalSteps",
  "epochs",
  "stepsPerEpoch",
  "pctStart",
  "annealStrategy",
  "cycleMomentum",
  "baseMomentum",
  "maxMomentum",
  "divFactor",
  "finalDivFactor",
  "threePhase",
  "lastEpoch",
];

interface Phase {
  endStep: number;
  startLr: string;
  endLr: string;
  startMomentum: string;
  endMomentum: string;
}

/**
 * The 1cycle policy, as torch.optim.lr_scheduler.OneCycleLR: stepped after every batch. It
 * writes `initialLr`, `maxLr`, `minLr` (and `maxMomentum`, `baseMomentum`) into each group,
 * as PyTorch does, and with cycleMomentum also the groups' momentum or betas[0].
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 1000 }); // step() after every batch
 * ```
 */
export class OneCycleLR extends LRScheduler {
  /** Steps in the cycle (PyTorch's `total_steps`). */
  totalSteps: number;
  /** "cos" or "linear" (PyTorch's `anneal_strategy`). */
  annealStrategy: "cos" | "linear";
  /** Whether momentum (or beta1) cycles inversely to the rate (PyTorch's `cycle_momentum`). */
  cycleMomentum: boolean;
  private readonly useBeta1: boolean;
  private readonly phases: Phase[];

  constructor(
    optimizer: Optimizer,
    maxLr?: number | number[] | OneCycleLROptions,
    totalSteps?: number | OneCycleLROptions,
    ...rest: unknown[]
  ) {
    const op = "OneCycleLR";
    const o = hyperArgs(op, [maxLr, totalSteps, ...rest], ONE_CYCLE, ONE_CYCLE);
    checkOptimizer(op, optimizer);
    let total: number;
    if (o.totalSteps !== undefined) {
      total = hyper(op, "totalSteps", o.totalSteps, intAtLeast(1), "an integer >= 1");
    } else if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) {
      const ep = hyper(op, "epochs", o.epochs, intAtLeast(1), "an integer >= 1");
      total = ep * hyper(op, "stepsPerEpoch", o.stepsPerEpoch, intAtLeast(1), "an integer >= 1");
    } else {
      throw new WasmgradError(`${op}: give totalSteps, or epochs and stepsPerEpoch`);
    }
    const pct = hyper(
      op,
      "pctStart",
      o.pctStart ?? 0.3,
      (v) => v >= 0 && v <= 1,
      "a number in [0, 1]",
    );
    const anneal = o.annealStrategy ?? "cos";
    if (anneal !== "cos" && anneal !== "linear") {
      throw new WasmgradError(
        `${op}: invalid annealStrategy ${describe(anneal)}: expected "cos" or "linear"`,
      );
    }
    const div = hyper(op, "divFactor", o.divFactor ?? 25, (v) => v > 0, "a number > 0");
    const finalDiv = hyper(
      op,
      "finalDivFactor",
      o.finalDivFactor ?? 1e4,
      (v) => v > 0,
      "a number > 0",
    );
    const three = hyperFlag(op, "threePhase", o.threePhase ?? false);
    const cycle = hyperFlag(op, "cycleMomentum", o.cycleMomentum ?? true);
    const lastEpoch = o.lastEpoch ?? -1;
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup(op, "maxLr", optimizer, o.maxLr as number | number[]);
    for (const [i, v] of maxLrs.entries()) {
      const name = maxLrs.length > 1 ? `maxLr[${i}]` : "maxLr";
      hyper(op, name, v, (x) => x >= 0 && Number.isFinite(x), "a number >= 0");
    }
    if (lastEpoch === -1) {
      groups.forEach((g, i) => {
        g.initialLr = maxLrs[i] / div;
        g.maxLr = maxLrs[i];
        g.minLr = g.initialLr / finalDiv;
      });
    }
    const defaults = optimizer.defaults;
    const useBeta1 = "betas" in defaults;
    if (cycle) {
      if (!("momentum" in defaults) && !useBeta1) {
        throw new WasmgradError(
          `${op}: cycleMomentum needs an optimizer with momentum or betas (pass cycleMomentum: false)`,
        );
      }
      const maxM = perGroup(
        op,
        "maxMomentum",
        optimizer,
        (o.maxMomentum ?? 0.95) as number | number[],
      );
      const baseM = perGroup(
        op,
        "baseMomentum",
        optimizer,
        (o.baseMomentum ?? 0.85) as number | number[],
      );
      if (lastEpoch === -1) {
        groups.forEach((g, i) => {
          if (useBeta1) g.betas = [maxM[i], (g.betas as number[])[1]];
          else g.momentum = maxM[i];
          g.maxMomentum = maxM[i];
          g.baseMomentum = baseM[i];
        });
      }
    }
    super(op, optimizer, lastEpoch);
    this.totalSteps = total;
    this.annealStrategy = anneal;
    this.cycleMomentum = cycle;
    this.useBeta1 = useBeta1;
    const phase = (endStep: number, a: string, b: string, c: string, d: string): Phase => ({
      endStep,
      startLr: a,
      endLr: b,
      startMomentum: c,
      endMomentum: d,
    });
    this.phases = three
      ? [
          phase(pct * total - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
          phase(2 * pct * total - 2, "maxLr", "initialLr", "baseMomentum", "maxMomentum"),
          phase(total - 1, "initialLr", "minLr", "maxMomentum", "maxMomentum"),
        ]
      : [
          phase(pct * total - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
          phase(total - 1, "maxLr", "minLr", "baseMomentum", "maxMomentum"),
        ];
    this._initialStep();
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
  }

  protected recursiveLr(): number[] {
    const k = this.lastEpoch;
    if (k > this.totalSteps) {
      throw new WasmgradError(
        `${this.opName}: tried to step ${k + 1} times; the schedule has ${this.totalSteps} steps (totalSteps)`,
      );
    }
    return this.optimizer.paramGroups.map((g) => {
      const at = g as unknown as Record<string, number>;
      let start = 0;
      let lr = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const p = this.phases[i];
        if (k <= p.endStep || i === this.phases.length - 1) {
          const pct = (k - start) / (p.endStep - start);
          lr = this.anneal(at[p.startLr], at[p.endLr], pct);
          if (this.cycleMomentum) {
            const m = this.anneal(at[p.startMomentum], at[p.endMomentum], pct);
            if (this.useBeta1) g.betas = [m, (g.betas as number[])[1]];
            else g.momentum = m;
          }
          break;
        }
        start = p.endStep;
      }
      return lr;
    });
  }

  protected settings(): Record<string, unknown> {
    return {
      totalSteps: this.totalSteps,
      annealStrategy: this.annealStrategy,
      cycleMomentum: this.cycleMomentum,
    };
  }
}
