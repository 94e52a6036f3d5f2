/**
 * How a geometry check shows what the caller passed. The 1-D ops (conv1d, convTranspose1d,
 * maxPool1d, avgPool1d) run as their 2-D forms over [N, C, 1, L]; their errors name the 1-D op,
 * the caller's own shapes and one-number options, not the 2-D call's. The 2-D ops show the
 * caller's shapes too (an unbatched [C, H, W] input, not the batched view the op runs on).
 */
import { fmt } from "../errors.js";
import type { Tensor } from "../tensor.js";

export interface Shown {
  /** The op the caller called. */
  readonly op: string;
  /** The input's shape as the caller passed it. */
  readonly input: string;
  /** The weight's shape as the caller passed it ("" for the pools). */
  readonly weight: string;
  /** A per-dimension option or size, [h, w] in the 2-D run (the 1-D ops show w alone). */
  pair(p: readonly number[]): string;
  /** A spatial size: "HxW", or "L" for the 1-D ops. */
  area(h: number, w: number): string;
}

/** What a 2-D op shows: its own shapes and pairs. */
export function shown2d(op: string, x: Tensor, w?: Tensor): Shown {
  return {
    op,
    input: fmt(x.shape),
    weight: w === undefined ? "" : fmt(w.shape),
    pair: fmt,
    area: (h, w) => `${h}x${w}`,
  };
}

/** What a 1-D op running as a 2-D one over [N, C, 1, L] shows: its own shapes, and w alone. */
export function shown1d(op: string, x: Tensor, w?: Tensor): Shown {
  return {
    op,
    input: fmt(x.shape),
    weight: w === undefined ? "" : fmt(w.shape),
    pair: (p) => fmt([p[1]]),
    area: (_h, w) => `${w}`,
  };
}
