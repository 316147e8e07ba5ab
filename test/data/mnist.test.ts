import { describe, expect, it } from 'vitest';
import { mnistFromIdx, type MnistIdxFiles } from '../../src/data/mnist.js';
import { buildIdx } from './build-idx.js';

/** n fake 28×28 images whose k-th pixel overall is k % 256, and labels i % 10. */
function fakeFiles(train: number, test: number): MnistIdxFiles {
  const images = (n: number) =>
    buildIdx(
      0x08,
      [n, 28, 28],
      Array.from({ length: n * 784 }, (_, k) => k % 256),
    );
  const labels = (n: number) =>
    buildIdx(
      0x08,
      [n],
      Array.from({ length: n }, (_, i) => i % 10),
    );
  return { trainImages: images(train), trainLabels: labels(train), testImages: images(test), testLabels: labels(test) };
}

describe('mnistFromIdx', () => {
  it('scales pixels to [0, 1] as a float32 [n, 784] matrix and copies the labels', () => {
    const files = fakeFiles(3, 2);
    const { trainX, trainY, testX, testY } = mnistFromIdx(files);
    expect(trainX.shape).toEqual([3, 784]);
    expect(testX.shape).toEqual([2, 784]);
    expect(trainX.data).toBeInstanceOf(Float32Array);
    for (let k = 0; k < 3 * 784; k++) expect(trainX.data[k]).toBe(Math.fround((k % 256) / 255));
    expect(trainY).toEqual(new Uint8Array([0, 1, 2]));
    expect(testY).toEqual(new Uint8Array([0, 1]));
    expect(trainY.buffer).not.toBe((files.trainLabels as Uint8Array).buffer);
  });

  it('keeps the first trainLimit / testLimit samples, and all of them when the limit is larger', () => {
    const all = mnistFromIdx(fakeFiles(5, 4));
    const some = mnistFromIdx(fakeFiles(5, 4), { trainLimit: 2, testLimit: 10 });
    expect(some.trainX.shape).toEqual([2, 784]);
    expect(some.trainX.data).toEqual(all.trainX.data.subarray(0, 2 * 784));
    expect(some.trainY).toEqual(all.trainY.subarray(0, 2));
    expect(some.testX.shape).toEqual([4, 784]);
    expect(mnistFromIdx(fakeFiles(5, 4), { testLimit: 0 }).testX).toEqual({
      data: new Float32Array(),
      shape: [0, 784],
    });
  });

  describe('errors', () => {
    it('a limit that is not a whole number ≥ 0, and an unknown option', () => {
      expect(() => mnistFromIdx(fakeFiles(1, 1), { trainLimit: -1 })).toThrow(
        'scratchnet: mnistFromIdx: trainLimit must be a whole number ≥ 0 (samples to keep), got -1',
      );
      expect(() => mnistFromIdx(fakeFiles(1, 1), { testLimit: 1.5 })).toThrow(
        'scratchnet: mnistFromIdx: testLimit must be a whole number ≥ 0 (samples to keep), got 1.5',
      );
      expect(() => mnistFromIdx(fakeFiles(1, 1), { as_images: true } as never)).toThrow(
        "scratchnet: mnistFromIdx(options): options has no option 'as_images'. Did you mean 'asImages'?",
      );
    });

    it('images that are not 28×28 uint8', () => {
      const files = fakeFiles(1, 1);
      expect(() =>
        mnistFromIdx({ ...files, trainImages: buildIdx(0x08, [1, 28, 27], new Array(28 * 27).fill(0)) }),
      ).toThrow(
        'scratchnet: mnistFromIdx: trainImages must be uint8 images with dims [n, 28, 28], found uint8 with dims [1, 28, 27]',
      );
      expect(() => mnistFromIdx({ ...files, testImages: buildIdx(0x08, [784], new Array(784).fill(0)) })).toThrow(
        'scratchnet: mnistFromIdx: testImages must be uint8 images with dims [n, 28, 28], found uint8 with dims [784]',
      );
      expect(() =>
        mnistFromIdx({ ...files, trainImages: buildIdx(0x0d, [1, 28, 28], new Array(784).fill(0)) }),
      ).toThrow('found float32 with dims [1, 28, 28]');
    });

    it('labels that are not 1-D uint8', () => {
      const files = fakeFiles(2, 1);
      expect(() => mnistFromIdx({ ...files, trainLabels: buildIdx(0x08, [2, 1], [0, 1]) })).toThrow(
        'scratchnet: mnistFromIdx: trainLabels must be uint8 labels with dims [n], found uint8 with dims [2, 1]',
      );
      expect(() => mnistFromIdx({ ...files, trainLabels: buildIdx(0x0c, [2], [0, 1]) })).toThrow(
        'found int32 with dims [2]',
      );
    });

    it('counts that differ', () => {
      const files = fakeFiles(3, 1);
      expect(() => mnistFromIdx({ ...files, trainLabels: buildIdx(0x08, [2], [0, 1]) })).toThrow(
        'scratchnet: mnistFromIdx: trainImages holds 3 images but trainLabels holds 2 labels',
      );
    });

    it('a label outside 0..9', () => {
      const files = fakeFiles(1, 3);
      expect(() => mnistFromIdx({ ...files, testLabels: buildIdx(0x08, [3], [9, 0, 10]) })).toThrow(
        'scratchnet: mnistFromIdx: testLabels[2] is 10, expected a digit 0–9',
      );
    });

    it('a broken IDX file, naming which one', () => {
      const files = fakeFiles(1, 1);
      const cut = (files.testImages as Uint8Array).subarray(0, 100);
      expect(() => mnistFromIdx({ ...files, testImages: cut })).toThrow(
        'scratchnet: mnistFromIdx: testImages: truncated data: expected 784 bytes of data for dims [1, 28, 28]',
      );
    });
  });
});
