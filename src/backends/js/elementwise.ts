import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

/** y[i,j] += b[j] for every row i (in place) */
export function addRowVector(h: JsHeap, y: Ptr, b: Ptr, rows: number, cols: number): void {
  const f = h.f,
    yi = y >>> 2,
    bi = b >>> 2;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) f[yi + i * cols + j] += f[bi + j];
  }
}

/** db[j] = Σ_i dy[i,j] */
export function sumRows(h: JsHeap, dy: Ptr, db: Ptr, rows: number, cols: number): void {
  const f = h.f,
    dyi = dy >>> 2,
    dbi = db >>> 2;
  for (let j = 0; j < cols; j++) {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += f[dyi + i * cols + j];
    f[dbi + j] = sum;
  }
}

/** x[i] = value */
export function fill(h: JsHeap, x: Ptr, n: number, value: number): void {
  const f = h.f,
    xi = x >>> 2;
  for (let i = 0; i < n; i++) f[xi + i] = value;
}

/** dst[i] = src[i] */
export function copy(h: JsHeap, src: Ptr, dst: Ptr, n: number): void {
  const f = h.f,
    si = src >>> 2,
    di = dst >>> 2;
  for (let i = 0; i < n; i++) f[di + i] = f[si + i];
}

/** x[i] *= alpha (in place) */
export function scale(h: JsHeap, x: Ptr, n: number, alpha: number): void {
  const f = h.f,
    xi = x >>> 2;
  for (let i = 0; i < n; i++) f[xi + i] *= alpha;
}

/** out[i] = a[i] * b[i]  (out may be a or b) */
export function mul(h: JsHeap, a: Ptr, b: Ptr, out: Ptr, n: number): void {
  const f = h.f,
    ai = a >>> 2,
    bi = b >>> 2,
    oi = out >>> 2;
  for (let i = 0; i < n; i++) f[oi + i] = f[ai + i] * f[bi + i];
}

/** dst[r,:] = src[idx[r],:] for r < rows; idx is int32; copies rows of `cols` floats */
export function gatherRows(h: JsHeap, src: Ptr, idx: Ptr, dst: Ptr, rows: number, cols: number): void {
  const f = h.f,
    si = src >>> 2,
    ii = idx >>> 2,
    di = dst >>> 2;
  for (let r = 0; r < rows; r++) {
    const from = si + h.i[ii + r] * cols;
    for (let j = 0; j < cols; j++) f[di + r * cols + j] = f[from + j];
  }
}

/** 1 if every x[i] is finite, else 0 */
export function allFinite(h: JsHeap, x: Ptr, n: number): number {
  const f = h.f,
    xi = x >>> 2;
  for (let i = 0; i < n; i++) if (!Number.isFinite(f[xi + i])) return 0;
  return 1;
}
