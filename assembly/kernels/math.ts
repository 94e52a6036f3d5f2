/**
 * Vector math shared by the kernels: fused multiply-add that uses relaxed SIMD when the build
 * enables it, and f32x4 transcendentals (exp, log, tanh, sigmoid).
 *
 * PROVISIONAL: the transcendentals below fall back to scalar Mathf per lane; they are replaced
 * by polynomial approximations in this same file.
 */

/** a * b + c; one fused instruction in the relaxed-SIMD build. */
// @ts-ignore: decorator
@inline export function madd4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return f32x4.relaxed_madd(a, b, c);
  } else {
    return f32x4.add(f32x4.mul(a, b), c);
  }
}

// @ts-ignore: decorator
@inline function map4(x: v128, f: (v: f32) => f32): v128 {
  let r = f32x4.splat(f(f32x4.extract_lane(x, 0)));
  r = f32x4.replace_lane(r, 1, f(f32x4.extract_lane(x, 1)));
  r = f32x4.replace_lane(r, 2, f(f32x4.extract_lane(x, 2)));
  return f32x4.replace_lane(r, 3, f(f32x4.extract_lane(x, 3)));
}

export function exp4(x: v128): v128 {
  return map4(x, (v: f32): f32 => Mathf.exp(v));
}
export function log4(x: v128): v128 {
  return map4(x, (v: f32): f32 => Mathf.log(v));
}
export function tanh4(x: v128): v128 {
  return map4(x, (v: f32): f32 => Mathf.tanh(v));
}
export function sigmoid4(x: v128): v128 {
  return map4(x, (v: f32): f32 => 1.0 / (1.0 + Mathf.exp(-v)));
}
