import type { Ptr } from '../backends/kernels.js';
import {
  activationBackward,
  activationForward,
  getActivation,
  type Activation,
  type ActivationInput,
} from '../activations/index.js';
import {
  getInitializer,
  initializers,
  type Initializer,
  type InitializerInput,
  type InitializerName,
} from '../initializers/index.js';
import { fail, notNumber, short } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { Random } from '../util/random.js';
import {
  activationConfig,
  bool,
  configActivation,
  configName,
  declaredInputShape,
  isObject,
  kerasSnakeCase,
  own,
  positiveInt,
  type LayerConfig,
} from './config.js';
import { KernelLayer, type ForwardMode, type KerasLayerJson, type Param, type ParamShape } from './kernel-layer.js';
import { formatShape, type Shape } from './shape.js';

/** Options of `new Dense(units, options)`, with Keras's names. */
export interface DenseOptions {
  /** Keras `input_shape`: [features]; needed on the first layer of a Sequential */
  inputShape?: readonly number[];
  /** Keras `input_dim` */
  inputDim?: number;
  /** a built-in name ('relu', 'softmax', …) or an entry of `activations`; default linear */
  activation?: ActivationInput | null;
  /** default 'glorot_uniform', as in Keras */
  kernelInitializer?: InitializerInput;
  /** default 'zeros' */
  biasInitializer?: InitializerInput;
  useBias?: boolean;
  name?: string;
}

/**
 * A fully connected layer: y = f(x·W + b) with W of shape [inputs, units]. The activation runs in place on the
 * layer's output, and its gradient in the layer's own buffer, so the layer is three or four kernel calls each way.
 * It takes flat samples ([features]); put a Flatten before it for images (Keras would apply it to the last axis).
 */
export class Dense extends KernelLayer {
  static readonly className: string = 'Dense';
  /** the Keras config keys fromConfig reads besides name and the input shape (worker specs take their camelCase) */
  static readonly configKeys = ['units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer'] as const;

  readonly units: number;
  activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  /** the initializers as given (a name or a function), for getConfig */
  private readonly initializerInputs: [InitializerInput, InitializerInput];
  private w!: Param;
  private b: Param | undefined;
  private y: Ptr = 0;
  private dz: Ptr = 0;
  private dx: Ptr = 0;
  private x: Ptr = 0;

  constructor(units: number, options: DenseOptions = {}) {
    checkOptions(options, `Dense(${units}, options): options`, [
      'inputShape',
      'inputDim',
      'activation',
      'kernelInitializer',
      'biasInitializer',
      'useBias',
      'name',
    ]);
    super(options.name);
    if (!Number.isInteger(units) || units < 1) fail(`Dense units must be a positive integer, got ${notNumber(units)}`);
    this.units = units;
    this.activation = getActivation(options.activation);
    if (!this.activation.builtin)
      fail(`Dense needs a built-in activation; put a custom (fn, fnPrime) pair in its own ActivationLayer`);
    this.useBias = options.useBias ?? true;
    this.initializerInputs = [options.kernelInitializer ?? 'glorot_uniform', options.biasInitializer ?? 'zeros'];
    this.kernelInitializer = getInitializer(this.initializerInputs[0]);
    this.biasInitializer = getInitializer(this.initializerInputs[1]);
    const shape = options.inputShape;
    if (
      shape !== undefined &&
      (!Array.isArray(shape) || shape.length !== 1 || !Number.isInteger(shape[0]) || shape[0] < 1)
    ) {
      fail(
        `Dense inputShape must be [features] with a positive integer, got ${short(shape)} (for images, put a Flatten({ inputShape }) first)`,
      );
    }
    const dim = options.inputDim ?? shape?.[0];
    if (dim !== undefined && (!Number.isInteger(dim) || dim < 1))
      fail(`Dense inputDim must be a positive integer, got ${notNumber(dim)}`);
    this.declareInputShape(dim === undefined ? undefined : [dim], 'Dense');
  }

  static fromConfig(config: LayerConfig, where = 'Dense'): Dense {
    const declared = declaredInputShape(config, where);
    if (declared && declared.length !== 1) {
      fail(
        `${where} receives inputs of shape ${formatShape(declared)}; scratchnet's Dense takes flat rows (add a Flatten before it)`,
      );
    }
    return newDense(positiveInt(config, 'units', where), {
      name: configName(config, where),
      activation: configActivation(own(config, 'activation'), where),
      useBias: bool(config, 'use_bias', true, where),
      kernelInitializer: configInitializer(own(config, 'kernel_initializer'), 'glorot_uniform'),
      biasInitializer: configInitializer(own(config, 'bias_initializer'), 'zeros'),
      ...(declared ? { inputShape: declared } : {}),
    });
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: activationConfig(this.activation),
      use_bias: this.useBias,
      kernel_initializer: this.initializerInputs[0],
      bias_initializer: this.initializerInputs[1],
    };
  }

  /**
   * As TensorFlow.js writes a Dense, without initializers (the weights follow). A leaky_relu becomes a linear Dense
   * and a LeakyReLU layer, since TensorFlow.js has no 'leaky_relu' activation string; the weights keep this name.
   */
  override toKeras(className: string): KerasLayerJson[] {
    const { kernel_initializer: _k, bias_initializer: _b, ...config } = this.getConfig();
    if (this.activation.name !== 'leaky_relu')
      return [{ class_name: className, config: { ...config, activation: this.activation.name } }];
    return [
      { class_name: className, config: { ...config, activation: 'linear' } },
      { class_name: 'LeakyReLU', config: { name: `${this.name}_leaky_re_lu`, alpha: this.activation.alpha ?? 0.2 } },
    ];
  }

  override absorb(next: KernelLayer, savedName: string): boolean {
    const a = (next as { activation?: Activation }).activation;
    if (this.activation.name !== 'linear' || a?.name !== 'leaky_relu' || savedName !== `${this.name}_leaky_re_lu`)
      return false;
    this.activation = a;
    return true;
  }

  override inferInputShape(weights: ReadonlyMap<string, readonly number[]>): Shape | undefined {
    const kernel = weights.get('kernel');
    if (!kernel) return undefined;
    if (kernel.length !== 2 || kernel[0] < 1)
      fail(`weight '${this.name}/kernel' has shape ${formatShape(kernel)}; a Dense kernel is [inputs, units]`);
    return [kernel[0]];
  }

  computeOutputShape(inputShape: Shape): Shape {
    if (inputShape.length !== 1) {
      fail(
        `layer '${this.name || this.kind}' (Dense) takes flat samples [features] but receives shape ${formatShape(inputShape)}; put a Flatten() before it`,
      );
    }
    return [this.units];
  }

  override paramShapes(inputShape: Shape): ParamShape[] {
    const kernel = { name: 'kernel', shape: [inputShape[0], this.units] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.units] }] : [kernel];
  }

  protected buildParams(rng: Random): void {
    this.w = this.addParam('kernel', [this.inputSize, this.units], this.kernelInitializer, rng);
    this.b = this.useBias ? this.addParam('bias', [this.units], this.biasInitializer, rng) : undefined;
  }

  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.units);
    this.dz = this.activation.name === 'linear' ? 0 : this.allocActivation(rows * this.units);
    this.dx = this.allocActivation(rows * this.inputSize);
  }

  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    const k = this.backend!.kernels;
    this.x = x;
    // Skip the exact zeros of x (most MNIST pixels; half of relu's outputs, one sample at a time): the same bits as
    // matmul for finite weights, and weights that are not finite already stopped training. On a batch the kernel
    // skips only where x is sparse enough for that to pay, and runs matmul otherwise.
    k.matmulSkipZeros(x, this.w.value, this.y, rows, this.inputSize, this.units);
    if (this.b) k.addRowVector(this.y, this.b.value, rows, this.units);
    if (!mode.logits) activationForward(k, this.activation, this.y, this.y, rows, this.units);
    return this.y;
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr {
    const dz = this.activationGrad(dy, rows, mode);
    const k = this.backend!.kernels;
    if (this.b) k.sumRows(dz, this.b.grad, rows, this.units);
    if (!needInputGrad) {
      k.matmulTransASkipZeros(this.x, dz, this.w.grad, rows, this.inputSize, this.units);
      return 0;
    }
    k.denseBackward(this.x, dz, this.w.value, this.w.grad, this.dx, rows, this.inputSize, this.units);
    return this.dx;
  }

  override backwardWithSgd(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode, lr: number): Ptr {
    const dz = this.activationGrad(dy, rows, mode);
    const k = this.backend!.kernels;
    if (needInputGrad) k.matmulTransB(dz, this.w.value, this.dx, rows, this.units, this.inputSize);
    // After dx (which needs the weights before the step): w −= lr·xᵀ·dz with no dW buffer, skipping the zero rows of
    // x; the same bits as matmulTransA then sgdStep.
    k.sgdOuterStep(this.x, dz, this.w.value, rows, this.inputSize, this.units, lr);
    if (this.b) {
      k.sumRows(dz, this.b.grad, rows, this.units);
      k.sgdStep(this.b.value, this.b.grad, this.units, lr);
    }
    return needInputGrad ? this.dx : 0;
  }

  /** dE/dZ, before the activation: through it, or dy itself when the loss took the activation over */
  private activationGrad(dy: Ptr, rows: number, mode: ForwardMode): Ptr {
    if (!this.dz || mode.logits) return dy;
    activationBackward(this.backend!.kernels, this.activation, this.y, dy, this.dz, rows, this.units);
    return this.dz;
  }
}

/** `new Dense(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newDense(...args: ConstructorParameters<typeof Dense>): Dense {
  return new Dense(...args);
}

/**
 * An initializer in a config: a name of ours (snake or camelCase), a function, or Keras's { class_name: 'HeNormal' }.
 * One scratchnet lacks (with its own settings) falls back to the default: loading replaces the weights anyway.
 */
export function configInitializer(v: unknown, fallback: InitializerName): InitializerInput {
  if (typeof v === 'string' || typeof v === 'function') return v as InitializerInput;
  if (isObject(v) && typeof own(v, 'class_name') === 'string') {
    const name = kerasSnakeCase(own(v, 'class_name') as string);
    if (Object.prototype.hasOwnProperty.call(initializers, name)) return name as InitializerName;
  }
  return fallback;
}
