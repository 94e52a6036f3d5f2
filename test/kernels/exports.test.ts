import { describe, expect, it } from "vitest";
import { kernelNames } from "../../src/backend/kernels.js";
import { exportedFunctionNames } from "../../src/backend/wasm.js";

describe("kernel table", () => {
  for (const variant of ["simd", "relaxed"] as const) {
    it(`names exactly the functions the ${variant} module exports`, () => {
      expect([...exportedFunctionNames(variant)].sort()).toEqual([...kernelNames].sort());
    });
  }
});
