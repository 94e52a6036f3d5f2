/**
 * The boundary fuzzer (issue 11): seeded random calls over wasmgrad's public surface with hostile
 * arguments (wrong types, NaN, ±Infinity, -0, negative, fractional and huge sizes, empty and
 * zero-size tensors, disposed tensors, mismatched shapes, snake_case options, async functions).
 * The only acceptable outcomes are a result or a WasmgradError. After every error the library
 * must still compute a known matmul, `memory()` must show no growth, and canary tensors made
 * before the run must keep their values.
 *
 * Besides single calls, it exercises the objects it builds (every method and setter of a module,
 * optimizer, scheduler or loader it made, with random arguments) and runs plausible scenarios
 * (recipes.mjs: layers forward/backward/save/load, optimizers incl. LBFGS, schedulers,
 * DataLoader, fit, safetensors round trips, kernels.*, autograd misuse).
 *
 * Every call draws from its own generator (seeded by `seed` and its index) and reseeds wasmgrad,
 * so call i of seed S replays alone: `npm run fuzz -- --seed S --from i --calls 1`.
 *
 * Plain JavaScript, so that the test suite (on src/) and `npm run fuzz` (on dist/) share it:
 *   runFuzz(wg, { calls, seed, from, hidden, log, onCall, onFailure })
 *     -> { counts, errorsByOp, failures, surface, memory }
 * `hidden` (private.mjs) names the TypeScript-private members that are not public API.
 * onCall(i, label) runs before call i (and again as a scenario proceeds), so that a watchdog can
 * name the call that hangs; onFailure(failure) runs as soon as a failure is found.
 */
import { RECIPES } from "./recipes.mjs";

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
    else if (typeof d?.set === "function") out.push({ name: `Tensor#${key}=`, setter: key });
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

/** A per-call seed from the run's seed and the call's index (murmur3's finaliser). */
function callSeed(seed, i) {
  let h = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A short description of an argument, for logs (never serialises a large value). */
export function show(wg, v, depth = 0) {
  try {
    switch (typeof v) {
      case "number":
        return Object.is(v, -0) ? "-0" : String(v);
      case "bigint":
        return `${String(v).slice(0, 12)}n`;
      case "string":
        return JSON.stringify(v.length > 12 ? `${v.slice(0, 12)}…(${v.length})` : v);
      case "symbol":
        return "Symbol";
      case "function":
        return v.constructor?.name === "AsyncFunction" ? "async fn" : "fn";
      case "undefined":
      case "boolean":
        return String(v);
    }
    if (v === null) return "null";
    if (v instanceof wg.Tensor) {
      if (v.isDisposed) return "T(disposed)";
      return `T${v.dtype === "float32" ? "" : `<${v.dtype}>`}[${v.shape.join(",")}]${v.requiresGrad ? "rg" : ""}`;
    }
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${v.length})`;
    if (depth > 1) return Array.isArray(v) ? "[…]" : "{…}";
    if (Array.isArray(v)) {
      const items = v.slice(0, 4).map((x) => show(wg, x, depth + 1));
      return `[${items.join(",")}${v.length > 4 ? ",…" : ""}]`;
    }
    const name = v.constructor?.name;
    if (name !== undefined && name !== "Object") return name;
    const keys = Object.keys(v).slice(0, 4);
    return `{${keys.map((k) => `${k}:${show(wg, v[k], depth + 1)}`).join(",")}}`;
  } catch {
    return "?";
  }
}

/**
 * Methods and setters of an object built by the fuzzer (a module, optimizer, loader, ...), but
 * not the ones TypeScript declares private or protected (`hidden`: class name -> names).
 */
function membersOf(obj, hidden) {
  const out = [];
  const seen = new Set();
  for (
    let p = Object.getPrototypeOf(obj);
    p !== null && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    const skip = hidden.get(p.constructor?.name);
    for (const key of Object.keys(Object.getOwnPropertyDescriptors(p))) {
      if (key === "constructor" || key.startsWith("_") || seen.has(key)) continue;
      if (skip?.has(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(p, key);
      if (typeof d?.value === "function") out.push({ key, kind: "method" });
      else if (typeof d?.set === "function") out.push({ key, kind: "setter" });
    }
  }
  return out;
}

export function runFuzz(
  wg,
  {
    calls = 1000,
    seed = 1,
    from = 0,
    hidden = new Map(),
    log = () => {},
    onCall = () => {},
    onFailure = () => {},
  } = {},
) {
  let rand = rng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const entries = surface(wg);
  const recipes = Object.entries(RECIPES);
  const counts = { result: 0, WasmgradError: 0 };
  const errorsByOp = {};
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
  const showArgs = (args) => args.map((a) => show(wg, a)).join(", ");

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
  const fail = (f) => {
    failures.push(f);
    onFailure(f);
  };

  /** Calls a few methods and setters of an object the call built, with random arguments. */
  const exercise = (obj, label) => {
    const members = membersOf(obj, hidden);
    for (let n = Math.floor(rand() * 4); n > 0 && members.length > 0; n--) {
      const m = pick(members);
      if (m.kind === "setter") {
        const v = value();
        onCall(current, `${label} .${m.key} = ${show(wg, v)}`);
        obj[m.key] = v;
      } else {
        const args = argList();
        onCall(current, `${label} .${m.key}(${showArgs(args)})`);
        const r = obj[m.key](...args);
        if (r !== null && typeof r === "object" && typeof r.next === "function") {
          for (let k = 0; k < 16 && !r.next().done; k++); // a generator or iterator: a few items
        }
      }
    }
  };

  let current = 0;
  const start = wg.memory();
  let peakDrift = 0;
  for (let i = from; i < from + calls; i++) {
    current = i;
    const s = callSeed(seed, i);
    rand = rng(s);
    wg.manualSeed(s & 0x7fffffff);
    const before = wg.memory();
    let outcome = "result";
    let detail = "";
    let label = "";
    let mutated = false;
    const kept = [];
    try {
      wg.tidy(() => {
        if (rand() < 0.3) {
          const [name, recipe] = pick(recipes);
          label = `recipe ${name}`;
          onCall(i, label);
          const ctx = {
            wg,
            rand,
            pick,
            value,
            fresh,
            argList,
            dim: () => 1 + Math.floor(rand() * 3),
            show: showArgs,
            get mutated() {
              return mutated;
            },
            set mutated(v) {
              mutated = v;
            },
            maybe: (v) => {
              if (rand() >= 0.06) return v;
              mutated = true;
              return value();
            },
            note(text) {
              label = `recipe ${name}: ${text}`;
              onCall(i, label);
            },
            keep(obj) {
              kept.push(obj);
              return obj;
            },
          };
          recipe(ctx);
          return undefined;
        }
        const e = pick(entries);
        const args = argList();
        const self = e.method !== undefined || e.setter !== undefined ? fresh() : undefined;
        label = `${e.name}(${showArgs(args)})${self === undefined ? "" : ` on ${show(wg, self)}`}`;
        onCall(i, label);
        let r;
        if (e.setter !== undefined) self[e.setter] = args[0];
        else if (e.method !== undefined) r = self[e.method](...args);
        else if (e.isClass) r = new e.fn(...args);
        else r = e.fn(...args);
        if (r !== null && typeof r === "object" && typeof r.then === "function") {
          r.then(undefined, () => {});
          throw new Error(`${e.name} returned a promise`);
        }
        // A parameter or buffer made by nn.parameter/buffer is kept past tidy, like a module's.
        if (r instanceof wg.Tensor && !e.isClass && e.method === undefined) kept.push(r);
        if (e.isClass && r !== null && typeof r === "object") {
          kept.push(r);
          exercise(r, label);
        }
        return undefined;
      });
    } catch (err) {
      if (err instanceof wg.WasmgradError) {
        outcome = "WasmgradError";
        const op = /^([^:]{1,60}):/.exec(String(err.message))?.[1] ?? "(unnamed)";
        errorsByOp[op] = (errorsByOp[op] ?? 0) + 1;
      } else {
        outcome = `${err?.constructor?.name ?? typeof err}`;
        detail = String(err?.message ?? err).slice(0, 200);
      }
    }
    for (const obj of kept) dispose(obj);
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    if (outcome !== "result" && outcome !== "WasmgradError") {
      fail({ call: i, seed, entry: label, outcome, detail });
    }
    const after = wg.memory();
    if (after.liveBytes !== before.liveBytes || after.liveTensors !== before.liveTensors) {
      counts.leak = (counts.leak ?? 0) + 1;
      fail({
        call: i,
        seed,
        entry: label,
        outcome: "leak",
        detail: `${after.liveTensors - before.liveTensors} tensors, ${after.liveBytes - before.liveBytes} bytes after a ${outcome}${mutated ? " (mutated)" : ""}`,
      });
    }
    peakDrift = Math.max(peakDrift, after.liveBytes - start.liveBytes);
    if (outcome !== "result" || i % 64 === 0) {
      const sick = healthy();
      if (sick !== null) {
        fail({ call: i, seed, entry: label, outcome: "corruption", detail: sick });
        counts.corruption = (counts.corruption ?? 0) + 1;
        break; // nothing after a corrupted allocator means anything
      }
    }
    if ((i + 1 - from) % 1000 === 0) log(`${i + 1 - from} calls: ${JSON.stringify(counts)}`);
  }
  const sick = healthy();
  if (sick !== null)
    fail({ call: from + calls, seed, entry: "(end)", outcome: "corruption", detail: sick });
  for (const t of canaries) t.dispose();
  const end = wg.memory();
  return {
    counts,
    errorsByOp,
    failures,
    surface: entries.length,
    recipes: recipes.length,
    memory: { start, end, peakDrift },
  };
}
