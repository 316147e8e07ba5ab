import type { Ptr } from '../backends/kernels.js';
import { Pooling2D } from './pooling2d.js';

export type { Pooling2DOptions as AveragePooling2DOptions } from './pooling2d.js';

/**
 * Keras's AveragePooling2D: the mean of each poolSize window, per channel (strides default to the pool size). With
 * 'same', a window at the edge averages only the elements inside the image, as Keras does.
 */
export class AveragePooling2D extends Pooling2D {
  static readonly className: string = 'AveragePooling2D';

  protected pool(x: Ptr, rows: number): void {
    this.backend!.kernels.avgPool(x, this.y, ...this.dims(rows));
  }

  protected poolBackward(dy: Ptr, rows: number): void {
    this.backend!.kernels.avgPoolBackward(dy, this.dx, ...this.dims(rows));
  }
}
