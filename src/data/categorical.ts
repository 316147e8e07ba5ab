import { fail, notNumber } from '../util/errors.js';
import { matrix, type Matrix } from './matrix.js';

/** A quarter of WebAssembly's 4 GiB: a one-hot matrix any larger leaves no room to train on it. */
const MAX_VALUES = 2 ** 28;

/**
 * One-hot encode integer class labels, like Keras's `to_categorical`: row i is all zeros except a 1 in column
 * `labels[i]`. `numClasses` defaults to the largest label + 1 (0 for no labels). Every label is checked first.
 */
export function toCategorical(labels: ArrayLike<number>, numClasses?: number): Matrix {
  if (numClasses !== undefined && !(Number.isInteger(numClasses) && numClasses > 0)) {
    fail(`toCategorical: numClasses must be a positive integer, got ${numClasses}`);
  }
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    fail(
      `toCategorical: labels must be a list or typed array of class indices, got ${labels === null ? 'null' : typeof labels}`,
    );
  }
  const n = labels.length;
  let max = -1;
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    const ok = Number.isInteger(label) && label >= 0 && (numClasses === undefined || label < numClasses);
    if (!ok) {
      const expected =
        numClasses === undefined ? 'a non-negative integer' : `an integer in [0, ${numClasses}) (numClasses)`;
      fail(`toCategorical: labels[${i}] is ${notNumber(label)}, expected ${expected}`);
    }
    if (label > max) max = label;
  }
  const classes = numClasses ?? max + 1;
  // The one-hot matrix must fit in memory (and in the arena, to train on): check before allocating it.
  if (n * classes > MAX_VALUES) {
    fail(
      `toCategorical: ${n} labels × ${classes} classes is ${n * classes} values, more than ${MAX_VALUES} (1 GiB of float32); ` +
        `keep the labels as class indices and use 'sparse_categorical_crossentropy' instead`,
    );
  }

  const out = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) out[i * classes + labels[i]!] = 1;
  return matrix(out, n, classes);
}
