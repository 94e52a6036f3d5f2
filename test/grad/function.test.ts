/**
 * wg.autograd.Function, as torch.autograd.Function: the tutorial's LegendrePolynomial3 against
 * central differences and the analytic derivative; non-tensor arguments and ctx attributes; null
 * gradients; an input returned as it is; misuse as WasmgradErrors; and memory (what forward keeps
 * lives as long as the graph; what backward makes is freed).
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { gradcheck } from "../helpers/fixtures.js";

class Legendre3 extends wg.autograd.Function {
  static override forward(ctx: wg.autograd.FunctionCtx, x: wg.Tensor): wg.Tensor {
    ctx.saveForBackward(x);
    return x.pow(3).mul(5).sub(x.mul(3)).mul(0.5);
  }
  static override backward(ctx: wg.autograd.FunctionCtx, g: wg.Tensor): wg.Tensor {
    const [x] = ctx.savedTensors;
    return g.mul(x.pow(2).mul(5).sub(1).mul(1.5));
  }
}

/** a * x + b with a number `a` kept on ctx and two tensor inputs, one of which may need no grad. */
class Affine extends wg.autograd.Function {
  static override forward(
    ctx: wg.autograd.FunctionCtx,
    x: wg.Tensor,
    a: number,
    b: wg.Tensor,
  ): wg.Tensor {
    ctx.a = a;
    return x.mul(a).add(b);
  }
  static override backward(ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
    const [needX, , needB] = ctx.needsInputGrad;
    return [needX ? g.mul(ctx.a as number) : null, null, needB ? g.sum(0) : null];
  }
}

describe("autograd.Function", () => {
  it("LegendrePolynomial3: values, the analytic derivative and central differences", () => {
    wg.tidy(() => {
      const x = wg.tensor([0.5, -0.3, 2], { requiresGrad: true });
      const y = Legendre3.apply(x);
      expect(y.toArray()).toEqual(
        [-0.4375, 0.5 * (5 * -0.027 + 0.9), 0.5 * (40 - 6)].map(Math.fround),
      );
      y.sum().backward();
      const want = [0.5, -0.3, 2].map((v) => Math.fround(1.5 * (5 * v * v - 1)));
      const got = (x.grad as wg.Tensor).toArray() as number[];
      for (let i = 0; i < 3; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    });
    const data = Float32Array.from({ length: 7 }, (_, i) => Math.sin(i + 0.5));
    const report = gradcheck((x) => Legendre3.apply(x), [{ shape: [7], data }], {
      seed: "legendre",
    });
    expect(report.mismatches()).toEqual([]);
    expect(report.mismatches(1.1).length).toBeGreaterThan(0);
  });

  it("non-tensor arguments, ctx attributes, needsInputGrad and null gradients", () => {
    wg.tidy(() => {
      const x = wg.tensor(
        [
          [1, 2],
          [3, 4],
        ],
        { requiresGrad: true },
      );
      const b = wg.tensor([10, 20], { requiresGrad: true });
      Affine.apply(x, 3, b).sum().backward();
      expect(x.grad?.toArray()).toEqual([
        [3, 3],
        [3, 3],
      ]);
      expect(b.grad?.toArray()).toEqual([2, 2]);
      // b needs no gradient: backward is told so and returns null for it.
      const x2 = wg.ones(2, 2).requiresGrad_();
      Affine.apply(x2, 2, wg.zeros(2)).sum().backward();
      expect(x2.grad?.toArray()).toEqual([
        [2, 2],
        [2, 2],
      ]);
      // Nothing needs a gradient: no graph.
      expect(Affine.apply(wg.ones(2), 2, wg.ones(2)).requiresGrad).toBe(false);
      expect(wg.noGrad(() => Affine.apply(x, 2, b)).requiresGrad).toBe(false);
    });
  });

  it("an input returned as it is gets its own node", () => {
    class Ident extends wg.autograd.Function {
      static override forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x;
      }
      static override backward(_ctx: wg.autograd.FunctionCtx, g: wg.Tensor) {
        return g.mul(-1);
      }
    }
    wg.tidy(() => {
      const w = wg.ones(2).requiresGrad_();
      const o = Ident.apply(w);
      expect(o).not.toBe(w);
      o.mul(3).sum().backward();
      expect(w.grad?.toArray()).toEqual([-3, -3]);
    });
  });

  it("misuse is a WasmgradError naming the Function", () => {
    class WrongShape extends wg.autograd.Function {
      static override forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x.mul(2);
      }
      static override backward() {
        return wg.ones(5);
      }
    }
    class Several extends wg.autograd.Function {
      static override forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return [x, x] as never;
      }
    }
    class NoBackward extends wg.autograd.Function {
      static override forward(_ctx: wg.autograd.FunctionCtx, x: wg.Tensor) {
        return x.mul(2);
      }
    }
    const run = (fn: () => void) => {
      try {
        wg.tidy(fn);
      } catch (e) {
        expect(e).toBeInstanceOf(wg.WasmgradError);
        return (e as Error).message;
      }
      return "no error";
    };
    const q = () => wg.ones(2).requiresGrad_();
    expect(run(() => WrongShape.apply(q()).sum().backward())).toMatch(
      /WrongShape.backward: gradient 0 has shape \[5\] but argument 0 has shape \[2\]/,
    );
    expect(run(() => Several.apply(q()))).toMatch(
      /^Several.forward: expected one Tensor as the result .* \(several results are not supported\)/,
    );
    expect(run(() => NoBackward.apply(q()).sum().backward())).toMatch(
      /NoBackward.backward: a Function subclass must define static backward/,
    );
    expect(run(() => wg.autograd.Function.apply(wg.ones(1)))).toMatch(
      /^Function.apply: call apply on a subclass/,
    );
    expect(run(() => new wg.autograd.FunctionCtx().saveForBackward(1 as never))).toMatch(
      /^saveForBackward: expected tensors/,
    );
  });

  it("memory stays flat: forward's saved and intermediate tensors go with the graph", () => {
    const a = wg.randn(8).requiresGrad_();
    const live = wg.memory().liveTensors;
    for (let i = 0; i < 10; i++) {
      const out = Legendre3.apply(a);
      const loss = out.sum();
      loss.backward();
      loss.dispose();
      out.dispose();
      a.grad = null;
    }
    expect(wg.memory().liveTensors).toBe(live);
    const c = wg.randn(3);
    for (let i = 0; i < 5; i++) Legendre3.apply(c).dispose();
    expect(wg.memory().liveTensors).toBe(live + 1);
    c.dispose();
    a.dispose();
  });
});
