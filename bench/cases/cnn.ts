/**
 * The Keras MNIST convnet (Conv2D 32 3×3 relu → MaxPooling2D 2 → Conv2D 64 3×3 relu → MaxPooling2D 2 → Flatten →
 * Dropout 0.5 → Dense 10 softmax; Adam, sparse cross-entropy) on real MNIST images, scratchnet against TF.js:
 * training samples/s at batch 64, the conv kernels' GFLOP/s during that training beside the SIMD128 ceiling timed
 * in the same rounds, the arena's size from batch to batch, predict throughput and one-image latency.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Backend, BackendName, Matrix } from '../../src/index.js';
import { Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D, Sequential, optimizers } from '../../src/index.js';
import { createJsBackend } from '../../src/backends/js/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import type { Conv2dGeometry } from '../../src/backends/conv-geometry.js';
import { ceilingMatmul } from '../lib/ceiling.js';
import { SN, snSubject, tfSubject, type Ctx } from '../lib/context.js';
import { fastestOf, measure, threadsInUse, type Measurements, type Subject, type Trial } from '../lib/harness.js';
import { rowFrom, type Row } from '../lib/report.js';
import { type Tf, type TfBackend } from '../lib/tfjs.js';
import { CONV_KERNELS, convFlops, type ConvKernel } from './conv.js';
import { PIXELS, chunked } from './mnist/shared.js';

const BATCH = 64;
const SECTION = 'CNN: the Keras MNIST convnet (conv 32 → pool → conv 64 → pool → flatten → dropout → dense 10), Adam';
const MiB = 2 ** 20;

/** The first n rows of an MNIST matrix as images [n, 28, 28, 1] (the same floats, no copy). */
function images(m: Matrix, start: number, n: number): { data: Float32Array; shape: number[] } {
  return { data: m.data.subarray(start * PIXELS, (start + n) * PIXELS), shape: [n, 28, 28, 1] };
}

/**
 * The convnet on `backend`. `relus`: 'in the convs' as Keras users write it (Conv2D with activation 'relu'), or
 * 'as layers', each relu in an Activation layer of its own: a relu pass forward and a reluBackward pass backward,
 * which bench/threads-cnn.ts compares (the same weights, bit for bit).
 */
export function snCnn(
  backend: BackendName | Backend,
  relus: 'in the convs' | 'as layers' = 'in the convs',
): Sequential {
  const conv = (filters: number, options: ConstructorParameters<typeof Conv2D>[2] = {}) =>
    relus === 'in the convs'
      ? [new Conv2D(filters, 3, { ...options, activation: 'relu' })]
      : [new Conv2D(filters, 3, options), new Activation('relu')];
  const model = new Sequential(
    [
      ...conv(32, { inputShape: [28, 28, 1] }),
      new MaxPooling2D(2),
      ...conv(64),
      new MaxPooling2D(2),
      new Flatten(),
      new Dropout(0.5),
      new Dense(10, { activation: 'softmax' }),
    ],
    { seed: 1, backend },
  );
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.001 }), loss: 'sparse_categorical_crossentropy' });
  return model;
}

function tfCnn(tf: Tf): TF.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', inputShape: [28, 28, 1] }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

// ---- training, with the conv kernels timed inside it and the arena watched -----------------------------------------

/** FLOPs and seconds of each conv kernel, summed over the calls made while training */
type ConvTally = Record<ConvKernel, { flops: number; seconds: number; calls: number }>;

const emptyTally = (): ConvTally =>
  Object.fromEntries(CONV_KERNELS.map((k) => [k, { flops: 0, seconds: 0, calls: 0 }])) as ConvTally;

/**
 * `base` with its three conv kernels wrapped in a stopwatch: the model trains on this backend exactly as on `base`
 * (same arena, same kernels), and the tally says how long the convolutions took and how much work they did.
 */
function timedConvBackend(base: Backend): { backend: Backend; tally: ConvTally } {
  const tally = emptyTally();
  const kernels = { ...base.kernels };
  for (const name of CONV_KERNELS) {
    const kernel = base.kernels[name] as (...args: number[]) => void;
    const t = tally[name];
    (kernels as Record<string, unknown>)[name] = (...args: number[]) => {
      const start = performance.now();
      kernel(...args);
      t.seconds += (performance.now() - start) / 1000;
      // args: a, b, c, scratch, n, inH, inW, inC, kh, kw, outC, outH, outW, …
      const [n, , , inC, kh, kw, outC, outH, outW] = args.slice(4, 13);
      t.flops += convFlops({ n, inC, kh, kw, outC, outH, outW } as Conv2dGeometry);
      t.calls++;
    };
  }
  // the pool too: fit reads it for the rules of a training step (its calls split without learning, the next batch
  // gathered ahead, the step learner); without it the convnet row trained with every call learnt on its own
  const backend: Backend = { name: base.name, arena: base.arena, kernels: kernels as Backend['kernels'] };
  return { backend: base.pool ? { ...backend, pool: base.pool } : backend, tally };
}

interface SnTraining {
  /** the conv calls of the timed rounds */
  tally: ConvTally;
  /** the conv calls of the warm-up and calibration before them */
  warmup: ConvTally;
  arena: {
    batches: number;
    fits: number;
    /** bytesInUse after the first batch of the current model.fit call */
    afterFirst: number;
    /** the largest rise over afterFirst within one model.fit call */
    grewAfterFirst: number;
    /** the largest rise over the value after the very first batch, across calls (fit stages each call's data) */
    grewAcrossFits: number;
    peakInUse: number;
    capacity: number;
  };
}

/** scratchnet: model.fit on the next chunk of images (epochs 1, batch 64, shuffled), on a backend of its own. */
function snTrain(ctx: Ctx, name: BackendName, out: Partial<Record<BackendName, SnTraining>>): Trial {
  // threaded like the default backend, so that the 'N threads' subject (harness.ts) runs on its pool
  const { backend, tally } = timedConvBackend(
    name === 'wasm' ? createWasmBackend({ threads: threadsInUse() > 1 }) : createJsBackend(),
  );
  const arena = backend.arena;
  const model = snCnn(backend);
  const { trainX, trainY } = ctx.mnist;
  const data = chunked(trainX.shape[0]);
  const watch = { batches: 0, fits: 0, afterFirst: 0, grewAfterFirst: 0, grewAcrossFits: 0, peakInUse: 0, capacity: 0 };
  let veryFirst = 0,
    batchesInFit = 0;
  const warmup = emptyTally();
  // the kernel tallies and the arena watch are the one-thread subject's (set up first); the N-threads one only times
  out[name] ??= { tally, warmup, arena: watch };
  const onBatchEnd = () => {
    watch.batches++;
    watch.peakInUse = Math.max(watch.peakInUse, arena.bytesInUse);
    watch.capacity = arena.capacity;
    if (watch.batches === 1) veryFirst = arena.bytesInUse;
    else watch.grewAcrossFits = Math.max(watch.grewAcrossFits, arena.bytesInUse - veryFirst);
    if (++batchesInFit === 1) watch.afterFirst = arena.bytesInUse;
    else watch.grewAfterFirst = Math.max(watch.grewAfterFirst, arena.bytesInUse - watch.afterFirst);
  };
  return {
    maxReps: Math.floor(trainX.shape[0] / BATCH),
    run: (reps) =>
      data.next(reps * BATCH, async (offset, n) => {
        batchesInFit = 0;
        watch.fits++;
        await model.fit(images(trainX, offset, n), trainY.subarray(offset, offset + n), {
          epochs: 1,
          batchSize: BATCH,
          shuffle: true,
          verbose: 0,
          callbacks: { onBatchEnd },
        });
      }),
    // the conv rows count the timed rounds only, as every rate here does: the first calls run V8's baseline (Liftoff)
    // code until its optimised code is ready, which says nothing about the kernels
    calibrated: () => {
      for (const k of CONV_KERNELS) {
        Object.assign(warmup[k], tally[k]);
        Object.assign(tally[k], { flops: 0, seconds: 0, calls: 0 });
      }
    },
    dispose: () => {
      model.dispose();
    },
  };
}

/** TF.js: model.fit on the next chunk of images (epochs 1, batch 64, shuffled). */
function tfTrain(ctx: Ctx, tf: Tf): Trial {
  const { trainX, trainY } = ctx.mnist;
  const labels = Float32Array.from(trainY);
  const model = tfCnn(tf);
  const data = chunked(trainX.shape[0]);
  return {
    maxReps: Math.floor(trainX.shape[0] / BATCH),
    run: (reps) =>
      data.next(reps * BATCH, async (offset, n) => {
        const xs = tf.tensor4d(trainX.data.subarray(offset * PIXELS, (offset + n) * PIXELS), [n, 28, 28, 1]);
        const ys = tf.tensor1d(labels.subarray(offset, offset + n));
        try {
          await model.fit(xs, ys, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
        } finally {
          xs.dispose();
          ys.dispose();
        }
      }),
    dispose: () => {
      model.optimizer?.dispose();
      model.dispose();
    },
  };
}

/** the SIMD128 ceiling (bench/ceiling/sgemm.ts on 512², its best shape), as a subject timed in the training rounds */
function ceilingSubject(): Subject {
  return { id: 'ceiling', setup: () => ceilingMatmul(512, 512, 512) };
}

async function training(ctx: Ctx): Promise<void> {
  ctx.log('  train batch 64');
  const sn: Partial<Record<BackendName, SnTraining>> = {};
  // TF.js cpu does about 3 samples/s here (some 20 s per batch): one batch per round, and in --quick no warm-up.
  const tfCpuOptions = { fixedReps: 1, warmupReps: ctx.quick ? 0 : 1 };
  const m = await measure(
    [
      snSubject('wasm', () => snTrain(ctx, 'wasm', sn)),
      snSubject('js', () => snTrain(ctx, 'js', sn)),
      ceilingSubject(),
      tfSubject(ctx, 'wasm', (tf) => tfTrain(ctx, tf)),
      { ...tfSubject(ctx, 'cpu', (tf) => tfTrain(ctx, tf)), options: tfCpuOptions },
    ],
    ctx.profile.train,
    ctx.log,
  );
  const ceiling = m.ceiling;
  const trainM: Measurements = { ...m };
  delete trainM.ceiling;
  const notes = [
    `all: fit on consecutive chunks of the MNIST training images as [n, 28, 28, 1] (epochs 1, batchSize ${BATCH}, shuffle); ` +
      'TF.js: model.fit on tensor4d chunks',
    `TF.js cpu: ${tfCpuOptions.fixedReps} batch of ${BATCH} per round only (${ctx.profile.train.rounds} rounds` +
      `${tfCpuOptions.warmupReps ? ', after one warm-up batch' : ', no warm-up batch'}): at a few samples/s a longer timing would take minutes`,
  ];
  if (m.tfWasm?.error) notes.push(`TF.js wasm cannot train this convnet: ${m.tfWasm.error}`);
  ctx.addRow(rowFrom(SECTION, `train convnet batch ${BATCH}`, 'samples/s', trainM, (r) => r, { notes }));

  // the conv kernels' share of that training, in GFLOP/s, beside the ceiling of the same rounds
  const convRow = (name: string, kernels: ConvKernel[], note: string) => {
    const row: Row = {
      section: SECTION,
      name,
      unit: 'GFLOP/s',
      higherIsBetter: true,
      comparable: true,
      values: {},
      missing: {},
      notes: [note],
      raw: {},
    };
    for (const b of ['wasm', 'js'] as BackendName[]) {
      const rate = (t: ConvTally | undefined) =>
        kernels.reduce((s, k) => s + (t?.[k].flops ?? 0), 0) / kernels.reduce((s, k) => s + (t?.[k].seconds ?? 0), 0);
      const seconds = kernels.reduce((s, k) => s + (sn[b]?.tally[k].seconds ?? 0), 0);
      if (seconds > 0) {
        row.values[SN[b]] = rate(sn[b]?.tally) / 1e9;
        const calls = kernels.reduce((s, k) => s + (sn[b]?.warmup[k].calls ?? 0), 0);
        if (calls > 0)
          row.notes.push(
            `scratchnet ${b}: ${(rate(sn[b]?.warmup) / 1e9).toFixed(2)} GFLOP/s in the warm-up and calibration (${calls} call${calls === 1 ? '' : 's'}, not counted)`,
          );
      } else row.missing[SN[b]] = trainM[SN[b]]?.error ? `failed: ${trainM[SN[b]]!.error}` : 'no conv calls timed';
    }
    if (ceiling?.rate !== undefined) row.values.ceiling = ceiling.rate / 1e9;
    else row.missing.ceiling = `failed: ${ceiling?.error ?? 'not measured'}`;
    ctx.addRow(row);
  };
  const during =
    'timed around every call of the kernel in the timed rounds of the training above (after its warm-up and calibration), 2 × multiply-adds per call; ' +
    'ceiling: bench/ceiling/sgemm.ts on 512×512·512×512, timed in the same rounds as the training';
  convRow('conv forward (conv2d), in training', ['conv2d'], `both conv layers; ${during}`);
  convRow(
    'conv input gradient (conv2dBackwardInput), in training',
    ['conv2dBackwardInput'],
    `the second conv layer only (the first layer's input gradient is not needed); ${during}`,
  );
  convRow(
    'conv filter gradient (conv2dBackwardFilter), in training',
    ['conv2dBackwardFilter'],
    `both conv layers; ${during}`,
  );
  convRow('conv forward + both gradients, in training', CONV_KERNELS, `all conv calls together; ${during}`);

  // the arena from batch to batch
  const growth: Row = {
    section: SECTION,
    name: 'arena growth after the first batch (batch 64)',
    unit: 'bytes',
    higherIsBetter: false,
    comparable: false,
    values: {},
    missing: {},
    notes: [],
  };
  const memory: Row = {
    section: SECTION,
    name: 'peak memory, convnet at batch 64',
    unit: 'MiB',
    higherIsBetter: false,
    comparable: false,
    values: {},
    missing: {},
    notes: [],
  };
  for (const b of ['wasm', 'js'] as BackendName[]) {
    const a = sn[b]?.arena;
    if (!a || a.batches < 2) {
      growth.missing[SN[b]] = memory.missing[SN[b]] = 'fewer than two batches trained';
      continue;
    }
    growth.values[SN[b]] = a.grewAfterFirst;
    memory.values[SN[b]] = a.peakInUse / MiB;
    growth.notes.push(
      `scratchnet ${b}: the largest rise of the arena's bytesInUse over its value after the first batch of the same model.fit call, ` +
        `across ${a.batches} batches in ${a.fits} calls; across calls it rose by up to ${a.grewAcrossFits} bytes, as fit stages each call's images in the arena and later calls of the harness train on more of them`,
    );
    memory.notes.push(
      `scratchnet ${b}: peak arena bytesInUse ${(a.peakInUse / MiB).toFixed(1)} MiB (weights, gradients, Adam state, ` +
        `activations, im2col scratch), arena capacity ${(a.capacity / MiB).toFixed(1)} MiB; process RSS ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB (whole bench process)`,
    );
  }
  ctx.addRow(growth);
  ctx.addRow(memory);
}

// ---- predict --------------------------------------------------------------------------------------------------------

function snPredict(x: ReturnType<typeof images>, backend: BackendName, batchSize?: number): Trial {
  const model = snCnn(backend);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) model.predict(x, batchSize ? { batchSize } : {});
      return reps * x.shape[0];
    },
    dispose: () => {
      model.dispose();
    },
  };
}

function tfPredict(
  x: ReturnType<typeof images>,
  tf: Tf,
  batchSize: number,
  way: 'predict' | 'apply' = 'predict',
): Trial {
  const model = tfCnn(tf);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) {
        const y = tf.tidy(() => {
          const t = tf.tensor4d(x.data, x.shape as [number, number, number, number]);
          return (way === 'predict' ? model.predict(t, { batchSize }) : model.apply(t)) as TF.Tensor;
        });
        y.dataSync();
        y.dispose();
      }
      return reps * x.shape[0];
    },
    dispose: () => {
      model.optimizer?.dispose();
      model.dispose();
    },
  };
}

async function predict(ctx: Ctx): Promise<void> {
  const probe = ctx.profile.probeSeconds;
  const one = images(ctx.mnist.testX, 0, 1);
  ctx.log('  predict 1 image');
  const latency = await measure(
    [
      snSubject('wasm', () => snPredict(one, 'wasm')),
      snSubject('js', () => snPredict(one, 'js')),
      ...(['wasm', 'cpu'] as TfBackend[]).map((b) =>
        tfSubject(ctx, b, (tf) =>
          fastestOf(
            [
              { note: 'model.predict', setup: () => tfPredict(one, tf, 1, 'predict') },
              { note: 'model.apply', setup: () => tfPredict(one, tf, 1, 'apply') },
            ],
            probe,
          ),
        ),
      ),
    ],
    ctx.profile.kernel,
    ctx.log,
  );
  ctx.addRow(
    rowFrom(SECTION, 'convnet predict 1 image (latency)', 'µs', latency, (r) => 1e6 / r, {
      higherIsBetter: false,
      notes: [
        'from a Float32Array of 784 values to a Float32Array of 10: scratchnet model.predict({ data, shape: [1, 28, 28, 1] }); TF.js tensor4d → predict/apply → dataSync',
      ],
    }),
  );

  // --quick predicts 2,000 test images instead of 10,000; TF.js cpu (about 140 images/s) and scratchnet JS get a
  // share of them, one sample each without a warm-up of their own (the latency row compiled their code)
  const n = ctx.quick ? 2000 : ctx.mnist.testX.shape[0];
  const slowN = ctx.quick ? 250 : 1000;
  const x = images(ctx.mnist.testX, 0, n),
    xSlow = images(ctx.mnist.testX, 0, slowN);
  const slow = { fixedReps: 1, warmupReps: 0 };
  ctx.log(`  predict ${n} images`);
  const many = await measure(
    [
      snSubject('wasm', () =>
        fastestOf(
          [
            {
              note: 'predict, the default batchSize (here 24: 2 MiB of the first conv output)',
              setup: () => snPredict(x, 'wasm'),
            },
            { note: 'predict, batchSize 256', setup: () => snPredict(x, 'wasm', 256) },
            { note: `predict, batchSize ${n}`, setup: () => snPredict(x, 'wasm', n) },
          ],
          probe,
        ),
      ),
      {
        ...snSubject('js', () =>
          Object.assign(snPredict(xSlow, 'js'), {
            note: `predict, the default batchSize, on the first ${slowN} images only`,
          }),
        ),
        options: slow,
      },
      tfSubject(ctx, 'wasm', (tf) =>
        fastestOf(
          [
            { note: 'model.predict, batchSize 256', setup: () => tfPredict(x, tf, 256) },
            { note: `model.predict, batchSize ${n}`, setup: () => tfPredict(x, tf, n) },
          ],
          probe,
        ),
      ),
      {
        ...tfSubject(ctx, 'cpu', (tf) =>
          Object.assign(tfPredict(xSlow, tf, 256), {
            note: `model.predict, batchSize 256, on the first ${slowN} images only`,
          }),
        ),
        options: slow,
      },
    ],
    { ...ctx.profile.train, rounds: ctx.quick ? 1 : ctx.profile.train.rounds },
    ctx.log,
  );
  ctx.addRow(
    rowFrom(SECTION, `convnet predict ${n.toLocaleString('en-US')} images (throughput)`, 'samples/s', many, (r) => r, {
      notes: [
        'from the Float32Array of the test images to a Float32Array of outputs (TF.js: tensor4d, predict, dataSync)',
      ],
    }),
  );
}

export async function cnnCases(ctx: Ctx): Promise<void> {
  await training(ctx);
  await predict(ctx);
}
