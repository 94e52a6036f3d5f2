/**
 * Probability distributions, as torch.distributions: `Categorical` (a policy's discrete
 * actions), `Bernoulli` and `Normal` (a Gaussian policy, a VAE's posterior). Each holds tensors
 * derived from its parameters, in the autograd graph, so log-probabilities and `rsample` are
 * differentiable in them. Make distributions inside `wg.tidy` (as a training step does) or
 * `dispose()` them; what their methods compute is owned like any op's result.
 */
import { needsGradAny, noGrad } from "../autograd/engine.js";
import { inGraphScope } from "../autograd/owned.js";
import { tidy } from "../memory.js";
import { randn, tensor } from "../ops/creation.js";
import { bernoulli } from "../ops/creation-more.js";
import { binaryCrossEntropyWithLogits } from "../ops/loss.js";
import { multinomial } from "../ops/random-int.js";
import { broadcastShapes, sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { type Args, args, bool, describe, fail } from "../validate.js";

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
/** The gap between 1 and the next float32 (torch.finfo(torch.float32).eps). */
const EPS32 = 2 ** -23;
/** The most negative finite float32 (torch.finfo(torch.float32).min). */
const MIN32 = -3.4028234663852886e38;

/** A float32 tensor argument, or a number made into one (`made` collects those). */
function tensorOf(op: string, name: string, v: unknown, made: Tensor[]): Tensor {
  if (v instanceof Tensor) {
    v._live(op);
    if (v.dtype !== "float32") fail(op, `${name} must be a float32 tensor but got ${v.dtype}`);
    return v;
  }
  if (typeof v === "number" && !Number.isNaN(v)) {
    const t = tensor(v);
    made.push(t);
    return t;
  }
  return fail(op, `${name} must be a float32 Tensor or a number but got ${describe(v)}`);
}

function sampleShapeOf(op: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every((d) => Number.isInteger(d) && d >= 0)) {
    fail(op, `sampleShape must be an array of sizes but got ${describe(v)}`);
  }
  return [...(v as number[])];
}

/**
 * Runs a computation on `inputs`: in a graph scope when a result will need gradients (the graph
 * then owns the intermediates), else in tidy (they are freed at once).
 */
function compute<T>(inputs: readonly Tensor[], fn: () => T): T {
  return needsGradAny(inputs) ? inGraphScope(fn) : tidy(fn);
}

/** The tensors a distribution made, freed by its dispose(). */
abstract class Owned {
  /** The tensors this distribution made from its parameters. */
  protected readonly made: Tensor[] = [];

  /** Frees the tensors the distribution made (not the ones it was given). */
  dispose(): void {
    for (const t of this.made) if (!t.isDisposed) t.dispose();
  }

  /** The same as `dispose()`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** Options of {@link Categorical}: exactly one of probs and logits. */
export interface CategoricalOptions {
  /** Unnormalised probabilities along the last dimension. */
  probs?: Tensor | null;
  /** Unnormalised log-probabilities along the last dimension. */
  logits?: Tensor | null;
  /** Check `logProb`'s values against the support 0..K-1 (default true). */
  validateArgs?: boolean;
}

/**
 * A categorical distribution over 0..K-1 along the last dimension of `probs` or `logits`
 * (either unnormalised); the leading dimensions are the batch.
 *
 * PyTorch: `torch.distributions.Categorical`.
 *
 * @example
 * ```ts
 * const m = new wg.distributions.Categorical(wg.tensor([0.25, 0.75]));
 * const action = m.sample(); // an int32 0-d tensor
 * const logp = m.logProb(action); // differentiable in the probabilities
 * ```
 */
export class Categorical extends Owned {
  /** The normalised probabilities, [...batchShape, K]. */
  readonly probs: Tensor;
  /** The normalised log-probabilities, [...batchShape, K]. */
  readonly logits: Tensor;
  /** The shape of the batch of distributions (the leading dimensions). */
  readonly batchShape: readonly number[];
  /** The shape of one sample: [] (a category index). */
  readonly eventShape: readonly number[] = [];
  /** Whether `logProb` checks its values against the support. */
  private readonly validate: boolean;

  /** `Categorical(probs)`, `Categorical(null, logits)`, or `{ probs }` / `{ logits }`. */
  constructor(
    probs?: Tensor | null | CategoricalOptions,
    ...rest: Args<[logits: Tensor | null, validateArgs: boolean], CategoricalOptions>
  ) {
    super();
    const op = "Categorical";
    const a = args(op, [probs, ...rest], ["probs", "logits", "validateArgs"]);
    this.validate = a.validateArgs === undefined ? true : bool(op, "validateArgs", a.validateArgs);
    if ((a.probs == null) === (a.logits == null))
      fail(op, "expected exactly one of probs and logits");
    const fromProbs = a.probs != null;
    const given = tensorOf(op, fromProbs ? "probs" : "logits", a.probs ?? a.logits, []);
    if (given.ndim < 1 || given.shape[given.ndim - 1] < 1) {
      fail(
        op,
        `expected categories along the last dimension but got shape ${describe(given.shape)}`,
      );
    }
    if (fromProbs && Array.from(given.data()).some((v) => !(v >= 0 && Number.isFinite(v)))) {
      fail(op, "probs must be non-negative and finite");
    }
    [this.probs, this.logits] = compute([given], () => {
      if (fromProbs) {
        const p = given.div(given.sum(-1, true));
        return [p, p.clamp(EPS32, 1 - EPS32).log()];
      }
      const l = given.sub(given.logsumexp(-1, true));
      return [l.softmax(-1), l];
    });
    this.made.push(this.probs, this.logits);
    this.batchShape = given.shape.slice(0, -1);
  }

  /** The number of categories K. */
  get numCategories(): number {
    return this.probs.shape[this.probs.ndim - 1];
  }

  /**
   * Draws category indices: an int32 tensor of shape [...sampleShape, ...batchShape] (not
   * differentiable).
   */
  sample(sampleShape: readonly number[] = []): Tensor {
    const shape = sampleShapeOf("Categorical.sample", sampleShape);
    const n = sizeOf(shape);
    const k = this.numCategories;
    return noGrad(() =>
      tidy(() => {
        const rows = this.probs.reshape(-1, k);
        const drawn =
          n === 0
            ? rows.newZeros([rows.shape[0], 0], { dtype: "int32" })
            : multinomial(rows, n, true);
        return drawn
          .t()
          .contiguous()
          .reshape([...shape, ...this.batchShape]);
      }),
    );
  }

  /** log P(value) for int32 category indices that broadcast with the batch shape. */
  logProb(value: Tensor): Tensor {
    const op = "Categorical.logProb";
    if (!(value instanceof Tensor)) {
      fail(op, `expected a Tensor of category indices but got ${describe(value)}`);
    }
    value._live(op);
    const k = this.numCategories;
    if (
      this.validate &&
      Array.from(value.data()).some((x) => !(Number.isInteger(x) && x >= 0 && x < k))
    ) {
      fail(op, `values must be category indices in [0, ${k - 1}]`);
    }
    const shape = broadcastShapes(op, value.shape, this.batchShape);
    return compute([this.logits], () => {
      const idx = value
        .int()
        .unsqueeze(-1)
        .expand([...shape, 1]);
      return this.logits
        .expand([...shape, k])
        .gather(-1, idx)
        .squeeze(-1);
    });
  }

  /** The entropy of each distribution of the batch, -Σ p log p. */
  entropy(): Tensor {
    return compute([this.logits], () =>
      this.logits.clamp(MIN32, null).mul(this.probs).sum(-1).neg(),
    );
  }

  /** The most likely category of each distribution (int32). */
  get mode(): Tensor {
    return this.probs.argmax(-1);
  }
}

/** Options of {@link Bernoulli}: exactly one of probs and logits. */
export interface BernoulliOptions {
  /** The probability of 1, in [0, 1]. */
  probs?: Tensor | number | null;
  /** The log-odds of 1. */
  logits?: Tensor | number | null;
}

/**
 * A Bernoulli distribution over {0, 1} with probability `probs` (or log-odds `logits`) of 1.
 *
 * PyTorch: `torch.distributions.Bernoulli`.
 *
 * @example
 * ```ts
 * const m = new wg.distributions.Bernoulli(wg.tensor([0.2, 0.9]));
 * m.logProb(wg.tensor([0, 1])); // [log 0.8, log 0.9]
 * ```
 */
export class Bernoulli extends Owned {
  /** The probability of 1, [...batchShape]. */
  readonly probs: Tensor;
  /** The log-odds of 1, [...batchShape]. */
  readonly logits: Tensor;
  /** The shape of the batch of distributions. */
  readonly batchShape: readonly number[];
  /** The shape of one sample: []. */
  readonly eventShape: readonly number[] = [];

  /** `Bernoulli(probs)`, `Bernoulli(null, logits)`, or `{ probs }` / `{ logits }`. */
  constructor(
    probs?: Tensor | number | null | BernoulliOptions,
    ...rest: Args<[logits: Tensor | number | null], BernoulliOptions>
  ) {
    super();
    const op = "Bernoulli";
    const a = args(op, [probs, ...rest], ["probs", "logits"]);
    if ((a.probs == null) === (a.logits == null))
      fail(op, "expected exactly one of probs and logits");
    const fromProbs = a.probs != null;
    const given = tensorOf(op, fromProbs ? "probs" : "logits", a.probs ?? a.logits, this.made);
    if (fromProbs && Array.from(given.data()).some((v) => !(v >= 0 && v <= 1))) {
      this.dispose();
      fail(op, "probs must be in [0, 1]");
    }
    [this.probs, this.logits] = compute([given], () => {
      if (fromProbs) {
        const p = given.clamp(EPS32, 1 - EPS32);
        return [given.mul(1), p.log().sub(p.neg().log1p())];
      }
      return [given.sigmoid(), given.mul(1)];
    });
    this.made.push(this.probs, this.logits);
    this.batchShape = given.shape;
  }

  /** Draws 0/1 values (float32) of shape [...sampleShape, ...batchShape] (not differentiable). */
  sample(sampleShape: readonly number[] = []): Tensor {
    const shape = sampleShapeOf("Bernoulli.sample", sampleShape);
    return noGrad(() => tidy(() => bernoulli(this.probs.expand([...shape, ...this.batchShape]))));
  }

  /** log P(value) for 0/1 values (float32) that broadcast with the batch shape. */
  logProb(value: Tensor): Tensor {
    const op = "Bernoulli.logProb";
    const v = tensorOf(op, "value", value, []);
    const shape = broadcastShapes(op, v.shape, this.batchShape);
    return compute([this.logits, v], () =>
      binaryCrossEntropyWithLogits(this.logits.expand([...shape]), v.expand([...shape]), {
        reduction: "none",
      }).neg(),
    );
  }

  /** The entropy of each distribution. */
  entropy(): Tensor {
    return compute([this.logits], () =>
      binaryCrossEntropyWithLogits(this.logits, this.probs, { reduction: "none" }),
    );
  }
}

/** Options of {@link Normal}. */
export interface NormalOptions {
  /** The mean. */
  loc?: Tensor | number;
  /** The standard deviation (> 0). */
  scale?: Tensor | number;
  /** Check that scale > 0 (default true). */
  validateArgs?: boolean;
}

/**
 * A normal (Gaussian) distribution with mean `loc` and standard deviation `scale` (tensors or
 * numbers, broadcast together into the batch shape).
 *
 * PyTorch: `torch.distributions.Normal`.
 *
 * @example
 * ```ts
 * const m = new wg.distributions.Normal(wg.zeros(2), wg.ones(2));
 * const z = m.rsample(); // differentiable in loc and scale (the reparameterisation trick)
 * m.logProb(z).sum();
 * ```
 */
export class Normal extends Owned {
  /** The mean, broadcast to the batch shape. */
  readonly loc: Tensor;
  /** The standard deviation, broadcast to the batch shape. */
  readonly scale: Tensor;
  /** The shape of the batch of distributions. */
  readonly batchShape: readonly number[];
  /** The shape of one sample: [] (a number). */
  readonly eventShape: readonly number[] = [];

  /** `Normal(loc, scale)`, or `{ loc, scale }`. */
  constructor(
    loc: Tensor | number | NormalOptions,
    ...rest: Args<[scale: Tensor | number, validateArgs: boolean], NormalOptions>
  ) {
    super();
    const op = "Normal";
    const a = args(op, [loc, ...rest], ["loc", "scale", "validateArgs"]);
    const l = tensorOf(op, "loc", a.loc, this.made);
    const s = tensorOf(op, "scale", a.scale, this.made);
    const check = a.validateArgs === undefined ? true : bool(op, "validateArgs", a.validateArgs);
    if (check && Array.from(s.data()).some((v) => !(v > 0))) {
      this.dispose();
      fail(op, "scale must be positive");
    }
    this.batchShape = broadcastShapes(op, l.shape, s.shape);
    [this.loc, this.scale] = compute([l, s], () => [
      l.expand([...this.batchShape]).mul(1),
      s.expand([...this.batchShape]).mul(1),
    ]);
    this.made.push(this.loc, this.scale);
  }

  /** The mean (loc). */
  get mean(): Tensor {
    return this.loc;
  }

  /** The standard deviation (scale). */
  get stddev(): Tensor {
    return this.scale;
  }

  /** The variance, scale², a new tensor. */
  get variance(): Tensor {
    return this.scale.square();
  }

  /** Draws [...sampleShape, ...batchShape] values (not differentiable). */
  sample(sampleShape: readonly number[] = []): Tensor {
    const shape = sampleShapeOf("Normal.sample", sampleShape);
    return noGrad(() => this.draw(shape));
  }

  /** loc + scale · ε with ε ~ N(0, 1): a sample differentiable in loc and scale. */
  rsample(sampleShape: readonly number[] = []): Tensor {
    const shape = sampleShapeOf("Normal.rsample", sampleShape);
    return this.draw(shape);
  }

  /** loc + scale · ε for ε of [...shape, ...batchShape]. */
  private draw(shape: number[]): Tensor {
    return compute([this.loc, this.scale], () =>
      randn([...shape, ...this.batchShape])
        .mul(this.scale)
        .add(this.loc),
    );
  }

  /** log p(value) = -(value - loc)² / (2 scale²) - log(scale) - log(√(2π)). */
  logProb(value: Tensor | number): Tensor {
    const made: Tensor[] = [];
    const v = tensorOf("Normal.logProb", "value", value, made);
    const out = compute([v, this.loc, this.scale], () => {
      const z = v.sub(this.loc).div(this.scale);
      return z.square().mul(-0.5).sub(this.scale.log()).sub(LOG_SQRT_2PI);
    });
    for (const t of made) t.dispose();
    return out;
  }

  /** The entropy of each distribution: 0.5 + log(√(2π)) + log(scale). */
  entropy(): Tensor {
    return compute([this.scale], () => this.scale.log().add(0.5 + LOG_SQRT_2PI));
  }
}
