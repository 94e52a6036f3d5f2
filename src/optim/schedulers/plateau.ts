/**
 * ReduceLROnPlateau and SequentialLR, as torch.optim.lr_scheduler (1.13).
 */
import { WasmgradError } from "../../errors.js";
import { describe, hyper, hyperArgs, intAtLeast, nonNegative } from "../../validate.js";
import type { Optimizer } from "../optimizer.js";
import { checkOptimizer, LRScheduler, type LRSchedulerStateDict, perGroup } from "./base.js";

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** "min" (default): the metric should fall; "max": it should rise. */
  mode?: "min" | "max";
  /** Factor applied to the rate on a plateau, < 1; default 0.1. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing; default 10. */
  patience?: number;
  /** What counts as an improvement; default 1e-4. */
  threshold?: number;
  /** "rel" (default): relative to the best value; "abs": absolute. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again; default 0. */
  cooldown?: number;
  /** A floor for the rate, one for all groups or one per group; default 0. */
  minLr?: number | number[];
  /** A reduction smaller than eps is skipped; default 1e-8. */
  eps?: number;
}

const PLATEAU = [
  "mode",
  "factor",
  "patience",
  "threshold",
  "thresholdMode",
  "cooldown",
  "minLr",
  "eps",
];

/** What {@link ReduceLROnPlateau.stateDict} returns: the settings and the plateau tracking. */
export interface ReduceLROnPlateauStateDict {
  /** "min" or "max". */
  mode: "min" | "max";
  /** Factor applied to the rate on a plateau. */
  factor: number;
  /** Epochs without improvement tolerated before reducing. */
  patience: number;
  /** What counts as an improvement. */
  threshold: number;
  /** "rel" or "abs" (PyTorch's `threshold_mode`). */
  thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again. */
  cooldown: number;
  /** Per group, the floor for the rate (PyTorch's `min_lrs`). */
  minLrs: number[];
  /** A reduction smaller than eps is skipped. */
  eps: number;
  /** The best metric so far. */
  best: number;
  /** Epochs without improvement so far (PyTorch's `num_bad_epochs`). */
  numBadEpochs: number;
  /** Epochs of cooldown left (PyTorch's `cooldown_counter`). */
  cooldownCounter: number;
  /** The number of step() calls so far (PyTorch's `last_epoch`). */
  lastEpoch: number;
  /** The rates after the last step, per group (PyTorch's `_last_lr`). */
  lastLr: number[];
}

/**
 * Reduces the rate by `factor` once a metric has stopped improving for `patience` epochs, as
 * torch.optim.lr_scheduler.ReduceLROnPlateau: call `step(validationLoss)` once per epoch.
 *
 * @example
 * ```ts
 * const optimizer = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * const sched = new wg.optim.lrScheduler.ReduceLROnPlateau(optimizer, { patience: 5 });
 * sched.step(0.42); // the validation loss
 * ```
 */
export class ReduceLROnPlateau {
  /** The optimizer whose groups' `lr` this schedule reduces. */
  readonly optimizer: Optimizer;
  /** "min": the metric should fall; "max": it should rise. */
  mode: "min" | "max";
  /** Factor applied to the rate on a plateau. */
  factor: number;
  /** Epochs without improvement tolerated before reducing. */
  patience: number;
  /** What counts as an improvement. */
  threshold: number;
  /** "rel": relative to the best value; "abs": absolute (PyTorch's `threshold_mode`). */
  thresholdMode: "rel" | "abs";
  /** Epochs to wait after a reduction before counting again. */
  cooldown: number;
  /** Per group, the floor for the rate (PyTorch's `min_lrs`). */
  minLrs: number[];
  /** A reduction smaller than eps is skipped. */
  eps: number;
  /** The best metric so far. */
  best: number;
  /** Epochs without improvement so far (PyTorch's `num_bad_epochs`). */
  numBadEpochs = 0;
  /** Epochs of cooldown left (PyTorch's `cooldown_counter`). */
  cooldownCounter = 0;
  /** The number of step() calls so far (PyTorch's `last_epoch`). */
  lastEpoch = 0;
  private lastLr: number[];

  constructor(
    optimizer: Optimizer,
    mode?: "min" | "max" | ReduceLROnPlateauOptions,
    ...rest: unknown[]
  ) {
    const op = "ReduceLROnPlateau";
    const o = hyperArgs(op, [mode, ...rest], PLATEAU, PLATEAU);
    this.optimizer = checkOptimizer(op, optimizer);
    this.mode = this.choice("mode", o.mode ?? "min", ["min", "max"]) as "min" | "max";
    this.factor = hyper(
      op,
      "factor",
      o.factor ?? 0.1,
      (v) => v >= 0 && v < 1,
      "a number in [0, 1)",
    );
    this.patience = hyper(op, "patience", o.patience ?? 10, intAtLeast(0), "an integer >= 0");
    this.threshold = hyper(
      op,
      "threshold",
      o.threshold ?? 1e-4,
      Number.isFinite,
      "a finite number",
    );
    this.thresholdMode = this.choice("thresholdMode", o.thresholdMode ?? "rel", ["rel", "abs"]) as
      | "rel"
      | "abs";
    this.cooldown = hyper(op, "cooldown", o.cooldown ?? 0, intAtLeast(0), "an integer >= 0");
    this.minLrs = perGroup(op, "minLr", optimizer, (o.minLr ?? 0) as number | number[]);
    for (const [i, v] of this.minLrs.entries())
      hyper(op, `minLr[${i}]`, v, nonNegative, "a finite number >= 0");
    this.eps = hyper(op, "eps", o.eps ?? 1e-8, nonNegative, "a finite number >= 0");
    this.best = this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.lastLr = optimizer.paramGroups.map((g) => g.lr);
  }

  private choice(name: string, v: unknown, allowed: string[]): string {
    if (typeof v !== "string" || !allowed.includes(v)) {
      throw new WasmgradError(
        `ReduceLROnPlateau: invalid ${name} ${describe(v)}: expected ${allowed.map((a) => `"${a}"`).join(" or ")}`,
      );
    }
    return v;
  }

  private isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode: tm, threshold: t } = this;
    if (mode === "min" && tm === "rel") return a < best * (1 - t);
    if (mode === "min") return a < best - t;
    if (tm === "rel") return a > best * (t + 1);
    return a > best + t;
  }

  /**
   * Records this epoch's metric (a number or a one-element tensor's item()) and reduces the rates
   * by `factor` once it has not improved for more than `patience` epochs.
   *
   * PyTorch: `torch.optim.lr_scheduler.ReduceLROnPlateau.step`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * const sched = new wg.optim.lrScheduler.ReduceLROnPlateau(opt, { patience: 0, factor: 0.5 });
   * sched.step(1.0);
   * sched.step(1.0); // no improvement: the rate halves
   * opt.lr; // 0.05
   * ```
   */
  step(metric: number, epoch?: number): void {
    const op = "ReduceLROnPlateau.step";
    if (typeof metric !== "number") {
      throw new WasmgradError(
        `${op}: metric must be a number (e.g. loss.item()), got ${describe(metric)}`,
      );
    }
    this.lastEpoch =
      epoch === undefined
        ? this.lastEpoch + 1
        : hyper(op, "epoch", epoch, Number.isFinite, "a number");
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else this.numBadEpochs++;
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.optimizer.paramGroups.forEach((g, i) => {
        const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
        if (g.lr - newLr > this.eps) g.lr = newLr;
      });
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /**
   * The learning rate after the last step, per parameter group.
   *
   * PyTorch: `torch.optim.lr_scheduler.ReduceLROnPlateau.get_last_lr`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * new wg.optim.lrScheduler.ReduceLROnPlateau(opt).getLastLr(); // [0.1]
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The settings and the plateau tracking, as plain data.
   *
   * PyTorch: `torch.optim.lr_scheduler.ReduceLROnPlateau.state_dict`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * new wg.optim.lrScheduler.ReduceLROnPlateau(opt).stateDict().patience; // 10
   * ```
   */
  stateDict(): ReduceLROnPlateauStateDict {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, eps, best } = this;
    const { numBadEpochs, cooldownCounter, lastEpoch } = this;
    return {
      mode,
      factor,
      patience,
      threshold,
      thresholdMode,
      cooldown,
      minLrs: [...this.minLrs],
      eps,
      best,
      numBadEpochs,
      cooldownCounter,
      lastEpoch,
      lastLr: [...this.lastLr],
    };
  }

  /**
   * Restores a state saved by `stateDict`.
   *
   * PyTorch: `torch.optim.lr_scheduler.ReduceLROnPlateau.load_state_dict`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * const a = new wg.optim.lrScheduler.ReduceLROnPlateau(opt, { mode: "max" });
   * const b = new wg.optim.lrScheduler.ReduceLROnPlateau(opt);
   * b.loadStateDict(a.stateDict());
   * b.mode; // "max"
   * ```
   */
  loadStateDict(sd: ReduceLROnPlateauStateDict): void {
    const op = "ReduceLROnPlateau.loadStateDict";
    if (sd === null || typeof sd !== "object")
      throw new WasmgradError(`${op}: expected an object, got ${describe(sd)}`);
    this.choice("mode", sd.mode, ["min", "max"]);
    this.choice("thresholdMode", sd.thresholdMode, ["rel", "abs"]);
    for (const k of [
      "factor",
      "patience",
      "threshold",
      "cooldown",
      "eps",
      "best",
      "numBadEpochs",
      "cooldownCounter",
      "lastEpoch",
    ] as const) {
      hyper(op, k, sd[k], (v) => !Number.isNaN(v), "a number");
    }
    const n = this.optimizer.paramGroups.length;
    for (const k of ["minLrs", "lastLr"] as const) {
      if (!Array.isArray(sd[k]) || sd[k].length !== n) {
        throw new WasmgradError(`${op}: ${k} must hold ${n} numbers, got ${describe(sd[k])}`);
      }
    }
    Object.assign(this, { ...sd, minLrs: [...sd.minLrs], lastLr: [...sd.lastLr] });
  }
}

/** Options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** The schedulers to run one after another (all on the same optimizer). */
  schedulers?: LRScheduler[];
  /** The epochs at which the next scheduler takes over (one fewer than schedulers). */
  milestones?: number[];
  /** The epoch to resume from; default -1 (start). */
  lastEpoch?: number;
}

/**
 * Runs `schedulers` one after the other, switching at each milestone, as
 * torch.optim.lr_scheduler.SequentialLR (e.g. LinearLR warm-up, then CosineAnnealingLR).
 *
 * @example
 * ```ts
 * const optimizer = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * new wg.optim.lrScheduler.SequentialLR(optimizer, { schedulers: [new wg.optim.lrScheduler.LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 }), new wg.optim.lrScheduler.ExponentialLR(optimizer, { gamma: 0.9 })], milestones: [5] });
 * ```
 */
export class SequentialLR extends LRScheduler {
  /** The schedulers run one after another. */
  readonly schedulers: LRScheduler[];
  /** The epochs at which the next scheduler takes over. */
  milestones: number[];

  constructor(
    optimizer: Optimizer,
    schedulers?: LRScheduler[] | SequentialLROptions,
    milestones?: number[] | SequentialLROptions,
    lastEpoch?: number | SequentialLROptions,
    options?: SequentialLROptions,
  ) {
    const op = "SequentialLR";
    const names = ["schedulers", "milestones", "lastEpoch"];
    const o = hyperArgs(op, [schedulers, milestones, lastEpoch, options], names, names);
    const list = o.schedulers;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => s instanceof LRScheduler)) {
      throw new WasmgradError(
        `${op}: schedulers must be a non-empty array of LR schedulers, got ${describe(list)}`,
      );
    }
    list.forEach((s: LRScheduler, i) => {
      if (s.optimizer !== optimizer) {
        throw new WasmgradError(
          `${op}: scheduler ${i} belongs to another optimizer; every scheduler must drive the one given`,
        );
      }
    });
    const ms = o.milestones;
    if (!Array.isArray(ms) || ms.length !== list.length - 1) {
      throw new WasmgradError(
        `${op}: expected ${list.length - 1} milestones (one fewer than the ${list.length} schedulers), got ${describe(ms)}`,
      );
    }
    for (const [i, m] of ms.entries())
      hyper(op, `milestones[${i}]`, m, intAtLeast(0), "an integer >= 0");
    super(op, optimizer, o.lastEpoch ?? -1);
    this.schedulers = [...list];
    this.milestones = [...ms];
    this.lastEpoch += 1;
    for (const g of optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const s of this.schedulers) s.lastEpoch -= 1;
    this.schedulers[0]._initialStep();
    this.lastLr = this.schedulers[0].getLastLr();
  }

  protected recursiveLr(): number[] {
    throw new WasmgradError(`${this.opName}: internal: the rates come from the inner schedulers`);
  }

  override step(): void {
    this.lastEpoch++;
    const idx = this.milestones.filter((m) => m <= this.lastEpoch).length; // bisect_right
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s.step(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  protected settings(): Record<string, unknown> {
    return { milestones: [...this.milestones] };
  }

  override stateDict(): LRSchedulerStateDict {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(sd: LRSchedulerStateDict): void {
    const inner = sd?.schedulers;
    if (!Array.isArray(inner) || inner.length !== this.schedulers.length) {
      throw new WasmgradError(
        `${this.opName}.loadStateDict: expected the state of ${this.schedulers.length} schedulers, got ${describe(inner)}`,
      );
    }
    super.loadStateDict(sd);
    for (const [i, s] of this.schedulers.entries())
      s.loadStateDict(inner[i] as LRSchedulerStateDict);
  }
}
