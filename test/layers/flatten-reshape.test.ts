// Flatten, Reshape and the tutorial's FlattenLayer: Keras's output shapes, errors that name both shapes, no copy,
// exact gradients, and the summary Keras prints.
import { describe, expect, it } from 'vitest';
import {
  Dense,
  FCLayer,
  Flatten,
  FlattenLayer,
  ActivationLayer,
  Network,
  Reshape,
  Sequential,
  checkGradients,
  memory,
} from '../../src/index.js';
import { BACKENDS } from '../models/backends.js';

/** The lines summary() prints, joined. */
function summaryOf(model: { summary(print: (line: string) => void): void }): string {
  const lines: string[] = [];
  model.summary((line) => {
    lines.push(line);
  });
  return `${lines.join('\n')}\n`;
}

describe('output shapes, as Keras computes them', () => {
  it('Flatten: any sample shape becomes one row of its values', () => {
    expect(new Flatten().computeOutputShape([28, 28, 1])).toEqual([784]);
    expect(new Flatten().computeOutputShape([3, 5])).toEqual([15]);
    expect(new Flatten().computeOutputShape([7])).toEqual([7]);
  });

  it('Reshape: to its target, one dimension inferred from −1', () => {
    expect(new Reshape([28, 28, 1]).computeOutputShape([784])).toEqual([28, 28, 1]);
    expect(new Reshape([-1, 4]).computeOutputShape([2, 3, 2])).toEqual([3, 4]);
    expect(new Reshape([2, -1, 3]).computeOutputShape([12])).toEqual([2, 2, 3]);
  });

  it('a Reshape that cannot hold its input names both shapes and their sizes', () => {
    expect(() => new Reshape([30, 30], { name: 'r' }).computeOutputShape([28, 28, 1])).toThrow(
      "scratchnet: layer 'r' (Reshape) cannot reshape inputs of shape [28, 28, 1] (784 values) to [30, 30] (900 values); the sizes must match",
    );
    expect(() => new Reshape([5, -1]).computeOutputShape([12])).toThrow(
      /inputs of shape \[12\] \(12 values\) to \[5, -1\] \(a multiple of 5 values\)/,
    );
  });

  it('bad arguments are refused, saying what is expected', () => {
    expect(() => new Reshape([2, 0])).toThrow(
      /targetShape \(one dimension may be −1\) must be a non-empty list of positive integers like \[28, 28, 1\], got \[2,0\]/,
    );
    expect(() => new Reshape([-1, -1])).toThrow(/targetShape/);
    expect(() => new Reshape('12' as never)).toThrow(/targetShape/);
    expect(() => new Flatten({ inputShape: [28, 0] })).toThrow(
      /Flatten inputShape must be a non-empty list of positive integers/,
    );
    expect(() => new Dense(3, { inputShape: [28, 28] })).toThrow(
      /Dense inputShape must be \[features\].*put a Flatten\(\{ inputShape \}\) first/,
    );
  });
});

describe.each(BACKENDS)('in a model (%s backend)', (backend) => {
  it('Dense after an image shape says to Flatten first, naming the shape', () => {
    // built as it is made (its first layer declares inputShape), so the constructor refuses it
    expect(() => new Sequential([new Reshape([4, 4], { inputShape: [16] }), new Dense(2)], { backend })).toThrow(
      "layer 'dense' (Dense) takes flat samples [features] but receives shape [4, 4]; put a Flatten() before it",
    );
  });

  it('layers that declare shapes which do not chain name both shapes', () => {
    expect(
      () => new Sequential([new Flatten({ inputShape: [2, 3] }), new Dense(4, { inputDim: 5 })], { backend }),
    ).toThrow("layer sizes do not chain: 'flatten' outputs 6 values but 'dense' expects 5 inputs");
    const other = () =>
      new Sequential([new Reshape([2, 3], { inputShape: [6] }), new Reshape([3, 2], { inputShape: [6] })], { backend });
    expect(other).toThrow("layer shapes do not chain: 'reshape' outputs shape [2, 3] but 'reshape_1' expects [6]");
  });

  it('Flatten and Reshape cost nothing: no arena memory, and the output is the input', () => {
    const plain = new Sequential([new Dense(8, { inputShape: [12] })], { backend, seed: 1 });
    plain.build();
    plain.predict({ data: new Float32Array(36), shape: [3, 12] });
    const before = memory(backend).bytesInUse;
    plain.dispose();
    const shaped = new Sequential(
      [new Reshape([3, 4], { inputShape: [12] }), new Flatten(), new Reshape([2, 6]), new Flatten(), new Dense(8)],
      { backend, seed: 1 },
    );
    shaped.build();
    shaped.predict({ data: new Float32Array(36), shape: [3, 12] });
    expect(memory(backend).bytesInUse).toBe(before);
    const flatten = shaped.layers[1] as Flatten;
    expect(flatten.forward(1234, 3, { training: true, logits: false })).toBe(1234);
    expect(flatten.backward(5678, 3, true, { training: true, logits: false })).toBe(5678);
    expect(flatten.backward(5678, 3, false, { training: true, logits: false })).toBe(0);
    shaped.dispose();
  });

  it('gradients through Flatten and Reshape are exact (float64 central differences)', () => {
    const model = new Sequential(
      [
        new Reshape([3, 2, 2], { inputShape: [12] }),
        new Flatten(),
        new Dense(5, { activation: 'tanh' }),
        new Reshape([5, 1]),
        new Flatten(),
        new Dense(3, { activation: 'softmax' }),
      ],
      { backend, seed: 2 },
    );
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const x = { data: Float32Array.from({ length: 48 }, (_, i) => Math.sin(i * 0.37)), shape: [4, 3, 2, 2] };
    const report = checkGradients(model, x, [0, 1, 2, 1], { maxChecks: Infinity });
    expect(report.maxRelativeError).toBeLessThan(1e-7);
    expect(report.layers.map((l) => l.layer)).toEqual([
      'reshape',
      'flatten',
      'dense',
      'reshape_1',
      'flatten_1',
      'dense_1',
    ]);
    model.dispose();
  });

  it('summary prints Keras’s output shapes and parameter counts', () => {
    const model = new Sequential(
      [
        new Flatten({ inputShape: [28, 28, 1] }),
        new Dense(32, { activation: 'relu' }),
        new Reshape([4, 8]),
        new Reshape([2, 2, -1]),
        new Flatten(),
        new Dense(10),
      ],
      { backend },
    );
    const text = summaryOf(model);
    expect(text).toContain(' flatten (Flatten)           (None, 784)               0\n');
    expect(text).toContain(' dense (Dense)               (None, 32)                25,120\n');
    expect(text).toContain(' reshape (Reshape)           (None, 4, 8)              0\n');
    expect(text).toContain(' reshape_1 (Reshape)         (None, 2, 2, 8)           0\n');
    expect(text).toContain(' flatten_1 (Flatten)         (None, 32)                0\n');
    expect(text).toContain(' dense_1 (Dense)             (None, 10)                330\n');
    expect(text).toContain('Total params: 25,450');
    expect(model.countParams()).toBe(25_450);
    model.dispose();
  });
});

describe("the tutorial's FlattenLayer", () => {
  it('forwardPropagation gives one row; backwardPropagation gives the gradient back unchanged, with no weights', () => {
    const layer = new FlattenLayer();
    const image = Float32Array.from({ length: 12 }, (_, i) => i - 5.5);
    expect(Array.from(layer.forwardPropagation(image))).toEqual(Array.from(image));
    expect(
      Array.from(
        layer.backwardPropagation(
          Float32Array.from(image, (v) => v * 2),
          0.1,
        ),
      ),
    ).toEqual(Array.from(image, (v) => v * 2));
    expect(layer.getWeights()).toEqual([]);
    layer.dispose();
  });

  it.each(BACKENDS)(
    'a Network with FlattenLayer trains sample by sample on [n][h][w][c] images and saves as a Keras Flatten (%s)',
    async (backend) => {
      // 3×3 one-channel images: is the centre column brighter than the sides?
      const images = Array.from({ length: 24 }, (_, i) =>
        Array.from({ length: 3 }, (_, r) =>
          Array.from({ length: 3 }, (_, c) => [((i * 7 + r * 3 + c * 5) % 11) / 11 + (c === 1 && i % 2 ? 0.8 : 0)]),
        ),
      );
      const targets = images.map((_, i) => [i % 2]);
      const net = new Network({ seed: 4, backend });
      net.add(new FlattenLayer());
      net.add(new FCLayer(9, 6));
      net.add(new ActivationLayer('tanh'));
      net.add(new FCLayer(6, 1));
      net.use('mse');
      const errors = await net.fit(images, targets, { epochs: 40, learningRate: 0.05, verbose: false });
      expect(errors[39]).toBeLessThan(errors[0] / 4);
      const out = net.predict(images);
      expect(out).toHaveLength(24);
      expect(out[0]).toHaveLength(1);
      const { memoryHandler } = await import('../../src/io/memory-handler.js');
      const h = memoryHandler();
      await net.save(h);
      const topology = h.artifacts!.modelTopology as {
        config: { layers: { class_name: string; config: { batch_input_shape?: unknown } }[] };
      };
      expect(topology.config.layers.map((l) => l.class_name)).toEqual(['Flatten', 'Dense', 'Activation', 'Dense']);
      expect(topology.config.layers[0].config.batch_input_shape).toEqual([null, 3, 3, 1]);
      const back = await Network.load(h.artifacts!, { backend });
      expect(back.layers.map((l) => l.constructor.name)).toEqual([
        'FlattenLayer',
        'FCLayer',
        'ActivationLayer',
        'FCLayer',
      ]);
      expect(back.predict(images)).toEqual(out);
      net.dispose();
      back.dispose();
    },
  );
});
