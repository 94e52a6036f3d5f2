import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";

const nodeMajor = Number(process.versions.node.split(".")[0]);
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(chromium);
if (!haveChromium) {
  if (process.env.CI)
    throw new Error(`browser tests need Chromium at ${chromium} (apt-get install -y chromium)`);
  console.warn(
    `wasmgrad: browser tests skipped: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH)`,
  );
}

/** The two headers that make a page crossOriginIsolated, which SharedArrayBuffer needs. */
const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/**
 * WASMGRAD_DEBUG_WASM=1 runs every project on the debug build of the kernels (assertions and
 * bounds checks on; scripts/build-wasm.mjs --debug, built by the global setup when missing or
 * stale) by aliasing the generated module to it. The node-debug project always does.
 */
const debugWasm = process.env.WASMGRAD_DEBUG_WASM === "1";

function aliases(debug: boolean) {
  return [
    { find: "wasmgrad", replacement: fileURLToPath(new URL("./src/index.ts", import.meta.url)) },
    ...(debug
      ? [
          {
            find: /^\.\/generated\/wasm\.js$/,
            replacement: fileURLToPath(
              new URL("./src/backend/generated/wasm-debug.ts", import.meta.url),
            ),
          },
        ]
      : []),
  ];
}
const alias = aliases(debugWasm);
/** Checks, and rebuilds when stale, the binaries a project runs (test/helpers/global-setup.ts). */
const globalSetup = ["test/helpers/global-setup.ts"];
const debugEnv: Record<string, string> = debugWasm ? { WASMGRAD_DEBUG_WASM: "1" } : {};

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: process.env.CI
      ? ["default", ["json", { outputFile: "test-report.json" }]]
      : ["default"],
    projects: [
      // The whole suite twice: with threads (2, every sgemm with more than one block split) and
      // without (WASMGRAD_THREADS=1: one thread, plain ops).
      nodeProject("node", { WASMGRAD_THREADS: "2" }),
      // Raw-kernel tests that never touch the facade run the same without threads: gemm's
      // (the slowest file) runs in the other projects only, as do the API reference's (TypeDoc
      // and tsc over the doc comments, which threads do not change).
      nodeProject("node-1thread", { WASMGRAD_THREADS: "1" }, undefined, [
        "test/kernels/gemm.test.ts",
        "test/docs/**",
      ]),
      // The kernel tests and the fuzzer again on the debug build (assertions and bounds checks
      // on), with threads.
      nodeProject("node-debug", { WASMGRAD_THREADS: "2", WASMGRAD_DEBUG_WASM: "1" }, [
        "test/kernels/**/*.test.ts",
        "test/fuzz/**/*.test.ts",
      ]),
      // Chromium twice: a cross-origin isolated page (COOP/COEP headers) where threads run, and
      // a plain page where they cannot and wasmgrad falls back to one thread.
      ...(haveChromium
        ? [
            browserProject("browser", ["test/browser/**/*.test.ts"], isolationHeaders),
            browserProject("browser-noniso", ["test/browser-noniso/**/*.test.ts"], {}),
          ]
        : []),
    ],
  },
});

function nodeProject(
  name: string,
  env: Record<string, string>,
  include = ["test/**/*.test.ts"],
  exclude: string[] = [],
) {
  const debug = debugWasm || env.WASMGRAD_DEBUG_WASM === "1";
  return {
    resolve: { alias: aliases(debug) },
    test: {
      name,
      include,
      exclude: ["test/browser/**", "test/browser-noniso/**", ...exclude],
      env: { ...debugEnv, ...env },
      globalSetup,
      setupFiles: ["test/helpers/threads-setup.ts"],
      // Relaxed SIMD is behind a flag in Node 20; with it, both kernel builds are tested.
      // Node 22+ has it on and refuses the flag.
      execArgv: [...(nodeMajor < 22 ? ["--experimental-wasm-relaxed-simd"] : []), "--expose-gc"],
      testTimeout: 60_000,
    },
  };
}

function browserProject(name: string, include: string[], headers: Record<string, string>) {
  return {
    resolve: { alias },
    server: { headers },
    test: {
      name,
      include,
      env: debugEnv,
      globalSetup,
      testTimeout: 60_000,
      browser: {
        enabled: true,
        headless: true,
        provider: playwright({
          launchOptions: {
            executablePath: chromium,
            args: [
              "--no-sandbox",
              "--disable-gpu",
              "--disable-dev-shm-usage",
              "--disable-background-networking",
              "--no-first-run",
              "--disable-component-update",
              "--disable-sync",
            ],
          },
        }),
        instances: [{ browser: "chromium" as const }],
      },
    },
  };
}
