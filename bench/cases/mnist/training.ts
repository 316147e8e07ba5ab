/**
 * Training the 784-128-64-10 MLP (Adam, sparse cross-entropy) at several batch sizes, scratchnet against TF.js.
 */
import type * as TF from '@tensorflow/tfjs';
import type { BackendName } from '../../../src/index.js';
import { Random } from '../../../src/index.js';
import { fastestOf, measure, type Trial } from '../../lib/harness.js';
import { snSubject, tfSubject, type Ctx } from '../../lib/context.js';
import { rowFrom } from '../../lib/report.js';
import { type Tf } from '../../lib/tfjs.js';
import { Batcher, PIXELS, chunked, rows, shuffledRange, snMlp, tfMlp } from './shared.js';

/** scratchnet: model.fit on the next chunk of samples (epochs 1, shuffled), as a user would call it. */
function snTrain(ctx: Ctx, backend: BackendName, batch: number): Trial {
  const model = snMlp(backend);
  const { trainX, trainY } = ctx.mnist;
  const data = chunked(trainX.shape[0]);
  return {
    maxReps: Math.floor(trainX.shape[0] / batch),
    run: (reps) =>
      data.next(reps * batch, async (offset, n) => {
        await model.fit(rows(trainX, offset, n), trainY.subarray(offset, offset + n), {
          epochs: 1,
          batchSize: batch,
          shuffle: true,
          verbose: 0,
        });
      }),
    dispose: () => {
      model.dispose();
    },
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
    run: (reps) =>
      data.next(reps * batch, async (offset, n) => {
        const xs = tf.tensor2d(trainX.data.subarray(offset * PIXELS, (offset + n) * PIXELS), [n, PIXELS]);
        const ys = tf.tensor1d(labels.subarray(offset, offset + n));
        await model.fit(xs, ys, { batchSize: batch, epochs: 1, shuffle: true, verbose: 0 });
        xs.dispose();
        ys.dispose();
      }),
    dispose: () => {
      model.optimizer?.dispose();
      model.dispose();
    },
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
    run: (reps) =>
      data.next(reps * batch, (offset, n) => {
        const order = shuffledRange(offset, n, rng);
        for (let s = 0; s < n; s += batch) {
          const rows = batcher.fill(order, s, Math.min(batch, n - s));
          tf.tidy(() => {
            const b = batcher.tensors(tf, rows);
            optimizer.minimize(
              () => tf.losses.softmaxCrossEntropy(b.y, model.apply(b.x, { training: true }) as TF.Tensor) as TF.Scalar,
            );
          });
        }
      }),
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
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
    run: (reps) =>
      data.next(reps * batch, async (offset, n) => {
        const order = shuffledRange(offset, n, rng);
        for (let s = 0; s < n; s += batch) {
          const rows = batcher.fill(order, s, Math.min(batch, n - s));
          const b = batcher.tensors(tf, rows);
          await model.trainOnBatch(b.x, b.labels);
          tf.dispose([b.x, b.y, b.labels]);
        }
      }),
    dispose: () => {
      model.optimizer?.dispose();
      model.dispose();
    },
  };
}

function tfTrainFastest(ctx: Ctx, tf: Tf, batch: number): Promise<Trial> {
  const candidates =
    batch === 1
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
    const m = await measure(
      [
        snSubject('wasm', () => snTrain(ctx, 'wasm', batch)),
        snSubject('js', () => snTrain(ctx, 'js', batch)),
        tfSubject(ctx, 'wasm', (tf) => tfTrainFastest(ctx, tf, batch)),
        tfSubject(ctx, 'cpu', (tf) => tfTrainFastest(ctx, tf, batch)),
      ],
      ctx.profile.train,
      ctx.log,
    );
    const notes =
      batch !== 1
        ? []
        : [
            'scratchnet: model.fit(x, y, { epochs: 1, batchSize, shuffle: true }) on consecutive chunks of the MNIST training set; ' +
              'TF.js: the faster of its ways, chosen by timing each briefly (model.fit, or an optimizer.minimize loop on the fused ' +
              'tf.losses.softmaxCrossEntropy of the logits, and at batch 1 a model.trainOnBatch loop instead of model.fit); every way shuffles its batches',
          ];
    ctx.addRow(rowFrom(section, name, 'samples/s', m, (r) => r, { notes }));
  }
}
