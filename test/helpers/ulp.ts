/** Float32 ulp distance, for accuracy tests of the transcendental kernels. */
const bits = new Float32Array(1);
const bitsI = new Int32Array(bits.buffer);

/** float32 -> integer that increases with the value (+0 and -0 both map to 0). */
function ordered(x: number): number {
  bits[0] = x;
  const i = bitsI[0];
  return i < 0 ? -(i & 0x7fffffff) : i;
}

/** Distance in float32 ulps; 0 for two NaNs, Infinity for one NaN. */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordered(a) - ordered(b));
}
