import { describe, expect, it, vi } from 'vitest';
import {
  Activation,
  Dense,
  Dropout,
  Random,
  Sequential,
  activations,
  losses,
  memory,
  optimizers,
  toCategorical,
  type Logs,
} from '../../src/index.js';
import { BACKENDS } from './backends.js';

/** Three Gaussian blobs in 4-D: a small 3-class problem a tiny MLP must solve. */
function blobs(n: number, seed: number) {
  const rng = new Random(seed);
  const centres = [
    [2, 0, 0, 1],
    [0, 2, 0, -1],
    [0, 0, 2, 0],
  ];
  const x = new Float32Array(n * 4);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    y[i] = c;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = centres[c][j] + 0.5 * rng.normal();
  }
  return { x: { data: x, shape: [n, 4] as [number, number] }, y };
}

function mlp(backend: 'wasm' | 'js', seed = 7) {
  return new Sequential(
    [new Dense(16, { inputShape: [4], activation: 'relu' }), new Dropout(0.1), new Dense(3, { activation: 'softmax' })],
    { seed, backend },
  );
}

const quiet = { verbose: 0 as const };

describe.each(BACKENDS)('Sequential on the %s backend', (backend) => {
  it('learns a 3-class data set to at least 95% accuracy, with history and validation', async () => {
    const { x, y } = blobs(600, 1);
    const model = mlp(backend);
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(x, y, { epochs: 15, batchSize: 32, validationSplit: 0.2, ...quiet });
    expect(Object.keys(history.history).sort()).toEqual(['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    expect(history.history.loss).toHaveLength(15);
    expect(history.history.loss[14]).toBeLessThan(history.history.loss[0]);
    const test = blobs(300, 2);
    const { loss, accuracy } = model.evaluate(test.x, test.y);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(loss).toBeLessThan(0.3);
    expect(history.history.val_accuracy![14]).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('learns with one-hot targets and categorical_crossentropy, SGD with momentum', async () => {
    const { x, y } = blobs(300, 3);
    const model = mlp(backend);
    model.compile({
      optimizer: optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
      loss: 'categoricalCrossentropy',
      metrics: 'accuracy',
    });
    await model.fit(x, toCategorical(y, 3), { epochs: 10, batchSize: 16, ...quiet });
    expect(model.evaluate(x, toCategorical(y, 3)).accuracy).toBeGreaterThanOrEqual(0.95);
  });

  it('predict and evaluate shapes: [samples, outputs]; rows of softmax sum to 1; a batch equals its rows one by one', () => {
    const { x } = blobs(10, 4);
    const model = mlp(backend);
    model.compile({ optimizer: 'rmsprop', loss: 'sparse_categorical_crossentropy' });
    const out = model.predict(x);
    expect(out.shape).toEqual([10, 3]);
    for (let i = 0; i < 10; i++) {
      const row = out.data.subarray(i * 3, i * 3 + 3);
      expect(row[0] + row[1] + row[2]).toBeCloseTo(1, 6);
      const one = model.predict({ data: x.data.subarray(i * 4, i * 4 + 4), shape: [1, 4] });
      expect(Array.from(one.data)).toEqual(Array.from(row));
    }
    const arrays = model.predict([[1, 2, 3, 4]]);
    expect(arrays).toHaveLength(1);
    expect(arrays[0]).toHaveLength(3);
    const result = model.evaluate(x, new Uint8Array(10));
    expect(Object.keys(result)).toEqual(['loss']);
  });

  it('same seed gives bit-identical weights after training; another seed does not', async () => {
    const { x, y } = blobs(200, 5);
    const run = async (seed: number) => {
      const m = mlp(backend, seed);
      m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      await m.fit(x, y, { epochs: 3, batchSize: 16, ...quiet });
      const w = m.getWeights();
      m.dispose();
      return w;
    };
    const a = await run(11);
    expect(await run(11)).toEqual(a);
    expect(await run(12)).not.toEqual(a);
  });

  it('Dropout is the identity in predict and keeps the mean while training', () => {
    const model = new Sequential(
      [new Dense(2000, { inputShape: [1], kernelInitializer: 'ones', biasInitializer: 'zeros' }), new Dropout(0.3)],
      { seed: 1, backend },
    );
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const out = model.predict([[1]])[0];
    expect(out.every((v) => v === 1)).toBe(true);
    // Training mode: run the engine forward by hand.
    const engine = (
      model as unknown as {
        engine: {
          forward(x: number, r: number, m: object): number;
          backend: {
            arena: {
              alloc(n: number): number;
              f32(p: number, n: number): Float32Array;
              write(p: number, d: ArrayLike<number>): void;
            };
          };
        };
      }
    ).engine;
    const arena = engine.backend.arena;
    const xp = arena.alloc(1);
    arena.write(xp, [1]);
    const y = Array.from(arena.f32(engine.forward(xp, 1, { training: true, logits: false }), 2000));
    const kept = y.filter((v) => v !== 0);
    expect(kept.every((v) => Math.abs(v - 1 / 0.7) < 1e-6)).toBe(true);
    expect(kept.length / 2000).toBeGreaterThan(0.65);
    expect(kept.length / 2000).toBeLessThan(0.75);
    const mean = y.reduce((a, b) => a + b, 0) / 2000;
    expect(mean).toBeGreaterThan(0.93);
    expect(mean).toBeLessThan(1.07);
  });
});

describe('Sequential API', () => {
  it('countParams() is known as soon as the input size is (before compile or fit), as summary() shows it', () => {
    const m = new Sequential([new Dense(5, { inputShape: [3] }), new Dense(2)], { backend: 'js' });
    expect(m.countParams()).toBe(3 * 5 + 5 + 5 * 2 + 2);
    // no input size yet: no count, as in Keras (it was 0, read as a model without weights)
    expect(() => new Sequential([new Dense(5)], { backend: 'js' }).countParams()).toThrow(
      /^scratchnet: countParams\(\): the weights depend on the input size, which this model does not know yet: give the first layer an inputShape, or call build/,
    );
    expect(new Sequential([], { backend: 'js' }).countParams()).toBe(0);
    m.predict([[1, 2, 3]]);
    expect(m.countParams()).toBe(32);
    m.dispose();
  });

  it('layer.trainable is true, and freezing a layer (trainable = false) is refused rather than ignored', () => {
    const layer = new Dense(2, { inputShape: [3] });
    expect(layer.trainable).toBe(true);
    layer.trainable = true;
    expect(() => {
      layer.trainable = false;
    }).toThrow(
      /^scratchnet: a dense layer: trainable = false \(freezing a layer\) is not supported; every layer of a model trains$/,
    );
    const model = new Sequential([layer], { backend: 'js' });
    expect(() => {
      model.layers[0].trainable = false;
    }).toThrow(/^scratchnet: layer 'dense(_\d+)?': trainable = false/);
    model.dispose();
  });

  it('summary lists layers, output shapes and parameter counts like Keras', () => {
    const model = new Sequential(
      [
        new Dense(128, { inputShape: [784], activation: 'relu' }),
        new Dropout(0.2),
        new Dense(10, { activation: 'softmax' }),
      ],
      { backend: 'js' },
    );
    const lines: string[] = [];
    expect(model.summary((l) => lines.push(l))).toBeUndefined(); // prints, returns nothing (as Keras and TF.js)
    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(5); // a line per call, as TF.js's printFn
    expect(text).toContain('dense (Dense)               (None, 128)               100,480');
    expect(text).toContain('dropout (Dropout)           (None, 128)               0');
    expect(text).toContain('dense_1 (Dense)             (None, 10)                1,290');
    expect(text).toContain('Total params: 101,770');
    expect(() => model.summary(80 as never)).toThrow(
      'scratchnet: summary(print) takes a function that prints one line, got 80',
    );
  });

  it("'leaky_relu' has Keras 3's slope, 0.2 (as loaded Keras models have it); activations.leakyRelu(0.3) gives the LeakyReLU layer's", () => {
    for (const [activation, slope] of [
      ['leaky_relu', 0.2],
      [activations.leakyRelu(0.3), 0.3],
    ] as const) {
      const m = new Sequential([new Dense(1, { inputShape: [1], activation, kernelInitializer: 'ones' })], {
        backend: 'js',
      });
      expect(m.predict([[-1], [2]])).toEqual([[Math.fround(-slope)], [2]]);
      m.dispose();
    }
  });

  it('add() builds the same model as the constructor list, and Activation layers work', async () => {
    const model = new Sequential([], { seed: 3, backend: 'wasm' });
    model.add(new Dense(8, { inputDim: 4 }));
    model.add(new Activation('tanh'));
    model.add(new Dense(3));
    model.add(new Activation('softmax'));
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.01 }),
      loss: 'sparse_categorical_crossentropy',
      metrics: ['acc'],
    });
    const { x, y } = blobs(300, 6);
    await model.fit(x, y, { epochs: 10, batchSize: 32, ...quiet });
    expect(model.evaluate(x, y).acc).toBeGreaterThan(0.95);
  });

  it('callbacks: onEpochEnd and onBatchEnd with logs; stopTraining stops early', async () => {
    const { x, y } = blobs(64, 7);
    const model = mlp('js');
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const epochs: number[] = [];
    let batches = 0;
    const history = await model.fit(x, y, {
      epochs: 5,
      batchSize: 16,
      ...quiet,
      callbacks: {
        onBatchEnd: (_b, logs) => {
          batches++;
          expect(logs.loss).toBeGreaterThan(0);
        },
        onEpochEnd: (e, logs) => {
          epochs.push(e);
          expect(logs.accuracy).toBeGreaterThanOrEqual(0);
          if (e === 1) model.stopTraining = true;
        },
      },
    });
    expect(epochs).toEqual([0, 1]);
    expect(batches).toBe(8);
    expect(history.history.loss).toHaveLength(2);
    expect(Object.keys(history.history)).toEqual(['loss', 'accuracy']); // no validation: no val_* keys (typed optional)
    // Keras 3's params: the epochs asked for (not those run), batches per epoch (64 / 16), verbose
    expect(history.params).toEqual({ epochs: 5, steps: 4, verbose: 0 });
  });

  it('calls the hooks in Keras order: train, epoch and batch begin before their work, end after it', async () => {
    const { x, y } = blobs(40, 3);
    const model = mlp('js');
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const events: string[] = [];
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 16,
      ...quiet,
      callbacks: {
        setModel: () => void events.push('setModel'),
        onTrainBegin: () => void events.push('trainBegin'),
        onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
        onBatchBegin: (b) => void events.push(`batchBegin ${b} (${model.optimizer!.iterations} steps)`),
        onBatchEnd: (b) => void events.push(`batchEnd ${b} (${model.optimizer!.iterations} steps)`),
        onEpochEnd: (e) => void events.push(`epochEnd ${e}`),
        onTrainEnd: () => void events.push('trainEnd'),
      },
    });
    const epoch = (e: number, steps: number) => [
      `epochBegin ${e}`,
      ...[0, 1, 2].flatMap((b) => [`batchBegin ${b} (${steps + b} steps)`, `batchEnd ${b} (${steps + b + 1} steps)`]),
      `epochEnd ${e}`,
    ];
    expect(events).toEqual(['setModel', 'trainBegin', ...epoch(0, 0), ...epoch(1, 3), 'trainEnd']);
  });

  it('records what an epoch-end callback adds to the logs in the history, as Keras (History runs after the callbacks)', async () => {
    const { x, y } = blobs(40, 3);
    const model = mlp('js');
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    let last: Logs | undefined;
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 16,
      ...quiet,
      callbacks: [
        { onEpochEnd: (e, logs) => void (logs.doubled = 2 * logs.loss + e) },
        { onEpochEnd: (_e, logs) => void (last = { ...logs }) },
        { onTrainEnd: (logs) => void (last = logs) },
      ],
    });
    const { loss, doubled } = history.history;
    expect(doubled).toEqual(loss.map((l, e) => 2 * l + e));
    expect(last).toEqual({ loss: loss[2], doubled: doubled![2] }); // onTrainEnd gets the last epoch's logs, with it
  });

  it('prints Keras-like progress: epoch lines with loss and accuracy (verbose 2)', async () => {
    const { x, y } = blobs(64, 8);
    const model = mlp('js');
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const spy = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await model.fit(x, y, { epochs: 2, batchSize: 16, verbose: 2 });
      const lines = spy.mock.calls.map((c) => String(c[0]));
      expect(lines[0]).toBe('Epoch 1/2');
      expect(lines[1]).toMatch(/^4\/4 - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/); // no bar
      expect(lines[2]).toBe('Epoch 2/2');
    } finally {
      spy.mockRestore();
    }
  });
});

describe('Sequential reports bad input clearly', () => {
  const { x, y } = blobs(30, 9);

  it("suggests the right name for the seed's misspelled 'sparse_categorical_crosssentropy'", () => {
    const model = mlp('js');
    // prettier-ignore
    // @ts-expect-error a misspelled name does not compile either
    expect(() => model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crosssentropy', metrics: ['accuracy'] }))
      .toThrow(/unknown loss 'sparse_categorical_crosssentropy'. Did you mean 'sparse_categorical_crossentropy'\?/);
    // prettier-ignore
    // @ts-expect-error a misspelled name does not compile either
    expect(() => model.compile({ optimizer: 'adamm', loss: 'mse' })).toThrow(/unknown optimizer 'adamm'. Did you mean 'adam'\?/);
    // prettier-ignore
    // @ts-expect-error a misspelled name does not compile either
    expect(() => model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] })).toThrow(/unknown metric 'acuracy'. Did you mean 'accuracy'\?/);
  });

  it('rejects labels outside [0, classes) with the index and value', async () => {
    const model = mlp('js');
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    const bad = Uint8Array.from(y);
    bad[17] = 3;
    await expect(model.fit(x, bad, quiet)).rejects.toThrow(
      /y\[17\] is 3, but labels must be integers in \[0, 3\) for a model with 3 outputs/,
    );
    await expect(
      model.fit(
        x,
        Array.from(y, (v, i) => (i === 4 ? 1.5 : v)),
        quiet,
      ),
    ).rejects.toThrow(/y\[4\] is 1.5/);
  });

  it('rejects cross-entropy targets outside [0, 1], naming the value (class indices given to a sigmoid)', async () => {
    const sigmoid = new Sequential([new Dense(1, { inputShape: [2], activation: 'sigmoid' })], { backend: 'js' });
    sigmoid.compile({ optimizer: 'adam', loss: 'binary_crossentropy' });
    const xs = [
      [0, 1],
      [1, 0],
      [1, 1],
    ];
    await expect(sigmoid.fit(xs, [0, 1, 2], quiet)).rejects.toThrow(
      /^scratchnet: y\[2\] is 2, but 'binary_crossentropy' takes targets in \[0, 1\] \(probabilities\); for class indices use 'sparse_categorical_crossentropy'/,
    );
    expect(() => sigmoid.evaluate(xs, [0, -0.5, 1])).toThrow(
      /y\[1\] is -0.5, but 'binary_crossentropy' takes targets in \[0, 1\] \(probabilities\)$/,
    );
    // soft targets inside [0, 1] train
    await sigmoid.fit(xs, [0, 0.25, 1], quiet);
    sigmoid.dispose();
    const model = mlp('js');
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const oneHot: number[][] = Array.from(y, (c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
    oneHot[5][1] = 2;
    await expect(model.fit(x, oneHot, quiet)).rejects.toThrow(
      /y\[5\]\[1\] is 2, but 'categorical_crossentropy' takes targets in \[0, 1\] \(probabilities\); one-hot encode class indices with toCategorical\(labels, 3\)/,
    );
    // mse takes any value
    model.compile({ optimizer: 'adam', loss: 'mse' });
    await model.fit(x, oneHot, quiet);
    model.dispose();
  });

  it.each([
    [
      'linear',
      'sparse_categorical_crossentropy',
      false,
      /activation is 'linear', but 'sparse_categorical_crossentropy' expects probabilities.*fromLogits: true/s,
    ],
    [
      'tanh',
      'categorical_crossentropy',
      false,
      /activation is 'tanh', but 'categorical_crossentropy' expects probabilities/,
    ],
    [
      'relu',
      'binary_crossentropy',
      false,
      /activation is 'relu', but 'binary_crossentropy' expects probabilities.*activation: 'sigmoid'/s,
    ],
    [
      'softmax',
      'sparse_categorical_crossentropy',
      true,
      /applies 'softmax', and 'sparse_categorical_crossentropy' with fromLogits applies softmax again/,
    ],
    [
      'sigmoid',
      'binary_crossentropy',
      true,
      /applies 'sigmoid', and 'binary_crossentropy' with fromLogits applies sigmoid again/,
    ],
    ['softmax', 'sparse_categorical_crossentropy', false, null],
    ['linear', 'categorical_crossentropy', true, null],
    ['sigmoid', 'binary_crossentropy', false, null],
    ['softmax', 'binary_crossentropy', false, null],
    ['tanh', 'mse', false, null],
  ] as const)('an output %s with %s (fromLogits %s) warns at compile: %s', (act, loss, fromLogits, message) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const model = new Sequential([new Dense(3, { inputShape: [4], activation: act })], { seed: 1, backend: 'js' });
      model.compile({ optimizer: 'adam', loss: losses.create(loss, { fromLogits }) });
      if (message) {
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0][0])).toMatch(message);
      } else {
        expect(warn).not.toHaveBeenCalled();
      }
    } finally {
      warn.mockRestore();
    }
  });

  it.each(['binary_crossentropy', 'mse'] as const)(
    'a softmax over a single unit with %s warns at compile: it always outputs 1',
    (loss) => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      try {
        const model = new Sequential([new Dense(1, { inputShape: [4], activation: 'softmax' })], {
          seed: 1,
          backend: 'js',
        });
        model.compile({ optimizer: 'adam', loss });
        expect(warn).toHaveBeenCalledTimes(1);
        expect(String(warn.mock.calls[0][0])).toMatch(
          /'softmax' to a single unit, so it always outputs 1.*Dense\(1, \{ activation: 'sigmoid' \}\) with 'binary_crossentropy'/s,
        );
        expect(model.predict([[1, -2, 3, 0.5]])).toEqual([[1]]);
      } finally {
        warn.mockRestore();
      }
    },
  );

  it('warns once, at compile, for a sigmoid output with sparse categorical cross-entropy, and still trains', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const model = new Sequential([new Dense(3, { inputShape: [4], activation: 'sigmoid' })], {
        seed: 1,
        backend: 'wasm',
      });
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      const history = await model.fit(x, y, { epochs: 3, ...quiet });
      expect(history.history.loss).toHaveLength(3);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(
        /'sigmoid' with 'sparse_categorical_crossentropy'. This trains as Keras on TensorFlow trains it: the loss takes the layer's logits and applies softmax.*use activation: 'softmax'/s,
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('seeds are 32-bit integers: a fraction or a larger number would share its run with another seed', () => {
    for (const seed of [1.5, 2 ** 32 + 1, 2 ** 40, Number.NaN, '3']) {
      expect(() => new Sequential([], { seed: seed as number })).toThrow(
        /^scratchnet: a seed must be an integer from −2³¹ to 2³² − 1, got/,
      );
    }
    for (const seed of [0, -1, 2 ** 32 - 1, -(2 ** 31)]) expect(() => new Sequential([], { seed })).not.toThrow();
  });

  it('numbers of the wrong kind are named as given: a string in quotes, Infinity as such', async () => {
    const model = new Sequential([new Dense(3, { inputShape: [4], activation: 'softmax' })], { backend: 'js' });
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await expect(model.fit(x, y, { ...quiet, epochs: '3' as never })).rejects.toThrow(
      /epochs must be a positive integer, got "3"/,
    );
    await expect(model.fit(x, y, { ...quiet, batchSize: '8' as never })).rejects.toThrow(
      /batchSize must be a positive integer, got "8"/,
    );
    // a string would read as true: 'false' shuffled
    await expect(model.fit(x, y, { ...quiet, shuffle: 'false' as never })).rejects.toThrow(
      /^scratchnet: shuffle must be true or false, got "false"$/,
    );
    await expect(model.fit(x, y, { ...quiet, shuffle: 'batch' as never })).rejects.toThrow(
      /shuffle must be true or false, got "batch" \(Keras's 'batch' shuffles HDF5 data/,
    );
    expect(() => optimizers.sgd({ learningRate: Infinity })).toThrow(
      /sgd learningRate must be a finite number ≥ 0, got Infinity/,
    );
    expect(() => optimizers.adam({ beta1: 1.5 })).toThrow(/adam beta1 must be a number in \[0, 0.999999\], got 1.5/);
    model.dispose();
  });

  it('fit, evaluate before compile say so', async () => {
    const model = mlp('js');
    await expect(model.fit(x, y, quiet)).rejects.toThrow(/fit\(\) needs a compiled model: call compile/);
    expect(() => model.evaluate(x, y)).toThrow(/evaluate\(\) needs a compiled model/);
  });

  it('a NaN loss stops training with an error naming the epoch and batch', async () => {
    const model = new Sequential([new Dense(3, { inputShape: [4], activation: 'relu' }), new Dense(1)], {
      seed: 1,
      backend: 'wasm',
    });
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1e6 }), loss: 'mse' });
    const big = { data: x.data.map((v) => v * 1e15), shape: x.shape };
    await expect(model.fit(big, Array.from(y), { epochs: 5, batchSize: 8, shuffle: false, ...quiet })).rejects.toThrow(
      /the loss became (NaN|Infinity) at epoch \d+, batch \d+/,
    );
  });

  it('one-hot targets for a sparse loss, and labels for a dense loss, are explained', async () => {
    const sparse = mlp('js');
    sparse.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await expect(sparse.fit(x, toCategorical(y, 3), quiet)).rejects.toThrow(
      /expects one class index per sample \(use categorical_crossentropy for one-hot targets\)/,
    );
    const dense = mlp('js');
    dense.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    await expect(dense.fit(x, y, quiet)).rejects.toThrow(
      /use loss 'sparse_categorical_crossentropy', or one-hot encode them with toCategorical\(labels, 3\)/,
    );
  });

  // fit checks x for NaN and ±Inf as it copies it into the arena, in slices of 2^20 values: 1,400 rows of 784 span two
  it.each(BACKENDS)(
    'a NaN or Infinity in x, in any slice or the validation split, is named with its sample and feature, and nothing leaks (%s)',
    async (backend) => {
      const rows = 1400,
        cols = 784;
      const model = new Sequential([new Dense(4, { inputShape: [cols], activation: 'softmax' })], { seed: 1, backend });
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      const labels = new Uint8Array(rows);
      const began = vi.fn();
      // a clean fit first: the weights, optimizer state and activation buffers stay with the model afterwards
      await model.fit({ data: new Float32Array(rows * cols).fill(0.5), shape: [rows, cols] }, labels, quiet);
      const before = memory(backend).bytesInUse;
      for (const [row, col, value, split] of [
        [1399, 783, NaN, 0],
        [1337, 2, Infinity, 0],
        [3, 700, -Infinity, 0],
        [1390, 5, NaN, 0.1],
      ] as const) {
        const data = new Float32Array(rows * cols).fill(0.5);
        data[row * cols + col] = value;
        await expect(
          model.fit({ data, shape: [rows, cols] }, labels, {
            ...quiet,
            validationSplit: split,
            callbacks: { onTrainBegin: began },
          }),
        ).rejects.toThrow(`x has ${value} at sample ${row}, feature ${col}; every value must be a finite number`);
      }
      expect(began, 'onTrainBegin runs only once the data is checked').not.toHaveBeenCalled();
      expect(memory(backend).bytesInUse - before, 'the staged copies are freed').toBe(0);
    },
  );

  it.each(BACKENDS)(
    'predict and evaluate name a NaN or Infinity in x with its sample and feature, in any chunk, and free their buffers (%s)',
    (backend) => {
      const rows = 700,
        cols = 6;
      const model = new Sequential([new Dense(3, { inputShape: [cols], activation: 'softmax' })], { seed: 1, backend });
      model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
      const labels = new Uint8Array(rows);
      model.predict({ data: new Float32Array(rows * cols), shape: [rows, cols] });
      model.evaluate({ data: new Float32Array(rows * cols), shape: [rows, cols] }, labels);
      const before = memory(backend).bytesInUse;
      for (const [row, col, value] of [
        [0, 0, NaN],
        [600, 5, Infinity],
        [699, 1, -Infinity],
      ] as const) {
        const data = new Float32Array(rows * cols).fill(0.5);
        data[row * cols + col] = value;
        const message = `x has ${value} at sample ${row}, feature ${col}; every value must be a finite number`;
        expect(() => model.predict({ data, shape: [rows, cols] }), 'predict').toThrow(message);
        expect(() => model.evaluate({ data, shape: [rows, cols] }, labels), 'evaluate').toThrow(message);
      }
      expect(memory(backend).bytesInUse - before).toBe(0);
    },
  );

  it('copying a large x into the arena gives the event loop turns before training begins', async () => {
    const rows = 4000,
      cols = 784; // three slices of 2^20 values
    const model = new Sequential([new Dense(4, { inputShape: [cols], activation: 'softmax' })], {
      seed: 1,
      backend: 'wasm',
    });
    model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    let turns = 0,
      turnsAtBegin = -1;
    const tick = () => {
      turns++;
      timer = setImmediate(tick);
    };
    let timer = setImmediate(tick);
    try {
      await model.fit({ data: new Float32Array(rows * cols).fill(0.25), shape: [rows, cols] }, new Uint8Array(rows), {
        ...quiet,
        yieldEvery: 0,
        callbacks: {
          onTrainBegin: () => {
            turnsAtBegin = turns;
            model.stopTraining = true;
          },
        },
      });
    } finally {
      clearImmediate(timer);
    }
    expect(turnsAtBegin).toBeGreaterThanOrEqual(2);
  });

  it('a model too large for wasm memory fails before allocating, with the size it needs', () => {
    const model = new Sequential([new Dense(40000, { inputShape: [10000] })], { backend: 'wasm' });
    expect(() => model.compile({ optimizer: 'adam', loss: 'mse' })).toThrow(
      /needs \d+ bytes \(\d+\.\d+ GiB\) of arena memory, but WebAssembly memory stops at 4294967296 bytes/,
    );
  });
});

describe('compile', () => {
  it('can be called again on a built model, with a new optimizer that then trains', async () => {
    const { x, y } = blobs(90, 10);
    const model = mlp('wasm');
    model.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await model.fit(x, y, { epochs: 1, verbose: 0 });
    model.compile({
      optimizer: optimizers.adam({ learningRate: 0.01 }),
      loss: 'sparse_categorical_crossentropy',
      metrics: 'accuracy',
    });
    const history = await model.fit(x, y, { epochs: 5, verbose: 0 });
    expect(history.history.accuracy![4]).toBeGreaterThan(0.9);
  });

  it("takes an optimizer's settings as a model spec writes them, { name, …settings }, and checks them", async () => {
    // the same training as optimizers.adam({ learningRate: 0.01 }): the same weights, bit for bit
    const { x, y } = blobs(90, 10);
    const weights = [];
    for (const optimizer of [optimizers.adam({ learningRate: 0.01 }), { name: 'adam', learningRate: 0.01 } as const]) {
      const model = mlp('wasm');
      model.compile({ optimizer, loss: 'sparse_categorical_crossentropy' });
      await model.fit(x, y, { epochs: 2, verbose: 0 });
      weights.push(model.getWeights());
      model.dispose();
    }
    expect(weights[1]).toEqual(weights[0]);
    const model = mlp('wasm');
    expect(() => model.compile({ optimizer: { name: 'adamm' } as never, loss: 'mse' })).toThrow(
      /unknown optimizer 'adamm'. Did you mean 'adam'\?/,
    );
    expect(() => model.compile({ optimizer: { name: 'sgd', lr: 0.1 } as never, loss: 'mse' })).toThrow(
      /optimizers.sgd\(options\) has no option 'lr'/,
    );
    expect(() => model.compile({ optimizer: { learningRate: 0.1 } as never, loss: 'mse' })).toThrow(
      /an optimizer must be a name \(sgd, adam, rmsprop\), settings such as \{ name: 'adam', learningRate: 0.001 \}, or an object from `optimizers`; got/,
    );
  });

  it('refuses one optimizer object shared by two models', () => {
    const adam = optimizers.adam();
    const a = mlp('wasm');
    a.compile({ optimizer: adam, loss: 'mse' });
    const b = mlp('wasm');
    expect(() => b.compile({ optimizer: adam, loss: 'mse' })).toThrow(
      /this adam optimizer already trains another model; create one optimizer per model/,
    );
  });
});
