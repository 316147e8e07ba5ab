// A model's life: after dispose() its weights are gone, so every use is an error (never fresh random weights), and
// while fit() runs nothing may take the model's state from under it (a second fit, compile, dispose).
import { describe, expect, it, vi } from 'vitest';
import { ActivationLayer, Dense, FCLayer, Network, Sequential } from '../../src/index.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import { BACKENDS } from './backends.js';

const x = [
  [1, 1],
  [0, 1],
  [1, 0],
  [0, 0],
];
const y = [[0], [1], [1], [0]];

function sequential(backend: 'wasm' | 'js'): Sequential {
  const m = new Sequential([new Dense(3, { inputShape: [2], activation: 'tanh' }), new Dense(1)], { seed: 1, backend });
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

function network(backend: 'wasm' | 'js'): Network {
  const n = new Network({ seed: 1, backend });
  n.add(new FCLayer(2, 3));
  n.add(new ActivationLayer('tanh'));
  n.add(new FCLayer(3, 1));
  n.use('mse');
  return n;
}

describe.each(BACKENDS)('after dispose() (%s)', (backend) => {
  it('Sequential: predict, evaluate, fit, compile, weights and save are errors; dispose again is not', async () => {
    const m = sequential(backend);
    m.predict(x);
    m.dispose();
    const disposed = /the model was disposed/;
    expect(() => m.predict(x)).toThrow(disposed);
    expect(() => m.evaluate(x, y)).toThrow(disposed);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(disposed);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mse' })).toThrow(disposed);
    expect(() => m.getWeights()).toThrow(disposed);
    expect(() => m.setWeights([])).toThrow(disposed);
    await expect(m.save(memoryHandler())).rejects.toThrow(disposed);
    expect(() => m.countParams()).toThrow(disposed);
    expect(() => m.summary(() => {})).toThrow(disposed);
    expect(() => m.dispose()).not.toThrow();
  });

  it('a model disposed before it was compiled (or given a loss) says it was disposed, not that it needs one', async () => {
    const disposed = /the model was disposed/;
    const m = new Sequential([new Dense(2, { inputShape: [2] })], { backend });
    m.dispose();
    expect(() => m.evaluate(x, y)).toThrow(disposed);
    await expect(m.fit(x, y, { verbose: 0 })).rejects.toThrow(disposed);
    const n = new Network({ backend });
    n.add(new FCLayer(2, 1));
    n.dispose();
    await expect(n.fit(x, y, { epochs: 1, learningRate: 0.1, verbose: false })).rejects.toThrow(disposed);
  });

  it('Network: predict, fit, weights and save are errors', async () => {
    const n = network(backend);
    n.predict(x);
    n.dispose();
    const disposed = /the model was disposed/;
    expect(() => n.predict(x)).toThrow(disposed);
    await expect(n.fit(x, y, { epochs: 1, learningRate: 0.1, verbose: false })).rejects.toThrow(disposed);
    expect(() => n.getWeights()).toThrow(disposed);
    expect(() => n.setWeights([])).toThrow(disposed);
    await expect(n.save(memoryHandler())).rejects.toThrow(disposed);
  });

  it("a layer of a model refuses its own dispose() (the model would be left without its weights); the model's frees it", async () => {
    const m = sequential(backend);
    const before = m.predict(x);
    expect(() => m.layers[0].dispose()).toThrow(
      /^scratchnet: layer 'dense(_\d+)?' belongs to a model; dispose the model \(model\.dispose\(\)\)/,
    );
    expect(m.predict(x)).toEqual(before); // its weights are still there
    await m.fit(x, y, { verbose: 0 });
    const layer = m.layers[0];
    m.dispose();
    expect(() => layer.dispose()).not.toThrow(); // freed with the model: nothing left to refuse
  });
});

describe.each(BACKENDS)('while fit() runs (%s)', (backend) => {
  it('Sequential: a second fit, compile and dispose are refused; predict is allowed; afterwards all work', async () => {
    const m = sequential(backend);
    const seen: string[] = [];
    await m.fit(x, y, {
      epochs: 2,
      verbose: 0,
      callbacks: {
        onEpochEnd: async () => {
          await m.fit(x, y, { verbose: 0 }).catch((e: Error) => seen.push(e.message));
          try {
            m.compile({ optimizer: 'sgd', loss: 'mse' });
          } catch (e) {
            seen.push((e as Error).message);
          }
          try {
            m.dispose();
          } catch (e) {
            seen.push((e as Error).message);
          }
          m.predict(x);
        },
      },
    });
    expect(seen).toHaveLength(6);
    for (const [i, what] of ['fit()', 'compile()', 'dispose()'].entries()) {
      expect(seen[i]).toMatch(
        new RegExp(`^scratchnet: ${what.replace(/[()]/g, '\\$&')} while fit\\(\\) is running on this model`),
      );
    }
    await m.fit(x, y, { verbose: 0 });
    m.dispose();
  });

  it('setWeights beside a fit that was not awaited is refused; from its callbacks and after it, allowed', async () => {
    const m = sequential(backend);
    const start = m.getWeights();
    await m.fit(x, y, { epochs: 2, verbose: 0, callbacks: { onEpochEnd: () => m.setWeights(start) } });
    expect(m.getWeights()).toEqual(start); // set after the last epoch, from its callback
    const running = m.fit(x, y, { epochs: 5, verbose: 0 }); // not awaited
    expect(() => m.setWeights(start)).toThrow(
      /^scratchnet: setWeights\(\) while fit\(\) is running on this model: await that fit first, or set the weights from one of its callbacks$/,
    );
    await running;
    m.setWeights(start);
    expect(m.getWeights()).toEqual(start);
    const n = network(backend);
    const training = n.fit(x, y, { epochs: 5, learningRate: 0.1, verbose: false });
    expect(() => n.setWeights(n.getWeights())).toThrow(/^scratchnet: setWeights\(\) while fit\(\) is running/);
    await training;
    m.dispose();
    n.dispose();
  });

  it('predict or evaluate beside a fit that was not awaited warns once; inside its callbacks and after it, never', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const m = sequential(backend);
      const callbacks = {
        onTrainBegin: () => void m.predict(x),
        onBatchEnd: () => void m.evaluate(x, y),
        onEpochEnd: async () => {
          await Promise.resolve();
          m.predict(x);
        },
        onTrainEnd: () => void m.predict(x),
      };
      await m.fit(x, y, { epochs: 2, batchSize: 2, verbose: 0, callbacks });
      expect(warn).not.toHaveBeenCalled();
      const running = m.fit(x, y, { epochs: 20, verbose: 0 }); // not awaited, as a newcomer may write it
      m.evaluate(x, y);
      m.predict(x);
      await running;
      m.predict(x);
      expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([
        'scratchnet: warning: evaluate() while fit() is still running on this model (was the fit awaited?): ' +
          'it uses the weights as they are now, part way through training',
      ]);
      m.dispose();

      const d = sequential(backend); // evaluateDataset too
      const fitting = d.fit(x, y, { epochs: 20, verbose: 0 });
      await d.evaluateDataset([{ xs: x, ys: y }]);
      await fitting;
      expect(String(warn.mock.calls.at(-1)![0])).toMatch(/^scratchnet: warning: evaluateDataset\(\) while fit\(\)/);
      d.dispose();
      warn.mockClear();

      const n = network(backend);
      await n.fit(x, y, { epochs: 2, learningRate: 0.1, verbose: false, onEpochEnd: () => void n.predict(x) });
      expect(warn).not.toHaveBeenCalled();
      const training = n.fit(x, y, { epochs: 20, learningRate: 0.1, verbose: false });
      n.predict(x);
      await training;
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/^scratchnet: warning: predict\(\) while fit\(\) is still running/);
      n.dispose();
    } finally {
      warn.mockRestore();
    }
  });

  it('Network: two fits at once are refused', async () => {
    const n = network(backend);
    const first = n.fit(x, y, { epochs: 50, learningRate: 0.1, verbose: false });
    await expect(n.fit(x, y, { epochs: 1, learningRate: 0.1, verbose: false })).rejects.toThrow(
      /fit\(\) while fit\(\) is running/,
    );
    await first;
    await expect(n.fit(x, y, { epochs: 1, learningRate: 0.1, verbose: false })).resolves.toHaveLength(1);
    n.dispose();
  });
});

describe('a layer object belongs to one model, once', () => {
  it('the same layer twice in one model, or in two models, is refused when added; after dispose it may be reused', () => {
    const d = new Dense(2, { inputShape: [2] });
    expect(() => new Sequential([d, d], { backend: 'js' })).toThrow(
      /^scratchnet: layer 'dense' is already in this model/, // named when it was added
    );
    const shared = new Dense(2, { inputShape: [2], name: 'shared' });
    const first = new Sequential([shared], { backend: 'js' });
    expect(() => new Sequential([shared], { backend: 'wasm' })).toThrow(
      /^scratchnet: layer 'shared' already belongs to another model/,
    );
    const net = new Network({ backend: 'js' });
    expect(() => net.add(shared)).toThrow(/already belongs to another model/);
    expect(net.layers).toHaveLength(0);
    first.predict([[1, 2]]);
    first.dispose();
    expect(
      () =>
        new Sequential([new Dense(2, { name: 'a', inputShape: [2] }), new Dense(2, { name: 'a' })], { backend: 'js' }),
    ).toThrow(/^scratchnet: two layers are named 'a'; names must be unique in a model/);
    // a constructor that fails gives back the layers it took
    const a = new Dense(4, { inputShape: [2], name: 'h' }),
      b = new Dense(2, { name: 'h' });
    expect(() => new Sequential([a, b], { backend: 'js' })).toThrow(/two layers are named 'h'/);
    b.name = 'o';
    new Sequential([a, b], { backend: 'js' }).dispose();
    const second = new Sequential([shared], { backend: 'js' });
    expect(second.predict([[1, 2]])).toHaveLength(1);
    second.dispose();
  });
});
