// Helpers shared by the benchmark scripts: deterministic inputs, result comparison, and the
// git state recorded with every result.
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Deterministic inputs in [-1, 1): the same bytes go to every library. */
export function randomArray(n, seed) {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

export function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** The commit measured, flagged when src/ or assembly/ differ from it. */
export function gitState() {
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: root }).toString().trim();
    const dirty =
      execSync("git status --porcelain -- src assembly", { cwd: root }).toString().trim() !== "";
    return dirty ? `${commit} + uncommitted changes in src/ or assembly/` : commit;
  } catch {
    return "unknown";
  }
}

/** Rounded 1, 5 and 15 minute load averages. */
export function loadAverage() {
  return os.loadavg().map((l) => Number(l.toFixed(2)));
}

/**
 * What every result records about the run: date, commit, runtime, flags and machine. Other
 * processes share these cores; a load above ~1 at the start or end means noisy figures.
 */
export function runtimeInfo() {
  return {
    date: new Date().toISOString(),
    git: gitState(),
    node: process.version,
    v8: process.versions.v8,
    execArgv: process.execArgv,
    WASMGRAD_SIMD: process.env.WASMGRAD_SIMD ?? null,
    platform: `${os.platform()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    loadavgStart: loadAverage(),
  };
}

/**
 * The bench scripts' timing discipline: a warm-up, then batches of calls sized to last >= minMs,
 * `rounds` rounds in which the contenders of one problem take turns, and the best round counts.
 * `await race(contenders)`: each contender is `{ key, run(reps) }`; `run` makes `reps` calls and
 * may return the seconds to count for the batch instead of its wall time, or a promise that the
 * batch's time waits for (jax-js). `race(contenders, { rounds })` overrides the number of rounds
 * (for slow contenders). `record` adds a race's rounds to those of earlier passes; `stats(key)`
 * gives the best and median seconds per call over all of them.
 */
export function createTimer({ minMs, rounds, warmMs }) {
  const now = () => performance.now();
  const samples = new Map();
  /** Runs `reps` calls; returns the seconds they took (or the seconds `run` reported). */
  async function batch(c, reps) {
    const t0 = now();
    let inner = c.run(reps);
    if (inner !== null && typeof inner === "object" && typeof inner.then === "function") {
      inner = await inner;
    }
    return typeof inner === "number" ? inner : (now() - t0) / 1e3;
  }
  async function race(contenders, options = {}) {
    const n = options.rounds ?? rounds;
    for (const c of contenders) {
      const t0 = now();
      let calls = 0;
      while (calls < 2 || now() - t0 < warmMs) {
        await batch(c, 1);
        calls++;
      }
      c.reps = Math.max(1, Math.ceil(minMs / ((now() - t0) / calls)));
      // Re-size from one batch at full speed: the warm-up includes tier-up. (A contender whose
      // calls take minMs or more runs one call per round anyway.)
      if (c.reps > 1) {
        const t1 = now();
        await batch(c, c.reps);
        c.reps = Math.max(1, Math.ceil((minMs * c.reps) / (now() - t1)));
      }
      c.samples = [];
    }
    for (let r = 0; r < n; r++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(i + r) % contenders.length];
        c.samples.push((await batch(c, c.reps)) / c.reps);
      }
    }
    const out = {};
    for (const c of contenders) out[c.key] = { samples: c.samples, reps: c.reps };
    return out;
  }
  function record(times) {
    for (const [key, t] of Object.entries(times)) {
      const s = samples.get(key) ?? { samples: [], reps: [] };
      s.samples.push(...t.samples);
      s.reps.push(t.reps);
      samples.set(key, s);
    }
  }
  function stats(key) {
    const s = samples.get(key);
    if (s === undefined) return undefined;
    const sorted = [...s.samples].sort((a, b) => a - b);
    return {
      best: sorted[0],
      median: sorted[Math.floor(sorted.length / 2)],
      rounds: sorted.length,
      reps: s.reps,
    };
  }
  return { race, record, stats, samples };
}

/**
 * Where the time of wasmgrad's public API goes: while installed, every entry of the kernel table
 * (`wg.kernels.raw`, through which the facade calls each kernel) is wrapped with a clock. `take()`
 * returns, per kernel name, the milliseconds spent inside it and its calls since the last take;
 * `label(name, args)` may split a kernel's calls further (by shape, say). Each clocked call adds
 * two performance.now() reads (well under a microsecond) to the total.
 */
export function kernelProfiler(raw, label = (name) => name) {
  const originals = Object.entries(raw).filter(([, f]) => typeof f === "function");
  let spent = new Map();
  const wrapped = originals.map(([name, original]) => [
    name,
    (...args) => {
      const t0 = performance.now();
      const r = original(...args);
      const ms = performance.now() - t0;
      const key = label(name, args);
      const s = spent.get(key) ?? { ms: 0, calls: 0 };
      s.ms += ms;
      s.calls++;
      spent.set(key, s);
      return r;
    },
  ]);
  return {
    install() {
      for (const [name, f] of wrapped) raw[name] = f;
    },
    remove() {
      for (const [name, f] of originals) raw[name] = f;
    },
    take() {
      const out = spent;
      spent = new Map();
      return out;
    },
  };
}

/**
 * A digest of the built package the bench scripts import (dist/**.js): the code actually measured.
 * Other engineers rebuild dist/ in the same tree, and the git state of src/ does not say which
 * build ran.
 */
export function distDigest() {
  const dir = join(root, "dist");
  const hash = createHash("sha256");
  const files = readdirSync(dir, { recursive: true }).filter((f) => f.endsWith(".js"));
  for (const f of files.sort()) hash.update(f).update(readFileSync(join(dir, f)));
  return hash.digest("hex").slice(0, 12);
}

/** Numbers for the markdown tables: 3 significant digits, at most one decimal from 100 up. */
export const fmt = (v) =>
  v === undefined || v === null || Number.isNaN(v)
    ? "–"
    : v >= 100
      ? v.toFixed(0)
      : v >= 10
        ? v.toFixed(1)
        : v >= 1
          ? v.toFixed(2)
          : v.toPrecision(2);
export const fmtX = (r) =>
  r === undefined || r === null || Number.isNaN(r) ? "–" : `${r.toFixed(2)}×`;

/** A markdown table; the first `left` columns left-aligned, the rest right-aligned. */
export function markdown(header, rows, left = 1) {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i < left ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
