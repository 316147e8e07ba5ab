// Keras 3 reports a metric under the name it was asked by: metrics: ['acc'] logs `acc` and `val_acc`.
import { expect, it } from 'vitest';
import { Dense, Sequential } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [0.2, 0.9],
  [0.9, 0.1],
];
const labels = [0, 1, 1, 0, 1, 1];

it.each(BACKENDS)(
  "metrics: ['acc'] is reported as acc and val_acc, in fit, callbacks and evaluate (%s)",
  async (backend) => {
    const model = new Sequential([new Dense(2, { inputShape: [2], activation: 'softmax' })], { seed: 3, backend });
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['acc'] });
    const seen: string[][] = [];
    const history = await model.fit(x, labels, {
      epochs: 2,
      batchSize: 4,
      validationData: [x, labels],
      verbose: 0,
      callbacks: { onEpochEnd: (_e, logs) => void seen.push(Object.keys(logs).sort()) },
    });
    expect(Object.keys(history.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(seen).toEqual([
      ['acc', 'loss', 'val_acc', 'val_loss'],
      ['acc', 'loss', 'val_acc', 'val_loss'],
    ]);
    const result = model.evaluate(x, labels);
    expect(Object.keys(result).sort()).toEqual(['acc', 'loss']);
    // the same number the model gives under 'accuracy'
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    expect(model.evaluate(x, labels).accuracy).toBe(result.acc);
    model.dispose();
  },
);

it.each(BACKENDS)("metrics: ['binary_accuracy'] is reported as binary_accuracy (%s)", async (backend) => {
  const model = new Sequential([new Dense(1, { inputShape: [2], activation: 'sigmoid' })], { seed: 3, backend });
  model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['binary_accuracy'] });
  const history = await model.fit(
    x,
    labels.map((v) => [v]),
    { epochs: 1, validationSplit: 0.5, verbose: 0 },
  );
  expect(Object.keys(history.history).sort()).toEqual(['binary_accuracy', 'loss', 'val_binary_accuracy', 'val_loss']);
  expect(
    Object.keys(
      model.evaluate(
        x,
        labels.map((v) => [v]),
      ),
    ).sort(),
  ).toEqual(['binary_accuracy', 'loss']);
  model.dispose();
});
