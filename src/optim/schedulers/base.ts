/**
 * The machinery every epoch-based learning-rate scheduler shares, as PyTorch's _LRScheduler
 * (1.13). A scheduler owns no tensors: it rewrites `lr` in each of the optimizer's parameter
 * groups on every `step()`, called once per epoch after `optimizer.step()`. Construction
 * performs PyTorch's initial step (lastEpoch -1 → 0) and records each group's starting rate as
 * its `initialLr`.
 *
 * `step()` uses PyTorch's recursive ("chainable") form, which starts from the groups' current
 * lr; `step(epoch)` sets lastEpoch and uses the closed form where PyTorch has one. The
 * arithmetic is transcribed operation for operation, in double precision like Python's floats.
 */
import { WasmgradError } from "../../errors.js";
import { describe, hyper, intAtLeast } from "../../validate.js";
import { Optimizer } from "../optimizer.js";

/** What `stateDict()` returns: the schedule's position and its settings (plain data). */
export interface LRSchedulerStateDict {
  /** The epoch the current learning rates belong to (PyTorch's `last_epoch`). */
  lastEpoch: number;
  /** Calls of step() so far (PyTorch's `_step_count`). */
  stepCount: number;
  /** Each group's rate at epoch 0 (PyTorch's `base_lrs`). */
  baseLrs: number[];
  /** The rates set by the last step (PyTorch's `_last_lr`). */
  lastLr: number[];
  [setting: string]: unknown;
}

/** The optimizer argument, checked. */
export function checkOptimizer(op: string, optimizer: unknown): Optimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new WasmgradError(
      `${op}: expected an optimizer (e.g. new optim.SGD(model.parameters(), { lr: 0.1 })), got ${describe(optimizer)}`,
    );
  }
  return optimizer;
}

/** One value per parameter group: a list of that length, or one value repeated. */
export function perGroup<T>(op: string, name: string, optimizer: Optimizer, v: T | T[]): T[] {
  const n = optimizer.paramGroups.length;
  if (!Array.isArray(v)) return new Array<T>(n).fill(v);
  if (v.length !== n) {
    throw new WasmgradError(
      `${op}: expected ${n} values for ${name} (one per group), got ${v.length}`,
    );
  }
  return [...v];
}

/** Same kind of value (number, flag, string, list) as `like`, for loadStateDict. */
function sameKind(v: unknown, like: unknown): boolean {
  if (Array.isArray(like)) return Array.isArray(v) && v.length === like.length;
  if (typeof like === "number") return typeof v === "number" && !Number.isNaN(v);
  return typeof v === typeof like;
}

/**
 * The base class of the learning-rate schedulers: `step()` advances the epoch and sets each param
 * group's `lr`; `getLastLr()` reads them; `stateDict()` / `loadStateDict()` save and restore the
 * schedule.
 *
 * PyTorch: `torch.optim.lr_scheduler.LRScheduler`.
 *
 * @example
 * ```ts
 * const optimizer = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
 * new wg.optim.lrScheduler.StepLR(optimizer, { stepSize: 10 }).getLastLr(); // [0.1]
 * ```
 */
export abstract class LRScheduler {
  /** The optimizer whose groups' `lr` this schedule sets. */
  readonly optimizer: Optimizer;
  /** Each group's rate at the schedule's epoch 0 (the groups' `initialLr`). */
  baseLrs: number[];
  /** The epoch the current learning rates belong to; -1 before the initial step. */
  lastEpoch: number;
  /** Calls of step() so far, the initial one included (PyTorch's _step_count). */
  protected stepCount = 0;
  /** The rates set by the last step, per group. */
  protected lastLr: number[] = [];

  protected constructor(
    /** The scheduler's name, for error messages. */
    protected readonly opName: string,
    optimizer: Optimizer,
    lastEpoch: unknown,
  ) {
    // The base class is exported (for subclassing): a direct call from JavaScript passes the
    // optimizer where the subclass's name belongs.
    if (typeof opName !== "string") {
      throw new WasmgradError(
        `LRScheduler: is abstract; construct a scheduler such as optim.lrScheduler.StepLR (got ${describe(opName)} as the name)`,
      );
    }
    checkOptimizer(opName, optimizer);
    hyper(opName, "lastEpoch", lastEpoch, intAtLeast(-1), "an integer >= -1");
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) group.initialLr ??= group.lr;
      else if (group.initialLr === undefined) {
        throw new WasmgradError(
          `${opName}: resuming at lastEpoch ${lastEpoch} needs optimizer.initialLr (paramGroups[${i}].initialLr), the learning rate the schedule started from (a scheduler sets it; it is saved in the optimizer's stateDict)`,
        );
      }
    });
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
    this.lastEpoch = lastEpoch as number;
  }

  /** @internal PyTorch's initial step; subclasses call it once their settings are in place. */
  _initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The groups' current learning rates. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The next rates from the current ones (PyTorch's get_lr, called with lastEpoch advanced). */
  protected abstract recursiveLr(): number[];

  /** The rates at lastEpoch from the base rates (PyTorch's _get_closed_form_lr), if any. */
  protected closedFormLr(): number[] {
    return this.recursiveLr();
  }

  /** The settings that stateDict saves besides the position (e.g. stepSize and gamma). */
  protected abstract settings(): Record<string, unknown>;

  /**
   * Advances the schedule by one epoch and writes the new rates into the optimizer; call it after
   * `optimizer.step()`. With `epoch`, jumps to that epoch and uses the closed form instead
   * (deprecated in PyTorch).
   *
   * PyTorch: `torch.optim.lr_scheduler.LRScheduler.step`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * const sched = new wg.optim.lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
   * opt.step();
   * sched.step();
   * opt.lr; // 0.05
   * ```
   */
  step(epoch?: number): void {
    this.stepCount++;
    if (epoch === undefined) {
      this.lastEpoch++;
      this.apply(this.recursiveLr());
    } else {
      hyper(this.opName, "epoch", epoch, intAtLeast(0), "an integer >= 0");
      this.lastEpoch = epoch;
      this.apply(this.closedFormLr());
    }
  }

  /** Writes `values` into the groups' `lr` and records them as the last rates. */
  protected apply(values: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = values[i];
    });
    this.lastLr = this.currentLrs();
  }

  /**
   * The learning rate set by the last step, per parameter group.
   *
   * PyTorch: `torch.optim.lr_scheduler.LRScheduler.get_last_lr`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * const sched = new wg.optim.lrScheduler.ExponentialLR(opt, { gamma: 0.5 });
   * sched.step();
   * sched.getLastLr(); // [0.05]
   * ```
   */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /**
   * The schedule's position and settings, as plain data (save it with JSON).
   *
   * PyTorch: `torch.optim.lr_scheduler.LRScheduler.state_dict`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * new wg.optim.lrScheduler.StepLR(opt, { stepSize: 3 }).stateDict().lastEpoch; // 0
   * ```
   */
  stateDict(): LRSchedulerStateDict {
    return {
      ...this.settings(),
      lastEpoch: this.lastEpoch,
      stepCount: this.stepCount,
      baseLrs: [...this.baseLrs],
      lastLr: [...this.lastLr],
    };
  }

  /**
   * Restores a state saved by `stateDict` (the optimizer's lr is not touched, as in PyTorch).
   *
   * PyTorch: `torch.optim.lr_scheduler.LRScheduler.load_state_dict`.
   *
   * @example
   * ```ts
   * const opt = new wg.optim.SGD(new wg.nn.Linear(2, 1).parameters(), { lr: 0.1 });
   * const a = new wg.optim.lrScheduler.StepLR(opt, { stepSize: 3 });
   * a.step();
   * const b = new wg.optim.lrScheduler.StepLR(opt, { stepSize: 3 });
   * b.loadStateDict(a.stateDict());
   * b.lastEpoch; // 1
   * ```
   */
  loadStateDict(sd: LRSchedulerStateDict): void {
    const op = `${this.opName}.loadStateDict`;
    const n = this.optimizer.paramGroups.length;
    const isList = (v: unknown) =>
      Array.isArray(v) &&
      v.length === n &&
      v.every((x) => typeof x === "number" && Number.isFinite(x));
    if (sd === null || typeof sd !== "object" || !isList(sd.baseLrs) || !isList(sd.lastLr)) {
      throw new WasmgradError(
        `${op}: expected { lastEpoch, stepCount, baseLrs, lastLr, ... } with ${n} rates per list`,
      );
    }
    hyper(op, "lastEpoch", sd.lastEpoch, intAtLeast(-1), "an integer >= -1");
    hyper(op, "stepCount", sd.stepCount, intAtLeast(0), "an integer >= 0");
    const own = this.settings();
    for (const [k, like] of Object.entries(own)) {
      if (!sameKind(sd[k], like)) {
        throw new WasmgradError(
          `${op}: invalid ${k} ${describe(sd[k])}: expected a ${typeof like === "number" ? "number" : "value"} like ${describe(like)}`,
        );
      }
    }
    this.restore(sd);
    this.lastEpoch = sd.lastEpoch;
    this.stepCount = sd.stepCount;
    this.baseLrs = [...sd.baseLrs];
    this.lastLr = [...sd.lastLr];
  }

  /** Writes the checked settings back; lists are copied. */
  protected restore(sd: LRSchedulerStateDict): void {
    for (const k of Object.keys(this.settings())) {
      const v = sd[k];
      (this as unknown as Record<string, unknown>)[k] = Array.isArray(v) ? [...v] : v;
    }
  }
}
