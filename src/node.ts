/// <reference types="node" />
/**
 * Node helpers, `import { saveFile, loadFile } from "wasmgrad/node"`: a thin layer of `node:fs`
 * over `save` and `load`, which stay runtime-neutral. Synchronous like torch's `save_file` /
 * `load_file`, so they also work inside `tidy`. File-system errors (ENOENT, EACCES, ...) are
 * Node's own, with their `code`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { WasmgradError } from "./errors.js";
import { load, save } from "./io/safetensors.js";
import type { Tensor } from "./tensor.js";

function checkPath(op: string, path: string | URL): void {
  if (typeof path !== "string" && !(path instanceof URL)) {
    throw new WasmgradError(
      `${op}: path must be a string or a file: URL but got ${path === null ? "null" : typeof path}`,
    );
  }
}

/** Writes `stateDict` to `path` as safetensors (the state dict is checked before the file opens). */
export function saveFile(path: string | URL, stateDict: Record<string, Tensor>): void {
  checkPath("saveFile", path);
  writeFileSync(path, save(stateDict));
}

/** Reads a safetensors file into float32 tensors keyed by name (see `load`). */
export function loadFile(path: string | URL): Record<string, Tensor> {
  checkPath("loadFile", path);
  return load(readFileSync(path));
}
