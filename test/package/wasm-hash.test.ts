/**
 * The source hash that keeps tests off stale kernel binaries (scripts/wasm-hash.mjs, recorded by
 * scripts/build-wasm.mjs, checked by test/helpers/global-setup.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assemblyHash, recordedHash, root } from "../../scripts/wasm-hash.mjs";

const dir = mkdtempSync(join(tmpdir(), "wasmgrad-hash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tree(files: Record<string, string>): string {
  const d = mkdtempSync(join(dir, "t"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(d, path, ".."), { recursive: true });
    writeFileSync(join(d, path), text);
  }
  return d;
}

describe("assemblyHash", () => {
  const base = {
    "asconfig.json": "{}\n",
    "assembly/index.ts": "export * from './kernels/a';\n",
    "assembly/kernels/a.ts": "export function a(): void {}\n",
  };

  it("changes with any kernel source or asconfig.json, not with line endings", () => {
    const h = assemblyHash(tree(base));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(assemblyHash(tree(base))).toBe(h);
    expect(assemblyHash(tree({ ...base, "assembly/kernels/a.ts": "// edit\n" }))).not.toBe(h);
    expect(assemblyHash(tree({ ...base, "asconfig.json": '{"options":{}}\n' }))).not.toBe(h);
    expect(assemblyHash(tree({ ...base, "assembly/kernels/b.ts": "" }))).not.toBe(h);
    const crlf = Object.fromEntries(
      Object.entries(base).map(([k, v]) => [k, v.replace(/\n/g, "\r\n")]),
    );
    expect(assemblyHash(tree(crlf))).toBe(h);
  });

  it("is what the generated module the tests run records", () => {
    const d = tree({ "g.ts": 'export const assemblyHash = "00ff";\n' });
    expect(recordedHash(join(d, "g.ts"))).toBe("00ff");
    expect(recordedHash(join(d, "missing.ts"))).toBeUndefined();
    // The global setup rebuilt the binaries if they were stale.
    const generated = join(root, "src/backend/generated/wasm.ts");
    expect(recordedHash(generated)).toBe(assemblyHash(root));
  });
});
