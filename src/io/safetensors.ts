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
 * wasmgrad tensors are float32: F16 and BF16 convert exactly, F64 rounds to nearest (a finite
 * value beyond float32's range is rejected rather than turned into an infinity), and integer
 * dtypes round to nearest, which is exact for |v| <= 2^24 (PyTorch's `.float()` does the same).
 */
import { backend } from "../backend/runtime.js";
import { fmt, WasmgradError } from "../errors.js";
import { Tensor } from "../tensor.js";

/** The reference reader rejects larger headers (HeaderTooLarge). */
const MAX_HEADER_BYTES = 100_000_000;
/** serde_json's recursion limit; deeper nesting is rejected instead of overflowing the stack. */
const MAX_DEPTH = 128;
const METADATA_KEY = "__metadata__";

// ------------------------------------------------------------------------------------ save

/**
 * Serialises a state dict (e.g. `model.stateDict()`) as safetensors: F32 tensors sorted by name
 * (UTF-8 byte order, as the reference writer does) and `__metadata__: {"format": "pt"}` plus
 * the string entries of `metadata`, as safetensors' `save_file(tensors, metadata)`.
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
  entries.sort(([a], [b]) => compareCodePoints(a, b));
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
    const end = dataBytes + t.numel() * 4;
    json += `,${JSON.stringify(name)}:{"dtype":"F32","shape":[${t.shape.join(",")}],"data_offsets":[${dataBytes},${end}]}`;
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
    const ptr = t._ptr("save"); // may allocate (a lazy transposed view): take the view after
    const bytes = t.numel() * 4;
    out.set(backend.u8().subarray(ptr, ptr + bytes), at);
    at += bytes;
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

/** How a safetensors dtype becomes float32: its element size and a decoder. */
interface DtypeSpec {
  bytes: number;
  decode: Decoder;
}

/** Writes `count` converted elements, read from `src` at byte `at`, to float32 element `dst`. */
type Decoder = (src: Uint8Array, at: number, count: number, dst: number, name: string) => void;

const DTYPES = new Map<string, DtypeSpec>([
  ["F64", { bytes: 8, decode: decodeF64 }],
  ["F32", { bytes: 4, decode: decodeF32 }],
  ["F16", { bytes: 2, decode: decodeF16 }],
  ["BF16", { bytes: 2, decode: decodeBF16 }],
  ["I64", { bytes: 8, decode: (s, a, n, d) => decodeI64(s, a, n, d, true) }],
  ["U64", { bytes: 8, decode: (s, a, n, d) => decodeI64(s, a, n, d, false) }],
  ["I32", { bytes: 4, decode: smallIntegers((v, p) => v.getInt32(p, true), 4) }],
  ["U32", { bytes: 4, decode: smallIntegers((v, p) => v.getUint32(p, true), 4) }],
  ["I16", { bytes: 2, decode: smallIntegers((v, p) => v.getInt16(p, true), 2) }],
  ["U16", { bytes: 2, decode: smallIntegers((v, p) => v.getUint16(p, true), 2) }],
  ["I8", { bytes: 1, decode: smallIntegers((v, p) => v.getInt8(p), 1) }],
  ["U8", { bytes: 1, decode: smallIntegers((v, p) => v.getUint8(p), 1) }],
  ["BOOL", { bytes: 1, decode: decodeBool }],
]);

/** Dtypes the format defines that have no float32 conversion here. */
const UNCONVERTED = new Set([
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "F8_E4M3FNUZ",
  "F8_E5M2FNUZ",
  "F4",
  "F6_E2M3",
  "F6_E3M2",
  "C64",
]);

interface Entry {
  name: string;
  dtype: string;
  spec: DtypeSpec;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses a safetensors file into float32 tensors keyed by name, in header order. The tensors
 * belong to the caller (inside `tidy`, they follow tidy's rules).
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
      const t = Tensor._empty("load", e.shape);
      made.push(t);
      e.spec.decode(file, dataStart + e.begin, t.numel(), t.ptr >>> 2, e.name);
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

// ------------------------------------------------------------------------------ decoders

function decodeF32(src: Uint8Array, at: number, count: number, dst: number): void {
  // WASM memory is little-endian like the file: a byte copy is exact, whatever the alignment.
  backend.u8().set(src.subarray(at, at + count * 4), dst * 4);
}

/**
 * IEEE half -> single, exactly: subnormals are normalised, infinities kept, and a NaN keeps its
 * payload but is made quiet, as IEEE 754 conversion (F16C's vcvtph2ps, hence torch) does.
 */
function f16Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >>> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) {
    return sign | (mantissa === 0 ? 0x7f800000 : 0x7fc00000 | (mantissa << 13));
  }
  if (exponent !== 0) return sign | ((exponent + 112) << 23) | (mantissa << 13);
  if (mantissa === 0) return sign;
  let e = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e--;
  }
  return sign | (e << 23) | ((mantissa & 0x3ff) << 13);
}

function decodeF16(src: Uint8Array, at: number, count: number, dst: number): void {
  const out = backend.i32();
  for (let i = 0; i < count; i++)
    out[dst + i] = f16Bits(src[at + 2 * i] | (src[at + 2 * i + 1] << 8));
}

function decodeBF16(src: Uint8Array, at: number, count: number, dst: number): void {
  const out = backend.i32();
  for (let i = 0; i < count; i++)
    out[dst + i] = (src[at + 2 * i] << 16) | (src[at + 2 * i + 1] << 24);
}

function dataView(src: Uint8Array): DataView {
  return new DataView(src.buffer, src.byteOffset, src.byteLength);
}

function decodeF64(src: Uint8Array, at: number, count: number, dst: number, name: string): void {
  const view = dataView(src);
  const out = backend.f32();
  for (let i = 0; i < count; i++) {
    const x = view.getFloat64(at + 8 * i, true);
    const y = Math.fround(x);
    if (y === Number.POSITIVE_INFINITY || y === Number.NEGATIVE_INFINITY) {
      if (Number.isFinite(x)) {
        throw new WasmgradError(
          `load: tensor ${quote(name)} (F64) holds ${x} at element ${i}, beyond float32's range (largest finite float32: 3.4028234663852886e38)`,
        );
      }
    }
    out[dst + i] = y;
  }
}

/** 8-, 16- and 32-bit integers are exact doubles; storing into float32 rounds once. */
function smallIntegers(read: (view: DataView, at: number) => number, size: number): Decoder {
  return (src, at, count, dst) => {
    const view = dataView(src);
    const out = backend.f32();
    for (let i = 0; i < count; i++) out[dst + i] = read(view, at + size * i);
  };
}

function decodeI64(src: Uint8Array, at: number, count: number, dst: number, signed: boolean): void {
  const view = dataView(src);
  const out = backend.f32();
  for (let i = 0; i < count; i++) {
    const p = at + 8 * i;
    const high = signed ? view.getInt32(p + 4, true) : view.getUint32(p + 4, true);
    if (high >= -0x200000 && high < 0x200000) {
      out[dst + i] = high * 2 ** 32 + view.getUint32(p, true); // |v| < 2^53: an exact double
    } else {
      out[dst + i] = roundToF32(signed ? view.getBigInt64(p, true) : view.getBigUint64(p, true));
    }
  }
}

/**
 * Rounds a 64-bit integer to the nearest float32 (ties to even) in one step: going through a
 * double would round twice (2^60 + 2^36 + 1 would become 2^60 instead of 2^60 + 2^37).
 */
function roundToF32(v: bigint): number {
  const negative = v < 0n;
  const magnitude = negative ? -v : v;
  const shift = BigInt(magnitude.toString(2).length - 24); // >= 30 on this path
  let q = magnitude >> shift;
  const rest = magnitude - (q << shift);
  const half = 1n << (shift - 1n);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q += 1n;
  const value = Number(q) * 2 ** Number(shift);
  return negative ? -value : value;
}

function decodeBool(src: Uint8Array, at: number, count: number, dst: number, name: string): void {
  const out = backend.f32();
  for (let i = 0; i < count; i++) {
    const b = src[at + i];
    if (b > 1) {
      throw new WasmgradError(
        `load: tensor ${quote(name)} (BOOL) holds the byte ${b} at element ${i}; BOOL elements must be 0 or 1`,
      );
    }
    out[dst + i] = b;
  }
}

// --------------------------------------------------------------------------- strict JSON

/** A number as written, so that "2", "2.0" and "2e0" stay distinguishable. */
class JsonNumber {
  constructor(readonly text: string) {}
}

/** Objects are Maps: key order is kept and "__proto__" is an ordinary key. */
type Json = null | boolean | string | JsonNumber | Json[] | Map<string, Json>;

/**
 * RFC 8259 JSON, as strict as serde_json (which the reference reader uses): no comments, no
 * trailing commas, no raw control characters or unpaired surrogate escapes in strings, and at
 * most 128 levels of nesting. Unlike serde_json it also rejects duplicate keys.
 */
class JsonParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parse(): Json {
    const value = this.value(0);
    this.space();
    if (this.i < this.s.length) this.fail("trailing characters after the JSON value");
    return value;
  }

  private fail(what: string): never {
    throw new WasmgradError(`load: the header is not valid JSON: ${what} at character ${this.i}`);
  }

  private space(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  private value(depth: number): Json {
    this.space();
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.s[this.i];
    if (c === "{") return this.object(depth);
    if (c === "[") return this.array(depth);
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const [word, value] of [
      ["true", true],
      ["false", false],
      ["null", null],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return value;
      }
    }
    return this.fail(c === undefined ? "unexpected end" : `unexpected ${JSON.stringify(c)}`);
  }

  private object(depth: number): Map<string, Json> {
    const out = new Map<string, Json>();
    this.i++;
    this.space();
    if (this.s[this.i] === "}") {
      this.i++;
      return out;
    }
    for (;;) {
      this.space();
      if (this.s[this.i] !== '"') this.fail("expected a string key");
      const key = this.string();
      if (out.has(key)) this.fail(`duplicate key ${quote(key)}`);
      this.space();
      if (this.s[this.i] !== ":") this.fail('expected ":"');
      this.i++;
      out.set(key, this.value(depth + 1));
      if (this.next("}")) return out;
    }
  }

  private array(depth: number): Json[] {
    const out: Json[] = [];
    this.i++;
    this.space();
    if (this.s[this.i] === "]") {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      if (this.next("]")) return out;
    }
  }

  /** After an element: true at the closing bracket, false after a comma. */
  private next(close: string): boolean {
    this.space();
    const c = this.s[this.i];
    this.i++;
    if (c === close) return true;
    if (c === ",") return false;
    this.i--;
    return this.fail(`expected "," or "${close}"`);
  }

  private string(): string {
    const s = this.s;
    let out = "";
    let start = ++this.i;
    for (;;) {
      if (this.i >= s.length) this.fail("unterminated string");
      const c = s.charCodeAt(this.i);
      if (c === 0x22) {
        out += s.slice(start, this.i++);
        return out;
      }
      if (c < 0x20) this.fail("raw control character in a string");
      if (c !== 0x5c) {
        this.i++;
        continue;
      }
      out += s.slice(start, this.i) + this.escape();
      start = this.i;
    }
  }

  private escape(): string {
    const c = this.s[this.i + 1];
    const simple = ESCAPES.get(c);
    if (simple !== undefined) {
      this.i += 2;
      return simple;
    }
    if (c !== "u") this.fail("invalid escape");
    const unit = this.hex4();
    if (unit >= 0xdc00 && unit <= 0xdfff) this.fail("unpaired surrogate escape");
    if (unit < 0xd800 || unit > 0xdbff) return String.fromCharCode(unit);
    if (this.s[this.i] !== "\\" || this.s[this.i + 1] !== "u")
      this.fail("unpaired surrogate escape");
    const low = this.hex4();
    if (low < 0xdc00 || low > 0xdfff) this.fail("unpaired surrogate escape");
    return String.fromCharCode(unit, low);
  }

  /** Reads `\uXXXX` at the cursor. */
  private hex4(): number {
    const digits = this.s.slice(this.i + 2, this.i + 6);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) this.fail("invalid \\u escape");
    this.i += 6;
    return Number.parseInt(digits, 16);
  }

  private number(): JsonNumber {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    if (m === null) return this.fail("invalid number");
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }
}

const ESCAPES = new Map([
  ['"', '"'],
  ["\\", "\\"],
  ["/", "/"],
  ["b", "\b"],
  ["f", "\f"],
  ["n", "\n"],
  ["r", "\r"],
  ["t", "\t"],
]);

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

function jsonKind(v: Json): string {
  if (v === null) return "null";
  if (v instanceof Map) return "an object";
  if (Array.isArray(v)) return "an array";
  if (v instanceof JsonNumber) return `the number ${v.text}`;
  if (typeof v === "string") return `the string ${quote(v)}`;
  return `${v}`;
}

// --------------------------------------------------------------------------------- shared

/** A name as it appears in messages: JSON-quoted, and cut short if very long. */
function quote(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 120 ? `${q.slice(0, 100)}..." (${name.length} characters)` : q;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value !== "object") return typeof value;
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  return ctor ? `a ${ctor}` : "an object";
}
