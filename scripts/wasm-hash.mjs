// @ts-check
// The hash of what the kernel binaries are built from: every file under assembly/ and
// asconfig.json. scripts/build-wasm.mjs records it in the generated module; the test setup
// (test/helpers/global-setup.ts) compares it with the sources so that no test runs a stale
// binary.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** sha256 (hex) over the sorted relative paths and contents of the kernel sources. */
export function assemblyHash(dir = root) {
  /** @type {string[]} */
  const files = [join(dir, "asconfig.json")];
  const walk = (/** @type {string} */ d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else files.push(join(d, e.name));
    }
  };
  walk(join(dir, "assembly"));
  const hash = createHash("sha256");
  for (const f of files.map((f) => relative(dir, f).split("\\").join("/")).sort()) {
    hash.update(`${f}\0`);
    // Line endings as checked out (a Windows clone with autocrlf) do not change the hash.
    hash.update(readFileSync(join(dir, f), "utf8").replace(/\r\n/g, "\n"));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/**
 * The hash a generated module (src/backend/generated/wasm.ts or wasm-debug.ts) records, or
 * undefined when the file is missing or records none.
 * @param {string} file
 */
export function recordedHash(file) {
  try {
    return /export const assemblyHash = "([0-9a-f]+)"/.exec(readFileSync(file, "utf8"))?.[1];
  } catch {
    return undefined;
  }
}
