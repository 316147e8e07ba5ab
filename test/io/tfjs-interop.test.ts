// Interop with TensorFlow.js both ways, through in-memory artifacts (tf.io.fromMemory / tf.io.withSaveHandler):
// the same numbers must come out within 1e-5. The measured errors are printed at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import {
  Activation,
  Dense,
  Dropout,
  Network,
  FCLayer,
  ActivationLayer,
  Sequential,
  activations,
  optimizers,
} from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { BACKENDS } from '../models/backends.js';
import { captureArtifacts, maxAbsDiff, tfjs, tfLoad, tfPredict } from './tfjs.js';
import { asKeras2Converter, asKeras3Converter, inShards, withoutInputShape } from './variants.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

const measured: Record<string, number> = {};
afterAll(() => {
  const rows = Object.entries(measured).map(([k, v]) => `  ${k}: ${v.toExponential(2)}`);
  console.log(`max |scratchnet − TensorFlow.js| over the predictions:\n${rows.join('\n')}`);
});

/** Inputs from a fixed formula (no Math.random): rows of `cols` values in about [−2, 2]. */
function inputs(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => Math.sin(i * 1.7 + j * 0.9) * 2),
  );
}

async function ourSave(model: Sequential | Network, includeOptimizer = false): Promise<ModelArtifacts> {
  const h = memoryHandler();
  await model.save(h, { includeOptimizer });
  return h.artifacts!;
}

describe.each(BACKENDS)('scratchnet → TensorFlow.js (%s backend)', (backend) => {
  it('a trained Sequential (Dense relu, Dropout, Dense leaky_relu, Dense + Activation softmax, no-bias Dense) predicts the same in tf.loadLayersModel', async () => {
    const model = new Sequential(
      [
        new Dense(16, { inputShape: [7], activation: 'relu' }),
        new Dropout(0.25),
        new Dense(9, { activation: activations.leakyRelu(0.1) }),
        new Dense(8, { activation: 'tanh', useBias: false }),
        new Dense(5, { activation: 'sigmoid' }),
        new Dense(4),
        new Activation('softmax'),
      ],
      { seed: 3, backend },
    );
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.01 }),
      loss: 'sparse_categorical_crossentropy',
      metrics: ['accuracy'],
    });
    const x = inputs(40, 7);
    await model.fit(
      x,
      x.map((r) => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 2 : 0)),
      { epochs: 3, batchSize: 8, verbose: 0 },
    );
    const artifacts = await ourSave(model);
    const theirs = await tfLoad(artifacts);
    const err = maxAbsDiff(
      model.predict({ data: Float32Array.from(x.flat()), shape: [40, 7] }).data,
      tfPredict(theirs, x),
    );
    measured[`Sequential → TF.js (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    // TF.js read the training config too.
    expect(theirs.optimizer?.getClassName()).toBe('Adam');
    model.dispose();
  });

  it('with includeOptimizer, TF.js takes Adam’s step count and moments as its own', async () => {
    const model = new Sequential(
      [new Dense(6, { inputShape: [3], activation: 'tanh' }), new Dense(2, { activation: 'softmax' })],
      { seed: 4, backend },
    );
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const x = inputs(12, 3);
    await model.fit(
      x,
      x.map((r) => (r[2] > 0 ? [1, 0] : [0, 1])),
      { epochs: 2, batchSize: 4, verbose: 0 },
    );
    const artifacts = await ourSave(model, true);
    const theirs = await tfLoad(artifacts);
    const weights = await theirs.optimizer.getWeights();
    expect(weights.map((w) => w.name)).toEqual([
      'iter',
      'dense/kernel/m',
      'dense/bias/m',
      'dense_1/kernel/m',
      'dense_1/bias/m',
      'dense/kernel/v',
      'dense/bias/v',
      'dense_1/kernel/v',
      'dense_1/bias/v',
    ]);
    expect(weights[0].tensor.dataSync()[0]).toBe(6); // 2 epochs × 3 batches
    const ours = model.internals.optimizer!.getState!();
    expect(Array.from(weights[1].tensor.dataSync())).toEqual(Array.from(ours.slots[0][0]));
    expect(Array.from(weights[8].tensor.dataSync())).toEqual(Array.from(ours.slots[3][1]));
    model.dispose();
  });

  it('a tutorial Network (FCLayer/ActivationLayer) loads in TF.js as Dense/Activation layers', async () => {
    const net = new Network({ seed: 5, backend });
    net.add(new FCLayer(2, 3));
    net.add(new ActivationLayer('tanh'));
    net.add(new FCLayer(3, 1));
    net.add(new ActivationLayer('sigmoid'));
    net.use('mse');
    const x = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    await net.fit(x, [[0], [1], [1], [0]], { epochs: 50, learningRate: 0.5, verbose: false });
    const artifacts = await ourSave(net);
    const topology = artifacts.modelTopology as { config: { layers: { class_name: string }[] } };
    expect(topology.config.layers.map((l) => l.class_name)).toEqual(['Dense', 'Activation', 'Dense', 'Activation']);
    const theirs = await tfLoad(artifacts);
    const err = maxAbsDiff(net.predict(x).flat(), tfPredict(theirs, x));
    measured[`Network → TF.js (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    net.dispose();
  });
});

/** A TensorFlow.js model with every layer kind scratchnet loads, trained a little so that no weight is at its init. */
async function tfModel(): Promise<TF.Sequential> {
  const m = tf.sequential();
  m.add(tf.layers.dense({ units: 12, inputShape: [6], activation: 'relu' }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.dense({ units: 10, activation: 'tanh' }));
  m.add(tf.layers.dense({ units: 8, useBias: false }));
  m.add(tf.layers.leakyReLU({ alpha: 0.2 }));
  m.add(tf.layers.dense({ units: 5, activation: 'sigmoid' }));
  m.add(tf.layers.dense({ units: 3 }));
  m.add(tf.layers.activation({ activation: 'softmax' }));
  m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = inputs(30, 6);
  const y = x.map((r) => [r[0] > 0 ? 1 : 0, r[0] <= 0 && r[1] > 0 ? 1 : 0, r[0] <= 0 && r[1] <= 0 ? 1 : 0]);
  await m.fit(tf.tensor2d(x), tf.tensor2d(y), { epochs: 3, verbose: 0 });
  return m;
}

describe.each(BACKENDS)('TensorFlow.js → scratchnet (%s backend)', (backend) => {
  let theirs: TF.Sequential;
  let artifacts: ModelArtifacts;
  const x = inputs(25, 6);
  let expected: Float32Array;
  beforeAll(async () => {
    theirs = await tfModel();
    artifacts = await captureArtifacts(theirs);
    expected = tfPredict(theirs, x);
  });

  const variants: [string, (a: ModelArtifacts) => ModelArtifacts][] = [
    ['as TensorFlow.js saved it', (a) => a],
    [
      'Keras 2 converter form: model_config wrapper, InputLayer, dense_1/kernel:0 names, training_config',
      asKeras2Converter,
    ],
    ['Keras 3 converter form: batch_shape, DTypePolicy, sequential/dense/kernel names', asKeras3Converter],
    ['in three shards split mid-weight', (a) => inShards(a, [37, 301])],
    ['without any input shape (read from the first kernel)', withoutInputShape],
  ];
  it.each(variants)('%s: loads and predicts the same', async (name, variant) => {
    const model = await loadModel(variant(artifacts), { backend });
    const err = maxAbsDiff(model.predict({ data: Float32Array.from(x.flat()), shape: [25, 6] }).data, expected);
    measured[`TF.js → scratchnet, ${name.split(':')[0]} (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    expect(model.layers.map((l) => l.kind)).toEqual([
      'dense',
      'dropout',
      'dense',
      'dense',
      'activation',
      'dense',
      'dense',
      'activation',
    ]);
    model.dispose();
  });

  it.each([
    ['kernel_regularizer', () => ({ kernelRegularizer: tf.regularizers.l2({ l2: 0.1 }) }), /"L2"|L1L2/],
    ['bias_regularizer', () => ({ biasRegularizer: tf.regularizers.l1({ l1: 0.01 }) }), /"L1"|L1L2/],
    ['kernel_constraint', () => ({ kernelConstraint: tf.constraints.maxNorm({ maxValue: 1 }) }), /MaxNorm/],
    ['bias_constraint', () => ({ biasConstraint: tf.constraints.nonNeg() }), /NonNeg/],
  ] as const)(
    'a Dense with a %s is refused by name (scratchnet would train it without), and loads once it is null',
    async (key, option, saved) => {
      const penalised = tf.sequential({
        layers: [
          tf.layers.dense({ units: 3, inputShape: [4], name: 'penalised', ...option() }),
          tf.layers.dense({ units: 2 }),
        ],
      });
      const a = await captureArtifacts(penalised);
      const error = await loadModel(a, { backend }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(
        new RegExp(
          `^scratchnet: layer 0 'penalised' \\(Dense\\) has ${key} .*; scratchnet has no (regularizers|constraints), so it would train this layer without it`,
        ),
      );
      expect(error?.message).toMatch(saved);
      // the model's file with that option set to null: it loads, and predicts as TF.js does
      const topology = structuredClone(a.modelTopology) as {
        config: { layers: { config: Record<string, unknown> }[] };
      };
      topology.config.layers[0].config[key] = null;
      const model = await loadModel({ ...a, modelTopology: topology as never }, { backend });
      const x = inputs(5, 4);
      const err = maxAbsDiff(
        model.predict({ data: Float32Array.from(x.flat()), shape: [5, 4] }).data,
        tfPredict(penalised, x),
      );
      expect(err).toBeLessThan(1e-5);
      model.dispose();
      penalised.dispose();
    },
  );

  it('saved with includeOptimizer, comes back compiled (Adam, categorical cross-entropy, accuracy) with TF.js’s Adam state, and trains on', async () => {
    const withOptimizer = await captureArtifacts(theirs, true);
    const model = await loadModel(withOptimizer, { backend });
    const state = model.internals.optimizer!.getState!();
    const tfWeights = await theirs.optimizer.getWeights();
    expect(state.iterations).toBe(3); // 3 epochs of one batch
    expect(Array.from(state.slots[0][0])).toEqual(Array.from(tfWeights[1].tensor.dataSync())); // dense kernel m
    const n = (tfWeights.length - 1) / 2; // 'iter', then every weight's m, then every weight's v
    expect(Array.from(state.slots[0][1])).toEqual(Array.from(tfWeights[1 + n].tensor.dataSync())); // dense kernel v
    const y = x.map((r) => [r[0] > 0 ? 1 : 0, r[0] <= 0 && r[1] > 0 ? 1 : 0, r[0] <= 0 && r[1] <= 0 ? 1 : 0]);
    const before = model.evaluate(x, y);
    expect(before.accuracy).toBeDefined();
    const optimizer = model.internals.optimizer!;
    expect(optimizer.getConfig()).toMatchObject({ name: 'adam', learningRate: 0.01 });
    await model.fit(x, y, { epochs: 20, batchSize: 5, verbose: 0 });
    expect(model.evaluate(x, y).loss).toBeLessThan(before.loss);
    model.dispose();
  });

  it('TensorFlow.js accepts the Keras 2 converter variant too (so the variant is a faithful one)', async () => {
    const variant = asKeras2Converter(artifacts);
    // TF.js itself does not strip ':0' from weight names; give it the converter's plain names.
    const plain = {
      ...variant,
      weightSpecs: variant.weightSpecs!.map((s) => ({ ...s, name: s.name.replace(/:0$/, '') })),
    };
    const again = await tfLoad(plain);
    expect(maxAbsDiff(tfPredict(again, x), expected)).toBeLessThan(1e-6);
  });
});

/** TF.js's functional form of a chain: input → Dense relu → Dropout → Dense tanh → Dense softmax (tf.model). */
async function tfFunctionalChain(): Promise<TF.LayersModel> {
  const input = tf.input({ shape: [5] });
  let t = tf.layers.dense({ units: 7, activation: 'relu' }).apply(input) as TF.SymbolicTensor;
  t = tf.layers.dropout({ rate: 0.2 }).apply(t) as TF.SymbolicTensor;
  t = tf.layers.dense({ units: 6, activation: 'tanh' }).apply(t) as TF.SymbolicTensor;
  t = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(t) as TF.SymbolicTensor;
  return tf.model({ inputs: input, outputs: t });
}

type FunctionalLayer = { class_name: string; name: string; config: Record<string, unknown>; inbound_nodes: unknown[] };

/** The same topology as Keras 3 writes a functional model: 'Functional', nodes as { args: [keras tensors] }, bare endpoints. */
function asKeras3Functional(a: ModelArtifacts): ModelArtifacts {
  const topo = structuredClone(a.modelTopology) as {
    class_name: string;
    config: { layers: FunctionalLayer[]; input_layers: unknown; output_layers: unknown };
  };
  topo.class_name = 'Functional';
  for (const layer of topo.config.layers) {
    layer.inbound_nodes = (layer.inbound_nodes as [string, number, number][][]).map((node) => ({
      args: node.map(([name, n, i]) => ({
        class_name: '__keras_tensor__',
        config: { shape: [null, 1], dtype: 'float32', keras_history: [name, n, i] },
      })),
      kwargs: {},
    }));
  }
  topo.config.input_layers = (topo.config.input_layers as unknown[][])[0];
  topo.config.output_layers = (topo.config.output_layers as unknown[][])[0];
  return { ...a, modelTopology: topo };
}

describe.each(BACKENDS)('functional models that are one chain, TensorFlow.js → scratchnet (%s backend)', (backend) => {
  it.each([
    ['as TensorFlow.js saves tf.model (class Model)', (a: ModelArtifacts) => a],
    ['in Keras 3’s Functional form', asKeras3Functional],
  ] as const)('%s: loads as a Sequential and predicts the same', async (name, variant) => {
    const theirs = await tfFunctionalChain();
    const x = inputs(9, 5);
    const model = await loadModel(variant(await captureArtifacts(theirs)), { backend });
    expect(model.layers.map((l) => l.kind)).toEqual(['dense', 'dropout', 'dense', 'dense']);
    const err = maxAbsDiff(
      model.predict({ data: Float32Array.from(x.flat()), shape: [9, 5] }).data,
      tfPredict(theirs, x),
    );
    measured[`TF.js functional chain → scratchnet, ${name} (${backend})`] = err;
    expect(err).toBeLessThan(1e-5);
    model.dispose();
    theirs.dispose();
  });
});
