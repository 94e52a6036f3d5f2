/**
 * Two edits of the kernel binary, so that one build serves every mode:
 * - `unshareMemory`: the build imports a shared memory (for threads); flipping the memory
 *   import's limits flags from 0x03 (maximum, shared) to 0x01 (maximum) makes it accept a plain
 *   WebAssembly.Memory where SharedArrayBuffer is unavailable. The code is unchanged: atomics
 *   are valid on a plain memory, and the kernels use none.
 * - `stripData`: every instantiation copies the data segments into memory again, which over a
 *   shared memory would rewrite constants under the main thread's feet. Workers instantiate a
 *   copy without the data (11) and data-count (12) sections, valid because the build has no
 *   memory.init or data.drop (scripts/build-wasm.mjs checks).
 */

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

interface Section {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  /** Offset of the section's contents. */
  body: number;
  /** Offset just past the section. */
  end: number;
}

function sections(bytes: Uint8Array): Section[] {
  const out: Section[] = [];
  let at = 8; // magic and version
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = leb(bytes, at);
    out.push({ id, start, body, end: body + size });
    at = body + size;
  }
  return out;
}

/** A copy of `bytes` without the data and data-count sections. */
export function stripData(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const kept = sections(bytes).filter((s) => s.id !== 11 && s.id !== 12);
  const length = 8 + kept.reduce((n, s) => n + s.end - s.start, 0);
  const out = new Uint8Array(length);
  out.set(bytes.subarray(0, 8));
  let at = 8;
  for (const s of kept) {
    out.set(bytes.subarray(s.start, s.end), at);
    at += s.end - s.start;
  }
  return out;
}

/** A copy of `bytes` whose memory import accepts a plain (unshared) memory. */
export function unshareMemory(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes);
  const imports = sections(out).find((s) => s.id === 2);
  if (imports === undefined) return out;
  let [count, at] = leb(out, imports.body);
  while (count-- > 0) {
    for (let name = 0; name < 2; name++) {
      const [len, next] = leb(out, at);
      at = next + len;
    }
    const kind = out[at++];
    if (kind === 2) {
      if (out[at] === 0x03) out[at] = 0x01;
      return out;
    }
    if (kind === 0)
      at = leb(out, at)[1]; // function: type index
    else if (kind === 1)
      at = skipLimits(out, at + 1); // table: reftype, limits
    else if (kind === 3)
      at += 2; // global: valtype, mutability
    else throw new Error(`wasmgrad: unexpected import kind ${kind}`);
  }
  return out;
}

function skipLimits(bytes: Uint8Array, at: number): number {
  const flags = bytes[at++];
  at = leb(bytes, at)[1];
  return flags & 1 ? leb(bytes, at)[1] : at;
}
