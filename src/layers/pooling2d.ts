import { padAxis, poolArgs, type Padding, type Pool2dGeometry } from '../backends/conv-geometry.js';
import type { Ptr } from '../backends/kernels.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import { configName, declaredInputShape, own, type LayerConfig } from './config.js';
import { checkDataFormat, configPair, imageShape, pair, padding as paddingValue } from './conv-options.js';
import { KernelLayer, ownClassName, type ForwardMode } from './kernel-layer.js';
import { formatShape, type Shape } from './shape.js';

/** Options of `new MaxPooling2D(poolSize, options)` and `new AveragePooling2D(poolSize, options)` (strides default to the pool size, as in Keras). */
export interface Pooling2DOptions {
  /** a number or [h, w]; default the pool size (Keras's strides=None) */
  strides?: number | readonly [number, number];
  /** 'valid' (default) or 'same' (a window at the edge averages or maxes only what lies inside the image) */
  padding?: Padding;
  /** Keras `input_shape` [h, w, c], when this is the first layer */
  inputShape?: readonly number[];
  name?: string;
}

/**
 * What MaxPooling2D and AveragePooling2D share: Keras's arguments and output shapes, the geometry, and the buffers
 * (the output and the input gradient). The subclass says which kernels run.
 */
export abstract class Pooling2D extends KernelLayer {
  static readonly configKeys = ['pool_size', 'strides', 'padding'] as const;

  readonly poolSize: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
  protected g!: Pool2dGeometry;
  private dimsCache: ReturnType<typeof poolArgs> | undefined;
  private dimsRows = -1;

  /** the kernels' numbers after the pointers for `rows` samples, made again only when the batch size changes */
  protected dims(rows: number): ReturnType<typeof poolArgs> {
    if (rows !== this.dimsRows || !this.dimsCache) {
      this.dimsCache = poolArgs({ ...this.g, n: rows });
      this.dimsRows = rows;
    }
    return this.dimsCache;
  }
  protected x: Ptr = 0;
  protected y: Ptr = 0;
  protected dx: Ptr = 0;

  constructor(poolSize: number | readonly [number, number] = 2, options: Pooling2DOptions = {}) {
    const who = ownClassName(new.target);
    checkOptions(options, `${who}(${JSON.stringify(poolSize)}, options): options`, [
      'strides',
      'padding',
      'inputShape',
      'name',
    ]);
    super(options.name);
    this.poolSize = pair(poolSize, `${who} poolSize`);
    this.strides =
      options.strides === undefined || options.strides === null
        ? this.poolSize
        : pair(options.strides, `${who} strides`);
    this.padding = paddingValue(options.padding ?? 'valid', `${who} padding`);
    this.declareInputShape(options.inputShape, who);
  }

  static fromConfig<T extends Pooling2D>(
    this: new (poolSize: [number, number], options: Pooling2DOptions) => T,
    config: LayerConfig,
    where = 'Pooling2D',
  ): T {
    checkDataFormat(config, where);
    const poolSize = configPair(config, 'pool_size', where, [2, 2])!;
    const declared = declaredInputShape(config, where);
    return new this(poolSize, {
      name: configName(config, where),
      strides: configPair(config, 'strides', where, poolSize),
      padding: paddingValue(own(config, 'padding') ?? 'valid', `${where}: padding`),
      ...(declared ? { inputShape: declared } : {}),
    });
  }

  override getConfig(): LayerConfig {
    return {
      ...super.getConfig(),
      pool_size: [...this.poolSize],
      strides: [...this.strides],
      padding: this.padding,
      data_format: 'channels_last',
    };
  }

  computeOutputShape(inputShape: Shape): Shape {
    const who = `'${this.name || this.kind}' (${ownClassName(this.constructor)})`;
    const [h, w, c] = imageShape(inputShape, who);
    const rows = padAxis(h, this.poolSize[0], this.strides[0], this.padding);
    const cols = padAxis(w, this.poolSize[1], this.strides[1], this.padding);
    if (rows.out < 1 || cols.out < 1) {
      fail(
        `layer ${who}: its ${this.poolSize[0]}×${this.poolSize[1]} pool is larger than its input images of shape ${formatShape(inputShape)} ` +
          `with padding 'valid'; use a smaller pool or padding 'same'`,
      );
    }
    // ('same' never leaves a window outside the image: Keras's pad before is less than half a window)
    return [rows.out, cols.out, c];
  }

  protected buildParams(): void {
    const [inH, inW, c] = this.inputShape;
    const [outH, outW] = this.outputShape;
    const [poolH, poolW] = this.poolSize;
    this.dimsRows = -1; // a rebuilt layer (another input shape) makes its numbers again
    this.g = {
      n: 1,
      inH,
      inW,
      c,
      poolH,
      poolW,
      outH,
      outW,
      strideH: this.strides[0],
      strideW: this.strides[1],
      padTop: padAxis(inH, poolH, this.strides[0], this.padding).padBefore,
      padLeft: padAxis(inW, poolW, this.strides[1], this.padding).padBefore,
    };
  }

  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.outputSize);
    this.dx = this.allocActivation(rows * this.inputSize);
  }

  forward(x: Ptr, rows: number, _mode: ForwardMode): Ptr {
    this.x = x;
    this.pool(x, rows);
    return this.y;
  }

  override takePooled(x: Ptr): Ptr {
    this.x = x;
    return this.y;
  }

  /** whether the windows tile the image: strides the pool's, no padding (Keras's defaults) */
  protected get tiles(): boolean {
    return this.padding === 'valid' && this.strides[0] === this.poolSize[0] && this.strides[1] === this.poolSize[1];
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr {
    if (!needInputGrad) return 0;
    this.poolBackward(dy, rows, mode);
    return this.dx;
  }

  /** this.y from x, for `rows` samples */
  protected abstract pool(x: Ptr, rows: number): void;
  /** this.dx from dy (and this.x, the forward input) */
  protected abstract poolBackward(dy: Ptr, rows: number, mode: ForwardMode): void;
}
