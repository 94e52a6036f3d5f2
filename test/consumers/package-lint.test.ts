/**
 * The published package's fitness: publint and @arethetypeswrong/cli find nothing, and the
 * tarball holds what users need and nothing that runs at install time.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packedTarball, root } from "./pack.js";

function tarList(tgz: string): string[] {
  return execFileSync("tar", ["-tzf", tgz], { encoding: "utf8" }).trim().split("\n");
}

function tarRead(tgz: string, file: string): string {
  return execFileSync("tar", ["-xzOf", tgz, file], { encoding: "utf8", maxBuffer: 1 << 26 });
}

describe("the packed package", () => {
  it("passes publint", () => {
    packedTarball();
    const r = spawnSync(join(root, "node_modules/.bin/publint"), ["--strict", ".pack/package"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(r.stdout + r.stderr).toContain("All good!");
    expect(r.status).toBe(0);
  }, 180_000);

  it("passes @arethetypeswrong/cli in every resolution mode", () => {
    // attw exits before a large report written to a pipe is flushed (the JSON came back cut
    // short under load), so it writes to a file, where its writes are synchronous.
    const tarball = packedTarball();
    const out = join(root, ".pack", "attw.json");
    const fd = openSync(out, "w");
    try {
      spawnSync(join(root, "node_modules/.bin/attw"), [tarball, "--format", "json"], {
        cwd: root,
        stdio: ["ignore", fd, "inherit"],
      });
    } finally {
      closeSync(fd);
    }
    type Problem = { kind: string; entrypoint: string; resolutionKind: string };
    const report = JSON.parse(readFileSync(out, "utf8")) as { analysis: { problems: Problem[] } };
    // wasmgrad/url loads its kernels with top-level await, which require() cannot run: it is an
    // ES module on purpose, and attw says so for CommonJS importers. Nothing else may appear.
    const expected = (p: Problem) =>
      p.kind === "CJSResolvesToESM" &&
      p.entrypoint === "./url" &&
      p.resolutionKind === "node16-cjs";
    expect(report.analysis.problems.filter((p) => !expected(p))).toEqual([]);
  }, 180_000);

  it("ships no scripts, a LICENSE, and source maps with their sources", () => {
    const tgz = packedTarball();
    const files = tarList(tgz);
    const manifest = JSON.parse(tarRead(tgz, "package/package.json"));
    expect(manifest.scripts).toBeUndefined();
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.dependencies).toBeUndefined();
    for (const field of ["repository", "homepage", "bugs", "license"])
      expect(manifest[field]).toBeDefined();
    expect(files).toContain("package/LICENSE");
    expect(files.some((f) => f.startsWith("package/assembly/"))).toBe(false);
    // The staged folder is what was packed: read the maps there rather than through tar.
    const maps = files.filter((f) => f.endsWith(".map"));
    expect(maps.length).toBeGreaterThan(0);
    for (const map of maps) {
      const m = JSON.parse(readFileSync(join(root, ".pack", map), "utf8")) as {
        sources: string[];
        sourcesContent?: string[];
      };
      expect(m.sourcesContent?.length, map).toBe(m.sources.length);
    }
  }, 180_000);

  it("keeps prepare in the repository, so that npm install in a clone builds", () => {
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(manifest.scripts.prepare).toBe("npm run build");
  });
});
