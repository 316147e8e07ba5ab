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
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2;
  let count = 0;
  for (let i = 0; i < n; i++) if (f[pi + i] > threshold === f[ti + i] > 0.5) count++;
  return count;
}

/** whether class `label` of the `cols` floats from `start` is among the k largest: fewer than k others are strictly
 *  larger (ties with it count as in, as tf.math.in_top_k does); a NaN there is never in */
function inTopK(f: JsHeap['f'], start: number, cols: number, label: number, k: number): boolean {
  const v = f[start + label];
  if (Number.isNaN(v)) return false;
  let larger = 0;
  for (let j = 0; j < cols; j++) if (f[start + j] > v) larger++;
  return larger < k;
}

/** number of rows i whose class labels[i] is in the top k of p[i,:]: fewer than k classes j have p[i,j] > p[i,label]
 *  (ties count as in; a NaN p[i,label] or a label outside [0, cols) never does) */
export function sparseTopKCount(h: JsHeap, p: Ptr, labels: Ptr, rows: number, cols: number, k: number): number {
  const f = h.f;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const label = f[(labels >>> 2) + i];
    if (label >= 0 && label < cols && inTopK(f, (p >>> 2) + i * cols, cols, Math.trunc(label), k)) count++;
  }
  return count;
}

/** number of rows i whose class argmax_j t[i,j] (ties: the first maximum) is in the top k of p[i,:], as sparseTopKCount */
export function categoricalTopKCount(h: JsHeap, p: Ptr, t: Ptr, rows: number, cols: number, k: number): number {
  const f = h.f;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (inTopK(f, (p >>> 2) + i * cols, cols, argmax(f, (t >>> 2) + i * cols, cols), k)) count++;
  }
  return count;
}
