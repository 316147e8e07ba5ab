import type { Kernels, Ptr } from '../backends/kernels.js';
import type { Arena } from '../backends/backend.js';
import { fail, resolveName } from '../util/errors.js';
import { checkOptions } from '../util/options.js';

/** Keras clips probabilities to [ε, 1 − ε] inside the cross-entropies. */
export const EPSILON = 1e-7;

export type BuiltinLossName =
  | 'mse' | 'mae' | 'binary_crossentropy' | 'categorical_crossentropy' | 'sparse_categorical_crossentropy';

/**
 * A loss function. `fn(yTrue, yPred)` and `fnPrime(yTrue, yPred)` are the tutorial's `mse` and `mse_prime` (loss
 * averaged over the values; gradient with respect to yPred); built-in losses run as fused kernels instead.
 */
export interface Loss {
  readonly name: string;
  readonly builtin: boolean;
  /** targets are class indices, one per sample, rather than a row of values per sample */
  readonly sparse: boolean;
  /** predictions are logits (pre-activation), not probabilities */
  readonly fromLogits: boolean;
  fn(yTrue: Float32Array, yPred: Float32Array): number;
  fnPrime(yTrue: Float32Array, yPred: Float32Array): Float32Array;
}

const clip = (p: number) => Math.min(Math.max(p, EPSILON), 1 - EPSILON);
const mean = (n: number, f: (i: number) => number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += f(i);
  return s / n;
};

function builtin(name: BuiltinLossName, fromLogits: boolean, fn: Loss['fn'], fnPrime: Loss['fnPrime']): Loss {
  return Object.freeze({ name, builtin: true, sparse: name === 'sparse_categorical_crossentropy', fromLogits, fn, fnPrime });
}

function create(name: BuiltinLossName, fromLogits = false): Loss {
  switch (name) {
    case 'mse':
      return builtin(name, false, (t, p) => mean(t.length, (i) => (p[i] - t[i]) ** 2), (t, p) => p.map((v, i) => (2 * (v - t[i])) / t.length));
    case 'mae':
      return builtin(name, false, (t, p) => mean(t.length, (i) => Math.abs(p[i] - t[i])), (t, p) => p.map((v, i) => Math.sign(v - t[i]) / t.length));
    case 'binary_crossentropy':
      return builtin(name, fromLogits,
        (t, p) => mean(t.length, (i) => { const q = clip(p[i]); return -(t[i] * Math.log(q) + (1 - t[i]) * Math.log(1 - q)); }),
        (t, p) => p.map((v, i) => { const q = clip(v); return (q - t[i]) / (q * (1 - q)) / t.length; }));
    case 'categorical_crossentropy':
      return builtin(name, fromLogits,
        (t, p) => -t.reduce((s, ti, i) => s + ti * Math.log(Math.max(p[i], EPSILON)), 0),
        (t, p) => p.map((v, i) => -t[i] / Math.max(v, EPSILON)));
    case 'sparse_categorical_crossentropy':
      return builtin(name, fromLogits,
        (t, p) => -Math.log(Math.max(p[t[0]], EPSILON)),
        (t, p) => p.map((v, j) => (j === t[0] ? -1 / Math.max(v, EPSILON) : 0)));
  }
}

/**
 * Built-in losses by their camelCase names (`losses.mse`, `losses.sparseCategoricalCrossentropy`, …);
 * `losses.create(name, { fromLogits })` makes a cross-entropy that takes logits; `losses.custom(fn, fnPrime)`
 * wraps a tutorial-style pair of JS functions.
 */
export const losses = Object.freeze({
  mse: create('mse'),
  mae: create('mae'),
  binaryCrossentropy: create('binary_crossentropy'),
  categoricalCrossentropy: create('categorical_crossentropy'),
  sparseCategoricalCrossentropy: create('sparse_categorical_crossentropy'),
  create(name: string, options: { fromLogits?: boolean } = {}): Loss {
    checkOptions(options, 'losses.create(name, options): options', ['fromLogits']);
    const loss = resolveName('loss', name, byName).name as BuiltinLossName;
    if (options.fromLogits && (loss === 'mse' || loss === 'mae')) fail(`fromLogits applies to the cross-entropies, not to '${loss}'`);
    return create(loss, options.fromLogits ?? false);
  },
  custom(fn: Loss['fn'], fnPrime: Loss['fnPrime'], name = 'custom'): Loss {
    if (typeof fn !== 'function' || typeof fnPrime !== 'function') fail('a custom loss needs two functions: (loss(yTrue, yPred), lossPrime(yTrue, yPred))');
    return Object.freeze({ name, builtin: false, sparse: false, fromLogits: false, fn, fnPrime });
  },
});

const byName: Record<string, Loss> = {
  mse: losses.mse,
  mean_squared_error: losses.mse,
  mae: losses.mae,
  mean_absolute_error: losses.mae,
  binary_crossentropy: losses.binaryCrossentropy,
  categorical_crossentropy: losses.categoricalCrossentropy,
  sparse_categorical_crossentropy: losses.sparseCategoricalCrossentropy,
};

export type LossInput = string | Loss;

export function getLoss(loss: LossInput | Loss['fn'], fnPrime?: Loss['fnPrime']): Loss {
  if (typeof loss === 'function') return losses.custom(loss, fnPrime as Loss['fnPrime'], loss.name || 'custom');
  if (typeof loss === 'string') return resolveName('loss', loss, byName);
  if (loss && typeof loss === 'object' && typeof loss.fn === 'function' && typeof loss.fnPrime === 'function') return loss;
  fail(`a loss must be a name (${Object.keys(byName).join(', ')}), an entry of \`losses\`, or a (loss, lossPrime) pair of functions`);
}

/**
 * Whether `loss` takes over the output layer's activation: softmax with a categorical cross-entropy, sigmoid with the
 * binary one. Then the model hands the loss the logits, and the loss computes both in one stable step (Keras does the
 * same on its TensorFlow backend): a saturated sigmoid or softmax still gets its full gradient, p − t.
 */
export function fusesOutputActivation(loss: Loss, outputActivation: string | undefined): boolean {
  if (!loss.builtin || loss.fromLogits) return false;
  if (outputActivation === 'softmax') return loss.name === 'categorical_crossentropy' || loss.name === 'sparse_categorical_crossentropy';
  return outputActivation === 'sigmoid' && loss.name === 'binary_crossentropy';
}

/**
 * Compute the mean loss over `rows` rows of predictions `p` ([rows, cols]) against targets `t` ([rows, cols], or
 * [rows] class indices for sparse losses) and write ∂loss/∂p into `dp`. With `logits`, `p` holds logits and the
 * probabilities go to `probs`.
 */
export function computeLoss(
  k: Kernels, arena: Arena, loss: Loss, p: Ptr, t: Ptr, dp: Ptr, rows: number, cols: number, logits: boolean, probs: Ptr,
): number {
  if (!loss.builtin) {
    // Copies at the arena's own precision (float64 on the JS backend's double variant, for gradient checks).
    const yPred = arena.f32(p, rows * cols).slice() as Float32Array;
    const yTrue = arena.f32(t, rows * cols).slice() as Float32Array;
    const value = loss.fn(yTrue, yPred);
    const grad = loss.fnPrime(yTrue, yPred);
    if (!grad || grad.length !== rows * cols) fail(`custom loss '${loss.name}': lossPrime returned ${grad?.length} values, expected ${rows * cols}`);
    arena.write(dp, grad);
    return value;
  }
  const n = rows * cols;
  switch (loss.name) {
    case 'mse': return k.mse(p, t, dp, n);
    case 'mae': return k.mae(p, t, dp, n);
    case 'binary_crossentropy':
      return logits || loss.fromLogits ? k.binaryCrossentropyFromLogits(p, t, dp, n) : k.binaryCrossentropy(p, t, dp, n, EPSILON);
    case 'categorical_crossentropy':
      return logits || loss.fromLogits
        ? k.softmaxCrossentropy(p, t, probs, dp, rows, cols)
        : k.categoricalCrossentropy(p, t, dp, rows, cols, EPSILON);
    case 'sparse_categorical_crossentropy':
      return logits || loss.fromLogits
        ? k.sparseSoftmaxCrossentropy(p, t, probs, dp, rows, cols)
        : k.sparseCategoricalCrossentropy(p, t, dp, rows, cols, EPSILON);
  }
  fail(`internal error: no kernel for loss '${loss.name}'`);
}
