import type { Ptr } from '../kernels.js';
import { softmaxRow } from './activations.js';
import type { JsHeap } from './arena.js';

/** loss = Σ (p − t)² / n ; dy = 2 (p − t) / n */
export function mse(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, n: number): number {
  const f = h.f, pi = p >>> 2, ti = t >>> 2, dyi = dy >>> 2;
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
  const f = h.f, pi = p >>> 2, ti = t >>> 2, dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = f[pi + i] - f[ti + i];
    sum += Math.abs(d);
    f[dyi + i] = Math.sign(d) / n; // sign(NaN) = NaN: a NaN prediction is not hidden behind a zero gradient
  }
  return sum / n;
}

/** pc = clamp(p, eps, 1 − eps); loss = −Σ [t·ln pc + (1 − t)·ln(1 − pc)] / n ; dy = (pc − t) / (pc (1 − pc)) / n */
export function binaryCrossentropy(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, n: number, eps: number): number {
  const f = h.f, pi = p >>> 2, ti = t >>> 2, dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const pc = Math.min(Math.max(f[pi + i], eps), 1 - eps);
    const target = f[ti + i];
    sum -= target * Math.log(pc) + (1 - target) * Math.log(1 - pc);
    f[dyi + i] = (pc - target) / (pc * (1 - pc)) / n;
  }
  return sum / n;
}

/** on logits z: loss = Σ [max(z,0) − z·t + ln(1 + e^(−|z|))] / n ; dy = (σ(z) − t) / n */
export function binaryCrossentropyFromLogits(h: JsHeap, z: Ptr, t: Ptr, dy: Ptr, n: number): number {
  const f = h.f, zi = z >>> 2, ti = t >>> 2, dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = f[zi + i], target = f[ti + i];
    sum += Math.max(v, 0) - v * target + Math.log1p(Math.exp(-Math.abs(v)));
    f[dyi + i] = (1 / (1 + Math.exp(-v)) - target) / n;
  }
  return sum / n;
}

/** probabilities p, targets t [rows,cols]: pc = max(p, eps); loss = −Σ t·ln pc / rows ; dy = −t / pc / rows */
export function categoricalCrossentropy(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, eps: number): number {
  const f = h.f, pi = p >>> 2, ti = t >>> 2, dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < rows * cols; i++) {
    const pc = Math.max(f[pi + i], eps);
    sum -= f[ti + i] * Math.log(pc);
    f[dyi + i] = -f[ti + i] / pc / rows;
  }
  return sum / rows;
}

/** labels (float32 class indices) [rows]: pc = max(p[i,label_i], eps); loss = −Σ ln pc / rows ;
 *  dy[i,j] = j == label_i ? −1 / pc / rows : 0 */
export function sparseCategoricalCrossentropy(
  h: JsHeap, p: Ptr, labels: Ptr, dy: Ptr, rows: number, cols: number, eps: number,
): number {
  const f = h.f, pi = p >>> 2, li = labels >>> 2, dyi = dy >>> 2;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const label = Math.trunc(f[li + i]);
    const pc = Math.max(f[pi + i * cols + label], eps);
    sum -= Math.log(pc);
    for (let j = 0; j < cols; j++) f[dyi + i * cols + j] = j === label ? -1 / pc / rows : 0;
  }
  return sum / rows;
}

/** fused softmax + categorical cross-entropy on logits z: probs = softmax(z) (written);
 *  loss = Σ_i Σ_j t[i,j]·(lse_i − z[i,j]) / rows ; dz[i,j] = (probs[i,j]·Σ_l t[i,l] − t[i,j]) / rows */
export function softmaxCrossentropy(
  h: JsHeap, z: Ptr, t: Ptr, probs: Ptr, dz: Ptr, rows: number, cols: number,
): number {
  const f = h.f;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const zRow = (z >>> 2) + i * cols, tRow = (t >>> 2) + i * cols;
    const pRow = (probs >>> 2) + i * cols, dzRow = (dz >>> 2) + i * cols;
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
  h: JsHeap, z: Ptr, labels: Ptr, probs: Ptr, dz: Ptr, rows: number, cols: number,
): number {
  const f = h.f;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const zRow = (z >>> 2) + i * cols, pRow = (probs >>> 2) + i * cols, dzRow = (dz >>> 2) + i * cols;
    const label = Math.trunc(f[(labels >>> 2) + i]);
    const lse = softmaxRow(f, zRow, pRow, cols);
    sum += lse - f[zRow + label];
    for (let j = 0; j < cols; j++) f[dzRow + j] = (f[pRow + j] - (j === label ? 1 : 0)) / rows;
  }
  return sum / rows;
}
