// initialEpoch (Keras's initial_epoch, TF.js's initialEpoch): a run resumed at epoch k numbers its epochs from k in
// the history, the callbacks and the progress, and trains exactly as the run it continues.
import { describe, expect, it, vi } from 'vitest';
import { callbacks } from '../../src/callbacks/index.js';
import { Dense, Sequential, type Batch } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const x = Array.from({ length: 24 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 5) / 5]);
const y = x.map((r) => (r[0] + r[1] > 0 ? 1 : 0));

function model(backend: 'wasm' | 'js'): Sequential {
  const m = new Sequential(
    [new Dense(6, { inputShape: [3], activation: 'relu' }), new Dense(2, { activation: 'softmax' })],
    { seed: 3, backend },
  );
  m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

describe.each(BACKENDS)('initialEpoch (%s backend)', (backend) => {
  it('resumes a run: the same weights as training straight through, its epochs numbered on', async () => {
    const straight = model(backend);
    const all = await straight.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0 });
    const resumed = model(backend);
    await resumed.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    const seen: number[] = [];
    const scheduled: number[] = [];
    const rest = await resumed.fit(x, y, {
      epochs: 4,
      initialEpoch: 2,
      batchSize: 8,
      verbose: 0,
      callbacks: [
        { onEpochBegin: (e) => void seen.push(e) },
        callbacks.learningRateScheduler((epoch, rate) => (scheduled.push(epoch), rate)),
      ],
    });
    expect(rest.epoch).toEqual([2, 3]);
    expect(seen).toEqual([2, 3]);
    expect(scheduled).toEqual([2, 3]); // Keras's schedule gets the epoch's own number
    expect(rest.params.epochs).toBe(4); // Keras's params: the epochs asked for
    expect(rest.history.loss).toEqual(all.history.loss.slice(2));
    expect(resumed.getWeights()).toEqual(straight.getWeights());
    straight.dispose();
    resumed.dispose();
  });

  it('prints the epochs as Keras does (Epoch 3/4), trains none from epochs on, and refuses a bad start', async () => {
    const m = model(backend);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await m.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 8, verbose: 2 });
      expect(log.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('Epoch'))).toEqual([
        'Epoch 3/4',
        'Epoch 4/4',
      ]);
    } finally {
      log.mockRestore();
    }
    const before = m.getWeights();
    const none = await m.fit(x, y, { epochs: 2, initialEpoch: 2, verbose: 0 });
    expect(none.epoch).toEqual([]);
    expect(m.getWeights()).toEqual(before);
    for (const bad of [-1, 1.5, '1'])
      await expect(m.fit(x, y, { epochs: 3, initialEpoch: bad as number, verbose: 0 })).rejects.toThrow(
        /initialEpoch must be a non-negative integer \(the epoch to start at, 0-based\)/,
      );
    m.dispose();
  });

  it('fitDataset: the passes over the source are the epochs from initialEpoch on', async () => {
    const batches = (): Batch[] => [0, 8, 16].map((s) => ({ xs: x.slice(s, s + 8), ys: y.slice(s, s + 8) }));
    const m = model(backend);
    const h = await m.fitDataset(batches, { epochs: 3, initialEpoch: 1, verbose: 0 });
    expect(h.epoch).toEqual([1, 2]);
    // one pass: a generator object, which runs once, is enough
    function* once() {
      yield* batches();
    }
    const one = await m.fitDataset(once(), { epochs: 3, initialEpoch: 2, verbose: 0 });
    expect(one.epoch).toEqual([2]);
    await expect(m.fitDataset(once(), { epochs: 3, initialEpoch: 1, verbose: 0 })).rejects.toThrow(
      /generator object .* read afresh in each of the 2 epochs/,
    );
    m.dispose();
  });
});
