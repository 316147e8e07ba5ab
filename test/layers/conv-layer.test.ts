// The tutorial's ConvLayer: its shapes and initial weights, the bias math (standard, not the tutorial code's; a
// gradient check decides), sample-by-sample training in a Network mixed with a custom Layer, and saving as Conv2D.
import { describe, expect, it } from 'vitest';
import {
  ActivationLayer,
  ConvLayer,
  FCLayer,
  FlattenLayer,
  Layer,
  Network,
  Sequential,
  Flatten,
  Dense,
  checkGradients,
} from '../../src/index.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import { BACKENDS } from '../models/backends.js';

/** The tutorial's pattern: a layer of one's own over Float32Arrays; y = 2x. */
class Double extends Layer {
  forwardPropagation(input: Float32Array): Float32Array {
    return input.map((v) => 2 * v);
  }
  backwardPropagation(outputError: Float32Array): Float32Array {
    return outputError.map((v) => 2 * v);
  }
}

describe("the tutorial's ConvLayer", () => {
  it('is a stride-1 valid convolution: [h, w, d] → [h − m + 1, w − n + 1, depth], weights [m, n, d, depth] in [−0.5, 0.5]', () => {
    const layer = new ConvLayer([6, 5, 3], [3, 2], 4);
    expect(layer.computeOutputShape([6, 5, 3])).toEqual([4, 4, 4]);
    layer.forwardPropagation(new Float32Array(90));
    const [w, b] = layer.getWeights();
    expect(w.length).toBe(3 * 2 * 3 * 4);
    expect(b.length).toBe(4);
    for (const v of [...w, ...b]) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
    expect(new Set(w).size).toBe(w.length); // drawn, not constant
    layer.dispose();
  });

  it('adds each bias once per output (the tutorial code adds it once per input channel)', () => {
    const layer = new ConvLayer([2, 2, 3], [1, 1], 2);
    layer.forwardPropagation(new Float32Array(12));
    layer.setWeights([new Float32Array(6), Float32Array.from([0.25, -0.5])]);
    // zero kernel: every output is its filter's bias, not 3 × it
    expect(Array.from(layer.forwardPropagation(Float32Array.from({ length: 12 }, (_, i) => i)))).toEqual([
      0.25, -0.5, 0.25, -0.5, 0.25, -0.5, 0.25, -0.5,
    ]);
    // its bias gradient is the sum of the output error over the filter's outputs (the tutorial code: depth × that)
    layer.backwardPropagation(Float32Array.from([1, 2, 1, 2, 1, 2, 1, 2]), 0.125);
    expect(Array.from(layer.getWeights()[1])).toEqual([0.25 - 0.125 * 4, -0.5 - 0.125 * 8]);
    layer.dispose();
  });

  it('gradient check with input depth 3 and output depth 2 (where the tutorial code would be wrong)', () => {
    const model = new Sequential(
      [
        new ConvLayer([5, 4, 3], [2, 3], 2),
        new ActivationLayer('tanh'),
        new Flatten(),
        new Dense(2, { activation: 'softmax' }),
      ],
      { backend: 'js', seed: 8 },
    );
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const x = { data: Float32Array.from({ length: 3 * 60 }, (_, i) => Math.cos(i * 0.61)), shape: [3, 5, 4, 3] };
    const report = checkGradients(model, x, [1, 0, 1], { maxChecks: Infinity });
    expect(report.maxRelativeError).toBeLessThan(1e-7);
    model.dispose();
  });

  it('bad arguments name what is expected', () => {
    expect(() => new ConvLayer([28, 28] as never, [3, 3], 1)).toThrow(
      'ConvLayer inputShape must be [height, width, depth], got [28,28]',
    );
    expect(() => new ConvLayer([28, 28, 1], [3] as never, 1)).toThrow('ConvLayer kernelShape must be [m, n], got [3]');
    expect(() => new ConvLayer([28, 28, 1], [3, 3], 0)).toThrow('ConvLayer depth must be a positive integer, got 0');
    expect(() => new ConvLayer([2, 2, 1], [3, 3], 1).computeOutputShape([2, 2, 1])).toThrow(
      /its 3×3 kernel is larger than its input images of shape \[2, 2, 1\] with padding 'valid'; use a smaller kernel or larger images \(a ConvLayer has no padding; Conv2D with padding: 'same' keeps the size\)$/,
    );
  });

  it.each(BACKENDS)(
    'a Network trains it sample by sample with a custom Layer mixed in, and saves it as a Keras Conv2D (%s)',
    async (backend) => {
      // 5×5 two-channel images: is the bright spot in the top half?
      const images = Array.from({ length: 20 }, (_, i) =>
        Array.from({ length: 5 }, (_, r) =>
          Array.from({ length: 5 }, (_, c) => [
            ((i * 3 + r * 5 + c * 7) % 13) / 26 + (r === (i % 2 ? 1 : 3) && c === i % 5 ? 1 : 0),
            ((i + r + c) % 3) / 6,
          ]),
        ),
      );
      const targets = images.map((_, i) => [i % 2 ? 1 : -1]);
      const net = new Network({ seed: 2, backend });
      net.add(new ConvLayer([5, 5, 2], [2, 2], 3));
      net.add(new ActivationLayer('tanh'));
      net.add(new FlattenLayer());
      net.add(new Double());
      net.add(new FCLayer(48, 1));
      net.add(new ActivationLayer('tanh'));
      net.use('mse');
      const errors = await net.fit(images, targets, { epochs: 40, learningRate: 0.02, verbose: false });
      expect(errors[39]).toBeLessThan(errors[0] / 4);
      net.dispose();

      const plain = new Network({ seed: 2, backend });
      plain.add(new ConvLayer([5, 5, 2], [2, 2], 3));
      plain.add(new ActivationLayer('tanh'));
      plain.add(new FlattenLayer());
      plain.add(new FCLayer(48, 1));
      plain.use('mse');
      await plain.fit(images, targets, { epochs: 2, learningRate: 0.02, verbose: false });
      const h = memoryHandler();
      await plain.save(h);
      const topology = h.artifacts!.modelTopology as {
        config: { layers: { class_name: string; config: Record<string, unknown> }[] };
      };
      expect(topology.config.layers.map((l) => l.class_name)).toEqual(['Conv2D', 'Activation', 'Flatten', 'Dense']);
      expect(topology.config.layers[0].config).toMatchObject({
        filters: 3,
        kernel_size: [2, 2],
        strides: [1, 1],
        padding: 'valid',
        batch_input_shape: [null, 5, 5, 2],
      });
      const back = await Network.load(h.artifacts!, { backend });
      expect(back.layers.map((l) => l.constructor.name)).toEqual([
        'ConvLayer',
        'ActivationLayer',
        'FlattenLayer',
        'FCLayer',
      ]);
      expect(back.predict(images)).toEqual(plain.predict(images));
      plain.dispose();
      back.dispose();
    },
  );
});
