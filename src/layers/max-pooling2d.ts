import type { Ptr } from '../backends/kernels.js';
import type { ForwardMode, FusedPool } from './kernel-layer.js';
import { Pooling2D } from './pooling2d.js';

export type { Pooling2DOptions as MaxPooling2DOptions } from './pooling2d.js';

/**
 * Keras's MaxPooling2D: the largest value of each poolSize window, per channel (strides default to the pool size).
 * The backward pass sends each gradient to the element the forward chose, recomputing the choice from the input.
 */
export class MaxPooling2D extends Pooling2D {
  static readonly className: string = 'MaxPooling2D';

  protected pool(x: Ptr, rows: number): void {
    this.backend!.kernels.maxPool(x, this.y, ...this.dims(rows));
  }

  override get masksRelu(): boolean {
    return true;
  }

  override get fusedPool(): FusedPool | undefined {
    // a subclass may have passes of its own: it runs them as written
    return isPlainMaxPooling2D(this) && this.tiles
      ? { y: this.y, poolH: this.poolSize[0], poolW: this.poolSize[1] }
      : undefined;
  }

  protected poolBackward(dy: Ptr, rows: number, mode: ForwardMode): void {
    // with maskRelu, x is the relu's output below: its gradient is this one where x > 0 (one pass instead of two)
    this.backend!.kernels.maxPoolBackward(this.x, dy, this.dx, ...this.dims(rows), mode.maskRelu ? 1 : 0);
  }
}

/** whether `layer` is a MaxPooling2D itself, not a subclass (outside the class body: docs/adding-a-layer.md) */
function isPlainMaxPooling2D(layer: MaxPooling2D): boolean {
  return Object.getPrototypeOf(layer) === MaxPooling2D.prototype;
}
