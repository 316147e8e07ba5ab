import { check, DEBUG } from './lib/check';

// Losses return the loss and write dy = ∂loss/∂(first argument). They run once per batch on the network output,
// so they are plain scalar loops in f64 (as the JS backend computes in `number`): each dy element is computed in
// f64 and rounded to f32 once, and the loss is summed in f64. ln and e^x are the f64 Math.log/Math.exp.

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

/** loss = Σ (p − t)² / n ; dy = 2 (p − t) / n */
export function mse(p: usize, t: usize, dy: usize, n: i32): f64 {
  if (DEBUG) { check(p, n, 'mse: p'); check(t, n, 'mse: t'); check(dy, n, 'mse: dy'); }
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = f(p, i) - f(t, i);
    loss += d * d;
    put(dy, i, 2 * d / n);
  }
  return loss / n;
}

/** loss = Σ |p − t| / n ; dy = sign(p − t) / n  (sign(0) = 0) */
export function mae(p: usize, t: usize, dy: usize, n: i32): f64 {
  if (DEBUG) { check(p, n, 'mae: p'); check(t, n, 'mae: t'); check(dy, n, 'mae: dy'); }
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = f(p, i) - f(t, i);
    loss += Math.abs(d);
    put(dy, i, Math.sign(d) / n); // Math.sign keeps NaN (and ±0), as in JS
  }
  return loss / n;
}

/** pc = clamp(p, eps, 1 − eps); loss = −Σ [t·ln pc + (1 − t)·ln(1 − pc)] / n ;
 *  dy = eps ≤ p ≤ 1 − eps ? (pc − t) / (pc (1 − pc)) / n : 0  (the clip passes no gradient, as in Keras) */
export function binaryCrossentropy(p: usize, t: usize, dy: usize, n: i32, eps: f32): f64 {
  if (DEBUG) {
    check(p, n, 'binaryCrossentropy: p'); check(t, n, 'binaryCrossentropy: t');
    check(dy, n, 'binaryCrossentropy: dy');
  }
  const lo = <f64>eps, hi = <f64>(<f32>1 - eps); // float32 bounds, as Keras and TF.js clip
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const pi = f(p, i);
    const pc = Math.min(Math.max(pi, lo), hi);
    const ti = f(t, i);
    loss -= ti * Math.log(pc) + (1 - ti) * Math.log(1 - pc);
    put(dy, i, pi >= lo && pi <= hi ? (pc - ti) / (pc * (1 - pc)) / n : 0);
  }
  return loss / n;
}

/** on logits z: loss = Σ [max(z,0) − z·t + ln(1 + e^(−|z|))] / n ; dy = (σ(z) − t) / n */
export function binaryCrossentropyFromLogits(z: usize, t: usize, dy: usize, n: i32): f64 {
  if (DEBUG) { check(z, n, 'binaryCrossentropyFromLogits: z'); check(t, n, 'binaryCrossentropyFromLogits: t'); }
  if (DEBUG) { check(dy, n, 'binaryCrossentropyFromLogits: dy'); }
  let loss: f64 = 0;
  for (let i = 0; i < n; i++) {
    const zi = f(z, i), ti = f(t, i);
    loss += Math.max(zi, 0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi)));
    put(dy, i, (1 / (1 + Math.exp(-zi)) - ti) / n);
  }
  return loss / n;
}

/** probabilities p, targets t [rows,cols], per row: s = Σ_j p_j; q = p / s; qc = clamp(q, eps, 1 − eps);
 *  loss = −Σ t·ln qc / rows ; g_j = eps ≤ q_j ≤ 1 − eps ? −t_j / q_j : 0 ; dy_j = (g_j − Σ_l g_l·q_l) / s / rows */
export function categoricalCrossentropy(p: usize, t: usize, dy: usize, rows: i32, cols: i32, eps: f32): f64 {
  const total = <i64>rows * cols;
  if (DEBUG) { check(p, total, 'categoricalCrossentropy: p'); check(t, total, 'categoricalCrossentropy: t'); }
  if (DEBUG) { check(dy, total, 'categoricalCrossentropy: dy'); }
  const lo = <f64>eps, hi = <f64>(<f32>1 - eps); // float32 bounds, as Keras and TF.js clip
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    let s: f64 = 0;
    for (let j = base; j < base + cols; j++) s += f(p, j);
    // Σ g·q first, then dy; g is recomputed in the second pass rather than kept (kernels have no scratch)
    let gq: f64 = 0;
    for (let j = base; j < base + cols; j++) {
      const q = f(p, j) / s;
      const tj = f(t, j);
      loss -= tj * Math.log(Math.min(Math.max(q, lo), hi));
      if (q >= lo && q <= hi) gq -= tj;
    }
    for (let j = base; j < base + cols; j++) {
      const q = f(p, j) / s;
      const g = q >= lo && q <= hi ? -f(t, j) / q : 0;
      put(dy, j, (g - gq) / s / rows);
    }
  }
  return loss / rows;
}

/** labels (float32 class indices) [rows], per row as Keras: pc = clamp(p, eps, 1 − eps); S = Σ_j pc_j;
 *  loss = Σ_i (ln S − ln pc[label_i]) / rows ; dy_j = eps ≤ p_j ≤ 1 − eps ? (1 / S − [j == label] / pc_j) / rows : 0 */
export function sparseCategoricalCrossentropy(p: usize, labels: usize, dy: usize, rows: i32, cols: i32, eps: f32): f64 {
  if (DEBUG) {
    check(p, <i64>rows * cols, 'sparseCategoricalCrossentropy: p');
    check(labels, rows, 'sparseCategoricalCrossentropy: labels');
  }
  if (DEBUG) { check(dy, <i64>rows * cols, 'sparseCategoricalCrossentropy: dy'); }
  const lo = <f64>eps, hi = <f64>(<f32>1 - eps); // float32 bounds, as Keras and TF.js clip
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const label = <i32>load<f32>(labels + (<usize>i << 2));
    let s: f64 = 0;
    for (let j = base; j < base + cols; j++) s += Math.min(Math.max(f(p, j), lo), hi);
    const pl = Math.min(Math.max(f(p, base + label), lo), hi);
    loss += Math.log(s) - Math.log(pl);
    for (let j = 0; j < cols; j++) {
      const pj = f(p, base + j);
      const inside = pj >= lo && pj <= hi;
      put(dy, base + j, inside ? (1 / s - (j == label ? 1 / pj : 0)) / rows : 0);
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
 *  loss = Σ_i Σ_j t[i,j]·(lse_i − z[i,j]) / rows ; dz[i,j] = (probs[i,j]·Σ_l t[i,l] − t[i,j]) / rows */
export function softmaxCrossentropy(z: usize, t: usize, probs: usize, dz: usize, rows: i32, cols: i32): f64 {
  const total = <i64>rows * cols;
  if (DEBUG) { check(z, total, 'softmaxCrossentropy: z'); check(t, total, 'softmaxCrossentropy: t'); }
  if (DEBUG) { check(probs, total, 'softmaxCrossentropy: probs'); check(dz, total, 'softmaxCrossentropy: dz'); }
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const lse = softmaxRow(z + (<usize>base << 2), probs + (<usize>base << 2), cols);
    let tsum: f64 = 0;
    for (let j = base; j < base + cols; j++) {
      const tj = f(t, j);
      tsum += tj;
      loss += tj * (lse - f(z, j));
    }
    for (let j = base; j < base + cols; j++) put(dz, j, (f(probs, j) * tsum - f(t, j)) / rows);
  }
  return loss / rows;
}

/** fused softmax + sparse categorical cross-entropy on logits z with float32 labels:
 *  probs = softmax(z) (written); loss = Σ_i (lse_i − z[i,label_i]) / rows ; dz = (probs − onehot(label)) / rows */
export function sparseSoftmaxCrossentropy(z: usize, labels: usize, probs: usize, dz: usize, rows: i32, cols: i32): f64 {
  const total = <i64>rows * cols;
  if (DEBUG) {
    check(z, total, 'sparseSoftmaxCrossentropy: z'); check(labels, rows, 'sparseSoftmaxCrossentropy: labels');
  }
  if (DEBUG) {
    check(probs, total, 'sparseSoftmaxCrossentropy: probs'); check(dz, total, 'sparseSoftmaxCrossentropy: dz');
  }
  let loss: f64 = 0;
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    const lse = softmaxRow(z + (<usize>base << 2), probs + (<usize>base << 2), cols);
    const label = <i32>load<f32>(labels + (<usize>i << 2));
    loss += lse - f(z, base + label);
    for (let j = 0; j < cols; j++) put(dz, base + j, (f(probs, base + j) - (j == label ? 1 : 0)) / rows);
  }
  return loss / rows;
}
