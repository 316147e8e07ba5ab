import { describe, expect, it, vi } from 'vitest';
import { callbacks, Dense, Dropout, memory, Sequential, type Batch, type BatchSource } from '../../src/index.js';
import type { Backend } from '../../src/backends/backend.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { Random } from '../../src/util/random.js';
import { BACKENDS } from './backends.js';
import { turnsDuring } from './event-loop-turns.js';

const FEATURES = 6;
const CLASSES = 3;
const quiet = { verbose: 0 } as const;

/** n samples of a 3-class problem, from a seed: x in [-1, 1], y the sign pattern of two features. */
function data(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  const r = new Random(seed);
  const x = new Float32Array(n * FEATURES).map(() => r.uniform(-1, 1));
  const y = new Float32Array(n).map((_, i) => (x[i * FEATURES] > 0 ? 1 : 0) + (x[i * FEATURES + 1] > 0.3 ? 1 : 0));
  return { x, y };
}

/** The same data as fit takes it, cut into batches of `size` rows in order (the last one smaller). */
function batches(d: { x: Float32Array; y: Float32Array }, size: number): Batch[] {
  const n = d.y.length;
  const out: Batch[] = [];
  for (let s = 0; s < n; s += size) {
    const rows = Math.min(size, n - s);
    out.push({
      xs: { data: d.x.subarray(s * FEATURES, (s + rows) * FEATURES), shape: [rows, FEATURES] },
      ys: d.y.subarray(s, s + rows),
    });
  }
  return out;
}

function model(backend: 'wasm' | 'js' | Backend, inputShape: number[] | undefined = [FEATURES]): Sequential {
  const m = new Sequential(
    [
      new Dense(16, { inputShape, activation: 'relu' }),
      new Dropout(0.2),
      new Dense(CLASSES, { activation: 'softmax' }),
    ],
    { seed: 11, backend },
  );
  m.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });
  return m;
}

async function* asyncBatches(list: Batch[]): AsyncGenerator<Batch> {
  for (const b of list) {
    await new Promise((r) => setTimeout(r, 0)); // as a file read would: the batch arrives later
    yield b;
  }
}

describe.each(BACKENDS)('fitDataset on the %s backend', (backend) => {
  const train = data(100, 1);
  const val = data(40, 2);

  it('learns exactly what fit learns on the same batches in the same order: bit-identical weights and history', async () => {
    const a = model(backend);
    const fitted = await a.fit({ data: train.x, shape: [100, FEATURES] }, train.y, {
      ...quiet,
      epochs: 4,
      batchSize: 32,
      shuffle: false,
      validationData: [{ data: val.x, shape: [40, FEATURES] }, val.y],
    });
    const b = model(backend);
    const streamed = await b.fitDataset(() => asyncBatches(batches(train, 32)), {
      ...quiet,
      epochs: 4,
      validationData: [{ data: val.x, shape: [40, FEATURES] }, val.y],
    });
    expect(b.getWeights()).toEqual(a.getWeights());
    // the same history; params differ only in steps, which a batch source without batchesPerEpoch does not know
    // before it runs (null, as TF.js's fitDataset and Keras's steps None on a generator)
    expect(fitted.params).toEqual({ epochs: 4, steps: 4, verbose: 0 });
    const historyOfFit = { ...fitted, params: { ...fitted.params, steps: null } };
    expect(streamed).toEqual(historyOfFit);
    expect(fitted.history.accuracy![3]).toBeGreaterThan(fitted.history.accuracy![0]); // it learns at all

    // validation as another batch source, in the same chunks: the same val_ logs
    const c = model(backend);
    const viaSource = await c.fitDataset(batches(train, 32), {
      ...quiet,
      epochs: 4,
      validationData: batches(val, 32),
    });
    expect(viaSource).toEqual(historyOfFit);
    expect(c.getWeights()).toEqual(a.getWeights());
  });

  it('takes batches in every form fit takes, from arrays, generator functions and async iterables alike', async () => {
    const list = batches(train, 25);
    const nested: Batch[] = list.map((b) => {
      const { data: xd } = b.xs as { data: Float32Array };
      const rows = xd.length / FEATURES;
      return {
        xs: Array.from({ length: rows }, (_, i) => Array.from(xd.subarray(i * FEATURES, (i + 1) * FEATURES))),
        ys: Array.from(b.ys as Float32Array),
      };
    });
    const sources: BatchSource[] = [
      list,
      nested,
      () => list.values(),
      function* () {
        yield* list;
      },
      () => asyncBatches(list),
      { [Symbol.asyncIterator]: () => asyncBatches(list) },
    ];
    const weights: Float32Array[][] = [];
    for (const source of sources) {
      const m = model(backend);
      await m.fitDataset(source, { ...quiet, epochs: 2 });
      weights.push(m.getWeights());
    }
    for (const w of weights.slice(1)) expect(w).toEqual(weights[0]);
  });

  it('builds a model without an input shape from the first batch', async () => {
    const m = model(backend, undefined);
    await m.fitDataset(batches(train, 50), quiet);
    expect(m.layers[0].inputShape).toEqual([FEATURES]);
  });

  it('with batchesPerEpoch carries one iterator across epochs and stops, warning, when it runs out', async () => {
    const list = batches(train, 20); // 5 batches
    const perEpoch: number[][] = [];
    let current: number[] = [];
    const m = model(backend);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const h = await m.fitDataset(asyncBatches(list), {
        ...quiet,
        epochs: 10,
        batchesPerEpoch: 2,
        callbacks: {
          onBatchEnd: (batch) => void current.push(batch),
          onEpochEnd: () => {
            perEpoch.push(current);
            current = [];
          },
        },
      });
      expect(h.epoch).toEqual([0, 1, 2]);
      expect(perEpoch).toEqual([[0, 1], [0, 1], [0]]);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/ended after 1 batches of epoch 3.*batchesPerEpoch \(2\)/),
      );
    } finally {
      warn.mockRestore();
    }
    // the same five batches in one epoch give the same weights: nothing was skipped or read twice
    const one = model(backend);
    await one.fitDataset(list, quiet);
    expect(m.getWeights()).toEqual(one.getWeights());

    // a source that ends exactly at an epoch's end: training ends there, with the epochs that ran
    const exact = model(backend);
    const warn2 = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const h = await exact.fitDataset(batches(train, 25).values(), { ...quiet, epochs: 5, batchesPerEpoch: 2 });
      expect(h.epoch).toEqual([0, 1]);
      expect(h.params).toEqual({ epochs: 5, steps: 2, verbose: 0 }); // the epochs asked for; steps as given
    } finally {
      warn2.mockRestore();
    }
  });

  it('runs callbacks as fit does: batch and epoch logs, early stopping, stopTraining mid-epoch', async () => {
    const m = model(backend);
    const log: string[] = [];
    let endLogs: unknown;
    const h = await m.fitDataset(() => asyncBatches(batches(train, 40)), {
      ...quiet,
      epochs: 3,
      validationData: () => asyncBatches(batches(val, 40)),
      callbacks: {
        onTrainBegin: () => void log.push('begin'),
        onBatchEnd: (b, logs) => void log.push(`batch ${b} ${typeof logs.loss} ${typeof logs.accuracy}`),
        onEpochEnd: (e, logs) => void log.push(`epoch ${e} ${Object.keys(logs).join(',')}`),
        onTrainEnd: (logs) => {
          log.push('end');
          endLogs = logs;
        },
      },
    });
    expect(log.slice(0, 5)).toEqual([
      'begin',
      'batch 0 number number',
      'batch 1 number number',
      'batch 2 number number',
      'epoch 0 loss,accuracy,val_loss,val_accuracy',
    ]);
    expect(log).toHaveLength(1 + 3 * 4 + 1);
    expect(log.at(-1)).toBe('end');
    expect(endLogs).toEqual(Object.fromEntries(Object.entries(h.history).map(([k, v]) => [k, v!.at(-1)])));

    // early stopping on the validation logs: watching for a rise of a falling val_loss stops after `patience` epochs
    const stopper = callbacks.earlyStopping({ monitor: 'val_loss', mode: 'max', patience: 1 });
    const s = model(backend);
    const hs = await s.fitDataset(() => batches(train, 40).values(), {
      ...quiet,
      epochs: 10,
      validationData: [{ data: val.x, shape: [40, FEATURES] }, val.y],
      callbacks: stopper,
    });
    expect(hs.epoch).toEqual([0, 1]);
    expect(stopper.stoppedEpoch).toBe(1);

    // stopTraining from onBatchEnd ends the epoch after that batch, and training with it
    const t = model(backend);
    let batchesRun = 0;
    const ht = await t.fitDataset(batches(train, 10), {
      ...quiet,
      epochs: 3,
      callbacks: {
        onBatchEnd: (b) => {
          batchesRun++;
          if (b === 3) t.stopTraining = true;
        },
      },
    });
    expect(batchesRun).toBe(4);
    expect(ht.epoch).toEqual([0]);
  });

  it('closes a generator left mid-way, so its finally runs (a file it reads is closed)', async () => {
    const closed: string[] = [];
    async function* reading(name: string, list: Batch[]): AsyncGenerator<Batch> {
      try {
        yield* list;
      } finally {
        closed.push(name);
      }
    }
    const m = model(backend);
    await m.fitDataset(reading('stopped', batches(train, 10)), {
      ...quiet,
      callbacks: { onBatchEnd: () => void (m.stopTraining = true) },
    });
    const bad = { xs: [[1, 2]], ys: [0] };
    await expect(m.fitDataset(reading('refused', [batches(train, 10)[0], bad]), quiet)).rejects.toThrow(/features/);
    expect(closed).toEqual(['stopped', 'refused']);
  });

  it('prints progress as fit does, counting the batches of an epoch whose count was not known before it ran', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      await model(backend).fitDataset(() => asyncBatches(batches(train, 25)), { epochs: 2, verbose: 2 });
      await model(backend).fitDataset(batches(train, 25), { epochs: 2, verbose: 0 });
    } finally {
      log.mockRestore();
    }
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('Epoch 1/2');
    expect(lines[1]).toMatch(/^4\/4 - \d+s \d+(ms|us)\/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$/); // no bar
    expect(lines[2]).toBe('Epoch 2/2');
    expect(lines[3]).toMatch(/^4\/4 /);
  });

  it('yieldEvery 0 gives the event loop a turn after every batch; a large one only where it must (both methods)', async () => {
    const list = batches(train, 4); // 25 batches from an array: reading them never waits for the event loop
    const m = model(backend);
    expect(await turnsDuring(() => m.fitDataset(list, { ...quiet, yieldEvery: 0 }))).toBeGreaterThanOrEqual(25);
    expect(await turnsDuring(() => m.fitDataset(list, { ...quiet, yieldEvery: 1e9 }))).toBeLessThan(25);
    expect(await turnsDuring(() => m.evaluateDataset(list, { yieldEvery: 0 }))).toBeGreaterThanOrEqual(25);
    expect(await turnsDuring(() => m.evaluateDataset(list, { yieldEvery: 1e9 }))).toBeLessThan(25);
  });

  it('evaluateDataset gives what evaluate gives on the same data in the same chunks', async () => {
    const m = model(backend);
    await m.fitDataset(batches(train, 32), quiet);
    const whole = m.evaluate({ data: val.x, shape: [40, FEATURES] }, val.y, { batchSize: 16 });
    expect(await m.evaluateDataset(asyncBatches(batches(val, 16)))).toEqual(whole);
    // verbose is taken, as in evaluate, and prints nothing either way
    const log = vi.spyOn(console, 'log');
    try {
      expect(await m.evaluateDataset(batches(val, 16), { verbose: 1 })).toEqual(whole);
      expect(log).not.toHaveBeenCalled();
    } finally {
      log.mockRestore();
    }
  });
});

describe.each([
  ['wasm', createWasmBackend],
  ['js', createJsBackend],
] as const)('fitDataset memory on the %s backend', (_name, create) => {
  /** the arena's bytes in use and reserved after every batch of a fitDataset over `n` samples in batches of 32 */
  async function arenaDuring(n: number): Promise<{ inUse: Set<number>; reserved: Set<number> }> {
    const backend = create();
    const m = model(backend);
    const inUse = new Set<number>();
    const reserved = new Set<number>();
    await m.fitDataset(batches(data(n, 3), 32), {
      ...quiet,
      epochs: 2,
      callbacks: {
        onBatchEnd: () => {
          inUse.add(memory(backend).bytesInUse);
          reserved.add(memory(backend).bytesReserved);
        },
      },
    });
    m.dispose();
    return { inUse, reserved };
  }

  it('holds one batch: the arena does not grow from batch to batch, nor with the size of the data set', async () => {
    const small = await arenaDuring(100); // 4 batches, the last one of 4 rows
    const large = await arenaDuring(3200); // 100 batches
    expect(small.inUse.size).toBe(1);
    expect(small.reserved.size).toBe(1);
    expect(large.inUse).toEqual(small.inUse);
    expect(large.reserved).toEqual(small.reserved);
    // fit stages the whole data set: 3200 × 6 floats and their labels alone are more than fitDataset's whole use
    const backend = create();
    const m = model(backend);
    let fitInUse = 0;
    const d = data(3200, 3);
    await m.fit({ data: d.x, shape: [3200, FEATURES] }, d.y, {
      ...quiet,
      batchSize: 32,
      callbacks: { onBatchEnd: () => void (fitInUse = memory(backend).bytesInUse) },
    });
    expect(fitInUse - [...small.inUse][0]).toBeGreaterThan(3200 * (FEATURES + 1) * 4);
  });

  it('makes room once for a batch larger than the first, then no more', async () => {
    const backend = create();
    const m = model(backend);
    const d = data(200, 4);
    const list = [...batches(d, 10).slice(0, 3), ...batches(d, 50).slice(1)]; // 10, 10, 10, 50, 50, 50
    const inUse: number[] = [];
    await m.fitDataset(list, {
      ...quiet,
      callbacks: { onBatchEnd: () => void inUse.push(memory(backend).bytesInUse) },
    });
    expect(new Set(inUse.slice(0, 3)).size).toBe(1);
    expect(new Set(inUse.slice(3)).size).toBe(1);
    expect(inUse[3]).toBeGreaterThan(inUse[0]);
  });
});

describe('fitDataset errors name the batch and what was expected', () => {
  const train = data(64, 5);
  const good = batches(train, 16);
  const fails = (source: unknown, options: object = {}) =>
    expect(model('js').fitDataset(source as BatchSource, { ...quiet, ...options })).rejects;

  it('a batch whose samples do not fit the model', async () => {
    const wide = { xs: { data: new Float32Array(16 * 5), shape: [16, 5] }, ys: new Float32Array(16) };
    await fails([good[0], good[1], wide]).toThrow(
      "fitDataset(dataset): batch 3 of epoch 1 xs has 5 features per sample but the model's input size is 6",
    );
    await fails([good[0], good[1], wide]).toMatchObject({ code: 'shape_mismatch' });
  });

  it('xs and ys with different row counts', async () => {
    const short = { xs: good[1].xs, ys: (good[1].ys as Float32Array).subarray(0, 15) };
    await fails([good[0], short]).toThrow(
      'fitDataset(dataset): batch 2 of epoch 1: xs has 16 samples but its ys has 15; they must match',
    );
  });

  it('labels out of range, and NaN in xs, named with the batch', async () => {
    const bad = { xs: good[1].xs, ys: new Float32Array(16).fill(7) };
    await fails([good[0], bad]).toThrow(/batch 2 of epoch 1 ys\[0\] is 7, but labels must be integers in \[0, 3\)/);
    const nan = new Float32Array(16 * FEATURES);
    nan[2 * FEATURES + 1] = NaN;
    await fails([good[0], good[1], { xs: { data: nan, shape: [16, FEATURES] }, ys: good[0].ys }]).toThrow(
      /batch 3 of epoch 1 xs.*NaN/,
    );
  });

  it('an empty source, and a generator object asked for a second epoch (refused before the first trains)', async () => {
    await fails([]).toThrow('fitDataset(dataset) yielded no batches; expected at least one { xs, ys } batch');
    await fails((async function* () {})()).toThrow(/yielded no batches/);
    const m = model('js');
    const before = m.getWeights();
    await expect(m.fitDataset(good.values(), { ...quiet, epochs: 2 })).rejects.toThrow(
      /^scratchnet: fitDataset\(dataset\) is a generator object \(or another iterator\), which runs once, but it is read afresh in each of the 2 epochs: pass a function that returns a fresh one for every epoch, e.g. fitDataset\(\(\) => batches\(\), …\), or set batchesPerEpoch$/,
    );
    expect(m.getWeights()).toEqual(before); // nothing trained
    // as validationData: it said how to fix the training source, after two epochs had trained
    await expect(m.fitDataset(good, { ...quiet, epochs: 3, validationData: good.values() })).rejects.toThrow(
      /^scratchnet: fitDataset\(…, \{ validationData \}\) is a generator object \(or another iterator\), which runs once, but it is read afresh in each of the 3 epochs: validation runs after every epoch, so pass a function that returns a fresh one, e.g. validationData: \(\) => validationBatches\(\), or a pair \[x, y\]$/,
    );
    expect(m.getWeights()).toEqual(before);
    // one epoch reads it once; a function returning one iterator every time ends empty in the second epoch
    await m.fitDataset(good.values(), { ...quiet, epochs: 1, validationData: good.values() });
    const once = good.values();
    await expect(m.fitDataset(() => once, { ...quiet, epochs: 2 })).rejects.toThrow(
      /yielded no batches in epoch 2: a generator object \(or any iterator\) runs once; pass a function that returns a fresh one for every epoch/,
    );
  });

  it('a source that is not iterable, or a function that returns no iterable', async () => {
    for (const [source, got] of [
      [42, '42'],
      [{ xs: [[1]], ys: [0] }, 'an object (Object)'],
      ['batches', 'the string'],
      [null, 'null'],
    ] as const) {
      await fails(source).toThrow(
        `fitDataset(dataset) must be an iterable or async iterable of { xs, ys } batches (an array, a generator), or a function that returns one for each epoch; got ${got}`,
      );
    }
    await fails(() => 3).toThrow(
      'fitDataset(dataset): the function returned 3; expected an iterable, async iterable or iterator of { xs, ys } batches',
    );
  });

  it('a batch that is not { xs, ys }', async () => {
    await fails([[good[0].xs, good[0].ys]]).toThrow(
      "fitDataset(dataset): batch 1 of epoch 1 is an array; expected an object { xs, ys } (a Keras generator's (x, y) pair is { xs: x, ys: y } here)",
    );
    await fails([{ x: 1 }]).toThrow('batch 1 of epoch 1 is an object (Object); expected an object { xs, ys }');
  });

  it('options fitDataset does not take, and bad values', async () => {
    await fails(good, { batchSize: 8 }).toThrow("fitDataset(dataset, options): options has no option 'batchSize'");
    await fails(good, { batchesPerEpoch: 0 }).toThrow('batchesPerEpoch must be a positive integer, got 0');
    await fails(good, { epochs: 1.5 }).toThrow('epochs must be a positive integer, got 1.5');
    await fails(good, { validationData: 7 }).toThrow(
      /validationData \}\) must be an iterable .*, or a pair \[x, y\] as in fit; got 7/,
    );
  });

  it('evaluateDataset: the same checks', async () => {
    const m = model('js');
    await expect(m.evaluateDataset([])).rejects.toThrow('evaluateDataset(dataset) yielded no batches');
    await expect(m.evaluateDataset(5 as never)).rejects.toThrow('evaluateDataset(dataset) must be an iterable');
  });
});
