#!/usr/bin/env node
/**
 * A long fuzz run over the built package: `npm run fuzz -- --calls 100000 --seed 7`.
 *
 * The calls run in a worker thread; this thread is the watchdog. Before each call the worker
 * records its index and a short description in shared memory, so a call that takes longer than
 * `--timeout` seconds (a hang) is reported by index and description, the worker is stopped and
 * a new one continues with the next call. A worker that dies (out of memory, a crash) is
 * reported and replaced the same way. Progress (every 1000 calls) and each failure are printed
 * as they happen; at the end the counts by outcome, WasmgradErrors by op, the wall time and the
 * memory before and after. Exits 1 if there was any failure: anything but a result or a
 * WasmgradError, a leak, a corrupted canary or matmul, a hang or a crash.
 *
 * Each call draws from its own generator, so one call replays alone:
 *   npm run fuzz -- --seed 7 --from 41234 --calls 1 --verbose
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const LABEL_BYTES = 4096;

if (isMainThread) {
  const { values } = parseArgs({
    options: {
      calls: { type: "string", default: "100000" },
      seed: { type: "string" },
      from: { type: "string", default: "0" },
      timeout: { type: "string", default: "30" },
      verbose: { type: "boolean", default: false },
    },
  });
  const calls = Number(values.calls);
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  const timeoutMs = Number(values.timeout) * 1000;
  const end = Number(values.from) + calls;
  const shared = new SharedArrayBuffer(8 + LABEL_BYTES);
  const slot = new Int32Array(shared, 0, 2); // [call index, label length]
  const labelBytes = new Uint8Array(shared, 8);
  const label = () => new TextDecoder().decode(labelBytes.slice(0, Atomics.load(slot, 1)));
  const counts = {};
  const errorsByOp = {};
  const failures = [];
  const memory = [];
  const t0 = performance.now();
  const add = (into, from) => {
    for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
  };
  const report = (f) => {
    failures.push(f);
    console.log(`FAIL #${f.call} ${f.outcome}: ${f.entry}${f.detail ? ` -- ${f.detail}` : ""}`);
  };

  console.log(`fuzz: seed ${seed}, calls ${values.from}..${end - 1}, watchdog ${values.timeout} s`);
  let from = Number(values.from);
  while (from < end) {
    Atomics.store(slot, 0, from);
    Atomics.store(slot, 1, 0);
    const worker = new Worker(new URL(import.meta.url), {
      workerData: { seed, from, calls: end - from, shared, verbose: values.verbose },
      resourceLimits: { maxOldGenerationSizeMb: 3072 },
    });
    const next = await new Promise((resolve) => {
      let last = -1;
      let since = performance.now();
      let settled = false;
      const settle = (v) => {
        if (settled) return;
        settled = true;
        clearInterval(timer);
        resolve(v);
      };
      const timer = setInterval(() => {
        const now = Atomics.load(slot, 0);
        if (now !== last) {
          last = now;
          since = performance.now();
        } else if (performance.now() - since > timeoutMs) {
          add(counts, { hang: 1 });
          report({
            call: now,
            outcome: "hang",
            entry: label(),
            detail: `no progress for ${values.timeout} s`,
          });
          settle(now + 1);
          worker.terminate();
        }
      }, 250);
      worker.on("message", (m) => {
        if (m.type === "log") console.log(m.text);
        else if (m.type === "failure") report(m.failure);
        else if (m.type === "done") {
          add(counts, m.counts);
          add(errorsByOp, m.errorsByOp);
          memory.push(m.memory);
          settle(end);
        }
      });
      worker.on("error", (err) => {
        const now = Atomics.load(slot, 0);
        add(counts, { crash: 1 });
        report({
          call: now,
          outcome: "crash",
          entry: label(),
          detail: String(err?.message ?? err).slice(0, 200),
        });
        settle(now + 1);
      });
      worker.on("exit", (code) => {
        if (settled) return;
        const now = Atomics.load(slot, 0);
        add(counts, { crash: 1 });
        report({
          call: now,
          outcome: "crash",
          entry: label(),
          detail: `worker exited with code ${code}`,
        });
        settle(now + 1);
      });
    });
    // A worker stopped part-way has not sent its counts: those calls are reported as lost.
    from = next;
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`\nseed ${seed}, ${calls} calls in ${seconds.toFixed(1)} s`);
  console.log("outcomes:", JSON.stringify(counts));
  const ops = Object.entries(errorsByOp).sort((a, b) => b[1] - a[1]);
  console.log(
    `WasmgradErrors by op (${ops.length} ops):`,
    ops.map(([k, n]) => `${k} ${n}`).join(", "),
  );
  for (const m of memory) {
    console.log(
      `memory: start ${m.start.liveTensors} tensors / ${m.start.liveBytes} B, end ${m.end.liveTensors} tensors / ${m.end.liveBytes} B, largest drift ${m.peakDrift} B`,
    );
  }
  console.log(failures.length === 0 ? "no failures" : `${failures.length} failures`);
  process.exit(failures.length > 0 ? 1 : 0);
} else {
  const { seed, from, calls, shared, verbose } = workerData;
  const slot = new Int32Array(shared, 0, 2);
  const labelBytes = new Uint8Array(shared, 8);
  const encoder = new TextEncoder();
  const wg = await import("../dist/index.js");
  const { runFuzz } = await import("../test/fuzz/core.mjs");
  const { privateMembers } = await import("../test/fuzz/private.mjs");
  const result = runFuzz(wg, {
    calls,
    seed,
    from,
    hidden: privateMembers(fileURLToPath(new URL("../src", import.meta.url))),
    log: (text) => parentPort.postMessage({ type: "log", text }),
    onCall: (i, label) => {
      const { written } = encoder.encodeInto(label, labelBytes);
      Atomics.store(slot, 1, written);
      Atomics.store(slot, 0, i);
      if (verbose) parentPort.postMessage({ type: "log", text: `#${i} ${label}` });
    },
    onFailure: (failure) => parentPort.postMessage({ type: "failure", failure }),
  });
  parentPort.postMessage({
    type: "done",
    counts: result.counts,
    errorsByOp: result.errorsByOp,
    memory: result.memory,
  });
}
