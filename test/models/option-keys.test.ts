// JavaScript callers get no type check: an unknown option key is refused by name (with the camelCase form of a
// Keras snake_case name, or the nearest spelling) instead of being ignored, which would train something else.
// And the other side of it: every key that is accepted changes what happens (a key read under another name, or
// accepted and dropped on the way, would pass a test that only checks that nothing throws). The two deliberate
// exceptions say so in their own test.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  Activation,
  Dense,
  Dropout,
  Flatten,
  FCLayer,
  ActivationLayer,
  Network,
  Sequential,
  callbacks,
  loadModel,
  losses,
  memoryHandler,
  optimizers,
} from '../../src/index.js';
import type { Logs } from '../../src/models/fit-loop.js';
import { turnsDuring } from './event-loop-turns.js';

const x = [
  [0, 1],
  [1, 0],
];
const y = [0, 1];

function compiled(): Sequential {
  const m = new Sequential([new Dense(2, { inputShape: [2], activation: 'softmax' })], { backend: 'js' });
  m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
  return m;
}

describe('unknown option keys are refused, with the likely one', () => {
  it('fit: Keras names point to the camelCase ones', async () => {
    const m = compiled();
    await expect(m.fit(x, y, { validation_split: 0.5 } as never)).rejects.toThrow(
      /^scratchnet: fit\(x, y, options\): options has no option 'validation_split'. Did you mean 'validationSplit'\? Its options: epochs, batchSize/,
    );
    await expect(m.fit(x, y, { batch_size: 1 } as never)).rejects.toThrow(
      /no option 'batch_size'. Did you mean 'batchSize'\?/,
    );
    await expect(m.fit(x, y, { epoch: 2 } as never)).rejects.toThrow(/no option 'epoch'. Did you mean 'epochs'\?/);
    // a number where the options go (Keras's positional batch_size, the tutorial's epochs): both readings named
    await expect(m.fit(x, y, 5 as never)).rejects.toThrow(
      /^scratchnet: fit\(x, y, options\) takes its options as an object, got the number 5: fit\(x, y, \{ epochs: 5 \}\), or \{ batchSize: 5 \} \(Keras's third argument is batch_size\)$/,
    );
    expect(() => m.predict(x, { batch_size: 1 } as never)).toThrow(
      /predict\(x, options\): options has no option 'batch_size'. Did you mean 'batchSize'\?/,
    );
    expect(() => m.evaluate(x, y, { batch_size: 1 } as never)).toThrow(
      /evaluate\(x, y, options\): options has no option 'batch_size'/,
    );
    expect(m.evaluate(x, y, { verbose: 0 }).loss).toBeGreaterThan(0); // Keras's verbose is taken (nothing is printed)
    await expect(m.save(memoryHandler(), { include_optimizer: true } as never)).rejects.toThrow(
      /Did you mean 'includeOptimizer'\?/,
    );
    m.dispose();
  });

  it("fit: a callback's method named like a hook but none of them is refused (it would never be called)", async () => {
    const m = compiled();
    const never = () => {
      throw new Error('never called');
    };
    await expect(m.fit(x, y, { verbose: 0, callbacks: { onEpochend: never } as never })).rejects.toThrow(
      /^scratchnet: callbacks\[0\] has a method 'onEpochend' that fit never calls. Did you mean 'onEpochEnd'\? The hooks fit calls: setModel, onTrainBegin, onTrainEnd, onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd.$/,
    );
    // Keras's snake_case name, TF.js's onYield (not a hook here), a method of a class instance, the second of two
    await expect(m.fit(x, y, { verbose: 0, callbacks: { on_epoch_end: never } as never })).rejects.toThrow(
      /'on_epoch_end' that fit never calls. Did you mean 'onEpochEnd'\?/,
    );
    await expect(m.fit(x, y, { verbose: 0, callbacks: { onYield: never } as never })).rejects.toThrow(
      /'onYield' that fit never calls. (Did you mean '\w+'\? )?The hooks/,
    );
    class Watch {
      seen = 0;
      onBatchend() {
        this.seen++;
      }
    }
    await expect(m.fit(x, y, { verbose: 0, callbacks: [{}, new Watch()] as never })).rejects.toThrow(
      /^scratchnet: callbacks\[1\] has a method 'onBatchend'/,
    );
    // the callback's own state passes: a field, a getter, earlyStopping's results
    let ends = 0;
    class Counter {
      ends = 0;
      get total() {
        return this.ends;
      }
      onEpochEnd() {
        ends++;
      }
    }
    const stop = callbacks.earlyStopping({ monitor: 'loss', patience: 5 });
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new Counter(), stop] });
    expect(ends).toBe(2);
    expect(stop.stoppedEpoch).toBe(-1);
    m.dispose();
  });

  it('Flatten, Dropout and Activation check their options as Dense does; Keras options scratchnet lacks say why', () => {
    expect(() => new Flatten({ dataFormat: 'channelsFirst' } as never)).toThrow(
      /^scratchnet: Flatten\(options\): options has no option 'dataFormat' \(scratchnet's images are channels-last, \[h, w, c\], always\)\. Its options: inputShape, name\.$/,
    );
    expect(() => new Dropout(0.5, { inputshape: [4] } as never)).toThrow(
      /no option 'inputshape'\. Did you mean 'inputShape'\?/,
    );
    expect(() => new Dropout(0.5, { noiseShape: [1, 4] } as never)).toThrow(/drops every value independently/);
    expect(() => new Dropout(0.5, { seed: 1 } as never)).toThrow(
      /the model's seed: new Sequential\(layers, \{ seed \}\)/,
    );
    expect(() => new Dense(3, { kernelRegularizer: 'l2' } as never)).toThrow(
      /'kernelRegularizer' \(scratchnet has no regularizers\)/,
    );
    // Keras 3's weighted_metrics: the sample weights weight the loss only
    const weighted = new Sequential([new Dense(2, { inputShape: [3] })], { backend: 'js' });
    expect(() => weighted.compile({ optimizer: 'sgd', loss: 'mse', weighted_metrics: ['mae'] } as never)).toThrow(
      /has no option 'weighted_metrics' \(scratchnet's metrics are not weighted: sampleWeight and classWeight weight the loss\)/,
    );
    weighted.dispose();
    expect(() => new Activation('relu', { inputshape: [4] } as never)).toThrow(
      /Activation\(activation, options\): options has no option 'inputshape'/,
    );
    expect(() => new Activation('relu', ((v: number) => v) as never)).toThrow(
      /a derivative goes with a custom activation function only/,
    );
    expect(() => new Activation((v: number) => v, { name: 'a' } as never)).toThrow(/needs its derivative second/);
    // Keras's form, the options second: the input shape is taken, not dropped (build() with no shape throws
    // unless the first layer declared one)
    const m = new Sequential([new Activation('tanh', { inputShape: [3], name: 'first' }), new Dense(2)], {
      backend: 'js',
    });
    expect(() => m.build()).not.toThrow();
    expect(m.layers[0].name).toBe('first');
    expect(m.predict([[1, 2, 3]])[0]).toHaveLength(2);
    m.dispose();
  });

  it('layers, models, compile, optimizers, callbacks, loadModel', async () => {
    expect(() => new Dense(8, { activaton: 'relu' } as never)).toThrow(
      /^scratchnet: Dense\(8, options\): options has no option 'activaton'. Did you mean 'activation'\?/,
    );
    expect(() => new Dense(8, { input_shape: [3] } as never)).toThrow(/Did you mean 'inputShape'\?/);
    expect(() => new Sequential([], { sead: 1 } as never)).toThrow(
      /new Sequential\(layers, options\): options has no option 'sead'. Did you mean 'seed'\?/,
    );
    expect(() => new Network({ backed: 'js' } as never)).toThrow(/Did you mean 'backend'\?/);
    const m = new Sequential([new Dense(2, { inputShape: [2] })], { backend: 'js' });
    expect(() => m.compile({ optimiser: 'sgd', loss: 'mse' } as never)).toThrow(
      /compile\(options\) has no option 'optimiser'. Did you mean 'optimizer'\?/,
    );
    expect(() => optimizers.adam({ learning_rate: 0.01 } as never)).toThrow(
      /optimizers.adam\(options\) has no option 'learning_rate'. Did you mean 'learningRate'\?/,
    );
    expect(() => losses.create('mse', { fromLogits: true })).toThrow(
      /fromLogits applies to the cross-entropies, not to 'mse'/,
    );
    expect(() => losses.create('binary_crossentropy', { from_logits: true } as never)).toThrow(
      /Did you mean 'fromLogits'\?/,
    );
    expect(() => optimizers.sgd({ lr: 0.1 } as never)).toThrow(
      /optimizers.sgd\(options\) has no option 'lr'. Its options: learningRate, momentum, nesterov/,
    );
    expect(() => callbacks.earlyStopping({ restore_best_weights: true } as never)).toThrow(
      /Did you mean 'restoreBestWeights'\?/,
    );
    expect(() => callbacks.modelCheckpoint({ path: 'x', save_best_only: true } as never)).toThrow(
      /Did you mean 'saveBestOnly'\?/,
    );
    await expect(loadModel(memoryHandler(), { backed: 'js' } as never)).rejects.toThrow(
      /loadModel\(source, options\): options has no option 'backed'/,
    );
    const net = new Network({ backend: 'js' });
    await expect(net.fit(x, [[0], [1]], { epochs: 1, learningRate: 0.1, learning_rate: 1 } as never)).rejects.toThrow(
      /Did you mean 'learningRate'\?/,
    );
    m.dispose();
  });
});

// ---- every accepted option has an effect ---------------------------------------------------------------------------

/** eight samples of two features and two classes (enough rows that a shuffle changes the order) */
const X8 = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
  [0.5, 0.2],
  [0.1, 0.9],
  [0.8, 0.3],
  [0.3, 0.6],
];
const Y8 = [0, 1, 1, 0, 1, 0, 1, 0];
const ONE_HOT8 = Y8.map((c) => (c === 0 ? [1, 0] : [0, 1]));

type Model = Sequential;
const flat = (weights: Float32Array[]) => weights.flatMap((w) => Array.from(w));
const model = (
  dense: ConstructorParameters<typeof Dense>[1] = {},
  options: ConstructorParameters<typeof Sequential>[1] = {},
) =>
  new Sequential([new Dense(2, { inputShape: [2], activation: 'softmax', ...dense })], {
    seed: 1,
    backend: 'js',
    ...options,
  });

/** weights after `fit` with these compile and fit options (seeded, JS backend, silent) */
async function trained(
  compile: Partial<Parameters<Model['compile']>[0]> = {},
  fit: Parameters<Model['fit']>[2] = {},
): Promise<number[]> {
  const m = model();
  m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', ...compile });
  await m.fit(X8, Y8, { epochs: 2, batchSize: 1, shuffle: false, verbose: 0, ...fit });
  const w = flat(m.getWeights());
  m.dispose();
  return w;
}

afterEach(() => vi.restoreAllMocks());

describe('every accepted option changes what happens', () => {
  it('Dense: inputShape, inputDim, activation, kernelInitializer, biasInitializer, useBias, name', () => {
    const params = (o: ConstructorParameters<typeof Dense>[1]) =>
      new Sequential([new Dense(3, o)], { backend: 'js' }).countParams();
    expect(params({ inputShape: [4] })).toBe(4 * 3 + 3);
    expect(params({ inputDim: 5 })).toBe(5 * 3 + 3);
    const out = (o: ConstructorParameters<typeof Dense>[1]) => {
      const m = model({ kernelInitializer: 'ones', activation: 'linear', ...o });
      const y = m.predict([[-1, -2]]) as number[][];
      m.dispose();
      return y[0];
    };
    expect(out({})).toEqual([-3, -3]);
    expect(out({ activation: 'relu' })).toEqual([0, 0]);
    expect(out({ biasInitializer: 'ones' })).toEqual([-2, -2]);
    expect(out({ kernelInitializer: 'zeros' })).toEqual([0, 0]);
    const weights = (o: ConstructorParameters<typeof Dense>[1]) => {
      const m = model(o);
      m.build();
      const w = m.getWeights();
      m.dispose();
      return w;
    };
    expect(weights({}).length).toBe(2);
    expect(weights({ useBias: false }).length).toBe(1);
    const named = model({ name: 'out' });
    expect(named.layers[0].name).toBe('out');
    const lines: string[] = [];
    named.summary((line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/\bout \(Dense\)/);
    named.dispose();
  });

  it('new Sequential: seed, backend, name', () => {
    const weights = (seed: number) => {
      const m = model({}, { seed });
      m.build();
      const w = flat(m.getWeights());
      m.dispose();
      return w;
    };
    expect(weights(1)).toEqual(weights(1));
    expect(weights(1)).not.toEqual(weights(2));
    expect(model({}, { backend: 'wasm' }).backend).toBe('wasm');
    expect(model({}, { backend: 'js' }).backend).toBe('js');
    expect(model({}, { name: 'm' }).name).toBe('m');
    expect(model({}).name).not.toBe('m');
  });

  it('compile: optimizer, loss, metrics', async () => {
    expect(await trained({ optimizer: 'adam' })).not.toEqual(await trained({ optimizer: 'sgd' }));
    const evaluated = (compile: Parameters<Model['compile']>[0]) => {
      const m = model();
      m.compile(compile);
      const r = m.evaluate(X8, ONE_HOT8);
      m.dispose();
      return r;
    };
    expect(evaluated({ optimizer: 'sgd', loss: 'mse' }).loss).not.toBe(
      evaluated({ optimizer: 'sgd', loss: 'mae' }).loss,
    );
    expect(evaluated({ optimizer: 'sgd', loss: 'mse', metrics: ['accuracy'] }).accuracy).toBeTypeOf('number');
    expect(evaluated({ optimizer: 'sgd', loss: 'mse' }).accuracy).toBeUndefined();
  });

  it('optimizers: every hyperparameter of sgd, adam and rmsprop', async () => {
    const after = (optimizer: Parameters<Model['compile']>[0]['optimizer']) => trained({ optimizer });
    const differ = async (a: Parameters<typeof after>[0], b: Parameters<typeof after>[0]) =>
      expect(await after(a)).not.toEqual(await after(b));
    await differ(optimizers.sgd({ learningRate: 0.1 }), optimizers.sgd({ learningRate: 0.2 }));
    await differ(optimizers.sgd({ learningRate: 0.1 }), optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }));
    await differ(
      optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }),
      optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }),
    );
    const adam = (o: Parameters<typeof optimizers.adam>[0]) => optimizers.adam({ learningRate: 0.01, ...o });
    await differ(adam({}), adam({ learningRate: 0.02 }));
    await differ(adam({}), adam({ beta1: 0.5 }));
    await differ(adam({}), adam({ beta2: 0.5 }));
    await differ(adam({}), adam({ epsilon: 1 }));
    const rmsprop = (o: Parameters<typeof optimizers.rmsprop>[0]) => optimizers.rmsprop({ learningRate: 0.01, ...o });
    await differ(rmsprop({}), rmsprop({ learningRate: 0.02 }));
    await differ(rmsprop({}), rmsprop({ rho: 0.5 }));
    await differ(rmsprop({}), rmsprop({ epsilon: 1 }));
  });

  it('losses.create: fromLogits', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {}); // compile warns about a linear output for a probability loss
    const loss = (fromLogits: boolean) => {
      const m = new Sequential([new Dense(1, { inputShape: [2], kernelInitializer: 'ones' })], { backend: 'js' });
      m.compile({ optimizer: 'sgd', loss: losses.create('binary_crossentropy', { fromLogits }) });
      const r = m.evaluate(
        [
          [0.2, 0.3],
          [-0.1, 0.4],
        ],
        [[1], [0]],
      ).loss;
      m.dispose();
      return r;
    };
    // logits 0.5 and 0.3: as logits, −[ln σ(0.5) + ln(1 − σ(0.3))]/2; as probabilities, −[ln 0.5 + ln 0.7]/2
    expect(loss(true)).toBeCloseTo((Math.log1p(Math.exp(-0.5)) + Math.log1p(Math.exp(0.3))) / 2, 5);
    expect(loss(false)).toBeCloseTo(-(Math.log(0.5) + Math.log(0.7)) / 2, 5);
  });

  it('fit: epochs, batchSize, validationSplit, validationData, shuffle, callbacks', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    const run = async (fit: Parameters<Model['fit']>[2]) => {
      let batches = 0;
      const history = await m.fit(X8, Y8, { verbose: 0, ...fit, callbacks: { onBatchEnd: () => void batches++ } });
      return { history, batches };
    };
    expect((await run({ epochs: 3 })).history.epoch).toEqual([0, 1, 2]);
    expect((await run({ batchSize: 1 })).batches).toBe(8);
    expect((await run({ batchSize: 4 })).batches).toBe(2);
    const split = await run({ batchSize: 1, validationSplit: 0.25 });
    expect(split.batches).toBe(6);
    expect(split.history.history.val_loss).toHaveLength(1);
    expect((await run({})).history.history.val_loss).toBeUndefined();
    const validation = await run({ validationData: [X8.slice(0, 3), Y8.slice(0, 3)] });
    expect(validation.history.history.val_loss![0]).toBeCloseTo(m.evaluate(X8.slice(0, 3), Y8.slice(0, 3)).loss, 6);
    m.dispose();
    expect(await trained({}, { shuffle: true })).not.toEqual(await trained({}, { shuffle: false }));
  });

  it("fit: verbose prints Keras's progress (0 prints nothing)", async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    vi.spyOn(process.stdout, 'write').mockImplementation((text) => {
      lines.push(String(text));
      return true;
    });
    await trained({}, { epochs: 1, verbose: 0 });
    expect(lines).toEqual([]);
    await trained({}, { epochs: 1, verbose: 2 });
    expect(lines.join('\n')).toMatch(/Epoch 1\/1[\s\S]*8\/8 .* - loss: \d/);
  });

  it('fit: yieldEvery 0 gives the event loop a turn after every batch; a large one only where fit must', async () => {
    const turnsDuringFit = (yieldEvery: number) =>
      turnsDuring(() => trained({}, { epochs: 1, batchSize: 1, yieldEvery }));
    expect(await turnsDuringFit(0)).toBeGreaterThanOrEqual(8);
    expect(await turnsDuringFit(1e9)).toBeLessThan(8);
  });

  it('evaluate and predict: batchSize sizes the activation buffers (same results)', () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i / 300, 1 - i / 300]);
    const labels = rows.map((_, i) => i % 2);
    const run = (batchSize: number, what: 'predict' | 'evaluate') => {
      const m = model();
      m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
      m.build();
      const arena = m.internals.engine.backend.arena;
      const before = arena.bytesInUse;
      const result = what === 'predict' ? m.predict(rows, { batchSize }) : m.evaluate(rows, labels, { batchSize });
      const grown = arena.bytesInUse - before;
      m.dispose();
      return { result, grown };
    };
    for (const what of ['predict', 'evaluate'] as const) {
      const small = run(1, what),
        large = run(300, what);
      expect(large.grown, what).toBeGreaterThan(small.grown);
      expect(small.result, what).toEqual(large.result);
    }
  });

  it("exceptions by design: verbose in evaluate and predict (Keras's, prints nothing either way), includeOptimizer in Network.save (the tutorial's fit has no optimizer state)", async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    expect(m.evaluate(X8, Y8, { verbose: 1 })).toEqual(m.evaluate(X8, Y8, { verbose: 0 }));
    expect(m.predict(X8, { verbose: 1 })).toEqual(m.predict(X8, { verbose: 0 }));
    expect(lines).toEqual([]);
    m.dispose();
    const net = new Network({ backend: 'js', seed: 1 }).add(new FCLayer(2, 2)).add(new ActivationLayer('tanh'));
    net.use('mse');
    net.predict(X8);
    const saved = async (includeOptimizer: boolean) => {
      const h = memoryHandler();
      await net.save(h, { includeOptimizer });
      return h.artifacts!;
    };
    expect((await saved(true)).weightSpecs).toEqual((await saved(false)).weightSpecs);
    net.dispose();
  });

  it('save: includeOptimizer; loadModel: backend, seed, compile, name', async () => {
    const m = model();
    m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy' });
    await m.fit(X8, Y8, { epochs: 1, verbose: 0 });
    const saved = async (includeOptimizer: boolean) => {
      const h = memoryHandler();
      await m.save(h, { includeOptimizer });
      return h;
    };
    const withOptimizer = await saved(true),
      without = await saved(false);
    expect(withOptimizer.artifacts!.weightSpecs!.length).toBeGreaterThan(without.artifacts!.weightSpecs!.length);
    m.dispose();

    expect((await loadModel(without, { backend: 'wasm' })).backend).toBe('wasm');
    expect((await loadModel(without, { backend: 'js' })).backend).toBe('js');
    expect((await loadModel(without, { backend: 'js', name: 'back' })).name).toBe('back');
    const compiled = await loadModel(without, { backend: 'js' });
    expect(compiled.evaluate(X8, Y8).loss).toBeGreaterThan(0);
    const uncompiled = await loadModel(without, { backend: 'js', compile: false });
    expect(() => uncompiled.evaluate(X8, Y8)).toThrow(/compile/);
    // the seed drives shuffling after loading
    const shuffled = async (seed: number) => {
      const back = await loadModel(without, { backend: 'js', seed });
      await back.fit(X8, Y8, { epochs: 1, batchSize: 1, shuffle: true, verbose: 0 });
      const w = flat(back.getWeights());
      back.dispose();
      return w;
    };
    expect(await shuffled(1)).toEqual(await shuffled(1));
    expect(await shuffled(1)).not.toEqual(await shuffled(2));
  });
});

describe('every accepted callback option changes what happens', () => {
  /** Drives a callback through the epochs of `series` with a stand-in model; returns what it did to the model. */
  async function drive(
    callback: ReturnType<typeof callbacks.earlyStopping> | ReturnType<typeof callbacks.modelCheckpoint>,
    series: Partial<Logs>[],
  ) {
    const events = {
      stoppedAt: -1,
      restored: undefined as number | undefined,
      saves: [] as { target: unknown; includeOptimizer: unknown }[],
    };
    let epoch = 0;
    const stand = {
      set stopTraining(v: boolean) {
        if (v && events.stoppedAt < 0) events.stoppedAt = epoch;
      },
      getWeights: () => [Float32Array.of(epoch)],
      setWeights: (w: Float32Array[]) => {
        events.restored = w[0][0];
      },
      save: async (target: unknown, o: { includeOptimizer?: boolean }) => {
        events.saves.push({ target, includeOptimizer: o.includeOptimizer });
      },
    };
    callback.setModel?.(stand as never);
    await callback.onTrainBegin?.();
    for (; epoch < series.length && events.stoppedAt < 0; epoch++)
      await callback.onEpochEnd?.(epoch, series[epoch] as Logs);
    await callback.onTrainEnd?.(undefined);
    return events;
  }
  const es = callbacks.earlyStopping;
  const lossSeries = (...values: number[]) => values.map((loss, i) => ({ loss, val_loss: 1 + i })); // val_loss only grows

  it('earlyStopping: monitor, patience, minDelta, mode, restoreBestWeights, baseline', async () => {
    const falling = lossSeries(1, 0.9, 0.8, 0.7, 0.6);
    expect((await drive(es({}), falling)).stoppedAt).toBe(1); // watches val_loss, which grows
    expect((await drive(es({ monitor: 'loss' }), falling)).stoppedAt).toBe(-1);
    const bumpy = lossSeries(1, 0.9, 0.95, 0.96, 0.8, 0.97, 0.98, 0.99);
    expect((await drive(es({ monitor: 'loss' }), bumpy)).stoppedAt).toBe(2);
    expect((await drive(es({ monitor: 'loss', patience: 3 }), bumpy)).stoppedAt).toBe(7); // waits past the 0.8
    const slow = lossSeries(1, 0.99, 0.98, 0.97);
    expect((await drive(es({ monitor: 'loss' }), slow)).stoppedAt).toBe(-1);
    expect((await drive(es({ monitor: 'loss', minDelta: 0.05 }), slow)).stoppedAt).toBe(1);
    expect((await drive(es({ monitor: 'loss', mode: 'max' }), falling)).stoppedAt).toBe(1);
    expect((await drive(es({ monitor: 'loss' }), bumpy)).restored).toBeUndefined();
    expect((await drive(es({ monitor: 'loss', restoreBestWeights: true }), bumpy)).restored).toBe(1);
    // Keras's baseline: improvements that do not beat it do not reset the wait
    expect((await drive(es({ monitor: 'loss', patience: 2 }), bumpy)).stoppedAt).toBe(3);
    expect((await drive(es({ monitor: 'loss', patience: 2, baseline: 0.5 }), bumpy)).stoppedAt).toBe(2);
  });

  it('modelCheckpoint: path, every, saveBestOnly, monitor, includeOptimizer', async () => {
    const series = lossSeries(1, 0.9, 0.95, 0.8);
    const targets = async (o: Parameters<typeof callbacks.modelCheckpoint>[0]) =>
      (await drive(callbacks.modelCheckpoint(o), series)).saves;
    expect((await targets({ path: 'ckpt-{epoch}' })).map((s) => s.target)).toEqual([
      'ckpt-1',
      'ckpt-2',
      'ckpt-3',
      'ckpt-4',
    ]);
    expect((await targets({ path: 'ckpt-{epoch}', every: 2 })).map((s) => s.target)).toEqual(['ckpt-2', 'ckpt-4']);
    // saveBestOnly watches val_loss when the logs have it (it only grows here), or the monitor given
    expect((await targets({ path: 'ckpt-{epoch}', saveBestOnly: true })).map((s) => s.target)).toEqual(['ckpt-1']);
    expect((await targets({ path: 'ckpt-{epoch}', saveBestOnly: true, monitor: 'loss' })).map((s) => s.target)).toEqual(
      ['ckpt-1', 'ckpt-2', 'ckpt-4'],
    );
    expect((await targets({ path: 'c' }))[0].includeOptimizer).toBe(true);
    expect((await targets({ path: 'c', includeOptimizer: false }))[0].includeOptimizer).toBe(false);
  });
});

describe('every accepted Network option changes what happens', () => {
  const XOR = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ],
    T = [[0], [1], [1], [0]];
  const net = (options: ConstructorParameters<typeof Network>[0] = {}) =>
    new Network({ seed: 1, backend: 'js', ...options })
      .add(new FCLayer(2, 3))
      .add(new ActivationLayer('tanh'))
      .add(new FCLayer(3, 1))
      .use('mse');
  async function fitted(
    fit: Partial<Parameters<Network['fit']>[2] & object> = {},
    options: ConstructorParameters<typeof Network>[0] = {},
  ) {
    const n = net(options);
    const errors = await n.fit(XOR, T, { epochs: 2, learningRate: 0.1, verbose: false, ...fit });
    const w = flat(n.getWeights());
    n.dispose();
    return { errors, w };
  }

  it('new Network: seed, backend', async () => {
    expect((await fitted({ epochs: 1, learningRate: 0 })).w).toEqual((await fitted({ epochs: 1, learningRate: 0 })).w);
    expect((await fitted({ epochs: 1, learningRate: 0 }, { seed: 2 })).w).not.toEqual(
      (await fitted({ epochs: 1, learningRate: 0 })).w,
    );
    expect(net({ backend: 'wasm' }).backend).toBe('wasm');
    expect(net({ backend: 'js' }).backend).toBe('js');
  });

  it('fit: epochs, learningRate, batchSize, shuffle, verbose, onEpochEnd', async () => {
    expect((await fitted({ epochs: 3 })).errors).toHaveLength(3);
    const untouched = net();
    untouched.predict(XOR);
    const initial = flat(untouched.getWeights());
    untouched.dispose();
    expect((await fitted({ learningRate: 0 })).w).toEqual(initial);
    expect((await fitted({ learningRate: 0.1 })).w).not.toEqual((await fitted({ learningRate: 0.2 })).w);
    expect((await fitted({ batchSize: 2 })).w).not.toEqual((await fitted({ batchSize: 1 })).w);
    expect((await fitted({ shuffle: true })).w).not.toEqual((await fitted({ shuffle: false })).w);
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    await fitted({ verbose: false });
    expect(lines).toEqual([]);
    await fitted({ verbose: true });
    expect(lines).toEqual([
      expect.stringMatching(/^epoch 1\/2 +error=0\.\d{6}$/),
      expect.stringMatching(/^epoch 2\/2 /),
    ]);
    const seen: number[] = [];
    await fitted({ onEpochEnd: ({ epoch }) => void seen.push(epoch) });
    expect(seen).toEqual([1, 2]);
  });

  it('Network.load: seed, backend', async () => {
    const h = memoryHandler();
    const n = net();
    n.predict(XOR);
    await n.save(h);
    n.dispose();
    expect((await Network.load(h, { backend: 'wasm' })).backend).toBe('wasm');
    expect((await Network.load(h, { backend: 'js' })).backend).toBe('js');
    const shuffled = async (seed: number) => {
      const back = await Network.load(h, { backend: 'js', seed });
      back.use('mse');
      await back.fit(XOR, T, { epochs: 1, learningRate: 0.1, shuffle: true, verbose: false });
      const w = flat(back.getWeights());
      back.dispose();
      return w;
    };
    expect(await shuffled(1)).toEqual(await shuffled(1));
    expect(await shuffled(1)).not.toEqual(await shuffled(2));
  });
});
