/**
 * Resampling kernels: one sparse linear map applied to every plane, its transpose, and a
 * windowed max. See index.ts for the ABI.
 *
 * Adaptive average pooling, nearest and (bi)linear interpolation and the reflect / replicate /
 * constant paddings are all linear maps from an input plane of `inSize` elements to an output
 * plane of `outSize` elements, the same for every plane (image and channel). The caller
 * (src/ops/resample.ts) builds the map once per call in CSR form:
 *
 *   out[p, i] = sum_{k = rowptr[i]}^{rowptr[i+1]-1} w[k] * x[p, col[k]]
 *
 * and the gradient is its transpose, dx[p, col[k]] += w[k] * dy[p, i]. Adaptive max pooling
 * uses the same rows as windows: out[p, i] = max_k x[p, col[k]] (NaN wins, the first maximum
 * wins ties, as PyTorch), saving the winning plane offset for the backward scatter.
 *
 * rowptr, col and arg are i32. Planes are contiguous and row-major; no output aliases an input.
 */

export function csr_planes_f32(dst: usize, x: usize, rowptr: usize, col: usize, w: usize, planes: i32, inSize: i32, outSize: i32): void {
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * <usize>inSize) << 2);
    const dp = dst + ((<usize>p * <usize>outSize) << 2);
    for (let i = 0; i < outSize; i++) {
      const k0 = load<i32>(rowptr + (<usize>i << 2));
      const k1 = load<i32>(rowptr + (<usize>(i + 1) << 2));
      let s: f32 = 0;
      for (let k = k0; k < k1; k++) {
        const c = load<i32>(col + (<usize>k << 2));
        s += load<f32>(w + (<usize>k << 2)) * load<f32>(xp + (<usize>c << 2));
      }
      store<f32>(dp + (<usize>i << 2), s);
    }
  }
}

export function csr_planes_t_f32(dx: usize, dy: usize, rowptr: usize, col: usize, w: usize, planes: i32, inSize: i32, outSize: i32): void {
  memory.fill(dx, 0, (<usize>planes * <usize>inSize) << 2);
  for (let p = 0; p < planes; p++) {
    const xp = dx + ((<usize>p * <usize>inSize) << 2);
    const gp = dy + ((<usize>p * <usize>outSize) << 2);
    for (let i = 0; i < outSize; i++) {
      const k0 = load<i32>(rowptr + (<usize>i << 2));
      const k1 = load<i32>(rowptr + (<usize>(i + 1) << 2));
      const g = load<f32>(gp + (<usize>i << 2));
      for (let k = k0; k < k1; k++) {
        const at = xp + (<usize>load<i32>(col + (<usize>k << 2)) << 2);
        store<f32>(at, load<f32>(at) + load<f32>(w + (<usize>k << 2)) * g);
      }
    }
  }
}

export function csr_max_planes_f32(dst: usize, arg: usize, x: usize, rowptr: usize, col: usize, planes: i32, inSize: i32, outSize: i32): void {
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * <usize>inSize) << 2);
    const o = <usize>p * <usize>outSize;
    for (let i = 0; i < outSize; i++) {
      const k0 = load<i32>(rowptr + (<usize>i << 2));
      const k1 = load<i32>(rowptr + (<usize>(i + 1) << 2));
      let best: f32 = -Infinity;
      let at: i32 = k1 > k0 ? load<i32>(col + (<usize>k0 << 2)) : 0;
      for (let k = k0; k < k1; k++) {
        const c = load<i32>(col + (<usize>k << 2));
        const v = load<f32>(xp + (<usize>c << 2));
        if (v > best || isNaN(v)) {
          best = v;
          at = c;
          if (isNaN(v)) break;
        }
      }
      store<f32>(dst + ((o + <usize>i) << 2), best);
      store<i32>(arg + ((o + <usize>i) << 2), at);
    }
  }
}

export function max_planes_bwd_f32(dx: usize, dy: usize, arg: usize, planes: i32, inSize: i32, outSize: i32): void {
  memory.fill(dx, 0, (<usize>planes * <usize>inSize) << 2);
  for (let p = 0; p < planes; p++) {
    const xp = dx + ((<usize>p * <usize>inSize) << 2);
    const o = <usize>p * <usize>outSize;
    for (let i = 0; i < outSize; i++) {
      const at = xp + (<usize>load<i32>(arg + ((o + <usize>i) << 2)) << 2);
      store<f32>(at, load<f32>(at) + load<f32>(dy + ((o + <usize>i) << 2)));
    }
  }
}
