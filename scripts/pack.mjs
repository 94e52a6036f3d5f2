// Packs the package users install: `npm run pack` (after `npm run build`) writes
// .pack/wasmgrad-<version>.tgz from a staged copy whose package.json has no scripts and no
// devDependencies. The repository's own package.json keeps `prepare`, so that `npm install` in a
// clone builds, but that script must not reach users: npm would run it when the unpacked package
// is packed again, and npm 11 warns about it on install. Publish the staged tarball:
//   npm run build && npm run pack && npm publish .pack/wasmgrad-<version>.tgz
// `--print` prints only the tarball's path (for tests).
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pack = join(root, ".pack");
const stage = join(pack, "package");
const quiet = process.argv.includes("--print");

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
if (!existsSync(join(root, "dist/index.js")) || !existsSync(join(root, "dist/cjs/index.js"))) {
  console.error("wasmgrad pack: dist/ is not built; run `npm run build` first");
  process.exit(1);
}
const { scripts, devDependencies, ...published } = manifest;

rmSync(pack, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const entry of manifest.files)
  cpSync(join(root, entry), join(stage, entry), { recursive: true });
writeFileSync(join(stage, "package.json"), `${JSON.stringify(published, null, 2)}\n`);

const out = execFileSync("npm", ["pack", "--json", "--pack-destination", pack], {
  cwd: stage,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
const [{ filename, size, unpackedSize, entryCount }] = JSON.parse(out);
const tarball = join(pack, filename);
if (quiet) console.log(tarball);
else
  console.log(
    `${tarball}: ${entryCount} files, ${(size / 1024).toFixed(1)} KB packed, ${(unpackedSize / 1024).toFixed(1)} KB unpacked`,
  );
