/**
 * wasmgrad kernel module: the one export list.
 *
 * ABI (every kernel follows it; src/backend/kernels.ts mirrors this list and a test checks
 * that the two name exactly the same functions):
 * - Pointers are byte offsets into this module's linear memory, 16-byte aligned when they come
 *   from `alloc`. Sizes, shapes and strides are counted in elements, not bytes.
 * - The destination pointer comes first, then inputs, then sizes, then scalar parameters.
 * - Kernels return nothing, allocate nothing and never trap on valid input. Inputs may alias
 *   the destination only where a kernel's comment says so (elementwise kernels allow it).
 * - Names: <op>[_<layout>][_bwd_<wrt>]_f32[_<MR>x<NR>].
 *
 * Memory comes from AssemblyScript's TLSF allocator (free and reuse, 16-byte aligned). An
 * allocation that cannot be satisfied traps (see onAbort); the allocator's state is unchanged
 * by a failed request, so the caller can report it and carry on.
 */

export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

/** Replaces AssemblyScript's abort so the module needs no imports: any abort is a trap. */
function onAbort(
  message: string | null,
  fileName: string | null,
  line: u32,
  column: u32,
): void {
  unreachable();
}

export * from "./kernels/unary";
export * from "./kernels/gemm";
export { binary_f32, binary_scalar_f32, binary_bcast_f32, binary_bcast_block_f32 } from "./kernels/binary";
export { reduce_f32, reduce_rows_f32, reduce_cols_f32, reduce_mid_f32, argmax_f32, max_bwd_f32 } from "./kernels/reduce";
export * from "./kernels/softmax";
export * from "./kernels/copy";
export * from "./kernels/optim";
export * from "./kernels/optim2";
export * from "./kernels/conv";
export * from "./kernels/pool";
export * from "./kernels/norm";
export * from "./kernels/loss";
export * from "./kernels/ctc";
export * from "./kernels/rnn";
export * from "./kernels/rnn_steps";
export * from "./kernels/random";
export * from "./kernels/elementwise";
export * from "./kernels/scan";
export * from "./kernels/activation";
export * from "./kernels/layernorm";
export * from "./kernels/gelu";
export * from "./kernels/resample";
export * from "./kernels/attention";
export { compare_f32, compare_scalar_f32, compare_bcast_f32, test_f32, where_bcast_f32 } from "./kernels/compare";
