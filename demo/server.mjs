// The demo's static server: `npm run demo` (options: --port N, default 8080; 0 picks a free one).
// Plain node:http, no framework. It sends COOP/COEP on every response so that the page is
// cross-origin isolated (SharedArrayBuffer, hence threads, once wasmgrad has them), and serves
// only what the demo needs: demo/, the built library (dist/), a few files from node_modules,
// the API reference (docs/api/, after `npm run docs`) and the MNIST digits packed as bytes.
import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);

const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".safetensors": "application/octet-stream",
  ".bin": "application/octet-stream",
};

/** URL prefixes and the folders they map to; nothing outside these is served. */
const mounts = [
  ["/dist/", join(root, "dist")],
  ["/docs/", join(root, "docs/api")],
  ["/vendor/uplot/", join(root, "node_modules/uplot/dist")],
  ["/vendor/tfjs-core/", join(root, "node_modules/@tensorflow/tfjs-core/dist")],
  ["/vendor/tfjs-backend-wasm/", join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist")],
  ["/", join(root, "demo")],
];

/**
 * The 10,000 digits of the `mnist` package as one binary: a 16-byte header (magic "MNST", count),
 * then count labels (u8), then count * 784 pixels (u8, 0..255). 7.9 MB instead of 21 MB of JSON,
 * and no parsing in the browser. Built once, on first request.
 */
let mnistBin = null;
function mnistBytes() {
  if (mnistBin !== null) return mnistBin;
  const perClass = [];
  for (let d = 0; d < 10; d++) perClass.push(require(`mnist/src/digits/${d}.json`).data);
  const count = perClass.reduce((n, raw) => n + raw.length / 784, 0);
  const out = Buffer.alloc(16 + count + count * 784);
  out.write("MNST", 0, "latin1");
  out.writeUInt32LE(count, 4);
  let k = 0;
  perClass.forEach((raw, digit) => {
    const n = raw.length / 784;
    for (let i = 0; i < n; i++, k++) {
      out[16 + k] = digit;
      const at = 16 + count + k * 784;
      for (let p = 0; p < 784; p++) out[at + p] = Math.round(raw[i * 784 + p] * 255);
    }
  });
  mnistBin = out;
  return out;
}

function resolvePath(urlPath) {
  for (const [prefix, dir] of mounts) {
    if (!urlPath.startsWith(prefix)) continue;
    const rest = decodeURIComponent(urlPath.slice(prefix.length)) || "index.html";
    const file = normalize(join(dir, rest));
    if (file !== dir && !file.startsWith(dir + sep)) return null; // no escaping the mount
    return file;
  }
  return null;
}

const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
};

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://localhost");
  const send = (status, body, type = "text/plain; charset=utf-8") => {
    res.writeHead(status, { ...isolation, "Content-Type": type, "Cache-Control": "no-cache" });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
  if (url.pathname === "/data/mnist.bin") return send(200, mnistBytes(), types[".bin"]);
  let file = resolvePath(url.pathname);
  if (file === null) return send(404, "not found\n");
  try {
    if ((await stat(file)).isDirectory()) file = join(file, "index.html");
    const body = await readFile(file);
    return send(200, body, types[extname(file)] ?? "application/octet-stream");
  } catch {
    return send(404, "not found\n");
  }
}

/** Starts the server; resolves to `{ url, close() }`. */
export function startServer({ port = 8080, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500, isolation);
      res.end(String(e));
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({
        url: `http://${host}:${address.port}/`,
        close: () => new Promise((done) => server.close(done)),
      });
    });
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf("--port");
  const port = at >= 0 ? Number(process.argv[at + 1]) : Number(process.env.PORT ?? 8080);
  try {
    readFileSync(join(root, "dist/index.js"));
  } catch {
    console.error("wasmgrad demo: dist/ is missing; run `npm run build` first");
    process.exit(1);
  }
  const { url } = await startServer({ port });
  console.log(`wasmgrad demo: ${url}  (Ctrl-C to stop)`);
}
