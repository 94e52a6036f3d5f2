/// <reference types="node" />
/**
 * Node helpers, `import { saveFile, loadFile } from "wasmgrad/node"`: a thin layer of `node:fs`
 * over `save` and `load`, which stay runtime-neutral. Synchronous like torch's `save_file` /
 * `load_file`, so they also work inside `tidy`. File-system errors (ENOENT, EACCES, ...) are
 * Node's own, with their `code`.
 */
import { readFileSync, writeFileSync } from "node:fs";
// Through the package's index, so that the CommonJS build (scripts/build-cjs.mjs) shares it.
import { load, save, type Tensor, WasmgradError } from "./index.js";

/**
 * A `file:` URL (Node's `URL`), described by shape so that these types need neither @types/node
 * nor the DOM lib.
 */
export interface FileUrl {
  /** The whole URL. */
  readonly href: string;
  /** "file:" (other protocols are refused). */
  readonly protocol: string;
  /** The path, percent-encoded. */
  readonly pathname: string;
}

function checkPath(op: string, path: string | FileUrl): asserts path is string | URL {
  if (typeof path !== "string" && !(path instanceof URL)) {
    throw new WasmgradError(
      `${op}: path must be a string or a file: URL but got ${path === null ? "null" : typeof path}`,
    );
  }
}

/**
 * Writes `stateDict` to `path` as safetensors (the state dict is checked before the file opens).
 *
 * PyTorch: `safetensors.torch.save_file`.
 *
 * @example
 * ```ts
 * saveFile("model.safetensors", model.stateDict()); // from "wasmgrad/node"
 * ```
 */
export function saveFile(path: string | FileUrl, stateDict: Record<string, Tensor>): void {
  checkPath("saveFile", path);
  writeFileSync(path, save(stateDict));
}

/**
 * Reads a safetensors file into float32 tensors keyed by name (see `load`).
 *
 * PyTorch: `safetensors.torch.load_file`.
 *
 * @example
 * ```ts
 * model.loadStateDict(loadFile("model.safetensors")); // from "wasmgrad/node"
 * ```
 */
export function loadFile(path: string | FileUrl): Record<string, Tensor> {
  checkPath("loadFile", path);
  return load(readFileSync(path));
}
