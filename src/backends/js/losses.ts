import type { Ptr } from '../kernels.js';
import { softmaxRow } from './activations.js';
import type { JsHeap } from './arena.js';

/** loss = Σ (p − t)² / n ; dy = 2 (p − t) / n */
export function mse(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, n: number): number {
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = f[pi + i] - f[ti + i];
    sum += d * d;
    f[dyi + i] = (2 * d) / n;
  }
  return sum / n;
}

/** loss = Σ |p − t| / n ; dy = sign(p − t) / n  (sign(0) = 0) */
export function mae(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, n: number): number {
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = f[pi + i] - f[ti + i];
    sum += Math.abs(d);
    f[dyi + i] = Math.sign(d) / n; // sign(NaN) = NaN: a NaN prediction is not hidden behind a zero gradient
  }
  return sum / n;
}

/** pc = clamp(p, eps, 1 − eps); loss = −Σ [t·ln pc + (1 − t)·ln(1 − pc)] / n ;
 *  dy = eps ≤ p ≤ 1 − eps ? (pc − t) / (pc (1 − pc)) / n : 0  (the clip passes no gradient, as in Keras) */
export function binaryCrossentropy(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, n: number, eps: number): number {
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2;
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps); // float32 bounds, as Keras and TF.js clip
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = f[pi + i];
    const pc = Math.min(Math.max(v, lo), hi);
    const target = f[ti + i];
    sum -= target * Math.log(pc) + (1 - target) * Math.log(1 - pc);
    f[dyi + i] = v >= lo && v <= hi ? (pc - target) / (pc * (1 - pc)) / n : 0;
  }
  return sum / n;
}

/** on logits z: loss = Σ [max(z,0) − z·t + ln(1 + e^(−|z|))] / n ; dy = (σ(z) − t) / n */
export function binaryCrossentropyFromLogits(h: JsHeap, z: Ptr, t: Ptr, dy: Ptr, n: number): number {
  const f = h.f,
    zi = z >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = f[zi + i],
      target = f[ti + i];
    sum += Math.max(v, 0) - v * target + Math.log1p(Math.exp(-Math.abs(v)));
    f[dyi + i] = (1 / (1 + Math.exp(-v)) - target) / n;
  }
  return sum / n;
}

/** probabilities p, targets t [rows,cols], per row: s = Σ_j p_j; q = p / s; qc = clamp(q, eps, 1 − eps);
 *  loss = −Σ t·ln qc / rows ; g_j = eps ≤ q_j ≤ 1 − eps ? −t_j / q_j : 0 ; dy_j = (g_j − Σ_l g_l·q_l) / s / rows */
export function categoricalCrossentropy(
  h: JsHeap,
  p: Ptr,
  t: Ptr,
  dy: Ptr,
  rows: number,
  cols: number,
  eps: number,
): number {
  const f = h.f;
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps); // float32 bounds, as Keras and TF.js clip
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const pRow = (p >>> 2) + i * cols,
      tRow = (t >>> 2) + i * cols,
      dyRow = (dy >>> 2) + i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += f[pRow + j];
    let gq = 0; // Σ g·q = −Σ t over the classes inside the clip range
    for (let j = 0; j < cols; j++) {
      const q = f[pRow + j] / s;
      sum -= f[tRow + j] * Math.log(Math.min(Math.max(q, lo), hi));
      if (q >= lo && q <= hi) gq -= f[tRow + j];
    }
    for (let j = 0; j < cols; j++) {
      const q = f[pRow + j] / s;
      const g = q >= lo && q <= hi ? -f[tRow + j] / q : 0;
      f[dyRow + j] = (g - gq) / s / rows;
    }
  }
  return sum / rows;
}

/** labels (float32 class indices) [rows], per row as Keras: pc = clamp(p, eps, 1 − eps); S = Σ_j pc_j;
 *  loss = Σ_i (ln S − ln pc[label_i]) / rows ; dy_j = eps ≤ p_j ≤ 1 − eps ? (1 / S − [j == label] / pc_j) / rows : 0 */
export function sparseCategoricalCrossentropy(
  h: JsHeap,
  p: Ptr,
  labels: Ptr,
  dy: Ptr,
  rows: number,
  cols: number,
  eps: number,
): number {
  const f = h.f;
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps); // float32 bounds, as Keras and TF.js clip
  const clip = (v: number) => Math.min(Math.max(v, lo), hi);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const pRow = (p >>> 2) + i * cols,
      dyRow = (dy >>> 2) + i * cols;
    const label = Math.trunc(f[(labels >>> 2) + i]);
    let s = 0;
    for (let j = 0; j < cols; j++) s += clip(f[pRow + j]);
    sum += Math.log(s) - Math.log(clip(f[pRow + label]));
    for (let j = 0; j < cols; j++) {
      const v = f[pRow + j];
      f[dyRow + j] = v >= lo && v <= hi ? (1 / s - (j === label ? 1 / v : 0)) / rows : 0;
    }
  }
  return sum / rows;
}

/** fused softmax + categorical cross-entropy on logits z: probs = softmax(z) (written);
 *  loss = Σ_i Σ_j t[i,j]·(lse_i − z[i,j]) / rows ; dz[i,j] = (probs[i,j]·Σ_l t[i,l] − t[i,j]) / rows */
export function softmaxCrossentropy(
  h: JsHeap,
  z: Ptr,
  t: Ptr,
  probs: Ptr,
  dz: Ptr,
  rows: number,
  cols: number,
): number {
  const f = h.f;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const zRow = (z >>> 2) + i * cols,
      tRow = (t >>> 2) + i * cols;
    const pRow = (probs >>> 2) + i * cols,
      dzRow = (dz >>> 2) + i * cols;
    const lse = softmaxRow(f, zRow, pRow, cols);
    let tSum = 0;
    for (let j = 0; j < cols; j++) {
      sum += f[tRow + j] * (lse - f[zRow + j]);
      tSum += f[tRow + j];
    }
    for (let j = 0; j < cols; j++) f[dzRow + j] = (f[pRow + j] * tSum - f[tRow + j]) / rows;
  }
  return sum / rows;
}

/** fused softmax + sparse categorical cross-entropy on logits z with float32 labels:
 *  probs = softmax(z) (written); loss = Σ_i (lse_i − z[i,label_i]) / rows ; dz = (probs − onehot(label)) / rows */
export function sparseSoftmaxCrossentropy(
  h: JsHeap,
  z: Ptr,
  labels: Ptr,
  probs: Ptr,
  dz: Ptr,
  rows: number,
  cols: number,
): number {
  const f = h.f;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const zRow = (z >>> 2) + i * cols,
      pRow = (probs >>> 2) + i * cols,
      dzRow = (dz >>> 2) + i * cols;
    const label = Math.trunc(f[(labels >>> 2) + i]);
    const lse = softmaxRow(f, zRow, pRow, cols);
    sum += lse - f[zRow + label];
    for (let j = 0; j < cols; j++) f[dzRow + j] = (f[pRow + j] - (j === label ? 1 : 0)) / rows;
  }
  return sum / rows;
}
