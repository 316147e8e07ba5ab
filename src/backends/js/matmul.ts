import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

// Pointers are byte offsets; `>>> 2` (not `>> 2`) keeps offsets above 2 GiB positive.
//
// Summation order (all but matmulTransB): an output is summed over the reduction index in increasing order, one
// term at a time from +0, and rounded to the heap's precision after every term (`h.round`, which is what storing
// into the Float32Array does). `accumulate` unrolls four terms and two output rows, so that each row of the right
// operand read serves two outputs and y is loaded and stored a quarter as often, but it rounds exactly as the plain
// loop `y[j] += a · b[j]` would. The zero-skipping kernels rely on that order: a left-out term a·b with a == 0
// would have added ±0, which changes no sum (a sum from +0 is never −0).

/**
 * C[M,N] = A(M,K) · B[K,N] on the heap's floats, A(i,p) at a + i·aRow + p·aStep (indices, not bytes), B and C
 * row-major. matmul reads A = x (aRow = k, aStep = 1); matmulTransA reads A = xᵀ (aRow = 1, aStep = k).
 */
function accumulate(
  h: JsHeap,
  a: number,
  aRow: number,
  aStep: number,
  b: number,
  c: number,
  M: number,
  N: number,
  K: number,
): void {
  const f = h.f,
    round = h.round;
  for (let q = 0; q < M * N; q++) f[c + q] = 0;
  // NOTE: no skipping of A(i,p) == 0 here: 0 · NaN and 0 · Inf must still reach C.
  let i = 0;
  for (; i + 2 <= M; i += 2) {
    const a0 = a + i * aRow,
      a1 = a0 + aRow,
      c0 = c + i * N,
      c1 = c0 + N;
    let p = 0;
    for (; p + 4 <= K; p += 4) {
      const s0 = f[a0 + p * aStep],
        s1 = f[a0 + (p + 1) * aStep],
        s2 = f[a0 + (p + 2) * aStep],
        s3 = f[a0 + (p + 3) * aStep];
      const t0 = f[a1 + p * aStep],
        t1 = f[a1 + (p + 1) * aStep],
        t2 = f[a1 + (p + 2) * aStep],
        t3 = f[a1 + (p + 3) * aStep];
      const b0 = b + p * N,
        b1 = b0 + N,
        b2 = b1 + N,
        b3 = b2 + N;
      for (let j = 0; j < N; j++) {
        const v0 = f[b0 + j],
          v1 = f[b1 + j],
          v2 = f[b2 + j],
          v3 = f[b3 + j];
        f[c0 + j] = round(round(round(f[c0 + j] + s0 * v0) + s1 * v1) + s2 * v2) + s3 * v3;
        f[c1 + j] = round(round(round(f[c1 + j] + t0 * v0) + t1 * v1) + t2 * v2) + t3 * v3;
      }
    }
    for (; p < K; p++) {
      const s = f[a0 + p * aStep],
        t = f[a1 + p * aStep],
        b0 = b + p * N;
      for (let j = 0; j < N; j++) {
        const v = f[b0 + j];
        f[c0 + j] += s * v;
        f[c1 + j] += t * v;
      }
    }
  }
  if (i < M) {
    // the last row when M is odd: the same sums, one row
    const a0 = a + i * aRow,
      c0 = c + i * N;
    let p = 0;
    for (; p + 4 <= K; p += 4) {
      const s0 = f[a0 + p * aStep],
        s1 = f[a0 + (p + 1) * aStep],
        s2 = f[a0 + (p + 2) * aStep],
        s3 = f[a0 + (p + 3) * aStep];
      const b0 = b + p * N,
        b1 = b0 + N,
        b2 = b1 + N,
        b3 = b2 + N;
      for (let j = 0; j < N; j++) {
        f[c0 + j] = round(round(round(f[c0 + j] + s0 * f[b0 + j]) + s1 * f[b1 + j]) + s2 * f[b2 + j]) + s3 * f[b3 + j];
      }
    }
    for (; p < K; p++) {
      const s = f[a0 + p * aStep],
        b0 = b + p * N;
      for (let j = 0; j < N; j++) f[c0 + j] += s * f[b0 + j];
    }
  }
}

/** y[m,n] = x[m,k] · w[k,n] */
export function matmul(h: JsHeap, x: Ptr, w: Ptr, y: Ptr, m: number, k: number, n: number): void {
  accumulate(h, x >>> 2, k, 1, w >>> 2, y >>> 2, m, n, k);
}

/** dx[m,k] = dy[m,n] · w[k,n]ᵀ  (the input gradient of a dense layer) */
export function matmulTransB(h: JsHeap, dy: Ptr, w: Ptr, dx: Ptr, m: number, n: number, k: number): void {
  const f = h.f,
    dyi = dy >>> 2,
    wi = w >>> 2,
    dxi = dx >>> 2;
  // Dot products of two contiguous rows, summed in double and rounded once; two rows of w per pass over dy's row.
  for (let i = 0; i < m; i++) {
    const dyRow = dyi + i * n,
      dxRow = dxi + i * k;
    let p = 0;
    for (; p + 2 <= k; p += 2) {
      const w0 = wi + p * n,
        w1 = w0 + n;
      let s0 = 0,
        s1 = 0;
      for (let j = 0; j < n; j++) {
        const d = f[dyRow + j];
        s0 += d * f[w0 + j];
        s1 += d * f[w1 + j];
      }
      f[dxRow + p] = s0;
      f[dxRow + p + 1] = s1;
    }
    for (; p < k; p++) {
      const w0 = wi + p * n;
      let s = 0;
      for (let j = 0; j < n; j++) s += f[dyRow + j] * f[w0 + j];
      f[dxRow + p] = s;
    }
  }
}

/** dw[k,n] = x[m,k]ᵀ · dy[m,n]  (the weight gradient of a dense layer) */
export function matmulTransA(h: JsHeap, x: Ptr, dy: Ptr, dw: Ptr, m: number, k: number, n: number): void {
  accumulate(h, x >>> 2, 1, k, dy >>> 2, dw >>> 2, k, n, m);
}
