/**
 * Piecewise and multiplicative schedules, as torch.optim.lr_scheduler (1.13): StepLR,
 * MultiStepLR, ExponentialLR, LambdaLR, LinearLR. Each takes PyTorch's positional arguments
 * after the optimizer (`new StepLR(opt, 1, 0.7)`) or a trailing options object
 * (`new StepLR(opt, { stepSize: 1, gamma: 0.7 })`).
 */
import { WasmgradError } from "../../errors.js";
import { describe, finite, hyper, hyperArgs, intAtLeast } from "../../validate.js";
import type { Optimizer } from "../optimizer.js";
import { LRScheduler, perGroup } from "./base.js";

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between decays (an integer >= 1). */
  stepSize?: number;
  /** Factor applied every stepSize epochs; default 0.1. */
  gamma?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * lr = initialLr · gamma^⌊epoch / stepSize⌋, as torch.optim.lr_scheduler.StepLR.
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.StepLR(optimizer, { stepSize: 30, gamma: 0.1 });
 * ```
 */
export class StepLR extends LRScheduler {
  /** Epochs between decays (PyTorch's `step_size`). */
  stepSize: number;
  /** Factor applied every stepSize epochs. */
  gamma: number;

  constructor(
    optimizer: Optimizer,
    stepSize?: number | StepLROptions,
    gamma?: number | StepLROptions,
    lastEpoch?: number | StepLROptions,
    options?: StepLROptions,
  ) {
    const names = ["stepSize", "gamma", "lastEpoch"];
    const o = hyperArgs("StepLR", [stepSize, gamma, lastEpoch, options], names, names);
    const size = hyper("StepLR", "stepSize", o.stepSize, intAtLeast(1), "an integer >= 1");
    const g = hyper("StepLR", "gamma", o.gamma ?? 0.1, finite, "a finite number");
    super("StepLR", optimizer, o.lastEpoch ?? -1);
    this.stepSize = size;
    this.gamma = g;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    const k = Math.floor(this.lastEpoch / this.stepSize);
    return this.baseLrs.map((base) => base * this.gamma ** k);
  }

  protected settings(): Record<string, unknown> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }
}

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** The epochs at which the rate is multiplied by gamma (a repeated epoch decays twice). */
  milestones?: number[];
  /** Factor applied at each milestone; default 0.1. */
  gamma?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * lr = initialLr · gamma^(milestones passed), as torch.optim.lr_scheduler.MultiStepLR.
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.MultiStepLR(optimizer, { milestones: [30, 80], gamma: 0.1 });
 * ```
 */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the rate is multiplied by gamma, in increasing order. */
  milestones: number[];
  /** Factor applied at each milestone. */
  gamma: number;

  constructor(
    optimizer: Optimizer,
    milestones?: number[] | MultiStepLROptions,
    gamma?: number | MultiStepLROptions,
    lastEpoch?: number | MultiStepLROptions,
    options?: MultiStepLROptions,
  ) {
    const op = "MultiStepLR";
    const names = ["milestones", "gamma", "lastEpoch"];
    const o = hyperArgs(op, [milestones, gamma, lastEpoch, options], names, names);
    if (!Array.isArray(o.milestones)) {
      throw new WasmgradError(
        `${op}: milestones must be an array of epochs, got ${describe(o.milestones)}`,
      );
    }
    const ms = (o.milestones as unknown[]).map((m, i) =>
      hyper(op, `milestones[${i}]`, m, intAtLeast(0), "an integer >= 0"),
    );
    const g = hyper(op, "gamma", o.gamma ?? 0.1, finite, "a finite number");
    super(op, optimizer, o.lastEpoch ?? -1);
    this.milestones = ms.sort((a, b) => a - b);
    this.gamma = g;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    const lrs = this.currentLrs();
    return hits === 0 ? lrs : lrs.map((lr) => lr * this.gamma ** hits);
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length; // bisect_right
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }

  protected settings(): Record<string, unknown> {
    return { milestones: [...this.milestones], gamma: this.gamma };
  }

  protected override restore(sd: Record<string, unknown>): void {
    this.milestones = [...(sd.milestones as number[])];
    this.gamma = sd.gamma as number;
  }
}

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Factor applied every epoch. */
  gamma?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * lr = initialLr · gamma^epoch, as torch.optim.lr_scheduler.ExponentialLR.
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.95 });
 * ```
 */
export class ExponentialLR extends LRScheduler {
  /** Factor applied every epoch. */
  gamma: number;

  constructor(
    optimizer: Optimizer,
    gamma?: number | ExponentialLROptions,
    lastEpoch?: number | ExponentialLROptions,
    options?: ExponentialLROptions,
  ) {
    const names = ["gamma", "lastEpoch"];
    const o = hyperArgs("ExponentialLR", [gamma, lastEpoch, options], names, names);
    const g = hyper("ExponentialLR", "gamma", o.gamma, finite, "a finite number");
    super("ExponentialLR", optimizer, o.lastEpoch ?? -1);
    this.gamma = g;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected settings(): Record<string, unknown> {
    return { gamma: this.gamma };
  }
}

/** A rate multiplier of the epoch, as PyTorch's lr_lambda. */
export type LrLambda = (epoch: number) => number;

/** Options of {@link LambdaLR}. */
export interface LambdaLROptions {
  /** One function, or one per parameter group. */
  lrLambda?: LrLambda | LrLambda[];
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * lr = initialLr · lrLambda(epoch), as torch.optim.lr_scheduler.LambdaLR. The functions are
 * not part of the state dict (PyTorch saves only callable objects' attributes).
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.LambdaLR(optimizer, { lrLambda: (epoch) => 0.95 ** epoch });
 * ```
 */
export class LambdaLR extends LRScheduler {
  /** One function per group: epoch => the factor of the group's initial rate. */
  readonly lrLambdas: LrLambda[];

  constructor(
    optimizer: Optimizer,
    lrLambda?: LrLambda | LrLambda[] | LambdaLROptions,
    lastEpoch?: number | LambdaLROptions,
    options?: LambdaLROptions,
  ) {
    const op = "LambdaLR";
    const names = ["lrLambda", "lastEpoch"];
    const o = hyperArgs(op, [lrLambda, lastEpoch, options], names, names);
    super(op, optimizer, o.lastEpoch ?? -1);
    const fns = perGroup(op, "lrLambda", optimizer, o.lrLambda as LrLambda | LrLambda[]);
    fns.forEach((f, i) => {
      if (typeof f !== "function") {
        throw new WasmgradError(
          `${op}: lrLambda${fns.length > 1 ? `[${i}]` : ""} must be a function (epoch) => factor, got ${describe(f)}`,
        );
      }
    });
    this.lrLambdas = fns;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    return this.baseLrs.map((base, i) => {
      const f = this.lrLambdas[i](this.lastEpoch);
      hyper(this.opName, `lrLambda(${this.lastEpoch})`, f, finite, "a finite number");
      return base * f;
    });
  }

  protected settings(): Record<string, unknown> {
    return {};
  }
}

/** Options of {@link LinearLR}. */
export interface LinearLROptions {
  /** The factor of the first epoch; default 1/3. */
  startFactor?: number;
  /** The factor reached after totalIters epochs; default 1. */
  endFactor?: number;
  /** Epochs over which the factor goes from startFactor to endFactor; default 5. */
  totalIters?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * The rate scaled by a factor going linearly from startFactor to endFactor over totalIters
 * epochs, as torch.optim.lr_scheduler.LinearLR (usually a warm-up).
 *
 * @example
 * ```ts
 * new wg.optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 });
 * ```
 */
export class LinearLR extends LRScheduler {
  /** The factor of the first epoch. */
  startFactor: number;
  /** The factor reached after totalIters epochs. */
  endFactor: number;
  /** Epochs over which the factor changes (PyTorch's `total_iters`). */
  totalIters: number;

  constructor(
    optimizer: Optimizer,
    startFactor?: number | LinearLROptions,
    endFactor?: number | LinearLROptions,
    totalIters?: number | LinearLROptions,
    lastEpoch?: number | LinearLROptions,
    options?: LinearLROptions,
  ) {
    const op = "LinearLR";
    const names = ["startFactor", "endFactor", "totalIters", "lastEpoch"];
    const o = hyperArgs(op, [startFactor, endFactor, totalIters, lastEpoch, options], names, names);
    const inUnit = (v: number) => v >= 0 && v <= 1;
    // PyTorch refuses a start factor of 0 only later, by dividing by it; so does this.
    const s = hyper(op, "startFactor", o.startFactor ?? 1 / 3, inUnit, "a number in [0, 1]");
    const e = hyper(op, "endFactor", o.endFactor ?? 1, inUnit, "a number in [0, 1]");
    const t = hyper(op, "totalIters", o.totalIters ?? 5, intAtLeast(1), "an integer >= 1");
    super(op, optimizer, o.lastEpoch ?? -1);
    this.startFactor = s;
    this.endFactor = e;
    this.totalIters = t;
    this._initialStep();
  }

  protected recursiveLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: t, lastEpoch: k } = this;
    const lrs = this.currentLrs();
    if (k === 0) return lrs.map((lr) => lr * s);
    if (k > t) return lrs;
    return lrs.map((lr) => lr * (1 + (e - s) / (t * s + (k - 1) * (e - s))));
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: t, lastEpoch: k } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(t, k)) / t));
  }

  protected settings(): Record<string, unknown> {
    return {
      startFactor: this.startFactor,
      endFactor: this.endFactor,
      totalIters: this.totalIters,
    };
  }
}
