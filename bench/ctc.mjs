// CTC loss, forward and forward + backward, at a speech-like size and a small one: wasmgrad's
// log-space alpha/beta kernel (assembly/kernels/ctc.ts) next to PyTorch's CPU ctc_loss on one
// thread, run in a child process when /usr/bin/python3 has torch (else skipped). Each size runs
// ROUNDS rounds of >= MIN_MS; the table shows the median and the minimum per call.
//
//   node bench/ctc.mjs            # after npm run build
//   node bench/ctc.mjs --quick
import { spawnSync } from "node:child_process";
import * as wg from "wasmgrad";
import { createTimer, loadAverage, randomArray } from "./common.mjs";

const quick = process.argv.includes("--quick");
const MIN_MS = quick ? 30 : 150;
const ROUNDS = quick ? 3 : 9;
const SIZES = [
  { T: 200, N: 8, C: 32, L: 40 },
  { T: 50, N: 4, C: 10, L: 10 },
];

await wg.ready();
wg.setNumThreads?.(1);
console.log(`load ${loadAverage()}`);

function problem({ T, N, C, L }) {
  const x = wg.tensor(randomArray(T * N * C, 7), { shape: [T, N, C], requiresGrad: true });
  const targets = Array.from({ length: N }, (_, b) =>
    Array.from({ length: L }, (_, j) => 1 + ((b * 7 + j * 3) % (C - 1))),
  );
  const inputLengths = Array.from({ length: N }, (_, b) => T - (b % 3));
  const targetLengths = Array.from({ length: N }, (_, b) => L - (b % 4));
  return { x, targets, inputLengths, targetLengths };
}

const timer = createTimer({ minMs: MIN_MS, rounds: ROUNDS, warmMs: MIN_MS });
const rows = [];
for (const size of SIZES) {
  const p = problem(size);
  const lp = wg.noGrad(() => wg.logSoftmax(p.x, 2)).requiresGrad_(true);
  const forward = () =>
    wg.F.ctcLoss(lp, p.targets, p.inputLengths, p.targetLengths, { reduction: "sum" });
  const times = await timer.race([
    {
      key: "forward",
      run(reps) {
        for (let i = 0; i < reps; i++) wg.noGrad(() => forward().dispose());
      },
    },
    {
      key: "forward+backward",
      run(reps) {
        for (let i = 0; i < reps; i++) {
          const loss = forward();
          loss.backward();
          loss.dispose();
          lp.grad?.dispose();
          lp.grad = null;
        }
      },
    },
  ]);
  const stat = (k) => {
    const s = [...times[k].samples].sort((a, b) => a - b);
    return { median: s[Math.floor(s.length / 2)] * 1e3, min: s[0] * 1e3 };
  };
  rows.push({ size, wasmgrad: { f: stat("forward"), fb: stat("forward+backward") } });
  for (const t of [p.x, lp]) t.dispose();
}

const torchScript = `
import json, sys, time, torch
torch.set_num_threads(1)
out = []
for s in json.loads(sys.argv[1]):
    T, N, C, L = s["T"], s["N"], s["C"], s["L"]
    lp = torch.randn(T, N, C).log_softmax(2).requires_grad_(True)
    tg = torch.tensor([[1 + (b * 7 + j * 3) % (C - 1) for j in range(L)] for b in range(N)])
    il = torch.tensor([T - b % 3 for b in range(N)]); tl = torch.tensor([L - b % 4 for b in range(N)])
    def run(bwd):
        l = torch.nn.functional.ctc_loss(lp, tg, il, tl, reduction="sum")
        if bwd: l.backward(); lp.grad = None
    res = {}
    for key, bwd in (("f", False), ("fb", True)):
        reps = 1
        while True:
            t0 = time.perf_counter(); [run(bwd) for _ in range(reps)]
            if time.perf_counter() - t0 > ${MIN_MS / 1000}: break
            reps *= 2
        samples = []
        for _ in range(${ROUNDS}):
            t0 = time.perf_counter(); [run(bwd) for _ in range(reps)]
            samples.append((time.perf_counter() - t0) / reps * 1e3)
        samples.sort()
        res[key] = {"median": samples[len(samples) // 2], "min": samples[0]}
    out.append(res)
print(json.dumps(out))
`;
const py = spawnSync("/usr/bin/python3", ["-c", torchScript, JSON.stringify(SIZES)], {
  encoding: "utf8",
});
const torch = py.status === 0 ? JSON.parse(py.stdout) : null;
if (torch === null) console.log("PyTorch not available: its columns are skipped");

const f = (v) => (v === undefined ? "-" : v.toFixed(3));
console.log("size (T N C L)   | op   | wasmgrad median / min ms | torch 1 thread median / min ms");
rows.forEach((r, i) => {
  for (const [op, key] of [
    ["fwd", "f"],
    ["f+b", "fb"],
  ]) {
    const w = r.wasmgrad[key];
    const t = torch?.[i]?.[key];
    const { T, N, C, L } = r.size;
    console.log(
      `${`${T} ${N} ${C} ${L}`.padEnd(16)} | ${op}  | ${f(w.median)} / ${f(w.min)}`.padEnd(52) +
        ` | ${f(t?.median)} / ${f(t?.min)}`,
    );
  }
});
console.log(`load ${loadAverage()}`);
