// Layers are built as soon as their input shape is known, as Keras builds a model given an inputShape and the
// tutorial's FCLayer makes its weights in its constructor: weights exist right after construction or add(), layers are
// named when added, a built model grows when a layer is added, and a seed gives the same weights however early or late
// the model was built.
import { describe, expect, it } from 'vitest';
import { ActivationLayer, Dense, Dropout, FCLayer, Layer, Network, Sequential, memory } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const x = [
  [1, 1, 0],
  [0, 1, 1],
  [1, 0, 1],
  [0, 0, 0],
];
const y = [[0], [1], [1], [0]];

const shapes = (ws: Float32Array[]) => ws.map((w) => w.length);

describe.each(BACKENDS)('weights from construction (%s)', (backend) => {
  it("an FCLayer has weights as soon as it is added to a Network, and the network's getWeights lists them", () => {
    const net = new Network({ seed: 1, backend });
    const first = new FCLayer(3, 4);
    net.add(first);
    expect(first.name).toBe('fc_layer');
    expect(shapes(first.getWeights())).toEqual([12, 4]);
    net.add(new ActivationLayer('tanh')).add(new FCLayer(4, 1));
    expect(net.layers.map((l) => l.name)).toEqual(['fc_layer', 'activation_layer', 'fc_layer_1']);
    expect(shapes(net.getWeights())).toEqual([12, 4, 4, 1]);
    // the tutorial's uniform [-0.5, 0.5] draws, not zeros
    const kernel = first.getWeights()[0];
    expect(kernel.some((v) => v !== 0)).toBe(true);
    expect(kernel.every((v) => v >= -0.5 && v <= 0.5)).toBe(true);
    // setWeights before any fit takes, and predict uses them
    net.setWeights([
      new Float32Array(12).fill(0.1),
      new Float32Array(4),
      new Float32Array(4).fill(1),
      new Float32Array(1),
    ]);
    expect(net.predict([[1, 1, 1]])[0][0]).toBeCloseTo(4 * Math.tanh(0.3), 5);
    net.dispose();
  });

  it('a Sequential whose first layer has inputShape is built when made, and a layer added later when added', () => {
    const model = new Sequential([new Dense(4, { inputShape: [3], activation: 'relu' })], { seed: 1, backend });
    expect(shapes(model.getWeights())).toEqual([12, 4]);
    model.add(new Dense(2));
    expect(model.layers.map((l) => l.name)).toEqual(['dense', 'dense_1']);
    expect(shapes(model.getWeights())).toEqual([12, 4, 8, 2]);
    expect(shapes(model.layers[1].getWeights())).toEqual([8, 2]);
    const lines: string[] = [];
    model.summary((line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/dense_1 \(Dense\)\s+\(None, 2\)\s+10/);
    expect(lines.join('\n')).toMatch(/Total params: 26/);
    model.dispose();
  });

  it('a model without an input shape is named at add and built at its first predict, as before', () => {
    const model = new Sequential([], { seed: 1, backend });
    model.add(new Dense(4));
    expect(model.layers[0].name).toBe('dense');
    expect(() => model.getWeights()).toThrow(/no weights until it is built/);
    expect(() => model.layers[0].getWeights()).toThrow(/layer 'dense' has no weights until it is built/);
    model.predict(x);
    expect(shapes(model.getWeights())).toEqual([12, 4]);
    model.dispose();
  });

  it("a user's name wins over a name the model gave earlier", () => {
    const model = new Sequential([new Dense(4, { inputShape: [3] })], { backend });
    model.add(new Dense(1, { name: 'dense' }));
    expect(model.layers.map((l) => l.name)).toEqual(['dense_1', 'dense']);
    expect(() => model.add(new Dense(1, { name: 'dense' }))).toThrow(/two layers are named 'dense'/);
    expect(model.layers).toHaveLength(2);
    // a layer refused by the build gives back the names as they were, its own too
    const wrong = new Dense(1, { inputDim: 5, name: 'dense_1' });
    expect(() => model.add(wrong)).toThrow(/'dense' outputs 1 values but 'dense_1' expects 5 inputs/);
    expect(model.layers.map((l) => l.name)).toEqual(['dense_1', 'dense']);
    const unnamed = new Dense(1, { inputDim: 5 });
    expect(() => model.add(unnamed)).toThrow(/do not chain/);
    expect(unnamed.name).toBe('');
    model.dispose();
  });

  it('Network.build(inputShape) builds the layers whose input size was not known, as a first predict would', () => {
    const net = new Network({ seed: 3, backend });
    net.add(new Dense(4)).add(new ActivationLayer('relu')).add(new FCLayer(4, 1));
    expect(() => net.getWeights()).toThrow(/no weights until it is built/); // the first layer does not know its input
    net.build([3]);
    expect(shapes(net.getWeights())).toEqual([12, 4, 4, 1]);
    const built = net.getWeights();
    net.build([3]); // again: nothing changes
    expect(net.getWeights()).toEqual(built);
    expect(() => net.build([5])).toThrow(/has 5 features per sample but the model's input size is 3/);
    expect(() => net.build([0])).toThrow(/inputShape must be a non-empty list of positive integers/);
    // the same layers built by a first predict draw the same weights
    const late = new Network({ seed: 3, backend });
    late.add(new Dense(4)).add(new ActivationLayer('relu')).add(new FCLayer(4, 1));
    late.predict(x);
    expect(late.getWeights()).toEqual(built);
    net.dispose();
    late.dispose();
  });

  it('Network.build on a network with a layer of its own passes one sample of zeros through it', () => {
    class Twice extends Layer {
      forwardPropagation(input: Float32Array) {
        return input.map((v) => 2 * v);
      }
      backwardPropagation(e: Float32Array) {
        return e.map((v) => 2 * v);
      }
    }
    const make = () => new Network({ seed: 5, backend }).add(new Dense(4)).add(new Twice()).add(new Dense(2));
    const net = make();
    net.build([3]);
    expect(shapes(net.getWeights())).toEqual([12, 4, 8, 2]);
    const late = make();
    late.predict(x);
    expect(late.getWeights()).toEqual(net.getWeights());
    net.dispose();
    late.dispose();
  });
});

describe.each(BACKENDS)('a seed gives the same weights built early or late (%s)', (backend) => {
  it('Sequential: built when made (inputShape) equals built at the first fit, before and after training', async () => {
    const early = new Sequential(
      [new Dense(5, { inputShape: [3], activation: 'tanh' }), new Dropout(0.3), new Dense(1)],
      { seed: 11, backend },
    );
    const late = new Sequential([new Dense(5, { activation: 'tanh' }), new Dropout(0.3), new Dense(1)], {
      seed: 11,
      backend,
    });
    const initial = early.getWeights();
    for (const m of [early, late]) m.compile({ optimizer: 'adam', loss: 'mse' });
    late.build([null, 3]); // Keras's form, with the batch dimension
    expect(late.getWeights()).toEqual(initial);
    // and a model built only by fit (no build call) too, and training goes the same way bit for bit
    const byFit = new Sequential([new Dense(5, { activation: 'tanh' }), new Dropout(0.3), new Dense(1)], {
      seed: 11,
      backend,
    });
    byFit.compile({ optimizer: 'adam', loss: 'mse' });
    for (const m of [early, byFit]) await m.fit(x, y, { epochs: 3, batchSize: 2, verbose: 0 });
    expect(byFit.getWeights()).toEqual(early.getWeights());
    expect(early.getWeights()).not.toEqual(initial);
    for (const m of [early, late, byFit]) m.dispose();
  });

  it('Network: FCLayers built at add equal Dense layers built at the first fit, and train the same', async () => {
    const early = new Network({ seed: 4, backend });
    early.add(new FCLayer(3, 4)).add(new ActivationLayer('tanh')).add(new FCLayer(4, 1));
    const late = new Network({ seed: 4, backend });
    const init = { kernelInitializer: 'tutorial_uniform', biasInitializer: 'tutorial_uniform' } as const;
    late.add(new Dense(4, init)).add(new ActivationLayer('tanh')).add(new Dense(1, init));
    const initial = early.getWeights();
    for (const n of [early, late]) n.use('mse');
    for (const n of [early, late]) await n.fit(x, y, { epochs: 5, learningRate: 0.1, shuffle: true, verbose: false });
    expect(late.getWeights()).toEqual(early.getWeights());
    expect(early.getWeights()).not.toEqual(initial);
    early.dispose();
    late.dispose();
  });
});

describe.each(BACKENDS)('adding a layer to a built model (%s)', (backend) => {
  it('a trained Sequential grows: the old weights stay where they were, the new layer trains with the rest', async () => {
    const model = new Sequential([new Dense(4, { inputShape: [3], activation: 'relu' }), new Dense(3)], {
      seed: 2,
      backend,
    });
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(
      x,
      [
        [0, 1, 0],
        [1, 0, 0],
        [1, 1, 0],
        [0, 0, 1],
      ],
      { epochs: 2, verbose: 0 },
    );
    const trained = model.getWeights();
    model.add(new Dense(1, { activation: 'sigmoid' }));
    expect(model.getWeights().slice(0, 4)).toEqual(trained); // the arena offsets stayed valid
    expect(shapes(model.getWeights())).toEqual([12, 4, 12, 3, 3, 1]);
    expect(model.predict(x)[0]).toHaveLength(1);
    const before = model.getWeights();
    await model.fit(x, y, { epochs: 2, verbose: 0 }); // the optimizer's slots were made anew for all six arrays
    const after = model.getWeights();
    after.forEach((w, i) => expect(w).not.toEqual(before[i]));
    model.dispose();
  });

  it('a Network trained once takes another layer and trains again', async () => {
    const net = new Network({ seed: 2, backend });
    net.add(new FCLayer(3, 4)).add(new ActivationLayer('tanh')).use('mse');
    await net.fit(
      x,
      [
        [0, 0, 0, 1],
        [0, 0, 1, 0],
        [0, 1, 0, 0],
        [1, 0, 0, 0],
      ],
      { epochs: 2, learningRate: 0.1, verbose: false },
    );
    net.add(new FCLayer(4, 1));
    expect(shapes(net.getWeights())).toEqual([12, 4, 4, 1]);
    const errors = await net.fit(x, y, { epochs: 30, learningRate: 0.1, verbose: false });
    expect(errors[29]).toBeLessThan(errors[0]);
    net.dispose();
  });

  it('layers added after compile are checked against the loss once the model is complete, not one by one', () => {
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (m: string) => warnings.push(m);
    try {
      const model = new Sequential([], { backend });
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      model.add(new Dense(8, { inputShape: [3], activation: 'relu' })); // a relu output would be warned about
      model.add(new Dense(3, { activation: 'softmax' }));
      expect(model.predict(x)[0]).toHaveLength(3);
      expect(warnings).toEqual([]);
      model.dispose();
    } finally {
      console.warn = warn;
    }
  });

  it('a compile after the model is built gives the optimizer its slots, and a layer added is refused while fit runs', async () => {
    const model = new Sequential([new Dense(4, { inputShape: [3] })], { seed: 2, backend });
    const built = memory(backend).bytesInUse;
    model.compile({ optimizer: 'adam', loss: 'mse' });
    expect(memory(backend).bytesInUse - built).toBeGreaterThanOrEqual(2 * (12 + 4) * 4); // Adam's m and v
    let refused = '';
    await model.fit(
      x,
      [
        [0, 0, 0, 1],
        [0, 0, 1, 0],
        [0, 1, 0, 0],
        [1, 0, 0, 0],
      ],
      {
        epochs: 1,
        verbose: 0,
        callbacks: {
          onEpochEnd: () => {
            try {
              model.add(new Dense(1));
            } catch (e) {
              refused = (e as Error).message;
            }
          },
        },
      },
    );
    expect(refused).toMatch(/^scratchnet: add\(\) while fit\(\) is running on this model/);
    expect(model.layers).toHaveLength(1);
    model.dispose();
  });
});
