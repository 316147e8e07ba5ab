// Conv2D, MaxPooling2D, AveragePooling2D and GlobalAveragePooling2D in the TensorFlow.js layers format, both ways,
// against @tensorflow/tfjs itself (cpu backend): a CNN saved by scratchnet predicts the same in tf.loadLayersModel,
// one built and saved by TF.js predicts the same here (within 1e-5), and one SGD step from the same weights on the
// same batch gives the same loss and weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import {
  AveragePooling2D,
  Conv2D,
  Dense,
  GlobalAveragePooling2D,
  MaxPooling2D,
  Sequential,
  optimizers,
} from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { BACKENDS } from '../models/backends.js';
import { captureArtifacts, maxAbsDiff, tfjs, tfLoad } from './tfjs.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});
const measured: Record<string, number> = {};
afterAll(() =>
  console.log(
    `max |scratchnet − TensorFlow.js|, CNNs:\n${Object.entries(measured)
      .map(([k, v]) => `  ${k}: ${v.toExponential(2)}`)
      .join('\n')}`,
  ),
);

function images(n: number, h: number, w: number, c: number): Float32Array {
  return Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 0.77) * 1.5);
}

function tfPredictImages(model: TF.LayersModel, data: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(data, shape)) as TF.Tensor).dataSync() as Float32Array);
}

const SHAPE = [9, 8, 3];
const labels = (n: number) => Array.from({ length: n }, (_, i) => (i * 7) % 4);

describe.each(BACKENDS)('scratchnet → TensorFlow.js (%s backend)', (backend) => {
  it("a CNN with 'same' and 'valid' convolutions, strides, non-square kernels and every pooling: TF.js loads it and predicts the same", async () => {
    const model = new Sequential(
      [
        new Conv2D(6, [3, 2], { strides: 2, padding: 'same', activation: 'relu', inputShape: SHAPE }),
        new MaxPooling2D(2, { padding: 'same' }),
        new Conv2D(5, [2, 1], { activation: 'tanh', useBias: false }),
        new AveragePooling2D([1, 2], { strides: 1 }),
        new GlobalAveragePooling2D(),
        new Dense(4, { activation: 'softmax' }),
      ],
      { seed: 6, backend },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = images(12, 9, 8, 3);
    await model.fit({ data: x, shape: [12, ...SHAPE] }, labels(12), { epochs: 3, batchSize: 4, verbose: 0 });
    const h = memoryHandler();
    await model.save(h);
    const theirs = await tfLoad(h.artifacts!);
    expect(theirs.layers.map((l) => l.getClassName())).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'AveragePooling2D',
      'GlobalAveragePooling2D',
      'Dense',
    ]);
    expect(theirs.layers.map((l) => (l.outputShape as number[]).slice(1))).toEqual(
      model.layers.map((l) => l.outputShape),
    );
    const err = maxAbsDiff(
      model.predict({ data: x, shape: [12, ...SHAPE] }).data,
      tfPredictImages(theirs, x, [12, ...SHAPE]),
    );
    measured[`Sequential → TF.js (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    theirs.dispose();
    model.dispose();
  });
});

/** TF.js: the MNIST convnet's form on small images, trained a little. */
async function tfCnn(): Promise<TF.Sequential> {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', inputShape: SHAPE }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], strides: [1, 2], padding: 'same', activation: 'sigmoid' }));
  // 'valid': under 'same', TF.js cpu's average pooling gradient divides an edge window by its full size while its
  // forward divides by the count inside (Keras: the count inside both ways), so one training step would differ
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'valid' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
  await m.fit(tf.tensor(images(16, 9, 8, 3), [16, ...SHAPE]), tf.tensor1d(labels(16), 'float32'), {
    epochs: 2,
    verbose: 0,
  });
  return m;
}

describe.each(BACKENDS)('TensorFlow.js → scratchnet (%s backend)', (backend) => {
  let theirs: TF.Sequential;
  let artifacts: ModelArtifacts;
  const x = images(10, 9, 8, 3);
  beforeAll(async () => {
    theirs = await tfCnn();
    artifacts = await captureArtifacts(theirs);
  });
  afterAll(() => theirs.dispose());

  it('a CNN built and saved by TF.js loads with its layers and predicts the same', async () => {
    const model = await loadModel(artifacts, { backend });
    expect(model.layers.map((l) => l.kind)).toEqual([
      'conv2d',
      'max_pooling2d',
      'conv2d',
      'average_pooling2d',
      'flatten',
      'dense',
    ]);
    expect(model.layers.map((l) => l.outputShape)).toEqual(
      theirs.layers.map((l) => (l.outputShape as number[]).slice(1)),
    );
    const err = maxAbsDiff(
      model.predict({ data: x, shape: [10, ...SHAPE] }).data,
      tfPredictImages(theirs, x, [10, ...SHAPE]),
    );
    measured[`TF.js → Sequential (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    model.dispose();
  });

  it('one SGD step from the same weights on the same batch: the same loss and the same updated weights', async () => {
    const model = await loadModel(artifacts, { backend });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 0.1 }), loss: 'sparse_categorical_crossentropy' });
    const twin = await tf.loadLayersModel(tf.io.fromMemory(artifacts as unknown as TF.io.ModelArtifacts));
    twin.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
    const y = labels(10);
    const theirLoss = (await twin.trainOnBatch(tf.tensor(x, [10, ...SHAPE]), tf.tensor1d(y, 'float32'))) as number;
    const history = await model.fit({ data: x, shape: [10, ...SHAPE] }, y, {
      epochs: 1,
      batchSize: 10,
      shuffle: false,
      verbose: 0,
    });
    const ourLoss = (history.history.loss as number[])[0];
    expect(Math.abs(ourLoss - theirLoss)).toBeLessThan(1e-5);
    const ours = model.getWeights(),
      theirWeights = twin.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(ours.map((w) => w.length)).toEqual(theirWeights.map((w) => w.length));
    let worst = 0;
    ours.forEach((w, i) => {
      worst = Math.max(worst, maxAbsDiff(w, theirWeights[i]));
    });
    measured[`one SGD step, weights (${backend})`] = worst;
    expect(worst).toBeLessThan(1e-5);
    // and the step moved them: the comparison is not of two unchanged copies
    const unchanged = await loadModel(artifacts, { backend });
    expect(maxAbsDiff(unchanged.getWeights()[0], ours[0])).toBeGreaterThan(1e-4);
    unchanged.dispose();
    twin.dispose();
    model.dispose();
  });

  it('a channels_first layer is refused, naming it', async () => {
    const topo = structuredClone(artifacts.modelTopology) as {
      config: { layers: { config: Record<string, unknown> }[] };
    };
    topo.config.layers[1].config.data_format = 'channels_first';
    await expect(loadModel({ ...artifacts, modelTopology: topo }, { backend })).rejects.toThrow(
      /layer 1 'max_pooling2d\w*' \(MaxPooling2D\): data_format "channels_first" is not supported; scratchnet's images are channels-last/,
    );
  });

  it('it saves back as TF.js reads it', async () => {
    const model = await loadModel(artifacts, { backend });
    const h = memoryHandler();
    await model.save(h);
    const again = await tfLoad(h.artifacts!);
    expect(
      maxAbsDiff(tfPredictImages(again, x, [10, ...SHAPE]), tfPredictImages(theirs, x, [10, ...SHAPE])),
    ).toBeLessThan(1e-5);
    again.dispose();
    model.dispose();
  });
});
