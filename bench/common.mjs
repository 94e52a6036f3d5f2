// Helpers shared by the benchmark scripts: deterministic inputs, result comparison, and the
// git state recorded with every result.
import { execSync } from "node:child_process";
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
