/**
 * The seed's Keras model as the performance issue states it:
 *   Dense(4096, input_shape=(34,), relu), then four times [Dense(4096, relu), Dropout(0.5)], Dense(7)
 * with Adam and sparse categorical cross-entropy: 67.3 million parameters, so weights, gradients and Adam's m and v
 * take 4 × 269 MB = 1.08 GB. (examples/keras-seed.ts builds the MNIST issue's variant with four 4096 layers, about
 * 50 million parameters.) The output here is softmax (the seed's sigmoid trains too, with a warning; a 7-unit output
 * makes no difference to the speed).
 */
import type * as TF from '@tensorflow/tfjs';
import type { BackendName } from '../../src/index.js';
import { Dense, Dropout, Random, Sequential } from '../../src/index.js';
import type { Tf } from '../lib/tfjs.js';

export const SEED_FEATURES = 34;
export const SEED_CLASSES = 7;
export const SEED_WIDTH = 4096;
/** [Dense 4096, Dropout 0.5] blocks after the first Dense 4096. */
export const SEED_BLOCKS = 4;
export const SEED_BATCH = 64;

export function snSeedModel(backend: BackendName): Sequential {
  const layers: (Dense | Dropout)[] = [new Dense(SEED_WIDTH, { inputShape: [SEED_FEATURES], activation: 'relu' })];
  for (let i = 0; i < SEED_BLOCKS; i++) layers.push(new Dense(SEED_WIDTH, { activation: 'relu' }), new Dropout(0.5));
  layers.push(new Dense(SEED_CLASSES, { activation: 'softmax' }));
  const model = new Sequential(layers, { seed: 1, backend });
  model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
  return model;
}

export function tfSeedModel(tf: Tf): TF.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: SEED_WIDTH, inputShape: [SEED_FEATURES], activation: 'relu' }));
  for (let i = 0; i < SEED_BLOCKS; i++) {
    model.add(tf.layers.dense({ units: SEED_WIDTH, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.5 }));
  }
  model.add(tf.layers.dense({ units: SEED_CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/** Seven random class centres in 34 dimensions; each sample is its class's centre plus noise. */
export function seedData(n: number): { x: Float32Array; y: Uint8Array } {
  const rng = new Random(34);
  const centres = Array.from({ length: SEED_CLASSES }, () => Array.from({ length: SEED_FEATURES }, () => rng.normal()));
  const x = new Float32Array(n * SEED_FEATURES);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(SEED_CLASSES);
    y[i] = c;
    for (let j = 0; j < SEED_FEATURES; j++) x[i * SEED_FEATURES + j] = centres[c][j] + 0.8 * rng.normal();
  }
  return { x, y };
}
