/**
 * The binary, reduction, softmax/cross-entropy, copy and SGD kernels against plain TypeScript
 * references over awkward sizes, on both builds.
 */
import { describe, expect, it } from "vitest";
import { BinaryOp, ReduceOp } from "../../src/backend/table/core.js";
import {
  awkwardSizes,
  backendFor,
  get,
  put,
  putI32,
  randomArray,
  scratch,
  variants,
} from "../helpers/backend.js";

const f = Math.fround;

function close(got: Float32Array, want: ArrayLike<number>, rtol = 1e-6, atol = 1e-6): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const g = got[i];
    if (Number.isNaN(w)) expect(g, `index ${i}`).toBeNaN();
    else if (!Number.isFinite(w)) expect(g, `index ${i}`).toBe(w);
    else
      expect(Math.abs(g - w), `index ${i}: got ${g}, want ${w}`).toBeLessThanOrEqual(
        atol + rtol * Math.abs(w),
      );
  }
}

const binaryRef: Record<number, (a: number, b: number) => number> = {
  [BinaryOp.add]: (a, b) => f(a + b),
  [BinaryOp.sub]: (a, b) => f(a - b),
  [BinaryOp.mul]: (a, b) => f(a * b),
  [BinaryOp.div]: (a, b) => f(a / b),
  [BinaryOp.maximum]: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b)),
  [BinaryOp.minimum]: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b)),
  [BinaryOp.maxShare]: (a, b) => (a > b ? 1 : a === b ? 0.5 : 0),
  [BinaryOp.eq]: (a, b) => (a === b ? 1 : 0),
  [BinaryOp.rsub]: (a, b) => f(b - a),
  [BinaryOp.rdiv]: (a, b) => f(b / a),
  [BinaryOp.floorDiv]: (a, b) => floorDivRef(a, b),
  [BinaryOp.rfloorDiv]: (a, b) => floorDivRef(b, a),
  [BinaryOp.remainder]: (a, b) => remainderRef(a, b),
  [BinaryOp.rremainder]: (a, b) => remainderRef(b, a),
  [BinaryOp.fmod]: (a, b) => a % b,
  [BinaryOp.rfmod]: (a, b) => b % a,
  [BinaryOp.truncDiv]: (a, b) => Math.trunc(f(a / b)),
  [BinaryOp.rtruncDiv]: (a, b) => Math.trunc(f(b / a)),
};

/** c10::div_floor_floating in float32 (JavaScript's % is the exact fmod). */
function floorDivRef(a: number, b: number): number {
  if (b === 0) return f(a / b);
  const mod = a % b;
  let div = f(f(a - mod) / b);
  if (mod !== 0 && b < 0 !== mod < 0) div = f(div - 1);
  if (div === 0) return f(a / b) < 0 || Object.is(f(a / b), -0) ? -0 : 0;
  let q = Math.floor(div);
  if (f(div - q) > 0.5) q += 1;
  return q;
}

/** PyTorch's remainder: fmod, moved into the divisor's sign. */
function remainderRef(a: number, b: number): number {
  const mod = a % b;
  return mod !== 0 && b < 0 !== mod < 0 ? f(mod + b) : mod;
}

for (const variant of variants) {
  const b = backendFor(variant);
  const k = b.kernels;

  describe(`binary kernels (${variant})`, () => {
    it("same-shape and scalar forms match the reference, leaving the next element alone", () => {
      for (const n of awkwardSizes) {
        const x = randomArray(n, n + 1);
        const y = randomArray(n, n + 2);
        if (n > 2) y[1] = x[1]; // a tie for maxShare/eq
        const px = put(b, x);
        const py = put(b, y);
        for (const [name, op] of Object.entries(BinaryOp)) {
          const out = scratch(b, n + 1, 123);
          k.binary_f32(out, px, py, n, op);
          const got = get(b, out, n + 1);
          close(
            got.subarray(0, n),
            Array.from(x, (v, i) => binaryRef[op](v, y[i])),
          );
          expect(got[n], `${name} wrote past the end`).toBe(123);
          k.binary_scalar_f32(out, px, n, 0.75, op);
          close(
            get(b, out, n),
            Array.from(x, (v) => binaryRef[op](v, 0.75)),
          );
          k.free(out);
        }
        k.free(px);
        k.free(py);
      }
    });

    it("division with rounding and the remainders are exact on signs, zeros, ties and huge quotients", () => {
      const vals = [
        7,
        -7,
        0,
        -0,
        0.5,
        -0.5,
        2,
        -2,
        3,
        1e-30,
        3e38,
        -3e38,
        16777217,
        0.1,
        1e-45,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NaN,
        2.5,
        -6,
      ].map(f);
      const x: number[] = [];
      const y: number[] = [];
      for (const a of vals) {
        for (const c of vals) {
          x.push(a);
          y.push(c);
        }
      }
      const n = x.length;
      const px = put(b, x);
      const py = put(b, y);
      const out = scratch(b, n);
      const codes = [
        BinaryOp.floorDiv,
        BinaryOp.rfloorDiv,
        BinaryOp.remainder,
        BinaryOp.rremainder,
        BinaryOp.fmod,
        BinaryOp.rfmod,
        BinaryOp.truncDiv,
        BinaryOp.rtruncDiv,
      ];
      for (const op of codes) {
        k.binary_f32(out, px, py, n, op);
        const got = get(b, out, n);
        const off: string[] = [];
        for (let i = 0; i < n; i++) {
          const want = binaryRef[op](x[i], y[i]);
          if (!Object.is(got[i], want) && !(Number.isNaN(got[i]) && Number.isNaN(want))) {
            off.push(`op ${op}: (${x[i]}, ${y[i]}) got ${got[i]}, want ${want}`);
          }
        }
        expect(off.slice(0, 8)).toEqual([]);
      }
      for (const p of [px, py, out]) k.free(p);
    });

    it("broadcast form walks N-d strides", () => {
      // out[i,j,l] = a[i,0,l] op b[j,l] with awkward trailing sizes
      for (const [I, J, L] of [
        [2, 3, 5],
        [3, 1, 7],
        [1, 4, 17],
        [2, 2, 1],
        [0, 3, 3],
      ]) {
        const a = randomArray(I * L, 3);
        const c = randomArray(J * L, 4);
        const pa = put(b, a);
        const pc = put(b, c);
        const out = scratch(b, I * J * L);
        const meta = putI32(b, [I, J, L, L, 0, 1, 0, L, 1]);
        k.binary_bcast_f32(out, pa, pc, 3, meta, BinaryOp.sub);
        const want: number[] = [];
        for (let i = 0; i < I; i++)
          for (let j = 0; j < J; j++)
            for (let l = 0; l < L; l++) want.push(f(a[i * L + l] - c[j * L + l]));
        close(get(b, out, I * J * L), want);
        for (const p of [pa, pc, out, meta]) k.free(p);
      }
    });
  });

  describe(`reduction kernels (${variant})`, () => {
    it("sum and max over the last dim, the first dim and everything", () => {
      for (const n of awkwardSizes.filter((v) => v > 0)) {
        const rows = 3;
        const x = randomArray(rows * n, n, -5, 5);
        const px = put(b, x);
        // over the last dim: dst stride 0 along it
        const out = scratch(b, Math.max(rows, n));
        for (const op of [ReduceOp.sum, ReduceOp.max]) {
          const fold = (vals: number[]) =>
            op === ReduceOp.sum ? vals.reduce((s, v) => s + v, 0) : Math.max(...vals);
          let meta = putI32(b, [rows, n, 1, 0]);
          k.reduce_f32(out, rows, px, 2, meta, op);
          const byRow = Array.from({ length: rows }, (_, r) =>
            fold(Array.from(x.subarray(r * n, (r + 1) * n))),
          );
          close(get(b, out, rows), byRow, 1e-5, 1e-5);
          k.free(meta);
          meta = putI32(b, [rows, n, 0, 1]);
          k.reduce_f32(out, n, px, 2, meta, op);
          const byCol = Array.from({ length: n }, (_, c) =>
            fold([0, 1, 2].map((r) => x[r * n + c])),
          );
          close(get(b, out, n), byCol, 1e-5, 1e-5);
          k.free(meta);
          meta = putI32(b, [rows * n, 0]);
          k.reduce_f32(out, 1, px, 1, meta, op);
          close(get(b, out, 1), [fold(Array.from(x))], 1e-5, 1e-4);
          k.free(meta);
        }
        k.free(px);
        k.free(out);
      }
    });

    it("a long sum stays accurate (partial sums)", () => {
      const n = 1 << 20;
      const x = new Float32Array(n).fill(0.1);
      const px = put(b, x);
      const out = scratch(b, 1);
      const meta = putI32(b, [n, 0]);
      k.reduce_f32(out, 1, px, 1, meta, ReduceOp.sum);
      expect(Math.abs(get(b, out, 1)[0] - n * f(0.1)) / (n * 0.1)).toBeLessThan(1e-5);
      for (const p of [px, out, meta]) k.free(p);
    });

    it("argmax takes the first maximum, a NaN counting as largest; max_bwd scatters to it", () => {
      const x = [1, 5, 5, 2, /* row 2 */ 0, Number.NaN, 9, 9];
      const px = put(b, x);
      const idx = scratch(b, 2);
      k.argmax_f32(idx, px, 2, 4, 1);
      expect(Array.from(b.i32().slice(idx >>> 2, (idx >>> 2) + 2))).toEqual([1, 1]);
      const dy = put(b, [10, 20]);
      const dx = scratch(b, 8);
      k.max_bwd_f32(dx, dy, idx, 2, 4, 1);
      expect(Array.from(get(b, dx, 8))).toEqual([0, 10, 0, 0, 0, 20, 0, 0]);
      for (const p of [px, idx, dy, dx]) k.free(p);
    });
  });

  describe(`softmax and cross-entropy kernels (${variant})`, () => {
    const softmaxRef = (
      x: ArrayLike<number>,
      outer: number,
      r: number,
      inner: number,
      log: boolean,
    ) => {
      const out = new Array<number>(outer * r * inner);
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          let m = -Infinity;
          for (let j = 0; j < r; j++) m = Math.max(m, x[(o * r + j) * inner + i]);
          let s = 0;
          for (let j = 0; j < r; j++) s += Math.exp(x[(o * r + j) * inner + i] - m);
          for (let j = 0; j < r; j++) {
            const v = x[(o * r + j) * inner + i] - m;
            out[(o * r + j) * inner + i] = log ? v - Math.log(s) : Math.exp(v) / s;
          }
        }
      return out;
    };

    it("softmax / logSoftmax forward and backward over rows and strided layouts", () => {
      for (const [outer, r, inner] of [
        [1, 1, 1],
        [2, 3, 1],
        [3, 17, 1],
        [2, 67, 1],
        [2, 5, 3],
        [1, 4, 7],
      ]) {
        const n = outer * r * inner;
        const x = randomArray(n, r, -30, 30);
        const dy = randomArray(n, r + 9);
        const px = put(b, x);
        const pdy = put(b, dy);
        const y = scratch(b, n);
        const dx = scratch(b, n);
        for (const log of [false, true]) {
          (log ? k.log_softmax_f32 : k.softmax_f32)(y, px, outer, r, inner);
          const want = softmaxRef(x, outer, r, inner, log);
          close(get(b, y, n), want, 1e-5, 1e-6);
          (log ? k.log_softmax_bwd_f32 : k.softmax_bwd_f32)(dx, pdy, y, outer, r, inner);
          const grad = new Array<number>(n);
          for (let o = 0; o < outer; o++)
            for (let i = 0; i < inner; i++) {
              let s = 0;
              for (let j = 0; j < r; j++) {
                const q = (o * r + j) * inner + i;
                s += log ? dy[q] : dy[q] * want[q];
              }
              for (let j = 0; j < r; j++) {
                const q = (o * r + j) * inner + i;
                grad[q] = log ? dy[q] - Math.exp(want[q]) * s : want[q] * (dy[q] - s);
              }
            }
          close(get(b, dx, n), grad, 1e-4, 1e-5);
        }
        for (const p of [px, pdy, y, dx]) k.free(p);
      }
    });
  });

  describe(`copy kernels (${variant})`, () => {
    it("fill, copy, arange and 2-D block copies", () => {
      for (const n of awkwardSizes) {
        const out = scratch(b, n + 1, 5);
        k.fill_f32(out, n, -2.5);
        const got = get(b, out, n + 1);
        expect(Array.from(got.subarray(0, n))).toEqual(new Array(n).fill(-2.5));
        expect(got[n]).toBe(5);
        k.arange_f32(out, n, 1, 0.1);
        close(
          get(b, out, n),
          Array.from({ length: n }, (_, i) => f(1 + i * 0.1)),
          0,
          0,
        );
        k.free(out);
      }
      const src = put(
        b,
        Array.from({ length: 12 }, (_, i) => i),
      );
      const dst = scratch(b, 8, 0);
      k.copy_2d_f32(dst, 4, src + 4, 6, 2, 3); // rows 0..1, cols 1..3 of a [2,6]
      expect(Array.from(get(b, dst, 8))).toEqual([1, 2, 3, 0, 7, 8, 9, 0]);
      for (const p of [src, dst]) k.free(p);
    });

    it("gather permutes, transposes (tiled path) and broadcasts", () => {
      for (const [R, C] of [
        [1, 1],
        [3, 5],
        [8, 8],
        [17, 9],
        [67, 3],
      ]) {
        const x = randomArray(R * C, R * C);
        const px = put(b, x);
        const out = scratch(b, R * C);
        const meta = putI32(b, [C, R, 1, C]);
        k.gather_f32(out, px, 2, meta);
        const want: number[] = [];
        for (let c = 0; c < C; c++) for (let r = 0; r < R; r++) want.push(x[r * C + c]);
        close(get(b, out, R * C), want, 0, 0);
        for (const p of [px, out, meta]) k.free(p);
      }
      // [2,3,4] -> permute(2,0,1): out[l,i,j] = x[i,j,l]
      const x = randomArray(24, 5);
      const px = put(b, x);
      const out = scratch(b, 24);
      const meta = putI32(b, [4, 2, 3, 1, 12, 4]);
      k.gather_f32(out, px, 3, meta);
      const want: number[] = [];
      for (let l = 0; l < 4; l++)
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) want.push(x[i * 12 + j * 4 + l]);
      close(get(b, out, 24), want, 0, 0);
      // broadcast a row [5] to [3,5] with stride 0
      const meta2 = putI32(b, [3, 5, 0, 1]);
      k.gather_f32(out, px, 2, meta2);
      close(
        get(b, out, 15),
        [0, 1, 2].flatMap(() => Array.from(x.subarray(0, 5))),
        0,
        0,
      );
      for (const p of [px, out, meta, meta2]) k.free(p);
    });
  });

  describe(`SGD kernel (${variant})`, () => {
    it("matches torch.optim.SGD's update over several steps for every option set", () => {
      const options = [
        { momentum: 0, dampening: 0, wd: 0, nesterov: 0 },
        { momentum: 0.9, dampening: 0, wd: 0, nesterov: 0 },
        { momentum: 0.9, dampening: 0.1, wd: 0.01, nesterov: 0 },
        { momentum: 0.8, dampening: 0, wd: 0.05, nesterov: 1 },
      ];
      for (const n of awkwardSizes) {
        for (const o of options) {
          const p0 = randomArray(n, 1);
          const p = Array.from(p0);
          const buf = new Array<number>(n).fill(0);
          const pp = put(b, p0);
          const pb = scratch(b, n, 0);
          for (let step = 0; step < 3; step++) {
            const g = randomArray(n, 10 + step);
            const pg = put(b, g);
            k.sgd_f32(
              pp,
              pg,
              pb,
              n,
              0.1,
              o.momentum,
              o.dampening,
              o.wd,
              o.nesterov,
              step === 0 ? 1 : 0,
            );
            for (let i = 0; i < n; i++) {
              let d = g[i] + o.wd * p[i];
              if (o.momentum !== 0) {
                buf[i] = step === 0 ? d : o.momentum * buf[i] + (1 - o.dampening) * d;
                d = o.nesterov ? d + o.momentum * buf[i] : buf[i];
              }
              p[i] = p[i] - 0.1 * d;
            }
            k.free(pg);
          }
          close(get(b, pp, n), p, 1e-5, 1e-6);
          k.free(pp);
          k.free(pb);
        }
      }
    });
  });
}
