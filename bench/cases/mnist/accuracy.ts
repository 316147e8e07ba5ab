/**
 * Accuracy after one epoch of the MLP at batch 64, scratchnet and TF.js on the same data.
 */
import type * as TF from '@tensorflow/tfjs';
import { getTimer, stopwatch } from '../../lib/harness.js';
import { tfUnavailable, type Ctx } from '../../lib/context.js';
import type { Row } from '../../lib/report.js';
import { useBackend } from '../../lib/tfjs.js';
import { PIXELS, snMlp, tfMlp } from './shared.js';

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
  const acc: Row = {
    section,
    name: 'test accuracy after 1 epoch',
    unit: '%',
    higherIsBetter: true,
    comparable: false,
    values: {},
    missing: {},
    notes: [],
  };
  const speed: Row = {
    section,
    name: '1 epoch, batch 64',
    unit: 'samples/s',
    higherIsBetter: true,
    comparable: true,
    values: {},
    otherClock: {},
    missing: {},
    notes: [
      'the epoch as users run it: scratchnet model.fit(trainX, trainY, { epochs: 1, batchSize: 64 }) from Float32Arrays, TF.js model.fit(x, y, { epochs: 1, batchSize: 64, shuffle: true }) on tensors of the whole set (its fit gathers each batch from them); accuracy = argmax of predict on the test set',
    ],
  };
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
      const probs = tf.tidy(
        () => model.predict(tf.tensor2d(testX.data, testX.shape), { batchSize: testX.shape[0] }) as TF.Tensor,
      );
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
    acc.notes.push(
      `difference scratchnet − TF.js = ${(acc.values.snWasm - acc.values.tfWasm).toFixed(2)} points (different random initialisations and shuffles)`,
    );
  }
  ctx.addRow(acc);
  ctx.addRow(speed);
}
