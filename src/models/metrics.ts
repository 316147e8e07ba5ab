import type { AccuracyKind } from './train-loop.js';

/**
 * The metrics compile accepts, by Keras name. 'accuracy' and 'acc' pick the accuracy that fits the loss and the
 * output width, as Keras does; every metric is reported under the name it was asked by.
 */
export const METRICS: Readonly<Record<string, AccuracyKind | 'auto'>> = Object.freeze({
  accuracy: 'auto',
  acc: 'auto',
  sparse_categorical_accuracy: 'sparse',
  categorical_accuracy: 'categorical',
  binary_accuracy: 'binary',
});
