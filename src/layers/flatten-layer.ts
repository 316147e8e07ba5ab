import { Flatten } from './flatten.js';
import type { KernelLayer } from './kernel-layer.js';

/**
 * The tutorial's FlattenLayer: turns each sample (an image [h, w, c] from a ConvLayer) into one row of values, and
 * the gradient back into the sample's shape — here free, as in Flatten, since samples are contiguous rows already.
 * Saved as a Keras Flatten.
 */
export class FlattenLayer extends Flatten {
  static override readonly className: string = 'FlattenLayer';

  constructor(options: { name?: string } = {}) {
    super(options);
  }

  /** A loaded Flatten in the tutorial's form. */
  static fromKeras(layer: KernelLayer): KernelLayer[] {
    return [newFlattenLayer({ name: layer.name })];
  }
}

/** `new FlattenLayer(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newFlattenLayer(...args: ConstructorParameters<typeof FlattenLayer>): FlattenLayer {
  return new FlattenLayer(...args);
}
