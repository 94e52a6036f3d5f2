/**
 * What a bundler keeps of the built package (dist/) for an app that touches only `wg.tensor`:
 * the core (Tensor, its methods and the ops they call, the runtime and the kernels), and none of
 * nn, optim, io or data. A module-level side effect that reaches those (an import that patches
 * every layer, a call that is not marked pure) shows up here. Sizes: bench/bundle-size.mjs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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

// index.js binds the Tensor methods by importing tensor-methods.js for its side effects; unless
// package.json lists index.js as having side effects, webpack and Rollup (so Vite) skip it when
// they follow its re-exports, and `t.view`, `t.eq`, `t.sort`, ... are undefined in the bundle.
it("an app calling Tensor methods keeps them (webpack, Rollup)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "wasmgrad-methods-"));
  try {
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(root, join(dir, "node_modules/wasmgrad"), "dir");
    writeFileSync(
      join(dir, "app.mjs"),
      'import * as wg from "wasmgrad";\nconst t = wg.tensor([1, 2, 3, 4]);\nconsole.log(t.view([2, 2]).logicalXor(t.eq(2).view([2, 2])));\n',
    );
    const webpack = (await import("webpack")).default;
    await new Promise<void>((done, fail) =>
      webpack(
        {
          mode: "production",
          context: dir,
          entry: "./app.mjs",
          output: { path: join(dir, "webpack-out"), filename: "main.js" },
          performance: { hints: false },
        },
        (err, stats) =>
          err || stats?.hasErrors() ? fail(err ?? new Error(stats?.toString())) : done(),
      ),
    );
    const bundles: Record<string, string> = {
      webpack: readFileSync(join(dir, "webpack-out/main.js"), "utf8"),
    };
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const bundle = await rollup({
      input: join(dir, "app.mjs"),
      plugins: [nodeResolve({ browser: true })],
      onwarn: () => {},
    });
    bundles.rollup = (await bundle.generate({ format: "esm" })).output[0].code;
    for (const [bundler, code] of Object.entries(bundles)) {
      for (const method of ["logicalXor", "indexPut_", "maskedFill_"])
        expect(code.includes(method), `${bundler} keeps ${method}`).toBe(true);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
