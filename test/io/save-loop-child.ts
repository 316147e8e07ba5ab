// A child process for atomic-save.test.ts: saves a model over and over into one folder, each time with every weight
// set to the save's number, printing "saved <n>" after each save resolves, until it is killed.
import { Dense, Sequential } from '../../src/index.js';
import { fileHandler } from '../../src/io/node-files.js';

const [dir, startArg] = process.argv.slice(2);
const start = Number(startArg);
// About 2 MB of weights, so that a save spends a few milliseconds writing and flushing.
const model = new Sequential([new Dense(512, { inputShape: [1024] }), new Dense(4)], { seed: 1, backend: 'js' });
model.build();
const sizes = model.getWeights().map((w) => w.length);
const target = fileHandler(dir);
process.stdout.write('ready\n');
for (let n = start + 1; ; n++) {
  model.setWeights(sizes.map((size) => new Float32Array(size).fill(n)));
  await model.save(target);
  process.stdout.write(`saved ${n}\n`);
}
