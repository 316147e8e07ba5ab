/**
 * Naive float64 formulas for every kernel, written from the contract in src/backends/kernels.ts and independently
 * of src/backends/js: arrays in, arrays out. They are the oracle the conformance suite compares backends with.
 */
type Vec = ArrayLike<number>;
const map = (x: Vec, fn: (v: number, i: number) => number) => Array.from(x, fn);

export function transpose(a: Vec, rows: number, cols: number): number[] {
  const out = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = a[i * cols + j];
  return out;
}

/** x[m,k] · w[k,n] by the textbook triple loop */
export function matmul(x: Vec, w: Vec, m: number, k: number, n: number): number[] {
  const y: number[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += x[i * k + p] * w[p * n + j];
      y.push(s);
    }
  }
  return y;
}

export const matmulTransB = (dy: Vec, w: Vec, m: number, n: number, k: number) =>
  matmul(dy, transpose(w, k, n), m, n, k);
export const matmulTransA = (x: Vec, dy: Vec, m: number, k: number, n: number) =>
  matmul(transpose(x, m, k), dy, k, m, n);
export const addRowVector = (y: Vec, b: Vec, cols: number) => map(y, (v, i) => v + b[i % cols]);

export function sumRows(dy: Vec, rows: number, cols: number): number[] {
  const db = new Array<number>(cols).fill(0);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) db[j] += dy[i * cols + j];
  return db;
}

export const scale = (x: Vec, alpha: number) => map(x, (v) => v * alpha);
export const mul = (a: Vec, b: Vec) => map(a, (v, i) => v * b[i]);
export const gatherRows = (src: Vec, idx: Vec, cols: number) =>
  Array.from(idx).flatMap((r) => Array.from({ length: cols }, (_, j) => src[r * cols + j]));
export const allFinite = (x: Vec) => (Array.from(x).every(Number.isFinite) ? 1 : 0);

export const relu = (x: Vec) => map(x, (v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0));
export const reluBackward = (y: Vec, dy: Vec) => map(y, (v, i) => (v > 0 ? dy[i] : 0));
export const leakyRelu = (x: Vec, alpha: number) => map(x, (v) => (v > 0 ? v : alpha * v));
export const leakyReluBackward = (y: Vec, dy: Vec, alpha: number) => map(y, (v, i) => (v > 0 ? dy[i] : alpha * dy[i]));
export const sigmoid = (x: Vec) => map(x, (v) => 1 / (1 + Math.exp(-v)));
export const sigmoidBackward = (y: Vec, dy: Vec) => map(y, (v, i) => dy[i] * v * (1 - v));
export const tanh = (x: Vec) => map(x, (v) => Math.tanh(v));
export const tanhBackward = (y: Vec, dy: Vec) => map(y, (v, i) => dy[i] * (1 - v * v));

const rowsOf = (x: Vec, cols: number) =>
  Array.from({ length: x.length / cols }, (_, i) => Array.from(x).slice(i * cols, (i + 1) * cols));

export function softmax(x: Vec, cols: number): number[] {
  return rowsOf(x, cols).flatMap((row) => {
    const max = Math.max(...row); // NaN if any element is NaN
    const e = row.map((v) => Math.exp(v - max));
    const sum = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / sum);
  });
}

export function softmaxBackward(y: Vec, dy: Vec, cols: number): number[] {
  const dyRows = rowsOf(dy, cols);
  return rowsOf(y, cols).flatMap((row, i) => {
    const dot = row.reduce((s, v, j) => s + v * dyRows[i][j], 0);
    return row.map((v, j) => v * (dyRows[i][j] - dot));
  });
}

export function logSumExp(row: number[]): number {
  const max = Math.max(...row);
  return max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
}

export interface LossResult {
  loss: number;
  dy: number[];
}
const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);

export function mse(p: Vec, t: Vec): LossResult {
  const d = map(p, (v, i) => v - t[i]);
  return { loss: sum(d.map((v) => v * v)) / p.length, dy: d.map((v) => (2 * v) / p.length) };
}

export function mae(p: Vec, t: Vec): LossResult {
  const d = map(p, (v, i) => v - t[i]);
  return { loss: sum(d.map(Math.abs)) / p.length, dy: d.map((v) => Math.sign(v) / p.length) };
}

/** Keras and TF.js clip to float32 bounds: [f32(eps), f32(1 − eps)] */
const bounds = (eps: number) => [Math.fround(eps), Math.fround(1 - eps)];
const clip = (v: number, eps: number) => {
  const [lo, hi] = bounds(eps);
  return Number.isNaN(v) ? NaN : v < lo ? lo : v > hi ? hi : v;
};
/** Keras's clip passes a gradient only where it did not clip (TensorFlow's clip_by_value gradient) */
const inside = (v: number, eps: number) => v >= bounds(eps)[0] && v <= bounds(eps)[1];

export function binaryCrossentropy(p: Vec, t: Vec, eps: number): LossResult {
  const n = p.length;
  const pc = map(p, (v) => clip(v, eps));
  return {
    loss: -sum(pc.map((v, i) => t[i] * Math.log(v) + (1 - t[i]) * Math.log(1 - v))) / n,
    dy: pc.map((v, i) => (inside(p[i], eps) ? (v - t[i]) / (v * (1 - v)) / n : 0)),
  };
}

/** through the sigmoid, by the textbook definition (accurate for moderate logits only) */
export function binaryCrossentropyFromLogits(z: Vec, t: Vec): LossResult {
  const s = sigmoid(z);
  const n = z.length;
  return {
    loss: -sum(s.map((v, i) => t[i] * Math.log(v) + (1 - t[i]) * Math.log(1 - v))) / n,
    dy: s.map((v, i) => (v - t[i]) / n),
  };
}

/** Keras and TF.js on probabilities: each row normalised to sum 1, then clipped; dy through both by the chain rule,
 *  with the normalisation's full Jacobian ∂q_j/∂p_k = (δ_jk − q_j) / s */
export function categoricalCrossentropy(p: Vec, t: Vec, rows: number, eps: number): LossResult {
  const cols = p.length / rows;
  const tRows = rowsOf(t, cols);
  let loss = 0;
  const dy = rowsOf(p, cols).flatMap((row, i) => {
    const s = sum(row);
    const q = row.map((v) => v / s);
    loss -= sum(q.map((v, j) => tRows[i][j] * Math.log(clip(v, eps))));
    const g = q.map((v, j) => (inside(v, eps) ? -tRows[i][j] / v : 0));
    return row.map((_, k) => sum(g.map((gj, j) => (gj * ((j === k ? 1 : 0) - q[j])) / s)) / rows);
  });
  return { loss: loss / rows, dy };
}

export function oneHot(labels: Vec, cols: number): number[] {
  return Array.from(labels).flatMap((l) => Array.from({ length: cols }, (_, j) => (j === l ? 1 : 0)));
}

/** Keras on probabilities: clip, then the log-softmax of ln(pc) — that is, pc normalised to sum 1 after the clip */
export function sparseCategoricalCrossentropy(p: Vec, labels: Vec, cols: number, eps: number): LossResult {
  const rows = labels.length;
  let loss = 0;
  const dy = rowsOf(p, cols).flatMap((row, i) => {
    const label = labels[i];
    const pc = row.map((v) => clip(v, eps));
    const total = sum(pc);
    loss -= Math.log(pc[label] / total);
    // ∂/∂pc_k of ln Σ pc − ln pc_label, passed only where p_k was not clipped
    return row.map((v, k) => (inside(v, eps) ? (1 / total - (k === label ? 1 / pc[k] : 0)) / rows : 0));
  });
  return { loss: loss / rows, dy };
}

export interface FusedLossResult extends LossResult {
  probs: number[];
}

export function softmaxCrossentropy(z: Vec, t: Vec, cols: number): FusedLossResult {
  const rows = z.length / cols;
  const probs = softmax(z, cols);
  const tRows = rowsOf(t, cols);
  let loss = 0;
  rowsOf(z, cols).forEach((row, i) => {
    const lse = logSumExp(row);
    row.forEach((v, j) => (loss += tRows[i][j] * (lse - v)));
  });
  const dy = probs.map((v, i) => (v * sum(tRows[Math.floor(i / cols)]) - t[i]) / rows);
  return { loss: loss / rows, dy, probs };
}

export const sparseSoftmaxCrossentropy = (z: Vec, labels: Vec, cols: number) =>
  softmaxCrossentropy(z, oneHot(labels, cols), cols);

/** first index of the maximum */
const argmax = (row: number[]) => row.indexOf(Math.max(...row));

export const sparseAccuracyCount = (p: Vec, labels: Vec, cols: number) =>
  rowsOf(p, cols).filter((row, i) => argmax(row) === labels[i]).length;
export const categoricalAccuracyCount = (p: Vec, t: Vec, cols: number) => {
  const tRows = rowsOf(t, cols);
  return rowsOf(p, cols).filter((row, i) => argmax(row) === argmax(tRows[i])).length;
};
/** whether class `label` is in the top k of `row`: its value is at least the k-th largest (so ties count as in) */
const inTopK = (row: number[], label: number, k: number) =>
  label >= 0 && label < row.length && row[label] >= [...row].sort((a, b) => b - a)[Math.min(k, row.length) - 1];
export const sparseTopKCount = (p: Vec, labels: Vec, cols: number, k: number) =>
  rowsOf(p, cols).filter((row, i) => inTopK(row, labels[i], k)).length;
export const categoricalTopKCount = (p: Vec, t: Vec, cols: number, k: number) => {
  const tRows = rowsOf(t, cols);
  return rowsOf(p, cols).filter((row, i) => inTopK(row, argmax(tRows[i]), k)).length;
};
export const binaryAccuracyCount = (p: Vec, t: Vec, threshold: number) =>
  Array.from(p).filter((v, i) => v > threshold === t[i] > 0.5).length;

export function sgdStep(param: Vec, grad: Vec, lr: number) {
  return { param: map(param, (p, i) => p - lr * grad[i]) };
}

export function momentumStep(param: Vec, grad: Vec, velocity: Vec, lr: number, momentum: number, nesterov: boolean) {
  const v = map(velocity, (vi, i) => momentum * vi - lr * grad[i]);
  const param2 = map(param, (p, i) => p + (nesterov ? momentum * v[i] - lr * grad[i] : v[i]));
  return { param: param2, velocity: v };
}

export function adamStep(param: Vec, grad: Vec, m: Vec, v: Vec, lrT: number, b1: number, b2: number, eps: number) {
  const m2 = map(m, (mi, i) => b1 * mi + (1 - b1) * grad[i]);
  const v2 = map(v, (vi, i) => b2 * vi + (1 - b2) * grad[i] ** 2);
  return { param: map(param, (p, i) => p - (lrT * m2[i]) / (Math.sqrt(v2[i]) + eps)), m: m2, v: v2 };
}

export function rmspropStep(param: Vec, grad: Vec, ms: Vec, lr: number, rho: number, eps: number) {
  const ms2 = map(ms, (s, i) => rho * s + (1 - rho) * grad[i] ** 2);
  return { param: map(param, (p, i) => p - (lr * grad[i]) / Math.sqrt(ms2[i] + eps)), ms: ms2 };
}

/** The standard normal CDF Φ(z) for |z| ≤ 3 from its Taylor series, Φ(z) = ½ + φ-series
 *  (1/√(2π)) Σ (−1)ⁿ z²ⁿ⁺¹ / (2ⁿ n! (2n + 1)): an oracle that shares nothing with AS 241. */
export function normalCdf(z: number): number {
  let term = z,
    sum = z;
  for (let n = 1; Math.abs(term) > 1e-22 * Math.abs(sum) || n < 3; n++) {
    term *= (-z * z) / (2 * n);
    sum += term / (2 * n + 1);
  }
  return 0.5 + sum / Math.sqrt(2 * Math.PI);
}
