// modelCheckpoint saves during fit every N epochs; a checkpoint (with its optimizer state) resumes training exactly.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { callbacks } from '../../src/callbacks/index.js';
import { Dense, Dropout, Sequential } from '../../src/index.js';
import { loadModel } from '../../src/io/load-model.js';
import { memoryHandler } from '../../src/io/memory-handler.js';
import '../../src/node.js';

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const x = Array.from({ length: 30 }, (_, i) => [Math.sin(i), Math.cos(i * 1.3), (i % 7) / 7]);
const labels = x.map((r) => (r[0] + r[1] > 0 ? 1 : 0));

function model(): Sequential {
  const m = new Sequential(
    [new Dense(8, { inputShape: [3], activation: 'relu' }), new Dropout(0.2), new Dense(2, { activation: 'softmax' })],
    { seed: 5, backend: 'wasm' },
  );
  m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

it('saves every 2 epochs to folders named by epoch; the epoch-4 checkpoint resumes into the model fit for 5', async () => {
  dir = await mkdtemp(join(tmpdir(), 'scratchnet-ckpt-'));
  const m = model();
  const checkpoint = callbacks.modelCheckpoint({ path: join(dir, 'epoch-{epoch}'), every: 2 });
  const opts = { batchSize: 6, verbose: 0 as const, shuffle: false };
  await m.fit(x, labels, { ...opts, epochs: 5, callbacks: [checkpoint] });
  expect(checkpoint.saved).toBe(2);
  expect((await readdir(dir)).sort()).toEqual(['epoch-2', 'epoch-4']);
  const resumed = await loadModel(`file://${join(dir, 'epoch-4')}`, { backend: 'wasm' });
  await resumed.fit(x, labels, { ...opts, epochs: 1 });
  expect(resumed.getWeights()).toEqual(m.getWeights());
  m.dispose();
  resumed.dispose();
});

it('saveBestOnly saves only the epochs that improve the monitored value', async () => {
  const m = model();
  const saves: number[] = [];
  let best = Infinity;
  const improving: number[] = [];
  const checkpoint = callbacks.modelCheckpoint({
    path: (epoch) => {
      saves.push(epoch);
      return memoryHandler();
    },
    saveBestOnly: true,
    monitor: 'loss',
  });
  await m.fit(x, labels, {
    epochs: 8,
    verbose: 0,
    callbacks: [
      checkpoint,
      {
        onEpochEnd: (e, logs) => {
          if (logs.loss < best) {
            best = logs.loss;
            improving.push(e + 1);
          }
        },
      },
    ],
  });
  expect(saves).toEqual(improving);
  expect(() => callbacks.modelCheckpoint({ path: '' })).toThrow(/^scratchnet: modelCheckpoint needs a path/);
  expect(() => callbacks.modelCheckpoint({ path: 'x', every: 0 })).toThrow(
    /^scratchnet: modelCheckpoint: every must be a positive integer/,
  );
  expect(() => callbacks.modelCheckpoint({ path: 'ckpt/{epohc}' })).toThrow(
    /has \{epohc\}; the only placeholder is \{epoch\}/,
  );
  m.dispose();
});

it('saveBestOnly watches val_loss with validation data and loss without it, unless told otherwise', async () => {
  const watched = async (fit: { validationSplit?: number }, monitor?: 'val_accuracy') => {
    const m = model();
    const seen: number[] = [];
    let best = monitor ? -Infinity : Infinity;
    const key = monitor ?? (fit.validationSplit ? 'val_loss' : 'loss');
    const better: number[] = [];
    const checkpoint = callbacks.modelCheckpoint({
      path: (epoch) => {
        seen.push(epoch);
        return memoryHandler();
      },
      saveBestOnly: true,
      monitor,
    });
    await m.fit(x, labels, {
      epochs: 6,
      verbose: 0,
      ...fit,
      callbacks: [
        checkpoint,
        {
          onEpochEnd: (e, logs) => {
            const v = logs[key]!;
            if (monitor ? v > best : v < best) {
              best = v;
              better.push(e + 1);
            }
          },
        },
      ],
    });
    m.dispose();
    expect(seen).toEqual(better);
    return seen;
  };
  expect(await watched({})).not.toEqual([]);
  expect(await watched({ validationSplit: 0.3 })).not.toEqual([]);
  expect(await watched({ validationSplit: 0.3 }, 'val_accuracy')).not.toEqual([]);
});
