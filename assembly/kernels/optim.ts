/**
 * Fused optimizer updates: one pass over (param, grad, state) per parameter tensor.
 *
 * SGD, as torch.optim.SGD:
 *   g = grad + weightDecay * p
 *   if momentum != 0:
 *     buf = first ? g : momentum * buf + (1 - dampening) * g
 *     g = nesterov ? g + momentum * buf : buf
 *   p = p - lr * g
 * buf is only touched when momentum != 0.
 */
export function sgd_f32(
  p: usize, grad: usize, buf: usize, n: i32,
  lr: f32, momentum: f32, dampening: f32, weightDecay: f32, nesterov: i32, first: i32,
): void {
  const lrv = f32x4.splat(lr);
  const wdv = f32x4.splat(weightDecay);
  const mv = f32x4.splat(momentum);
  const dv = f32x4.splat(1 - dampening);
  const useMomentum = momentum != 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    let g = f32x4.add(v128.load(grad + o), f32x4.mul(wdv, pv));
    if (useMomentum) {
      const b = first ? g : f32x4.add(f32x4.mul(mv, v128.load(buf + o)), f32x4.mul(dv, g));
      v128.store(buf + o, b);
      g = nesterov ? f32x4.add(g, f32x4.mul(mv, b)) : b;
    }
    v128.store(p + o, f32x4.sub(pv, f32x4.mul(lrv, g)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    let g = load<f32>(grad + o) + weightDecay * pv;
    if (useMomentum) {
      const b = first ? g : momentum * load<f32>(buf + o) + (1 - dampening) * g;
      store<f32>(buf + o, b);
      g = nesterov ? g + momentum * b : b;
    }
    store<f32>(p + o, pv - lr * g);
  }
}
