/**
 * The typed kernel table: every function assembly/index.ts exports, with its signature, one
 * file per kernel family under table/. A test checks that this list and the module's exports
 * name exactly the same functions. Pointers are byte offsets into the module's memory; sizes
 * are in elements.
 */
import { type ActivationKernels, activationKernelNames } from "./table/activation.js";
import { type AttnKernels, attnKernelNames } from "./table/attn.js";
import { type CompareKernels, compareKernelNames } from "./table/compare.js";
import { type ConvKernels, convKernelNames } from "./table/conv.js";
import { type CoreKernels, coreKernelNames } from "./table/core.js";
import { type GemmKernels, gemmKernelNames } from "./table/gemm.js";
import { type LossKernels, lossKernelNames } from "./table/loss.js";
import { type MathKernels, mathKernelNames } from "./table/math.js";
import { type OptimKernels, optimKernelNames } from "./table/optim.js";
import { type ResampleKernels, resampleKernelNames } from "./table/resample.js";
import { type RnnKernels, rnnKernelNames } from "./table/rnn.js";
import { type UnaryKernels, unaryKernelNames } from "./table/unary.js";

/** A byte offset into WASM linear memory. */
export type Ptr = number;

export interface Kernels
  extends CoreKernels,
    UnaryKernels,
    GemmKernels,
    ConvKernels,
    OptimKernels,
    LossKernels,
    RnnKernels,
    MathKernels,
    ActivationKernels,
    AttnKernels,
    ResampleKernels,
    CompareKernels {}

export const kernelNames: readonly (keyof Kernels)[] = [
  ...coreKernelNames,
  ...unaryKernelNames,
  ...gemmKernelNames,
  ...convKernelNames,
  ...optimKernelNames,
  ...lossKernelNames,
  ...rnnKernelNames,
  ...mathKernelNames,
  ...activationKernelNames,
  ...attnKernelNames,
  ...resampleKernelNames,
  ...compareKernelNames,
];

// Compile-time check that the name lists cover every member of Kernels.
type Unlisted = Exclude<
  keyof Kernels,
  | (typeof coreKernelNames)[number]
  | (typeof unaryKernelNames)[number]
  | (typeof gemmKernelNames)[number]
  | (typeof convKernelNames)[number]
  | (typeof optimKernelNames)[number]
  | (typeof lossKernelNames)[number]
  | (typeof rnnKernelNames)[number]
  | (typeof mathKernelNames)[number]
  | (typeof activationKernelNames)[number]
  | (typeof attnKernelNames)[number]
  | (typeof resampleKernelNames)[number]
  | (typeof compareKernelNames)[number]
>;
const everyKernelListed: Unlisted extends never ? true : Unlisted = true;
void everyKernelListed;
