/** Loading state and what the running backend supports. */
import { backend, gemmTileRows } from "./backend/runtime.js";

export interface BackendInfo {
  simd: boolean;
  relaxedSimd: boolean;
  threads: number;
  wasmBytes: number;
  /** sgemm's register tile: "6x8" in the relaxed build on V8 13.6+ (Node 24, Chromium 136), else "4x8". */
  gemmTile: "4x8" | "6x8";
}

/** Resolves once the kernels are instantiated (they already are when the import completes). */
export function ready(): Promise<void> {
  return Promise.resolve();
}

export function backendInfo(): BackendInfo {
  return {
    simd: true,
    relaxedSimd: backend.variant === "relaxed",
    threads: 1,
    wasmBytes: backend.wasmBytes,
    gemmTile: gemmTileRows === 6 ? "6x8" : "4x8",
  };
}
