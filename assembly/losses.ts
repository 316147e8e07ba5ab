import { check, DEBUG } from './lib/check';

// Losses return the loss and write dy = ∂loss/∂(first argument). They run once per batch on the network output,
// so they are plain scalar loops in f64 (as the JS backend computes in `number`): each dy element is computed in
// f64 and rounded to f32 once, and the loss is summed in f64. ln and e^x are the f64 Math.log/Math.exp.
//
// Every loss takes per-row weights `w` ([rows] float32; 0: none, every row 1), Keras's sample weights: row i's loss
// and gradient are multiplied by w[i], and the sum is still divided by the rows (not by Σ w), as Keras's
// sum-over-batch-size reduction does. A weight of 1 changes no bit (x · 1 is x), so unweighted runs are as before.

// @ts-ignore: decorator
@inline
function f(ptr: usize, i: i32): f64 {
  return <f64>load<f32>(ptr + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function put(ptr: usize, i: i32, v: f64): void {
  store<f32>(ptr + (<usize>i << 2), <f32>v);
}

/** row i's weight: w[i], or 1 without weights */
// @ts-ignore: decorator
@inline
function weight(w: usize, i: i32): f64 {
  return w ? f(w, i) : 1;
}

/** over n = rows · cols values: loss = Σ w·(p − t)² / n ; dy = 2 (p − t)·w / n */
export function mse(p: usize, t: usize, dy: usize, rows: i32, cols: i32, w: usize): f64 {
  const n = rows * cols;
  if (DEBUG) { check(p, n, 'mse: p'); check(t, n, 'mse: t'); check(dy, n, 'mse: dy'); check(w, w ? rows : 0, 'mse: w'); }
  let loss: f64 = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(w, r);
    for (let end = i + cols; i < end; i++) {
      const d = f(p, i) - f(t, i);
      loss += wr * (d * d);
      put(dy, i, 2 * d * wr / n);
    }
  }
  return loss / n;
}

/** over n = rows · cols values: loss = Σ w·|p − t| / n ; dy = sign(p − t)·w / n  (sign(0) = 0) */
export function mae(p: usize, t: usize, dy: usize, rows: i32, cols: i32, w: usize): f64 {
  const n = rows * cols;
  if (DEBUG) { check(p, n, 'mae: p'); check(t, n, 'mae: t'); check(dy, n, 'mae: dy'); check(w, w ? rows : 0, 'mae: w'); }
  let loss: f64 = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(w, r);
    for (let end = i + cols; i < end; i++) {
      const d = f(p, i) - f(t, i);
      loss += wr * Math.abs(d);
      put(dy, i, Math.sign(d) * wr / n); // Math.sign keeps NaN (and ±0), as in JS
    }
  }
  return loss / n;
}

/** over n = rows · cols values: pc = clamp(p, eps, 1 − eps); loss = −Σ w·[t·ln pc + (1 − t)·ln(1 − pc)] / n ;
 *  dy = eps ≤ p ≤ 1 − eps ? (pc − t) / (pc (1 − pc))·w / n : 0  (the clip passes no gradient, as in Keras) */
export function binaryCrossentropy(p: usize, t: usize, dy: usize, rows: i32, cols: i32, eps: f32, w: usize): f64 {
  const n = rows * cols;
  if (DEBUG) {
    check(p, n, 'binaryCrossentropy: p'); check(t, n, 'binaryCrossentropy: t');
    check(dy, n, 'binaryCrossentropy: dy'); check(w, w ? rows : 0, 'binaryCrossentropy: w');
  }
  const lo = <f64>eps, hi = <f64>(<f32>1 - eps); // float32 bounds, as Keras and TF.js clip
  let loss: f64 = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(w, r);
    for (let end = i + cols; i < end; i++) {
      const pi = f(p, i);
      const pc = Math.min(Math.max(pi, lo), hi);
      const ti = f(t, i);
      loss -= wr * (ti * Math.log(pc) + (1 - ti) * Math.log(1 - pc));
      put(dy, i, pi >= lo && pi <= hi ? (pc - ti) / (pc * (1 - pc)) * wr / n : 0);
    }
  }
  return loss / n;
}

/** on logits z, over n = rows · cols values: loss = Σ w·[max(z,0) − z·t + ln(1 + e^(−|z|))] / n ;
 *  dy = (σ(z) − t)·w / n */
export function binaryCrossentropyFromLogits(z: usize, t: usize, dy: usize, rows: i32, cols: i32, w: usize): f64 {
  const n = rows * cols;
  if (DEBUG) { check(z, n, 'binaryCrossentropyFromLogits: z'); check(t, n, 'binaryCrossentropyFromLogits: t'); }
  if (DEBUG) { check(dy, n, 'binaryCrossentropyFromLogits: dy'); check(w, w ? rows : 0, 'binaryCrossentropyFromLogits: w'); }
  let loss: f64 = 0;
  for (let r = 0, i = 0; r < rows; r++) {
    const wr = weight(w, r);
    for (let end = i + cols; i < end; i++) {
      const zi = f(z, i), ti = f(t, i);
      loss += wr * (Math.max(zi, 0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi))));
      put(dy, i, (1 / (1 + Math.exp(-zi)) - ti) * wr / n);
    }
  }
  return loss / n;
}

/** probabilities p, targets t [rows,cols], per row: s = Σ_j p_j; q = p / s; qc = clamp(q, eps, 1 − eps);
 *  loss = −Σ w·t·ln qc / rows ; g_j = eps ≤ q_j ≤ 1 − eps ? −t_j / q_j : 0 ; dy_j = (g_j − Σ_l g_l·q_l) / s·w / rows */
export function categoricalCrossentropy(p: usize, t: usize, dy: usize, rows: i32, cols: i32, eps: f32, w: usize): f64 {
  const total = <i64>rows * cols;
  if (DEBUG) { check(p, total, 'categoricalCrossentropy: p'); check(t, total, 'categoricalCrossentropy: t'); }
  if (DEBUG) { check(dy, total, 'categoricalCrossentropy: dy'); check(w, w ? rows : 0, 'categoricalCrossentropy: w'); }
  const lo = <f64>eps, hi = <f64>(<f32>1 - eps); // float32 bounds, as Keras and TF.js clip
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols, wr = weight(w, i);
    let s: f64 = 0;
    for (let j = base; j < base + cols; j++) s += f(p, j);
    // Σ g·q first, then dy; g is recomputed in the second pass rather than kept (kernels have no scratch)
    let gq: f64 = 0;
    for (let j = base; j < base + cols; j++) {
      const q = f(p, j) / s;
      const tj = f(t, j);
      loss -= wr * (tj * Math.log(Math.min(Math.max(q, lo), hi)));
      if (q >= lo && q <= hi) gq -= tj;
    }
    for (let j = base; j < base + cols; j++) {
      const q = f(p, j) / s;
      const g = q >= lo && q <= hi ? -f(t, j) / q : 0;
      put(dy, j, (g - gq) / s * wr / rows);
    }
  }
  return loss / rows;
}

/** labels (float32 class indices) [rows], per row as Keras: pc = clamp(p, eps, 1 − eps); S = Σ_j pc_j;
 *  loss = Σ_i w_i·(ln S − ln pc[label_i]) / rows ; dy_j = eps ≤ p_j ≤ 1 − eps ? (1 / S − [j == label] / pc_j)·w / rows : 0 */
export function sparseCategoricalCrossentropy(
  p: usize, labels: usize, dy: usize, rows: i32, cols: i32, eps: f32, w: usize,
): f64 {
  if (DEBUG) {
    check(p, <i64>rows * cols, 'sparseCategoricalCrossentropy: p');
    check(labels, rows, 'sparseCategoricalCrossentropy: labels');
  }
  if (DEBUG) {
    check(dy, <i64>rows * cols, 'sparseCategoricalCrossentropy: dy'); check(w, w ? rows : 0, 'sparseCategoricalCrossentropy: w');
  }
  const lo = <f64>eps, hi = <f64>(<f32>1 - eps); // float32 bounds, as Keras and TF.js clip
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const label = <i32>load<f32>(labels + (<usize>i << 2)), wr = weight(w, i);
    let s: f64 = 0;
    for (let j = base; j < base + cols; j++) s += Math.min(Math.max(f(p, j), lo), hi);
    const pl = Math.min(Math.max(f(p, base + label), lo), hi);
    loss += wr * (Math.log(s) - Math.log(pl));
    for (let j = 0; j < cols; j++) {
      const pj = f(p, base + j);
      const inside = pj >= lo && pj <= hi;
      put(dy, base + j, inside ? (1 / s - (j == label ? 1 / pj : 0)) * wr / rows : 0);
    }
  }
  return loss / rows;
}

/** per row: max, and Σ e^(z − max), in f64; returns lse = max + ln Σ and writes probs = e^(z − max) / Σ */
// @ts-ignore: decorator
@inline
function softmaxRow(zr: usize, pr: usize, cols: i32): f64 {
  let m: f64 = -Infinity;
  for (let j = 0; j < cols; j++) m = Math.max(m, f(zr, j));
  let s: f64 = 0;
  for (let j = 0; j < cols; j++) s += Math.exp(f(zr, j) - m);
  for (let j = 0; j < cols; j++) put(pr, j, Math.exp(f(zr, j) - m) / s);
  return m + Math.log(s);
}

/** fused softmax + categorical cross-entropy on logits z: probs = softmax(z) (written);
 *  loss = Σ_i w_i·Σ_j t[i,j]·(lse_i − z[i,j]) / rows ; dz[i,j] = (probs[i,j]·Σ_l t[i,l] − t[i,j])·w_i / rows */
export function softmaxCrossentropy(z: usize, t: usize, probs: usize, dz: usize, rows: i32, cols: i32, w: usize): f64 {
  const total = <i64>rows * cols;
  if (DEBUG) { check(z, total, 'softmaxCrossentropy: z'); check(t, total, 'softmaxCrossentropy: t'); }
  if (DEBUG) { check(probs, total, 'softmaxCrossentropy: probs'); check(dz, total, 'softmaxCrossentropy: dz'); }
  if (DEBUG) { check(w, w ? rows : 0, 'softmaxCrossentropy: w'); }
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols, wr = weight(w, i);
    const lse = softmaxRow(z + (<usize>base << 2), probs + (<usize>base << 2), cols);
    let tsum: f64 = 0;
    for (let j = base; j < base + cols; j++) {
      const tj = f(t, j);
      tsum += tj;
      loss += wr * (tj * (lse - f(z, j)));
    }
    for (let j = base; j < base + cols; j++) put(dz, j, (f(probs, j) * tsum - f(t, j)) * wr / rows);
  }
  return loss / rows;
}

/** fused softmax + sparse categorical cross-entropy on logits z with float32 labels: probs = softmax(z) (written);
 *  loss = Σ_i w_i·(lse_i − z[i,label_i]) / rows ; dz = (probs − onehot(label))·w_i / rows */
export function sparseSoftmaxCrossentropy(
  z: usize, labels: usize, probs: usize, dz: usize, rows: i32, cols: i32, w: usize,
): f64 {
  const total = <i64>rows * cols;
  if (DEBUG) {
    check(z, total, 'sparseSoftmaxCrossentropy: z'); check(labels, rows, 'sparseSoftmaxCrossentropy: labels');
  }
  if (DEBUG) {
    check(probs, total, 'sparseSoftmaxCrossentropy: probs'); check(dz, total, 'sparseSoftmaxCrossentropy: dz');
    check(w, w ? rows : 0, 'sparseSoftmaxCrossentropy: w');
  }
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const lse = softmaxRow(z + (<usize>base << 2), probs + (<usize>base << 2), cols);
    const label = <i32>load<f32>(labels + (<usize>i << 2)), wr = weight(w, i);
    loss += wr * (lse - f(z, base + label));
    for (let j = 0; j < cols; j++) put(dz, base + j, (f(probs, base + j) - (j == label ? 1 : 0)) * wr / rows);
  }
  return loss / rows;
}
