/**
 * A synchronous raw-DEFLATE decoder (RFC 1951), for the compressed kernel binaries inlined in
 * the package (scripts/build-wasm.mjs). Synchronous because wasmgrad loads without top-level
 * await (so that `require` works); browsers only offer an asynchronous DecompressionStream.
 * Small rather than fast: the binaries are under 100 KB and inflate in a few milliseconds.
 */

class Huffman {
  /** counts[len]: codes of each length; symbols: ordered by code. */
  readonly counts = new Uint16Array(16);
  readonly symbols: Uint16Array;
  constructor(lengths: Uint8Array) {
    this.symbols = new Uint16Array(lengths.length);
    for (const l of lengths) this.counts[l]++;
    this.counts[0] = 0;
    const offsets = new Uint16Array(16);
    for (let i = 1; i < 16; i++) offsets[i] = offsets[i - 1] + this.counts[i - 1];
    for (let s = 0; s < lengths.length; s++) {
      if (lengths[s] !== 0) this.symbols[offsets[lengths[s]]++] = s;
    }
  }
}

const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
  163, 195, 227, 258,
];
const LENGTH_EXTRA = [
  0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
  3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [
  0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

let fixed: [Huffman, Huffman] | undefined;
function fixedTrees(): [Huffman, Huffman] {
  if (fixed === undefined) {
    const lit = new Uint8Array(288);
    lit.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
    fixed = [new Huffman(lit), new Huffman(new Uint8Array(30).fill(5))];
  }
  return fixed;
}

/** Decompresses `input` (raw DEFLATE) into exactly `size` bytes. */
export function inflateRaw(input: Uint8Array, size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let pos = 0; // input byte
  let bit = 0; // bit buffer
  let nbits = 0;
  let at = 0; // output byte
  const fail = (why: string): never => {
    throw new Error(`wasmgrad: corrupt inlined kernel binary (${why})`);
  };
  const bits = (n: number): number => {
    while (nbits < n) {
      if (pos >= input.length) fail("unexpected end");
      bit |= input[pos++] << nbits;
      nbits += 8;
    }
    const v = bit & ((1 << n) - 1);
    bit >>>= n;
    nbits -= n;
    return v;
  };
  const decode = (h: Huffman): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = h.counts[len];
      if (code - first < count) return h.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    return fail("bad code");
  };

  let last = 0;
  while (last === 0) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bit = 0;
      nbits = 0;
      const len = input[pos] | (input[pos + 1] << 8);
      pos += 4;
      if (pos + len > input.length || at + len > size) fail("stored block overrun");
      out.set(input.subarray(pos, pos + len), at);
      pos += len;
      at += len;
      continue;
    }
    let lit: Huffman;
    let dist: Huffman;
    if (type === 1) [lit, dist] = fixedTrees();
    else if (type === 2) {
      const hlit = bits(5) + 257;
      const hdist = bits(5) + 1;
      const hclen = bits(4) + 4;
      const codeLengths = new Uint8Array(19);
      for (let i = 0; i < hclen; i++) codeLengths[CODE_LENGTH_ORDER[i]] = bits(3);
      const lengthTree = new Huffman(codeLengths);
      const lengths = new Uint8Array(hlit + hdist);
      for (let i = 0; i < hlit + hdist; ) {
        const sym = decode(lengthTree);
        if (sym < 16) lengths[i++] = sym;
        else {
          const [value, repeat] =
            sym === 16
              ? [i > 0 ? lengths[i - 1] : fail("repeat at start"), 3 + bits(2)]
              : sym === 17
                ? [0, 3 + bits(3)]
                : [0, 11 + bits(7)];
          if (i + repeat > lengths.length) fail("too many lengths");
          lengths.fill(value, i, i + repeat);
          i += repeat;
        }
      }
      lit = new Huffman(lengths.subarray(0, hlit));
      dist = new Huffman(lengths.subarray(hlit));
    } else return fail("bad block type");

    for (;;) {
      const sym = decode(lit);
      if (sym < 256) {
        if (at >= size) fail("output overrun");
        out[at++] = sym;
      } else if (sym === 256) break;
      else {
        const l = sym - 257;
        if (l >= 29) fail("bad length");
        const length = LENGTH_BASE[l] + bits(LENGTH_EXTRA[l]);
        const d = decode(dist);
        if (d >= 30) fail("bad distance");
        const back = DIST_BASE[d] + bits(DIST_EXTRA[d]);
        if (back > at || at + length > size) fail("bad back-reference");
        for (let i = 0; i < length; i++, at++) out[at] = out[at - back];
      }
    }
  }
  if (at !== size) fail(`${at} bytes instead of ${size}`);
  return out;
}

/**
 * Rebuilds a binary from `base` and a delta (scripts/build-wasm.mjs's `delta`): a sequence of
 * ops, each a LEB128 `n` then either `n >> 1` literal bytes (n even) or, for odd n, a copy of
 * `n >> 1` bytes from `base` at a signed LEB128 offset relative to the previous copy's end.
 */
export function applyDelta(
  base: Uint8Array,
  delta: Uint8Array,
  size: number,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let p = 0;
  let at = 0;
  let from = 0;
  const leb = (signed: boolean): number => {
    let v = 0;
    let shift = 0;
    let b: number;
    do {
      b = delta[p++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    if (signed && v % 2 === 1) return -(v + 1) / 2; // zigzag
    return signed ? v / 2 : v;
  };
  while (p < delta.length) {
    const n = leb(false);
    const len = Math.floor(n / 2);
    if (n % 2 === 0) {
      out.set(delta.subarray(p, p + len), at);
      p += len;
    } else {
      from += leb(true);
      out.set(base.subarray(from, from + len), at);
      from += len;
    }
    at += len;
  }
  if (at !== size)
    throw new Error(`wasmgrad: corrupt inlined kernel delta (${at} of ${size} bytes)`);
  return out;
}
