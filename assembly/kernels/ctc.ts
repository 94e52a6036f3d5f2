/**
 * Connectionist temporal classification (CTC) loss, forward (alpha) and backward (beta), in log
 * space, as PyTorch 1.13's CPU ctc_loss (aten/src/ATen/native/LossCTC.cpp), in f32 as it is.
 *
 * Log-probabilities lp [t, n, c] (time, batch, class; log-softmaxed by the caller). Sample b has
 * input length T_b = info[3b], target length L = info[3b + 1] and its labels at
 * targets[info[3b + 2] ..] (i32, validated by the caller: in [0, c), never blank, T_b <= t).
 * The extended target l' of length S = 2L + 1 puts a blank before, between and after the labels:
 * l'(s) = blank for even s, label (s - 1) / 2 for odd s.
 *
 *   alpha[0][0] = lp[0][blank], alpha[0][1] = lp[0][l'(1)] (L > 0), -inf elsewhere
 *   alpha[t][s] = lse(alpha[t-1][s], alpha[t-1][s-1], alpha[t-1][s-2] if l'(s-2) != l'(s))
 *                 + lp[t][l'(s)]
 *   nll = -lse(alpha[T_b-1][S-1], alpha[T_b-1][S-2])    (T_b = 0: 0 if L = 0, else +inf)
 *   beta mirrors alpha from T_b - 1 backwards, and with g_b the upstream gradient of sample b:
 *   dlp[t][k] = (exp(lp[t][k]) - exp(lse_{s: l'(s) = k}(alpha[t][s] + beta[t][s]) + nll - lp[t][k])) g_b
 *   for t < T_b, 0 for t >= T_b (and for every t when zeroInfinity and nll = +inf).
 * That is PyTorch's gradient, which assumes lp is normalized: the exp(lp) term makes it the
 * gradient through log_softmax, not the partial derivative with respect to lp.
 *
 * Rows of alpha and beta are r floats (r a multiple of 4, r >= roundup4(S) + 4), the state s at
 * column 2 + s, columns 0, 1 and from 2 + S on held at -inf, so the recursions run 4 states at a
 * time with no bounds tests. alpha [n][t][r] is written by the forward and read by the backward.
 * Workspace (ws): r i32 labels, r f32 masks (0 where the skip from s - 2 is allowed, -inf where
 * not), r f32 emissions, and for the backward two beta rows: 3r floats forward, 5r backward.
 */
import { exp4, log4 } from "./math";

const NEG_INF: f32 = -Infinity;

// @ts-ignore: decorator
@inline function at(p: usize, i: i32): usize {
  return p + (<usize>i << 2);
}

// @ts-ignore: decorator
@inline function c4(v: f32): v128 {
  return f32x4.splat(v);
}

function fillNegInf(p: usize, count: i32): void {
  const v = c4(NEG_INF);
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(at(p, i), v);
  for (; i < count; i++) store<f32>(at(p, i), NEG_INF);
}

/** log(e^a + e^b + e^c) per lane; -inf when all three are. */
// @ts-ignore: decorator
@inline function lse3(a: v128, b: v128, c: v128): v128 {
  const m = f32x4.max(f32x4.max(a, b), c);
  const none = f32x4.eq(m, c4(NEG_INF));
  const mm = v128.bitselect(c4(0), m, none);
  const s = f32x4.add(
    f32x4.add(exp4(f32x4.sub(a, mm)), exp4(f32x4.sub(b, mm))),
    exp4(f32x4.sub(c, mm)),
  );
  return v128.bitselect(c4(NEG_INF), f32x4.add(log4(s), mm), none);
}

/** log(e^a + e^b), PyTorch's way (a max of -inf counts as 0). */
function lse2(a: f32, b: f32): f32 {
  let m = max(a, b);
  if (m == NEG_INF) m = 0;
  return Mathf.log(Mathf.exp(a - m) + Mathf.exp(b - m)) + m;
}

/** Labels l'(s) and skip masks of sample b; returns S = 2L + 1. */
function extend(ws: usize, targets: usize, info: usize, b: i32, blank: i32, r: i32): i32 {
  const len = load<i32>(at(info, 3 * b + 1));
  const off = load<i32>(at(info, 3 * b + 2));
  const S = 2 * len + 1;
  const lab = ws;
  const mask = ws + (<usize>r << 2);
  fillNegInf(mask, r);
  for (let s = 0; s < S; s++) {
    const k = s & 1 ? load<i32>(at(targets, off + (s >> 1))) : blank;
    store<i32>(at(lab, s), k);
    if (s >= 2 && k != load<i32>(at(lab, s - 2))) store<f32>(at(mask, 2 + s), 0);
  }
  return S;
}

/** The emissions lp[t][l'(s)] of one time step at columns 2 + s (the rest stay -inf). */
function emissions(e: usize, lab: usize, row: usize, S: i32): void {
  for (let s = 0; s < S; s++) store<f32>(at(e, 2 + s), load<f32>(at(row, load<i32>(at(lab, s)))));
}

export function ctc_loss_f32(
  nll: usize, alpha: usize, lp: usize, targets: usize, info: usize, ws: usize,
  t: i32, n: i32, c: i32, blank: i32, r: i32,
): void {
  const lab = ws;
  const mask = ws + (<usize>r << 2);
  const e = ws + (<usize>(2 * r) << 2);
  for (let b = 0; b < n; b++) {
    const tb = load<i32>(at(info, 3 * b));
    const S = extend(ws, targets, info, b, blank, r);
    const A = alpha + (<usize>b * <usize>t * <usize>r << 2);
    fillNegInf(A, t * r);
    if (tb == 0) {
      store<f32>(at(nll, b), S == 1 ? 0 : Infinity);
      continue;
    }
    fillNegInf(e, r);
    const row0 = lp + (<usize>b * <usize>c << 2);
    store<f32>(at(A, 2), load<f32>(at(row0, blank)));
    if (S > 1) store<f32>(at(A, 3), load<f32>(at(row0, load<i32>(at(lab, 1)))));
    for (let tt = 1; tt < tb; tt++) {
      emissions(e, lab, lp + ((<usize>tt * <usize>n + <usize>b) * <usize>c << 2), S);
      const prev = A + (<usize>(tt - 1) * <usize>r << 2);
      const cur = prev + (<usize>r << 2);
      for (let s = 0; s < S; s += 4) {
        const a1 = v128.load(at(prev, 2 + s));
        const a2 = v128.load(at(prev, 1 + s));
        const a3 = f32x4.add(v128.load(at(prev, s)), v128.load(at(mask, 2 + s)));
        v128.store(at(cur, 2 + s), f32x4.add(lse3(a1, a2, a3), v128.load(at(e, 2 + s))));
      }
    }
    const last = A + (<usize>(tb - 1) * <usize>r << 2);
    const l1 = load<f32>(at(last, 2 + S - 1));
    const l2 = S > 1 ? load<f32>(at(last, 2 + S - 2)) : NEG_INF;
    store<f32>(at(nll, b), -lse2(l1, l2));
  }
}

/** Accumulates alpha + beta of one time step into the log-space class sums in d. */
function occupancy(d: usize, lab: usize, arow: usize, brow: usize, S: i32): void {
  for (let s = 0; s < S; s++) {
    const ab = load<f32>(at(arow, 2 + s)) + load<f32>(at(brow, 2 + s));
    const p = at(d, load<i32>(at(lab, s)));
    const cur = load<f32>(p);
    if (cur == NEG_INF) {
      store<f32>(p, ab);
    } else {
      const m = max(cur, ab);
      store<f32>(p, Mathf.log(Mathf.exp(cur - m) + Mathf.exp(ab - m)) + m);
    }
  }
}

export function ctc_loss_bwd_f32(
  dlp: usize, lp: usize, targets: usize, info: usize, alpha: usize, nll: usize, gr: usize,
  ws: usize, t: i32, n: i32, c: i32, blank: i32, r: i32, zeroInfinity: i32,
): void {
  const lab = ws;
  const mask = ws + (<usize>r << 2);
  const e = ws + (<usize>(2 * r) << 2);
  let bnext = ws + (<usize>(3 * r) << 2);
  let bcur = ws + (<usize>(4 * r) << 2);
  const rowBytes = <usize>c << 2;
  for (let b = 0; b < n; b++) {
    const tb = load<i32>(at(info, 3 * b));
    const loss = load<f32>(at(nll, b));
    const skip = tb == 0 || (zeroInfinity != 0 && loss == Infinity);
    for (let tt = 0; tt < t; tt++) {
      const d = dlp + (<usize>tt * <usize>n + <usize>b) * rowBytes;
      if (skip || tt >= tb) memory.fill(d, 0, rowBytes);
      else fillNegInf(d, c);
    }
    if (skip) continue;
    const S = extend(ws, targets, info, b, blank, r);
    const A = alpha + (<usize>b * <usize>t * <usize>r << 2);
    fillNegInf(e, r);
    fillNegInf(bnext, r);
    fillNegInf(bcur, r);
    // The last step: beta starts at the final blank and the final label.
    const lastLp = lp + (<usize>(tb - 1) * <usize>n + <usize>b) * rowBytes;
    const lastA = A + (<usize>(tb - 1) * <usize>r << 2);
    const lastD = dlp + (<usize>(tb - 1) * <usize>n + <usize>b) * rowBytes;
    for (let s = max(S - 2, 0); s < S; s++) {
      const k = load<i32>(at(lab, s));
      const lb = load<f32>(at(lastLp, k));
      store<f32>(at(bnext, 2 + s), lb);
      store<f32>(at(lastD, k), load<f32>(at(lastA, 2 + s)) + lb);
    }
    for (let tt = tb - 2; tt >= 0; tt--) {
      const row = lp + (<usize>tt * <usize>n + <usize>b) * rowBytes;
      emissions(e, lab, row, S);
      for (let s = 0; s < S; s += 4) {
        const b1 = v128.load(at(bnext, 2 + s));
        const b2 = v128.load(at(bnext, 3 + s));
        const b3 = f32x4.add(v128.load(at(bnext, 4 + s)), v128.load(at(mask, 4 + s)));
        v128.store(at(bcur, 2 + s), f32x4.add(lse3(b1, b2, b3), v128.load(at(e, 2 + s))));
      }
      occupancy(dlp + (<usize>tt * <usize>n + <usize>b) * rowBytes, lab,
        A + (<usize>tt * <usize>r << 2), bcur, S);
      const swap = bnext;
      bnext = bcur;
      bcur = swap;
    }
    // dlp = (exp(lp) - exp(occupancy + nll - lp)) g over the valid steps.
    const g = load<f32>(at(gr, b));
    const gv = c4(g);
    const lv = c4(loss);
    for (let tt = 0; tt < tb; tt++) {
      const off = (<usize>tt * <usize>n + <usize>b) * rowBytes;
      const d = dlp + off;
      const x = lp + off;
      let k = 0;
      for (; k + 4 <= c; k += 4) {
        const l = v128.load(at(x, k));
        const o = f32x4.sub(f32x4.add(v128.load(at(d, k)), lv), l);
        v128.store(at(d, k), f32x4.mul(f32x4.sub(exp4(l), exp4(o)), gv));
      }
      for (; k < c; k++) {
        const l = load<f32>(at(x, k));
        const o = load<f32>(at(d, k)) + loss - l;
        store<f32>(at(d, k), (Mathf.exp(l) - Mathf.exp(o)) * g);
      }
    }
  }
}
