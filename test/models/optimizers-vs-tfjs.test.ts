// Our optimizers step as TensorFlow.js's do (and Keras 3's, whose formulas TF.js shares for these, but for Adam's ε): the same
// linear model, the same weights and batch, five full-batch steps in each library, then the weights compared.
// Saved models carry the optimizer's slots to TF.js (includeOptimizer), so a different formula would change
// training there after the first step.
import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, Sequential, optimizers, type Optimizer } from '../../src/index.js';
import { BACKENDS } from './backends.js';
import { tfjs } from '../io/tfjs.js';
import { BIAS, KERNEL, X, Y } from './linear-data.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

const STEPS = 5;

const cases: [string, () => Optimizer, () => TF.Optimizer][] = [
  ['sgd', () => optimizers.sgd({ learningRate: 0.1 }), () => tf.train.sgd(0.1)],
  [
    'sgd with momentum 0.9',
    () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }),
    () => tf.train.momentum(0.05, 0.9),
  ],
  [
    'sgd with Nesterov momentum',
    () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
    () => tf.train.momentum(0.05, 0.9, true),
  ],
  // Adam as Keras writes it folds the bias corrections into the step size, so its ε meets √v where TF.js's meets
  // √v̂ (ε·√(1−β₂ᵗ) apart); with ε this small the two formulas agree, and everything else about the step is compared
  ['adam', () => optimizers.adam({ learningRate: 0.01, epsilon: 1e-12 }), () => tf.train.adam(0.01, 0.9, 0.999, 1e-12)],
  ['rmsprop', () => optimizers.rmsprop({ learningRate: 0.01, rho: 0.9 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7)],
  // epsilon large against the mean square: only ε inside the square root matches
  [
    'rmsprop with ε = 0.1',
    () => optimizers.rmsprop({ learningRate: 0.01, epsilon: 0.1 }),
    () => tf.train.rmsprop(0.01, 0.9, 0, 0.1),
  ],
];

async function theirs(optimizer: TF.Optimizer): Promise<number[]> {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 2, inputShape: [3] }));
  m.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
  m.compile({ optimizer, loss: 'meanSquaredError' });
  await m.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs: STEPS, batchSize: X.length, shuffle: false, verbose: 0 });
  const out = m.getWeights().flatMap((w) => [...w.dataSync()]);
  m.dispose();
  return out;
}

describe.each(BACKENDS)('optimizer steps against TensorFlow.js (%s backend)', (backend) => {
  it.each(cases)('%s: the same weights after five steps', async (_name, ours, tfOptimizer) => {
    const m = new Sequential([new Dense(2, { inputShape: [3] })], { backend });
    m.compile({ optimizer: ours(), loss: 'mse' });
    m.setWeights([Float32Array.from(KERNEL.flat()), Float32Array.from(BIAS)]);
    await m.fit(X, Y, { epochs: STEPS, batchSize: X.length, shuffle: false, verbose: 0 });
    const got = m.getWeights().flatMap((w) => [...w]);
    const expected = await theirs(tfOptimizer());
    const start = [...KERNEL.flat(), ...BIAS];
    // every weight moved, and by what TF.js moved it (float32 in both: 1e-6 absolute + 1e-4 of the move)
    got.forEach((v, i) => {
      expect(Math.abs(expected[i] - start[i])).toBeGreaterThan(1e-4);
      expect(Math.abs(v - expected[i])).toBeLessThan(1e-6 + 1e-4 * Math.abs(expected[i] - start[i]));
    });
    m.dispose();
  });
});

describe.each(BACKENDS)('model.optimizer (%s backend)', (backend) => {
  it('is undefined before compile, then the compiled optimizer, whose learningRate set between epochs steps as TF.js', async () => {
    const m = new Sequential([new Dense(2, { inputShape: [3] })], { backend });
    expect(m.optimizer).toBeUndefined();
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    m.setWeights([Float32Array.from(KERNEL.flat()), Float32Array.from(BIAS)]);
    expect(m.optimizer?.name).toBe('sgd');
    expect(m.optimizer?.learningRate).toBe(0.01); // Keras's default for SGD
    // two epochs at 0.01, then three at 0.2: set from a callback, as a schedule would
    await m.fit(X, Y, {
      epochs: STEPS,
      batchSize: X.length,
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch: number) => {
          if (epoch === 1) m.optimizer!.learningRate = 0.2;
        },
      },
    });
    expect(m.optimizer?.iterations).toBe(STEPS);
    const got = m.getWeights().flatMap((w) => [...w]);

    const t = tf.sequential();
    t.add(tf.layers.dense({ units: 2, inputShape: [3] }));
    t.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
    const sgd = tf.train.sgd(0.01);
    t.compile({ optimizer: sgd, loss: 'meanSquaredError' });
    const fitTf = (epochs: number) =>
      t.fit(tf.tensor2d(X), tf.tensor2d(Y), { epochs, batchSize: X.length, shuffle: false, verbose: 0 });
    await fitTf(2);
    sgd.setLearningRate(0.2);
    await fitTf(STEPS - 2);
    const expected = t.getWeights().flatMap((w) => [...w.dataSync()]);
    t.dispose();
    got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThan(1e-6));
    m.dispose();
  });
});
