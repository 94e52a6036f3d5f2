/**
 * Packs the package as users get it (scripts/pack.mjs: the staged copy without scripts or
 * devDependencies) once per test file, from the current build.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));

let tarball: string | undefined;

/** Path of the packed .tgz. */
export function packedTarball(): string {
  tarball ??= execFileSync(process.execPath, ["scripts/pack.mjs", "--print"], {
    cwd: root,
    encoding: "utf8",
  }).trim();
  return tarball;
}
