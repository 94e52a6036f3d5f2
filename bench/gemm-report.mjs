// The report of bench/gemm.mjs: markdown tables of the GEMM runs of one or both builds against
// the SIMD ceiling and the peers (tfjs-wasm, jax-js), on bench/common.mjs's formatting.
import { fmt, fmtX, markdown } from "./common.mjs";
import { probeVariants } from "./gemm-probe.mjs";

const fmtPct = (r) => (r === undefined || Number.isNaN(r) ? "–" : `${(100 * r).toFixed(0)}%`);
export const buildName = { simd: "SIMD", relaxed: "relaxed" };

/** The ceiling a build's GEMM is compared with: baseline probe for SIMD, madd probe for relaxed. */
function ceilingOf(r) {
  return r.build === "relaxed" ? r.ceilings.relaxed?.gflops : r.ceilings.baseline?.gflops;
}

const g = (r, id, lib) => r?.cells?.[id]?.[lib]?.gflops;

/**
 * The markdown tables of one or both builds' runs. `setup` is the suite: the problem groups, the
 * square sizes, the size at which peers also run transposed layouts, and the timing settings.
 */
export function tables(runs, setup) {
  const { squareGroups, trainingGroups, sizes: SIZES, transposedAt: TFJS_TRANSPOSED_AT } = setup;
  const { passes: PASSES, rounds: ROUNDS, minMs: MIN_MS } = setup;
  const allProblems = [...squareGroups.flat(), ...trainingGroups.flat()];
  const byId = new Map(allProblems.map((p) => [p.id, p]));
  const present = ["simd", "relaxed"].filter((b) => runs[b]);
  const out = [];

  // 1. wasmgrad kernel, squares, every layout, against the ceiling.
  {
    const header = ["shape", "layout"];
    for (const b of present) header.push(`wasmgrad ${buildName[b]}`, `of ${buildName[b]} peak`);
    if (present.length === 2) header.push("relaxed / SIMD");
    const rows = squareGroups.flat().map((p) => {
      const row = [p.label, p.layout.toUpperCase()];
      for (const b of present) {
        const v = g(runs[b], p.id, "wasmgrad");
        row.push(fmt(v), fmtPct(v / ceilingOf(runs[b])));
      }
      if (present.length === 2) {
        row.push(fmtX(g(runs.relaxed, p.id, "wasmgrad") / g(runs.simd, p.id, "wasmgrad")));
      }
      return row;
    });
    out.push(
      "### wasmgrad sgemm_f32 (pointer level, no copies), GFLOP/s, one thread\n\n" +
        markdown(header, rows, 2),
    );
  }

  // 2 and 3. Against the peers.
  const peerTable = (title, ids) => {
    const header = ["shape", "layout"];
    for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
    for (const b of present) header.push(`wg.matmul ${buildName[b]}`);
    header.push(present.length === 2 ? "tfjs-wasm (SIMD run / relaxed run)" : "tfjs-wasm");
    const withJax = present.some((b) => runs[b].jax?.available);
    if (withJax) for (const b of present) header.push(`jax-js (${buildName[b]} run)`);
    for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
    if (withJax) for (const b of present) header.push(`vs jax-js ${buildName[b]}`);
    const rows = ids.map((id) => {
      const p = byId.get(id);
      const row = [p.label, p.layout.toUpperCase()];
      for (const b of present) row.push(fmt(g(runs[b], id, "wasmgrad")));
      for (const b of present) row.push(fmt(g(runs[b], id, "api")));
      row.push(present.map((b) => fmt(g(runs[b], id, "tfjs"))).join(" / "));
      if (withJax) for (const b of present) row.push(fmt(g(runs[b], id, "jax")));
      for (const b of present) {
        row.push(fmtX(g(runs[b], id, "wasmgrad") / g(runs[b], id, "tfjs")));
      }
      if (withJax) {
        for (const b of present) row.push(fmtX(g(runs[b], id, "wasmgrad") / g(runs[b], id, "jax")));
      }
      return row;
    });
    return `### ${title}\n\n${markdown(header, rows, 2)}`;
  };
  out.push(
    peerTable("Squares against the peers, GFLOP/s", [
      ...SIZES.map((s) => `sq-${s}-nn`),
      ...["nt", "tn", "tt"].map((l) => `sq-${TFJS_TRANSPOSED_AT}-${l}`),
    ]),
  );
  out.push(
    peerTable(
      "Training shapes, GFLOP/s",
      trainingGroups.flat().map((p) => p.id),
    ),
  );

  // 4. MLP step.
  {
    const header = ["case", "unit"];
    for (const b of present) header.push(`wasmgrad ${buildName[b]}`);
    header.push(present.length === 2 ? "tfjs-wasm (SIMD run / relaxed run)" : "tfjs-wasm");
    const withJax = present.some((b) => runs[b].mlp?.jax);
    if (withJax) for (const b of present) header.push(`jax-js (${buildName[b]} run)`);
    for (const b of present) header.push(`vs tfjs ${buildName[b]}`);
    if (withJax) for (const b of present) header.push(`vs jax-js ${buildName[b]}`);
    const ms = (b, lib) => runs[b].mlp?.[lib]?.ms;
    const row = ["MLP 784-128-10 SGD step, batch 64", "ms/step"];
    for (const b of present) row.push(fmt(ms(b, "wasmgrad")));
    row.push(present.map((b) => fmt(ms(b, "tfjs"))).join(" / "));
    if (withJax) for (const b of present) row.push(fmt(ms(b, "jax")));
    for (const b of present) row.push(fmtX(ms(b, "tfjs") / ms(b, "wasmgrad")));
    if (withJax) for (const b of present) row.push(fmtX(ms(b, "jax") / ms(b, "wasmgrad")));
    out.push(`### Training step\n\n${markdown(header, [row], 2)}`);
  }

  // 5. The ceiling.
  {
    const header = ["probe (no memory traffic)", "kind"];
    for (const b of present) header.push(`${buildName[b]} run`);
    const kindOf = {
      chain: "acc = acc·m + c (f32x4.mul, f32x4.add)",
      split: "separate f32x4.mul and f32x4.add chains",
      madd: "acc = relaxed_madd(acc, m, c)",
    };
    const rows = probeVariants.map((v) => [
      `${v.id} (${v.chains} chains)`,
      kindOf[v.kind],
      ...present.map((b) => fmt(runs[b].probe[v.id])),
    ]);
    const lines = [];
    for (const b of present) {
      const r = runs[b];
      const c = ceilingOf(r);
      let top = null;
      for (const p of squareGroups.flat()) {
        const v = g(r, p.id, "wasmgrad");
        if (v !== undefined && (top === null || v > top.v)) top = { p, v };
      }
      const which = r.build === "relaxed" ? r.ceilings.relaxed : r.ceilings.baseline;
      lines.push(
        `- wasmgrad ${buildName[b]}: best square ${fmt(top.v)} GFLOP/s (${top.p.label} ${top.p.layout.toUpperCase()}) = ` +
          `${fmtPct(top.v / c)} of the ${b === "relaxed" ? "relaxed_madd" : "mul+add"} ceiling ${fmt(c)} GFLOP/s (${which?.variant})` +
          (b === "relaxed" && r.ceilings.baseline
            ? `; ${fmtPct(top.v / r.ceilings.baseline.gflops)} of the mul+add ceiling measured in the same run`
            : ""),
      );
    }
    out.push(
      `### SIMD ceiling of this machine, GFLOP/s\n\n${markdown(header, rows, 2)}\n\n${lines.join("\n")}`,
    );
  }

  const notes = present.map((b) => {
    const r = runs[b];
    return `${buildName[b]} run: ${r.date}, git ${r.git}, node ${[r.node, ...r.execArgv].join(" ")}, load average ${r.loadavgStart[0]} → ${r.loadavgEnd[0]} (1 min) on ${r.cores} cores`;
  });
  out.push(
    `Figures: best of ${PASSES * ROUNDS} rounds of >= ${MIN_MS} ms (${PASSES} passes over the suite), contenders of a shape interleaved. ` +
      '"vs" = wasmgrad\'s pointer-level kernel over the peer measured in the same process (>1: wasmgrad faster); ' +
      "for the training step, the peer's ms over wasmgrad's.\n\n" +
      notes.map((n) => `- ${n}`).join("\n"),
  );
  return out.join("\n\n");
}
