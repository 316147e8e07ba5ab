import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

/** y = max(x, 0) */
export function relu(h: JsHeap, x: Ptr, y: Ptr, n: number): void {
  const f = h.f,
    xi = x >>> 2,
    yi = y >>> 2;
  // Math.max keeps NaN (as wasm's f32.max does); `x > 0 ? x : 0` would turn NaN into 0.
  for (let i = 0; i < n; i++) f[yi + i] = Math.max(f[xi + i], 0);
}

/** dx = y > 0 ? dy : 0   (NOTE: the gradient at exactly x = 0 is 0) */
export function reluBackward(h: JsHeap, y: Ptr, dy: Ptr, dx: Ptr, n: number): void {
  const f = h.f,
    yi = y >>> 2,
    dyi = dy >>> 2,
    dxi = dx >>> 2;
  for (let i = 0; i < n; i++) f[dxi + i] = f[yi + i] > 0 ? f[dyi + i] : 0;
}

/** y = x > 0 ? x : alpha·x   (alpha ≥ 0) */
export function leakyRelu(h: JsHeap, x: Ptr, y: Ptr, n: number, alpha: number): void {
  const f = h.f,
    xi = x >>> 2,
    yi = y >>> 2;
  for (let i = 0; i < n; i++) {
    const v = f[xi + i];
    f[yi + i] = v > 0 ? v : alpha * v;
  }
}

/** dx = y > 0 ? dy : alpha·dy */
export function leakyReluBackward(h: JsHeap, y: Ptr, dy: Ptr, dx: Ptr, n: number, alpha: number): void {
  const f = h.f,
    yi = y >>> 2,
    dyi = dy >>> 2,
    dxi = dx >>> 2;
  for (let i = 0; i < n; i++) f[dxi + i] = f[yi + i] > 0 ? f[dyi + i] : alpha * f[dyi + i];
}

/** y = 1 / (1 + e^(−x)) */
export function sigmoid(h: JsHeap, x: Ptr, y: Ptr, n: number): void {
  const f = h.f,
    xi = x >>> 2,
    yi = y >>> 2;
  for (let i = 0; i < n; i++) f[yi + i] = 1 / (1 + Math.exp(-f[xi + i]));
}

/** dx = dy · y · (1 − y) */
export function sigmoidBackward(h: JsHeap, y: Ptr, dy: Ptr, dx: Ptr, n: number): void {
  const f = h.f,
    yi = y >>> 2,
    dyi = dy >>> 2,
    dxi = dx >>> 2;
  for (let i = 0; i < n; i++) {
    const s = f[yi + i];
    f[dxi + i] = f[dyi + i] * s * (1 - s);
  }
}

/** y = tanh(x) */
export function tanh(h: JsHeap, x: Ptr, y: Ptr, n: number): void {
  const f = h.f,
    xi = x >>> 2,
    yi = y >>> 2;
  for (let i = 0; i < n; i++) f[yi + i] = Math.tanh(f[xi + i]);
}

/** dx = dy · (1 − y²) */
export function tanhBackward(h: JsHeap, y: Ptr, dy: Ptr, dx: Ptr, n: number): void {
  const f = h.f,
    yi = y >>> 2,
    dyi = dy >>> 2,
    dxi = dx >>> 2;
  for (let i = 0; i < n; i++) {
    const t = f[yi + i];
    f[dxi + i] = f[dyi + i] * (1 - t * t);
  }
}

/** per row: y[i,j] = e^(x[i,j] − max_j x[i,:]) / Σ_j e^(x[i,j] − max_j x[i,:]) */
export function softmax(h: JsHeap, x: Ptr, y: Ptr, rows: number, cols: number): void {
  const f = h.f;
  for (let i = 0; i < rows; i++) softmaxRow(f, (x >>> 2) + i * cols, (y >>> 2) + i * cols, cols);
}

/** per row: dx[i,j] = y[i,j] · (dy[i,j] − Σ_l y[i,l]·dy[i,l]) */
export function softmaxBackward(h: JsHeap, y: Ptr, dy: Ptr, dx: Ptr, rows: number, cols: number): void {
  const f = h.f;
  for (let i = 0; i < rows; i++) {
    const yRow = (y >>> 2) + i * cols,
      dyRow = (dy >>> 2) + i * cols,
      dxRow = (dx >>> 2) + i * cols;
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += f[yRow + j] * f[dyRow + j];
    for (let j = 0; j < cols; j++) f[dxRow + j] = f[yRow + j] * (f[dyRow + j] - dot);
  }
}

/** Softmax of one row from element index `xi` into `yi`; returns the row's log-sum-exp (used by the fused losses). */
export function softmaxRow(f: JsHeap['f'], xi: number, yi: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) max = Math.max(max, f[xi + j]);
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(f[xi + j] - max);
  for (let j = 0; j < cols; j++) f[yi + j] = Math.exp(f[xi + j] - max) / sum;
  return max + Math.log(sum);
}
