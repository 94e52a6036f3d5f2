/**
 * Helpers for the tests that check wasmgrad against the PyTorch fixtures in test/fixtures/ (the
 * JSON schemas are documented in test/fixtures/README.md and at the top of gen.py) and against
 * finite differences.
 */
import { readFileSync } from "node:fs";
import * as wg from "wasmgrad";

// ---------------------------------------------------------------------------- fixture schemas

/** `{shape, data}`: data flat and row-major; shape [] is a 0-d tensor with one value. */
export interface FixtureTensor {
  shape: number[];
  data: number[];
}

export interface OpCase {
  name: string;
  op: string;
  args: OpArgs;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: FixtureTensor[];
  note?: string;
}

/** The union of every op's `args` (see the README's table). */
export interface OpArgs {
  other?: number;
  exponent?: number;
  min?: number | null;
  max?: number | null;
  dim?: number | number[];
  keepdim?: boolean;
  dim0?: number;
  dim1?: number;
  dims?: number[];
  shape?: number[];
  startDim?: number;
  endDim?: number;
  start?: number;
  length?: number;
}

export interface LinearCase {
  name: string;
  inFeatures: number;
  outFeatures: number;
  hasBias: boolean;
  params: { weight: FixtureTensor; bias?: FixtureTensor };
  input: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: { input: FixtureTensor; weight: FixtureTensor; bias?: FixtureTensor };
}

export type LossFn =
  | "mseLoss"
  | "crossEntropy"
  | "nllLoss"
  | "binaryCrossEntropy"
  | "binaryCrossEntropyWithLogits";

export interface LossCase {
  name: string;
  fn: LossFn;
  reduction: "mean" | "sum" | "none";
  input: FixtureTensor;
  target: FixtureTensor;
  output: FixtureTensor;
  upstream: FixtureTensor;
  grads: { input: FixtureTensor; target?: FixtureTensor };
}

export interface SgdRun {
  name: string;
  loss: "crossEntropy" | "mseLoss";
  target: "classTargets" | "regressionTarget";
  options: {
    lr: number;
    momentum?: number;
    dampening?: number;
    weightDecay?: number;
    nesterov?: boolean;
  };
  losses: number[];
  paramsAfterStep1: Record<string, FixtureTensor>;
  finalParams: Record<string, FixtureTensor>;
  finalLoss: number;
}

export interface SgdFixture {
  model: string;
  initialParams: Record<string, FixtureTensor>;
  x: FixtureTensor;
  classTargets: FixtureTensor;
  regressionTarget: FixtureTensor;
  steps: number;
  runs: SgdRun[];
}

export interface Moments {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface LinearInit {
  inFeatures: number;
  outFeatures: number;
  weightShape: number[];
  biasShape: number[];
  fanIn: number;
  weightBound: number;
  biasBound: number;
  weightExpected: Moments;
  biasExpected: Moments;
}

export interface InitFixture {
  formula: string;
  testAdvice: string;
  linear: LinearInit[];
  embedding: { num: number; dim: number; expected: { mean: number; std: number } };
}

/** Parses test/fixtures/<file>; the caller names the schema it expects. */
export function loadFixture<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), "utf8")) as T;
}

/** A wasmgrad tensor holding exactly the float32 values torch used. */
export function toTensor(t: FixtureTensor, requiresGrad = false): wg.Tensor {
  return wg.tensor(new Float32Array(t.data), { shape: t.shape, requiresGrad });
}

/** Class indices as the losses take them. */
export function toIndices(t: FixtureTensor): Int32Array {
  return Int32Array.from(t.data);
}

// ---------------------------------------------------------------------------- comparisons

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** The README's suggested tolerance for float32 results. */
export const fixtureTol: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/**
 * Elementwise `|got - want| <= atol + rtol * |want|` (NaN matches NaN, an infinity matches the
 * same infinity). Returns one line per mismatch, at most `limit`, plus a count of the rest, so
 * that a failing `expect(...).toEqual([])` shows exactly which elements are off and by how much.
 */
export function mismatches(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerance = fixtureTol,
  limit = 8,
): string[] {
  if (got.length !== want.length) {
    return [`length: got ${got.length} elements, want ${want.length}`];
  }
  const out: string[] = [];
  let more = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (g === w || (Number.isNaN(g) && Number.isNaN(w))) continue;
    if (
      Number.isFinite(g) &&
      Number.isFinite(w) &&
      Math.abs(g - w) <= tol.atol + tol.rtol * Math.abs(w)
    ) {
      continue;
    }
    if (out.length < limit)
      out.push(`[${i}] got ${g}, want ${w} (diff ${Math.abs(g - w).toExponential(2)})`);
    else more++;
  }
  if (more > 0) out.push(`... and ${more} more`);
  return out;
}

/** Shape and values of `got` against a fixture tensor, as a list of problems (empty if equal). */
export function tensorMismatches(
  got: wg.Tensor | null,
  want: FixtureTensor,
  tol: Tolerance = fixtureTol,
): string[] {
  if (got === null) return ["got null (no gradient)"];
  if (got.shape.length !== want.shape.length || got.shape.some((d, i) => d !== want.shape[i])) {
    return [`shape: got [${got.shape.join(",")}], want [${want.shape.join(",")}]`];
  }
  return mismatches(got.data(), want.data, tol);
}

// ---------------------------------------------------------------------------- random data

/** A deterministic uniform generator in [0, 1) (xorshift32), seeded from a string or number. */
export function rng(seed: number | string): () => number {
  let s = typeof seed === "number" ? seed >>> 0 : hashString(seed);
  if (s === 0) s = 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

function hashString(str: string): number {
  let h = 2166136261;
  for (let i = 0; i < str.length; i++) h = Math.imul(h ^ str.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

// ---------------------------------------------------------------------------- gradcheck

/** One input of a gradcheck: the float32 values and the shape. */
export interface GradInput {
  shape: number[];
  data: Float32Array;
}

export interface GradcheckOptions {
  /** Central-difference step (the realised float32 step is used in the quotient). */
  eps?: number;
  /** Accept `|analytic - numeric| <= atol + rtol * |numeric|`. */
  atol?: number;
  rtol?: number;
  /** Seed of the fixed random upstream gradient. */
  seed?: number | string;
}

export interface GradcheckReport {
  /** d(sum(out * g))/d(input), from `out.backward(g)` (a null `.grad` reads as zeros). */
  analytic: Float64Array[];
  /** The same by central differences of float32 forwards, accumulated in float64. */
  numeric: Float64Array[];
  /** Inputs whose `.grad` stayed null after backward. */
  missing: number[];
  outputShape: number[];
  /**
   * The elements where analytic and numeric disagree beyond the tolerance, with the analytic
   * gradient multiplied by `scale` first (scale 1.1 simulates a 10% wrong gradient, which a
   * meaningful check must reject).
   */
  mismatches(scale?: number): string[];
  /** The largest |analytic * scale - numeric| / (atol + rtol * |numeric|): <= 1 passes. */
  worst(scale?: number): number;
}

export const gradcheckDefaults = { eps: 1e-3, atol: 1e-3, rtol: 1e-2 } as const;

/**
 * The pieces every gradient check here is built from (gradcheck below, and the module checks
 * of test/grad/gradcheck-rnn.test.ts, whose parameters are perturbed in place).
 */

/** A random upstream gradient of `n` values with magnitudes in [0.5, 1.5) (an unlucky tiny
 * value would shrink every gradient below atol). */
export function upstreamGradient(n: number, random: () => number): Float32Array {
  const g = new Float32Array(n);
  for (let i = 0; i < g.length; i++) g[i] = (random() < 0.5 ? -1 : 1) * (0.5 + random());
  return g;
}

/**
 * d objective / d data[j] for every j by central differences: data[j] is set to x0 ± eps,
 * `apply` (if given) hands the changed data to whatever reads it, and the quotient divides by
 * the realised float32 step (xp - xm), not 2 eps. data is restored (and applied) after each j.
 */
export function centralDifferences(
  data: Float32Array,
  objective: () => number,
  apply: () => void = () => {},
  eps: number = gradcheckDefaults.eps,
): Float64Array {
  const num = new Float64Array(data.length);
  for (let j = 0; j < data.length; j++) {
    const x0 = data[j];
    data[j] = x0 + eps;
    const xp = data[j];
    apply();
    const fp = objective();
    data[j] = x0 - eps;
    const xm = data[j];
    apply();
    const fm = objective();
    data[j] = x0;
    apply();
    num[j] = (fp - fm) / (xp - xm);
  }
  return num;
}

/** One checked gradient: a label for messages, the analytic and the numeric values. */
export interface GradSlot {
  label: string;
  analytic: Float64Array;
  numeric: Float64Array;
}

/**
 * Elements where `analytic * scale` and `numeric` differ by more than atol + rtol * |numeric|,
 * described (the first 10, then a count); `missing` lines come first.
 */
export function gradMismatches(
  slots: readonly GradSlot[],
  scale = 1,
  { atol, rtol }: { atol: number; rtol: number } = gradcheckDefaults,
  missing: readonly string[] = [],
): string[] {
  const out = [...missing];
  let more = 0;
  for (const s of slots) {
    for (let j = 0; j < s.analytic.length; j++) {
      const got = s.analytic[j] * scale;
      const n = s.numeric[j];
      if (Math.abs(got - n) <= atol + rtol * Math.abs(n)) continue;
      if (out.length < 10) {
        out.push(`${s.label} [${j}]: analytic ${got.toPrecision(6)}, numeric ${n.toPrecision(6)}`);
      } else more++;
    }
  }
  if (more > 0) out.push(`... and ${more} more`);
  return out;
}

/** The largest |analytic * scale - numeric| / (atol + rtol * |numeric|) (NaN: Infinity). */
export function gradWorst(
  slots: readonly GradSlot[],
  scale = 1,
  { atol, rtol }: { atol: number; rtol: number } = gradcheckDefaults,
): number {
  let w = 0;
  for (const s of slots) {
    for (let j = 0; j < s.analytic.length; j++) {
      const r =
        Math.abs(s.analytic[j] * scale - s.numeric[j]) / (atol + rtol * Math.abs(s.numeric[j]));
      w = Number.isNaN(r) ? Number.POSITIVE_INFINITY : Math.max(w, r);
    }
  }
  return w;
}

/**
 * Finite-difference gradient check of `fn` at `inputs`. The objective is f = sum(out * g) for a
 * fixed random upstream g: the analytic gradient comes from `out.backward(g)`, the numeric one
 * from (f(x + h e_i) - f(x - h e_i)) / (2h), where the forward runs in float32 (as wasmgrad does),
 * f is summed in float64 and 2h is the actual difference of the two float32 inputs. Everything
 * created is disposed.
 */
export function gradcheck(
  fn: (...xs: wg.Tensor[]) => wg.Tensor,
  inputs: GradInput[],
  options: GradcheckOptions = {},
): GradcheckReport {
  const eps = options.eps ?? gradcheckDefaults.eps;
  const tol = {
    atol: options.atol ?? gradcheckDefaults.atol,
    rtol: options.rtol ?? gradcheckDefaults.rtol,
  };
  const random = rng(options.seed ?? 12345);

  const leaves = inputs.map((x) => wg.tensor(x.data, { shape: x.shape, requiresGrad: true }));
  let upstream: Float32Array;
  let outputShape: number[];
  const analytic: Float64Array[] = [];
  const missing: number[] = [];
  try {
    const res = wg.tidy(() => {
      const out = fn(...leaves);
      const g = upstreamGradient(out.numel(), random);
      out.backward(wg.tensor(g, { shape: [...out.shape] }));
      return { g, shape: [...out.shape] };
    });
    upstream = res.g;
    outputShape = res.shape;
    leaves.forEach((leaf, i) => {
      const grad = leaf.grad;
      if (grad === null) missing.push(i);
      analytic.push(
        grad === null ? new Float64Array(leaf.numel()) : Float64Array.from(grad.data()),
      );
    });
  } finally {
    for (const leaf of leaves) leaf.dispose();
  }

  const datas = inputs.map((x) => Float32Array.from(x.data));
  const objective = (): number =>
    wg.tidy(() =>
      wg.noGrad(() => {
        const xs = datas.map((d, i) => wg.tensor(d, { shape: inputs[i].shape }));
        const out = fn(...xs).data();
        let f = 0;
        for (let k = 0; k < out.length; k++) f += upstream[k] * out[k];
        return f;
      }),
    );
  const numeric = datas.map((d) => centralDifferences(d, objective, undefined, eps));
  const slots = analytic.map((a, i) => ({ label: `input ${i}`, analytic: a, numeric: numeric[i] }));
  const missingLines = missing.map((i) => `input ${i}: .grad is null after backward`);

  return {
    analytic,
    numeric,
    missing,
    outputShape,
    mismatches: (scale = 1) => gradMismatches(slots, scale, tol, missingLines),
    worst: (scale = 1) => gradWorst(slots, scale, tol),
  };
}
