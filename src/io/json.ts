/**
 * The strict JSON reader of the safetensors loader: RFC 8259 with serde_json's limits (nesting
 * depth 128, no duplicate keys), numbers kept as written so that "2", "2.0" and "2e0" stay
 * distinguishable, and objects as Maps (key order kept, "__proto__" an ordinary key). Errors
 * are WasmgradErrors.
 */
import { WasmgradError } from "../errors.js";

/** serde_json's recursion limit; deeper nesting is rejected instead of overflowing the stack. */
const MAX_DEPTH = 128;

/** A number as written, so that "2", "2.0" and "2e0" stay distinguishable. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

/** Objects are Maps: key order is kept and "__proto__" is an ordinary key. */
export type Json = null | boolean | string | JsonNumber | Json[] | Map<string, Json>;

/**
 * RFC 8259 JSON, as strict as serde_json (which the reference reader uses): no comments, no
 * trailing commas, no raw control characters or unpaired surrogate escapes in strings, and at
 * most 128 levels of nesting. Unlike serde_json it also rejects duplicate keys.
 */
export class JsonParser {
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

export function jsonKind(v: Json): string {
  if (v === null) return "null";
  if (v instanceof Map) return "an object";
  if (Array.isArray(v)) return "an array";
  if (v instanceof JsonNumber) return `the number ${v.text}`;
  if (typeof v === "string") return `the string ${quote(v)}`;
  return `${v}`;
}

/** A name as it appears in messages: JSON-quoted, and cut short if very long. */
export function quote(name: string): string {
  const q = JSON.stringify(name);
  return q.length > 120 ? `${q.slice(0, 100)}..." (${name.length} characters)` : q;
}
