// @ts-check
// The kernel ABI check: the TypeScript kernel table (src/backend/kernels.ts and the interfaces of
// src/backend/table/*.ts), the AssemblyScript exports (assembly/index.ts and what it re-exports)
// and the compiled module's exports must agree on every kernel's name, arity and parameter
// types. The table is written by hand (kernels are added in parallel branches), so nothing
// generates it; this check runs in the build (scripts/build-wasm.mjs) and as a test
// (test/kernels/abi.test.ts), and each mismatch is reported with both sides.
//
// What "agree" means, per parameter:
// - the same name on both sides (so that two swapped sizes show);
// - a table `Ptr` is an AssemblyScript `usize` and a wasm i32 (a pointer declared i32, f32 or
//   i64 on the kernel side, or a swapped pointer and size, is caught here);
// - a table `number` is a wasm i32, f32 or f64 (not i64, which JavaScript sees as a BigInt);
// - a table `bigint` is a wasm i64.
// Results: `void` is no result, `number` or `Ptr` one i32, f32 or f64 result.
//
// Usage: node scripts/check-abi.mjs [build/wasmgrad-simd.wasm ...] (default: both builds).
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** @typedef {{ name: string, type: string }} Param */
/** @typedef {{ params: Param[], result: string }} Signature */
/** @typedef {{ params: string[], results: string[] }} WasmSignature */

/** @type {Map<number, string>} */
const VALTYPES = new Map([
  [0x7f, "i32"],
  [0x7e, "i64"],
  [0x7d, "f32"],
  [0x7c, "f64"],
  [0x7b, "v128"],
  [0x70, "funcref"],
  [0x6f, "externref"],
]);

/**
 * The exported functions of a WebAssembly binary with their wasm types, read from its type,
 * import, function and export sections.
 * @param {Uint8Array} bytes
 * @returns {Map<string, WasmSignature>}
 */
export function wasmSignatures(bytes) {
  let pos = 8;
  const u32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const valtype = () => {
    const t = bytes[pos++];
    const name = VALTYPES.get(t);
    if (name === undefined) throw new Error(`wasm: unknown value type 0x${t.toString(16)}`);
    return name;
  };
  const name = () => {
    const n = u32();
    const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
    pos += n;
    return s;
  };
  const limits = () => {
    const flags = u32();
    u32();
    if (flags & 1) u32();
  };
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d)
    throw new Error("wasm: not a WebAssembly binary");
  /** @type {WasmSignature[]} */
  const types = [];
  /** @type {number[]} */
  const funcTypes = [];
  /** @type {[string, number][]} */
  const exported = [];
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 1) {
      for (let i = u32(); i > 0; i--) {
        const form = bytes[pos++];
        if (form !== 0x60) throw new Error(`wasm: type form 0x${form.toString(16)} not supported`);
        const params = Array.from({ length: u32() }, valtype);
        const results = Array.from({ length: u32() }, valtype);
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let i = u32(); i > 0; i--) {
        name();
        name();
        const kind = bytes[pos++];
        if (kind === 0) funcTypes.push(u32());
        else if (kind === 1) {
          pos++;
          limits();
        } else if (kind === 2) limits();
        else if (kind === 3) pos += 2;
        else throw new Error(`wasm: import kind ${kind} not supported`);
      }
    } else if (id === 3) {
      for (let i = u32(); i > 0; i--) funcTypes.push(u32());
    } else if (id === 7) {
      for (let i = u32(); i > 0; i--) {
        const n = name();
        const kind = bytes[pos++];
        const index = u32();
        if (kind === 0) exported.push([n, index]);
      }
    }
    pos = end;
  }
  return new Map(exported.map(([n, index]) => [n, types[funcTypes[index]]]));
}

/**
 * Signatures of the exported functions of an AssemblyScript entry file, following `export *`
 * and `export { a as b } from`: parameter names and their type annotations as written.
 * @param {string} entry the entry file (assembly/index.ts)
 * @returns {Map<string, Signature>}
 */
export function assemblySignatures(entry) {
  const program = ts.createProgram([entry], {
    noLib: true,
    noEmit: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    experimentalDecorators: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (moduleSymbol === undefined) throw new Error(`abi: cannot read ${entry}`);
  /** @type {Map<string, Signature>} */
  const out = new Map();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const decl = symbol.declarations?.find(ts.isFunctionDeclaration);
    if (decl === undefined) continue;
    out.set(exported.name, {
      params: decl.parameters.map((p) => ({
        name: p.name.getText(),
        type: p.type?.getText() ?? "(none)",
      })),
      result: decl.type?.getText() ?? "(none)",
    });
  }
  return out;
}

/**
 * Signatures of the members of interface `Kernels` in the kernel table (kernels.ts, which
 * extends one interface per family under table/): parameter names and type annotations.
 * @param {string} kernelsFile src/backend/kernels.ts
 * @returns {Map<string, Signature>}
 */
export function tableSignatures(kernelsFile) {
  const program = ts.createProgram([kernelsFile], {
    noEmit: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(kernelsFile);
  const decl = file?.statements.find(
    (s) => ts.isInterfaceDeclaration(s) && s.name.text === "Kernels",
  );
  if (decl === undefined) throw new Error(`abi: no interface Kernels in ${kernelsFile}`);
  /**
   * `Ptr` as written, else what the annotation resolves to: aliases and enums of numbers (such
   * as `Trans`) are `number`.
   * @param {ts.TypeNode | undefined} node
   */
  const kind = (node) => {
    if (node === undefined) return "(none)";
    if (node.getText() === "Ptr") return "Ptr";
    const type = checker.getTypeAtLocation(node);
    const parts = type.isUnion() ? type.types : [type];
    if (parts.every((t) => t.flags & ts.TypeFlags.NumberLike)) return "number";
    if (parts.every((t) => t.flags & ts.TypeFlags.BigIntLike)) return "bigint";
    if (type.flags & ts.TypeFlags.Void) return "void";
    return node.getText();
  };
  /** @type {Map<string, Signature>} */
  const out = new Map();
  for (const member of checker.getPropertiesOfType(checker.getTypeAtLocation(decl))) {
    const sig = member.declarations?.find(ts.isMethodSignature);
    const prop = member.declarations?.find(ts.isPropertySignature);
    if (sig === undefined) {
      out.set(member.name, {
        params: [],
        result: `not a method (${prop?.type?.getText() ?? "?"})`,
      });
      continue;
    }
    out.set(member.name, {
      params: sig.parameters.map((p) => ({
        name: p.name.getText(),
        type: `${p.dotDotDotToken ? "..." : ""}${kind(p.type)}${p.questionToken ? "?" : ""}`,
      })),
      result: kind(sig.type),
    });
  }
  return out;
}

const TABLE_TO_WASM = /** @type {Record<string, string[]>} */ ({
  Ptr: ["i32"],
  number: ["i32", "f32", "f64"],
  bigint: ["i64"],
});
const RESULT_TO_WASM = /** @type {Record<string, string[][]>} */ ({
  void: [[]],
  Ptr: [["i32"]],
  number: [["i32"], ["f32"], ["f64"]],
  bigint: [["i64"]],
});

/**
 * Every disagreement between the three views, as one line each (empty when they agree).
 * @param {Map<string, Signature>} table
 * @param {Map<string, Signature>} assembly
 * @param {Map<string, WasmSignature>} wasm
 * @returns {string[]}
 */
export function compareAbi(table, assembly, wasm) {
  /** @type {string[]} */
  const problems = [];
  const show = (/** @type {Signature} */ s) =>
    `(${s.params.map((p) => `${p.name}: ${p.type}`).join(", ")}): ${s.result}`;
  const showWasm = (/** @type {WasmSignature} */ s) =>
    `(${s.params.join(", ")}) -> [${s.results.join(", ")}]`;
  for (const name of [...table.keys()].sort()) {
    if (!wasm.has(name))
      problems.push(
        `${name}: in the kernel table (src/backend/table) but not exported by the module`,
      );
  }
  for (const name of [...wasm.keys()].sort()) {
    if (!table.has(name))
      problems.push(
        `${name}: exported by the module but missing from the kernel table (add it to an interface and name list under src/backend/table/)`,
      );
  }
  for (const [name, t] of [...table].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const w = wasm.get(name);
    if (w === undefined) continue;
    const a = assembly.get(name);
    const where = `${name}: table ${show(t)}, assembly ${a ? show(a) : "(not found)"}, wasm ${showWasm(w)}`;
    if (t.params.length !== w.params.length || (a && a.params.length !== w.params.length)) {
      problems.push(`${where}: arity differs`);
      continue;
    }
    t.params.forEach((p, i) => {
      const allowed = TABLE_TO_WASM[p.type];
      if (allowed === undefined) {
        problems.push(
          `${where}: parameter ${i + 1} (${p.name}) has type ${p.type}; use Ptr, number or bigint`,
        );
      } else if (!allowed.includes(w.params[i])) {
        problems.push(
          `${where}: parameter ${i + 1} (${p.name}) is ${p.type} in the table but ${w.params[i]} in wasm`,
        );
      } else if (p.type === "Ptr" && a && a.params[i].type !== "usize") {
        problems.push(
          `${where}: parameter ${i + 1} is a pointer in the table (${p.name}: Ptr) but ${a.params[i].name}: ${a.params[i].type} in assembly (pointers are usize)`,
        );
      } else if (a && a.params[i].name !== p.name) {
        problems.push(
          `${where}: parameter ${i + 1} is ${p.name} in the table but ${a.params[i].name} in assembly (same order, same names: rename one side)`,
        );
      }
    });
    const results = RESULT_TO_WASM[t.result];
    if (results === undefined) {
      problems.push(`${where}: result type ${t.result}; use void, number, Ptr or bigint`);
    } else if (!results.some((r) => r.join() === w.results.join())) {
      problems.push(
        `${where}: returns ${t.result} in the table but [${w.results.join(", ")}] in wasm`,
      );
    }
  }
  return problems;
}

/**
 * Runs the check over the source tree at `dir` and the given binaries; returns the problems,
 * each followed by the binaries it concerns.
 * @param {string[]} binaries paths of .wasm files
 * @param {string} [dir] the repository root
 */
export function checkAbi(binaries, dir = root) {
  const table = tableSignatures(join(dir, "src/backend/kernels.ts"));
  const assembly = assemblySignatures(join(dir, "assembly/index.ts"));
  /** @type {Map<string, string[]>} problem -> the binaries that have it */
  const found = new Map();
  for (const path of binaries) {
    for (const p of compareAbi(table, assembly, wasmSignatures(readFileSync(path)))) {
      found.set(p, [...(found.get(p) ?? []), relative(dir, path)]);
    }
  }
  return [...found].map(([p, paths]) => `${p} [${paths.join(", ")}]`);
}

/** Throws one error listing every problem, if any. */
export function assertAbi(/** @type {string[]} */ binaries, dir = root) {
  const problems = checkAbi(binaries, dir);
  if (problems.length > 0) {
    throw new Error(
      `kernel ABI check failed: src/backend/table/*.ts and assembly/ disagree (${problems.length} problem(s)):\n  ${problems.join("\n  ")}`,
    );
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const binaries =
    args.length > 0
      ? args.map((a) => resolve(a))
      : ["simd", "relaxed"].map((t) => join(root, `build/wasmgrad-${t}.wasm`));
  try {
    assertAbi(binaries);
    console.log(`kernel ABI: table, assembly and ${binaries.length} binaries agree`);
  } catch (e) {
    console.error(/** @type {Error} */ (e).message);
    process.exit(1);
  }
}
