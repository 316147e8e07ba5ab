import type { Ptr } from '../backends/kernels.js';
import {
  activationBackward,
  activationForward,
  activations,
  getActivation,
  type Activation as ActivationFn,
  type ActivationInput,
} from '../activations/index.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { Random } from '../util/random.js';
import {
  activationConfig,
  configActivation,
  configName,
  declaredInputShape,
  finite,
  own,
  short,
  type LayerConfig,
} from './config.js';
import { KernelLayer, type ForwardMode, type KerasLayerJson } from './kernel-layer.js';
import type { Shape } from './shape.js';

export interface ActivationOptions {
  name?: string;
  /** Keras `input_shape`, when this is the first layer */
  inputShape?: readonly number[];
}

/**
 * Applies an activation to its input, element by element (softmax: row by row). Built-in activations are
 * kernels; a custom (fn, fnPrime) pair runs in JavaScript on copies of the rows, keeping its input for fnPrime as
 * the tutorial does. On images softmax runs over the last axis (the channels), as in Keras; the rest are element-wise.
 */
export class Activation extends KernelLayer {
  static readonly className: string = 'Activation';
  /** Keras layers that are an activation by another name; fromConfig reads them too */
  static readonly alsoReads = ['LeakyReLU', 'ReLU', 'Softmax'] as const;
  static readonly configKeys = ['activation'] as const;

  readonly activation: ActivationFn;
  /** softmax's row length: the last axis of the input shape */
  private lastAxis = 0;
  private y: Ptr = 0;
  private dx: Ptr = 0;
  /** for a custom activation: the last input, on the JS side */
  private hostInput: Float32Array | null = null;

  /** `new Activation('relu')`, `new Activation('relu', { inputShape: [4] })` (Keras's form). */
  constructor(activation: ActivationInput, options?: ActivationOptions);
  /** `new Activation(fn, fnPrime)`: two element-wise JS functions, the activation and its derivative. */
  constructor(
    activation: ActivationInput | ((x: number) => number),
    fnPrime?: (x: number) => number,
    options?: ActivationOptions,
  );
  constructor(
    activation: ActivationInput | ((x: number) => number),
    fnPrimeOrOptions?: ((x: number) => number) | ActivationOptions,
    options: ActivationOptions = {},
  ) {
    // Keras's form puts the options second; a non-function there is them
    const fnPrime = typeof fnPrimeOrOptions === 'function' ? fnPrimeOrOptions : undefined;
    if (fnPrimeOrOptions !== undefined && fnPrime === undefined) {
      if (typeof activation === 'function')
        fail('a custom activation needs its derivative second: new Activation(fn, fnPrime, options)');
      options = fnPrimeOrOptions as ActivationOptions;
    }
    checkOptions(options, 'Activation(activation, options): options', ['inputShape', 'name']);
    super(options.name);
    this.declareInputShape(options.inputShape, 'Activation');
    if (typeof activation === 'function') {
      if (typeof fnPrime !== 'function')
        fail('a custom activation needs its derivative too: new ActivationLayer(fn, fnPrime)');
      this.activation = activations.custom(activation, fnPrime, activation.name || 'custom');
    } else {
      if (fnPrime) fail('a derivative goes with a custom activation function only: new Activation(fn, fnPrime)');
      this.activation = getActivation(activation);
    }
  }

  /** An Activation from its config; `className` 'LeakyReLU', 'ReLU' or 'Softmax' reads those Keras layers' configs. */
  static fromConfig(config: LayerConfig, where = 'Activation', className = 'Activation'): Activation {
    const options: ActivationOptions = { name: configName(config, where) };
    const declared = declaredInputShape(config, where);
    if (declared) options.inputShape = declared;
    return newActivation(
      className === 'Activation'
        ? configActivation(own(config, 'activation'), where)
        : layerActivation(className, config, where),
      undefined,
      options,
    );
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), activation: activationConfig(this.activation) };
  }

  /** leaky_relu is saved as Keras's LeakyReLU layer (TensorFlow.js has no 'leaky_relu' activation string). */
  override toKeras(className: string): KerasLayerJson[] {
    const a = this.activation;
    if (!a.builtin)
      fail(
        `layer '${this.name}' uses the custom activation '${a.name}', which cannot be saved; only built-in activations can`,
      );
    const { activation: _, ...config } = this.getConfig();
    return a.name === 'leaky_relu'
      ? [{ class_name: 'LeakyReLU', config: { ...config, alpha: a.alpha ?? 0.2 } }]
      : [{ class_name: className, config: { ...config, activation: a.name } }];
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  protected buildParams(_rng: Random): void {
    this.lastAxis = this.inputShape[this.inputShape.length - 1];
  }

  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.inputSize);
    this.dx = this.allocActivation(rows * this.inputSize);
  }

  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    const { kernels, arena } = this.backend!;
    const n = rows * this.inputSize;
    // A loss that takes over this (output) layer's activation takes the logits as they are.
    if (mode.logits) return x;
    if (this.activation.builtin) {
      // NHWC rows: the last axis is contiguous, so softmax over it is softmax over rows of that length
      activationForward(kernels, this.activation, x, this.y, n / this.lastAxis, this.lastAxis);
    } else {
      // A copy at the arena's own precision (float64 on the JS backend's double variant, for gradient checks).
      const input = arena.f32(x, n).slice() as Float32Array;
      const out = input.map(this.activation.fn);
      this.hostInput = input;
      arena.write(this.y, out);
    }
    return this.y;
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr {
    if (!needInputGrad) return 0;
    const { kernels, arena } = this.backend!;
    const n = rows * this.inputSize;
    if (mode.logits) return dy;
    if (this.activation.builtin) {
      activationBackward(kernels, this.activation, this.y, dy, this.dx, n / this.lastAxis, this.lastAxis);
    } else {
      const input = this.hostInput;
      if (!input || input.length !== n) fail(`activation '${this.name}': backward without a matching forward pass`);
      const grad = arena.f32(dy, n).slice() as Float32Array;
      for (let i = 0; i < n; i++) grad[i] *= this.activation.fnPrime(input[i]);
      arena.write(this.dx, grad);
    }
    return this.dx;
  }
}

/** `new Activation(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newActivation(...args: ConstructorParameters<typeof Activation>): Activation {
  return new Activation(...args);
}

/** The activation of Keras's LeakyReLU, ReLU and Softmax layers, from their configs. */
function layerActivation(className: string, config: LayerConfig, where: string): ActivationFn {
  if (className === 'LeakyReLU') {
    // TensorFlow.js and Keras 2 call the slope alpha (default 0.3); Keras 3 calls it negative_slope.
    const alpha =
      own(config, 'negative_slope') !== undefined
        ? finite(config, 'negative_slope', 0.3, where)
        : finite(config, 'alpha', 0.3, where);
    if (alpha < 0) fail(`${where}: a negative slope below zero (${alpha}) is not supported`);
    return activations.leakyRelu(alpha);
  }
  if (className === 'ReLU') {
    const maxValue = own(config, 'max_value');
    if (maxValue !== undefined && maxValue !== null)
      fail(`${where}: max_value ${short(maxValue)} is not supported (scratchnet's relu is unbounded)`);
    if (finite(config, 'threshold', 0, where) !== 0) fail(`${where}: a threshold other than 0 is not supported`);
    const slope = finite(config, 'negative_slope', 0, where);
    return slope === 0 ? activations.relu : activations.leakyRelu(slope);
  }
  const axis = own(config, 'axis') ?? -1;
  if (axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1))
    fail(`${where}: softmax over axis ${short(axis)} is not supported (only the last axis)`);
  return activations.softmax;
}
