/**
 * `torch.cuda`'s queries, answered for wasmgrad (which computes on the CPU through WebAssembly),
 * so that device-selection code ports as it is:
 * `const device = wg.cuda.isAvailable() ? "cuda" : "cpu"`.
 */

/**
 * Whether a CUDA device is available: never, in wasmgrad.
 *
 * PyTorch: `torch.cuda.is_available`.
 *
 * @example
 * ```ts
 * const device = wg.cuda.isAvailable() ? "cuda" : "cpu"; // "cpu"
 * ```
 */
export function isAvailable(): boolean {
  return false;
}

/**
 * The number of CUDA devices: 0.
 *
 * PyTorch: `torch.cuda.device_count`.
 *
 * @example
 * ```ts
 * wg.cuda.deviceCount(); // 0
 * ```
 */
export function deviceCount(): number {
  return 0;
}
