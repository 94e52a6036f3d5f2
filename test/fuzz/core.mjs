/**
 * The boundary fuzzer (issue 11): seeded random calls over wasmgrad's public surface with hostile
 * arguments (wrong types, NaN, ±Infinity, -0, negative, fractional and huge sizes, empty and
 * zero-size tensors, disposed tensors, mismatched shapes, snake_case options, async functions).
 * The only acceptable outcomes are a result or a WasmgradError. After every error the library
 * must still compute a known matmul, `memory()` must show no growth, and canary tensors made
 * before the run must keep their values.
 *
 * Plain JavaScript, so that the test suite (on src/) and `npm run fuzz` (on dist/) share it:
 *   runFuzz(wg, { calls, seed, log }) -> { counts, failures, surface }
 */

/** mulberry32: small, fast, and the same stream for the same seed everywhere. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIZES = [0, 1, 2, 3, 5, 7];
const BAD_NUMBERS = [
  -1,
  -0,
  0.5,
  2.5,
  Number.NaN,
  Infinity,
  -Infinity,
  2 ** 31,
  2 ** 32,
  1e308,
  -(2 ** 31) - 1,
];
const BAD_OTHER = [
  null,
  undefined,
  "1",
  "false",
  "x",
  true,
  false,
  1n,
  2n ** 70n,
  Symbol("s"),
  {},
  [],
  [1, "a"],
  [[1, 2], [3]],
  { batch_first: true },
  { stride: 2 },
  { reduction: "avg" },
  { bias: "no" },
  new Float32Array(4),
  new Int32Array(3),
  () => 1,
  async () => 1,
  new Map(),
];

/** Every function, class and method reachable from the package root, with a label. */
export function surface(wg) {
  const out = [];
  const walk = (obj, prefix, depth) => {
    for (const key of Object.keys(obj)) {
      const v = obj[key];
      const name = `${prefix}${key}`;
      if (key === "raw" || key === "default") continue; // raw kernel pointers: no checks by design
      if (typeof v === "function") out.push({ name, fn: v, isClass: /^[A-Z]/.test(key) });
      else if (v !== null && typeof v === "object" && depth < 2 && !ArrayBuffer.isView(v)) {
        walk(v, `${name}.`, depth + 1);
      }
    }
  };
  walk(wg, "", 0);
  const proto = wg.Tensor.prototype;
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === "constructor" || key.startsWith("_")) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    if (typeof d?.value === "function") out.push({ name: `Tensor#${key}`, method: key });
  }
  return out.filter((e) => !SKIP.has(e.name));
}

/** Entry points the fuzzer leaves alone, each for a reason that is not a defect. */
const SKIP = new Set([
  "ready", // async by contract
  "Tensor", // the internal constructor (`new Tensor(shape, storage)`), documented as such
  "WasmgradError", // the error class itself
  "setNumThreads", // changes the worker pool under the run: covered by the threads tests
]);

export function runFuzz(wg, { calls = 1000, seed = 1, log = () => {} } = {}) {
  const rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const entries = surface(wg);
  const counts = { result: 0, WasmgradError: 0 };
  const failures = [];

  const shape = () => Array.from({ length: Math.floor(rand() * 4) }, () => pick(SIZES));
  const fresh = () => {
    const s = shape();
    const r = rand();
    if (r < 0.6) return wg.randn(s);
    if (r < 0.7) return wg.randn(s).requiresGrad_();
    if (r < 0.8) {
      const t = wg.rand(s);
      t.dispose();
      return t;
    }
    if (r < 0.9 && typeof wg.randint === "function") return wg.randint(0, 3, s);
    return wg.zeros(s).gt(0.5 - rand());
  };
  const value = (depth = 0) => {
    const r = rand();
    if (r < 0.4) return fresh();
    if (r < 0.6) return pick(SIZES);
    if (r < 0.72) return pick(BAD_NUMBERS);
    if (r < 0.85) return pick(BAD_OTHER);
    if (r < 0.93 && depth === 0) return Array.from({ length: pick([0, 1, 2, 3]) }, () => value(1));
    if (r < 0.97) return pick(["mean", "sum", "none", "tanh", "relu", "same", "valid", "float32"]);
    return {
      [pick(["stride", "padding", "dim", "lr", "batchSize", "reduction", "keepdim"])]: value(1),
    };
  };
  const argList = () => Array.from({ length: Math.floor(rand() * 5) }, () => value());

  const canaries = [wg.tensor([1, -2, 3.5, 0]), wg.full([3, 3], 7)];
  const canaryValues = canaries.map((t) => [...t.data()]);
  const healthy = () => {
    const p = wg.tidy(() =>
      wg
        .matmul(
          wg.tensor([
            [1, 2],
            [3, 4],
          ]),
          wg.tensor([
            [5, 6],
            [7, 8],
          ]),
        )
        .toArray(),
    );
    if (JSON.stringify(p) !== "[[19,22],[43,50]]") return `matmul gave ${JSON.stringify(p)}`;
    for (let i = 0; i < canaries.length; i++) {
      const now = [...canaries[i].data()];
      if (now.some((v, j) => !Object.is(v, canaryValues[i][j]))) return `canary ${i} changed`;
    }
    return null;
  };
  const dispose = (r) => {
    // Modules and optimizers own kept tensors that tidy does not sweep.
    if (r !== null && typeof r === "object" && typeof r.dispose === "function") {
      try {
        r.dispose();
      } catch {
        // a half-built object: nothing more to free
      }
    }
  };

  for (let i = 0; i < calls; i++) {
    const e = pick(entries);
    const before = wg.memory();
    let outcome = "result";
    let detail = "";
    try {
      wg.tidy(() => {
        const args = argList();
        let r;
        if (e.method !== undefined) {
          const self = fresh();
          r = self[e.method](...args);
        } else if (e.isClass) r = new e.fn(...args);
        else r = e.fn(...args);
        if (r !== null && typeof r === "object" && typeof r.then === "function") {
          r.then(undefined, () => {});
          throw new Error(`${e.name} returned a promise`);
        }
        dispose(r);
        return undefined;
      });
    } catch (err) {
      if (err instanceof wg.WasmgradError) outcome = "WasmgradError";
      else {
        outcome = `${err?.constructor?.name ?? typeof err}`;
        detail = String(err?.message ?? err).slice(0, 160);
      }
    }
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (outcome !== "result" && outcome !== "WasmgradError") {
      failures.push({ call: i, entry: e.name, outcome, detail });
    }
    if (outcome !== "result") {
      const after = wg.memory();
      if (after.liveBytes !== before.liveBytes || after.liveTensors !== before.liveTensors) {
        counts.leak = (counts.leak ?? 0) + 1;
        failures.push({
          call: i,
          entry: e.name,
          outcome: "leak",
          detail: `${after.liveTensors - before.liveTensors} tensors, ${after.liveBytes - before.liveBytes} bytes after a ${outcome}`,
        });
      }
      const sick = healthy();
      if (sick !== null) {
        failures.push({ call: i, entry: e.name, outcome: "corruption", detail: sick });
        counts.corruption = (counts.corruption ?? 0) + 1;
        break; // nothing after a corrupted allocator means anything
      }
    }
    if ((i + 1) % 10000 === 0) log(`${i + 1} calls: ${JSON.stringify(counts)}`);
  }
  const sick = healthy();
  if (sick !== null)
    failures.push({ call: calls, entry: "(end)", outcome: "corruption", detail: sick });
  for (const t of canaries) t.dispose();
  return { counts, failures, surface: entries.length };
}
