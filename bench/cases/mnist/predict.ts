/**
 * Predict latency (one sample) and throughput, scratchnet against TF.js.
 */
import type * as TF from '@tensorflow/tfjs';
import type { BackendName, Matrix } from '../../../src/index.js';
import { fastestOf, measure, type Trial } from '../../lib/harness.js';
import { snSubject, tfSubject, type Ctx } from '../../lib/context.js';
import { rowFrom } from '../../lib/report.js';
import { type Tf, type TfBackend } from '../../lib/tfjs.js';
import { PIXELS, rows, snMlp, tfMlp } from './shared.js';

// ---- predict ----------------------------------------------------------------------------------------------------

function snPredictOne(ctx: Ctx, backend: BackendName): Trial {
  const model = snMlp(backend);
  const sample = rows(ctx.mnist.testX, 0, 1);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) model.predict(sample);
      return reps;
    },
    dispose: () => {
      model.dispose();
    },
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
    dispose: () => {
      model.dispose();
    },
  };
}

function snPredictMany(x: Matrix, backend: BackendName, batchSize: number): Trial {
  const model = snMlp(backend);
  return {
    run(reps) {
      for (let r = 0; r < reps; r++) model.predict(x, { batchSize });
      return reps * x.shape[0];
    },
    dispose: () => {
      model.dispose();
    },
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
    dispose: () => {
      model.dispose();
    },
  };
}

export async function predictCases(ctx: Ctx): Promise<void> {
  const section = 'predict: the MLP 784-128-64-10';
  const probe = ctx.profile.probeSeconds;
  ctx.log('  predict 1 sample');
  const one = await measure(
    [
      snSubject('wasm', () => snPredictOne(ctx, 'wasm')),
      snSubject('js', () => snPredictOne(ctx, 'js')),
      ...(['wasm', 'cpu'] as TfBackend[]).map((b) =>
        tfSubject(ctx, b, (tf) =>
          fastestOf(
            [
              { note: 'model.predict', setup: () => tfPredictOne(ctx, tf, 'predict') },
              { note: 'model.apply', setup: () => tfPredictOne(ctx, tf, 'apply') },
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
    rowFrom(section, 'predict 1 sample (latency)', 'µs', one, (r) => 1e6 / r, {
      higherIsBetter: false,
      notes: [
        'from a Float32Array of 784 values to a Float32Array of 10: scratchnet model.predict({ data, shape: [1, 784] }); TF.js tensor2d → predict/apply → dataSync',
      ],
    }),
  );

  // --quick predicts 2,000 test images instead of all 10,000: the plain-JS backends need seconds for 10,000
  const n = ctx.quick ? 2000 : ctx.mnist.testX.shape[0];
  const x = rows(ctx.mnist.testX, 0, n);
  ctx.log(`  predict ${n} samples`);
  // In --quick the slow backends get one sample and no warm-up of their own: the latency row above compiled their code.
  const slow = ctx.quick ? { fixedReps: 1, warmupReps: 0 } : undefined;
  const many = await measure(
    [
      snSubject('wasm', () =>
        fastestOf(
          [
            { note: 'predict, batchSize 256 (the default)', setup: () => snPredictMany(x, 'wasm', 256) },
            { note: `predict, batchSize ${n}`, setup: () => snPredictMany(x, 'wasm', n) },
          ],
          probe,
        ),
      ),
      {
        ...snSubject('js', () =>
          slow
            ? Object.assign(snPredictMany(x, 'js', 256), { note: 'predict, batchSize 256 (the default)' })
            : fastestOf(
                [
                  { note: 'predict, batchSize 256 (the default)', setup: () => snPredictMany(x, 'js', 256) },
                  { note: `predict, batchSize ${n}`, setup: () => snPredictMany(x, 'js', n) },
                ],
                probe,
              ),
        ),
        options: slow,
      },
      tfSubject(ctx, 'wasm', (tf) =>
        fastestOf(
          [
            { note: 'model.predict, batchSize 256', setup: () => tfPredictMany(x, tf, 256) },
            { note: `model.predict, batchSize ${n}`, setup: () => tfPredictMany(x, tf, n) },
          ],
          probe,
        ),
      ),
      {
        ...tfSubject(ctx, 'cpu', (tf) =>
          slow
            ? Object.assign(tfPredictMany(x, tf, n), { note: `model.predict, batchSize ${n}` })
            : fastestOf(
                [
                  { note: 'model.predict, batchSize 256', setup: () => tfPredictMany(x, tf, 256) },
                  { note: `model.predict, batchSize ${n}`, setup: () => tfPredictMany(x, tf, n) },
                ],
                probe,
              ),
        ),
        options: slow,
      },
    ],
    ctx.quick ? { ...ctx.profile.train, rounds: 1 } : ctx.profile.train,
    ctx.log,
  );
  ctx.addRow(
    rowFrom(section, `predict ${n.toLocaleString('en-US')} samples (throughput)`, 'samples/s', many, (r) => r, {
      notes: [
        'from the Float32Array of the test images to a Float32Array of outputs (TF.js: tensor2d, predict, dataSync)',
      ],
    }),
  );
}
