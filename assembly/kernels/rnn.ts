/**
 * Fused pointwise steps of the recurrent cells, forward and backward, as torch.nn's RNN, LSTM
 * and GRU. The matrix products around them (the input projection of a whole sequence, the
 * recurrent product of each step, the weight gradients) are sgemm calls made by the caller;
 * these kernels do everything between two products in one pass over a step's N x H state.
 *
 * Layouts (row-major, one row per batch element, hs = hidden size, gates in PyTorch's order):
 *   LSTM gates [n x 4hs] = i | f | g | o      (pre-activations: x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)
 *   GRU  gi, gh [n x 3hs] = r | z | n          (input and hidden projections kept apart, since
 *                                               n = tanh(gi_n + r * gh_n))
 * What the backward needs is saved in `act` during the forward (activated gates).
 * A pointer of 0 for a previous state means zeros (the default initial state).
 */
import { sigmoid4, tanh4 } from "./math";

// @ts-ignore: decorator
@inline function at(base: usize, row: i32, stride: i32, col: i32): usize {
  return base + ((<usize>row * <usize>stride + <usize>col) << 2);
}

// @ts-ignore: decorator
@inline function loadOr0(p: usize): v128 {
  return p != 0 ? v128.load(p) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function scalarSigmoid(x: f32): f32 {
  return f32x4.extract_lane(sigmoid4(f32x4.splat(x)), 0);
}

// @ts-ignore: decorator
@inline function scalarTanh(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

/** h = tanh(pre) (relu == 0) or max(pre, 0) (relu == 1) over `count` values; h may alias pre. */
export function rnn_cell_f32(h: usize, pre: usize, count: i32, relu: i32): void {
  let i = 0;
  const zero = f32x4.splat(0);
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(pre + o);
    v128.store(h + o, relu != 0 ? f32x4.max(v, zero) : tanh4(v));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(pre + o);
    store<f32>(h + o, relu != 0 ? (v > 0 ? v : 0) : scalarTanh(v));
  }
}

/** dpre = dh * f'(pre), from h = f(pre): 1 - h² for tanh, h > 0 for relu. dpre may alias dh. */
export function rnn_cell_bwd_f32(dpre: usize, dh: usize, h: usize, count: i32, relu: i32): void {
  let i = 0;
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dh + o);
    const y = v128.load(h + o);
    const d = relu != 0
      ? v128.and(g, f32x4.gt(y, zero))
      : f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
    v128.store(dpre + o, d);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dh + o);
    const y = load<f32>(h + o);
    store<f32>(dpre + o, relu != 0 ? (y > 0 ? g : 0) : g * (1 - y * y));
  }
}

/**
 * One LSTM step: from pre-activation gates [n x 4hs] and cPrev [n x hs] (0: zeros),
 *   i, f, o = sigmoid, g = tanh;  c = f * cPrev + i * g;  h = o * tanh(c)
 * act [n x 4hs] receives the activated gates; gates may alias act.
 */
export function lstm_cell_f32(h: usize, c: usize, act: usize, gates: usize, cPrev: usize, n: i32, hs: i32): void {
  const g4 = hs << 2;
  for (let r = 0; r < n; r++) {
    let j = 0;
    for (; j + 4 <= hs; j += 4) {
      const gi = sigmoid4(v128.load(at(gates, r, g4, j)));
      const gf = sigmoid4(v128.load(at(gates, r, g4, j + hs)));
      const gg = tanh4(v128.load(at(gates, r, g4, j + 2 * hs)));
      const go = sigmoid4(v128.load(at(gates, r, g4, j + 3 * hs)));
      const cp = loadOr0(cPrev != 0 ? at(cPrev, r, hs, j) : 0);
      const cv = f32x4.add(f32x4.mul(gf, cp), f32x4.mul(gi, gg));
      v128.store(at(act, r, g4, j), gi);
      v128.store(at(act, r, g4, j + hs), gf);
      v128.store(at(act, r, g4, j + 2 * hs), gg);
      v128.store(at(act, r, g4, j + 3 * hs), go);
      v128.store(at(c, r, hs, j), cv);
      v128.store(at(h, r, hs, j), f32x4.mul(go, tanh4(cv)));
    }
    for (; j < hs; j++) {
      const gi = scalarSigmoid(load<f32>(at(gates, r, g4, j)));
      const gf = scalarSigmoid(load<f32>(at(gates, r, g4, j + hs)));
      const gg = scalarTanh(load<f32>(at(gates, r, g4, j + 2 * hs)));
      const go = scalarSigmoid(load<f32>(at(gates, r, g4, j + 3 * hs)));
      const cp: f32 = cPrev != 0 ? load<f32>(at(cPrev, r, hs, j)) : 0;
      const cv = gf * cp + gi * gg;
      store<f32>(at(act, r, g4, j), gi);
      store<f32>(at(act, r, g4, j + hs), gf);
      store<f32>(at(act, r, g4, j + 2 * hs), gg);
      store<f32>(at(act, r, g4, j + 3 * hs), go);
      store<f32>(at(c, r, hs, j), cv);
      store<f32>(at(h, r, hs, j), go * scalarTanh(cv));
    }
  }
}

/**
 * Backward of one LSTM step. dh, dc: gradients reaching h and c of this step (dc 0: none).
 * Writes dgates [n x 4hs] (pre-activation) and dcPrev [n x hs] (may alias dc).
 */
export function lstm_cell_bwd_f32(
  dgates: usize, dcPrev: usize, act: usize, c: usize, cPrev: usize, dh: usize, dc: usize, n: i32, hs: i32,
): void {
  const g4 = hs << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < n; r++) {
    let j = 0;
    for (; j + 4 <= hs; j += 4) {
      const gi = v128.load(at(act, r, g4, j));
      const gf = v128.load(at(act, r, g4, j + hs));
      const gg = v128.load(at(act, r, g4, j + 2 * hs));
      const go = v128.load(at(act, r, g4, j + 3 * hs));
      const tc = tanh4(v128.load(at(c, r, hs, j)));
      const cp = loadOr0(cPrev != 0 ? at(cPrev, r, hs, j) : 0);
      const gh = v128.load(at(dh, r, hs, j));
      const gc = f32x4.add(
        loadOr0(dc != 0 ? at(dc, r, hs, j) : 0),
        f32x4.mul(f32x4.mul(gh, go), f32x4.sub(one, f32x4.mul(tc, tc))),
      );
      const dO = f32x4.mul(gh, tc);
      v128.store(at(dgates, r, g4, j), f32x4.mul(f32x4.mul(gc, gg), f32x4.mul(gi, f32x4.sub(one, gi))));
      v128.store(at(dgates, r, g4, j + hs), f32x4.mul(f32x4.mul(gc, cp), f32x4.mul(gf, f32x4.sub(one, gf))));
      v128.store(at(dgates, r, g4, j + 2 * hs), f32x4.mul(f32x4.mul(gc, gi), f32x4.sub(one, f32x4.mul(gg, gg))));
      v128.store(at(dgates, r, g4, j + 3 * hs), f32x4.mul(dO, f32x4.mul(go, f32x4.sub(one, go))));
      v128.store(at(dcPrev, r, hs, j), f32x4.mul(gc, gf));
    }
    for (; j < hs; j++) {
      const gi = load<f32>(at(act, r, g4, j));
      const gf = load<f32>(at(act, r, g4, j + hs));
      const gg = load<f32>(at(act, r, g4, j + 2 * hs));
      const go = load<f32>(at(act, r, g4, j + 3 * hs));
      const tc = scalarTanh(load<f32>(at(c, r, hs, j)));
      const cp: f32 = cPrev != 0 ? load<f32>(at(cPrev, r, hs, j)) : 0;
      const gh = load<f32>(at(dh, r, hs, j));
      const gc = (dc != 0 ? load<f32>(at(dc, r, hs, j)) : 0) + gh * go * (1 - tc * tc);
      store<f32>(at(dgates, r, g4, j), gc * gg * (gi * (1 - gi)));
      store<f32>(at(dgates, r, g4, j + hs), gc * cp * (gf * (1 - gf)));
      store<f32>(at(dgates, r, g4, j + 2 * hs), gc * gi * (1 - gg * gg));
      store<f32>(at(dgates, r, g4, j + 3 * hs), gh * tc * (go * (1 - go)));
      store<f32>(at(dcPrev, r, hs, j), gc * gf);
    }
  }
}

/**
 * One GRU step: from gi, gh [n x 3hs] and hPrev [n x hs] (0: zeros),
 *   r = sigmoid(gi_r + gh_r), z = sigmoid(gi_z + gh_z), m = tanh(gi_n + r * gh_n)
 *   h = (1 - z) * m + z * hPrev
 * act [n x 4hs] receives r | z | m | gh_n.
 */
export function gru_cell_f32(h: usize, act: usize, gi: usize, gh: usize, hPrev: usize, n: i32, hs: i32): void {
  const g3 = hs * 3;
  const g4 = hs << 2;
  const one = f32x4.splat(1);
  for (let row = 0; row < n; row++) {
    let j = 0;
    for (; j + 4 <= hs; j += 4) {
      const r = sigmoid4(f32x4.add(v128.load(at(gi, row, g3, j)), v128.load(at(gh, row, g3, j))));
      const z = sigmoid4(f32x4.add(v128.load(at(gi, row, g3, j + hs)), v128.load(at(gh, row, g3, j + hs))));
      const hn = v128.load(at(gh, row, g3, j + 2 * hs));
      const m = tanh4(f32x4.add(v128.load(at(gi, row, g3, j + 2 * hs)), f32x4.mul(r, hn)));
      const hp = loadOr0(hPrev != 0 ? at(hPrev, row, hs, j) : 0);
      v128.store(at(act, row, g4, j), r);
      v128.store(at(act, row, g4, j + hs), z);
      v128.store(at(act, row, g4, j + 2 * hs), m);
      v128.store(at(act, row, g4, j + 3 * hs), hn);
      v128.store(at(h, row, hs, j), f32x4.add(f32x4.mul(f32x4.sub(one, z), m), f32x4.mul(z, hp)));
    }
    for (; j < hs; j++) {
      const r = scalarSigmoid(load<f32>(at(gi, row, g3, j)) + load<f32>(at(gh, row, g3, j)));
      const z = scalarSigmoid(load<f32>(at(gi, row, g3, j + hs)) + load<f32>(at(gh, row, g3, j + hs)));
      const hn = load<f32>(at(gh, row, g3, j + 2 * hs));
      const m = scalarTanh(load<f32>(at(gi, row, g3, j + 2 * hs)) + r * hn);
      const hp: f32 = hPrev != 0 ? load<f32>(at(hPrev, row, hs, j)) : 0;
      store<f32>(at(act, row, g4, j), r);
      store<f32>(at(act, row, g4, j + hs), z);
      store<f32>(at(act, row, g4, j + 2 * hs), m);
      store<f32>(at(act, row, g4, j + 3 * hs), hn);
      store<f32>(at(h, row, hs, j), (1 - z) * m + z * hp);
    }
  }
}

/**
 * Backward of one GRU step for dh [n x hs]: dgi, dgh [n x 3hs] (pre-activation gradients of the
 * input and hidden projections) and dhPrev = dh * z, the direct part of the previous state's
 * gradient (the caller adds dgh · W_hh).
 */
export function gru_cell_bwd_f32(
  dgi: usize, dgh: usize, dhPrev: usize, act: usize, hPrev: usize, dh: usize, n: i32, hs: i32,
): void {
  const g3 = hs * 3;
  const g4 = hs << 2;
  const one = f32x4.splat(1);
  for (let row = 0; row < n; row++) {
    let j = 0;
    for (; j + 4 <= hs; j += 4) {
      const r = v128.load(at(act, row, g4, j));
      const z = v128.load(at(act, row, g4, j + hs));
      const m = v128.load(at(act, row, g4, j + 2 * hs));
      const hn = v128.load(at(act, row, g4, j + 3 * hs));
      const hp = loadOr0(hPrev != 0 ? at(hPrev, row, hs, j) : 0);
      const g = v128.load(at(dh, row, hs, j));
      const dm = f32x4.mul(f32x4.mul(g, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(m, m)));
      const dz = f32x4.mul(f32x4.mul(g, f32x4.sub(hp, m)), f32x4.mul(z, f32x4.sub(one, z)));
      const dr = f32x4.mul(f32x4.mul(dm, hn), f32x4.mul(r, f32x4.sub(one, r)));
      v128.store(at(dgi, row, g3, j), dr);
      v128.store(at(dgi, row, g3, j + hs), dz);
      v128.store(at(dgi, row, g3, j + 2 * hs), dm);
      v128.store(at(dgh, row, g3, j), dr);
      v128.store(at(dgh, row, g3, j + hs), dz);
      v128.store(at(dgh, row, g3, j + 2 * hs), f32x4.mul(dm, r));
      v128.store(at(dhPrev, row, hs, j), f32x4.mul(g, z));
    }
    for (; j < hs; j++) {
      const r = load<f32>(at(act, row, g4, j));
      const z = load<f32>(at(act, row, g4, j + hs));
      const m = load<f32>(at(act, row, g4, j + 2 * hs));
      const hn = load<f32>(at(act, row, g4, j + 3 * hs));
      const hp: f32 = hPrev != 0 ? load<f32>(at(hPrev, row, hs, j)) : 0;
      const g = load<f32>(at(dh, row, hs, j));
      const dm = g * (1 - z) * (1 - m * m);
      const dz = g * (hp - m) * (z * (1 - z));
      const dr = dm * hn * (r * (1 - r));
      store<f32>(at(dgi, row, g3, j), dr);
      store<f32>(at(dgi, row, g3, j + hs), dz);
      store<f32>(at(dgi, row, g3, j + 2 * hs), dm);
      store<f32>(at(dgh, row, g3, j), dr);
      store<f32>(at(dgh, row, g3, j + hs), dz);
      store<f32>(at(dgh, row, g3, j + 2 * hs), dm * r);
      store<f32>(at(dhPrev, row, hs, j), g * z);
    }
  }
}

/** out[i, :] = weight[idx[i], :] for `count` indices (i32) of rows of `dim` floats. */
export function embedding_f32(out: usize, weight: usize, idx: usize, count: i32, dim: i32): void {
  const rowBytes = <usize>dim << 2;
  for (let i = 0; i < count; i++) {
    memory.copy(out, weight + <usize>load<i32>(idx + (<usize>i << 2)) * rowBytes, rowBytes);
    out += rowBytes;
  }
}

/**
 * dw [rows, dim] = the embedding's weight gradient: each row of dout added to the row its index
 * names (repeated indices accumulate, in index order); the row `paddingIdx` (-1: none) gets
 * nothing.
 */
export function embedding_bwd_f32(
  dw: usize, dout: usize, idx: usize, count: i32, dim: i32, rows: i32, paddingIdx: i32,
): void {
  embeddingBwdRows(dw, dout, idx, count, dim, 0, rows, paddingIdx);
}

/**
 * Block `block` of embedding_bwd_f32 for the pool: rows block * per .. of dw. Each block reads
 * every index and adds the ones in its rows, in index order, so each row sums as the whole call
 * sums it.
 */
export function embedding_bwd_block_f32(
  dw: usize, dout: usize, idx: usize, count: i32, dim: i32, rows: i32, paddingIdx: i32,
  per: i32, block: i32,
): void {
  const r0 = block * per;
  embeddingBwdRows(dw, dout, idx, count, dim, r0, min(rows, r0 + per), paddingIdx);
}

/** Rows r0 .. r1 of embedding_bwd_f32's dw. */
function embeddingBwdRows(
  dw: usize, dout: usize, idx: usize, count: i32, dim: i32, r0: i32, r1: i32, paddingIdx: i32,
): void {
  const rowBytes = <usize>dim << 2;
  memory.fill(dw + <usize>r0 * rowBytes, 0, <usize>(r1 - r0) * rowBytes);
  for (let i = 0; i < count; i++) {
    const k = load<i32>(idx + (<usize>i << 2));
    if (k == paddingIdx || k < r0 || k >= r1) continue;
    const d = dw + <usize>k * rowBytes;
    const s = dout + <usize>i * rowBytes;
    let j = 0;
    for (; j + 4 <= dim; j += 4) {
      const o = <usize>j << 2;
      v128.store(d + o, f32x4.add(v128.load(d + o), v128.load(s + o)));
    }
    for (; j < dim; j++) {
      const o = <usize>j << 2;
      store<f32>(d + o, load<f32>(d + o) + load<f32>(s + o));
    }
  }
}
