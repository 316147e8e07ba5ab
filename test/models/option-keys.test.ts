// JavaScript callers get no type check: an unknown option key is refused by name (with the camelCase form of a
// Keras snake_case name, or the nearest spelling) instead of being ignored, which would train something else.
import { describe, expect, it } from 'vitest';
import { Dense, Network, Sequential, callbacks, loadModel, losses, memoryHandler, optimizers } from '../../src/index.js';

const x = [[0, 1], [1, 0]];
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
      /^scratchnet: fit\(x, y, options\): options has no option 'validation_split'. Did you mean 'validationSplit'\? Its options: epochs, batchSize/);
    await expect(m.fit(x, y, { batch_size: 1 } as never)).rejects.toThrow(/no option 'batch_size'. Did you mean 'batchSize'\?/);
    await expect(m.fit(x, y, { epoch: 2 } as never)).rejects.toThrow(/no option 'epoch'. Did you mean 'epochs'\?/);
    expect(() => m.predict(x, { batch_size: 1 } as never)).toThrow(/predict\(x, options\): options has no option 'batch_size'. Did you mean 'batchSize'\?/);
    expect(() => m.evaluate(x, y, { batch_size: 1 } as never)).toThrow(/evaluate\(x, y, options\): options has no option 'batch_size'/);
    expect(m.evaluate(x, y, { verbose: 0 }).loss).toBeGreaterThan(0); // Keras's verbose is taken (nothing is printed)
    await expect(m.save(memoryHandler(), { include_optimizer: true } as never)).rejects.toThrow(/Did you mean 'includeOptimizer'\?/);
    m.dispose();
  });

  it('layers, models, compile, optimizers, callbacks, loadModel', async () => {
    expect(() => new Dense(8, { activaton: 'relu' } as never)).toThrow(/^scratchnet: Dense\(8, options\): options has no option 'activaton'. Did you mean 'activation'\?/);
    expect(() => new Dense(8, { input_shape: [3] } as never)).toThrow(/Did you mean 'inputShape'\?/);
    expect(() => new Sequential([], { sead: 1 } as never)).toThrow(/new Sequential\(layers, options\): options has no option 'sead'. Did you mean 'seed'\?/);
    expect(() => new Network({ backed: 'js' } as never)).toThrow(/Did you mean 'backend'\?/);
    const m = new Sequential([new Dense(2, { inputShape: [2] })], { backend: 'js' });
    expect(() => m.compile({ optimiser: 'sgd', loss: 'mse' } as never)).toThrow(/compile\(options\) has no option 'optimiser'. Did you mean 'optimizer'\?/);
    expect(() => optimizers.adam({ learning_rate: 0.01 } as never)).toThrow(/optimizers.adam\(options\) has no option 'learning_rate'. Did you mean 'learningRate'\?/);
    expect(() => losses.create('mse', { fromLogits: true })).toThrow(/fromLogits applies to the cross-entropies, not to 'mse'/);
    expect(() => losses.create('binary_crossentropy', { from_logits: true } as never)).toThrow(/Did you mean 'fromLogits'\?/);
    expect(() => optimizers.sgd({ lr: 0.1 } as never)).toThrow(/optimizers.sgd\(options\) has no option 'lr'. Its options: learningRate, momentum, nesterov/);
    expect(() => callbacks.earlyStopping({ restore_best_weights: true } as never)).toThrow(/Did you mean 'restoreBestWeights'\?/);
    expect(() => callbacks.modelCheckpoint({ path: 'x', save_best_only: true } as never)).toThrow(/Did you mean 'saveBestOnly'\?/);
    await expect(loadModel(memoryHandler(), { backed: 'js' } as never)).rejects.toThrow(/loadModel\(source, options\): options has no option 'backed'/);
    const net = new Network({ backend: 'js' });
    await expect(net.fit(x, [[0], [1]], { epochs: 1, learningRate: 0.1, learning_rate: 1 } as never)).rejects.toThrow(/Did you mean 'learningRate'\?/);
    m.dispose();
  });

  it('every documented option is accepted', async () => {
    const m = new Sequential([new Dense(2, {
      inputShape: [2], inputDim: 2, activation: 'softmax', kernelInitializer: 'glorot_uniform', biasInitializer: 'zeros', useBias: true, name: 'out',
    })], { seed: 1, backend: 'js', name: 'm' });
    m.compile({ optimizer: optimizers.adam({ learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }), loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    await m.fit(x, y, {
      epochs: 1, batchSize: 1, validationData: [x, y], shuffle: true, verbose: 0, yieldEvery: 50,
      callbacks: [callbacks.earlyStopping({ monitor: 'val_loss', patience: 1, minDelta: 0, mode: 'min', restoreBestWeights: true, baseline: 10 }),
        callbacks.modelCheckpoint({ path: memoryHandler(), every: 1, saveBestOnly: true, monitor: 'val_loss', includeOptimizer: true })],
    });
    await m.fit(x, y, { validationSplit: 0.5, verbose: 0 });
    m.evaluate(x, y, { batchSize: 1 });
    m.predict(x, { batchSize: 1 });
    const h = memoryHandler();
    await m.save(h, { includeOptimizer: true });
    (await loadModel(h, { backend: 'js', seed: 2, compile: true, name: 'back' })).dispose();
    optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true });
    optimizers.rmsprop({ learningRate: 0.1, rho: 0.9, epsilon: 1e-7 });
    m.dispose();
  });
});
