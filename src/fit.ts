/**
 * fit: the standard training loop, so that a model trains in one call. Per epoch the model is
 * put in training mode, then per batch, inside one `tidy` (which frees the batch and every
 * intermediate): zeroGrad, forward, loss, backward, step. Progress goes to a bar redrawn in place
 * when stdout is a terminal, to one plain line per epoch otherwise (and in browsers, through
 * console.log); `verbose: false` silences both. No Node module is imported: the terminal is
 * found through `globalThis.process`, when there is one.
 */
import { WasmgradError } from "./errors.js";
import { tidy } from "./memory.js";
import { Tensor } from "./tensor.js";
import { bool, options as checkKeys, describe, isPlainObject, noExtra, size } from "./validate.js";

/** A batch as a DataLoader yields it: `{ x, y }`, a Tensor, or an array of Tensors. */
export type FitBatch<Y> = { x: Tensor; y: Y } | Tensor | readonly Tensor[];

/**
 * The model: its forward takes the batch's input and returns what the loss receives, one tensor
 * or several (a VAE returns [reconstruction, mu, logVar]).
 */
export interface FitModel<O = Tensor> {
  /** The model's output for a batch of inputs. */
  forward(x: Tensor): O;
  /** Switches training mode (dropout, batch statistics); fit calls `train()` before it starts. */
  train?(mode?: boolean): unknown;
}

/** What {@link fit} steps: anything with `step` and `zeroGrad` (every optim optimizer). */
export interface FitOptimizer {
  /** Updates the parameters from their gradients. */
  step(): void;
  /** Clears the parameters' gradients before the next backward. */
  zeroGrad(): void;
}

/** What {@link FitOptions.onStep} receives after each step. */
export interface StepInfo {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  /** This step's loss. */
  loss: number;
}

/** What {@link FitOptions.onEpoch} receives after each epoch. */
export interface EpochInfo {
  /** 0-based epoch. */
  epoch: number;
  /** The mean of the epoch's step losses. */
  loss: number;
  /** Wall-clock time of the epoch. */
  seconds: number;
}

/** Options of {@link fit}. */
export interface FitOptions<Y, O = Tensor> {
  /** The optimizer stepped after each batch's backward (required). */
  optimizer: FitOptimizer;
  /**
   * (output, y) => a one-element loss tensor. `output` is whatever model.forward returned (for
   * a model with several outputs, all of them). y is the batch's `y`; for an array batch its
   * second tensor; for a Tensor batch (or a one-tensor array) the input itself (autoencoders).
   */
  loss: (output: O, y: Y) => Tensor;
  /** Passes over the loader (default 1). */
  epochs?: number;
  /** Called after each step with the epoch, step and loss. */
  onStep?: (info: StepInfo) => void;
  /** Called after each epoch with the epoch, its mean loss and its duration. */
  onEpoch?: (info: EpochInfo) => void;
  /** Progress output (default true). */
  verbose?: boolean;
}

/** What {@link fit} returns. */
export interface History {
  /** Mean loss per epoch. */
  loss: number[];
}

const OPTIONS = ["optimizer", "loss", "epochs", "onStep", "onEpoch", "verbose"];

function checkOptions<Y, O>(options: FitOptions<Y, O>): void {
  if (!isPlainObject(options)) {
    throw new WasmgradError(
      `fit: options { optimizer, loss } are required but got ${describe(options)}`,
    );
  }
  checkKeys("fit", options, OPTIONS);
  const opt = options.optimizer as Partial<FitOptimizer> | undefined;
  if (typeof opt?.step !== "function" || typeof opt.zeroGrad !== "function") {
    throw new WasmgradError(
      "fit: optimizer must have step() and zeroGrad() (e.g. new optim.SGD(model.parameters(), { lr: 0.1 }))",
    );
  }
  if (typeof options.loss !== "function") {
    throw new WasmgradError(
      `fit: loss must be a function (output, y) => Tensor (e.g. F.crossEntropy) but got ${typeof options.loss}`,
    );
  }
  size("fit", "epochs", options.epochs ?? 1);
  bool("fit", "verbose", options.verbose ?? true);
  for (const name of ["onStep", "onEpoch"] as const) {
    const f = options[name];
    if (f !== undefined && typeof f !== "function") {
      throw new WasmgradError(`fit: ${name} must be a function but got ${typeof f}`);
    }
  }
}

function split<Y>(batch: FitBatch<Y>): [Tensor, Y] {
  if (batch instanceof Tensor) return [batch, batch as Y];
  if (Array.isArray(batch) && batch[0] instanceof Tensor) {
    return [batch[0], (batch.length > 1 ? batch[1] : batch[0]) as Y];
  }
  if (typeof batch === "object" && batch !== null && "x" in batch && batch.x instanceof Tensor) {
    return [batch.x, batch.y];
  }
  throw new WasmgradError(
    `fit: a batch must be { x: Tensor, y }, a Tensor or an array of Tensors but got ${batch === null ? "null" : typeof batch}`,
  );
}

/**
 * Trains `model` on the batches of `loader` for `epochs` passes and returns the mean loss of
 * each epoch. `loader` is a DataLoader or any iterable of batches that can be iterated again
 * for every epoch (its `length`, when it has one, gives the progress bar its total and ETA).
 *
 * PyTorch: no counterpart (the training loop a PyTorch user writes by hand, as Keras's
 * `Model.fit`).
 *
 * @example
 * ```ts
 * wg.fit(model, loader, { optimizer, loss: wg.F.crossEntropy, epochs: 2 });
 * ```
 *
 * PyTorch: no counterpart (the training loop a PyTorch user writes by hand, as Keras's
 * `Model.fit`).
 */
export function fit<Y = Tensor, O = Tensor>(
  model: FitModel<O>,
  loader: Iterable<FitBatch<Y>>,
  options: FitOptions<Y, O>,
  ...extra: []
): History {
  noExtra("fit", [model, loader, options, ...extra], 3);
  if (typeof model?.forward !== "function") {
    throw new WasmgradError("fit: model must have a forward(x) method (an nn.Module)");
  }
  if (typeof (loader as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== "function") {
    throw new WasmgradError("fit: loader must be iterable (a data.DataLoader)");
  }
  checkOptions(options);
  const { optimizer, loss, epochs = 1, onStep, onEpoch, verbose = true } = options;
  const total = (loader as { length?: unknown }).length;
  const progress = new Progress(verbose, epochs, typeof total === "number" ? total : null);
  const history: History = { loss: [] };
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      model.train?.(true);
      const t0 = performance.now();
      const batches = loader[Symbol.iterator]();
      progress.startEpoch(epoch, t0);
      let sum = 0;
      let step = 0;
      for (;;) {
        const value = tidy(() => {
          // The batch is pulled inside the scope, so its tensors are freed with the step's.
          const next = batches.next();
          if (next.done) return null;
          const [x, y] = split(next.value);
          optimizer.zeroGrad();
          const l = loss(model.forward(x), y);
          if (!(l instanceof Tensor) || l.numel() !== 1) {
            throw new WasmgradError(
              `fit: loss must return a one-element Tensor but returned ${l instanceof Tensor ? `shape [${l.shape.join(",")}]` : typeof l}`,
            );
          }
          l.backward();
          optimizer.step();
          return l.item();
        });
        if (value === null) break;
        sum += value;
        onStep?.({ epoch, step, loss: value });
        step++;
        progress.step(step, sum / step);
      }
      if (step === 0) {
        throw new WasmgradError(
          `fit: the loader yielded no batches in epoch ${epoch + 1}, so there is no loss to report (an empty dataset, or dropLast with fewer samples than batchSize?)`,
        );
      }
      const info = { epoch, loss: sum / step, seconds: (performance.now() - t0) / 1000 };
      history.loss.push(info.loss);
      progress.endEpoch(info, step);
      onEpoch?.(info);
    }
  } finally {
    progress.close();
  }
  return history;
}

// ---------------------------------------------------------------------------- progress output

interface Terminal {
  write(text: string): unknown;
}

/** stdout when it is a terminal (Node, Deno, Bun), else null. */
function terminal(): Terminal | null {
  const stdout = (globalThis as { process?: { stdout?: { isTTY?: boolean; write?: unknown } } })
    .process?.stdout;
  if (stdout?.isTTY !== true || typeof stdout.write !== "function") return null;
  return stdout as Terminal;
}

const REDRAW_MS = 100;
const BAR = 20;

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.floor(seconds - m * 60)).padStart(2, "0")}s`;
}

/** The epoch's bar on a terminal (at most every 100 ms), and one summary line per epoch. */
class Progress {
  private readonly tty: Terminal | null;
  private epoch = 0;
  private t0 = 0;
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly verbose: boolean,
    private readonly epochs: number,
    private readonly total: number | null,
  ) {
    this.tty = verbose ? terminal() : null;
  }

  startEpoch(epoch: number, t0: number): void {
    this.epoch = epoch;
    this.t0 = t0;
    this.lastDraw = t0;
  }

  step(done: number, meanLoss: number): void {
    if (this.tty === null) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && done !== this.total) return;
    this.lastDraw = now;
    const seconds = (now - this.t0) / 1000;
    const rate = done / seconds;
    let line = `epoch ${this.epoch + 1}/${this.epochs}`;
    if (this.total !== null && this.total > 0) {
      const full = Math.min(BAR, Math.round((done / this.total) * BAR));
      line += ` [${"#".repeat(full)}${".".repeat(BAR - full)}] ${done}/${this.total}`;
    } else line += ` ${done} steps`;
    line += ` loss ${meanLoss.toFixed(4)} ${rate.toFixed(1)} steps/s`;
    if (this.total !== null) line += ` ETA ${duration((this.total - done) / rate)}`;
    this.tty.write(`\r\x1b[K${line}`);
    this.drawn = true;
  }

  endEpoch(info: EpochInfo, steps: number): void {
    if (!this.verbose) return;
    const line =
      `epoch ${info.epoch + 1}/${this.epochs}  loss ${info.loss.toFixed(4)}  ${steps} steps  ` +
      `${duration(info.seconds)}  ${(steps / info.seconds).toFixed(1)} steps/s`;
    if (this.tty !== null) {
      this.tty.write(`\r\x1b[K${line}\n`);
      this.drawn = false;
    } else console.log(line);
  }

  /** Ends a bar left open by an error, so the error starts on its own line. */
  close(): void {
    if (this.drawn) this.tty?.write("\n");
    this.drawn = false;
  }
}
