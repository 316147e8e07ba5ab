import type { Ptr } from '../kernels.js';
import type { JsHeap } from './arena.js';

/** index of the largest of `cols` floats from element index `start`; ties: the first maximum wins */
function argmax(f: JsHeap['f'], start: number, cols: number): number {
  let best = 0;
  for (let j = 1; j < cols; j++) if (f[start + j] > f[start + best]) best = j;
  return best;
}

/** number of rows i with argmax_j p[i,j] == labels[i] (labels float32; ties: the first maximum wins) */
export function sparseAccuracyCount(h: JsHeap, p: Ptr, labels: Ptr, rows: number, cols: number): number {
  const f = h.f;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (argmax(f, (p >>> 2) + i * cols, cols) === Math.trunc(f[(labels >>> 2) + i])) count++;
  }
  return count;
}

/** number of rows i with argmax_j p[i,j] == argmax_j t[i,j] (ties: the first maximum wins) */
export function categoricalAccuracyCount(h: JsHeap, p: Ptr, t: Ptr, rows: number, cols: number): number {
  const f = h.f;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (argmax(f, (p >>> 2) + i * cols, cols) === argmax(f, (t >>> 2) + i * cols, cols)) count++;
  }
  return count;
}

/** number of elements with (p[i] > threshold) == (t[i] > 0.5) */
export function binaryAccuracyCount(h: JsHeap, p: Ptr, t: Ptr, n: number, threshold: number): number {
  const f = h.f, pi = p >>> 2, ti = t >>> 2;
  let count = 0;
  for (let i = 0; i < n; i++) if (f[pi + i] > threshold === f[ti + i] > 0.5) count++;
  return count;
}
