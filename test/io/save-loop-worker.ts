// A worker thread for atomic-save.test.ts (bundled by the test with esbuild): saves a model `count` times into one
// folder, each time with every weight set to the save's number, then posts how many saves failed and why.
import { parentPort, workerData } from 'node:worker_threads';
import { Dense, Sequential } from '../../src/index.js';
import { fileHandler } from '../../src/io/node-files.js';

const { dir, start, count } = workerData as { dir: string; start: number; count: number };
const model = new Sequential([new Dense(512, { inputShape: [1024] }), new Dense(4)], { seed: 1, backend: 'js' });
model.build();
const sizes = model.getWeights().map((w) => w.length);
const target = fileHandler(dir);
const failures: string[] = [];
for (let n = start + 1; n <= start + count; n++) {
  model.setWeights(sizes.map((size) => new Float32Array(size).fill(n)));
  try {
    await model.save(target);
  } catch (e) {
    failures.push((e as Error).message);
  }
}
parentPort!.postMessage(failures);
