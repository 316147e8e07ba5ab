// Keras's common metrics, several at once, for training and validation, each under the name it was asked by, with
// values checked against TensorFlow.js's tf.metrics on the same predictions.
import { describe, expect, it } from 'vitest';
import { Dense, loadModel, memoryHandler, optimizers, Sequential, toCategorical } from '../../src/index.js';
import { tfjs } from '../io/tfjs.js';
import { BACKENDS } from './backends.js';

/** mulberry32, so that the data set is the same every run */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CLASSES = 10,
  FEATURES = 6,
  N = 61; // 61 rows in batches of 8: the last batch is short
const rand = seeded(5);
const x = Array.from({ length: N }, () => Array.from({ length: FEATURES }, () => rand() * 2 - 1));
const labels = x.map((row) => Math.floor(((row[0] + 1) / 2) * CLASSES) % CLASSES);
const oneHot = Array.from(toCategorical(labels, CLASSES).data);
const oneHotRows = labels.map((_, i) => oneHot.slice(i * CLASSES, (i + 1) * CLASSES));
const binaryTargets = x.map((row) => [row[0] > 0 ? 1 : 0, row[1] > 0 ? 1 : 0, row[0] + row[1] > 0 ? 1 : 0]);

/** TF.js's value of a metric on predictions `p` against targets `t` (mean over rows) */
async function tfMetric(name: string, t: number[][] | number[], p: number[][]): Promise<number> {
  const tf = await tfjs();
  return tf.tidy(() => {
    const yPred = tf.tensor2d(p);
    const m = tf.metrics;
    switch (name) {
      case 'mae':
        return m
          .meanAbsoluteError(tf.tensor2d(t as number[][]), yPred)
          .mean()
          .dataSync()[0];
      case 'mse':
        return m
          .meanSquaredError(tf.tensor2d(t as number[][]), yPred)
          .mean()
          .dataSync()[0];
      case 'categorical_accuracy':
        return m
          .categoricalAccuracy(tf.tensor2d(t as number[][]), yPred)
          .mean()
          .dataSync()[0];
      case 'binary_accuracy':
        return m
          .binaryAccuracy(tf.tensor2d(t as number[][]), yPred)
          .mean()
          .dataSync()[0];
      case 'sparse_categorical_accuracy':
        return m
          .sparseCategoricalAccuracy(tf.tensor2d((t as number[]).map((v) => [v])), yPred)
          .mean()
          .dataSync()[0];
      default:
        throw new Error(name);
    }
  });
}

/** TF.js's in-top-5 share (tf.metrics has no top-k metric in JS; tf.inTopKAsync is its op) */
async function tfTopK(labelsOf: number[], p: number[][]): Promise<number> {
  const tf = await tfjs();
  const hits = await tf.inTopKAsync(tf.tensor2d(p), tf.tensor1d(labelsOf, 'int32'), 5);
  const share = Array.from((await hits.data()) as Uint8Array).reduce((a, b) => a + b, 0) / labelsOf.length;
  hits.dispose();
  return share;
}

describe.each(BACKENDS)('metrics on %s', (backend) => {
  it("a softmax classifier with metrics ['acc', 'mae', 'mse', 'categorical_accuracy', 'top_k_categorical_accuracy', 'binary_accuracy']: evaluate matches tf.metrics", async () => {
    const model = new Sequential(
      [new Dense(12, { inputShape: [FEATURES], activation: 'tanh' }), new Dense(CLASSES, { activation: 'softmax' })],
      { seed: 4, backend },
    );
    const names = [
      'acc',
      'mae',
      'mse',
      'categorical_accuracy',
      'top_k_categorical_accuracy',
      'binary_accuracy',
    ] as const;
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: [...names] });
    await model.fit(x, oneHotRows, { epochs: 3, batchSize: 8, verbose: 0 });
    const result = model.evaluate(x, oneHotRows, { batchSize: 8 });
    expect(Object.keys(result).sort()).toEqual(['loss', ...names].sort());
    const p = model.predict(x);
    expect(result.acc).toBeCloseTo(await tfMetric('categorical_accuracy', oneHotRows, p), 6);
    expect(result.categorical_accuracy).toBe(result.acc);
    expect(result.mae).toBeCloseTo(await tfMetric('mae', oneHotRows, p), 6);
    expect(result.mse).toBeCloseTo(await tfMetric('mse', oneHotRows, p), 6);
    expect(result.binary_accuracy).toBeCloseTo(await tfMetric('binary_accuracy', oneHotRows, p), 6);
    expect(result.top_k_categorical_accuracy).toBeCloseTo(await tfTopK(labels, p), 6);
    // a metric that can fail: top-5 of 10 classes after 3 epochs is neither 0 nor 1
    expect(result.top_k_categorical_accuracy).toBeGreaterThan(result.acc!);
    expect(result.top_k_categorical_accuracy).toBeLessThan(1);
    model.dispose();
  });

  it("sparse labels: 'sparse_categorical_accuracy', 'sparse_top_k_categorical_accuracy' and 'accuracy' match tf.metrics", async () => {
    const model = new Sequential([new Dense(CLASSES, { inputShape: [FEATURES], activation: 'softmax' })], {
      seed: 2,
      backend,
    });
    model.compile({
      optimizer: 'adam',
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy', 'sparse_categorical_accuracy', 'sparse_top_k_categorical_accuracy'],
    });
    const result = model.evaluate(x, labels, { batchSize: 7 });
    const p = model.predict(x);
    expect(result.accuracy).toBeCloseTo(await tfMetric('sparse_categorical_accuracy', labels, p), 6);
    expect(result.sparse_categorical_accuracy).toBe(result.accuracy);
    expect(result.sparse_top_k_categorical_accuracy).toBeCloseTo(await tfTopK(labels, p), 6);
    expect(result.sparse_top_k_categorical_accuracy).toBeGreaterThan(0);
    model.dispose();
  });

  it("a sigmoid output with binary_crossentropy (the sigmoid fused into the loss): 'binary_accuracy', 'mae', 'mse' on its probabilities", async () => {
    const model = new Sequential([new Dense(3, { inputShape: [FEATURES], activation: 'sigmoid' })], {
      seed: 6,
      backend,
    });
    model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['binary_accuracy', 'mae', 'mse'] });
    const result = model.evaluate(x, binaryTargets, { batchSize: 16 });
    const p = model.predict(x);
    for (const name of ['binary_accuracy', 'mae', 'mse'] as const) {
      expect(result[name], name).toBeCloseTo(await tfMetric(name, binaryTargets, p), 6);
    }
    model.dispose();
  });

  it("during fit: each metric and its val_ twin per epoch; with learning rate 0 the training means equal evaluate's", async () => {
    const model = new Sequential([new Dense(CLASSES, { inputShape: [FEATURES], activation: 'softmax' })], {
      seed: 8,
      backend,
    });
    model.compile({
      optimizer: optimizers.sgd({ learningRate: 0 }),
      loss: 'categorical_crossentropy',
      metrics: ['acc', 'mae'],
    });
    const seen: string[][] = [];
    const history = await model.fit(x, oneHotRows, {
      epochs: 2,
      batchSize: 8,
      shuffle: false,
      validationData: [x, oneHotRows],
      verbose: 0,
      callbacks: { onEpochEnd: (_e, logs) => void seen.push(Object.keys(logs).sort()) },
    });
    const keys = ['acc', 'loss', 'mae', 'val_acc', 'val_loss', 'val_mae'];
    expect(Object.keys(history.history).sort()).toEqual(keys);
    expect(seen).toEqual([keys, keys]);
    const result = model.evaluate(x, oneHotRows);
    expect(history.history.mae![1]).toBeCloseTo(result.mae!, 6);
    expect(history.history.val_mae![1]).toBeCloseTo(result.mae!, 6);
    expect(history.history.acc![1]).toBeCloseTo(result.acc!, 6);
    expect(history.history.val_acc![1]).toBeCloseTo(result.acc!, 6);
    model.dispose();
  });
});

describe('metric names', () => {
  it('save → load keeps every metric name, and the loaded model reports them', async () => {
    const model = new Sequential([new Dense(CLASSES, { inputShape: [FEATURES], activation: 'softmax' })], { seed: 1 });
    model.compile({
      optimizer: 'adam',
      loss: 'categorical_crossentropy',
      metrics: ['acc', 'mae', 'top_k_categorical_accuracy'],
    });
    const h = memoryHandler();
    await model.save(h);
    const back = await loadModel(h.artifacts!);
    expect(back.internals.metrics).toEqual(['acc', 'mae', 'top_k_categorical_accuracy']);
    expect(back.evaluate(x, oneHotRows)).toEqual(model.evaluate(x, oneHotRows));
    model.dispose();
    back.dispose();
  });

  it('a metric that cannot fit the targets fails at compile, saying what to use', () => {
    const model = new Sequential([new Dense(3, { inputShape: [2], activation: 'softmax' })]);
    expect(() =>
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['mae'] }),
    ).toThrow(
      /metric 'mae' compares outputs with targets of the same width, but sparse_categorical_crossentropy takes class indices/,
    );
    expect(() =>
      model.compile({
        optimizer: 'adam',
        loss: 'sparse_categorical_crossentropy',
        metrics: ['top_k_categorical_accuracy'],
      }),
    ).toThrow(/use 'sparse_top_k_categorical_accuracy'/);
    expect(() =>
      model.compile({
        optimizer: 'adam',
        loss: 'categorical_crossentropy',
        metrics: ['sparse_top_k_categorical_accuracy'],
      }),
    ).toThrow(/use 'top_k_categorical_accuracy'/);
    expect(() => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['mea' as never] })).toThrow(
      /unknown metric 'mea'. Did you mean 'mae'\?/,
    );
    model.dispose();
  });
});
