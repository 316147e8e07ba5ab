// The Keras model this project started from, on scratchnet:
//   Dense(4096, input_shape=(34,), activation='relu'), then four times [Dense(4096, relu), Dropout(0.5)],
//   Dense(7, activation='sigmoid'), compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics='accuracy')
// 67,297,287 parameters. Trained on a synthetic, learnable 34-feature, 7-class data set (class = the largest of seven
// fixed linear projections of the features), with the validation accuracy after every epoch: chance is 14.3%.
// The sigmoid output trains as Keras on TensorFlow trains it (the loss applies softmax to the layer's logits), and
// scratchnet says once that softmax is the usual choice; pass --output softmax for it.
//   npm run example:keras-seed -- --samples 4096 --epochs 3 --backend wasm
import { Dense, Dropout, Random, Sequential, getBackend, memory, type ActivationName } from 'scratchnet';
import { backendFlag, flag, numberFlag } from './args.js';

const samples = numberFlag('samples', 4096);
const epochs = numberFlag('epochs', 3);
const output = (flag('output') ?? 'sigmoid') as ActivationName;
const backend = backendFlag() ?? getBackend();
const FEATURES = 34;
const CLASSES = 7;

/** x ~ N(0, 1) in 34 dimensions; the class is the argmax of seven fixed random projections of x. */
function makeData(n: number, projections: number[][], rng: Random) {
  const x = new Float32Array(n * FEATURES);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: FEATURES }, () => rng.normal());
    x.set(row, i * FEATURES);
    const scores = projections.map((w) => w.reduce((s, wj, j) => s + wj * row[j], 0));
    y[i] = scores.indexOf(Math.max(...scores));
  }
  return { x: { data: x, shape: [n, FEATURES] as [number, number] }, y };
}

const rng = new Random(34);
const projections = Array.from({ length: CLASSES }, () => Array.from({ length: FEATURES }, () => rng.normal()));
const train = makeData(samples, projections, rng);
const test = makeData(512, projections, rng);

// Dense(4096) on the 34 features, then four [Dense(4096), Dropout(0.5)] blocks, then the 7 outputs
const layers: (Dense | Dropout)[] = [new Dense(4096, { inputShape: [FEATURES], activation: 'relu' })];
for (let block = 0; block < 4; block++) layers.push(new Dense(4096, { activation: 'relu' }), new Dropout(0.5));
layers.push(new Dense(CLASSES, { activation: output }));
const model = new Sequential(layers, { seed: 1, backend });
model.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: 'accuracy' });
model.summary();

const started = performance.now();
// verbose 2: one line per epoch, with the held-out accuracy (val_accuracy) beside the training loss
await model.fit(train.x, train.y, { epochs, batchSize: 64, validationData: [test.x, test.y], verbose: 2 });
const seconds = (performance.now() - started) / 1000;
const { accuracy } = model.evaluate(test.x, test.y);
const { bytesInUse, bytesReserved } = memory(backend);
console.log(`\n${model.countParams().toLocaleString('en-US')} parameters on ${backend}`);
console.log(
  `training: ${seconds.toFixed(1)} s for ${epochs * samples} samples (${((epochs * samples) / seconds).toFixed(1)} samples/s)`,
);
console.log(
  `wasm memory: ${(bytesInUse / 2 ** 20).toFixed(0)} MiB in use, ${(bytesReserved / 2 ** 20).toFixed(0)} MiB reserved`,
);
console.log(`accuracy on 512 held-out samples: ${(accuracy! * 100).toFixed(1)}%`);
