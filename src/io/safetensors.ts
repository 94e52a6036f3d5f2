/**
 * save / load in the safetensors format (https://github.com/huggingface/safetensors), byte for
 * byte as its reference implementation writes it and with every check its reader makes:
 *
 *   8 bytes   N, a little-endian u64
 *   N bytes   UTF-8 JSON object: name -> {"dtype", "shape", "data_offsets": [begin, end]}, plus an
 *             optional "__metadata__" string -> string map; padded with spaces to a multiple of 8
 *   the rest  the data buffer, little-endian and row-major; offsets are relative to its start
 *
 * Sorted by offset, the tensors must tile the data buffer exactly: the first begins at 0, each
 * begins where the previous one ends (no holes, no overlaps) and the last ends at the end of the
 * file. The loader treats the file as untrusted: everything above is checked before anything
 * is allocated, so a malformed file throws a WasmgradError and never reads out of bounds.
 *
 * float32, int32 and bool tensors are saved as F32, I32 and BOOL and load back with their
 * dtype. The other dtypes load as float32: F16 and BF16 convert exactly, F64 rounds to nearest
 * (a finite value beyond float32's range is rejected rather than turned into an infinity), and
 * the other integer dtypes round to nearest, which is exact for |v| <= 2^24 (PyTorch's
 * `.float()` does the same).
 *
 * The header's strict JSON reader is ./json.ts; the dtypes and their decoders are
 * ./safetensors-dtypes.ts.
 */
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type Json, JsonNumber, JsonParser, jsonKind, quote } from "./json.js";
import { DTYPES, type DtypeSpec, SAVED, UNCONVERTED } from "./safetensors-dtypes.js";

/** The reference reader rejects larger headers (HeaderTooLarge). */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = "__metadata__";

// ------------------------------------------------------------------------------------ save

/**
 * Serialises a state dict (e.g. `model.stateDict()`) as safetensors: float32, int32 and bool
 * tensors as F32, I32 and BOOL, laid out as the reference writer lays them out (F32 first, then
 * I32, then BOOL, each group sorted by name in UTF-8 byte order), and
 * `__metadata__: {"format": "pt"}` plus the string entries of `metadata`, as safetensors'
 * `save_file(tensors, metadata)`.
 *
 * PyTorch: `safetensors.torch.save`.
 *
 * @example
 * ```ts
 * const bytes = wg.save(model.stateDict()); // a Uint8Array in safetensors format
 * ```
 */
export function save(
  stateDict: Record<string, Tensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = checkStateDict(stateDict);
  entries.sort(
    ([a, x], [b, y]) => SAVED[y.dtype].rank - SAVED[x.dtype].rank || compareCodePoints(a, b),
  );
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new WasmgradError(
      `save: metadata must be an object of strings but got ${describe(metadata)}`,
    );
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") {
      throw new WasmgradError(
        `save: metadata values must be strings but ${quote(k)} is ${describe(v)}`,
      );
    }
    // JSON.stringify escapes a lone surrogate as \udXXX, which the reference reader (and load)
    // refuse: the file would be written but never read back.
    for (const [what, text] of [
      ["key", k],
      ["value", v],
    ] as const) {
      if (/\p{Surrogate}/u.test(text)) {
        throw new WasmgradError(
          `save: the metadata ${what} ${quote(text)} contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode`,
        );
      }
    }
  }
  let json = `{"${METADATA_KEY}":${JSON.stringify({ format: "pt", ...metadata })}`;
  let dataBytes = 0;
  for (const [name, t] of entries) {
    const saved = SAVED[t.dtype];
    const end = dataBytes + t.numel() * saved.bytes;
    json += `,${JSON.stringify(name)}:{"dtype":"${saved.name}","shape":[${t.shape.join(",")}],"data_offsets":[${dataBytes},${end}]}`;
    dataBytes = end;
  }
  json += "}";
  const header = new TextEncoder().encode(json);
  const headerBytes = header.length + ((8 - (header.length % 8)) % 8);
  if (headerBytes > MAX_HEADER_BYTES) {
    throw new WasmgradError(
      `save: the header would be ${headerBytes} bytes, over the ${MAX_HEADER_BYTES}-byte limit that safetensors readers accept (${entries.length} tensors)`,
    );
  }
  const total = 8 + headerBytes + dataBytes;
  let out: Uint8Array;
  try {
    out = new Uint8Array(total);
  } catch (cause) {
    throw new WasmgradError(
      `save: cannot allocate a ${total}-byte file for ${entries.length} tensors`,
      { cause },
    );
  }
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes, true);
  view.setUint32(4, 0, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + headerBytes);

  let at = 8 + headerBytes;
  for (const [, t] of entries) {
    const ptr = t._rawPtr("save"); // may allocate (a lazy transposed view): take the view after
    const n = t.numel();
    if (t.dtype === "bool") {
      // bool elements are stored as float 0/1; BOOL is one byte 0/1 each.
      const f32 = backend.f32();
      for (let i = 0; i < n; i++) out[at + i] = f32[(ptr >>> 2) + i] !== 0 ? 1 : 0;
      at += n;
    } else {
      out.set(backend.u8().subarray(ptr, ptr + n * 4), at);
      at += n * 4;
    }
  }
  return out;
}

function checkStateDict(stateDict: Record<string, Tensor>): [string, Tensor][] {
  const proto =
    stateDict !== null && typeof stateDict === "object" ? Object.getPrototypeOf(stateDict) : 0;
  if (proto !== Object.prototype && proto !== null) {
    throw new WasmgradError(
      `save: expected a state dict (a plain object mapping names to Tensors, e.g. model.stateDict()) but got ${describe(stateDict)}`,
    );
  }
  const entries = Object.entries(stateDict);
  for (const [name, t] of entries) {
    if (!(t instanceof Tensor)) {
      throw new WasmgradError(
        `save: the value for ${quote(name)} must be a Tensor but got ${describe(t)}`,
      );
    }
    if (t.isDisposed) {
      throw new WasmgradError(
        `save: the tensor for ${quote(name)} was disposed (shape ${fmt(t.shape)})`,
      );
    }
    if (!Object.hasOwn(SAVED, t.dtype)) {
      throw new WasmgradError(
        `save: the tensor for ${quote(name)} has dtype ${quote(String(t.dtype))}, which has no safetensors dtype here (float32, int32 and bool do)`,
      );
    }
    if (name === METADATA_KEY) {
      throw new WasmgradError(
        `save: ${quote(name)} is reserved by the safetensors format and cannot name a tensor`,
      );
    }
    if (/[\ud800-\udfff]/u.test(name)) {
      throw new WasmgradError(
        `save: the name ${quote(name)} contains an unpaired UTF-16 surrogate, which UTF-8 cannot encode`,
      );
    }
  }
  return entries;
}

/** Code point order, which is the UTF-8 byte order that the reference writer sorts names by. */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate starts a code point above U+FFFF, which sorts after every BMP character,
    // including U+E000..U+FFFF whose UTF-16 units are larger than the surrogates'.
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// ------------------------------------------------------------------------------------ load

interface Entry {
  name: string;
  dtype: string;
  spec: DtypeSpec;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file into tensors keyed by name, in header order: F32, I32 and BOOL
 * tensors keep their dtype (float32, int32, bool), every other dtype becomes float32. The
 * tensors belong to the caller (inside `tidy`, they follow tidy's rules).
 *
 * PyTorch: `safetensors.torch.load`.
 *
 * @example
 * ```ts
 * const state = wg.load(wg.save({ w: wg.ones(2) })); // { w: Tensor [2] }
 * ```
 */
export function load(bytes: Uint8Array | ArrayBuffer): Record<string, Tensor> {
  let file: Uint8Array;
  if (bytes instanceof Uint8Array) file = bytes;
  else if (bytes instanceof ArrayBuffer) file = new Uint8Array(bytes);
  else {
    throw new WasmgradError(
      `load: expected the file's bytes as a Uint8Array or ArrayBuffer but got ${describe(bytes)}`,
    );
  }
  // Allocating tensors may grow (and so detach) WASM memory: never read from inside it.
  if (file.buffer === backend.memory.buffer) file = file.slice();

  const { entries, dataStart } = readHeader(file);
  const out: Record<string, Tensor> = {};
  const made: Tensor[] = [];
  try {
    for (const e of entries) {
      const t = Tensor._empty("load", e.shape, e.spec.dtype);
      made.push(t);
      e.spec.decode(file, dataStart + e.begin, t.numel(), t._rawPtr("load") >>> 2, e.name);
      // defineProperty: a tensor named "__proto__" must become an own key, not the prototype.
      Object.defineProperty(out, e.name, {
        value: t,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  } catch (error) {
    for (const t of made) t.dispose();
    throw error;
  }
  return out;
}

/**
 * The `__metadata__` map of a safetensors file (e.g. `{ format: "pt" }` and what `save` was
 * given), read from its header after the same checks `load` makes; no tensor is created.
 *
 * PyTorch: `safetensors.safe_open(...).metadata()`.
 *
 * @example
 * ```ts
 * wg.loadMetadata(wg.save({ w: wg.ones(1) }, { epoch: "3" })); // { epoch: "3" }
 * ```
 *
 * PyTorch: `safetensors.safe_open(...).metadata()`.
 */
export function loadMetadata(bytes: Uint8Array | ArrayBuffer): Record<string, string> {
  let file: Uint8Array;
  if (bytes instanceof Uint8Array) file = bytes;
  else if (bytes instanceof ArrayBuffer) file = new Uint8Array(bytes);
  else {
    throw new WasmgradError(
      `loadMetadata: expected the file's bytes as a Uint8Array or ArrayBuffer but got ${describe(bytes)}`,
    );
  }
  return readHeader(file).metadata;
}

/** Validates everything but the element values; returns the tensors in header order. */
function readHeader(file: Uint8Array): {
  entries: Entry[];
  dataStart: number;
  metadata: Record<string, string>;
} {
  if (file.length < 8) {
    throw new WasmgradError(
      `load: the file is ${file.length} bytes, too short for the 8-byte header length that starts a safetensors file`,
    );
  }
  const view = new DataView(file.buffer, file.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  const n = high * 2 ** 32 + low; // exact below 2^53, and anything above is rejected anyway
  if (high !== 0 || n > MAX_HEADER_BYTES) {
    throw new WasmgradError(
      `load: the header length is ${(BigInt(high) << 32n) | BigInt(low)} bytes, over the ${MAX_HEADER_BYTES}-byte limit (is this a safetensors file?)`,
    );
  }
  if (n > file.length - 8) {
    throw new WasmgradError(
      `load: the header length is ${n} bytes but only ${file.length - 8} bytes follow the length field (truncated file?)`,
    );
  }
  let text: string;
  try {
    // Browsers' TextDecoder refuses views of a SharedArrayBuffer: decode a copy of those.
    const header = file.subarray(8, 8 + n);
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(
      header.buffer instanceof ArrayBuffer ? header : header.slice(),
    );
  } catch (cause) {
    throw new WasmgradError("load: the header is not valid UTF-8", { cause });
  }
  const root = new JsonParser(text).parse();
  if (!(root instanceof Map)) {
    throw new WasmgradError(`load: the header must be a JSON object but is ${jsonKind(root)}`);
  }
  const entries: Entry[] = [];
  const metadata: Record<string, string> = {};
  for (const [name, info] of root) {
    if (name === METADATA_KEY) checkMetadata(info, metadata);
    else entries.push(tensorInfo(name, info));
  }
  checkLayout(entries, file.length - 8 - n);
  return { entries, dataStart: 8 + n, metadata };
}

function checkMetadata(info: Json, out: Record<string, string>): void {
  if (info === null) return; // the reference reader accepts null as "no metadata"
  if (!(info instanceof Map)) {
    throw new WasmgradError(
      `load: "${METADATA_KEY}" must be an object mapping strings to strings but is ${jsonKind(info)}`,
    );
  }
  for (const [key, value] of info) {
    if (typeof value !== "string") {
      throw new WasmgradError(
        `load: "${METADATA_KEY}" values must be strings but ${quote(key)} is ${jsonKind(value)}`,
      );
    }
    Object.defineProperty(out, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
}

function tensorInfo(name: string, info: Json): Entry {
  const where = `load: tensor ${quote(name)}`;
  if (!(info instanceof Map)) {
    throw new WasmgradError(
      `${where}: expected an object {dtype, shape, data_offsets} but got ${jsonKind(info)}`,
    );
  }
  const field = (key: string): Json => {
    const value = info.get(key);
    if (value === undefined) throw new WasmgradError(`${where}: missing "${key}"`);
    return value;
  };
  const dtype = field("dtype");
  if (typeof dtype !== "string") {
    throw new WasmgradError(`${where}: dtype must be a string but is ${jsonKind(dtype)}`);
  }
  const spec = DTYPES.get(dtype);
  if (spec === undefined) {
    const known = [...DTYPES.keys()].join(", ");
    throw new WasmgradError(
      UNCONVERTED.has(dtype)
        ? `${where}: dtype ${dtype} cannot be converted to float32 by wasmgrad (supported: ${known})`
        : `${where}: unknown dtype ${quote(dtype)} (expected one of ${known})`,
    );
  }
  const shape = integers(where, "shape", field("shape"));
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) {
      throw new WasmgradError(
        `${where}: the element count of shape ${fmt(shape)} overflows (more than 2^53)`,
      );
    }
  }
  const offsets = integers(where, "data_offsets", field("data_offsets"));
  if (offsets.length !== 2) {
    throw new WasmgradError(
      `${where}: data_offsets must be [begin, end] but has ${offsets.length} elements`,
    );
  }
  const [begin, end] = offsets;
  if (end < begin) {
    throw new WasmgradError(`${where}: data_offsets [${begin},${end}] end before they begin`);
  }
  const need = count * spec.bytes;
  if (need > Number.MAX_SAFE_INTEGER) {
    throw new WasmgradError(`${where}: the byte size of ${dtype} ${fmt(shape)} overflows`);
  }
  if (end - begin !== need) {
    throw new WasmgradError(
      `${where}: dtype ${dtype} and shape ${fmt(shape)} need ${need} bytes but data_offsets [${begin},${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, spec, shape, begin, end };
}

/** A JSON array of non-negative integers written as integers ("2", not "2.0" or "2e0"). */
function integers(where: string, key: string, value: Json): number[] {
  if (!Array.isArray(value)) {
    throw new WasmgradError(
      `${where}: ${key} must be an array of non-negative integers but is ${jsonKind(value)}`,
    );
  }
  return value.map((v) => {
    if (!(v instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(v.text)) {
      const got = v instanceof JsonNumber ? v.text : jsonKind(v);
      throw new WasmgradError(
        `${where}: ${key} must be an array of non-negative integers but holds ${got}`,
      );
    }
    const n = Number(v.text);
    if (n > Number.MAX_SAFE_INTEGER) {
      throw new WasmgradError(`${where}: ${key} holds ${v.text}, which is too large (over 2^53)`);
    }
    return n;
  });
}

/** The tensors, sorted by offsets, must tile the data buffer exactly. */
function checkLayout(entries: Entry[], dataBytes: number): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let previous: Entry | null = null;
  for (const e of sorted) {
    const where = `load: tensor ${quote(e.name)}`;
    if (e.begin !== at) {
      const after = previous === null ? "the data buffer starts" : `${quote(previous.name)} ends`;
      throw new WasmgradError(
        `${where}: data_offsets [${e.begin},${e.end}] ${e.begin < at ? "overlap" : "leave a hole after"} byte ${at}, where ${after} (tensors must cover the data buffer contiguously)`,
      );
    }
    if (e.end > dataBytes) {
      throw new WasmgradError(
        `${where}: data_offsets [${e.begin},${e.end}] reach past the end of the ${dataBytes}-byte data buffer (truncated file?)`,
      );
    }
    at = e.end;
    previous = e;
  }
  if (at !== dataBytes) {
    throw new WasmgradError(
      `load: the tensors cover ${at} bytes but the data buffer holds ${dataBytes} (${dataBytes - at} trailing bytes not described by the header)`,
    );
  }
}

// --------------------------------------------------------------------------------- shared

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value !== "object") return typeof value;
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor ? `a ${ctor}` : "an object";
}
