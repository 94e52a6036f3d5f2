/**
 * The kernel ABI check (scripts/check-abi.mjs, also run by the build) over the binaries the
 * tests run: the hand-written table, the AssemblyScript exports and the module agree on names,
 * arity, parameter names and types. Then the check itself is shown to catch each kind of drift.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  assemblySignatures,
  compareAbi,
  tableSignatures,
  wasmSignatures,
} from "../../scripts/check-abi.mjs";
import { bytesOf } from "../../src/backend/wasm.js";

const root = join(import.meta.dirname, "../..");
const table = tableSignatures(join(root, "src/backend/kernels.ts"));
const assembly = assemblySignatures(join(root, "assembly/index.ts"));

type Signature = ReturnType<typeof table.get> & object;

/** A copy of the table with `name`'s signature changed by `edit`. */
function edited(name: string, edit: (s: Signature) => Signature): Map<string, Signature> {
  const copy = new Map(table);
  const s = copy.get(name);
  if (s === undefined) throw new Error(`no kernel ${name}`);
  copy.set(name, edit({ params: s.params.map((p) => ({ ...p })), result: s.result }));
  return copy;
}

describe("kernel ABI", () => {
  for (const variant of ["simd", "relaxed"] as const) {
    it(`table, assembly and the ${variant} module agree`, () => {
      const wasm = wasmSignatures(bytesOf(variant));
      expect(compareAbi(table, assembly, wasm)).toEqual([]);
      const module = new WebAssembly.Module(bytesOf(variant));
      const functions = WebAssembly.Module.exports(module).filter((e) => e.kind === "function");
      expect([...wasm.keys()].sort()).toEqual(functions.map((e) => e.name).sort());
    });
  }

  it(`runs the ${process.env.WASMGRAD_DEBUG_WASM === "1" ? "debug" : "release"} build (WASMGRAD_DEBUG_WASM)`, () => {
    // Only the debug build keeps function names (asconfig.json's debug targets).
    const module = new WebAssembly.Module(bytesOf("simd"));
    const named = WebAssembly.Module.customSections(module, "name").length > 0;
    expect(named).toBe(process.env.WASMGRAD_DEBUG_WASM === "1");
  });

  const wasm = wasmSignatures(bytesOf("simd"));
  const problems = (t: Map<string, Signature>) => compareAbi(t, assembly, wasm).join("\n");

  it("reads pointers, numbers and results from the table", () => {
    expect(table.get("sgemm_f32")?.params.map((p) => p.type)).toEqual([
      ...["Ptr", "number", "Ptr", "number", "Ptr", "number", "number", "number", "number"],
      ...["number", "number", "number", "number"],
    ]);
    expect(table.get("alloc")?.result).toBe("Ptr");
    expect(table.get("conv2d_workspace_f32")?.result).toBe("number");
    expect(wasm.get("conv2d_workspace_f32")).toEqual({ params: ["i32"], results: ["f64"] });
  });

  it("catches a missing parameter", () => {
    const t = edited("elu_f32", (s) => ({ ...s, params: s.params.slice(0, -1) }));
    expect(problems(t)).toMatch(/^elu_f32: .*arity differs/m);
  });

  it("catches swapped parameters, by name and by pointer type", () => {
    const swap = (s: Signature) => {
      const p = [...s.params];
      [p[1], p[2]] = [p[2], p[1]];
      return { ...s, params: p };
    };
    // (dst: Ptr, x: Ptr, n) -> (dst, n, x): x lands on assembly's i32 n.
    expect(problems(edited("silu_f32", swap))).toMatch(/silu_f32: .*pointers are usize/);
    // (c, ldc, a, ...) with m and n swapped: same types, caught by name.
    const mn = (s: Signature) => {
      const p = [...s.params];
      [p[6], p[7]] = [p[7], p[6]];
      return { ...s, params: p };
    };
    expect(problems(edited("sgemm_f32", mn))).toMatch(
      /sgemm_f32: .*parameter 7 is n in the table but m/,
    );
  });

  it("catches a float declared as a pointer and a wrong result", () => {
    const t = edited("elu_f32", (s) => ({
      ...s,
      params: s.params.map((p) => (p.name === "alpha" ? { ...p, type: "Ptr" } : p)),
    }));
    expect(problems(t)).toMatch(/elu_f32: .*parameter 4 \(alpha\) is Ptr in the table but f32/);
    const r = edited("conv2d_blocks", (s) => ({ ...s, result: "void" }));
    expect(problems(r)).toMatch(/conv2d_blocks: .*returns void in the table but \[i32\]/);
    const b = edited("conv2d_blocks", (s) => ({ ...s, result: "bigint" }));
    expect(problems(b)).toMatch(/conv2d_blocks: .*returns bigint/);
  });

  it("catches kernels on one side only", () => {
    const extra = new Map(table);
    extra.set("made_up_f32", { params: [], result: "void" });
    expect(problems(extra)).toMatch(/^made_up_f32: in the kernel table .* not exported/m);
    const fewer = new Map(table);
    fewer.delete("silu_f32");
    expect(problems(fewer)).toMatch(/^silu_f32: exported by the module but missing/m);
  });
});
