import { fail, notNumber, short } from '../util/errors.js';
import { ActivationLayer } from './activation-layer.js';
import { Conv2D } from './conv2d.js';
import type { KernelLayer } from './kernel-layer.js';
import type { Shape } from './shape.js';

/**
 * The tutorial's convolutional layer, `ConvLayer(input_shape, kernel_shape, layer_depth)`: a stride-1 'valid'
 * convolution of [h, w, d] images with `depth` filters of [m, n], so the output is [h − m + 1, w − n + 1, depth];
 * weights [m, n, d, depth] and bias [depth] drawn uniformly in [−0.5, 0.5] (the tutorial's `np.random.rand(...) - 0.5`).
 * No activation: the tutorial puts an ActivationLayer after it. Saved as a Keras Conv2D.
 *
 * The bias is the standard one: b[k] is added once to each output of filter k, and its gradient is the sum of the
 * output error over that filter's outputs. The tutorial's code adds b[k] once per input channel and scales its bias
 * gradient by the output depth; those two agree with each other (and with this) only when both depths are 1, as in
 * its MNIST example. A gradient check (test/layers/conv-layer.test.ts) confirms this layer's math.
 */
export class ConvLayer extends Conv2D {
  static override readonly className: string = 'ConvLayer';

  constructor(
    inputShape: readonly [number, number, number] | readonly number[],
    kernelShape: readonly [number, number] | readonly number[],
    depth: number,
    options: { name?: string } = {},
  ) {
    if (!Array.isArray(inputShape) || inputShape.length !== 3)
      fail(`ConvLayer inputShape must be [height, width, depth], got ${short(inputShape)}`);
    if (!Array.isArray(kernelShape) || kernelShape.length !== 2)
      fail(`ConvLayer kernelShape must be [m, n], got ${JSON.stringify(kernelShape)}`);
    if (!Number.isInteger(depth) || depth < 1)
      fail(`ConvLayer depth must be a positive integer, got ${notNumber(depth)}`);
    super(depth, kernelShape as [number, number], {
      inputShape,
      kernelInitializer: 'tutorial_uniform',
      biasInitializer: 'tutorial_uniform',
      name: options.name,
    });
  }

  protected override tooLargeAdvice(): string {
    return "use a smaller kernel or larger images (a ConvLayer has no padding; Conv2D with padding: 'same' keeps the size)";
  }

  /**
   * A loaded Conv2D in the tutorial's form: a ConvLayer (named as the Conv2D, so its weights keep their names) and,
   * when it has an activation, an ActivationLayer `<conv>_activation` after it. A Conv2D that is not stride 1,
   * 'valid', with a bias has no tutorial form and stays a Conv2D.
   */
  static fromKeras(layer: KernelLayer, inputShape: Shape): KernelLayer[] {
    const conv = layer as Conv2D;
    const tutorialForm = conv.strides[0] === 1 && conv.strides[1] === 1 && conv.padding === 'valid' && conv.useBias;
    if (!tutorialForm) return [layer];
    const out: KernelLayer[] = [newConvLayer(inputShape, conv.kernelSize, conv.filters, { name: conv.name })];
    if (conv.activation.name !== 'linear')
      out.push(new ActivationLayer(conv.activation, undefined, { name: `${conv.name}_activation` }));
    return out;
  }
}

/** `new ConvLayer(…)` for the class's own methods (docs/adding-a-layer.md, "The class's name") */
function newConvLayer(...args: ConstructorParameters<typeof ConvLayer>): ConvLayer {
  return new ConvLayer(...args);
}
