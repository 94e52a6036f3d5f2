/**
 * The built package's `wasmgrad/node` subpath, as users load it: a separate Node process
 * imports (and requires) it by name through the `exports` map, and the tensors it loads are the
 * same class as the root entry's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "wasmgrad-package-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): { out: string; err: string } {
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: "utf8" });
  return { out: r.stdout.trim(), err: r.stderr };
}

describe("the built package: wasmgrad/node", () => {
  it("has been built (npm run build)", () => {
    expect(existsSync(join(root, "dist/node.js"))).toBe(true);
    expect(existsSync(join(root, "dist/node.d.ts"))).toBe(true);
  });

  it("works with import: saveFile, then loadFile gives wasmgrad Tensors", () => {
    const path = JSON.stringify(join(dir, "imported.safetensors"));
    const r = run([
      "--input-type=module",
      "-e",
      `import * as wg from "wasmgrad"; import { saveFile, loadFile } from "wasmgrad/node";
       saveFile(${path}, { "0.weight": wg.tensor([[1, 2], [3, 4]]), s: wg.tensor(5) });
       const sd = loadFile(${path});
       console.log(JSON.stringify([Object.keys(sd).sort(), sd["0.weight"].toArray(), sd.s.item(), sd.s instanceof wg.Tensor]));`,
    ]);
    expect(r.err).toBe("");
    expect(JSON.parse(r.out)).toEqual([
      ["0.weight", "s"],
      [
        [1, 2],
        [3, 4],
      ],
      5,
      true,
    ]);
  });

  it("works with require, and a malformed file throws the package's WasmgradError", () => {
    const path = JSON.stringify(join(dir, "required.safetensors"));
    const r = run([
      "-e",
      `const wg = require("wasmgrad"); const { saveFile, loadFile } = require("wasmgrad/node");
       require("node:fs").writeFileSync(${path}, new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 91, 93]));
       try { loadFile(${path}); } catch (e) { console.log(e instanceof wg.WasmgradError, e.message); }`,
    ]);
    expect(r.err).toBe("");
    expect(r.out).toBe("true load: the header must be a JSON object but is an array");
  });
});
