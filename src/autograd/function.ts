/**
 * Custom differentiable operations, as `torch.autograd.Function`: a subclass gives static
 * `forward(ctx, ...args)` and `backward(ctx, ...gradOutputs)`, and is called through `apply`.
 * forward runs without recording (its ops are not differentiated); backward returns one gradient
 * per argument of forward (null, or nothing, for an argument that needs none). What forward makes
 * and keeps on `ctx` lives as long as the graph; what backward makes is freed once it returns.
 */
// biome-ignore-all lint/complexity/noThisInStatic: `this` in Function's statics is the subclass apply was called on, as in PyTorch
import { WasmgradError } from "../errors.js";
import { tidy } from "../memory.js";
import { sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { describe } from "../validate.js";
import { isGradEnabled, needsGradAny, noGrad, record } from "./engine.js";
import { inGraphScope } from "./owned.js";

/**
 * The context `forward` and `backward` share: tensors saved with `saveForBackward` come back in
 * `savedTensors`; any other value can be kept as a property (`ctx.scale = 2`).
 *
 * PyTorch: `torch.autograd.function.FunctionCtx`.
 *
 * @example
 * ```ts
 * class Double extends wg.autograd.Function {
 *   static override forward(ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
 *     return x.mul(2);
 *   }
 *   static override backward(ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
 *     return g.mul(2);
 *   }
 * }
 * Double.apply(wg.ones(2)); // [2, 2]
 * ```
 */
export class FunctionCtx {
  /** Values kept by forward for backward, under names of the Function's choosing. */
  [key: string]: unknown;
  /** The tensors forward saved with `saveForBackward`, in order. */
  savedTensors: Tensor[] = [];
  /** For each argument of forward, whether backward must return its gradient. */
  needsInputGrad: boolean[] = [];

  /** Keeps tensors for backward (PyTorch's `ctx.save_for_backward`). */
  saveForBackward(...tensors: (Tensor | null)[]): void {
    for (const t of tensors) {
      if (t !== null && !(t instanceof Tensor)) {
        throw new WasmgradError(
          `saveForBackward: expected tensors (or null) but got ${describe(t)}`,
        );
      }
    }
    this.savedTensors = tensors.filter((t): t is Tensor => t !== null);
  }
}

/**
 * A custom differentiable operation. Subclass it with static `forward(ctx, ...args)` (returning
 * one tensor) and `backward(ctx, gradOutput)` (returning a gradient per argument of forward),
 * then call `MyFunction.apply(...args)`.
 *
 * PyTorch: `torch.autograd.Function`.
 *
 * @example
 * ```ts
 * class Legendre3 extends wg.autograd.Function {
 *   static override forward(ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
 *     ctx.saveForBackward(x);
 *     return x.pow(3).mul(5).sub(x.mul(3)).mul(0.5);
 *   }
 *   static override backward(ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
 *     const [x] = ctx.savedTensors;
 *     return g.mul(x.pow(2).mul(5).sub(1).mul(1.5));
 *   }
 * }
 * const x = wg.tensor([0.5], { requiresGrad: true });
 * Legendre3.apply(x).backward(); // x.grad: [0.375]
 * ```
 */
// biome-ignore lint/complexity/noStaticOnlyClass: torch.autograd.Function's shape: subclasses override static forward and backward and call static apply
export class AutogradFunction {
  /** Computes the result from the arguments; override it (static). */
  static forward(_ctx: FunctionCtx, ..._args: never[]): Tensor {
    throw new WasmgradError(`${this.name}.forward: a Function subclass must define static forward`);
  }

  /** Gradients of the arguments of forward from the result's gradient; override it (static). */
  static backward(
    _ctx: FunctionCtx,
    ..._gradOutputs: Tensor[]
  ): Tensor | null | undefined | (Tensor | null | undefined)[] {
    throw new WasmgradError(
      `${this.name}.backward: a Function subclass must define static backward to be differentiated`,
    );
  }

  /** Runs forward on `args` and records backward for the tensors among them. */
  static apply(...args: unknown[]): Tensor {
    const op = this.name || "Function";
    if (this === AutogradFunction) {
      throw new WasmgradError(
        "Function.apply: call apply on a subclass that defines forward and backward",
      );
    }
    const ctx = new FunctionCtx();
    const positions: number[] = [];
    args.forEach((a, i) => {
      if (a instanceof Tensor) {
        a._live(`${op}.apply`);
        positions.push(i);
      }
    });
    const inputs = positions.map((i) => args[i] as Tensor);
    ctx.needsInputGrad = args.map((a) => a instanceof Tensor && isGradEnabled() && a.requiresGrad);
    const run = (): Tensor => {
      const produced: unknown = noGrad(() =>
        (this.forward as (c: FunctionCtx, ...a: unknown[]) => unknown)(ctx, ...args),
      );
      if (!(produced instanceof Tensor)) {
        throw new WasmgradError(
          `${op}.forward: expected one Tensor as the result but got ${describe(produced)}${Array.isArray(produced) ? " (several results are not supported)" : ""}`,
        );
      }
      if (!needsGradAny(inputs)) return produced;
      // The result gets its own node: an input returned as it is is copied first.
      const result = inputs.includes(produced) ? noGrad(() => produced.clone()) : produced;
      return record(result, op, inputs, (g) => {
        const given = tidy(() => {
          const r = (this.backward as (c: FunctionCtx, g: Tensor) => unknown)(ctx, g);
          return Array.isArray(r) ? r : [r];
        });
        if (given.length > args.length) {
          throw new WasmgradError(
            `${op}.backward: returned ${given.length} gradients but forward took ${args.length} arguments`,
          );
        }
        return positions.map((pos) => {
          const grad = given[pos];
          const x = args[pos] as Tensor;
          if (grad === null || grad === undefined) return null;
          if (!(grad instanceof Tensor)) {
            throw new WasmgradError(
              `${op}.backward: gradient ${pos} must be a Tensor or null but got ${describe(grad)}`,
            );
          }
          if (!sameShape(grad.shape, x.shape)) {
            throw new WasmgradError(
              `${op}.backward: gradient ${pos} has shape [${grad.shape.join(",")}] but argument ${pos} has shape [${x.shape.join(",")}]`,
            );
          }
          return x.requiresGrad ? grad : null;
        });
      });
    };
    return needsGradAny(inputs) ? inGraphScope(run) : tidy(run);
  }
}
