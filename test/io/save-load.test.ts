// Save → load for both model APIs: bit-identical weights and predictions, the compile settings back, and with
// includeOptimizer training that resumes exactly where it stopped.
import { describe, expect, it } from 'vitest';
import {
  Activation,
  ActivationLayer,
  Dense,
  Dropout,
  FCLayer,
  Layer,
  Network,
  Sequential,
  activations,
  losses,
  optimizers,
} from '../../src/index.js';
import type { Optimizer, OptimizerName } from '../../src/optimizers/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import type { ModelArtifacts } from '../../src/io/types.js';
import { BACKENDS } from '../models/backends.js';

const x = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i * 0.7), (i % 5) / 5, Math.sin(i * 0.3) * 2]);
const labels = x.map((r) => (r[0] > 0 ? 1 : 0) + (r[1] > 0 ? 1 : 0));

async function saved(model: Sequential | Network, includeOptimizer = false): Promise<ModelArtifacts> {
  const h = memoryHandler();
  await model.save(h, { includeOptimizer });
  return h.artifacts!;
}

function classifier(backend: 'wasm' | 'js', optimizer: Optimizer | OptimizerName = 'adam', seed = 11): Sequential {
  const m = new Sequential(
    [
      new Dense(10, { inputShape: [4], activation: 'relu' }),
      new Dropout(0.2),
      new Dense(6, { activation: activations.leakyRelu(0.05) }),
      new Dense(3, { activation: 'softmax' }),
    ],
    { seed, backend },
  );
  m.compile({ optimizer, loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

describe.each(BACKENDS)('Sequential on %s', (backend) => {
  it('save → load gives bit-identical weights and predictions, compiled as it was', async () => {
    const model = classifier(backend);
    await model.fit(x, labels, { epochs: 3, batchSize: 6, verbose: 0 });
    const back = await loadModel(await saved(model), { backend });
    expect(back.getWeights()).toEqual(model.getWeights());
    expect(back.predict(x)).toEqual(model.predict(x));
    expect(back.layers.map((l) => [l.kind, l.name])).toEqual(model.layers.map((l) => [l.kind, l.name]));
    expect(back.internals.loss!.name).toBe('sparse_categorical_crossentropy');
    expect(back.internals.metrics).toEqual(['accuracy']);
    expect(back.internals.optimizer!.getConfig()).toEqual(model.internals.optimizer!.getConfig());
    expect(back.evaluate(x, labels)).toEqual(model.evaluate(x, labels));
    model.dispose();
    back.dispose();
  });

  it.each([
    ['adam', () => optimizers.adam({ learningRate: 0.01 })],
    ['rmsprop', () => optimizers.rmsprop({ learningRate: 0.01 })],
    ['sgd', () => optimizers.sgd({ learningRate: 0.1 })],
  ])(
    'with includeOptimizer, %s training resumes exactly: 2 epochs + save + load + 2 epochs = 4 epochs',
    async (_name, make) => {
      const straight = classifier(backend, make());
      const resumed = classifier(backend, make());
      // Dropout draws from the saved generator state. NOTE: shuffle is off because fitLoop shuffles the previous
      // epoch's order in place, starting again from 0..n−1 in each fit() call, so even fit(2) + fit(2) ≠ fit(4) today.
      const opts = { batchSize: 5, verbose: 0 as const, shuffle: false };
      await straight.fit(x, labels, { ...opts, epochs: 4 });
      await resumed.fit(x, labels, { ...opts, epochs: 2 });
      const back = await loadModel(await saved(resumed, true), { backend });
      resumed.dispose();
      await back.fit(x, labels, { ...opts, epochs: 2 });
      expect(back.getWeights()).toEqual(straight.getWeights());
      straight.dispose();
      back.dispose();
    },
  );

  it('with momentum, the velocity goes through TF.js’s form (a = −v/lr) and comes back within float32 rounding', async () => {
    const make = () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true });
    const model = classifier(backend, make());
    await model.fit(x, labels, { epochs: 2, batchSize: 5, verbose: 0 });
    const back = await loadModel(await saved(model, true), { backend });
    const a = model.internals.optimizer!.getState!(),
      b = back.internals.optimizer!.getState!();
    expect(b.iterations).toBe(a.iterations);
    a.slots.forEach((s, i) => s[0].forEach((v, j) => expect(b.slots[i][0][j]).toBeCloseTo(v, 7)));
    model.dispose();
    back.dispose();
  });

  it('with momentum and a learning rate of 0 at the save (a schedule’s pause), the velocity comes back exactly (scratchnet’s note of the scale)', async () => {
    const model = classifier(backend, optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }));
    await model.fit(x, labels, { epochs: 2, batchSize: 5, verbose: 0 });
    model.internals.optimizer!.learningRate = 0;
    const artifacts = await saved(model, true);
    expect(artifacts.userDefinedMetadata).toMatchObject({ scratchnet: { velocityScale: 1 } });
    const back = await loadModel(artifacts, { backend });
    const a = model.internals.optimizer!.getState!(),
      b = back.internals.optimizer!.getState!();
    expect(a.slots[0][0].some((v) => v !== 0)).toBe(true);
    expect(b.slots).toEqual(a.slots); // −(−v / 1) · 1 = v: no rounding
    // training on at a rate again moves both the same way (with zeros for the velocity, the loaded one lagged)
    for (const m of [model, back]) m.internals.optimizer!.learningRate = 0.05;
    await model.fit(x, labels, { epochs: 1, batchSize: 5, verbose: 0, shuffle: false });
    await back.fit(x, labels, { epochs: 1, batchSize: 5, verbose: 0, shuffle: false });
    expect(back.getWeights()).toEqual(model.getWeights());
    model.dispose();
    back.dispose();
  });

  it('without includeOptimizer the optimizer starts fresh; a loss on logits comes back through scratchnet’s metadata', async () => {
    const model = new Sequential([new Dense(3, { inputShape: [4] })], { seed: 1, backend });
    model.compile({ optimizer: 'sgd', loss: losses.create('sparse_categorical_crossentropy', { fromLogits: true }) });
    await model.fit(x, labels, { epochs: 1, verbose: 0 });
    const artifacts = await saved(model);
    expect(artifacts.trainingConfig).toBeUndefined(); // TF.js cannot express from_logits as a loss name
    const back = await loadModel(artifacts, { backend });
    expect(back.internals.loss).toMatchObject({ name: 'sparse_categorical_crossentropy', fromLogits: true });
    expect(back.internals.optimizer!.iterations).toBe(0);
    expect((await loadModel(artifacts, { backend, compile: false })).internals.loss).toBeUndefined();
    model.dispose();
    back.dispose();
  });

  it.each([
    ['a Dropout', () => new Dropout(0.2)],
    ['an Activation', () => new Activation('tanh')],
  ])(
    'a compiled model whose first layer is %s (no input size declared) loads, compiled and built from its weights',
    async (_name, first) => {
      const model = new Sequential([first(), new Dense(3, { activation: 'softmax' })], { seed: 2, backend });
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      await model.fit(x, labels, { epochs: 1, verbose: 0 });
      const back = await loadModel(await saved(model, true), { backend });
      expect(back.getWeights()).toEqual(model.getWeights());
      expect(back.predict(x)).toEqual(model.predict(x));
      expect(back.internals.optimizer!.iterations).toBe(model.internals.optimizer!.iterations);
      model.dispose();
      back.dispose();
    },
  );

  it('refuses what cannot be saved: an unbuilt model, a custom activation, includeOptimizer without an optimizer', async () => {
    await expect(new Sequential([new Dense(2)], { backend }).save(memoryHandler())).rejects.toThrow(
      /^scratchnet: the model has no weights to save until it is built/,
    );
    const custom = new Sequential(
      [
        new Dense(2, { inputShape: [4] }),
        new Activation(
          (v: number) => v * v,
          (v: number) => 2 * v,
        ),
      ],
      { backend },
    );
    custom.predict(x);
    await expect(custom.save(memoryHandler())).rejects.toThrow(
      /^scratchnet: layer 'activation' uses the custom activation .* which cannot be saved/,
    );
    const plain = new Sequential([new Dense(2, { inputShape: [4] })], { backend });
    plain.predict(x);
    await expect(plain.save(memoryHandler(), { includeOptimizer: true })).rejects.toThrow(
      /^scratchnet: includeOptimizer: the model has no optimizer/,
    );
    await expect(plain.save(42 as never)).rejects.toThrow(/^scratchnet: save takes a URL string/);
    await expect(plain.save({ load: async () => ({}) } as never)).rejects.toThrow(
      /^scratchnet: the handler cannot save \(it has no save\(\) method\)/,
    );
    await expect(plain.save('ftp://somewhere')).rejects.toThrow(
      /^scratchnet: cannot save 'ftp:\/\/somewhere': unknown scheme 'ftp:\/\/'/,
    );
  });
});

function xorNet(backend: 'wasm' | 'js'): Network {
  const net = new Network({ seed: 8, backend });
  net.add(new FCLayer(4, 5));
  net.add(new ActivationLayer('tanh'));
  net.add(new Dropout(0.1));
  net.add(new FCLayer(5, 2));
  net.add(new ActivationLayer('sigmoid'));
  net.use('mse');
  return net;
}

describe.each(BACKENDS)('Network on %s', (backend) => {
  const y = x.map((r) => [r[0] > 0 ? 1 : 0, r[1] > 0 ? 1 : 0]);

  it('Network.save → Network.load gives the same tutorial layers, weights, predictions and loss', async () => {
    const net = xorNet(backend);
    await net.fit(x, y, { epochs: 5, learningRate: 0.3, verbose: false });
    const back = await Network.load(await saved(net), { backend });
    expect(back.layers.map((l) => l.constructor.name)).toEqual([
      'FCLayer',
      'ActivationLayer',
      'Dropout',
      'FCLayer',
      'ActivationLayer',
    ]);
    expect(back.getWeights()).toEqual(net.getWeights());
    expect(back.predict(x)).toEqual(net.predict(x));
    expect(back.internals.loss!.name).toBe('mse');
    await back.fit(x, y, { epochs: 1, learningRate: 0.3, verbose: false }); // trains on
    net.dispose();
    back.dispose();
  });

  it('a Network loads as a Sequential, and a Sequential as a Network (each Dense → FCLayer + ActivationLayer)', async () => {
    const net = xorNet(backend);
    net.predict(x);
    const seq = await loadModel(await saved(net), { backend });
    expect(seq.layers.map((l) => l.kind)).toEqual(['dense', 'activation', 'dropout', 'dense', 'activation']);
    expect(seq.predict(x)).toEqual(net.predict(x));

    const model = classifier(backend);
    const asNet = await Network.load(await saved(model), { backend });
    expect(asNet.layers.map((l) => `${l.constructor.name}:${l.name}`)).toEqual([
      'FCLayer:dense',
      'ActivationLayer:dense_activation',
      'Dropout:dropout',
      'FCLayer:dense_1',
      'ActivationLayer:dense_1_activation',
      'FCLayer:dense_2',
      'ActivationLayer:dense_2_activation',
    ]);
    const a = asNet.predict(x),
      b = model.predict(x);
    a.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(b[i][j], 6)));
    [net, seq, model, asNet].forEach((m) => m.dispose());
  });

  it('a Network of FCLayers saved before any fit or predict saves its initial weights (built when added)', async () => {
    const net = new Network({ backend, seed: 3 });
    net.add(new FCLayer(2, 3));
    net.add(new ActivationLayer('tanh'));
    net.add(new FCLayer(3, 1));
    const h = memoryHandler();
    await net.save(h);
    const back = await Network.load(h, { backend });
    expect(back.getWeights()).toEqual(net.getWeights());
    net.dispose();
    back.dispose();
  });

  it('a Network whose first layer has no input size, saved before any fit or predict, is refused for having no weights yet', async () => {
    const net = new Network({ backend });
    net.add(new Dense(3));
    net.add(new FCLayer(3, 1));
    await expect(net.save(memoryHandler())).rejects.toThrow(
      /^scratchnet: the model has no weights to save until it is built: fit or predict once/,
    );
    net.dispose();
  });

  it('a Network with a custom Layer is refused by name', async () => {
    class Scale extends Layer {
      constructor() {
        super('scale');
      }
      forwardPropagation(input: Float32Array) {
        return input.map((v) => v * 2);
      }
      backwardPropagation(e: Float32Array) {
        return e.map((v) => v * 2);
      }
    }
    const net = new Network({ backend });
    net.add(new FCLayer(4, 2));
    net.add(new Scale());
    net.use('mse');
    net.predict(x);
    await expect(net.save(memoryHandler())).rejects.toThrow(
      /^scratchnet: layer 'scale' is a custom Scale, which cannot be saved in the Keras format/,
    );
  });
});
