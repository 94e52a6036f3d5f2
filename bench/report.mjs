// Turns benny results into the table's numbers, prints markdown, and keeps bench/results/summary.json
// with one entry per wasmgrad build ("simd" = baseline SIMD, "relaxed" = relaxed SIMD), so that a
// normal run and a --experimental-wasm-relaxed-simd run combine into one table.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Seconds per call from the fastest sample (each sample already averages many calls over at
 * least benchmark.js's minTime). On a small machine shared with other work, the median mostly
 * measures how busy the neighbours were while a case ran, and cases run one after another, so
 * it skews the ratio towards whichever library ran in a quieter moment; the fastest sample is
 * the steadiest estimate of what the code itself does. `stat: "median"` is kept in summary.json.
 */
function secondsPerCall(result, stat) {
  return stat === "median" ? result.details.median : result.details.min;
}

/** The figure in the case's unit. */
export function figure(c, result, stat = "min") {
  const s = secondsPerCall(result, stat);
  switch (c.unit) {
    case "GB/s":
    case "GFLOP/s":
      return c.work / s / 1e9;
    case "ms/step":
      return s * 1e3;
    case "µs/op":
      return s * 1e6;
    default:
      throw new Error(`bench: unknown unit ${c.unit} for case ${c.id}`);
  }
}

export const higherIsBetter = (unit) => unit === "GB/s" || unit === "GFLOP/s";

/** wasmgrad speedup over the peer: > 1 means wasmgrad is faster, whatever the unit. */
export function speedup(unit, wasmgrad, peer) {
  return higherIsBetter(unit) ? wasmgrad / peer : peer / wasmgrad;
}

const fmt = (v) =>
  v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2);
const fmtX = (r) => `${r.toFixed(2)}×`;

function markdown(header, rows) {
  const lines = [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
  ];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

const variantName = { simd: "SIMD", relaxed: "relaxed SIMD" };

/** The table of one run: wasmgrad, the peer measured in the same process, and the ratio. */
export function runTable(run) {
  return markdown(
    ["case", "unit", `wasmgrad (${variantName[run.variant]})`, "tfjs-wasm", "speedup"],
    run.rows.map((r) => [
      r.label,
      r.unit,
      `${fmt(r.wasmgrad)} ±${r.wasmgradRme.toFixed(1)}%`,
      `${fmt(r.peer)} ±${r.peerRme.toFixed(1)}%`,
      fmtX(r.speedup),
    ]),
  );
}

/**
 * Both builds side by side. Each speedup divides by the peer measured in the same process as that
 * build, so both peer columns are shown (their gap is a fair gauge of run-to-run noise).
 */
export function combinedTable(simd, relaxed) {
  const byId = new Map(relaxed.rows.map((r) => [r.id, r]));
  return markdown(
    [
      "case",
      "unit",
      "wasmgrad SIMD",
      "wasmgrad relaxed SIMD",
      "tfjs-wasm (SIMD run)",
      "tfjs-wasm (relaxed run)",
      "speedup SIMD",
      "speedup relaxed",
    ],
    simd.rows.map((s) => {
      const r = byId.get(s.id);
      return r === undefined
        ? [s.label, s.unit, fmt(s.wasmgrad), "–", fmt(s.peer), "–", fmtX(s.speedup), "–"]
        : [
            s.label,
            s.unit,
            fmt(s.wasmgrad),
            fmt(r.wasmgrad),
            fmt(s.peer),
            fmt(r.peer),
            fmtX(s.speedup),
            fmtX(r.speedup),
          ];
    }),
  );
}

/** Merges this run into summary.json and returns the other build's run, if one is recorded. */
export function saveSummary(folder, run) {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "summary.json");
  let summary = { runs: {} };
  if (existsSync(file)) {
    try {
      summary = JSON.parse(readFileSync(file, "utf8"));
      summary.runs ??= {};
    } catch {
      summary = { runs: {} };
    }
  }
  summary.runs[run.variant] = run;
  const { simd, relaxed } = summary.runs;
  summary.combinedTable = simd && relaxed ? combinedTable(simd, relaxed) : null;
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  return { file, other: summary.runs[run.variant === "simd" ? "relaxed" : "simd"] ?? null };
}
