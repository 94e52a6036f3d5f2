/**
 * The built package as users load it: `import` and `require` by name in a separate Node process
 * (the package resolves itself through its `exports` map), with no path setup.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Node 20 needs a flag for relaxed SIMD; Node 22+ has it on and refuses the flag. */
const relaxedFlag =
  Number(process.versions.node.split(".")[0]) < 22 ? ["--experimental-wasm-relaxed-simd"] : [];

import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

function run(args: string[]): { out: string; err: string; status: number | null } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  return { out: r.stdout.trim(), err: r.stderr, status: r.status };
}

describe("the built package", () => {
  it("has been built (npm install / npm run build)", () => {
    expect(existsSync(`${root}/dist/index.js`)).toBe(true);
    expect(existsSync(`${root}/dist/index.d.ts`)).toBe(true);
  });

  it("works with import, ready to use without awaiting anything", () => {
    const r = run([
      "--input-type=module",
      "-e",
      'import * as wg from "wasmgrad"; const y = wg.tensor([[1, 2], [3, 4]]).matmul(wg.eye(2)); console.log(JSON.stringify([y.toArray(), wg.backendInfo().simd]));',
    ]);
    expect(r.err).toBe("");
    expect(JSON.parse(r.out)).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
      true,
    ]);
  });

  it("works with require on Node >= 20.19", () => {
    const r = run([
      "-e",
      'const wg = require("wasmgrad"); console.log(wg.ones([3]).sum().item());',
    ]);
    expect(r.err).toBe("");
    expect(r.out).toBe("3");
  });

  it("picks the relaxed-SIMD build where the engine validates it", () => {
    const on = run([
      ...relaxedFlag,
      "--input-type=module",
      "-e",
      'import * as wg from "wasmgrad"; console.log(wg.backendInfo().relaxedSimd);',
    ]);
    expect(on.out).toBe("true");
    const forced = spawnSync(
      process.execPath,
      [
        ...relaxedFlag,
        "--input-type=module",
        "-e",
        'import * as wg from "wasmgrad"; console.log(wg.backendInfo().relaxedSimd);',
      ],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, WASMGRAD_SIMD: "baseline" },
      },
    );
    expect(forced.stdout.trim()).toBe("false");
  });
});
