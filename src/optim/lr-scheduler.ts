/**
 * Learning-rate schedulers, as torch.optim.lr_scheduler (1.13). A scheduler owns no tensors:
 * it rewrites `optimizer.lr` on every `step()`, which is called once per epoch after
 * `optimizer.step()`. Construction performs PyTorch's initial step (lastEpoch -1 → 0, which
 * leaves the learning rate unchanged) and records the starting rate as `optimizer.initialLr`.
 *
 * `step()` uses PyTorch's recursive ("chainable") form, which starts from the optimizer's
 * current lr; `step(epoch)` sets lastEpoch and uses the closed form (PyTorch deprecates that
 * call but still supports it). The arithmetic is transcribed operation for operation, in double
 * precision like Python's floats, so the rates equal PyTorch's.
 */
import { WasmgradError } from "../errors.js";
import { options as checkOptions } from "../validate.js";
import { Optimizer } from "./optimizer.js";

/** What `stateDict()` returns: the schedule's position and its settings. */
export interface LRSchedulerStateDict {
  lastEpoch: number;
  stepCount: number;
  baseLrs: number[];
  lastLr: number[];
  [setting: string]: number | number[];
}

function checkNumber(
  op: string,
  name: string,
  v: unknown,
  test: (v: number) => boolean,
  want: string,
): number {
  if (typeof v !== "number" || !test(v)) {
    throw new WasmgradError(`${op}: invalid ${name} ${String(v)}: expected ${want}`);
  }
  return v;
}

/** The shared machinery, as PyTorch's _LRScheduler. */
export abstract class LRScheduler {
  readonly optimizer: Optimizer;
  /** The learning rate of the schedule's epoch 0 (the optimizer's `initialLr`), per group. */
  baseLrs: number[];
  /** The epoch the current learning rate belongs to; -1 before the initial step. */
  lastEpoch: number;
  /** Calls of step() so far, the initial one included (PyTorch's _step_count). */
  protected stepCount = 0;
  private lastLr: number[] = [];

  protected constructor(
    protected readonly opName: string,
    optimizer: Optimizer,
    lastEpoch: number,
  ) {
    if (!(optimizer instanceof Optimizer)) {
      throw new WasmgradError(
        `${opName}: expected an optimizer (e.g. new optim.SGD(model.parameters(), { lr: 0.1 })), got ${String(optimizer)}`,
      );
    }
    checkNumber(
      opName,
      "lastEpoch",
      lastEpoch,
      (v) => Number.isInteger(v) && v >= -1,
      "an integer >= -1",
    );
    if (lastEpoch === -1) {
      optimizer.initialLr ??= optimizer.lr;
    } else if (optimizer.initialLr === undefined) {
      throw new WasmgradError(
        `${opName}: resuming at lastEpoch ${lastEpoch} needs optimizer.initialLr, the learning rate the schedule started from (a scheduler sets it; it is saved in the optimizer's stateDict)`,
      );
    }
    this.optimizer = optimizer;
    this.baseLrs = [optimizer.initialLr as number];
    this.lastEpoch = lastEpoch;
  }

  /** PyTorch's initial step; subclasses call it once their settings are in place. */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The next rates from the current ones (PyTorch's get_lr, called with lastEpoch advanced). */
  protected abstract recursiveLr(): number[];

  /** The rates at lastEpoch from the base rates (PyTorch's _get_closed_form_lr). */
  protected abstract closedFormLr(): number[];

  /** The settings that stateDict saves besides the position (e.g. stepSize and gamma). */
  protected abstract settings(): Record<string, number>;

  /**
   * Advances the schedule by one epoch and writes the new rate into the optimizer. With
   * `epoch`, jumps to that epoch and uses the closed form instead (deprecated in PyTorch).
   */
  step(epoch?: number): void {
    let values: number[];
    if (epoch === undefined) {
      this.stepCount++;
      this.lastEpoch++;
      values = this.recursiveLr();
    } else {
      checkNumber(
        this.opName,
        "epoch",
        epoch,
        (v) => Number.isInteger(v) && v >= 0,
        "an integer >= 0",
      );
      this.stepCount++;
      this.lastEpoch = epoch;
      values = this.closedFormLr();
    }
    this.optimizer.lr = values[0];
    this.lastLr = [this.optimizer.lr];
  }

  /** The learning rate set by the last step, per parameter group (wasmgrad has one). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The schedule's position and settings, as plain numbers. */
  stateDict(): LRSchedulerStateDict {
    return {
      ...this.settings(),
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
  }

  /** Restores a state saved by `stateDict` (the optimizer's lr is not touched, as in PyTorch). */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const op = `${this.opName}.loadStateDict`;
    const own = this.settings();
    const isList = (v: unknown) =>
      Array.isArray(v) && v.length === 1 && typeof v[0] === "number" && Number.isFinite(v[0]);
    if (sd === null || typeof sd !== "object" || !isList(sd.baseLrs) || !isList(sd.lastLr)) {
      throw new WasmgradError(
        `${op}: expected { lastEpoch, stepCount, baseLrs: [number], lastLr: [number], ... }`,
      );
    }
    checkNumber(
      op,
      "lastEpoch",
      sd.lastEpoch,
      (v) => Number.isInteger(v) && v >= -1,
      "an integer >= -1",
    );
    checkNumber(
      op,
      "stepCount",
      sd.stepCount,
      (v) => Number.isInteger(v) && v >= 0,
      "an integer >= 0",
    );
    for (const k of Object.keys(own)) {
      checkNumber(op, k, sd[k], Number.isFinite, `a number (this scheduler has ${own[k]})`);
    }
    for (const k of Object.keys(own))
      (this as unknown as Record<string, number>)[k] = sd[k] as number;
    this.lastEpoch = sd.lastEpoch;
    this.stepCount = sd.stepCount;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
  }
}

export interface StepLROptions {
  /** Epochs between decays (an integer >= 1). */
  stepSize: number;
  /** Factor applied every stepSize epochs; default 0.1. */
  gamma?: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/** lr = initialLr · gamma^⌊epoch / stepSize⌋, as torch.optim.lr_scheduler.StepLR. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    const o = checkOptions("StepLR", options, ["stepSize", "gamma", "lastEpoch"]);
    const stepSize = checkNumber(
      "StepLR",
      "stepSize",
      o.stepSize,
      (v) => Number.isInteger(v) && v >= 1,
      "an integer >= 1",
    );
    const gamma = checkNumber(
      "StepLR",
      "gamma",
      o.gamma ?? 0.1,
      Number.isFinite,
      "a finite number",
    );
    super("StepLR", optimizer, (o.lastEpoch ?? -1) as number);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected recursiveLr(): number[] {
    const lr = this.optimizer.lr;
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return [lr];
    return [lr * this.gamma];
  }

  protected closedFormLr(): number[] {
    const k = Math.floor(this.lastEpoch / this.stepSize);
    return this.baseLrs.map((base) => base * this.gamma ** k);
  }

  protected settings(): Record<string, number> {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }
}

export interface ExponentialLROptions {
  /** Factor applied every epoch. */
  gamma: number;
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/** lr = initialLr · gamma^epoch, as torch.optim.lr_scheduler.ExponentialLR. */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    const o = checkOptions("ExponentialLR", options, ["gamma", "lastEpoch"]);
    const gamma = checkNumber(
      "ExponentialLR",
      "gamma",
      o.gamma,
      Number.isFinite,
      "a finite number",
    );
    super("ExponentialLR", optimizer, (o.lastEpoch ?? -1) as number);
    this.gamma = gamma;
    this.initialStep();
  }

  protected recursiveLr(): number[] {
    const lr = this.optimizer.lr;
    return this.lastEpoch === 0 ? [lr] : [lr * this.gamma];
  }

  protected closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected settings(): Record<string, number> {
    return { gamma: this.gamma };
  }
}

export interface CosineAnnealingLROptions {
  /** Epochs of one half cosine period (> 0). */
  tMax: number;
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
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    const op = "CosineAnnealingLR";
    const o = checkOptions(op, options, ["tMax", "etaMin", "lastEpoch"]);
    const tMax = checkNumber(
      op,
      "tMax",
      o.tMax,
      (v) => Number.isFinite(v) && v > 0,
      "a number > 0",
    );
    const etaMin = checkNumber(op, "etaMin", o.etaMin ?? 0, Number.isFinite, "a finite number");
    super(op, optimizer, (o.lastEpoch ?? -1) as number);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected recursiveLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    const lr = this.optimizer.lr;
    if (e === 0) return [lr];
    if (this.stepCount === 1 && e > 0) {
      return this.baseLrs.map(
        (base) => etaMin + ((base - etaMin) * (1 + Math.cos((e * Math.PI) / tMax))) / 2,
      );
    }
    // JS's % differs from Python's in sign only, which a test against 0 does not see.
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return this.baseLrs.map(
        (base) => lr + ((base - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    return [
      ((1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax))) *
        (lr - etaMin) +
        etaMin,
    ];
  }

  protected closedFormLr(): number[] {
    const { lastEpoch: e, tMax, etaMin } = this;
    return this.baseLrs.map(
      (base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * e) / tMax))) / 2,
    );
  }

  protected settings(): Record<string, number> {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }
}
