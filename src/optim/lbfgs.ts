/**
 * L-BFGS, as torch.optim.LBFGS (1.13): `opt.step(closure)`, where the closure clears the
 * gradients, computes the loss, calls backward and returns the loss. Each step runs up to
 * maxIter iterations (maxEval closure calls): the two-loop recursion over the last historySize
 * curvature pairs gives a direction, and the step along it is lr (a fixed step, 1/|g|₁-scaled on
 * the very first iteration) or found by lineSearchFn "strong_wolfe". All parameters are treated
 * as one flat float32 vector; a parameter without a gradient counts as a zero gradient.
 *
 * Every closure call runs inside `tidy`, so the graph it builds is freed; step returns the loss
 * of its first call (dispose it, or call step inside a tidy).
 */
import { backend } from "../backend/runtime.js";
import { WasmgradError } from "../errors.js";
import { tidy } from "../memory.js";
import { tensor } from "../ops/creation.js";
import { sizeOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe, func, hyper, hyperArgs, intAtLeast, nonNegative, oneOf } from "../validate.js";
import { emptyHistory, type History, historyFromEntry, historyToEntry } from "./lbfgs-state.js";
import { absMax, dot, strongWolfe } from "./line-search.js";
import {
  type GroupOptions,
  Optimizer,
  type OptimizerStateDict,
  type ParamGroup,
  type Params,
} from "./optimizer.js";

const f32 = Math.fround;

/** Options of {@link LBFGS}. */
export interface LBFGSOptions {
  /** Step length; default 1. */
  lr?: number;
  /** Iterations per step(); default 20. */
  maxIter?: number;
  /** Closure calls per step(); default maxIter · 5/4 (floored). */
  maxEval?: number | null;
  /** Stop when max |g| <= toleranceGrad; default 1e-7. */
  toleranceGrad?: number;
  /** Stop when the loss or the step changes by less; default 1e-9. */
  toleranceChange?: number;
  /** Curvature pairs kept; default 100. */
  historySize?: number;
  /** null (fixed step) or "strong_wolfe", PyTorch's spelling. */
  lineSearchFn?: "strong_wolfe" | null;
}

/** The hyper-parameters of LBFGS's one parameter group (see {@link LBFGSOptions}). */
export interface LBFGSGroup extends GroupOptions {
  /** Step length; default 1. */
  lr: number;
  /** Iterations per step(); default 20. */
  maxIter: number;
  /** Closure calls per step(); default maxIter · 5/4 (floored). */
  maxEval: number;
  /** Stop when max |g| <= toleranceGrad; default 1e-7. */
  toleranceGrad: number;
  /** Stop when the loss or the step changes by less; default 1e-9. */
  toleranceChange: number;
  /** Curvature pairs kept; default 100. */
  historySize: number;
  /** null (fixed step) or "strong_wolfe", PyTorch's spelling. */
  lineSearchFn: "strong_wolfe" | null;
}

const positional = [
  "lr",
  "maxIter",
  "maxEval",
  "toleranceGrad",
  "toleranceChange",
  "historySize",
  "lineSearchFn",
] as const;
type Arg<T> = T | LBFGSOptions;

/**
 * torch.optim.LBFGS; one parameter group only, as PyTorch.
 *
 * @example
 * ```ts
 * const opt = new wg.optim.LBFGS(model.parameters(), { lr: 1 });
 * opt.step(() => { opt.zeroGrad(); const l = wg.F.mseLoss(model.forward(x), y); l.backward(); return l; });
 * ```
 */
export class LBFGS extends Optimizer<Record<string, never>, LBFGSGroup> {
  private h: History = emptyHistory();
  private exported: Tensor[] = [];

  constructor(params: Params, lr?: Arg<number>, maxIter?: Arg<number>, ...rest: unknown[]) {
    const o = hyperArgs("LBFGS", [lr, maxIter, ...rest], positional, positional);
    const iters = (o.maxIter ?? 20) as number;
    // A maxIter that is not a number is refused by checkGroup; only derive maxEval from a number.
    const evals = typeof iters === "number" ? Math.floor((iters * 5) / 4) : 1;
    super("LBFGS", params, {
      lr: 1,
      maxIter: iters,
      maxEval: o.maxEval ?? evals,
      toleranceGrad: 1e-7,
      toleranceChange: 1e-9,
      historySize: 100,
      lineSearchFn: null,
      ...o,
      ...(o.maxEval === null ? { maxEval: evals } : {}),
    } as LBFGSGroup);
  }

  override addParamGroup(group: Parameters<Optimizer["addParamGroup"]>[0]): void {
    if (this.paramGroups.length > 0) {
      throw new WasmgradError(
        "LBFGS: does not support parameter groups (per-parameter options); give it one list of parameters",
      );
    }
    super.addParamGroup(group);
  }

  protected checkGroup(op: string, g: ParamGroup<LBFGSGroup>): void {
    hyper(op, "lr", g.lr, nonNegative, "a finite number >= 0");
    for (const k of ["maxIter", "maxEval", "historySize"] as const)
      hyper(op, k, g[k], intAtLeast(1), "an integer >= 1");
    for (const k of ["toleranceGrad", "toleranceChange"] as const)
      hyper(op, k, g[k], nonNegative, "a finite number >= 0");
    if (g.lineSearchFn !== null)
      oneOf(op, "lineSearchFn", g.lineSearchFn, ["strong_wolfe"] as const);
  }

  protected update(): void {
    throw new WasmgradError("LBFGS: internal: step(closure) does the update");
  }

  private get group(): ParamGroup<LBFGSGroup> {
    return this.paramGroups[0];
  }

  private flatGrad(): Float32Array {
    const params = this.group.params;
    const out = new Float32Array(params.reduce((n, p) => n + sizeOf(p.shape), 0));
    let at = 0;
    for (const p of params) {
      if (p.grad !== null) out.set(p.grad.data() as Float32Array, at);
      at += sizeOf(p.shape);
    }
    return out;
  }

  /** p += t·d, element by element in float32, as PyTorch's p.add_(d, alpha=t). */
  private addGrad(t: number, d: Float32Array): void {
    const alpha = f32(t);
    let at = 0;
    for (const p of this.group.params) {
      const n = sizeOf(p.shape);
      const view = backend.f32();
      const base = p._ptr("LBFGS.step") >>> 2;
      for (let i = 0; i < n; i++) view[base + i] = f32(view[base + i] + alpha * d[at + i]);
      p._bumpVersion();
      at += n;
    }
  }

  private snapshot(): Float32Array[] {
    return this.group.params.map((p) => p.data() as Float32Array);
  }

  private restore(x: Float32Array[]): void {
    this.group.params.forEach((p, i) => {
      backend.f32().set(x[i], p._ptr("LBFGS.step") >>> 2);
      p._bumpVersion();
    });
  }

  /** Runs the closure inside tidy and returns its loss as a number (and the loss itself). */
  private evaluate(closure: () => unknown, keep: boolean): [number, unknown] {
    const out = tidy(() => closure());
    let v: number;
    if (out instanceof Tensor) v = out.item();
    else if (typeof out === "number") v = out;
    else
      throw new WasmgradError(
        `LBFGS.step: the closure must return the loss (a Tensor or a number), got ${describe(out)}`,
      );
    if (!keep && out instanceof Tensor) out.dispose();
    return [v, out];
  }

  override step(closure?: () => unknown): unknown {
    const op = "LBFGS.step";
    func(op, "closure", closure);
    const fn = closure as () => unknown;
    this.checkGroup(op, this.group);
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn } =
      this.group;
    const h = this.h;
    const [first, origLoss] = this.evaluate(fn, true);
    let loss = first;
    let currentEvals = 1;
    h.funcEvals++;
    let flatGrad = this.flatGrad();
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;
    let { d, t } = h;
    let nIter = 0;
    while (nIter < maxIter) {
      nIter++;
      h.nIter++;
      if (h.nIter === 1) {
        d = flatGrad.map((v) => -v);
        h.oldDirs = [];
        h.oldStps = [];
        h.ro = [];
        h.hDiag = 1;
      } else {
        d = this.direction(flatGrad, d as Float32Array, t as number, historySize);
      }
      if (h.prevFlatGrad === undefined) h.prevFlatGrad = flatGrad.slice();
      else h.prevFlatGrad.set(flatGrad);
      h.prevLoss = loss;
      if (h.nIter === 1) {
        let sum = 0;
        for (const v of flatGrad) sum += Math.abs(v);
        const inv = f32(1 / f32(sum));
        t = inv < 1 ? f32(inv * lr) : lr;
      } else t = lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;
      let lsEvals = 0;
      if (lineSearchFn === "strong_wolfe") {
        const x = this.snapshot();
        const dir = d;
        const obj = (step: number): [number, Float32Array] => {
          this.addGrad(step, dir);
          const [v] = this.evaluate(fn, false);
          const g = this.flatGrad();
          this.restore(x);
          return [v, g];
        };
        [loss, flatGrad, t, lsEvals] = strongWolfe(obj, t, d, loss, flatGrad, gtd);
        this.addGrad(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.addGrad(t, d);
        if (nIter !== maxIter) {
          [loss] = this.evaluate(fn, false);
          flatGrad = this.flatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsEvals = 1;
        }
      }
      currentEvals += lsEvals;
      h.funcEvals += lsEvals;
      if (nIter === maxIter || currentEvals >= maxEval || optCond) break;
      const tt = f32(t);
      if (absMax(d.map((v) => v * tt)) <= toleranceChange) break;
      if (Math.abs(loss - h.prevLoss) < toleranceChange) break;
    }
    h.d = d;
    h.t = t;
    return origLoss;
  }

  /** The two-loop recursion: −H·g from the stored curvature pairs (updated with this step's). */
  private direction(
    g: Float32Array,
    dPrev: Float32Array,
    t: number,
    historySize: number,
  ): Float32Array {
    const h = this.h;
    const prev = h.prevFlatGrad as Float32Array;
    const tt = f32(t);
    const y = g.map((v, i) => v - prev[i]);
    const s = dPrev.map((v) => v * tt);
    const ys = dot(y, s);
    if (ys > 1e-10) {
      if (h.oldDirs.length === historySize) {
        h.oldDirs.shift();
        h.oldStps.shift();
        h.ro.shift();
      }
      h.oldDirs.push(y);
      h.oldStps.push(s);
      h.ro.push(f32(1 / ys));
      h.hDiag = f32(ys / dot(y, y));
    }
    const k = h.oldDirs.length;
    const al = new Array<number>(k);
    const q = g.map((v) => -v);
    for (let i = k - 1; i >= 0; i--) {
      al[i] = f32(dot(h.oldStps[i], q) * h.ro[i]);
      const a = -al[i];
      const dir = h.oldDirs[i];
      for (let j = 0; j < q.length; j++) q[j] = f32(q[j] + a * dir[j]);
    }
    const r = q.map((v) => v * h.hDiag);
    for (let i = 0; i < k; i++) {
      const be = f32(dot(h.oldDirs[i], r) * h.ro[i]);
      const a = f32(al[i] - be);
      const stp = h.oldStps[i];
      for (let j = 0; j < r.length; j++) r[j] = f32(r[j] + a * stp[j]);
    }
    return r;
  }

  /** The history as PyTorch's state of the first parameter (tensors owned by this optimizer). */
  override stateDict(): OptimizerStateDict {
    const sd = super.stateDict();
    for (const t of this.exported) t.dispose();
    this.exported = [];
    if (this.h.funcEvals === 0) return sd;
    const own = (data: Float32Array, shape: number[]): Tensor => {
      const t = tensor(data, { shape });
      t._kept = true;
      this.exported.push(t);
      return t;
    };
    sd.state[0] = historyToEntry(this.h, this.numel(), own);
    return sd;
  }

  override loadStateDict(sd: OptimizerStateDict): void {
    const entry = sd?.state?.[0];
    const n = this.numel();
    // Checked before anything changes; then the group settings, then the history.
    const h =
      entry === undefined ? emptyHistory() : historyFromEntry("LBFGS.loadStateDict", entry, n);
    super.loadStateDict({ ...sd, state: {} });
    this.h = h;
  }

  private numel(): number {
    return this.group.params.reduce((a, p) => a + sizeOf(p.shape), 0);
  }

  override dispose(): void {
    for (const t of this.exported) t.dispose();
    this.exported = [];
    super.dispose();
  }
}
