import type { Ptr } from '../backends/kernels.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';
import type { Random } from '../util/random.js';
import { configName, declaredInputShape, own, short, type LayerConfig } from './config.js';
import { KernelLayer, type ForwardMode } from './kernel-layer.js';
import type { Shape } from './shape.js';

/**
 * Inverted dropout: while training, each value is zeroed with probability `rate` and the rest are scaled by
 * 1/(1 − rate), so inference is the identity and needs no rescaling. The mask comes from a kernel-side hash
 * seeded from the model's generator, so the same seed gives the same masks on both backends.
 */
export class Dropout extends KernelLayer {
  static readonly className: string = 'Dropout';
  static readonly configKeys = ['rate'] as const;

  readonly rate: number;
  private rng: Random | null = null;
  private y: Ptr = 0;
  private mask: Ptr = 0;
  private dx: Ptr = 0;

  constructor(rate: number, options: { name?: string; inputShape?: readonly number[] } = {}) {
    checkOptions(options, `Dropout(${short(rate)}, options): options`, ['inputShape', 'name']);
    super(options.name);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
      fail(`Dropout rate must be a number in [0, 1), got ${rate}`);
    this.rate = rate;
    this.declareInputShape(options.inputShape, 'Dropout');
  }

  static fromConfig(config: LayerConfig, where = 'Dropout'): Dropout {
    const rate = own(config, 'rate');
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
      fail(`${where}: rate must be a number in [0, 1), got ${short(rate)}`);
    const noise = own(config, 'noise_shape');
    if (noise !== undefined && noise !== null)
      fail(`${where}: a noise_shape (${short(noise)}) is not supported; scratchnet drops values independently`);
    const declared = declaredInputShape(config, where);
    return newDropout(rate, { name: configName(config, where), ...(declared ? { inputShape: declared } : {}) });
  }

  override getConfig(): LayerConfig {
    return { ...super.getConfig(), rate: this.rate, noise_shape: null, seed: null };
  }

  computeOutputShape(inputShape: Shape): Shape {
    return inputShape;
  }

  protected buildParams(rng: Random): void {
    this.rng = rng;
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

/** `new Dropout(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newDropout(...args: ConstructorParameters<typeof Dropout>): Dropout {
  return new Dropout(...args);
}
