// Markdown tables for bench/rnn.mjs from one or both builds' runs (runs.simd, runs.relaxed).
import { fmt, fmtX, markdown } from "./common.mjs";

const buildName = { simd: "SIMD", relaxed: "relaxed" };
const formName = {
  "tfjs-layers": "tfjs, tf.layers form",
  "tfjs-concat": "tfjs, concat form",
  "tfjs-loop-layers": "tfjs loop, tf.layers form",
  "tfjs-loop-concat": "tfjs loop, concat form",
  "tfjs-hoisted": "tfjs, input product hoisted",
};

/** µs per call of `key` in run `r`, or undefined. */
const usOf = (r, key) => r?.cells?.[key]?.us;

/** The fastest tfjs contender among `keys` in run `r`: { key, us }. */
function bestPeer(r, keys) {
  let best = null;
  for (const key of keys) {
    const v = usOf(r, key);
    if (v !== undefined && (best === null || v < best.us)) best = { key, us: v };
  }
  return best;
}

function stepTable(runs, present, kinds, stepFlops) {
  const peerIds = ["tfjs-layers", "tfjs-concat"];
  const header = ["cell", "MFLOP"];
  for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
  const both = present.length === 2 ? " (SIMD run / relaxed run)" : "";
  for (const id of peerIds) header.push(`${formName[id]}${both}`);
  header.push("tfjs (issue)", "target (issue)");
  for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
  const rows = kinds.map((k) => {
    const key = (lib) => `step:${k.kind}:${lib}`;
    const row = [`${k.label}`, fmt(stepFlops(k.kind) / 1e6)];
    for (const b of present) row.push(fmt(usOf(runs[b], key("wasmgrad"))));
    for (const id of peerIds) {
      row.push(
        k.forms.includes(id.slice(5))
          ? present.map((b) => fmt(usOf(runs[b], key(id)))).join(" / ")
          : "–",
      );
    }
    row.push(fmt(k.issue?.peerUs), k.issue ? `≤ ${k.issue.targetUs}` : "–");
    for (const b of present) {
      const peer = bestPeer(
        runs[b],
        peerIds.map((id) => key(id)),
      );
      row.push(fmtX(peer?.us / usOf(runs[b], key("wasmgrad"))));
    }
    return row;
  });
  return markdown(header, rows);
}

function sequenceTable(runs, present, kinds, seqVariants, d, steps) {
  const ids = ["tfjs-loop-layers", "tfjs-loop-concat", "tfjs-hoisted"];
  const header = ["layer"];
  for (const b of present) header.push(`wasmgrad nn.* ${buildName[b]}`);
  for (const b of present) header.push(`wasmgrad cell loop ${buildName[b]}`);
  const both = present.length === 2 ? " (SIMD run / relaxed run)" : "";
  for (const id of ids) header.push(`${formName[id]}${both}`);
  for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
  const rows = kinds.map((k) => {
    const key = (lib) => `seq:${k.kind}:${d}:${lib}`;
    const per = (r, lib) => {
      const v = usOf(r, key(lib));
      return v === undefined ? undefined : v / steps;
    };
    const have = new Set(seqVariants(k).map((v) => `tfjs-${v.id}`));
    const row = [k.label];
    for (const b of present) row.push(fmt(per(runs[b], "wasmgrad")));
    for (const b of present) row.push(fmt(per(runs[b], "wasmgrad-cell")));
    for (const id of ids) {
      row.push(have.has(id) ? present.map((b) => fmt(per(runs[b], id))).join(" / ") : "–");
    }
    for (const b of present) {
      const peer = bestPeer(
        runs[b],
        [...have].map((id) => key(id)),
      );
      row.push(fmtX(peer?.us / usOf(runs[b], key("wasmgrad"))));
    }
    return row;
  });
  return markdown(header, rows);
}

function targets(runs, present, kinds, steps) {
  const lines = [];
  for (const b of present) {
    const r = runs[b];
    const parts = kinds
      .filter((k) => k.issue)
      .map((k) => {
        const v = usOf(r, `step:${k.kind}:wasmgrad`);
        const ok = v <= k.issue.targetUs;
        return `${k.label} step ≤ ${k.issue.targetUs} µs: ${ok ? "yes" : "no"} (${fmt(v)} µs)`;
      });
    const lstmTrain = usOf(r, "seq:lstm:train:wasmgrad");
    parts.push(
      `LSTM forward + backward over ${steps} steps: ${fmt(lstmTrain / steps)} µs per step`,
    );
    lines.push(`- ${buildName[b]} build: ${parts.join("; ")}`);
  }
  return lines.join("\n");
}

/**
 * Each build's step against its parts measured alone at the pointer level: the two products
 * (packing W per call, as the cell does, and prepacked), the fused cell kernel, and the rest.
 */
function stepFloor(runs, present, kinds) {
  const lines = [];
  for (const b of present) {
    const r = runs[b];
    for (const k of kinds) {
      const step = usOf(r, `step:${k.kind}:wasmgrad`);
      const prod = (lib) =>
        usOf(r, `gemm:${k.kind}-input:${lib}`) + usOf(r, `gemm:${k.kind}-recurrent:${lib}`);
      const cell = usOf(r, `cellkernel:${k.kind}`);
      const rest = step - prod("sgemm") - cell;
      lines.push(
        `- ${k.label}, ${buildName[b]}: step ${fmt(step)} µs = products ${fmt(prod("sgemm"))} (${fmt(prod("prepacked"))} with W prepacked) + ${k.kind.replace("rnn_tanh", "rnn")}_cell_f32 ${fmt(cell)} + the rest ${fmt(rest)} (bias fill, facade, tidy)`,
      );
    }
  }
  return lines.join("\n");
}

const CELL_KERNELS = /^(rnn|lstm|gru)_cell/;
const SGEMM = /^sgemm_/;

/** Where wasmgrad's time goes, per profiled contender and build. */
function profileTable(runs, present, kinds, steps) {
  const header = [
    "wasmgrad call",
    "build",
    "µs per call (clocked)",
    "in sgemm",
    "sgemm GFLOP/s",
    "in cell kernels",
    "in other kernels",
    "outside kernels",
    "kernel calls",
  ];
  const rows = [];
  const details = [];
  const what = [
    ["step", "wasmgrad", "one step (cell.forward, noGrad)", 1],
    ["fwd", "wasmgrad", `nn.* forward, ${steps} steps`, steps],
    ["fwd", "wasmgrad-cell", `cell loop forward, ${steps} steps`, steps],
    ["train", "wasmgrad", `nn.* forward + backward, ${steps} steps`, steps],
    ["train", "wasmgrad-cell", `cell loop forward + backward, ${steps} steps`, steps],
  ];
  for (const k of kinds) {
    for (const [d, lib, label] of what) {
      const key = d === "step" ? `step:${k.kind}:${lib}` : `seq:${k.kind}:${d}:${lib}`;
      for (const b of present) {
        const p = runs[b].profile?.[key];
        if (!p) continue;
        let sgemmUs = 0;
        let sgemmFlops = 0;
        let cellUs = 0;
        let otherUs = 0;
        let calls = 0;
        for (const [name, s] of Object.entries(p.kernels)) {
          calls += s.calls;
          if (SGEMM.test(name)) {
            sgemmUs += s.us;
            const m = name.match(/ (\d+)×(\d+)×(\d+)$/);
            if (m) sgemmFlops += 2 * m[1] * m[2] * m[3] * s.calls;
          } else if (CELL_KERNELS.test(name)) cellUs += s.us;
          else otherUs += s.us;
        }
        rows.push([
          `${k.label}: ${label}`,
          buildName[b],
          fmt(p.wallUs),
          fmt(sgemmUs),
          fmt(sgemmFlops / sgemmUs / 1e3),
          fmt(cellUs),
          fmt(otherUs),
          fmt(p.outsideUs),
          fmt(calls),
        ]);
        if (d === "step" || lib === "wasmgrad") {
          const shapes = Object.entries(p.kernels)
            .filter(([name]) => SGEMM.test(name))
            .sort((x, y) => y[1].us - x[1].us)
            .map(
              ([name, s]) =>
                `${name.replace("sgemm_", "")} ×${fmt(s.calls)}: ${fmt(s.us)} µs, ${fmt(s.gflops)} GFLOP/s`,
            );
          details.push(`- ${k.label}, ${label}, ${buildName[b]}: ${shapes.join("; ")}`);
        }
      }
    }
  }
  return `${markdown(header, rows, 2)}\n\nsgemm calls by M×N×K per call (K is the summed dimension):\n\n${details.join("\n")}`;
}

function tfProfileLines(runs, present) {
  const lines = [];
  for (const b of present) {
    for (const [key, p] of Object.entries(runs[b].tfProfile ?? {})) {
      const top = Object.entries(p.kernels)
        .sort((x, y) => y[1].ms - x[1].ms)
        .slice(0, 6)
        .map(([name, s]) => `${name} ×${s.calls} ${fmt(s.ms)} ms`)
        .join(", ");
      lines.push(
        `- ${key} (${buildName[b]} run): ${p.kernelCount} tfjs kernels, ${fmt(p.ms)} ms in all; the most expensive: ${top}`,
      );
    }
  }
  return lines.join("\n");
}

/** The layers' products at the pointer level: GFLOP/s, packing B per call and prepacked. */
function gemmTable(runs, present, gemms) {
  const header = ["product", "M×N×K", "layout"];
  for (const b of present) header.push(`sgemm_f32 ${buildName[b]}`);
  for (const b of present) header.push(`B prepacked ${buildName[b]}`);
  for (const b of present) header.push(`µs per call ${buildName[b]}`);
  const rows = gemms.map((p) => {
    const flops = 2 * p.m * p.n * p.k;
    const gf = (b, lib) => flops / usOf(runs[b], `gemm:${p.id}:${lib}`) / 1e3;
    const row = [p.role, `${p.m}×${p.n}×${p.k}`, `${p.ta ? "T" : "N"}${p.tb ? "T" : "N"}`];
    for (const b of present) row.push(fmt(gf(b, "sgemm")));
    for (const b of present) row.push(p.prepacked ? fmt(gf(b, "prepacked")) : "–");
    for (const b of present) {
      const t = [usOf(runs[b], `gemm:${p.id}:sgemm`)];
      if (p.prepacked) t.push(usOf(runs[b], `gemm:${p.id}:prepacked`));
      row.push(t.map(fmt).join(" / "));
    }
    return row;
  });
  return markdown(header, rows, 3);
}

/** All tables of the runs given ({ simd?, relaxed? }). */
export function tables(runs, { kinds, seqVariants, stepFlops, gemms, steps, timing }) {
  const present = ["simd", "relaxed"].filter((b) => runs[b]);
  const s = runs[present[0]].sizes;
  const size = `batch ${s.batch}, input ${s.inputSize}, hidden ${s.hiddenSize}`;
  const out = [
    `### One time step, forward (${size}), µs\n\n${stepTable(runs, present, kinds, stepFlops)}`,
    `### ${steps}-step sequence, forward, µs per time step\n\n${sequenceTable(runs, present, kinds, seqVariants, "fwd", steps)}`,
    `### ${steps}-step sequence, forward + backward, µs per time step\n\n${sequenceTable(runs, present, kinds, seqVariants, "train", steps)}`,
    `### Against the issue's targets\n\n${targets(runs, present, kinds, steps)}`,
    `### A step against its parts, each timed alone at the pointer level\n\n${stepFloor(runs, present, kinds)}`,
    `### Where wasmgrad's time goes (every kernel clocked), µs per call\n\n${profileTable(runs, present, kinds, steps)}`,
    `### The layers' products at the pointer level, GFLOP/s\n\n${gemmTable(runs, present, gemms)}`,
  ];
  const tfLines = tfProfileLines(runs, present);
  if (tfLines) out.push(`### tfjs's kernels (tf.profile, one call)\n\n${tfLines}`);
  const notes = present.map((b) => {
    const r = runs[b];
    const processes = r.processes ?? [r];
    const loads = processes
      .map((p) => `${p.loadavgStart[0]} → ${p.loadavgEnd?.[0] ?? "?"}`)
      .join(" and ");
    return (
      `${buildName[b]} run: ${processes.map((p) => p.date).join(" and ")}` +
      (processes.length > 1 ? ` (${processes.length} processes merged, best of all)` : "") +
      `, git ${r.git} (dist/ digest ${r.dist}), node ${[r.node, ...r.execArgv].join(" ")}` +
      (r.WASMGRAD_SIMD ? `, WASMGRAD_SIMD=${r.WASMGRAD_SIMD}` : "") +
      `, load average ${loads} (1 min) on ${r.cores} cores`
    );
  });
  out.push(
    `Figures: best of ${timing.passes * timing.rounds} rounds of >= ${timing.minMs} ms (${timing.passes} passes; ${timing.passes * timing.trainRounds} rounds for forward + backward) per process, contenders of a problem interleaved. ` +
      "\"vs tfjs\" = the fastest tfjs form's time over wasmgrad's (nn.* for the sequences) in the same process (>1: wasmgrad faster). " +
      "The profile runs after the timed passes with a clock around every kernel call, which adds a little to each call.\n\n" +
      notes.map((n) => `- ${n}`).join("\n"),
  );
  return out.join("\n\n");
}
