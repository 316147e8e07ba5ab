import type { Kernels, Ptr } from '../backends/kernels.js';
import { fail, resolveName } from '../util/errors.js';
import type { KerasName } from '../util/names.js';

/** The activations the kernels implement, by their Keras names. */
export type BuiltinActivationName = 'linear' | 'relu' | 'leaky_relu' | 'sigmoid' | 'tanh' | 'softmax';

/**
 * An activation function. Built-in ones run as kernels on the backend; `fn`/`fnPrime` are the same math on one
 * number, for reference and for custom layers. A custom activation is any (fn, fnPrime) pair of JS functions,
 * applied element by element (slower: its values cross from the arena to JavaScript and back).
 */
export interface Activation {
  readonly name: string;
  readonly builtin: boolean;
  /** for leaky_relu: the slope below zero */
  readonly alpha?: number;
  fn(x: number): number;
  fnPrime(x: number): number;
}

const sigmoidFn = (x: number) => 1 / (1 + Math.exp(-x));

function builtin(
  name: BuiltinActivationName,
  fn: (x: number) => number,
  fnPrime: (x: number) => number,
  alpha?: number,
): Activation {
  return Object.freeze({ name, builtin: true, alpha, fn, fnPrime });
}

/** Built-in activations: `activations.relu`, `activations.tanh`, … and `activations.leakyRelu(alpha)`. */
export const activations = Object.freeze({
  linear: builtin(
    'linear',
    (x) => x,
    () => 1,
  ),
  relu: builtin(
    'relu',
    (x) => Math.max(x, 0),
    (x) => (x > 0 ? 1 : 0),
  ),
  sigmoid: builtin('sigmoid', sigmoidFn, (x) => sigmoidFn(x) * (1 - sigmoidFn(x))),
  tanh: builtin('tanh', Math.tanh, (x) => 1 - Math.tanh(x) ** 2),
  /** softmax works on whole rows; its fn/fnPrime are not defined element by element */
  softmax: builtin(
    'softmax',
    () => NaN,
    () => NaN,
  ),
  /**
   * leaky ReLU with slope `alpha` below zero. The default, 0.2, is Keras 3's `leaky_relu` activation (what the name
   * 'leaky_relu' means in Keras and here); Keras's LeakyReLU *layer* defaults to 0.3, so pass 0.3 to match that.
   */
  leakyRelu(alpha = 0.2): Activation {
    if (!(alpha >= 0) || !Number.isFinite(alpha)) fail(`leakyRelu alpha must be a finite number ≥ 0, got ${alpha}`);
    return builtin(
      'leaky_relu',
      (x) => (x > 0 ? x : alpha * x),
      (x) => (x > 0 ? 1 : alpha),
      alpha,
    );
  },
  /** a custom activation from a pair of element-wise functions, as in the tutorial */
  custom(fn: (x: number) => number, fnPrime: (x: number) => number, name = 'custom'): Activation {
    if (typeof fn !== 'function' || typeof fnPrime !== 'function')
      fail('a custom activation needs two functions: (fn, fnPrime)');
    return Object.freeze({ name, builtin: false, fn, fnPrime });
  },
});

const byName = {
  linear: activations.linear,
  relu: activations.relu,
  leaky_relu: activations.leakyRelu(),
  sigmoid: activations.sigmoid,
  tanh: activations.tanh,
  softmax: activations.softmax,
} satisfies Record<string, Activation>;

/** A built-in activation name, snake_case or camelCase. */
export type ActivationName = KerasName<keyof typeof byName>;

/** What users may pass where an activation is expected. */
export type ActivationInput = ActivationName | Activation;

export function getActivation(a: ActivationInput | undefined | null): Activation {
  if (a === undefined || a === null) return activations.linear;
  if (typeof a === 'string') return resolveName<Activation>('activation', a, byName);
  if (typeof a === 'object' && typeof a.fn === 'function' && typeof a.fnPrime === 'function') return a;
  fail(
    `an activation must be a name (${Object.keys(byName).join(', ')}), an entry of \`activations\`, or a (fn, fnPrime) pair`,
  );
}

/** y = f(x) for a built-in activation over a [rows, cols] block (y may equal x). */
export function activationForward(k: Kernels, a: Activation, x: Ptr, y: Ptr, rows: number, cols: number): void {
  const n = rows * cols;
  switch (a.name) {
    case 'linear':
      if (x !== y) k.copy(x, y, n);
      return;
    case 'relu':
      return k.relu(x, y, n);
    case 'leaky_relu':
      return k.leakyRelu(x, y, n, a.alpha ?? 0.2);
    case 'sigmoid':
      return k.sigmoid(x, y, n);
    case 'tanh':
      return k.tanh(x, y, n);
    case 'softmax':
      return k.softmax(x, y, rows, cols);
  }
  fail(`internal error: '${a.name}' is not a built-in activation`, 'internal');
}

/** dx = dy · f'(x), computed from the forward output y (dx may equal dy). */
export function activationBackward(
  k: Kernels,
  a: Activation,
  y: Ptr,
  dy: Ptr,
  dx: Ptr,
  rows: number,
  cols: number,
): void {
  const n = rows * cols;
  switch (a.name) {
    case 'linear':
      if (dy !== dx) k.copy(dy, dx, n);
      return;
    case 'relu':
      return k.reluBackward(y, dy, dx, n);
    case 'leaky_relu':
      return k.leakyReluBackward(y, dy, dx, n, a.alpha ?? 0.2);
    case 'sigmoid':
      return k.sigmoidBackward(y, dy, dx, n);
    case 'tanh':
      return k.tanhBackward(y, dy, dx, n);
    case 'softmax':
      return k.softmaxBackward(y, dy, dx, rows, cols);
  }
  fail(`internal error: '${a.name}' is not a built-in activation`, 'internal');
}
