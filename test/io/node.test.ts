/**
 * wasmgrad/node: saveFile / loadFile, a thin node:fs layer over save / load.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { loadFile, saveFile } from "../../src/node.js";

const dir = mkdtempSync(join(tmpdir(), "wasmgrad-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("saveFile / loadFile", () => {
  it("round-trips a model's state dict through a file (path string and file: URL)", () => {
    wg.manualSeed(3);
    const model = new wg.nn.Sequential(
      new wg.nn.Linear(4, 3),
      new wg.nn.ReLU(),
      new wg.nn.Linear(3, 2),
    );
    const path = join(dir, "model.safetensors");
    saveFile(path, model.stateDict());
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(wg.save(model.stateDict())))).toBe(
      true,
    );
    const copy = new wg.nn.Sequential(
      new wg.nn.Linear(4, 3),
      new wg.nn.ReLU(),
      new wg.nn.Linear(3, 2),
    );
    wg.tidy(() => copy.loadStateDict(loadFile(pathToFileURL(path))));
    for (const [name, t] of Object.entries(model.stateDict())) {
      expect([...copy.stateDict()[name].data()], name).toEqual([...t.data()]);
    }
    model.dispose();
    copy.dispose();
  });

  it("checks the state dict before creating the file", () => {
    const path = join(dir, "never.safetensors");
    expect(() => saveFile(path, { w: [1, 2] } as unknown as Record<string, wg.Tensor>)).toThrow(
      /save: the value for "w" must be a Tensor but got an array/,
    );
    expect(existsSync(path)).toBe(false);
  });

  it("rejects a path that is not a string or URL with a WasmgradError", () => {
    expect(() => loadFile(3 as unknown as string)).toThrow(wg.WasmgradError);
    expect(() => loadFile(3 as unknown as string)).toThrow(
      /loadFile: path must be a string or a file: URL but got number/,
    );
    expect(() => saveFile(null as unknown as string, {})).toThrow(/saveFile: path must be/);
  });

  it("passes Node's file-system errors through with their code", () => {
    expect(() => loadFile(join(dir, "missing.safetensors"))).toThrow(
      expect.objectContaining({ code: "ENOENT" }),
    );
  });

  it("a truncated file is a WasmgradError from load", () => {
    const path = join(dir, "truncated.safetensors");
    const one = wg.ones([1]);
    saveFile(path, { a: one });
    one.dispose();
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    expect(() => loadFile(path)).toThrow(wg.WasmgradError);
    expect(() => loadFile(path)).toThrow(/reach past the end of the 3-byte data buffer/);
  });
});
