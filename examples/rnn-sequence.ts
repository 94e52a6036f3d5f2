/**
 * The plain recurrent network of the textbook, on a next-value task whose best achievable error
 * is known:
 *
 *   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      wg.nn.RNN (tanh hidden state)
 *   y_t = W_hy h_t + b_y                                  wg.nn.Linear (linear output)
 *
 * Every sequence is a sum of two sines with random frequencies, amplitudes and phases, observed
 * with Gaussian noise of standard deviation `noise`: x_t = s_t + noise · e_t. The network reads
 * x_0 .. x_t and predicts x_{t+1}. The noise e_{t+1} cannot be predicted, so no method can get
 * a mean squared error below noise² (the floor). To predict well, a model must work out each
 * sequence's frequencies and phases from what it has read so far.
 *
 * The example prints the held-out error next to the floor and two baselines: "repeat the last
 * value" and the best linear predictor from the last `arOrder` values (a least-squares
 * autoregression fitted in double precision on the training sequences). Training draws fresh
 * sequences at every step, with Adam and gradient clipping.
 *
 *   node dist-examples/examples/rnn-sequence.js [steps]
 */
import { pathToFileURL } from "node:url";
import * as wg from "wasmgrad";
import { progressBar } from "./mnist-data.js";

export interface SineOptions {
  /** Standard deviation of the observation noise. */
  noise?: number;
  /** Angular frequencies are drawn uniformly from this range (radians per step). */
  minFreq?: number;
  maxFreq?: number;
}

/**
 * `count` sequences of `length` values, time-major (value t of sequence n at t * count + n):
 * x_t = Σ_k a_k sin(w_k t + p_k) + noise · e_t over two components, a_k in [0.3, 0.7], w_k in
 * [minFreq, maxFreq], p_k in [0, 2π), e_t standard normal; all drawn from wasmgrad's seeded
 * generator.
 */
export function makeSines(count: number, length: number, options: SineOptions = {}): Float32Array {
  const { noise = 0.1, minFreq = 0.1, maxFreq = 0.6 } = options;
  const u = wg.rand([count, 6]);
  const e = wg.randn([length, count]);
  const params = u.data();
  const x = e.data();
  u.dispose();
  e.dispose();
  for (let n = 0; n < count; n++) {
    const [a1, a2, w1, w2, p1, p2] = params.subarray(n * 6, n * 6 + 6);
    const f1 = minFreq + (maxFreq - minFreq) * w1;
    const f2 = minFreq + (maxFreq - minFreq) * w2;
    for (let t = 0; t < length; t++) {
      const s =
        (0.3 + 0.4 * a1) * Math.sin(f1 * t + 2 * Math.PI * p1) +
        (0.3 + 0.4 * a2) * Math.sin(f2 * t + 2 * Math.PI * p2);
      x[t * count + n] = s + noise * x[t * count + n];
    }
  }
  return x;
}

/** RNN(1, hidden) with tanh, then Linear(hidden, 1) at every step. */
export class SequenceRNN extends wg.nn.Module<[x: wg.Tensor], wg.Tensor> {
  rnn: wg.nn.RNN;
  out: wg.nn.Linear;

  constructor(readonly hidden: number) {
    super();
    this.rnn = new wg.nn.RNN(1, hidden, { nonlinearity: "tanh" });
    this.out = new wg.nn.Linear(hidden, 1);
  }

  /** x [L, N, 1] -> the prediction of the next value after every step, [L, N, 1]. */
  forward(x: wg.Tensor): wg.Tensor {
    const [h] = this.rnn.forward(x);
    return this.out.forward(h);
  }
}

/**
 * Squared error of `predict(t, n)` against x_{t+1} over every sequence n and every step
 * t >= from (the first steps are left out: nothing can be known about a sequence there).
 */
function scoreFrom(
  x: Float32Array,
  count: number,
  length: number,
  from: number,
  predict: (t: number, n: number) => number,
): number {
  let sum = 0;
  for (let t = from; t < length - 1; t++) {
    for (let n = 0; n < count; n++) sum += (predict(t, n) - x[(t + 1) * count + n]) ** 2;
  }
  return sum / ((length - 1 - from) * count);
}

/** Solves A w = b for a small symmetric positive definite A (n x n) by Gaussian elimination. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const w = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let pivot = i;
    for (let r = i + 1; r < n; r++)
      if (Math.abs(m[r * n + i]) > Math.abs(m[pivot * n + i])) pivot = r;
    for (let c = 0; c < n; c++) [m[i * n + c], m[pivot * n + c]] = [m[pivot * n + c], m[i * n + c]];
    [w[i], w[pivot]] = [w[pivot], w[i]];
    for (let r = i + 1; r < n; r++) {
      const f = m[r * n + i] / m[i * n + i];
      for (let c = i; c < n; c++) m[r * n + c] -= f * m[i * n + c];
      w[r] -= f * w[i];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = w[i];
    for (let c = i + 1; c < n; c++) s -= m[i * n + c] * w[c];
    w[i] = s / m[i * n + i];
  }
  return w;
}

/**
 * Least-squares coefficients c (order values, then a constant) of
 * x_{t+1} ≈ c_0 x_t + c_1 x_{t-1} + ... + c_{order-1} x_{t-order+1} + c_order.
 */
export function fitAutoregression(
  x: Float32Array,
  count: number,
  length: number,
  order: number,
): Float64Array {
  const k = order + 1;
  const ata = new Float64Array(k * k);
  const atb = new Float64Array(k);
  const row = new Float64Array(k);
  for (let t = order - 1; t < length - 1; t++) {
    for (let n = 0; n < count; n++) {
      for (let j = 0; j < order; j++) row[j] = x[(t - j) * count + n];
      row[order] = 1;
      const y = x[(t + 1) * count + n];
      for (let i = 0; i < k; i++) {
        atb[i] += row[i] * y;
        for (let j = 0; j < k; j++) ata[i * k + j] += row[i] * row[j];
      }
    }
  }
  return solve(ata, atb, k);
}

export interface SequenceOptions extends SineOptions {
  hidden?: number;
  steps?: number;
  /** Sequences per step. */
  batch?: number;
  /** Values per sequence. */
  length?: number;
  /** Adam's learning rate, decayed along a cosine to lr / 20. */
  lr?: number;
  clip?: number;
  seed?: number;
  /** Held-out sequences. */
  testCount?: number;
  /** Steps of each sequence left out of every score (the network has not seen enough yet). */
  warmup?: number;
  /** Order of the autoregression baseline. */
  arOrder?: number;
  /** Called with a line of progress text; `final` is false for in-place updates. */
  log?: (line: string, final: boolean) => void;
}

export interface SequenceResult {
  steps: number;
  msPerStep: number;
  seconds: number;
  /** Mean training loss over each tenth of the run. */
  losses: number[];
  /** Held-out mean squared error of the network and of the baselines. */
  mse: number;
  lastValueMse: number;
  autoregressionMse: number;
  /** noise², the least error any predictor can reach. */
  floor: number;
  /** One held-out sequence: the observed values and the network's prediction of each next one. */
  example: { observed: number[]; predicted: number[] };
}

/** Predictions for time-major x [length, count] (one per step). */
function predictAll(
  model: SequenceRNN,
  x: Float32Array,
  count: number,
  length: number,
): Float32Array {
  return wg.noGrad(() =>
    wg.tidy(() => model.forward(wg.tensor(x, { shape: [length, count, 1] })).data()),
  );
}

export function trainSequence(options: SequenceOptions = {}): SequenceResult {
  const {
    hidden = 48,
    steps = 3000,
    batch = 64,
    length = 100,
    lr = 1e-2,
    clip = 1,
    seed = 0,
    testCount = 500,
    warmup = 20,
    arOrder = 8,
    noise = 0.1,
  } = options;
  const log = options.log ?? (() => {});
  const sines: SineOptions = { noise, minFreq: options.minFreq, maxFreq: options.maxFreq };
  wg.manualSeed(seed);
  const model = new SequenceRNN(hidden);
  const optimizer = new wg.optim.Adam(model.parameters(), { lr });
  const losses: number[] = [];
  const window = Math.max(1, Math.floor(steps / 10));
  let windowSum = 0;
  let stepTime = 0;
  const started = performance.now();
  for (let step = 0; step < steps; step++) {
    const x = makeSines(batch, length + 1, sines);
    optimizer.lr = lr * (0.525 + 0.475 * Math.cos((Math.PI * step) / steps));
    const t0 = performance.now();
    const loss = wg.tidy(() => {
      const input = wg.tensor(x.subarray(0, length * batch), { shape: [length, batch, 1] });
      const target = wg.tensor(x.subarray(batch), { shape: [length, batch, 1] });
      const l = wg.F.mseLoss(model.forward(input), target);
      optimizer.zeroGrad();
      l.backward();
      wg.nn.utils.clipGradNorm(model.parameters(), clip);
      optimizer.step();
      return l.item();
    });
    stepTime += performance.now() - t0;
    windowSum += loss;
    const done = step + 1;
    if (done % 10 === 0 || done === steps) {
      log(
        `step ${done}/${steps} ${progressBar(done / steps)} loss ${loss.toFixed(5)}  ${(stepTime / done).toFixed(2)} ms/step`,
        false,
      );
    }
    if (done % window === 0) {
      losses.push(windowSum / window);
      log(
        `step ${done}/${steps}  mean squared error ${(windowSum / window).toFixed(5)} (floor ${(noise * noise).toFixed(5)})  ${(stepTime / done).toFixed(2)} ms/step`,
        true,
      );
      windowSum = 0;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  // Baseline fitted on as many training sequences as the held-out set, then everything scored on
  // the held-out sequences, from the same step on.
  const fitSet = makeSines(testCount, length, sines);
  const ar = fitAutoregression(fitSet, testCount, length, arOrder);
  const test = makeSines(testCount, length, sines);
  const from = Math.max(warmup, arOrder - 1);
  const predicted = predictAll(model, test, testCount, length);
  const mse = scoreFrom(test, testCount, length, from, (t, n) => predicted[t * testCount + n]);
  const lastValueMse = scoreFrom(test, testCount, length, from, (t, n) => test[t * testCount + n]);
  const autoregressionMse = scoreFrom(test, testCount, length, from, (t, n) => {
    let y = ar[arOrder];
    for (let j = 0; j < arOrder; j++) y += ar[j] * test[(t - j) * testCount + n];
    return y;
  });
  const example = { observed: [] as number[], predicted: [] as number[] };
  for (let t = 0; t < length; t++) {
    example.observed.push(test[t * testCount]);
    example.predicted.push(predicted[t * testCount]);
  }
  model.dispose();
  optimizer.dispose();
  return {
    steps,
    msPerStep: stepTime / steps,
    seconds,
    losses,
    mse,
    lastValueMse,
    autoregressionMse,
    floor: noise * noise,
    example,
  };
}

/** A text plot of the observed values (o) and the predictions made one step earlier (*). */
export function plot(observed: number[], predicted: number[], from: number, rows = 13): string {
  const lines: string[][] = Array.from({ length: rows }, () =>
    Array.from({ length: observed.length - from }, () => " "),
  );
  const row = (v: number) =>
    Math.round(((1.6 - Math.max(-1.6, Math.min(1.6, v))) / 3.2) * (rows - 1));
  for (let t = from; t < observed.length; t++) {
    lines[row(observed[t])][t - from] = "o";
    // The prediction for x_t was made at t - 1.
    const p = predicted[t - 1];
    const r = row(p);
    lines[r][t - from] = lines[r][t - from] === "o" ? "@" : "*";
  }
  return lines.map((l) => `  |${l.join("")}`).join("\n");
}

function main(): void {
  const steps = Number(process.argv[2] ?? 3000);
  const info = wg.backendInfo();
  console.log(
    `wasmgrad: tanh RNN (48 hidden units) + linear output predicting the next value of noisy sums of two sines, Adam, batch 64 x 100 steps (${info.relaxedSimd ? "relaxed SIMD" : "SIMD"} kernels)`,
  );
  const tty = process.stdout.isTTY === true;
  const r = trainSequence({
    steps,
    log: (line, final) => {
      if (tty) process.stdout.write(`\r\x1b[K${line}${final ? "\n" : ""}`);
      else if (final) console.log(line);
    },
  });
  const f = (v: number) => v.toFixed(5);
  console.log("held-out mean squared error of the next value (500 new sequences, steps 20 to 99):");
  console.log(`  RNN                               ${f(r.mse)}`);
  console.log(`  repeat the last value             ${f(r.lastValueMse)}`);
  console.log(`  linear in the last 8 values (AR)  ${f(r.autoregressionMse)}`);
  console.log(`  noise floor (noise² = 0.1²)       ${f(r.floor)}`);
  console.log(
    `the RNN's error is ${(r.lastValueMse / r.mse).toFixed(1)}x below the last-value baseline and ${(r.autoregressionMse / r.mse).toFixed(2)}x below the AR baseline; ${(((r.mse - r.floor) / r.floor) * 100).toFixed(0)}% above the floor`,
  );
  console.log(
    "one held-out sequence, steps 20 to 99 (o observed, * predicted a step earlier, @ both):",
  );
  console.log(plot(r.example.observed, r.example.predicted, 20));
  console.log(
    `training: ${r.steps} steps in ${r.seconds.toFixed(1)} s, ${r.msPerStep.toFixed(2)} ms per step (forward + backward through 100 steps + clip + Adam)`,
  );
  const mem = wg.memory();
  console.log(`memory: ${mem.liveTensors} live tensors, peak ${mem.peakBytes} bytes`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Worker threads join in the background, and a synchronous training loop never lets them:
  // wait for them first (ready() resolves at once where threads are off).
  await wg.ready();
  main();
}
