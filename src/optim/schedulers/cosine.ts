/**
 * Cosine schedules, as torch.optim.lr_scheduler (1.13): CosineAnnealingLR,
 * CosineAnnealingWarmRestarts and OneCycleLR.
 */
import { WasmgradError } from "../../errors.js";
import { finite, flag, intAtLeast, num, parseArgs, show } from "../args.js";
import type { Optimizer } from "../optimizer.js";
import { checkOptimizer, LRScheduler, perGroup } from "./base.js";

export interface CosineAnnealingLROptions {
  /** Epochs of one half cosine period (> 0). */
  tMax?: number;
  /** The learning rate at the bottom of the cosine; default 0. */
  etaMin?: number;
  lastEpoch?: number;
}

/**
 * As torch.optim.lr_scheduler.CosineAnnealingLR: the closed form is
 *   lr = etaMin + (initialLr − etaMin)·(1 + cos(π·epoch / tMax)) / 2,
 * while step() applies PyTorch's recursive form to the current lr (so a rate changed by hand
 * is followed from there on), restarting the half period after every 2·tMax epochs.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(
    optimizer: Optimizer,
    tMax?: number | CosineAnnealingLROptions,
    etaMin?: number | CosineAnnealingLROptions,
    lastEpoch?: number | CosineAnnealingLROptions,
    options?: CosineAnnealingLROptions,
  ) {
    const op = "CosineAnnealingLR";
    const names = ["tMax", "etaMin", "lastEpoch"];
    const o = parseArgs(op, [tMax, etaMin, lastEpoch, options], names, names);
    const t = num(op, "tMax", o.tMax, (v) => Number.isFinite(v) && v > 0, "a number > 0");
    const e = num(op, "etaMin", o.etaMin ?? 0, finite, "a finite number");
    super(op, optimizer, o.lastEpoch ?? -1);
    this.tMax = t;
    this.etaMin = e;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map(
        (base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2,
      );
    }
    // JS's % differs from Python's in sign only, which a test against 0 does not see.
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return this.baseLrs.map(
        (base, i) => lrs[i] + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    return lrs.map(
      (lr) =>
        ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) *
          (lr - etaMin) +
        etaMin,
    );
  }

  protected override closedFormLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2,
    );
  }

  protected settings(): Record<string, unknown> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }
}

export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart (PyTorch's T_0), an integer >= 1. */
  t0?: number;
  /** Factor by which the period grows after each restart (T_mult), an integer >= 1; default 1. */
  tMult?: number;
  /** Default 0. */
  etaMin?: number;
  lastEpoch?: number;
}

/**
 * As torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR):
 *   lr = etaMin + (initialLr − etaMin)·(1 + cos(π·tCur / tI)) / 2,
 * with tCur reset to 0 after tI epochs and tI multiplied by tMult at each restart. step(epoch)
 * accepts fractional epochs (a restart within an epoch's batches), as PyTorch.
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tI: number;
  tMult: number;
  etaMin: number;
  tCur: number;

  constructor(
    optimizer: Optimizer,
    t0?: number | CosineAnnealingWarmRestartsOptions,
    tMult?: number | CosineAnnealingWarmRestartsOptions,
    etaMin?: number | CosineAnnealingWarmRestartsOptions,
    lastEpoch?: number | CosineAnnealingWarmRestartsOptions,
    options?: CosineAnnealingWarmRestartsOptions,
  ) {
    const op = "CosineAnnealingWarmRestarts";
    const names = ["t0", "tMult", "etaMin", "lastEpoch"];
    const o = parseArgs(op, [t0, tMult, etaMin, lastEpoch, options], names, names);
    const first = num(op, "t0", o.t0, intAtLeast(1), "an integer >= 1");
    const mult = num(op, "tMult", o.tMult ?? 1, intAtLeast(1), "an integer >= 1");
    const e = num(op, "etaMin", o.etaMin ?? 0, finite, "a finite number");
    super(op, optimizer, o.lastEpoch ?? -1);
    this.t0 = first;
    this.tI = first;
    this.tMult = mult;
    this.etaMin = e;
    this.tCur = this.lastEpoch;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    const { etaMin, tCur, tI } = this;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * tCur) / tI))) / 2,
    );
  }

  override step(epoch?: number): void {
    let e = epoch;
    if (e === undefined && this.lastEpoch < 0) e = 0;
    if (e === undefined) {
      e = this.lastEpoch + 1;
      this.tCur += 1;
      if (this.tCur >= this.tI) {
        this.tCur -= this.tI;
        this.tI *= this.tMult;
      }
    } else {
      num(this.opName, "epoch", e, (v) => Number.isFinite(v) && v >= 0, "a number >= 0");
      if (e >= this.t0) {
        if (this.tMult === 1) this.tCur = e % this.t0;
        else {
          const n = Math.trunc(
            Math.log((e / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult),
          );
          this.tCur = e - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
          this.tI = this.t0 * this.tMult ** n;
        }
      } else {
        this.tI = this.t0;
        this.tCur = e;
      }
    }
    this.lastEpoch = Math.floor(e);
    this.apply(this.recursiveLr());
  }

  protected settings(): Record<string, unknown> {
    const { t0, tI, tMult, etaMin, tCur } = this;
    return { t0, tI, tMult, etaMin, tCur };
  }
}

export interface OneCycleLROptions {
  /** The peak rate, one for all groups or one per group. */
  maxLr?: number | number[];
  /** Steps in the cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the rate; default 0.3. */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD) or beta1 (Adam-like) inversely to the rate; default true. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** initialLr = maxLr / divFactor; default 25. */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor; default 1e4. */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, annihilate) instead of two; default false. */
  threePhase?: boolean;
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
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: "cos" | "linear";
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
    const o = parseArgs(op, [maxLr, totalSteps, ...rest], ONE_CYCLE, ONE_CYCLE);
    checkOptimizer(op, optimizer);
    let total: number;
    if (o.totalSteps !== undefined) {
      total = num(op, "totalSteps", o.totalSteps, intAtLeast(1), "an integer >= 1");
    } else if (o.epochs !== undefined || o.stepsPerEpoch !== undefined) {
      const ep = num(op, "epochs", o.epochs, intAtLeast(1), "an integer >= 1");
      total = ep * num(op, "stepsPerEpoch", o.stepsPerEpoch, intAtLeast(1), "an integer >= 1");
    } else {
      throw new WasmgradError(`${op}: give totalSteps, or epochs and stepsPerEpoch`);
    }
    const pct = num(
      op,
      "pctStart",
      o.pctStart ?? 0.3,
      (v) => v >= 0 && v <= 1,
      "a number in [0, 1]",
    );
    const anneal = o.annealStrategy ?? "cos";
    if (anneal !== "cos" && anneal !== "linear") {
      throw new WasmgradError(
        `${op}: invalid annealStrategy ${show(anneal)}: expected "cos" or "linear"`,
      );
    }
    const div = num(op, "divFactor", o.divFactor ?? 25, (v) => v > 0, "a number > 0");
    const finalDiv = num(
      op,
      "finalDivFactor",
      o.finalDivFactor ?? 1e4,
      (v) => v > 0,
      "a number > 0",
    );
    const three = flag(op, "threePhase", o.threePhase ?? false);
    const cycle = flag(op, "cycleMomentum", o.cycleMomentum ?? true);
    const lastEpoch = o.lastEpoch ?? -1;
    const groups = optimizer.paramGroups;
    const maxLrs = perGroup(op, "maxLr", optimizer, o.maxLr as number | number[]);
    for (const [i, v] of maxLrs.entries()) {
      const name = maxLrs.length > 1 ? `maxLr[${i}]` : "maxLr";
      num(op, name, v, (x) => x >= 0 && Number.isFinite(x), "a number >= 0");
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
