/**
 * The typed kernel table: every function assembly/index.ts exports, with its signature.
 * A test checks that this list and the module's exports name exactly the same functions.
 * All pointers are byte offsets into the module's memory; sizes are in elements.
 */

/** A byte offset into WASM linear memory. */
export type Ptr = number;

export interface Kernels {
  alloc(bytes: number): Ptr;
  free(ptr: Ptr): void;
}

export const kernelNames = ["alloc", "free"] as const satisfies readonly (keyof Kernels)[];

// Compile-time check that kernelNames lists every member of Kernels.
type Unlisted = Exclude<keyof Kernels, (typeof kernelNames)[number]>;
const everyKernelListed: Unlisted extends never ? true : Unlisted = true;
void everyKernelListed;
