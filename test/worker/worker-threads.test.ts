import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { modelFromSpec, setThreads, trainInWorker, type ModelSpec } from '../../src/index.js';
import { XOR_SPEC, XOR_X, XOR_Y } from './fixtures/xor.js';

// Training in a real Node worker thread: the worker file is bundled from TypeScript the way a user's would be.

let dir: string;
let script: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scratchnet-worker-'));
  script = join(dir, 'worker.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./fixtures/node-worker.ts', import.meta.url))],
    outfile: script,
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('training in a worker_threads Worker', () => {
  it("starts the worker's own pool of kernel threads, and trains to the bits of one thread on this one", async () => {
    const spec: ModelSpec = {
      layers: [
        { type: 'dense', units: 256, activation: 'relu', inputShape: [512] },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      compile: { optimizer: 'adam', loss: 'sparse_categorical_crossentropy' },
      seed: 4,
    };
    const n = 256;
    const x = { data: Float32Array.from({ length: n * 512 }, (_, i) => Math.sin(i * 0.11)), shape: [n, 512] };
    const y = Int32Array.from({ length: n }, (_, i) => i % 10);
    const worker = new Worker(script);
    try {
      const result = await trainInWorker(worker, { model: spec, x, y, fitOptions: { epochs: 2, batchSize: 128 } });
      expect(result.threads).toBe(availableParallelism());
      await setThreads(1);
      const here = modelFromSpec(spec);
      await here.fit(x, y, { epochs: 2, batchSize: 128, verbose: 0 });
      const mine = here.getWeights();
      here.dispose();
      for (let t = 0; t < mine.length; t++) {
        expect(
          mine[t].every((v, i) => Object.is(v, result.weights[t][i])),
          `weight ${t}`,
        ).toBe(true);
      }
    } finally {
      await setThreads('auto');
      await worker.terminate();
    }
  });

  it('trains XOR off the main thread with progress, and the weights predict XOR here', async () => {
    const worker = new Worker(script);
    try {
      let epochs = 0;
      const result = await trainInWorker(worker, {
        model: XOR_SPEC,
        x: XOR_X,
        y: XOR_Y,
        fitOptions: { epochs: 200, batchSize: 2 },
        onEpochEnd: () => epochs++,
      });
      expect(epochs).toBe(200);
      expect(result.stopped).toBe(false);
      expect(result.backend).toBe('wasm');
      const model = modelFromSpec(XOR_SPEC);
      model.setWeights(result.weights);
      expect(model.predict(XOR_X).map((r) => Math.round(r[0]))).toEqual([0, 1, 1, 0]);
      model.dispose();
    } finally {
      await worker.terminate();
    }
  });

  it('stops on abort and resolves with the weights trained so far', async () => {
    const worker = new Worker(script);
    try {
      const controller = new AbortController();
      const result = await trainInWorker(worker, {
        model: { ...XOR_SPEC, backend: 'js' },
        x: XOR_X,
        y: XOR_Y,
        fitOptions: { epochs: 1_000_000, batchSize: 1 },
        onEpochEnd: (epoch) => {
          if (epoch === 10) controller.abort();
        },
        signal: controller.signal,
      });
      expect(result.stopped).toBe(true);
      expect(result.backend).toBe('js');
      expect(result.history.epoch.length).toBeGreaterThan(10);
      expect(result.history.epoch.length).toBeLessThan(1_000_000);
    } finally {
      await worker.terminate();
    }
  });

  it('rejects when the worker itself fails', async () => {
    const worker = new Worker(script, { env: { SCRATCHNET_TEST_CRASH: '1' } });
    try {
      await expect(trainInWorker(worker, { model: XOR_SPEC, x: XOR_X, y: XOR_Y })).rejects.toThrow(
        'scratchnet: the training worker failed: this worker fails on purpose',
      );
    } finally {
      await worker.terminate();
    }
  });

  it('a worker that has served and is then terminated says so, without doubting its script', async () => {
    const worker = new Worker(script);
    await trainInWorker(worker, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions: { epochs: 1 } });
    const next = trainInWorker(worker, { model: XOR_SPEC, x: XOR_X, y: XOR_Y, fitOptions: { epochs: 1000 } });
    void worker.terminate(); // before it answers this request
    await expect(next).rejects.toMatchObject({
      code: 'worker_failed',
      message: 'scratchnet: the training worker exited: exit code 1 (worker.terminate() ends a worker with this code)',
    });
  });
});
