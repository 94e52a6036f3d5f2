/** The engine-version check behind sgemm's tile choice (src/backend/runtime.ts). */
import { describe, expect, it } from "vitest";
import { v8Version } from "../../src/backend/runtime.js";

describe("v8Version", () => {
  it("reads Node's and Deno's version tables", () => {
    expect(v8Version({ process: { versions: { v8: "11.3.244.8-node.33" } } })).toBe(1103);
    expect(v8Version({ process: { versions: { v8: "13.6.233.17-node.53" } } })).toBe(1306);
    expect(v8Version({ Deno: { version: { v8: "14.2.1.0" } } })).toBe(1402);
  });

  it("is 0 for Bun, which reports a V8 version but runs JavaScriptCore", () => {
    expect(v8Version({ process: { versions: { v8: "13.6.233.10-node.1", bun: "1.2.0" } } })).toBe(
      0,
    );
  });

  it("maps a Chromium user agent M to V8 (M / 10).(M % 10)", () => {
    const ua = (s: string) => ({ navigator: { userAgent: s } });
    const linux = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)";
    expect(v8Version(ua(`${linux} HeadlessChrome/156.0.0.0 Safari/537.36`))).toBe(1506);
    expect(v8Version(ua(`${linux} Chrome/136.0.7103.92 Safari/537.36`))).toBe(1306);
    expect(v8Version(ua(`${linux} Chrome/135.0.0.0 Safari/537.36 Edg/135.0.0.0`))).toBe(1305);
    expect(
      v8Version(ua("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0")),
    ).toBe(0);
    expect(v8Version({})).toBe(0);
  });

  it("is this engine's version in Node", () => {
    const [major, minor] = process.versions.v8.split(".").map(Number);
    expect(v8Version()).toBe(major * 100 + minor);
  });
});
