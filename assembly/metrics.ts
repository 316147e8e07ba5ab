import { check, DEBUG } from './lib/check';

// Counts of correct rows. Argmax keeps the first maximum (a later element must be strictly greater), so ties go
// to the lowest index and a NaN never replaces the running maximum.

// @ts-ignore: decorator
@inline
function argmax(x: usize, n: i32): i32 {
  let best = 0;
  let bestValue = load<f32>(x);
  for (let j = 1; j < n; j++) {
    const v = load<f32>(x + (<usize>j << 2));
    if (v > bestValue) { best = j; bestValue = v; }
  }
  return best;
}

/** number of rows i with argmax_j p[i,j] == labels[i] (labels float32; ties: the first maximum wins) */
export function sparseAccuracyCount(p: usize, labels: usize, rows: i32, cols: i32): i32 {
  if (DEBUG) {
    check(p, <i64>rows * cols, 'sparseAccuracyCount: p'); check(labels, rows, 'sparseAccuracyCount: labels');
  }
  if (cols <= 0) return 0;
  const row = <usize>cols << 2;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (<f32>argmax(p + <usize>i * row, cols) == load<f32>(labels + (<usize>i << 2))) count++;
  }
  return count;
}

/** number of rows i with argmax_j p[i,j] == argmax_j t[i,j] (ties: the first maximum wins) */
export function categoricalAccuracyCount(p: usize, t: usize, rows: i32, cols: i32): i32 {
  if (DEBUG) {
    check(p, <i64>rows * cols, 'categoricalAccuracyCount: p');
    check(t, <i64>rows * cols, 'categoricalAccuracyCount: t');
  }
  if (cols <= 0) return 0;
  const row = <usize>cols << 2;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (argmax(p + <usize>i * row, cols) == argmax(t + <usize>i * row, cols)) count++;
  }
  return count;
}

/** number of elements with (p[i] > threshold) == (t[i] > 0.5) */
export function binaryAccuracyCount(p: usize, t: usize, n: i32, threshold: f32): i32 {
  if (DEBUG) { check(p, n, 'binaryAccuracyCount: p'); check(t, n, 'binaryAccuracyCount: t'); }
  const th = f32x4.splat(threshold), half = f32x4.splat(0.5);
  const n4 = n & ~3;
  // Each lane of `hits` counts down by one (the −1 of a true comparison) for every match.
  let hits = i32x4.splat(0);
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const same = v128.not(v128.xor(f32x4.gt(v128.load(p + o), th), f32x4.gt(v128.load(t + o), half)));
    hits = i32x4.add(hits, same);
  }
  let count = -(
    i32x4.extract_lane(hits, 0) + i32x4.extract_lane(hits, 1) + i32x4.extract_lane(hits, 2) + i32x4.extract_lane(hits, 3)
  );
  for (let i = n4; i < n; i++) {
    const o = <usize>i << 2;
    if ((load<f32>(p + o) > threshold) == (load<f32>(t + o) > 0.5)) count++;
  }
  return count;
}

/** whether class `label` of the n floats at x is among the k largest: fewer than k others are strictly larger (ties
 *  with it count as in, as tf.math.in_top_k does); a NaN there is never in */
// @ts-ignore: decorator
@inline
function inTopK(x: usize, n: i32, label: i32, k: i32): bool {
  const v = load<f32>(x + (<usize>label << 2));
  if (v != v) return false;
  let larger = 0;
  for (let j = 0; j < n; j++) if (load<f32>(x + (<usize>j << 2)) > v) larger++;
  return larger < k;
}

/** number of rows i whose class labels[i] is in the top k of p[i,:]: fewer than k classes j have p[i,j] > p[i,label]
 *  (ties count as in; a NaN p[i,label] or a label outside [0, cols) never does) */
export function sparseTopKCount(p: usize, labels: usize, rows: i32, cols: i32, k: i32): i32 {
  if (DEBUG) { check(p, <i64>rows * cols, 'sparseTopKCount: p'); check(labels, rows, 'sparseTopKCount: labels'); }
  const row = <usize>cols << 2;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    const label = load<f32>(labels + (<usize>i << 2));
    if (label >= 0 && label < <f32>cols && inTopK(p + <usize>i * row, cols, <i32>label, k)) count++;
  }
  return count;
}

/** number of rows i whose class argmax_j t[i,j] (ties: the first maximum) is in the top k of p[i,:], as sparseTopKCount */
export function categoricalTopKCount(p: usize, t: usize, rows: i32, cols: i32, k: i32): i32 {
  if (DEBUG) { check(p, <i64>rows * cols, 'categoricalTopKCount: p'); check(t, <i64>rows * cols, 'categoricalTopKCount: t'); }
  if (cols <= 0) return 0;
  const row = <usize>cols << 2;
  let count = 0;
  for (let i = 0; i < rows; i++) {
    if (inTopK(p + <usize>i * row, cols, argmax(t + <usize>i * row, cols), k)) count++;
  }
  return count;
}
