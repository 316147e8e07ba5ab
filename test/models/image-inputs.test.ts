// Samples as images [h, w, c] (channels-last): fit, predict and evaluate take { data, shape: [n, h, w, c] } and
// nested arrays [n][h][w][c]; a shape that does not fit is refused naming both shapes; MNIST as [n, 28, 28, 1] trains.
import { describe, expect, it } from 'vitest';
import {
  Activation,
  ActivationLayer,
  Conv2D,
  Dense,
  FCLayer,
  Flatten,
  FlattenLayer,
  KernelLayer,
  Network,
  Reshape,
  Sequential,
} from '../../src/index.js';
import type { DataInput } from '../../src/index.js';
import { loadMnist } from '../../src/node.js';
import { BACKENDS } from './backends.js';

/** The lines summary() prints, joined. */
function summaryOf(model: { summary(print: (line: string) => void): void }): string {
  const lines: string[] = [];
  model.summary((line) => {
    lines.push(line);
  });
  return `${lines.join('\n')}\n`;
}

const N = 6,
  H = 4,
  W = 3,
  C = 2;
const flat = Float32Array.from({ length: N * H * W * C }, (_, i) => Math.sin(i * 0.61));
/** the same values as nested arrays [n][h][w][c], in row-major (NHWC) order */
const nested = Array.from({ length: N }, (_, n) =>
  Array.from({ length: H }, (_, h) =>
    Array.from({ length: W }, (_, w) => Array.from({ length: C }, (_, c) => flat[((n * H + h) * W + w) * C + c])),
  ),
);
const labels = Array.from({ length: N }, (_, i) => i % 3);

function imageModel(backend: 'wasm' | 'js') {
  const model = new Sequential(
    [
      new Flatten({ inputShape: [H, W, C] }),
      new Dense(5, { activation: 'relu' }),
      new Dense(3, { activation: 'softmax' }),
    ],
    { seed: 9, backend },
  );
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}

describe.each(BACKENDS)('image samples (%s backend)', (backend) => {
  it('{ data, shape: [n, h, w, c] }, nested [n][h][w][c] and flat rows [n, h·w·c] give the same predictions', () => {
    const model = imageModel(backend);
    const fromShape = model.predict({ data: flat, shape: [N, H, W, C] });
    expect(fromShape.shape).toEqual([N, 3]);
    const fromNested = model.predict(nested);
    expect(fromNested).toHaveLength(N);
    expect(Float32Array.from(fromNested.flat())).toEqual(fromShape.data);
    expect(model.predict({ data: flat, shape: [N, H * W * C] }).data).toEqual(fromShape.data);
    model.dispose();
  });

  it('fit and evaluate take images in both forms, with validation data too, and train the same', async () => {
    const a = imageModel(backend);
    const b = imageModel(backend);
    await a.fit({ data: flat, shape: [N, H, W, C] }, labels, {
      epochs: 3,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
      validationData: [nested, labels],
    });
    await b.fit(nested, labels, {
      epochs: 3,
      batchSize: 2,
      shuffle: false,
      verbose: 0,
      validationData: [{ data: flat, shape: [N, H, W, C] }, labels],
    });
    expect(a.getWeights()).toEqual(b.getWeights());
    expect(a.evaluate(nested, labels)).toEqual(b.evaluate({ data: flat, shape: [N, H, W, C] }, labels));
    a.dispose();
    b.dispose();
  });

  it('a model without a declared input shape takes the data’s sample shape', async () => {
    const model = new Sequential([new Flatten(), new Dense(3, { activation: 'softmax' })], { backend, seed: 1 });
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await model.fit(nested, labels, { epochs: 1, verbose: 0 });
    expect(model.internals.engine.inputShape).toEqual([H, W, C]);
    expect(summaryOf(model)).toContain('(None, 24)');
    model.dispose();
  });

  it('samples whose shape does not fit are refused, naming both shapes', async () => {
    const model = imageModel(backend);
    expect(() => model.predict({ data: flat, shape: [N, W, H, C] })).toThrow(
      "scratchnet: x has samples of shape [3, 4, 2] (24 values) but the model's input shape is [4, 3, 2] (24 values)",
    );
    expect(() => model.predict({ data: flat.subarray(0, N * 20), shape: [N, 4, 5] })).toThrow(
      "x has samples of shape [4, 5] (20 values) but the model's input shape is [4, 3, 2] (24 values)",
    );
    expect(() => model.evaluate({ data: flat.subarray(0, N * 20), shape: [N, 20] }, labels)).toThrow(
      "x has samples of shape [20] (20 values) but the model's input shape is [4, 3, 2] (24 values)",
    );
    await expect(model.fit({ data: flat, shape: [N, 2, 12] }, labels, { verbose: 0 })).rejects.toThrow(
      "x has samples of shape [2, 12] (24 values) but the model's input shape is [4, 3, 2] (24 values)",
    );
    model.dispose();
  });

  it('one sample without its batch axis, and images without their channel axis, are named as such', async () => {
    const model = imageModel(backend); // [4, 3, 2]
    // one image given as [h, w, c]: its first axis is read as 4 samples of [3, 2]
    expect(() => model.predict({ data: flat.subarray(0, 24), shape: [H, W, C] })).toThrow(
      "x has samples of shape [3, 2] (6 values) but the model's input shape is [4, 3, 2] (24 values). Its 24 " +
        "values are one sample's: the first axis is read as the samples, so give one sample as a batch of one, shape [1, 4, 3, 2]",
    );
    const gray = new Sequential([new Conv2D(2, 3, { inputShape: [5, 5, 1] }), new Flatten(), new Dense(2)], {
      backend,
      seed: 1,
    });
    expect(() => gray.predict({ data: new Float32Array(2 * 25), shape: [2, 5, 5] })).toThrow(
      "x has samples of shape [5, 5] (25 values) but the model's input shape is [5, 5, 1] (25 values). Only axes of " +
        'size 1 differ: give the data the shape [samples, 5, 5, 1]',
    );
    // one row of features without its batch axis
    const dense = new Sequential([new Dense(2, { inputShape: [6] })], { backend, seed: 1 });
    expect(() => dense.predict({ data: new Float32Array(6), shape: [6] })).toThrow(
      "x has 1 features per sample but the model's input size is 6. Its 6 values are one sample's",
    );
    // a transposed layout of the right size gets no hint: a reshape would scramble it
    expect(() => model.predict({ data: flat, shape: [N, W, H, C] })).toThrow(/\(24 values\)$/);
    for (const m of [model, gray, dense]) m.dispose();
  });

  it('nested arrays that are not rectangular are refused, naming the place and the shape', () => {
    const model = imageModel(backend);
    const ragged = structuredClone(nested);
    ragged[3][2] = ragged[3][2].slice(0, 2);
    expect(() => model.predict(ragged)).toThrow(
      'scratchnet: x[3][2] has 2 entries but should have 3: every sample must have the shape of x[0], [4, 3, 2]',
    );
    const wrong = structuredClone(nested) as unknown[][][][];
    wrong[1][0][0][1] = 'a';
    expect(() => model.predict(wrong as number[][][][])).toThrow(
      'x[1][0][0][1] is the string "a" (convert text with Number() first); expected a number',
    );
    model.dispose();
  });

  it('a Network takes images too: FlattenLayer first, nested [n][h][w][c] in', async () => {
    const net = new Network({ backend, seed: 2 });
    net.add(new FlattenLayer());
    net.add(new FCLayer(H * W * C, 3));
    net.add(new ActivationLayer('tanh'));
    net.use('mse');
    const y = labels.map((l) => [0, 1, 2].map((k) => (k === l ? 1 : 0)));
    const errors = await net.fit(nested, y, { epochs: 5, learningRate: 0.05, verbose: false });
    expect(errors[4]).toBeLessThan(errors[0]);
    expect(() => net.predict({ data: flat, shape: [N, W, H, C] })).toThrow(
      "x has samples of shape [3, 4, 2] (24 values) but the model's input shape is [4, 3, 2] (24 values)",
    );
    net.dispose();
  });
});

it('loadMnist({ asImages: true }) gives [n, 28, 28, 1]; Flatten → Dense trains on 2,000 of them exactly as a Dense on the rows does', async () => {
  const mnist = await loadMnist({ asImages: true, trainLimit: 2000, testLimit: 1000 });
  expect(mnist.trainX.shape).toEqual([2000, 28, 28, 1]);
  expect(mnist.testX.shape).toEqual([1000, 28, 28, 1]);
  const rows = await loadMnist({ trainLimit: 2000, testLimit: 1000 });
  expect(rows.trainX.shape).toEqual([2000, 784]);
  expect(mnist.trainX.data).toEqual(rows.trainX.data); // the same pixels, seen as images
  const train = async (first: KernelLayer, x: DataInput, testX: DataInput) => {
    const model = new Sequential(
      [first, new Dense(64, { activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
      { seed: 5, backend: 'wasm' },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    await model.fit(x, mnist.trainY, { epochs: 3, batchSize: 32, verbose: 0 });
    const result = { accuracy: model.evaluate(testX, mnist.testY).accuracy!, weights: model.getWeights() };
    model.dispose();
    return result;
  };
  const images = await train(new Flatten({ inputShape: [28, 28, 1] }), mnist.trainX, mnist.testX);
  expect(images.accuracy).toBeGreaterThan(0.8);
  // The same network on rows (an identity Activation stands where the Flatten was, so that the layers draw the same
  // initial weights): Flatten is free and exact, so training is bit for bit the same.
  const asRows = await train(new Activation('linear', undefined, { inputShape: [784] }), rows.trainX, rows.testX);
  expect(asRows.weights).toEqual(images.weights);
  expect(asRows.accuracy).toBe(images.accuracy);
}, 120_000);

it('Reshape turns rows into images inside the model', () => {
  const model = new Sequential([new Reshape([H, W, C], { inputShape: [H * W * C] }), new Flatten(), new Dense(2)], {
    backend: 'js',
    seed: 1,
  });
  expect(model.predict({ data: flat, shape: [N, H * W * C] }).shape).toEqual([N, 2]);
  expect(model.internals.engine.outputShape).toEqual([2]);
  model.dispose();
});
