import type { Ptr } from '../backends/kernels.js';
import { checkOptions } from '../util/options.js';
import { configName, declaredInputShape, type LayerConfig } from './config.js';
import { checkDataFormat } from './conv-options.js';
import { KernelLayer, type ForwardMode } from './kernel-layer.js';
import { shapeSize, type Shape } from './shape.js';

/** Options of `new Flatten(options)`. */
export interface FlattenOptions {
  name?: string;
  /** Keras `input_shape`, e.g. [28, 28, 1], when this is the first layer */
  inputShape?: readonly number[];
}

/**
 * Keras's Flatten: each sample of shape [h, w, c] (or any shape) becomes a row of h·w·c values, in row-major
 * (channels-last) order. It costs nothing: a sample already is one contiguous row of its values in the arena (NHWC),
 * so forward hands on its input pointer and backward its output gradient — no copy, no buffer, no kernel.
 */
export class Flatten extends KernelLayer {
  static readonly className: string = 'Flatten';
  static readonly configKeys = [] as const;

  constructor(options: FlattenOptions = {}) {
    checkOptions(options, 'Flatten(options): options', ['inputShape', 'name']);
    super(options.name);
    this.declareInputShape(options.inputShape, 'Flatten');
  }

  static fromConfig(config: LayerConfig, where = 'Flatten'): Flatten {
    checkDataFormat(config, where);
    const declared = declaredInputShape(config, where);
    return new this({ name: configName(config, where), ...(declared ? { inputShape: declared } : {}) });
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), data_format: 'channels_last' };
  }

  computeOutputShape(inputShape: Shape): Shape {
    return [shapeSize(inputShape)];
  }

  protected buildParams(): void {}

  protected allocateActivations(): void {}

  forward(x: Ptr, _rows: number, _mode: ForwardMode): Ptr {
    return x;
  }

  backward(dy: Ptr, _rows: number, needInputGrad: boolean, _mode: ForwardMode): Ptr {
    return needInputGrad ? dy : 0;
  }
}
