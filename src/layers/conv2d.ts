import {
  CONV_RELU,
  convArgs,
  convScratchFloats,
  padAxis,
  type Conv2dGeometry,
  type Padding,
} from '../backends/conv-geometry.js';
import type { Ptr } from '../backends/kernels.js';
import {
  activationBackward,
  activationForward,
  getActivation,
  type Activation,
  type ActivationInput,
} from '../activations/index.js';
import { getInitializer, type Initializer, type InitializerInput } from '../initializers/index.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { Random } from '../util/random.js';
import {
  activationConfig,
  bool,
  configActivation,
  configName,
  declaredInputShape,
  own,
  positiveInt,
  short,
  type LayerConfig,
} from './config.js';
import { checkDataFormat, configPair, imageShape, pair, padding as paddingValue } from './conv-options.js';
import { configInitializer } from './dense.js';
import {
  KernelLayer,
  ownClassName,
  type ForwardMode,
  type FusedPool,
  type KerasLayerJson,
  type Param,
  type ParamShape,
} from './kernel-layer.js';
import { formatShape, type Shape } from './shape.js';

/** Options of `new Conv2D(filters, kernelSize, options)`: Keras's, in camelCase (strides 1, 'valid', glorot_uniform, zeros). */
export interface Conv2DOptions {
  /** a number or [h, w]; default 1 */
  strides?: number | readonly [number, number];
  /** 'valid' (default: no padding, the output shrinks) or 'same' (Keras's: the output is ⌈size / stride⌉) */
  padding?: Padding;
  /** a built-in name ('relu', …); default linear */
  activation?: ActivationInput | null;
  useBias?: boolean;
  /** default 'glorot_uniform', as in Keras */
  kernelInitializer?: InitializerInput;
  /** default 'zeros' */
  biasInitializer?: InitializerInput;
  /** Keras `input_shape` [h, w, c], when this is the first layer */
  inputShape?: readonly number[];
  name?: string;
}

const OPTION_KEYS = [
  'strides',
  'padding',
  'activation',
  'useBias',
  'kernelInitializer',
  'biasInitializer',
  'inputShape',
  'name',
];

/**
 * Keras's Conv2D on channels-last images: y = f(conv(x, W) + b), W of shape [kh, kw, inC, filters]. Forward, one
 * kernel for conv, bias and relu (other activations run in place after it); backward, the activation's gradient and
 * both conv gradients, the filter gradient's kernel summing the bias's gradient from the same reads of dy (y is a
 * matrix [n·outH·outW, filters]). The im2col scratch is reserved with the activation buffers — when a larger batch
 * arrives, never in a step.
 */
export class Conv2D extends KernelLayer {
  static readonly className: string = 'Conv2D';
  static readonly configKeys = [
    'filters',
    'kernel_size',
    'strides',
    'padding',
    'activation',
    'use_bias',
    'kernel_initializer',
    'bias_initializer',
  ] as const;

  readonly filters: number;
  readonly kernelSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  readonly activation: Activation;
  readonly useBias: boolean;
  private readonly kernelInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  private readonly initializerInputs: [InitializerInput, InitializerInput];
  /** the geometry for one sample (n = 1), set at build */
  private g!: Conv2dGeometry;
  /** the kernels' numbers after the pointers for `dimsRows` samples, made again only when the batch size changes */
  private dimsCache: ReturnType<typeof convArgs> | undefined;
  private dimsRows = -1;
  private w!: Param;
  private b: Param | undefined;
  private x: Ptr = 0;
  private y: Ptr = 0;
  private dz: Ptr = 0;
  private dx: Ptr = 0;
  private scratch: Ptr = 0;

  constructor(filters: number, kernelSize: number | readonly [number, number], options: Conv2DOptions = {}) {
    checkOptions(options, `Conv2D(${filters}, ${JSON.stringify(kernelSize)}, options): options`, OPTION_KEYS);
    super(options.name);
    if (!Number.isInteger(filters) || filters < 1)
      fail(`Conv2D filters must be a positive integer, got ${short(filters)}`);
    this.filters = filters;
    this.kernelSize = pair(kernelSize, 'Conv2D kernelSize');
    this.strides = pair(options.strides ?? 1, 'Conv2D strides');
    this.padding = paddingValue(options.padding ?? 'valid', 'Conv2D padding');
    this.activation = getActivation(options.activation);
    if (!this.activation.builtin)
      fail(`Conv2D needs a built-in activation; put a custom (fn, fnPrime) pair in its own ActivationLayer`);
    this.useBias = options.useBias ?? true;
    this.initializerInputs = [options.kernelInitializer ?? 'glorot_uniform', options.biasInitializer ?? 'zeros'];
    this.kernelInitializer = getInitializer(this.initializerInputs[0]);
    this.biasInitializer = getInitializer(this.initializerInputs[1]);
    if (options.inputShape !== undefined && (!Array.isArray(options.inputShape) || options.inputShape.length !== 3)) {
      fail(`Conv2D inputShape must be [height, width, channels], got ${short(options.inputShape)}`);
    }
    this.declareInputShape(options.inputShape, 'Conv2D');
  }

  static fromConfig(config: LayerConfig, where = 'Conv2D'): Conv2D {
    checkDataFormat(config, where);
    const dilation = configPair(config, 'dilation_rate', where, [1, 1])!;
    if (dilation[0] !== 1 || dilation[1] !== 1)
      fail(
        `${where}: dilation_rate ${short(own(config, 'dilation_rate'))} is not supported; scratchnet's Conv2D has dilation 1`,
      );
    const groups = own(config, 'groups');
    if (groups !== undefined && groups !== null && groups !== 1)
      fail(`${where}: groups ${short(groups)} is not supported; scratchnet's Conv2D has groups 1`);
    const kernelSize = configPair(config, 'kernel_size', where);
    if (!kernelSize) fail(`${where}: kernel_size is missing`);
    const declared = declaredInputShape(config, where);
    return new this(positiveInt(config, 'filters', where), kernelSize, {
      name: configName(config, where),
      strides: configPair(config, 'strides', where, [1, 1]),
      padding: paddingValue(own(config, 'padding') ?? 'valid', `${where}: padding`),
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
      filters: this.filters,
      kernel_size: [...this.kernelSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: activationConfig(this.activation),
      use_bias: this.useBias,
      kernel_initializer: this.initializerInputs[0],
      bias_initializer: this.initializerInputs[1],
    };
  }

  /** As TensorFlow.js writes a Conv2D, without initializers (the weights follow); leaky_relu has no TF.js string. */
  override toKeras(className: string): KerasLayerJson[] {
    const { kernel_initializer: _k, bias_initializer: _b, ...config } = this.getConfig();
    if (this.activation.name === 'leaky_relu')
      fail(
        `layer '${this.name}' (Conv2D) has activation leaky_relu, which the Keras format has no string for; use a linear Conv2D and an Activation(activations.leakyRelu(…)) layer after it`,
      );
    return [{ class_name: className, config: { ...config, activation: this.activation.name } }];
  }

  override inferInputShape(): Shape | undefined {
    return undefined; // the kernel gives the channels but not the image size
  }

  computeOutputShape(inputShape: Shape): Shape {
    const who = `'${this.name || this.kind}' (${ownClassName(this.constructor)})`;
    const [h, w] = imageShape(inputShape, who);
    const rows = padAxis(h, this.kernelSize[0], this.strides[0], this.padding);
    const cols = padAxis(w, this.kernelSize[1], this.strides[1], this.padding);
    if (rows.out < 1 || cols.out < 1) {
      fail(
        `layer ${who}: its ${this.kernelSize[0]}×${this.kernelSize[1]} kernel is larger than its input images of shape ${formatShape(inputShape)} ` +
          `with padding 'valid'; ${this.tooLargeAdvice()}`,
      );
    }
    return [rows.out, cols.out, this.filters];
  }

  /** what to do about a kernel larger than the images (ConvLayer, which has no padding option, says otherwise) */
  protected tooLargeAdvice(): string {
    return "use a smaller kernel, larger images or padding 'same'";
  }

  override paramShapes(inputShape: Shape): ParamShape[] {
    const kernel = { name: 'kernel', shape: [this.kernelSize[0], this.kernelSize[1], inputShape[2], this.filters] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.filters] }] : [kernel];
  }

  protected buildParams(rng: Random): void {
    const [inH, inW, inC] = this.inputShape;
    const [outH, outW] = this.outputShape;
    const [kh, kw] = this.kernelSize;
    const pads = [
      padAxis(inH, kh, this.strides[0], this.padding).padBefore,
      padAxis(inW, kw, this.strides[1], this.padding).padBefore,
    ];
    this.dimsRows = -1; // a rebuilt layer (another input shape) makes its numbers again
    this.g = {
      n: 1,
      inH,
      inW,
      inC,
      kh,
      kw,
      outC: this.filters,
      outH,
      outW,
      strideH: this.strides[0],
      strideW: this.strides[1],
      padTop: pads[0],
      padLeft: pads[1],
    };
    this.w = this.addParam('kernel', [kh, kw, inC, this.filters], this.kernelInitializer, rng);
    this.b = this.useBias ? this.addParam('bias', [this.filters], this.biasInitializer, rng) : undefined;
  }

  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.outputSize);
    this.dz = this.activation.name === 'linear' ? 0 : this.allocActivation(rows * this.outputSize);
    this.dx = this.allocActivation(rows * this.inputSize);
    this.scratch = this.allocActivation(convScratchFloats({ ...this.g, n: rows }));
  }

  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    const k = this.backend!.kernels,
      g = this.g;
    this.convolve(x, rows, mode);
    if (mode.logits || this.activation.name === 'relu' || this.activation.name === 'linear') return this.y;
    activationForward(k, this.activation, this.y, this.y, rows * g.outH * g.outW, g.outC);
    return this.y;
  }

  /** With relu or no activation, the max pooling above in the same kernel: each band of output rows is pooled while
   *  it is in cache (the bits of maxPool after conv2d). */
  override forwardPooled(x: Ptr, rows: number, mode: ForwardMode, pool: FusedPool): Ptr | undefined {
    if (!isPlainConv2D(this)) return undefined; // a subclass may have a forward pass of its own: it runs as written
    if (!mode.logits && this.activation.name !== 'relu' && this.activation.name !== 'linear') return undefined;
    this.convolve(x, rows, mode, pool);
    return this.y;
  }

  /** y = conv(x) + b, with relu when that is the activation (and the pooling above, given), in one kernel: the bits
   *  of addRowVector, relu and maxPool after a plain conv2d, without their passes */
  private convolve(x: Ptr, rows: number, mode: ForwardMode, pool?: FusedPool): void {
    this.x = x;
    const relu = !mode.logits && this.activation.name === 'relu' ? CONV_RELU : 0;
    const [pooled, poolH, poolW] = pool ? [pool.y, pool.poolH, pool.poolW] : [0, 0, 0];
    this.backend!.kernels.conv2d(
      x,
      this.w.value,
      this.y,
      this.scratch,
      ...this.dims(rows),
      this.b?.value ?? 0,
      relu,
      pooled,
      poolH,
      poolW,
    );
  }

  override get endsInRelu(): boolean {
    return this.activation.name === 'relu';
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr {
    const k = this.backend!.kernels,
      g = this.g;
    const pixels = rows * g.outH * g.outW;
    let dz = dy;
    if (this.dz && !mode.logits && !mode.reluMasked) {
      activationBackward(k, this.activation, this.y, dy, this.dz, pixels, g.outC);
      dz = this.dz;
    }
    // the bias's gradient comes with the filter's, from the same reads of dz; both gradients in one call, which the
    // worker pool can run together (docs/threads.md, tenth round)
    const db = this.b ? this.b.grad : 0;
    if (!needInputGrad) {
      k.conv2dBackwardFilter(this.x, dz, this.w.grad, this.scratch, ...this.dims(rows), db);
      return 0;
    }
    k.conv2dBackward(this.x, dz, this.w.value, this.dx, this.w.grad, this.scratch, ...this.dims(rows), db);
    return this.dx;
  }

  private dims(rows: number): ReturnType<typeof convArgs> {
    if (rows !== this.dimsRows || !this.dimsCache) {
      this.dimsCache = convArgs({ ...this.g, n: rows });
      this.dimsRows = rows;
    }
    return this.dimsCache;
  }
}

/** whether `layer` is a Conv2D itself, not a subclass (outside the class body: docs/adding-a-layer.md) */
function isPlainConv2D(layer: Conv2D): boolean {
  return Object.getPrototypeOf(layer) === Conv2D.prototype;
}
