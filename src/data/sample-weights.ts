// Keras's sample weights and class weights, checked and turned into one weight per sample (the loss kernels' `w`).
import { fail, notNumber } from '../util/errors.js';
import type { Targets } from '../models/staging.js';

/** A weight per sample: a typed array or list of numbers ≥ 0, one per sample (Keras's `sample_weight`). */
export type SampleWeightInput = ArrayLike<number>;

/** Class weights by class index (Keras's `class_weight`, TF.js's `classWeight`): `{ 0: 1, 1: 5 }`. */
export type ClassWeightInput = Readonly<Record<number, number>>;

/**
 * `sampleWeight` checked against `samples`: one finite number ≥ 0 per sample, as float32 (the precision the loss
 * kernels read). Keras takes negative weights too, but a negative weight trains away from the targets: refused.
 */
export function toSampleWeights(weights: unknown, samples: number, what = 'sampleWeight'): Float32Array {
  if (!ArrayBuffer.isView(weights) && !Array.isArray(weights))
    fail(`${what} must be a list or typed array of one number per sample, got ${notNumber(weights)}`);
  const values = weights as ArrayLike<unknown>;
  if (values.length !== samples)
    fail(
      `${what} has ${values.length} weights but there are ${samples} samples; give one per sample`,
      'shape_mismatch',
    );
  const out = new Float32Array(samples);
  for (let i = 0; i < samples; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail(`${what}[${i}] is ${notNumber(v)}; sample weights must be finite numbers ≥ 0`);
    out[i] = v;
  }
  return out;
}

/**
 * The weight of each sample of `y` from the weights of the classes (`classWeightTable`) and its class, as Keras does:
 * a sample's class is its label (sparse targets), the index of its largest target (one-hot rows; the first on a tie)
 * or its target rounded (one output: 0 or 1).
 */
export function classWeightsOf(byClass: Float64Array, y: Targets): Float32Array {
  const classes = byClass.length;
  const n = y.data.length / y.cols;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = classOf(y, i);
    if (!(c >= 0 && c < classes))
      fail(
        `classWeight: sample ${i}'s target ${y.data[i]} rounds to ${c}, which is not a class of a model with ` +
          `${classes} classes (class weights take class targets: labels, one-hot rows, or 0/1 for one output)`,
      );
    out[i] = byClass[c];
  }
  return out;
}

/**
 * `classWeight` checked, as a weight per class: an object whose keys are classes of a model with `outputs` outputs
 * (one output has 2 classes, 0 and 1) and whose values are finite and ≥ 0; a class left out weighs 1.
 */
export function classWeightTable(classWeight: unknown, outputs: number): Float64Array {
  const classes = outputs === 1 ? 2 : outputs;
  if (
    classWeight === null ||
    typeof classWeight !== 'object' ||
    Array.isArray(classWeight) ||
    classWeight instanceof Map
  )
    fail(
      `classWeight must be an object from class index to weight, such as { 0: 1, 1: 5 }, got ${notNumber(classWeight)}`,
    );
  const byClass = new Float64Array(classes).fill(1);
  for (const [key, value] of Object.entries(classWeight)) {
    const c = Number(key);
    if (!Number.isInteger(c) || c < 0 || c >= classes || String(c) !== key)
      fail(
        `classWeight has the key '${key}', but its keys must be class indices 0 … ${classes - 1} ` +
          `(the model has ${classes} classes)`,
      );
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
      fail(`classWeight[${key}] is ${notNumber(value)}; class weights must be finite numbers ≥ 0`);
    byClass[c] = value;
  }
  return byClass;
}

/** sample i's class: its label, the index of its largest value (first on a tie), or its one value rounded (half to
 *  even, as tf.round: 0.5 is class 0) */
function classOf({ data, cols }: Targets, i: number): number {
  if (cols === 1) {
    const v = data[i];
    return Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v);
  }
  let best = 0;
  for (let j = 1; j < cols; j++) if (data[i * cols + j] > data[i * cols + best]) best = j;
  return best;
}
