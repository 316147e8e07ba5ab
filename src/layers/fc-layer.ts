import { fail } from '../util/errors.js';
import { ActivationLayer } from './activation-layer.js';
import { Dense } from './dense.js';
import type { KernelLayer } from './kernel-layer.js';
import type { Shape } from './shape.js';

/**
 * The tutorial's fully connected layer: Y = X·W + B, W of shape [inputSize, outputSize], weights and bias
 * initialised uniformly in [−0.5, 0.5] (the tutorial's `np.random.rand(...) - 0.5`) from the model's seed.
 * Saved as a Keras Dense.
 */
export class FCLayer extends Dense {
  static override readonly className: string = 'FCLayer';

  constructor(inputSize: number, outputSize: number, options: { name?: string } = {}) {
    if (!Number.isInteger(inputSize) || inputSize < 1)
      fail(`FCLayer inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(outputSize) || outputSize < 1)
      fail(`FCLayer outputSize must be a positive integer, got ${outputSize}`);
    super(outputSize, {
      inputDim: inputSize,
      kernelInitializer: 'tutorial_uniform',
      biasInitializer: 'tutorial_uniform',
      name: options.name,
    });
  }

  /**
   * A loaded Dense in the tutorial's form: an FCLayer (named as the Dense, so its weights keep their names) followed,
   * when it has an activation, by an ActivationLayer named `<dense>_activation`. A Dense without a bias has no
   * tutorial form and stays a Dense.
   */
  static fromKeras(layer: KernelLayer, inputShape: Shape): KernelLayer[] {
    const dense = layer as Dense;
    const out: KernelLayer[] = [];
    if (!dense.useBias) {
      out.push(
        new Dense(dense.units, {
          name: dense.name,
          useBias: false,
          kernelInitializer: 'zeros',
          inputDim: inputShape[0],
        }),
      );
    } else {
      out.push(newFCLayer(inputShape[0], dense.units, { name: dense.name }));
    }
    if (dense.activation.name !== 'linear')
      out.push(new ActivationLayer(dense.activation, undefined, { name: `${dense.name}_activation` }));
    return out;
  }
}

/** `new FCLayer(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newFCLayer(...args: ConstructorParameters<typeof FCLayer>): FCLayer {
  return new FCLayer(...args);
}
