/**
 * The kernel binaries, inlined: src/backend/generated/wasm.ts holds the baseline build deflated
 * and the relaxed build as a deflated delta against it (together about a quarter of the two
 * binaries' size). They are rebuilt synchronously on first use. The `wasmgrad/url` entry replaces
 * this module with ./binaries-url.ts (scripts/build-bundles.mjs), which has the same exports.
 */
import { relaxedWasm, simdWasm } from "./generated/wasm.js";
import { applyDelta, inflateRaw } from "./inflate.js";

export type Variant = "simd" | "relaxed";

interface NodeBuiltins {
  Buffer: { from(text: string, encoding: "base64"): Uint8Array };
  inflateRawSync(data: Uint8Array): Uint8Array;
}

/**
 * Node's Buffer and zlib where the runtime has them (Node >= 20.16, Bun, Deno): native decoding
 * is many times faster than atob and inflate.ts on a cold start. Reached through
 * process.getBuiltinModule, so that no bundler follows an import of node:zlib.
 */
function nodeBuiltins(): NodeBuiltins | undefined {
  try {
    const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const buffer = p?.getBuiltinModule?.("node:buffer") as { Buffer?: NodeBuiltins["Buffer"] };
    const zlib = p?.getBuiltinModule?.("node:zlib") as Partial<NodeBuiltins> | undefined;
    if (buffer?.Buffer === undefined || zlib?.inflateRawSync === undefined) return undefined;
    return { Buffer: buffer.Buffer, inflateRawSync: zlib.inflateRawSync };
  } catch {
    return undefined;
  }
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** base64 of raw DEFLATE -> `size` bytes. */
function unpack(text: string, size: number): Uint8Array<ArrayBuffer> {
  const node = nodeBuiltins();
  if (node === undefined) return inflateRaw(decodeBase64(text), size);
  const out = new Uint8Array(size);
  const inflated = node.inflateRawSync(node.Buffer.from(text, "base64"));
  if (inflated.length !== size) throw new Error("wasmgrad: corrupt inlined kernel binary");
  out.set(inflated);
  return out;
}

const decoded = new Map<Variant, Uint8Array<ArrayBuffer>>();

/** The binary of a build, rebuilt from its inlined form once and kept. */
export function bytesOf(variant: Variant): Uint8Array<ArrayBuffer> {
  let bytes = decoded.get(variant);
  if (bytes === undefined) {
    if (variant === "simd") bytes = unpack(simdWasm[0], simdWasm[1]);
    else {
      const [data, size, deltaSize] = relaxedWasm;
      bytes = applyDelta(bytesOf("simd"), unpack(data, deltaSize), size);
    }
    decoded.set(variant, bytes);
  }
  return bytes;
}
