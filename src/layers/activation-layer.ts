import type { ActivationInput } from '../activations/index.js';
import { Activation } from './activation.js';
import type { KernelLayer } from './kernel-layer.js';

/**
 * The tutorial's activation layer: `new ActivationLayer('tanh')`, `new ActivationLayer(activations.tanh)`, or
 * `new ActivationLayer(fn, fnPrime)` with two element-wise JS functions, as in the tutorial's `ActivationLayer(tanh, tanh_prime)`.
 * Saved as a Keras Activation.
 */
export class ActivationLayer extends Activation {
  static override readonly className: string = 'ActivationLayer';

  constructor(
    activation: ActivationInput | ((x: number) => number),
    fnPrime?: (x: number) => number,
    options: { name?: string } = {},
  ) {
    super(activation, fnPrime, options);
  }

  /** A loaded Activation in the tutorial's form. */
  static fromKeras(layer: KernelLayer): KernelLayer[] {
    return [newActivationLayer((layer as Activation).activation, undefined, { name: layer.name })];
  }
}

/** `new ActivationLayer(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newActivationLayer(...args: ConstructorParameters<typeof ActivationLayer>): ActivationLayer {
  return new ActivationLayer(...args);
}
