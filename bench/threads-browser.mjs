// sgemm 512 at 1 and 2 threads in Chromium, on pages served with COOP/COEP (so they are
// crossOriginIsolated and SharedArrayBuffer exists), against TensorFlow.js WASM's threaded SIMD
// build (tfjs-backend-wasm-threaded-simd.wasm, XNNPACK) at 1 and 2 threads (see reportedCores). tfjs fixes its thread
// count when its backend starts, so each tfjs count gets a page of its own; the driver interleaves
// rounds across the pages (one page runs at a time). Median and minimum of the rounds.
//   npm run build && node bench/threads-browser.mjs [--quick]
// Uses Debian's Chromium (CHROMIUM_PATH overrides); serves dist/ and tfjs's dist/ on a local port.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright";
import { loadAverage } from "./common.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const rounds = quick ? 5 : 15;
const roundMs = quick ? 100 : 300;
const n = 512;
// tfjs sizes its Emscripten pthread pool as min(4, hardwareConcurrency / 2) when the backend
// starts, so on this 2-core machine it gets one thread whatever setThreadsCount asks (tfjs issues
// #5446, #8513). The pages report 4 cores (REPORTED_CORES overrides) so that tfjs can start two.
// wasmgrad's count is set explicitly and does not depend on it.
const reportedCores = Number(process.env.REPORTED_CORES ?? 4);
const types = {
  ".js": "text/javascript",
  ".html": "text/html",
  ".mjs": "text/javascript",
  ".wasm": "application/wasm",
};
const served = {
  "/dist/": join(root, "dist"),
  "/tfjs-core/": join(root, "node_modules/@tensorflow/tfjs-core/dist"),
  "/tfjs-wasm/": join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist"),
};

// One page: wasmgrad (threads switched per round) and, when `tf` is given, tfjs-wasm started with
// that many threads. `window.round(which)` times one round and returns µs per product.
const page = (tfThreads) => `<!doctype html>
<script>Object.defineProperty(Navigator.prototype, "hardwareConcurrency", { get: () => ${reportedCores} });</script>
<script src="/tfjs-core/tf-core.min.js"></script>
<script src="/tfjs-wasm/tf-backend-wasm.min.js"></script>
<script type="module">
import * as wg from "/dist/index.js";
wg.setNumThreads(2);
await wg.ready();
const a = wg.randn([${n}, ${n}]);
const b = wg.randn([${n}, ${n}]);
const timed = (f) => { const t0 = performance.now(); let k = 0;
  while (performance.now() - t0 < ${roundMs}) { f(); k++; }
  return ((performance.now() - t0) * 1000) / k; };
tf.wasm.setWasmPaths("/tfjs-wasm/");
tf.wasm.setThreadsCount(${tfThreads});
await tf.setBackend("wasm");
const ta = tf.tensor2d(a.data(), [${n}, ${n}]);
const tb = tf.tensor2d(b.data(), [${n}, ${n}]);
const check = tf.matMul(ta, tb);
const ref = wg.matmul(a, b).data(); const got = check.dataSync(); let diff = 0; for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(ref[i] - got[i]));
check.dispose();
window.round = (which) => {
  if (which === "tf") return timed(() => tf.matMul(ta, tb).dispose());
  wg.setNumThreads(2, { minWorkMicros: which === "wg1" ? Infinity : 50 });
  return timed(() => wg.matmul(a, b).dispose());
};
window.info = {
  crossOriginIsolated,
  threads: wg.backendInfo().threads,
  reason: wg.backendInfo().threadsReason,
  tfBackend: tf.getBackend(),
  tfThreads: tf.wasm.getThreadsCount(),
  tfSimd: await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"),
  tfMultithread: await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"),
  maxAbsDiff: diff,
};
</script>`;

const server = createServer(async (req, res) => {
  const headers = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
  };
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/") {
    const tf = Number(url.searchParams.get("tf") ?? 1);
    res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(page(tf));
    return;
  }
  const prefix = Object.keys(served).find((p) => url.pathname.startsWith(p));
  const file = prefix ? normalize(join(served[prefix], url.pathname.slice(prefix.length))) : "";
  if (!prefix || !file.startsWith(served[prefix])) {
    // The browser's own favicon request: nothing to serve, nothing to report.
    if (url.pathname === "/favicon.ico") return void res.writeHead(204, headers).end();
    console.log(`not found: ${url.pathname}`);
    return void res.writeHead(404).end();
  }
  try {
    const body = await readFile(file);
    const type = types[extname(file)] ?? "application/octet-stream";
    res.writeHead(200, { ...headers, "Content-Type": type }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${server.address().port}/`;
const loadStart = loadAverage();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--no-first-run",
  ],
});
try {
  const open = async (tf) => {
    const tab = await (await browser.newContext()).newPage();
    tab.on("console", (m) => console.log(`page tf=${tf}:`, m.text()));
    tab.on("worker", (w) => w.on("console", (m) => console.log(`worker tf=${tf}:`, m.text())));
    tab.on("pageerror", (e) => {
      console.log(`page tf=${tf} error:`, e.message);
      process.exitCode = 1;
    });
    await tab.goto(`${base}?tf=${tf}`);
    await tab.waitForFunction(() => window.info !== undefined, null, { timeout: 120_000 });
    return tab;
  };
  const tabs = { 1: await open(1), 2: await open(2) };
  const cases = {
    "wasmgrad, 1 thread": [tabs[1], "wg1"],
    "wasmgrad, 2 threads": [tabs[1], "wg2"],
    "tfjs-wasm threaded, 1 thread": [tabs[1], "tf"],
    "tfjs-wasm threaded, 2 threads": [tabs[2], "tf"],
  };
  const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  const names = Object.keys(cases);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) {
      const [tab, which] = cases[name];
      times[name].push(await tab.evaluate((w) => window.round(w), which));
    }
  }
  const stat = (xs) => {
    const s = [...xs].sort((p, q) => p - q);
    return { median: s[s.length >> 1], min: s[0] };
  };
  const flops = 2 * n ** 3;
  const rows = names.map((name) => {
    const s = stat(times[name]);
    return {
      case: name,
      "median µs": s.median.toFixed(0),
      "min µs": s.min.toFixed(0),
      "GFLOP/s (median)": ((flops / s.median) * 1e-3).toFixed(1),
    };
  });
  console.table(rows);
  const med = (name) => stat(times[name]).median;
  console.log({
    info1: await tabs[1].evaluate(() => window.info),
    info2: await tabs[2].evaluate(() => window.info),
    "wasmgrad 2 vs 1 thread": (med(names[0]) / med(names[1])).toFixed(2),
    "tfjs 2 vs 1 thread": (med(names[2]) / med(names[3])).toFixed(2),
    "wasmgrad vs tfjs, 1 thread": (med(names[2]) / med(names[0])).toFixed(2),
    "wasmgrad vs tfjs, 2 threads": (med(names[3]) / med(names[1])).toFixed(2),
    rounds,
    statistic: "median and minimum over interleaved rounds",
    loadStart,
    loadEnd: loadAverage(),
  });
} finally {
  await browser.close();
  server.close();
}
