import type { Ptr } from '../backends/kernels.js';
import { fail } from '../util/errors.js';
import type { Random } from '../util/random.js';
import { KernelLayer, type ForwardMode } from './kernel-layer.js';

/**
 * Inverted dropout: while training, each value is zeroed with probability `rate` and the rest are scaled by
 * 1/(1 − rate), so inference is the identity and needs no rescaling. The mask comes from a kernel-side hash
 * seeded from the model's generator, so the same seed gives the same masks on both backends.
 */
export class Dropout extends KernelLayer {
  readonly kind: string = 'dropout';
  readonly rate: number;
  private rng: Random | null = null;
  private y: Ptr = 0;
  private mask: Ptr = 0;
  private dx: Ptr = 0;

  constructor(rate: number, options: { name?: string } = {}) {
    super(options.name);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) fail(`Dropout rate must be a number in [0, 1), got ${rate}`);
    this.rate = rate;
  }

  outputSizeFor(inputSize: number): number {
    return inputSize;
  }

  protected buildParams(rng: Random): number {
    this.rng = rng;
    return this.inputSize;
  }

  protected allocateActivations(rows: number): void {
    const n = rows * this.inputSize;
    this.y = this.allocActivation(n);
    this.mask = this.allocActivation(n);
    this.dx = this.allocActivation(n);
  }

  forward(x: Ptr, rows: number, mode: ForwardMode): Ptr {
    if (!mode.training || this.rate === 0) return x;
    this.backend!.kernels.dropout(x, this.y, this.mask, rows * this.inputSize, this.rate, this.rng!.nextUint32());
    return this.y;
  }

  backward(dy: Ptr, rows: number, needInputGrad: boolean, mode: ForwardMode): Ptr {
    if (!needInputGrad) return 0;
    if (!mode.training || this.rate === 0) return dy;
    this.backend!.kernels.mul(dy, this.mask, this.dx, rows * this.inputSize);
    return this.dx;
  }
}
