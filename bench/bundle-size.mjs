// What a browser downloads: the built package (dist/) bundled, minified, for the browser by
// esbuild, Vite and webpack (and Rollup when it is installed), for three apps:
//   full    `import * as wg` with every export kept (the whole library);
//   tensor  an app that touches only `wg.tensor` (what tree-shaking leaves: the core);
//   train   the consumers' smoke test (nn.Linear, SGD, F.mseLoss, tidy).
// Prints raw / gzip -9 / brotli bytes per bundler and app, the esbuild bundle again with the
// inlined kernels emptied (what the JavaScript alone weighs), and for esbuild what the bundle is
// made of: the inlined kernels (wasm.js) against the JavaScript, per directory.
// `node bench/bundle-size.mjs [--json file]`. Run `npm run build` first.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const apps = {
  full: `import * as wg from "wasmgrad";\nglobalThis.wg = wg;\n`,
  tensor: `import * as wg from "wasmgrad";\nconsole.log(wg.tensor([1, 2, 3]).toString());\n`,
  // The consumers' smoke test, with `wg` used by property access as an app would (passing the
  // namespace object around as a value keeps all of it).
  train: readFileSync(join(root, "test/consumers/app/train.mjs"), "utf8")
    .replace("export function train(wg) {", 'import * as wg from "wasmgrad";\nconsole.log((() => {')
    .replace(/\}\s*$/, "})());\n"),
};

const dir = mkdtempSync(join(tmpdir(), "wasmgrad-bundle-"));
mkdirSync(join(dir, "node_modules"));
symlinkSync(root, join(dir, "node_modules/wasmgrad"), "dir");
for (const [name, code] of Object.entries(apps)) writeFileSync(join(dir, `${name}.mjs`), code);

const sizes = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
  }).length,
});

const esbuild = await import("esbuild");
// The kernels' share: the same esbuild bundle with the inlined binaries emptied.
const noKernels = {
  name: "no-kernels",
  setup(b) {
    b.onLoad({ filter: /generated[\\/]wasm\.js$/ }, () => ({
      contents: 'export const simdWasm = ["", 0]; export const relaxedWasm = ["", 0, 0];',
    }));
  },
};
const bundlers = {
  async esbuild(app, plugins = []) {
    const r = await esbuild.build({
      plugins,
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
    return { code: r.outputFiles[0].contents, metafile: r.metafile };
  },
  async "esbuild, JS only"(app) {
    return { code: (await bundlers.esbuild(app, [noKernels])).code };
  },
  async vite(app) {
    const { build } = await import("vite");
    const out = await build({
      root: dir,
      logLevel: "error",
      configFile: false,
      build: {
        write: false,
        minify: true,
        rollupOptions: { input: join(dir, `${app}.mjs`) },
        modulePreload: false,
      },
    });
    const output = (Array.isArray(out) ? out[0] : out).output;
    const chunks = output.filter((o) => o.type === "chunk");
    return { code: Buffer.from(chunks.map((c) => c.code).join("\n")) };
  },
  async webpack(app) {
    const webpack = (await import("webpack")).default;
    const outDir = join(dir, `webpack-${app}`);
    await new Promise((done, fail) =>
      webpack(
        {
          mode: "production",
          context: dir,
          entry: `./${app}.mjs`,
          output: { path: outDir, filename: "main.js" },
          performance: { hints: false },
        },
        (err, stats) =>
          err || stats.hasErrors() ? fail(err ?? new Error(stats.toString())) : done(stats),
      ),
    );
    return { code: readFileSync(join(outDir, "main.js")) };
  },
};
// Rollup is minified with terser, which webpack brings along.
if (
  existsSync(join(root, "node_modules/rollup")) &&
  existsSync(join(root, "node_modules/terser"))
) {
  bundlers.rollup = async (app) => {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const { minify } = await import("terser");
    const bundle = await rollup({
      input: join(dir, `${app}.mjs`),
      plugins: [nodeResolve({ browser: true })],
      onwarn: () => {},
    });
    const { output } = await bundle.generate({ format: "esm" });
    const min = await minify(output[0].code, { module: true });
    return { code: Buffer.from(min.code) };
  };
}

const results = [];
try {
  for (const [bundler, make] of Object.entries(bundlers)) {
    for (const app of Object.keys(apps)) {
      const { code, metafile } = await make(app);
      const row = { bundler, app, ...sizes(Buffer.from(code)) };
      results.push(row);
      if (metafile) row.parts = breakdown(metafile);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** esbuild's bytes per input, summed per dist/ directory; the kernels apart. */
function breakdown(metafile) {
  const output = Object.values(metafile.outputs)[0];
  const parts = {};
  for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
    const rel = path.replace(/^.*?dist\//, "");
    const key = rel.startsWith("backend/generated/")
      ? "kernels (wasm.js)"
      : rel.includes("/")
        ? `${rel.slice(0, rel.lastIndexOf("/"))}/`
        : rel.startsWith("dist") || !path.includes("dist/")
          ? "app"
          : "./ (top level)";
    parts[key] = (parts[key] ?? 0) + bytesInOutput;
  }
  return parts;
}

const kb = (n) => (n / 1024).toFixed(1);
console.log("| bundler | app | raw KB | gzip KB | brotli KB |");
console.log("|---|---|---:|---:|---:|");
for (const r of results)
  console.log(`| ${r.bundler} | ${r.app} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.brotli)} |`);
for (const r of results.filter((x) => x.parts)) {
  console.log(`\nesbuild ${r.app}: minified bytes by part`);
  for (const [k, v] of Object.entries(r.parts).sort((a, b) => b[1] - a[1]))
    console.log(`  ${k.padEnd(24)} ${kb(v).padStart(7)} KB`);
}
const jsonAt = process.argv.indexOf("--json");
if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1], `${JSON.stringify(results, null, 2)}\n`);
