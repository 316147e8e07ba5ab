// The zero-skipping kernels (assembly/sparse.ts's twins): the terms whose x is exactly 0 are left out, and the sums
// run in matmul's order, so for finite weights they are bit-identical to matmul and matmulTransA.
import { SPARSE_MIN_N, SPARSE_SHARE, type Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';
import { matmul, matmulTransA } from './matmul.js';

/** The wasm kernels' rule for a batch: skip zeros only if at most SPARSE_SHARE of x is non-zero and n ≥ SPARSE_MIN_N. */
function skipPays(f: ArrayLike<number>, xi: number, len: number, n: number): boolean {
  if (n < SPARSE_MIN_N) return false;
  const limit = Math.trunc(len * SPARSE_SHARE);
  let count = 0;
  for (let q = 0; q < len; q++) if (f[xi + q] !== 0 && ++count > limit) return false; // NaN !== 0: counted
  return true;
}

/** y[m,n] = x[m,k] · w[k,n], leaving out the terms where x[i,p] == 0: for finite w, bit-identical to matmul */
export function matmulSkipZeros(h: JsHeap, x: Ptr, w: Ptr, y: Ptr, m: number, k: number, n: number): void {
  const f = h.f,
    xi = x >>> 2,
    wi = w >>> 2,
    yi = y >>> 2;
  if (m > 1 && !skipPays(f, xi, m * k, n)) return matmul(h, x, w, y, m, k, n);
  for (let i = 0; i < m; i++) {
    const yRow = yi + i * n;
    for (let j = 0; j < n; j++) f[yRow + j] = 0;
    for (let p = 0; p < k; p++) {
      const a = f[xi + i * k + p];
      if (a === 0) continue; // NOTE: so a NaN or ±Inf in w[p,:] does not reach y through an exact zero
      const wRow = wi + p * n;
      for (let j = 0; j < n; j++) f[yRow + j] += a * f[wRow + j];
    }
  }
}

/** dw[k,n] = x[m,k]ᵀ · dy[m,n], leaving out the terms where x[i,p] == 0: for finite dy, bit-identical to matmulTransA
 *  (row i of x adds x[i,p] · dy[i,:] to row p of dw, so each dw[p,j] still gets its terms in the order of i) */
export function matmulTransASkipZeros(h: JsHeap, x: Ptr, dy: Ptr, dw: Ptr, m: number, k: number, n: number): void {
  const f = h.f,
    xi = x >>> 2,
    dyi = dy >>> 2,
    dwi = dw >>> 2;
  if (!skipPays(f, xi, m * k, n)) return matmulTransA(h, x, dy, dw, m, k, n);
  for (let q = 0; q < k * n; q++) f[dwi + q] = 0;
  for (let i = 0; i < m; i++) {
    const dyRow = dyi + i * n;
    for (let p = 0; p < k; p++) {
      const a = f[xi + i * k + p];
      if (a === 0) continue;
      const dwRow = dwi + p * n;
      for (let j = 0; j < n; j++) f[dwRow + j] += a * f[dyRow + j];
    }
  }
}

/** w[k,n] −= lr · x[m,k]ᵀ · dy[m,n], leaving out the terms where x[i,p] == 0, without a gradient buffer: for finite
 *  dy, bit-identical to matmulTransA into dw followed by sgdStep(w, dw) (plain SGD fused with the outer product) */
export function sgdOuterStep(h: JsHeap, x: Ptr, dy: Ptr, w: Ptr, m: number, k: number, n: number, lr: number): void {
  const f = h.f,
    round = h.round,
    xi = x >>> 2,
    dyi = dy >>> 2,
    wi = w >>> 2;
  for (let p = 0; p < k; p++) {
    let any = false;
    for (let i = 0; i < m && !any; i++) any = f[xi + i * k + p] !== 0;
    if (!any) continue; // sgdStep would subtract lr·(+0) from this row: no change
    const wRow = wi + p * n;
    for (let j = 0; j < n; j++) {
      // the gradient dw[p,j] as matmulTransA rounds it, term by term
      let g = 0;
      for (let i = 0; i < m; i++) {
        const a = f[xi + i * k + p];
        if (a !== 0) g = round(g + a * f[dyi + i * n + j]);
      }
      f[wRow + j] -= lr * g;
    }
  }
}
