/** Loading state and what the running backend supports. */
import { backend } from "./backend/runtime.js";

export interface BackendInfo {
  simd: boolean;
  relaxedSimd: boolean;
  threads: number;
  wasmBytes: number;
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
  };
}
