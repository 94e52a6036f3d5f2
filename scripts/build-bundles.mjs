// The bundled builds, after tsc. The CommonJS build, for tools that cannot load ES modules from node_modules (Jest's default
// configuration, older bundlers): dist/cjs/index.js and dist/cjs/node.js, each one bundled file,
// with the ESM build's declaration files copied beside them under a {"type":"commonjs"}
// package.json, so that TypeScript reads them as CommonJS types. The node helpers require the
// CommonJS index rather than bundling a second copy of the library.
import { cpSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/cjs");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const common = {
  bundle: true,
  format: "cjs",
  platform: "neutral",
  target: "es2022",
  logLevel: "warning",
  legalComments: "none",
};
await build({
  ...common,
  entryPoints: [join(root, "dist/index.js")],
  outfile: join(out, "index.js"),
});
await build({
  ...common,
  entryPoints: [join(root, "dist/node.js")],
  outfile: join(out, "node.js"),
  external: ["node:*"],
  plugins: [
    {
      name: "index-is-external",
      setup(b) {
        // node.js imports the library through ./index.js: keep that a require of the CJS index.
        b.onResolve({ filter: /^\.\/index\.js$/ }, () => ({ path: "./index.js", external: true }));
      },
    },
  ],
});

// The opt-in `wasmgrad/url` entry: one ESM file whose kernels are loaded from dist/wasm/*.wasm by
// URL (top-level await) instead of inlined; src/backend/binaries-url.ts stands in for
// binaries.ts.
await build({
  ...common,
  format: "esm",
  entryPoints: [join(root, "dist/index.js")],
  outfile: join(root, "dist/url.js"),
  plugins: [
    {
      name: "binaries-by-url",
      setup(b) {
        b.onResolve({ filter: /^\.\/binaries\.js$/ }, () => ({
          path: join(root, "dist/backend/binaries-url.js"),
        }));
      },
    },
  ],
});
mkdirSync(join(root, "dist/wasm"), { recursive: true });
for (const target of ["simd", "relaxed"]) {
  cpSync(
    join(root, `build/wasmgrad-${target}.wasm`),
    join(root, `dist/wasm/wasmgrad-${target}.wasm`),
  );
}
writeFileSync(
  join(root, "dist/url.d.ts"),
  '// The same library as "wasmgrad", with its kernels loaded from dist/wasm/ by URL.\nexport * from "./index.js";\n',
);

/** Every .d.ts under dist/ (but not dist/cjs itself), copied to the same place under dist/cjs. */
function copyTypes(dir) {
  for (const name of readdirSync(dir)) {
    const from = join(dir, name);
    if (from === out) continue;
    if (statSync(from).isDirectory()) copyTypes(from);
    else if (name.endsWith(".d.ts")) {
      const to = join(out, relative(join(root, "dist"), from));
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to);
    }
  }
}
copyTypes(join(root, "dist"));
writeFileSync(join(out, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
