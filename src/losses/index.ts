import type { Kernels, Ptr } from '../backends/kernels.js';
import type { Arena } from '../backends/backend.js';
import { kernelsOn } from '../backends/js/index.js';
import type { JsHeap } from '../backends/js/arena.js';
import { fail, resolveName } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { KerasName } from '../util/names.js';

/** Keras clips probabilities to [ε, 1 − ε] inside the cross-entropies. */
export const EPSILON = 1e-7;

/** The Keras names of the built-in losses (see `LossName` for every spelling compile accepts). */
export type BuiltinLossName =
  'mse' | 'mae' | 'binary_crossentropy' | 'categorical_crossentropy' | 'sparse_categorical_crossentropy';

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

function builtin(name: BuiltinLossName, fromLogits = false): Loss {
  const loss: Loss = Object.freeze({
    name,
    builtin: true,
    sparse: name === 'sparse_categorical_crossentropy',
    fromLogits,
    fn: (t: Float32Array, p: Float32Array) => onOneSample(loss, t, p).value,
    fnPrime: (t: Float32Array, p: Float32Array) => onOneSample(loss, t, p).grad,
  });
  return loss;
}

/**
 * A built-in loss on one sample (the tutorial's per-sample `loss(yTrue, yPred)` and `lossPrime`), computed by the JS
 * backend's kernel in float64, so that the kernels stay the one definition of every built-in loss.
 */
function onOneSample(loss: Loss, t: ArrayLike<number>, p: ArrayLike<number>): { value: number; grad: Float32Array } {
  const n = p.length;
  const f = new Float64Array(3 * n + t.length);
  f.set(p, 0);
  f.set(t, 3 * n); // after p, dp and probs
  const heap: JsHeap = { f, i: new Int32Array(0), round: (v) => v };
  const value = lossKernel(
    kernelsOn(() => heap),
    loss,
    0,
    3 * n * 4,
    n * 4,
    1,
    n,
    false,
    2 * n * 4,
    0,
  );
  return { value, grad: Float32Array.from(f.subarray(n, 2 * n)) };
}

/**
 * Built-in losses by their camelCase names (`losses.mse`, `losses.sparseCategoricalCrossentropy`, …);
 * `losses.create(name, { fromLogits })` makes a cross-entropy that takes logits; `losses.custom(fn, fnPrime)`
 * wraps a tutorial-style pair of JS functions.
 */
export const losses = Object.freeze({
  mse: builtin('mse'),
  mae: builtin('mae'),
  binaryCrossentropy: builtin('binary_crossentropy'),
  categoricalCrossentropy: builtin('categorical_crossentropy'),
  sparseCategoricalCrossentropy: builtin('sparse_categorical_crossentropy'),
  create(name: string, options: { fromLogits?: boolean } = {}): Loss {
    checkOptions(options, 'losses.create(name, options): options', ['fromLogits']);
    const loss = resolveName('loss', name, byName).name as BuiltinLossName;
    if (options.fromLogits && (loss === 'mse' || loss === 'mae'))
      fail(`fromLogits applies to the cross-entropies, not to '${loss}'`);
    return builtin(loss, options.fromLogits ?? false);
  },
  custom(fn: Loss['fn'], fnPrime: Loss['fnPrime'], name = 'custom'): Loss {
    if (typeof fn !== 'function' || typeof fnPrime !== 'function')
      fail('a custom loss needs two functions: (loss(yTrue, yPred), lossPrime(yTrue, yPred))');
    return Object.freeze({ name, builtin: false, sparse: false, fromLogits: false, fn, fnPrime });
  },
});

const byName = {
  mse: losses.mse,
  mean_squared_error: losses.mse,
  mae: losses.mae,
  mean_absolute_error: losses.mae,
  binary_crossentropy: losses.binaryCrossentropy,
  categorical_crossentropy: losses.categoricalCrossentropy,
  sparse_categorical_crossentropy: losses.sparseCategoricalCrossentropy,
} satisfies Record<string, Loss>;

/** A built-in loss name, snake_case or camelCase. */
export type LossName = KerasName<keyof typeof byName>;

/** What users may pass where a loss is expected: a name, or an entry of `losses` (built-in or custom). */
export type LossInput = LossName | Loss;

export function getLoss(loss: LossInput | Loss['fn'], fnPrime?: Loss['fnPrime']): Loss {
  if (typeof loss === 'function') return losses.custom(loss, fnPrime as Loss['fnPrime'], loss.name || 'custom');
  if (typeof loss === 'string') return resolveName<Loss>('loss', loss, byName);
  if (loss && typeof loss === 'object' && typeof loss.fn === 'function' && typeof loss.fnPrime === 'function')
    return loss;
  fail(
    `a loss must be a name (${Object.keys(byName).join(', ')}), an entry of \`losses\`, or a (loss, lossPrime) pair of functions`,
  );
}

/**
 * Compute the mean loss over `rows` rows of predictions `p` ([rows, cols]) against targets `t` ([rows, cols], or
 * [rows] class indices for sparse losses) and write ∂loss/∂p into `dp`. With `logits`, `p` holds logits and the
 * probabilities go to `probs`. `w`: the rows' sample weights ([rows]), or 0 for none; each row's loss is multiplied
 * by its weight and the sum divided by the rows, as Keras does (a custom loss takes no weights: fit refuses them).
 */
export function computeLoss(
  k: Kernels,
  arena: Arena,
  loss: Loss,
  p: Ptr,
  t: Ptr,
  dp: Ptr,
  rows: number,
  cols: number,
  logits: boolean,
  probs: Ptr,
  w: Ptr = 0,
): number {
  if (!loss.builtin) {
    if (w) fail(`internal error: sample weights with the custom loss '${loss.name}'`, 'internal');
    // Copies at the arena's own precision (float64 on the JS backend's double variant, for gradient checks).
    const yPred = arena.f32(p, rows * cols).slice() as Float32Array;
    const yTrue = arena.f32(t, rows * cols).slice() as Float32Array;
    const value = loss.fn(yTrue, yPred);
    const grad = loss.fnPrime(yTrue, yPred);
    if (!grad || grad.length !== rows * cols)
      fail(`custom loss '${loss.name}': lossPrime returned ${grad?.length} values, expected ${rows * cols}`);
    arena.write(dp, grad);
    return value;
  }
  return lossKernel(k, loss, p, t, dp, rows, cols, logits, probs, w);
}

/** The kernel call of a built-in loss: on probabilities, or on logits (`logits`: the output activation is fused). */
function lossKernel(
  k: Kernels,
  loss: Loss,
  p: Ptr,
  t: Ptr,
  dp: Ptr,
  rows: number,
  cols: number,
  logits: boolean,
  probs: Ptr,
  w: Ptr,
): number {
  const fromLogits = logits || loss.fromLogits;
  switch (loss.name as BuiltinLossName) {
    case 'mse':
      return k.mse(p, t, dp, rows, cols, w);
    case 'mae':
      return k.mae(p, t, dp, rows, cols, w);
    case 'binary_crossentropy':
      return fromLogits
        ? k.binaryCrossentropyFromLogits(p, t, dp, rows, cols, w)
        : k.binaryCrossentropy(p, t, dp, rows, cols, EPSILON, w);
    case 'categorical_crossentropy':
      return fromLogits
        ? k.softmaxCrossentropy(p, t, probs, dp, rows, cols, w)
        : k.categoricalCrossentropy(p, t, dp, rows, cols, EPSILON, w);
    case 'sparse_categorical_crossentropy':
      return fromLogits
        ? k.sparseSoftmaxCrossentropy(p, t, probs, dp, rows, cols, w)
        : k.sparseCategoricalCrossentropy(p, t, dp, rows, cols, EPSILON, w);
  }
  fail(`internal error: no kernel for loss '${loss.name}'`, 'internal');
}
