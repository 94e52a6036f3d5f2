/**
 * The code every worker runs, as a string: Node starts it with `new Worker(src, { eval: true })`
 * and browsers from a Blob URL, so there is no file to locate and no bundler configuration.
 * It needs no library code: the compiled module (without data segments), the shared memory and
 * its scratch region arrive in the first message.
 *
 * The control block (Int32 slots at `ctrl`, see pool.ts) announces tasks. A task is one kernel
 * from `names` with arguments (Float64 at ctrl + ARGS_BYTE) and a number of blocks; every
 * thread, the main one included, claims blocks until none is left. A claim is a compare-and-swap
 * on one word holding the task's tag (its generation mod 2048) and the next block, so a worker
 * that wakes late can never claim a block of another task; it reads the arguments only after a
 * successful claim, while the task cannot have finished. Idle workers spin briefly, then sleep
 * in Atomics.wait; a notify on Gen without a new task (pool.wake) starts a new spin.
 *
 * A task of steps (a recurrent layer's time steps, StepBlocks blocks each) is one task too:
 * blocks are claimed in order, and a thread that claims a block of step s first waits until
 * every block of the steps before s has finished (the Finished count says so, since blocks are
 * claimed in order). Whoever finishes the last block of a step wakes the threads that sleep on it.
 */
/** Spins of a step wait before sleeping in Atomics.wait (where it may). */
export const STEP_SPINS = 4000;

/** Int32 slots of the control block. */
export const Slot = {
  Gen: 0,
  Claim: 1,
  Blocks: 2,
  Finished: 3,
  Kernel: 4,
  Argc: 5,
  Sleepers: 6,
  Stop: 7,
  /** Blocks per step of a task whose block i needs every block before floor(i / step) * step. */
  StepBlocks: 8,
  /** Workers that have joined: each adds 1 once it can take blocks. */
  Joined: 9,
} as const;
export const CTRL_INTS = 16;
export const ARGS_BYTE = CTRL_INTS * 4;
export const MAX_ARGS = 24;
export const CTRL_BYTES = ARGS_BYTE + MAX_ARGS * 8;
/** Bits of a claim word holding the block index; the rest hold the task's tag. */
export const BLOCK_BITS = 20;
export const TAG_MASK = 0x7ff;

const body = `
let fns, i32, f64;
function work(gen) {
  const tag = gen & ${TAG_MASK};
  // The kernel and arguments, read after the first claim, serve the later blocks while Gen
  // still says this task (a tag recurs every 2048 tasks; a descheduled worker may see that).
  let fn, args, argc = 0;
  for (;;) {
    const v = Atomics.load(i32, ${Slot.Claim});
    if (v >>> ${BLOCK_BITS} !== tag) return;
    const block = v & ${(1 << BLOCK_BITS) - 1};
    const blocks = Atomics.load(i32, ${Slot.Blocks});
    if (block >= blocks) return;
    if (Atomics.compareExchange(i32, ${Slot.Claim}, v, v + 1) !== v) continue;
    const step = Atomics.load(i32, ${Slot.StepBlocks});
    if (step > 0) waitFor(block - (block % step));
    if (args === undefined || Atomics.load(i32, ${Slot.Gen}) !== gen) {
      fn = fns[Atomics.load(i32, ${Slot.Kernel})];
      argc = Atomics.load(i32, ${Slot.Argc});
      args = new Array(argc + 1);
      for (let i = 0; i < argc; i++) args[i] = f64[i];
    }
    args[argc] = block;
    fn.apply(null, args);
    const done = Atomics.add(i32, ${Slot.Finished}, 1) + 1;
    if (done === blocks || (step > 0 && done % step === 0)) Atomics.notify(i32, ${Slot.Finished});
  }
}
function waitFor(count) {
  let spins = 0;
  for (;;) {
    const done = Atomics.load(i32, ${Slot.Finished});
    if (done >= count) return;
    if (++spins > ${STEP_SPINS}) Atomics.wait(i32, ${Slot.Finished}, done, 1);
  }
}
// "name@ptrs:count:unit": a kernel run over ranges of its count argument; its last two
// arguments are the range length and the block, and the pointer arguments advance 4 bytes per
// float, the product of the unit arguments (none: 1) floats per counted item. A pointer written
// "i=j*k" advances by its own product of arguments j and k ("i=": one float per item).
function units(text) {
  return text ? text.split(/[,*]/).map(Number) : [];
}
function product(a, unit) {
  let per = 1;
  for (const i of unit) per *= a[i];
  return per;
}
function task(ex, spec) {
  const at = spec.indexOf("@");
  if (at < 0) return ex[spec];
  const fn = ex[spec.slice(0, at)];
  const parts = spec.slice(at + 1).split(":");
  const unit = units(parts[2]);
  const ptrs = parts[0].split(",").map((p) => {
    const eq = p.indexOf("=");
    return eq < 0 ? [Number(p), unit] : [Number(p.slice(0, eq)), units(p.slice(eq + 1))];
  });
  const count = Number(parts[1]);
  return function () {
    const a = Array.prototype.slice.call(arguments);
    const block = a.pop();
    const chunk = a.pop();
    const start = block * chunk;
    const steps = ptrs.map(([, u]) => start * product(a, u) * 4);
    a[count] = Math.min(chunk, a[count] - start);
    ptrs.forEach(([i], k) => {
      if (a[i] !== 0) a[i] += steps[k];
    });
    fn.apply(null, a);
  };
}
async function start(msg) {
  const instance = await WebAssembly.instantiate(msg.module, { env: { memory: msg.memory } });
  const ex = instance.exports;
  ex.sgemm_set_tile(msg.tileRows);
  ex.gemm_set_scratch(msg.scratch);
  ex.set_thread_index(msg.index);
  fns = msg.names.map((n) => task(ex, n));
  i32 = new Int32Array(msg.memory.buffer, msg.ctrl, ${CTRL_INTS});
  f64 = new Float64Array(msg.memory.buffer, msg.ctrl + ${ARGS_BYTE}, ${MAX_ARGS});
  // A pool stopped before this worker started (the message that terminates it may wait for the
  // main thread's event loop): leave without joining.
  if (Atomics.load(i32, ${Slot.Stop}) !== 0) {
    post({ stopped: true });
    return;
  }
  // Joined, for a main thread that is not yielding to its event loop (the message waits for it).
  Atomics.add(i32, ${Slot.Joined}, 1);
  post({ ready: true });
  const spinMs = msg.spinMicros / 1000;
  let seen = Atomics.load(i32, ${Slot.Gen});
  for (;;) {
    let gen = Atomics.load(i32, ${Slot.Gen});
    if (gen === seen) {
      let t0 = performance.now();
      let spins = 0;
      while ((gen = Atomics.load(i32, ${Slot.Gen})) === seen) {
        if ((++spins & 127) === 0 && performance.now() - t0 > spinMs) {
          Atomics.add(i32, ${Slot.Sleepers}, 1);
          Atomics.wait(i32, ${Slot.Gen}, seen);
          Atomics.sub(i32, ${Slot.Sleepers}, 1);
          // Woken by a task, or ahead of one (pool.wake): spin for it again before sleeping.
          t0 = performance.now();
        }
      }
    }
    seen = gen;
    if (Atomics.load(i32, ${Slot.Stop}) !== 0) break;
    work(gen);
  }
  post({ stopped: true });
}
function onMessage(msg) {
  start(msg).catch((e) => post({ error: String(e && e.stack || e) }));
}
`;

/** The worker's source for Node's worker_threads (eval) or a browser module worker. */
export function workerSource(node: boolean): string {
  if (node) {
    // An eval'd worker inherits the parent's execArgv: under `node --input-type=module` (or
    // a default type of module) its source is an ES module, where require is not defined.
    return `const { parentPort } = (process.getBuiltinModule ?? require)("node:worker_threads");
const post = (m) => parentPort.postMessage(m);
${body}
parentPort.once("message", onMessage);
`;
  }
  return `const post = (m) => self.postMessage(m);
${body}
self.onmessage = (e) => { self.onmessage = null; onMessage(e.data); };
`;
}
