import type { Ptr } from '../backends/kernels.js';
import { checkOptions } from '../util/options.js';
import { bool, configName, declaredInputShape, type LayerConfig } from './config.js';
import { checkDataFormat, imageShape } from './conv-options.js';
import { KernelLayer, type ForwardMode } from './kernel-layer.js';
import type { Shape } from './shape.js';

/** Options of `new GlobalAveragePooling2D(options)`. */
export interface GlobalAveragePooling2DOptions {
  /** keep the output as [1, 1, c] instead of [c] (Keras's keepdims); default false */
  keepdims?: boolean;
  /** Keras `input_shape` [h, w, c], when this is the first layer */
  inputShape?: readonly number[];
  name?: string;
}

/**
 * Keras's GlobalAveragePooling2D: each channel's mean over the whole image, [h, w, c] → [c]. It is avgPool with the
 * image as its one window.
 */
export class GlobalAveragePooling2D extends KernelLayer {
  static readonly className: string = 'GlobalAveragePooling2D';
  static readonly configKeys = ['keepdims'] as const;

  readonly keepdims: boolean;
  private y: Ptr = 0;
  private dx: Ptr = 0;

  constructor(options: GlobalAveragePooling2DOptions = {}) {
    checkOptions(options, 'GlobalAveragePooling2D(options): options', ['keepdims', 'inputShape', 'name']);
    super(options.name);
    this.keepdims = bool({ keepdims: options.keepdims }, 'keepdims', false, 'GlobalAveragePooling2D');
    this.declareInputShape(options.inputShape, 'GlobalAveragePooling2D');
  }

  static fromConfig(config: LayerConfig, where = 'GlobalAveragePooling2D'): GlobalAveragePooling2D {
    checkDataFormat(config, where);
    const declared = declaredInputShape(config, where);
    return newGlobalAveragePooling2D({
      name: configName(config, where),
      keepdims: bool(config, 'keepdims', false, where),
      ...(declared ? { inputShape: declared } : {}),
    });
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), data_format: 'channels_last', keepdims: this.keepdims };
  }

  computeOutputShape(inputShape: Shape): Shape {
    const [, , c] = imageShape(inputShape, `'${this.name || this.kind}' (GlobalAveragePooling2D)`);
    return this.keepdims ? [1, 1, c] : [c];
  }

  protected buildParams(): void {}

  protected allocateActivations(rows: number): void {
    this.y = this.allocActivation(rows * this.outputSize);
    this.dx = this.allocActivation(rows * this.inputSize);
  }

  forward(x: Ptr, rows: number, _mode: ForwardMode): Ptr {
    const [h, w, c] = this.inputShape;
    this.backend!.kernels.avgPool(x, this.y, rows, h, w, c, h, w, 1, 1, h, w, 0, 0);
    return this.y;
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, _mode: ForwardMode): Ptr {
    if (!needInputGrad) return 0;
    const [h, w, c] = this.inputShape;
    this.backend!.kernels.avgPoolBackward(dy, this.dx, rows, h, w, c, h, w, 1, 1, h, w, 0, 0);
    return this.dx;
  }
}

/** `new GlobalAveragePooling2D(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newGlobalAveragePooling2D(
  ...args: ConstructorParameters<typeof GlobalAveragePooling2D>
): GlobalAveragePooling2D {
  return new GlobalAveragePooling2D(...args);
}
