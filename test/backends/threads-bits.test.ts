// Threads keep the bits: an MLP and a CNN trained with 1, 2, 3 and 4 threads end with weights identical bit for bit
// (Object.is on every float, so +0 and −0 differ too). CI machines have 2 cores; 3 and 4 threads run there as well,
// only slower. Each run also checks that calls were in fact split, so the test cannot pass on one thread alone.
import { afterAll, describe, expect, it } from 'vitest';
import {
  Conv2D,
  Dense,
  Flatten,
  MaxPooling2D,
  Sequential,
  getThreads,
  optimizers,
  setThreads,
  type Backend,
  type FitOptions,
} from '../../src/index.js';
import { createWasmBackend } from '../../src/backends/wasm/index.js';
import { adaptive } from '../../src/backends/wasm/threads/split.js';

// One threaded backend for the whole file (its pool follows setThreads).
const backend: Backend = createWasmBackend({ threads: true });

// These tests look at the splitting itself: every call large enough is split (no learning whether it pays).
adaptive.enabled = false;

afterAll(async () => {
  adaptive.enabled = true;
  await setThreads('auto');
});

/** deterministic inputs in [−1, 1] with exact zeros (as image backgrounds), and labels */
function data(n: number, features: number, classes: number): { x: Float32Array; y: Int32Array } {
  const x = Float32Array.from({ length: n * features }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i * 0.37) * 0.9));
  const y = Int32Array.from({ length: n }, (_, i) => (i * 7) % classes);
  return { x, y };
}

function bitsEqual(a: Float32Array[], b: Float32Array[]): string | undefined {
  for (let t = 0; t < a.length; t++) {
    for (let i = 0; i < a[t].length; i++) {
      if (!Object.is(a[t][i], b[t][i])) return `weight ${t}, element ${i}: ${a[t][i]} against ${b[t][i]}`;
    }
  }
  return undefined;
}

async function trained(
  threads: number,
  build: () => Sequential,
  x: { data: Float32Array; shape: number[] },
  y: Int32Array,
  batchSize: number,
  fitOptions: FitOptions = {},
): Promise<{ weights: Float32Array[]; split: number; kernels: Record<string, number> }> {
  await setThreads(threads);
  expect((backend.pool as unknown as { failures(): string[] }).failures()).toEqual([]);
  expect(backend.pool!.ready(), 'every worker started').toBe(threads - 1);
  const before = backend.pool!.splitCalls;
  const byKernel = { ...backend.pool!.splitsByKernel };
  const model = build();
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'sparse_categorical_crossentropy' });
  await model.fit(x, y, { epochs: 2, batchSize, shuffle: true, verbose: 0, ...fitOptions });
  const weights = model.getWeights().map((w) => Float32Array.from(w));
  model.dispose();
  const kernels = Object.fromEntries(
    Object.entries(backend.pool!.splitsByKernel).map(([name, count]) => [name, count - (byKernel[name] ?? 0)]),
  );
  return { weights, split: backend.pool!.splitCalls - before, kernels };
}

describe('weights after training are bit-identical for 1, 2, 3 and 4 threads', () => {
  it('getThreads follows setThreads', async () => {
    await setThreads(3);
    expect(getThreads()).toBe(3);
    expect(backend.pool!.size).toBe(2);
    await setThreads(1);
    expect(getThreads()).toBe(1);
    expect(backend.pool!.size).toBe(0);
  });

  it('an MLP 784-256-128-10, Adam, batch 48 (and a batch of 8 at the end of each epoch)', async () => {
    const { x, y } = data(296, 784, 10);
    const build = () =>
      new Sequential(
        [
          new Dense(256, { inputShape: [784], activation: 'relu' }),
          new Dense(128, { activation: 'tanh' }),
          new Dense(10, { activation: 'softmax' }),
        ],
        { seed: 3, backend },
      );
    const one = await trained(1, build, { data: x, shape: [296, 784] }, y, 48);
    expect(one.split, 'one thread splits nothing').toBe(0);
    for (const threads of [2, 3, 4]) {
      const many = await trained(threads, build, { data: x, shape: [296, 784] }, y, 48);
      // the Dense layers take the zero-skipping kernels (relu outputs and the inputs hold zeros); where skipping does
      // not pay they run matmul and matmulTransARows inside
      for (const kernel of ['matmulSkipZeros', 'matmulTransASkipZerosRows', 'adamStep']) {
        expect(many.kernels[kernel], `${kernel} split over ${threads} threads`).toBeGreaterThan(0);
      }
      // the second layer's two gradients (1.6 M multiply-adds each): side by side on two threads (denseBackwardPart),
      // each split on more
      const paired = many.kernels.denseBackwardPart ?? 0,
        inputGradients = many.kernels.matmulTransB ?? 0;
      if (threads === 2) {
        // 6 batches of 48 an epoch, 2 epochs (the batch of 8 is too small)
        expect(paired, 'gradients side by side on two threads').toBe(12);
        expect(inputGradients, 'no input gradient split on its own on two threads').toBe(0);
      } else {
        expect(paired, `not side by side on ${threads} threads`).toBe(0);
        expect(inputGradients, `input gradients split over ${threads} threads`).toBeGreaterThan(0);
      }
      expect(bitsEqual(one.weights, many.weights), `${threads} threads`).toBeUndefined();
    }
  });

  it('an MLP 784-128-64-10 on sparse inputs, whose first product is pipelined on two threads, batch 48', async () => {
    // four inputs in five are exact zeros, as on MNIST: the first layer takes the zero-skipping path. On two threads,
    // once Adam has stepped its weights by halves, the next forward product sums each row over the first half of
    // the weights on the calling thread and over the second on the worker (matmulSkipZerosStage)
    const x = Float32Array.from({ length: 296 * 784 }, (_, i) => (i % 5 === 3 ? Math.sin(i * 0.37) : 0));
    const y = Int32Array.from({ length: 296 }, (_, i) => (i * 7) % 10);
    const build = () =>
      new Sequential(
        [
          new Dense(128, { inputShape: [784], activation: 'relu' }),
          new Dense(64, { activation: 'relu' }),
          new Dense(10, { activation: 'softmax' }),
        ],
        { seed: 5, backend },
      );
    const one = await trained(1, build, { data: x, shape: [296, 784] }, y, 48);
    for (const threads of [2, 3]) {
      const many = await trained(threads, build, { data: x, shape: [296, 784] }, y, 48);
      if (threads === 2) {
        // 6 batches of 48 and one of 8 an epoch, 2 epochs: the forward product of every batch of 48 but the first of
        // each epoch, which follows an Adam step on one thread (the first ever, or the batch of 8's, too small to split)
        expect(many.kernels.matmulSkipZerosStage, 'pipelined products').toBe(10);
      } else expect(many.kernels.matmulSkipZerosStage ?? 0, 'not pipelined on three threads').toBe(0);
      expect(bitsEqual(one.weights, many.weights), `${threads} threads`).toBeUndefined();
    }
  });

  it("an MLP 784-128-10 with class weights, whose batches' weights are gathered ahead on the workers, batch 48", async () => {
    const { x, y } = data(296, 784, 10);
    const build = () =>
      new Sequential(
        [new Dense(128, { inputShape: [784], activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
        { seed: 7, backend },
      );
    const classWeight = { 0: 0.5, 3: 4, 7: 2.25 };
    const one = await trained(1, build, { data: x, shape: [296, 784] }, y, 48, { classWeight });
    const plain = await trained(1, build, { data: x, shape: [296, 784] }, y, 48);
    expect(bitsEqual(one.weights, plain.weights), 'the weights change training').toBeDefined();
    for (const threads of [2, 3]) {
      const many = await trained(threads, build, { data: x, shape: [296, 784] }, y, 48, { classWeight });
      expect(many.kernels.gatherRows, `gathers split over ${threads} threads`).toBeGreaterThan(0);
      expect(bitsEqual(one.weights, many.weights), `${threads} threads`).toBeUndefined();
    }
  });

  it('an MLP 60-1100-1536-10 whose wide products split by columns, batch 24 (and 8 at the end of each epoch)', async () => {
    // four inputs in five are exact zeros, so the first layer takes the zero-skipping path; the second layer's inputs
    // (relu outputs) are dense enough for matmul. Products two slabs wide or more (1,100 and 1,536 columns) are cut
    // by columns of their output, with the few-row path of matmulTransB in the last batch of each epoch
    const x = Float32Array.from({ length: 56 * 60 }, (_, i) => (i % 5 === 1 ? Math.sin(i * 0.37) : 0));
    const y = Int32Array.from({ length: 56 }, (_, i) => (i * 3) % 10);
    const build = () =>
      new Sequential(
        [
          new Dense(1100, { inputShape: [60], activation: 'relu' }),
          new Dense(1536, { activation: 'relu' }),
          new Dense(10, { activation: 'softmax' }),
        ],
        { seed: 11, backend },
      );
    const one = await trained(1, build, { data: x, shape: [56, 60] }, y, 24);
    for (const threads of [2, 3, 4]) {
      const many = await trained(threads, build, { data: x, shape: [56, 60] }, y, 24);
      for (const kernel of ['matmulSkipZerosCols', 'matmulTransBCols']) {
        expect(many.kernels[kernel] ?? 0, `${kernel} split over ${threads} threads`).toBeGreaterThan(0);
      }
      expect(bitsEqual(one.weights, many.weights), `${threads} threads`).toBeUndefined();
    }
  });

  it("a CNN: Conv2D 3×3×32 ('valid'), max pooling, Conv2D 3×3×16 ('valid'), Conv2D 3×3×32 ('same'), max pooling, Dense 10, batch 32", async () => {
    // sizes that split every conv and pooling kernel. The filter gradients: the first conv's by filters and the second's
    // by taps (both read the patch matrix in place: K = 9 < 32 filters, K = 288 ≥ 16), the third's by kernel rows
    // (padded); on two threads the second conv's two gradients are chained over the images. The first pooling ('same', which pads nothing here) runs on its own; the second, 2×2 'valid' on 7×7,
    // inside the third conv, which is then cut by bands of two output rows (the seventh row in the last band)
    const { x, y } = data(80, 20 * 20, 10);
    const build = () =>
      new Sequential(
        [
          new Conv2D(32, 3, { inputShape: [20, 20, 1], activation: 'relu' }),
          new MaxPooling2D(2, { padding: 'same' }),
          new Conv2D(16, 3, { activation: 'relu' }),
          new Conv2D(32, 3, { activation: 'relu', padding: 'same' }),
          new MaxPooling2D(2),
          new Flatten(),
          new Dense(10, { activation: 'softmax' }),
        ],
        { seed: 5, backend },
      );
    const one = await trained(1, build, { data: x, shape: [80, 20, 20, 1] }, y, 32);
    for (const threads of [2, 3, 4]) {
      const many = await trained(threads, build, { data: x, shape: [80, 20, 20, 1] }, y, 32);
      const kernels = ['conv2dRows', 'conv2dBackwardInput', 'conv2dBackwardFilterBlock', 'conv2dBackwardFilterRows'];
      for (const kernel of [...kernels, 'maxPool', 'maxPoolBackward']) {
        expect(many.kernels[kernel] ?? 0, `${kernel} split over ${threads} threads`).toBeGreaterThan(0);
      }
      // the filter gradients: the first conv's by filters and the second's by taps through the block entry, the
      // third's by kernel rows, at every step. On two threads the second conv's gradients (windows inside the image,
      // dx wanted) run instead as a chain over the images (conv2dBackwardStage), on more as two split kernels
      const rows = many.kernels.conv2dBackwardFilterRows;
      if (threads === 2) {
        expect(many.kernels.conv2dBackwardStage, 'chained gradients on two threads').toBe(rows);
        expect(many.kernels.conv2dBackwardFilterBlock, 'filter gradients by blocks on two threads').toBe(rows);
      } else {
        expect(many.kernels.conv2dBackwardStage ?? 0, `no chain on ${threads} threads`).toBe(0);
        expect(many.kernels.conv2dBackwardFilterBlock, `${threads} threads`).toBe(2 * rows);
      }
      expect(bitsEqual(one.weights, many.weights), `${threads} threads`).toBeUndefined();
    }
  });

  it("one image's convolution splits by output rows: predict gives the bits of one thread ('valid' and 'same')", async () => {
    const x = { data: data(1, 13 * 13 * 32, 10).x, shape: [1, 13, 13, 32] };
    for (const padding of ['valid', 'same'] as const) {
      const model = new Sequential(
        [
          new Conv2D(64, 3, { inputShape: [13, 13, 32], activation: 'relu', padding }),
          new Flatten(),
          new Dense(10, { activation: 'softmax' }),
        ],
        { seed: 7, backend },
      );
      await setThreads(1);
      const one = model.predict(x).data;
      for (const threads of [2, 3]) {
        await setThreads(threads);
        const before = backend.pool!.splitsByKernel.conv2dRows ?? 0;
        const many = model.predict(x).data;
        expect(backend.pool!.splitsByKernel.conv2dRows, `${padding}: split over ${threads} threads`).toBeGreaterThan(
          before,
        );
        expect(bitsEqual([one], [many]), `${padding}, ${threads} threads`).toBeUndefined();
      }
      model.dispose();
    }
  });
});
