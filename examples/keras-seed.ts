// The Keras model this project started from, on scratchnet:
//   Dense(4096, input_shape=(34,), activation='relu'), Dropout(0.5), three more [Dense(4096, relu), Dropout(0.5)],
//   Dense(7, activation='sigmoid'), compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics='accuracy')
// about 50 million parameters. Trained on a synthetic, learnable 34-feature, 7-class data set made from a seed.
// The seed's sigmoid output with sparse categorical cross-entropy trains, and scratchnet warns about it once;
// pass --output softmax for the combination that fits.
//   npm run example:keras-seed -- --samples 2048 --epochs 1 --backend wasm
import { Dense, Dropout, Random, Sequential, getBackend, memory } from 'scratchnet';
import { backendFlag, flag, numberFlag } from './args.js';

const samples = numberFlag('samples', 2048);
const epochs = numberFlag('epochs', 1);
const output = flag('output') ?? 'sigmoid';
const backend = backendFlag() ?? getBackend();
const FEATURES = 34;
const CLASSES = 7;

/** Seven random class centres in 34 dimensions; each sample is its class's centre plus noise. */
function makeData(n: number, rng: Random) {
  const centres = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => rng.normal()));
  const x = new Float32Array(n * FEATURES);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(CLASSES);
    y[i] = c;
    for (let j = 0; j < FEATURES; j++) x[i * FEATURES + j] = centres[c][j] + 0.8 * rng.normal();
  }
  return { x: { data: x, shape: [n, FEATURES] as [number, number] }, y };
}

const rng = new Random(34);
const train = makeData(samples, rng);
const test = makeData(512, rng);

const model = new Sequential([
  new Dense(4096, { inputShape: [FEATURES], activation: 'relu' }),
  new Dropout(0.5),
  new Dense(4096, { activation: 'relu' }),
  new Dropout(0.5),
  new Dense(4096, { activation: 'relu' }),
  new Dropout(0.5),
  new Dense(4096, { activation: 'relu' }),
  new Dropout(0.5),
  new Dense(CLASSES, { activation: output }),
], { seed: 1, backend });
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: 'accuracy' });
model.summary();

const started = performance.now();
await model.fit(train.x, train.y, { epochs, batchSize: 64 });
const seconds = (performance.now() - started) / 1000;
const { accuracy } = model.evaluate(test.x, test.y);
const { bytesInUse, bytesReserved } = memory(backend);
console.log(`\n${model.countParams().toLocaleString('en-US')} parameters on ${backend}`);
console.log(`training: ${seconds.toFixed(1)} s for ${epochs * samples} samples (${((epochs * samples) / seconds).toFixed(1)} samples/s)`);
console.log(`wasm memory: ${(bytesInUse / 2 ** 20).toFixed(0)} MiB in use, ${(bytesReserved / 2 ** 20).toFixed(0)} MiB reserved`);
console.log(`accuracy on 512 held-out samples: ${(accuracy! * 100).toFixed(1)}%`);
