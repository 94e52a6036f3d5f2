/**
 * A pool of workers that run kernel blocks over the main instance's shared memory.
 *
 * Only the main thread allocates: the control block and each worker's scratch come from the
 * main heap, once, when the pool starts. Workers join in the background; until one has, every
 * task runs on the calling thread, and afterwards the calling thread still takes blocks itself
 * (work stealing over fixed blocks), so a slow or descheduled worker never stalls an op. The
 * protocol is described in worker-source.ts.
 */
import type { Backend } from "./wasm.js";
import {
  ARGS_BYTE,
  BLOCK_BITS,
  CTRL_BYTES,
  CTRL_INTS,
  MAX_ARGS,
  Slot,
  STEP_SPINS,
  TAG_MASK,
} from "./worker-source.js";

/** The little of a Worker the pool uses, so that tests can hand in failing ones. */
export interface WorkerHandle {
  post(message: unknown): void;
  terminate(): void;
  /** Calls back with every message, and with an error message if the worker fails or exits. */
  listen(onMessage: (message: WorkerReply) => void, onFailure: (why: string) => void): void;
}

export interface WorkerReply {
  ready?: boolean;
  stopped?: boolean;
  error?: string;
}

export type SpawnWorker = () => WorkerHandle;

export interface PoolOptions {
  backend: Backend;
  tileRows: number;
  /** Exports of the module that tasks may name, by index. */
  names: readonly string[];
  spawn: SpawnWorker;
  /** A worker that has not joined after this long is given up (a strict CSP, say). */
  startTimeoutMs?: number;
  /** How long an idle worker spins before it sleeps. */
  spinMicros?: number;
}

type BlockFn = (...args: number[]) => void;

export class ThreadPool {
  /**
   * Workers that have joined and take blocks: counted by the workers themselves in the control
   * block, so that a main thread that never yields to its event loop (a synchronous training
   * loop) still sees them join; or by their messages (a spawner that does not share memory, as
   * in the tests).
   */
  get joined(): number {
    return Math.max(this.announced, Atomics.load(this.i32, Slot.Joined));
  }
  private announced = 0;
  /** Why workers failed to join, one line each. */
  readonly failures: string[] = [];
  /** Resolves once every worker has joined or failed. */
  readonly settled: Promise<void>;
  private readonly workers: WorkerHandle[] = [];
  private readonly ctrl: number;
  private readonly scratch: number[] = [];
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly canWait: boolean;
  private gen = 0;
  private stopped = false;

  constructor(
    readonly size: number,
    private readonly options: PoolOptions,
  ) {
    const { backend } = options;
    const K = backend.kernels;
    this.ctrl = K.alloc(CTRL_BYTES);
    const buffer = backend.memory.buffer;
    this.i32 = new Int32Array(buffer, this.ctrl, CTRL_INTS);
    this.f64 = new Float64Array(buffer, this.ctrl + ARGS_BYTE, MAX_ARGS);
    this.i32.fill(0);
    this.canWait = mainThreadCanWait();
    const starts: Promise<void>[] = [];
    for (let i = 0; i < size; i++) {
      const scratch = K.alloc(K.gemm_scratch_bytes());
      this.scratch.push(scratch);
      starts.push(this.startWorker(scratch, i + 1));
    }
    this.settled = Promise.all(starts).then(() => undefined);
  }

  /**
   * Spawns worker `index` and posts it everything it needs, synchronously (the worker starts
   * without this thread's event loop); resolves once it has answered.
   */
  private async startWorker(scratch: number, index: number): Promise<void> {
    const { backend, spawn, names, tileRows } = this.options;
    let worker: WorkerHandle | undefined;
    try {
      const module = backend.workerModule();
      worker = spawn();
      const w = worker;
      await new Promise<void>((resolve, reject) => {
        const timeout = this.options.startTimeoutMs ?? 20_000;
        const timer = setTimeout(
          () => reject(new Error(`no answer within ${timeout} ms`)),
          timeout,
        );
        (timer as { unref?(): void }).unref?.();
        w.listen(
          (reply) => {
            if (reply.ready) {
              clearTimeout(timer);
              resolve();
            } else if (reply.error !== undefined) {
              clearTimeout(timer);
              reject(new Error(reply.error));
            }
          },
          (why) => {
            clearTimeout(timer);
            reject(new Error(why));
          },
        );
        w.post({
          module,
          memory: backend.memory,
          ctrl: this.ctrl,
          scratch,
          index,
          tileRows,
          names,
          spinMicros: this.options.spinMicros ?? 50,
        });
      });
      if (this.stopped) {
        w.terminate();
        return;
      }
      this.workers.push(w);
      this.announced++;
    } catch (cause) {
      worker?.terminate();
      this.failures.push(firstLine(cause));
    }
  }

  /**
   * Runs blocks 0..blocks-1 of kernel `kernel` (an index into names) with `args`, calling
   * `mainBlock` for the blocks this thread takes. Returns when every block has finished.
   * With `stepBlocks` > 0, block i starts only once every block before
   * floor(i / stepBlocks) * stepBlocks has finished (the steps of a recurrent layer).
   */
  run(
    kernel: number,
    args: readonly number[],
    blocks: number,
    mainBlock: BlockFn,
    stepBlocks = 0,
  ): void {
    const { i32, f64 } = this;
    if (args.length > MAX_ARGS) throw new Error("internal: too many kernel arguments");
    const gen = (this.gen + 1) | 0;
    this.gen = gen;
    const tag = gen & TAG_MASK;
    // The claim word moves to this task first. A worker still in the previous task's loop (it
    // found no block left there, but was descheduled between reading the claim word and the
    // block count) could otherwise read this task's larger count, win its compare-and-swap on
    // the old claim word, run a block that does not exist under the old arguments, and count it
    // in this task's Finished, which then ends a block early (a wrong result, seen once in CI
    // under load). With the word already moved, that swap fails and the worker sees a new tag.
    Atomics.store(i32, Slot.Claim, tag << BLOCK_BITS);
    for (let i = 0; i < args.length; i++) f64[i] = args[i];
    i32[Slot.Kernel] = kernel;
    i32[Slot.Argc] = args.length;
    Atomics.store(i32, Slot.StepBlocks, stepBlocks);
    Atomics.store(i32, Slot.Blocks, blocks);
    Atomics.store(i32, Slot.Finished, 0);
    Atomics.store(i32, Slot.Gen, gen);
    if (Atomics.load(i32, Slot.Sleepers) > 0) Atomics.notify(i32, Slot.Gen);
    const call = [...args, 0];
    const last = args.length;
    // The longest block this thread ran, in ms: the other threads' last blocks end within about
    // that long after this thread's, so it spins that long before it sleeps (see tailSpinMs).
    let longest = 0;
    for (;;) {
      const v = Atomics.load(i32, Slot.Claim);
      const block = v & ((1 << BLOCK_BITS) - 1);
      if (block >= blocks) break;
      if (Atomics.compareExchange(i32, Slot.Claim, v, v + 1) !== v) continue;
      if (stepBlocks > 0) this.waitFor(block - (block % stepBlocks));
      call[last] = block;
      const t0 = performance.now();
      mainBlock(...call);
      longest = Math.max(longest, performance.now() - t0);
      const done = Atomics.add(i32, Slot.Finished, 1) + 1;
      if (stepBlocks > 0 && done % stepBlocks === 0) Atomics.notify(i32, Slot.Finished);
    }
    if (Atomics.load(i32, Slot.Finished) >= blocks) return;
    const until = performance.now() + tailSpinMs(longest);
    let spins = 0;
    for (;;) {
      const done = Atomics.load(i32, Slot.Finished);
      if (done >= blocks) return;
      if (this.canWait && (++spins & 63) === 0 && performance.now() > until) {
        Atomics.wait(i32, Slot.Finished, done, 1);
      }
    }
  }

  /**
   * Wakes sleeping workers ahead of a task this thread is about to post, so that their wake-up
   * overlaps the task's preparation; they spin for it as long as after a task.
   */
  wake(): void {
    if (Atomics.load(this.i32, Slot.Sleepers) > 0) Atomics.notify(this.i32, Slot.Gen);
  }

  /** Waits until `count` blocks have finished (spinning, then sleeping where it may). */
  private waitFor(count: number): void {
    const i32 = this.i32;
    let spins = 0;
    for (;;) {
      const done = Atomics.load(i32, Slot.Finished);
      if (done >= count) return;
      if (this.canWait && ++spins > STEP_SPINS) Atomics.wait(i32, Slot.Finished, done, 1);
    }
  }

  /** Tells the workers to exit; their memory is freed once they have. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const i32 = this.i32;
    Atomics.store(i32, Slot.Stop, 1);
    Atomics.store(i32, Slot.Gen, (this.gen + 1) | 0);
    Atomics.notify(i32, Slot.Gen);
    for (const w of this.workers) w.terminate();
    // Scratch and the control block stay allocated: a worker that has not yet seen Stop may
    // still read them, and a few hundred KB per pool is cheaper than that risk.
  }
}

/**
 * How long the calling thread spins for the other threads' last blocks before it sleeps: as long
 * as its own longest block took, within [TAIL_SPIN_MIN_MS, TAIL_SPIN_MAX_MS]. Waking from
 * Atomics.wait costs 15-20 µs, which a short tail (a worker's last block ending a little after
 * this thread's) would otherwise pay on every task; the cap bounds the spinning while a worker
 * is descheduled on a loaded machine.
 */
function tailSpinMs(longestBlockMs: number): number {
  return Math.min(TAIL_SPIN_MAX_MS, Math.max(TAIL_SPIN_MIN_MS, longestBlockMs));
}
const TAIL_SPIN_MIN_MS = 0.02;
const TAIL_SPIN_MAX_MS = 0.3;

function firstLine(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split("\n")[0];
}

/** Atomics.wait throws on a browser's main thread; anywhere else the pool may sleep in it. */
function mainThreadCanWait(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
