import type { ActivationInput } from '../activations/index.js';
import { Activation } from './activation.js';

/**
 * The tutorial's activation layer: `new ActivationLayer('tanh')`, `new ActivationLayer(activations.tanh)`, or
 * `new ActivationLayer(fn, fnPrime)` with two element-wise JS functions, as in the tutorial's `ActivationLayer(tanh, tanh_prime)`.
 */
export class ActivationLayer extends Activation {
  override readonly kind: string = 'activation_layer';

  constructor(activation: ActivationInput | ((x: number) => number), fnPrime?: (x: number) => number, options: { name?: string } = {}) {
    super(activation, fnPrime, options);
  }
}
