// sgemm 512 at 1 and 2 threads in Chromium, on a page served with COOP/COEP (so it is
// crossOriginIsolated and SharedArrayBuffer exists). Interleaved rounds, median and minimum.
//   npm run build && node bench/threads-browser.mjs [--quick]
// Uses Debian's Chromium (CHROMIUM_PATH overrides); serves the repository read-only on a local port.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright";
import { loadAverage } from "./common.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const quick = process.argv.includes("--quick");
const types = { ".js": "text/javascript", ".html": "text/html", ".mjs": "text/javascript" };

const page = `<!doctype html><script type="module">
import * as wg from "/dist/index.js";
const rounds = ${quick ? 5 : 15};
wg.setNumThreads(2);
await wg.ready();
const a = wg.randn([512, 512]);
const b = wg.randn([512, 512]);
const time = () => { const t0 = performance.now(); let n = 0;
  while (performance.now() - t0 < ${quick ? 100 : 300}) { wg.matmul(a, b).dispose(); n++; }
  return ((performance.now() - t0) * 1000) / n; };
const times = { 1: [], 2: [] };
for (let r = 0; r < rounds; r++) for (const t of r % 2 ? [2, 1] : [1, 2]) {
  wg.setNumThreads(2, { minWorkMicros: t === 1 ? Infinity : 50 });
  times[t].push(time());
}
window.result = { crossOriginIsolated, threads: wg.backendInfo().threads, reason: wg.backendInfo().threadsReason, times };
</script>`;

const server = createServer(async (req, res) => {
  const headers = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
  };
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (path === "/") {
    res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end(page);
    return;
  }
  const file = normalize(join(root, path));
  if (!file.startsWith(join(root, "dist"))) return void res.writeHead(404).end();
  try {
    const body = await readFile(file);
    res
      .writeHead(200, {
        ...headers,
        "Content-Type": types[extname(file)] ?? "application/octet-stream",
      })
      .end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;
const loadStart = loadAverage();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--no-first-run",
  ],
});
try {
  const tab = await browser.newPage();
  tab.on("console", (m) => console.log("page:", m.text()));
  await tab.goto(url);
  await tab.waitForFunction(() => window.result !== undefined, null, { timeout: 300_000 });
  const result = await tab.evaluate(() => window.result);
  const stat = (xs) => {
    const s = [...xs].sort((p, q) => p - q);
    return { median: s[s.length >> 1], min: s[0] };
  };
  const one = stat(result.times[1]);
  const two = stat(result.times[2]);
  console.table([
    { threads: 1, "median µs": one.median.toFixed(0), "min µs": one.min.toFixed(0) },
    { threads: 2, "median µs": two.median.toFixed(0), "min µs": two.min.toFixed(0) },
  ]);
  console.log({
    crossOriginIsolated: result.crossOriginIsolated,
    threads: result.threads,
    reason: result.reason,
    speedup: (one.median / two.median).toFixed(2),
    loadStart,
    loadEnd: loadAverage(),
  });
} finally {
  await browser.close();
  server.close();
}
