// Flatten and Reshape in the TensorFlow.js layers format, both ways, against @tensorflow/tfjs itself: models on image
// inputs [h, w, c] saved by scratchnet predict the same in tf.loadLayersModel, and TF.js's load and predict the same in
// scratchnet (Sequential and the tutorial Network), within 1e-5.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Activation, Dense, Dropout, Flatten, FlattenLayer, Network, Reshape, Sequential } from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { BACKENDS } from '../models/backends.js';
import { captureArtifacts, maxAbsDiff, tfjs, tfLoad } from './tfjs.js';
import { asKeras2Converter, asKeras3Converter } from './variants.js';

/** The lines summary() prints, joined. */
function summaryOf(model: { summary(print: (line: string) => void): void }): string {
  const lines: string[] = [];
  model.summary((line) => {
    lines.push(line);
  });
  return `${lines.join('\n')}\n`;
}

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});
const measured: Record<string, number> = {};
afterAll(() =>
  console.log(
    `max |scratchnet − TensorFlow.js|, image models:\n${Object.entries(measured)
      .map(([k, v]) => `  ${k}: ${v.toExponential(2)}`)
      .join('\n')}`,
  ),
);

/** n images [h, w, c] from a fixed formula, as flat NHWC values */
function images(n: number, h: number, w: number, c: number): Float32Array {
  return Float32Array.from({ length: n * h * w * c }, (_, i) => Math.sin(i * 0.77) * 1.5);
}

function tfPredictImages(model: TF.LayersModel, data: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(data, shape)) as TF.Tensor).dataSync() as Float32Array);
}

describe.each(BACKENDS)('scratchnet → TensorFlow.js (%s backend)', (backend) => {
  it('Flatten({ inputShape: [h, w, c] }) → Dense → Reshape → Flatten → Dense: TF.js loads it and predicts the same', async () => {
    const model = new Sequential(
      [
        new Flatten({ inputShape: [5, 4, 3] }),
        new Dense(12, { activation: 'relu' }),
        new Reshape([3, -1]),
        new Activation('softmax'),
        new Dropout(0.2),
        new Flatten(),
        new Dense(3, { activation: 'softmax' }),
      ],
      { seed: 6, backend },
    );
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const x = images(20, 5, 4, 3);
    await model.fit(
      { data: x, shape: [20, 5, 4, 3] },
      Array.from({ length: 20 }, (_, i) => i % 3),
      { epochs: 3, batchSize: 5, verbose: 0 },
    );
    const h = memoryHandler();
    await model.save(h);
    const theirs = await tfLoad(h.artifacts!);
    expect(theirs.layers.map((l) => l.getClassName())).toEqual([
      'Flatten',
      'Dense',
      'Reshape',
      'Activation',
      'Dropout',
      'Flatten',
      'Dense',
    ]);
    expect(theirs.inputs[0].shape).toEqual([null, 5, 4, 3]);
    expect(theirs.layers[2].outputShape).toEqual([null, 3, 4]); // our −1, written resolved
    const err = maxAbsDiff(
      model.predict({ data: x, shape: [20, 5, 4, 3] }).data,
      tfPredictImages(theirs, x, [20, 5, 4, 3]),
    );
    measured[`Sequential → TF.js (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    theirs.dispose();
    model.dispose();
  });

  it('a tutorial Network with FlattenLayer loads in TF.js as Flatten → Dense', async () => {
    const { FCLayer, ActivationLayer } = await import('../../src/index.js');
    const net = new Network({ seed: 3, backend });
    net.add(new FlattenLayer());
    net.add(new FCLayer(8, 4));
    net.add(new ActivationLayer('tanh'));
    net.use('mse');
    const x = images(6, 2, 2, 2);
    net.predict({ data: x, shape: [6, 2, 2, 2] }); // builds it for [2, 2, 2] images
    const h = memoryHandler();
    await net.save(h);
    const theirs = await tfLoad(h.artifacts!);
    expect(theirs.layers.map((l) => l.getClassName())).toEqual(['Flatten', 'Dense', 'Activation']);
    const err = maxAbsDiff(
      net.predict({ data: x, shape: [6, 2, 2, 2] }).data,
      tfPredictImages(theirs, x, [6, 2, 2, 2]),
    );
    measured[`Network → TF.js (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    theirs.dispose();
    net.dispose();
  });
});

/** TF.js: flatten of [6, 4, 2] images → dense → reshape → flatten → dense softmax, trained a little. */
async function tfImageModel(): Promise<TF.Sequential> {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: [6, 4, 2] }));
  m.add(tf.layers.dense({ units: 10, activation: 'tanh' }));
  m.add(tf.layers.reshape({ targetShape: [5, 2] })); // TF.js cannot build a Flatten after a −1 (its shape stays undefined)
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = images(12, 6, 4, 2);
  const y = Array.from({ length: 12 }, (_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
  await m.fit(tf.tensor(x, [12, 6, 4, 2]), tf.tensor2d(y), { epochs: 2, verbose: 0 });
  return m;
}

describe.each(BACKENDS)('TensorFlow.js → scratchnet (%s backend)', (backend) => {
  let theirs: TF.Sequential;
  let artifacts: ModelArtifacts;
  const x = images(9, 6, 4, 2);
  let expected: Float32Array;
  beforeAll(async () => {
    theirs = await tfImageModel();
    artifacts = await captureArtifacts(theirs);
    expected = tfPredictImages(theirs, x, [9, 6, 4, 2]);
  });
  afterAll(() => theirs.dispose());

  it('loads as a Sequential with its Flatten and Reshape layers and predicts the same on [n, h, w, c] images', async () => {
    const model = await loadModel(artifacts, { backend });
    expect(model.layers.map((l) => l.kind)).toEqual(['flatten', 'dense', 'reshape', 'flatten', 'dense']);
    expect(model.internals.engine.inputShape).toEqual([6, 4, 2]);
    expect(summaryOf(model)).toMatch(/\(Reshape\) +\(None, 5, 2\) +0/);
    const err = maxAbsDiff(model.predict({ data: x, shape: [9, 6, 4, 2] }).data, expected);
    measured[`TF.js → Sequential (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    // and back to TF.js again
    const h = memoryHandler();
    await model.save(h);
    const again = await tfLoad(h.artifacts!);
    expect(maxAbsDiff(tfPredictImages(again, x, [9, 6, 4, 2]), expected)).toBeLessThan(1e-5);
    again.dispose();
    model.dispose();
  });

  it.each([
    ['Keras 2 converter form (InputLayer, :0 names)', asKeras2Converter],
    ['Keras 3 converter form (batch_shape, DTypePolicy)', asKeras3Converter],
  ] as const)(
    '%s: loads and predicts the same, on images and on the same values as flat rows',
    async (name, variant) => {
      const model = await loadModel(variant(artifacts), { backend });
      expect(model.layers.map((l) => l.kind)).toEqual(['flatten', 'dense', 'reshape', 'flatten', 'dense']);
      const err = maxAbsDiff(model.predict({ data: x, shape: [9, 6, 4, 2] }).data, expected);
      measured[`TF.js → Sequential, ${name.split(' (')[0]} (${backend})`] = err;
      expect(err).toBeLessThan(1e-5);
      expect(model.predict({ data: x, shape: [9, 48] }).data).toEqual(
        model.predict({ data: x, shape: [9, 6, 4, 2] }).data,
      );
      model.dispose();
    },
  );

  it('loads as a tutorial Network: FlattenLayer, FCLayer, ActivationLayer, Reshape', async () => {
    const net = await Network.load(artifacts, { backend });
    expect(net.layers.map((l) => l.constructor.name)).toEqual([
      'FlattenLayer',
      'FCLayer',
      'ActivationLayer',
      'Reshape',
      'FlattenLayer',
      'FCLayer',
      'ActivationLayer',
    ]);
    const err = maxAbsDiff(net.predict({ data: x, shape: [9, 6, 4, 2] }).data, expected);
    measured[`TF.js → Network (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    net.dispose();
  });

  it('a channels_first Flatten is refused, naming it', async () => {
    const topo = structuredClone(artifacts.modelTopology) as {
      config: { layers: { config: Record<string, unknown> }[] };
    };
    topo.config.layers[0].config.data_format = 'channels_first';
    await expect(loadModel({ ...artifacts, modelTopology: topo }, { backend })).rejects.toThrow(
      /layer 0 'flatten\w*' \(Flatten\): data_format "channels_first" is not supported; scratchnet's images are channels-last/,
    );
  });
});
