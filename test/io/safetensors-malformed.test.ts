/**
 * wg.load treats a file as untrusted: every malformed file in the table is rejected with a
 * WasmgradError that says what is wrong, no tensor is left allocated, and random corruptions
 * of valid files either load or throw a WasmgradError, never anything else.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { rng } from "../helpers/fixtures.js";

const enc = new TextEncoder();

/** 8-byte little-endian length (default: the header's byte length), header, data. */
function file(
  header: string | Uint8Array,
  data: Uint8Array | number = 0,
  length?: bigint,
): Uint8Array {
  const h = typeof header === "string" ? enc.encode(header) : header;
  const d = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

/** A header for one tensor, `{"a": info}`, info given as JSON text. */
const one = (info: string) => `{"a":${info}}`;
const f32 = (shape: string, offsets: string) =>
  one(`{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}`);
const two = (a: string, b: string) =>
  `{"a":{"dtype":"F32","shape":[2],"data_offsets":${a}},"b":{"dtype":"F32","shape":[2],"data_offsets":${b}}}`;

const bytes = (...values: number[]) => new Uint8Array(values);

const cases: [string, unknown, RegExp][] = [
  // the length prefix
  ["an empty file", new Uint8Array(0), /load: the file is 0 bytes, too short/],
  ["7 bytes", new Uint8Array(7), /the file is 7 bytes, too short/],
  [
    "a header length of 2^63",
    file("{}", 0, 2n ** 63n),
    /header length is 9223372036854775808 bytes, over the 100000000-byte limit/,
  ],
  ["a header length of 100,000,001", file("{}", 0, 100_000_001n), /over the 100000000-byte limit/],
  [
    "a header length past the end",
    file("{}", 0, 3n),
    /header length is 3 bytes but only 2 bytes follow/,
  ],
  [
    "a truncated header",
    file(f32("[1]", "[0,4]")).subarray(0, 30),
    /header length is 54 bytes but only 22 bytes follow/,
  ],
  // the header text
  [
    "invalid UTF-8",
    file(bytes(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)),
    /header is not valid UTF-8/,
  ],
  [
    "a UTF-8-encoded surrogate",
    file(bytes(0x7b, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x3a, 0x31, 0x7d)),
    /not valid UTF-8/,
  ],
  [
    "an overlong UTF-8 encoding",
    file(bytes(0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d)),
    /not valid UTF-8/,
  ],
  [
    "a byte order mark",
    file(bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d)),
    /not valid JSON: unexpected "\ufeff" at character 0/,
  ],
  ["an empty header", file(""), /not valid JSON: unexpected end at character 0/],
  ["unbalanced braces", file("{"), /not valid JSON: expected a string key at character 1/],
  ["a trailing comma", file(`{"__metadata__":{},}`), /not valid JSON: expected a string key/],
  [
    "NUL padding",
    file("{}\0\0\0\0\0\0"),
    /not valid JSON: trailing characters after the JSON value at character 2/,
  ],
  ["a comment", file("{} // x"), /trailing characters/],
  ["single quotes", file("{'a':1}"), /expected a string key/],
  ["a raw newline in a string", file('{"a\nb":1}'), /raw control character in a string/],
  ["an invalid escape", file('{"a\\x":1}'), /invalid escape/],
  ["an unpaired surrogate escape", file('{"\\ud800":1}'), /unpaired surrogate escape/],
  ["a lone low surrogate escape", file('{"\\udc00x":1}'), /unpaired surrogate escape/],
  [
    "nesting 1000 deep",
    file(`{"__metadata__":${"[".repeat(1000)}${"]".repeat(1000)}}`),
    /nesting deeper than 128 levels/,
  ],
  ["a duplicate key", file(two("[0,8]", "[8,16]").replace('"b"', '"a"'), 16), /duplicate key "a"/],
  ["a duplicate key by escape", file(`{"a":1,"\\u0061":2}`), /duplicate key "a"/],
  ["a leading zero", file(f32("[01]", "[0,4]"), 4), /not valid JSON/],
  ["an array", file("[]"), /the header must be a JSON object but is an array/],
  ["a string", file('"abc"'), /must be a JSON object but is the string "abc"/],
  ["null", file("null"), /must be a JSON object but is null/],
  // metadata
  [
    "metadata that is not an object",
    file('{"__metadata__":[]}'),
    /"__metadata__" must be an object mapping strings to strings but is an array/,
  ],
  [
    "a metadata value that is a number",
    file('{"__metadata__":{"n":1}}'),
    /"__metadata__" values must be strings but "n" is the number 1/,
  ],
  // tensor entries
  [
    "a tensor that is a number",
    file(one("5")),
    /tensor "a": expected an object \{dtype, shape, data_offsets\} but got the number 5/,
  ],
  ["no dtype", file(one('{"shape":[1],"data_offsets":[0,4]}'), 4), /tensor "a": missing "dtype"/],
  ["no shape", file(one('{"dtype":"F32","data_offsets":[0,4]}'), 4), /missing "shape"/],
  ["no data_offsets", file(one('{"dtype":"F32","shape":[1]}'), 4), /missing "data_offsets"/],
  [
    "a dtype that is not a string",
    file(one('{"dtype":4,"shape":[1],"data_offsets":[0,4]}'), 4),
    /dtype must be a string but is the number 4/,
  ],
  [
    "an unknown dtype",
    file(one('{"dtype":"f32","shape":[1],"data_offsets":[0,4]}'), 4),
    /tensor "a": unknown dtype "f32" \(expected one of F64, F32, F16, BF16/,
  ],
  [
    "an Object.prototype dtype",
    file(one('{"dtype":"constructor","shape":[1],"data_offsets":[0,4]}'), 4),
    /unknown dtype "constructor"/,
  ],
  [
    "an unconvertible dtype",
    file(one('{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}'), 1),
    /dtype F8_E4M3 cannot be converted to float32/,
  ],
  [
    "a shape that is null",
    file(f32("null", "[0,4]"), 4),
    /shape must be an array of non-negative integers but is null/,
  ],
  [
    "a negative dimension",
    file(f32("[-1]", "[0,4]"), 4),
    /shape must be an array of non-negative integers but holds -1/,
  ],
  ["a dimension of -0", file(f32("[-0]", "[0,0]")), /holds -0/],
  ["a dimension written 1.0", file(f32("[1.0]", "[0,4]"), 4), /holds 1\.0/],
  ["a dimension written 1e0", file(f32("[1e0]", "[0,4]"), 4), /holds 1e0/],
  ["a dimension that is a string", file(f32('["1"]', "[0,4]"), 4), /holds the string "1"/],
  [
    "a dimension of 2^64",
    file(f32("[18446744073709551616]", "[0,4]"), 4),
    /shape holds 18446744073709551616, which is too large/,
  ],
  [
    "an element count that overflows",
    file(f32("[4294967296,4294967296,0]", "[0,0]")),
    /element count of shape \[4294967296,4294967296,0\] overflows/,
  ],
  [
    "a byte size that overflows",
    file(one('{"dtype":"F64","shape":[2251799813685248],"data_offsets":[0,0]}')),
    /byte size of F64 \[2251799813685248\] overflows/,
  ],
  [
    "three data_offsets",
    file(f32("[1]", "[0,4,4]"), 4),
    /data_offsets must be \[begin, end\] but has 3 elements/,
  ],
  ["one data_offset", file(f32("[1]", "[4]"), 4), /has 1 elements/],
  [
    "reversed data_offsets",
    file(f32("[0]", "[4,0]"), 4),
    /data_offsets \[4,0\] end before they begin/,
  ],
  [
    "a negative offset",
    file(f32("[1]", "[-4,0]"), 4),
    /data_offsets must be an array of non-negative integers but holds -4/,
  ],
  ["an offset of 2^64", file(f32("[1]", "[0,18446744073709551616]"), 4), /too large/],
  [
    "a size that does not match dtype x shape",
    file(f32("[1]", "[0,8]"), 8),
    /dtype F32 and shape \[1\] need 4 bytes but data_offsets \[0,8\] hold 8/,
  ],
  [
    "a 0-d tensor with no bytes",
    file(f32("[]", "[0,0]")),
    /shape \[\] need 4 bytes but data_offsets \[0,0\] hold 0/,
  ],
  // layout of the data buffer
  [
    "offsets past the end of the file",
    file(f32("[1]", "[0,4]"), 2),
    /data_offsets \[0,4\] reach past the end of the 2-byte data buffer/,
  ],
  [
    "a hole before the first tensor",
    file(f32("[1]", "[4,8]"), 8),
    /data_offsets \[4,8\] leave a hole after byte 0, where the data buffer starts/,
  ],
  [
    "a hole between tensors",
    file(two("[0,8]", "[12,20]"), 20),
    /tensor "b": data_offsets \[12,20\] leave a hole after byte 8, where "a" ends/,
  ],
  ["two tensors on the same bytes", file(two("[0,8]", "[0,8]"), 8), /overlap byte 8/],
  [
    "partly overlapping tensors",
    file(two("[0,8]", "[4,12]"), 12),
    /tensor "b": data_offsets \[4,12\] overlap byte 8, where "a" ends/,
  ],
  [
    "trailing bytes",
    file(f32("[1]", "[0,4]"), 5),
    /the tensors cover 4 bytes but the data buffer holds 5 \(1 trailing bytes/,
  ],
  ["data but no tensors", file("{}", 8), /cover 0 bytes but the data buffer holds 8/],
  // element values
  [
    "a BOOL byte that is not 0 or 1",
    file(one('{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}'), bytes(1, 0, 2)),
    /tensor "a" \(BOOL\) holds the byte 2 at element 2; BOOL elements must be 0 or 1/,
  ],
  [
    "an F64 beyond float32's range",
    file(
      one('{"dtype":"F64","shape":[2],"data_offsets":[0,16]}'),
      new Uint8Array(new Float64Array([1, 1e39]).buffer),
    ),
    /tensor "a" \(F64\) holds 1e\+39 at element 1, beyond float32's range/,
  ],
  [
    "an F64 that rounds up to infinity",
    file(
      one('{"dtype":"F64","shape":[1],"data_offsets":[0,8]}'),
      new Uint8Array(new Float64Array([3.4028235677973366e38]).buffer),
    ),
    /beyond float32's range/,
  ],
  // not bytes at all
  [
    "a string instead of bytes",
    "abc",
    /load: expected the file's bytes as a Uint8Array or ArrayBuffer but got string/,
  ],
  ["null instead of bytes", null, /but got null/],
  ["an array of numbers", [8, 0, 0, 0, 0, 0, 0, 0], /but got an array/],
  ["a Float32Array", new Float32Array(4), /but got a Float32Array/],
];

function live(): number {
  return wg.memory().liveTensors;
}

describe("load rejects malformed files", () => {
  it("has a table of at least 20 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("%s", (_label, input, message) => {
    const before = live();
    let error: unknown;
    try {
      wg.load(input as Uint8Array);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(wg.WasmgradError);
    expect((error as Error).message).toMatch(message);
    expect(live()).toBe(before);
  });

  it("a failure after some tensors were made frees them (even outside tidy)", () => {
    const header =
      '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BOOL","shape":[1],"data_offsets":[8,9]}}';
    const data = new Uint8Array(9);
    data[8] = 7;
    const before = live();
    expect(() => wg.load(file(header, data))).toThrow(/holds the byte 7/);
    expect(live()).toBe(before);
  });

  it("zero-byte tensors may share an offset, in any header order", () => {
    const header =
      '{"z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"I64","shape":[2,0],"data_offsets":[4,4]}}';
    const sd = wg.load(file(header, new Uint8Array(new Float32Array([2.5]).buffer)));
    expect(Object.keys(sd)).toEqual(["z", "a", "y"]);
    expect(sd.y.shape).toEqual([2, 0]);
    expect(sd.a.item()).toBe(2.5);
    for (const t of Object.values(sd)) t.dispose();
  });

  it("extra fields in a tensor entry and a null __metadata__ are accepted, as the reference reader does", () => {
    const header =
      '{"__metadata__":null,"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":[1.5,{"x":null}]}}';
    const sd = wg.load(file(` \t\r\n${header}  `, new Uint8Array(new Float32Array([-1]).buffer)));
    expect(sd.a.item()).toBe(-1);
    sd.a.dispose();
  });
});

describe("fuzz: corrupted valid files load or throw a WasmgradError", () => {
  const dir = new URL("../fixtures/safetensors/", import.meta.url);
  const sources: Uint8Array[] = [
    "mlp_f32.safetensors",
    "mlp_bf16.safetensors",
    "mlp_f64.safetensors",
  ].map((name) => new Uint8Array(readFileSync(new URL(name, dir))));
  const mixed = (() => {
    // One of each convertible dtype, so that value checks (BOOL, F64 range) get fuzzed too.
    const parts: [string, string, number[], Uint8Array][] = [
      ["f64", "F64", [2], new Uint8Array(new Float64Array([1.5, -3e38]).buffer)],
      ["i64", "I64", [1], new Uint8Array(new BigInt64Array([-(2n ** 62n) - 1n]).buffer)],
      ["f32", "F32", [1], new Uint8Array(new Float32Array([0.25]).buffer)],
      ["i32", "I32", [1], new Uint8Array(new Int32Array([-7]).buffer)],
      ["f16", "F16", [2], bytes(0x00, 0x3c, 0x01, 0x7c)],
      ["bf16", "BF16", [1], bytes(0x80, 0x3f)],
      ["u8", "U8", [2], bytes(3, 255)],
      ["bool", "BOOL", [2], bytes(1, 0)],
    ];
    const info: Record<string, unknown> = {};
    let at = 0;
    for (const [name, dtype, shape, data] of parts) {
      info[name] = { dtype, shape, data_offsets: [at, at + data.length] };
      at += data.length;
    }
    const data = new Uint8Array(at);
    at = 0;
    for (const [, , , d] of parts) {
      data.set(d, at);
      at += d.length;
    }
    return file(JSON.stringify(info), data);
  })();
  sources.push(mixed);

  it("every source file loads before corruption", () => {
    for (const src of sources) {
      const sd = wg.load(src);
      expect(Object.keys(sd).length).toBeGreaterThan(0);
      for (const t of Object.values(sd)) t.dispose();
    }
  });

  it("3000 random flips, truncations, extensions and length rewrites", () => {
    const random = rng("safetensors-fuzz");
    const int = (n: number) => Math.floor(random() * n);
    const before = live();
    const outcome = { loaded: 0, rejected: 0 };
    const others: string[] = [];
    for (let iter = 0; iter < 3000; iter++) {
      const src = sources[iter % sources.length];
      let b: Uint8Array = src.slice();
      const n = new DataView(src.buffer, src.byteOffset).getUint32(0, true);
      switch (iter % 6) {
        case 0: // flip 1-3 bytes in the header, where the structure is
        case 1:
          for (let k = 1 + int(3); k > 0; k--) b[8 + int(n)] = int(256);
          break;
        case 2: // flip bits anywhere
          for (let k = 1 + int(4); k > 0; k--) b[int(b.length)] ^= 1 << int(8);
          break;
        case 3: // truncate
          b = b.subarray(0, int(b.length));
          break;
        case 4: {
          // extend with random bytes
          const longer = new Uint8Array(b.length + 1 + int(16));
          longer.set(b);
          for (let i = b.length; i < longer.length; i++) longer[i] = int(256);
          b = longer;
          break;
        }
        default: // rewrite the length field near its value, or anywhere
          new DataView(b.buffer).setUint32(
            int(2) * 4,
            random() < 0.5 ? n + int(17) - 8 : int(2 ** 32),
            true,
          );
      }
      try {
        const sd = wg.load(b);
        for (const t of Object.values(sd)) t.dispose();
        outcome.loaded++;
      } catch (e) {
        if (e instanceof wg.WasmgradError) outcome.rejected++;
        else if (others.length < 5) others.push(`iteration ${iter}: ${String(e)}`);
      }
    }
    expect(others).toEqual([]);
    expect(live()).toBe(before);
    // Both outcomes happen, so the corruption is neither always harmless nor always fatal.
    expect(outcome.loaded).toBeGreaterThan(50);
    expect(outcome.rejected).toBeGreaterThan(1000);
  });
});
