import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

// Pointers are byte offsets; `>>> 2` (not `>> 2`) keeps offsets above 2 GiB positive.

/** y[m,n] = x[m,k] · w[k,n] */
export function matmul(h: JsHeap, x: Ptr, w: Ptr, y: Ptr, m: number, k: number, n: number): void {
  const f = h.f, xi = x >>> 2, wi = w >>> 2, yi = y >>> 2;
  for (let i = 0; i < m; i++) {
    const yRow = yi + i * n;
    for (let j = 0; j < n; j++) f[yRow + j] = 0;
    for (let p = 0; p < k; p++) {
      const a = f[xi + i * k + p];
      const wRow = wi + p * n;
      // No skipping of a == 0: 0 · NaN and 0 · Inf must still reach y.
      for (let j = 0; j < n; j++) f[yRow + j] += a * f[wRow + j];
    }
  }
}

/** dx[m,k] = dy[m,n] · w[k,n]ᵀ  (the input gradient of a dense layer) */
export function matmulTransB(h: JsHeap, dy: Ptr, w: Ptr, dx: Ptr, m: number, n: number, k: number): void {
  const f = h.f, dyi = dy >>> 2, wi = w >>> 2, dxi = dx >>> 2;
  for (let i = 0; i < m; i++) {
    const dyRow = dyi + i * n;
    for (let p = 0; p < k; p++) {
      const wRow = wi + p * n;
      let sum = 0;
      for (let j = 0; j < n; j++) sum += f[dyRow + j] * f[wRow + j];
      f[dxi + i * k + p] = sum;
    }
  }
}

/** dw[k,n] = x[m,k]ᵀ · dy[m,n]  (the weight gradient of a dense layer) */
export function matmulTransA(h: JsHeap, x: Ptr, dy: Ptr, dw: Ptr, m: number, k: number, n: number): void {
  const f = h.f, xi = x >>> 2, dyi = dy >>> 2, dwi = dw >>> 2;
  for (let q = 0; q < k * n; q++) f[dwi + q] = 0;
  for (let i = 0; i < m; i++) {
    const dyRow = dyi + i * n;
    for (let p = 0; p < k; p++) {
      const a = f[xi + i * k + p];
      const dwRow = dwi + p * n;
      for (let j = 0; j < n; j++) f[dwRow + j] += a * f[dyRow + j];
    }
  }
}
