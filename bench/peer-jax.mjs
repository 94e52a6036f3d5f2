// @ts-check
// jax-js (the wasm backend) for bench/gemm.mjs: a peer like tfjs-wasm (bench/peer-tfjs.mjs).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/**
 * Loads jax-js on its wasm device. Returns `{ jax, info }`: `jax` the module (null when it is
 * unavailable), `info` its version, whether it is available and why not, and its threads.
 */
export async function initJax() {
  /** @type {typeof import("@jax-js/jax") | null} */
  let jax = null;
  /** @type {{ available: boolean, reason: string | null, version: string | null, threads?: "workers" | 1 }} */
  const jaxInfo = { available: false, reason: null, version: null };
  try {
    jaxInfo.version = JSON.parse(
      readFileSync(join(dirname(require.resolve("@jax-js/jax")), "../package.json"), "utf8"),
    ).version;
    const mod = await import("@jax-js/jax");
    // init() with no argument probes WebGPU through `navigator`, which Node 20 lacks.
    const devices = await mod.init("wasm");
    if (!devices.includes("wasm"))
      throw new Error(`jax-js init("wasm") gave ${devices.join(", ")}`);
    mod.defaultDevice("wasm");
    jax = mod;
    jaxInfo.available = true;
    // jax-js spreads work over Web Workers only when both SharedArrayBuffer and a global Worker
    // exist; Node has no global Worker, so it runs on this thread.
    jaxInfo.threads =
      typeof SharedArrayBuffer !== "undefined" && typeof Worker !== "undefined" ? "workers" : 1;
  } catch (e) {
    jaxInfo.reason = String(/** @type {Error} */ (e)?.message ?? e);
  }
  return { jax, info: jaxInfo };
}
