/**
 * The one validation layer for public entry points. The WebAssembly build has bounds checks and
 * assertions off, so every number, flag and tensor that reaches a kernel is checked here first,
 * and every failure is a WasmgradError that names the op, the argument, what it got (briefly:
 * `describe`) and what it expected.
 *
 * Use, at the top of an entry point (`op` is the name users know, e.g. "Conv2d" or "F.dropout"):
 *
 *   int(op, name, v, min?, max?)  an integer Number in [min, max] (default: the int32 range)
 *   size(op, name, v, min = 0)    a size, count or index bound: an int32 >= min
 *   num(op, name, v, range?)      a Number; range { min, max, gt, lt, finite } bounds it
 *   bool(op, name, v)             a real boolean (the string "false" is not one)
 *   oneOf(op, name, v, choices)   one of a few strings (or other primitives)
 *   func(op, name, v)             a function; syncFunc also refuses async functions
 *   tensorArg(op, name, v, dtype?) a live Tensor (of `dtype`, if given); expectTensor asserts it
 *   optionalTensorArg(...)        the same, or null/undefined -> null
 *   options(op, v, known)         undefined or a plain object whose keys are all in `known`;
 *                                 an unknown key is named, a snake_case one gets "did you mean"
 *   args(op, rest, names, kw?)    PyTorch-style arguments: `rest` (what follows the required
 *                                 arguments) holds values for `names` in order, then optionally
 *                                 one options object with keys `names` and `kw`. Returns one
 *                                 record; giving an argument both ways or too many positional
 *                                 arguments is an error. Validate each value afterwards.
 *   bytesWithin(op, what, bytes)  refuses work whose memory could never fit, before allocating
 *   describe(v)                   a short description of any value, for messages: never
 *                                 serialises a large value, safe with BigInt, Symbol, Proxy
 *
 * The `Args<P, O>` type gives a rest parameter the same shapes: any prefix of the positional
 * tuple P, then optionally the options object O.
 */
import { WasmgradError } from "./errors.js";
import type { Tensor } from "./tensor.js";

/**
 * The Tensor class, handed over by tensor.ts as it loads (registerTensorClass): importing it here
 * would put this module, and everything that validates, on an import cycle with every op.
 */
let TensorClass: abstract new (...args: never[]) => Tensor;

/** Called once by tensor.ts with its Tensor class. */
export function registerTensorClass(c: typeof TensorClass): void {
  TensorClass = c;
}

function isTensor(v: unknown): v is Tensor {
  return TensorClass !== undefined && v instanceof TensorClass;
}

export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;
/** wasm32 memory can never exceed 4 GiB. */
export const MAX_MEMORY_BYTES = 2 ** 32;

type Prefixes<P extends unknown[]> = P extends [...infer H, unknown] ? P | Prefixes<H> : [];
/** The parameters of a function after its first (the tensor a method is called on). */
export type Rest<F> = F extends (x: never, ...rest: infer R) => unknown ? R : never;

/** A rest parameter: any prefix of the positional arguments P, then an optional options object O. */
export type Args<P extends unknown[], O> =
  Prefixes<P> extends infer Q ? (Q extends unknown[] ? [...Q, O?] : never) : never;

// ---------------------------------------------------------------------------- formatting

const MAX_TEXT = 40;

function clip(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

function describeNumber(v: number): string {
  return Object.is(v, -0) ? "-0" : String(v);
}

/**
 * A short description of `v` for an error message: a number as written (-0, NaN, Infinity),
 * a string quoted and clipped, a Tensor by shape, an array by length and a few elements, an
 * object by class. Never longer than about a hundred characters, and never throws.
 */
export function describe(v: unknown, depth = 0): string {
  try {
    switch (typeof v) {
      case "number":
        return describeNumber(v);
      case "bigint":
        return `${clip(v.toString())}n (a BigInt)`;
      case "string":
        return `"${clip(v)}"`;
      case "boolean":
      case "undefined":
        return String(v);
      case "symbol":
        return clip(v.toString());
      case "function":
        return `${isAsync(v) ? "async " : ""}function ${clip(v.name || "(anonymous)")}`;
    }
    if (v === null) return "null";
    if (isTensor(v)) {
      const dtype = (v as { dtype?: unknown }).dtype;
      const kind = typeof dtype === "string" && dtype !== "float32" ? ` ${dtype}` : "";
      return `a${kind} Tensor of shape [${v.shape.join(",")}]${v.isDisposed ? " (disposed)" : ""}`;
    }
    if (Array.isArray(v)) {
      if (depth > 0) return `[… ${v.length} items]`;
      const items = v.slice(0, 4).map((e) => describe(e, depth + 1));
      return `[${items.join(", ")}${v.length > 4 ? `, … (${v.length} items)` : ""}]`;
    }
    if (ArrayBuffer.isView(v)) {
      const n = (v as { length?: number }).length ?? v.byteLength;
      return `a ${v.constructor.name}(${n})`;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null) {
      const keys = Object.keys(v as object);
      if (depth > 0) return "{…}";
      const shown = keys.slice(0, 4).map(clip);
      return `an object {${shown.join(", ")}${keys.length > 4 ? ", …" : ""}}`;
    }
    const name = (proto?.constructor as { name?: unknown } | undefined)?.name;
    return typeof name === "string" && name !== "" ? `a ${clip(name)}` : "an object";
  } catch {
    return "a value that cannot be inspected";
  }
}

/** Async functions (and async generators) carry the tag on their prototype chain. */
function isAsync(f: unknown): boolean {
  if (typeof f !== "function") return false;
  const tag = (f as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
  return tag === "AsyncFunction" || tag === "AsyncGeneratorFunction";
}

export function fail(op: string, message: string): never {
  throw new WasmgradError(`${op}: ${message}`);
}

// ---------------------------------------------------------------------------- numbers

function range(min: number, max: number): string {
  if (min === INT32_MIN && max === INT32_MAX) return "an integer (int32)";
  if (max === INT32_MAX) return `an integer >= ${min}`;
  return `an integer in [${min}, ${max}]`;
}

/** An integer Number within [min, max] (int32 by default: anything larger would wrap in a kernel). */
export function int(
  op: string,
  name: string,
  v: unknown,
  min = INT32_MIN,
  max = INT32_MAX,
): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    fail(op, `${name} must be ${range(min, max)} but got ${describe(v)}`);
  }
  return v === 0 ? 0 : v; // -0 becomes 0: kernels and shapes never see it
}

/** A size, count, stride or padding: an int32 >= min (0 unless given). */
export function size(op: string, name: string, v: unknown, min = 0): number {
  return int(op, name, v, min, INT32_MAX);
}

export interface NumRange {
  /** v >= min. */
  min?: number;
  /** v <= max. */
  max?: number;
  /** v > gt. */
  gt?: number;
  /** v < lt. */
  lt?: number;
  /** Refuse ±Infinity (NaN is always refused). */
  finite?: boolean;
}

function rangeText(r: NumRange): string {
  const parts: string[] = [];
  if (r.min !== undefined) parts.push(`>= ${r.min}`);
  if (r.gt !== undefined) parts.push(`> ${r.gt}`);
  if (r.max !== undefined) parts.push(`<= ${r.max}`);
  if (r.lt !== undefined) parts.push(`< ${r.lt}`);
  const what = r.finite ? "a finite number" : "a number";
  return parts.length === 0 ? what : `${what} ${parts.join(" and ")}`;
}

/** A Number (never NaN) within the bounds of `r`. */
export function num(op: string, name: string, v: unknown, r: NumRange = {}): number {
  if (
    typeof v !== "number" ||
    Number.isNaN(v) ||
    (r.finite === true && !Number.isFinite(v)) ||
    (r.min !== undefined && !(v >= r.min)) ||
    (r.max !== undefined && !(v <= r.max)) ||
    (r.gt !== undefined && !(v > r.gt)) ||
    (r.lt !== undefined && !(v < r.lt))
  ) {
    fail(op, `${name} must be ${rangeText(r)} but got ${describe(v)}`);
  }
  return v;
}

/** Refuses work needing more than wasm32 memory could ever hold, before anything is allocated. */
export function bytesWithin(op: string, what: string, bytes: number): void {
  if (!(bytes <= MAX_MEMORY_BYTES)) {
    fail(
      op,
      `${what} would need ${bytes} bytes, more than WebAssembly memory can hold (${MAX_MEMORY_BYTES})`,
    );
  }
}

// ---------------------------------------------------------------------------- other values

export type AnyFunction = (...args: never[]) => unknown;

/** A real boolean: truthy strings such as "false" are refused, not read as true. */
export function bool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") fail(op, `${name} must be true or false but got ${describe(v)}`);
  return v;
}

export function oneOf<T extends string | number | boolean | null>(
  op: string,
  name: string,
  v: unknown,
  choices: readonly T[],
): T {
  if (!choices.includes(v as T)) {
    const list = choices.map((c) => describe(c)).join(", ");
    fail(op, `${name} must be one of ${list} but got ${describe(v)}`);
  }
  return v as T;
}

export function func(op: string, name: string, v: unknown): AnyFunction {
  if (typeof v !== "function") fail(op, `${name} must be a function but got ${describe(v)}`);
  return v as AnyFunction;
}

/** A function that is not async: a scope (tidy, noGrad) cannot follow it past an await. */
export function syncFunc(op: string, name: string, v: unknown): AnyFunction {
  func(op, name, v);
  if (isAsync(v)) {
    fail(
      op,
      `${name} must be synchronous but got ${describe(v)}: the scope would end at its first await`,
    );
  }
  return v as AnyFunction;
}

export function isThenable(v: unknown): boolean {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try {
    return typeof (v as { then?: unknown }).then === "function";
  } catch {
    return false;
  }
}

/** Marks a promise as handled, so a refused async body leaves no unhandled rejection behind. */
export function swallow(value: unknown): void {
  if (value !== null && (typeof value === "object" || typeof value === "function")) {
    try {
      const then = (value as { then?: unknown }).then;
      if (typeof then === "function") then.call(value, undefined, () => {});
    } catch {
      // a hostile thenable: nothing more to do
    }
  }
}

// ---------------------------------------------------------------------------- tensors

function an(word: string): string {
  return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}

function dtypeOf(t: Tensor): string {
  const d = (t as { dtype?: unknown }).dtype;
  return typeof d === "string" ? d : "float32";
}

/** A live Tensor, of `dtype` if given. `name` says which argument ("input", "weight", ...). */
export function tensorArg(
  op: string,
  name: string,
  v: unknown,
  dtype?: string | readonly string[],
): Tensor {
  if (!isTensor(v)) fail(op, `expected ${name} to be a Tensor but got ${describe(v)}`);
  v._live(op);
  if (dtype !== undefined) {
    const ok = typeof dtype === "string" ? [dtype] : dtype;
    const got = dtypeOf(v);
    if (!ok.includes(got)) {
      fail(op, `expected ${name} to be ${an(ok.join(" or "))} tensor but got ${an(got)} tensor`);
    }
  }
  return v;
}

/** A live float32 Tensor: the operand of an op that computes in floating point only. */
export function floatArg(op: string, name: string, v: unknown): Tensor {
  return tensorArg(op, name, v, "float32");
}

/** `tensorArg`, with null and undefined meaning "not given". */
export function optionalTensorArg(
  op: string,
  name: string,
  v: unknown,
  dtype?: string | readonly string[],
): Tensor | null {
  return v === undefined || v === null ? null : tensorArg(op, name, v, dtype);
}

/** Asserts that `x` is a live Tensor (the op's only tensor argument). */
export function expectTensor(op: string, x: unknown): asserts x is Tensor {
  tensorArg(op, "a Tensor argument", x);
}

// ---------------------------------------------------------------------------- options and arguments

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function camel(key: string): string {
  return key.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The known key a user probably meant: PyTorch's snake_case spelling, or another case. */
export function suggest(key: string, known: readonly string[]): string | undefined {
  const c = camel(key);
  if (c !== key && known.includes(c)) return c;
  const flat = key.toLowerCase().replace(/_/g, "");
  return known.find((k) => k.toLowerCase() === flat);
}

function unknownKey(op: string, key: string, known: readonly string[]): never {
  const hint = suggest(key, known);
  const list = known.length === 0 ? "it takes no options" : `known: ${known.join(", ")}`;
  fail(
    op,
    `unknown option ${describe(key)}${hint === undefined ? "" : `; did you mean ${hint}?`} (${list})`,
  );
}

/**
 * An options object: undefined (no options) or a plain object whose keys are all `known`.
 * Returns it (an empty object for undefined) with its values unchecked.
 */
export function options<K extends string>(
  op: string,
  v: unknown,
  known: readonly K[],
): Partial<Record<K, unknown>> {
  if (v === undefined) return {};
  if (!isPlainObject(v)) fail(op, `options must be a plain object but got ${describe(v)}`);
  for (const key of Object.keys(v)) {
    if (!known.includes(key as K)) unknownKey(op, key, known);
  }
  return v as Partial<Record<K, unknown>>;
}

/**
 * PyTorch-style arguments. `rest` holds what follows an entry point's required arguments:
 * values for `names`, in order, then optionally one plain options object whose keys may be
 * `names` and `keywordOnly`. An `undefined` positional value counts as not given. Returns one
 * record of everything given; the caller validates each value and applies defaults.
 */
export function args<N extends string, K extends string = never>(
  op: string,
  rest: readonly unknown[],
  names: readonly N[],
  keywordOnly: readonly K[] = [],
): Partial<Record<N | K, unknown>> {
  const last = rest.length > 0 ? rest[rest.length - 1] : undefined;
  const hasOptions = isPlainObject(last);
  const positional = hasOptions ? rest.slice(0, -1) : rest;
  if (positional.length > names.length) {
    const takes =
      names.length === 0
        ? "no further positional arguments"
        : `at most ${names.length} more positional argument${names.length === 1 ? "" : "s"} (${names.join(", ")})`;
    fail(
      op,
      `too many arguments: got ${describe(positional[names.length])} after ${names.length === 0 ? "the required ones" : names[names.length - 1]}; it takes ${takes}${hasOptions ? "" : " and an options object"}`,
    );
  }
  const known: readonly string[] = [...names, ...keywordOnly];
  const out = { ...options(op, hasOptions ? last : undefined, known) } as Record<string, unknown>;
  positional.forEach((v, i) => {
    if (v === undefined) return;
    const name = names[i];
    if (out[name] !== undefined) {
      fail(op, `${name} was given both as positional argument ${i + 1} and as an option`);
    }
    out[name] = v;
  });
  return out as Partial<Record<N | K, unknown>>;
}

/**
 * The values of `names`, in order, from PyTorch-style arguments (see args): each given
 * positionally or under its name in a trailing options object, as PyTorch takes every argument
 * by keyword too (`x.sum(dim=1, keepdim=True)` is `x.sum({ dim: 1, keepdim: true })`);
 * undefined where not given.
 */
export function named(op: string, rest: readonly unknown[], names: readonly string[]): unknown[] {
  const a = args(op, rest, names) as Record<string, unknown>;
  return names.map((n) => a[n]);
}

/**
 * PyTorch takes an entry point's leading arguments by keyword too (`nn.Conv2d(1, 8,
 * kernel_size=3)`, `nn.LSTM(input_size=4, hidden_size=8)`): when an options object stands where
 * one of `names` (the leading parameters) is expected, the missing ones are taken from it.
 * `given` is every argument from the first of `names` on; returns them with `names` filled in,
 * in order, then what follows them (the object without those keys, if anything is left).
 */
export function hoist(op: string, given: readonly unknown[], names: readonly string[]): unknown[] {
  let end = given.length;
  while (end > 0 && given[end - 1] === undefined) end--;
  const at = end - 1;
  const last = given[at];
  if (at < 0 || !isPlainObject(last)) return [...given];
  names.forEach((name, i) => {
    if (i < at && name in last) {
      fail(op, `${name} was given both as positional argument ${i + 1} and as an option`);
    }
  });
  if (at >= names.length) return [...given];
  const rest: Record<string, unknown> = { ...last };
  const out: unknown[] = given.slice(0, at);
  names.forEach((name, i) => {
    if (!(name in rest)) return;
    out[i] = rest[name];
    delete rest[name];
  });
  for (let i = 0; i < names.length; i++) if (!(i in out)) out[i] = undefined;
  return Object.keys(rest).length > 0 ? [...out, rest] : out;
}

/** Refuses arguments beyond the `n` an entry point takes (JavaScript would drop them silently). */
export function noExtra(op: string, got: readonly unknown[], n: number): void {
  if (got.length > n) {
    fail(
      op,
      `takes ${n} argument${n === 1 ? "" : "s"} but got ${got.length} (the extra one is ${describe(got[n])})`,
    );
  }
}

/** `options` where null also means "no options" (the tensor-layer functions accept both). */
export function checkOptions(
  op: string,
  opts: unknown,
  allowed: readonly string[],
): Record<string, unknown> {
  if (opts === undefined || opts === null) return {};
  return options(op, opts, allowed) as Record<string, unknown>;
}

/**
 * PyTorch-style arguments as the attention, normalisation and transformer ops take them: `args`
 * with `names` as both the positional order and the only option keys, and trailing undefineds
 * (a call that spells out defaults) dropped first.
 */
export function keywordArgs(
  op: string,
  rest: readonly unknown[],
  names: readonly string[],
): Record<string, unknown> {
  const list = [...rest];
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  return args(op, list, names) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------- defaults

/** `bool`, with undefined meaning `dflt`. */
export function boolOr(op: string, name: string, v: unknown, dflt: boolean): boolean {
  return v === undefined ? dflt : bool(op, name, v);
}

/** `num` (any Number but NaN), with undefined meaning `dflt`. */
export function numOr(op: string, name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : num(op, name, v);
}

/** `int` >= min, with undefined meaning `dflt` when one is given. */
export function intOr(op: string, name: string, v: unknown, min: number, dflt?: number): number {
  return v === undefined && dflt !== undefined ? dflt : int(op, name, v, min);
}

// ---------------------------------------------------------------------------- hyper-parameters

/**
 * Optimizer and scheduler arguments, with the messages of PyTorch's hyper-parameter checks
 * ("SGD: invalid lr -1: expected a number >= 0"). `hyper` checks a number with `test`.
 */
export function hyper(
  op: string,
  name: string,
  v: unknown,
  test: (v: number) => boolean,
  want: string,
): number {
  if (typeof v !== "number" || !test(v))
    fail(op, `invalid ${name} ${describe(v)}: expected ${want}`);
  return v;
}

/** A finite number >= 0 (PyTorch takes Infinity; a rate of Infinity is always a mistake). */
export const nonNegative = (v: number): boolean => v >= 0 && Number.isFinite(v);
export const finite = (v: number): boolean => Number.isFinite(v);
export const intAtLeast =
  (min: number) =>
  (v: number): boolean =>
    Number.isInteger(v) && v >= min && v <= INT32_MAX;

/** A boolean hyper-parameter ("invalid nesterov "yes": expected true or false"). */
export function hyperFlag(op: string, name: string, v: unknown): boolean {
  if (typeof v !== "boolean") fail(op, `invalid ${name} ${describe(v)}: expected true or false`);
  return v;
}

/** Two numbers in [0, 1), as Adam's betas. */
export function betasOf(op: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) {
    fail(op, `invalid betas ${describe(v)}: expected two numbers in [0, 1)`);
  }
  v.forEach((b, i) => {
    hyper(op, `betas[${i}]`, b, (x) => x >= 0 && x < 1, "a number in [0, 1)");
  });
  return [v[0], v[1]];
}

/**
 * Optimizer and scheduler arguments as PyTorch takes them: `positional` in order, then one
 * options object with keys among `known`; absent ones are left out of the result.
 */
export function hyperArgs(
  op: string,
  rest: readonly unknown[],
  positional: readonly string[],
  known: readonly string[],
): Record<string, unknown> {
  const list = [...rest];
  while (list.length > 0 && list[list.length - 1] === undefined) list.pop();
  const keywordOnly = known.filter((k) => !positional.includes(k));
  const out = args(op, list, positional, keywordOnly) as Record<string, unknown>;
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}
