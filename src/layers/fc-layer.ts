import { fail } from '../util/errors.js';
import { Dense } from './dense.js';

/**
 * The tutorial's fully connected layer: Y = X·W + B, W of shape [inputSize, outputSize], weights and bias
 * initialised uniformly in [−0.5, 0.5] (the tutorial's `np.random.rand(...) - 0.5`) from the model's seed.
 */
export class FCLayer extends Dense {
  override readonly kind: string = 'fc_layer';

  constructor(inputSize: number, outputSize: number, options: { name?: string } = {}) {
    if (!Number.isInteger(inputSize) || inputSize < 1) fail(`FCLayer inputSize must be a positive integer, got ${inputSize}`);
    if (!Number.isInteger(outputSize) || outputSize < 1) fail(`FCLayer outputSize must be a positive integer, got ${outputSize}`);
    super(outputSize, {
      inputDim: inputSize,
      kernelInitializer: 'tutorial_uniform',
      biasInitializer: 'tutorial_uniform',
      name: options.name,
    });
  }
}
