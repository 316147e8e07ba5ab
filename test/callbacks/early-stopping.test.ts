// earlyStopping stops at the right epoch and really puts back the best weights. The data make the validation loss
// fall and then rise: a single Dense unit learns to output 1 (its training target) from 0, while the validation
// target is 0.45, so val_loss is smallest at the epoch whose output is nearest 0.45.
import { describe, expect, it, vi } from 'vitest';
import { callbacks } from '../../src/callbacks/index.js';
import { Dense, Sequential, optimizers } from '../../src/index.js';
import { BACKENDS } from '../models/backends.js';

const x = [[1], [1], [1], [1]];
const y = [[1], [1], [1], [1]];
const validationData: [number[][], number[][]] = [[[1]], [[0.45]]];

function unit(backend: 'wasm' | 'js'): Sequential {
  const m = new Sequential([new Dense(1, { inputShape: [1], kernelInitializer: 'zeros', biasInitializer: 'zeros' })], {
    seed: 1,
    backend,
  });
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.05 }), loss: 'mse' });
  return m;
}

describe.each(BACKENDS)('earlyStopping on %s', (backend) => {
  it('with restoreBestWeights, the model ends with the weights of the epoch with the lowest val_loss', async () => {
    const model = unit(backend);
    const weightsAt: Float32Array[][] = [];
    const stopper = callbacks.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true });
    const history = await model.fit(x, y, {
      epochs: 100,
      batchSize: 4,
      verbose: 0,
      validationData,
      callbacks: [
        {
          onEpochEnd: () => {
            weightsAt.push(model.getWeights());
          },
        },
        stopper,
      ],
    });
    const losses = history.history.val_loss!;
    const best = losses.indexOf(Math.min(...losses));
    expect(best).toBeGreaterThan(0);
    expect(stopper.bestEpoch).toBe(best);
    expect(stopper.stoppedEpoch).toBe(best + 3);
    expect(losses).toHaveLength(best + 4); // stopped after 3 epochs without improvement
    expect(losses[losses.length - 1]).toBeGreaterThan(losses[best]);
    expect(model.getWeights()).toEqual(weightsAt[best]);
    expect(model.evaluate(...validationData).loss).toBe(losses[best]);
    model.dispose();
  });

  it('with a baseline not yet beaten, an epoch that improves never stops training (Keras 3)', async () => {
    const model = unit(backend);
    // the training loss falls every epoch (the output moves a fixed share of the way to 1) but never reaches 0
    const stopper = callbacks.earlyStopping({ monitor: 'loss', patience: 2, baseline: 0 });
    const history = await model.fit(x, y, { epochs: 12, batchSize: 4, verbose: 0, callbacks: [stopper] });
    const losses = history.history.loss;
    losses.slice(1).forEach((l, i) => expect(l).toBeLessThan(losses[i]));
    expect(losses).toHaveLength(12);
    expect(stopper.stoppedEpoch).toBe(-1);
    model.dispose();
  });

  it('without restoreBestWeights, the weights are those of the last epoch', async () => {
    const model = unit(backend);
    const weightsAt: Float32Array[][] = [];
    await model.fit(x, y, {
      epochs: 100,
      batchSize: 4,
      verbose: 0,
      validationData,
      callbacks: [
        {
          onEpochEnd: () => {
            weightsAt.push(model.getWeights());
          },
        },
        callbacks.earlyStopping({ patience: 2 }),
      ],
    });
    expect(model.getWeights()).toEqual(weightsAt[weightsAt.length - 1]);
    expect(weightsAt.length).toBeLessThan(100);
    model.dispose();
  });

  it('minDelta: improvements smaller than it do not count', async () => {
    const small = unit(backend),
      large = unit(backend);
    const a = await small.fit(x, y, {
      epochs: 100,
      batchSize: 4,
      verbose: 0,
      validationData,
      callbacks: callbacks.earlyStopping({ patience: 0 }),
    });
    const b = await large.fit(x, y, {
      epochs: 100,
      batchSize: 4,
      verbose: 0,
      validationData,
      callbacks: callbacks.earlyStopping({ patience: 0, minDelta: 0.01 }),
    });
    expect(b.epoch.length).toBeLessThan(a.epoch.length);
    small.dispose();
    large.dispose();
  });

  it('startFromEpoch: the epochs before it are not watched, so the best and the stop count from it', async () => {
    const fit = async (options: Parameters<typeof callbacks.earlyStopping>[0]) => {
      const model = unit(backend);
      const stopper = callbacks.earlyStopping(options);
      const h = await model.fit(x, y, { epochs: 100, batchSize: 4, verbose: 0, validationData, callbacks: stopper });
      model.dispose();
      return { stopper, losses: h.history.val_loss! };
    };
    const plain = await fit({ patience: 0 });
    const best = plain.losses.indexOf(Math.min(...plain.losses));
    expect(plain.stopper.stoppedEpoch).toBe(best + 1);
    // from two epochs after the lowest val_loss: the first watched epoch is the best, the next (higher) one stops it
    const late = await fit({ patience: 0, startFromEpoch: best + 2, restoreBestWeights: true });
    expect(late.losses.slice(0, plain.losses.length)).toEqual(plain.losses); // the same run while both trained
    expect(late.losses).toHaveLength(best + 4);
    expect(late.stopper.bestEpoch).toBe(best + 2);
    expect(late.stopper.best).toBe(late.losses[best + 2]);
    expect(late.stopper.stoppedEpoch).toBe(best + 3);
    expect(() => callbacks.earlyStopping({ startFromEpoch: -1 })).toThrow(
      /startFromEpoch must be a non-negative integer/,
    );
  });

  it('verbose 1 says when it stopped and which epoch it restored, as Keras does at the end of training', async () => {
    const model = unit(backend);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const stopper = callbacks.earlyStopping({ patience: 1, restoreBestWeights: true, verbose: 1 });
      await model.fit(x, y, { epochs: 100, batchSize: 4, verbose: 0, validationData, callbacks: stopper });
      expect(log.mock.calls.map((c) => c[0])).toEqual([
        `Epoch ${stopper.stoppedEpoch + 1}: early stopping`,
        `Restoring model weights from the end of the best epoch: ${stopper.bestEpoch + 1}.`,
      ]);
      log.mockClear();
      await model.fit(x, y, {
        epochs: 2,
        batchSize: 4,
        verbose: 0,
        callbacks: callbacks.earlyStopping({ monitor: 'loss', verbose: 1 }),
      });
      expect(log).not.toHaveBeenCalled(); // it never stopped and restores nothing
    } finally {
      log.mockRestore();
      model.dispose();
    }
    expect(() => callbacks.earlyStopping({ verbose: 2 as 1 })).toThrow(/verbose must be 0 or 1/);
  });

  it("mode 'auto' maximises accuracies; a monitor fit does not report is named", async () => {
    const model = unit(backend);
    await expect(model.fit(x, y, { epochs: 3, verbose: 0, callbacks: callbacks.earlyStopping() })).rejects.toThrow(
      /^scratchnet: earlyStopping monitors 'val_loss', which fit does not report; it reports loss \(val_ logs need validationData or validationSplit\)/,
    );
    const labels = new Sequential([new Dense(2, { inputShape: [1], activation: 'softmax' })], { seed: 2, backend });
    labels.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
    const stopper = callbacks.earlyStopping({ monitor: 'accuracy', patience: 1 });
    await labels.fit([[0], [1]], [0, 1], { epochs: 30, verbose: 0, callbacks: stopper });
    expect(stopper.best).toBeGreaterThanOrEqual(0.5); // an accuracy, maximised from −∞
    expect(() => callbacks.earlyStopping({ patience: -1 })).toThrow(
      /^scratchnet: earlyStopping: patience must be a non-negative integer/,
    );
    model.dispose();
    labels.dispose();
  });
});
