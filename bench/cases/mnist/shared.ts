/**
 * MNIST bench cases' shared parts: the data in rows and one-hot, batches built in JavaScript for TF.js, shuffled
 * ranges, chunked timing, and the 784-128-64-10 MLP in both libraries.
 */
import type * as TF from '@tensorflow/tfjs';
import type { BackendName, Matrix } from '../../../src/index.js';
import { Dense, Random, Sequential, optimizers, toCategorical } from '../../../src/index.js';
import { type Ctx } from '../../lib/context.js';
import { type Tf } from '../../lib/tfjs.js';

export const PIXELS = 784;

// ---- shared data -------------------------------------------------------------------------------------------------

export function rows(m: Matrix, start: number, n: number): Matrix {
  const cols = m.shape[1];
  return { data: m.data.subarray(start * cols, (start + n) * cols), shape: [n, cols] };
}

/** The one-hot training labels, for TF.js's losses (made once). */
let oneHotCache: { labels: Uint8Array; data: Float32Array } | undefined;
export function oneHot(ctx: Ctx): Float32Array {
  if (oneHotCache?.labels !== ctx.mnist.trainY)
    oneHotCache = { labels: ctx.mnist.trainY, data: toCategorical(ctx.mnist.trainY, 10).data };
  return oneHotCache.data;
}

/**
 * Batches for TF.js built in JavaScript, as scratchnet's gatherRows builds them in its arena: the shuffled rows are
 * copied into a buffer that becomes a tensor. NOTE: not tf.gather or tf.slice on one big tensor of the training set —
 * on TF.js's wasm backend slicing a 60000×784 tensor costs about 90 ms per call and gathering 64 rows about 1 ms,
 * which would bury its training speed under data handling.
 */
export class Batcher {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly labels: Float32Array;
  constructor(
    private readonly ctx: Ctx,
    private readonly maxRows: number,
  ) {
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
export function shuffledRange(offset: number, n: number, rng: Random): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = offset + i;
  return rng.shuffle(a);
}

/**
 * Run `train(offset, n)` on consecutive chunks of a data set of `total` samples, wrapping around at the end,
 * until `count` samples are done.
 */
export function chunked(total: number): {
  next: (count: number, train: (offset: number, n: number) => Promise<void> | void) => Promise<number>;
} {
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

export function snMlp(backend: BackendName): Sequential {
  const model = new Sequential(
    [
      new Dense(128, { inputShape: [PIXELS], activation: 'relu' }),
      new Dense(64, { activation: 'relu' }),
      new Dense(10, { activation: 'softmax' }),
    ],
    { seed: 1, backend },
  );
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.001 }), loss: 'sparse_categorical_crossentropy' });
  return model;
}

export function tfMlp(tf: Tf, output: 'softmax' | 'linear'): TF.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 128, inputShape: [PIXELS], activation: 'relu' }),
      tf.layers.dense({ units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: output }),
    ],
  });
}
