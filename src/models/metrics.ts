import type { Ptr } from '../backends/kernels.js';
import type { Loss } from '../losses/index.js';
import { fail } from '../util/errors.js';
import type { KerasName } from '../util/names.js';
import type { Engine } from './engine.js';

/** The accuracies: class index against argmax, argmax against argmax, or each output thresholded at 0.5. */
export type AccuracyKind = 'sparse' | 'categorical' | 'binary';

/** Every metric scratchnet computes: an accuracy, a mean error, or a top-k accuracy (k = TOP_K). */
export type MetricKind = AccuracyKind | 'mae' | 'mse' | 'top_k' | 'sparse_top_k';

/** Keras's default k of top_k_categorical_accuracy and sparse_top_k_categorical_accuracy. */
export const TOP_K = 5;

/**
 * The metrics compile accepts, by Keras name. 'accuracy' and 'acc' pick the accuracy that fits the loss and the
 * output width, as Keras does; every metric is reported under the name it was asked by.
 */
export const METRICS = Object.freeze({
  accuracy: 'auto',
  acc: 'auto',
  sparse_categorical_accuracy: 'sparse',
  categorical_accuracy: 'categorical',
  binary_accuracy: 'binary',
  mae: 'mae',
  mean_absolute_error: 'mae',
  mse: 'mse',
  mean_squared_error: 'mse',
  top_k_categorical_accuracy: 'top_k',
  sparse_top_k_categorical_accuracy: 'sparse_top_k',
} as const satisfies Record<string, MetricKind | 'auto'>);

/** A metric name compile takes, snake_case or camelCase. */
export type MetricName = KerasName<keyof typeof METRICS>;

/** A metric: which one, and the name its values are reported under. */
export interface Metric {
  kind: MetricKind;
  name: string;
}

/** Fail at compile for a metric that cannot be computed against the loss's targets. */
export function checkMetricFitsLoss(kind: MetricKind | 'auto', name: string, loss: Loss): void {
  if (loss.sparse && (kind === 'mae' || kind === 'mse' || kind === 'top_k')) {
    fail(
      `metric '${name}' compares outputs with targets of the same width, but ${loss.name} takes class indices as targets; ` +
        `use ${kind === 'top_k' ? "'sparse_top_k_categorical_accuracy'" : "a loss with one-hot or numeric targets (e.g. 'categorical_crossentropy' with toCategorical(labels))"}`,
    );
  }
  if (!loss.sparse && kind === 'sparse_top_k') {
    fail(
      `metric '${name}' takes class indices as targets, but ${loss.name} takes rows of values; use 'top_k_categorical_accuracy'`,
    );
  }
}

/**
 * The metric summed over a batch's `rows` rows (its mean over the data is the sum over batches / rows seen), on the
 * output `out` as computeLoss left it: with the output activation `fused` into the loss (or a loss from logits), `out`
 * holds logits, and after a softmax loss `probs` holds its values. `scratch` ([rows, cols]) takes the error kernels'
 * gradients.
 */
export function metricSum(
  engine: Engine,
  kind: MetricKind,
  loss: Loss,
  fused: string | undefined,
  out: Ptr,
  probs: Ptr,
  scratch: Ptr,
  t: Ptr,
  rows: number,
  cols: number,
): number {
  const k = engine.backend.kernels;
  switch (kind) {
    // argmax and the top k are the same on logits, on their softmax and on their sigmoid
    case 'sparse':
      return k.sparseAccuracyCount(out, t, rows, cols);
    case 'categorical':
      return k.categoricalAccuracyCount(out, t, rows, cols);
    case 'sparse_top_k':
      return k.sparseTopKCount(out, t, rows, cols, TOP_K);
    case 'top_k':
      return k.categoricalTopKCount(out, t, rows, cols, TOP_K);
    // Keras's mean over each row's outputs, summed over rows: the kernels' mean over rows·cols, times rows
    case 'mae':
      return k.mae(outputs(engine, fused, out, probs, rows, cols), t, scratch, rows, cols, 0) * rows;
    case 'mse':
      return k.mse(outputs(engine, fused, out, probs, rows, cols), t, scratch, rows, cols, 0) * rows;
    case 'binary':
      // Binary accuracy is a mean over every output value (Keras); divide by cols so it adds up like a row count.
      // It thresholds probabilities at 0.5, as computed in float32 (σ(z) of a tiny z > 0 is 0.5 there, not above it).
      if (fused !== undefined || loss.fromLogits) {
        // the model's outputs: a sigmoid's of the logits; a softmax's are in probs already
        if (fused === 'sigmoid' || loss.name === 'binary_crossentropy') k.sigmoid(out, probs, rows * cols);
        return k.binaryAccuracyCount(probs, t, rows * cols, 0.5) / cols;
      }
      return k.binaryAccuracyCount(out, t, rows * cols, 0.5) / cols;
  }
}

/** Where the model's own outputs are: `out`, or with a fused output activation its probabilities (in `probs`). */
function outputs(engine: Engine, fused: string | undefined, out: Ptr, probs: Ptr, rows: number, cols: number): Ptr {
  if (fused === undefined) return out;
  // a fused sigmoid leaves logits in out (whatever the loss); a fused softmax wrote its probabilities to probs
  if (fused === 'sigmoid') engine.backend.kernels.sigmoid(out, probs, rows * cols);
  return probs;
}
