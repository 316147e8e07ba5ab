// The seed's configuration learns as it does in TensorFlow.js: sigmoid outputs with sparse categorical cross-entropy
// (the Keras snippet scratchnet grew from), Adam, ReLU blocks with Dropout 0.5, on a learnable 7-class set — class =
// argmax of 7 fixed linear projections of 34 features. The same data, architecture, settings and initial weights in
// both libraries (Dropout masks and shuffles are each library's own); the accuracies must land within a few points of
// each other, far above chance (1/7). scratchnet trains this pair as Keras on TensorFlow does (softmax over the sigmoid's logits),
// TF.js normalises the sigmoid's outputs; at this width both learn alike. Before, scratchnet stayed at chance.
import type * as TF from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { Dense, Dropout, Random, Sequential } from '../../src/index.js';
import { BACKENDS } from './backends.js';
import { tfjs } from '../io/tfjs.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

const FEATURES = 34,
  CLASSES = 7,
  WIDTH = 64,
  BLOCKS = 2,
  EPOCHS = 12,
  BATCH = 64;

/** `n` samples of the 7-class set: x ~ N(0, 1), label = argmax_c x·w_c for fixed projections w (seed 0). */
function dataset(n: number, seed: number) {
  const proj = new Random(0);
  const w = Array.from({ length: FEATURES * CLASSES }, () => proj.normal());
  const rng = new Random(seed);
  const x = new Float32Array(n * FEATURES);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < FEATURES; j++) x[i * FEATURES + j] = rng.normal();
    let best = -Infinity;
    for (let c = 0; c < CLASSES; c++) {
      let s = 0;
      for (let j = 0; j < FEATURES; j++) s += x[i * FEATURES + j] * w[j * CLASSES + c];
      if (s > best) {
        best = s;
        y[i] = c;
      }
    }
  }
  return { x, y, n };
}

const train = dataset(2048, 1),
  test = dataset(512, 2);

/** The seed's block structure on `backend`, seed 5: built at construction, so its initial weights can be read. */
function seedLike(backend: 'wasm' | 'js'): Sequential {
  const layers = [new Dense(WIDTH, { inputShape: [FEATURES], activation: 'relu' })];
  for (let b = 0; b < BLOCKS; b++) layers.push(new Dense(WIDTH, { activation: 'relu' }), new Dropout(0.5) as never);
  layers.push(new Dense(CLASSES, { activation: 'sigmoid' }));
  return new Sequential(layers, { seed: 5, backend });
}

async function oursAccuracy(backend: 'wasm' | 'js'): Promise<{ accuracy: number; losses: number[] }> {
  const model = seedLike(backend);
  const warn = console.warn;
  console.warn = () => {}; // the sigmoid-with-categorical warning, pinned in sequential.test.ts
  try {
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  } finally {
    console.warn = warn;
  }
  const history = await model.fit({ data: train.x, shape: [train.n, FEATURES] }, train.y, {
    epochs: EPOCHS,
    batchSize: BATCH,
    verbose: 0,
  });
  const { accuracy } = model.evaluate({ data: test.x, shape: [test.n, FEATURES] }, test.y);
  model.dispose();
  return { accuracy: accuracy!, losses: history.history.loss };
}

/** TF.js's accuracy on the same model, started from `initial` weights (ours: TF.js's own default, an unwidened
 *  glorotNormal, starts narrower and moves its accuracy by a point or two — docs/keras-and-tfjs.md). Its Dropout
 *  masks and shuffles stay its own, unseeded. */
async function theirAccuracy(initial: Float32Array[]): Promise<number> {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: WIDTH, inputShape: [FEATURES], activation: 'relu' }));
  for (let b = 0; b < BLOCKS; b++) {
    model.add(tf.layers.dense({ units: WIDTH, activation: 'relu' }));
    model.add(tf.layers.dropout({ rate: 0.5 }));
  }
  model.add(tf.layers.dense({ units: CLASSES, activation: 'sigmoid' }));
  model.setWeights(initial.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const xs = tf.tensor2d(train.x, [train.n, FEATURES]),
    ys = tf.tensor1d(train.y, 'float32');
  await model.fit(xs, ys, { epochs: EPOCHS, batchSize: BATCH, verbose: 0 });
  const [, acc] = model.evaluate(
    tf.tensor2d(test.x, [test.n, FEATURES]),
    tf.tensor1d(test.y, 'float32'),
  ) as TF.Scalar[];
  const accuracy = acc.dataSync()[0];
  tf.dispose([xs, ys]);
  model.dispose();
  return accuracy;
}

let tfAccuracy: number | undefined;

it.each(BACKENDS)(
  'sigmoid outputs + sparse categorical cross-entropy + Adam learn as in TF.js (%s)',
  async (backend) => {
    if (tfAccuracy === undefined) {
      const model = seedLike(backend);
      tfAccuracy = await theirAccuracy(model.getWeights());
      model.dispose();
    }
    const ours = await oursAccuracy(backend);
    console.log(
      `learning parity (${backend}): scratchnet ${(100 * ours.accuracy).toFixed(1)}%, TF.js ${(100 * tfAccuracy).toFixed(1)}% after ${EPOCHS} epochs; our losses ${ours.losses.map((l) => l.toFixed(3)).join(' ')}`,
    );
    // measured: 79.5% on both backends; TF.js from the same weights 80.5–82.2% over four runs (its Dropout masks and
    // shuffles are not seeded; from its own initial weights it reached up to 86%); our losses 2.01 → 0.77
    expect(ours.losses[EPOCHS - 1]).toBeLessThan(ours.losses[0] * 0.6);
    expect(ours.accuracy).toBeGreaterThan(0.7); // chance is 0.143
    expect(Math.abs(ours.accuracy - tfAccuracy)).toBeLessThan(0.06);
  },
  60_000,
);

// From the same initial weights, with nothing random left (no Dropout, no shuffling), the two libraries must follow
// the same loss curve: this pins the forward pass, the fused softmax + sparse cross-entropy gradient, backprop and
// Adam together, where the test above (each library drawing its own weights) can only compare outcomes loosely.
// Measured (width 64, 4 epochs): the per-epoch losses differ by at most 1e-4 relative on both backends (1.8640 →
// 0.8808); with Adam at learning rate 0.0011 instead of 0.001 ours would be off by more than the 5e-4 allowed.
it.each(BACKENDS)(
  'from the same initial weights, the loss per epoch follows TF.js (%s)',
  async (backend) => {
    const layers = [
      new Dense(WIDTH, { inputShape: [FEATURES], activation: 'relu' }),
      new Dense(WIDTH, { activation: 'relu' }),
      new Dense(CLASSES, { activation: 'softmax' }),
    ];
    const ours = new Sequential(layers, { seed: 9, backend });
    ours.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const theirs = tf.sequential({
      layers: [
        tf.layers.dense({ units: WIDTH, inputShape: [FEATURES], activation: 'relu' }),
        tf.layers.dense({ units: WIDTH, activation: 'relu' }),
        tf.layers.dense({ units: CLASSES, activation: 'softmax' }),
      ],
    });
    const initial = ours.getWeights();
    theirs.setWeights(initial.map((w, i) => tf.tensor(w, theirs.getWeights()[i].shape)));
    theirs.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const epochs = 4;
    const our = await ours.fit({ data: train.x, shape: [train.n, FEATURES] }, train.y, {
      epochs,
      batchSize: BATCH,
      shuffle: false,
      verbose: 0,
    });
    const xs = tf.tensor2d(train.x, [train.n, FEATURES]),
      ys = tf.tensor1d(train.y, 'float32');
    const their = await theirs.fit(xs, ys, { epochs, batchSize: BATCH, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    theirs.dispose();
    ours.dispose();
    const theirLosses = their.history.loss as number[];
    for (let e = 0; e < epochs; e++) {
      expect(Math.abs(our.history.loss[e] - theirLosses[e])).toBeLessThan(5e-4 * theirLosses[e]);
    }
  },
  60_000,
);
