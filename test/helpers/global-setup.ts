/**
 * Runs once per vitest project before its tests: the kernel binaries the project runs
 * (src/backend/generated/wasm.ts, or wasm-debug.ts under WASMGRAD_DEBUG_WASM=1) must have been
 * built from the assembly/ sources as they are now. A stale or missing build is rebuilt
 * (scripts/build-wasm.mjs, which also runs the kernel ABI check); with WASMGRAD_NO_REBUILD=1 the
 * run fails instead, naming the command to run.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { assemblyHash, recordedHash, root } from "../../scripts/wasm-hash.mjs";

export default function setup(project: TestProject): void {
  const env = project.config.env as Record<string, string | undefined> | undefined;
  ensureFresh(env?.WASMGRAD_DEBUG_WASM === "1");
}

export function ensureFresh(debug: boolean): void {
  const name = `src/backend/generated/${debug ? "wasm-debug.ts" : "wasm.ts"}`;
  const got = recordedHash(join(root, name));
  if (got !== undefined && got === assemblyHash(root)) return;
  const why =
    got === undefined
      ? `${name} is missing`
      : `${name} was built from other kernel sources than assembly/ now holds`;
  const args = ["scripts/build-wasm.mjs", ...(debug ? ["--debug"] : [])];
  const command = `node ${args.join(" ")}`;
  if (process.env.WASMGRAD_NO_REBUILD === "1")
    throw new Error(`wasmgrad tests: ${why}; run \`${command}\` first`);
  console.warn(`wasmgrad tests: ${why}; rebuilding (${command})`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`wasmgrad tests: \`${command}\` failed (${why})`);
}
