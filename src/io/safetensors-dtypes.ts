/**
 * The safetensors dtypes and how they load: element sizes, the wasmgrad dtype each becomes and
 * decoders that write straight into WASM memory. F32, I32 and BOOL keep their dtype (float32,
 * int32, bool), as PyTorch's loader does; the others become float32: F16 and BF16 exactly, F64
 * rounded to nearest (a finite value beyond float32's range is rejected), the other integers
 * rounded to nearest (exact for |v| <= 2^24).
 */
import { backend } from "../backend/runtime.js";
import type { DType } from "../dtype.js";
import { WasmgradError } from "../errors.js";
import { quote } from "./json.js";

/** How a safetensors dtype loads: its element size, the tensor dtype and a decoder. */
export interface DtypeSpec {
  bytes: number;
  dtype: DType;
  decode: Decoder;
}

/** The safetensors dtype each wasmgrad dtype is saved as, with its size and rank in the
 * reference writer's order (Dtype's declaration order; the writer puts larger ranks first). */
export const SAVED: Record<DType, { name: string; bytes: number; rank: number }> = {
  float32: { name: "F32", bytes: 4, rank: 2 },
  int32: { name: "I32", bytes: 4, rank: 1 },
  bool: { name: "BOOL", bytes: 1, rank: 0 },
};

/** Writes `count` converted elements, read from `src` at byte `at`, to float32 element `dst`. */
export type Decoder = (
  src: Uint8Array,
  at: number,
  count: number,
  dst: number,
  name: string,
) => void;

const f = (bytes: number, decode: Decoder): DtypeSpec => ({ bytes, dtype: "float32", decode });

export const DTYPES = new Map<string, DtypeSpec>([
  ["F64", f(8, decodeF64)],
  ["F32", f(4, decodeRaw32)],
  ["F16", f(2, decodeF16)],
  ["BF16", f(2, decodeBF16)],
  ["I64", f(8, (s, a, n, d) => decodeI64(s, a, n, d, true))],
  ["U64", f(8, (s, a, n, d) => decodeI64(s, a, n, d, false))],
  ["I32", { bytes: 4, dtype: "int32", decode: decodeRaw32 }],
  [
    "U32",
    f(
      4,
      smallIntegers((v, p) => v.getUint32(p, true), 4),
    ),
  ],
  [
    "I16",
    f(
      2,
      smallIntegers((v, p) => v.getInt16(p, true), 2),
    ),
  ],
  [
    "U16",
    f(
      2,
      smallIntegers((v, p) => v.getUint16(p, true), 2),
    ),
  ],
  [
    "I8",
    f(
      1,
      smallIntegers((v, p) => v.getInt8(p), 1),
    ),
  ],
  [
    "U8",
    f(
      1,
      smallIntegers((v, p) => v.getUint8(p), 1),
    ),
  ],
  ["BOOL", { bytes: 1, dtype: "bool", decode: decodeBool }],
]);

/** Dtypes the format defines that have no float32 conversion here. */
export const UNCONVERTED = new Set([
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

/** F32 and I32: WASM memory is little-endian like the file, so a byte copy is exact. */
function decodeRaw32(src: Uint8Array, at: number, count: number, dst: number): void {
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

/** BOOL bytes (0 or 1) to a bool tensor's float 0/1 elements. */
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
