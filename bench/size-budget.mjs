// Where the package's bytes go, to decide what to cut (issue 14). Run `npm run build` first.
//   1. The kernels: per-function code size of build/wasmgrad-simd.wasm (names from the .wat),
//      summed per assembly/ file, and what the relaxed build's delta weighs.
//   2. Encodings of the inlined kernels: raw bytes after the transport's gzip -9, for base64 of
//      deflate (what ships), base64 of the raw binary, and a latin1 "binary string" escape of
//      the raw binary.
//   3. The JavaScript: esbuild's minified bytes per dist/ file for the `full` and `tensor` apps
//      (the same apps as bundle-size.mjs), largest first, and each file's gzip share (gzip of
//      the bundle without that file's output is not additive, so the share is the file's
//      minified bytes times the bundle's gzip ratio).
// `node bench/size-budget.mjs [--top N] [--wasm path]`.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const top = Number(arg("--top", 25));
const wasmPath = arg("--wasm", join(root, "build/wasmgrad-simd.wasm"));
const kb = (n) => (n / 1024).toFixed(1);
const gz = (b) => gzipSync(b, { level: 9 }).length;

// ---- 1. kernels per function -------------------------------------------------------------
const wasm = readFileSync(wasmPath);
const wat = readFileSync(wasmPath.replace(/\.wasm$/, ".wat"), "utf8");
const names = [...wat.matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
let p = 8;
const leb = () => {
  let v = 0;
  let shift = 0;
  let b;
  do {
    b = wasm[p++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return v;
};
const sections = {};
const bodies = [];
while (p < wasm.length) {
  const id = wasm[p++];
  const size = leb();
  const end = p + size;
  sections[id] = (sections[id] ?? 0) + size;
  if (id === 10) {
    const n = leb();
    for (let i = 0; i < n; i++) {
      const len = leb();
      bodies.push({ name: names[i] ?? `#${i}`, size: len, bytes: wasm.subarray(p, p + len) });
      p += len;
    }
  }
  p = end;
}
const sectionNames = { 1: "type", 2: "import", 3: "function", 7: "export", 10: "code", 11: "data" };
console.log(`## Kernels: ${wasmPath.replace(`${root}/`, "")}, ${wasm.length} bytes`);
console.log(
  `sections: ${Object.entries(sections)
    .map(([id, n]) => `${sectionNames[id] ?? id} ${n}`)
    .join(", ")}; ${bodies.length} functions`,
);
console.log(
  `deflate -9 of the whole: ${deflateRawSync(wasm, { level: 9 }).length} bytes (each function deflated alone below, so the per-file deflate does not sum to it)`,
);
const perFile = {};
for (const b of bodies) {
  const file = b.name.replace(/\/[^/]*$/, "");
  perFile[file] ??= { size: 0, n: 0, parts: [] };
  const f = perFile[file];
  f.size += b.size;
  f.n++;
  f.parts.push(b.bytes);
}
console.log("\n| assembly file | functions | code bytes | deflated alone |");
console.log("|---|---:|---:|---:|");
for (const [file, f] of Object.entries(perFile).sort((a, b) => b[1].size - a[1].size))
  console.log(
    `| ${file} | ${f.n} | ${f.size} | ${deflateRawSync(Buffer.concat(f.parts), { level: 9 }).length} |`,
  );
console.log(`\nlargest ${top} functions:\n\n| function | code bytes |\n|---|---:|`);
for (const b of [...bodies].sort((a, b) => b.size - a.size).slice(0, top))
  console.log(`| ${b.name} | ${b.size} |`);

// ---- 2. encodings ------------------------------------------------------------------------
const deflated = deflateRawSync(wasm, { level: 9 });
/** Every byte as one JS string char, escaped where a JS string literal needs it. */
function latin1Literal(bytes) {
  let s = "";
  for (const b of bytes) {
    if (b === 0x5c) s += "\\\\";
    else if (b === 0x22) s += '\\"';
    else if (b === 0x0a) s += "\\n";
    else if (b === 0x0d) s += "\\r";
    else if (b === 0x00) s += "\\0";
    else s += String.fromCharCode(b);
  }
  return Buffer.from(s, "utf8"); // what the file holds (bytes >= 0x80 take two UTF-8 bytes)
}
const encodings = {
  "base64(deflate(wasm)) [ships]": Buffer.from(deflated.toString("base64")),
  "base64(wasm)": Buffer.from(wasm.toString("base64")),
  "latin1 escape of deflate(wasm)": latin1Literal(deflated),
  "latin1 escape of wasm": latin1Literal(wasm),
};
console.log(
  "\n## Inlined kernel encodings (the baseline build only)\n\n| encoding | raw bytes | after gzip -9 |\n|---|---:|---:|",
);
for (const [name, bytes] of Object.entries(encodings))
  console.log(`| ${name} | ${bytes.length} | ${gz(bytes)} |`);

// ---- 3. JavaScript per file ----------------------------------------------------------------
const esbuild = await import("esbuild");
const dir = mkdtempSync(join(tmpdir(), "wasmgrad-budget-"));
mkdirSync(join(dir, "node_modules"));
symlinkSync(root, join(dir, "node_modules/wasmgrad"), "dir");
const apps = {
  full: `import * as wg from "wasmgrad";\nglobalThis.wg = wg;\n`,
  tensor: `import * as wg from "wasmgrad";\nconsole.log(wg.tensor([1, 2, 3]).toString());\n`,
};
try {
  for (const [app, code] of Object.entries(apps)) {
    writeFileSync(join(dir, `${app}.mjs`), code);
    const r = await esbuild.build({
      absWorkingDir: dir,
      entryPoints: [`${app}.mjs`],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "error",
    });
    const out = r.outputFiles[0].contents;
    const ratio = gz(out) / out.length;
    const inputs = Object.entries(Object.values(r.metafile.outputs)[0].inputs)
      .map(([path, { bytesInOutput }]) => [path.replace(/^.*?dist\//, ""), bytesInOutput])
      .sort((a, b) => b[1] - a[1]);
    console.log(
      `\n## esbuild \`${app}\`: ${kb(out.length)} KB minified, ${kb(gz(out))} KB gzip, ${inputs.length} files\n`,
    );
    console.log("| file | minified KB | ~gzip KB |\n|---|---:|---:|");
    for (const [path, n] of inputs.slice(0, top))
      console.log(`| ${path} | ${kb(n)} | ${kb(n * ratio)} |`);
    if (app === "tensor") {
      console.log(`\nfiles in \`tensor\`: ${inputs.map(([path]) => path).join(", ")}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
