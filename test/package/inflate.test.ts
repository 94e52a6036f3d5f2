/**
 * The inlined kernel binaries: the synchronous inflate against node:zlib on awkward inputs (empty,
 * one byte, stored, fixed and dynamic blocks, long runs, random data), the delta decoder, and
 * the binaries rebuilt at load equal to the .wasm files the build wrote.
 */
import { existsSync, readFileSync } from "node:fs";
import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { applyDelta, inflateRaw } from "../../src/backend/inflate.js";
import { bytesOf } from "../../src/backend/wasm.js";

function pseudoRandom(n: number, seed: number, alphabet = 256): Uint8Array {
  const a = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s >>> 16) % alphabet;
  }
  return a;
}

describe("inflateRaw", () => {
  const inputs: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["one byte", Uint8Array.of(7)],
    ["three bytes", Uint8Array.of(1, 2, 3)],
    ["a run of 70000 zeros", new Uint8Array(70000)],
    ["random bytes (stored blocks)", pseudoRandom(100_003, 1)],
    ["4-letter text (dynamic blocks)", pseudoRandom(67_017, 2, 4)],
    ["17 repeats of 1000 bytes", new Uint8Array(17_000).map((_, i) => (i % 1000) * 7)],
  ];
  for (const [name, data] of inputs) {
    for (const level of [0, 1, 9]) {
      it(`${name}, level ${level}`, () => {
        const packed = deflateRawSync(data, { level });
        expect(inflateRaw(packed, data.length)).toEqual(data);
      });
    }
  }
  it("fixed Huffman blocks", () => {
    const data = new TextEncoder().encode("abcabcabcabc hello hello");
    const packed = deflateRawSync(data, { strategy: 4 }); // Z_FIXED
    expect(inflateRaw(packed, data.length)).toEqual(data);
  });
  it("rejects truncated input and a wrong size", () => {
    const data = pseudoRandom(5000, 3, 16);
    const packed = deflateRawSync(data);
    expect(() => inflateRaw(packed.subarray(0, packed.length >> 1), data.length)).toThrow(
      /corrupt/,
    );
    expect(() => inflateRaw(packed, data.length + 1)).toThrow(/corrupt/);
    expect(() => inflateRaw(packed, data.length - 1)).toThrow(/corrupt/);
  });
});

describe("applyDelta", () => {
  it("rebuilds from literals and copies at positive and negative offsets", () => {
    const base = Uint8Array.of(10, 11, 12, 13, 14, 15, 16, 17);
    // copy 3 from 4 (offset +4), literal [99], copy 2 from 1 (offset 1 - 7 = -6: zigzag 11)
    const ops = Uint8Array.of(7, 8, 2, 99, 5, 11);
    expect(Array.from(applyDelta(base, ops, 6))).toEqual([14, 15, 16, 99, 11, 12]);
    expect(() => applyDelta(base, ops, 7)).toThrow(/corrupt/);
  });
});

describe.skipIf(!existsSync("build/wasmgrad-simd.wasm"))("the inlined binaries", () => {
  for (const variant of ["simd", "relaxed"] as const) {
    it(`${variant} equals build/wasmgrad-${variant}.wasm`, () => {
      const built = new Uint8Array(readFileSync(`build/wasmgrad-${variant}.wasm`));
      expect(bytesOf(variant)).toEqual(built);
    });
  }
});
