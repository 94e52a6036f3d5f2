/**
 * What a bundler keeps of the built package (dist/) for an app that touches only `wg.tensor`:
 * the core (Tensor, its methods and the ops they call, the runtime and the kernels), and none of
 * nn, optim, io or data. A module-level side effect that reaches those (an import that patches
 * every layer, a call that is not marked pure) shows up here. Sizes: bench/bundle-size.mjs.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { expect, it } from "vitest";
import { root } from "./pack.js";

it("an app using only wg.tensor bundles no nn, optim, io or data (esbuild)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmgrad-shake-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/wasmgrad"), "dir");
    writeFileSync(
      join(dir, "app.mjs"),
      'import * as wg from "wasmgrad";\nconsole.log(wg.tensor([1, 2, 3]).toString());\n',
    );
    const r = await build({
      absWorkingDir: dir,
      entryPoints: ["app.mjs"],
      bundle: true,
      minify: true,
      format: "esm",
      platform: "browser",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.values(r.metafile.outputs)[0].inputs;
    const kept = Object.entries(inputs)
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([path]) => path.replace(/^.*?dist\//, ""));
    expect(kept).toContain("tensor.js");
    expect(kept.filter((p) => /^(nn|optim|io|data)\//.test(p) || p === "fit.js")).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
