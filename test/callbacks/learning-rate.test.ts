// Learning-rate schedules: learningRateScheduler sets the rate before each epoch, and training then matches
// TensorFlow.js's with the same rates set from its onEpochBegin; reduceLROnPlateau follows Keras's rule (patience,
// cooldown, minLr, minDelta, the float32 comparison with minLr) on a scripted sequence of losses, and in fit. Both put
// each epoch's rate into its logs and the history as Keras 3's do (`learning_rate`, float32).
import type * as TF from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { callbacks } from '../../src/callbacks/index.js';
import { Dense, Sequential, optimizers, type Logs } from '../../src/index.js';
import { BACKENDS } from '../models/backends.js';
import { tfjs } from '../io/tfjs.js';
import { BIAS, KERNEL, X, Y } from '../models/linear-data.js';

let tf: typeof TF;
beforeAll(async () => {
  tf = await tfjs();
});

// the linear model of optimizers-vs-tfjs.test.ts; two batches of 4 per epoch
const EPOCHS = 5;
const start = [...KERNEL.flat(), ...BIAS];

function ours(backend: 'wasm' | 'js'): Sequential {
  const m = new Sequential([new Dense(2, { inputShape: [3] })], { backend });
  // Adam: its step reads the rate anew each time in both libraries (Keras's SGD momentum keeps the rate inside its
  // velocity, TF.js's outside, so a changed rate steps them differently); ε small, as in optimizers-vs-tfjs.test.ts
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.05, epsilon: 1e-12 }), loss: 'mse' });
  m.setWeights([Float32Array.from(KERNEL.flat()), Float32Array.from(BIAS)]);
  return m;
}

describe.each(BACKENDS)('learningRateScheduler (%s backend)', (backend) => {
  it('sets the rate before every epoch, and trains as TF.js with the same rates set in its onEpochBegin', async () => {
    const schedule = (epoch: number) => 0.05 * 0.5 ** epoch;
    const m = ours(backend);
    const seen: [number, number][] = [];
    const rateInBatches: number[] = [];
    const logged: (number | undefined)[] = [];
    const history = await m.fit(X, Y, {
      epochs: EPOCHS,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      callbacks: [
        callbacks.learningRateScheduler((epoch, rate) => {
          seen.push([epoch, rate]);
          return schedule(epoch);
        }),
        {
          onBatchEnd: () => void rateInBatches.push(m.optimizer!.learningRate),
          onEpochEnd: (_epoch, logs) => void logged.push(logs.learning_rate),
        },
      ],
    });
    // the schedule sees the rate the previous epoch ran at, and every batch of an epoch runs at its rate
    expect(seen).toEqual([0, 1, 2, 3, 4].map((e) => [e, e === 0 ? 0.05 : schedule(e - 1)]));
    expect(rateInBatches).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4].map(schedule));
    // as Keras 3: each epoch's rate, in float32, in the logs the callbacks after it see and in the history
    const rates = [0, 1, 2, 3, 4].map((e) => Math.fround(schedule(e)));
    expect(logged).toEqual(rates);
    expect(history.history.learning_rate).toEqual(rates);
    expect(history.history.learning_rate![0]).toBe(0.05000000074505806);
    expect(m.optimizer!.learningRate).toBe(schedule(EPOCHS - 1)); // it stays set, as in Keras
    const got = m.getWeights().flatMap((w) => [...w]);
    m.dispose();

    const t = tf.sequential();
    t.add(tf.layers.dense({ units: 2, inputShape: [3] }));
    t.setWeights([tf.tensor2d(KERNEL), tf.tensor1d(BIAS)]);
    const adam = tf.train.adam(0.05, 0.9, 0.999, 1e-12);
    t.compile({ optimizer: adam, loss: 'meanSquaredError' });
    await t.fit(tf.tensor2d(X), tf.tensor2d(Y), {
      epochs: EPOCHS,
      batchSize: 4,
      shuffle: false,
      verbose: 0,
      // TF.js's Adam has no setLearningRate; its step reads the field
      callbacks: {
        onEpochBegin: async (epoch: number) => {
          (adam as unknown as { learningRate: number }).learningRate = schedule(epoch);
        },
      },
    });
    const expected = t.getWeights().flatMap((w) => [...w.dataSync()]);
    t.dispose();
    got.forEach((v, i) => {
      expect(Math.abs(expected[i] - start[i])).toBeGreaterThan(1e-4);
      expect(Math.abs(v - expected[i])).toBeLessThan(1e-6 + 1e-4 * Math.abs(expected[i] - start[i]));
    });
  });

  it('refuses a schedule that returns no usable rate, naming the epoch', async () => {
    const m = ours(backend);
    for (const bad of [NaN, -0.1, Infinity, '0.1']) {
      await expect(
        m.fit(X, Y, {
          epochs: 3,
          verbose: 0,
          callbacks: callbacks.learningRateScheduler((epoch) => (epoch < 1 ? 0.01 : (bad as number))),
        }),
      ).rejects.toThrow(/learningRateScheduler: the schedule returned .* for epoch 1; it must return a finite/);
    }
    m.dispose();
  });
});

/** a reduceLROnPlateau fed a scripted log per epoch, over a stand-in model whose optimizer holds the rate */
function scripted(
  options: Parameters<typeof callbacks.reduceLROnPlateau>[0],
  values: number[],
  rate = 1,
): { rates: number[]; reductions: number } {
  const cb = callbacks.reduceLROnPlateau(options);
  const model = { optimizer: { learningRate: rate } } as unknown as Sequential;
  cb.setModel!(model);
  void cb.onTrainBegin!();
  const rates = values.map((v, epoch) => {
    const before = model.optimizer!.learningRate;
    const logs = { loss: 0, [options?.monitor ?? 'val_loss']: v } as Logs;
    void cb.onEpochEnd!(epoch, logs);
    // the epoch's rate, before any reduction at its end (Keras 3 logs it first)
    expect(logs.learning_rate).toBe(Math.fround(before));
    return model.optimizer!.learningRate;
  });
  return { rates, reductions: cb.reductions };
}

describe('reduceLROnPlateau', () => {
  it("follows Keras's rule: patience, cooldown, minLr (compared in float32) and improvements that reset the wait", () => {
    // worked by hand from Keras's ReduceLROnPlateau.on_epoch_end: epochs 2–3 do not improve on 0.9 → ×0.5 at epoch 3,
    // cooldown 1 (epoch 4 counts again from 0) → ×0.5 at epoch 5 → at epoch 7 max(0.125, minLr 0.2) = 0.2; 0.8 improves
    // at epoch 8; at epoch 10 the rate is minLr, which float32(0.2) does not exceed: no reduction
    const values = [1, 0.9, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.8, 0.85, 0.85];
    const { rates, reductions } = scripted({ factor: 0.5, patience: 2, cooldown: 1, minDelta: 0, minLr: 0.2 }, values);
    expect(rates).toEqual([1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2]);
    expect(reductions).toBe(3);
  });

  it('counts a change smaller than minDelta as no improvement, and maximizes accuracies', () => {
    // min mode, minDelta 0.05: 0.97 and 0.96 are not better than 1 by more than 0.05 (the second makes the wait 2);
    // 0.9 is, and 0.89 is not better than it
    expect(scripted({ patience: 2, minDelta: 0.05 }, [1, 0.97, 0.96, 0.9, 0.89]).rates).toEqual([1, 1, 0.1, 0.1, 0.1]);
    // 'auto' on an accuracy is max mode: a rising accuracy never reduces, a falling one does
    const accuracy = { monitor: 'val_accuracy', patience: 1 } as const;
    expect(scripted(accuracy, [0.5, 0.6, 0.7]).rates).toEqual([1, 1, 1]);
    expect(scripted(accuracy, [0.7, 0.6, 0.5]).rates).toEqual([1, 0.1, 0.010000000000000002]);
    expect(scripted({ ...accuracy, mode: 'min' }, [0.7, 0.6, 0.5]).rates).toEqual([1, 1, 1]);
  });

  it('refuses bad options and a log fit does not report', () => {
    expect(() => callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor must be a number in \[0, 1\)/);
    expect(() => callbacks.reduceLROnPlateau({ patience: -1 })).toThrow(/patience must be a non-negative integer/);
    expect(() => callbacks.reduceLROnPlateau({ minLr: -1 })).toThrow(/minLr must be a finite number ≥ 0/);
    expect(() => callbacks.reduceLROnPlateau({ mode: 'up' as never })).toThrow(/mode must be 'auto', 'min' or 'max'/);
    expect(() => callbacks.reduceLROnPlateau({ min_lr: 0 } as never)).toThrow(/min_lr/);
    const cb = callbacks.reduceLROnPlateau();
    cb.setModel!({ optimizer: { learningRate: 1 } } as unknown as Sequential);
    void cb.onTrainBegin!();
    expect(() => cb.onEpochEnd!(0, { loss: 1 })).toThrow(
      /reduceLROnPlateau monitors 'val_loss', which fit does not report; it reports loss \(val_ logs need validationData/,
    );
  });

  it.each(BACKENDS)('in fit (%s backend), a reduction applies from the next epoch on', async (backend) => {
    // minDelta so large that nothing after the first epoch improves: patience 1 halves the rate after epochs 1, 2, 3
    const m = ours(backend);
    const rates: number[] = [];
    const reducer = callbacks.reduceLROnPlateau({ monitor: 'loss', factor: 0.5, patience: 1, minDelta: 1e9 });
    const history = await m.fit(X, Y, {
      epochs: 4,
      batchSize: 8,
      shuffle: false,
      verbose: 0,
      callbacks: [reducer, { onBatchEnd: () => void rates.push(m.optimizer!.learningRate) }],
    });
    expect(rates).toEqual([0.05, 0.05, 0.025, 0.0125]);
    expect(history.history.learning_rate).toEqual(rates.map(Math.fround)); // the rate each epoch ran at
    expect(reducer.reductions).toBe(3);
    expect(m.optimizer!.learningRate).toBe(0.00625);
    m.dispose();
  });
});
