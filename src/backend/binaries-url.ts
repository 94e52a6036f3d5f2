/**
 * The kernel binaries for the opt-in `wasmgrad/url` entry: loaded as .wasm files (top-level
 * await) instead of inlined, for the smallest bundle. Same exports as ./binaries.ts, which
 * scripts/build-bundles.mjs swaps for this module when it bundles dist/url.js.
 *
 * The files are dist/wasm/wasmgrad-{relaxed,simd}.wasm next to dist/url.js, found through
 * `new URL("./wasm/...", import.meta.url)` (Node, Deno, Vite and webpack 5 understand it), or
 * under `globalThis.WASMGRAD_WASM_URL` (a base URL ending in "/") when that is set first, for
 * bundlers that do not copy such assets (esbuild).
 */
export type Variant = "simd" | "relaxed";

interface NodeFs {
  readFileSync(u: URL): Uint8Array;
}

/** Where node:fs is (Node >= 20.16, Deno, Bun), without an import that bundlers would follow. */
function nodeFs(): NodeFs | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return p?.getBuiltinModule?.("node:fs") as NodeFs | undefined;
}

function forcedBaseline(): boolean {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env;
    return env?.WASMGRAD_SIMD === "baseline";
  } catch {
    return false; // Deno without --allow-env
  }
}

async function load(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const base = (globalThis as { WASMGRAD_WASM_URL?: unknown }).WASMGRAD_WASM_URL;
  const url =
    typeof base === "string" ? new URL(file, base) : new URL(`./wasm/${file}`, import.meta.url);
  try {
    const fs = url.protocol === "file:" ? nodeFs() : undefined;
    if (fs !== undefined) return new Uint8Array(fs.readFileSync(url));
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  } catch (cause) {
    throw new Error(
      `wasmgrad/url: could not load ${url.href} (set globalThis.WASMGRAD_WASM_URL to the folder that holds wasmgrad-simd.wasm and wasmgrad-relaxed.wasm)`,
      { cause },
    );
  }
}

// The relaxed build where the engine validates it, else the baseline: one download either way.
const loaded = new Map<Variant, Uint8Array<ArrayBuffer>>();
if (!forcedBaseline()) {
  const relaxed = await load("wasmgrad-relaxed.wasm");
  if (WebAssembly.validate(relaxed)) loaded.set("relaxed", relaxed);
}
if (!loaded.has("relaxed")) loaded.set("simd", await load("wasmgrad-simd.wasm"));

/** The binary of a build; only the one this engine runs was loaded. */
export function bytesOf(variant: Variant): Uint8Array<ArrayBuffer> {
  const bytes = loaded.get(variant);
  if (bytes === undefined)
    throw new Error(`wasmgrad/url: the ${variant} build was not loaded (this engine rejects it)`);
  return bytes;
}
