import type { Ptr } from '../kernels.js';
import { softmaxRow } from './activations.js';
import type { JsHeap } from './arena.js';

// Every loss takes per-row weights `w` ([rows]; 0: none, every row 1), Keras's sample weights: row i's loss and
// gradient are multiplied by w[i], and the sum is still divided by the rows (as assembly/losses.ts says).

/** row i's weight: w[i], or 1 without weights */
function weight(h: JsHeap, w: Ptr, i: number): number {
  return w ? h.f[(w >>> 2) + i] : 1;
}

/** over n = rows · cols values: loss = Σ w·(p − t)² / n ; dy = 2 (p − t)·w / n */
export function mse(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, w: Ptr): number {
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2,
    n = rows * cols;
  let sum = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(h, w, r);
    for (const end = i + cols; i < end; i++) {
      const d = f[pi + i] - f[ti + i];
      sum += wr * (d * d);
      f[dyi + i] = (2 * d * wr) / n;
    }
  }
  return sum / n;
}

/** over n = rows · cols values: loss = Σ w·|p − t| / n ; dy = sign(p − t)·w / n  (sign(0) = 0) */
export function mae(h: JsHeap, p: Ptr, t: Ptr, dy: Ptr, rows: number, cols: number, w: Ptr): number {
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2,
    n = rows * cols;
  let sum = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(h, w, r);
    for (const end = i + cols; i < end; i++) {
      const d = f[pi + i] - f[ti + i];
      sum += wr * Math.abs(d);
      f[dyi + i] = (Math.sign(d) * wr) / n; // sign(NaN) = NaN: a NaN prediction is not hidden behind a zero gradient
    }
  }
  return sum / n;
}

/** over n = rows · cols values: pc = clamp(p, eps, 1 − eps); loss = −Σ w·[t·ln pc + (1 − t)·ln(1 − pc)] / n ;
 *  dy = eps ≤ p ≤ 1 − eps ? (pc − t) / (pc (1 − pc))·w / n : 0  (the clip passes no gradient, as in Keras) */
export function binaryCrossentropy(
  h: JsHeap,
  p: Ptr,
  t: Ptr,
  dy: Ptr,
  rows: number,
  cols: number,
  eps: number,
  w: Ptr,
): number {
  const f = h.f,
    pi = p >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2,
    n = rows * cols;
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps); // float32 bounds, as Keras and TF.js clip
  let sum = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(h, w, r);
    for (const end = i + cols; i < end; i++) {
      const v = f[pi + i];
      const pc = Math.min(Math.max(v, lo), hi);
      const target = f[ti + i];
      sum -= wr * (target * Math.log(pc) + (1 - target) * Math.log(1 - pc));
      f[dyi + i] = v >= lo && v <= hi ? (((pc - target) / (pc * (1 - pc))) * wr) / n : 0;
    }
  }
  return sum / n;
}

/** on logits z, over n = rows · cols values: loss = Σ w·[max(z,0) − z·t + ln(1 + e^(−|z|))] / n ;
 *  dy = (σ(z) − t)·w / n */
export function binaryCrossentropyFromLogits(
  h: JsHeap,
  z: Ptr,
  t: Ptr,
  dy: Ptr,
  rows: number,
  cols: number,
  w: Ptr,
): number {
  const f = h.f,
    zi = z >>> 2,
    ti = t >>> 2,
    dyi = dy >>> 2,
    n = rows * cols;
  let sum = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(h, w, r);
    for (const end = i + cols; i < end; i++) {
      const v = f[zi + i],
        target = f[ti + i];
      sum += wr * (Math.max(v, 0) - v * target + Math.log1p(Math.exp(-Math.abs(v))));
      f[dyi + i] = ((1 / (1 + Math.exp(-v)) - target) * wr) / n;
    }
  }
  return sum / n;
}

/** probabilities p, targets t [rows,cols], per row: s = Σ_j p_j; q = p / s; qc = clamp(q, eps, 1 − eps);
 *  loss = −Σ w·t·ln qc / rows ; g_j = eps ≤ q_j ≤ 1 − eps ? −t_j / q_j : 0 ; dy_j = (g_j − Σ_l g_l·q_l) / s·w / rows */
export function categoricalCrossentropy(
  h: JsHeap,
  p: Ptr,
  t: Ptr,
  dy: Ptr,
  rows: number,
  cols: number,
  eps: number,
  w: Ptr,
): number {
  const f = h.f;
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps); // float32 bounds, as Keras and TF.js clip
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const pRow = (p >>> 2) + i * cols,
      tRow = (t >>> 2) + i * cols,
      dyRow = (dy >>> 2) + i * cols,
      wr = weight(h, w, i);
    let s = 0;
    for (let j = 0; j < cols; j++) s += f[pRow + j];
    let gq = 0; // Σ g·q = −Σ t over the classes inside the clip range
    for (let j = 0; j < cols; j++) {
      const q = f[pRow + j] / s;
      sum -= wr * (f[tRow + j] * Math.log(Math.min(Math.max(q, lo), hi)));
      if (q >= lo && q <= hi) gq -= f[tRow + j];
    }
    for (let j = 0; j < cols; j++) {
      const q = f[pRow + j] / s;
      const g = q >= lo && q <= hi ? -f[tRow + j] / q : 0;
      f[dyRow + j] = (((g - gq) / s) * wr) / rows;
    }
  }
  return sum / rows;
}

/** labels (float32 class indices) [rows], per row as Keras: pc = clamp(p, eps, 1 − eps); S = Σ_j pc_j;
 *  loss = Σ_i w_i·(ln S − ln pc[label_i]) / rows ; dy_j = eps ≤ p_j ≤ 1 − eps ? (1 / S − [j == label] / pc_j)·w / rows : 0 */
export function sparseCategoricalCrossentropy(
  h: JsHeap,
  p: Ptr,
  labels: Ptr,
  dy: Ptr,
  rows: number,
  cols: number,
  eps: number,
  w: Ptr,
): number {
  const f = h.f;
  const lo = Math.fround(eps),
    hi = Math.fround(1 - eps); // float32 bounds, as Keras and TF.js clip
  const clip = (v: number) => Math.min(Math.max(v, lo), hi);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const pRow = (p >>> 2) + i * cols,
      dyRow = (dy >>> 2) + i * cols;
    const label = Math.trunc(f[(labels >>> 2) + i]),
      wr = weight(h, w, i);
    let s = 0;
    for (let j = 0; j < cols; j++) s += clip(f[pRow + j]);
    sum += wr * (Math.log(s) - Math.log(clip(f[pRow + label])));
    for (let j = 0; j < cols; j++) {
      const v = f[pRow + j];
      f[dyRow + j] = v >= lo && v <= hi ? ((1 / s - (j === label ? 1 / v : 0)) * wr) / rows : 0;
    }
  }
  return sum / rows;
}

/** fused softmax + categorical cross-entropy on logits z: probs = softmax(z) (written);
 *  loss = Σ_i w_i·Σ_j t[i,j]·(lse_i − z[i,j]) / rows ; dz[i,j] = (probs[i,j]·Σ_l t[i,l] − t[i,j])·w_i / rows */
export function softmaxCrossentropy(
  h: JsHeap,
  z: Ptr,
  t: Ptr,
  probs: Ptr,
  dz: Ptr,
  rows: number,
  cols: number,
  w: Ptr,
): number {
  const f = h.f;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const zRow = (z >>> 2) + i * cols,
      tRow = (t >>> 2) + i * cols;
    const pRow = (probs >>> 2) + i * cols,
      dzRow = (dz >>> 2) + i * cols,
      wr = weight(h, w, i);
    const lse = softmaxRow(f, zRow, pRow, cols);
    let tSum = 0;
    for (let j = 0; j < cols; j++) {
      sum += wr * (f[tRow + j] * (lse - f[zRow + j]));
      tSum += f[tRow + j];
    }
    for (let j = 0; j < cols; j++) f[dzRow + j] = ((f[pRow + j] * tSum - f[tRow + j]) * wr) / rows;
  }
  return sum / rows;
}

/** fused softmax + sparse categorical cross-entropy on logits z with float32 labels: probs = softmax(z) (written);
 *  loss = Σ_i w_i·(lse_i − z[i,label_i]) / rows ; dz = (probs − onehot(label))·w_i / rows */
export function sparseSoftmaxCrossentropy(
  h: JsHeap,
  z: Ptr,
  labels: Ptr,
  probs: Ptr,
  dz: Ptr,
  rows: number,
  cols: number,
  w: Ptr,
): number {
  const f = h.f;
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const zRow = (z >>> 2) + i * cols,
      pRow = (probs >>> 2) + i * cols,
      dzRow = (dz >>> 2) + i * cols;
    const label = Math.trunc(f[(labels >>> 2) + i]),
      wr = weight(h, w, i);
    const lse = softmaxRow(f, zRow, pRow, cols);
    sum += wr * (lse - f[zRow + label]);
    for (let j = 0; j < cols; j++) f[dzRow + j] = ((f[pRow + j] - (j === label ? 1 : 0)) * wr) / rows;
  }
  return sum / rows;
}
