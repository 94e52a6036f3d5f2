/**
 * The Q factor for nn.init.orthogonal_: QR of a [rows, cols] normal draw (transposed first when
 * rows < cols), in float64 by Householder reflections, with Q's columns signed so that R has a
 * positive diagonal (which makes Q Haar-distributed, as PyTorch's q *= sign(diag(r))).
 */
export function orthogonalMatrix(rows: number, cols: number, draw: () => number): Float64Array {
  const out = new Float64Array(rows * cols);
  if (rows === 0 || cols === 0) return out;
  const n = Math.max(rows, cols);
  const m = Math.min(rows, cols);
  // A [n, m], column-major for the reflections.
  const a = new Float64Array(n * m);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = draw();
      if (rows >= cols) a[c * n + r] = v;
      else a[r * n + c] = v;
    }
  }
  const vs: Float64Array[] = [];
  const diag = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    let norm = 0;
    for (let i = k; i < n; i++) norm += a[k * n + i] ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k];
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(n);
    for (let i = k; i < n; i++) v[i] = a[k * n + i];
    v[k] -= alpha;
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    vs.push(v);
    diag[k] = alpha;
    if (vv === 0) continue;
    for (let j = k; j < m; j++) {
      let dot = 0;
      for (let i = k; i < n; i++) dot += v[i] * a[j * n + i];
      const f = (2 * dot) / vv;
      for (let i = k; i < n; i++) a[j * n + i] -= f * v[i];
    }
  }
  // Q [n, m] = H_0 ... H_{m-1} applied to the first m columns of the identity.
  const q = new Float64Array(n * m);
  for (let j = 0; j < m; j++) q[j * n + j] = 1;
  for (let k = m - 1; k >= 0; k--) {
    const v = vs[k];
    let vv = 0;
    for (let i = k; i < n; i++) vv += v[i] * v[i];
    if (vv === 0) continue;
    for (let j = 0; j < m; j++) {
      let dot = 0;
      for (let i = k; i < n; i++) dot += v[i] * q[j * n + i];
      const f = (2 * dot) / vv;
      for (let i = k; i < n; i++) q[j * n + i] -= f * v[i];
    }
  }
  for (let j = 0; j < m; j++) {
    const s = diag[j] < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) {
      const v = s * q[j * n + i];
      if (rows >= cols) out[i * cols + j] = v;
      else out[j * cols + i] = v;
    }
  }
  return out;
}
