// Markdown tables for bench/conv.mjs from one or both builds' runs (runs.simd, runs.relaxed).
import { fmt, fmtX, markdown } from "./common.mjs";

const buildName = { simd: "SIMD", relaxed: "relaxed" };

const g = (r, id, d, lib) => r?.cells?.[id]?.[d]?.[lib]?.gflops;

/** One direction's table: wasmgrad (API and kernel only) per build, tfjs-wasm, ratios. */
function directionTable(runs, present, shapes, d, peer) {
  const header = ["shape (N×H×W×C → OC)", "MFLOP"];
  for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
  for (const b of present) header.push(`kernel only ${buildName[b]}`);
  header.push(present.length === 2 ? `${peer.name} (SIMD run / relaxed run)` : peer.name);
  if (peer.issue) header.push("tfjs-wasm (issue)");
  if (peer.ratio) for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
  const rows = shapes.map((s) => {
    const row = [s.label, fmt(s.flops / 1e6)];
    for (const b of present) row.push(fmt(g(runs[b], s.id, d, "api")));
    for (const b of present) row.push(fmt(g(runs[b], s.id, d, "kernel")));
    row.push(
      peer.ratio ? present.map((b) => fmt(g(runs[b], s.id, d, "tfjs"))).join(" / ") : "none",
    );
    if (peer.issue) row.push(fmt(s.issue));
    if (peer.ratio) {
      for (const b of present) {
        row.push(fmtX(g(runs[b], s.id, d, "api") / g(runs[b], s.id, d, "tfjs")));
      }
    }
    return row;
  });
  return markdown(header, rows);
}

/** The issue's targets, checked against each build's figures. */
function targets(runs, present, shapes, mnist) {
  const lines = [];
  for (const b of present) {
    const r = runs[b];
    const fwd = shapes.map((s) => ({ s, x: g(r, s.id, "fwd", "api") / g(r, s.id, "fwd", "tfjs") }));
    const missed = fwd.filter((f) => !(f.x >= 1.3));
    const lastTwo = shapes.slice(-2);
    const grads = lastTwo.flatMap((s) =>
      ["dx", "dw"].map((d) => ({ s, d, v: g(r, s.id, d, "api") })),
    );
    const low = grads.filter((x) => !(x.v >= 25));
    const step = r.mnist?.[mnist[0].id]?.wasmgrad?.ms;
    lines.push(
      `- ${buildName[b]} build: forward ≥ 1.3× tfjs-wasm on ${fwd.length - missed.length} of ${fwd.length} shapes` +
        (missed.length > 0
          ? ` (short: ${missed.map((f) => `${f.s.label} at ${fmtX(f.x)}`).join(", ")})`
          : "") +
        `; input and filter gradients ≥ 25 GFLOP/s on the last two shapes: ${grads.length - low.length} of ${grads.length}` +
        (low.length > 0
          ? ` (short: ${low.map((x) => `${x.d} ${x.s.label} at ${fmt(x.v)}`).join(", ")})`
          : "") +
        `; MNIST CNN step < 5 ms: ${step === undefined ? "–" : step < 5 ? `yes (${fmt(step)} ms)` : `no (${fmt(step)} ms)`}`,
    );
  }
  return lines.join("\n");
}

function mnistTable(runs, present, mnist) {
  const header = ["training step, batch 32", "unit"];
  for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
  header.push("tfjs-wasm");
  header.push(
    present.length === 2 ? "tfjs-cpu, pure JS (SIMD run / relaxed run)" : "tfjs-cpu, pure JS",
  );
  for (const b of present) header.push(`vs pure JS ${buildName[b]}`);
  const rows = mnist.map((m) => {
    const ms = (b, lib) => runs[b].mnist?.[m.id]?.[lib]?.ms;
    const row = [m.label, "ms/step"];
    for (const b of present) row.push(fmt(ms(b, "wasmgrad")));
    const failed = present.some((b) => runs[b].mnist?.[m.id]?.check?.tfjsWasmError);
    row.push(failed ? "cannot train it" : present.map((b) => fmt(ms(b, "tfjs"))).join(" / "));
    row.push(present.map((b) => fmt(ms(b, "tfjsCpu"))).join(" / "));
    for (const b of present) row.push(fmtX(ms(b, "tfjsCpu") / ms(b, "wasmgrad")));
    return row;
  });
  const errors = new Set(
    present.flatMap((b) => mnist.map((m) => runs[b].mnist?.[m.id]?.check?.tfjsWasmError)),
  );
  errors.delete(null);
  errors.delete(undefined);
  const note = [...errors].map((e) => `\n\ntfjs-wasm's tf.variableGrads on this model: "${e}"`);
  return markdown(header, rows) + note.join("");
}

/** All tables of the runs given ({ simd?, relaxed? }). */
export function tables(runs, { shapes, mnist, timing }) {
  const present = ["simd", "relaxed"].filter((b) => runs[b]);
  const tfjs = { name: "tfjs-wasm", ratio: true, issue: true };
  const out = [
    `### Forward: wg.F.conv2d vs tf.conv2d, GFLOP/s\n\n${directionTable(runs, present, shapes, "fwd", tfjs)}`,
    `### Input gradient: conv2d_bwd_input_f32 vs tf.conv2dTranspose (Conv2DBackpropInput), GFLOP/s\n\n${directionTable(runs, present, shapes, "dx", { ...tfjs, name: "tfjs-wasm", issue: false })}`,
    `### Filter gradient: conv2d_bwd_weight_f32 (tfjs-wasm has no Conv2DBackpropFilter), GFLOP/s\n\n${directionTable(runs, present, shapes, "dw", { name: "tfjs-wasm", ratio: false })}`,
    `### MNIST CNN training step\n\n${mnistTable(runs, present, mnist)}`,
    `### Against the issue's targets\n\n${targets(runs, present, shapes, mnist)}`,
  ];
  const notes = present.map((b) => {
    const r = runs[b];
    const processes = r.processes ?? [r];
    const loads = processes
      .map((p) => `${p.loadavgStart[0]} → ${p.loadavgEnd?.[0] ?? "?"}`)
      .join(" and ");
    return (
      `${buildName[b]} run: ${processes.map((p) => p.date).join(" and ")}` +
      (processes.length > 1 ? ` (${processes.length} processes merged)` : "") +
      `, git ${[...new Set(processes.map((p) => p.git ?? r.git))].join(" and ")} (dist/ digest ${r.dist}), node ${[r.node, ...r.execArgv].join(" ")}, load average ${loads} (1 min) on ${r.cores} cores`
    );
  });
  // Per build: a --merge run counts the rounds of every process it merged.
  const count = (perProcess) =>
    [...new Set(present.map((b) => perProcess * (runs[b].processes?.length ?? 1)))].join(" / ");
  const processes = count(1);
  out.push(
    `Figures: best of ${count(timing.passes * timing.rounds)} rounds of >= ${timing.minMs} ms (${timing.passes} passes in each of ${processes} process(es)), contenders of a problem interleaved; ` +
      `the pure-JS peer: best of ${count(timing.checkSteps - 1 + timing.passes)} single steps on the 8/16 model and ${count(timing.checkSteps - 1)} on the 16/32 one, each after a first step of the same model (not run on 24/48: about 11 s a step). ` +
      'GFLOP/s = 2·N·OH·OW·OC·C·9 / time in every direction; 3×3 kernel, stride 1, "same" padding. ' +
      '"wasmgrad" is the public API (F.conv2d + dispose; a gradient: backward of a retained graph in which only that operand requires grad, the gradient then freed); ' +
      '"kernel only" counts just the time inside the WASM kernel during the same calls. "vs" = wasmgrad API over tfjs measured in the same processes, interleaved (>1: wasmgrad faster); ' +
      "for the training step, the peer's ms over wasmgrad's.\n\n" +
      notes.map((n) => `- ${n}`).join("\n"),
  );
  return out.join("\n\n");
}
