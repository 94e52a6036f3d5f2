/**
 * Cosine schedules, as torch.optim.lr_scheduler (1.13): CosineAnnealingLR and
 * CosineAnnealingWarmRestarts (OneCycleLR is in one-cycle.ts).
 */
import { finite, hyper, hyperArgs, intAtLeast } from "../../validate.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler } from "./base.js";

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Epochs of one half cosine period (> 0). */
  tMax?: number;
  /** The learning rate at the bottom of the cosine; default 0. */
  etaMin?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * As torch.optim.lr_scheduler.CosineAnnealingLR: the closed form is
 *   lr = etaMin + (initialLr − etaMin)·(1 + cos(π·epoch / tMax)) / 2,
 * while step() applies PyTorch's recursive form to the current lr (so a rate changed by hand
 * is followed from there on), restarting the half period after every 2·tMax epochs.
 *
 * @example
 * ```ts
 * const sched = new wg.optim.lrScheduler.CosineAnnealingLR(optimizer, { tMax: 100 });
 * sched.step(); // once per epoch
 * ```
 */
export class CosineAnnealingLR extends LRScheduler {
  /** Epochs of one half cosine period (PyTorch's `T_max`). */
  tMax: number;
  /** The learning rate at the bottom of the cosine (PyTorch's `eta_min`). */
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
    const o = hyperArgs(op, [tMax, etaMin, lastEpoch, options], names, names);
    const t = hyper(op, "tMax", o.tMax, (v) => Number.isFinite(v) && v > 0, "a number > 0");
    const e = hyper(op, "etaMin", o.etaMin ?? 0, finite, "a finite number");
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

/** Options of {@link CosineAnnealingWarmRestarts}. */
export interface CosineAnnealingWarmRestartsOptions {
  /** Epochs until the first restart (PyTorch's T_0), an integer >= 1. */
  t0?: number;
  /** Factor by which the period grows after each restart (T_mult), an integer >= 1; default 1. */
  tMult?: number;
  /** The learning rate at the bottom of the cosine; default 0. */
  etaMin?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * As torch.optim.lr_scheduler.CosineAnnealingWarmRestarts (SGDR):
 *   lr = etaMin + (initialLr − etaMin)·(1 + cos(π·tCur / tI)) / 2,
 * with tCur reset to 0 after tI epochs and tI multiplied by tMult at each restart. step(epoch)
 * accepts fractional epochs (a restart within an epoch's batches), as PyTorch.
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.CosineAnnealingWarmRestarts(optimizer, { t0: 10, tMult: 2 });
 * ```
 */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  /** Epochs until the first restart (PyTorch's `T_0`). */
  t0: number;
  /** The length of the current period (PyTorch's `T_i`). */
  tI: number;
  /** Factor by which the period grows after each restart (PyTorch's `T_mult`). */
  tMult: number;
  /** The learning rate at the bottom of the cosine (PyTorch's `eta_min`). */
  etaMin: number;
  /** Epochs since the last restart, fractional when step is given one (PyTorch's `T_cur`). */
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
    const o = hyperArgs(op, [t0, tMult, etaMin, lastEpoch, options], names, names);
    const first = hyper(op, "t0", o.t0, intAtLeast(1), "an integer >= 1");
    const mult = hyper(op, "tMult", o.tMult ?? 1, intAtLeast(1), "an integer >= 1");
    const e = hyper(op, "etaMin", o.etaMin ?? 0, finite, "a finite number");
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
      hyper(this.opName, "epoch", e, (v) => Number.isFinite(v) && v >= 0, "a number >= 0");
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
