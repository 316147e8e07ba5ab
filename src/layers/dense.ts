import type { Ptr } from '../backends/kernels.js';
import { activationBackward, activationForward, getActivation, type Activation, type ActivationInput } from '../activations/index.js';
import { getInitializer, type Initializer, type InitializerInput } from '../initializers/index.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { Random } from '../util/random.js';
import { KernelLayer, type ForwardMode, type Param } from './kernel-layer.js';

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
 */
export class Dense extends KernelLayer {
  readonly kind: string = 'dense';
  readonly units: number;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private readonly fixedInput: number | undefined;
  private w!: Param;
  private b: Param | undefined;
  private y: Ptr = 0;
  private dz: Ptr = 0;
  private dx: Ptr = 0;
  private x: Ptr = 0;

  constructor(units: number, options: DenseOptions = {}) {
    checkOptions(options, `Dense(${units}, options): options`, ['inputShape', 'inputDim', 'activation', 'kernelInitializer', 'biasInitializer', 'useBias', 'name']);
    super(options.name);
    if (!Number.isInteger(units) || units < 1) fail(`Dense units must be a positive integer, got ${units}`);
    this.units = units;
    this.activation = getActivation(options.activation);
    if (!this.activation.builtin) fail(`Dense needs a built-in activation; put a custom (fn, fnPrime) pair in its own ActivationLayer`);
    this.useBias = options.useBias ?? true;
    this.kernelInitializer = getInitializer(options.kernelInitializer ?? 'glorot_uniform');
    this.biasInitializer = getInitializer(options.biasInitializer ?? 'zeros');
    const shape = options.inputShape;
    if (shape !== undefined && (!Array.isArray(shape) || shape.length !== 1 || !Number.isInteger(shape[0]) || shape[0] < 1)) {
      fail(`Dense inputShape must be [features] with a positive integer, got ${JSON.stringify(shape)}`);
    }
    const dim = options.inputDim ?? shape?.[0];
    if (dim !== undefined && (!Number.isInteger(dim) || dim < 1)) fail(`Dense inputDim must be a positive integer, got ${dim}`);
    this.fixedInput = dim;
  }

  override get declaredInputSize(): number | undefined {
    return this.fixedInput;
  }

  outputSizeFor(): number {
    return this.units;
  }

  override paramCountFor(inputSize: number): number {
    return inputSize * this.units + (this.useBias ? this.units : 0);
  }

  protected buildParams(rng: Random): number {
    this.w = this.addParam('kernel', [this.inputSize, this.units], this.kernelInitializer, rng);
    this.b = this.useBias ? this.addParam('bias', [this.units], this.biasInitializer, rng) : undefined;
    return this.units;
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
    if (!this.skipsActivation(mode)) activationForward(k, this.activation, this.y, this.y, rows, this.units);
    return this.y;
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode, sgdRate?: number): Ptr {
    const k = this.backend!.kernels;
    let dz = dy;
    if (this.dz && !this.skipsActivation(mode)) {
      activationBackward(k, this.activation, this.y, dy, this.dz, rows, this.units);
      dz = this.dz;
    }
    if (this.b) k.sumRows(dz, this.b.grad, rows, this.units);
    if (sgdRate === undefined) k.matmulTransASkipZeros(this.x, dz, this.w.grad, rows, this.inputSize, this.units);
    if (needInputGrad) k.matmulTransB(dz, this.w.value, this.dx, rows, this.units, this.inputSize);
    if (sgdRate !== undefined) {
      // Plain SGD fused in, after dx (which needs the weights before the step): w −= lr·xᵀ·dz with no dW buffer,
      // skipping the zero rows of x; the same bits as matmulTransA then sgdStep.
      k.sgdOuterStep(this.x, dz, this.w.value, rows, this.inputSize, this.units, sgdRate);
      if (this.b) k.sgdStep(this.b.value, this.b.grad, this.units, sgdRate);
    }
    return needInputGrad ? this.dx : 0;
  }

  private skipsActivation(mode: ForwardMode): boolean {
    return mode.logits && this.activation.builtin && (this.activation.name === 'softmax' || this.activation.name === 'sigmoid');
  }
}
