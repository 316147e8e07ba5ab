import { fail, notNumber } from '../util/errors.js';
import { toMatrix } from './inputs.js';
import type { Matrix } from './matrix.js';
import type { Targets } from '../models/staging.js';

/** Class labels as users give them: a typed array or list of integers, [[label], …], or { data, shape: [n] | [n, 1] }. */
export type LabelInput = ArrayLike<number> | number[][] | { data: ArrayLike<number>; shape: readonly number[] };

/** Labels given as class names (['cat', 'dog']): say how to turn them into the class indices the loss needs. */
function checkNotNames(y: unknown, what: string): void {
  if (!Array.isArray(y) || typeof y[0] !== 'string') return;
  const names = [...new Set(y as unknown[])].slice(0, 3).map((v) => JSON.stringify(v));
  fail(
    `${what} holds class names (${names.join(', ')}${y.length > 3 ? ', …' : ''}) where class indices are expected: ` +
      `map each name to a number first, e.g. const classes = [...new Set(${what})]; ${what}.map((c) => classes.indexOf(c))`,
  );
}

function isLabelList(y: unknown): y is ArrayLike<number> {
  if (ArrayBuffer.isView(y)) return true;
  return Array.isArray(y) && (y.length === 0 || typeof y[0] === 'number');
}

/**
 * Class indices for sparse losses, checked: integers in [0, classes). Stored as float32 (exact below 2²⁴), the
 * layout the sparse kernels read.
 */
export function toLabels(y: unknown, classes: number, what = 'y'): Targets {
  checkNotNames(y, what);
  let values: ArrayLike<number>;
  if (isLabelList(y)) {
    values = y;
  } else {
    const { matrix } = toMatrix(y, what);
    if (matrix.shape[1] !== 1) {
      fail(
        `${what} has ${matrix.shape[1]} values per sample; sparse_categorical_crossentropy expects one class index per sample (use categorical_crossentropy for one-hot targets)`,
      );
    }
    values = matrix.data;
  }
  if (values.length === 0) fail(`${what} is empty; expected one class index per sample`);
  const data = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      fail(
        `${what}[${i}] is ${notNumber(v)}, but labels must be integers in [0, ${classes}) for a model with ${classes} output${classes === 1 ? '' : 's'}` +
          (classes === 1 ? `; with one sigmoid output and labels 0 and 1, use 'binary_crossentropy'` : ''),
      );
    }
    data[i] = v;
  }
  return { data, cols: 1 };
}

/** Targets with one row of values per sample, checked against the model's output width. */
export function toTargetRows(y: unknown, outputs: number, lossName: string, what = 'y'): Targets {
  checkNotNames(y, what);
  if (isLabelList(y) && outputs > 1) {
    fail(
      `${what} is a list of ${y.length} numbers, but '${lossName}' needs ${outputs} values per sample. ` +
        `For class labels use loss 'sparse_categorical_crossentropy', or one-hot encode them with toCategorical(labels, ${outputs}).`,
    );
  }
  const { matrix } = isLabelList(y) ? toMatrix({ data: y, shape: [y.length, 1] }, what) : toMatrix(y, what);
  if (matrix.shape[1] !== outputs) {
    fail(`${what} has ${matrix.shape[1]} values per sample but the model outputs ${outputs}`, 'shape_mismatch');
  }
  checkProbabilityTargets(matrix, lossName, what);
  return { data: matrix.data, cols: outputs };
}

/** Losses whose targets are probabilities. Keras takes any value and trains on a meaningless loss; the common slip
 *  is class indices 0–9 given to binary_crossentropy on one sigmoid output. */
const PROBABILITY_TARGETS = ['binary_crossentropy', 'categorical_crossentropy'];

/** For the cross-entropies, fail naming the first target outside [0, 1] (Sequential's targets, the tutorial Network's
 *  rows); other losses take any value. `sparseLosses`: whether the model takes class indices (Sequential does, the
 *  tutorial Network does not), which decides the hint for a column of whole numbers. */
export function checkProbabilityTargets(
  { data, shape }: Matrix,
  lossName: string,
  what: string,
  sparseLosses = true,
): void {
  if (!PROBABILITY_TARGETS.includes(lossName)) return;
  const cols = shape[1];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v >= 0 && v <= 1) continue;
    const at = cols === 1 ? `${what}[${i}]` : `${what}[${Math.floor(i / cols)}][${i % cols}]`;
    // a whole number above 1 is most likely a class index
    const hint = !(Number.isInteger(v) && v > 1)
      ? ''
      : cols > 1
        ? `; one-hot encode class indices with toCategorical(labels, ${cols})`
        : sparseLosses
          ? `; for class indices use 'sparse_categorical_crossentropy' with a softmax output of one unit per class`
          : `; for class indices give the network one output per class and one-hot rows, toCategorical(labels, classes)`;
    fail(`${at} is ${v}, but '${lossName}' takes targets in [0, 1] (probabilities)${hint}`);
  }
}

/**
 * x and y must hold the same number of samples; `what` names the pair in the error ('', 'validationData '), `names`
 * the two arguments (fitDataset's batches call them xs and ys).
 */
export function checkSampleCounts(
  x: Matrix,
  y: Targets,
  what = '',
  names: readonly [string, string] = ['x', 'y'],
): void {
  const ys = y.data.length / y.cols;
  if (ys !== x.shape[0])
    fail(
      `${what}${names[0]} has ${x.shape[0]} samples but ${what ? 'its ' : ''}${names[1]} has ${ys}; they must match`,
      'shape_mismatch',
    );
}
