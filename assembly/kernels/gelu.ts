/**
 * GELU, as torch.nn.functional.gelu, forward and backward in one pass each.
 *
 *   exact (approx = 0): y = x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
 *                       dy/dx = Phi(x) + x phi(x),  phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
 *   tanh  (approx = 1): y = 0.5 x (1 + tanh(u)),  u = sqrt(2 / pi) (x + 0.044715 x^3)
 *                       dy/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2 / pi) (1 + 3 * 0.044715 x^2)
 *
 * 1 + erf(z) is computed as erfc(-z): for z < 0 directly (relative accuracy kept where GELU
 * tends to 0 from below), for z >= 0 as 2 - erfc(z). erfc uses the Chebyshev fit of Numerical
 * Recipes (erfcc, fractional error < 1.2e-7 for every z >= 0). Contiguous arrays of n
 * elements; y may alias x and dx may alias dy.
 */
import { exp4, tanh4 } from "./math";


// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

/** 1 + erf(x / sqrt 2) = 2 Phi(x) per lane. */
// @ts-ignore: decorator
@inline function twoPhi4(x: v128): v128 {
  const z = f32x4.abs(f32x4.mul(x, c4(0.70710678118654752)));
  const t = f32x4.div(c4(1.0), f32x4.add(c4(1.0), f32x4.mul(c4(0.5), z)));
  let p = c4(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), c4(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), c4(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), c4(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), c4(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), c4(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), c4(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), c4(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), c4(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), c4(-1.26551223));
  const erfc = f32x4.mul(t, exp4(f32x4.sub(p, f32x4.mul(z, z))));
  return v128.bitselect(erfc, f32x4.sub(c4(2.0), erfc), f32x4.lt(x, c4(0.0)));
}

const S2PI: f32 = 0.7978845608028654; // sqrt(2 / pi)
const KAPPA: f32 = 0.044715;

// @ts-ignore: decorator
@inline function gelu4(x: v128, approx: i32): v128 {
  const hx = f32x4.mul(c4(0.5), x);
  if (approx) {
    const u = f32x4.mul(c4(S2PI), f32x4.add(x, f32x4.mul(c4(KAPPA), f32x4.mul(x, f32x4.mul(x, x)))));
    return f32x4.mul(hx, f32x4.add(c4(1.0), tanh4(u)));
  }
  return f32x4.mul(hx, twoPhi4(x));
}

// @ts-ignore: decorator
@inline function geluGrad4(x: v128, approx: i32): v128 {
  if (approx) {
    const x2 = f32x4.mul(x, x);
    const u = f32x4.mul(c4(S2PI), f32x4.add(x, f32x4.mul(c4(KAPPA), f32x4.mul(x, x2))));
    const t = tanh4(u);
    const du = f32x4.mul(c4(S2PI), f32x4.add(c4(1.0), f32x4.mul(c4(3.0 * KAPPA), x2)));
    const left = f32x4.mul(c4(0.5), f32x4.add(c4(1.0), t));
    const sech2 = f32x4.sub(c4(1.0), f32x4.mul(t, t));
    return f32x4.add(left, f32x4.mul(f32x4.mul(c4(0.5), x), f32x4.mul(sech2, du)));
  }
  const pdf = f32x4.mul(c4(0.3989422804014327), exp4(f32x4.mul(c4(-0.5), f32x4.mul(x, x))));
  return f32x4.add(f32x4.mul(c4(0.5), twoPhi4(x)), f32x4.mul(x, pdf));
}

export function gelu_f32(y: usize, x: usize, n: i32, approx: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(at(y, i), gelu4(v128.load(at(x, i)), approx));
  for (; i < n; i++) {
    const v = gelu4(f32x4.splat(load<f32>(at(x, i))), approx);
    store<f32>(at(y, i), f32x4.extract_lane(v, 0));
  }
}

export function gelu_bwd_f32(dx: usize, dy: usize, x: usize, n: i32, approx: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const g = geluGrad4(v128.load(at(x, i)), approx);
    v128.store(at(dx, i), f32x4.mul(v128.load(at(dy, i)), g));
  }
  for (; i < n; i++) {
    const g = geluGrad4(f32x4.splat(load<f32>(at(x, i))), approx);
    store<f32>(at(dx, i), load<f32>(at(dy, i)) * f32x4.extract_lane(g, 0));
  }
}
