// The peer: TensorFlow.js on its WASM backend (XNNPACK kernels), pinned to SIMD and one thread so
// that it runs under the same conditions as wasmgrad. Reports which .wasm binary it really loaded,
// because tfjs silently falls back to its non-SIMD build when the engine lacks SIMD.
//
// Training needs tfjs's gradient table, which tfjs-core's Node build does not contain: the
// @tensorflow/tfjs umbrella package (not a dependency here) or a bundler would register it from
// tfjs-core's ESM file dist/register_all_gradients.js. Node cannot load that file as it ships
// (extensionless imports, no "type": "module"), so tfjs-esm-hooks.mjs resolves it the way a
// bundler would. Its ops go through the same engine, registries and WASM kernels as `tf`, since
// tfjs keeps those on globalThis; the MLP case's check confirms the losses match wasmgrad's.
import fs from "node:fs";
import { createRequire, register } from "node:module";
import { basename, dirname, join } from "node:path";
import { getThreadsCount, setThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";

const require = createRequire(import.meta.url);

/** Initializes tfjs-wasm (SIMD, 1 thread) and returns `{ tf, info }`. */
export async function initTfjs() {
  const pkgDir = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
  // A trailing separator matters: tfjs concatenates prefix + file name.
  setWasmPaths(`${join(pkgDir, "dist")}/`);
  setThreadsCount(1);
  register("./tfjs-esm-hooks.mjs", import.meta.url);
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  if (tf.getGradient("BatchMatMul") === undefined) {
    throw new Error("tfjs gradients did not register");
  }

  // Emscripten's Node path reads the binary with fs.readFileSync; watch it during init only.
  const loaded = [];
  const readFileSync = fs.readFileSync;
  fs.readFileSync = function watched(file, ...rest) {
    if (String(file).endsWith(".wasm")) loaded.push(basename(String(file)));
    return readFileSync.call(this, file, ...rest);
  };
  try {
    if (!(await tf.setBackend("wasm"))) throw new Error("tf.setBackend('wasm') failed");
    await tf.ready();
  } finally {
    fs.readFileSync = readFileSync;
  }

  const flags = tf.env().getFlags();
  const info = {
    tfjsCore: tf.version_core,
    backend: tf.getBackend(),
    simd: flags.WASM_HAS_SIMD_SUPPORT === true,
    multithreadSupport: flags.WASM_HAS_MULTITHREAD_SUPPORT === true,
    threads: getThreadsCount(),
    wasmFile: loaded.length > 0 ? loaded.join(", ") : "(not observed)",
    flags,
  };
  if (info.backend !== "wasm") throw new Error(`tfjs backend is ${info.backend}, expected wasm`);
  return { tf, info };
}
