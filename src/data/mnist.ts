/** MNIST from its four IDX files, as scaled float matrices and byte labels. Browser-safe: no Node imports. */
import { parseIdx, type IdxArray } from './idx.js';
import { matrix, type Matrix } from './matrix.js';
import { fail } from '../util/errors.js';
import { checkOptions } from '../util/options.js';

/** The bytes of the four MNIST IDX files (uncompressed), e.g. from `fetch(...).arrayBuffer()` or `fs.readFile`. */
export interface MnistIdxFiles {
  /** train-images-idx3-ubyte */
  trainImages: ArrayBufferLike | ArrayBufferView;
  /** train-labels-idx1-ubyte */
  trainLabels: ArrayBufferLike | ArrayBufferView;
  /** t10k-images-idx3-ubyte */
  testImages: ArrayBufferLike | ArrayBufferView;
  /** t10k-labels-idx1-ubyte */
  testLabels: ArrayBufferLike | ArrayBufferView;
}

/** Options for `mnistFromIdx` and `loadMnist`. */
export interface MnistOptions {
  /** Keep at most the first `trainLimit` training samples. */
  trainLimit?: number;
  /** Keep at most the first `testLimit` test samples. */
  testLimit?: number;
  /**
   * true: `trainX`/`testX` are images `{ data, shape: [n, 28, 28, 1] }` (channels-last, as Keras's
   * `x.reshape(-1, 28, 28, 1)`) instead of rows `[n, 784]` — the same values in the same order.
   */
  asImages?: boolean;
}

/** MNIST images with their shape: `[n, 28, 28, 1]`, channels-last. */
export interface MnistImages {
  data: Float32Array;
  shape: [samples: number, height: 28, width: 28, channels: 1];
}

/** MNIST with `asImages: true`: `X` is `[n, 28, 28, 1]` with pixels in [0, 1]; `Y` holds the digits 0–9. */
export interface MnistImageData {
  trainX: MnistImages;
  trainY: Uint8Array;
  testX: MnistImages;
  testY: Uint8Array;
}

/** MNIST ready for training: `X` is `[n, 784]` with pixels in [0, 1]; `Y` holds the digits 0–9. */
export interface MnistData {
  trainX: Matrix;
  trainY: Uint8Array;
  testX: Matrix;
  testY: Uint8Array;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;

/**
 * Decode the four MNIST IDX files: images become a float32 `[n, 784]` matrix scaled to [0, 1], labels a
 * `Uint8Array`. Checks that images are 28×28 uint8, labels 1-D uint8 digits 0–9, and that the counts match.
 * The result never shares memory with the input.
 */
export function mnistFromIdx(files: MnistIdxFiles, options: MnistOptions & { asImages: true }): MnistImageData;
export function mnistFromIdx(files: MnistIdxFiles, options?: MnistOptions & { asImages?: false }): MnistData;
export function mnistFromIdx(files: MnistIdxFiles, options?: MnistOptions): MnistData | MnistImageData;
export function mnistFromIdx(files: MnistIdxFiles, options: MnistOptions = {}): MnistData | MnistImageData {
  checkMnistOptions(options, 'mnistFromIdx');
  const train = decodeSplit(files.trainImages, files.trainLabels, 'train', options.trainLimit);
  const test = decodeSplit(files.testImages, files.testLabels, 'test', options.testLimit);
  if (options.asImages) return { trainX: asImages(train.x), trainY: train.y, testX: asImages(test.x), testY: test.y };
  return { trainX: train.x, trainY: train.y, testX: test.x, testY: test.y };
}

/** The same pixels seen as [n, 28, 28, 1]: a row of 784 already is one image in row-major, channels-last order. */
function asImages(x: Matrix): MnistImages {
  return { data: x.data, shape: [x.shape[0], SIDE, SIDE, 1] };
}

function decodeSplit(
  imageBytes: ArrayBufferLike | ArrayBufferView,
  labelBytes: ArrayBufferLike | ArrayBufferView,
  which: 'train' | 'test',
  limit: number | undefined,
): { x: Matrix; y: Uint8Array } {
  const imagesName = `${which}Images`;
  const labelsName = `${which}Labels`;
  const images = parseIdx(imageBytes, { name: `mnistFromIdx: ${imagesName}` });
  const labels = parseIdx(labelBytes, { name: `mnistFromIdx: ${labelsName}` });

  if (images.type !== 'uint8' || images.dims.length !== 3 || images.dims[1] !== SIDE || images.dims[2] !== SIDE) {
    fail(`mnistFromIdx: ${imagesName} must be uint8 images with dims [n, 28, 28], found ${describe(images)}`);
  }
  if (labels.type !== 'uint8' || labels.dims.length !== 1) {
    fail(`mnistFromIdx: ${labelsName} must be uint8 labels with dims [n], found ${describe(labels)}`);
  }
  const count = images.dims[0]!;
  if (labels.dims[0] !== count) {
    fail(`mnistFromIdx: ${imagesName} holds ${count} images but ${labelsName} holds ${labels.dims[0]} labels`);
  }
  const bad = labels.data.findIndex((label) => label > 9);
  if (bad >= 0) {
    fail(`mnistFromIdx: ${labelsName}[${bad}] is ${labels.data[bad]}, expected a digit 0–9`);
  }

  const n = Math.min(count, limit ?? count);

  const pixels = images.data;
  const x = new Float32Array(n * PIXELS);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i]! / 255;
  return { x: matrix(x, n, PIXELS), y: labels.data.slice(0, n) };
}

/** MnistOptions (and `extra` keys the caller reads itself) checked for `where`: no unknown key, limits that are
 *  whole numbers ≥ 0 (0 keeps none: the demo reads only the test set), asImages a boolean */
export function checkMnistOptions(options: MnistOptions, where: string, extra: readonly string[] = []): void {
  checkOptions(options, `${where}(options): options`, ['trainLimit', 'testLimit', 'asImages', ...extra]);
  for (const name of ['trainLimit', 'testLimit'] as const) {
    const limit = options[name];
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0))
      fail(`${where}: ${name} must be a whole number ≥ 0 (samples to keep), got ${limit}`);
  }
  if (options.asImages !== undefined && typeof options.asImages !== 'boolean')
    fail(`${where}: asImages must be true or false, got ${options.asImages}`);
}

function describe(idx: IdxArray): string {
  return `${idx.type} with dims [${idx.dims.join(', ')}]`;
}
